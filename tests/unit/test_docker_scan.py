"""The orchestrator's merge and failure containment, on EngineResults as collectors return them."""

from __future__ import annotations

from dindscope.collect import scan
from dindscope.collect.base import CollectOptions, EndpointCandidate, EngineResult
from dindscope.collect.scan import collect_snapshot, merge_results
from dindscope.models import Container, Engine, Listener, Problem


def result(url: str, key: str | None, containers: int = 0, problems: list[Problem] | None = None) -> EngineResult:
    cand = EndpointCandidate("docker", url)
    engine = None
    if key is not None:
        engine = Engine(key=key, kind="docker", endpoints=[url],
                        listeners=[Listener(kind="unix", address=url.removeprefix("unix://"), source="connected")])
    found = [Container(id=f"{key}-{i}", name=f"c{i}", engine=key or "") for i in range(containers)]
    return EngineResult(candidate=cand, engine=engine, containers=found, problems=problems or [])


def test_one_engine_through_two_endpoints_is_merged_without_duplicates():
    engines, containers, problems = merge_results([
        result("unix:///run/docker.sock", "docker:A", 2),
        result("unix:///run/user/0/alias.sock", "docker:A", 3),
        result("unix:///run/user/1000/docker.sock", "docker:B", 1),
    ])
    assert [e.key for e in engines] == ["docker:A", "docker:B"]
    assert engines[0].endpoints == ["unix:///run/docker.sock", "unix:///run/user/0/alias.sock"]
    assert [x.address for x in engines[0].listeners] == ["/run/docker.sock", "/run/user/0/alias.sock"]
    assert [c.id for c in containers] == ["docker:A-0", "docker:A-1", "docker:A-2", "docker:B-0"]
    assert problems == []


def test_failed_endpoints_keep_their_problems_and_others_results():
    down = Problem("engine-down", "socket exists but no engine is listening", "unix:///x.sock")
    engines, containers, problems = merge_results([result("unix:///x.sock", None, problems=[down]),
                                                   result("unix:///run/docker.sock", "docker:A", 1)])
    assert [e.key for e in engines] == ["docker:A"] and len(containers) == 1 and problems == [down]


def test_a_crashing_collector_becomes_one_problem(monkeypatch, tmp_path):
    def broken(candidate, options):
        raise KeyError("Engine\nwith newline")

    monkeypatch.setattr(scan, "collect_docker", broken)
    sock = tmp_path / "docker.sock"
    snapshot = collect_snapshot(CollectOptions(probe_tcp=False), endpoints=[str(sock)])
    assert snapshot.engines == [] and snapshot.source == "live" and snapshot.taken_at.endswith("+00:00")
    assert snapshot.taken_by.startswith("dindscope ")
    assert [p.code for p in snapshot.problems] == ["other"]
    assert snapshot.problems[0].message.startswith("internal error while collecting docker engine: KeyError")


def test_no_endpoints_gives_an_empty_snapshot(tmp_path):
    snapshot = collect_snapshot(CollectOptions(probe_tcp=False), endpoints=[f"{tmp_path}/nothing.sock"])
    assert snapshot.engines == [] and snapshot.containers == []
    assert [p.code for p in snapshot.problems] == ["socket-missing"]
    assert snapshot.host.hostname
