"""snapshots/record.py records the CI build host from real engines, writes redacted files, and cleans up."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from dindscope.snapshot.io import load_snapshot
from dindscope.snapshot.redact import REDACTED
from tests.conftest import RUN_ID, TEST_LABEL

pytestmark = [pytest.mark.integration, pytest.mark.docker, pytest.mark.podman]
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory, docker_client, podman_client) -> dict[str, object]:
    out = tmp_path_factory.mktemp("record")
    run = f"record-test-{RUN_ID}"
    done = subprocess.run([sys.executable, str(ROOT / "snapshots" / "record.py"), "--out-dir", str(out),
                           "--demo", str(out / "demo.json"), "--run", run], capture_output=True, text=True,
                          timeout=480, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr[-3000:]
    return {"dir": out, "run": run, "stderr": done.stderr}


def test_all_files_are_written(recorded):
    out: Path = recorded["dir"]
    assert {p.name for p in out.iterdir()} >= {"ci-host.json", "demo.json", "minimal.json", "problems.json"}
    assert (out / "ci-host.json").read_text() == (out / "demo.json").read_text()


def test_the_ci_host_scenario_is_captured(recorded):
    s = load_snapshot(recorded["dir"] / "ci-host.json")
    kinds = {(e.kind, e.rootless) for e in s.engines}
    assert {("docker", False), ("podman", False)} <= kinds
    by_name = {c.name: c for c in s.containers}
    job = by_name["runner-x7k2p-project-42-concurrent-0-build"]
    assert ("/var/run/docker.sock", "/var/run/docker.sock") in [(m.source, m.destination) for m in job.mounts]
    assert job.state == "running"
    dind = by_name["runner-x7k2p-project-42-concurrent-1-docker-0"]
    assert dind.privileged and dind.state == "created"
    assert "docker" in [a for n in dind.networks for a in n.aliases]
    assert dind.env_value("DOCKER_TLS_CERTDIR") == ""
    client = by_name["runner-x7k2p-project-42-concurrent-1-build"]
    assert client.client_settings["DOCKER_HOST"] == "tcp://docker:2375"
    assert {n.name for n in client.networks} == {n.name for n in dind.networks}
    assert by_name["perf-debugger"].namespaces.pid == "host" and by_name["perf-debugger"].has_cap("SYS_PTRACE")
    assert by_name["fuse-mounter"].has_cap("SYS_ADMIN") and by_name["fuse-mounter"].security.apparmor == "unconfined"
    assert ("/run", True) in [(m.source, m.read_only) for m in by_name["metrics-agent"].mounts]
    assert ("/etc", False) in [(m.source, m.read_only) for m in by_name["config-sync"].mounts]
    assert by_name["config-sync"].state == "exited"
    assert "/dev/kmsg" in [d.host_path for d in by_name["disk-inspector"].devices]
    app = by_name["shop-api"]
    assert app.capabilities == [] and app.security.readonly_rootfs and app.security.no_new_privileges
    assert not app.runs_as_root
    deploy = by_name["runner-x7k2p-project-42-concurrent-2-deploy"]
    assert deploy.env_value("CI_JOB_TOKEN") == REDACTED
    hostile = by_name["hostile-labels"]
    assert hostile.labels["description"] == "<script>alert(1)</script>" and hostile.labels["owner"] == "[bold red]x[/]"
    assert by_name["buildah-build"].privileged
    assert {"running", "created", "exited"} <= {c.state for c in s.containers}
    assert all(TEST_LABEL not in c.labels for c in s.containers)  # bookkeeping label removed
    runner = s.host.user("gitlab-runner")
    assert runner is not None and "docker" in runner.groups  # a member of the group owning /run/docker.sock
    if ("podman", True) in kinds:
        rootless = by_name["rootless-build"]
        assert s.engine(rootless.engine).rootless and rootless.privileged


def test_minimal_and_problems(recorded):
    minimal = load_snapshot(recorded["dir"] / "minimal.json")
    assert [c.name for c in minimal.containers] == ["shop-api"]
    problems = load_snapshot(recorded["dir"] / "problems.json")
    codes = {p.code for p in problems.problems}
    assert {"socket-missing", "timeout", "engine-down"} & codes
    assert len(problems.problems) >= 3 and problems.engines
    if os.geteuid() == 0 and shutil.which("setpriv"):
        denied = [p for p in problems.problems if p.code == "permission-denied"]
        assert any("/run/docker.sock" in p.message and "'docker' group" in p.message for p in denied)


def test_no_secret_reaches_the_files(recorded):
    text = (recorded["dir"] / "ci-host.json").read_text()
    for secret in ("glpat-" + "Zq3xR8vN2kLm5pTw7yHc", "S3cr3t-db-pass", "hunter2-registry", "Pa55w0rd-login"):
        assert secret not in text
    assert json.loads(text)["redacted"] is True


def test_everything_created_was_removed(recorded):
    label = f"label={TEST_LABEL}={recorded['run']}"
    for cli in ("docker", "podman"):
        left = subprocess.run([cli, "ps", "-aq", "--filter", label], capture_output=True, text=True).stdout.split()
        assert left == [], f"{cli} containers left behind: {left}"
        nets = subprocess.run([cli, "network", "ls", "-q", "--filter", label], capture_output=True, text=True)
        assert nets.stdout.split() == []
    if "user gitlab-runner already exists" not in recorded["stderr"]:
        assert subprocess.run(["id", "gitlab-runner"], capture_output=True).returncode != 0  # user removed
