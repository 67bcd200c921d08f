"""A lean, read-only HTTP/1.1 client for engine API unix sockets.

docker-py (requests + urllib3) spends about a millisecond of Python per request,
more than dockerd needs to answer a container inspect. This client keeps one
keep-alive connection, writes a GET by hand and reads the answer with the few
rules an engine uses (``Content-Length``, chunked, or until close), so the
per-request cost is a few tens of microseconds.

It can send only GET and HEAD: :meth:`UnixHTTPClient.request` refuses anything
else with :class:`~dindscope.collect.readonly.WriteRefused` before a byte leaves.
One client is one connection: use one per thread.

Failures are the standard exceptions (``FileNotFoundError``, ``PermissionError``,
``ConnectionRefusedError``, ``TimeoutError``) or the classes below, whose names
:func:`dindscope.collect.errors.classify` recognises.
"""

from __future__ import annotations

import json
import socket
from typing import Any
from urllib.parse import quote

from dindscope.collect.readonly import ALLOWED_METHODS, WriteRefused

MAX_HEADER_BYTES = 64 * 1024
MAX_BODY_BYTES = 512 * 1024 * 1024  # one engine answer; far above any real one
_RECV = 256 * 1024


class RemoteDisconnected(ConnectionResetError):
    """The engine closed the connection before (or while) answering."""


class IncompleteRead(ConnectionResetError):
    """The engine closed the connection in the middle of an answer."""


class BadResponse(Exception):
    """The other end does not speak HTTP the way an engine does."""


class HTTPStatusError(Exception):
    """The engine answered with an error status (4xx/5xx)."""

    def __init__(self, status: int, explanation: str) -> None:
        super().__init__(f"{status} {'Client' if status < 500 else 'Server'} Error: {explanation}".strip())
        self.status = status
        self.explanation = explanation


class NotFound(HTTPStatusError):
    """404: the object (a container removed meanwhile) does not exist."""


