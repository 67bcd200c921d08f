"""Follow the engines' container event streams (GET /events) and report them as messages.

Docker and Podman both serve the Docker-compatible ``/events`` stream on their API
socket, so one docker-py ``APIClient.events(decode=True)`` loop serves both. The
loop runs in a Textual thread worker; :meth:`EventFollowers.close_all` closes the
open streams so the workers end at once (on quit or rescan). Read-only: GET only.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from typing import Any

from dindscope.models import Engine
from dindscope.tui.messages import EngineConnection, EngineEvent

WATCHED_ACTIONS = {"create", "start", "die", "destroy", "stop", "kill", "pause", "unpause", "rename", "update",
                   "remove", "restart", "died", "cleanup"}
MAX_BACKOFF = 15.0


def followable_url(engine: Engine) -> str | None:
    """The endpoint to follow: a unix socket, or a plain-TCP one; TLS endpoints need certs we do not hold here."""
    for url in engine.endpoints:
        if url.startswith("unix://"):
            return url
    for url in engine.endpoints:
        if url.startswith("tcp://"):
            return url
    return None


def one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:200] if text else type(exc).__name__


class EventFollowers:
    """The open event streams, so they can be closed from the UI thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._streams: dict[str, Any] = {}
        self._stopped = threading.Event()

    def stopped(self) -> bool:
        return self._stopped.is_set()

    def restart(self) -> None:
        self.close_all()
        self._stopped = threading.Event()

    def close_all(self) -> None:
        self._stopped.set()
        with self._lock:
            streams, self._streams = list(self._streams.values()), {}
        for stream in streams:
            with contextlib.suppress(Exception):  # closing a dead stream must not fail the UI
                stream.close()

    def follow(self, engine: Engine, url: str, post: Callable[[Any], object], cancelled: Callable[[], bool],
               timeout: float = 5.0) -> None:
        """Stream ``engine``'s container events until cancelled, reconnecting with a backoff."""
        import docker

        stopped = self._stopped
        backoff = 1.0
        connected_before = False
        while not (cancelled() or stopped.is_set()):
            client = None
            try:
                client = docker.APIClient(base_url=url, version="auto", timeout=timeout)
                stream = client.events(decode=True, filters={"type": "container"})
                with self._lock:
                    self._streams[engine.key] = stream
                post(EngineConnection(engine.key, True))
                connected_before, backoff = True, 1.0
                for event in stream:
                    if cancelled() or stopped.is_set():
                        return
                    action = str(event.get("Action") or event.get("status") or "").split(":", 1)[0]
                    if action not in WATCHED_ACTIONS:
                        continue
                    actor = event.get("Actor") or {}
                    name = (actor.get("Attributes") or {}).get("name") or event.get("id") or ""
                    post(EngineEvent(engine.key, action, str(name)))
                error = "event stream ended"
            except Exception as exc:
                error = one_line(exc)
            finally:
                with self._lock:
                    self._streams.pop(engine.key, None)
                if client is not None:
                    with contextlib.suppress(Exception):
                        client.close()
            if cancelled() or stopped.is_set():
                return
            post(EngineConnection(engine.key, False, error if connected_before or error else "unreachable"))
            deadline = time.monotonic() + backoff
            while time.monotonic() < deadline:
                if cancelled() or stopped.wait(0.2):
                    return
            backoff = min(backoff * 2, MAX_BACKOFF)
