"""The snapshot codec: exact round trips of recorded snapshots, strict field-by-field validation."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from dindscope.errors import SnapshotError
from dindscope.models import Container, EnvVar, Mount, Snapshot
from dindscope.snapshot.codec import SCHEMA_NAME, snapshot_from_dict, snapshot_to_dict
from dindscope.snapshot.demo import load_demo
from dindscope.snapshot.io import load_snapshot

SNAPSHOTS = Path(__file__).resolve().parents[2] / "snapshots"
RECORDED = sorted(SNAPSHOTS.glob("*.json"))


def test_recorded_snapshots_exist():
    names = {p.name for p in RECORDED}
    assert {"ci-host.json", "minimal.json", "problems.json"} <= names


@pytest.mark.parametrize("path", RECORDED, ids=lambda p: p.name)
def test_recorded_snapshot_round_trips_exactly(path: Path):
    raw = json.loads(path.read_text(encoding="utf-8"))
    snapshot = load_snapshot(path)
    assert snapshot.source == str(path)
    again = snapshot_to_dict(snapshot)
    assert again == raw  # every field written comes back, nothing is invented
    assert snapshot_from_dict(again) == snapshot_from_dict(raw)


def test_demo_round_trips_and_is_marked_demo():
    demo = load_demo()
    assert demo.source == "demo"
    assert demo.engines and demo.containers
    assert snapshot_from_dict(snapshot_to_dict(demo)).containers == demo.containers


def test_header_comes_first():
    d = snapshot_to_dict(Snapshot())
    assert list(d)[:2] == ["schema", "version"]
    assert d["schema"] == SCHEMA_NAME and d["version"] == 1
    assert "source" not in d and "schema_version" not in d


def _doc() -> dict:
    s = Snapshot(containers=[Container(id=f"c{i}", name=f"n{i}", engine="e") for i in range(4)])
    s.containers[3].mounts = [Mount("bind", "/run", "/host/run", read_only=True)]
    s.containers[3].env = [EnvVar("A", "b")]
    return snapshot_to_dict(s)


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d["containers"][3]["mounts"][0].__setitem__("read_only", "yes"),
         "containers[3].mounts[0].read_only: expected bool, got string"),
        (lambda d: d["containers"][3]["mounts"][0].__setitem__("read_only", 1),
         "containers[3].mounts[0].read_only: expected bool, got int"),
        (lambda d: d["containers"][0].pop("id"), "containers[0].id: required field is missing"),
        (lambda d: d["containers"][1].__setitem__("state", "sleeping"), "containers[1].state: expected one of"),
        (lambda d: d["containers"][2].__setitem__("labels", {"a": 1}), 'containers[2].labels[\'a\']: expected string'),
        (lambda d: d["containers"][3]["env"][0].__setitem__("value", 5),
         "containers[3].env[0].value: expected string or null, got int"),
        (lambda d: d.__setitem__("containers", {}), "containers: expected list, got object"),
        (lambda d: d["host"].__setitem__("collected_uid", True), "host.collected_uid: expected int or null, got bool"),
        (lambda d: d.__setitem__("host", []), "host: expected object, got list"),
        (lambda d: d["containers"].__setitem__(2, "x"), "containers[2]: expected object, got string"),
    ],
)
def test_wrong_types_name_the_field_path(mutate, message):
    d = _doc()
    mutate(d)
    with pytest.raises(SnapshotError) as info:
        snapshot_from_dict(d)
    assert message in str(info.value)


def test_unknown_fields_are_ignored():
    d = _doc()
    d["future_top"] = {"x": 1}
    d["containers"][0]["future_field"] = [1, 2]
    s = snapshot_from_dict(d)
    assert s.containers[0].id == "c0"


def test_optional_fields_take_their_defaults():
    doc = {"schema": SCHEMA_NAME, "version": 1, "containers": [{"id": "x", "name": "y", "engine": "e"}]}
    s = snapshot_from_dict(doc)
    assert s.containers[0].state == "unknown"
    assert s.containers[0].namespaces.pid == ""


def test_a_number_is_not_a_string():
    d = _doc()
    d["taken_at"] = 3
    with pytest.raises(SnapshotError, match="taken_at: expected string, got int"):
        snapshot_from_dict(d)


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ({}, 'no "schema" field'),
        ({"schema": "docker-inspect", "version": 1}, '"schema" is \'docker-inspect\''),
        ({"schema": "dindscope-report", "version": 1}, "looks like a dindscope report"),
        ({"schema": SCHEMA_NAME}, '"version": expected int, got null'),
        ({"schema": SCHEMA_NAME, "version": "1"}, '"version": expected int, got string'),
        ({"schema": SCHEMA_NAME, "version": 2}, "version 2 is newer"),
        ({"schema": SCHEMA_NAME, "version": 0}, "version 0 is older"),
    ],
)
def test_header_errors(header, message):
    with pytest.raises(SnapshotError) as info:
        snapshot_from_dict(header)
    assert message in str(info.value)


def test_top_level_must_be_an_object():
    with pytest.raises(SnapshotError, match="expected a JSON object at the top level, got list"):
        snapshot_from_dict([])


def test_decoding_does_not_alias_the_input():
    d = _doc()
    keep = copy.deepcopy(d)
    s = snapshot_from_dict(d)
    s.containers[3].mounts[0].read_only = False
    assert d == keep


def test_clone_is_an_equal_independent_copy():
    from dindscope.snapshot.codec import clone_snapshot

    demo = load_demo()
    twin = clone_snapshot(demo)
    assert twin == demo and twin.source == "demo"
    twin.containers[0].mounts.append(Mount("bind", "/", "/host"))
    twin.containers[0].labels["x"] = "y"
    twin.host.users.clear()
    assert demo.containers[0].mounts != twin.containers[0].mounts
    assert "x" not in demo.containers[0].labels and demo.host.users


def test_dump_is_one_line_per_container(tmp_path: Path):
    from dindscope.snapshot.io import dump_snapshot

    demo = load_demo()
    lines = dump_snapshot(demo).splitlines()
    assert sum(1 for line in lines if line.startswith('  {"id": ')) == len(demo.containers)


def test_too_many_containers_is_refused_before_decoding():
    from dindscope.snapshot.codec import MAX_CONTAINERS

    doc = {"schema": SCHEMA_NAME, "version": 1, "containers": [{}] * (MAX_CONTAINERS + 1)}
    with pytest.raises(SnapshotError, match=f"containers: {MAX_CONTAINERS + 1} entries, more than the"):
        snapshot_from_dict(doc)


def test_the_entry_budget_stops_a_memory_bomb(monkeypatch: pytest.MonkeyPatch):
    import dindscope.snapshot.codec as codec

    monkeypatch.setattr(codec, "MAX_ITEMS", 1000)
    doc = snapshot_to_dict(Snapshot(containers=[Container(id="c", name="n", engine="e",
                                                          env=[EnvVar(f"V{i}", "x") for i in range(2000)])]))
    with pytest.raises(SnapshotError, match=r"containers\[0\]\.env: too many entries"):
        snapshot_from_dict(doc)
    doc["containers"][0]["env"] = doc["containers"][0]["env"][:500]
    assert len(snapshot_from_dict(doc).containers[0].env) == 500  # the budget is per load, not global
