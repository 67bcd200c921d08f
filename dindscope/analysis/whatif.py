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


def _targets(snapshot: Snapshot, subject: str | None) -> list[Container]:
    if subject is None:
        return list(snapshot.containers)
    found = [c for c in snapshot.containers if subject in (c.name, c.id) or (len(subject) >= 12
                                                                               and c.id.startswith(subject))]
    return found


def _breaks(fix_id: str) -> frozenset[str]:
    from dindscope.techniques.registry import ALL

    return frozenset(t.id for t in ALL if fix_id in t.remediations)


def apply_fixes(snapshot: Snapshot, fix_ids: Sequence[str], subject: str | None = None
                ) -> tuple[Snapshot, list[AppliedFix]]:
    """A deep copy of ``snapshot`` with the fixes applied (to ``subject`` only, when given)."""
    from dindscope.remediation.catalog import get_remediation
    from dindscope.remediation.fixes import APPLIERS

    copied = copy.deepcopy(snapshot)
    targets = _targets(copied, subject)
    applied = []
    for fix_id in fix_ids:
        try:
            option = get_remediation(fix_id)
        except KeyError:
            raise UsageError(f"unknown fix {fix_id!r}") from None
        applier = APPLIERS.get(fix_id)
        if applier is None:
            raise UsageError(f"fix {fix_id!r} cannot be simulated (it changes the engine itself)")
        changes = applier(copied, targets, subject)
        applied.append(AppliedFix(fix_id, option.title, option.technique, _breaks(fix_id), subject, tuple(changes)))
    return copied, applied


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


def what_if(snapshot: Snapshot, fix_ids: Sequence[str], *, subject: str | None = None,
            before: Analysis | None = None, max_alternatives: int = 3) -> WhatIf:
    """Apply ``fix_ids`` to a copy of ``snapshot`` (optionally only to one container) and recompute everything."""
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
