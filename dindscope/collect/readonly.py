"""A guard that makes an HTTP client session refuse anything but GET and HEAD.

docker-py's ``APIClient`` and podman-py's client are ``requests.Session``
subclasses; every request goes through ``Session.send``. Wrapping it means a
code path that would POST/PUT/DELETE fails loudly here instead of reaching the
engine. dindscope never changes an engine it scans.
"""

from __future__ import annotations

from typing import Any

ALLOWED_METHODS = frozenset({"GET", "HEAD"})


class WriteRefused(RuntimeError):
    """dindscope tried to send a request that could change the engine."""


def make_readonly(session: Any) -> Any:
    """Wrap ``session.send`` so that only GET/HEAD requests leave; returns the session."""
    if getattr(session, "_dindscope_readonly", False):
        return session
    original = session.send

    def send(request: Any, **kwargs: Any) -> Any:
        method = (getattr(request, "method", "") or "").upper()
        if method not in ALLOWED_METHODS:
            raise WriteRefused(f"refusing {method} {getattr(request, 'path_url', '')}: dindscope is read-only")
        return original(request, **kwargs)

    session.send = send
    session._dindscope_readonly = True
    return session
