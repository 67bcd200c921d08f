"""Meaningfully different alternatives to a cheapest path: one deviation each, bounded.

An alternative differs from the best path by another technique on one step (an edge
variant) or by another edge at one node followed by the cheapest way on: the first
iteration of Yen's algorithm, bounded by path length x out-degree, never an enumeration
of all simple paths. Candidates are ranked by cost (prefix + edge + distance to the goal,
all known) and materialised cheapest first until ``limit`` distinct ones are found.

Thousands of subjects share the part of their best path after the first step (a container ->
its network -> the engine's listener -> ...). The deviations inside that shared tail are
collected once per tail and reused; the ranking and the paths produced are exactly those of
a search from scratch (the same cost sums in the same order, the same tie-breaking).
"""

from __future__ import annotations

import networkx as nx

from dindscope.analysis.paths import GoalDistances, GraphPath
from dindscope.graph.edges import EdgeInfo

# deviation inside a tail: (relative step j, next node w, variant k, cost of that edge, distance of w or None)
Deviation = tuple[int, str, int, float, float | None]
TailPart = tuple[tuple[str, ...], tuple[EdgeInfo, ...], tuple[str, ...], tuple[str, ...]] | None


def _tail_deviations(succ: dict, distances: GoalDistances, start: str) -> list[Deviation] | None:
    """Every one-step deviation along the cheapest suffix from ``start``, in search order (memoised)."""
    memo = distances.memo
    key = ("dev", start)
    if key in memo:
        return memo[key]
    found = distances.suffix(start)
    out: list[Deviation] | None = None
    if found is not None:
        out = []
        dist = distances.dist
        tnodes = found[0]
        for j in range(len(tnodes) - 1):
            u, nxt = tnodes[j], tnodes[j + 1]
            adj = succ[u]
            variants = adj[nxt]["variants"]
            for k in range(1, len(variants)):
                out.append((j, nxt, k, variants[k].cost, None))
            if len(adj) > 1:
                for w, data in adj.items():
                    if w != nxt and w in dist:
                        out.append((j, w, 0, data["variants"][0].cost, dist[w]))
    memo[key] = out
    return out


def _tail_part(succ: dict, distances: GoalDistances, start: str, j: int, w: str) -> TailPart:
    """From ``start``: its suffix up to step j, then the edge to ``w`` and w's cheapest way on (memoised).

    Returns (nodes, edges, techniques, rest nodes) or None when w has no way on or it loops back into the prefix.
    """
    memo = distances.memo
    key = ("part", start, j, w)
    if key in memo:
        return memo[key]
    tnodes, tedges, _ = distances.suffix(start)  # type: ignore[misc]
    rest = distances.suffix(w)
    part: TailPart = None
    prefix = tnodes[: j + 1]
    if rest is not None and not any(n in rest[0] for n in prefix):
        edges = (*tedges[:j], succ[tnodes[j]][w]["variants"][0], *rest[1])
        part = ((*prefix, *rest[0]), edges, tuple([e.technique for e in edges]), rest[0])
    memo[key] = part
    return part


