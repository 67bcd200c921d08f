"""The techniques the other real-engine tests do not reach, each against real objects on a real engine.

* ``socket-group-member``: a temporary host user in the group that owns ``/run/docker.sock``;
* ``engine-control-rootless``: containers on the real rootless Podman of user builder;
* ``socket-world-access``: a second rootful ``podman system service`` on a socket of its own, chmod 0666;
* the ``seccomp-unconfined`` and ``apparmor-unconfined`` enablers on real CAP_SYS_ADMIN containers (Docker);
* ``userns-host``: a second, fully separate dockerd with ``--userns-remap`` started (and stopped) here.

The shared engines and their sockets are never changed; every user, process, directory and container made
here is removed by the fixture that made it.
"""

from __future__ import annotations

import grp
import itertools
import json
import os
import pwd
import shutil
import socket
import stat
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import networkx as nx
import pytest

from dindscope.analysis import Analysis, Finding, analyze
from dindscope.collect.base import CollectOptions
from dindscope.collect.scan import collect_snapshot
from dindscope.graph import nodes
from dindscope.graph.edges import EdgeInfo
from tests.conftest import BUSYBOX, DOCKER_SOCKET, PODMAN_RUN_FLAGS, TEST_LABEL, engine_unavailable, import_busybox
from tests.integration._scenario import Scenario, new_scenario, step_with
from tests.integration.conftest import remove_labelled
from tests.integration.rootless import RootlessPodman
from tests.integration.services import extra_podman_service

pytestmark = [pytest.mark.integration]

TOKEN = uuid.uuid4().hex[:8]


def scan(endpoints: list[str]) -> Analysis:
    snapshot = collect_snapshot(CollectOptions(timeout=30, probe_tcp=False), endpoints=endpoints)
    return analyze(snapshot, max_alternatives=12)


def of_subject(analysis: Analysis, kind: str, name: str) -> list[Finding]:
    return [f for f in analysis.findings if f.subject.kind == kind and f.subject.name == name]


def kind_of(analysis: Analysis, node: str) -> str:
    return analysis.graph.nodes[node]["kind"]


def need_root() -> None:
    if os.geteuid() != 0:
        engine_unavailable("this test creates host users / engine processes and must run as root")


