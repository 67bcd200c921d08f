"""Turn graph paths into Findings: readable nodes, steps with evidence, ordered remediations.

A :class:`FindingFactory` memoises the pieces findings share (path nodes, steps, remediation
lists): on a large host thousands of findings go through the same engine and goal nodes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import cache

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
    wanted = [(s.technique, _fixes_here(s)) for s in steps]
    wanted += [(e, None) for s in steps for e in s.enablers]
    for technique, only in wanted:
        for option in remediations_for(technique):
            if option.id not in seen and (only is None or option.id in only):
                seen.add(option.id)
                out.append(option)
    return out


@cache
def _narrowing() -> dict[str, Callable[[str, str], tuple[str, ...]]]:
    """technique id -> its ``fixes_at``, for the techniques whose fixes depend on where the step starts."""
    from dindscope.techniques.registry import ALL

    return {t.id: t.fixes_at for t in ALL if t.fixes_at is not None}


def _fixes_here(step: Step) -> tuple[str, ...] | None:
    """The fix ids that apply where ``step`` starts, for techniques that narrow them (None: all of them)."""
    fixes_at = _narrowing().get(step.technique)
    return fixes_at(step.source, step.target) if fixes_at is not None else None


def finding_id(subject: Subject, impact: str, pnodes: list[PathNode], steps: list[Step]) -> str:
    """Stable across runs for the same subject, goal and path shape (names and techniques, not ids)."""
    shape = "|".join(f"{n.kind}:{n.name}" for n in pnodes) + "#" + ",".join(s.technique for s in steps)
    raw = f"{subject.kind}|{subject.engine}|{subject.name}|{impact}|{shape}"
    return hashlib.sha1(raw.encode("utf-8", "replace")).hexdigest()[:16]


# (path nodes, their "kind:name" joined by "|", steps, ",technique"..., fixes by the first step's shape)
Tail = tuple[list[PathNode], str, list[Step], str, dict[tuple[str, tuple[str, ...]], list[RemediationOption]]]


class FindingFactory:
    """Findings from graph paths, sharing what paths have in common.

    Every EdgeInfo lives on exactly one edge, so a path's tail after its first step is identified by the ids of
    its EdgeInfos; thousands of subjects (and their alternatives) end in the same few tails.
    """

    def __init__(self, graph: nx.DiGraph) -> None:
        self.graph = graph
        self._nodes: dict[str, tuple[PathNode, str]] = {}  # node -> (PathNode, "kind:name")
        self._steps: dict[int, Step] = {}  # id(EdgeInfo) -> Step
        self._tails: dict[tuple[int, ...], Tail] = {}
        # (technique, enablers) of every step -> fixes: thousands of paths share a handful of shapes
        self._fixes: dict[tuple, list[RemediationOption]] = {}
        self._severity: dict[tuple[str, float, str], str] = {}
        self._prefix: tuple[Subject | None, str, str] = (None, "", "")  # (subject, impact, id text prefix)

    def path_node(self, node: str) -> tuple[PathNode, str]:
        found = self._nodes.get(node)
        if found is None:
            data = self.graph.nodes[node]
            pn = PathNode(data.get("kind") or nodes.kind_of(node), data.get("name", node), node)
            found = self._nodes[node] = (pn, f"{pn.kind}:{pn.name}")
        return found

    def step(self, path: GraphPath, i: int) -> Step:
        e = path.edges[i]
        st = self._steps.get(id(e))
        if st is None:
            st = self._steps[id(e)] = Step(e.technique, e.explanation, e.evidence, e.cost, path.nodes[i],
                                           path.nodes[i + 1], e.enablers)
        return st

    def _tail(self, path: GraphPath) -> Tail:
        key = tuple([id(e) for e in path.edges[1:]])
        tail = self._tails.get(key)
        if tail is None:
            pairs = [self.path_node(n) for n in path.nodes[1:]]
            steps = [self.step(path, i) for i in range(1, len(path.edges))]
            techniques = ",".join([s.technique for s in steps])
            tail = self._tails[key] = ([p[0] for p in pairs], "|".join([p[1] for p in pairs]), steps,
                                       "," + techniques if techniques else "", {})
        return tail

    def state_of(self, subject: Subject) -> str:
        """The container state of a container subject, "" for others."""
        return self.graph.nodes[subject.node].get("state", "") if subject.kind == "container" else ""

    def make(self, subject: Subject, goal: str, path: GraphPath, alternative: int, state: str | None = None
             ) -> Finding:
        """The finding for ``path``; ``state`` (from :meth:`state_of`) saves a graph lookup when given."""
        impact = nodes.GOAL_IMPACT[goal]
        if state is None:
            state = self.state_of(subject)
        head, head_name = self._nodes.get(path.nodes[0]) or self.path_node(path.nodes[0])
        first = self._steps.get(id(path.edges[0])) or self.step(path, 0)
        tail_nodes, tail_names, tail_steps, tail_techniques, fixes_by_first = self._tail(path)
        steps = [first, *tail_steps]
        first_key = (first.technique, first.enablers, _fixes_here(first))
        fixes = fixes_by_first.get(first_key)
        if fixes is None:
            fixes = fixes_by_first[first_key] = self._fixes_for(steps)
        sev_key = (impact, path.cost, state)
        sev = self._severity.get(sev_key)
        if sev is None:
            sev = self._severity[sev_key] = severity(impact, path.cost, state)
        last_subject, last_impact, prefix = self._prefix
        if last_subject is not subject or last_impact != impact:
            prefix = f"{subject.kind}|{subject.engine}|{subject.name}|{impact}|"
            self._prefix = (subject, impact, prefix)
        # the same text as finding_id(): "kind:name" of every node joined by "|", "#", the techniques joined by ","
        raw = f"{prefix}{head_name}|{tail_names}#{first.technique}{tail_techniques}"
        return Finding(
            id=hashlib.sha1(raw.encode("utf-8", "replace")).hexdigest()[:16],
            severity=sev,  # type: ignore[arg-type]
            impact=impact,  # type: ignore[arg-type]
            subject=subject,
            path=[head, *tail_nodes],
            steps=steps,
            remediations=list(fixes),
            cost=path.cost,
            state=state,
            alternative=alternative,
        )

    def _fixes_for(self, steps: list[Step]) -> list[RemediationOption]:
        """Fixes depend only on the techniques and enablers of the steps, in order: shared by equal shapes."""
        shape = tuple([(s.technique, s.enablers, _fixes_here(s)) for s in steps])
        fixes = self._fixes.get(shape)
        if fixes is None:
            fixes = self._fixes[shape] = remediations_for_steps(steps)
        return fixes


def make_finding(graph: nx.DiGraph, subject: Subject, goal: str, path: GraphPath, alternative: int) -> Finding:
    return FindingFactory(graph).make(subject, goal, path, alternative)
