"""Turn graph paths into Findings: readable nodes, steps with evidence, ordered remediations."""

from __future__ import annotations

import hashlib

import networkx as nx

from dindscope.analysis.paths import GraphPath
from dindscope.analysis.results import Finding, PathNode, RemediationOption, Step, Subject
from dindscope.analysis.severity import severity
from dindscope.graph import nodes


def path_nodes(graph: nx.DiGraph, path: GraphPath) -> list[PathNode]:
    out = []
    for node in path.nodes:
        data = graph.nodes[node]
        out.append(PathNode(data.get("kind", nodes.kind_of(node)), data.get("name", node), node))
    return out


def steps_of(path: GraphPath) -> list[Step]:
    return [Step(e.technique, e.explanation, e.evidence, e.cost, path.nodes[i], path.nodes[i + 1], e.enablers)
            for i, e in enumerate(path.edges)]


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
    shape = "|".join(f"{n.kind}:{n.name}" for n in pnodes) + "#" + ",".join(s.technique for s in steps)
    raw = f"{subject.kind}|{subject.engine}|{subject.name}|{impact}|{shape}"
    return hashlib.sha1(raw.encode("utf-8", "replace")).hexdigest()[:16]


def make_finding(graph: nx.DiGraph, subject: Subject, goal: str, path: GraphPath, alternative: int) -> Finding:
    impact = nodes.GOAL_IMPACT[goal]
    state = graph.nodes[subject.node].get("state", "") if subject.kind == "container" else ""
    pnodes = path_nodes(graph, path)
    steps = steps_of(path)
    return Finding(
        id=finding_id(subject, impact, pnodes, steps),
        severity=severity(impact, path.cost, state),  # type: ignore[arg-type]
        impact=impact,  # type: ignore[arg-type]
        subject=subject,
        path=pnodes,
        steps=steps,
        remediations=remediations_for_steps(steps),
        cost=path.cost,
        state=state,
        alternative=alternative,
    )
