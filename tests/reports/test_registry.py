"""The format registry: names, output files for one or several formats, stdout, clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dindscope.errors import UsageError
from dindscope.reports import FORMATS, output_paths, parse_formats, render_report, write_reports
from tests.reports.hostile import hostile_report


def test_formats_and_parsing() -> None:
    assert FORMATS == ("json", "markdown", "html", "sarif")
    assert parse_formats("html,json") == ["html", "json"]
    assert parse_formats(["md", "sarif,html", "md"]) == ["markdown", "sarif", "html"]
    with pytest.raises(UsageError, match="unknown report format 'pdf'"):
        parse_formats("html,pdf")
    with pytest.raises(UsageError, match="no report format"):
        parse_formats(" , ")


def test_output_paths(tmp_path: Path) -> None:
    assert output_paths(["html"], "out/x.htm") == {"html": Path("out/x.htm")}
    assert output_paths(["html", "json"], "report") == {"html": Path("report.html"), "json": Path("report.json")}
    assert output_paths(["sarif", "markdown"], "r/report.html") == {"sarif": Path("r/report.sarif"),
                                                                     "markdown": Path("r/report.md")}
    assert output_paths(["json"], str(tmp_path)) == {"json": tmp_path / "dindscope-report.json"}


def test_write_several_formats(tmp_path: Path) -> None:
    report = hostile_report()
    written = write_reports(None, "html,json,sarif,markdown", str(tmp_path / "report"), report=report)
    assert sorted(p.name for p in written) == ["report.html", "report.json", "report.md", "report.sarif"]
    for path in written:
        fmt = {".html": "html", ".json": "json", ".sarif": "sarif", ".md": "markdown"}[path.suffix]
        assert path.read_text(encoding="utf-8") == render_report(fmt, report)
    assert json.loads((tmp_path / "report.json").read_text())["findings"]


def test_one_format_to_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    assert write_reports(None, "json", "-", report=hostile_report()) == []
    assert json.loads(capsys.readouterr().out)["engines"]
    with pytest.raises(UsageError, match="need -o"):
        write_reports(None, ["json", "html"], None, report=hostile_report())


def test_unwritable_target_is_one_line_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="does not exist"):
        write_reports(None, "html", str(tmp_path / "missing" / "r.html"), report=hostile_report())
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(UsageError, match="cannot write"):
        write_reports(None, "html", str(tmp_path / "file" / "r.html"), report=hostile_report())
