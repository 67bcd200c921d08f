"""The header: which engines, the one-line verdict, what-if before/after, scan and live status."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from dindscope.models import Snapshot
from dindscope.tui.safe import clean
from dindscope.tui.session import Session


def engines_text(snapshot: Snapshot, live: dict[str, str] | None = None) -> Text:
    out = Text(end="")
    if not snapshot.engines:
        out.append("no engine reachable", style="bold red")
        return out
    for i, engine in enumerate(snapshot.engines):
        if i:
            out.append("  ·  ", style="dim")
        mode = f"rootless as {clean(engine.user, 40)}" if engine.rootless else "rootful"
        out.append(clean(engine.kind, 20), style="bold cyan")
        out.append(f" {mode} ")
        out.append(clean((engine.endpoints[0] if engine.endpoints else "?").removeprefix("unix://"), 80))
        if engine.context:
            out.append(f" ctx {clean(engine.context, 40)}", style="dim")
        state = (live or {}).get(engine.key)
        if state:
            out.append(f" [{state}]", style="bold red" if state.startswith("lost") else "dim green")
    return out


def source_text(snapshot: Snapshot) -> Text:
    source = snapshot.source or "live"
    label = {"live": "live scan", "demo": "demo snapshot (not this host)"}.get(source, f"snapshot {clean(source, 80)}")
    out = Text(label, style="bold yellow" if source == "demo" else "dim", end="")
    if snapshot.taken_at:
        out.append(f" · taken {clean(snapshot.taken_at, 40)}", style="dim")
    if snapshot.host.hostname:
        out.append(f" · host {clean(snapshot.host.hostname, 60)}", style="dim")
    return out


class Summary(Vertical):
    """The top of the main screen: engines (one line, cut with …), source and verdict, and one status line.

    The status line (what-if counts, what the app is busy with, where reports went) has a fixed height,
    so a key that only changes the status (``w`` says "applying fix…" at once) repaints that one line
    and never moves the list below.
    """

    DEFAULT_CSS = """
    Summary { height: auto; padding: 0 1; background: $boost; }
    Summary > #engines { text-wrap: nowrap; text-overflow: ellipsis; }
    Summary > #status { height: 1; text-wrap: nowrap; text-overflow: ellipsis; }
    """

    def compose(self) -> ComposeResult:
        yield Static(id="engines")
        yield Static(id="verdict")
        yield Static(id="status")
        yield Static(id="info")

    def show_scanning(self, what: str) -> None:
        self.query_one("#engines", Static).update(
            Text.assemble((what, "bold"), ("  …the list fills in when it is done", "dim")))
        self.query_one("#status", Static).update(Text("? help · q quit", style="dim"), layout=False)

    def show_session(self, session: Session, live: dict[str, str] | None = None, busy: str = "",
                     info: str = "") -> None:
        snapshot = session.snapshot
        state = (id(session), id(session.findings), len(session.fixes), tuple(sorted((live or {}).items())))
        if state != self._shown:  # the engines and the verdict change only with the findings or the live state
            self._shown = state
            self.query_one("#engines", Static).update(engines_text(snapshot, live))
            self.query_one("#verdict", Static).update(verdict_text(session))
        self.query_one("#status", Static).update(status_text(session, busy), layout=False)
        if info != self._info:  # a lasting note (where the reports went): its own lines, wrapped
            self._info = info
            box = self.query_one("#info", Static)
            box.update(Text(clean(info, 1000), style="green"))
            box.display = bool(info)

    _shown: object = None
    _info = ""

    def on_mount(self) -> None:
        self.query_one("#info", Static).display = False


def verdict_text(session: Session) -> Text:
    snapshot = session.snapshot
    out = source_text(snapshot)
    if snapshot.problems:
        out.append(f" · {len(snapshot.problems)} collection problem{'s' if len(snapshot.problems) != 1 else ''}",
                   style="yellow")
    out.append("\n")
    has_root = any(f.impact == "host-root" for f in session.findings)
    out.append("▲ " if has_root else "✓ ", style="bold red" if has_root else "bold green")
    out.append(session.verdict(), style="bold")
    return out


def status_text(session: Session, busy: str = "") -> Text:
    """One line: the what-if counts, then what the app is doing, else the main keys."""
    out = Text(end="")
    line = session.whatif_line()
    if line:
        out.append(line, style="bold magenta")
    if busy:
        out.append(" · " if line else "")
        out.append(busy, style="italic yellow")
    elif line:
        out.append("  (u undo · W details)", style="dim")
    else:
        out.append("p paths · f fix · w what-if · g graph · d details · / filter · ? help", style="dim")
    return out
