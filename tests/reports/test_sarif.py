"""SARIF output: valid against the OASIS 2.1.0 schema, levels and locations as documented."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import jsonschema
import pytest

from dindscope.reports.sarif import LEVELS, build_sarif, load_schema
from tests.reports.hostile import hostile_report


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft4Validator:
    schema = load_schema()
    jsonschema.Draft4Validator.check_schema(schema)
    return jsonschema.Draft4Validator(schema)


def test_vendored_schema_is_the_oasis_2_1_0_schema() -> None:
    schema = load_schema()
    assert schema["id"].endswith("/sarif-schema-2.1.0.json")
    assert schema["properties"]["version"]["enum"] == ["2.1.0"]


def test_hostile_report_validates(validator: jsonschema.Draft4Validator) -> None:
    sarif = build_sarif(hostile_report())
    errors = sorted(validator.iter_errors(sarif), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:5]]


def test_schema_check_can_fail(validator: jsonschema.Draft4Validator) -> None:
    sarif = build_sarif(hostile_report())
    broken = copy.deepcopy(sarif)
    broken["runs"][0]["results"][0]["level"] = "fatal"
    assert list(validator.iter_errors(broken))


def test_levels_security_severity_and_rules() -> None:
    report = hostile_report()
    sarif = build_sarif(report)
    run = sarif["runs"][0]
    for finding, result in zip(report["findings"], run["results"], strict=True):
        assert result["level"] == LEVELS[finding["severity"]]
        assert float(result["properties"]["security-severity"]) > 0
        assert result["partialFingerprints"]["dindscopeFindingId/v1"] == finding["id"]
        rule = run["tool"]["driver"]["rules"][result["ruleIndex"]]
        assert rule["id"] == result["ruleId"] == finding["steps"][0]["technique"]
        assert rule["help"]["text"]
        flow = result["codeFlows"][0]["threadFlows"][0]["locations"]
        assert len(flow) == len(finding["path"])
    assert {"critical": "error", "high": "error", "medium": "warning", "low": "note"}.items() <= LEVELS.items()


def test_logical_locations_name_engine_and_container() -> None:
    report = hostile_report()
    result = build_sarif(report)["runs"][0]["results"][0]
    (location,) = result["locations"]
    engine, container = location["logicalLocations"]
    assert engine["name"] == report["engines"][0]["name"]
    assert container["name"] == report["findings"][0]["subject"]["name"]
    assert container["fullyQualifiedName"] == f"{engine['name']}/{container['name']}"
    assert "physicalLocation" not in location  # the hostile report has no snapshot file


def test_physical_location_points_at_the_snapshot_file(tmp_path: Path,
                                                        validator: jsonschema.Draft4Validator) -> None:
    report = hostile_report()
    name = report["findings"][1]["subject"]["name"]
    snapshot = tmp_path / "snap.json"
    snapshot.write_text(json.dumps({"containers": [{"id": "a", "name": "other"}, {"id": "b", "name": name}]},
                                   indent=2))
    report["snapshot"]["source"] = str(snapshot)
    sarif = build_sarif(report)
    assert not list(validator.iter_errors(sarif))
    physical = sarif["runs"][0]["results"][1]["locations"][0]["physicalLocation"]
    assert physical["artifactLocation"]["uri"] == snapshot.as_uri()  # tmp_path is outside the cwd
    line = snapshot.read_text().splitlines()[physical["region"]["startLine"] - 1]
    assert json.dumps(name) in line
