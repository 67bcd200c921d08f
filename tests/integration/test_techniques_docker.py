"""Every technique against real containers on the real dockerd: the path and its evidence."""

from __future__ import annotations

import grp
import os

import pytest

from tests.integration._scenario import Scenario, new_scenario, step_with

pytestmark = [pytest.mark.integration, pytest.mark.docker]


@pytest.fixture(scope="module")
def docker(docker_client) -> Scenario:
    sc = new_scenario("docker", "unix:///run/docker.sock")
    try:
        docker_gid = str(grp.getgrnam("docker").gr_gid)
    except KeyError:
        docker_gid = ""
    data_dir = "/tmp/dindscope-h4-data"
    os.makedirs(data_dir, exist_ok=True)
    try:
        sc.create("plain")
        sc.create("data", "-v", f"{data_dir}:/data")
        sc.create("sock", "-v", "/var/run/docker.sock:/var/run/docker.sock")
        sc.create("sock-ro", "-v", "/run/docker.sock:/ci/docker.sock:ro")
        sc.create("sock-nonroot", "--user", "1000:1000", "-v", "/run/docker.sock:/var/run/docker.sock")
        if docker_gid:
            sc.create("sock-group", "--user", "1000:1000", "--group-add", docker_gid,
                      "-v", "/run/docker.sock:/var/run/docker.sock")
        sc.create("parent-varrun", "-v", "/var/run:/host/run:ro")
        sc.create("parent-root", "-v", "/:/host:ro")
        sc.create("priv", "--privileged")
        sc.create("priv-pid", "--privileged", "--pid", "host")
        sc.create("sysmodule", "--cap-add", "SYS_MODULE")
        sc.create("sysadmin", "--cap-add", "SYS_ADMIN", "--security-opt", "apparmor=unconfined")
        sc.create("ptrace", "--cap-add", "SYS_PTRACE", "--pid", "host", "--security-opt", "apparmor=unconfined")
        sc.create("ptrace-nopid", "--cap-add", "SYS_PTRACE")
        sc.create("dacrs", "--cap-add", "DAC_READ_SEARCH")
        sc.create("sysboot", "--cap-add", "SYS_BOOT")
        sc.create("nonroot-nnp", "--user", "1000", "--security-opt", "no-new-privileges", "--cap-add", "SYS_MODULE")
        sc.create("device", "--device", "/dev/loop0:/dev/loop0")
        sc.create("kmsg", "--device", "/dev/kmsg:/dev/kmsg:r")
        sc.create("etc-rw", "-v", "/etc:/host/etc")
        sc.create("etc-ro", "-v", "/etc:/host/etc:ro")
        sc.create("systempaths", "--security-opt", "systempaths=unconfined")
        sc.create("sys-rw", "-v", "/sys:/host/sys")
        net = sc.network("ci")
        sc.create("dind", "--privileged", "--network", net, "--network-alias", "docker", "-e", "DOCKER_TLS_CERTDIR=",
                  cmd=("dockerd", "--host=tcp://0.0.0.0:2375", "--tls=false"))
        sc.create("job", "--network", net, "-e", "DOCKER_HOST=tcp://docker:2375", "-e", "CI_JOB_TOKEN=s3cr3t-h4-token")
        sc.create("bystander", "--network", net)
        sc.collect()
        yield sc
    finally:
        sc.cleanup()


def test_container_without_settings_has_no_finding(docker: Scenario) -> None:
    assert docker.findings("plain") == []
    assert docker.findings("data") == []


def test_socket_mount(docker: Scenario) -> None:
    f = docker.best("sock")
    assert f.techniques[:3] == ["socket-mount", "engine-api", "engine-control-rootful"]
    step = step_with(f, "socket-mount")
    assert any("/var/run/docker.sock" in e for e in step.evidence)
    assert f.path[-1].kind == "host" and f.severity == "high"  # created, not running
    assert f.path[2].kind == "engine" and "docker" in f.path[2].name
    assert any(r.id == "socket-mount/rootless-buildkit" for r in f.remediations)


