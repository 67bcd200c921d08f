"""Why an engine could not be used, as one problem code and one line a person can act on.

Both collectors send every failure here: an exception from talking to the engine
(:func:`classify`, :func:`problem_from_exception`) or a socket that is missing, not
a socket, or not ours to use (:func:`check_unix_socket`). One decision tree
decides *what* went wrong; the engine kind only picks the wording, so a Docker
scan and a Podman scan say the same thing in their own terms.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from typing import Literal

from dindscope.collect.base import EndpointCandidate
from dindscope.collect.sockets import find_blocker, socket_path
from dindscope.models import Problem

EngineKind = Literal["docker", "podman"]

# reason -> (problem code, message template). "missing", "unusable" and "not-a-socket" are what
# check_unix_socket finds before connecting; the rest is what classify finds in an exception.
# Templates may use {doing} (" while X"), {while_} (" (while X)"), {path}, {where}, {timeout},
# {status}, {short}, {explanation}, {type}, {why} and {strerror}.
_WORDING: dict[str, dict[str, tuple[str, str]]] = {
    "docker": {
        "timeout": ("timeout", "engine did not answer within {timeout:g}s{doing} (use --timeout to wait longer)"),
        "vanished": ("engine-down", "socket {path} disappeared{doing} (engine stopped?)"),
        "no-socket": ("socket-missing", "no socket at {path}{why}: is the engine installed and started?"),
        "missing": ("socket-missing", "no socket at {path}{why}: is the engine installed and started?"),
        "not-found": ("socket-missing", "endpoint not found{doing}"),
        "denied": ("permission-denied", "permission denied{doing}"),
        "refused-socket": ("engine-down", "socket {path} exists but no engine is listening{doing} "
                                          "(engine stopped or crashed?)"),
        "refused": ("engine-down", "connection refused{doing}: no engine is listening there"),
        "closed": ("engine-down", "engine closed the connection{doing} (stopped or crashed?)"),
        "gone": ("engine-error", "engine error{doing}: {short}"),
        "http": ("engine-error", "engine error{doing}: {short}"),
        "tls": ("engine-error", "TLS failed{doing}: check the client certificates (DOCKER_CERT_PATH / context TLS)"),
        "malformed": ("engine-error", "engine error{doing}: {short}"),
        "connect": ("engine-down", "cannot connect{doing}: {short}"),
        "other": ("engine-error", "engine error{doing}: {short}"),
        "unusable": ("socket-missing", "cannot use {path}: {strerror}"),
        "not-a-socket": ("socket-missing", "{path} exists but is not a socket"),
    },
    "podman": {
        "timeout": ("timeout", "Podman did not answer within {timeout:g}s (engine hung or overloaded; "
                               "raise the timeout){while_}"),
        "vanished": ("socket-missing", "Podman socket {path} disappeared"),
        "no-socket": ("socket-missing", "Podman socket {path} disappeared"),
        "missing": ("socket-missing", "no Podman socket at {path}"),
        "not-found": ("socket-missing", "Podman endpoint not found{while_}"),
        "denied": ("permission-denied", "permission denied on {where}"),
        "refused-socket": ("engine-down", "nothing is listening on {where}: the Podman service is down{while_}"),
        "refused": ("engine-down", "nothing is listening on {where}: the Podman service is down{while_}"),
        "closed": ("engine-down", "Podman closed the connection on {where} (service died?){while_}"),
        "gone": ("container-gone", "not found{while_}"),
        "http": ("engine-error", "Podman answered HTTP {status}: {explanation}{while_}"),
        "tls": ("engine-down", "cannot connect to Podman on {where}: {short}{while_}"),
        "malformed": ("engine-error", "Podman sent a malformed answer on {where}: {short}{while_}"),
        "connect": ("engine-down", "cannot connect to Podman on {where}: {short}{while_}"),
        "other": ("other", "{type}: {short}{while_}"),
        "unusable": ("socket-missing", "cannot use Podman socket {path}: {strerror}"),
        "not-a-socket": ("engine-error", "{path} is not a socket"),
    },
}

_TIMEOUT_NAMES = {"Timeout", "ReadTimeout", "ConnectTimeout", "ReadTimeoutError", "ConnectTimeoutError"}
_CLOSED_NAMES = {"RemoteDisconnected", "ProtocolError", "ChunkedEncodingError", "IncompleteRead"}
_CONNECT_NAMES = {"ConnectionError", "NewConnectionError", "MaxRetryError", "OSError"}


@dataclass
class Failure:
    """What went wrong: a :class:`Problem` code and one printable line."""

    code: str
    message: str


def causes(exc: BaseException) -> list[BaseException]:
    """The exception and everything it wraps (``__cause__``, ``__context__``, urllib3 ``.reason``, args)."""
    seen: list[BaseException] = []
    stack: list[BaseException] = [exc]
    while stack and len(seen) < 50:
        current = stack.pop()
        if any(current is s for s in seen):
            continue
        seen.append(current)
        for nxt in (current.__cause__, current.__context__, getattr(current, "reason", None),
                    *getattr(current, "args", ())):
            if isinstance(nxt, BaseException):
                stack.append(nxt)
    return seen


def one_line(text: str) -> str:
    """Engine-supplied text as one printable line (no newlines or terminal control characters)."""
    return " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())


def short(exc: BaseException, limit: int = 200) -> str:
    """An exception as one line of at most ``limit`` characters (its type name when it says nothing)."""
    text = one_line(str(exc))
    return (text[:limit] + "...") if len(text) > limit else (text or type(exc).__name__)


def permission_message(kind: EngineKind, path: str) -> str:
    """One line: what blocks access to the socket ``path`` and who could get through."""
    found = find_blocker(path)
    if kind == "podman":
        if found is None:
            return f"permission denied on {path}; try sudo"
        what = "" if found.is_socket else f" ({found.path} is not accessible)"
        facts = f"owner {found.owner}, group {found.group}, mode {found.mode:04o}"
        if found.group_usable:
            advice = f"members of group '{found.group}' can use it, or use sudo"
        elif found.uid != 0:
            advice = f"run as user '{found.owner}' (whose engine it is) or use sudo"
        else:
            advice = "only root can use it: use sudo"
        return f"permission denied on {path}{what} ({facts}): {advice}"
    if found is None:
        return f"permission denied on {path}; run dindscope with sudo"
    if not found.is_socket:
        return (f"permission denied: {found.path} is private to user {found.owner} (mode {found.mode:04o}); "
                f"run dindscope as {found.owner} or with sudo")
    if found.group_usable:
        hint = f"add your user to the '{found.group}' group (then log in again) or run dindscope with sudo"
    else:
        hint = f"run dindscope with sudo (or as {found.owner})"
    return f"permission denied on {path} (owner {found.owner}:{found.group}, mode {found.mode:04o}): {hint}"


def _reason(exc: BaseException, path: str | None, doing: str) -> str:
    """What went wrong, independent of the engine kind."""
    chain = causes(exc)
    names = {type(c).__name__ for c in chain}

    def has(*types: type[BaseException]) -> bool:
        return any(isinstance(c, types) for c in chain)

    if names & _TIMEOUT_NAMES or has(TimeoutError):
        return "timeout"
    if has(FileNotFoundError):
        if path and doing and "version" not in doing and "connecting" not in doing:
            return "vanished"
        return "no-socket" if path else "not-found"
    if has(PermissionError):
        return "permission" if path else "denied"
    if has(ConnectionRefusedError):
        return "refused-socket" if path else "refused"
    if has(ConnectionResetError, BrokenPipeError) or names & _CLOSED_NAMES:
        return "closed"
    status = _status(exc)
    if status:
        return "gone" if status == 404 else "http"
    if "SSLError" in names:
        return "tls"
    if isinstance(exc, ValueError) or type(exc).__name__ == "BadResponse":
        return "malformed"
    if names & _CONNECT_NAMES or has(OSError):
        return "connect"
    return "other"


def _status(exc: BaseException) -> int | None:
    """The HTTP status of an error answer (requests, docker-py, podman-py or our unix client)."""
    status = getattr(getattr(exc, "response", None), "status_code", None) or getattr(exc, "status_code", None) \
        or getattr(exc, "status", None)
    return status if isinstance(status, int) else None


def classify(exc: BaseException, kind: EngineKind, path: str | None, timeout: float, doing: str = "") -> Failure:
    """Map any exception from talking to an engine to a problem code and one clear line.

    ``path`` is the unix socket (None for TCP); ``doing`` what dindscope was asking for.
    """
    reason = _reason(exc, path, doing)
    if reason == "permission" and path:
        return Failure("permission-denied", permission_message(kind, path))
    code, template = _WORDING[kind][reason]
    explanation = one_line(str(getattr(exc, "explanation", "") or exc))[:200]
    message = template.format(doing=f" while {doing}" if doing else "", while_=f" (while {doing})" if doing else "",
                              path=path, where=path or "the engine", timeout=timeout, status=_status(exc),
                              short=short(exc), explanation=explanation, type=type(exc).__name__, why="",
                              strerror="")
    return Failure(code, message)


def problem_from_exception(exc: BaseException, candidate: EndpointCandidate, timeout: float, doing: str = "",
                           kind: EngineKind = "docker") -> Problem:
    """:func:`classify` as a :class:`Problem` about ``candidate``."""
    failure = classify(exc, kind, socket_path(candidate.url), timeout, doing)
    return Problem(failure.code, failure.message, candidate.url)  # type: ignore[arg-type]


def check_unix_socket(candidate: EndpointCandidate, kind: EngineKind = "docker",
                      quiet_if_missing: bool = False) -> Problem | None:
    """Before connecting: is the socket there, a socket, and ours to use? None when it looks usable.

    ``quiet_if_missing``: a socket that is not there is no problem (a default location nobody configured).
    """
    path = socket_path(candidate.url)
    if path is None:
        return None
    wording = _WORDING[kind]
    try:
        st = os.stat(path)
    except FileNotFoundError:
        if quiet_if_missing:
            return None
        why = f" (from {candidate.source})" if candidate.source not in ("default", "--engine") else ""
        code, template = wording["missing"]
        return Problem(code, template.format(path=path, why=why), candidate.url)  # type: ignore[arg-type]
    except PermissionError:
        return Problem("permission-denied", permission_message(kind, path), candidate.url)
    except OSError as exc:
        code, template = wording["unusable"]
        return Problem(code, template.format(path=path, strerror=exc.strerror), candidate.url)  # type: ignore[arg-type]
    if not stat.S_ISSOCK(st.st_mode):
        code, template = wording["not-a-socket"]
        return Problem(code, template.format(path=path), candidate.url)  # type: ignore[arg-type]
    if not os.access(path, os.R_OK | os.W_OK):
        return Problem("permission-denied", permission_message(kind, path), candidate.url)
    return None
