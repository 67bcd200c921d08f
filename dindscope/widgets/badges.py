"""Severity badges, state and kind styles: meaning carried by the words, colour only helps (NO_COLOR)."""

from __future__ import annotations

from rich.text import Text

BADGE = {
    "critical": ("CRIT", "bold white on red"),
    "high": ("HIGH", "bold red"),
    "medium": ("MED ", "bold yellow"),
    "low": ("LOW ", "cyan"),
    "info": ("INFO", "dim"),
    "none": (" ok ", "green"),
}

IMPACT_WORDS = {"host-root": "host root", "host-write": "host write", "host-read": "host read"}

KIND_STYLE = {
    "container": "bold",
    "endpoint": "magenta",
    "engine": "cyan",
    "path": "yellow",
    "device": "yellow",
    "user": "blue",
    "network": "green",
    "host": "bold red",
}

STATE_STYLE = {"running": "green", "paused": "yellow", "created": "dim", "exited": "dim"}


def badge(severity: str) -> Text:
    word, style = BADGE.get(severity, (severity[:4].upper(), ""))
    return Text(word, style=style, end="")


def impact_word(impact: str) -> str:
    return IMPACT_WORDS.get(impact, impact or "-")
