"""The what-if view: the applied fixes, and which root paths they remove and which remain."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Footer, Static

from dindscope.analysis.results import Finding
from dindscope.screens.base import BACK, UNDO, DindscopeScreen
from dindscope.tui.safe import clean
from dindscope.tui.session import root_paths
from dindscope.widgets.badges import badge
from dindscope.widgets.path_chain import chain_text


def _key(f: Finding) -> tuple[str, str, str, str]:
    return (f.subject.kind, f.subject.engine, f.subject.name, f.chain)


def whatif_text(base: list[Finding], after: list[Finding], fixes: list[str], whatif: Any = None,
                counts: tuple[int, int] | None = None) -> Text:
    out = Text(end="")
    if not fixes:
        out.append("No fix applied. Press w on a subject (or on a fix in the fix panel) to try one.", style="dim")
        return out
    before_count, after_count = counts or (root_paths(base), root_paths(after))
    out.append(f"root paths: {before_count} -> {after_count}\n", style="bold magenta")
    out.append("Applied (u undoes the last):\n", style="bold")
    for i, label in enumerate(fixes, 1):
        out.append(f"  {i}. ")
        out.append(clean(label, 200))
        out.append("\n")
    after_keys = {_key(f) for f in after}
    removed = list(getattr(whatif, "removed", None) or [f for f in base if _key(f) not in after_keys])
    reason = getattr(whatif, "reason", None)
    remaining = [f for f in after if f.impact == "host-root"]
    out.append(f"\nRemoved ({len(removed)}):\n", style="bold green")
    for f in removed[:200]:
        out.append("  ")
        out.append(badge(f.severity))
        out.append(" ")
        out.append(chain_text(f))
        why = reason(f) if callable(reason) else ""
        if why:
            out.append("\n      because it ", style="dim")
            out.append(clean(why, 300), style="dim")
        out.append("\n")
    out.append(f"\nStill reaching host root ({len(remaining)}):\n", style="bold red")
    for f in remaining[:200]:
        out.append("  ")
        out.append(badge(f.severity))
        out.append(" ")
        out.append(chain_text(f))
        out.append("\n")
    return out


class WhatIfScreen(DindscopeScreen):
    BINDINGS = [UNDO, BACK]

    DEFAULT_CSS = """
    WhatIfScreen #body { padding: 0 1; }
    """

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(id="body")
        yield Footer()

    def on_mount(self) -> None:
        self.refresh_view()
        self.query_one(VerticalScroll).focus()

    def refresh_view(self) -> None:
        session = self.dapp.session
        if session is None:
            return
        self.query_one("#body", Static).update(
            whatif_text(session.base_findings, session.findings, [f.label for f in session.fixes], session.whatif,
                        session.root_counts() if session.fixes else None))
