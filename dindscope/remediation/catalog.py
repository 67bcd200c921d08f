"""The catalog of fixes: per technique, ordered concrete changes (see options_*.py for the text)."""

from __future__ import annotations

import dataclasses
from functools import cache

from dindscope.analysis.results import RemediationOption
from dindscope.remediation.options_access import ACCESS
from dindscope.remediation.options_container import CONTAINER

_ALL: dict[str, RemediationOption] = {o.id: o for o in (*ACCESS, *CONTAINER)}


def get_remediation(fix_id: str) -> RemediationOption:
    """The fix with this id (a copy: callers may not change the catalog). KeyError if unknown."""
    return dataclasses.replace(_ALL[fix_id], alternatives=list(_ALL[fix_id].alternatives))


def all_fix_ids() -> list[str]:
    return list(_ALL)


def remediations_for(technique_id: str) -> list[RemediationOption]:
    """The fixes that break ``technique_id``, best first (shared catalog objects: do not modify them)."""
    return list(_for_technique(technique_id))


@cache
def _for_technique(technique_id: str) -> tuple[RemediationOption, ...]:
    from dindscope.techniques.registry import get

    technique = get(technique_id)
    if technique is None:
        return ()
    return tuple(_ALL[fid] for fid in technique.remediations if fid in _ALL)
