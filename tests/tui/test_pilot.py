"""Drive every key of the TUI on a snapshot recorded from real engines and check what the screen shows."""

from __future__ import annotations

from pathlib import Path

import pytest

from dindscope.app import DindscopeApp, help_sections
from dindscope.models import Snapshot
from dindscope.screens.details import DetailsScreen
from dindscope.screens.fix import FixScreen
from dindscope.screens.graph import GraphScreen
from dindscope.screens.help import HelpScreen
from dindscope.screens.paths import PathsScreen
from dindscope.screens.whatif import WhatIfScreen
from dindscope.tui.rows import SubjectRow
from dindscope.tui.sources import Source
from dindscope.widgets.path_chain import fix_clipboard
from dindscope.widgets.subject_table import SubjectTable
from tests.tui import sample
from tests.tui.conftest import screen_text, wait_for

SIZE = (120, 40)


def app_for(snapshot: Snapshot) -> DindscopeApp:
    return DindscopeApp(Source(snapshot=snapshot, follow_events=False))


async def started(pilot: object, app: DindscopeApp) -> None:
    await wait_for(pilot, lambda: app.session is not None and app.query_one(SubjectTable).row_count > 0)


def worst_rows(app: DindscopeApp) -> list[SubjectRow]:
    rows = [r for r in app.rows if r.findings and r.worst and r.worst.remediations]
    assert rows, "the recorded snapshot should have at least one subject with an escape path and a fix"
    return sorted(rows, key=SubjectRow.sort_key)


async def select(pilot: object, app: DindscopeApp, row: SubjectRow) -> None:
    table = app.query_one(SubjectTable)
    table.move_cursor(row=table._order.index(row.key), animate=False)
    await pilot.pause()  # type: ignore[attr-defined]
    assert table.current_row is not None and table.current_row.key == row.key


async def test_main_screen_lists_subjects_worst_first_with_verdict(recorded: Snapshot) -> None:
    app = app_for(recorded)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot, app)
        text = screen_text(app)
        total = len(recorded.containers)
        assert f"of {total} container" in text and "can reach host root" in text
        for engine in recorded.engines:
            assert engine.kind in text
        table = app.query_one(SubjectTable)
        # Inside each group the rows are worst first.
        order = [table.rows_by_key.get(k) for k in table._order]
        group: list[SubjectRow] = []
        for row in [*order, None]:
            if row is None:
                assert [r.sort_key() for r in group] == sorted(r.sort_key() for r in group)
                group = []
            else:
                group.append(row)
        first = worst_rows(app)[0]
        assert first.subject.name[:25] in text


async def test_filter_by_severity_name_and_technique(recorded: Snapshot) -> None:
    app = app_for(recorded)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot, app)
        table = app.query_one(SubjectTable)
        await pilot.press("slash", *"sev:critical", "enter")
        shown = list(table.rows_by_key.values())
        expected = [r for r in app.rows if r.severity == "critical"]
        assert len(shown) == len(expected)
        assert all(r.severity == "critical" for r in shown)
        text = screen_text(app)
        assert "sev:critical" in text and f"{len(expected)} match" in text
        await pilot.press("escape")
        assert len(table.rows_by_key) == len(app.rows)
        target = worst_rows(app)[0]
        technique = target.worst.techniques[0]  # type: ignore[union-attr]
        await pilot.press("slash", *f"tech:{technique}", "enter")
        assert table.rows_by_key and all(technique in r.techniques for r in table.rows_by_key.values())
        assert target.key in table.rows_by_key
        await pilot.press("escape", "slash", *"no-such-subject-xyz", "enter")
        assert not table.rows_by_key and "No subject matches." in screen_text(app)


async def test_paths_view_shows_chains_and_evidence_on_demand(recorded: Snapshot) -> None:
    app = app_for(recorded)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot, app)
        row = worst_rows(app)[0]
        await select(pilot, app, row)
        await pilot.press("p")
        assert isinstance(app.screen, PathsScreen)
        text = screen_text(app)
        worst = row.worst
        assert worst is not None
        for node in worst.path:
            assert node.name[:30] in text
        evidence = next((e for s in worst.steps for e in s.evidence), None)
        if evidence:
            assert f"evidence: {evidence[:40]}" not in text
        await pilot.press("enter")
        text = screen_text(app)
        assert worst.steps[0].technique in text
        if evidence:
            assert evidence[:40] in text
        await pilot.press("escape")
        assert not isinstance(app.screen, PathsScreen)


