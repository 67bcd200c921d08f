"""Every way a Docker endpoint can fail gives one clear Problem line, keeps other results, and never raises."""

from __future__ import annotations

import contextlib
import grp
import json
import os
import socket
import stat
import subprocess
import tempfile
import time
from collections.abc import Iterator

import pytest

from dindscope.collect.base import CollectOptions, EndpointCandidate, EngineResult
from dindscope.collect.docker_engine import collect_docker
from dindscope.collect.scan import collect_snapshot
from dindscope.models import Problem
from tests.conftest import DOCKER_SOCKET
from tests.integration.test_docker_readonly import EngineProxy

pytestmark = [pytest.mark.integration, pytest.mark.docker]

NO_PROBE = CollectOptions(probe_tcp=False, timeout=5.0)


def one_line(problem: Problem) -> None:
    text = str(problem)
    assert "\n" not in text and "Traceback" not in text and len(text) < 400, text


def only_problem(result: EngineResult, code: str) -> Problem:
    codes = [p.code for p in result.problems]
    assert codes == [code], result.problems
    one_line(result.problems[0])
    return result.problems[0]


@pytest.fixture
def tmpdir_short() -> Iterator[str]:
    path = tempfile.mkdtemp(prefix="dsc-")  # unix socket paths must stay short
    yield path
    for name in os.listdir(path):
        with contextlib.suppress(OSError):
            os.unlink(os.path.join(path, name))
    os.rmdir(path)


def test_explicit_missing_socket(tmpdir_short):
    path = f"{tmpdir_short}/docker.sock"
    snapshot = collect_snapshot(NO_PROBE, endpoints=[path])
    assert snapshot.engines == [] and snapshot.containers == []
    assert [p.code for p in snapshot.problems] == ["socket-missing"]
    assert snapshot.problems[0].message == f"no socket at {path}: is the engine installed and started?"
    assert snapshot.problems[0].source == f"unix://{path}"


def test_missing_docker_host_socket_is_reported_and_the_real_engine_kept(tmpdir_short, docker_client):
    env = {"DOCKER_HOST": f"unix://{tmpdir_short}/gone.sock", "HOME": tmpdir_short}
    snapshot = collect_snapshot(NO_PROBE, env=env)
    missing = [p for p in snapshot.problems if p.code == "socket-missing"]
    assert len(missing) == 1 and "(from DOCKER_HOST)" in missing[0].message, snapshot.problems
    assert any(e.kind == "docker" and f"unix://{DOCKER_SOCKET}" in e.endpoints for e in snapshot.engines)


def test_not_a_socket(tmpdir_short):
    path = f"{tmpdir_short}/docker.sock"
    open(path, "w").close()
    result = collect_docker(EndpointCandidate("docker", f"unix://{path}", explicit=True), NO_PROBE)
    assert result.engine is None
    assert only_problem(result, "socket-missing").message == f"{path} exists but is not a socket"


def test_socket_file_without_engine_is_engine_down(tmpdir_short):
    path = f"{tmpdir_short}/docker.sock"
    dead = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    dead.bind(path)
    dead.close()  # the file stays, nobody listens: what a crashed dockerd leaves behind
    assert stat.S_ISSOCK(os.stat(path).st_mode)
    result = collect_docker(EndpointCandidate("docker", f"unix://{path}", explicit=True), NO_PROBE)
    problem = only_problem(result, "engine-down")
    assert problem.message.startswith(f"socket {path} exists but no engine is listening")


def test_tcp_refused_is_engine_down():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    result = collect_docker(EndpointCandidate("docker", f"tcp://127.0.0.1:{port}", explicit=True), NO_PROBE)
    problem = only_problem(result, "engine-down")
    assert problem.message.startswith("connection refused") and "no engine is listening" in problem.message


def test_garbage_speaking_socket_is_engine_error(tmpdir_short):
    path = f"{tmpdir_short}/docker.sock"
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(4)

    def answer() -> None:
        with contextlib.suppress(OSError):
            while True:
                conn, _ = server.accept()
                conn.recv(4096)
                conn.sendall(b"\x1b[31mnot http at all\r\n\r\n")
                conn.close()

    import threading

    threading.Thread(target=answer, daemon=True).start()
    try:
        result = collect_docker(EndpointCandidate("docker", f"unix://{path}", explicit=True), NO_PROBE)
    finally:
        server.close()
    assert result.engine is None and len(result.problems) == 1
    one_line(result.problems[0])
    assert result.problems[0].code in ("engine-error", "engine-down")


