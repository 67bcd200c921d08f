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
from dindscope.graph.edges import EdgeInfo


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
        self._nodes: dict[str, PathNode] = {}
        self._steps: dict[tuple[str, str, int], Step] = {}
        self._fixes: dict[tuple[str, ...], list[RemediationOption]] = {}
        self._shape: dict[str, str] = {}

    def path_node(self, node: str) -> PathNode:
        pn = self._nodes.get(node)
        if pn is None:
            data = self.graph.nodes[node]
            kind = data.get("kind") or nodes.kind_of(node)
            pn = self._nodes[node] = PathNode(kind, data.get("name", node), node)
        return pn

    def step(self, source: str, target: str, e: EdgeInfo) -> Step:
        key = (source, target, id(e))
        st = self._steps.get(key)
        if st is None:
            st = self._steps[key] = Step(e.technique, e.explanation, e.evidence, e.cost, source, target, e.enablers)
        return st

    def remediations(self, steps: list[Step]) -> list[RemediationOption]:
        key = (*tuple(s.technique for s in steps), "|", *tuple(e for s in steps for e in s.enablers))
        fixes = self._fixes.get(key)
        if fixes is None:
            fixes = self._fixes[key] = remediations_for_steps(steps)
        return list(fixes)

    def make(self, subject: Subject, goal: str, path: GraphPath, alternative: int) -> Finding:
        impact = nodes.GOAL_IMPACT[goal]
        state = self.graph.nodes[subject.node].get("state", "") if subject.kind == "container" else ""
        pnodes = [self.path_node(n) for n in path.nodes]
        steps = [self.step(path.nodes[i], path.nodes[i + 1], e) for i, e in enumerate(path.edges)]
        shape = "|".join([self._shape.get(n) or self._shape.setdefault(n, f"{p.kind}:{p.name}")
                          for n, p in zip(path.nodes, pnodes, strict=True)])
        raw = f"{subject.kind}|{subject.engine}|{subject.name}|{impact}|{shape}#" + ",".join(s.technique for s in steps)
        return Finding(
            id=hashlib.sha1(raw.encode("utf-8", "replace")).hexdigest()[:16],
            severity=severity(impact, path.cost, state),  # type: ignore[arg-type]
            impact=impact,  # type: ignore[arg-type]
            subject=subject,
            path=pnodes,
            steps=steps,
            remediations=self.remediations(steps),
            cost=path.cost,
            state=state,
            alternative=alternative,
        )


def make_finding(graph: nx.DiGraph, subject: Subject, goal: str, path: GraphPath, alternative: int) -> Finding:
    return FindingFactory(graph).make(subject, goal, path, alternative)
