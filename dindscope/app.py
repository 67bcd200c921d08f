"""The dindscope Textual app: owns the session and the workers; screens do the showing."""

from __future__ import annotations

import time
from pathlib import Path

from textual import on, work
from textual.app import App
from textual.binding import Binding
from textual.screen import Screen
from textual.worker import Worker, WorkerState, get_current_worker

from dindscope.analysis.results import Finding, RemediationOption, Subject
from dindscope.errors import DindscopeError
from dindscope.screens.base import B
from dindscope.screens.main import MainScreen
from dindscope.tui.commands import DindscopeCommands
from dindscope.tui.keymap import load_keymap
from dindscope.tui.live import EventFollowers, followable_url, one_line
from dindscope.tui.messages import EngineConnection, EngineEvent, ScanFailed, ScanFinished, WhatIfComputed
from dindscope.tui.rows import SubjectRow, build_rows
from dindscope.tui.safe import clean
from dindscope.tui.session import AppliedFix, Session, fix_target, same_subject
from dindscope.tui.sources import Source, load_demo

LIVE_THROTTLE = 2.0
EXPORT_STEM = "dindscope-report"


class DindscopeApp(App[int]):
    CSS_PATH = str(Path(__file__).with_name("dindscope.tcss"))
    TITLE = "dindscope"
    COMMANDS = App.COMMANDS | {DindscopeCommands}
    CURSOR_BLINK = True  # tests freeze it
    BINDINGS = [
        B("question_mark", "help", "Help", "Every key, and how to remap them", key_display="?"),
        B("q", "quit", "Quit", "Quit dindscope"),
        Binding("ctrl+p", "command_palette", "Commands", tooltip="Every action, searchable", id="command_palette",
                show=False),
    ]

    def __init__(self, source: Source, *, analyze_fn: object = None) -> None:
        super().__init__()
        self.source = source
        self.session: Session | None = None
        self.rows: list[SubjectRow] = []
        self._rows_by_key: dict[str, SubjectRow] = {}
        self.live_status: dict[str, str] = {}
        self.busy = ""
        self.info = ""  # a lasting one-line note (where the reports went)
        self.followers = EventFollowers()
        self._followed: set[str] = set()
        self._pending_fixes: list[AppliedFix] | None = None
        self._whatif_generation = 0
        self.scanning = False  # a scan worker is running
        self._refresh_after_scan = False
        self.live_events = 0
        self._live_timer: object = None
        self._analyze_fn = analyze_fn
        self.user_keymap: dict[str, str] = {}
        self.last_export: list[str] = []
        self.scans = 0

    # --- start-up ----------------------------------------------------------------------------------
    def get_default_screen(self) -> Screen:
        return MainScreen(id="main")

    def on_mount(self) -> None:
        result = load_keymap(known_binding_ids())
        self.user_keymap = result.keymap
        if result.keymap:
            self.set_keymap(result.keymap)
        for problem in result.problems:
            self.notify(problem, severity="warning", markup=False, timeout=8)
        self.scanning = True
        self.run_scan()

    def scan_label(self) -> str:
        return self.source.label() + "…"

    # --- workers -----------------------------------------------------------------------------------
    @work(thread=True, exclusive=True, exit_on_error=False, group="scan", name="scan", description="Scanning engines")
    def run_scan(self) -> None:
        worker = get_current_worker()
        started = time.perf_counter()
        snapshot = self.source.obtain()
        if worker.is_cancelled:
            return
        session = Session(snapshot)
        if self._analyze_fn is not None:
            session.analyze_fn = self._analyze_fn  # type: ignore[assignment]
        if self.session is not None and self.session.snapshot.source == snapshot.source:
            session.fixes = list(self.session.fixes)  # keep the what-if across rescans
        session.run_analysis()
        rows = build_rows(session.snapshot, session.findings)
        if not worker.is_cancelled:
            self.post_message(ScanFinished(session, time.perf_counter() - started, rows))

    @work(thread=True, exclusive=True, exit_on_error=False, group="whatif", name="what-if",
          description="Recomputing the host with the what-if fixes")
    def run_what_if(self, fixes: list[AppliedFix], note: str, generation: int = 0) -> None:
        """Recompute the host off the UI thread; the rows are built here too, so the UI only draws."""
        session = self.session
        assert session is not None
        try:
            whatif, findings = session.evaluate(fixes)
        except DindscopeError as exc:  # e.g. a fix that changes the engine itself cannot be simulated
            self.post_message(WhatIfComputed(list(session.fixes), session.whatif, session.whatif_findings,
                                             f"Cannot try this fix: {exc}", None, generation))
            return
        if get_current_worker().is_cancelled:
            return
        shown = findings if fixes and findings is not None else session.base_findings
        rows = build_rows(session.snapshot, shown)
        if not get_current_worker().is_cancelled:
            self.post_message(WhatIfComputed(fixes, whatif, findings, note, rows, generation))

    @work(thread=True, exit_on_error=False, group="live", name="events", description="Following engine events")
    def follow_engine(self, engine_key: str, url: str) -> None:
        assert self.session is not None
        engine = self.session.snapshot.engine(engine_key)
        if engine is None:
            return
        worker = get_current_worker()
        self.followers.follow(engine, url, self.post_message, lambda: worker.is_cancelled, self.source.timeout)

    @work(thread=True, exclusive=True, exit_on_error=False, group="export", name="export",
          description="Writing reports")
    def run_export(self, stem: str) -> None:
        from dindscope.reports import FORMATS, write_reports

        session = self.session
        assert session is not None
        paths = write_reports(session.analysis, list(FORMATS), stem, whatif=session.whatif if session.fixes else None)
        self.call_from_thread(self._exported, [str(p) for p in paths])

    def _exported(self, paths: list[str]) -> None:
        self.last_export = paths
        self.info = "Reports written: " + ", ".join(paths)
        self.status_changed()
        self.notify("Reports written: " + ", ".join(paths), title="Export", markup=False, timeout=10)

    @on(Worker.StateChanged)
    def _worker_state(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if event.state != WorkerState.ERROR:
            return
        error = one_line(worker.error) if worker.error else "unknown error"
        self.busy = ""
        if worker.group == "whatif":
            self._pending_fixes = None
        if worker.group == "scan":
            self.scanning = False
        if worker.group == "scan" and self.session is None:
            self.post_message(ScanFailed(error))
            return
        self.notify(f"{worker.description or worker.name} failed: {error}", severity="error", markup=False,
                    timeout=10)
        self.status_changed()

    # --- results -----------------------------------------------------------------------------------
    def on_scan_finished(self, message: ScanFinished) -> None:
        self.scans += 1
        self.scanning = False
        if self._refresh_after_scan and self._live_timer is None:
            self._refresh_after_scan = False
            self._live_timer = self.set_timer(LIVE_THROTTLE, self._live_refresh)
        self.busy = ""
        self.session = message.session
        self._set_rows(message.rows if message.rows is not None
                       else build_rows(message.session.snapshot, message.session.findings))
        self.session_changed()
        snapshot = message.session.snapshot
        if self.source.live and not snapshot.engines:
            from dindscope.screens.noengine import NoEngineScreen

            if not isinstance(self.screen, NoEngineScreen):
                self.push_screen(NoEngineScreen(snapshot.problems), self._no_engine_choice)
            return
        if self.source.live and self.source.follow_events:
            for engine in snapshot.engines:
                url = followable_url(engine)
                if url and engine.key not in self._followed:
                    self._followed.add(engine.key)
                    self.live_status[engine.key] = "live"
                    self.follow_engine(engine.key, url)

    def on_scan_failed(self, message: ScanFailed) -> None:
        from dindscope.models import Problem
        from dindscope.screens.noengine import NoEngineScreen

        self.push_screen(NoEngineScreen([Problem("other", message.error)]), self._no_engine_choice)

    def _no_engine_choice(self, choice: str | None) -> None:
        if choice == "quit":
            self.exit(3, return_code=3)
        elif choice == "demo":
            self.source = Source(snapshot=load_demo(), follow_events=False, redact=self.source.redact)
            self.session = None
            self.rescan()
        else:
            self.rescan()

    def on_what_if_computed(self, message: WhatIfComputed) -> None:
        if self.session is None or message.generation != self._whatif_generation:
            return  # a newer request is on its way; this answer is stale
        self._pending_fixes = None
        self.session.commit(message.fixes, message.whatif, message.findings)
        if message.rows is not None:
            self._set_rows(message.rows)
        self.busy = ""
        self.session_changed()
        if message.note:
            self.notify(message.note + " · " + (self.session.whatif_line() or "no fix applied"), markup=False)

    def on_engine_event(self, message: EngineEvent) -> None:
        """Throttled: at most one refresh per LIVE_THROTTLE seconds, never one cancelling a scan in progress."""
        self.live_events += 1
        if self._live_timer is None:
            self._live_timer = self.set_timer(LIVE_THROTTLE, self._live_refresh)

    def _live_refresh(self) -> None:
        self._live_timer = None
        if self.scanning:  # a busy engine would otherwise cancel every scan before it ends
            self._refresh_after_scan = True
            return
        self.rescan(quiet=True)

    def on_engine_connection(self, message: EngineConnection) -> None:
        before = self.live_status.get(message.engine, "")
        if message.connected:
            self.live_status[message.engine] = "live"
            if before.startswith("lost"):
                self.notify("Engine connection back; refreshing.", markup=False)
                self.rescan(quiet=True)
        else:
            self.live_status[message.engine] = f"lost: {message.error[:60]}; reconnecting"
            if not before.startswith("lost"):
                self.notify(f"Lost the engine connection ({message.error}); reconnecting.", severity="warning",
                            markup=False)
        self.status_changed()

    # --- state shared with the screens -------------------------------------------------------------
    def _set_rows(self, rows: list[SubjectRow]) -> None:
        self.rows = rows
        self._rows_by_key = {row.key: row for row in rows}

    def session_changed(self) -> None:
        """The findings changed (scan, what-if result): every open screen redraws."""
        self._refresh_screens("refresh_view")

    def status_changed(self) -> None:
        """Only the status changed (busy, live, info): the headers redraw, the lists are left alone."""
        self._refresh_screens("refresh_status")

    def _refresh_screens(self, method: str) -> None:
        for screen in self.screen_stack:
            refresh = getattr(screen, method, None)
            if refresh is not None and screen.is_mounted:
                refresh()

    def _request_what_if(self, fixes: list[AppliedFix], busy: str, note: str) -> None:
        """Show at once that the fix is being applied; recompute in a worker (the newest request wins)."""
        self._pending_fixes = fixes
        self._whatif_generation += 1
        self.busy = busy
        self.status_changed()
        # Start the worker once that state is on screen: its thread would otherwise compete for the GIL
        # with drawing it.
        generation = self._whatif_generation
        self.call_after_refresh(self._start_what_if, fixes, note, generation)

    def _start_what_if(self, fixes: list[AppliedFix], note: str, generation: int) -> None:
        if generation == self._whatif_generation:  # not already superseded by another key
            self.run_what_if(fixes, note, generation)

    def row(self, key: str) -> SubjectRow | None:
        return self._rows_by_key.get(key)

    def toggle_fix(self, option: RemediationOption, subject: Subject | None, finding: Finding | None = None) -> None:
        if self.session is None:
            return
        base = self._pending_fixes if self._pending_fixes is not None else self.session.fixes
        removing = any(f.fix_id == option.id and same_subject(f.subject, subject) for f in base)
        fixes = [f for f in base if not (f.fix_id == option.id and same_subject(f.subject, subject))]
        if not removing:
            fixes.append(AppliedFix(option.id, option.title, subject, fix_target(option, subject, finding)))
        verb = "undoing" if removing else "applying fix"
        self._request_what_if(fixes, f"{verb}: {clean(option.title, 80)}… recomputing the host",
                              ("Undone: " if removing else "Applied: ") + option.title)

    def planned_fixes(self) -> list[AppliedFix]:
        """The fix stack, including a change still being computed."""
        if self._pending_fixes is not None:
            return list(self._pending_fixes)
        return list(self.session.fixes) if self.session else []

    def remove_fix(self, fix: AppliedFix) -> None:
        fixes = [f for f in self.planned_fixes() if f != fix]
        self._request_what_if(fixes, f"undoing: {clean(fix.title, 80)}… recomputing the host", "Undone: " + fix.title)

    def undo_fix(self) -> None:
        if self.session is None:
            return
        base = self._pending_fixes if self._pending_fixes is not None else self.session.fixes
        if not base:
            self.notify("No what-if fix to undo.", markup=False)
            return
        self._request_what_if(base[:-1], f"undoing: {clean(base[-1].title, 80)}… recomputing the host",
                              "Undone: " + base[-1].title)

    def rescan(self, quiet: bool = False) -> None:
        if not quiet:
            self.notify(self.scan_label(), markup=False, timeout=3)
        self.busy = "rescanning…" if self.session is not None else ""
        self.status_changed()
        self.scanning = True
        self.run_scan()

    def ask_export(self) -> None:
        from dindscope.reports import FORMATS
        from dindscope.screens.export import ExportScreen

        if self.session is None:
            self.notify("Nothing to export yet: the scan is still running.", markup=False)
            return

        def chosen(stem: str | None) -> None:
            if stem:
                self.run_export(stem)

        self.push_screen(ExportScreen(EXPORT_STEM, list(FORMATS), self.session.whatif_line()), chosen)

    # --- app-wide actions --------------------------------------------------------------------------
    def action_help(self) -> None:
        from dindscope.screens.help import HelpScreen

        self.push_screen(HelpScreen(help_sections(), self.user_keymap))

    async def action_quit(self) -> None:
        self.followers.close_all()
        self.workers.cancel_group(self, "live")
        self.exit(0)

    def on_unmount(self) -> None:
        self.followers.close_all()


def help_sections() -> list[tuple[str, list[Binding]]]:
    from dindscope.screens.details import DetailsScreen
    from dindscope.screens.fix import FixScreen
    from dindscope.screens.graph import GraphScreen
    from dindscope.screens.noengine import NoEngineScreen
    from dindscope.screens.paths import PathsScreen
    from dindscope.screens.whatif import WhatIfScreen

    def of(cls: type) -> list[Binding]:
        return [b for b in cls.BINDINGS if isinstance(b, Binding)]

    return [("Everywhere", of(DindscopeApp)), ("Subjects list", of(MainScreen)), ("Paths", of(PathsScreen)),
            ("Fix panel", of(FixScreen)), ("What-if", of(WhatIfScreen)), ("Graph", of(GraphScreen)),
            ("Details", of(DetailsScreen)), ("No engine", of(NoEngineScreen))]


def known_binding_ids() -> set[str]:
    return {b.id for _, bindings in help_sections() for b in bindings if b.id}
