"""The TCP techniques on real engines: a real TLS-less engine API listener, real containers, a real scan.

The listener is a second API process of the machine's rootful Podman (``podman system service tcp:ADDR:PORT``,
plain HTTP: Podman has no TLS), started here and stopped by the fixture; the shared engines are not touched.
The collector finds it from the process command line under /proc. Containers are created on the real Docker
engine (and Podman), and each path the analysis claims is also exercised for real from inside a running
container (``GET /_ping`` to ADDR:PORT answers ``OK``), so the test shows the path exists, not only that
the model says so.
"""

from __future__ import annotations

import socket
import subprocess
from collections.abc import Iterator

import pytest

from dindscope.analysis import Analysis, Finding, analyze
from dindscope.collect.base import CollectOptions
from dindscope.collect.scan import collect_snapshot
from tests.conftest import DOCKER_SOCKET, PODMAN_SOCKET, engine_unavailable
from tests.integration._scenario import Scenario, new_scenario, step_with
from tests.integration.services import extra_podman_service

pytestmark = [pytest.mark.integration, pytest.mark.docker, pytest.mark.podman]

BRIDGE_GATEWAY = "172.17.0.1"  # Docker's default bridge gateway: this machine's own address on docker0


def free_port(address: str) -> int:
    with socket.socket() as s:
        s.bind((address, 0))
        return s.getsockname()[1]


def podman_tcp_service(address: str) -> Iterator[int]:
    """A second rootful ``podman system service`` on ``tcp:address:PORT`` (no TLS); stopped afterwards."""
    try:
        port = free_port(address)
    except OSError as exc:
        engine_unavailable(f"cannot bind {address} on this machine: {exc}")

    def ready() -> bool:
        with socket.socket() as s:
            return s.connect_ex((address, port)) == 0

    with extra_podman_service(f"tcp:{address}:{port}", ready):
        yield port


def scan() -> Analysis:
    snapshot = collect_snapshot(CollectOptions(timeout=30, probe_tcp=False),
                                endpoints=[f"unix://{DOCKER_SOCKET}", f"unix://{PODMAN_SOCKET}"])
    # other helpers may run their own listeners on this machine: look past the 3 default alternatives
    return analyze(snapshot, max_alternatives=12)


def through(findings: list[Finding], address: str, port: int) -> list[Finding]:
    """Findings whose path goes through the endpoint node of address:port."""
    return [f for f in findings if any(n.kind == "endpoint" and n.name.startswith(f"tcp://{address}:{port} ")
                                       for n in f.path)]


def container_ping(cli: str, name: str, address: str, port: int) -> bool:
    """From inside the running container: does ``GET /_ping`` at address:port answer like an engine API?

    (busybox ``nc`` with a hand-written request: the test image has no HTTP client of its own.)
    """
    request = "printf 'GET /_ping HTTP/1.0\\r\\n\\r\\n' | busybox nc -w 5 " + f"{address} {port}"
    proc = subprocess.run([cli, "exec", name, "sh", "-c", request], capture_output=True, timeout=60)
    return proc.returncode == 0 and proc.stdout.startswith(b"HTTP/1.") and proc.stdout.endswith(b"\r\n\r\nOK")


def start(cli: str, name: str) -> None:
    proc = subprocess.run([cli, "start", name], capture_output=True, text=True, timeout=60)
    if proc.returncode != 0:
        pytest.fail(f"{cli} start {name}: {proc.stderr.strip()}")


# -- host network -> a listener bound to loopback ---------------------------------------------------------------

@pytest.fixture(scope="module")
def loopback(docker_client, podman_client) -> Iterator[tuple[Scenario, Scenario, int, Analysis]]:
    docker, podman = new_scenario("docker", f"unix://{DOCKER_SOCKET}"), new_scenario("podman",
                                                                                     f"unix://{PODMAN_SOCKET}")
    try:
        docker.create("hostnet", "--network", "host")
        docker.create("bridged")  # default bridge: loopback of the host is not its loopback
        podman.create("hostnet", "--network", "host")
        for port in podman_tcp_service("127.0.0.1"):
            yield docker, podman, port, scan()
    finally:
        docker.cleanup()
        podman.cleanup()


def test_host_network_container_reaches_the_loopback_listener_and_host_root(loopback) -> None:
    docker, _podman, port, analysis = loopback
    name = docker.created["hostnet"]
    mine = [f for f in analysis.findings if f.subject.kind == "container" and f.subject.name == name]
    found = [f for f in through(mine, "127.0.0.1", port) if f.impact == "host-root"]
    assert found, f"no host-root path through 127.0.0.1:{port}; got {[f.chain for f in mine]}"
    f = found[0]
    assert f.techniques == ["host-network-loopback", "engine-api", "engine-control-rootful"]
    assert [n.kind for n in f.path] == ["container", "endpoint", "engine", "host"]
    assert f.path[1].name == f"tcp://127.0.0.1:{port} (TLS off)"
    assert f.path[2].name.startswith("podman engine (rootful")
    hop = step_with(f, "host-network-loopback")
    assert "HostConfig.NetworkMode=host" in hop.evidence
    assert f"listener tcp://127.0.0.1:{port} tls=False" in hop.evidence
    api = step_with(f, "engine-api")
    assert any(f"tcp://127.0.0.1:{port}" in e and "found via cmdline" in e for e in api.evidence), api.evidence
    assert "TLS off" in api.explanation
    assert any(r.id == "host-network/remove" for r in f.remediations)
    assert any(r.id == "tcp-api/tls" for r in f.remediations)


