"""Collect one Podman engine (rootful or rootless) and all its containers, read-only.

Only GET/HEAD requests go to the engine: ``/info``, ``/version``, ``/networks/json``,
``/containers/json?all=true`` and ``/containers/{id}/json`` for every container,
inspected concurrently with a bound (``options.workers``). Every failure becomes a
:class:`Problem`; nothing raises out of :func:`collect_podman`.
"""

from __future__ import annotations

import json
import os
import socket
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from dindscope.collect.base import CollectOptions, EndpointCandidate, EngineResult
from dindscope.collect.caps import normalize_caps, sort_caps
from dindscope.collect.discovery import is_configured
from dindscope.collect.errors import check_unix_socket, classify, problem_from_exception
from dindscope.collect.podman_containers import container_from_inspect
from dindscope.collect.sockets import socket_path, unix_listener, user_name
from dindscope.models import Container, Engine, EngineNetwork, EngineSecurity, Listener, Problem

_NS_FILES = {"pid": "pid", "network": "net", "ipc": "ipc", "uts": "uts", "cgroupns": "cgroup"}
_MAX_SPEC_BYTES = 4 * 1024 * 1024


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
    user = (user_name(uid) or f"uid{uid}") if scan.socket_path else ("root" if uid == 0 else f"uid{uid}")
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
    scan.result.problems.append(problem_from_exception(exc, scan.candidate, scan.options.timeout, doing, "podman"))


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
        failure = classify(exc, "podman", scan.socket_path, scan.options.timeout)
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
    scan = _Scan(candidate, options, socket_path(candidate.url), result)
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
    problem = check_unix_socket(scan.candidate, "podman", quiet_if_missing=not is_configured(scan.candidate))
    if problem is not None:
        result.problems.append(problem)
        return
    if path is not None and not os.path.exists(path):
        return  # a default socket that is not there: nothing to report
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