async def test_fix_panel_and_copy(recorded: Snapshot) -> None:
    app = app_for(recorded)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot, app)
        row = worst_rows(app)[0]
        await select(pilot, app, row)
        await pilot.press("f")
        assert isinstance(app.screen, FixScreen)
        fix = row.worst.remediations[0]  # type: ignore[union-attr]
        text = screen_text(app)
        assert fix.title[:40] in text
        assert "Breaks:" in text and "May break for you:" in text
        await pilot.press("c")
        assert app.clipboard == fix_clipboard(fix)
        assert "Copied to the clipboard" in screen_text(app)


async def test_what_if_applies_stacks_and_undoes(recorded: Snapshot) -> None:
    from dindscope.analysis.whatif import what_if

    app = app_for(recorded)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot, app)
        session = app.session
        assert session is not None
        rows = worst_rows(app)
        row = rows[0]
        fix = row.worst.remediations[0]  # type: ignore[union-attr]
        await select(pilot, app, row)
        await pilot.press("w")
        await wait_for(pilot, lambda: bool(session.fixes) and not app.busy)
        expected = what_if(recorded, [fix.id], subject=row.subject.name)
        before, after = expected.root_paths
        assert after < before
        assert f"root paths: {before} -> {after}" in screen_text(app)
        # A second fix on another subject stacks.
        other = next((r for r in rows[1:] if r.subject != row.subject and app.row(r.key)
                      and app.row(r.key).findings), None)  # type: ignore[union-attr]
        if other is not None:
            other = app.row(other.key)
            await select(pilot, app, other)  # type: ignore[arg-type]
            await pilot.press("w")
            await wait_for(pilot, lambda: len(session.fixes) == 2 and not app.busy)
            assert "what-if (2 fixes)" in screen_text(app)
            await pilot.press("W")
            assert isinstance(app.screen, WhatIfScreen)
            assert "Removed (" in screen_text(app)
            await pilot.press("escape", "u")
            await wait_for(pilot, lambda: len(session.fixes) == 1 and not app.busy)
        # w on the same subject again undoes it.
        await select(pilot, app, app.row(row.key))  # type: ignore[arg-type]
        await pilot.press("w")
        await wait_for(pilot, lambda: not session.fixes and not app.busy)
        assert "root paths:" not in screen_text(app)


async def test_graph_and_details(recorded: Snapshot) -> None:
    app = app_for(recorded)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot, app)
        row = next(r for r in worst_rows(app) if r.container is not None)
        await select(pilot, app, row)
        await pilot.press("g")
        assert isinstance(app.screen, GraphScreen)
        text = screen_text(app)
        assert "escape path" in text and row.worst.path[-1].name[:20] in text  # type: ignore[union-attr]
        assert all(len(line) <= 80 for line in text.splitlines())
        await pilot.press("escape", "d")
        assert isinstance(app.screen, DetailsScreen)
        text = screen_text(app)
        assert "Capabilities" in text or "Mounts" in text
        for var in row.container.env:  # type: ignore[union-attr]
            if var.redacted:
                assert var.value is None or var.value not in text


async def test_enter_opens_details(recorded: Snapshot) -> None:
    app = app_for(recorded)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot, app)
        await select(pilot, app, worst_rows(app)[0])
        await pilot.press("enter")
        assert isinstance(app.screen, DetailsScreen)


async def test_export_writes_reports_of_the_current_state(recorded: Snapshot, tmp_path: Path) -> None:
    app = app_for(recorded)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot, app)
        await select(pilot, app, worst_rows(app)[0])
        await pilot.press("w")
        await wait_for(pilot, lambda: bool(app.session and app.session.fixes) and not app.busy)
        await pilot.press("e")
        stem = tmp_path / "report"
        box = app.screen.query_one("Input")
        box.value = str(stem)  # type: ignore[attr-defined]
        await pilot.press("enter")
        await wait_for(pilot, lambda: bool(app.last_export))
        await pilot.pause(0.2)
        written = [Path(p) for p in app.last_export]
        assert all(p.exists() and p.stat().st_size > 0 for p in written)
        assert {p.suffix for p in written} >= {".json", ".md", ".html", ".sarif"}
        text = screen_text(app)
        assert "Reports written" in text and str(tmp_path) in text