def test_read_only_socket_mount_still_connects(docker: Scenario) -> None:
    step = step_with(docker.best("sock-ro"), "socket-mount")
    assert any("read-only mount still allows connect" in e for e in step.evidence)


def test_socket_permission_judged_like_the_kernel(docker: Scenario) -> None:
    assert [f for f in docker.findings("sock-nonroot") if f.impact == "host-root"] == []
    if "sock-group" in docker.created:
        step = step_with(docker.best("sock-group"), "socket-mount")
        assert any("GroupAdd" in e for e in step.evidence)


def test_socket_through_parent_mount_and_var_run_alias(docker: Scenario) -> None:
    steps = [step_with(f, "socket-parent-mount") for f in docker.findings("parent-varrun")
             if f.impact == "host-root"]
    step = next(s for s in steps if "/host/run/docker.sock" in s.explanation)  # other host sockets may be cheaper
    assert any("Source=/var/run" in e for e in step.evidence)
    assert "(/var/run is /run)" in step.explanation
    assert step_with(docker.best("parent-root"), "socket-parent-mount")


def test_privileged_and_nsenter(docker: Scenario) -> None:
    assert docker.best("priv").techniques == ["privileged"]
    assert "HostConfig.Privileged=true" in docker.best("priv").steps[0].evidence
    f = docker.best("priv-pid")
    assert f.techniques == ["privileged-host-pid"]
    assert "HostConfig.PidMode=host" in f.steps[0].evidence
    assert any(a.techniques == ["privileged"] for a in docker.findings("priv-pid") if a.alternative)


@pytest.mark.parametrize(("short", "technique"), [
    ("sysmodule", "cap-sys-module"),
    ("sysadmin", "cap-sys-admin-release-agent"),
    ("ptrace", "cap-sys-ptrace-host-pid"),
    ("dacrs", "cap-dac-read-search"),
    ("systempaths", "proc-sys-core-pattern"),
    ("sys-rw", "sys-uevent-helper"),
])
def test_capability_and_kernel_interface_escapes(docker: Scenario, short: str, technique: str) -> None:
    f = docker.best(short)
    assert f.techniques[0] == technique
    assert f.steps[0].evidence


def test_ptrace_without_host_pid_is_not_an_escape(docker: Scenario) -> None:
    assert docker.findings("ptrace-nopid") == []


def test_non_root_with_no_new_privileges_cannot_use_capabilities(docker: Scenario) -> None:
    assert docker.findings("nonroot-nnp") == []


def test_dangerous_capability_is_host_write(docker: Scenario) -> None:
    f = docker.best("sysboot", "host-write")
    assert f.techniques == ["cap-dangerous"] and "SYS_BOOT" in f.steps[0].explanation


def test_devices(docker: Scenario) -> None:
    f = docker.best("device")
    assert f.techniques[0] == "device-access" and f.path[1].kind == "device"
    assert any("/dev/loop0" in e for e in f.steps[0].evidence)
    assert docker.best("kmsg", "host-read").path[1].name.startswith("/dev/kmsg")


def test_sensitive_host_paths(docker: Scenario) -> None:
    f = docker.best("etc-rw")
    assert f.techniques[0] == "host-path-write" and f.path[1].name == "/etc (read-write)"
    read = docker.best("etc-ro", "host-read")
    assert read.techniques[0] == "host-path-read"
    assert not [x for x in docker.findings("etc-ro") if x.impact == "host-root"]


def test_nested_dind_job_reaches_host_root_through_the_privileged_service(docker: Scenario) -> None:
    f = docker.best("job")
    assert f.techniques == ["dind-client-settings", "engine-api", "dind-inner-engine", "privileged"]
    assert [n.kind for n in f.path] == ["container", "endpoint", "engine", "container", "host"]
    assert "docker:2375" in f.path[1].name and "TLS off" in f.path[1].name
    assert f.path[3].name == docker.created["dind"]
    assert any("DOCKER_HOST=tcp://docker:2375" in e for e in f.steps[0].evidence)
    assert not any("s3cr3t" in e for s in f.steps for e in s.evidence)
    peer = docker.best("bystander")
    assert "dind-tcp-peer" in peer.techniques


