"""SARIF 2.1.0: rules are techniques, results are findings (escape paths).

* ``level``: critical/high -> error, medium -> warning, low/info -> note, and
  ``properties.security-severity`` (GitHub code scanning reads it from rules
  and results) from the finding's severity.
* Each result names the engine and the container as logical locations, walks
  the escape path as a code flow (one thread-flow location per step, with its
  evidence), and, when the analysis ran on a snapshot file, points at that file
  (and the line where the subject appears) as a physical location.
* ``partialFingerprints`` carry the stable finding id, so re-uploads dedupe.

Validated against the vendored OASIS schema in ``schema/sarif-schema-2.1.0.json``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from dindscope import __version__
from dindscope.reports import view
from dindscope.reports.text import clean, severity_rank

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
SCHEMA_FILE = Path(__file__).with_name("schema") / "sarif-schema-2.1.0.json"
LEVELS = {"critical": "error", "high": "error", "medium": "warning", "low": "note", "info": "note"}
SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0", "info": "0.0"}
FINGERPRINT = "dindscopeFindingId/v1"
NON_FILE_SOURCES = {"", "live", "demo"}


def _rule_name(technique: str) -> str:
    return "".join(part.capitalize() for part in re.split(r"[^A-Za-z0-9]+", technique) if part) or "Technique"


def _primary(finding: Mapping[str, Any]) -> str:
    """The rule a finding is filed under: the first technique on its path (the subject's own weakness)."""
    techniques = [t for t in view.techniques(finding) if t]
    return techniques[0] if techniques else "unknown"


def _technique_docs() -> dict[str, dict[str, str]]:
    """Title and description of each technique from the technique catalog, when it is importable."""
    try:
        from dindscope.techniques import BY_ID
    except ImportError:
        return {}
    docs: dict[str, dict[str, str]] = {}
    for technique_id, technique in BY_ID.items():
        parts = [f"{getattr(technique, 'title', technique_id)}."]
        for label, attr in (("Needs", "needs"), ("Gains", "gains"), ("Evidence", "evidence")):
            value = getattr(technique, attr, "")
            if value:
                parts.append(f"{label}: {value}.")
        references = list(getattr(technique, "references", ()) or ())
        if references:
            parts.append("References: " + ", ".join(references) + ".")
        docs[technique_id] = {"title": str(getattr(technique, "title", technique_id)),
                              "description": " ".join(p.replace("..", ".") for p in parts)}
    return docs


def _rules(report: Mapping[str, Any]) -> tuple[list[dict[str, Any]], dict[str, int]]:
    docs = _technique_docs()
    by_rule: dict[str, list[Mapping[str, Any]]] = {}
    for finding in view.findings(report):
        by_rule.setdefault(_primary(finding), []).append(finding)
    rules: list[dict[str, Any]] = []
    index: dict[str, int] = {}
    for rule_id in sorted(by_rule):
        findings = by_rule[rule_id]
        worst = max((str(f.get("severity", "info")) for f in findings), key=severity_rank)
        doc = docs.get(rule_id, {})
        explanation = next((clean(s.get("explanation", "")) for f in findings for s in view.steps(f)
                            if s.get("technique") == rule_id), "")
        title = clean(doc.get("title") or explanation or rule_id)
        description = clean(doc.get("description") or doc.get("summary") or explanation or title)
        fixes: dict[str, Mapping[str, Any]] = {}
        for finding in findings:
            for fix in view.remediations(finding):
                fixes.setdefault(str(fix.get("id") or fix.get("title")), fix)
        help_text, help_md = _help(description, list(fixes.values()))
        index[rule_id] = len(rules)
        rules.append({
            "id": rule_id,
            "name": _rule_name(rule_id),
            "shortDescription": {"text": title},
            "fullDescription": {"text": description},
            "help": {"text": help_text, "markdown": help_md},
            "defaultConfiguration": {"level": LEVELS.get(worst, "warning")},
            "properties": {"tags": ["security", "container", "privilege-escalation"],
                           "security-severity": SECURITY_SEVERITY.get(worst, "5.5"), "precision": "high"},
        })
    return rules, index


def _help(description: str, fixes: list[Mapping[str, Any]]) -> tuple[str, str]:
    text = [description, "", "Remediation:"] if fixes else [description]
    md = [description, "", "**Remediation**", ""] if fixes else [description]
    for fix in fixes:
        title = clean(fix.get("title") or fix.get("id"))
        breaks = clean(fix.get("breaks", ""))
        side = clean(fix.get("side_effects", ""))
        may = f" May break: {side}" if side else ""
        if fix.get("warning"):
            may += f" Warning: {clean(fix['warning'])}"
        text.append(f"- {title}" + (f" (breaks: {breaks})" if breaks else "") + may)
        md.append(f"- **{title}**" + (f": breaks {breaks}." if breaks else "") + may)
        for label, key in (("docker run", "docker_run"), ("Compose", "compose"), ("Podman", "podman")):
            if fix.get(key):
                code = clean(fix[key], one_line=False)
                text.append(f"  {label}: {code}")
                fence = "`" * max(3, 1 + max((len(m) for m in re.findall(r"`+", code)), default=0))
                md.extend(["", f"  {label}:", f"  {fence}", *(f"  {line}" for line in code.splitlines()),
                           f"  {fence}"])
    return "\n".join(text), "\n".join(md)


def _artifact_uri(source: str) -> str:
    """Relative to the working directory when the file is under it (what code scanning maps to the repo)."""
    path = Path(source)
    if not path.is_absolute():
        return path.as_posix()
    try:
        return path.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return path.as_uri()


def _line_of(source: str, needle: str, cache: dict[str, list[str] | None]) -> int | None:
    if source not in cache:
        try:
            cache[source] = Path(source).read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            cache[source] = None
    lines = cache[source]
    if not lines or not needle:
        return None
    pattern = re.compile(r'"name"\s*:\s*' + re.escape(json.dumps(needle)))
    for number, line in enumerate(lines, 1):
        if pattern.search(line):
            return number
    return None


def _locations(report: Mapping[str, Any], finding: Mapping[str, Any], cache: dict[str, list[str] | None]) \
        -> list[dict[str, Any]]:
    subj = view.subject(finding)
    engine = clean(view.subject_engine(report, finding)) or "host"
    name = clean(subj.get("name", ""))
    kind = str(subj.get("kind", ""))
    logical = [{"name": engine, "fullyQualifiedName": engine, "kind": "namespace"}]
    if name:
        logical.append({"name": name, "fullyQualifiedName": f"{engine}/{name}" if kind != "user" else f"user/{name}",
                        "kind": "resource" if kind != "user" else "member"})
    location: dict[str, Any] = {"logicalLocations": logical}
    source = view.source(report)
    if source not in NON_FILE_SOURCES and Path(source).is_file():
        physical: dict[str, Any] = {"artifactLocation": {"uri": _artifact_uri(source)}}
        line = _line_of(source, str(subj.get("name", "")), cache)
        if line:
            physical["region"] = {"startLine": line}
        location["physicalLocation"] = physical
    return [location]


def _code_flow(finding: Mapping[str, Any]) -> dict[str, Any]:
    nodes = view.path(finding)
    steps = view.steps(finding)
    locations = []
    for index, node in enumerate(nodes):
        step = steps[index] if index < len(steps) else None
        if step is not None:
            evidence = "; ".join(clean(e) for e in view.evidence(step))
            text = f"{clean(step.get('technique', ''))}: {clean(step.get('explanation', ''))}"
            text += f" [evidence: {evidence}]" if evidence else ""
        else:
            text = f"reached {clean(node.get('name', ''))}"
        locations.append({"location": {"logicalLocations": [{"name": clean(node.get("name", "")),
                                                              "kind": clean(node.get("kind", ""))}],
                                       "message": {"text": text}},
                          "executionOrder": index})
    return {"threadFlows": [{"locations": locations}]}


def build_sarif(report: Mapping[str, Any]) -> dict[str, Any]:
    rules, rule_index = _rules(report)
    cache: dict[str, list[str] | None] = {}
    results = []
    for finding in view.findings(report):
        rule_id = _primary(finding)
        severity = str(finding.get("severity", "info"))
        subj = view.subject(finding)
        impact = str(finding.get("impact", ""))
        chain = " -> ".join(clean(n.get("name", "")) for n in view.path(finding))
        message = (f"{clean(subj.get('kind', ''))} '{clean(subj.get('name', ''))}' can "
                   f"{view.IMPACT_WORDS.get(impact, impact)}: {chain}")
        result: dict[str, Any] = {
            "ruleId": rule_id,
            "ruleIndex": rule_index[rule_id],
            "level": LEVELS.get(severity, "warning"),
            "message": {"text": message},
            "locations": _locations(report, finding, cache),
            "partialFingerprints": {FINGERPRINT: str(finding.get("id", ""))},
            "codeFlows": [_code_flow(finding)] if view.path(finding) else [],
            "properties": {
                "security-severity": SECURITY_SEVERITY.get(severity, "5.5"),
                "severity": severity,
                "impact": impact,
                "state": clean(finding.get("state", "")),
                "alternative": int(finding.get("alternative") or 0),
                "techniques": [clean(t) for t in view.techniques(finding)],
                "remediations": [clean(r.get("id") or r.get("title")) for r in view.remediations(finding)],
            },
        }
        if not result["codeFlows"]:
            del result["codeFlows"]
        results.append(result)
    notifications = [{"level": "warning", "message": {"text": p}} for p in view.problems(report)]
    run: dict[str, Any] = {
        "tool": {"driver": {"name": "dindscope", "version": __version__, "semanticVersion": __version__,
                            "rules": rules}},
        "invocations": [{"executionSuccessful": True, "toolExecutionNotifications": notifications}],
        "results": results,
        "properties": {"host": clean(view.host_name(report)), "snapshotTakenAt": clean(view.taken_at(report)),
                       "source": clean(view.source(report))},
    }
    wi = view.whatif(report)
    if wi:
        run["properties"]["whatIf"] = {"applied": wi.applied, "removed": len(wi.removed),
                                       "remaining": len(wi.remaining), "before": wi.before, "after": wi.after}
    return {"$schema": SARIF_SCHEMA_URI, "version": SARIF_VERSION, "runs": [run]}


def render_sarif(report: Mapping[str, Any]) -> str:
    from dindscope.reports import render_json

    return render_json(build_sarif(report))


def load_schema() -> dict[str, Any]:
    return json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
