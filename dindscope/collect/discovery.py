"""Where engines might be listening: environment, docker contexts, default and per-user sockets.

Discovery only reads the environment and the filesystem; it never connects.
Default sockets that do not exist are skipped silently; endpoints the user
configured (``--engine``, ``DOCKER_HOST``, ``CONTAINER_HOST``, a docker context)
are kept even when missing, so that the collector reports them.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Literal

from dindscope.collect.base import EndpointCandidate
from dindscope.models import Problem

Kind = Literal["docker", "podman"]

ROOTFUL_DOCKER_SOCKETS = ("/run/docker.sock", "/var/run/docker.sock")
ROOTFUL_PODMAN_SOCKETS = ("/run/podman/podman.sock", "/var/run/podman/podman.sock")
USER_RUN_DIR = "/run/user"
CONFIGURED = "configured"  # sources that are not "default"/"rootless:..." are reported when missing


def normalize_url(value: str) -> str:
    """``/run/docker.sock`` -> ``unix:///run/docker.sock``; URLs with a scheme are kept."""
    value = value.strip()
    if value.startswith("/"):
        return f"unix://{value}"
    if value.startswith("unix:") and not value.startswith("unix://"):
        return "unix://" + value[len("unix:") :]
    if "://" not in value and ":" in value:
        return f"tcp://{value}"
    return value


def unix_path(url: str) -> str | None:
    """The socket path of a ``unix://`` URL, else None."""
    return url[len("unix://") :] if url.startswith("unix://") else None


def guess_kind(url: str) -> Kind:
    """Podman when the path says so; otherwise docker (the docker collector recognises Podman later)."""
    return "podman" if "podman" in url.lower() else "docker"


def dedupe_key(candidate: EndpointCandidate) -> tuple[str, str]:
    path = unix_path(candidate.url)
    if path is not None:
        return (candidate.kind, "unix://" + os.path.realpath(path))
    url = candidate.url.replace("https://", "tcp://").rstrip("/")
    return (candidate.kind, url)


def _exists(path: str) -> bool:
    try:
        os.stat(path)
    except PermissionError:
        return True  # there, but not ours to see: the collector will say so
    except OSError:
        return False
    return True


def _tls_from_env(env: Mapping[str, str]) -> dict[str, str]:
    if not env.get("DOCKER_TLS_VERIFY") and not env.get("DOCKER_CERT_PATH"):
        return {}
    cert_path = env.get("DOCKER_CERT_PATH") or str(Path(env.get("HOME", "~")).expanduser() / ".docker")
    tls = {"ca": f"{cert_path}/ca.pem", "cert": f"{cert_path}/cert.pem", "key": f"{cert_path}/key.pem"}
    tls["verify"] = "1" if env.get("DOCKER_TLS_VERIFY") not in (None, "", "0") else "0"
    return tls


def docker_config_dir(env: Mapping[str, str]) -> Path:
    if env.get("DOCKER_CONFIG"):
        return Path(env["DOCKER_CONFIG"])
    home = env.get("HOME") or os.path.expanduser("~")
    return Path(home) / ".docker"


def current_context(env: Mapping[str, str]) -> str:
    """The docker context in use: DOCKER_CONTEXT, else config.json currentContext, else ``default``."""
    if env.get("DOCKER_CONTEXT"):
        return env["DOCKER_CONTEXT"]
    try:
        config = json.loads((docker_config_dir(env) / "config.json").read_text())
    except (OSError, ValueError):
        return "default"
    name = config.get("currentContext") if isinstance(config, dict) else None
    return name if isinstance(name, str) and name else "default"


