"""Nested Docker-in-Docker with real containers: a CI job reaches host root through a privileged service
that holds the network alias its DOCKER_HOST names."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from dindscope.reports.json_report import build_report
from tests.integration._scenario import Scenario, new_scenario

pytestmark = [pytest.mark.integration, pytest.mark.docker]
SECRET = "glpat-h4Secret0123456789abcdef"
SCHEMA = Path(__file__).resolve().parents[2] / "dindscope" / "reports" / "schema" / "report.schema.json"


@pytest.fixture(scope="module")
def nested(docker_client) -> Scenario:
    sc = new_scenario("docker", "unix:///run/docker.sock")
    try:
        net = sc.network("build")
        sc.create("service", "--privileged", "--network", net, "--network-alias", "dockerd-svc")
        sc.create("job", "--network", net, "-e", "DOCKER_HOST=tcp://dockerd-svc:2375",
                  "-e", f"CI_JOB_TOKEN={SECRET}")
        sc.create("elsewhere", "-e", "DOCKER_HOST=tcp://dockerd-svc:2375")  # not on the network
        sc.create("tls-job", "--network", net, "-e", "DOCKER_HOST=tcp://dockerd-svc:2376")
        sc.collect()
        yield sc
    finally:
        sc.cleanup()


def test_job_reaches_host_root_through_the_aliased_privileged_container(nested: Scenario) -> None:
    f = nested.best("job")
    assert [n.kind for n in f.path] == ["container", "endpoint", "engine", "container", "host"]
    assert f.path[1].name.startswith("tcp://dockerd-svc:2375 (TLS off)")
    assert f.path[3].name == nested.created["service"]
    assert f.techniques == ["dind-client-settings", "engine-api", "dind-inner-engine", "privileged"]
    assert any("Aliases" in e or "as dockerd-svc" in e for e in f.steps[0].evidence)
    assert "HostConfig.Privileged=true" in f.steps[-1].evidence


def test_no_path_without_a_shared_network_or_with_a_port_nobody_serves(nested: Scenario) -> None:
    assert [f for f in nested.findings("elsewhere") if "dind-client-settings" in f.techniques] == []
    assert [f for f in nested.findings("tls-job") if "dind-client-settings" in f.techniques] == []


def test_json_report_of_real_scan_validates_and_hides_the_secret(nested: Scenario) -> None:
    assert nested.analysis is not None
    report = build_report(nested.analysis)
    jsonschema.validate(report, json.loads(SCHEMA.read_text()))
    text = json.dumps(report)
    assert SECRET not in text
    job = next(f for f in report["findings"] if f["subject"]["name"] == nested.created["job"] and not f["alternative"])
    assert job["impact"] == "host-root"
    assert job["subject"]["kind"] == "container" and job["subject"]["engine"].startswith("docker")
    assert next(s["technique"] for s in job["steps"]) == "dind-client-settings"
    assert any(r["id"] == "dind/tls" for r in job["remediations"])
