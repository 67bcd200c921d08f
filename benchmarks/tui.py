"""TUI speed on a synthetic snapshot of 1,000 containers (shapes as recorded from real engines).

Prints: time to first screen, time to a fully populated subjects list (scan worker + analysis +
table), and key-to-update latency for cursor moves and for ``w`` (what-if), each next to a bare
DataTable app run in the same process as the baseline.
Goals: first screen < 1 s, full list < 2 s, key latency < 100 ms.

Key-to-update is measured inside the app, not through the test pilot (whose ``press`` sleeps at
least 2 x 20 ms and waits for the process to go idle): the key event is posted straight into the
app's queue (as the terminal driver does) and the clock stops at the first frame the compositor
renders in which the affected widget shows the change (a hook on ``App._display``, which every
frame goes through, headless too). For the cursor that is the list's cursor row, and separately
the preview below the list (throttled while keys repeat, reported on its own); for ``w`` it is the header's
"applying fix…" line (the immediate update), and separately the recomputed "root paths: N -> M"
(what-if in a thread worker).

    .venv/bin/python benchmarks/tui.py [N]
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from textual import events
from textual.app import App, ComposeResult
from textual.widgets import DataTable

from dindscope.app import DindscopeApp
from dindscope.screens.main import MainScreen, Preview
from dindscope.tui.sources import Source
from dindscope.widgets.subject_table import SubjectTable
from tests.tui import sample

MOVES = 40


class FrameProbe:
    """Stops clocks at the first rendered frame in which a condition holds."""

    def __init__(self, app: App[Any]) -> None:
        self.app = app
        self.waiting: list[tuple[Callable[[], bool], asyncio.Future[float]]] = []
        self.t0 = 0.0
        original = app._display

        def display(screen: Any, renderable: Any) -> None:
            original(screen, renderable)
            if renderable is None or not self.waiting:
                return
            now = time.perf_counter()
            still = []
            for condition, future in self.waiting:
                if future.done():
                    continue
                if condition():
                    future.set_result(now - self.t0)
                else:
                    still.append((condition, future))
            self.waiting = still

        app._display = display  # type: ignore[method-assign]

    async def key(self, key: str, *conditions: Callable[[], bool], timeout: float = 30.0) -> list[float]:
        """Post ``key`` as the driver would; seconds until each condition first shows in a frame."""
        loop = asyncio.get_running_loop()
        futures = [loop.create_future() for _ in conditions]
        self.waiting = list(zip(conditions, futures, strict=True))
        self.t0 = time.perf_counter()
        event = events.Key(key, None)
        event.set_sender(self.app)
        self.app.post_message(event)
        return list(await asyncio.wait_for(asyncio.gather(*futures), timeout))


async def until(condition: Callable[[], bool], timeout: float = 60.0) -> None:
    deadline = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError
        await asyncio.sleep(0.002)


async def settle(pilot: Any) -> None:
    """Let timers and pending refreshes run before the next key (a person types slower than this)."""
    await asyncio.sleep(0.12)
    await pilot.pause()


class Baseline(App[None]):
    def __init__(self, n: int) -> None:
        super().__init__()
        self.n = n

    def compose(self) -> ComposeResult:
        yield DataTable(cursor_type="row")

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("Sev", "State", "Name", "Reaches", "Steps", "Via")
        for i in range(self.n):
            table.add_row("CRIT", "running", f"job-{i}", "host root", "3", "socket-mount", key=str(i))
        table.focus()


async def cursor_moves(pilot: Any, probe: FrameProbe, table: DataTable[Any], preview: Preview | None,
                       pilot_too: bool = True) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {"list": [], "preview": [], "pilot": []}
    for _ in range(MOVES):
        target = table.cursor_row + 1
        conditions: list[Callable[[], bool]] = [lambda t=target: table.cursor_row == t]
        if preview is not None:
            key = table._order[target]  # type: ignore[attr-defined]
            conditions.append(lambda k=key: preview.shown_key == k)
        times = await probe.key("down", *conditions)
        out["list"].append(times[0])
        if preview is not None:
            out["preview"].append(times[1])
        await settle(pilot)
    if pilot_too:  # the old measure, through the pilot's press (its own sleeps included), for comparison
        for _ in range(10):
            before = table.cursor_row
            t0 = time.perf_counter()
            await pilot.press("down")
            await until(lambda b=before: table.cursor_row != b)
            await pilot.pause()
            out["pilot"].append(time.perf_counter() - t0)
            await settle(pilot)
    return out


async def measure(n: int) -> dict[str, Any]:
    snapshot = sample.snapshot(n)
    out: dict[str, Any] = {}
    first: list[float] = []
    start = time.perf_counter()

    class Timed(DindscopeApp):
        def on_mount(self) -> None:
            super().on_mount()
            self.call_after_refresh(lambda: first.append(time.perf_counter() - start))

    app = Timed(Source(snapshot=snapshot, follow_events=False))
    async with app.run_test(size=(120, 40)) as pilot:
        probe = FrameProbe(app)
        await until(lambda: bool(first))
        out["first_screen"] = first[0]
        table = app.query_one(SubjectTable)
        await until(lambda: table.row_count >= n)
        await pilot.pause()
        out["full_list"] = time.perf_counter() - start
        out["rows"] = table.row_count
        table.move_cursor(row=1, animate=False)
        await settle(pilot)
        out["cursor"] = await cursor_moves(pilot, probe, table, app.screen.query_one(Preview))
        # what-if on the worst subject: w applies, w again undoes.
        table.move_cursor(row=1, animate=False)
        await settle(pilot)
        session = app.session
        assert session is not None
        immediate, result = [], []
        for _ in range(6):
            applied = bool(session.fixes)
            times = await probe.key(
                "w",
                lambda: any(w in app.busy for w in ("applying", "undoing", "recomputing")),
                lambda a=applied: bool(session.fixes) != a and not app.busy)
            immediate.append(times[0])
            result.append(times[1])
            await settle(pilot)
        out["what_if_immediate"], out["what_if_result"] = immediate, result
        assert isinstance(app.screen, MainScreen)
    base_start = time.perf_counter()
    base = Baseline(n)
    async with base.run_test(size=(120, 40)) as pilot:
        probe = FrameProbe(base)
        table = base.query_one(DataTable)
        await until(lambda: table.row_count >= n)
        await pilot.pause()
        out["baseline_full_list"] = time.perf_counter() - base_start
        await settle(pilot)
        out["baseline_cursor"] = await cursor_moves(pilot, probe, table, None)
    from dindscope.analysis import analyze
    from dindscope.tui.session import Session

    t0 = time.perf_counter()
    analysis = analyze(snapshot)
    out["analysis"] = time.perf_counter() - t0
    worst = min((f for f in analysis.findings if f.remediations and f.subject.kind == "container"),
                key=lambda f: (-len(f.steps),))
    from dindscope.tui.session import AppliedFix

    s = Session(snapshot, analysis)
    t0 = time.perf_counter()
    s.evaluate([AppliedFix(worst.remediations[0].id, worst.remediations[0].title, worst.subject)])
    out["what_if_alone"] = time.perf_counter() - t0
    return out


def ms(values: list[float] | float) -> str:
    if isinstance(values, list):
        p90 = sorted(values)[max(0, int(len(values) * 0.9) - 1)]
        median = statistics.median(values)
        return f"median {median * 1000:7.1f} ms  p90 {p90 * 1000:6.1f}  max {max(values) * 1000:6.1f}"
    return f"{values * 1000:8.1f} ms"


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    r = asyncio.run(measure(n))
    c, b = r["cursor"], r["baseline_cursor"]
    med = statistics.median
    print(f"dindscope TUI, {n} containers ({r['rows']} rows incl. group rows, users, endpoints)")
    print(f"  first screen             {ms(r['first_screen'])}   (goal < 1000 ms)")
    print(f"  full list                {ms(r['full_list'])}   (goal < 2000 ms; scan worker + analysis + table)")
    print(f"  baseline bare DataTable  {ms(r['baseline_full_list'])}   "
          f"(ratio {r['full_list'] / r['baseline_full_list']:.2f}x)")
    print(f"  analysis alone           {ms(r['analysis'])}   (dindscope.analysis.analyze, same snapshot)")
    print("key-to-update, measured in the app (key posted -> first frame showing the change), goal < 100 ms:")
    print(f"  cursor: list row         {ms(c['list'])}")
    print(f"  cursor: preview below    {ms(c['preview'])}   (same frame as the cursor; 20/s while keys repeat)")
    print(f"  baseline bare DataTable  {ms(b['list'])}   "
          f"(ratio list {med(c['list']) / med(b['list']):.2f}x)")
    print(f"  w: 'applying fix…' shown {ms(r['what_if_immediate'])}")
    print(f"  w: recomputed result     {ms(r['what_if_result'])}   (what-if in a thread worker, UI not blocked)")
    print(f"  what-if alone            {ms(r['what_if_alone'])}   (Session.evaluate, no UI)")
    print("through the test pilot (press + its own idle waits, >= 40 ms by construction):")
    print(f"  cursor via pilot         {ms(c['pilot'])}")
    print(f"  baseline via pilot       {ms(b['pilot'])}   (ratio {med(c['pilot']) / med(b['pilot']):.2f}x)")


if __name__ == "__main__":
    main()