def context_endpoint(env: Mapping[str, str], name: str) -> EndpointCandidate | None:
    """The docker endpoint of context ``name`` from ``contexts/meta/<sha256(name)>/meta.json``."""
    import hashlib

    base = docker_config_dir(env) / "contexts"
    digest = hashlib.sha256(name.encode()).hexdigest()
    try:
        meta = json.loads((base / "meta" / digest / "meta.json").read_text())
        endpoint = meta["Endpoints"]["docker"]
        host = endpoint["Host"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not isinstance(host, str) or not host:
        return None
    tls: dict[str, str] = {}
    tls_dir = base / "tls" / digest / "docker"
    for key, filename in (("ca", "ca.pem"), ("cert", "cert.pem"), ("key", "key.pem")):
        if (tls_dir / filename).exists():
            tls[key] = str(tls_dir / filename)
    if tls:
        tls["verify"] = "0" if endpoint.get("SkipTLSVerify") else "1"
    url = normalize_url(host)
    return EndpointCandidate(kind="docker", url=url, source=f"context:{name}", tls=tls)


def _user_dirs(env: Mapping[str, str], as_root: bool) -> list[tuple[int, str]]:
    """(uid, runtime dir) pairs whose rootless sockets are worth trying."""
    dirs: dict[int, str] = {}
    uid = os.getuid()
    if as_root:
        try:
            entries = sorted(os.listdir(USER_RUN_DIR), key=lambda n: (len(n), n))
        except OSError:
            entries = []
        for entry in entries:
            if entry.isdigit():
                dirs.setdefault(int(entry), f"{USER_RUN_DIR}/{entry}")
    else:
        runtime = env.get("XDG_RUNTIME_DIR") or f"{USER_RUN_DIR}/{uid}"
        dirs[uid] = runtime
    return sorted(dirs.items())


def _explicit_candidates(explicit: Sequence[str]) -> list[EndpointCandidate]:
    out = []
    for raw in explicit:
        url = normalize_url(raw)
        out.append(EndpointCandidate(kind=guess_kind(url), url=url, source="--engine", explicit=True))
    return out


def _configured_candidates(env: Mapping[str, str]) -> list[EndpointCandidate]:
    out: list[EndpointCandidate] = []
    if env.get("DOCKER_HOST"):
        url = normalize_url(env["DOCKER_HOST"])
        out.append(EndpointCandidate(kind="docker", url=url, source="DOCKER_HOST", tls=_tls_from_env(env)))
    context = current_context(env)
    if context != "default":
        found = context_endpoint(env, context)
        if found is not None:
            out.append(found)
    if env.get("CONTAINER_HOST"):
        url = normalize_url(env["CONTAINER_HOST"])
        out.append(EndpointCandidate(kind="podman", url=url, source="CONTAINER_HOST"))
    return out


def _default_candidates(env: Mapping[str, str]) -> list[EndpointCandidate]:
    out: list[EndpointCandidate] = []
    for path in ROOTFUL_DOCKER_SOCKETS:
        if _exists(path):
            out.append(EndpointCandidate(kind="docker", url=f"unix://{path}", source="default"))
    for path in ROOTFUL_PODMAN_SOCKETS:
        if _exists(path):
            out.append(EndpointCandidate(kind="podman", url=f"unix://{path}", source="default"))
    as_root = os.geteuid() == 0
    for uid, runtime in _user_dirs(env, as_root):
        for kind, rel in (("docker", "docker.sock"), ("podman", "podman/podman.sock")):
            path = f"{runtime}/{rel}"
            if _exists(path):
                out.append(EndpointCandidate(kind=kind, url=f"unix://{path}", source=f"rootless:{runtime}",
                                             owner_uid=uid))
    return out


def is_configured(candidate: EndpointCandidate) -> bool:
    """True when a missing socket for this candidate is worth reporting."""
    return candidate.explicit or not (candidate.source == "default" or candidate.source.startswith("rootless:"))


def discover_endpoints(
    env: Mapping[str, str] | None = None,
    explicit: Sequence[str] | None = None,
) -> list[EndpointCandidate]:
    """Every engine endpoint worth trying, most specific first, without duplicates.

    ``explicit`` (``--engine URL``...) replaces discovery altogether.
    """
    env = os.environ if env is None else env
    if explicit:
        candidates = _explicit_candidates(explicit)
    else:
        candidates = [*_configured_candidates(env), *_default_candidates(env)]
    unique: dict[tuple[str, str], EndpointCandidate] = {}
    for candidate in candidates:
        unique.setdefault(dedupe_key(candidate), candidate)
    return list(unique.values())


# --- diagnostics: why an endpoint cannot be used, as one line -----------------------------------


def _owner_names(st: os.stat_result) -> tuple[str, str]:
    import grp
    import pwd

    try:
        owner = pwd.getpwuid(st.st_uid).pw_name
    except KeyError:
        owner = str(st.st_uid)
    try:
        group = grp.getgrgid(st.st_gid).gr_name
    except KeyError:
        group = str(st.st_gid)
    return owner, group


def _permission_problem(path: str, url: str) -> Problem:
    try:
        st = os.stat(path)
    except PermissionError:
        parent = os.path.dirname(path)
        while parent and parent != "/":
            try:
                pst = os.stat(parent)
            except PermissionError:
                parent = os.path.dirname(parent)
                continue
            owner, _ = _owner_names(pst)
            return Problem("permission-denied",
                           f"permission denied: {parent} is private to user {owner} "
                           f"(mode {pst.st_mode & 0o7777:04o}); run dindscope as {owner} or with sudo", url)
        return Problem("permission-denied", f"permission denied on {path}; run dindscope with sudo", url)
    except OSError as exc:
        return Problem("permission-denied", f"permission denied on {path} ({exc.strerror}); try sudo", url)
    owner, group = _owner_names(st)
    mode = st.st_mode & 0o7777
    where = f"{path} (owner {owner}:{group}, mode {mode:04o})"
    if mode & 0o060 == 0o060 and st.st_gid != 0:
        hint = f"add your user to the '{group}' group (then log in again) or run dindscope with sudo"
    else:
        hint = f"run dindscope with sudo (or as {owner})"
    return Problem("permission-denied", f"permission denied on {where}: {hint}", url)


def check_unix_socket(candidate: EndpointCandidate) -> Problem | None:
    """Before connecting: is the socket there, a socket, and ours to use? None when it looks usable."""
    import stat as stat_mod

    path = unix_path(candidate.url)
    if path is None:
        return None
    try:
        st = os.stat(path)
    except FileNotFoundError:
        why = f" (from {candidate.source})" if candidate.source not in ("default", "--engine") else ""
        return Problem("socket-missing", f"no socket at {path}{why}: is the engine installed and started?",
                       candidate.url)
    except PermissionError:
        return _permission_problem(path, candidate.url)
    except OSError as exc:
        return Problem("socket-missing", f"cannot use {path}: {exc.strerror}", candidate.url)
    if not stat_mod.S_ISSOCK(st.st_mode):
        return Problem("socket-missing", f"{path} exists but is not a socket", candidate.url)
    if not os.access(path, os.R_OK | os.W_OK):
        return _permission_problem(path, candidate.url)
    return None


def _causes(exc: BaseException) -> list[BaseException]:
    """The exception and everything it wraps (__cause__, __context__, urllib3 .reason, args)."""
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


def problem_from_exception(exc: BaseException, candidate: EndpointCandidate, timeout: float,
                           doing: str = "") -> Problem:
    """Turn a connection/HTTP failure into one Problem line a person can act on."""
    import socket as socket_mod

    url = candidate.url
    doing = f" while {doing}" if doing else ""
    path = unix_path(url)
    causes = _causes(exc)
    names = {type(c).__name__ for c in causes}

    def has(*types: type[BaseException]) -> bool:
        return any(isinstance(c, types) for c in causes)

    if names & {"ReadTimeout", "ConnectTimeout", "ReadTimeoutError", "ConnectTimeoutError"} or has(
            socket_mod.timeout, TimeoutError):
        return Problem("timeout", f"engine did not answer within {timeout:g}s{doing} "
                                  f"(use --timeout to wait longer)", url)
    if has(FileNotFoundError):
        if path and doing and "version" not in doing and "connecting" not in doing:
            return Problem("engine-down", f"socket {path} disappeared{doing} (engine stopped?)", url)
        if path:
            return Problem("socket-missing", f"no socket at {path}: is the engine installed and started?", url)
        return Problem("socket-missing", f"endpoint not found{doing}", url)
    if has(PermissionError):
        if path:
            return _permission_problem(path, url)
        return Problem("permission-denied", f"permission denied{doing}", url)
    if has(ConnectionRefusedError):
        if path:
            return Problem("engine-down", f"socket {path} exists but no engine is listening{doing} "
                                          "(engine stopped or crashed?)", url)
        return Problem("engine-down", f"connection refused{doing}: no engine is listening there", url)
    if has(ConnectionResetError, BrokenPipeError) or names & {"RemoteDisconnected", "ProtocolError",
                                                              "ChunkedEncodingError", "IncompleteRead"}:
        return Problem("engine-down", f"engine closed the connection{doing} (stopped or crashed?)", url)
    if names & {"SSLError"}:
        return Problem("engine-error", f"TLS failed{doing}: check the client certificates "
                                       "(DOCKER_CERT_PATH / context TLS)", url)
    if names & {"ConnectionError", "NewConnectionError", "MaxRetryError", "OSError"} or has(OSError):
        return Problem("engine-down", f"cannot connect{doing}: {_short(exc)}", url)
    return Problem("engine-error", f"engine error{doing}: {_short(exc)}", url)


def _short(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return (text[:200] + "...") if len(text) > 200 else (text or type(exc).__name__)