def _collect_as(uid: int, gid: int, groups: list[int], url: str) -> dict:
    """Run collect_docker in a forked child with another identity; return its result as JSON."""
    collect_docker(EndpointCandidate("docker", url), NO_PROBE)  # import every lazily imported module first
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # child
        try:
            os.close(read)
            os.setgroups(groups)
            os.setgid(gid)
            os.setuid(uid)
            result = collect_docker(EndpointCandidate("docker", url, explicit=True), NO_PROBE)
            out = {"engine": result.engine.key if result.engine else None,
                   "containers": len(result.containers),
                   "problems": [[p.code, p.message] for p in result.problems if p.code != "container-gone"]}
            os.write(write, json.dumps(out).encode())
        except BaseException as exc:  # report, never hang the parent
            os.write(write, json.dumps({"crash": repr(exc)}).encode())
        finally:
            os._exit(0)
    os.close(write)
    data = b""
    while chunk := os.read(read, 65536):
        data += chunk
    os.close(read)
    os.waitpid(pid, 0)
    return json.loads(data)


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to switch to another user")
def test_permission_denied_names_the_group(docker_client):
    group = grp.getgrgid(os.stat(DOCKER_SOCKET).st_gid)
    mode = stat.S_IMODE(os.stat(DOCKER_SOCKET).st_mode)
    if mode & 0o006 or group.gr_gid == 0:
        pytest.skip(f"{DOCKER_SOCKET} is not group-restricted here (mode {mode:04o}, group {group.gr_name})")
    out = _collect_as(65534, 65534, [], f"unix://{DOCKER_SOCKET}")
    assert "crash" not in out, out
    assert out["engine"] is None
    assert [code for code, _ in out["problems"]] == ["permission-denied"]
    message = out["problems"][0][1]
    assert message.startswith(f"permission denied on {DOCKER_SOCKET} (owner root:{group.gr_name}, mode {mode:04o})")
    assert f"add your user to the '{group.gr_name}' group" in message and "sudo" in message
    # and the advice is right: with that group, the same user can scan
    out = _collect_as(65534, 65534, [group.gr_gid], f"unix://{DOCKER_SOCKET}")
    assert out["engine"] and out["engine"].startswith("docker:") and out["problems"] == [], out


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to switch to another user")
def test_permission_denied_on_root_only_socket_says_sudo(tmpdir_short, docker_client):
    with EngineProxy() as proxy:
        os.chmod(proxy.path, 0o600)
        os.chmod(tmpdir_short, 0o755)
        os.chmod(proxy.dir, 0o755)
        out = _collect_as(65534, 65534, [], proxy.url)
    assert [code for code, _ in out["problems"]] == ["permission-denied"], out
    assert out["problems"][0][1].endswith("run dindscope with sudo (or as root)")


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to switch to another user")
def test_private_runtime_dir_says_whose(tmpdir_short, docker_client):
    os.chmod(tmpdir_short, 0o755)
    private = os.path.join(tmpdir_short, "user")
    os.mkdir(private, 0o700)
    try:
        path = os.path.join(private, "docker.sock")
        with socket.socket(socket.AF_UNIX) as s:
            s.bind(path)
        out = _collect_as(65534, 65534, [], f"unix://{path}")
    finally:
        subprocess.run(["rm", "-rf", private])
    assert [code for code, _ in out["problems"]] == ["permission-denied"], out
    assert out["problems"][0][1] == (f"permission denied: {private} is private to user root (mode 0700); "
                                     "run dindscope as root or with sudo")


def _labelled(docker_client, docker_label, n: int) -> list[str]:
    return [docker_client.containers.create("local/busybox:1", ["true"], labels=docker_label).id for _ in range(n)]


def test_slow_engine_times_out(docker_client):
    with EngineProxy(delay=1.5) as proxy:
        started = time.monotonic()
        result = collect_docker(EndpointCandidate("docker", proxy.url, explicit=True),
                                CollectOptions(probe_tcp=False, timeout=0.5))
        elapsed = time.monotonic() - started
    problem = only_problem(result, "timeout")
    assert problem.message == ("engine did not answer within 0.5s while asking for the engine version "
                               "(use --timeout to wait longer)")
    assert result.engine is None and elapsed < 5


