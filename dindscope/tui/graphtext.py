"""The neighbourhood of one subject as a text diagram readable at 80 columns.

The subject's escape paths are merged into a tree (shared prefixes drawn once),
then the graph's direct neighbours that no path uses are listed: who can reach
this subject, and what else it touches (networks, data mounts ...).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from rich.text import Text

from dindscope.analysis.results import Finding, PathNode
from dindscope.tui.safe import clean

KIND_STYLE = {"container": "bold", "endpoint": "magenta", "engine": "cyan", "path": "yellow", "device": "yellow",
              "user": "blue", "network": "green", "host": "bold red"}
MAX_NEIGHBOURS = 12


@dataclass
class _Branch:
    node: PathNode
    technique: str = ""
    children: dict[str, _Branch] = field(default_factory=dict)


def _node_key(node: PathNode) -> str:
    return node.node or f"{node.kind}:{node.name}"


def _label(kind: str, name: str) -> Text:
    out = Text(clean(name, 60), style=KIND_STYLE.get(kind, ""), end="")
    out.append(f" ({clean(kind, 20)})", style="dim")
    return out


def _tree(findings: Sequence[Finding]) -> _Branch | None:
    if not findings or not findings[0].path:
        return None
    root = _Branch(findings[0].path[0])
    for finding in findings:
        branch = root
        for i, node in enumerate(finding.path[1:]):
            technique = finding.steps[i].technique if i < len(finding.steps) else ""
            key = f"{technique}|{_node_key(node)}"
            branch = branch.children.setdefault(key, _Branch(node, technique))
    return root


def _draw(branch: _Branch, prefix: str, out: Text) -> None:
    children = list(branch.children.values())
    for i, child in enumerate(children):
        last = i == len(children) - 1
        out.append("\n" + prefix + ("└─" if last else "├─"), style="dim")
        if child.technique:
            out.append(f"[{clean(child.technique, 40)}]", style="cyan")
        out.append("→ ", style="dim")
        out.append(_label(child.node.kind, child.node.name))
        _draw(child, prefix + ("   " if last else "│  "), out)


def _node_name(graph: Any, node: str) -> tuple[str, str]:
    data = graph.nodes[node] if node in graph else {}
    kind = str(data.get("kind", "") or node.split(":", 1)[0])
    name = data.get("name") or data.get("label") or node
    return kind, str(name)


def _edge_technique(data: dict[str, Any]) -> str:
    return str(data.get("technique") or data.get("kind") or data.get("label") or "")


def neighbourhood(subject_name: str, subject_kind: str, findings: Sequence[Finding], graph: Any = None,
                  node_id: str = "") -> Text:
    """The diagram for one subject; ``graph`` is the analysis' networkx DiGraph when there is one."""
    out = Text(end="")
    tree = _tree(findings)
    if tree is not None:
        out.append(_label(tree.node.kind, tree.node.name))
        out.append(f"  — {len(findings)} escape path{'s' if len(findings) != 1 else ''}", style="dim")
        _draw(tree, "", out)
        node_id = node_id or tree.node.node
    else:
        out.append(_label(subject_kind, subject_name))
        out.append("\n└─ no escape path found", style="green")
    if graph is None or not node_id or node_id not in graph:
        return out
    used = {(f.steps[i].source, f.steps[i].target) for f in findings for i in range(len(f.steps))}
    incoming = [(src, data) for src, _, data in graph.in_edges(node_id, data=True) if (src, node_id) not in used]
    outgoing = [(dst, data) for _, dst, data in graph.out_edges(node_id, data=True) if (node_id, dst) not in used]
    _neighbours(out, graph, "Also touches:", "→", outgoing)
    _neighbours(out, graph, "Reached from:", "←", incoming)
    return out


def _neighbours(out: Text, graph: Any, title: str, arrow: str, items: list[tuple[str, dict]]) -> None:
    """One block of neighbours not on any path: ``arrow [technique] node``, at most MAX_NEIGHBOURS."""
    if not items:
        return
    out.append(f"\n\n{title}", style="bold")
    for node, data in items[:MAX_NEIGHBOURS]:
        out.append(f"\n  {arrow} ", style="dim")
        technique = _edge_technique(data)
        if technique:
            out.append(f"[{clean(technique, 40)}] ", style="cyan")
        out.append(_label(*_node_name(graph, node)))
    if len(items) > MAX_NEIGHBOURS:
        out.append(f"\n  … and {len(items) - MAX_NEIGHBOURS} more", style="dim")
