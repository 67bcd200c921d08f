"""Escape-path analysis: snapshot -> attack graph -> findings (see results.py for the contract)."""

from dindscope.analysis.analysis import Analysis, Summary, analyze
from dindscope.analysis.results import Finding, PathNode, RemediationOption, Step, Subject

__all__ = ["Analysis", "Finding", "PathNode", "RemediationOption", "Step", "Subject", "Summary", "analyze"]
