"""Ask where to write the reports (keyboard only): enter writes, esc cancels."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static


class ExportScreen(ModalScreen[str | None]):
    BINDINGS = [Binding("escape", "cancel", "Cancel", tooltip="Do not export", id="cancel_export")]

    DEFAULT_CSS = """
    ExportScreen { align: center middle; }
    ExportScreen > Vertical { width: 90%; max-width: 100; height: auto; border: round $primary;
                              background: $surface; padding: 0 1; }
    """

    def __init__(self, default: str, formats: list[str], whatif: str) -> None:
        super().__init__()
        self.default = default
        self.formats = formats
        self.whatif = whatif

    def compose(self) -> ComposeResult:
        with Vertical():
            info = Text("Export the current state as ", end="")
            info.append(", ".join(self.formats), style="bold")
            if self.whatif:
                info.append(f"\nincluding the what-if: {self.whatif}", style="magenta")
            info.append("\nDirectory (enter writes, esc cancels):", style="dim")
            yield Static(info)
            yield Input(value=self.default, id="export-path")

    def on_mount(self) -> None:
        box = self.query_one(Input)
        box.cursor_blink = getattr(self.app, "CURSOR_BLINK", True)
        box.focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip() or None)

    def action_cancel(self) -> None:
        self.dismiss(None)
