"""Hostile engine strings stay text in every format: no markup, no script, no escape sequence."""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
from html.parser import HTMLParser

import pytest

from dindscope.reports import FORMATS, render_report
from tests.reports.hostile import HOSTILE_NAMES, IMG, SCRIPT, hostile_report

CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.raw: dict[str, list[str]] = {"style": [], "script": []}
        self._in: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in = tag if tag in self.raw else None

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        self._in = None

    def handle_data(self, data: str) -> None:
        if self._in:
            self.raw[self._in].append(data)


def _sha(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


@pytest.fixture(scope="module")
def outputs() -> dict[str, str]:
    report = hostile_report()
    return {fmt: render_report(fmt, report) for fmt in FORMATS}


def test_html_hostile_strings_are_text_not_markup(outputs: dict[str, str]) -> None:
    doc = outputs["html"]
    parser = Tags()
    parser.feed(doc)
    scripts = [attrs for tag, attrs in parser.tags if tag == "script"]
    assert scripts == [{"data-dindscope": None}], "only the report's own script may exist"
    handlers = [(tag, name) for tag, attrs in parser.tags for name in attrs if name.lower().startswith("on")]
    assert handlers == []
    forbidden = {"img", "iframe", "object", "embed", "link", "base", "form", "input", "frame"}
    assert [tag for tag, _ in parser.tags if tag in forbidden] == []
    assert all(attrs["href"].startswith("#") for tag, attrs in parser.tags if tag == "a")
    assert "javascript:" not in doc.lower().replace("javascript: ", "")
    # The hostile names are there, as escaped text.
    assert html.escape(SCRIPT, quote=True) in doc
    assert html.escape(IMG, quote=True) in doc
    assert SCRIPT not in doc and IMG not in doc


def test_html_content_security_policy_allows_only_its_own_style_and_script(outputs: dict[str, str]) -> None:
    parser = Tags()
    parser.feed(outputs["html"])
    metas = [a for t, a in parser.tags if t == "meta" and (a.get("http-equiv") or "").lower() ==
             "content-security-policy"]
    assert len(metas) == 1
    policy = metas[0]["content"] or ""
    assert "default-src 'none'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    (style,) = parser.raw["style"]
    (script,) = parser.raw["script"]
    assert f"style-src {_sha(style)};" in policy
    assert f"script-src {_sha(script)};" in policy
    assert not [a for t, a in parser.tags if "style" in a], "inline style attributes would need unsafe-inline"


def test_no_control_or_escape_sequences_in_any_format(outputs: dict[str, str]) -> None:
    for fmt, text in outputs.items():
        found = CONTROL.findall(text)
        assert not found, f"{fmt} carries control characters {found!r}"


def test_json_and_sarif_are_valid_json_and_keep_names_exact(outputs: dict[str, str]) -> None:
    data = json.loads(outputs["json"])
    assert data["findings"][0]["subject"]["name"] == SCRIPT  # JSON is data: exact, not escaped
    sarif = json.loads(outputs["sarif"])
    assert sarif["runs"][0]["results"][0]["locations"][0]["logicalLocations"][1]["name"] == SCRIPT


def _md_to_html(text: str) -> str:
    from markdown_it import MarkdownIt

    # html=True: GitHub and GitLab accept (sanitised) raw HTML in comments, so assume the worst.
    return MarkdownIt("commonmark", {"html": True}).enable("table").render(text)


def test_markdown_hostile_names_render_as_text(outputs: dict[str, str]) -> None:
    rendered = _md_to_html(outputs["markdown"])
    parser = Tags()
    parser.feed(rendered)
    tags = {tag for tag, _ in parser.tags}
    assert not tags & {"script", "img", "svg", "a", "b", "h1", "iframe"}, tags
    assert not [(t, n) for t, a in parser.tags for n in a if n.startswith("on")]
    text = html.unescape(re.sub(r"<[^>]+>", "", rendered))
    assert SCRIPT in text  # shown as the literal name


def test_markdown_table_rows_keep_their_columns(outputs: dict[str, str]) -> None:
    rendered = _md_to_html(outputs["markdown"])
    rows = re.findall(r"<tr>(.*?)</tr>", rendered, flags=re.S)
    assert len(rows) >= 1 + len(HOSTILE_NAMES)
    widths = {len(re.findall(r"<t[hd][ >]", row)) for row in rows[: 1 + len(HOSTILE_NAMES)]}
    assert widths == {6}, widths


def test_markdown_cannot_mention_or_link(outputs: dict[str, str]) -> None:
    md = outputs["markdown"]
    outside_fences = re.sub(r"(?ms)^\s*(`{3,})[^\n]*\n.*?^\s*\1\s*$", "", md)
    assert "@admin" not in outside_fences
    assert "http://evil" not in outside_fences
    assert "#1 " not in outside_fences


def test_markdown_fence_is_longer_than_any_backtick_run(outputs: dict[str, str]) -> None:
    md = outputs["markdown"]
    assert "````sh" in md  # the snippet holds ``` so the fence needs four