def sh(*argv: str, check: bool = True, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(list(argv), capture_output=True, text=True, timeout=120, env=env)
    if check and done.returncode != 0:
        pytest.fail(f"{' '.join(argv)} failed: {done.stderr.strip()}")
    return done


# -- 1. socket-group-member ------------------------------------------------------------------------------------

@dataclass
class GroupCase:
    member: str
    outsider: str
    analysis: Analysis


@pytest.fixture(scope="module")
def socket_group(docker_client) -> Iterator[GroupCase]:
    need_root()
    info = os.stat(DOCKER_SOCKET)
    try:
        group = grp.getgrgid(info.st_gid).gr_name
    except KeyError:
        engine_unavailable(f"the group owning {DOCKER_SOCKET} (gid {info.st_gid}) has no name")
    if info.st_gid == 0 or not info.st_mode & 0o020:
        engine_unavailable(f"{DOCKER_SOCKET} is not group-writable for a non-root group "
                           f"({stat.filemode(info.st_mode)} gid {info.st_gid})")
    member, outsider = f"dsc-grp-{TOKEN}", f"dsc-nogrp-{TOKEN}"
    made: list[str] = []
    try:
        sh("useradd", "-M", "-s", "/usr/sbin/nologin", "-G", group, member)
        made.append(member)
        sh("useradd", "-M", "-s", "/usr/sbin/nologin", outsider)
        made.append(outsider)
        yield GroupCase(member, outsider, scan([f"unix://{DOCKER_SOCKET}"]))
    finally:
        for name in made:
            subprocess.run(["userdel", name], capture_output=True)


def test_user_in_the_socket_group_is_root_equivalent(socket_group: GroupCase) -> None:
    group = grp.getgrgid(os.stat(DOCKER_SOCKET).st_gid).gr_name
    found = [f for f in of_subject(socket_group.analysis, "user", socket_group.member) if f.impact == "host-root"]
    assert found, f"no host-root finding for user {socket_group.member}"
    f = found[0]
    assert f.techniques == ["socket-group-member", "engine-api", "engine-control-rootful"]
    assert [n.kind for n in f.path] == ["user", "endpoint", "engine", "host"]
    assert f.path[1].name == f"unix://{DOCKER_SOCKET}"
    step = step_with(f, "socket-group-member")
    assert f"group {group}" in step.explanation
    assert any(e.startswith(f"id {socket_group.member}: groups=") and group in e.split("=", 1)[1].split(",")
               for e in step.evidence), step.evidence
    mode = f"{stat.S_IMODE(os.stat(DOCKER_SOCKET).st_mode):04o}"
    assert f"host socket {DOCKER_SOCKET} (root:{group} {mode})" in step.evidence
    assert any(r.id == "socket-group/remove-user" for r in f.remediations)


def test_user_outside_the_socket_group_has_no_finding(socket_group: GroupCase) -> None:
    assert pwd.getpwnam(socket_group.outsider)  # the user exists on the host while the scan runs
    assert of_subject(socket_group.analysis, "user", socket_group.outsider) == []


# -- 2. engine-control-rootless ---------------------------------------------------------------------------------

@dataclass
class RootlessCase:
    engine: RootlessPodman
    names: dict[str, str]
    analysis: Analysis


@pytest.fixture(scope="module")
def rootless(rootless_podman: RootlessPodman) -> Iterator[RootlessCase]:
    engine = rootless_podman
    value = f"h11-rl-{TOKEN}"
    names = {"sock": f"dsr-{TOKEN}-sock", "priv": f"dsr-{TOKEN}-priv", "plain": f"dsr-{TOKEN}-plain"}
    flags = {"sock": ["-v", f"{engine.socket}:/run/podman/podman.sock"], "priv": ["--privileged"], "plain": []}
    try:
        for short, name in names.items():
            engine.cli("create", "--name", name, "--label", f"{TEST_LABEL}={value}", *PODMAN_RUN_FLAGS,
                       *flags[short], BUSYBOX, "sleep", "3600")
        yield RootlessCase(engine, names, scan([engine.url]))
    finally:
        remove_labelled(lambda *a: engine.cli(*a, check=False), value)


def container_node(analysis: Analysis, name: str) -> str:
    found = [c for c in analysis.snapshot.containers if c.name == name]
    assert len(found) == 1, f"container {name} collected {len(found)} times"
    return nodes.container_id(found[0].engine, found[0].id)


def graph_path(analysis: Analysis, source: str, target: str) -> list[tuple[str, EdgeInfo]]:
    """The cheapest path in the attack graph as (node, edge leaving it) pairs."""
    hops = nx.shortest_path(analysis.graph, source, target, weight="weight")
    return [(a, analysis.graph.edges[a, b]["variants"][0]) for a, b in itertools.pairwise(hops)]


@pytest.mark.podman
def test_rootless_socket_mount_ends_in_control_of_the_engine_user(rootless: RootlessCase) -> None:
    """Control of builder's engine is host write limited to builder's files, never host root."""
    engine, analysis = rootless.engine, rootless.analysis
    start = container_node(analysis, rootless.names["sock"])
    found = of_subject(analysis, "container", rootless.names["sock"])
    assert [f.impact for f in found] == ["host-write"]
    assert found[0].techniques == ["socket-mount", "engine-api", "engine-control-rootless", "rootless-user-files"]
    assert f"host user {engine.user} (uid {engine.uid})" in found[0].steps[-1].evidence[0]
    assert not nx.has_path(analysis.graph, start, nodes.HOST_ROOT)
    path = graph_path(analysis, start, nodes.user_id(engine.user))
    assert [e.technique for _n, e in path] == ["socket-mount", "engine-api", "engine-control-rootless"]
    assert [kind_of(analysis, n) for n, _e in path] == ["container", "endpoint", "engine"]
    assert path[1][0] == nodes.unix_endpoint_id(engine.socket)
    mount, control = path[0][1], path[2][1]
    assert f"host socket {engine.socket} ({engine.user}:{engine.user} 0600)" in mount.evidence, mount.evidence
    assert any(f"engine is rootless as user {engine.user}" in e for e in mount.evidence), mount.evidence
    assert control.evidence == (f"Info.SecurityOptions rootless; engine user {engine.user} (uid {engine.uid})",)
    assert engine.user in control.explanation
    # what the analysis says matches the engine itself
    info = json.loads(engine.cli("info", "--format", "json").stdout)
    assert info["host"]["security"]["rootless"] is True


@pytest.mark.podman
def test_rootless_privileged_container_does_not_reach_host_root(rootless: RootlessCase) -> None:
    engine, analysis = rootless.engine, rootless.analysis
    start = container_node(analysis, rootless.names["priv"])
    found = of_subject(analysis, "container", rootless.names["priv"])
    assert [(f.impact, f.techniques) for f in found] == [("host-write", ["privileged", "rootless-user-files"])]
    assert not nx.has_path(analysis.graph, start, nodes.HOST_ROOT)
    path = graph_path(analysis, start, nodes.user_id(engine.user))
    assert [e.technique for _n, e in path] == ["privileged"]
    assert f"rootless engine: privileges are those of {engine.user}, not root" in path[0][1].evidence
    plain = container_node(analysis, rootless.names["plain"])
    assert not nx.has_path(analysis.graph, plain, nodes.user_id(engine.user))


# -- 3. socket-world-access -------------------------------------------------------------------------------------

@dataclass
class WorldCase:
    sock: str
    docker: Scenario
    open_: Analysis  # socket at 0666
    closed: Analysis  # the same socket at 0660 root:root


def podman_unix_service(path: str) -> Iterator[None]:
    """A second rootful ``podman system service`` on ``unix://path``; killed and its directory removed after."""
    directory = os.path.dirname(path)
    os.makedirs(directory, mode=0o755)

    def ready() -> bool:
        if not os.path.exists(path):
            return False
        with socket.socket(socket.AF_UNIX) as s:
            return s.connect_ex(path) == 0

    try:
        with extra_podman_service(f"unix://{path}", ready):
            yield
    finally:
        shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture(scope="module")
def world(docker_client, podman_client) -> Iterator[WorldCase]:
    need_root()
    path = f"/run/dindscope-test-{TOKEN}/podman.sock"
    docker = new_scenario("docker", f"unix://{DOCKER_SOCKET}")
    try:
        for _ in podman_unix_service(path):
            os.chown(path, 0, 0)
            docker.create("nonroot", "--user", "1000", "-v", f"{path}:/run/podman/podman.sock")
            docker.create("elsewhere", "--user", "1000")
            endpoints = [f"unix://{DOCKER_SOCKET}", f"unix://{path}"]
            os.chmod(path, 0o666)
            open_ = scan(endpoints)
            os.chmod(path, 0o660)
            closed = scan(endpoints)
            os.chmod(path, 0o666)
            yield WorldCase(path, docker, open_, closed)
    finally:
        docker.cleanup()


def _through(findings: list[Finding], sock: str) -> list[Finding]:
    return [f for f in findings if any(n.kind == "endpoint" and n.name == f"unix://{sock}" for n in f.path)]


@pytest.mark.docker
@pytest.mark.podman
def test_world_writable_socket_is_open_to_any_local_user(world: WorldCase) -> None:
    found = [f for f in _through(of_subject(world.open_, "user", "*"), world.sock) if f.impact == "host-root"]
    assert found, f"no socket-world-access path through {world.sock}"
    f = found[0]
    assert f.techniques == ["socket-world-access", "engine-api", "engine-control-rootful"]
    assert f.path[0].name == "any local user" and f.path[2].name.startswith("podman engine (rootful")
    step = step_with(f, "socket-world-access")
    assert "0666" in step.explanation
    assert f"host socket {world.sock} (root:root 0666)" in step.evidence
    assert any(r.id == "socket-mode/restrict" for r in f.remediations)
    # at 0660 root:root the same socket is open to nobody but root
    assert _through(of_subject(world.closed, "user", "*"), world.sock) == []


@pytest.mark.docker
@pytest.mark.podman
def test_non_root_container_mounting_a_world_writable_socket_reaches_host_root(world: WorldCase) -> None:
    name = world.docker.created["nonroot"]
    found = [f for f in _through(of_subject(world.open_, "container", name), world.sock) if f.impact == "host-root"]
    assert found, f"no host-root path via {world.sock}: {[f.chain for f in of_subject(world.open_, 'container', name)]}"
    f = found[0]
    assert f.techniques == ["socket-mount", "engine-api", "engine-control-rootful"]
    step = step_with(f, "socket-mount")
    assert f"host socket {world.sock} (root:root 0666)" in step.evidence
    assert "Config.User=1000" in step.evidence
    assert of_subject(world.open_, "container", world.docker.created["elsewhere"]) == []


@pytest.mark.docker
@pytest.mark.podman
def test_non_root_container_cannot_use_the_socket_at_0660_root_root(world: WorldCase) -> None:
    name = world.docker.created["nonroot"]
    mine = of_subject(world.closed, "container", name)
    assert _through(mine, world.sock) == [], [f.chain for f in mine]
    assert [f for f in mine if f.impact == "host-root"] == []


@pytest.mark.docker
@pytest.mark.podman
def test_the_world_access_is_real(world: WorldCase) -> None:
    """A host process with no privileges (nobody, no groups) reaches the API at 0666 and is refused at 0660."""
    def ping() -> subprocess.CompletedProcess[str]:
        return subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "curl", "-s",
                               "--max-time", "10", "--unix-socket", world.sock, "http://d/_ping"],
                              capture_output=True, text=True, timeout=30)

    os.chmod(world.sock, 0o666)
    assert ping().stdout == "OK"
    os.chmod(world.sock, 0o660)
    try:
        assert ping().stdout != "OK"
    finally:
        os.chmod(world.sock, 0o666)


