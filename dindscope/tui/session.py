"""What the TUI is looking at: the snapshot, its analysis, and the stack of what-if fixes.

Plain Python (no Textual) so it can run in thread workers and be tested directly.
The analysis functions come from :mod:`dindscope.analysis` and are imported lazily.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from dindscope.analysis.results import Finding, RemediationOption, Subject
from dindscope.models import Snapshot


@dataclass(frozen=True)
class AppliedFix:
    """A remediation applied virtually, to one subject (or the whole host when ``subject`` is None)."""

    fix_id: str
    title: str
    subject: Subject | None = None  # the subject selected when the fix was applied
    target: str | None = None  # the container or host user the fix changes (None: host-wide)

    @property
    def label(self) -> str:
        where = f" on {self.subject.name}" if self.subject else ""
        return f"{self.title}{where}"


def _default_analyze(snapshot: Snapshot) -> Any:
    from dindscope.analysis import analyze

    return analyze(snapshot)


def same_subject(a: Subject | None, b: Subject | None) -> bool:
    """Subjects match by kind, engine and name (graph node ids may differ between analyses)."""
    if a is None or b is None:
        return a is b
    return (a.kind, a.engine, a.name) == (b.kind, b.engine, b.name)


def fix_target(option: RemediationOption, subject: Subject | None, finding: Finding | None = None) -> str | None:
    """What the what-if API takes as ``subject``: where on the path the fix acts (the DinD service for a
    DinD fix), else the selected container or host user; host-wide (None) for other subjects."""
    if finding is not None:
        return finding.fix_target(option)
    return subject.name if subject is not None and subject.kind in ("container", "user") else None


def _default_what_if(snapshot: Snapshot, fixes: Sequence[AppliedFix], before: Any = None) -> Any:
    """All stacked fixes, each on its own subject, in one what-if."""
    from dindscope.analysis.whatif import what_if

    return what_if(snapshot, [(fix.fix_id, fix.target) for fix in fixes], before=before)


def findings_of(result: Any) -> list[Finding]:
    """The findings of an Analysis-like object (or a plain list)."""
    if result is None:
        return []
    if isinstance(result, list):
        return result
    return list(getattr(result, "findings", []))


def root_paths(findings: Sequence[Finding]) -> int:
    """Containers that reach host root (the count the reports use)."""
    return len(root_subjects(findings, "container"))


def root_subjects(findings: Sequence[Finding], kind: str | None = None) -> set[tuple[str, str, str]]:
    return {(f.subject.kind, f.subject.engine, f.subject.name) for f in findings
            if f.impact == "host-root" and (kind is None or f.subject.kind == kind)}


def verdict(snapshot: Snapshot, findings: Sequence[Finding]) -> str:
    """The one-line verdict: "7 of 24 containers can reach host root; 2 users are root-equivalent"."""
    total = len(snapshot.containers)
    containers = len(root_subjects(findings, "container"))
    users = len(root_subjects(findings, "user"))
    endpoints = len(root_subjects(findings, "endpoint"))
    writers = {(f.subject.kind, f.subject.engine, f.subject.name) for f in findings
               if f.impact == "host-write" and f.subject.kind == "container"}
    writers -= root_subjects(findings, "container")
    parts = [f"{containers} of {total} container{'s' if total != 1 else ''} can reach host root"]
    parts.append(f"{users} user{' is' if users == 1 else 's are'} root-equivalent")
    if endpoints:
        parts.append(f"{endpoints} endpoint{'s' if endpoints != 1 else ''} give{'s' if endpoints == 1 else ''} root")
    if writers:
        parts.append(f"{len(writers)} more can write to the host")
    return "; ".join(parts)


@dataclass
class Session:
    snapshot: Snapshot
    analysis: Any = None
    fixes: list[AppliedFix] = field(default_factory=list)
    whatif: Any = None
    whatif_findings: list[Finding] | None = None
    analyze_fn: Callable[[Snapshot], Any] = _default_analyze
    what_if_fn: Callable[..., Any] = _default_what_if
    _verdict: tuple[int, int, str] | None = field(default=None, repr=False, compare=False)

    def run_analysis(self) -> None:
        self.analysis = self.analyze_fn(self.snapshot)
        if self.fixes:
            self.recompute()

    @property
    def base_findings(self) -> list[Finding]:
        return findings_of(self.analysis)

    @property
    def findings(self) -> list[Finding]:
        """What the host looks like now: after the what-if fixes when any are applied."""
        if self.fixes and self.whatif_findings is not None:
            return self.whatif_findings
        return self.base_findings

    @property
    def current_analysis(self) -> Any:
        """The analysis now shown: the what-if result's ``after`` when fixes are applied."""
        if self.fixes and self.whatif is not None:
            return getattr(self.whatif, "after", None) or self.analysis
        return self.analysis

    def is_applied(self, fix_id: str, subject: Subject | None) -> bool:
        return any(f.fix_id == fix_id and same_subject(f.subject, subject) for f in self.fixes)

    def plan_toggle(self, option: RemediationOption, subject: Subject | None) -> list[AppliedFix]:
        """The fix stack after applying ``option`` to ``subject`` (or undoing it when already applied)."""
        kept = [f for f in self.fixes if not (f.fix_id == option.id and same_subject(f.subject, subject))]
        if len(kept) == len(self.fixes):
            kept.append(AppliedFix(option.id, option.title, subject, fix_target(option, subject)))
        return kept

    def plan_undo(self) -> list[AppliedFix]:
        return list(self.fixes[:-1])

    def evaluate(self, fixes: Sequence[AppliedFix]) -> tuple[Any, list[Finding] | None]:
        """Recompute the host with ``fixes`` applied; safe to run in a thread (reads only)."""
        if not fixes:
            return None, None
        if self.what_if_fn is _default_what_if:
            result = _default_what_if(self.snapshot, list(fixes), before=self.analysis)
        else:
            result = self.what_if_fn(self.snapshot, list(fixes))
        return result, findings_of(getattr(result, "after", result))

    def commit(self, fixes: Sequence[AppliedFix], whatif: Any, findings: list[Finding] | None) -> None:
        self.fixes = list(fixes)
        self.whatif = whatif
        self.whatif_findings = findings

    def toggle(self, option: RemediationOption, subject: Subject | None) -> bool:
        """Apply ``option`` (or undo it when already applied) synchronously; True when now applied."""
        fixes = self.plan_toggle(option, subject)
        self.commit(fixes, *self.evaluate(fixes))
        return len(fixes) > 0 and fixes[-1].fix_id == option.id and same_subject(fixes[-1].subject, subject)

    def recompute(self) -> None:
        self.commit(self.fixes, *self.evaluate(self.fixes))

    def verdict(self) -> str:
        """The one-line verdict of what is shown now (computed once per analysis shown)."""
        shown = self.current_analysis
        key = (id(shown), id(self.findings))
        if self._verdict is not None and self._verdict[:2] == key:
            return self._verdict[2]
        summary = getattr(shown, "summary", None)
        text = str(summary().verdict) if callable(summary) else verdict(self.snapshot, self.findings)
        self._verdict = (*key, text)
        return text

    def root_counts(self) -> tuple[int, int]:
        """Root paths before -> after the what-if (the analysis' own count when it has one)."""
        counts = getattr(self.whatif, "root_paths", None)
        if self.fixes and isinstance(counts, tuple):
            return counts
        return root_paths(self.base_findings), root_paths(self.findings)

    def whatif_line(self) -> str:
        if not self.fixes:
            return ""
        before, after = self.root_counts()
        n = len(self.fixes)
        return f"what-if ({n} fix{'es' if n != 1 else ''}): root paths: {before} -> {after}"
