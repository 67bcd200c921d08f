"""obtain_snapshot and print_problems: where a command's snapshot comes from, and redaction by default."""

from __future__ import annotations

import argparse
import io
from pathlib import Path

import pytest

from dindscope.cli import build_parser
from dindscope.cli.common import obtain_snapshot, print_problems, summary_line
from dindscope.errors import NothingScanned, UsageError
from dindscope.models import Container, EnvVar, Problem, Snapshot
from dindscope.snapshot.io import save_snapshot
from dindscope.snapshot.redact import REDACTED

SECRET = "xoxb-" + "998877665544-QwErTyUiOpAs"


def parse(*argv: str) -> argparse.Namespace:
    return build_parser().parse_args(list(argv))


@pytest.fixture
def raw_file(tmp_path: Path) -> Path:
    snapshot = Snapshot(containers=[Container(id="c1", name="bot", engine="docker:X",
                                              env=[EnvVar("SLACK_BOT", SECRET), EnvVar("MODE", "prod")])],
                        redacted=False)
    path = tmp_path / "raw.json"
    save_snapshot(snapshot, path, redact=False)
    return path


def test_from_file_is_redacted_by_default(raw_file: Path):
    s = obtain_snapshot(parse("scan", "--from", str(raw_file)))
    assert s.source == str(raw_file)
    assert s.containers[0].env_value("SLACK_BOT") == REDACTED
    assert s.containers[0].env_value("MODE") == "prod"


def test_no_redact_keeps_values(raw_file: Path):
    s = obtain_snapshot(parse("--no-redact", "scan", "--from", str(raw_file)))
    assert s.containers[0].env_value("SLACK_BOT") == SECRET


def test_demo():
    s = obtain_snapshot(parse("--demo", "snapshot"))
    assert s.source == "demo" and s.containers


def test_conflicting_sources_are_usage_errors(raw_file: Path):
    with pytest.raises(UsageError):
        obtain_snapshot(parse("snapshot", "--demo", "--from", str(raw_file)))
    with pytest.raises(UsageError):
        obtain_snapshot(parse("snapshot", "--demo", "--engine", "unix:///run/docker.sock"))


def test_no_engine_raises_nothing_scanned_listing_the_problems(tmp_path: Path):
    missing = tmp_path / "gone.sock"
    with pytest.raises(NothingScanned) as info:
        obtain_snapshot(parse("snapshot", "--engine", f"unix://{missing}", "--timeout", "2"))
    assert str(missing) in str(info.value)
    assert info.value.exit_code == 3


def test_bad_timeout_is_a_usage_error():
    with pytest.raises(UsageError, match="--timeout must be a positive number"):
        obtain_snapshot(parse("snapshot", "--timeout", "0"))


def test_print_problems_one_clean_line_each():
    s = Snapshot(problems=[Problem("engine-down", "engine stopped\nanswering \x1b[31mnow", "unix:///x.sock"),
                           Problem("timeout", "slow")])
    out = io.StringIO()
    print_problems(s, out)
    assert out.getvalue().splitlines() == [
        "dindscope: warning: unix:///x.sock: engine stopped answering now",
        "dindscope: warning: slow",
    ]
    assert summary_line(s) == "0 engines, 0 containers, 2 problems"
