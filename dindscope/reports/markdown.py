"""Markdown report: fits a merge-request comment or a GitLab/GitHub job summary.

Verdict first, then a table of subjects by severity, then each root path as a
numbered chain with its evidence and the fixes. Every engine string goes through
:func:`esc_md`, so a hostile name cannot add markup, mention someone, or break
the table; snippets go into fences no backtick run can close.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dindscope.reports import view
from dindscope.reports.text import SEVERITIES, clean, esc_md, md_fence

MAX_TABLE_ROWS = 200
DASH = "\u2014"
MAX_DETAILED = 50
SEVERITY_MARK = {"critical": "\U0001f7e5", "high": "\U0001f7e7", "medium": "\U0001f7e8", "low": "\U0001f7e6",
                 "info": "\u2b1c"}


def render_markdown(report: Mapping[str, Any], *, max_rows: int = MAX_TABLE_ROWS,
                    max_detailed: int = MAX_DETAILED) -> str:
    out: list[str] = []
    _header(out, report)
    _whatif(out, report)
    _table(out, report, max_rows)
    _paths(out, report, max_detailed)
    _engines(out, report)
    _problems(out, report)
    out.append("")
    out.append(f"<sub>dindscope report \u00b7 snapshot {esc_md(view.taken_at(report) or 'live')} "
               f"\u00b7 source {esc_md(view.source(report) or 'live')}</sub>")
    return "\n".join(out).rstrip() + "\n"


def _header(out: list[str], report: Mapping[str, Any]) -> None:
    worst = view.worst(report)
    mark = "\u274c" if worst in ("critical", "high") else ("\u26a0\ufe0f" if worst != "none" else "\u2705")
    out.append(f"## {mark} dindscope: {esc_md(view.verdict(report))}")
    out.append("")
    counts = view.counts(report)
    parts = [f"**{counts[s]}** {s}" for s in SEVERITIES if counts[s]]
    engines = view.engines(report)
    n_containers = view.summary(report).get("containers_total")
    if not isinstance(n_containers, int):
        n_containers = sum(e.get("containers_total") or 0 for e in engines
                           if isinstance(e.get("containers_total"), int))
    scanned = f"{len(engines)} engine{'s' if len(engines) != 1 else ''}"
    if n_containers:
        scanned += f", {n_containers} container{'s' if n_containers != 1 else ''}"
    out.append(f"**Findings:** {', '.join(parts) if parts else 'none'} \u00b7 **Scanned:** {scanned}")


def _whatif(out: list[str], report: Mapping[str, Any]) -> None:
    wi = view.whatif(report)
    if not wi:
        return
    out.append("")
    out.append("### What-if")
    out.append("")
    applied = ", ".join(esc_md(a) for a in wi.applied) or "no fix"
    out.append(f"Applying {applied} removes **{len(wi.removed)}** path{'s' if len(wi.removed) != 1 else ''}; "
               f"**{len(wi.remaining)}** remain.")
    if wi.before or wi.after:
        out.append("")
        out.append(f"- before: {esc_md(wi.before)}")
        out.append(f"- after: {esc_md(wi.after)}")
    if wi.removed:
        out.append("")
        out.append("Removed:")
        for item in wi.removed[:MAX_TABLE_ROWS]:
            reason = f" \u2014 {esc_md(item['reason'])}" if item["reason"] else ""
            out.append(f"- {esc_md(item['subject'])} ({esc_md(item['impact'])}): {esc_md(item['chain'])}{reason}")
    for label, items in (("Still open", wi.remaining), ("New after the change", wi.added)):
        if items:
            out.append("")
            out.append(f"{label}:")
            for finding in items[:MAX_TABLE_ROWS]:
                chain = " \u2192 ".join(esc_md(n.get("name"), limit=60) for n in view.path(finding))
                out.append(f"- {esc_md(finding.get('severity', ''))} {esc_md(view.subject(finding).get('name'))}: "
                           f"{chain}")


def _table(out: list[str], report: Mapping[str, Any], max_rows: int) -> None:
    findings = view.findings(report)
    if not findings:
        return
    out.append("")
    out.append("### Subjects by severity")
    out.append("")
    out.append("| Severity | Subject | Engine | Reaches | State | Path |")
    out.append("| --- | --- | --- | --- | --- | --- |")
    for finding in findings[:max_rows]:
        subj = view.subject(finding)
        sev = str(finding.get("severity", "info"))
        alt = " (alt.)" if finding.get("alternative") else ""
        chain = " \u2192 ".join(esc_md(n.get("name"), limit=48) for n in view.path(finding)[1:])
        out.append(
            f"| {SEVERITY_MARK.get(sev, '')} {esc_md(sev)}{alt} "
            f"| {esc_md(subj.get('kind'))} {esc_md(subj.get('name'), limit=80)} "
            f"| {esc_md(view.subject_engine(report, finding), limit=60)} "
            f"| {esc_md(finding.get('impact'))} | {esc_md(finding.get('state') or '')} | {chain} |")
    if len(findings) > max_rows:
        out.append("")
        out.append(f"\u2026 and {len(findings) - max_rows} more; see the JSON or HTML report.")


def _paths(out: list[str], report: Mapping[str, Any], max_detailed: int) -> None:
    findings = [f for f in view.findings(report) if not f.get("alternative")]
    if not findings:
        return
    out.append("")
    out.append("### Escape paths")
    for index, finding in enumerate(findings[:max_detailed], 1):
        _path(out, report, index, finding)
    if len(findings) > max_detailed:
        out.append("")
        out.append(f"\u2026 {len(findings) - max_detailed} more paths are in the JSON and HTML reports.")


def _path(out: list[str], report: Mapping[str, Any], index: int, finding: Mapping[str, Any]) -> None:
    subj = view.subject(finding)
    out.append("")
    out.append(f"#### {index}. {esc_md(finding.get('severity'))}: {esc_md(subj.get('kind'))} "
               f"{esc_md(subj.get('name'))} can {esc_md(view.IMPACT_WORDS.get(str(finding.get('impact')), ''))}")
    out.append("")
    engine = view.subject_engine(report, finding)
    meta = [f"engine {esc_md(engine)}"] if engine else []
    if finding.get("state"):
        meta.append(f"state {esc_md(finding['state'])}")
    meta.append(f"id {esc_md(finding.get('id'))}")
    out.append(" \u00b7 ".join(meta))
    out.append("")
    nodes = view.path(finding)
    out.append("**Path:** " + " \u2192 ".join(f"{esc_md(n.get('name'))}" for n in nodes))
    out.append("")
    for number, step in enumerate(view.steps(finding), 1):
        out.append(f"{number}. **{esc_md(step.get('technique'))}**: {esc_md(step.get('explanation'))}")
        for item in view.evidence(step):
            out.append(f"   - evidence: {esc_md(item)}")
        enablers = [esc_md(e) for e in step.get("enablers") or []]
        if enablers:
            out.append(f"   - made easier by: {', '.join(enablers)}")
    fixes = view.remediations(finding)
    if fixes:
        out.append("")
        out.append("**Fixes** (first breaks the path with the least change):")
        out.append("")
        for fix in fixes:
            _fix(out, fix)


def _fix(out: list[str], fix: Mapping[str, Any]) -> None:
    line = f"- **{esc_md(fix.get('title') or fix.get('id'))}**"
    if fix.get("breaks"):
        line += f" \u2014 {esc_md(fix['breaks'])}"
    out.append(line)
    if fix.get("side_effects"):
        out.append(f"  - may break: {esc_md(fix['side_effects'])}")
    if fix.get("warning"):
        out.append(f"  - \u26a0\ufe0f {esc_md(fix['warning'])}")
    alternatives = [esc_md(a) for a in fix.get("alternatives") or []]
    if alternatives:
        out.append(f"  - alternatives: {', '.join(alternatives)}")
    snippets = [(label, fix.get(key)) for label, key, _ in SNIPPETS if fix.get(key)]
    if snippets:
        out.append("")
        out.append("  <details><summary>How</summary>")
        out.append("")
        for label, code in snippets:
            out.append(f"  {label}:")
            out.append("")
            lang = "yaml" if label == "Compose" else "sh"
            out.extend("  " + line for line in md_fence(clean(code, one_line=False), lang).splitlines())
            out.append("")
        out.append("  </details>")
        out.append("")


SNIPPETS = (("docker run", "docker_run", "sh"), ("Compose", "compose", "yaml"), ("Podman", "podman", "sh"))


def _engines(out: list[str], report: Mapping[str, Any]) -> None:
    engines = view.engines(report)
    if not engines:
        return
    out.append("")
    out.append("<details><summary>Engines scanned</summary>")
    out.append("")
    out.append("| Engine | Mode | Version | Endpoints | Containers |")
    out.append("| --- | --- | --- | --- | --- |")
    for engine in engines:
        endpoints = ", ".join(esc_md(e) for e in view.engine_endpoints(engine))
        count = engine.get("containers_total", engine.get("containers", ""))
        out.append(f"| {esc_md(engine.get('kind'))} | {esc_md(view.engine_mode(engine))} "
                   f"| {esc_md(engine.get('version'))} | {endpoints or DASH} | {esc_md(count)} |")
    out.append("")
    out.append("</details>")


def _problems(out: list[str], report: Mapping[str, Any]) -> None:
    problems = view.problems(report)
    if not problems:
        return
    out.append("")
    out.append("**Could not see everything:**")
    out.append("")
    for problem in problems:
        out.append(f"- {esc_md(problem)}")
