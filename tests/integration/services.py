"""Extra engine API processes that tests start beside the shared engines (and always stop)."""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest

from tests.conftest import engine_unavailable


@contextmanager
def extra_podman_service(listen: str, ready: Callable[[], bool]) -> Iterator[None]:
    """A second rootful ``podman system service`` on ``listen`` (``tcp:ADDR:PORT`` or ``unix://PATH``).

    Waits up to 30 s until ``ready()`` says it answers; skips (or fails when engines are required) if
    podman is missing or the service exits; terminates it afterwards.
    """
    if shutil.which("podman") is None:
        engine_unavailable("podman binary not found")
    service = subprocess.Popen(["podman", "system", "service", "--time=0", listen],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    try:
        deadline = time.monotonic() + 30
        while not ready():
            if service.poll() is not None:
                err = service.stderr.read().decode(errors="replace").strip() if service.stderr else ""
                engine_unavailable(f"podman system service {listen} exited: {err[:200]}")
            if time.monotonic() > deadline:
                pytest.fail(f"podman system service {listen} did not start listening in 30 s")
            time.sleep(0.2)
        yield
    finally:
        service.terminate()
        try:
            service.wait(10)
        except subprocess.TimeoutExpired:
            service.kill()
            service.wait(5)
