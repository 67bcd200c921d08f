"""Where engines might be listening: environment, docker contexts, default and per-user sockets.

Discovery only reads the environment and the filesystem; it never connects.
Default sockets that do not exist are skipped silently; endpoints the user
configured (``--engine``, ``DOCKER_HOST``, ``CONTAINER_HOST``, a docker context)
are kept even when missing, so that the collector reports them
(:func:`dindscope.collect.errors.check_unix_socket`).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Literal

from dindscope.collect.base import EndpointCandidate

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
