"""host-network-loopback: --network host reaches engine listeners bound to the host's loopback."""

from __future__ import annotations

from dindscope.graph.context import BuildContext, container_node
from dindscope.techniques.base import Technique
from dindscope.techniques.dind_published import reach_fixes


def _apply(ctx: BuildContext) -> None:
    listeners = [t for t in ctx.tcp if not (t.listener.tls and t.listener.tls_verify)]
    if not listeners:
        return
    for c in ctx.snapshot.containers:
        if c.namespaces.network != "host":
            continue
        for tcp in listeners:
            lis = tcp.listener
            ctx.add(container_node(c), tcp.node, TECHNIQUE.id,
                    f"shares the host network: {lis.url} is reachable at 127.0.0.1:{lis.port}",
                    ("HostConfig.NetworkMode=host", f"listener {lis.url} tls={lis.tls}"), TECHNIQUE.cost)


TECHNIQUE = Technique(
    id="host-network-loopback",
    title="Host network namespace reaches loopback engine listeners",
    kind="access",
    needs="HostConfig.NetworkMode=host and an engine TCP listener (even one bound to 127.0.0.1) without TLS "
          "client verification.",
    gains="The engine behind the listener.",
    evidence="HostConfig.NetworkMode, the listener's address, port and TLS setting.",
    remediations=("host-network/remove", "tcp-api/tls", "dind/unpublish"),
    cost=0.5,
    apply=_apply,
    fixes_at=reach_fixes("host-network/remove", "tcp-api/tls"),
)
