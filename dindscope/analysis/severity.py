"""Severity from the goal reached, the cost of the path and the subject's state."""

from __future__ import annotations

from dindscope.analysis.results import SEVERITY_ORDER

LEVELS = ("info", "low", "medium", "high", "critical")
BASE: dict[str, str] = {"host-root": "critical", "host-write": "high", "host-read": "medium"}
HARD_COST = 4.0  # above this a path needs real skill or makes noise
DORMANT = ("created", "exited", "dead")  # a container that is not running now: a start away


def severity(impact: str, cost: float, state: str = "") -> str:
    """critical/high/medium per impact; one level lower when hard, one lower when the container is not running."""
    level = LEVELS.index(BASE[impact])
    if cost > HARD_COST:
        level -= 1
    if state in DORMANT:
        level -= 1
    return LEVELS[max(level, 1)]


def at_or_above(severity_name: str, threshold: str) -> bool:
    return SEVERITY_ORDER.get(severity_name, 0) >= SEVERITY_ORDER.get(threshold, 0)