# -- 4. enablers: seccomp-unconfined, apparmor-unconfined ------------------------------------------------------

@pytest.fixture(scope="module")
def enablers(docker_client) -> Iterator[Scenario]:
    sc = new_scenario("docker", f"unix://{DOCKER_SOCKET}")
    try:
        sc.create("seccomp", "--cap-add", "SYS_ADMIN", "--security-opt", "apparmor=unconfined",
                  "--security-opt", "seccomp=unconfined")
        sc.create("default-seccomp", "--cap-add", "SYS_ADMIN", "--security-opt", "apparmor=unconfined")
        sc.create("default-apparmor", "--cap-add", "SYS_ADMIN")
        sc.collect()
        yield sc
    finally:
        sc.cleanup()


def _admin_step(sc: Scenario, short: str):
    return step_with(sc.best(short), "cap-sys-admin-release-agent")


@pytest.mark.docker
def test_seccomp_unconfined_is_listed_and_makes_the_step_cheaper(enablers: Scenario) -> None:
    with_ = enablers.best("seccomp")
    without = enablers.best("default-seccomp")
    assert with_.techniques == without.techniques == ["cap-sys-admin-release-agent"]
    step, plain = _admin_step(enablers, "seccomp"), _admin_step(enablers, "default-seccomp")
    assert "seccomp-unconfined" in step.enablers and "seccomp=unconfined" in step.evidence
    assert "seccomp-unconfined" not in plain.enablers and "seccomp=unconfined" not in plain.evidence
    assert step.cost == pytest.approx(plain.cost - 0.2)
    assert with_.cost < without.cost
    assert any(r.id == "seccomp/default" for r in with_.remediations)


