"""The lean unix-socket HTTP client, against a scripted local server (real sockets, real bytes)."""

from __future__ import annotations

import contextlib
import os
import socket
import tempfile
import threading
from collections.abc import Callable, Iterator

import pytest

from dindscope.collect.base import EndpointCandidate
from dindscope.collect.docker_api import negotiate_version, version_lt
from dindscope.collect.errors import problem_from_exception
from dindscope.collect.readonly import WriteRefused
from dindscope.collect.unix_http import BadResponse, HTTPStatusError, IncompleteRead, NotFound, UnixHTTPClient

Answer = Callable[[bytes], bytes | None]  # request head -> raw answer (None: close without answering)


class Server:
    """A unix-socket server that answers each request with ``answer(head)``; counts connections."""

    def __init__(self, answer: Answer, *, close_after: int | None = None) -> None:
        self.answer, self.close_after = answer, close_after
        self.dir = tempfile.mkdtemp(prefix="dsh-")
        self.path = os.path.join(self.dir, "s.sock")
        self.connections = 0
        self.heads: list[bytes] = []
        self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._sock.bind(self.path)
        self._sock.listen(8)
        threading.Thread(target=self._serve, daemon=True).start()

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self._sock.close()
        with contextlib.suppress(OSError):
            os.unlink(self.path)
        os.rmdir(self.dir)

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        served = 0
        with conn, contextlib.suppress(OSError):
            data = b""
            while True:
                while b"\r\n\r\n" not in data:
                    chunk = conn.recv(65536)
                    if not chunk:
                        return
                    data += chunk
                head, _, data = data.partition(b"\r\n\r\n")
                self.heads.append(head)
                raw = self.answer(head)
                if raw is None:
                    return
                conn.sendall(raw)
                served += 1
                if self.close_after is not None and served >= self.close_after:
                    return


@pytest.fixture
def serve() -> Iterator[Callable[..., Server]]:
    servers: list[Server] = []

    def start(answer: Answer, **kw: object) -> Server:
        servers.append(Server(answer, **kw))  # type: ignore[arg-type]
        return servers[-1]

    yield start
    for server in servers:
        server.close()


def fixed(status: str, body: bytes, *headers: str) -> Answer:
    lines = "".join(f"{h}\r\n" for h in headers)
    return lambda head: f"HTTP/1.1 {status}\r\n{lines}Content-Length: {len(body)}\r\n\r\n".encode() + body


def chunked(body: bytes, size: int = 7) -> bytes:
    parts = [b"%x\r\n%s\r\n" % (len(body[i:i + size]), body[i:i + size]) for i in range(0, len(body), size)]
    return b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + b"".join(parts) + b"0\r\n\r\n"


def test_keeps_one_connection_for_many_requests(serve):
    server = serve(fixed("200 OK", b'{"a": [1, 2]}', "Content-Type: application/json"))
    with UnixHTTPClient(server.path, 5) as client:
        answers = [client.get_json(f"/v1.41/containers/{i}/json") for i in range(5)]
    assert answers == [{"a": [1, 2]}] * 5
    assert server.connections == 1
    assert [h.split(b"\r\n")[0] for h in server.heads] == [b"GET /v1.41/containers/%d/json HTTP/1.1" % i
                                                          for i in range(5)]


def test_chunked_answers_and_reuse_after_them(serve):
    body = b'{"Id": "' + b"x" * 5000 + b'", "Name": "/c"}'
    server = serve(lambda head: chunked(body))
    with UnixHTTPClient(server.path, 5) as client:
        for _ in range(3):
            assert client.get_json("/containers/x/json")["Name"] == "/c"
    assert server.connections == 1


def test_connection_close_and_close_delimited_bodies(serve):
    server = serve(lambda head: b"HTTP/1.0 200 OK\r\n\r\n[1, 2, 3]", close_after=1)
    with UnixHTTPClient(server.path, 5) as client:
        assert client.get_json("/networks") == [1, 2, 3]
        assert client.get_json("/networks") == [1, 2, 3]
    assert server.connections == 2


