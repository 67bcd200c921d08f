"""Help: every key of every screen (as remapped by the keymap file), and how to remap them."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

from dindscope.tui.keymap import config_dir


def _key_label(binding: Binding, keymap: dict[str, str]) -> str:
    keys = keymap.get(binding.id or "", binding.key)
    display = binding.key_display if binding.id not in keymap and binding.key_display else keys
    return display.replace("escape", "esc").replace("question_mark", "?").replace("slash", "/")


def help_text(sections: list[tuple[str, list[Binding]]], keymap: dict[str, str]) -> Text:
    out = Text(end="")
    for title, bindings in sections:
        out.append(f"{title}\n", style="bold underline")
        for binding in bindings:
            out.append(f"  {_key_label(binding, keymap):<10}", style="bold cyan")
            out.append(f" {binding.description:<14}", style="bold")
            out.append(f" {binding.tooltip}\n" if binding.tooltip else "\n")
            if binding.id:
                pass
        out.append("\n")
    out.append("Remap keys in ", style="dim")
    out.append(str(config_dir() / "keys.toml"), style="dim italic")
    out.append(' with lines like  fix = "F"  (binding ids: see README, "Keys").\n', style="dim")
    out.append("ctrl+p opens the command palette with every action.", style="dim")
    return out


class HelpScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape,q,question_mark", "dismiss_help", "Close", tooltip="Close the help", id="close_help"),
    ]

    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll { width: 100%; max-width: 110; height: 100%; border: round $primary;
                                  background: $surface; padding: 0 1; }
    """

    def __init__(self, sections: list[tuple[str, list[Binding]]], keymap: dict[str, str]) -> None:
        super().__init__()
        self.sections = sections
        self.keymap = keymap

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(help_text(self.sections, self.keymap), id="help-text")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(VerticalScroll).focus()

    def action_dismiss_help(self) -> None:
        self.dismiss(None)
