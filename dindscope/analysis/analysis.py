"""analyze(): snapshot -> attack graph -> findings per subject, worst first."""

from __future__ import annotations

from dataclasses import dataclass, field

import networkx as nx

from dindscope.analysis.alternatives import alternatives
from dindscope.analysis.findings import FindingFactory
from dindscope.analysis.paths import cheapest_path, distances_to
from dindscope.analysis.results import IMPACT_ORDER, SEVERITY_ORDER, Finding, Subject
from dindscope.analysis.subjects import subjects_of
from dindscope.bulk import paused_gc
from dindscope.graph import build_graph, nodes
from dindscope.models import Snapshot


@dataclass(frozen=True)
class Summary:
    containers_total: int
    containers_host_root: int
    containers_host_write: int  # best impact host-write
    containers_host_read: int  # best impact host-read
    users_root_equivalent: int
    endpoints_exposed: int
    engines: int
    findings: int
    by_severity: dict[str, int] = field(default_factory=dict)

    @property
    def verdict(self) -> str:
        word = "container" if self.containers_total == 1 else "containers"
        text = f"{self.containers_host_root} of {self.containers_total} {word} can reach host root"
        extra = []
        if self.containers_host_write:
            extra.append(f"{self.containers_host_write} more can write host files")
        if self.containers_host_read:
            extra.append(f"{self.containers_host_read} can read them")
        if extra:
            text += " (" + ", ".join(extra) + ")"
        users = self.users_root_equivalent
        text += f"; {users} host user{'s are' if users != 1 else ' is'} root-equivalent"
        if self.endpoints_exposed:
            text += f"; {self.endpoints_exposed} engine endpoint{'s' if self.endpoints_exposed != 1 else ''} exposed"
        return text

    def as_dict(self) -> dict[str, object]:
        return {
            "containers_total": self.containers_total,
            "containers_host_root": self.containers_host_root,
            "containers_host_write": self.containers_host_write,
            "containers_host_read": self.containers_host_read,
            "users_root_equivalent": self.users_root_equivalent,
            "endpoints_exposed": self.endpoints_exposed,
            "engines": self.engines,
            "findings": self.findings,
            "by_severity": dict(self.by_severity),
            "verdict": self.verdict,
        }


@dataclass
class Analysis:
    snapshot: Snapshot
    graph: nx.DiGraph
    findings: list[Finding]
    subjects: list[Subject] = field(default_factory=list)
    max_alternatives: int = 3

    def findings_for(self, subject: str | Subject) -> list[Finding]:
        """Findings of one subject, by graph node id, name (container, user, endpoint) or container id."""
        if isinstance(subject, Subject):
            return [f for f in self.findings if f.subject == subject]
        out = []
        for f in self.findings:
            s = f.subject
            if subject in (s.node, s.name) or (s.kind == "container" and s.node.rsplit(":", 1)[-1].startswith(subject)
                                               and len(subject) >= 12):
                out.append(f)
        return out

    def best(self) -> list[Finding]:
        """The cheapest finding per subject (alternative 0)."""
        return [f for f in self.findings if f.alternative == 0]

    def summary(self) -> Summary:
        best: dict[Subject, Finding] = {}
        for f in self.best():
            if f.subject not in best or IMPACT_ORDER[f.impact] > IMPACT_ORDER[best[f.subject].impact]:
                best[f.subject] = f
        by_kind: dict[tuple[str, str], int] = {}
        for s, f in best.items():
            by_kind[(s.kind, f.impact)] = by_kind.get((s.kind, f.impact), 0) + 1
        by_sev: dict[str, int] = {}
        for f in self.findings:
            by_sev[f.severity] = by_sev.get(f.severity, 0) + 1
        return Summary(
            containers_total=len(self.snapshot.containers),
            containers_host_root=by_kind.get(("container", "host-root"), 0),
            containers_host_write=by_kind.get(("container", "host-write"), 0),
            containers_host_read=by_kind.get(("container", "host-read"), 0),
            users_root_equivalent=by_kind.get(("user", "host-root"), 0),
            endpoints_exposed=sum(1 for s in best if s.kind == "endpoint"),
            engines=len(self.snapshot.engines),
            findings=len(self.findings),
            by_severity=by_sev,
        )


# Steps that describe what a host user can already do: never the first step of that user's own finding.
OWN_PRIVILEGES = frozenset({"rootless-user-files"})


def sort_key(f: Finding) -> tuple:
    return (-SEVERITY_ORDER[f.severity], -IMPACT_ORDER[f.impact], f.alternative, f.cost,
            f.subject.kind, f.subject.name, f.id)


def find_paths(graph: nx.DiGraph, subjects: list[Subject], max_alternatives: int) -> list[Finding]:
    """Per subject: the cheapest root path and alternatives; else write; else read."""
    findings: list[Finding] = []
    with paused_gc():
        factory = FindingFactory(graph)
        remaining = list(subjects)
        for goal in nodes.GOALS:
            if not remaining:
                break
            distances = distances_to(graph, goal)
            unreached = []
            make = factory.make
            for subject in remaining:
                best = cheapest_path(graph, subject.node, distances)
                if best is None or (subject.kind == "user" and best.edges[0].technique in OWN_PRIVILEGES):
                    unreached.append(subject)  # a user's own files are not an exposure of that user
                    continue
                state = factory.state_of(subject)
                findings.append(make(subject, goal, best, 0, state))
                for i, alt in enumerate(alternatives(graph, best, distances, max_alternatives), start=1):
                    findings.append(make(subject, goal, alt, i, state))
            remaining = unreached
    findings.sort(key=sort_key)
    return findings


def analyze(snapshot: Snapshot, *, max_alternatives: int = 3) -> Analysis:
    """Build the attack graph of ``snapshot`` and find every subject's paths to the host."""
    graph = build_graph(snapshot)
    subjects = subjects_of(graph)
    findings = find_paths(graph, subjects, max_alternatives)
    return Analysis(snapshot, graph, findings, subjects, max_alternatives)
