"""Read-only proof: a scan through a proxy that refuses every method but GET/HEAD succeeds, and the
proxy saw no other method. The proxy (loopback unix socket, real dockerd behind it) is also used by
the error tests to make a real engine slow, die, or lose a container mid-scan."""

from __future__ import annotations

import contextlib
import os
import socket
import tempfile
import threading
import time
from collections.abc import Callable

import pytest

from dindscope.collect.base import CollectOptions, EndpointCandidate
from dindscope.collect.docker_engine import collect_docker, make_client
from dindscope.collect.readonly import WriteRefused
from dindscope.collect.scan import collect_snapshot
from tests.conftest import DOCKER_SOCKET

pytestmark = [pytest.mark.integration, pytest.mark.docker]


def _read_request(conn: socket.socket) -> tuple[bytes, bytes] | None:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return None
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip() or 0)
    while len(rest) < length:
        chunk = conn.recv(65536)
        if not chunk:
            break
        rest += chunk
    return head, rest


class EngineProxy:
    """A unix-socket HTTP proxy in front of a real engine socket, one request per connection.

    Refuses any method but GET/HEAD (405) and records every request. ``delay`` slows each request;
    ``die_after`` stops serving (connections reset, socket refuses) after that many forwarded requests;
    ``before(method, path)`` runs before a request is forwarded.
    """

    def __init__(self, upstream: str = DOCKER_SOCKET, *, delay: float = 0.0, die_after: int | None = None,
                 before: Callable[[str, str], None] | None = None) -> None:
        self.upstream = upstream
        self.delay, self.die_after, self.before = delay, die_after, before
        self.dir = tempfile.mkdtemp(prefix="dindscope-proxy-")
        self.path = os.path.join(self.dir, "engine.sock")
        self.url = f"unix://{self.path}"
        self.requests: list[tuple[str, str]] = []
        self.refused: list[tuple[str, str]] = []
        self.forwarded = 0
        self.dead = threading.Event()
        self._lock = threading.Lock()
        self._server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._server.bind(self.path)
        self._server.listen(64)
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def __enter__(self) -> EngineProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.kill()
        with contextlib.suppress(OSError):
            os.unlink(self.path)
        with contextlib.suppress(OSError):
            os.rmdir(self.dir)

    def kill(self) -> None:
        """The engine dies: stop accepting; the socket file stays, so connecting is refused."""
        self.dead.set()
        with contextlib.suppress(OSError):
            self._server.shutdown(socket.SHUT_RDWR)
        with contextlib.suppress(OSError):
            self._server.close()

    def _serve(self) -> None:
        while not self.dead.is_set():
            try:
                conn, _ = self._server.accept()
            except OSError:
                return
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        with contextlib.suppress(OSError):  # the client gave up (timeout): nothing to do
            self._relay(conn)

    def _relay(self, conn: socket.socket) -> None:
        with conn:
            request = _read_request(conn)
            if request is None:
                return
            head, body = request
            method, path = head.split(b" ")[0].decode(), head.split(b" ")[1].decode()
            with self._lock:
                self.requests.append((method, path))
            if method not in ("GET", "HEAD"):
                self.refused.append((method, path))
                conn.sendall(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                return
            if self.dead.is_set():
                return
            if self.before is not None:
                self.before(method, path)
            if self.delay:
                time.sleep(self.delay)
            with self._lock:
                if self.die_after is not None and self.forwarded >= self.die_after:
                    dying = True
                else:
                    dying = False
                    self.forwarded += 1
            if dying:
                self.kill()
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                return
            lines = [ln for ln in head.split(b"\r\n") if not ln.lower().startswith(b"connection:")]
            head = b"\r\n".join([*lines, b"Connection: close"])
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as up:
                up.connect(self.upstream)
                up.sendall(head + b"\r\n\r\n" + body)
                while chunk := up.recv(65536):
                    conn.sendall(chunk)


def test_scan_through_get_only_proxy_succeeds_and_sends_nothing_else(docker_client, docker_label):
    cid = docker_client.containers.create("local/busybox:1", ["true"], labels=docker_label).id
    with EngineProxy() as proxy:
        snapshot = collect_snapshot(CollectOptions(probe_tcp=False), endpoints=[proxy.url])
    assert [e.kind for e in snapshot.engines] == ["docker"]
    assert snapshot.engines[0].endpoints == [proxy.url]
    assert cid in {c.id for c in snapshot.containers}
    assert not [p for p in snapshot.problems if p.source == proxy.url and p.code != "container-gone"], \
        snapshot.problems
    methods = {m for m, _ in proxy.requests}
    assert methods == {"GET"}, proxy.requests
    assert proxy.refused == []
    paths = [p for _, p in proxy.requests]
    assert any(p.endswith(f"/containers/{cid}/json") for p in paths)
    assert len(proxy.requests) >= 4  # version, info, networks, list, inspects


def test_proxy_really_refuses_writes():
    """The proof above could not fail if the proxy let writes through: check it refuses them."""
    with EngineProxy() as proxy:
        client = make_client(EndpointCandidate("docker", proxy.url), 5, "1.41")
        with pytest.raises(WriteRefused):
            client.post(client._url("/containers/create"), json={})
        client.close()
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as raw:
            raw.connect(proxy.path)
            raw.sendall(b"POST /v1.41/containers/prune HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n")
            assert raw.recv(100).startswith(b"HTTP/1.1 405")
    assert proxy.refused == [("POST", "/v1.41/containers/prune")]


def test_collect_docker_direct_result_matches_proxy_result(docker_client, docker_label):
    """The proxy is transparent for GETs: same containers as going straight to the socket."""
    docker_client.containers.create("local/busybox:1", ["true"], labels=docker_label)
    opts = CollectOptions(probe_tcp=False)
    with EngineProxy() as proxy:
        through = collect_docker(EndpointCandidate("docker", proxy.url), opts)
    direct = collect_docker(EndpointCandidate("docker", f"unix://{DOCKER_SOCKET}"), opts)
    assert through.engine is not None and direct.engine is not None
    assert through.engine.key == direct.engine.key
    value = docker_label["dindscope.test"]
    label_ids = {c.id for c in docker_client.containers.list(all=True, filters={"label": f"dindscope.test={value}"})}
    assert len(label_ids) == 1
    mine = lambda r: sorted(c.id for c in r.containers if c.id in label_ids)  # noqa: E731
    assert mine(through) == mine(direct)