@pytest.mark.docker
def test_apparmor_unconfined_is_the_enabler_of_the_cap_sys_admin_escape(enablers: Scenario) -> None:
    step = _admin_step(enablers, "default-seccomp")
    assert "apparmor-unconfined" in step.enablers
    assert "AppArmor unconfined" in step.evidence
    assert any(r.id == "apparmor/default" for r in enablers.best("default-seccomp").remediations)


@pytest.mark.docker
def test_without_apparmor_unconfined_the_escape_depends_on_the_engine_enforcing_apparmor(
        enablers: Scenario) -> None:
    # Read from the engine itself, not from the snapshot under test
    raw = sh("docker", "info", "--format", "{{json .SecurityOptions}}").stdout
    enforced = any(o.startswith("name=apparmor") for o in json.loads(raw))
    assert enablers.analysis is not None
    engine = next(e for e in enablers.analysis.snapshot.engines if e.kind == "docker")
    assert engine.security.apparmor is enforced
    escapes = [f for f in enablers.findings("default-apparmor") if "cap-sys-admin-release-agent" in f.techniques]
    if enforced:  # docker-default denies mount(2): no release_agent escape without apparmor=unconfined
        assert escapes == []
    else:  # nothing confines the container: the path is there, and says why
        assert escapes, "engine without AppArmor: the CAP_SYS_ADMIN escape should stand"
        step = step_with(escapes[0], "cap-sys-admin-release-agent")
        assert "AppArmor not enforced by the engine" in step.evidence
        assert "apparmor-unconfined" in step.enablers


