"""Techniques that apply to Podman, against real containers on the real rootful podman service."""

from __future__ import annotations

import pytest

from tests.integration._scenario import Scenario, new_scenario, step_with

pytestmark = [pytest.mark.integration, pytest.mark.podman]


@pytest.fixture(scope="module")
def podman(podman_client) -> Scenario:
    sc = new_scenario("podman", "unix:///run/podman/podman.sock")
    try:
        sc.create("plain")
        sc.create("sock", "-v", "/run/podman/podman.sock:/run/podman/podman.sock")
        sc.create("parent", "-v", "/run/podman:/host/podman:ro")
        sc.create("priv", "--privileged")
        sc.create("sysadmin", "--cap-add", "SYS_ADMIN", "--security-opt", "apparmor=unconfined")
        sc.create("etc-rw", "-v", "/etc:/host/etc")
        sc.collect()
        yield sc
    finally:
        sc.cleanup()


def test_plain_podman_container_has_no_finding(podman: Scenario) -> None:
    assert podman.findings("plain") == []


def test_podman_socket_mount(podman: Scenario) -> None:
    f = podman.best("sock")
    assert f.techniques[:3] == ["socket-mount", "engine-api", "engine-control-rootful"]
    assert "podman" in f.path[2].name
    assert any("/run/podman/podman.sock" in e for e in step_with(f, "socket-mount").evidence)


def test_podman_socket_through_parent_mount(podman: Scenario) -> None:
    assert "/host/podman/podman.sock" in step_with(podman.best("parent"), "socket-parent-mount").explanation


def test_podman_privileged_and_capabilities(podman: Scenario) -> None:
    assert podman.best("priv").techniques == ["privileged"]
    assert podman.best("sysadmin").techniques == ["cap-sys-admin-release-agent"]


def test_podman_sensitive_path(podman: Scenario) -> None:
    assert podman.best("etc-rw").techniques[0] == "host-path-write"
