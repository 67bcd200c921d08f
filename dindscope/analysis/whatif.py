"""What-if: apply fixes to a copy of a snapshot in memory, recompute, and explain what changed."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass, field

from dindscope.analysis.analysis import Analysis, analyze
from dindscope.analysis.results import Finding
from dindscope.errors import UsageError
from dindscope.models import Container, Snapshot


@dataclass(frozen=True)
class AppliedFix:
    fix_id: str
    title: str
    technique: str  # the technique the fix is filed under
    breaks: frozenset[str]  # every technique (and enabler) id whose remediations list this fix
    subject: str | None
    changes: tuple[str, ...]


@dataclass
class WhatIf:
    before: Analysis
    after: Analysis
    applied: list[AppliedFix]
    subject: str | None = None
    removed: list[Finding] = field(default_factory=list)
    remaining: list[Finding] = field(default_factory=list)
    added: list[Finding] = field(default_factory=list)
    reasons: dict[str, str] = field(default_factory=dict)  # removed finding id -> why it went away

    def reason(self, finding: Finding) -> str:
        return self.reasons.get(finding.id, "")

    @property
    def root_paths(self) -> tuple[int, int]:
        """Subjects reaching host root before -> after."""
        return self.before.summary().containers_host_root, self.after.summary().containers_host_root


FixRequest = str | tuple[str, str | None]  # a fix id (for the call's subject), or (fix id, subject)


class _CopyOnWrite:
    """A shallow copy of a snapshot whose parts are deep-copied only when a fix is about to modify them.

    The caller's snapshot is never modified: containers a fix targets, the host and the engines are replaced
    by private deep copies (once each) before an applier touches them; everything else stays shared.
    """

    def __init__(self, snapshot: Snapshot) -> None:
        self.snapshot = copy.copy(snapshot)
        self.snapshot.containers = list(snapshot.containers)
        self._own: set[int] = set()  # indices of containers already private
        self._own_host = False
        self._own_engines = False

    def targets(self, subject: str | None) -> list[Container]:
        """The containers a fix applies to (every one when ``subject`` is None), made private."""
        containers = self.snapshot.containers
        if subject is None:
            indices = range(len(containers))
        else:
            indices = [i for i, c in enumerate(containers) if subject in (c.name, c.id)
                       or (len(subject) >= 12 and c.id.startswith(subject))]
        for i in indices:
            if i not in self._own:
                containers[i] = copy.deepcopy(containers[i])
                self._own.add(i)
        return [containers[i] for i in indices]

    def own(self, parts: frozenset[str]) -> None:
        if "host" in parts and not self._own_host:
            self.snapshot.host = copy.deepcopy(self.snapshot.host)
            self._own_host = True
        if "engines" in parts and not self._own_engines:
            self.snapshot.engines = copy.deepcopy(self.snapshot.engines)
            self._own_engines = True


def _breaks(fix_id: str) -> frozenset[str]:
    from dindscope.techniques.registry import ALL

    return frozenset(t.id for t in ALL if fix_id in t.remediations)


def _requests(fixes: Sequence[FixRequest], subject: str | None) -> list[tuple[str, str | None]]:
    return [(f, subject) if isinstance(f, str) else (f[0], f[1]) for f in fixes]


def apply_fixes(snapshot: Snapshot, fix_ids: Sequence[FixRequest], subject: str | None = None
                ) -> tuple[Snapshot, list[AppliedFix]]:
    """A copy of ``snapshot`` with the fixes applied; ``snapshot`` itself is left untouched.

    Each entry of ``fix_ids`` is a fix id applied to ``subject`` (a container name or id; None: every container
    and the host), or a ``(fix_id, subject)`` pair with its own subject, so that fixes for different subjects
    stack in one call. Only the parts a fix modifies are copied (the target containers, the host, the engines);
    the rest is shared with ``snapshot``.
    """
    from dindscope.remediation.catalog import get_remediation
    from dindscope.remediation.fixes import APPLIERS, writes

    cow = _CopyOnWrite(snapshot)
    applied = []
    for fix_id, target in _requests(fix_ids, subject):
        try:
            option = get_remediation(fix_id)
        except KeyError:
            raise UsageError(f"unknown fix {fix_id!r}") from None
        applier = APPLIERS.get(fix_id)
        if applier is None:
            raise UsageError(f"fix {fix_id!r} cannot be simulated (it changes the engine itself)")
        parts = writes(fix_id)
        cow.own(parts)
        targets = cow.targets(target) if "containers" in parts else []
        changes = applier(cow.snapshot, targets, target)
        applied.append(AppliedFix(fix_id, option.title, option.technique, _breaks(fix_id), target, tuple(changes)))
    return cow.snapshot, applied


def _explain(f: Finding, applied: list[AppliedFix], after: Analysis) -> str:
    for fix in applied:
        if not fix.changes:
            continue
        for step in f.steps:
            if step.technique in fix.breaks:
                fact = step.evidence[0] if step.evidence else step.explanation
                return f"relied on {step.technique} ({fact}); {fix.fix_id} removes it"
            hit = fix.breaks.intersection(step.enablers)
            if hit:
                return f"relied on {sorted(hit)[0]} at step {step.technique}; {fix.fix_id} removes it"
    still = [g for g in after.findings_for(f.subject) if g.impact == f.impact]
    if still:
        return "no longer among the cheapest alternatives once the fixes changed this subject's paths"
    return f"{f.subject.name} no longer reaches {f.impact} after {', '.join(a.fix_id for a in applied)}"


def what_if(snapshot: Snapshot, fix_ids: Sequence[FixRequest], *, subject: str | None = None,
            before: Analysis | None = None, max_alternatives: int = 3) -> WhatIf:
    """Apply fixes to a copy of ``snapshot`` and recompute everything.

    ``fix_ids`` holds fix ids applied to ``subject`` (one container by name or id; None: host-wide) and/or
    ``(fix_id, subject)`` pairs, so fixes for different subjects can be stacked in one call, e.g.
    ``what_if(s, [("socket-mount/remove", "job-1"), ("privileged/specific-caps", "dind")])``.
    ``before`` (the analysis of ``snapshot``) saves recomputing it.
    """
    before = before or analyze(snapshot, max_alternatives=max_alternatives)
    changed, applied = apply_fixes(snapshot, fix_ids, subject)
    after = analyze(changed, max_alternatives=max_alternatives)
    after_ids = {f.id for f in after.findings}
    before_ids = {f.id for f in before.findings}
    result = WhatIf(before, after, applied, subject)
    for f in before.findings:
        if f.id in after_ids:
            result.remaining.append(f)
        else:
            result.removed.append(f)
            result.reasons[f.id] = _explain(f, applied, after)
    result.added = [f for f in after.findings if f.id not in before_ids]
    return result
