"""A small deterministic layered layout for the whole-host graph (no external libraries).

Nodes go into columns by longest path from the subjects (cycles are broken by
dropping the back edges a sorted depth-first search finds); goal nodes (kind
``host``) always form the last column. Inside a column nodes are ordered by the
mean position of their predecessors, ties by kind and name, so the same graph
always gives the same picture.
"""

from __future__ import annotations

from dataclasses import dataclass, field

KIND_ORDER = {"user": 0, "container": 1, "network": 2, "endpoint": 3, "path": 4, "device": 5, "engine": 6, "host": 9}


@dataclass
class LayoutNode:
    id: str
    kind: str
    label: str
    layer: int = 0
    row: int = 0
    x: float = 0.0
    y: float = 0.0


@dataclass
class LayoutEdge:
    source: str
    target: str
    labels: list[str] = field(default_factory=list)


@dataclass
class Layout:
    nodes: dict[str, LayoutNode]
    edges: list[LayoutEdge]
    width: float
    height: float


def _sort_key(node: LayoutNode) -> tuple[int, str, str]:
    return (KIND_ORDER.get(node.kind, 5), node.label, node.id)


def _acyclic(nodes: dict[str, LayoutNode], succ: dict[str, list[str]]) -> set[tuple[str, str]]:
    """Back edges found by an iterative DFS in sorted order: dropping them leaves a DAG."""
    state: dict[str, int] = {}  # 1 on stack, 2 done
    back: set[tuple[str, str]] = set()
    for start in sorted(nodes.values(), key=_sort_key):
        if start.id in state:
            continue
        stack = [(start.id, iter(succ.get(start.id, [])))]
        state[start.id] = 1
        while stack:
            current, children = stack[-1]
            child = next(children, None)
            if child is None:
                state[current] = 2
                stack.pop()
            elif state.get(child) == 1:
                back.add((current, child))
            elif child not in state:
                state[child] = 1
                stack.append((child, iter(succ.get(child, []))))
    return back


def layered_layout(nodes: list[LayoutNode], edges: list[LayoutEdge], *, node_w: float = 190, node_h: float = 40,
                   gap_x: float = 90, gap_y: float = 18, margin: float = 16) -> Layout:
    by_id = {n.id: n for n in nodes}
    edges = [e for e in edges if e.source in by_id and e.target in by_id and e.source != e.target]
    succ: dict[str, list[str]] = {}
    for edge in sorted(edges, key=lambda e: (_sort_key(by_id[e.target]), e.source)):
        succ.setdefault(edge.source, []).append(edge.target)
    back = _acyclic(by_id, succ)
    forward = [(e.source, e.target) for e in edges if (e.source, e.target) not in back]

    # Longest path layering over the DAG (Kahn's algorithm in sorted order).
    indeg = {n: 0 for n in by_id}
    out: dict[str, list[str]] = {}
    for s, t in forward:
        indeg[t] += 1
        out.setdefault(s, []).append(t)
    ready = sorted((by_id[n] for n, d in indeg.items() if d == 0), key=_sort_key)
    queue = [n.id for n in ready]
    while queue:
        current = queue.pop(0)
        for target in out.get(current, []):
            by_id[target].layer = max(by_id[target].layer, by_id[current].layer + 1)
            indeg[target] -= 1
            if indeg[target] == 0:
                queue.append(target)
    goals = [n for n in by_id.values() if n.kind == "host"]
    last = max((n.layer for n in by_id.values() if n.kind != "host"), default=-1) + 1
    for goal in goals:
        goal.layer = last

    columns: dict[int, list[LayoutNode]] = {}
    for node in by_id.values():
        columns.setdefault(node.layer, []).append(node)
    preds: dict[str, list[str]] = {}
    for s, t in forward:
        preds.setdefault(t, []).append(s)
    for layer in sorted(columns):
        column = columns[layer]

        def barycenter(node: LayoutNode, layer: int = layer) -> float:
            rows = [by_id[p].row for p in preds.get(node.id, []) if by_id[p].layer < layer]
            return sum(rows) / len(rows) if rows else -1.0

        if layer == min(columns):
            column.sort(key=_sort_key)
        else:
            column.sort(key=lambda n: (barycenter(n), *_sort_key(n)))
        for row, node in enumerate(column):
            node.row = row

    tallest = max((len(c) for c in columns.values()), default=1)
    height = margin * 2 + tallest * node_h + (tallest - 1) * gap_y
    for layer, column in columns.items():
        offset = (tallest - len(column)) * (node_h + gap_y) / 2
        for node in column:
            node.x = margin + layer * (node_w + gap_x)
            node.y = margin + offset + node.row * (node_h + gap_y)
    n_layers = max(columns, default=0) + 1
    width = margin * 2 + n_layers * node_w + (n_layers - 1) * gap_x
    return Layout(nodes=by_id, edges=edges, width=width, height=height)