async def test_help_lists_every_key_and_rescan_and_quit(recorded: Snapshot) -> None:
    app = app_for(recorded)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot, app)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        help_text = app.screen.query_one("#help-text").content  # type: ignore[attr-defined]
        for _, bindings in help_sections():
            for binding in bindings:
                assert binding.description in str(help_text)
        await pilot.press("escape", "r")
        await wait_for(pilot, lambda: app.scans >= 2)
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0


async def test_command_palette_offers_every_action(recorded: Snapshot) -> None:
    app = app_for(recorded)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot, app)
        await select(pilot, app, worst_rows(app)[0])
        await pilot.press("ctrl+p", *"Graph")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, GraphScreen), timeout=5)


async def test_keys_are_remappable_from_the_config_dir(recorded: Snapshot, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "keys.toml").write_text('[keys]\nfix = "x"\ngraph = "G"\n', encoding="utf-8")
    monkeypatch.setenv("DINDSCOPE_CONFIG_DIR", str(tmp_path))
    app = app_for(recorded)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot, app)
        await select(pilot, app, worst_rows(app)[0])
        await pilot.press("f")
        assert not isinstance(app.screen, FixScreen)
        await pilot.press("x")
        assert isinstance(app.screen, FixScreen)
        await pilot.press("escape", "G")
        assert isinstance(app.screen, GraphScreen)


async def test_filter_by_name_and_engine(recorded: Snapshot) -> None:
    app = app_for(recorded)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot, app)
        table = app.query_one(SubjectTable)
        target = worst_rows(app)[0]
        word = target.subject.name[:12]
        await pilot.press("slash", *word, "enter")
        shown = list(table.rows_by_key.values())
        assert target.key in table.rows_by_key
        assert all(word.lower() in " ".join((r.subject.name, r.subject.engine, *r.techniques, r.severity, r.impact,
                                             r.state, r.subject.kind)).lower() for r in shown)
        assert len(shown) < len(app.rows)
        kinds = {e.kind for e in recorded.engines}
        assert {"docker", "podman"} <= kinds, "the recorded host has both engines"
        await pilot.press("escape", "slash", *"engine:podman", "enter")
        shown = list(table.rows_by_key.values())
        podman = {e.key for e in recorded.engines if e.kind == "podman"}
        expected = [r for r in app.rows if r.subject.engine in podman]
        assert shown and len(shown) == len(expected)
        assert all(r.subject.engine in podman for r in shown)
        text = screen_text(app)
        docker_only = [c.name for c in recorded.containers if c.engine not in podman]
        assert docker_only and not any(f" {name[:25]}" in text for name in docker_only)
        assert f"{len(expected)} match" in text


async def test_evidence_of_every_path_with_a(recorded: Snapshot) -> None:
    app = app_for(recorded)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot, app)
        row = max(worst_rows(app), key=lambda r: len(r.findings))
        await select(pilot, app, row)
        await pilot.press("p")
        assert "enter: steps and evidence" in screen_text(app)
        await pilot.press("a")
        assert app.screen.expanded == {f.id for f in row.findings}  # type: ignore[attr-defined]
        assert "evidence:" in screen_text(app) and "enter: steps and evidence" not in screen_text(app)


async def test_command_palette_lists_every_action_of_the_screen(recorded: Snapshot) -> None:
    from textual.command import CommandList

    from dindscope.screens.main import MainScreen

    app = app_for(recorded)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot, app)
        await select(pilot, app, worst_rows(app)[0])
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: app.screen.query(CommandList) and
                       app.screen.query_one(CommandList).option_count > 0, timeout=5)
        await pilot.pause(0.3)
        options = app.screen.query_one(CommandList)
        prompts = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        wanted = [b for b in MainScreen.BINDINGS + DindscopeApp.BINDINGS
                  if b.action != "command_palette"]  # type: ignore[operator]
        for binding in wanted:
            assert any(binding.description in p for p in prompts), f"{binding.description} missing from palette"
        await pilot.press(*"rescan", "enter")
        await wait_for(pilot, lambda: app.scans >= 2)


