"""docs/techniques.md is generated from the technique units and must be up to date."""

from pathlib import Path

from dindscope.remediation.catalog import all_fix_ids
from dindscope.techniques import ALL
from dindscope.techniques.docs import render_markdown

DOC = Path(__file__).resolve().parents[2] / "docs" / "techniques.md"


def test_techniques_doc_is_up_to_date() -> None:
    assert DOC.read_text() == render_markdown(), "run: python -m dindscope.techniques.docs > docs/techniques.md"


def test_every_technique_is_documented_and_has_a_fix_or_is_engine_level() -> None:
    text = render_markdown()
    fixes = set(all_fix_ids())
    for t in ALL:
        assert f"### `{t.id}`" in text
        assert t.needs and t.gains and t.evidence
        assert set(t.remediations) <= fixes, t.id
        if t.kind in ("escape", "exposure") and t.id != "engine-control-rootless":
            assert t.remediations, t.id


def test_technique_ids_are_unique() -> None:
    ids = [t.id for t in ALL]
    assert len(ids) == len(set(ids))
