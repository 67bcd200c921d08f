"""Listeners and merging on real engines: dockerd exposed over TCP (a forwarder, as socat setups do),
a real `podman system service tcp:...`, and Podman's API reached through a docker.sock alias."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator

import pytest

from dindscope.collect.base import CollectOptions, EndpointCandidate
from dindscope.collect.docker_engine import collect_docker
from dindscope.collect.scan import collect_snapshot
from dindscope.collect.tcp_listeners import find_tcp_listeners
from tests.conftest import DOCKER_SOCKET, PODMAN_SOCKET

pytestmark = pytest.mark.integration


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def tcp_forwarder(unix_path: str) -> Iterator[int]:
    """127.0.0.1:PORT -> unix socket, like `socat TCP-LISTEN:2375,fork UNIX-CONNECT:/run/docker.sock`."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(32)
    stop = threading.Event()

    def pump(src: socket.socket, dst: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := src.recv(65536):
                dst.sendall(data)
        with contextlib.suppress(OSError):
            dst.shutdown(socket.SHUT_WR)

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                return
            up = socket.socket(socket.AF_UNIX)
            up.connect(unix_path)
            threading.Thread(target=pump, args=(conn, up), daemon=True).start()
            threading.Thread(target=pump, args=(up, conn), daemon=True).start()

    threading.Thread(target=serve, daemon=True).start()
    try:
        yield server.getsockname()[1]
    finally:
        stop.set()
        server.close()


@pytest.mark.docker
def test_docker_reached_over_unix_and_tcp_is_one_engine_with_a_plain_tcp_listener(docker_client):
    with tcp_forwarder(DOCKER_SOCKET) as port:
        tcp = f"tcp://127.0.0.1:{port}"
        snapshot = collect_snapshot(CollectOptions(probe_tcp=False), endpoints=[f"unix://{DOCKER_SOCKET}", tcp])
        direct = collect_docker(EndpointCandidate("docker", f"unix://{DOCKER_SOCKET}"), CollectOptions(probe_tcp=False))
        assert direct.engine is not None
        probed = find_tcp_listeners(direct.engine, hosts=["127.0.0.1"], ports=[port], proc_root="/nonexistent")
    # other sessions' containers may vanish mid-scan: that is container-gone, expected
    assert [p for p in snapshot.problems if p.code != "container-gone"] == []
    assert len(snapshot.engines) == 1
    engine = snapshot.engines[0]
    assert engine.key == direct.engine.key and engine.endpoints == [f"unix://{DOCKER_SOCKET}", tcp]
    ids = [c.id for c in snapshot.containers]
    assert len(ids) == len(set(ids))  # not listed twice
    assert [(x.kind, x.address, x.port, x.tls, x.source) for x in engine.listeners] == [
        ("unix", DOCKER_SOCKET, None, None, "connected"), ("tcp", "127.0.0.1", port, False, "connected")]
    unix = engine.listeners[0]
    st = os.stat(DOCKER_SOCKET)
    assert (unix.owner_uid, unix.group_gid, unix.mode) == (st.st_uid, st.st_gid, st.st_mode & 0o7777)
    assert [(x.address, x.port, x.tls, x.tls_verify, x.source) for x in probed] == [
        ("127.0.0.1", port, False, False, "probe")]


@pytest.mark.docker
def test_default_probe_finds_no_phantom_listeners(docker_client):
    """Here dockerd listens on its socket only: nothing on 2375/2376 must be invented."""
    result = collect_docker(EndpointCandidate("docker", f"unix://{DOCKER_SOCKET}"), CollectOptions())
    assert result.engine is not None
    busy = []
    for port in (2375, 2376):
        with socket.socket() as s:
            s.settimeout(0.5)
            if s.connect_ex(("127.0.0.1", port)) == 0:
                busy.append(port)
    if busy:
        pytest.skip(f"something listens on 127.0.0.1:{busy} on this machine")
    assert [x.kind for x in result.engine.listeners] == ["unix"]


@pytest.mark.podman
def test_podman_behind_a_docker_sock_alias_is_one_podman_engine(podman_client):
    tmp = tempfile.mkdtemp(prefix="dsc-")
    alias = os.path.join(tmp, "docker.sock")
    os.symlink(PODMAN_SOCKET, alias)  # what podman-docker's /run/docker.sock is
    try:
        snapshot = collect_snapshot(CollectOptions(probe_tcp=False),
                                    endpoints=[f"unix://{alias}", f"unix://{PODMAN_SOCKET}"])
    finally:
        shutil.rmtree(tmp)
    assert [e.kind for e in snapshot.engines] == ["podman"], snapshot.problems
    assert snapshot.engines[0].endpoints == [f"unix://{alias}", f"unix://{PODMAN_SOCKET}"]
    assert all(c.engine == snapshot.engines[0].key for c in snapshot.containers)
    ids = [c.id for c in snapshot.containers]
    assert len(ids) == len(set(ids))


@pytest.mark.podman
def test_podman_service_on_tcp_found_from_its_command_line_and_probe(podman_client):
    port = free_port()
    service = subprocess.Popen(["podman", "system", "service", "--time=0", f"tcp:127.0.0.1:{port}"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 20
        while True:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            if time.monotonic() > deadline or service.poll() is not None:
                pytest.fail("podman system service on TCP did not start")
            time.sleep(0.2)
        snapshot = collect_snapshot(CollectOptions(probe_tcp=False), endpoints=[f"unix://{PODMAN_SOCKET}"])
        [engine] = snapshot.engines
        tcp = [x for x in engine.listeners if x.kind == "tcp" and x.port == port]
        assert [(x.address, x.tls, x.source) for x in tcp] == [("127.0.0.1", False, "cmdline")], engine.listeners
        probed = find_tcp_listeners(engine, hosts=["127.0.0.1"], ports=[port], proc_root="/nonexistent")
        assert [(x.address, x.port, x.tls, x.tls_verify, x.source) for x in probed] == [
            ("127.0.0.1", port, False, False, "probe")]
    finally:
        service.terminate()
        try:
            service.wait(10)
        except subprocess.TimeoutExpired:
            service.kill()
