"""Build the attack graph of a snapshot: base nodes, then every technique adds its edges."""

from __future__ import annotations

import networkx as nx

from dindscope.bulk import paused_gc
from dindscope.graph import nodes
from dindscope.graph.context import BuildContext, container_node
from dindscope.models import Snapshot


def _state_word(tls: bool | None, verify: bool | None) -> str:
    if tls is False:
        return "TLS off"
    if tls and verify:
        return "TLS, client certs"
    if tls:
        return "TLS, no client verification"
    return "TLS unknown"


def add_base_nodes(ctx: BuildContext) -> None:
    g = ctx.graph
    for goal in nodes.GOALS:
        g.add_node(goal, kind="host", name=nodes.GOAL_NAMES[goal])
    for engine in ctx.snapshot.engines:
        where = engine.endpoints[0] if engine.endpoints else "?"
        mode = f"rootless as {engine.user}" if engine.rootless else "rootful"
        g.add_node(nodes.engine_id(engine.key), kind="engine", name=f"{engine.kind} engine ({mode}, {where})",
                   engine=engine.key)
    for c in ctx.snapshot.containers:
        g.add_node(container_node(c), kind="container", name=c.name, engine=c.engine, cid=c.id, state=c.state)
    for user in ctx.host.users:
        if user.uid != 0:
            ctx.ensure_user(user.name, user.uid)
    for sock in ctx.sockets.values():
        ctx.ensure(nodes.unix_endpoint_id(sock.path), "endpoint", f"unix://{sock.path}")
    for tcp in ctx.tcp:
        lis = tcp.listener
        published = f" published by {tcp.container.name}" if tcp.container is not None else ""
        ctx.ensure(tcp.node, "endpoint", f"tcp://{lis.address or '*'}:{lis.port} "
                   f"({_state_word(lis.tls, lis.tls_verify)}){published}")


def build_graph(snapshot: Snapshot) -> nx.DiGraph:
    """The attack graph: nodes carry ``kind`` and ``name``; edges carry technique variants (see edges.py)."""
    from dindscope.techniques.registry import ordered

    graph = nx.DiGraph()
    with paused_gc():
        ctx = BuildContext(snapshot, graph)
        add_base_nodes(ctx)
        for technique in ordered():
            assert technique.apply is not None
            technique.apply(ctx)
    clear_cache = getattr(nx, "_clear_cache", None)  # edges.add_edge bypasses networkx's own bookkeeping
    if clear_cache is not None:
        clear_cache(graph)
    return graph
