"""engine-api: whoever can talk to an engine endpoint controls that engine."""

from __future__ import annotations

from dindscope.graph import nodes
from dindscope.graph.context import BuildContext
from dindscope.techniques.base import Technique

RUNTIME_NAMES = {
    "containerd": "containerd",
    "cri-o": "CRI-O",
    "cri-dockerd": "cri-dockerd",
    "buildkit": "BuildKit daemon",
    "docker": "Docker engine (not scanned)",
    "podman": "Podman engine (not scanned)",
    "other": "engine-like service",
}


def _apply(ctx: BuildContext) -> None:
    for info in ctx.sockets.values():
        node = nodes.unix_endpoint_id(info.path)
        if node not in ctx.graph:
            continue
        fact = f"socket {info.describe()}"
        if info.engine_key and nodes.engine_id(info.engine_key) in ctx.graph:
            engine = ctx.engines[info.engine_key]
            ctx.add(node, nodes.engine_id(info.engine_key), TECHNIQUE.id,
                    f"the socket is the API of {engine.label}: a client may create any container",
                    (fact, f"engine reached through unix://{info.path}"), 0.2)
            continue
        what = RUNTIME_NAMES.get(info.kind, info.kind)
        if info.user_uid is not None:
            target = ctx.user_node_for_uid(info.user_uid)
            ctx.add(node, target, TECHNIQUE.id,
                    f"{what} of uid {info.user_uid} (rootless): a client runs code as that user",
                    (fact, f"socket under /run/user/{info.user_uid}"), 0.5)
        else:
            ctx.add(node, nodes.HOST_ROOT, TECHNIQUE.id,
                    f"{what} runs as root: its API starts privileged containers/tasks with host mounts",
                    (fact,), 0.7)
    for tcp in ctx.tcp:
        engine = ctx.engines.get(tcp.engine_key)
        lis = tcp.listener
        if engine is None or tcp.container is not None or tcp.node not in ctx.graph:
            continue  # a port published by a DinD container leads to the engine inside it: dind-published-port
        if lis.tls and lis.tls_verify:
            continue  # needs a client certificate signed by the engine's CA
        state = "TLS off" if lis.tls is False else ("TLS without client verification" if lis.tls else "TLS unknown")
        cost = 0.3 if lis.tls is False else 0.8
        ctx.add(tcp.node, nodes.engine_id(tcp.engine_key), TECHNIQUE.id,
                f"plain API listener of {engine.label} ({state}): no client authentication",
                (f"listener {lis.url} tls={lis.tls} tls_verify={lis.tls_verify} (found via {lis.source or '?'})",),
                cost)


def _fixes_at(source: str, target: str) -> tuple[str, ...]:
    """TLS for a TCP listener, the socket's mode for a unix socket; the engine inside a DinD container has
    its own fixes (dind-client-settings, dind-inner-engine)."""
    if source.startswith("endpoint:tcp:"):
        return ("tcp-api/tls",)
    if source.startswith("endpoint:unix:"):
        return ("socket-mode/restrict",)
    return ()


TECHNIQUE = Technique(
    id="engine-api",
    title="Engine API endpoint",
    kind="access",
    needs="A unix socket or TCP listener that serves an engine API (Docker, Podman, containerd, CRI-O, "
          "cri-dockerd, BuildKit), without client-certificate authentication.",
    gains="Control of the engine behind it (or, for a runtime dindscope did not scan, of root/the socket's user).",
    evidence="Socket path, owner, group and mode; listener URL and TLS settings.",
    remediations=("tcp-api/tls", "socket-mode/restrict"),
    cost=0.2,
    apply=_apply,
    fixes_at=_fixes_at,
)
