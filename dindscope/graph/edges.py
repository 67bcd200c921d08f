"""What every edge of the attack graph carries.

A DiGraph keeps one edge per ordered pair of nodes. When several techniques
connect the same two nodes (a privileged container that also has SYS_MODULE),
every one is kept as a *variant*, cheapest first; the edge's own attributes are
those of the cheapest so that weighted searches see the right cost.
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx


@dataclass(frozen=True)
class EdgeInfo:
    technique: str  # technique id
    explanation: str  # one line
    evidence: tuple[str, ...]  # inspect field=value or host fact
    cost: float  # how hard / how noisy: ~0.5 trivial, 1 easy, 2-3 needs skill, 4+ hard or noisy
    enablers: tuple[str, ...] = ()  # ids of enabler techniques that this step relies on


def add_edge(graph: nx.DiGraph, source: str, target: str, info: EdgeInfo) -> None:
    """Add ``info`` between two existing nodes, keeping every technique as a variant."""
    if graph.has_edge(source, target):
        data = graph.edges[source, target]
        variants: list[EdgeInfo] = data["variants"]
        if any(v.technique == info.technique and v.evidence == info.evidence for v in variants):
            return
        variants.append(info)
        variants.sort(key=lambda v: (v.cost, v.technique))
        best = variants[0]
    else:
        best = info
        graph.add_edge(source, target, variants=[info])
        data = graph.edges[source, target]
    data["weight"] = best.cost
    data["technique"] = best.technique
    data["explanation"] = best.explanation
    data["evidence"] = best.evidence


def edge_variants(graph: nx.DiGraph, source: str, target: str) -> list[EdgeInfo]:
    return list(graph.edges[source, target]["variants"])
