"""No engine reachable: say why (each collection problem), what to do about it, and offer the demo."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from dindscope.models import Problem
from dindscope.tui.safe import clean

ADVICE = {
    "permission-denied": "add your user to the group that owns the socket (e.g. `sudo usermod -aG docker $USER`, "
                         "then log in again), or run dindscope with sudo",
    "socket-missing": "start the engine (`sudo systemctl start docker`, `systemctl --user start podman.socket`) "
                      "or point DOCKER_HOST / CONTAINER_HOST / --engine at it",
    "engine-down": "the socket exists but nothing answers: restart the engine",
    "timeout": "the engine is slow: try again, or raise --timeout",
}


def no_engine_text(problems: list[Problem]) -> Text:
    out = Text("No container engine could be reached.\n\n", style="bold red", end="")
    if problems:
        out.append("What dindscope tried:\n", style="bold")
        for problem in problems[:30]:
            out.append("  • ")
            out.append(clean(str(problem), 300))
            out.append("\n")
    else:
        out.append("No Docker or Podman socket was found, and DOCKER_HOST / CONTAINER_HOST are not set.\n")
    out.append("\nWhat to do:\n", style="bold")
    codes = [p.code for p in problems] or ["socket-missing"]
    shown: set[str] = set()
    for code in codes:
        advice = ADVICE.get(code)
        if advice and code not in shown:
            shown.add(code)
            out.append("  • ")
            out.append(advice)
            out.append("\n")
    out.append("  • scan a snapshot taken elsewhere: dindscope --from FILE\n")
    out.append("\nPress ", style="")
    out.append("d", style="bold cyan")
    out.append(" to explore the demo snapshot of a CI build host, ")
    out.append("r", style="bold cyan")
    out.append(" to try again, ")
    out.append("q", style="bold cyan")
    out.append(" to quit.")
    return out


class NoEngineScreen(Screen[str]):
    BINDINGS = [
        Binding("d", "choose('demo')", "Demo", tooltip="Open the embedded demo snapshot", id="demo"),
        Binding("r", "choose('retry')", "Try again", tooltip="Scan the engines again", id="retry"),
        Binding("q", "choose('quit')", "Quit", tooltip="Quit dindscope", id="quit_noengine"),
    ]

    DEFAULT_CSS = """
    NoEngineScreen #why { padding: 1 2; }
    """

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__()
        self.problems = problems

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(no_engine_text(self.problems), id="why")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(VerticalScroll).focus()

    def action_choose(self, what: str) -> None:
        self.dismiss(what)
