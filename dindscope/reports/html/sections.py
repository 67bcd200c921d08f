"""The sections of the HTML report: summary table, escape paths, what-if, engines."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dindscope.reports import view
from dindscope.reports.html.svg import chain_svg
from dindscope.reports.text import esc_html

MAX_DETAILED = 200
SNIPPETS = (("docker run", "docker_run"), ("Compose", "compose"), ("Podman", "podman"))
ARROW = " \u2192 "
DOT = " \u00b7 "


def _sev(severity: object) -> str:
    sev = str(severity) if str(severity) in ("critical", "high", "medium", "low", "info") else "info"
    return f'<span class="sev {sev}">{sev}</span>'


def _anchor(index: int) -> str:
    return f"p{index}"


def _detailed(report: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return view.findings(report)[:MAX_DETAILED]


def findings_table(report: Mapping[str, Any]) -> str:
    findings = view.findings(report)
    if not findings:
        return ('<section id="summary"><h2>Summary</h2><p class="ok">No container, user or endpoint on this host '
                "can reach host root, host files or an engine it should not.</p></section>")
    rows = []
    for index, finding in enumerate(findings):
        subj = view.subject(finding)
        chain = ARROW.join(esc_html(n.get("name", "")) for n in view.path(finding)[1:])
        link = f'<a href="#{_anchor(index)}">{esc_html(subj.get("name", ""))}</a>' if index < MAX_DETAILED \
            else esc_html(subj.get("name", ""))
        alt = ' <span class="muted">(alternative)</span>' if finding.get("alternative") else ""
        rows.append(f"<tr><td class=\"nw\">{_sev(finding.get('severity'))}{alt}</td>"
                    f"<td><span class=\"muted\">{esc_html(subj.get('kind', ''))}</span> {link}</td>"
                    f"<td>{esc_html(view.subject_engine(report, finding))}</td>"
                    f"<td class=\"nw\">{esc_html(finding.get('impact', ''))}</td>"
                    f"<td class=\"nw\">{esc_html(finding.get('state', ''))}</td>"
                    f'<td class="mono">{chain}</td></tr>')
    return ('<section id="summary"><h2>Summary</h2><div class="scroll"><table><thead><tr><th>Severity</th>'
            "<th>Subject</th><th>Engine</th><th>Reaches</th><th>State</th><th>Path</th></tr></thead><tbody>"
            + "".join(rows) + "</tbody></table></div></section>")


def paths_section(report: Mapping[str, Any]) -> str:
    parts = ['<section id="paths"><h2>Escape paths</h2>']
    findings = view.findings(report)
    for index, finding in enumerate(_detailed(report)):
        parts.append(_finding(report, index, finding))
    if len(findings) > MAX_DETAILED:
        parts.append(f'<p class="muted">{len(findings) - MAX_DETAILED} more paths are listed in the summary '
                     "and the JSON report.</p>")
    parts.append("</section>")
    return "".join(parts)


def _finding(report: Mapping[str, Any], index: int, finding: Mapping[str, Any]) -> str:
    subj = view.subject(finding)
    impact = view.IMPACT_WORDS.get(str(finding.get("impact")), str(finding.get("impact", "")))
    alt = f" (alternative {int(finding.get('alternative') or 0)})" if finding.get("alternative") else ""
    engine = view.subject_engine(report, finding)
    meta = [f"engine {esc_html(engine)}"] if engine else ["host user" if subj.get("kind") == "user" else "host"]
    if finding.get("state"):
        meta.append(f"state {esc_html(finding['state'])}")
    meta.append(f"id <code>{esc_html(finding.get('id', ''))}</code>")
    out = [f'<article class="finding" id="{_anchor(index)}" data-finding="{esc_html(finding.get("id", ""))}">',
           f"<h3>{_sev(finding.get('severity'))} {esc_html(subj.get('kind', ''))} "
           f"{esc_html(subj.get('name', ''))} can {esc_html(impact)}{alt}</h3>",
           f'<p class="chainline">{DOT.join(meta)}</p>',
           f'<div class="scroll">{chain_svg(finding, f"a{index}")}</div>',
           '<ol class="steps">']
    for step in view.steps(finding):
        evidence = "".join(f"<li><code>{esc_html(e)}</code></li>" for e in view.evidence(step))
        enablers = ", ".join(esc_html(e) for e in step.get("enablers") or [])
        if enablers:
            evidence += f'<li class="enablers">made easier by: {enablers}</li>'
        out.append(f'<li><span class="tech">{esc_html(step.get("technique", ""))}</span>: '
                   f'{esc_html(step.get("explanation", ""))}'
                   + (f'<ul class="evidence">{evidence}</ul>' if evidence else "") + "</li>")
    out.append("</ol>")
    fixes = view.remediations(finding)
    if fixes:
        out.append('<div class="fixes"><strong>Fixes</strong> <span class="muted">(first: the smallest change that '
                   "breaks this path)</span>")
        for number, fix in enumerate(fixes):
            out.append(_fix(f"s{index}-{number}", fix))
        out.append("</div>")
    out.append("</article>")
    return "".join(out)


def _fix(uid: str, fix: Mapping[str, Any]) -> str:
    out = [f'<div class="fix"><h4>{esc_html(fix.get("title") or fix.get("id", ""))}</h4>']
    if fix.get("breaks"):
        out.append(f'<p class="why"><strong>Breaks:</strong> {esc_html(fix["breaks"])}</p>')
    if fix.get("side_effects"):
        out.append(f'<p class="why"><strong>May break:</strong> {esc_html(fix["side_effects"])}</p>')
    if fix.get("warning"):
        out.append(f'<p class="why warn"><strong>Warning:</strong> {esc_html(fix["warning"])}</p>')
    alternatives = fix.get("alternatives") or []
    if alternatives:
        out.append('<p class="why"><strong>Alternatives:</strong> '
                   + ", ".join(esc_html(a) for a in alternatives) + "</p>")
    for label, key in SNIPPETS:
        code = fix.get(key)
        if code:
            sid = f"{uid}-{key}"
            out.append(f'<div class="snip"><span class="lbl">{label}</span>'
                       f'<button type="button" class="copy" data-target="{sid}" hidden>Copy</button>'
                       f'<pre id="{sid}"><code>{esc_html(code, one_line=False)}</code></pre></div>')
    out.append("</div>")
    return "".join(out)


def _finding_items(findings: list[Mapping[str, Any]], cls: str) -> str:
    rows = []
    for finding in findings:
        chain = ARROW.join(esc_html(n.get("name", "")) for n in view.path(finding))
        rows.append(f'<li class="{cls}">{_sev(finding.get("severity"))} '
                    f'{esc_html(view.subject(finding).get("name", ""))}: <span class="mono">{chain}</span></li>')
    return "".join(rows)


def whatif_section(report: Mapping[str, Any]) -> str:
    wi = view.whatif(report)
    if wi is None:
        return ""
    applied = ", ".join(f"<strong>{esc_html(a)}</strong>" for a in wi.applied) or "no fix"
    out = [f'<section id="whatif" class="whatif"><h2>What-if</h2><p>Applying {applied} removes '
           f"<strong>{len(wi.removed)}</strong> path(s); <strong>{len(wi.remaining)}</strong> remain. "
           "The rest of this report shows the state after the change.</p>"]
    if wi.before or wi.after:
        out.append(f"<ul><li>Before: {esc_html(wi.before)}</li><li>After: {esc_html(wi.after)}</li></ul>")
    if wi.removed:
        items = "".join(
            f'<li class="removed">{esc_html(r["subject"])} <span class="muted">({esc_html(r["impact"])})</span>: '
            f'<span class="mono">{esc_html(r["chain"])}</span>'
            + (f' <span class="muted">{esc_html(r["reason"])}</span>' if r["reason"] else "") + "</li>"
            for r in wi.removed)
        out.append(f"<h3>Removed</h3><ul>{items}</ul>")
    if wi.remaining:
        out.append(f"<h3>Still open</h3><ul>{_finding_items(wi.remaining, 'remaining')}</ul>")
    if wi.added:
        out.append(f"<h3>New after the change</h3><ul>{_finding_items(wi.added, 'remaining')}</ul>")
    out.append("</section>")
    return "".join(out)


def engines_section(report: Mapping[str, Any]) -> str:
    rows = []
    for engine in view.engines(report):
        endpoints = "<br>".join(f"<code>{esc_html(e)}</code>" for e in view.engine_endpoints(engine))
        count = engine.get("containers_total", engine.get("containers", ""))
        rows.append(f"<tr><td>{esc_html(engine.get('kind', ''))}</td><td>{esc_html(view.engine_mode(engine))}</td>"
                    f"<td>{esc_html(engine.get('version', ''))}</td><td>{endpoints}</td>"
                    f"<td>{esc_html(count)}</td></tr>")
    problems = view.problems(report)
    problem_html = ("<h3>Could not see everything</h3><ul>" + "".join(f"<li>{esc_html(p)}</li>" for p in problems)
                    + "</ul>") if problems else ""
    table = ("<div class=\"scroll\"><table><thead><tr><th>Engine</th><th>Mode</th><th>Version</th><th>Endpoints</th>"
             "<th>Containers</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table></div>") if rows \
        else '<p class="muted">No engine was scanned.</p>'
    return f'<section id="engines"><h2>Engines</h2>{table}{problem_html}</section>'
