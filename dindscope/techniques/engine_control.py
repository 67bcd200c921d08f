"""engine-control: controlling an engine means running any container with its privileges."""

from __future__ import annotations

from dindscope.graph import nodes
from dindscope.graph.context import BuildContext
from dindscope.techniques.base import Technique


def _apply(ctx: BuildContext) -> None:
    for engine in ctx.snapshot.engines:
        node = nodes.engine_id(engine.key)
        if engine.rootless:
            target = ctx.ensure_user(engine.user, engine.uid)
            ctx.add(node, target, ROOTLESS.id,
                    f"rootless engine: its containers hold only the privileges of {engine.user}",
                    (f"Info.SecurityOptions rootless; engine user {engine.user} (uid {engine.uid})",), 0.5)
            continue
        evidence = [f"{engine.kind} engine runs as root (rootless=false)"]
        if engine.security.userns_remap:
            evidence.append("userns-remap is on, but an API client may pass --userns=host --privileged")
        ctx.add(node, nodes.HOST_ROOT, TECHNIQUE.id,
                "`run --privileged --pid=host -v /:/host` through this engine gives a root shell on the host",
                tuple(evidence), 0.5)


TECHNIQUE = Technique(
    id="engine-control-rootful",
    title="Control of a rootful engine",
    kind="escape",
    needs="API access to an engine running as root (with or without userns-remap: clients choose --userns=host).",
    gains="Host root: start a privileged container with the host's / mounted and nsenter into PID 1.",
    evidence="Engine info: rootless=false, userns-remap setting.",
    remediations=("engine/rootless",),
    cost=0.5,
    apply=_apply,
)

ROOTLESS = Technique(
    id="engine-control-rootless",
    title="Control of a rootless engine",
    kind="escape",
    needs="API access to an engine running rootless as some user.",
    gains="That user's privileges on the host (files, processes, and every group the user is in) - not root.",
    evidence="Engine info: rootless=true, engine user and uid.",
    remediations=(),
    cost=0.5,
)
