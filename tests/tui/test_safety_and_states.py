"""Hostile names render literally; no engine gives a helpful screen; keymap files and filters behave."""

from __future__ import annotations

import os
from pathlib import Path

from rich.text import Text

from dindscope.app import DindscopeApp, known_binding_ids
from dindscope.screens.details import DetailsScreen
from dindscope.screens.noengine import NoEngineScreen
from dindscope.tui.keymap import load_keymap
from dindscope.tui.rows import build_rows, matches
from dindscope.tui.safe import clean, plain
from dindscope.tui.sources import Source
from dindscope.widgets.subject_table import SubjectTable
from tests.tui import sample
from tests.tui.conftest import analysis_available, screen_text, wait_for


def test_clean_escapes_control_characters_and_bidi() -> None:
    assert clean("a\x1b[31mb\x07\r\n\u202e") == "a\\x1b[31mb\\x07\\x0d\\x0a\\u202e"
    assert clean("x" * 1000, 10) == "x" * 9 + "…"
    text = plain("[bold red]x[/]")
    assert isinstance(text, Text) and text.plain == "[bold red]x[/]" and not text.spans


async def test_hostile_subject_renders_literally() -> None:
    snapshot = sample.snapshot(4, hostile=True)
    kwargs = {} if analysis_available() else {"analyze_fn": lambda s: []}
    app = DindscopeApp(Source(snapshot=snapshot, follow_events=False), **kwargs)  # type: ignore[arg-type]
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.query_one(SubjectTable).row_count > 0)
        text = screen_text(app)
        assert "[bold red]x[/]\\x1b[31mred" in text
        assert "\x1b" not in text
        table = app.query_one(SubjectTable)
        key = next(k for k, r in table.rows_by_key.items() if r.subject.name == sample.HOSTILE_NAME)
        table.move_cursor(row=table._order.index(key), animate=False)
        await pilot.pause()
        cell = table.get_row(key)[2]
        assert isinstance(cell, Text) and not cell.spans and "[bold red]" in cell.plain
        await pilot.press("d")
        assert isinstance(app.screen, DetailsScreen)
        text = str(app.screen.query_one("#facts").content) + screen_text(app)  # type: ignore[attr-defined]
        assert "[link=http://evil]click[/link]" in text  # a label value, shown as typed
        assert "s3cr3t-value-123" not in text  # API_TOKEN is redacted
        assert "\x1b" not in text


async def test_no_engine_screen_explains_and_quits_with_3() -> None:
    missing = f"unix:///tmp/dindscope-{os.getpid()}-none.sock"
    app = DindscopeApp(Source(endpoints=[missing], timeout=1.0, follow_events=False))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, NoEngineScreen))
        text = screen_text(app)
        assert "No container engine could be reached" in text
        assert f"dindscope-{os.getpid()}-none.sock" in text
        assert "demo" in text
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 3


def test_keymap_file_toml_and_yaml(tmp_path: Path) -> None:
    known = known_binding_ids()
    assert {"fix", "what_if", "graph", "details", "export", "rescan", "help", "quit", "filter"} <= known
    (tmp_path / "keys.toml").write_text('[keys]\nfix = "x"\nnope = "y"\nquit = ["q", "ctrl+q"]\n')
    result = load_keymap(known, tmp_path)
    assert result.keymap == {"fix": "x", "quit": "q,ctrl+q"}
    assert any("nope" in p for p in result.problems)
    (tmp_path / "keys.toml").unlink()
    (tmp_path / "keys.yaml").write_text("graph: G\n")
    assert load_keymap(known, tmp_path).keymap == {"graph": "G"}
    (tmp_path / "keys.yaml").write_text("graph: [unclosed\n")
    broken = load_keymap(known, tmp_path)
    assert broken.keymap == {} and "cannot read key config" in broken.problems[0]


def test_rows_cover_every_container_and_filter_words() -> None:
    snapshot = sample.snapshot(10)
    rows = build_rows(snapshot, [])
    names = {r.subject.name for r in rows if r.subject.kind == "container"}
    assert names == {c.name for c in snapshot.containers}
    assert any(r.subject.kind == "user" for r in rows)
    assert any(r.subject.kind == "endpoint" and "2375" in r.subject.name for r in rows)
    job = next(r for r in rows if r.subject.name == "job-0004")
    assert matches(job, "job-0004") and matches(job, "engine:docker state:running")
    assert not matches(job, "sev:low") and not matches(job, "kind:user")
