"""What an analysis produces: findings (escape paths) and the remediations that break them.

This module is the contract between the analysis and its consumers (the CLI
report writers and the TUI). It holds plain dataclasses only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Impact = Literal["host-root", "host-write", "host-read"]
Severity = Literal["critical", "high", "medium", "low", "info"]
SubjectKind = Literal["container", "user", "endpoint"]

SEVERITY_ORDER: dict[str, int] = {"critical": 4, "high": 3, "medium": 2, "low": 1, "info": 0}
IMPACT_ORDER: dict[str, int] = {"host-root": 3, "host-write": 2, "host-read": 1}


@dataclass(frozen=True)
class Subject:
    kind: SubjectKind
    name: str  # container name without leading "/", host user name, or endpoint URL
    engine: str = ""  # Engine.key for containers and endpoints; "" for host users
    node: str = ""  # graph node id

    @property
    def label(self) -> str:
        """The name as a person reads it in a list (``*`` is every local user)."""
        return "any local user" if self.kind == "user" and self.name == "*" else self.name


@dataclass(frozen=True)
class PathNode:
    kind: str  # container, endpoint, engine, path, device, user, network, host
    name: str  # human-readable; engine names say which engine and its endpoint
    node: str = ""  # graph node id

    @property
    def label(self) -> str:
        """The name as a person reads it in a chain: a host user is named as one."""
        if self.kind == "user" and " " not in self.name:
            return f"host user {self.name}"
        return self.name


@dataclass(frozen=True)
class Step:
    technique: str  # technique id, e.g. "socket-mount"
    explanation: str  # one line
    evidence: tuple[str, ...] = ()  # e.g. ('Mounts[].Source=/var/run/docker.sock',)
    cost: float = 1.0
    source: str = ""  # graph node ids
    target: str = ""
    enablers: tuple[str, ...] = ()  # enabler technique ids this step relies on (root-user, seccomp-unconfined ...)


@dataclass
class RemediationOption:
    """One concrete fix for a technique."""

    id: str  # e.g. "socket-mount/remove"
    title: str
    breaks: str  # what attack step this breaks
    side_effects: str  # what it may break for the user
    docker_run: str = ""  # exact flag change
    compose: str = ""  # Compose snippet
    podman: str = ""  # Podman equivalent
    alternatives: list[str] = field(default_factory=list)  # Kaniko, BuildKit, Buildah ...
    technique: str = ""  # the technique this fix breaks
    whatif: bool = True  # what-if can apply it to a snapshot in memory
    warning: str = ""  # e.g. "a proxy that allows container create is as good as the raw socket"
    # Where the change is made on a path: "subject" - the container (or host user) at the step the technique
    # belongs to; "service" - the next container along the path (the DinD service a job points at).
    acts_on: str = "subject"


@dataclass
class Finding:
    id: str  # stable across runs for the same subject, goal and path shape
    severity: Severity
    impact: Impact
    subject: Subject
    path: list[PathNode]
    steps: list[Step]
    remediations: list[RemediationOption] = field(default_factory=list)
    cost: float = 0.0
    state: str = ""  # container state, when the subject is a container
    alternative: int = 0  # 0 for the cheapest path of this subject and goal, 1.. for alternatives

    @property
    def enablers(self) -> list[str]:
        return sorted({e for s in self.steps for e in s.enablers})

    @property
    def techniques(self) -> list[str]:
        return [s.technique for s in self.steps]

    def fix_target(self, option: RemediationOption) -> str | None:
        """The container or host user whose settings ``option`` changes on this path (None: host-wide)."""
        index = next((i for i, s in enumerate(self.steps) if s.technique == option.technique), 0)
        if option.acts_on == "service":
            ahead = (n for n in self.path[index + 1:] if n.kind == "container")
            found = next(ahead, None)
            if found is not None:
                return found.name
        for node in reversed(self.path[: index + 1]):
            if node.kind in ("container", "user"):
                return node.name
        return None

    @property
    def chain(self) -> str:
        return " -> ".join(node.label for node in self.path)
