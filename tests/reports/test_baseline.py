"""Baselines: only findings new since an earlier report count; bad baseline files are usage errors."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from dindscope.errors import UsageError
from dindscope.reports import render_report
from dindscope.reports.baseline import exceeds, finding_key, load_baseline, new_findings
from tests.reports.hostile import hostile_report


def _write(tmp_path: Path, report: dict, fmt: str = "json") -> Path:
    path = tmp_path / f"baseline.{fmt}"
    path.write_text(render_report(fmt, report), encoding="utf-8")
    return path


def test_same_report_has_nothing_new(tmp_path: Path) -> None:
    report = hostile_report()
    ids = load_baseline(_write(tmp_path, report))
    assert new_findings(report["findings"], ids) == []


def test_new_finding_is_reported(tmp_path: Path) -> None:
    old = hostile_report()
    new = copy.deepcopy(old)
    old["findings"] = old["findings"][1:]
    ids = load_baseline(_write(tmp_path, old))
    assert new_findings(new["findings"], ids) == [new["findings"][0]]


def test_fallback_key_matches_when_ids_change(tmp_path: Path) -> None:
    old = hostile_report()
    new = copy.deepcopy(old)
    for finding in new["findings"]:
        finding["id"] = "v2-" + finding["id"]
    ids = load_baseline(_write(tmp_path, old))
    assert new_findings(new["findings"], ids) == []
    new["findings"][2]["steps"][0]["technique"] = "privileged"  # another chain: a new finding
    assert new_findings(new["findings"], ids) == [new["findings"][2]]


def test_sarif_baseline(tmp_path: Path) -> None:
    report = hostile_report()
    ids = load_baseline(_write(tmp_path, report, "sarif"))
    assert new_findings(report["findings"], ids) == []


def test_bad_baselines_are_usage_errors(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no such file"):
        load_baseline(tmp_path / "nope.json")
    bad = tmp_path / "bad.json"
    bad.write_text('{"findings": [')
    with pytest.raises(UsageError, match="not valid JSON"):
        load_baseline(bad)
    bad.write_text(json.dumps({"schema": "x"}))
    with pytest.raises(UsageError, match="no \"findings\""):
        load_baseline(bad)
    bad.write_text("[]")
    with pytest.raises(UsageError, match="expected a JSON object"):
        load_baseline(bad)


def test_fail_on_threshold() -> None:
    findings = hostile_report()["findings"]
    assert exceeds(findings, "critical")
    assert not exceeds([f for f in findings if f["severity"] != "critical"], "critical")
    assert exceeds([f for f in findings if f["severity"] == "low"], "low")
    assert not exceeds([f for f in findings if f["severity"] == "low"], "medium")
    assert not exceeds(findings, None) and not exceeds([], "low")


def test_finding_key_reads_objects_and_dicts() -> None:
    from dindscope.analysis.results import Finding, Step, Subject

    finding = Finding(id="x", severity="high", impact="host-root", subject=Subject("container", "c", "docker:1"),
                      path=[], steps=[Step("socket-mount", "e"), Step("engine-api", "e")])
    as_dict = {"subject": {"kind": "container", "name": "c", "engine": "docker:1"}, "impact": "host-root",
               "steps": [{"technique": "socket-mount"}, {"technique": "engine-api"}]}
    assert finding_key(finding) == finding_key(as_dict)
