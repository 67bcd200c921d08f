"""The shared fixtures reach both real engines."""

import pytest

pytestmark = pytest.mark.integration


@pytest.mark.docker
def test_docker_fixture_creates_and_labels(docker_client, docker_label):
    c = docker_client.containers.create("local/busybox:1", ["true"], labels=docker_label)
    assert docker_client.containers.get(c.id).labels == docker_label


@pytest.mark.podman
def test_podman_fixture_pings(podman_client):
    assert podman_client.ping()
