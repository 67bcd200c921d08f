"""What every dindscope screen shares: the context it points at, and the actions on that context."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from rich.text import Text
from textual.binding import Binding
from textual.screen import Screen

from dindscope.analysis.results import Finding, RemediationOption
from dindscope.tui.rows import SubjectRow, subject_key

if TYPE_CHECKING:
    from dindscope.app import DindscopeApp


def B(key: str, action: str, description: str, tooltip: str, *, show: bool = True,
      key_display: str | None = None, priority: bool = False, id: str | None = None) -> Binding:
    """A binding with an id (for the keymap file) and a tooltip."""
    return Binding(key, action, description, show=show, key_display=key_display, priority=priority,
                   tooltip=tooltip, id=id or action.replace(".", "_"))


FIX = B("f", "fix", "Fix", "Ordered fixes for the selected path, with the exact docker run / Compose / Podman change")
WHAT_IF = B("w", "what_if", "What-if", "Apply the selected fix virtually and recompute the host (w again undoes)")
UNDO = B("u", "undo", "Undo", "Undo the last what-if fix", show=False)
WHAT_IF_SUMMARY = B("W", "what_if_summary", "What-if paths",
                    "Applied fixes, and which root paths they remove or leave", show=False)
GRAPH = B("g", "graph", "Graph", "Text diagram of the selected subject's neighbourhood")
DETAILS = B("d", "details", "Details", "Security facts: redacted env, mounts, capabilities, namespaces")
EXPORT = B("e", "export", "Export", "Write reports of the current state (including what-if)", show=False)
RESCAN = B("r", "rescan", "Rescan", "Scan the engines again", show=False)
BACK = B("escape", "back", "Back", "Back to the previous screen", id="back")


class DindscopeScreen(Screen[None]):
    """A screen that points at a subject, maybe a path, maybe a fix."""

    @property
    def dapp(self) -> DindscopeApp:
        return cast("DindscopeApp", self.app)

    # What the screen points at; screens override what they know better.
    def current_row(self) -> SubjectRow | None:
        return None

    def current_finding(self) -> Finding | None:
        row = self.current_row()
        return row.worst if row else None

    def current_fix(self) -> RemediationOption | None:
        finding = self.current_finding()
        return finding.remediations[0] if finding and finding.remediations else None

    def refresh_view(self) -> None:
        """Redraw from the app's session (after a scan, a what-if result)."""

    def refresh_status(self) -> None:
        """Redraw what shows the app's status (busy, live, info); screens with a cheaper way override."""
        self.refresh_view()

    def status_text(self) -> Text:
        """The what-if line and what the app is busy with, for the screens' title bars."""
        out = Text(end="")
        session = self.dapp.session
        line = session.whatif_line() if session else ""
        if line:
            out.append("\n" + line, style="bold magenta")
        if self.dapp.busy:
            out.append("\n" + self.dapp.busy, style="italic yellow")
        return out

    # Shared actions.
    def action_back(self) -> None:
        if len(self.app.screen_stack) > 1:
            self.app.pop_screen()

    def action_fix(self) -> None:
        from dindscope.screens.fix import FixScreen

        row, finding = self.current_row(), self.current_finding()
        if row is None or finding is None:
            self.notify("Nothing to fix here: the selected subject has no escape path.", markup=False)
            return
        self.app.push_screen(FixScreen(row, finding))

    # Main and paths screens: w on a subject that has a fix applied undoes it; the fix panel toggles its fix.
    what_if_undoes_subject = True

    def action_what_if(self) -> None:
        row, fix = self.current_row(), self.current_fix()
        if self.what_if_undoes_subject and row is not None:
            applied = [f for f in self.dapp.planned_fixes()
                       if f.subject is not None and subject_key(f.subject) == row.key]
            if applied:
                self.dapp.remove_fix(applied[-1])
                return
        if fix is None:
            self.notify("No fix selected: pick a subject with a path (or open f).", markup=False)
            return
        self.dapp.toggle_fix(fix, row.subject if row else None, self.current_finding())

    def action_undo(self) -> None:
        self.dapp.undo_fix()

    def action_what_if_summary(self) -> None:
        from dindscope.screens.whatif import WhatIfScreen

        self.app.push_screen(WhatIfScreen())

    def action_graph(self) -> None:
        from dindscope.screens.graph import GraphScreen

        row = self.current_row()
        if row is None:
            self.notify("Select a subject first.", markup=False)
            return
        self.app.push_screen(GraphScreen(row))

    def action_details(self) -> None:
        from dindscope.screens.details import DetailsScreen

        row = self.current_row()
        if row is None:
            self.notify("Select a subject first.", markup=False)
            return
        self.app.push_screen(DetailsScreen(row))

    def action_export(self) -> None:
        self.dapp.ask_export()

    def action_rescan(self) -> None:
        self.dapp.rescan()
