"""Every way reaching Podman can go wrong gives one clear Problem line, partial results, and no exception.

Real failure modes: a missing socket, a socket file nobody listens on, a server that never
answers, a socket the scanning user may not open (the collector runs as ``nobody`` in a
subprocess), a container removed by someone else between list and inspect, and an engine
that dies mid-scan (a proxy in front of the real rootful service).
"""

from __future__ import annotations

import http.client
import http.server
import json
import os
import socket
import socketserver
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from dindscope.collect.base import CollectOptions, EndpointCandidate, EngineResult
from dindscope.collect.podman_engine import collect_podman
from tests.conftest import BUSYBOX, PODMAN_SOCKET
from tests.integration.rootless import find_rootless

pytestmark = [pytest.mark.integration, pytest.mark.podman]


def collect(path: str, *, explicit: bool = True, timeout: float = 5.0) -> EngineResult:
    return collect_podman(EndpointCandidate(kind="podman", url=f"unix://{path}", explicit=explicit),
                          CollectOptions(timeout=timeout, workers=4))


@pytest.fixture
def tmp_dir() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="dindscope-err-"))
    os.chmod(path, 0o755)
    yield path
    subprocess.run(["rm", "-rf", str(path)], check=False)


def test_socket_missing_explicit_is_one_problem(tmp_dir):
    result = collect(str(tmp_dir / "podman.sock"))
    assert result.engine is None and result.containers == []
    [problem] = result.problems
    assert problem.code == "socket-missing"
    assert str(problem) == f"unix://{tmp_dir}/podman.sock: no Podman socket at {tmp_dir}/podman.sock"


def test_socket_missing_not_explicit_is_silent(tmp_dir):
    result = collect(str(tmp_dir / "podman.sock"), explicit=False)
    assert result.engine is None and result.problems == []


def test_engine_down_socket_file_without_listener(tmp_dir):
    path = tmp_dir / "podman.sock"
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(path))  # the file stays, nobody listens: what a crashed service leaves behind
    result = collect(str(path))
    [problem] = result.problems
    assert problem.code == "engine-down"
    assert f"nothing is listening on {path}" in problem.message and "\n" not in problem.message


def test_timeout_on_a_server_that_never_answers(tmp_dir):
    path = tmp_dir / "podman.sock"
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(path))
    server.listen(16)  # accepts connections (backlog), never reads or answers
    try:
        started = time.monotonic()
        result = collect(str(path), timeout=0.5)
        elapsed = time.monotonic() - started
    finally:
        server.close()
    [problem] = result.problems
    assert problem.code == "timeout"
    assert "did not answer within 0.5s" in problem.message
    assert elapsed < 5, f"timeout of 0.5s took {elapsed:.1f}s"


def _collect_as_nobody(path: str) -> list[dict[str, str]]:
    """Run the collector as user nobody in a forked child (the interpreter under /root is not theirs to exec)."""
    collect(PODMAN_SOCKET, explicit=False, timeout=1)  # import everything the collector needs while still root
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # child: drop to nobody, collect, report as JSON, never return into pytest
        status = 1
        try:
            os.close(read_end)
            os.setgroups([])
            os.setgid(65534)
            os.setuid(65534)
            result = collect(path)
            out = [{"code": p.code, "message": p.message} for p in result.problems]
            if result.engine is not None:
                out.append({"code": "ENGINE", "message": result.engine.key})
            os.write(write_end, json.dumps(out).encode())
            status = 0
        except BaseException as exc:  # report, never fall back into the parent's test run
            os.write(write_end, json.dumps([{"code": "CRASH", "message": repr(exc)}]).encode())
        finally:
            os._exit(status)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as fh:
        data = fh.read()
    _, status = os.waitpid(pid, 0)
    problems = json.loads(data)
    assert os.waitstatus_to_exitcode(status) == 0, problems
    return problems


@pytest.fixture
def as_nobody_possible() -> None:
    if os.geteuid() != 0:
        pytest.skip("needs root to run the collector as user nobody")


def test_permission_denied_on_the_root_only_socket(podman_client, as_nobody_possible):
    [problem] = _collect_as_nobody(PODMAN_SOCKET)
    assert problem["code"] == "permission-denied"
    assert problem["message"] == (f"permission denied on {PODMAN_SOCKET} (owner root, group root, mode 0600): "
                                  "only root can use it: use sudo")


