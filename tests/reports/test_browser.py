"""Open the HTML report in real headless Chromium: it renders, loads nothing, runs nothing hostile.

Chromium is driven over the DevTools protocol through a pipe. Skipped when no
Chromium is installed, unless DINDSCOPE_REQUIRE_ENGINES=1 (then it must be).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from dindscope.reports import render_report
from tests.reports.browser import Browser, chromium, find_chromium, pixel_colours
from tests.reports.hostile import IMG, SCRIPT, hostile_report

HOST_GOAL_FILL = (253, 228, 231)  # svg .k-host rect fill (#fde4e7)
CONTAINER_FILL = (227, 236, 255)  # svg .k-container rect fill (#e3ecff)


@pytest.fixture(scope="module")
def chromium_binary() -> str:
    binary = find_chromium()
    if binary is None:
        if os.environ.get("DINDSCOPE_REQUIRE_ENGINES") == "1":
            pytest.fail("chromium is required (apt-get install chromium) but not installed", pytrace=False)
        pytest.skip("chromium not installed (apt-get install chromium)")
    return binary


def _foreign_requests(browser: Browser, page: Path) -> list[str]:
    urls = [p["request"]["url"] for p in browser.methods("Network.requestWillBeSent")]
    return [u for u in urls if u != page.as_uri()]


def _injected(browser: Browser) -> dict[str, object]:
    return browser.evaluate("""JSON.stringify({
        foreignScripts: document.querySelectorAll('script:not([data-dindscope])').length,
        handlers: [...document.querySelectorAll('*')].filter(e => [...e.attributes]
                      .some(a => a.name.toLowerCase().startsWith('on'))).length,
        media: document.querySelectorAll('img,iframe,object,embed,link,base').length,
        pwned: window.__pwned || null})""")


def test_report_renders_loads_nothing_and_runs_nothing(chromium_binary: str, tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    page.write_text(render_report("html", hostile_report()), encoding="utf-8")
    with chromium(chromium_binary) as browser:
        browser.open_page(page.as_uri())
        assert _foreign_requests(browser, page) == []
        assert browser.methods("Page.javascriptDialogOpening") == []
        assert json.loads(_injected(browser)) == {"foreignScripts": 0, "handlers": 0, "media": 0, "pwned": None}
        text = browser.evaluate("document.body.innerText")
        assert SCRIPT in text and IMG.strip() in text  # shown as text
        # The report's own script ran (CSP hash right): copy buttons are shown.
        assert browser.evaluate("document.querySelectorAll('button.copy:not([hidden])').length") > 0
        # Its stylesheet applied (CSP hash right): the header is dark.
        assert browser.evaluate("getComputedStyle(document.querySelector('header.top')).backgroundColor") \
            == "rgb(20, 26, 38)"
        violations = [e for e in browser.methods("Log.entryAdded")
                      if "Content Security Policy" in e.get("entry", {}).get("text", "")]
        assert violations == []
        # The diagrams are drawn: screenshot the whole-host graph and the first chain, look at the pixels.
        for selector in ("svg.graph", "svg.chain"):
            box = json.loads(browser.evaluate(
                f"JSON.stringify(document.querySelector('{selector}').getBoundingClientRect())"))
            assert box["width"] > 300 and box["height"] > 40
            colours = pixel_colours(browser.screenshot(
                {"x": box["x"], "y": box["y"] + browser.evaluate("window.scrollY"),
                 "width": box["width"], "height": box["height"]}))
            assert len(colours) > 50, f"{selector} looks blank"
            assert colours.get(HOST_GOAL_FILL, 0) > 500, f"{selector}: no host-goal box drawn"
            assert colours.get(CONTAINER_FILL, 0) > 500, f"{selector}: no container box drawn"


def test_report_reads_without_javascript(chromium_binary: str, tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    page.write_text(render_report("html", hostile_report()), encoding="utf-8")
    with chromium(chromium_binary) as browser:
        browser.open_page(page.as_uri(), javascript=False)
        assert browser.evaluate("document.querySelectorAll('button.copy:not([hidden])').length") == 0
        assert browser.evaluate("document.querySelectorAll('pre code').length") > 0
        assert browser.evaluate("document.querySelectorAll('svg.chain').length") == len(hostile_report()["findings"])


def test_harness_detects_injection_when_there_is_one(chromium_binary: str, tmp_path: Path) -> None:
    """Control: the same checks flag an unescaped page, so a pass above means something."""
    page = tmp_path / "bad.html"
    page.write_text(f"<!DOCTYPE html><html><body><p>{SCRIPT}</p><p>{IMG}</p>"
                    '<img src="https://example.invalid/x.png"></body></html>', encoding="utf-8")
    with chromium(chromium_binary) as browser:
        browser.open_page(page.as_uri())
        browser.drain(0.5)
        assert browser.methods("Page.javascriptDialogOpening")
        assert _foreign_requests(browser, page)
        assert json.loads(_injected(browser))["foreignScripts"] == 1