async def test_hostile_names_render_literally_on_every_screen() -> None:
    from dindscope.screens.paths import PathsScreen

    snapshot = sample.snapshot(4, hostile=True)
    snapshot.host.hostname = sample.HOSTILE_NAME
    snapshot.engines[0].context = sample.HOSTILE_NAME
    literal = "[bold red]x[/]\\x1b[31mred"
    app = app_for(snapshot)
    async with app.run_test(size=(160, 50)) as pilot:
        await started(pilot, app)
        row = next(r for r in app.rows if r.subject.name == sample.HOSTILE_NAME)
        assert row.findings, "the hostile container mounts the socket: it has a path"
        await select(pilot, app, row)

        def check(where: str, count: int = 1) -> None:
            text = screen_text(app)
            assert text.count(literal) >= count, f"{where}: name not shown literally:\n{text}"
            assert "\x1b" not in text and "[bold red]x[/]red" not in text, where

        check("header, list and preview", 3)  # host in the header, context in the engines line, list, preview
        await pilot.press("p")
        assert isinstance(app.screen, PathsScreen)
        check("paths title and chain", 2)
        await pilot.press("enter")
        check("paths evidence", 2)
        await pilot.press("f")
        assert isinstance(app.screen, FixScreen)
        check("fix panel title and chain", 2)
        await pilot.press("escape", "g")
        assert isinstance(app.screen, GraphScreen)
        check("graph", 2)
        await pilot.press("d")
        assert isinstance(app.screen, DetailsScreen)
        check("details")
        assert "s3cr3t-value-123" not in screen_text(app)
        await pilot.press("escape", "escape", "escape")
        await pilot.press("w")
        await wait_for(pilot, lambda: bool(app.session and app.session.fixes) and not app.busy)
        await pilot.press("W")
        assert isinstance(app.screen, WhatIfScreen)
        check("what-if list")


async def test_no_color_is_respected(recorded: Snapshot, monkeypatch: pytest.MonkeyPatch) -> None:
    def colours(app: DindscopeApp) -> set[tuple[int, int, int]]:
        found = set()
        for strip in app.screen._compositor.render_strips():
            for segment in strip:
                style = segment.style
                for colour in (style.color, style.bgcolor) if style else ():
                    if colour is not None and colour.triplet is not None:
                        found.add(tuple(colour.triplet))
        return found

    app = app_for(recorded)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot, app)
        assert any(len(set(c)) > 1 for c in colours(app)), "with colour, badges and the header are coloured"
    monkeypatch.setenv("NO_COLOR", "1")
    app = app_for(recorded)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot, app)
        assert app.no_color
        found = colours(app)
        assert found and all(len(set(c)) == 1 for c in found), "NO_COLOR: only shades of grey"
        text = screen_text(app)
        assert "CRIT" in text or "HIGH" in text, "severity stays readable as words"


async def test_usable_at_80x24(recorded: Snapshot) -> None:
    app = app_for(recorded)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot, app)
        text = screen_text(app)
        lines = text.splitlines()
        assert len(lines) == 24 and all(len(line) <= 80 for line in lines)
        assert "can reach host root" in text
        assert "f Fix" in lines[-1] and "q Quit" in lines[-1], "the footer shows the main keys"
        table = app.query_one(SubjectTable)
        assert table.size.height >= 8, "at least 8 rows of the list are visible at 80x24"
        await select(pilot, app, worst_rows(app)[0])
        for key, screen in (("p", PathsScreen), ("f", FixScreen), ("g", GraphScreen), ("d", DetailsScreen)):
            await pilot.press(key)
            assert isinstance(app.screen, screen)
            text = screen_text(app)
            assert all(len(line) <= 80 for line in text.splitlines())
            assert "esc Back" in text.splitlines()[-1]
            await pilot.press("escape")
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape", "q")
        await pilot.pause()
    assert app.return_code == 0