# -- 5. userns-host: a second dockerd with userns-remap ----------------------------------------------------------

@dataclass
class RemapCase:
    url: str
    names: dict[str, str]
    remap_user: str
    analysis: Analysis


def _free_subid_start() -> int:
    end = 1_000_000
    for path in ("/etc/subuid", "/etc/subgid"):
        try:
            with open(path, encoding="utf-8") as fh:
                for line in fh:
                    parts = line.strip().split(":")
                    if len(parts) == 3 and parts[1].isdigit() and parts[2].isdigit():
                        end = max(end, int(parts[1]) + int(parts[2]))
        except FileNotFoundError:
            pass
    return end + 65536


def _wait_for_dockerd(proc: subprocess.Popen, sock: str, log: str) -> None:
    deadline = time.monotonic() + 60
    while True:
        if os.path.exists(sock):
            with socket.socket(socket.AF_UNIX) as s:
                s.settimeout(5)
                if s.connect_ex(sock) == 0:
                    s.sendall(b"GET /_ping HTTP/1.0\r\nHost: d\r\n\r\n")
                    if b" 200 " in s.recv(64):
                        return
        if proc.poll() is not None:
            with open(log, encoding="utf-8", errors="replace") as fh:
                tail = fh.read()[-400:]
            engine_unavailable(f"a second dockerd with --userns-remap cannot run here: {tail}")
        if time.monotonic() > deadline:
            pytest.fail("the second dockerd did not answer /_ping in 60 s")
        time.sleep(0.3)


def _unmount_under(directory: str) -> None:
    with open("/proc/self/mounts", encoding="utf-8") as fh:
        targets = [line.split()[1] for line in fh if line.split()[1].startswith(directory + "/")]
    for target in sorted(targets, key=len, reverse=True):
        subprocess.run(["umount", "-l", target], capture_output=True)