# -- what-if: the fix for each technique removes exactly the paths that relied on it ------------------------------

FIXES = [
    ("sock", "socket-mount/rootless-buildkit", "socket-mount"),
    ("sock-ro", "socket-mount/remove", "socket-mount"),
    ("parent-varrun", "socket-parent-mount/narrow", "socket-parent-mount"),
    ("priv", "privileged/specific-caps", "privileged"),
    ("priv-pid", "host-pid/remove", "privileged-host-pid"),
    ("sysmodule", "cap-sys-module/drop", "cap-sys-module"),
    ("sysadmin", "cap-sys-admin/drop", "cap-sys-admin-release-agent"),
    ("sysadmin", "apparmor/default", "cap-sys-admin-release-agent"),
    ("ptrace", "cap-sys-ptrace/drop", "cap-sys-ptrace-host-pid"),
    ("dacrs", "cap-dac-read-search/drop", "cap-dac-read-search"),
    ("sysboot", "cap-dangerous/drop", "cap-dangerous"),
    ("device", "device/remove", "device-access"),
    ("etc-rw", "host-path/read-only", "host-path-write"),
    ("etc-ro", "host-path/remove", "host-path-read"),
    ("systempaths", "systempaths/default", "proc-sys-core-pattern"),
    ("sys-rw", "host-path/remove", "sys-uevent-helper"),
    ("sysmodule", "user/non-root+no-new-privileges/set", "root-user"),
    ("dind", "dind/tls", "dind-client-settings,dind-tcp-peer"),
    ("dind", "dind/sysbox", "privileged"),
]


@pytest.mark.parametrize(("short", "fix", "technique"), FIXES, ids=[f"{s}:{f}" for s, f, _ in FIXES])
def test_fix_removes_exactly_the_paths_that_relied_on_it(docker: Scenario, short: str, fix: str,
                                                          technique: str) -> None:
    from dindscope.analysis.whatif import what_if

    assert docker.analysis is not None
    name = docker.created[short]
    w = what_if(docker.analysis.snapshot, fix.split("+"), subject=name, before=docker.analysis)
    assert w.applied[0].changes, f"{fix} changed nothing on {name}"

    def relied(f) -> bool:
        wanted = set(technique.split(","))
        return any(s.technique in wanted or wanted & set(s.enablers) for s in f.steps) and (
            f.subject.name == name or any(n.kind == "container" and n.name == name for n in f.path)
            or (f.subject.name != name and any(n.kind == "endpoint" and name in n.name for n in f.path)))

    relying = {f.id for f in w.before.findings if relied(f)}
    assert relying, f"no finding relied on {technique}"
    removed = {f.id for f in w.removed}
    assert relying <= removed
    # nothing else went away, except other alternatives of the same subjects being reshuffled
    touched = {f.subject for f in w.before.findings if f.id in relying}
    assert all(f.subject in touched for f in w.removed), [f.chain for f in w.removed if f.subject not in touched]
    for f in w.removed:
        if f.id in relying:
            assert any(x in w.reasons[f.id] for x in fix.split("+")) or "no longer" in w.reasons[f.id]
    others = [f for f in w.before.findings if f.subject not in touched]
    assert {f.id for f in others} <= {f.id for f in w.remaining}
    # the snapshot the caller holds is untouched
    assert docker.analysis.snapshot.container(name) is not None


def test_non_root_alone_keeps_the_path_through_setuid(docker: Scenario) -> None:
    from dindscope.analysis.whatif import what_if

    assert docker.analysis is not None
    w = what_if(docker.analysis.snapshot, ["user/non-root"], subject=docker.created["sysmodule"])
    f = next(x for x in w.after.findings if x.subject.name == docker.created["sysmodule"])
    assert "no-new-privileges-off" in f.steps[0].enablers and f.cost > docker.best("sysmodule").cost
    assert w.before.findings == docker.analysis.findings
