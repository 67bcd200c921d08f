"""Read-only accessors over the JSON report dict, shared by every renderer.

The renderers work from one source of truth, the dict built by
:func:`dindscope.reports.json_report.build_report`. These helpers read it
tolerantly (a missing key gives an empty value, never a KeyError), so every
format shows the same facts the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from dindscope.reports.text import SEVERITIES, clean, severity_counts

Report = Mapping[str, Any]
Finding = Mapping[str, Any]

IMPACT_WORDS = {
    "host-root": "become root on the host",
    "host-write": "write to host files",
    "host-read": "read host files",
}


def findings(report: Report) -> list[Finding]:
    return [f for f in report.get("findings") or [] if isinstance(f, Mapping)]


def engines(report: Report) -> list[Mapping[str, Any]]:
    return [e for e in report.get("engines") or [] if isinstance(e, Mapping)]


def problems(report: Report) -> list[str]:
    out = []
    for p in report.get("problems") or []:
        if isinstance(p, Mapping):
            source = clean(p.get("source", ""))
            out.append(f"{source}: {clean(p.get('message', ''))}" if source else clean(p.get("message", "")))
        else:
            out.append(clean(p))
    return out


def subject(finding: Finding) -> Mapping[str, Any]:
    value = finding.get("subject")
    return value if isinstance(value, Mapping) else {}


def steps(finding: Finding) -> list[Mapping[str, Any]]:
    return [s for s in finding.get("steps") or [] if isinstance(s, Mapping)]


def path(finding: Finding) -> list[Mapping[str, Any]]:
    return [n for n in finding.get("path") or [] if isinstance(n, Mapping)]


def remediations(finding: Finding) -> list[Mapping[str, Any]]:
    return [r for r in finding.get("remediations") or [] if isinstance(r, Mapping)]


def evidence(step: Mapping[str, Any]) -> list[str]:
    value = step.get("evidence")
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, Mapping):
        return [f"{k}={v}" for k, v in value.items()]
    return [str(v) for v in value]


def techniques(finding: Finding) -> list[str]:
    return [str(s.get("technique", "")) for s in steps(finding)]


def engine_names(report: Report) -> dict[str, str]:
    """Engine key -> the name people read (``docker (rootful, unix:///run/docker.sock)``)."""
    names: dict[str, str] = {}
    for engine in engines(report):
        key = str(engine.get("key") or engine.get("id") or "")
        names[key] = str(engine.get("label") or engine.get("name") or key)
    return names


def engine_mode(engine: Mapping[str, Any]) -> str:
    if engine.get("rootless"):
        return f"rootless ({engine.get('user') or '?'})"
    return "rootful"


def engine_endpoints(engine: Mapping[str, Any]) -> list[str]:
    value = engine.get("endpoints") or []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def subject_engine(report: Report, finding: Finding) -> str:
    key = str(subject(finding).get("engine") or "")
    return engine_names(report).get(key, key)


def host_name(report: Report) -> str:
    host = report.get("host")
    if isinstance(host, Mapping) and host.get("hostname"):
        return str(host["hostname"])
    return str(report.get("hostname") or "this host")


def taken_at(report: Report) -> str:
    snap = report.get("snapshot")
    if isinstance(snap, Mapping) and snap.get("taken_at"):
        return str(snap["taken_at"])
    return str(report.get("taken_at") or report.get("generated_at") or "")


def source(report: Report) -> str:
    snap = report.get("snapshot")
    if isinstance(snap, Mapping) and snap.get("source"):
        return str(snap["source"])
    return str(report.get("source") or "")


def counts(report: Report) -> dict[str, int]:
    return severity_counts(findings(report))


def worst(report: Report) -> str:
    c = counts(report)
    for sev in SEVERITIES:
        if c[sev]:
            return sev
    return "none"


def root_subjects(report: Report) -> list[Finding]:
    """The cheapest path of each subject that reaches host root (alternatives left out)."""
    return [f for f in findings(report) if f.get("impact") == "host-root" and not f.get("alternative")]


def summary(report: Report) -> Mapping[str, Any]:
    value = report.get("summary")
    return value if isinstance(value, Mapping) else {}


def verdict(report: Report) -> str:
    """One sentence: who can become root on which host, or that nobody can (the analysis' own words first)."""
    if summary(report).get("verdict"):
        return clean(summary(report)["verdict"])
    roots = {(subject(f).get("kind"), subject(f).get("engine"), subject(f).get("name")) for f in root_subjects(report)}
    total = len(findings(report))
    host = clean(host_name(report))
    if roots:
        n = len(roots)
        return f"{n} subject{'s' if n != 1 else ''} can become root on {host}."
    if total:
        return f"No subject can become root on {host}, but {total} path{'s' if total != 1 else ''} reach host files."
    return f"No escape path found on {host}."


@dataclass
class WhatIfView:
    applied: list[str]  # "title (fix id)" of each applied fix
    removed: list[dict[str, str]]  # subject, impact, chain, reason
    remaining: list[Finding]  # findings still open (the report's findings are the "after" state)
    added: list[Finding]
    before: str  # verdicts
    after: str


def _applied_label(item: object) -> str:
    if isinstance(item, Mapping):
        title, fix_id = clean(item.get("title", "")), clean(item.get("id", ""))
        where = f" on {clean(item['subject'])}" if item.get("subject") else ""
        return (f"{title} ({fix_id})" if title and fix_id != title else title or fix_id) + where
    return clean(item)


def _removed(item: object) -> dict[str, str]:
    if not isinstance(item, Mapping):
        return {"subject": clean(item), "impact": "", "chain": "", "reason": ""}
    subj = item.get("subject")
    name = subj.get("name", "") if isinstance(subj, Mapping) else subj
    chain = item.get("chain") or " -> ".join(str(n.get("name", "")) for n in path(item))
    return {"subject": clean(name), "impact": clean(item.get("impact", "")), "chain": clean(chain),
            "reason": clean(item.get("reason", ""))}


def whatif(report: Report) -> WhatIfView | None:
    value = report.get("whatif")
    if not isinstance(value, Mapping) or not value:
        return None
    by_id = {str(f.get("id")): f for f in findings(report)}
    remaining = []
    for item in value.get("remaining") or []:
        if isinstance(item, Mapping):
            remaining.append(item)
        elif str(item) in by_id:
            remaining.append(by_id[str(item)])
    before, after = value.get("before"), value.get("after")
    return WhatIfView(
        applied=[_applied_label(a) for a in value.get("applied") or []],
        removed=[_removed(r) for r in value.get("removed") or []],
        remaining=remaining,
        added=[a for a in value.get("added") or [] if isinstance(a, Mapping)],
        before=clean(before.get("verdict", "")) if isinstance(before, Mapping) else "",
        after=clean(after.get("verdict", "")) if isinstance(after, Mapping) else "",
    )
