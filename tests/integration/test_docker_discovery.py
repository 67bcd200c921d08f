"""Discovery on this machine's real sockets: the rootful engines once each, every user's rootless sockets."""

from __future__ import annotations

import os

import pytest

from dindscope.collect.discovery import discover_endpoints
from tests.conftest import DOCKER_SOCKET

pytestmark = [pytest.mark.integration, pytest.mark.docker]


def test_real_sockets_found_once(docker_client, tmp_path):
    found = discover_endpoints(env={"HOME": str(tmp_path)})
    docker = [c for c in found if c.kind == "docker" and os.path.realpath(c.url[7:]) == os.path.realpath(DOCKER_SOCKET)]
    assert len(docker) == 1 and docker[0].source == "default" and not docker[0].explicit  # /var/run alias folded
    urls = [c.url for c in found]
    assert len(urls) == len(set(urls))
    for c in found:
        assert os.path.exists(c.url[7:]), c  # absent default sockets are not proposed


@pytest.mark.skipif(os.geteuid() != 0, reason="only root looks into every /run/user/UID")
def test_every_users_rootless_sockets_with_their_uid(docker_client, tmp_path):
    expected = set()
    for entry in os.listdir("/run/user") if os.path.isdir("/run/user") else []:
        for kind, rel in (("docker", "docker.sock"), ("podman", "podman/podman.sock")):
            path = f"/run/user/{entry}/{rel}"
            if entry.isdigit() and os.path.exists(path):
                expected.add((kind, f"unix://{path}", int(entry)))
    if not expected:
        pytest.skip("no rootless engine socket under /run/user on this machine")
    found = {(c.kind, c.url, c.owner_uid) for c in discover_endpoints(env={"HOME": str(tmp_path)})
             if c.url.startswith("unix:///run/user/")}
    assert found == expected
    for _, url, uid in found:
        assert os.stat(os.path.dirname(url[7:]).split("/podman")[0]).st_uid == uid
