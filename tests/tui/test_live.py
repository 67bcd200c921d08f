"""The live event follower against the real dockerd: containers appearing and vanishing while the TUI runs,
and a lost engine connection shown and re-established (through a unix-socket proxy the test closes and reopens).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import socket
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from dindscope.app import DindscopeApp
from dindscope.tui.sources import Source
from dindscope.widgets.subject_table import SubjectTable
from tests.conftest import BUSYBOX, DOCKER_SOCKET, RUN_ID
from tests.tui.conftest import analysis_available, screen_text, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.docker,
              pytest.mark.skipif(not analysis_available(), reason="dindscope.analysis is not available")]
SIZE = (140, 40)


class SocketProxy:
    """A unix socket at ``path`` that forwards every connection to ``target``; ``stop`` cuts them all."""

    def __init__(self, path: str, target: str) -> None:
        self.path = path
        self.target = target
        self._server: socket.socket | None = None
        self._conns: list[socket.socket] = []
        self._lock = threading.Lock()

    def start(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.path)
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        server.bind(self.path)
        server.listen(16)
        self._server = server
        threading.Thread(target=self._accept, args=(server,), daemon=True).start()

    def _accept(self, server: socket.socket) -> None:
        while True:
            try:
                client, _ = server.accept()
            except OSError:
                return
            upstream = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                upstream.connect(self.target)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._conns += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        with contextlib.suppress(OSError):
            dst.shutdown(socket.SHUT_WR)

    def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.path)
        with self._lock:
            conns, self._conns = self._conns, []
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
            conn.close()


@pytest.fixture
def proxy(docker_client: object) -> Iterator[SocketProxy]:
    directory = tempfile.mkdtemp(prefix="dsl")  # short: unix socket paths are limited to 107 bytes
    p = SocketProxy(str(Path(directory) / "d.sock"), DOCKER_SOCKET)
    p.start()
    yield p
    p.stop()
    shutil.rmtree(directory, ignore_errors=True)


def live_app(endpoint: str) -> DindscopeApp:
    return DindscopeApp(Source(endpoints=[endpoint], timeout=10.0, follow_events=True))


async def live(pilot: object, app: DindscopeApp) -> None:
    await wait_for(pilot, lambda: app.session is not None and app.query_one(SubjectTable).row_count > 0
                   and "live" in app.live_status.values(), timeout=60)


def container_key(app: DindscopeApp, name: str) -> str | None:
    return next((r.key for r in app.rows if r.subject.kind == "container" and r.subject.name == name), None)


async def test_new_container_appears_and_removed_one_disappears(docker_client: object,
                                                                docker_label: dict[str, str]) -> None:
    name = f"tui-live-{RUN_ID}"
    app = live_app(f"unix://{DOCKER_SOCKET}")
    async with app.run_test(size=SIZE) as pilot:
        await live(pilot, app)
        assert container_key(app, name) is None
        scans = app.scans
        container = await asyncio.to_thread(
            docker_client.containers.create, BUSYBOX, ["sleep", "600"], name=name,  # type: ignore[attr-defined]
            labels=docker_label, volumes={"/run/docker.sock": {"bind": "/var/run/docker.sock", "mode": "rw"}})
        # The create event reaches the follower; the throttled refresh (LIVE_THROTTLE) rescans.
        await wait_for(pilot, lambda: container_key(app, name) is not None, timeout=45)
        assert app.live_events > 0 and app.scans > scans
        await pilot.press("slash", *name, "enter")
        await wait_for(pilot, lambda: screen_text(app).count(name) >= 3, timeout=10)  # filter, list, preview
        row = app.row(container_key(app, name) or "")
        assert row is not None and row.impact == "host-root", "a socket-mounting container reaches host root"
        assert "host root" in screen_text(app)
        await asyncio.to_thread(container.remove, force=True)
        await wait_for(pilot, lambda: container_key(app, name) is None, timeout=45)
        table = app.query_one(SubjectTable)
        await wait_for(pilot, lambda: "No subject matches." in screen_text(app), timeout=10)
        assert all(r.subject.name != name for r in table.rows_by_key.values())
        assert screen_text(app).count(name) == 1  # only in the filter box


async def test_lost_connection_is_shown_and_reconnects(proxy: SocketProxy) -> None:
    app = live_app(f"unix://{proxy.path}")
    async with app.run_test(size=SIZE) as pilot:
        await live(pilot, app)
        assert "[live]" in screen_text(app)
        scans = app.scans
        proxy.stop()  # the engine goes away: the event stream ends, reconnect attempts fail
        await wait_for(pilot, lambda: any(s.startswith("lost") for s in app.live_status.values()), timeout=20)
        await wait_for(pilot, lambda: "lost:" in screen_text(app) and "reconnecting" in screen_text(app), timeout=5)
        await asyncio.sleep(1.5)  # at least one reconnect attempt fails while the proxy is down
        await pilot.pause()
        assert any(s.startswith("lost") for s in app.live_status.values())
        proxy.start()  # the engine is back: the follower reconnects (backoff <= 4 s here) and rescans
        await wait_for(pilot, lambda: set(app.live_status.values()) == {"live"}, timeout=30)
        await wait_for(pilot, lambda: app.scans > scans, timeout=30)
        text = screen_text(app)
        assert "[live]" in text and "lost:" not in text
