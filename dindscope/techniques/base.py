"""The shape of one technique: a small declarative unit.

A technique states what it needs (a precondition over the model), what it gains
(the edges it adds to the attack graph), the evidence it cites, and which fixes
break it. ``apply`` reads the snapshot through a :class:`BuildContext` and adds
edges; it never touches anything else.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from dindscope.graph.context import BuildContext

TechniqueKind = Literal["access", "escape", "exposure", "enabler"]


@dataclass(frozen=True)
class Technique:
    id: str
    title: str
    kind: TechniqueKind  # access: reach an engine; escape: leave the container; exposure: read/write host files
    needs: str  # the precondition, in words
    gains: str  # the edge it adds, in words
    evidence: str  # which inspect fields / host facts it cites
    remediations: tuple[str, ...] = ()  # fix ids, best first
    cost: float = 1.0  # base cost of the step
    references: tuple[str, ...] = ()
    apply: Callable[[BuildContext], None] | None = field(default=None, compare=False, repr=False)
    # When the fixes that apply depend on the step's ends (a unix socket, a TCP listener, the engine inside a
    # DinD container, a port a DinD container publishes): (source, target) node ids -> the fix ids that apply.
    fixes_at: Callable[[str, str], tuple[str, ...]] | None = field(default=None, compare=False, repr=False)


def evidence_mount(mount_source: str, destination: str, read_only: bool) -> str:
    return f"Mounts[].Source={mount_source} -> Destination={destination} ({'ro' if read_only else 'rw'})"


def root_requirement(ctx: BuildContext, container: object) -> tuple[bool, float, tuple[str, ...], list[str]]:
    """Can the container's process use its capabilities? (usable, extra cost, enablers, evidence).

    Capabilities are effective only for uid 0 in the container. A non-root user may regain
    them through a setuid binary in the image unless no-new-privileges is set.
    """
    from dindscope.models import Container

    assert isinstance(container, Container)
    # --userns=host on a daemon with userns-remap: root in the container is host root again
    engine = ctx.engines.get(container.engine)
    opted_out = bool(engine and engine.security.userns_remap and container.namespaces.userns == "host")
    userns = (("userns-host",), ["HostConfig.UsernsMode=host on a daemon with userns-remap"]) if opted_out \
        else ((), [])
    if container.runs_as_root:
        return True, 0.0, ("root-user", *userns[0]), [
            f"Config.User={container.user or '(image default: root)'}", *userns[1]]
    if container.security.no_new_privileges:
        return False, 0.0, (), []
    return True, 2.0, ("no-new-privileges-off", *userns[0]), [
        f"Config.User={container.user} (not root)",
        "no-new-privileges not set: a setuid binary in the image can regain root",
        *userns[1],
    ]


def apparmor_confined(ctx: BuildContext, container: object) -> bool:
    """True when an AppArmor profile confines the container (engine default or explicit)."""
    from dindscope.models import Container

    assert isinstance(container, Container)
    if container.privileged:
        return False
    profile = container.security.apparmor
    if profile == "unconfined":
        return False
    engine = ctx.engines.get(container.engine)
    if profile:
        return True
    return bool(engine and engine.security.apparmor)


def seccomp_unconfined(container: object) -> bool:
    from dindscope.models import Container

    assert isinstance(container, Container)
    return container.privileged or container.security.seccomp == "unconfined"
