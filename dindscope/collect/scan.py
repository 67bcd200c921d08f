"""Take a live Snapshot: discover endpoints, collect every engine concurrently, merge, add host facts.

Never raises for engine trouble: each problem becomes one ``Problem`` line and
what the other engines gave is kept. One engine reached through several
endpoints (``/run/docker.sock`` -> Podman, a TCP listener ...) becomes one Engine.
"""

from __future__ import annotations

import contextlib
import os
import socket
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime

from dindscope import __version__
from dindscope.collect.base import CollectOptions, EndpointCandidate, EngineResult
from dindscope.collect.discovery import discover_endpoints
from dindscope.collect.docker_engine import collect_docker
from dindscope.collect.tcp_listeners import find_tcp_listeners, merge_listeners
from dindscope.models import Container, Engine, Host, Problem, Snapshot

Collector = Callable[[EndpointCandidate, CollectOptions], EngineResult]


def _podman_collector() -> Collector | None:
    try:
        from dindscope.collect.podman_engine import collect_podman
    except ImportError:
        return None
    return collect_podman


def _failed(candidate: EndpointCandidate, exc: BaseException) -> EngineResult:
    message = f"internal error while collecting {candidate.kind} engine: {type(exc).__name__}: {exc}"
    return EngineResult(candidate=candidate, problems=[Problem("other", message[:300], candidate.url)])


def collect_endpoint(candidate: EndpointCandidate, options: CollectOptions) -> EngineResult:
    """One endpoint with the right collector; a Docker API that is really Podman goes to the Podman collector."""
    try:
        if candidate.kind == "docker":
            result = collect_docker(candidate, options)
            if result.engine is None or result.engine.kind == "docker":
                return result
            candidate = replace(candidate, kind="podman")
            podman = _podman_collector()
            if podman is None:
                result.problems.append(Problem("other", "this Docker API is served by Podman, and the Podman "
                                                        "collector is not available", candidate.url))
                return result
            return podman(candidate, options)
        podman = _podman_collector()
        if podman is None:
            return EngineResult(candidate=candidate, problems=[
                Problem("other", "the Podman collector is not available in this build", candidate.url)])
        return podman(candidate, options)
    except Exception as exc:  # a collector bug must not end the scan
        return _failed(candidate, exc)


def collect_engines(candidates: Sequence[EndpointCandidate], options: CollectOptions) -> list[EngineResult]:
    """Collect every candidate concurrently; results in candidate order."""
    if not candidates:
        return []
    with ThreadPoolExecutor(max_workers=min(8, len(candidates)), thread_name_prefix="dindscope-engine") as pool:
        return list(pool.map(lambda c: collect_endpoint(c, options), candidates))


def merge_results(results: Sequence[EngineResult]) -> tuple[list[Engine], list[Container], list[Problem]]:
    """One Engine per engine key: endpoints and listeners joined, containers from the fullest look."""
    engines: dict[str, Engine] = {}
    containers: dict[str, list[Container]] = {}
    problems: list[Problem] = []
    for result in results:
        problems.extend(result.problems)
        engine = result.engine
        if engine is None:
            continue
        known = engines.get(engine.key)
        if known is None:
            engines[engine.key] = engine
            containers[engine.key] = list(result.containers)
            continue
        for url in engine.endpoints:
            if url not in known.endpoints:
                known.endpoints.append(url)
        known.listeners = merge_listeners(known.listeners, engine.listeners)
        if len(result.containers) > len(containers[engine.key]):
            containers[engine.key] = list(result.containers)
    all_containers = [c for key in engines for c in containers[key]]
    return list(engines.values()), all_containers, problems


def _host_facts(engines: list[Engine]) -> tuple[Host, list[Problem]]:
    try:
        from dindscope.collect.host import collect_host
    except ImportError:
        return _minimal_host(), []
    try:
        return collect_host(engines)
    except Exception as exc:
        return _minimal_host(), [Problem("host-fact", f"could not read host facts: {type(exc).__name__}: {exc}")]


def _minimal_host() -> Host:
    import pwd

    host = Host(hostname=socket.gethostname(), kernel=os.uname().release, collected_uid=os.getuid())
    with contextlib.suppress(KeyError):
        host.collected_as = pwd.getpwuid(os.getuid()).pw_name
    host.cgroup_version = "2" if os.path.exists("/sys/fs/cgroup/cgroup.controllers") else "1"
    host.var_run_is_run = os.path.realpath("/var/run") == "/run"
    return host


def _add_listeners(engines: list[Engine], options: CollectOptions) -> list[Problem]:
    """TCP listeners for engines whose collector does not look for them itself (Podman)."""
    problems = []
    for engine in engines:
        if engine.kind == "docker":
            continue
        try:
            found = find_tcp_listeners(engine, probe=options.probe_tcp, timeout=min(options.timeout, 1.0))
        except Exception as exc:  # best effort
            problems.append(Problem("probe-failed", f"could not look for TCP listeners: {exc}", engine.key))
            continue
        engine.listeners = merge_listeners(engine.listeners, found)
    return problems


def collect_snapshot(
    options: CollectOptions | None = None,
    endpoints: Sequence[str] | None = None,
    env: Mapping[str, str] | None = None,
) -> Snapshot:
    """A live Snapshot of every engine found (or of ``endpoints`` only). Never raises for engine problems."""
    options = options or CollectOptions()
    candidates = discover_endpoints(env=env, explicit=endpoints)
    results = collect_engines(candidates, options)
    engines, containers, problems = merge_results(results)
    problems.extend(_add_listeners(engines, options))
    host, host_problems = _host_facts(engines)
    problems.extend(host_problems)
    return Snapshot(
        host=host,
        engines=engines,
        containers=containers,
        problems=problems,
        taken_at=datetime.now(UTC).isoformat(timespec="seconds"),
        taken_by=f"dindscope {__version__}",
        source="live",
        redacted=False,  # values are in memory; outputs redact them
    )