def test_the_same_technique_for_a_podman_container(loopback) -> None:
    _docker, podman, port, analysis = loopback
    name = podman.created["hostnet"]
    mine = [f for f in analysis.findings if f.subject.kind == "container" and f.subject.name == name]
    found = [f for f in through(mine, "127.0.0.1", port) if f.impact == "host-root"]
    assert found and found[0].techniques[0] == "host-network-loopback"


def test_a_bridged_container_does_not_reach_the_loopback_listener(loopback) -> None:
    docker, _podman, port, analysis = loopback
    name = docker.created["bridged"]
    assert through([f for f in analysis.findings if f.subject.name == name], "127.0.0.1", port) == []


def test_the_loopback_path_is_real(loopback) -> None:
    docker, _podman, port, _analysis = loopback
    start("docker", docker.created["hostnet"])
    start("docker", docker.created["bridged"])
    assert container_ping("docker", docker.created["hostnet"], "127.0.0.1", port)
    assert not container_ping("docker", docker.created["bridged"], "127.0.0.1", port)


def test_what_if_removing_host_network_removes_exactly_that_path(loopback) -> None:
    from dindscope.analysis.whatif import what_if

    docker, _podman, port, analysis = loopback
    name = docker.created["hostnet"]
    w = what_if(analysis.snapshot, ["host-network/remove"], subject=name, before=analysis)
    assert w.applied[0].changes
    gone = {f.id for f in w.removed}
    assert {f.id for f in through([f for f in analysis.findings if f.subject.name == name], "127.0.0.1", port)} \
        <= gone
    assert all(f.subject.name == name for f in w.removed)


# -- a listener on the bridge gateway, reachable from containers on the bridge ---------------------------------

@pytest.fixture(scope="module")
def gateway(docker_client, podman_client) -> Iterator[tuple[Scenario, int, Analysis]]:
    docker = new_scenario("docker", f"unix://{DOCKER_SOCKET}")
    try:
        docker.create("bridged")
        docker.create("isolated", "--network", "none")
        for port in podman_tcp_service(BRIDGE_GATEWAY):
            yield docker, port, scan()
    finally:
        docker.cleanup()


def test_bridged_container_reaches_the_gateway_listener_and_host_root(gateway) -> None:
    docker, port, analysis = gateway
    name = docker.created["bridged"]
    mine = [f for f in analysis.findings if f.subject.kind == "container" and f.subject.name == name]
    found = [f for f in through(mine, BRIDGE_GATEWAY, port) if f.impact == "host-root"]
    assert found, f"no host-root path through {BRIDGE_GATEWAY}:{port}; got {[f.chain for f in mine]}"
    f = found[0]
    assert f.techniques == ["network-attach", "tcp-api-exposed", "engine-api", "engine-control-rootful"]
    assert [n.kind for n in f.path] == ["container", "network", "endpoint", "engine", "host"]
    assert f.path[1].name == "network bridge"
    assert f.path[2].name == f"tcp://{BRIDGE_GATEWAY}:{port} (TLS off)"
    attach = step_with(f, "network-attach")
    assert any(e.startswith("NetworkSettings.Networks.bridge.IPAddress=") for e in attach.evidence)
    exposed = step_with(f, "tcp-api-exposed")
    assert f"bound to the network's gateway {BRIDGE_GATEWAY}" in exposed.explanation
    assert any(BRIDGE_GATEWAY in e and e.startswith("gateways ") for e in exposed.evidence), exposed.evidence
    assert any(f"tcp://{BRIDGE_GATEWAY}:{port} tls=False" in e and "cmdline" in e for e in exposed.evidence)
    assert any(r.id == "tcp-api/tls" for r in f.remediations)
    # the listener is exposed to a network: it is a subject of its own
    assert any(s.kind == "endpoint" and s.name.startswith(f"tcp://{BRIDGE_GATEWAY}:{port} ")
               for s in analysis.subjects)


def test_a_container_without_network_does_not_reach_it(gateway) -> None:
    docker, port, analysis = gateway
    name = docker.created["isolated"]
    assert through([f for f in analysis.findings if f.subject.name == name], BRIDGE_GATEWAY, port) == []


def test_the_gateway_path_is_real(gateway) -> None:
    docker, port, _analysis = gateway
    start("docker", docker.created["bridged"])
    assert container_ping("docker", docker.created["bridged"], BRIDGE_GATEWAY, port)


def test_what_if_tls_on_the_listener_removes_the_paths_through_it(gateway) -> None:
    from dindscope.analysis.whatif import what_if

    _docker, port, analysis = gateway
    w = what_if(analysis.snapshot, ["tcp-api/tls"], before=analysis)
    relying = through(analysis.findings, BRIDGE_GATEWAY, port)
    assert relying
    assert {f.id for f in relying} <= {f.id for f in w.removed}
    assert through(w.after.findings, BRIDGE_GATEWAY, port) == []
