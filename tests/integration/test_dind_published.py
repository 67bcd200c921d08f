"""dind-published-port and tcp-api-local-users on real containers of the real dockerd.

A DinD service created with ``-p 127.0.0.1:PORT:2375`` (its engine on plain 2375) forwards a host port to the
engine inside it: a host-network container and every local user reach it; a bridged container does not
(loopback binding); publishing nothing, or TLS, breaks the path.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from dindscope.analysis.whatif import what_if
from dindscope.graph import nodes
from tests.integration._scenario import Scenario, new_scenario, step_with

pytestmark = [pytest.mark.integration, pytest.mark.docker]

DOCKERD = ("dockerd", "-H", "tcp://0.0.0.0:2375", "--tls=false")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def published(docker_client) -> Iterator[tuple[Scenario, int]]:
    sc = new_scenario("docker", "unix:///run/docker.sock")
    port = free_port()
    try:
        sc.create("dind", "--privileged", "-p", f"127.0.0.1:{port}:2375", cmd=DOCKERD)
        sc.create("dind-tls", "--privileged", "-p", f"127.0.0.1:{free_port()}:2376", "-e", "DOCKER_TLS_CERTDIR=/certs",
                  cmd=("dockerd-entrypoint.sh",))
        sc.create("hostnet", "--network", "host")
        sc.create("bridged")
        sc.collect()
        yield sc, port
    finally:
        sc.cleanup()


def _through(findings, port: int):
    node = nodes.published_port_id("127.0.0.1", port)
    return [f for f in findings if any(n.node == node for n in f.path)]


def test_host_network_container_reaches_host_root_through_the_published_port(published) -> None:
    sc, port = published
    paths = _through(sc.findings("hostnet"), port)
    assert paths, [f.chain for f in sc.findings("hostnet")]
    f = paths[0]
    assert f.impact == "host-root"
    assert f.techniques == ["host-network-loopback", "dind-published-port", "engine-api", "dind-inner-engine",
                            "privileged"]
    assert f.path[1].name == f"tcp://127.0.0.1:{port} (TLS off) published by {sc.created['dind']}"
    assert f.path[-2].name == sc.created["dind"]
    step = step_with(f, "dind-published-port")
    assert f"NetworkSettings.Ports 2375/tcp -> 127.0.0.1:{port}" in step.evidence
    assert f.remediations[0].id == "host-network/remove"
    assert "dind/unpublish" in [o.id for o in f.remediations]
    assert "tcp-api/tls" not in [o.id for o in f.remediations]  # not an engine listener


def test_every_local_user_reaches_it_and_a_bridged_container_does_not(published) -> None:
    sc, port = published
    users = [f for f in sc.analysis.findings if f.subject.kind == "user" and f.subject.name == "*"]
    assert _through(users, port), [f.chain for f in users]
    assert _through(users, port)[0].techniques[0] == "tcp-api-local-users"
    assert _through(sc.findings("bridged"), port) == []  # bound to 127.0.0.1: not reachable through the gateway


def test_a_tls_dind_service_publishes_nothing_usable(published) -> None:
    sc, _port = published
    tls_name = sc.created["dind-tls"]
    assert not [f for f in sc.analysis.findings if f.subject.name != tls_name
                and any(n.name.endswith(f"published by {tls_name}") for n in f.path)]


def test_what_if_unpublish_removes_exactly_the_paths_through_the_port(published) -> None:
    sc, port = published
    before = sc.analysis
    through = {f.id for f in _through(before.findings, port)}
    assert through
    option = next(o for f in _through(sc.findings("hostnet"), port) for o in f.remediations
                  if o.id == "dind/unpublish")
    target = _through(sc.findings("hostnet"), port)[0].fix_target(option)
    assert target == sc.created["dind"]
    result = what_if(before.snapshot, [(option.id, target)], before=before)
    assert {f.id for f in result.removed} == through