def test_permission_denied_names_the_socket_group(tmp_dir, as_nobody_possible):
    import grp

    group = grp.getgrnam("adm")
    path = tmp_dir / "podman.sock"
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(path))
    server.listen(1)
    os.chown(path, 0, group.gr_gid)
    os.chmod(path, 0o660)
    try:
        [problem] = _collect_as_nobody(str(path))
    finally:
        server.close()
    assert problem["code"] == "permission-denied"
    assert problem["message"] == (f"permission denied on {path} (owner root, group adm, mode 0660): "
                                  "members of group 'adm' can use it, or use sudo")


def test_permission_denied_on_someone_elses_rootless_socket(as_nobody_possible):
    engine, reason = find_rootless()
    if engine is None:
        pytest.skip(reason)
    [problem] = _collect_as_nobody(engine.socket)
    assert problem["code"] == "permission-denied"
    assert problem["message"].startswith(f"permission denied on {engine.socket} ({engine.runtime_dir} is not "
                                         f"accessible) (owner {engine.user}, group ")
    assert problem["message"].endswith(f"run as user '{engine.user}' (whose engine it is) or use sudo")


# --- a proxy in front of the real engine, to make things happen between requests -------------------


class _UnixHTTPConnection(http.client.HTTPConnection):
    def __init__(self, path: str) -> None:
        super().__init__("localhost", timeout=30)
        self.unix_path = path

    def connect(self) -> None:
        self.sock = socket.socket(socket.AF_UNIX)
        self.sock.connect(self.unix_path)


class _Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True
    # before(path) may act on the engine, or return False to drop the connection unanswered
    before: Callable[[str], bool]
    after: Callable[[str], None]


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        if not self.server.before(self.path):
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        upstream = _UnixHTTPConnection(PODMAN_SOCKET)
        upstream.request("GET", self.path)
        answer = upstream.getresponse()
        body = answer.read()
        upstream.close()
        self.server.after(self.path)
        self.send_response(answer.status)
        self.send_header("Content-Type", answer.getheader("Content-Type") or "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def proxy(tmp_dir, podman_client) -> Iterator[_Server]:
    server = _Server(str(tmp_dir / "proxy.sock"), _Handler)
    server.before = lambda path: True
    server.after = lambda path: None
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _create(label: dict[str, str], count: int) -> list[str]:
    labels = [f"--label={k}={v}" for k, v in label.items()]
    return [subprocess.run(["podman", "create", *labels, BUSYBOX, "true"], capture_output=True, text=True,
                           check=True).stdout.strip() for _ in range(count)]


def _is_list(path: str) -> bool:
    return path.split("?")[0].endswith("/containers/json")


def test_container_removed_between_list_and_inspect(proxy, podman_label):
    keep, victim = _create(podman_label, 2)

    def remove_victim(path: str) -> None:
        if _is_list(path):  # the list is on its way back; someone removes a container right now
            subprocess.run(["podman", "rm", "-f", "-t", "0", victim], capture_output=True, check=True)

    proxy.after = remove_victim
    result = collect(proxy.server_address)
    assert result.engine is not None
    ids = {c.id for c in result.containers}
    assert keep in ids and victim not in ids
    gone = [p for p in result.problems if p.code == "container-gone"]
    assert len(gone) == 1, result.problems
    assert gone[0].message.endswith("was removed between list and inspect; skipped")
    assert gone[0].source == result.engine.key


def test_engine_dies_mid_scan_keeps_partial_results(proxy, podman_label):
    _create(podman_label, 3)
    answered: list[str] = []

    def die_after_first_inspect(path: str) -> bool:
        if "/containers/" in path and path.split("?")[0].endswith("/json") and not _is_list(path):
            if answered:
                return False  # the engine is gone: connection closed without an answer
            answered.append(path)
        return True

    proxy.before = die_after_first_inspect
    result = collect(proxy.server_address)
    assert result.engine is not None and result.engine.kind == "podman"
    assert len(result.containers) == 1  # what was inspected before the engine died is kept
    [down] = [p for p in result.problems if p.code == "engine-down"]
    assert "container(s) could not be inspected" in down.message and "service died" in down.message
    assert len(result.problems) == 1


def test_engine_answering_garbage(tmp_dir):
    path = tmp_dir / "podman.sock"

    class Garbage(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            body = b"\x1b[31m<html>not json"
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = _Server(str(path), Garbage)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        result = collect(str(path))
    finally:
        server.shutdown()
        server.server_close()
    assert result.engine is None
    [problem] = result.problems
    assert problem.code == "engine-error"
    assert problem.message.startswith(f"Podman sent a malformed answer on {path}")
