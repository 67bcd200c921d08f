"""The main screen: summary header, the subjects list (filterable), and a preview of the selected subject."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.timer import Timer
from textual.widgets import DataTable, Footer, Input, LoadingIndicator, Static

from dindscope.analysis.results import RemediationOption
from dindscope.screens.base import (
    DETAILS,
    EXPORT,
    FIX,
    GRAPH,
    RESCAN,
    UNDO,
    WHAT_IF,
    WHAT_IF_SUMMARY,
    B,
    DindscopeScreen,
)
from dindscope.tui.rows import SubjectRow, group_rows, matches
from dindscope.tui.safe import clean
from dindscope.widgets.badges import badge, impact_word
from dindscope.widgets.path_chain import chain_text
from dindscope.widgets.subject_table import GROUP_PREFIX, SubjectTable
from dindscope.widgets.summary import Summary

PREVIEW_INTERVAL = 0.05  # seconds between preview redraws while a cursor key repeats


class Preview(Static):
    DEFAULT_CSS = """
    Preview { height: 5; padding: 0 1; border-top: solid $primary-darken-2; }
    """

    shown_key: str | None = None
    shown_state: object = None

    def show(self, key: str | None, state: object, text: Text) -> None:
        """Draw ``text`` for row ``key``; the size is fixed, so no relayout of the screen."""
        self.shown_key, self.shown_state = key, state
        self.update(text, layout=False)


class MainScreen(DindscopeScreen):
    BINDINGS = [
        B("slash", "filter", "Filter", "Filter by name, engine, technique (tech:), severity (sev:high)",
          key_display="/"),
        B("p", "paths", "Paths", "Every escape path of the selected subject, with evidence"),
        FIX,
        WHAT_IF,
        UNDO,
        WHAT_IF_SUMMARY,
        GRAPH,
        B("enter", "details", "Details", "Security facts of the selected subject", show=False, id="details_enter"),
        DETAILS,
        EXPORT,
        RESCAN,
        B("escape", "clear_filter", "Clear filter", "Clear the filter and go back to the list", show=False),
    ]

    def compose(self) -> ComposeResult:
        yield Summary(id="summary")
        yield Input(placeholder="filter: words, sev:high, engine:podman, tech:socket, state:running, kind:user",
                    id="filter")
        with Vertical(id="list-area"):
            yield LoadingIndicator(id="loading")
            yield SubjectTable(id="subjects")
        yield Preview(id="preview")
        yield Footer(compact=True)  # every main key fits in 80 columns

    AUTO_FOCUS = "#subjects"

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._preview_cache: dict[str, tuple[SubjectRow, bool, Text]] = {}
        self._preview_timer: Timer | None = None
        self._preview_stale = False

    def on_mount(self) -> None:
        box = self.query_one("#filter", Input)
        box.display = False
        box.cursor_blink = self.dapp.CURSOR_BLINK
        table = self.query_one(SubjectTable)
        table.display = False
        table.on_cursor_moved = self._cursor_moved
        self.query_one(Summary).show_scanning(self.dapp.scan_label())
        self.query_one(Preview).update(Text("Scanning… the UI stays usable: ? help, q quit.", style="dim"))
        if self.dapp.session is not None:  # the worker may finish before the screen is mounted
            self.refresh_view()

    # Context.
    def current_row(self) -> SubjectRow | None:
        return self.query_one(SubjectTable).current_row

    # Refresh.
    def refresh_status(self) -> None:
        """Only the header: what the app is busy with, live status, where reports went."""
        session = self.dapp.session
        summary = self.query_one(Summary)
        if session is None:
            summary.show_scanning(self.dapp.scan_label())
        else:
            summary.show_session(session, self.dapp.live_status, self.dapp.busy, self.dapp.info)

    def refresh_view(self) -> None:
        session = self.dapp.session
        self.refresh_status()
        if session is None:
            return
        table = self.query_one(SubjectTable)
        self.query_one(LoadingIndicator).display = False
        if not table.display:
            table.display = True
            box = self.query_one("#filter", Input)
            if self.focused is None or (self.focused is box and not box.display):
                table.focus()
        query = self.query_one("#filter", Input).value.strip()
        rows = self.dapp.rows
        if query:
            names = {e.key: e.kind + " " + e.name for e in session.snapshot.engines}
            rows = [r for r in rows if matches(r, query, names)]
        table.show(group_rows(session.snapshot, rows))
        box = self.query_one("#filter", Input)
        box.border_subtitle = f"{len(rows)} match{'es' if len(rows) != 1 else ''}" if query else None
        self.update_preview()

    def update_preview(self) -> None:
        """Show the highlighted subject below the list: rendered once per row state, drawn without a relayout."""
        table = self.query_one(SubjectTable)
        row = table.current_row
        preview = self.query_one(Preview)
        key = table.current_key
        if row is None:
            if (key or "").startswith(GROUP_PREFIX):
                text = Text("A group: move down to its subjects.", style="dim")
            else:
                text = Text("No subject matches." if table.row_count == 0 else "", style="dim")
            preview.show(key, None, text)
            return
        fix = row.worst.remediations[0] if row.worst and row.worst.remediations else None
        session = self.dapp.session
        applied = fix is not None and session is not None and session.is_applied(fix.id, row.subject)
        state = (id(row), applied)  # rows are rebuilt when the findings change: identity says "unchanged"
        if preview.shown_key == key and preview.shown_state == state:
            return
        cached = self._preview_cache.get(key or "")
        if cached is None or cached[0] is not row or cached[1] != applied:
            cached = (row, applied, preview_text(row, fix, applied))
            self._preview_cache[key or ""] = cached
        preview.show(key, state, cached[2])

    def _cursor_moved(self) -> None:
        """Preview in the same frame as the cursor; then at most one redraw per PREVIEW_INTERVAL while keys
        repeat, the last highlighted row winning."""
        if self._preview_timer is not None:
            self._preview_stale = True
            return
        self.update_preview()
        self._preview_timer = self.set_timer(PREVIEW_INTERVAL, self._preview_tick)

    def _preview_tick(self) -> None:
        self._preview_timer = None
        if self._preview_stale:
            self._preview_stale = False
            self.update_preview()

    @on(DataTable.RowSelected, "#subjects")
    def _selected(self, _: DataTable.RowSelected) -> None:
        self.action_details()

    # Filter.
    def action_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.display = True
        box.focus()

    @on(Input.Changed, "#filter")
    def _filter_changed(self, _: Input.Changed) -> None:
        self.refresh_view()

    @on(Input.Submitted, "#filter")
    def _filter_done(self, event: Input.Submitted) -> None:
        if not event.value.strip():
            event.input.display = False
        self.query_one(SubjectTable).focus()

    def action_clear_filter(self) -> None:
        box = self.query_one("#filter", Input)
        if box.value or box.display:
            box.value = ""
            box.display = False
            self.query_one(SubjectTable).focus()
            self.refresh_view()

    def action_paths(self) -> None:
        from dindscope.screens.paths import PathsScreen

        row = self.current_row()
        if row is None:
            self.notify("Select a subject first.", markup=False)
            return
        self.app.push_screen(PathsScreen(row))


def preview_text(row: SubjectRow, fix: RemediationOption | None, applied: bool) -> Text:
    """The preview of one subject: badge, name, its worst path as a chain, and the first fix."""
    out = Text(end="")
    out.append(badge(row.severity))
    out.append(" ")
    out.append(clean(row.subject.name, 60), style="bold")
    out.append(f"  {row.subject.kind}", style="dim")
    worst = row.worst
    if worst is None:
        out.append("\nNo path to host root, host write or host read found.", style="green")
    else:
        paths = len(row.findings)
        out.append(f"  {impact_word(worst.impact)} · {paths} path{'s' if paths != 1 else ''}")
        out.append("\n")
        out.append(chain_text(worst))
        if fix is not None:
            out.append("\nfix: ", style="bold")
            out.append(clean(fix.title, 120))
            if applied:
                out.append("  [applied in what-if]", style="bold green")
    return out

