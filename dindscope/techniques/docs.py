"""Generate docs/techniques.md from the technique units and the fix catalog.

    python -m dindscope.techniques.docs > docs/techniques.md
"""

from __future__ import annotations

import sys

from dindscope.techniques.registry import ALL

KIND_TITLES = {"access": "Reaching an engine", "escape": "Escaping to the host",
               "exposure": "Reading or writing host files", "enabler": "Enablers (lower the cost of other steps)"}


def render_markdown() -> str:
    from dindscope.remediation.catalog import get_remediation

    out = ["# Techniques", "",
           "Generated from `dindscope/techniques/` by `python -m dindscope.techniques.docs`; do not edit by hand.",
           "Each technique is one small module: a precondition over the model, the edges it adds to the attack "
           "graph, the evidence it cites and the fixes that break it.", "",
           "| id | title | kind | base cost |", "|---|---|---|---|"]
    out += [f"| `{t.id}` | {t.title} | {t.kind} | {t.cost:g} |" for t in ALL]
    for kind, title in KIND_TITLES.items():
        out += ["", f"## {title}"]
        for t in (t for t in ALL if t.kind == kind):
            out += ["", f"### `{t.id}`: {t.title}", "", f"- **Needs:** {t.needs}", f"- **Gains:** {t.gains}",
                    f"- **Evidence:** {t.evidence}"]
            if t.remediations:
                out.append("- **Fixes, best first:**")
                for fid in t.remediations:
                    fix = get_remediation(fid)
                    out.append(f"  - `{fid}`: {fix.title}. Breaks: {fix.breaks}. May break: {fix.side_effects}."
                               .replace("..", "."))
                    if fix.warning:
                        out.append(f"    **Warning:** {fix.warning}")
            if t.references:
                out.append("- **References:** " + ", ".join(t.references))
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    sys.stdout.write(render_markdown())
