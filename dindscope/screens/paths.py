"""The paths view: every escape path of one subject as a readable chain; enter shows each step's evidence."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from dindscope.analysis.results import Finding
from dindscope.screens.base import (
    BACK,
    DETAILS,
    FIX,
    GRAPH,
    UNDO,
    WHAT_IF,
    WHAT_IF_SUMMARY,
    B,
    DindscopeScreen,
)
from dindscope.tui.rows import SubjectRow
from dindscope.tui.safe import clean
from dindscope.widgets.badges import badge
from dindscope.widgets.path_chain import finding_block


def subject_title(row: SubjectRow, what: str) -> Text:
    out = Text(end="")
    out.append(badge(row.severity))
    out.append(f" {what}: ", style="bold")
    out.append(clean(row.subject.name, 80), style="bold")
    out.append(f"  ({row.subject.kind}", style="dim")
    if row.state:
        out.append(f", {clean(row.state, 20)}", style="dim")
    out.append(")", style="dim")
    return out


class PathsScreen(DindscopeScreen):
    BINDINGS = [
        B("enter", "toggle_evidence", "Evidence", "Show or hide the steps and evidence of the selected path",
          id="evidence"),
        B("a", "expand_all", "All evidence", "Show the evidence of every path", show=False),
        FIX,
        WHAT_IF,
        UNDO,
        WHAT_IF_SUMMARY,
        GRAPH,
        DETAILS,
        BACK,
    ]

    DEFAULT_CSS = """
    PathsScreen #title { height: auto; padding: 0 1; background: $boost; }
    PathsScreen OptionList { height: 1fr; }
    """

    def __init__(self, row: SubjectRow) -> None:
        super().__init__()
        self.row_key = row.key
        self._row = row
        self.expanded: set[str] = set()

    def compose(self) -> ComposeResult:
        yield Static(id="title")
        yield OptionList(id="paths")
        yield Footer()

    def on_mount(self) -> None:
        self.refresh_view()
        self.query_one(OptionList).focus()

    def current_row(self) -> SubjectRow | None:
        return self.dapp.row(self.row_key) or self._row

    def findings(self) -> list[Finding]:
        row = self.current_row()
        return row.findings if row else []

    def current_finding(self) -> Finding | None:
        findings = self.findings()
        index = self.query_one(OptionList).highlighted
        if not findings:
            return None
        return findings[index] if index is not None and index < len(findings) else findings[0]

    def refresh_status(self) -> None:
        row = self.current_row()
        if row is None:
            return
        title = subject_title(row, "escape paths of")
        title.append(self.status_text())
        self.query_one("#title", Static).update(title)

    def refresh_view(self) -> None:
        row = self.current_row()
        if row is None:
            return
        self.refresh_status()
        options = self.query_one(OptionList)
        keep = options.highlighted
        options.clear_options()
        findings = self.findings()
        if not findings:
            options.add_option(Option(Text("No escape path: nothing reaches host root, write or read.",
                                           style="green"), disabled=True))
            return
        for i, finding in enumerate(findings, 1):
            options.add_option(Option(finding_block(finding, i, finding.id in self.expanded), id=f"p{i}"))
            if i < len(findings):
                options.add_option(None)
        options.highlighted = min(keep or 0, len(findings) - 1) if findings else None

    @on(OptionList.OptionSelected, "#paths")
    def _selected(self, _: OptionList.OptionSelected) -> None:
        self.action_toggle_evidence()

    def action_toggle_evidence(self) -> None:
        finding = self.current_finding()
        if finding is None:
            return
        self.expanded ^= {finding.id}
        self._redraw_option(finding)

    def _redraw_option(self, finding: Finding) -> None:
        findings = self.findings()
        index = findings.index(finding)
        self.query_one(OptionList).replace_option_prompt(
            f"p{index + 1}", finding_block(finding, index + 1, finding.id in self.expanded))

    def action_expand_all(self) -> None:
        findings = self.findings()
        if all(f.id in self.expanded for f in findings):
            self.expanded.clear()
        else:
            self.expanded = {f.id for f in findings}
        for finding in findings:
            self._redraw_option(finding)
