"""network-attach and tcp-api-exposed: engine TCP listeners reachable from container networks."""

from __future__ import annotations

from dindscope.graph import nodes
from dindscope.graph.context import BuildContext, container_node
from dindscope.techniques.base import Technique
from dindscope.techniques.dind_published import reach_fixes

ANY = ("0.0.0.0", "::", "", "*")
LOOPBACK = ("127.0.0.1", "::1", "localhost")


def network_gateways(ctx: BuildContext) -> dict[str, tuple[set[str], bool]]:
    """network node -> (gateway IPs, internal)."""
    result: dict[str, tuple[set[str], bool]] = {}
    for engine in ctx.snapshot.engines:
        for net in engine.networks:
            result[nodes.network_id(engine.key, net.name)] = (set(net.gateways), net.internal)
    for c in ctx.snapshot.containers:
        for att in c.networks:
            gws, _internal = result.setdefault(nodes.network_id(c.engine, att.name), (set(), False))
            if att.gateway:
                gws.add(att.gateway)
    return result


def _apply_attach(ctx: BuildContext) -> None:
    for c in ctx.snapshot.containers:
        if c.namespaces.network in ("host", "none") or c.namespaces.network.startswith("container:"):
            continue
        for att in c.networks:
            node = nodes.network_id(c.engine, att.name)
            ctx.ensure(node, "network", f"network {att.name}")
            aliases = f" aliases={','.join(att.aliases)}" if att.aliases else ""
            ctx.add(container_node(c), node, ATTACH.id, f"attached to network {att.name}",
                    (f"NetworkSettings.Networks.{att.name}.IPAddress={att.ip_address or '?'}{aliases}",), ATTACH.cost)


def _apply_exposed(ctx: BuildContext) -> None:
    gateways = network_gateways(ctx)
    for tcp in ctx.tcp:
        lis = tcp.listener
        if lis.address in LOOPBACK or (lis.tls and lis.tls_verify):
            continue
        for net_node, (gws, internal) in gateways.items():
            if internal or net_node not in ctx.graph:
                continue
            if lis.address in ANY:
                via = f"bound to all interfaces, reachable at the network's gateway {', '.join(sorted(gws)) or ''}"
            elif lis.address in gws:
                via = f"bound to the network's gateway {lis.address}"
            else:
                continue
            ctx.add(net_node, tcp.node, EXPOSED.id, f"engine API listener {lis.url} {via}".strip(),
                    (f"listener {lis.url} tls={lis.tls} (found via {lis.source or '?'})",
                     f"gateways {', '.join(sorted(gws)) or 'unknown'}"), EXPOSED.cost)


ATTACH = Technique(
    id="network-attach",
    title="Container on a network",
    kind="access",
    needs="A container attached to a bridge or user-defined network (not host, none, or another container's).",
    gains="Reach of whatever listens on that network: the host's gateway address and other containers.",
    evidence="NetworkSettings.Networks[].IPAddress and Aliases.",
    remediations=(),
    cost=0.1,
    apply=_apply_attach,
)

EXPOSED = Technique(
    id="tcp-api-exposed",
    title="Engine TCP listener reachable from container networks",
    kind="access",
    needs="An engine API on TCP (daemon.json hosts, -H tcp://, a /_ping probe) bound to all interfaces or to a "
          "bridge gateway, without TLS client verification.",
    gains="Every container on such a network (and anyone who can route to it) controls the engine.",
    evidence="Listener address, port and TLS setting; the network's gateway.",
    remediations=("tcp-api/tls", "tcp-api/unix-only", "dind/unpublish"),
    cost=1.0,
    references=("https://docs.docker.com/engine/security/protect-access/",),
    apply=_apply_exposed,
    fixes_at=reach_fixes("tcp-api/tls", "tcp-api/unix-only"),
)
