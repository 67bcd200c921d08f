"""A snapshot: everything dindscope saw on one host at one moment."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from dindscope.models.container import Container
from dindscope.models.engine import Engine
from dindscope.models.host import Host

SCHEMA_VERSION = 1

ProblemCode = Literal[
    "socket-missing",
    "permission-denied",
    "engine-down",
    "engine-error",
    "container-gone",
    "timeout",
    "probe-failed",
    "host-fact",
    "other",
]


@dataclass
class Problem:
    """Something dindscope could not see, as one line a person can act on."""

    code: ProblemCode
    message: str
    source: str = ""  # endpoint URL, engine key or host path concerned

    def __str__(self) -> str:
        where = f"{self.source}: " if self.source else ""
        return f"{where}{self.message}"


@dataclass
class Snapshot:
    host: Host = field(default_factory=Host)
    engines: list[Engine] = field(default_factory=list)
    containers: list[Container] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    taken_at: str = ""  # ISO 8601 UTC
    taken_by: str = ""  # "dindscope <version>"
    source: str = "live"  # "live", "demo", or the file it was loaded from
    redacted: bool = True
    schema_version: int = SCHEMA_VERSION

    def engine(self, key: str) -> Engine | None:
        for engine in self.engines:
            if engine.key == key:
                return engine
        return None

    def containers_of(self, engine_key: str) -> list[Container]:
        return [c for c in self.containers if c.engine == engine_key]

    def container(self, name_or_id: str) -> Container | None:
        for c in self.containers:
            if c.name == name_or_id or c.id == name_or_id or c.id.startswith(name_or_id):
                return c
        return None
