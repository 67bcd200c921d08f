"""What every edge of the attack graph carries.

A DiGraph keeps one edge per ordered pair of nodes. When several techniques
connect the same two nodes (a privileged container that also has SYS_MODULE),
every one is kept as a *variant*, cheapest first; the edge's own attributes are
those of the cheapest so that weighted searches see the right cost.
"""

from __future__ import annotations

from typing import NamedTuple

import networkx as nx


class EdgeInfo(NamedTuple):
    """One technique's step between two nodes (immutable; a NamedTuple because a large host has tens of
    thousands of them and a frozen dataclass costs several times more to create)."""

    technique: str  # technique id
    explanation: str  # one line
    evidence: tuple[str, ...]  # inspect field=value or host fact
    cost: float  # how hard / how noisy: ~0.5 trivial, 1 easy, 2-3 needs skill, 4+ hard or noisy
    enablers: tuple[str, ...] = ()  # ids of enabler techniques that this step relies on


def add_edge(graph: nx.DiGraph, source: str, target: str, info: EdgeInfo) -> None:
    """Add ``info`` between two nodes, keeping every technique as a variant.

    The common case (a new edge between existing nodes) writes the adjacency dicts directly:
    a large host adds tens of thousands of edges and networkx's generic ``add_edge`` dominated.
    """
    succ = graph._succ
    out = succ.get(source)
    data = None if out is None else out.get(target)
    if data is None:
        data = {"variants": [info], "weight": info.cost, "technique": info.technique,
                "explanation": info.explanation, "evidence": info.evidence}
        if out is None or target not in succ:
            graph.add_edge(source, target, **data)
        else:
            out[target] = data
            graph._pred[target][source] = data
        return
    variants: list[EdgeInfo] = data["variants"]
    if any(v.technique == info.technique and v.evidence == info.evidence for v in variants):
        return
    variants.append(info)
    variants.sort(key=lambda v: (v.cost, v.technique))
    best = variants[0]
    data["weight"] = best.cost
    data["technique"] = best.technique
    data["explanation"] = best.explanation
    data["evidence"] = best.evidence


def edge_variants(graph: nx.DiGraph, source: str, target: str) -> list[EdgeInfo]:
    return list(graph.edges[source, target]["variants"])
