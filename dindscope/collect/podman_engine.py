"""Collect one Podman engine (rootful or rootless) and all its containers, read-only.

Only GET/HEAD requests go to the engine: ``/info``, ``/version``, ``/networks/json``,
``/containers/json?all=true`` and ``/containers/{id}/json`` for every container,
inspected concurrently with a bound (``options.workers``). Every failure becomes a
:class:`Problem`; nothing raises out of :func:`collect_podman`.
"""

from __future__ import annotations

import grp
import http.client
import json
import os
import pwd
import socket
import stat
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from dindscope.collect.base import CollectOptions, EndpointCandidate, EngineResult
from dindscope.collect.caps import normalize_caps, sort_caps
from dindscope.collect.podman_containers import container_from_inspect
from dindscope.models import Container, Engine, EngineNetwork, EngineSecurity, Listener, Problem

_NS_FILES = {"pid": "pid", "network": "net", "ipc": "ipc", "uts": "uts", "cgroupns": "cgroup"}
_MAX_SPEC_BYTES = 4 * 1024 * 1024


def _socket_path(url: str) -> str | None:
    if url.startswith("unix://"):
        return url[len("unix://"):]
    if url.startswith("http+unix://"):
        return urllib.parse.unquote(url[len("http+unix://"):])
    return None


def host_namespaces() -> dict[str, str]:
    """Inode numbers of the host's namespaces (``/proc/1/ns``, else our own), by Namespaces field."""
    for base in ("/proc/1/ns", "/proc/self/ns"):
        found = {}
        for kind, name in _NS_FILES.items():
            try:
                link = os.readlink(f"{base}/{name}")  # "ipc:[4026531839]"
            except OSError:
                continue
            found[kind] = link.rpartition("[")[2].rstrip("]")
        if found:
            return found
    return {}


def read_oci_spec(path: str) -> dict[str, Any] | None:
    """A started container's OCI config.json, when this process may read it (local engines only)."""
    if not path or not os.path.isabs(path) or not path.endswith("/config.json"):
        return None
    try:
        with open(path, "rb") as fh:
            raw = fh.read(_MAX_SPEC_BYTES + 1)
        if len(raw) > _MAX_SPEC_BYTES:
            return None
        spec = json.loads(raw)
    except (OSError, ValueError):
        return None
    return spec if isinstance(spec, dict) else None


@dataclass
class _Client:
    """The part of ``podman.PodmanClient`` this collector uses: ``.api`` (GET only) and closing."""

    api: Any

    def __enter__(self) -> _Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.api.close()


@dataclass
class _Scan:
    candidate: EndpointCandidate
    options: CollectOptions
    socket_path: str | None
    result: EngineResult
    failures: dict[str, list[str]] = field(default_factory=dict)


