"""A fix on a path acts where the path needs it: a DinD fix on the service a job points at."""

from __future__ import annotations

from pathlib import Path

import pytest

from dindscope.analysis import analyze
from dindscope.analysis.whatif import what_if
from dindscope.snapshot.io import load_snapshot

CI_HOST = Path(__file__).resolve().parents[2] / "snapshots" / "ci-host.json"


@pytest.fixture(scope="module")
def dind_job():
    snapshot = load_snapshot(str(CI_HOST))
    analysis = analyze(snapshot)
    jobs = [f for f in analysis.findings
            if f.subject.kind == "container" and f.techniques[:1] == ["dind-client-settings"] and f.alternative == 0]
    assert jobs, "the recorded CI host has a job driving a DinD service over TCP"
    return snapshot, analysis, jobs[0]


def test_dind_fixes_act_on_the_service_the_job_points_at(dind_job) -> None:
    _snapshot, _analysis, finding = dind_job
    service = next(n.name for n in finding.path[1:] if n.kind == "container")
    by_id = {o.id: o for o in finding.remediations}
    assert finding.fix_target(by_id["dind/tls"]) == service != finding.subject.name
    assert finding.fix_target(by_id["privileged/specific-caps"]) == service


def test_dind_tls_applied_where_it_acts_removes_the_jobs_root_path(dind_job) -> None:
    snapshot, analysis, finding = dind_job
    option = next(o for o in finding.remediations if o.id == "dind/tls")
    result = what_if(snapshot, [(option.id, finding.fix_target(option))], before=analysis)
    assert finding.id in {f.id for f in result.removed}
    # applied to the job itself (it runs no engine) the same fix changes nothing
    unchanged = what_if(snapshot, [(option.id, finding.subject.name)], before=analysis)
    assert finding.id not in {f.id for f in unchanged.removed}


def test_engine_api_fixes_follow_the_endpoint_kind(dind_job) -> None:
    _snapshot, analysis, finding = dind_job
    ids = [o.id for o in finding.remediations]
    assert "tcp-api/tls" not in ids and "socket-mode/restrict" not in ids  # the inner engine is not a host listener
    sockets = [f for f in analysis.findings if f.techniques[:2] == ["socket-mount", "engine-api"]]
    assert sockets and all("tcp-api/tls" not in [o.id for o in f.remediations] for f in sockets)
