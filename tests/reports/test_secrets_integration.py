"""A secret set in a real container's env appears in no report format.

The container also mounts the Docker socket, so it is a finding and its name,
mounts and client settings are all over the reports: the secret still is not.
"""

from __future__ import annotations

import subprocess

import pytest

from dindscope.analysis import analyze
from dindscope.collect.scan import collect_snapshot
from dindscope.reports import FORMATS, render
from tests.conftest import BUSYBOX, DOCKER_SOCKET

pytestmark = [pytest.mark.integration, pytest.mark.docker]

SECRETS = {
    "CI_JOB_TOKEN": "glpat-RealContainerSecret0815xyz",  # secret by name and by shape
    "DATABASE_URL": "postgres://app:S3cr3tPassw0rd-h5@db:5432/app",  # a password inside a URL
    "MY_PLAIN_SETTING": "Zq8vN2kLm4Xp7Rt1Yw6Bc3Df9Gh5Jk0Ls",  # random-looking value under a harmless name
}


def test_env_secrets_appear_in_no_output(docker_client: object, docker_label: dict[str, str],
                                         run_id: str) -> None:
    name = f"dindscope-h5-secret-{run_id}"
    env = [arg for key, value in SECRETS.items() for arg in ("-e", f"{key}={value}")]
    labels = [arg for key, value in docker_label.items() for arg in ("--label", f"{key}={value}")]
    labels += ["--label", f"deploy.token={SECRETS['CI_JOB_TOKEN']}"]
    subprocess.run(["docker", "create", "--name", name, *labels, *env,
                    "-v", "/var/run/docker.sock:/var/run/docker.sock", BUSYBOX, "sleep", "60"],
                   check=True, capture_output=True)
    snapshot = collect_snapshot(endpoints=[f"unix://{DOCKER_SOCKET}"])
    container = snapshot.container(name)
    assert container is not None, "the collector did not see the test container"
    analysis = analyze(snapshot)
    assert analysis.findings_for(name), "the socket-mounting container must be a finding"
    for fmt in FORMATS:
        text = render(fmt, analysis)
        assert name in text, f"{fmt}: the finding is not in the report"
        for key, value in SECRETS.items():
            assert value not in text, f"{fmt} leaks {key}"
        assert "S3cr3tPassw0rd-h5" not in text, f"{fmt} leaks the URL password"