def _engine_from(info: dict[str, Any], version: dict[str, Any], scan: _Scan) -> Engine:
    host = info.get("host") if isinstance(info.get("host"), dict) else {}
    store = info.get("store") if isinstance(info.get("store"), dict) else {}
    sec = host.get("security") if isinstance(host.get("security"), dict) else {}
    rootless = bool(sec.get("rootless"))
    listener = unix_listener(scan.socket_path) if scan.socket_path else None
    uid = 0
    if rootless:
        uid = _rootless_uid(host, listener.owner_uid if listener else None, scan.candidate.owner_uid)
    user = _user_name(uid) if scan.socket_path else ("root" if uid == 0 else f"uid{uid}")
    hostname = str(host.get("hostname") or "")
    cgroup = str(host.get("cgroupVersion") or "")
    profile = str(sec.get("seccompProfilePath") or "")
    security = EngineSecurity(
        seccomp=bool(sec.get("seccompEnabled")),
        seccomp_profile=profile,
        apparmor=bool(sec.get("apparmorEnabled")),
        selinux=bool(sec.get("selinuxEnabled")),
        rootless=rootless,
    )
    security.raw = [f"name={n}" + (f",profile={profile}" if n == "seccomp" and profile else "")
                    for n, on in (("seccomp", security.seccomp), ("apparmor", security.apparmor),
                                  ("selinux", security.selinux), ("rootless", rootless)) if on]
    caps = str(sec.get("capabilities") or "")
    mode = f"rootless:{user}" if rootless else "rootful"
    libpod = _dict(info.get("version"))  # the libpod version; /version's ApiVersion is the Docker-compat one
    version_str = str(libpod.get("Version") or version.get("Version") or "")
    api_version = str(libpod.get("APIVersion") or version.get("ApiVersion") or version.get("APIVersion") or "")
    return Engine(
        key=f"podman:{hostname}:{uid}",
        kind="podman",
        name=f"podman ({mode}, {scan.candidate.url})",
        endpoints=[scan.candidate.url],
        context=scan.candidate.source if scan.candidate.source.startswith("CONTAINER_") else "",
        engine_id=f"{hostname}:{uid}",
        hostname=hostname,
        version=version_str,
        api_version=api_version,
        os=str(host.get("os") or ""),
        kernel=str(host.get("kernel") or ""),
        rootless=rootless,
        user=user,
        uid=uid,
        cgroup_version=cgroup[1:] if cgroup.startswith("v") else cgroup,
        cgroup_driver=str(host.get("cgroupManager") or ""),
        data_root=str(store.get("graphRoot") or ""),
        security=security,
        listeners=[listener] if listener else _tcp_listeners(scan.candidate),
        default_capabilities=sort_caps(normalize_caps(caps.split(","))),
    )


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _rootless_uid(host: dict[str, Any], socket_owner: int | None, candidate_owner: int | None) -> int:
    """The host uid a rootless engine runs as: container uid 0 maps to it."""
    for entry in _dict(host.get("idMappings")).get("uidmap") or []:
        if isinstance(entry, dict) and entry.get("container_id") == 0 and isinstance(entry.get("host_id"), int):
            return int(entry["host_id"])
    for uid in (socket_owner, candidate_owner):
        if uid is not None:
            return uid
    return -1


