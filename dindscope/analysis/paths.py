"""Cheapest paths to each goal, and a bounded set of meaningfully different alternatives.

One Dijkstra per goal runs backwards from the goal over the reversed graph, which
gives every node its distance to the goal and its next hop. A subject's cheapest
path follows next hops. Alternatives are one-deviation variants of that path
(take another edge or another technique at one step, then the cheapest way on),
the first iteration of Yen's algorithm: bounded by path length x out-degree,
never an enumeration of all simple paths.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import networkx as nx

from dindscope.graph.edges import EdgeInfo


@dataclass(frozen=True)
class GraphPath:
    nodes: tuple[str, ...]
    edges: tuple[EdgeInfo, ...]
    cost: float

    @property
    def signature(self) -> tuple[tuple[str, str], ...]:
        return tuple(zip(self.nodes, (e.technique for e in self.edges), strict=False))


@dataclass
class GoalDistances:
    goal: str
    dist: dict[str, float]
    next_hop: dict[str, str] = field(default_factory=dict)

    def reaches(self, node: str) -> bool:
        return node in self.dist and node != self.goal


def distances_to(graph: nx.DiGraph, goal: str) -> GoalDistances:
    """Distance from every node to ``goal`` and its next hop, with one multi-node Dijkstra backwards."""
    if goal not in graph:
        return GoalDistances(goal, {})
    pred, dist = nx.dijkstra_predecessor_and_distance(graph.reverse(copy=False), goal, weight="weight")
    next_hop = {node: hops[0] for node, hops in pred.items() if hops}
    return GoalDistances(goal, dist, next_hop)


def _walk(start: str, distances: GoalDistances) -> list[str] | None:
    node, out = start, [start]
    seen = {start}
    while node != distances.goal:
        node = distances.next_hop.get(node)  # type: ignore[assignment]
        if node is None or node in seen:
            return None
        seen.add(node)
        out.append(node)
    return out


def _edge(graph: nx.DiGraph, u: str, v: str, variant: int = 0) -> EdgeInfo:
    return graph.edges[u, v]["variants"][variant]


def _make(graph: nx.DiGraph, path: list[str], overrides: dict[int, int] | None = None) -> GraphPath:
    overrides = overrides or {}
    edges = tuple(_edge(graph, path[i], path[i + 1], overrides.get(i, 0)) for i in range(len(path) - 1))
    return GraphPath(tuple(path), edges, round(sum(e.cost for e in edges), 3))


def cheapest_path(graph: nx.DiGraph, subject: str, distances: GoalDistances) -> GraphPath | None:
    if not distances.reaches(subject):
        return None
    path = _walk(subject, distances)
    return _make(graph, path) if path else None


def alternatives(graph: nx.DiGraph, best: GraphPath, distances: GoalDistances, limit: int) -> list[GraphPath]:
    """Up to ``limit`` paths that differ from ``best`` by another edge or technique at one step."""
    if limit <= 0:
        return []
    candidates: list[GraphPath] = []
    path = list(best.nodes)
    for i in range(len(path) - 1):
        u, nxt = path[i], path[i + 1]
        variants = graph.edges[u, nxt]["variants"]
        for k in range(1, len(variants)):
            candidates.append(_make(graph, path, {i: k}))
        prefix = set(path[: i + 1])
        for w in graph.successors(u):
            if w == nxt or w not in distances.dist:
                continue
            rest = [w] if w == distances.goal else _walk(w, distances)
            if rest is None or prefix.intersection(rest):
                continue
            candidates.append(_make(graph, path[: i + 1] + rest))
    candidates.sort(key=lambda p: (p.cost, len(p.nodes), p.signature))
    seen = {best.signature}
    out: list[GraphPath] = []
    for cand in candidates:
        if cand.signature in seen:
            continue
        seen.add(cand.signature)
        out.append(cand)
        if len(out) >= limit:
            break
    return out