def alternatives(graph: nx.DiGraph, best: GraphPath, distances: GoalDistances, limit: int) -> list[GraphPath]:
    """Up to ``limit`` paths that differ from ``best`` by another edge or technique at one step."""
    if limit <= 0:
        return []
    succ = graph._succ
    path, edges = best.nodes, best.edges
    if len(path) < 2:
        return []
    head, n1 = path[0], path[1]
    shared = distances.suffix(n1) if n1 != distances.goal else ((n1,), (), 0.0)
    if shared is None or shared[0] != path[1:] or shared[1] != edges[1:]:
        return _from_scratch(succ, best, distances, limit)
    deviations = _tail_deviations(succ, distances, n1) if len(path) > 2 else []
    assert deviations is not None
    dist = distances.dist
    ranked: list[tuple[float, int, int, str, int]] = []  # (cost, order, step index, next node, variant)
    order = 0
    adj = succ[head]
    variants = adj[n1]["variants"]
    for k in range(1, len(variants)):
        ranked.append((best.cost - edges[0].cost + variants[k].cost, order, 0, n1, k))
        order += 1
    if len(adj) > 1:
        for w, data in adj.items():
            if w != n1 and w in dist:
                ranked.append((0.0 + data["variants"][0].cost + dist[w], order, 0, w, 0))
                order += 1
    # No other way out of the subject's own node: every alternative lies in the shared tail, and the result
    # depends only on that tail and the first step's cost. Subjects alike (thousands of containers on one
    # network or mounting one socket) reuse it.
    reuse_key = ("alts", n1, edges[0].cost, limit) if order == 0 else None
    if reuse_key is not None:
        cached = distances.memo.get(reuse_key)
        if cached is not None and not any(head in t[0] for t in cached):
            e0 = edges[0]
            return [GraphPath((head, *t[0]), (e0, *t[1]), t[2]) for t in cached]
    head_excluded = False
    if deviations:
        acc = [0.0 + edges[0].cost]  # prefix cost before step j + 1, summed left to right as a fresh search would
        for e in edges[1:-1]:
            acc.append(acc[-1] + e.cost)
        for j, w, k, cost, dw in deviations:
            if k:
                ranked.append((best.cost - edges[j + 1].cost + cost, order, j + 1, w, k))
            else:
                ranked.append((acc[j] + cost + dw, order, j + 1, w, 0))  # type: ignore[operator]
            order += 1
    if not ranked:
        return []
    ranked.sort()
    techniques = [e.technique for e in edges]
    seen = {(path, tuple(techniques))}  # the same nodes with the same techniques are the same escape
    out: list[GraphPath] = []
    for _cost, _order, i, w, k in ranked:
        if k:
            alt = succ[path[i]][w]["variants"][k]
            new_edges = (*edges[:i], alt, *edges[i + 1:])
            new_nodes = path
            key = (path, (*techniques[:i], alt.technique, *techniques[i + 1:]))
        elif i == 0:
            rest = distances.suffix(w)
            if rest is None or head in rest[0]:
                continue
            new_edges = (adj[w]["variants"][0], *rest[1])
            new_nodes = (head, *rest[0])
            key = (new_nodes, tuple([e.technique for e in new_edges]))
        else:
            part = _tail_part(succ, distances, n1, i - 1, w)
            if part is None:
                continue
            if head in part[3]:
                head_excluded = True
                continue
            new_edges = (edges[0], *part[1])
            new_nodes = (head, *part[0])
            key = (new_nodes, (techniques[0], *part[2]))
        if key in seen:
            continue
        seen.add(key)
        out.append(GraphPath(new_nodes, new_edges, round(sum([e.cost for e in new_edges]), 3)))
        if len(out) >= limit:
            break
    if len(out) > 1:
        out.sort(key=lambda p: (p.cost, len(p.nodes)))
    if reuse_key is not None and not head_excluded:
        distances.memo[reuse_key] = [(p.nodes[1:], p.edges[1:], p.cost) for p in out]
    return out


def _from_scratch(succ: dict, best: GraphPath, distances: GoalDistances, limit: int) -> list[GraphPath]:
    """The same search for a best path that is not the memoised cheapest one (no shared tail to reuse)."""
    dist = distances.dist
    path, edges = best.nodes, best.edges
    ranked: list[tuple[float, int, int, str, int]] = []
    prefix_cost = 0.0
    order = 0
    for i in range(len(path) - 1):
        u, nxt = path[i], path[i + 1]
        adj = succ[u]
        variants = adj[nxt]["variants"]
        for k in range(1, len(variants)):
            ranked.append((best.cost - edges[i].cost + variants[k].cost, order, i, nxt, k))
            order += 1
        for w, data in adj.items():
            if w != nxt and w in dist:
                ranked.append((prefix_cost + data["variants"][0].cost + dist[w], order, i, w, 0))
                order += 1
        prefix_cost += edges[i].cost
    ranked.sort()
    techniques = [e.technique for e in edges]
    seen = {(path, tuple(techniques))}
    out: list[GraphPath] = []
    for _cost, _order, i, w, k in ranked:
        if k:
            alt = succ[path[i]][w]["variants"][k]
            new_edges = (*edges[:i], alt, *edges[i + 1:])
            new_nodes = path
        else:
            rest = distances.suffix(w)
            if rest is None or set(path[: i + 1]).intersection(rest[0]):
                continue
            new_edges = (*edges[:i], succ[path[i]][w]["variants"][0], *rest[1])
            new_nodes = (*path[: i + 1], *rest[0])
        key = (new_nodes, tuple([e.technique for e in new_edges]))
        if key in seen:
            continue
        seen.add(key)
        out.append(GraphPath(new_nodes, new_edges, round(sum([e.cost for e in new_edges]), 3)))
        if len(out) >= limit:
            break
    out.sort(key=lambda p: (p.cost, len(p.nodes)))
    return out
