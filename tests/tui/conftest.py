"""TUI test fixtures: user config kept out, cursor blink frozen, recorded snapshots, screen-text helpers."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from dindscope.models import Snapshot

ROOT = Path(__file__).resolve().parents[2]
RECORDED = ROOT / "snapshots" / "ci-host.json"


@pytest.fixture(autouse=True)
def _isolated_tui(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """No user keymap, no blinking cursor, no colour surprises: screens are stable between runs."""
    from dindscope.app import DindscopeApp

    monkeypatch.setenv("DINDSCOPE_CONFIG_DIR", str(tmp_path_factory.mktemp("config")))
    monkeypatch.setattr(DindscopeApp, "CURSOR_BLINK", False)
    monkeypatch.setenv("TEXTUAL_ANIMATIONS", "none")
    yield


def analysis_available() -> bool:
    try:
        from dindscope.analysis import analyze  # noqa: F401
        from dindscope.analysis.whatif import what_if  # noqa: F401
    except ImportError:
        return False
    return True


def load_recorded() -> Snapshot:
    """The snapshot recorded from the real engines on this machine (or the demo, recorded the same way)."""
    if not analysis_available():
        pytest.skip("dindscope.analysis (analyze, what_if) is not available yet")
    if RECORDED.exists():
        from dindscope.snapshot.io import load_snapshot

        return load_snapshot(str(RECORDED))
    from dindscope.errors import SnapshotError

    try:
        from dindscope.snapshot.demo import load_demo

        return load_demo()
    except (ImportError, SnapshotError):
        return _live_snapshot()


_LIVE: list[Snapshot] = []


def _live_snapshot() -> Snapshot:
    """Until a recorded file exists: record one from the real Docker engine now (once per session),
    with two risky containers of our own (socket mount, privileged) created and removed around it."""
    if not _LIVE:
        import subprocess

        from dindscope.collect.scan import collect_snapshot
        from tests.conftest import BUSYBOX, RUN_ID, TEST_LABEL, _cleanup, import_busybox

        if subprocess.run(["docker", "info"], capture_output=True).returncode != 0:
            pytest.skip("no recorded snapshot and no reachable engine to record one")
        import_busybox("docker")
        value = f"{RUN_ID}-tui-recorded"
        try:
            for name, flags in ((f"tui-ci-job-{RUN_ID}", ["-v", "/var/run/docker.sock:/var/run/docker.sock"]),
                                (f"tui-builder-{RUN_ID}", ["--privileged"])):
                subprocess.run(["docker", "create", "--name", name, "--label", f"{TEST_LABEL}={value}",
                                "-e", "CI_JOB_TOKEN=glpat-abcdefghijklmnop1234", *flags, BUSYBOX, "sleep", "600"],
                               check=True, capture_output=True)
            snapshot = collect_snapshot(endpoints=["unix:///run/docker.sock"])
        finally:
            _cleanup("docker", value)
        _LIVE.append(snapshot)
    return _LIVE[0]


@pytest.fixture(params=["ci-host.json", "demo"])
def recorded(request: pytest.FixtureRequest) -> Snapshot:
    """Both snapshots recorded from real engines: ``snapshots/ci-host.json`` and the embedded ``--demo``."""
    if request.param == "demo":
        if not analysis_available():
            pytest.skip("dindscope.analysis (analyze, what_if) is not available yet")
        from dindscope.tui.sources import load_demo

        return load_demo()
    return load_recorded()


def screen_text(app: object) -> str:
    """What the terminal shows now, as plain text lines."""
    strips = app.screen._compositor.render_strips()  # type: ignore[attr-defined]
    return "\n".join(strip.text for strip in strips)


async def wait_for(pilot: object, condition: Callable[[], bool], timeout: float = 20.0) -> None:
    """Let the app run until ``condition`` holds (workers are real threads)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError("timed out waiting for the app")
        await pilot.pause(0.05)  # type: ignore[attr-defined]
    await pilot.pause()  # type: ignore[attr-defined]


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    """Run ``async def`` tests in a fresh event loop (no async plugin needed for App.run_test)."""
    if not asyncio.iscoroutinefunction(pyfuncitem.obj):
        return None
    names = pyfuncitem._fixtureinfo.argnames
    kwargs = {name: pyfuncitem.funcargs[name] for name in names}
    asyncio.run(pyfuncitem.obj(**kwargs))
    return True
