"""Fixtures for integration tests: rootless Podman, module-wide labelled Podman objects."""

from __future__ import annotations

import os
import shutil
import subprocess
import tarfile
import tempfile
from collections.abc import Callable, Iterator

import pytest

from tests.conftest import BUSYBOX, RUN_ID, TEST_LABEL, engine_unavailable
from tests.integration.rootless import RootlessPodman, find_rootless

Runner = Callable[..., subprocess.CompletedProcess[str]]


def remove_labelled(run: Runner, value: str) -> None:
    """Remove the containers, pods, networks and volumes labelled ``dindscope.test=value`` (no stop grace)."""
    selector = f"label={TEST_LABEL}={value}"
    ids = run("ps", "-aq", "--filter", selector).stdout.split()
    if ids:
        run("rm", "-f", "-t", "0", *ids)
    for what in ("pod", "network", "volume"):
        listed = run(what, "ls", "-q", "--filter", selector).stdout.split()
        if listed:
            run(what, "rm", "-f", *listed)


def rootful_podman(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["podman", *args], capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def podman_module_label(podman_client: object, request: pytest.FixtureRequest) -> Iterator[dict[str, str]]:
    """Labels for rootful Podman objects shared by one test module; all removed after the module."""
    value = f"{RUN_ID}-{request.module.__name__.rsplit('.', 1)[-1][:40]}"
    yield {TEST_LABEL: value}
    remove_labelled(rootful_podman, value)


def _import_busybox_for(engine: RootlessPodman) -> None:
    busybox = shutil.which("busybox")
    if busybox is None:
        engine_unavailable("busybox binary not found (apt-get install busybox-static)")
    assert busybox is not None
    fd, tar_path = tempfile.mkstemp(prefix="dindscope-busybox-", suffix=".tar")
    os.close(fd)
    try:
        with tarfile.open(tar_path, "w") as tar:
            tar.add(busybox, arcname="bin/busybox")
            for applet in ("sh", "ls", "cat", "sleep", "echo", "id", "env", "true"):
                link = tarfile.TarInfo(f"bin/{applet}")
                link.type, link.linkname = tarfile.SYMTYPE, "busybox"
                tar.addfile(link)
        os.chmod(tar_path, 0o644)
        engine.cli("import", "-c", "ENV PATH=/bin", tar_path, BUSYBOX)
    finally:
        os.unlink(tar_path)


@pytest.fixture(scope="session")
def rootless_podman() -> RootlessPodman:
    """The rootless Podman service of user builder, with local/busybox:1 in its store."""
    engine, reason = find_rootless()
    if engine is None:
        engine_unavailable(reason)
    assert engine is not None
    if engine.cli("image", "exists", BUSYBOX, check=False).returncode != 0:
        _import_busybox_for(engine)
    return engine


@pytest.fixture
def rootless_label(rootless_podman: RootlessPodman, request: pytest.FixtureRequest) -> Iterator[dict[str, str]]:
    """Labels for objects a test creates on the rootless engine; removed after the test."""
    value = f"{RUN_ID}-rl-{request.node.name[:40]}"
    yield {TEST_LABEL: value}
    remove_labelled(lambda *a: rootless_podman.cli(*a, check=False), value)
