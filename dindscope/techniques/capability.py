"""Shared helper for capability techniques (not a technique itself)."""

from __future__ import annotations

from collections.abc import Iterator

from dindscope.graph.context import BuildContext
from dindscope.models import Container
from dindscope.techniques.base import root_requirement, seccomp_unconfined


def cap_holders(ctx: BuildContext, cap: str) -> Iterator[tuple[Container, float, tuple[str, ...], list[str]]]:
    """Non-privileged containers whose root can use ``cap`` against the host: (container, extra cost, enablers,
    evidence). Capabilities held inside a user namespace (rootless, userns-remap) do not reach the host kernel,
    so only containers whose root is host root count."""
    cap = cap if cap.startswith("CAP_") else "CAP_" + cap
    for c in ctx.snapshot.containers:
        if c.privileged or cap not in c.capabilities:
            continue
        if not _host_root_engine(ctx, c):
            continue
        usable, extra, enablers, evidence = root_requirement(ctx, c)
        if not usable:
            continue
        added = cap in c.cap_add or cap.removeprefix("CAP_") in c.cap_add
        facts = [f"HostConfig.CapAdd={','.join(c.cap_add)}" if added else f"effective capabilities include {cap}"]
        facts.extend(evidence)
        if seccomp_unconfined(c):
            facts.append("seccomp=unconfined")
            enablers = (*enablers, "seccomp-unconfined")
            extra -= 0.2
        yield c, extra, enablers, facts


def _host_root_engine(ctx: BuildContext, c: Container) -> bool:
    """Rootful engine without user namespace remapping for this container."""
    ident = ctx.identity(c)
    return not ident.remapped and not ident.rootless_user
