"""Techniques on model objects built here: rootless, userns-remap, TCP listeners, users, LSM/cgroup conditions."""

from __future__ import annotations

from dindscope.analysis import analyze
from dindscope.models import (
    Container,
    Engine,
    EngineNetwork,
    EngineSecurity,
    Host,
    HostUser,
    Listener,
    Mount,
    Namespaces,
    NetworkAttachment,
    SecurityOptions,
    Snapshot,
)

DOCKER_SOCK = Listener("unix", "/run/docker.sock", owner="root", owner_uid=0, group="docker", group_gid=999,
                       mode=0o660)


def rootful(**kw) -> Engine:
    return Engine(key="docker:R", kind="docker", endpoints=["unix:///run/docker.sock"], listeners=[DOCKER_SOCK],
                  cgroup_version=kw.pop("cgroup", "1"), **kw)


def rootless() -> Engine:
    sock = Listener("unix", "/run/user/1000/podman/podman.sock", owner="alice", owner_uid=1000, group="alice",
                    group_gid=1000, mode=0o600)
    return Engine(key="podman:alice", kind="podman", endpoints=[f"unix://{sock.address}"], rootless=True,
                  user="alice", uid=1000, listeners=[sock])


def host(**kw) -> Host:
    users = kw.pop("users", [HostUser("alice", 1000, 1000, ["alice"], home="/home/alice")])
    kw.setdefault("cgroup_version", "1")
    return Host(groups={"docker": 999, "alice": 1000}, users=users, **kw)


def run(engines, containers, **host_kw):
    return analyze(Snapshot(host=host(**host_kw), engines=engines, containers=containers))


def best(analysis, name, impact="host-root"):
    found = [f for f in analysis.findings_for(name) if f.impact == impact and f.alternative == 0]
    return found[0] if found else None


def test_rootless_privileged_container_only_reaches_its_user() -> None:
    c = Container(id="1" * 64, name="rl-priv", engine="podman:alice", privileged=True, state="running")
    a = run([rootless()], [c])
    assert best(a, "rl-priv") is None
    assert a.graph.has_edge("container:podman:alice:" + "1" * 64, "user:alice")


def test_rootless_user_in_docker_group_escalates_through_the_rootful_socket() -> None:
    users = [HostUser("alice", 1000, 1000, ["alice", "docker"])]
    c = Container(id="2" * 64, name="rl-priv", engine="podman:alice", privileged=True, state="running")
    a = run([rootless(), rootful()], [c], users=users)
    f = best(a, "rl-priv")
    assert f is not None
    assert f.techniques == ["privileged", "socket-group-member", "engine-api", "engine-control-rootful"]
    assert best(a, "alice").techniques[0] == "socket-group-member"
    assert a.summary().users_root_equivalent == 1


def test_rootless_container_root_reaches_socket_only_with_keep_groups() -> None:
    users = [HostUser("alice", 1000, 1000, ["alice", "docker"])]
    mount = [Mount("bind", "/run/docker.sock", "/var/run/docker.sock")]
    plain = Container(id="3" * 64, name="rl-sock", engine="podman:alice", mounts=mount)
    keep = Container(id="4" * 64, name="rl-keep", engine="podman:alice", mounts=mount, group_add=["keep-groups"])
    a = run([rootless(), rootful()], [plain, keep], users=users)
    assert best(a, "rl-sock") is None
    assert best(a, "rl-keep").techniques[0] == "socket-mount"


def test_userns_remap_contains_privileged_unless_userns_host() -> None:
    eng = rootful(security=EngineSecurity(userns_remap=True))
    remapped = Container(id="5" * 64, name="remapped", engine="docker:R", privileged=True)
    hostns = Container(id="6" * 64, name="hostns", engine="docker:R", privileged=True,
                       namespaces=Namespaces(userns="host"))
    a = run([eng], [remapped, hostns])
    assert best(a, "remapped") is None
    assert best(a, "hostns").techniques == ["privileged"]


