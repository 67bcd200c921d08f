"""Snapshot files: atomic private writes, and a clear SnapshotError for every kind of bad file."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from dindscope.errors import SnapshotError
from dindscope.models import Container, EnvVar, Snapshot
from dindscope.snapshot.io import MAX_SNAPSHOT_BYTES, load_snapshot, save_snapshot
from dindscope.snapshot.redact import REDACTED

SNAPSHOTS = Path(__file__).resolve().parents[2] / "snapshots"
SECRET = "glpat-" + "AbCdEfGhIjKlMnOpQrSt"


def _snapshot() -> Snapshot:
    c = Container(id="abc123", name="job", engine="docker:X", state="running",
                  env=[EnvVar("CI_JOB_TOKEN", SECRET), EnvVar("DOCKER_HOST", "tcp://docker:2375")])
    return Snapshot(containers=[c], taken_at="2024-01-01T00:00:00+00:00", source="live", redacted=False)


def test_save_is_private_atomic_and_redacted(tmp_path: Path):
    target = tmp_path / "snap.json"
    save_snapshot(_snapshot(), target)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["snap.json"]  # no temporary file left behind
    text = target.read_text(encoding="utf-8")
    assert SECRET not in text
    loaded = load_snapshot(target)
    assert loaded.source == str(target)
    assert loaded.redacted is True
    assert loaded.containers[0].env_value("CI_JOB_TOKEN") == REDACTED
    assert loaded.containers[0].env_value("DOCKER_HOST") == "tcp://docker:2375"


def test_save_without_redaction_keeps_values_and_says_so(tmp_path: Path):
    target = tmp_path / "raw.json"
    original = _snapshot()
    save_snapshot(original, target, redact=False)
    loaded = load_snapshot(target)
    assert loaded.containers[0].env_value("CI_JOB_TOKEN") == SECRET
    assert loaded.redacted is False
    assert original.containers[0].env_value("CI_JOB_TOKEN") == SECRET  # the caller's snapshot is untouched


def test_save_replaces_an_existing_file(tmp_path: Path):
    target = tmp_path / "snap.json"
    target.write_text("old")
    save_snapshot(_snapshot(), target)
    assert load_snapshot(target).containers[0].name == "job"


def test_save_into_a_missing_directory_is_a_clear_error(tmp_path: Path):
    with pytest.raises(SnapshotError, match=r"cannot write snapshot to .*No such file or directory"):
        save_snapshot(_snapshot(), tmp_path / "nope" / "snap.json")


def test_save_onto_a_directory_is_a_clear_error(tmp_path: Path):
    with pytest.raises(SnapshotError, match="it is a directory"):
        save_snapshot(_snapshot(), tmp_path)


def _write(tmp_path: Path, data: bytes | str, name: str = "bad.json") -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


GOOD = (SNAPSHOTS / "minimal.json").read_text(encoding="utf-8")

BAD_FILES = [
    ("empty", b"", "is empty"),
    ("blank", b"  \n\t", "is empty"),
    ("not-utf8", b'{"schema": "\xff\xfe"}', "is not UTF-8 text (byte 0xff at offset 12)"),
    ("binary", bytes(range(256)), "is not UTF-8 text"),
    ("not-json", "schema: dindscope-snapshot\n", "is not valid JSON: Expecting value at line 1 column 1"),
    ("garbage-after", GOOD + "\n}", "is not valid JSON: Extra data at line"),
    ("truncated", GOOD[: GOOD.index('"containers"')], "is truncated: the JSON ends early at line"),
    ("truncated-mid-key", GOOD[: len(GOOD) // 2], "is truncated"),
    ("truncated-in-string", '{"schema": "dindsc', "is truncated"),
    ("array", "[1, 2]", "expected a JSON object at the top level, got list"),
    ("string", '"hello"', "expected a JSON object at the top level, got string"),
    ("wrong-schema", '{"schema": "something-else", "version": 1}', "not a dindscope snapshot"),
    ("no-schema", '{"version": 1}', 'no "schema" field'),
    ("newer", '{"schema": "dindscope-snapshot", "version": 99}', "version 99 is newer than this dindscope"),
    ("older", '{"schema": "dindscope-snapshot", "version": 0}', "version 0 is older"),
    ("nan", '{"schema": "dindscope-snapshot", "version": 1, "x": NaN}', "NaN is not allowed"),
    ("huge-int", '{"schema": "dindscope-snapshot", "version": ' + "9" * 5000 + "}", "is not valid JSON"),
    ("deep-arrays", "[" * 100_000 + "]" * 100_000, "nested too deeply"),
    ("deep-objects", '{"a":' * 50_000 + "1" + "}" * 50_000, "nested too deeply"),
    ("bad-field", GOOD.replace('"privileged": false', '"privileged": "false"', 1),
     "containers[0].privileged: expected bool, got string"),
]


@pytest.mark.parametrize(("data", "message"), [(d, m) for _n, d, m in BAD_FILES], ids=[n for n, _d, _m in BAD_FILES])
def test_bad_files_give_one_clear_error(tmp_path: Path, data, message):
    path = _write(tmp_path, data)
    with pytest.raises(SnapshotError) as info:
        load_snapshot(path)
    text = str(info.value)
    assert message in text
    assert str(path) in text  # the error names the file
    assert "\n" not in text


def test_missing_file(tmp_path: Path):
    with pytest.raises(SnapshotError, match="does not exist"):
        load_snapshot(tmp_path / "missing.json")


def test_directory(tmp_path: Path):
    with pytest.raises(SnapshotError, match="is a directory, not a snapshot file"):
        load_snapshot(tmp_path)


def test_path_through_a_file_is_a_clear_error(tmp_path: Path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(SnapshotError, match="cannot be read: Not a directory"):
        load_snapshot(tmp_path / "file" / "snap.json")


def test_oversize_file_is_refused_before_reading(tmp_path: Path):
    path = tmp_path / "big.json"
    with path.open("wb") as handle:  # sparse: costs no disk and no time
        handle.truncate(MAX_SNAPSHOT_BYTES + 1)
    with pytest.raises(SnapshotError, match=r"is too large \(256 MB; at most 256 MB\)"):
        load_snapshot(path)


def test_a_utf8_bom_is_accepted(tmp_path: Path):
    path = _write(tmp_path, "\ufeff" + GOOD)
    assert load_snapshot(path).containers


def test_control_characters_in_the_path_are_escaped_in_the_message(tmp_path: Path):
    path = tmp_path / "evil\x1b[31mname.json"
    with pytest.raises(SnapshotError) as info:
        load_snapshot(path)
    assert "\x1b" not in str(info.value)
    assert "\\x1b[31mname.json" in str(info.value)


def test_hostile_strings_load_as_plain_data(tmp_path: Path):
    doc = json.loads(GOOD)
    doc["containers"][0]["name"] = "[bold red]x[/]\x1b[31m<script>"
    doc["containers"][0]["labels"] = {"\u202e": "\x00"}
    path = _write(tmp_path, json.dumps(doc))
    loaded = load_snapshot(path)
    assert loaded.containers[0].name == "[bold red]x[/]\x1b[31m<script>"
    assert loaded.containers[0].labels == {"\u202e": "\x00"}


def test_lone_surrogates_from_an_engine_survive_the_round_trip(tmp_path: Path):
    c = Container(id="c", name="bad\ud800name", engine="e", env=[EnvVar("X", "\udcff é")])
    path = tmp_path / "s.json"
    save_snapshot(Snapshot(containers=[c]), path)
    path.read_bytes().decode("utf-8")  # still a UTF-8 file
    loaded = load_snapshot(path)
    assert loaded.containers[0].name == "bad\ud800name"
    assert loaded.containers[0].env_value("X") == "\udcff é"


def test_non_ascii_is_written_as_is(tmp_path: Path):
    path = tmp_path / "s.json"
    save_snapshot(Snapshot(containers=[Container(id="c", name="bäckerei-job", engine="e")]), path)
    assert "bäckerei-job" in path.read_text(encoding="utf-8")
