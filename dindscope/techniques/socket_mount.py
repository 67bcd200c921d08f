"""socket-mount: an engine socket bind-mounted into a container."""

from __future__ import annotations

from dindscope.graph import nodes
from dindscope.graph.context import BuildContext, SocketInfo, container_node
from dindscope.graph.identity import Identity, may_connect
from dindscope.models import Container, Mount
from dindscope.techniques.base import Technique, evidence_mount


def connect_edge(ctx: BuildContext, container: Container, mount: Mount, sock: SocketInfo, technique: str,
                 explanation: str, cost: float) -> None:
    """Add container -> socket endpoint when the container's host identity may connect to it."""
    ident = ctx.identity(container)
    nnp = container.security.no_new_privileges
    # Containers with the same identity mounting the same source share the evidence (a /run or / mount on a
    # large host is thousands of container x socket pairs): compute it once per key.
    key = (technique, mount.source, mount.destination, mount.read_only, sock.path, id(ident), nnp)
    memo = ctx.memo.get(key)
    if memo is None:
        memo = ctx.memo[key] = _connect_facts(ident, mount, sock, nnp, cost)
    if memo is False:
        return
    evidence, edge_cost, enablers = memo
    node = nodes.unix_endpoint_id(sock.path)
    ctx.ensure(node, "endpoint", f"unix://{sock.path}")
    ctx.add(container_node(container), node, technique, explanation, evidence, edge_cost, enablers)


def _connect_facts(ident: Identity, mount: Mount, sock: SocketInfo, nnp: bool, cost: float
                   ) -> tuple[tuple[str, ...], float, tuple[str, ...]] | bool:
    allowed = may_connect(ident.uid, ident.gids, sock.owner_uid, sock.group_gid, sock.mode)
    if allowed is False:
        return False
    evidence = [evidence_mount(mount.source, mount.destination, mount.read_only), f"host socket {sock.describe()}"]
    evidence.extend(ident.evidence)
    if mount.read_only:
        evidence.append("a read-only mount still allows connect(2) on a socket")
    if allowed is None:
        evidence.append("socket mode unknown: assumed reachable")
        cost += 1.0
    enablers = ("root-user",) if ident.uid == 0 and not nnp else ()
    return tuple(evidence), cost, enablers


def _apply(ctx: BuildContext) -> None:
    for container in ctx.snapshot.containers:
        for mount in container.mounts:
            if mount.type != "bind" or not mount.source:
                continue
            sock = ctx.socket_at(mount.source)
            if sock is None:
                continue
            connect_edge(ctx, container, mount, sock, TECHNIQUE.id,
                         f"{sock.kind} socket mounted at {mount.destination}", TECHNIQUE.cost)


TECHNIQUE = Technique(
    id="socket-mount",
    title="Engine socket mounted into the container",
    kind="access",
    needs="A bind mount whose source is an engine socket (docker.sock, podman.sock, containerd.sock, crio.sock, "
          "cri-dockerd.sock, buildkitd.sock; rootful or rootless), and a container process whose host uid/gids the "
          "socket's owner, group and mode let connect. Read-only mounts count: connect(2) ignores them.",
    gains="The engine API behind the socket.",
    evidence="Mounts[].Source/Destination/RW, the socket's owner:group and mode, Config.User, HostConfig.GroupAdd.",
    remediations=("socket-mount/rootless-buildkit", "socket-mount/kaniko", "socket-mount/buildah",
                  "socket-mount/rootless-podman", "socket-mount/socket-proxy", "socket-mount/remove"),
    cost=0.5,
    references=("https://docs.docker.com/engine/security/protect-access/",),
    apply=_apply,
)
