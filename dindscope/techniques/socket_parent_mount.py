"""socket-parent-mount: a directory holding an engine socket is mounted (/, /run, /var/run ...)."""

from __future__ import annotations

from dindscope.graph.context import BuildContext, SocketInfo
from dindscope.techniques.base import Technique
from dindscope.techniques.socket_mount import connect_edge


def _reachable(ctx: BuildContext, source: str, destination: str) -> list[tuple[SocketInfo, str]]:
    """The sockets under a mounted host directory and how the container sees each (memoised per mount)."""
    key = (TECHNIQUE.id, source, destination)
    found = ctx.memo.get(key)
    if found is None:
        base = ctx.norm(source)
        same = base == source.rstrip("/") or source == "/"
        alias = "" if same else f" ({source} is {base})"
        found = []
        for sock in ctx.sockets_under(base):
            inside = destination.rstrip("/") + sock.path[len(base.rstrip("/")):]
            found.append((sock, f"{sock.kind} socket reachable at {inside} through the mount of {source}{alias}"))
        ctx.memo[key] = found
    return found


def _apply(ctx: BuildContext) -> None:
    for container in ctx.snapshot.containers:
        for mount in container.mounts:
            if mount.type != "bind" or not mount.source:
                continue
            for sock, explanation in _reachable(ctx, mount.source, mount.destination):
                connect_edge(ctx, container, mount, sock, TECHNIQUE.id, explanation, TECHNIQUE.cost)


TECHNIQUE = Technique(
    id="socket-parent-mount",
    title="Engine socket reachable through a parent directory mount",
    kind="access",
    needs="A bind mount of a directory that holds an engine socket on the host (/, /run, /var/run, /run/user/UID, "
          "/run/containerd ...), /var/run being the same directory as /run; the process must pass the socket's "
          "permission check.",
    gains="The engine API behind the socket, at <destination>/<rest of the socket path>.",
    evidence="Mounts[].Source/Destination, the socket found on the host and its mode, the /var/run -> /run alias.",
    remediations=("socket-parent-mount/narrow", "socket-mount/rootless-buildkit", "socket-mount/kaniko"),
    cost=0.7,
    apply=_apply,
)
