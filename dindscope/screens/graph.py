"""The graph view: the selected subject's neighbourhood as a text diagram."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Footer, Static

from dindscope.screens.base import BACK, DETAILS, FIX, DindscopeScreen
from dindscope.screens.paths import subject_title
from dindscope.tui.graphtext import neighbourhood
from dindscope.tui.rows import SubjectRow


class GraphScreen(DindscopeScreen):
    BINDINGS = [FIX, DETAILS, BACK]

    DEFAULT_CSS = """
    GraphScreen #title { height: auto; padding: 0 1; background: $boost; }
    GraphScreen #diagram { padding: 0 1; }
    """

    def __init__(self, row: SubjectRow) -> None:
        super().__init__()
        self.row_key = row.key
        self._row = row

    def compose(self) -> ComposeResult:
        yield Static(id="title")
        with VerticalScroll(id="graph-scroll"):
            yield Static(id="diagram")
        yield Footer()

    def on_mount(self) -> None:
        self.refresh_view()
        self.query_one(VerticalScroll).focus()

    def current_row(self) -> SubjectRow | None:
        return self.dapp.row(self.row_key) or self._row

    def refresh_view(self) -> None:
        row = self.current_row()
        if row is None:
            return
        self.query_one("#title", Static).update(subject_title(row, "neighbourhood of"))
        session = self.dapp.session
        analysis = session.current_analysis if session else None
        graph = getattr(analysis, "graph", None)
        self.query_one("#diagram", Static).update(
            neighbourhood(row.subject.name, row.subject.kind, row.findings, graph, row.subject.node))
