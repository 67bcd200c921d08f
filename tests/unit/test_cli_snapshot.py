"""`dindscope snapshot` and the shared source options, run as a real subprocess (exit codes, stderr)."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SNAPSHOTS = ROOT / "snapshots"


def dindscope(*args: str, stdin: bytes | None = None, prefix: list[str] | None = None,
              cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1"}
    env.pop("DOCKER_HOST", None)
    env.pop("CONTAINER_HOST", None)
    done = subprocess.run([*(prefix or []), sys.executable, "-m", "dindscope", *args], capture_output=True,
                          input=stdin, env=env, timeout=120, cwd=cwd)
    return subprocess.CompletedProcess(done.args, done.returncode, done.stdout.decode("utf-8", "replace"),
                                       done.stderr.decode("utf-8", "replace"))


def assert_one_clean_error(done: subprocess.CompletedProcess[str], code: int, text: str) -> None:
    assert done.returncode == code, done.stderr
    assert "Traceback" not in done.stderr
    assert done.stderr.startswith("dindscope: ")
    assert text in done.stderr
    assert done.stdout == ""


def test_demo_snapshot_to_a_file(tmp_path: Path):
    out = tmp_path / "demo.json"
    done = dindscope("snapshot", "--demo", "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    doc = json.loads(out.read_text())
    assert doc["schema"] == "dindscope-snapshot" and doc["version"] == 1
    summary = done.stderr.strip().splitlines()[-1]
    assert summary == (f"dindscope: snapshot of {len(doc['engines'])} engines, {len(doc['containers'])} containers, "
                       f"0 problems -> {out} (redacted)")


def test_options_before_the_subcommand_work_too(tmp_path: Path):
    out = tmp_path / "x.json"
    assert dindscope("--demo", "snapshot", "-o", str(out)).returncode == 0
    assert json.loads(out.read_text())["containers"]


def test_snapshot_to_stdout_is_valid_json():
    done = dindscope("snapshot", "--from", str(SNAPSHOTS / "minimal.json"), "-o", "-")
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert len(doc["containers"]) == 1
    assert "-> stdout (redacted)" in done.stderr


def test_from_stdin():
    data = (SNAPSHOTS / "minimal.json").read_bytes()
    done = dindscope("snapshot", "--from", "-", "-o", "-", stdin=data)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["containers"][0]["name"] == "shop-api"


def test_problems_are_printed_one_line_each(tmp_path: Path):
    done = dindscope("snapshot", "--from", str(SNAPSHOTS / "problems.json"), "-o", str(tmp_path / "p.json"))
    assert done.returncode == 0
    warnings = [line for line in done.stderr.splitlines() if line.startswith("dindscope: warning: ")]
    doc = json.loads((SNAPSHOTS / "problems.json").read_text())
    assert len(warnings) == len(doc["problems"]) >= 3
    assert any("no socket at /run/nonexistent/docker.sock" in w for w in warnings)


def test_no_redact_is_said_loudly(tmp_path: Path):
    done = dindscope("snapshot", "--demo", "--no-redact", "-o", str(tmp_path / "d.json"))
    assert done.returncode == 0
    assert "NOT redacted" in done.stderr


BAD = {
    "truncated.json": ('{"schema": "dindscope-snapshot", "version": 1, "containers": [', "is truncated"),
    "garbage.json": ("hello", "is not valid JSON: Expecting value at line 1 column 1"),
    "latin1.json": (b'{"x": "\xe9"}', "is not UTF-8 text"),
    "future.json": ('{"schema": "dindscope-snapshot", "version": 7}', "version 7 is newer"),
    "report.json": ('{"schema": "dindscope-report", "version": 1}', "not a dindscope snapshot"),
    "deep.json": ("[" * 200_000, "nested too deeply"),
    "types.json": ('{"schema": "dindscope-snapshot", "version": 1, "containers": [{"id": 1}]}',
                   "containers[0].id: expected string, got int"),
    "empty.json": ("", "is empty"),
}


@pytest.mark.parametrize("name", sorted(BAD))
@pytest.mark.parametrize("command", ["snapshot", "scan"])
def test_bad_snapshot_files_exit_2_with_one_line(tmp_path: Path, name: str, command: str):
    data, message = BAD[name]
    path = tmp_path / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode())
    done = dindscope(command, "--from", str(path))
    assert_one_clean_error(done, 2, message)
    assert len(done.stderr.strip().splitlines()) == 1


def test_missing_file_exits_2(tmp_path: Path):
    assert_one_clean_error(dindscope("snapshot", "--from", str(tmp_path / "nope.json")), 2, "does not exist")


@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("setpriv"), reason="needs root and setpriv to drop to nobody")
def test_unreadable_file_exits_2(tmp_path: Path):
    path = tmp_path / "secret.json"
    shutil.copy(SNAPSHOTS / "minimal.json", path)
    path.chmod(0o600)
    tmp_path.chmod(0o755)
    drop = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
    done = dindscope("snapshot", "--from", str(path), prefix=drop, cwd=Path("/"))
    assert_one_clean_error(done, 2, "cannot be read: permission denied")


def test_unwritable_output_exits_2(tmp_path: Path):
    done = dindscope("snapshot", "--demo", "-o", str(tmp_path / "missing-dir" / "x.json"))
    assert_one_clean_error(done, 2, "cannot write snapshot to")


def test_from_and_demo_together_is_a_usage_error():
    assert_one_clean_error(dindscope("snapshot", "--demo", "--from", "x.json"), 2,
                           "--from and --demo cannot be used together")


def test_nothing_scanned_exits_3_and_says_why(tmp_path: Path):
    missing = tmp_path / "no-engine.sock"
    done = dindscope("snapshot", "--engine", f"unix://{missing}", "-o", str(tmp_path / "out.json"))
    assert done.returncode == 3, done.stderr
    assert "Traceback" not in done.stderr
    assert "no container engine could be scanned" in done.stderr
    assert str(missing) in done.stderr
    assert not (tmp_path / "out.json").exists()


def test_help_lists_the_options():
    done = dindscope("snapshot", "--help")
    assert done.returncode == 0
    for option in ("--output", "--from", "--demo", "--engine", "--timeout", "--no-redact"):
        assert option in done.stdout


HEAVY = ("textual", "rich", "networkx", "docker", "requests", "urllib3", "podman", "dindscope.analysis",
         "dindscope.graph", "dindscope.reports", "dindscope.tui")


def test_snapshot_command_imports_only_what_it_needs(tmp_path: Path):
    """`dindscope snapshot` starts fast: no TUI, no graph or analysis, no HTTP library for unix sockets."""
    out = tmp_path / "s.json"
    code = ("import json, sys; from dindscope.cli import main; "
            f"rc = main(['--demo', 'snapshot', '-o', {str(out)!r}]); "
            "print(json.dumps([rc, sorted(sys.modules)]))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    rc, modules = json.loads(done.stdout.splitlines()[-1])
    assert rc == 0 and out.exists(), done.stderr
    loaded = sorted(m for m in modules if m.split(".")[0] in HEAVY or m.startswith(HEAVY))
    assert loaded == []
    assert "dindscope.cli.snapshot_cmd" in modules  # the probe sees modules at all


def test_help_still_lists_every_command():
    done = dindscope("--help")
    assert done.returncode == 0
    for name in ("ui", "scan", "snapshot"):
        assert f"    {name} " in done.stdout
    done = dindscope("snapshot", "--help")
    assert done.returncode == 0 and "--output" in done.stdout
