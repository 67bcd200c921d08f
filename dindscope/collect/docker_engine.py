"""Collect one Docker engine: its facts, listeners, networks and every container, read-only.

Talks to the engine through :mod:`dindscope.collect.docker_api` (GET/HEAD only: a
lean keep-alive client on unix sockets, docker-py for TCP/TLS). Containers are
inspected concurrently with ``options.workers`` threads, one connection each.
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from typing import Any
from urllib.parse import urlparse

from dindscope.collect.base import CollectOptions, EndpointCandidate, EngineResult
from dindscope.collect.caps import DOCKER_DEFAULT_CAPABILITIES, sort_caps
from dindscope.collect.discovery import unix_path
from dindscope.collect.docker_api import (
    USER_AGENT,
    HTTPStatusError,
    NotFound,
    PerThread,
    connect,
    make_client,
    negotiate_version,
)
from dindscope.collect.docker_containers import container_from_inspect
from dindscope.collect.errors import check_unix_socket, problem_from_exception
from dindscope.collect.sockets import unix_listener, user_name
from dindscope.models import Container, Engine, EngineNetwork, EngineSecurity, Listener, Problem

__all__ = ["USER_AGENT", "collect_docker", "engine_from_info", "make_client", "negotiate_version",
           "parse_engine_security", "parse_networks", "podman_component"]


def podman_component(version: dict[str, Any]) -> dict[str, Any] | None:
    """The "Podman Engine" component of a /version answer: this Docker API is really Podman."""
    for component in version.get("Components") or []:
        if isinstance(component, dict) and "podman" in str(component.get("Name", "")).lower():
            return component
    return None


def parse_engine_security(options: Sequence[str]) -> EngineSecurity:
    """Info.SecurityOptions (``name=seccomp,profile=default``, ``name=rootless`` ...) -> EngineSecurity."""
    sec = EngineSecurity(raw=[str(o) for o in options])
    for option in sec.raw:
        fields = dict(part.split("=", 1) for part in option.split(",") if "=" in part)
        name = fields.get("name", option)
        if name == "seccomp":
            sec.seccomp = True
            sec.seccomp_profile = fields.get("profile", "")
        elif name == "apparmor":
            sec.apparmor = True
        elif name == "selinux":
            sec.selinux = True
        elif name == "userns":
            sec.userns_remap = True
        elif name == "rootless":
            sec.rootless = True
        elif name == "no-new-privileges":
            sec.no_new_privileges = True
    return sec


def socket_listener(path: str) -> Listener:
    """The unix socket an engine was reached through, with its owner, group and mode (if it can be seen)."""
    return unix_listener(path) or Listener(kind="unix", address=path, source="connected")


def endpoint_listener(candidate: EndpointCandidate) -> Listener:
    path = unix_path(candidate.url)
    if path is not None:
        return socket_listener(path)
    parsed = urlparse(candidate.url)
    tls = parsed.scheme == "https" or bool(candidate.tls)
    default_port = 2376 if tls else 2375
    return Listener(kind="tcp", address=parsed.hostname or "", port=parsed.port or default_port, tls=tls,
                    source="connected")


def parse_networks(raw: list[dict[str, Any]]) -> list[EngineNetwork]:
    networks = []
    for net in raw or []:
        subnets, gateways = [], []
        for cfg in (net.get("IPAM") or {}).get("Config") or []:
            subnet, gateway = cfg.get("Subnet") or "", cfg.get("Gateway") or ""
            if subnet:
                subnets.append(subnet)
            if not gateway and subnet and net.get("Driver") == "bridge":
                # Docker's default IPAM gives the bridge the first address; older engines do not report it.
                with contextlib.suppress(ValueError, StopIteration):
                    gateway = str(next(ipaddress.ip_network(subnet, strict=False).hosts()))
            if gateway:
                gateways.append(gateway)
        networks.append(EngineNetwork(name=net.get("Name", ""), id=net.get("Id", ""), driver=net.get("Driver", ""),
                                      subnets=subnets, gateways=gateways, internal=bool(net.get("Internal"))))
    return networks


def engine_from_info(info: dict[str, Any], version: dict[str, Any], candidate: EndpointCandidate) -> Engine:
    security = parse_engine_security(info.get("SecurityOptions") or [])
    engine_id = str(info.get("ID") or "")
    engine = Engine(
        key=f"docker:{engine_id}" if engine_id else f"docker:{candidate.url}",
        kind="docker",
        name=f"docker ({candidate.url})",
        endpoints=[candidate.url],
        context=candidate.source.split(":", 1)[1] if candidate.source.startswith("context:") else "",
        engine_id=engine_id,
        hostname=str(info.get("Name") or ""),
        version=str(info.get("ServerVersion") or version.get("Version") or ""),
        api_version=str(version.get("ApiVersion") or ""),
        os=str(info.get("OperatingSystem") or ""),
        kernel=str(info.get("KernelVersion") or ""),
        rootless=security.rootless,
        cgroup_version=str(info.get("CgroupVersion") or ""),
        cgroup_driver=str(info.get("CgroupDriver") or ""),
        data_root=str(info.get("DockerRootDir") or ""),
        security=security,
        default_capabilities=sort_caps(DOCKER_DEFAULT_CAPABILITIES),
        containers_total=int(info.get("Containers") or 0),
    )
    if engine.rootless:
        uid = candidate.owner_uid
        path = unix_path(candidate.url)
        if uid is None and path:
            with contextlib.suppress(OSError):
                uid = os.stat(path).st_uid
        if uid is not None:
            engine.uid, engine.user = uid, user_name(uid) or str(uid)
    return engine


def inspect_containers(clients: PerThread, summaries: list[dict[str, Any]], engine_key: str,
                       default_caps: Sequence[str], candidate: EndpointCandidate,
                       options: CollectOptions) -> tuple[list[Container], list[Problem]]:
    """Inspect every listed container concurrently; skip those removed meanwhile; stop if the engine dies."""
    problems: list[Problem] = []
    found: dict[str, Container] = {}
    stop = threading.Event()
    fatal: Problem | None = None

    def work(cid: str) -> dict[str, Any] | None:
        return None if stop.is_set() else clients.inspect(cid)

    ids = [s["Id"] for s in summaries if isinstance(s, dict) and s.get("Id")]
    names = {s["Id"]: ((s.get("Names") or ["/?"])[0]).lstrip("/") for s in summaries if s.get("Id")}
    with ThreadPoolExecutor(max_workers=max(1, options.workers), thread_name_prefix="dindscope-inspect") as pool:
        futures = {pool.submit(work, cid): cid for cid in ids}
        for future in as_completed(futures):
            cid = futures[future]
            if future.cancelled():
                continue
            try:
                data = future.result()
            except NotFound:
                problems.append(Problem("container-gone", f"container {names[cid]} ({cid[:12]}) was removed "
                                                          "between listing and inspection; skipped", candidate.url))
                continue
            except HTTPStatusError as exc:
                problems.append(Problem("engine-error", f"cannot inspect container {names[cid]} ({cid[:12]}): "
                                                        f"{exc.explanation or exc}", candidate.url))
                continue
            except Exception as exc:  # connection-level: the engine is gone or too slow
                if fatal is None:
                    fatal = problem_from_exception(exc, candidate, options.timeout, "inspecting containers")
                    stop.set()
                    for other in futures:
                        other.cancel()
                continue
            if data is None:
                continue
            try:
                found[cid] = container_from_inspect(data, engine_key, default_caps)
            except Exception as exc:  # odd engine data must not end the scan
                problems.append(Problem("engine-error", f"cannot read inspect data of {cid[:12]}: {exc}",
                                        candidate.url))
    if fatal is not None:
        fatal.message += f"; {len(found)} of {len(ids)} containers were inspected before that"
        problems.insert(0, fatal)
    return [found[cid] for cid in ids if cid in found], problems


def fill_network_ids(containers: Sequence[Container], networks: Sequence[EngineNetwork]) -> None:
    """Created containers do not carry their networks' IDs yet; take them from the engine's list."""
    ids = {net.name: net.id for net in networks}
    for container in containers:
        for attachment in container.networks:
            if not attachment.network_id:
                attachment.network_id = ids.get(attachment.name, "")


def collect_docker(candidate: EndpointCandidate, options: CollectOptions) -> EngineResult:
    """Everything one Docker endpoint shows; never raises for engine problems.

    When the endpoint turns out to be Podman's Docker-compatible API, the result's
    engine has ``kind == "podman"`` and no containers: the caller should collect it
    with the Podman collector instead.
    """
    result = EngineResult(candidate=candidate)
    problem = check_unix_socket(candidate)
    if problem is not None:
        result.problems.append(problem)
        return result
    step = "connecting"
    clients: PerThread | None = None
    try:
        probe = connect(candidate, options.timeout)
        try:
            step = "asking for the engine version"
            version = probe.version()
        finally:
            probe.close()
        podman = podman_component(version)
        if podman is not None:
            result.engine = Engine(key=f"podman:{candidate.url}", kind="podman", name=f"podman ({candidate.url})",
                                   endpoints=[candidate.url], version=str(podman.get("Version") or ""),
                                   api_version=str(version.get("ApiVersion") or ""),
                                   listeners=[endpoint_listener(candidate)])
            return result
        api = negotiate_version(version)
        clients = PerThread(lambda: connect(candidate, options.timeout, api))
        client = clients.get()
        step = "reading engine info"
        engine = engine_from_info(client.info(), version, candidate)
        result.engine = engine
        engine.listeners.append(endpoint_listener(candidate))
        step = "listing networks"
        engine.networks = parse_networks(client.networks())
        step = "listing containers"
        summaries = client.containers()
        engine.containers_total = len(summaries)
        containers, problems = inspect_containers(clients, summaries, engine.key, engine.default_capabilities,
                                                  candidate, options)
        result.containers = containers
        fill_network_ids(containers, engine.networks)
        result.problems.extend(problems)
    except Exception as exc:  # every failure becomes one Problem line
        result.problems.append(problem_from_exception(exc, candidate, options.timeout, step))
        return result
    finally:
        if clients is not None:
            clients.close()
    _add_tcp_listeners(engine, options, result)
    return result


def _add_tcp_listeners(engine: Engine, options: CollectOptions, result: EngineResult) -> None:
    from dindscope.collect.tcp_listeners import find_tcp_listeners, merge_listeners

    try:
        found = find_tcp_listeners(engine, probe=options.probe_tcp, timeout=min(options.timeout, 1.0))
    except Exception as exc:  # listener discovery is best effort
        result.problems.append(Problem("probe-failed", f"could not look for TCP listeners: {exc}", engine.key))
        return
    engine.listeners = merge_listeners(engine.listeners, found)
