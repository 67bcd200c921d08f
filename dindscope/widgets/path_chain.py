"""An escape path as a readable chain, with each step's evidence on demand."""

from __future__ import annotations

from rich.text import Text

from dindscope.analysis.results import Finding, RemediationOption
from dindscope.tui.safe import clean, clean_multiline
from dindscope.widgets.badges import KIND_STYLE, badge, impact_word


def node_text(kind: str, name: str) -> Text:
    return Text(clean(name, 160), style=KIND_STYLE.get(kind, ""), end="")


def chain_text(finding: Finding) -> Text:
    """``ci-job -> unix:///run/docker.sock -> docker (rootful) -> host root``."""
    out = Text(end="")
    for i, node in enumerate(finding.path):
        if i:
            out.append(" -> ", style="dim")
        out.append(node_text(node.kind, node.name))
    return out


def finding_title(finding: Finding, index: int | None = None) -> Text:
    out = Text(end="")
    if index is not None:
        out.append(f"{index}. ")
    out.append(badge(finding.severity))
    out.append(f" {impact_word(finding.impact)} in {len(finding.steps)} step{'s' if len(finding.steps) != 1 else ''}")
    if finding.alternative:
        out.append(f" (alternative {finding.alternative})", style="dim")
    if finding.state:
        out.append(f" · {clean(finding.state, 20)}", style="dim")
    return out


def steps_text(finding: Finding, evidence: bool = True) -> Text:
    """Each step: technique and explanation, with its evidence lines when ``evidence``."""
    out = Text(end="")
    for i, step in enumerate(finding.steps):
        src = finding.path[i] if i < len(finding.path) else None
        dst = finding.path[i + 1] if i + 1 < len(finding.path) else None
        out.append("\n  ")
        if src is not None:
            out.append(node_text(src.kind, src.name))
        out.append(" -> ", style="dim")
        if dst is not None:
            out.append(node_text(dst.kind, dst.name))
        out.append("\n     ")
        out.append(f"[{clean(step.technique, 60)}]", style="bold cyan")
        out.append(" ")
        out.append(clean(step.explanation, 300))
        if evidence:
            for item in step.evidence or ("(no evidence recorded)",):
                out.append("\n       evidence: ", style="dim")
                out.append(clean(item, 300), style="italic")
    return out


def finding_block(finding: Finding, index: int | None = None, expanded: bool = False) -> Text:
    """Title line, the chain, and (when expanded) the steps with evidence."""
    out = finding_title(finding, index)
    out.append("\n   ")
    out.append(chain_text(finding))
    if expanded:
        out.append(steps_text(finding, evidence=True))
    else:
        out.append("\n   ")
        out.append("enter: steps and evidence", style="dim")
    return out


def fix_text(option: RemediationOption, applied: bool = False) -> Text:
    """Everything about one fix, as plain text a person can copy."""
    out = Text(end="")
    out.append(clean(option.title, 200), style="bold")
    if applied:
        out.append("  [applied in what-if]", style="bold green")
    out.append("\nBreaks: ", style="bold")
    out.append(clean(option.breaks, 400))
    out.append("\nMay break for you: ", style="bold")
    out.append(clean(option.side_effects, 400))
    for label, value in (("docker run", option.docker_run), ("Compose", option.compose), ("Podman", option.podman)):
        if value:
            out.append(f"\n{label}:\n", style="bold")
            out.append("\n".join("  " + clean(line, 300) for line in value.splitlines()))
    if option.alternatives:
        out.append("\nAlternatives: ", style="bold")
        out.append(", ".join(clean(a, 80) for a in option.alternatives))
    return out


def fix_clipboard(option: RemediationOption) -> str:
    """The text ``c`` copies: the exact changes, as plain text."""
    parts = [f"# {option.title}", f"# breaks: {option.breaks}"]
    if option.side_effects:
        parts.append(f"# may break: {option.side_effects}")
    if option.docker_run:
        parts += ["# docker run:", option.docker_run]
    if option.compose:
        parts += ["# Compose:", option.compose]
    if option.podman:
        parts += ["# Podman:", option.podman]
    if option.alternatives:
        parts.append("# alternatives: " + ", ".join(option.alternatives))
    return clean_multiline("\n".join(parts))
