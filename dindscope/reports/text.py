"""Safe text helpers shared by the report renderers.

Every string that came from an engine (container names, labels, image names,
evidence values) is attacker-controlled. These helpers make such a string
harmless in each output: control characters and terminal escape sequences are
removed and Markdown and HTML markup is neutralised.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping
from typing import Any

# C0 controls except tab/newline, DEL, C1 controls (0x9b is a one-byte CSI), and
# the bidi overrides that can make a name read differently than it is.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_ESC_SEQ = re.compile(r"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)?|[@-Z\\-_])")
_WS = re.compile(r"[\t\r\n]+")

SEVERITIES = ("critical", "high", "medium", "low", "info")
SEVERITY_RANK = {name: len(SEVERITIES) - i for i, name in enumerate(SEVERITIES)}


def clean(value: object, *, one_line: bool = True) -> str:
    """A printable version of an untrusted value: no escape sequences, no control characters."""
    text = "" if value is None else str(value)
    text = _ESC_SEQ.sub("", text)
    if one_line:
        text = _WS.sub(" ", text)
    return _CONTROL.sub("", text)


def shorten(text: str, width: int) -> str:
    """Cut ``text`` to ``width`` characters, marking the cut with an ellipsis."""
    if len(text) <= width:
        return text
    if width <= 1:
        return text[: max(width, 0)]
    return text[: width - 1] + "\u2026"


def esc_html(value: object, *, one_line: bool = True) -> str:
    """HTML-escape an untrusted value for element content and quoted attributes."""
    return html.escape(clean(value, one_line=one_line), quote=True)


# CommonMark lets any ASCII punctuation be backslash-escaped; these are the ones
# that start inline markup (GitLab's {+ +} diffs included). '<', '>', '&' become
# entities (raw HTML is the real risk), '@' and '#' entities so a name cannot
# mention a user or link an issue, and ':' before '//' so no URL is autolinked.
_MD_ESCAPE = frozenset("\\`*_[](){}|~!$")
_MD_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "@": "&#64;", "#": "&#35;"}


def esc_md(value: object, *, limit: int = 0) -> str:
    """Escape an untrusted value as inline Markdown text (also safe inside a table cell)."""
    text = clean(value)
    if limit:
        text = shorten(text, limit)
    out = []
    for index, ch in enumerate(text):
        if ch in _MD_ENTITIES:
            out.append(_MD_ENTITIES[ch])
        elif ch in _MD_ESCAPE:
            out.append("\\" + ch)
        elif ch == ":" and text.startswith("//", index + 1):
            out.append("&#58;")
        else:
            out.append(ch)
    return "".join(out) or "\u2014"


def md_fence(code: str, lang: str = "") -> str:
    """A fenced code block that no backtick run inside ``code`` can close."""
    body = clean(code, one_line=False).rstrip("\n")
    longest = max((len(m) for m in re.findall(r"`+", body)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{lang}\n{body}\n{fence}"


def severity_rank(severity: str) -> int:
    return SEVERITY_RANK.get(severity, 0)


def severity_counts(findings: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    counts = dict.fromkeys(SEVERITIES, 0)
    for finding in findings:
        sev = str(finding.get("severity", "info"))
        counts[sev if sev in counts else "info"] += 1
    return counts
