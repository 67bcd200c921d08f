"""Which graph nodes are subjects: containers, host users, and exposed endpoints."""

from __future__ import annotations

import networkx as nx

from dindscope.analysis.results import Subject

LOOPBACK = ("127.0.0.1", "::1", "localhost")


def subjects_of(graph: nx.DiGraph) -> list[Subject]:
    out: list[Subject] = []
    for node, data in graph.nodes(data=True):
        kind = data.get("kind")
        if kind == "container":
            out.append(Subject("container", data["name"], data.get("engine", ""), node))
        elif kind == "user" and not node.startswith("user:remapped:"):
            name = "*" if node == "user:*" else node.removeprefix("user:")
            out.append(Subject("user", name, "", node))
        elif kind == "endpoint" and _exposed(graph, node):
            engine = ""
            for succ in graph.successors(node):
                engine = graph.nodes[succ].get("engine", "")
            out.append(Subject("endpoint", data["name"], engine, node))
    return out


def _exposed(graph: nx.DiGraph, node: str) -> bool:
    """A TCP listener on a non-loopback address without client verification, or a world-writable socket."""
    if node.startswith("endpoint:tcp:"):
        address = node.removeprefix("endpoint:tcp:").rsplit(":", 1)[0]
        return address not in LOOPBACK and graph.out_degree(node) > 0
    if node.startswith("endpoint:unix:"):
        return any(graph.edges[p, node]["technique"] == "socket-world-access" for p in graph.predecessors(node))
    return False

