"""Golden files: every format rendered from a snapshot recorded from the real dockerd.

The snapshot (``golden/snapshot.json``) was recorded by ``record_golden_snapshot.py``.
Outputs are deterministic: timestamps come from the snapshot, the JSON's
``generated_at`` is pinned. Refresh after an intended change with
``DINDSCOPE_UPDATE_GOLDEN=1 .venv/bin/pytest tests/reports/test_golden.py`` and review the diff.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import jsonschema
import pytest

from dindscope.analysis import analyze
from dindscope.reports import EXTENSIONS, FORMATS, build, render_report
from dindscope.reports.sarif import load_schema
from dindscope.snapshot.codec import snapshot_from_dict

REPO = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).with_name("golden")
SNAPSHOT = "tests/reports/golden/snapshot.json"  # relative: the SARIF artifact URI must not depend on the checkout
UPDATE = os.environ.get("DINDSCOPE_UPDATE_GOLDEN") == "1"
PINNED = "2000-01-01T00:00:00Z"


@pytest.fixture(scope="module")
def report() -> dict:
    snapshot = snapshot_from_dict(json.loads((REPO / SNAPSHOT).read_text(encoding="utf-8")))
    snapshot.source = SNAPSHOT
    data = build(analyze(snapshot))
    data["generated_at"] = PINNED
    return data


@pytest.mark.parametrize("fmt", FORMATS)
def test_golden(fmt: str, report: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    text = render_report(fmt, report)
    path = GOLDEN / f"ci-host{EXTENSIONS[fmt]}"
    if UPDATE or not path.exists():
        path.write_text(text, encoding="utf-8")
        if not UPDATE:
            pytest.fail(f"golden file {path.name} was missing and has been written; review and commit it")
    assert text == path.read_text(encoding="utf-8"), f"{path.name} differs; DINDSCOPE_UPDATE_GOLDEN=1 to refresh"


def test_golden_is_about_the_recorded_host(report: dict) -> None:
    """The recorded snapshot gives the paths the golden files should show (guards against empty goldens)."""
    by_name = {(f["subject"]["name"], f["impact"]) for f in report["findings"] if not f["alternative"]}
    assert ("dindscope-golden-ci-job-socket", "host-root") in by_name
    assert ("dindscope-golden-builder-privileged", "host-root") in by_name
    assert ("dindscope-golden-etc-writer", "host-root") in by_name
    assert not [n for n, _ in by_name if n == "dindscope-golden-app-locked"]


def test_sarif_and_json_validate_against_their_schemas(report: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    sarif = json.loads(render_report("sarif", report))
    errors = list(jsonschema.Draft4Validator(load_schema()).iter_errors(sarif))
    assert not errors, [e.message for e in errors[:5]]
    location = sarif["runs"][0]["results"][0]["locations"][0]
    assert location["physicalLocation"]["artifactLocation"]["uri"] == SNAPSHOT
    assert location["physicalLocation"]["region"]["startLine"] > 1
    schema_file = REPO / "dindscope" / "reports" / "schema" / "report.schema.json"
    if not schema_file.exists():
        pytest.skip("the JSON report schema is not in this checkout yet")
    schema = json.loads(schema_file.read_text(encoding="utf-8"))
    validator = jsonschema.validators.validator_for(schema)(schema)
    errors = list(validator.iter_errors(json.loads(render_report("json", report))))
    assert not errors, [e.message for e in errors[:5]]
