"""dindscope is read-only toward engines: full scans through a proxy that forwards only GET/HEAD.

The proxy listens on a temporary unix socket in front of the real Docker (and
Podman) socket, forwards GET and HEAD requests byte for byte, answers anything
else with 403 without forwarding it, and records every method it saw. A full
``collect_snapshot`` and a ``dindscope snapshot`` subprocess go through it.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from dindscope.collect.base import CollectOptions
from dindscope.collect.scan import collect_snapshot
from tests.conftest import BUSYBOX, DOCKER_SOCKET, PODMAN_RUN_FLAGS, PODMAN_SOCKET, TEST_LABEL

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]
ALLOWED = {"GET", "HEAD"}
HEAD_LIMIT = 1024 * 1024


class ReadOnlyProxy:
    """A unix-socket HTTP proxy that lets only GET/HEAD through to ``upstream``."""

    def __init__(self, upstream: str, path: str) -> None:
        self.upstream = upstream
        self.path = path
        self.seen: list[tuple[str, str]] = []  # (method, target) of every request, forwarded or not
        self.refused: list[tuple[str, str]] = []
        self.errors: list[str] = []
        self._lock = threading.Lock()
        self._server = socket.socket(socket.AF_UNIX)
        self._server.bind(path)
        self._server.listen(64)
        self._threads: list[threading.Thread] = []
        self._closed = False
        self._start(self._accept_loop)

    @property
    def url(self) -> str:
        return f"unix://{self.path}"

    @property
    def methods(self) -> set[str]:
        with self._lock:
            return {m for m, _t in self.seen}

    def close(self) -> None:
        self._closed = True
        self._server.close()

    def _start(self, target, *args) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True)
        thread.start()
        self._threads.append(thread)

    def _accept_loop(self) -> None:
        while not self._closed:
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            self._start(self._serve, client)

    def _serve(self, client: socket.socket) -> None:
        upstream = socket.socket(socket.AF_UNIX)
        try:
            upstream.connect(self.upstream)
        except OSError as exc:
            self.errors.append(f"upstream: {exc}")
            client.close()
            return
        self._start(self._pump, upstream, client)
        buffer = b""
        try:
            while True:
                request, buffer = self._read_request(client, buffer)
                if request is None:
                    break
                method, target, raw = request
                with self._lock:
                    self.seen.append((method, target))
                if method not in ALLOWED:
                    with self._lock:
                        self.refused.append((method, target))
                    body = b"read-only proxy: method refused\n"
                    client.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nConnection: close\r\n"
                                   b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
                    break
                upstream.sendall(raw)
        except OSError:
            pass
        finally:
            for s in (client, upstream):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)
                s.close()

    @staticmethod
    def _pump(source: socket.socket, dest: socket.socket) -> None:
        try:
            while chunk := source.recv(65536):
                dest.sendall(chunk)
        except OSError:
            pass
        finally:
            with contextlib.suppress(OSError):
                dest.shutdown(socket.SHUT_WR)

    @staticmethod
    def _read_request(conn: socket.socket, buffer: bytes) -> tuple[tuple[str, str, bytes] | None, bytes]:
        """One whole request (method, target, raw bytes incl. body) from the client stream."""
        while b"\r\n\r\n" not in buffer:
            chunk = conn.recv(65536)
            if not chunk or len(buffer) > HEAD_LIMIT:
                return None, b""
            buffer += chunk
        head, _, rest = buffer.partition(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        method, target = ([*lines[0].decode("latin-1").split(" "), "", ""])[:2]
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            headers[name.strip().lower()] = value.strip()
        body = b""
        if headers.get(b"transfer-encoding", b"").lower() == b"chunked":
            while b"0\r\n\r\n" not in rest:
                chunk = conn.recv(65536)
                if not chunk:
                    break
                rest += chunk
            end = rest.index(b"0\r\n\r\n") + 5 if b"0\r\n\r\n" in rest else len(rest)
            body, rest = rest[:end], rest[end:]
        else:
            length = int(headers.get(b"content-length", b"0") or 0)
            while len(rest) < length:
                chunk = conn.recv(65536)
                if not chunk:
                    break
                rest += chunk
            body, rest = rest[:length], rest[length:]
        return (method.upper(), target, head + b"\r\n\r\n" + body), rest


@pytest.fixture
def proxy_dir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="dindscope-proxy-") as d:
        yield Path(d)


def _snapshot_cli(url: str, out: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "dindscope", "snapshot", "--engine", url, "-o", str(out)],
                          capture_output=True, text=True, timeout=180, env=env)


def _check_proxy(proxy: ReadOnlyProxy) -> None:
    assert proxy.errors == []
    assert proxy.seen, "the scan did not go through the proxy"
    assert proxy.methods <= ALLOWED, f"non-read methods reached the proxy: {proxy.refused}"
    assert proxy.refused == []


@pytest.mark.docker
def test_full_docker_scan_through_a_read_only_proxy(docker_client, docker_label, proxy_dir: Path):
    network = docker_client.networks.create(f"ro-{docker_label[TEST_LABEL][-20:]}", labels=docker_label)
    job = docker_client.containers.create(
        BUSYBOX, ["sleep", "600"], labels=docker_label, name=f"ro-job-{docker_label[TEST_LABEL][-24:]}",
        volumes={DOCKER_SOCKET: {"bind": "/var/run/docker.sock", "mode": "ro"}}, cap_add=["SYS_PTRACE"],
        environment={"DOCKER_HOST": "tcp://docker:2375"}, network=network.name)
    job.start()
    proxy = ReadOnlyProxy(DOCKER_SOCKET, str(proxy_dir / "docker-proxy.sock"))
    try:
        snapshot = collect_snapshot(CollectOptions(timeout=15), endpoints=[proxy.url])
        assert [e.kind for e in snapshot.engines] == ["docker"]
        seen = snapshot.container(job.id)
        assert seen is not None, [str(p) for p in snapshot.problems]
        assert seen.state == "running"
        assert "CAP_SYS_PTRACE" in seen.capabilities
        assert [(m.source, m.destination, m.read_only) for m in seen.mounts] == \
            [(DOCKER_SOCKET, "/var/run/docker.sock", True)]
        assert seen.client_settings.get("DOCKER_HOST") == "tcp://docker:2375"
        assert [n.name for n in seen.networks] == [network.name]
        _check_proxy(proxy)
        gets = sum(1 for m, _t in proxy.seen if m == "GET")
        assert gets >= 3  # version/info, the list, and the inspects

        out = proxy_dir / "snap.json"
        before = len(proxy.seen)
        done = _snapshot_cli(proxy.url, out)
        assert done.returncode == 0, done.stderr
        assert "Traceback" not in done.stderr
        names = [c["name"] for c in json.loads(out.read_text())["containers"]]
        assert job.name in names
        assert len(proxy.seen) > before
        _check_proxy(proxy)
    finally:
        proxy.close()


@pytest.mark.docker
def test_the_proxy_really_refuses_writes(docker_client, docker_label, proxy_dir: Path):
    """Without this the test above could pass with a proxy that lets everything through."""
    import docker

    proxy = ReadOnlyProxy(DOCKER_SOCKET, str(proxy_dir / "docker-proxy.sock"))
    try:
        client = docker.DockerClient(base_url=proxy.url, timeout=15)
        assert client.ping()
        with pytest.raises(docker.errors.APIError) as info:
            client.containers.create(BUSYBOX, ["true"], labels=docker_label)
        assert info.value.response.status_code == 403
        assert proxy.refused and proxy.refused[0][0] == "POST"
        mine = {"label": f"{TEST_LABEL}={docker_label[TEST_LABEL]}"}
        assert not docker_client.containers.list(all=True, filters=mine)
    finally:
        proxy.close()


@pytest.mark.podman
def test_full_podman_scan_through_a_read_only_proxy(podman_client, podman_label, proxy_dir: Path):
    name = f"ro-pod-{podman_label[TEST_LABEL][-24:]}"
    label_args = [a for k, v in podman_label.items() for a in ("--label", f"{k}={v}")]
    subprocess.run(["podman", "run", "-d", *PODMAN_RUN_FLAGS, *label_args, "--name", name, "--cap-add", "SYS_ADMIN",
                    "-v", "/etc:/host/etc:ro", BUSYBOX, "sleep", "600"], check=True, capture_output=True, timeout=120)
    proxy = ReadOnlyProxy(PODMAN_SOCKET, str(proxy_dir / "podman-proxy.sock"))
    try:
        snapshot = collect_snapshot(CollectOptions(timeout=15), endpoints=[proxy.url])
        assert [e.kind for e in snapshot.engines] == ["podman"], [str(p) for p in snapshot.problems]
        seen = snapshot.container(name)
        assert seen is not None, [str(p) for p in snapshot.problems]
        assert seen.state == "running"
        assert "CAP_SYS_ADMIN" in seen.capabilities
        assert ("/etc", "/host/etc", True) in [(m.source, m.destination, m.read_only) for m in seen.mounts]
        _check_proxy(proxy)

        out = proxy_dir / "snap.json"
        done = _snapshot_cli(proxy.url, out)
        assert done.returncode == 0, done.stderr
        assert name in [c["name"] for c in json.loads(out.read_text())["containers"]]
        _check_proxy(proxy)
    finally:
        proxy.close()