def _user_name(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name
    except (KeyError, OverflowError):
        return f"uid{uid}"


def _group_name(gid: int) -> str:
    try:
        return grp.getgrgid(gid).gr_name
    except (KeyError, OverflowError):
        return f"gid{gid}"


def unix_listener(path: str) -> Listener | None:
    """The socket file as a listener, with its owner, group and permission bits."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return Listener(kind="unix", address=path, owner=_user_name(st.st_uid), owner_uid=st.st_uid,
                    group=_group_name(st.st_gid), group_gid=st.st_gid, mode=stat.S_IMODE(st.st_mode),
                    source="connected")


def permission_hint(path: str) -> str:
    """One line: what blocks access to the socket ``path`` and who could get through."""
    blocker, parts = path, path.strip("/").split("/")
    for i in range(1, len(parts)):
        prefix = "/" + "/".join(parts[:i])
        if not os.access(prefix, os.X_OK):
            blocker = prefix
            break
    try:
        st = os.stat(blocker)
    except OSError:
        return f"permission denied on {path}; try sudo"
    owner, group, mode = _user_name(st.st_uid), _group_name(st.st_gid), stat.S_IMODE(st.st_mode)
    what = "" if blocker == path else f" ({blocker} is not accessible)"
    facts = f"owner {owner}, group {group}, mode {mode:04o}"
    if blocker == path and mode & 0o060 == 0o060 and st.st_gid != 0:
        advice = f"members of group '{group}' can use it, or use sudo"
    elif st.st_uid != 0:
        advice = f"run as user '{owner}' (whose engine it is) or use sudo"
    else:
        advice = "only root can use it: use sudo"
    return f"permission denied on {path}{what} ({facts}): {advice}"


@dataclass
class EngineFailure:
    code: str
    message: str


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen and len(seen) < 20:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def _one_line(text: str) -> str:
    """Engine-supplied text as one printable line (no newlines or terminal control characters)."""
    return " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())


def classify(exc: BaseException, socket_path: str | None, timeout: float) -> EngineFailure:
    """Map any exception from talking to the engine to a problem code and one clear line."""
    import requests
    import urllib3.exceptions

    where = socket_path or "the engine"
    chain = _chain(exc)
    if any(isinstance(e, (requests.Timeout, TimeoutError, socket.timeout, urllib3.exceptions.TimeoutError))
           for e in chain):
        return EngineFailure("timeout", f"Podman did not answer within {timeout:g}s (engine hung or overloaded; "
                                        "raise the timeout)")
    for e in chain:
        if isinstance(e, FileNotFoundError) and socket_path:
            return EngineFailure("socket-missing", f"Podman socket {socket_path} disappeared")
        if isinstance(e, PermissionError) and socket_path:
            return EngineFailure("permission-denied", permission_hint(socket_path))
        if isinstance(e, ConnectionRefusedError):
            return EngineFailure("engine-down", f"nothing is listening on {where}: the Podman service is down")
    if any(isinstance(e, (ConnectionResetError, BrokenPipeError, http.client.RemoteDisconnected,
                          urllib3.exceptions.ProtocolError)) for e in chain):
        return EngineFailure("engine-down", f"Podman closed the connection on {where} (service died?)")
    status = getattr(getattr(exc, "response", None), "status_code", None) or getattr(exc, "status_code", None)
    if status == 404:
        return EngineFailure("container-gone", "not found")
    if status:
        detail = _one_line(str(getattr(exc, "explanation", "") or exc))[:200]
        return EngineFailure("engine-error", f"Podman answered HTTP {status}: {detail}")
    if isinstance(exc, ValueError):
        return EngineFailure("engine-error", f"Podman sent a malformed answer on {where}: {exc}"[:300])
    if any(isinstance(e, requests.ConnectionError) for e in chain):
        return EngineFailure("engine-down", f"cannot connect to Podman on {where}: {exc}"[:300])
    return EngineFailure("other", f"{type(exc).__name__}: {exc}"[:300])


def _tcp_listeners(candidate: EndpointCandidate) -> list[Listener]:
    parsed = urllib.parse.urlparse(candidate.url)
    if parsed.scheme not in ("tcp", "http", "https") or not parsed.hostname:
        return []
    tls = parsed.scheme == "https" or bool(candidate.tls)
    return [Listener(kind="tcp", address=parsed.hostname, port=parsed.port or (2376 if tls else 2375),
                     tls=tls, source="connected")]


def _networks(client: Any, scan: _Scan) -> list[EngineNetwork]:
    try:
        data = client.api.get("/networks/json").json()
    except Exception as exc:
        _fail(scan, exc, "listing networks")
        return []
    nets = []
    for n in data if isinstance(data, list) else []:
        if not isinstance(n, dict):
            continue
        subnets = [s for s in n.get("subnets") or [] if isinstance(s, dict)]
        nets.append(EngineNetwork(
            name=str(n.get("name") or ""), id=str(n.get("id") or ""), driver=str(n.get("driver") or ""),
            subnets=[str(s.get("subnet")) for s in subnets if s.get("subnet")],
            gateways=[str(s.get("gateway")) for s in subnets if s.get("gateway")],
            internal=bool(n.get("internal")),
        ))
    return nets


def _fail(scan: _Scan, exc: BaseException, doing: str) -> None:
    """Record a failed engine request as one problem line."""
    failure = classify(exc, scan.socket_path, scan.options.timeout)
    what = f" (while {doing})" if failure.code not in ("permission-denied", "socket-missing") else ""
    scan.result.problems.append(Problem(code=failure.code, message=failure.message + what,  # type: ignore[arg-type]
                                        source=scan.candidate.url))


def _inspect(client: Any, entry: dict[str, Any], engine: Engine, scan: _Scan,
             host_ns: dict[str, str], local: bool) -> Container | None:
    cid = str(entry.get("Id") or "")
    names = entry.get("Names") or []
    label = str(names[0]) if names else cid[:12]
    try:
        response = client.api.get(f"/containers/{urllib.parse.quote(cid, safe='')}/json")
        if response.status_code == 404:
            scan.failures.setdefault("container-gone", []).append(label)
            return None
        response.raise_for_status()
        data = response.json()
    except Exception as exc:
        failure = classify(exc, scan.socket_path, scan.options.timeout)
        if failure.code == "container-gone":
            scan.failures.setdefault("container-gone", []).append(label)
        else:
            scan.failures.setdefault(failure.code, []).append(f"{label}: {failure.message}")
        return None
    if not isinstance(data, dict):
        scan.failures.setdefault("engine-error", []).append(f"{label}: inspect returned no object")
        return None
    spec = read_oci_spec(str(data.get("OCIConfigPath") or "")) if local else None
    list_ns = entry.get("Namespaces") if local and isinstance(entry.get("Namespaces"), dict) else {}
    return container_from_inspect(data, engine.key, engine_uid=engine.uid, list_namespaces=list_ns,
                                  host_namespaces=host_ns, oci_spec=spec)


def _containers(client: Any, engine: Engine, scan: _Scan) -> list[Container]:
    try:
        # namespace=true adds namespace inodes of running containers; rootless Podman 4.3 can fail on it
        # (HTTP 500 joining a network namespace), so list again without it before giving up.
        response = client.api.get("/containers/json", params={"all": "true", "namespace": "true"})
        if response.status_code >= 500:
            response = client.api.get("/containers/json", params={"all": "true"})
        response.raise_for_status()
        listed = response.json()
    except Exception as exc:
        _fail(scan, exc, "listing containers")
        return []
    entries = [e for e in listed if isinstance(e, dict) and e.get("Id")] if isinstance(listed, list) else []
    engine.containers_total = len(entries)
    local = scan.socket_path is not None and engine.hostname == socket.gethostname()
    host_ns = host_namespaces() if local else {}
    with ThreadPoolExecutor(max_workers=max(1, scan.options.workers)) as pool:
        found = list(pool.map(lambda e: _inspect(client, e, engine, scan, host_ns, local), entries))
    for code, items in sorted(scan.failures.items()):
        if code == "container-gone":
            for name in items:
                scan.result.problems.append(Problem(
                    "container-gone", f"container {name} was removed between list and inspect; skipped",
                    source=engine.key))
        else:
            more = f" (and {len(items) - 1} more)" if len(items) > 1 else ""
            scan.result.problems.append(Problem(
                code, f"{len(items)} container(s) could not be inspected: {items[0]}{more}",  # type: ignore[arg-type]
                source=scan.candidate.url))
    return [c for c in found if c is not None]


def collect_podman(candidate: EndpointCandidate, options: CollectOptions) -> EngineResult:
    """Reach one Podman endpoint and return its engine, containers and problems. Never raises."""
    result = EngineResult(candidate=candidate)
    scan = _Scan(candidate, options, _socket_path(candidate.url), result)
    try:
        _collect(scan)
    except Exception as exc:
        result.problems.append(Problem("other", f"Podman collection failed: {type(exc).__name__}: {exc}",
                                       source=candidate.url))
    return result


def _collect(scan: _Scan) -> None:
    # podman-py's APIClient is what PodmanClient.api is; PodmanClient itself would also read the user's
    # containers.conf and connection files, which an explicit URL does not need and which fail when
    # HOME is unreadable (sudo -u, a service account).
    from podman.api import APIClient

    path, result = scan.socket_path, scan.result
    if path is not None:
        try:
            st = os.stat(path)
        except FileNotFoundError:
            if scan.candidate.explicit:
                result.problems.append(Problem("socket-missing", f"no Podman socket at {path}",
                                               source=scan.candidate.url))
            return
        except PermissionError:
            result.problems.append(Problem("permission-denied", permission_hint(path), source=scan.candidate.url))
            return
        if not stat.S_ISSOCK(st.st_mode):
            result.problems.append(Problem("engine-error", f"{path} is not a socket", source=scan.candidate.url))
            return
    base_url = f"unix://{path}" if path is not None else scan.candidate.url
    try:
        api = APIClient(base_url=base_url, timeout=scan.options.timeout,
                        max_pool_size=max(1, scan.options.workers))
        client = _Client(api)
    except Exception as exc:
        result.problems.append(Problem("other", f"cannot use Podman URL {scan.candidate.url}: {exc}",
                                       source=scan.candidate.url))
        return
    with client:
        try:
            info = client.api.get("/info")
            info.raise_for_status()
            version = client.api.get("/version")
            version.raise_for_status()
            info_data, version_data = info.json(), version.json()
        except Exception as exc:
            _fail(scan, exc, "asking for engine info")
            return
        engine = _engine_from(_dict(info_data), _dict(version_data), scan)
        result.engine = engine
        engine.networks = _networks(client, scan)
        result.containers = _containers(client, engine, scan)
