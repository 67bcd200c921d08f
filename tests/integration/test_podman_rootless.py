"""Real containers on a real rootless Podman service (user builder): the engine is reported rootless as
that user, and its containers are captured exactly. "root" in these containers is builder on the host."""

from __future__ import annotations

import json
import os
import stat

import pytest

from dindscope.collect.base import CollectOptions, EndpointCandidate, EngineResult
from dindscope.collect.caps import all_capabilities
from dindscope.collect.podman_engine import collect_podman
from dindscope.models import Container, Mount
from tests.conftest import BUSYBOX, PODMAN_RUN_FLAGS
from tests.integration.rootless import RootlessPodman

pytestmark = [pytest.mark.integration, pytest.mark.podman, pytest.mark.rootless]


def create(engine: RootlessPodman, label: dict[str, str], *args: str, run: bool = False) -> str:
    labels = [f"--label={k}={v}" for k, v in label.items()]
    verb = ["run", "-d", *PODMAN_RUN_FLAGS] if run else ["create"]
    return engine.cli(*verb, *labels, *args, BUSYBOX, "sleep", "300").stdout.strip().splitlines()[-1]


def collect(engine: RootlessPodman, *ids: str) -> tuple[EngineResult, dict[str, Container]]:
    candidate = EndpointCandidate(kind="podman", url=engine.url, source=f"rootless:{engine.runtime_dir}",
                                  owner_uid=engine.uid)
    result = collect_podman(candidate, CollectOptions(workers=4))
    assert result.engine is not None, result.problems
    found = {c.id: c for c in result.containers}
    missing = [i for i in ids if i not in found]
    assert not missing, f"not collected: {missing}; problems: {result.problems}"
    return result, {i: found[i] for i in ids}


def test_engine_is_rootless_as_builder(rootless_podman):
    result, _ = collect(rootless_podman)
    engine = result.engine
    info = json.loads(rootless_podman.cli("info", "--format", "json").stdout)
    assert engine.rootless is True and engine.security.rootless is True
    assert (engine.user, engine.uid) == (rootless_podman.user, rootless_podman.uid)
    assert engine.key == f"podman:{info['host']['hostname']}:{rootless_podman.uid}"
    assert engine.key != f"podman:{info['host']['hostname']}:0"  # distinct from the rootful engine
    assert engine.data_root == info["store"]["graphRoot"]
    assert engine.data_root.startswith(rootless_podman.home)
    assert engine.version == info["version"]["Version"]
    assert engine.name == f"podman (rootless:{rootless_podman.user}, {rootless_podman.url})"
    [listener] = engine.listeners
    st = os.stat(rootless_podman.socket)
    assert (listener.address, listener.owner, listener.owner_uid, listener.mode) == (
        rootless_podman.socket, rootless_podman.user, rootless_podman.uid, stat.S_IMODE(st.st_mode))
    assert not result.problems


def test_rootless_containers_captured_exactly(rootless_podman, rootless_label):
    engine = rootless_podman
    plain = create(engine, rootless_label, "-e", "CONTAINER_HOST=unix:///run/podman.sock", run=True)
    privileged = create(engine, rootless_label, "--privileged")
    keep_id = create(engine, rootless_label, "--userns=keep-id")
    hostnet = create(engine, rootless_label, "--network=host", "--pid=host",
                     "-v", f"{engine.socket}:/run/podman.sock", "-v", f"{engine.home}:/home/builder:ro")
    result, found = collect(engine, plain, privileged, keep_id, hostnet)
    assert all(c.engine == result.engine.key for c in found.values())

    c = found[plain]
    assert c.state == "running" and c.runs_as_root  # root here is builder on the host
    assert c.capabilities == sorted(result.engine.default_capabilities)
    assert c.namespaces.network == "slirp4netns" and c.namespaces.userns == ""
    assert c.client_settings == {"CONTAINER_HOST": "unix:///run/podman.sock"}

    c = found[privileged]
    assert c.privileged is True and c.state == "created"
    assert c.capabilities == all_capabilities()

    c = found[keep_id]
    assert c.namespaces.userns == "keep-id"  # Podman itself says "private" plus an ID mapping
    assert c.user == f"{engine.uid}:{engine.gid}"

    c = found[hostnet]
    assert (c.namespaces.network, c.namespaces.pid) == ("host", "host")
    assert sorted(c.mounts, key=lambda m: m.destination) == [
        Mount("bind", engine.home, "/home/builder", True, "rprivate"),
        Mount("bind", engine.socket, "/run/podman.sock", False, "rprivate"),
    ]


def test_keep_id_created_through_the_api(rootless_podman, rootless_label):
    from podman import PodmanClient

    with PodmanClient(base_url=rootless_podman.url, timeout=60) as client:
        cid = client.containers.create(BUSYBOX, ["sleep", "300"], labels=rootless_label, userns_mode="keep-id").id
    _, found = collect(rootless_podman, cid)
    assert found[cid].namespaces.userns == "keep-id"  # from the ID mapping alone, no CLI command line