class UnixHTTPClient:
    """GET/HEAD over one persistent connection to a unix socket."""

    def __init__(self, path: str, timeout: float, user_agent: str = "dindscope (read-only)") -> None:
        self.path = path
        self.timeout = timeout
        self._agent = user_agent.encode("latin-1", "replace")
        self._sock: socket.socket | None = None
        self._buf = b""
        self._served = 0  # answers read on the current connection

    def close(self) -> None:
        if self._sock is not None:
            try:
                self._sock.close()
            finally:
                self._sock, self._buf, self._served = None, b"", 0

    def __enter__(self) -> UnixHTTPClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def get_json(self, target: str) -> Any:
        """GET ``target`` (path and query) and decode the JSON answer; error statuses raise."""
        status, body = self.request("GET", target)
        if status >= 400:
            raise _status_error(status, body)
        try:
            return json.loads(body)
        except ValueError as exc:
            raise BadResponse(f"the engine's answer to GET {target} is not JSON: {exc}") from None

    def request(self, method: str, target: str) -> tuple[int, bytes]:
        """Send one request; (status, body). Only GET and HEAD ever leave."""
        method = method.upper()
        if method not in ALLOWED_METHODS:
            raise WriteRefused(f"refusing {method} {target}: dindscope is read-only")
        if not target.startswith("/") or any(ch in target for ch in " \r\n\t"):
            raise ValueError(f"not a request target: {target!r}")
        head = (f"{method} {target} HTTP/1.1\r\nHost: docker\r\n").encode("ascii") + \
            b"User-Agent: " + self._agent + b"\r\nAccept: application/json\r\n\r\n"
        reused = self._sock is not None and self._served > 0
        try:
            return self._exchange(head, method)
        except (BrokenPipeError, ConnectionResetError) as exc:
            self.close()
            # a kept-alive connection the engine closed while idle: try once more on a fresh one
            if not reused or isinstance(exc, IncompleteRead):
                raise
        except BaseException:
            self.close()
            raise
        try:
            return self._exchange(head, method)
        except BaseException:
            self.close()
            raise

    # --- the wire --------------------------------------------------------------------------------

    def _connect(self) -> socket.socket:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.settimeout(self.timeout)
            sock.connect(self.path)
        except BaseException:
            sock.close()
            raise
        self._sock, self._buf, self._served = sock, b"", 0
        return sock

    def _exchange(self, head: bytes, method: str) -> tuple[int, bytes]:
        sock = self._sock or self._connect()
        sock.sendall(head)
        status, keep_alive, headers = self._read_head()
        if method == "HEAD" or status in (204, 304) or 100 <= status < 200:
            body = b""
        elif "chunked" in headers.get("transfer-encoding", "").lower():
            body = self._read_chunked()
        elif "content-length" in headers:
            try:
                length = int(headers["content-length"])
            except ValueError:
                raise BadResponse(f"bad Content-Length {headers['content-length'][:40]!r}") from None
            if length < 0 or length > MAX_BODY_BYTES:
                raise BadResponse(f"answer too large ({length} bytes)")
            body = self._read_exact(length)
        else:
            body = self._read_to_close()
        self._served += 1
        if not keep_alive or headers.get("connection", "").lower() == "close":
            self.close()
        return status, body

    def _recv(self) -> bytes:
        assert self._sock is not None
        return self._sock.recv(_RECV)

    def _read_head(self) -> tuple[int, bool, dict[str, str]]:
        """Status, whether HTTP/1.1 keeps the connection, and the headers (names lower-cased)."""
        buf = self._buf
        end = buf.find(b"\r\n\r\n")
        while end < 0:
            if len(buf) > MAX_HEADER_BYTES:
                raise BadResponse("the answer's headers are too long: not an engine API")
            chunk = self._recv()
            if not chunk:
                if buf:
                    raise BadResponse(f"not an HTTP answer: {_preview(buf)}")
                raise RemoteDisconnected("the engine closed the connection without answering")
            buf += chunk
            end = buf.find(b"\r\n\r\n", max(0, len(buf) - len(chunk) - 3))
        lines = buf[:end].split(b"\r\n")
        self._buf = buf[end + 4:]
        version, _, rest = lines[0].partition(b" ")
        code = rest[:3]
        if not version.startswith(b"HTTP/1.") or len(code) != 3 or not code.isdigit():
            raise BadResponse(f"not an HTTP answer: {_preview(lines[0])}")
        headers: dict[str, str] = {}
        for line in lines[1:]:
            name, sep, value = line.partition(b":")
            if sep:
                headers[name.strip().lower().decode("latin-1")] = value.strip().decode("latin-1")
        return int(code), version == b"HTTP/1.1", headers

    def _read_exact(self, length: int) -> bytes:
        buf = self._buf
        if len(buf) < length:
            parts, have = [buf], len(buf)
            while have < length:
                chunk = self._recv()
                if not chunk:
                    raise IncompleteRead(f"the engine closed the connection after {have} of {length} bytes")
                parts.append(chunk)
                have += len(chunk)
            buf = b"".join(parts)
        self._buf = buf[length:]
        return buf[:length]

    def _read_line(self) -> bytes:
        buf = self._buf
        end = buf.find(b"\r\n")
        while end < 0:
            if len(buf) > MAX_HEADER_BYTES:
                raise BadResponse("bad chunked encoding")
            chunk = self._recv()
            if not chunk:
                raise IncompleteRead("the engine closed the connection in the middle of an answer")
            buf += chunk
            end = buf.find(b"\r\n")
        self._buf = buf[end + 2:]
        return buf[:end]

    def _read_chunked(self) -> bytes:
        parts: list[bytes] = []
        total = 0
        while True:
            line = self._read_line()
            try:
                size = int(line.split(b";", 1)[0].strip(), 16)
            except ValueError:
                raise BadResponse(f"bad chunk size {_preview(line)}") from None
            if size < 0 or total + size > MAX_BODY_BYTES:
                raise BadResponse("answer too large")
            if size == 0:
                while self._read_line():  # trailers, then the empty line
                    pass
                return b"".join(parts)
            parts.append(self._read_exact(size))
            total += size
            if self._read_exact(2) != b"\r\n":
                raise BadResponse("bad chunked encoding")

    def _read_to_close(self) -> bytes:
        parts, total = [self._buf], len(self._buf)
        self._buf = b""
        while chunk := self._recv():
            total += len(chunk)
            if total > MAX_BODY_BYTES:
                raise BadResponse("answer too large")
            parts.append(chunk)
        self.close()
        return b"".join(parts)


def _status_error(status: int, body: bytes) -> HTTPStatusError:
    text = body.decode("utf-8", "replace")
    try:
        message = json.loads(text).get("message") or text
    except (ValueError, AttributeError):
        message = text
    explanation = " ".join(str(message).split())[:200]
    return NotFound(status, explanation) if status == 404 else HTTPStatusError(status, explanation)


def _preview(data: bytes) -> str:
    return repr(data[:60])


def path_segment(value: str) -> str:
    """One URL path segment (a container ID or name), percent-encoded."""
    return quote(value, safe="")