@pytest.fixture(scope="module")
def remap(docker_client) -> Iterator[RemapCase]:
    need_root()
    dockerd = shutil.which("dockerd")
    if dockerd is None:
        engine_unavailable("dockerd binary not found: cannot start a daemon with --userns-remap")
    base = f"/tmp/dsc-{TOKEN}"
    sock, log = f"{base}/docker.sock", f"{base}/dockerd.log"
    remap_user = f"dsc-remap-{TOKEN}"
    os.makedirs(base)
    with open(f"{base}/daemon.json", "w", encoding="utf-8") as fh:
        fh.write("{}")
    proc: subprocess.Popen | None = None
    user_made = bridge_made = False
    # Its own bridge: with --bridge=none dockerd deletes the host's docker0 (the shared engine's bridge).
    bridge = f"dscbr{TOKEN[:8]}"
    env = {**os.environ, "DOCKER_HOST": f"unix://{sock}"}
    try:
        sh("ip", "link", "add", bridge, "type", "bridge")
        bridge_made = True
        sh("useradd", "-M", "-r", "-s", "/usr/sbin/nologin", remap_user)
        user_made = True
        start = _free_subid_start()
        sh("usermod", "--add-subuids", f"{start}-{start + 65535}", "--add-subgids", f"{start}-{start + 65535}",
           remap_user)
        with open(log, "w", encoding="utf-8") as out:
            proc = subprocess.Popen(
                [dockerd, f"--userns-remap={remap_user}", "--data-root", f"{base}/data", "--exec-root",
                 f"{base}/exec", "--pidfile", f"{base}/docker.pid", "-H", f"unix://{sock}", f"--bridge={bridge}",
                 "--iptables=false", "--ip-masq=false", "--config-file", f"{base}/daemon.json"],
                stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
        had_docker0 = os.path.exists("/sys/class/net/docker0")
        _wait_for_dockerd(proc, sock, log)
        assert os.path.exists("/sys/class/net/docker0") == had_docker0, "the second dockerd touched docker0"
        import_busybox("docker", env=env)
        label = f"{TEST_LABEL}=h11-remap-{TOKEN}"
        risky = ["--cap-add", "SYS_ADMIN", "--security-opt", "apparmor=unconfined", "-v", "/etc:/host/etc"]
        specs = {
            "host-priv": ["--userns=host", "--privileged"],
            "host-admin": ["--userns=host", *risky],
            "remapped-admin": risky,  # --privileged is refused by dockerd without --userns=host
        }
        names = {short: f"dsu-{TOKEN}-{short}" for short in specs}
        for short, flags in specs.items():
            sh("docker", "create", "--name", names[short], "--label", label, *flags, BUSYBOX, "sleep", "3600",
               env=env)
        yield RemapCase(f"unix://{sock}", names, remap_user, scan([f"unix://{sock}"]))
    finally:
        if proc is not None:
            ids = subprocess.run(["docker", "ps", "-aq", "--filter", f"label={TEST_LABEL}=h11-remap-{TOKEN}"],
                                 capture_output=True, text=True, env=env).stdout.split()
            if ids:
                subprocess.run(["docker", "rm", "-f", *ids], capture_output=True, env=env)
            proc.terminate()
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(10)
        _unmount_under(base)
        shutil.rmtree(base, ignore_errors=True)
        if user_made:
            subprocess.run(["userdel", remap_user], capture_output=True)
        if bridge_made:
            subprocess.run(["ip", "link", "del", bridge], capture_output=True)


@pytest.mark.docker
def test_remap_daemon_is_seen_as_userns_remap(remap: RemapCase) -> None:
    engines = remap.analysis.snapshot.engines
    assert len(engines) == 1 and engines[0].security.userns_remap
    assert not engines[0].rootless


@pytest.mark.docker
def test_userns_host_privileged_container_reaches_host_root(remap: RemapCase) -> None:
    mine = of_subject(remap.analysis, "container", remap.names["host-priv"])
    found = [f for f in mine if f.impact == "host-root" and f.techniques == ["privileged"]]
    assert found, [f.chain for f in mine]
    assert found[0].path[-1].kind == "host"
    admin = [f for f in of_subject(remap.analysis, "container", remap.names["host-admin"]) if f.impact == "host-root"]
    assert {f.techniques[0] for f in admin} >= {"cap-sys-admin-release-agent", "host-path-write"}


@pytest.mark.docker
def test_remapped_container_does_not_reach_host_root(remap: RemapCase) -> None:
    mine = of_subject(remap.analysis, "container", remap.names["remapped-admin"])
    assert [f for f in mine if f.impact == "host-root"] == [], [f.chain for f in mine]
    # the same settings with --userns=host do (see above): the only difference is the user namespace
    inspect = json.loads(sh("docker", "-H", remap.url, "inspect", remap.names["remapped-admin"]).stdout)[0]
    assert inspect["HostConfig"]["UsernsMode"] == ""
    assert "CAP_SYS_ADMIN" in inspect["HostConfig"]["CapAdd"] or "SYS_ADMIN" in inspect["HostConfig"]["CapAdd"]


@pytest.mark.docker
def test_userns_host_is_listed_as_the_enabler_with_its_evidence(remap: RemapCase) -> None:
    found = [f for f in of_subject(remap.analysis, "container", remap.names["host-priv"]) if f.impact == "host-root"]
    step = step_with(found[0], "privileged")
    assert "userns-host" in step.enablers
    assert any("UsernsMode=host" in e for e in step.evidence), step.evidence
