"""Cheapest paths to each goal, and a bounded set of meaningfully different alternatives.

One Dijkstra per goal runs backwards from the goal over the reversed graph, which
gives every node its distance to the goal and its next hop. A subject's cheapest
path follows next hops (suffixes are memoised: thousands of subjects share them).
Alternatives are one-deviation variants of that path (another technique on one
step, or another edge at one node followed by the cheapest way on): the first
iteration of Yen's algorithm, bounded by path length x out-degree, never an
enumeration of all simple paths.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

import networkx as nx

from dindscope.graph.edges import EdgeInfo

Suffix = tuple[tuple[str, ...], tuple[EdgeInfo, ...], float]


class GraphPath(NamedTuple):
    """A path in the attack graph (a NamedTuple: tens of thousands are made on a large host)."""

    nodes: tuple[str, ...]
    edges: tuple[EdgeInfo, ...]
    cost: float

    @property
    def signature(self) -> tuple[tuple[str, str], ...]:
        """(node, technique of the edge leaving it): two paths with the same signature are the same escape."""
        return tuple(zip(self.nodes, [e.technique for e in self.edges], strict=False))


@dataclass
class GoalDistances:
    goal: str
    dist: dict[str, float]
    next_hop: dict[str, str] = field(default_factory=dict)
    succ: dict = field(default_factory=dict)
    _suffix: dict[str, Suffix | None] = field(default_factory=dict)
    memo: dict = field(default_factory=dict)  # per-goal memo of the alternatives search (see alternatives.py)

    def reaches(self, node: str) -> bool:
        return node in self.dist and node != self.goal

    def suffix(self, start: str) -> Suffix | None:
        """The cheapest way from ``start`` to the goal: (nodes, edges, cost), memoised."""
        if start == self.goal:
            return (start,), (), 0.0
        if start in self._suffix:
            return self._suffix[start]
        chain = []
        node: str | None = start
        seen = set()
        while node is not None and node != self.goal and node not in self._suffix:
            if node in seen:
                node = None
                break
            seen.add(node)
            chain.append(node)
            node = self.next_hop.get(node)
        tail = None if node is None else (self._suffix.get(node, ((node,), (), 0.0)))
        for n in reversed(chain):
            if tail is None:
                self._suffix[n] = None
                continue
            edge = self.succ[n][tail[0][0]]["variants"][0]
            tail = ((n, *tail[0]), (edge, *tail[1]), tail[2] + edge.cost)
            self._suffix[n] = tail
        return self._suffix.get(start)


def distances_to(graph: nx.DiGraph, goal: str) -> GoalDistances:
    """Distance from every node to ``goal`` and its next hop, with one Dijkstra backwards from the goal."""
    if goal not in graph:
        return GoalDistances(goal, {}, succ=graph._succ)
    pred, dist = nx.dijkstra_predecessor_and_distance(graph.reverse(copy=False), goal, weight="weight")
    next_hop = {node: hops[0] for node, hops in pred.items() if hops}
    return GoalDistances(goal, dist, next_hop, graph._succ)


def cheapest_path(graph: nx.DiGraph, subject: str, distances: GoalDistances) -> GraphPath | None:
    if not distances.reaches(subject):
        return None
    found = distances.suffix(subject)
    return None if found is None else GraphPath(found[0], found[1], round(found[2], 3))
