"""The shapes every collector shares: where to look, and what a look returned."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from dindscope.models import Container, Engine, Problem

DEFAULT_TIMEOUT = 5.0
DEFAULT_WORKERS = 8


@dataclass(frozen=True)
class EndpointCandidate:
    """An engine endpoint worth trying.

    ``source`` says why: ``DOCKER_HOST``, ``context:<name>``, ``default``,
    ``rootless:/run/user/1000``, ``CONTAINER_HOST``, ``--engine`` ...
    """

    kind: Literal["docker", "podman"]
    url: str  # unix:///run/docker.sock, tcp://127.0.0.1:2375, https://host:2376
    source: str = "default"
    owner_uid: int | None = None  # for /run/user/UID sockets: whose engine it is
    tls: dict[str, str] = field(default_factory=dict, compare=False, hash=False)  # ca/cert/key paths for tcp+tls
    explicit: bool = False  # the user asked for it: report a missing socket as a problem


@dataclass(frozen=True)
class CollectOptions:
    timeout: float = DEFAULT_TIMEOUT
    workers: int = DEFAULT_WORKERS
    probe_tcp: bool = True  # /_ping 127.0.0.1 and bridge gateways on 2375/2376


@dataclass
class EngineResult:
    """What one engine endpoint gave: the engine (None if unreachable), its containers, and problems."""

    candidate: EndpointCandidate
    engine: Engine | None = None
    containers: list[Container] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
