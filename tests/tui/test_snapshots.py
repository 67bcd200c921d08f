"""Screenshots of each view at 80x24 and 120x40 (pytest-textual-snapshot), on a fixed snapshot built in code.

Update after an intended change with ``pytest tests/tui/test_snapshots.py --snapshot-update`` and review the SVGs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from dindscope.app import DindscopeApp
from dindscope.tui.sources import Source
from dindscope.widgets.subject_table import SubjectTable
from tests.tui import sample
from tests.tui.conftest import analysis_available, wait_for

pytestmark = pytest.mark.skipif(not analysis_available(), reason="dindscope.analysis is not available")
SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]
MISSING = "unix:///tmp/dindscope-snapshot-test-missing.sock"


def fixed_app() -> DindscopeApp:
    return DindscopeApp(Source(snapshot=sample.snapshot(8, hostile=True), follow_events=False))


async def loaded(pilot: Any) -> None:
    app = pilot.app
    await wait_for(pilot, lambda: app.session is not None and app.query_one(SubjectTable).row_count > 0)


def then(*keys: str, until: Callable[[Any], bool] | None = None) -> Callable[[Any], Any]:
    async def run_before(pilot: Any) -> None:
        await loaded(pilot)
        for key in keys:
            await pilot.press(key)
        if until is not None:
            await wait_for(pilot, lambda: until(pilot.app))
        await pilot.pause()

    return run_before


@pytest.mark.parametrize("size", SIZES)
class TestMainScreen:
    def test_list(self, snap_compare: Any, size: tuple[int, int]) -> None:
        assert snap_compare(fixed_app(), terminal_size=size, run_before=then())

    def test_filtered(self, snap_compare: Any, size: tuple[int, int]) -> None:
        assert snap_compare(fixed_app(), terminal_size=size, run_before=then("slash", *"sev:high", "enter"))


@pytest.mark.parametrize("size", SIZES)
class TestPathsView:
    def test_paths_with_evidence(self, snap_compare: Any, size: tuple[int, int]) -> None:
        assert snap_compare(fixed_app(), terminal_size=size, run_before=then("p", "enter"))


@pytest.mark.parametrize("size", SIZES)
class TestFixPanel:
    def test_fix_panel(self, snap_compare: Any, size: tuple[int, int]) -> None:
        assert snap_compare(fixed_app(), terminal_size=size, run_before=then("f"))


@pytest.mark.parametrize("size", SIZES)
class TestWhatIf:
    def test_header_after_one_fix(self, snap_compare: Any, size: tuple[int, int]) -> None:
        done = then("w", until=lambda app: bool(app.session.fixes) and not app.busy)
        assert snap_compare(fixed_app(), terminal_size=size, run_before=done)


@pytest.mark.parametrize("size", SIZES)
class TestGraphView:
    def test_graph(self, snap_compare: Any, size: tuple[int, int]) -> None:
        assert snap_compare(fixed_app(), terminal_size=size, run_before=then("g"))


@pytest.mark.parametrize("size", SIZES)
class TestNoEngine:
    def test_no_engine(self, snap_compare: Any, size: tuple[int, int]) -> None:
        from dindscope.screens.noengine import NoEngineScreen

        app = DindscopeApp(Source(endpoints=[MISSING], timeout=1.0, follow_events=False))

        async def run_before(pilot: Any) -> None:
            await wait_for(pilot, lambda: isinstance(pilot.app.screen, NoEngineScreen))

        assert snap_compare(app, terminal_size=size, run_before=run_before)
