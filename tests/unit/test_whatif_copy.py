"""What-if copies only what a fix changes, never modifies the caller's snapshot, and stacks fixes per subject."""

from __future__ import annotations

import pytest

from dindscope.analysis import analyze
from dindscope.analysis.whatif import apply_fixes, what_if
from dindscope.models import (
    Container,
    Device,
    Engine,
    EngineNetwork,
    EnvVar,
    Host,
    HostUser,
    Listener,
    Mount,
    Namespaces,
    NetworkAttachment,
    Port,
    SecurityOptions,
    Snapshot,
    SocketFile,
)
from dindscope.remediation.fixes import APPLIERS
from dindscope.snapshot.codec import snapshot_to_dict


def host_snapshot() -> Snapshot:
    """A small host where every simulated fix has something to change."""
    sock = Listener("unix", "/run/docker.sock", owner="root", owner_uid=0, group="docker", group_gid=999, mode=0o666)
    eng = Engine(key="docker:W", kind="docker", endpoints=["unix:///run/docker.sock"], cgroup_version="1",
                 listeners=[sock, Listener("tcp", "127.0.0.1", 2375, tls=False)],
                 networks=[EngineNetwork("bridge", gateways=["172.17.0.1"])])
    rootless = Engine(key="podman:alice", kind="podman", endpoints=["unix:///run/user/1000/podman/podman.sock"],
                      rootless=True, user="alice", uid=1000,
                      listeners=[Listener("unix", "/run/user/1000/podman/podman.sock", owner_uid=1000, mode=0o600)])

    def c(n: int, name: str, **kw) -> Container:
        kw.setdefault("networks", [NetworkAttachment("bridge", gateway="172.17.0.1")])
        return Container(id=f"{n:064x}", name=name, engine="docker:W", state="running", **kw)

    containers = [
        c(1, "sock", mounts=[Mount("bind", "/var/run/docker.sock", "/var/run/docker.sock")]),
        c(2, "parent", mounts=[Mount("bind", "/run", "/host/run", True)]),
        c(3, "priv", privileged=True, namespaces=Namespaces(pid="host")),
        c(4, "caps", cap_add=["SYS_MODULE", "SYS_ADMIN", "SYS_PTRACE", "DAC_READ_SEARCH", "SYS_BOOT"],
          capabilities=["CAP_SYS_MODULE", "CAP_SYS_ADMIN", "CAP_SYS_PTRACE", "CAP_DAC_READ_SEARCH", "CAP_SYS_BOOT"],
          namespaces=Namespaces(pid="host"),
          security=SecurityOptions(apparmor="unconfined", seccomp="unconfined", systempaths_unconfined=True)),
        c(5, "dev", devices=[Device("/dev/sda", "/dev/sda")]),
        c(6, "etc", mounts=[Mount("bind", "/etc", "/host/etc")]),
        c(7, "hostnet", namespaces=Namespaces(network="host", userns="host"), networks=[]),
        c(8, "dind", privileged=True, image="docker:dind", env=[EnvVar("DOCKER_TLS_CERTDIR", "")],
          networks=[NetworkAttachment("ci", aliases=["docker"])], ports=[Port(2375, "tcp", "127.0.0.1", 12375)]),
        c(9, "job", env=[EnvVar("DOCKER_HOST", "tcp://docker:2375")], client_settings={"DOCKER_HOST":
                                                                                        "tcp://docker:2375"},
          networks=[NetworkAttachment("ci")]),
        c(10, "plain"),
    ]
    host = Host(hostname="w", cgroup_version="1", groups={"docker": 999, "alice": 1000},
                users=[HostUser("alice", 1000, 1000, ["alice", "docker"], home="/home/alice")],
                socket_files=[SocketFile("/run/docker.sock", "docker", owner_uid=0, group="docker", group_gid=999,
                                         mode=0o666, engine="docker:W")],
                path_aliases={"/var/run": "/run"})
    return Snapshot(host=host, engines=[eng, rootless], containers=containers, source="test")


@pytest.mark.parametrize("fix_id", sorted(APPLIERS))
def test_every_fix_leaves_the_callers_snapshot_untouched(fix_id: str) -> None:
    snap = host_snapshot()
    original = snapshot_to_dict(snap)
    for subject in (None, "sock", "caps", "dind", "alice"):
        changed, applied = apply_fixes(snap, [fix_id], subject)
        assert snapshot_to_dict(snap) == original, f"{fix_id} for {subject} modified the caller's snapshot"
        if applied[0].changes:
            assert snapshot_to_dict(changed) != original, f"{fix_id} reported changes that are not in the copy"


def test_every_fix_changes_something_on_this_host() -> None:
    snap = host_snapshot()
    idle = [f for f in APPLIERS if not apply_fixes(snap, [f])[1][0].changes]
    assert idle == []  # otherwise the test above proves nothing for those fixes


def test_only_the_target_container_is_copied() -> None:
    snap = host_snapshot()
    changed, applied = apply_fixes(snap, ["privileged/specific-caps"], "priv")
    assert applied[0].changes
    pairs = list(zip(snap.containers, changed.containers, strict=True))
    assert [a is b for a, b in pairs] == [c.name != "priv" for c in snap.containers]
    assert changed.host is snap.host and changed.engines is snap.engines
    assert snap.container("priv").privileged and not changed.container("priv").privileged


def test_host_and_engine_fixes_copy_those_parts_only() -> None:
    snap = host_snapshot()
    changed, _ = apply_fixes(snap, ["tcp-api/tls"])
    assert changed.engines is not snap.engines and changed.host is snap.host
    assert all(a is b for a, b in zip(snap.containers, changed.containers, strict=True))
    assert snap.engines[0].listeners[1].tls is False and changed.engines[0].listeners[1].tls is True
    changed, _ = apply_fixes(snap, ["socket-group/remove-user"], "alice")
    assert changed.host is not snap.host and changed.engines is snap.engines
    assert "docker" in snap.host.users[0].groups and "docker" not in changed.host.users[0].groups


def test_fixes_for_different_subjects_stack_in_one_call() -> None:
    snap = host_snapshot()
    before = analyze(snap)
    stacked = what_if(snap, [("socket-mount/remove", "sock"), ("privileged/specific-caps", "priv"),
                             ("host-pid/remove", "priv")], before=before)
    assert [(a.fix_id, a.subject) for a in stacked.applied] == [
        ("socket-mount/remove", "sock"), ("privileged/specific-caps", "priv"), ("host-pid/remove", "priv")]
    assert all(a.changes for a in stacked.applied)
    gone = {f.subject.name for f in stacked.removed if f.alternative == 0}
    assert {"sock", "priv"} <= gone
    assert not [f for f in stacked.after.findings if f.subject.name in ("sock", "priv")]
    # the same as applying them one subject after the other
    step1, _ = apply_fixes(snap, ["socket-mount/remove"], "sock")
    step2 = what_if(step1, ["privileged/specific-caps", "host-pid/remove"], subject="priv")
    assert [f.id for f in step2.after.findings] == [f.id for f in stacked.after.findings]
    # untouched subjects keep every finding
    others = [f.id for f in before.findings if f.subject.name not in ("sock", "priv")]
    assert set(others) <= {f.id for f in stacked.remaining}


def test_plain_fix_ids_still_use_the_subject_keyword() -> None:
    snap = host_snapshot()
    w = what_if(snap, ["device/remove"], subject="dev")
    assert w.applied[0].subject == "dev" and w.applied[0].changes
    assert not [f for f in w.after.findings if f.subject.name == "dev"]
    assert [f for f in w.before.findings if f.subject.name == "dev"]