def test_an_idle_connection_closed_by_the_engine_is_retried_once(serve):
    server = serve(fixed("200 OK", b"{}"), close_after=1)  # keep-alive promised, then closed
    with UnixHTTPClient(server.path, 5) as client:
        for _ in range(3):
            assert client.get_json("/info") == {}
    assert server.connections == 3


def test_only_get_and_head_leave(serve):
    server = serve(fixed("200 OK", b"{}"))
    with UnixHTTPClient(server.path, 5) as client:
        for method in ("POST", "PUT", "DELETE", "PATCH", "post"):
            with pytest.raises(WriteRefused):
                client.request(method, "/containers/create")
        assert client.request("HEAD", "/_ping") == (200, b"")
    assert [h.split(b" ")[0] for h in server.heads] == [b"HEAD"]


def test_error_statuses(serve):
    def answer(head: bytes) -> bytes:
        if b"/gone/" in head:
            return fixed("404 Not Found", b'{"message":"No such container: gone"}')(head)
        return fixed("500 Internal Server Error", b'{"message":"boom\\nsecond line"}')(head)

    server = serve(answer)
    with UnixHTTPClient(server.path, 5) as client:
        with pytest.raises(NotFound) as gone:
            client.get_json("/containers/gone/json")
        with pytest.raises(HTTPStatusError) as failed:
            client.get_json("/containers/other/json")
    assert gone.value.status == 404 and gone.value.explanation == "No such container: gone"
    assert not isinstance(failed.value, NotFound)
    assert failed.value.status == 500 and failed.value.explanation == "boom second line"


def test_garbage_and_truncated_answers(serve):
    garbage = serve(lambda head: b"\x1b[31mnot http at all\r\n\r\n", close_after=1)
    with UnixHTTPClient(garbage.path, 5) as client, pytest.raises(BadResponse):
        client.get_json("/version")
    short = serve(lambda head: b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"a\":", close_after=1)
    with UnixHTTPClient(short.path, 5) as client, pytest.raises(IncompleteRead) as info:
        client.get_json("/version")
    problem = problem_from_exception(info.value, EndpointCandidate("docker", f"unix://{short.path}"), 5,
                                     "inspecting containers")
    assert problem.code == "engine-down" and "closed the connection while inspecting containers" in problem.message
    silent = serve(lambda head: None)
    with UnixHTTPClient(silent.path, 5) as client, pytest.raises(ConnectionResetError):
        client.get_json("/version")


def test_slow_answer_times_out(serve):
    stop = threading.Event()
    server = serve(lambda head: b"" if stop.wait(5) else None)
    try:
        with UnixHTTPClient(server.path, 0.2) as client, pytest.raises(TimeoutError) as info:
            client.get_json("/version")
    finally:
        stop.set()
    problem = problem_from_exception(info.value, EndpointCandidate("docker", f"unix://{server.path}"), 0.2)
    assert problem.code == "timeout"


def test_missing_socket_and_bad_targets(tmp_path):
    with UnixHTTPClient(str(tmp_path / "none.sock"), 1) as client:
        with pytest.raises(FileNotFoundError):
            client.get_json("/version")
        with pytest.raises(ValueError):
            client.request("GET", "/x HTTP/1.1\r\nHost: y")


def test_api_version_negotiation():
    assert version_lt("1.9", "1.10") and not version_lt("1.10", "1.9") and not version_lt("1.41", "1.41")
    assert negotiate_version({"ApiVersion": "1.41"}) == "1.41"
    assert negotiate_version({"ApiVersion": "1.12"}) == "1.24"
    assert negotiate_version({"ApiVersion": "1.99"}) == "1.45"
    assert negotiate_version({}) == "1.24"


def test_api_versions_match_docker_py():
    """TCP endpoints go through docker-py: both transports must speak the same versions."""
    import docker.constants

    from dindscope.collect.docker_api import DEFAULT_API_VERSION, MINIMUM_API_VERSION

    assert (MINIMUM_API_VERSION, DEFAULT_API_VERSION) == (docker.constants.MINIMUM_DOCKER_API_VERSION,
                                                         docker.constants.DEFAULT_DOCKER_API_VERSION)
