"""dind-published-port and tcp-api-local-users: engine APIs that reach the host's own TCP ports.

A DinD service started with ``-p 2375:2375`` forwards a host port to the plain API of the engine inside it:
everything that reaches that host port (host-network containers, containers on a bridge through the
gateway, every local user, the network when bound to 0.0.0.0) drives that engine. And any TCP engine
listener without client certificates, even on 127.0.0.1, is open to every local user.
"""

from __future__ import annotations

from collections.abc import Callable

from dindscope.graph import nodes
from dindscope.graph.context import BuildContext
from dindscope.techniques.base import Technique
from dindscope.techniques.dind_client import inner_endpoint
from dindscope.techniques.socket_world import ANY_USER


def _apply_published(ctx: BuildContext) -> None:
    for tcp in ctx.tcp:
        d, lis = tcp.container, tcp.listener
        if d is None or (lis.tls and lis.tls_verify):
            continue
        why = lis.source
        ep = inner_endpoint(ctx, d, tcp.container_port, bool(lis.tls), why, d.name)
        ctx.add(tcp.node, ep, PUBLISHED.id,
                f"host port {lis.address}:{lis.port} forwards to {d.name}:{tcp.container_port}, the engine inside it",
                (f"NetworkSettings.Ports {tcp.container_port}/tcp -> {lis.address}:{lis.port}",
                 f"{d.name} image={d.image}"), PUBLISHED.cost)


def reach_fixes(*listener_fixes: str) -> Callable[[str, str], tuple[str, ...]]:
    """``fixes_at`` for steps that reach a TCP endpoint: the listener's fixes for an engine listener,
    not publishing the port for a DinD container's published port."""

    def fixes_at(source: str, target: str) -> tuple[str, ...]:
        if target.endswith(nodes.PUBLISHED_SUFFIX):
            return (*(f for f in listener_fixes if not f.startswith("tcp-api/")), "dind/unpublish")
        return listener_fixes

    return fixes_at


def _apply_local(ctx: BuildContext) -> None:
    listeners = [t for t in ctx.tcp if not (t.listener.tls and t.listener.tls_verify)]
    if not listeners:
        return
    ctx.ensure(ANY_USER, "user", "any local user")
    for tcp in listeners:
        lis = tcp.listener
        ctx.add(ANY_USER, tcp.node, LOCAL_USERS.id,
                f"every local user can connect to {lis.url}: TCP has no file permissions",
                (f"listener {lis.url} tls={lis.tls} tls_verify={lis.tls_verify} (found via {lis.source or '?'})",),
                LOCAL_USERS.cost)


PUBLISHED = Technique(
    id="dind-published-port",
    title="Docker-in-Docker engine API published on a host port",
    kind="access",
    needs="A container running an engine (docker:dind) whose plain TCP API port (2375, or 2376 without client "
          "certificates) is published on the host (-p 2375:2375).",
    gains="Whatever reaches that host port controls the inner engine, hence the DinD container: host-network "
          "containers, bridge containers through the gateway, every local user, and the network when bound to "
          "0.0.0.0.",
    evidence="NetworkSettings.Ports / HostConfig.PortBindings of the DinD container; its DOCKER_TLS_CERTDIR.",
    remediations=("dind/unpublish", "dind/tls"),
    cost=0.1,
    apply=_apply_published,
)

LOCAL_USERS = Technique(
    id="tcp-api-local-users",
    title="Engine TCP listener open to every local user",
    kind="access",
    needs="An engine API on TCP without client-certificate verification, on any address including 127.0.0.1 "
          "(an engine listener, or a port a DinD container publishes).",
    gains="Every local user (and every process of any user) controls the engine: for a rootful engine, every "
          "local user is root-equivalent.",
    evidence="The listener's address, port and TLS settings.",
    remediations=("tcp-api/tls", "tcp-api/unix-only", "dind/unpublish"),
    cost=0.3,
    apply=_apply_local,
    fixes_at=reach_fixes("tcp-api/tls", "tcp-api/unix-only"),
)
