"""Shared fixtures: real engines, the local busybox image, labelled test containers.

Integration tests skip with a clear reason when an engine is unreachable, unless
``DINDSCOPE_REQUIRE_ENGINES=1`` (set by ``.ci/run``), where that is a failure.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

DOCKER_SOCKET = os.environ.get("DINDSCOPE_TEST_DOCKER_SOCKET", "/run/docker.sock")
PODMAN_SOCKET = os.environ.get("DINDSCOPE_TEST_PODMAN_SOCKET", "/run/podman/podman.sock")
BUSYBOX = "local/busybox:1"
RUN_ID = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
TEST_LABEL = "dindscope.test"
REQUIRE_ENGINES = os.environ.get("DINDSCOPE_REQUIRE_ENGINES") == "1"


def engine_unavailable(reason: str) -> None:
    """Skip (or fail, when engines are required) because an engine cannot be used."""
    if REQUIRE_ENGINES:
        pytest.fail(f"engine required but unavailable: {reason}", pytrace=False)
    pytest.skip(reason)


def _busybox_rootfs() -> Path:
    busybox = shutil.which("busybox") or "/bin/busybox"
    if not os.path.exists(busybox):
        engine_unavailable("busybox binary not found (apt-get install busybox-static)")
    root = Path(tempfile.mkdtemp(prefix="dindscope-rootfs-"))
    (root / "bin").mkdir()
    shutil.copy(busybox, root / "bin" / "busybox")
    for applet in ("sh", "ls", "cat", "sleep", "echo", "id", "env", "true", "nc", "wget"):
        (root / "bin" / applet).symlink_to("busybox")
    return root


def import_busybox(cli: str, env: dict[str, str] | None = None) -> None:
    """Import local/busybox:1 into an engine with its CLI if it is not there yet."""
    check = subprocess.run([cli, "image", "inspect", BUSYBOX], capture_output=True, env=env)
    if check.returncode == 0:
        return
    root = _busybox_rootfs()
    try:
        tar = subprocess.Popen(["tar", "-C", str(root), "-c", "."], stdout=subprocess.PIPE)
        subprocess.run([cli, "import", "-c", "ENV PATH=/bin", "-", BUSYBOX], stdin=tar.stdout, check=True,
                       capture_output=True, env=env)
        tar.wait()
    finally:
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def run_id() -> str:
    return RUN_ID


@pytest.fixture(scope="session")
def docker_client() -> Iterator[object]:
    """A docker-py client on the real dockerd, with local/busybox:1 present."""
    import docker

    if not os.path.exists(DOCKER_SOCKET):
        engine_unavailable(f"no Docker socket at {DOCKER_SOCKET}")
    try:
        client = docker.DockerClient(base_url=f"unix://{DOCKER_SOCKET}", timeout=30)
        client.ping()
    except Exception as exc:
        engine_unavailable(f"Docker at {DOCKER_SOCKET} unreachable: {exc}")
    import_busybox("docker")
    yield client
    client.close()


@pytest.fixture(scope="session")
def podman_client() -> Iterator[object]:
    """A podman-py client on the real rootful podman service, with local/busybox:1 present."""
    from podman import PodmanClient

    if not os.path.exists(PODMAN_SOCKET):
        engine_unavailable(f"no Podman socket at {PODMAN_SOCKET}")
    try:
        client = PodmanClient(base_url=f"unix://{PODMAN_SOCKET}", timeout=30)
        client.ping()
    except Exception as exc:
        engine_unavailable(f"Podman at {PODMAN_SOCKET} unreachable: {exc}")
    import_busybox("podman")
    yield client
    client.close()


def _cleanup(cli: str, value: str) -> None:
    for what in ("container", "network"):
        ids = subprocess.run([cli, what, "ls", "-q", *(["-a"] if what == "container" else []),
                              "--filter", f"label={TEST_LABEL}={value}"], capture_output=True, text=True).stdout.split()
        if ids:
            subprocess.run([cli, what, "rm", "-f", *ids] if what == "container" else [cli, what, "rm", *ids],
                           capture_output=True)


@pytest.fixture
def docker_label(docker_client: object, request: pytest.FixtureRequest) -> Iterator[dict[str, str]]:
    """Labels to put on every Docker object a test creates; removed after the test."""
    value = f"{RUN_ID}-{request.node.name[:40]}"
    yield {TEST_LABEL: value}
    _cleanup("docker", value)


@pytest.fixture
def podman_label(podman_client: object, request: pytest.FixtureRequest) -> Iterator[dict[str, str]]:
    """Labels to put on every Podman object a test creates; removed after the test."""
    value = f"{RUN_ID}-{request.node.name[:40]}"
    yield {TEST_LABEL: value}
    _cleanup("podman", value)


PODMAN_RUN_FLAGS = ["--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1024:1024"]
