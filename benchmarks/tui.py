"""TUI speed on a synthetic snapshot of 1,000 containers (shapes as recorded from real engines).

Prints: time to first screen, time to a fully populated subjects list (scan worker + analysis +
table), key-to-update latency for cursor moves and for ``w`` (what-if recompute in a worker),
and the same list-fill time for a bare DataTable app as the in-process baseline.
Goals: first screen < 1 s, full list < 2 s, key latency < 100 ms.

    .venv/bin/python benchmarks/tui.py [N]
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from textual.app import App, ComposeResult
from textual.widgets import DataTable

from dindscope.app import DindscopeApp
from dindscope.screens.main import MainScreen
from dindscope.tui.sources import Source
from dindscope.widgets.subject_table import SubjectTable
from tests.tui import sample


async def until(pilot: object, condition: object, timeout: float = 60.0) -> None:
    deadline = time.perf_counter() + timeout
    while not condition():  # type: ignore[operator]
        if time.perf_counter() > deadline:
            raise TimeoutError
        await asyncio.sleep(0.002)


class Baseline(App[None]):
    def __init__(self, n: int) -> None:
        super().__init__()
        self.n = n

    def compose(self) -> ComposeResult:
        yield DataTable()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("Sev", "State", "Name", "Reaches", "Steps", "Via")
        for i in range(self.n):
            table.add_row("CRIT", "running", f"job-{i}", "host root", "3", "socket-mount", key=str(i))


async def measure(n: int) -> dict[str, float | list[float]]:
    snapshot = sample.snapshot(n)
    out: dict[str, float | list[float]] = {}
    first: list[float] = []
    start = time.perf_counter()

    class Timed(DindscopeApp):
        def on_mount(self) -> None:
            super().on_mount()
            self.call_after_refresh(lambda: first.append(time.perf_counter() - start))

    app = Timed(Source(snapshot=snapshot, follow_events=False))
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: bool(first))
        out["first_screen"] = first[0]
        table = app.query_one(SubjectTable)
        await until(pilot, lambda: table.row_count >= n)
        await pilot.pause()
        out["full_list"] = time.perf_counter() - start
        out["rows"] = float(table.row_count)
        moves = []
        for _ in range(30):
            before = table.cursor_row
            t0 = time.perf_counter()
            await pilot.press("down")
            await until(pilot, lambda b=before: table.cursor_row != b)
            await pilot.pause()  # the preview below the list is redrawn too
            moves.append(time.perf_counter() - t0)
        out["cursor"] = moves
        # what-if: pick the worst subject, press w, wait for the recomputed header; then w again (undo).
        table.move_cursor(row=1, animate=False)
        await pilot.pause()
        whatifs, feedback = [], []
        for _ in range(4):
            applied = bool(app.session.fixes)  # type: ignore[union-attr]
            t0 = time.perf_counter()
            await pilot.press("w")
            feedback.append(time.perf_counter() - t0)  # "recomputing the what-if…" is on screen
            await until(pilot, lambda a=applied: bool(app.session.fixes) != a and not app.busy)  # type: ignore[union-attr]
            await pilot.pause()
            whatifs.append(time.perf_counter() - t0)
        out["what_if"] = whatifs
        out["what_if_feedback"] = feedback
        assert isinstance(app.screen, MainScreen)
    base_start = time.perf_counter()
    base = Baseline(n)
    async with base.run_test(size=(120, 40)) as pilot:
        table = base.query_one(DataTable)
        await until(pilot, lambda: table.row_count >= n)
        await pilot.pause()
        out["baseline_full_list"] = time.perf_counter() - base_start
        moves = []
        for _ in range(30):
            before = table.cursor_row
            t0 = time.perf_counter()
            await pilot.press("down")
            await until(pilot, lambda b=before: table.cursor_row != b)
            await pilot.pause()
            moves.append(time.perf_counter() - t0)
        out["baseline_cursor"] = moves
    from dindscope.analysis import analyze

    t0 = time.perf_counter()
    analyze(snapshot)
    out["analysis"] = time.perf_counter() - t0
    return out


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    r = asyncio.run(measure(n))
    cursor = r["cursor"]
    whatif = r["what_if"]
    assert isinstance(cursor, list) and isinstance(whatif, list)
    print(f"dindscope TUI, {n} containers ({int(r['rows'])} rows incl. group rows, users, endpoints)")  # type: ignore[arg-type]
    print(f"  first screen           {r['first_screen'] * 1000:8.1f} ms   (goal < 1000 ms)")  # type: ignore[operator]
    print(f"  full list              {r['full_list'] * 1000:8.1f} ms   (goal < 2000 ms; scan worker + analysis + table)")  # type: ignore[operator]  # noqa: E501
    print(f"  baseline bare DataTable{r['baseline_full_list'] * 1000:8.1f} ms   "  # type: ignore[operator]
          f"(ratio {r['full_list'] / r['baseline_full_list']:.2f}x)")  # type: ignore[operator]
    base_cursor = r["baseline_cursor"]
    assert isinstance(base_cursor, list)
    print(f"  analysis alone         {r['analysis'] * 1000:8.1f} ms   (dindscope.analysis.analyze, same snapshot)")  # type: ignore[operator]
    print(f"  cursor move   median   {statistics.median(cursor) * 1000:8.1f} ms   "
          f"max {max(cursor) * 1000:.1f} ms (goal < 100 ms)")
    print(f"  baseline cursor median {statistics.median(base_cursor) * 1000:8.1f} ms   (bare DataTable, same pilot; "
          f"ratio {statistics.median(cursor) / statistics.median(base_cursor):.2f}x)")
    feedback = r["what_if_feedback"]
    assert isinstance(feedback, list)
    print(f"  w to feedback median   {statistics.median(feedback) * 1000:8.1f} ms   (header says 'recomputing')")
    print(f"  what-if (w)   median   {statistics.median(whatif) * 1000:8.1f} ms   "
          f"max {max(whatif) * 1000:.1f} ms (goal < 100 ms; full recompute of the host in a worker)")


if __name__ == "__main__":
    main()
