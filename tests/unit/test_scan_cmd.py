"""`dindscope scan` end to end on snapshot files: summary, JSON report, --fail-on exit codes, hostile names."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema

from dindscope.cli import main
from dindscope.models import Container, Engine, EnvVar, Listener, Mount, Snapshot
from dindscope.snapshot.codec import snapshot_to_dict

ROOT = Path(__file__).resolve().parents[2]
CI_HOST = ROOT / "snapshots" / "ci-host.json"
SCHEMA = json.loads((ROOT / "dindscope" / "reports" / "schema" / "report.schema.json").read_text())
HOSTILE = "evil\x1b[31m\x1b]0;pwned\x07[bold red]x[/]\r\nname"
SECRET = "ghp_h4abcdefghijklmnopqrstuvwxyz0123456789"


def write_snapshot(tmp_path: Path, containers: list[Container]) -> Path:
    engine = Engine(key="docker:T", kind="docker", endpoints=["unix:///run/docker.sock"],
                    listeners=[Listener("unix", "/run/docker.sock", owner_uid=0, group_gid=999, mode=0o660)])
    snap = Snapshot(engines=[engine], containers=containers, source="test", taken_at="2026-01-01T00:00:00Z")
    path = tmp_path / "snap.json"
    path.write_text(json.dumps(snapshot_to_dict(snap)))
    return path


def sock(name: str, **kw) -> Container:
    kw.setdefault("state", "running")
    return Container(id=name.encode().hex().ljust(64, "0")[:64], name=name, engine="docker:T",
                     mounts=[Mount("bind", "/var/run/docker.sock", "/var/run/docker.sock")], **kw)


def test_summary_lists_root_subjects_first_with_their_path(capsys) -> None:
    assert main(["--from", str(CI_HOST), "scan"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].startswith("dindscope: ") and "can reach host root" in lines[0]
    assert lines[1].startswith("engines: ")
    root = out.index("Reach host root")
    assert all(out.index(s) > root for s in ("Can write", "Can read") if s in out)
    assert " -> host root" in out and "fix: " in out


def test_json_report_validates_and_fail_on_sets_exit_code(tmp_path: Path, capsys) -> None:
    out = tmp_path / "r.json"
    assert main(["--from", str(CI_HOST), "scan", "--format", "json", "-o", str(out), "--fail-on", "critical"]) == 1
    report = json.loads(out.read_text())
    jsonschema.validate(report, SCHEMA)
    assert report["schema"] == "dindscope-report/1"
    assert {f["impact"] for f in report["findings"]} >= {"host-root"}
    f = report["findings"][0]
    assert f["path"][0]["name"] == f["subject"]["name"] and f["path"][-1]["kind"] == "host"
    assert len(f["steps"]) == len(f["path"]) - 1


def test_fail_on_is_quiet_when_nothing_reaches_the_threshold(tmp_path: Path, capsys) -> None:
    snap = write_snapshot(tmp_path, [Container(id="1" * 64, name="fine", engine="docker:T", state="running")])
    assert main(["--from", str(snap), "scan", "--fail-on", "low"]) == 0
    assert "no escape path found" in capsys.readouterr().out
    snap = write_snapshot(tmp_path, [sock("job", state="exited")])
    assert main(["--from", str(snap), "scan", "--fail-on", "critical"]) == 0  # exited: high, not critical
    assert main(["--from", str(snap), "scan", "--fail-on", "high"]) == 1


def test_hostile_names_are_printed_inert_and_secrets_never_written(tmp_path: Path, capsys) -> None:
    c = sock(HOSTILE, env=[EnvVar("GITHUB_TOKEN", SECRET)], labels={"api.token": SECRET})
    snap = write_snapshot(tmp_path, [c])
    assert main(["--from", str(snap), "scan"]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out and "\r" not in out
    assert "evil[31m" in out or "evil" in out
    report = tmp_path / "r.json"
    assert main(["--from", str(snap), "--no-redact", "scan", "--format", "json", "-o", str(report)]) == 0
    text = report.read_text()
    assert SECRET not in text


def test_unreadable_snapshot_is_one_line_and_exit_2(tmp_path: Path, capsys) -> None:
    assert main(["--from", str(tmp_path / "missing.json"), "scan"]) == 2
    assert "Traceback" not in capsys.readouterr().err