def test_engine_slow_only_on_inspect_stops_with_one_line(docker_client, docker_label):
    _labelled(docker_client, docker_label, 4)

    def slow_inspect(method: str, path: str) -> None:
        if path.endswith("/json") and "/containers/" in path and not path.endswith("/containers/json"):
            time.sleep(1.5)

    with EngineProxy(before=slow_inspect) as proxy:
        result = collect_docker(EndpointCandidate("docker", proxy.url, explicit=True),
                                CollectOptions(probe_tcp=False, timeout=0.5, workers=2))
    assert result.engine is not None and result.engine.kind == "docker"
    assert result.containers == []
    timeouts = [p for p in result.problems if p.code == "timeout"]
    assert len(timeouts) == 1 and len(result.problems) == 1, result.problems
    one_line(timeouts[0])
    assert "while inspecting containers" in timeouts[0].message
    assert "; 0 of " in timeouts[0].message and "containers were inspected before that" in timeouts[0].message


def test_engine_dying_mid_scan_keeps_what_was_seen(docker_client, docker_label):
    _labelled(docker_client, docker_label, 8)
    # version, info, networks, container list, then 3 inspects: the engine dies on the next request
    with EngineProxy(die_after=7) as proxy:
        result = collect_docker(EndpointCandidate("docker", proxy.url, explicit=True),
                                CollectOptions(probe_tcp=False, workers=1))
    assert result.engine is not None and result.engine.containers_total >= 8
    # other sessions' containers may vanish mid-scan: that is container-gone, expected
    problems = [p for p in result.problems if p.code != "container-gone"]
    gone = len(result.problems) - len(problems)
    assert [p.code for p in problems] == ["engine-down"], result.problems
    one_line(problems[0])
    message = problems[0].message
    assert "while inspecting containers" in message
    assert f"; {3 - gone} of {result.engine.containers_total} containers were inspected before that" in message
    assert len(result.containers) == 3 - gone


def test_engine_dead_before_listing(docker_client):
    with EngineProxy(die_after=2) as proxy:
        result = collect_docker(EndpointCandidate("docker", proxy.url, explicit=True), NO_PROBE)
    assert result.engine is not None and result.containers == []
    problem = only_problem(result, "engine-down")
    assert problem.message.endswith("while listing networks (stopped or crashed?)") or \
        "while listing networks" in problem.message


def test_container_removed_between_list_and_inspect(docker_client, docker_label):
    victim, survivor = _labelled(docker_client, docker_label, 2)
    name = docker_client.containers.get(victim).name

    def remove_victim(method: str, path: str) -> None:
        if path.endswith(f"/containers/{victim}/json"):
            docker_client.api.remove_container(victim, force=True)  # straight to dockerd, not via the proxy

    with EngineProxy(before=remove_victim) as proxy:
        snapshot = collect_snapshot(NO_PROBE, endpoints=[proxy.url])
    ids = {c.id for c in snapshot.containers}
    assert survivor in ids and victim not in ids
    assert {p.code for p in snapshot.problems} == {"container-gone"}, snapshot.problems
    gone = [p for p in snapshot.problems if victim[:12] in p.message]
    assert len(gone) == 1, snapshot.problems
    assert gone[0].message == (f"container {name} ({victim[:12]}) was removed between listing and inspection; "
                               "skipped")
    assert len(snapshot.engines) == 1


def test_one_engine_dying_keeps_the_other_engines_results(docker_client, docker_label):
    cid = _labelled(docker_client, docker_label, 1)[0]
    with EngineProxy(die_after=3) as dying:
        snapshot = collect_snapshot(NO_PROBE, endpoints=[dying.url, f"unix://{DOCKER_SOCKET}"])
    assert len(snapshot.engines) == 1  # the same dockerd: the healthy endpoint's look is kept
    assert dying.url in snapshot.engines[0].endpoints and f"unix://{DOCKER_SOCKET}" in snapshot.engines[0].endpoints
    assert cid in {c.id for c in snapshot.containers}
    # other sessions' containers may vanish mid-scan: that is container-gone, expected
    problems = [p for p in snapshot.problems if p.code != "container-gone"]
    assert [p.code for p in problems] == ["engine-down"]
    assert problems[0].source == dying.url
    one_line(problems[0])
