"""Turn graph paths into Findings: readable nodes, steps with evidence, ordered remediations.

A :class:`FindingFactory` memoises the pieces findings share (path nodes, steps, remediation
lists): on a large host thousands of findings go through the same engine and goal nodes.
"""

from __future__ import annotations

import hashlib

import networkx as nx

from dindscope.analysis.paths import GraphPath
from dindscope.analysis.results import Finding, PathNode, RemediationOption, Step, Subject
from dindscope.analysis.severity import severity
from dindscope.graph import nodes


def remediations_for_steps(steps: list[Step]) -> list[RemediationOption]:
    """Fixes for every technique on the path, first step first; enablers' fixes after; deduplicated."""
    from dindscope.remediation.catalog import remediations_for

    seen: set[str] = set()
    out: list[RemediationOption] = []
    techniques = [s.technique for s in steps]
    enablers = [e for s in steps for e in s.enablers]
    for technique in [*techniques, *enablers]:
        for option in remediations_for(technique):
            if option.id not in seen:
                seen.add(option.id)
                out.append(option)
    return out


def finding_id(subject: Subject, impact: str, pnodes: list[PathNode], steps: list[Step]) -> str:
    """Stable across runs for the same subject, goal and path shape (names and techniques, not ids)."""
    shape = "|".join(f"{n.kind}:{n.name}" for n in pnodes) + "#" + ",".join(s.technique for s in steps)
    raw = f"{subject.kind}|{subject.engine}|{subject.name}|{impact}|{shape}"
    return hashlib.sha1(raw.encode("utf-8", "replace")).hexdigest()[:16]


class FindingFactory:
    def __init__(self, graph: nx.DiGraph) -> None:
        self.graph = graph
        self._nodes: dict[str, tuple[PathNode, str]] = {}  # node -> (PathNode, "kind:name")
        self._steps: dict[int, Step] = {}  # id(EdgeInfo) -> Step: every EdgeInfo lives on exactly one edge
        self._fixes: dict[tuple[int, ...], list[RemediationOption]] = {}

    def path_node(self, node: str) -> tuple[PathNode, str]:
        found = self._nodes.get(node)
        if found is None:
            data = self.graph.nodes[node]
            pn = PathNode(data.get("kind") or nodes.kind_of(node), data.get("name", node), node)
            found = self._nodes[node] = (pn, f"{pn.kind}:{pn.name}")
        return found

    def make(self, subject: Subject, goal: str, path: GraphPath, alternative: int) -> Finding:
        impact = nodes.GOAL_IMPACT[goal]
        state = self.graph.nodes[subject.node].get("state", "") if subject.kind == "container" else ""
        pairs = [self.path_node(n) for n in path.nodes]
        steps = []
        cache = self._steps
        for i, e in enumerate(path.edges):
            st = cache.get(id(e))
            if st is None:
                st = cache[id(e)] = Step(e.technique, e.explanation, e.evidence, e.cost, path.nodes[i],
                                         path.nodes[i + 1], e.enablers)
            steps.append(st)
        key = tuple(map(id, path.edges))
        fixes = self._fixes.get(key)
        if fixes is None:
            fixes = self._fixes[key] = remediations_for_steps(steps)
        raw = (f"{subject.kind}|{subject.engine}|{subject.name}|{impact}|" + "|".join([p[1] for p in pairs]) + "#"
               + ",".join([s.technique for s in steps]))
        return Finding(
            id=hashlib.sha1(raw.encode("utf-8", "replace")).hexdigest()[:16],
            severity=severity(impact, path.cost, state),  # type: ignore[arg-type]
            impact=impact,  # type: ignore[arg-type]
            subject=subject,
            path=[p[0] for p in pairs],
            steps=steps,
            remediations=list(fixes),
            cost=path.cost,
            state=state,
            alternative=alternative,
        )


def make_finding(graph: nx.DiGraph, subject: Subject, goal: str, path: GraphPath, alternative: int) -> Finding:
    return FindingFactory(graph).make(subject, goal, path, alternative)
