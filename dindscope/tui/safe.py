"""Engine-derived strings, made safe to show.

Container names, labels, env and image names are attacker-controlled. Everything
the TUI shows from an engine goes through :func:`clean` (control characters and
escape sequences become visible ``\\x1b`` escapes) and is wrapped in a
:class:`rich.text.Text` by :func:`plain`, which never interprets markup.
"""

from __future__ import annotations

import re

from rich.text import Text

# C0 controls (incl. ESC, CR, LF, TAB), DEL, C1 controls, and Unicode bidi / zero-width
# format characters that can reorder or hide text in a terminal.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")

MAX_LEN = 500


def _escape(match: re.Match[str]) -> str:
    char = match.group(0)
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def clean(value: object, max_len: int = MAX_LEN, *, middle: bool = False) -> str:
    """Return ``value`` as one line of printable text: control characters shown escaped, long text cut.

    ``middle`` cuts in the middle and keeps the end, which tells CI names apart
    (``runner-x7k2p-pr…-concurrent-0-build``).
    """
    text = "" if value is None else str(value)
    text = _UNSAFE.sub(_escape, text)
    if len(text) > max_len:
        if middle and max_len >= 9:
            tail = (max_len - 1) // 2
            text = text[: max_len - 1 - tail] + "…" + text[-tail:]
        else:
            text = text[: max_len - 1] + "…"
    return text


def plain(value: object, style: str = "", max_len: int = MAX_LEN) -> Text:
    """A :class:`Text` holding ``value`` literally (no markup, no escapes), optionally styled."""
    return Text(clean(value, max_len), style=style, no_wrap=False, end="")


def join(*parts: Text | str, sep: str = "") -> Text:
    """Join ``Text`` parts (``str`` parts are *our own* literals, never engine data) into one ``Text``."""
    out = Text(end="")
    for i, part in enumerate(parts):
        if i and sep:
            out.append(sep)
        out.append(part if isinstance(part, Text) else Text(part))
    return out


def line(*pairs: tuple[object, str] | Text) -> Text:
    """Build a line from ``(value, style)`` pairs (values cleaned) and ready ``Text`` pieces."""
    out = Text(end="")
    for pair in pairs:
        if isinstance(pair, Text):
            out.append(pair)
        else:
            value, style = pair
            out.append(clean(value), style=style or None)
    return out


def clean_multiline(value: object, max_len: int = 20000) -> str:
    """Like :func:`clean` but keeps newlines (for text the user copies)."""
    return "\n".join(clean(part, max_len) for part in str(value).split("\n"))