def test_sys_admin_needs_cgroup_v1_and_no_apparmor() -> None:
    caps = dict(cap_add=["SYS_ADMIN"], capabilities=["CAP_SYS_ADMIN"])
    c = Container(id="7" * 64, name="sa", engine="docker:R", **caps)
    assert best(run([rootful()], [c]), "sa").techniques == ["cap-sys-admin-release-agent"]
    assert best(run([rootful(cgroup="2")], [c], cgroup_version="2"), "sa") is None
    confined = rootful(security=EngineSecurity(apparmor=True))
    assert best(run([confined], [c]), "sa") is None
    unconf = Container(id="8" * 64, name="sa2", engine="docker:R", security=SecurityOptions(apparmor="unconfined"),
                       **caps)
    assert best(run([confined], [unconf]), "sa2") is not None


def test_tcp_listener_reachable_from_bridge_and_loopback_from_host_network() -> None:
    eng = rootful(networks=[EngineNetwork("bridge", gateways=["172.17.0.1"])])
    eng.listeners = [DOCKER_SOCK, Listener("tcp", "127.0.0.1", 2375, tls=False),
                     Listener("tcp", "0.0.0.0", 2377, tls=False), Listener("tcp", "0.0.0.0", 2376, tls=True,
                                                                           tls_verify=True)]
    bridged = Container(id="9" * 64, name="bridged", engine="docker:R",
                        networks=[NetworkAttachment("bridge", gateway="172.17.0.1")])
    hostnet = Container(id="a" * 64, name="hostnet", engine="docker:R", namespaces=Namespaces(network="host"))
    a = run([eng], [bridged, hostnet])
    f = best(a, "bridged")
    assert f.techniques == ["network-attach", "tcp-api-exposed", "engine-api", "engine-control-rootful"]
    assert "2377" in f.path[2].name
    h = best(a, "hostnet")
    assert h.techniques[0] == "host-network-loopback"
    assert not any("2376" in n.name for g in a.findings for n in g.path)  # TLS with client certs
    endpoints = [s for s in a.subjects if s.kind == "endpoint"]
    assert [s.name for s in endpoints] == ["tcp://0.0.0.0:2377 (TLS off)"]


def test_world_writable_socket_makes_every_user_root() -> None:
    eng = rootful()
    eng.listeners = [Listener("unix", "/run/docker.sock", owner_uid=0, group_gid=999, mode=0o666)]
    nonroot = Container(id="b" * 64, name="nonroot", engine="docker:R", user="1000",
                        mounts=[Mount("bind", "/run/docker.sock", "/var/run/docker.sock")])
    a = run([eng], [nonroot])
    assert best(a, "*").techniques[0] == "socket-world-access"
    assert best(a, "nonroot").techniques[0] == "socket-mount"


def test_home_write_reaches_that_user_and_ordinary_data_is_not_a_finding() -> None:
    users = [HostUser("bob", 1001, 1001, ["bob", "docker"], home="/home/bob")]
    home = Container(id="c" * 64, name="home", engine="docker:R", mounts=[Mount("bind", "/home/bob", "/h")])
    data = Container(id="d" * 64, name="data", engine="docker:R",
                     mounts=[Mount("bind", "/home/bob/project", "/src"), Mount("bind", "/srv/cache", "/cache")])
    a = run([rootful()], [home, data], users=users)
    assert best(a, "home").techniques[:2] == ["host-path-write", "host-path-write"]
    assert "host user bob" in best(a, "home").chain
    assert a.findings_for("data") == []


def test_severity_depends_on_state_and_cost() -> None:
    running = Container(id="e" * 64, name="run", engine="docker:R", privileged=True, state="running")
    created = Container(id="f" * 64, name="made", engine="docker:R", privileged=True, state="created")
    a = run([rootful()], [running, created])
    assert best(a, "run").severity == "critical"
    assert best(a, "made").severity == "high"
    assert a.findings[0].subject.name == "run"  # worst first
