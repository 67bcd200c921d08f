"""Inline SVG: one chain diagram per escape path, and the whole-host graph.

Colours and fonts come from CSS classes (``k-<kind>``), not ``style``
attributes, so the report's Content-Security-Policy can forbid inline styles.
Every label is escaped and shortened; the full text is in a ``<title>`` tooltip.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from dindscope.reports import view
from dindscope.reports.html.layout import LayoutEdge, LayoutNode, layered_layout
from dindscope.reports.text import clean, esc_html, shorten

KINDS = ("host", "engine", "endpoint", "container", "path", "device", "user", "network")
NODE_W, NODE_H = 190, 44
CHAIN_GAP = 120
CHAIN_PER_ROW = 4
MAX_GRAPH_NODES = 120


def _kind(kind: object) -> str:
    value = str(kind)
    return value if value in KINDS else "other"


def _node(x: float, y: float, kind: str, name: str, *, w: float = NODE_W, h: float = NODE_H, extra: str = "") -> str:
    kind = _kind(kind)
    label = esc_html(shorten(clean(name), 24))
    return (f'<g class="node k-{kind}{extra}"><title>{esc_html(kind)}: {esc_html(name)}</title>'
            f'<rect x="{x:g}" y="{y:g}" width="{w:g}" height="{h:g}" rx="7"/>'
            f'<text class="kind" x="{x + 10:g}" y="{y + 15:g}">{esc_html(kind)}</text>'
            f'<text class="name" x="{x + 10:g}" y="{y + 33:g}">{label}</text></g>')


def _arrow_defs(uid: str) -> str:
    return (f'<defs><marker id="{uid}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
            f'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" class="arrowhead"/></marker></defs>')


def chain_svg(finding: Mapping[str, Any], uid: str) -> str:
    """A left-to-right chain of the path's nodes, wrapped every few nodes, techniques on the arrows."""
    nodes = view.path(finding)
    steps = view.steps(finding)
    if not nodes:
        return ""
    cols = min(len(nodes), CHAIN_PER_ROW)
    rows = (len(nodes) + CHAIN_PER_ROW - 1) // CHAIN_PER_ROW
    row_h = NODE_H + 56
    width = 20 + cols * NODE_W + (cols - 1) * CHAIN_GAP
    height = 20 + rows * row_h - 56 + 10
    parts = [f'<svg class="chain" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:g} {height:g}" '
             f'width="{width:g}" height="{height:g}" role="img" aria-label="escape path diagram">', _arrow_defs(uid)]
    positions = []
    for index in range(len(nodes)):
        row, col = divmod(index, CHAIN_PER_ROW)
        x, y = 10 + col * (NODE_W + CHAIN_GAP), 10 + row * row_h
        positions.append((x, y))
    for index in range(len(nodes) - 1):
        (x1, y1), (x2, y2) = positions[index], positions[index + 1]
        step = steps[index] if index < len(steps) else {}
        technique = clean(step.get("technique", ""))
        tip = f"{technique}: {clean(step.get('explanation', ''))}"
        if y1 == y2:
            sx, sy, ex, ey = x1 + NODE_W, y1 + NODE_H / 2, x2, y2 + NODE_H / 2
            lx, ly = (sx + ex) / 2, sy - 8
            d = f"M{sx:g},{sy:g} L{ex - 2:g},{ey:g}"
        else:
            sx, sy, ex, ey = x1 + NODE_W / 2, y1 + NODE_H, x2 + NODE_W / 2, y2
            lx, ly = (sx + ex) / 2, (sy + ey) / 2 - 4
            d = f"M{sx:g},{sy:g} C{sx:g},{sy + 30:g} {ex:g},{ey - 30:g} {ex:g},{ey - 2:g}"
        parts.append(f'<g class="edge"><title>{esc_html(tip)}</title>'
                     f'<path d="{d}" marker-end="url(#{uid})"/>'
                     f'<text class="edge-label" x="{lx:g}" y="{ly:g}" text-anchor="middle">'
                     f"{esc_html(shorten(technique, 20))}</text></g>")
    for index, node in enumerate(nodes):
        x, y = positions[index]
        goal = " goal" if index == len(nodes) - 1 and node.get("kind") == "host" else ""
        parts.append(_node(x, y, str(node.get("kind")), str(node.get("name", "")), extra=goal))
    parts.append("</svg>")
    return "".join(parts)


def _node_id(node: Mapping[str, Any]) -> str:
    return str(node.get("node") or f"{node.get('kind')}:{node.get('name')}")


def graph_svg(findings: Sequence[Mapping[str, Any]], uid: str = "g-arrow") -> tuple[str, int, int]:
    """The union of every escape path as one layered graph.

    Returns the SVG, the number of nodes drawn and the number of nodes left out
    (the most severe paths are drawn first until :data:`MAX_GRAPH_NODES`).
    """
    nodes: dict[str, LayoutNode] = {}
    edges: dict[tuple[str, str], LayoutEdge] = {}
    skipped: set[str] = set()
    for finding in findings:
        path = view.path(finding)
        ids = [_node_id(n) for n in path]
        new = {i for i in ids if i not in nodes}
        if len(nodes) + len(new) > MAX_GRAPH_NODES:
            skipped |= new
            continue
        for node, node_id in zip(path, ids, strict=True):
            nodes.setdefault(node_id, LayoutNode(node_id, _kind(node.get("kind")), clean(node.get("name", ""))))
        for index, step in enumerate(view.steps(finding)):
            if index + 1 >= len(ids):
                break
            edge = edges.setdefault((ids[index], ids[index + 1]), LayoutEdge(ids[index], ids[index + 1]))
            technique = clean(step.get("technique", ""))
            if technique and technique not in edge.labels:
                edge.labels.append(technique)
    skipped -= set(nodes)
    if not nodes:
        return "", 0, 0
    layout = layered_layout(list(nodes.values()), list(edges.values()), node_w=NODE_W, node_h=NODE_H)
    parts = [f'<svg class="graph" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {layout.width:g} '
             f'{layout.height:g}" width="{layout.width:g}" height="{layout.height:g}" role="img" '
             f'aria-label="whole-host escape graph">', _arrow_defs(uid)]
    for edge in sorted(layout.edges, key=lambda e: (e.source, e.target)):
        a, b = layout.nodes[edge.source], layout.nodes[edge.target]
        tip = esc_html(f"{a.label} \u2192 {b.label}: {', '.join(sorted(edge.labels))}")
        if b.layer > a.layer:
            sx, sy, ex, ey = a.x + NODE_W, a.y + NODE_H / 2, b.x - 2, b.y + NODE_H / 2
            mid = (sx + ex) / 2
            d = f"M{sx:g},{sy:g} C{mid:g},{sy:g} {mid:g},{ey:g} {ex:g},{ey:g}"
            cls = "edge"
        else:  # same column or backwards: loop around below
            sx, sy, ex, ey = a.x + NODE_W / 2, a.y + NODE_H, b.x + NODE_W / 2, b.y + NODE_H + 2
            low = max(sy, ey) + 26
            d = f"M{sx:g},{sy:g} C{sx:g},{low:g} {ex:g},{low:g} {ex:g},{ey:g}"
            cls = "edge back"
        parts.append(f'<g class="{cls}"><title>{tip}</title><path d="{d}" marker-end="url(#{uid})"/></g>')
    for node in sorted(layout.nodes.values(), key=lambda n: (n.layer, n.row)):
        parts.append(_node(node.x, node.y, node.kind, node.label, extra=" goal" if node.kind == "host" else ""))
    parts.append("</svg>")
    return "".join(parts), len(nodes), len(skipped)
