"""Baselines: report only findings that are new since an earlier report.

A baseline is an earlier dindscope JSON report (or a dindscope SARIF file). A
finding is *known* when its stable id is in the baseline, or, should the id
scheme ever change, when the same subject reaches the same impact through the
same chain of techniques.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

from dindscope.errors import UsageError
from dindscope.reports.text import clean, severity_rank

F = TypeVar("F")
KEY_PREFIX = "key:"


def _get(obj: Any, name: str, default: Any = "") -> Any:
    if isinstance(obj, Mapping):
        return obj.get(name, default)
    return getattr(obj, name, default)


def finding_key(finding: Any) -> str:
    """The fallback identity: subject (kind, engine, name) + impact + technique chain."""
    subject = _get(finding, "subject", {}) or {}
    steps = _get(finding, "steps", []) or []
    techniques = ">".join(str(_get(step, "technique")) for step in steps)
    parts = (_get(subject, "kind"), _get(subject, "engine"), _get(subject, "name"), _get(finding, "impact"), techniques)
    return KEY_PREFIX + "|".join(str(p) for p in parts)


def baseline_ids_from(document: Any) -> set[str]:
    """Ids and fallback keys of every finding in a decoded JSON report or SARIF log."""
    if not isinstance(document, Mapping):
        raise UsageError("baseline is not a dindscope JSON report: expected a JSON object")
    ids: set[str] = set()
    if isinstance(document.get("runs"), list):  # SARIF
        for run in document["runs"]:
            for result in (run or {}).get("results") or []:
                value = ((result or {}).get("partialFingerprints") or {}).get("dindscopeFindingId/v1")
                if value:
                    ids.add(str(value))
        return ids
    findings = document.get("findings")
    if not isinstance(findings, list):
        raise UsageError('baseline is not a dindscope report: no "findings" list')
    for finding in findings:
        if not isinstance(finding, Mapping):
            continue
        if finding.get("id"):
            ids.add(str(finding["id"]))
        ids.add(finding_key(finding))
    return ids


def load_baseline(path: str | Path) -> set[str]:
    """Read an earlier report; a missing or malformed file is a one-line UsageError (exit 2)."""
    shown = clean(str(path))
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(f"baseline {shown}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"baseline {shown}: cannot read it ({clean(exc)})") from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(f"baseline {shown}: not valid JSON (line {exc.lineno}, column {exc.colno})") from None
    try:
        return baseline_ids_from(document)
    except UsageError as exc:
        raise UsageError(f"baseline {shown}: {exc}") from None


def is_known(finding: Any, baseline_ids: set[str]) -> bool:
    fid = _get(finding, "id")
    return bool(fid and str(fid) in baseline_ids) or finding_key(finding) in baseline_ids


def new_findings(findings: Iterable[F], baseline_ids: set[str]) -> list[F]:
    """The findings (Finding objects or report dicts) that the baseline does not know, in their order."""
    return [f for f in findings if not is_known(f, baseline_ids)]


def exceeds(findings: Sequence[Any], fail_on: str | None) -> bool:
    """True when any finding is at or above the ``--fail-on`` severity (None: never)."""
    if not fail_on or fail_on == "none":
        return False
    threshold = severity_rank(fail_on)
    return any(severity_rank(str(_get(f, "severity", "info"))) >= threshold for f in findings)
