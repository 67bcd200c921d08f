"""The fix panel: ordered fixes for one path, what each breaks, and the exact change; c copies it."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from dindscope.analysis.results import Finding, RemediationOption
from dindscope.screens.base import BACK, UNDO, WHAT_IF, WHAT_IF_SUMMARY, B, DindscopeScreen
from dindscope.screens.paths import subject_title
from dindscope.tui.rows import SubjectRow
from dindscope.tui.safe import clean
from dindscope.widgets.path_chain import chain_text, fix_clipboard, fix_text


class FixScreen(DindscopeScreen):
    BINDINGS = [
        B("c", "copy", "Copy fix", "Copy the selected fix (OSC 52 clipboard); the text is also shown below"),
        WHAT_IF,
        UNDO,
        WHAT_IF_SUMMARY,
        BACK,
    ]

    DEFAULT_CSS = """
    FixScreen #title { height: auto; padding: 0 1; background: $boost; }
    FixScreen #fixes { height: auto; max-height: 8; }
    FixScreen #fix-scroll { height: 1fr; border-top: solid $primary-darken-2; }
    FixScreen #fix-text { padding: 0 1; }
    """

    what_if_undoes_subject = False

    def __init__(self, row: SubjectRow, finding: Finding) -> None:
        super().__init__()
        self.row = row
        self.finding = finding
        self.copied: str = ""

    def compose(self) -> ComposeResult:
        yield Static(id="title")
        yield OptionList(id="fixes")
        with VerticalScroll(id="fix-scroll"):
            yield Static(id="fix-text")
        yield Footer()

    def on_mount(self) -> None:
        self.refresh_view()
        self.query_one(OptionList).focus()

    def current_row(self) -> SubjectRow | None:
        return self.row

    def current_finding(self) -> Finding | None:
        return self.finding

    def current_fix(self) -> RemediationOption | None:
        index = self.query_one(OptionList).highlighted
        fixes = self.finding.remediations
        if not fixes:
            return None
        return fixes[index] if index is not None and index < len(fixes) else fixes[0]

    def refresh_status(self) -> None:
        title = subject_title(self.row, "fixes for")
        title.append("\n")
        title.append(chain_text(self.finding))
        title.append(self.status_text())
        self.query_one("#title", Static).update(title)

    def refresh_view(self) -> None:
        self.refresh_status()
        options = self.query_one(OptionList)
        keep = options.highlighted
        options.clear_options()
        session = self.dapp.session
        for i, fix in enumerate(self.finding.remediations, 1):
            applied = session is not None and session.is_applied(fix.id, self.row.subject)
            prompt = Text(f"{i}. ", end="")
            prompt.append(clean(fix.title, 120), style="bold")
            if applied:
                prompt.append("  [applied]", style="bold green")
            options.add_option(Option(prompt, id=f"f{i}"))
        if not self.finding.remediations:
            options.add_option(Option(Text("No remediation is known for this path.", style="yellow"), disabled=True))
        else:
            options.highlighted = min(keep or 0, len(self.finding.remediations) - 1)
        self.show_fix()

    def show_fix(self) -> None:
        fix = self.current_fix()
        session = self.dapp.session
        text = Text(end="")
        if fix is not None:
            text = fix_text(fix, applied=session is not None and session.is_applied(fix.id, self.row.subject))
            text.append("\n\nc copy · w try it (what-if) · esc back", style="dim")
        if self.copied:
            text.append("\n\nCopied to the clipboard (if your terminal allows OSC 52):\n", style="bold green")
            text.append(self.copied)
        self.query_one("#fix-text", Static).update(text)

    @on(OptionList.OptionHighlighted, "#fixes")
    def _highlighted(self, _: OptionList.OptionHighlighted) -> None:
        self.copied = ""
        self.show_fix()

    @on(OptionList.OptionSelected, "#fixes")
    def _selected(self, _: OptionList.OptionSelected) -> None:
        self.action_what_if()

    def action_copy(self) -> None:
        fix = self.current_fix()
        if fix is None:
            self.notify("No fix to copy.", markup=False)
            return
        text = fix_clipboard(fix)
        self.app.copy_to_clipboard(text)
        self.copied = text
        self.show_fix()
        self.notify("Fix copied (OSC 52); the text is shown below too.", markup=False)
