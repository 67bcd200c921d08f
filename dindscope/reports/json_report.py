"""The JSON report: the versioned, stable contract of `dindscope scan --format json`.

Top level: ``schema``, ``tool``, ``host``, ``snapshot``, ``summary``, ``engines``,
``findings``, ``problems`` and ``whatif`` (null unless a what-if was applied).
The shape is described by ``schema/report.schema.json``; ``SCHEMA`` names its
version and changes only when a consumer would have to change.
"""

from __future__ import annotations

import datetime as _dt
import re
from typing import TYPE_CHECKING, Any

from dindscope import __version__
from dindscope.analysis.results import Finding, RemediationOption
from dindscope.models import Engine, Snapshot
from dindscope.snapshot.redact import is_secret_name, looks_like_secret

if TYPE_CHECKING:
    from dindscope.analysis import Analysis
    from dindscope.analysis.whatif import WhatIf

SCHEMA = "dindscope-report/1"


def _remediation(r: RemediationOption) -> dict[str, Any]:
    return {
        "id": r.id,
        "technique": r.technique,
        "title": r.title,
        "breaks": r.breaks,
        "side_effects": r.side_effects,
        "docker_run": r.docker_run,
        "compose": r.compose,
        "podman": r.podman,
        "alternatives": list(r.alternatives),
        "warning": r.warning,
        "whatif": r.whatif,
    }


def finding_dict(f: Finding) -> dict[str, Any]:
    return {
        "id": f.id,
        "severity": f.severity,
        "impact": f.impact,
        "cost": f.cost,
        "alternative": f.alternative,
        "state": f.state,
        "subject": {"kind": f.subject.kind, "name": f.subject.name, "engine": f.subject.engine},
        "chain": f.chain,
        "path": [{"kind": n.kind, "name": n.name} for n in f.path],
        "steps": [{"technique": s.technique, "explanation": s.explanation, "evidence": list(s.evidence),
                   "cost": s.cost, "enablers": list(s.enablers)} for s in f.steps],
        "remediations": [_remediation(r) for r in f.remediations],
    }


def engine_dict(e: Engine) -> dict[str, Any]:
    return {
        "key": e.key,
        "kind": e.kind,
        "name": e.name or e.label,
        "label": e.label,
        "endpoints": list(e.endpoints),
        "context": e.context,
        "version": e.version,
        "api_version": e.api_version,
        "rootless": e.rootless,
        "user": e.user,
        "userns_remap": e.security.userns_remap,
        "cgroup_version": e.cgroup_version,
        "containers": e.containers_total,
        "listeners": [{"kind": lis.kind, "url": lis.url, "tls": lis.tls, "tls_verify": lis.tls_verify,
                       "owner": lis.owner, "group": lis.group, "mode": lis.mode_octal or None}
                      for lis in e.listeners],
    }


def _whatif_dict(w: WhatIf) -> dict[str, Any]:
    return {
        "applied": [{"id": a.fix_id, "title": a.title, "subject": a.subject, "changes": list(a.changes)}
                    for a in w.applied],
        "subject": w.subject,
        "before": w.before.summary().as_dict(),
        "after": w.after.summary().as_dict(),
        "removed": [{"id": f.id, "subject": f.subject.name, "impact": f.impact, "chain": f.chain,
                     "reason": w.reasons.get(f.id, "")} for f in w.removed],
        "remaining": [f.id for f in w.remaining],
        "added": [finding_dict(f) for f in w.added],
    }


def _snapshot_dict(s: Snapshot) -> dict[str, Any]:
    return {"taken_at": s.taken_at, "taken_by": s.taken_by, "source": s.source, "redacted": s.redacted,
            "schema_version": s.schema_version}


def build_report(analysis: Analysis, *, whatif: WhatIf | None = None) -> dict[str, Any]:
    """The report dict for ``analysis`` (the "after" state when ``whatif`` is given)."""
    shown = whatif.after if whatif is not None else analysis
    snap = shown.snapshot
    report: dict[str, Any] = {
        "schema": SCHEMA,
        "tool": {"name": "dindscope", "version": __version__},
        "generated_at": _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "host": {"hostname": snap.host.hostname, "kernel": snap.host.kernel,
                 "cgroup_version": snap.host.cgroup_version},
        "snapshot": _snapshot_dict(snap),
        "summary": shown.summary().as_dict(),
        "engines": [engine_dict(e) for e in snap.engines],
        "findings": [finding_dict(f) for f in shown.findings],
        "problems": [{"code": p.code, "message": p.message, "source": p.source} for p in snap.problems],
        "whatif": _whatif_dict(whatif) if whatif is not None else None,
    }
    return redact_report(report, analysis.snapshot)


REDACTED = "<redacted>"
def secret_values(snapshot: Snapshot) -> set[str]:
    """Every env/label value of the snapshot that is, or looks like, a secret (kept in memory only)."""
    found: set[str] = set()
    for c in snapshot.containers:
        for var in c.env:
            if var.value and var.value != REDACTED and (var.redacted or is_secret_name(var.name)
                                                        or looks_like_secret(var.value)):
                found.add(var.value)
        for name, value in c.labels.items():
            if value and (is_secret_name(name) or looks_like_secret(value)):
                found.add(value)
        for value in c.client_settings.values():
            creds = re.match(r"^[a-z+]+://([^/@\s]+)@", value or "")
            if creds:
                found.add(creds.group(1))
    return {v for v in found if len(v) >= 3}


def redact_report(report: dict[str, Any], snapshot: Snapshot) -> dict[str, Any]:
    """Replace every secret value of ``snapshot`` wherever it appears in the report's strings."""
    values = sorted(secret_values(snapshot), key=len, reverse=True)
    if not values:
        return report
    pattern = re.compile("|".join(re.escape(v) for v in values))

    def walk(node: Any) -> Any:
        if isinstance(node, str):
            return pattern.sub(REDACTED, node)
        if isinstance(node, dict):
            return {k: walk(v) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    return walk(report)
