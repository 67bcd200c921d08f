"""Messages the workers send back to the UI thread."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual.message import Message

from dindscope.analysis.results import Finding
from dindscope.tui.rows import SubjectRow
from dindscope.tui.session import AppliedFix, Session


@dataclass
class ScanFinished(Message):
    """A scan (or snapshot load) and its analysis are done."""

    session: Session
    elapsed: float = 0.0
    rows: list[SubjectRow] | None = None  # built in the worker, so the UI thread only draws


@dataclass
class ScanFailed(Message):
    error: str


@dataclass
class WhatIfComputed(Message):
    fixes: list[AppliedFix]
    whatif: Any
    findings: list[Finding] | None
    note: str = ""
    rows: list[SubjectRow] | None = None  # built in the worker, so the UI thread only draws
    generation: int = 0  # which request this answers (a newer request makes it stale)


@dataclass
class EngineEvent(Message):
    """A container event from an engine's event stream."""

    engine: str
    action: str
    container: str = ""

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, EngineEvent) and message.engine == self.engine \
            and message.container == self.container


@dataclass
class EngineConnection(Message):
    """The live event stream of an engine connected, or was lost (``error`` says why)."""

    engine: str
    connected: bool
    error: str = ""
