"""Live snapshots of real engines: secrets set in real containers never reach the file unless --no-redact,
and what was written loads back to the same model."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from dindscope.collect.base import CollectOptions
from dindscope.collect.scan import collect_snapshot
from dindscope.snapshot.codec import snapshot_to_dict
from dindscope.snapshot.io import load_snapshot, save_snapshot
from dindscope.snapshot.redact import REDACTED
from tests.conftest import BUSYBOX, DOCKER_SOCKET, PODMAN_RUN_FLAGS, PODMAN_SOCKET, RUN_ID, TEST_LABEL

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]
# Unique per run, so finding it anywhere can only mean a leak from this test's container.
TOKEN = "glpat-" + RUN_ID.replace("-", "")[:10].ljust(10, "x") + "Qz7Kp2Lm9V"
PASSWORD = f"pw-{RUN_ID}-Xy7"
DB_URL = f"postgres://app:{PASSWORD}@db:5432/app"


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "dindscope", *args], capture_output=True, text=True,
                          timeout=180, env=env)


@pytest.fixture
def docker_secret_container(docker_client, docker_label) -> object:
    c = docker_client.containers.create(
        BUSYBOX, ["sh", "-c", f"echo login --password {PASSWORD}"], labels={**docker_label, "db.password": PASSWORD},
        name=f"secret-job-{docker_label[TEST_LABEL][-20:]}",
        environment={"CI_JOB_TOKEN": TOKEN, "DATABASE_URL": DB_URL, "DOCKER_HOST": "tcp://docker:2375",
                     "BANNER": "\x1b[31m[bold]x[/bold]</script>"})
    return c


@pytest.mark.docker
def test_docker_secrets_are_redacted_in_the_snapshot_file(docker_secret_container, tmp_path: Path):
    out = tmp_path / "snap.json"
    done = cli("snapshot", "--engine", f"unix://{DOCKER_SOCKET}", "-o", str(out))
    assert done.returncode == 0, done.stderr
    text = out.read_text(encoding="utf-8")
    assert PASSWORD not in text and TOKEN not in text
    snapshot = load_snapshot(out)
    c = snapshot.container(docker_secret_container.id)
    assert c is not None
    assert c.env_value("CI_JOB_TOKEN") == REDACTED
    assert c.env_value("DATABASE_URL") == f"postgres://app:{REDACTED}@db:5432/app"
    assert c.env_value("DOCKER_HOST") == "tcp://docker:2375"  # the analysis needs it
    assert c.client_settings["DOCKER_HOST"] == "tcp://docker:2375"
    assert c.labels["db.password"] == REDACTED
    assert c.command[-1] == f"echo login --password {REDACTED}"
    assert c.env_value("BANNER") == "\x1b[31m[bold]x[/bold]</script>"  # hostile but not secret: kept as data
    assert snapshot.redacted is True


@pytest.mark.docker
def test_no_redact_keeps_the_real_values(docker_secret_container, tmp_path: Path):
    out = tmp_path / "raw.json"
    done = cli("snapshot", "--engine", f"unix://{DOCKER_SOCKET}", "--no-redact", "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert "NOT redacted" in done.stderr
    c = load_snapshot(out).container(docker_secret_container.id)
    assert c is not None
    assert c.env_value("CI_JOB_TOKEN") == TOKEN
    assert c.env_value("DATABASE_URL") == DB_URL
    assert c.labels["db.password"] == PASSWORD
    assert json.loads(out.read_text())["redacted"] is False


@pytest.mark.docker
def test_stdout_output_is_redacted_too(docker_secret_container):
    done = cli("snapshot", "--engine", f"unix://{DOCKER_SOCKET}", "-o", "-")
    assert done.returncode == 0, done.stderr
    assert TOKEN not in done.stdout and PASSWORD not in done.stdout
    assert docker_secret_container.id in done.stdout


@pytest.mark.podman
def test_podman_secrets_are_redacted(podman_client, podman_label, tmp_path: Path):
    name = f"secret-pod-{podman_label[TEST_LABEL][-20:]}"
    labels = [a for k, v in podman_label.items() for a in ("--label", f"{k}={v}")]
    subprocess.run(["podman", "create", *PODMAN_RUN_FLAGS, *labels, "--name", name, "-e", f"CI_JOB_TOKEN={TOKEN}",
                    "-e", f"DATABASE_URL={DB_URL}", BUSYBOX, "true"], check=True, capture_output=True, timeout=120)
    out = tmp_path / "snap.json"
    done = cli("snapshot", "--engine", f"unix://{PODMAN_SOCKET}", "-o", str(out))
    assert done.returncode == 0, done.stderr
    text = out.read_text(encoding="utf-8")
    assert TOKEN not in text and PASSWORD not in text
    c = load_snapshot(out).container(name)
    assert c is not None and c.env_value("CI_JOB_TOKEN") == REDACTED


@pytest.mark.docker
def test_a_live_snapshot_survives_the_round_trip(docker_secret_container, tmp_path: Path):
    live = collect_snapshot(CollectOptions(timeout=15), endpoints=[f"unix://{DOCKER_SOCKET}"])
    assert live.engines
    path = tmp_path / "rt.json"
    save_snapshot(live, path, redact=False)
    loaded = load_snapshot(path)
    assert snapshot_to_dict(loaded) == {**snapshot_to_dict(live), "redacted": False}
    assert loaded.container(docker_secret_container.id).env_value("CI_JOB_TOKEN") == TOKEN


@pytest.mark.docker
def test_live_docker_snapshot_imports_no_http_library_tui_or_analysis(docker_secret_container, tmp_path: Path):
    """A unix-socket scan goes through dindscope's own read-only client: docker-py/requests stay unloaded."""
    out = tmp_path / "live.json"
    code = ("import json, sys; from dindscope.cli import main; "
            f"rc = main(['--engine', 'unix://{DOCKER_SOCKET}', 'snapshot', '-o', {str(out)!r}]); "
            "print(json.dumps([rc, sorted(sys.modules)]))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=180,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    rc, modules = json.loads(done.stdout.splitlines()[-1])
    assert rc == 0, done.stderr
    assert docker_secret_container.id in {c["id"] for c in json.loads(out.read_text())["containers"]}
    heavy = ("textual", "rich", "networkx", "docker", "requests", "urllib3", "podman", "dindscope.analysis")
    assert [m for m in modules if m.split(".")[0] in heavy or m.startswith(heavy)] == []
    assert "dindscope.collect.unix_http" in modules
