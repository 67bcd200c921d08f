"""privileged: a --privileged container holds every capability, every device and no LSM confinement."""

from __future__ import annotations

from dindscope.graph.context import BuildContext, container_node
from dindscope.techniques.base import Technique, root_requirement


def _apply(ctx: BuildContext) -> None:
    for c in ctx.snapshot.containers:
        if not c.privileged:
            continue
        usable, extra, enablers, evidence = root_requirement(ctx, c)
        if not usable:
            continue
        target = ctx.escape_target(c)
        ident = ctx.identity(c)
        facts = ["HostConfig.Privileged=true", *evidence]
        if ident.rootless_user:
            facts.append(f"rootless engine: privileges are those of {ident.rootless_user}, not root")
        ctx.add(container_node(c), target, TECHNIQUE.id,
                "privileged: mount the host disk from /dev or use a cgroup release_agent to run code outside",
                tuple(facts), TECHNIQUE.cost + extra, enablers)


TECHNIQUE = Technique(
    id="privileged",
    title="Privileged container",
    kind="escape",
    needs="HostConfig.Privileged=true and a process that is root in the container (or can become root).",
    gains="Host root for a rootful engine (mount the host's block device, cgroup release_agent, load modules); "
          "for a rootless engine only the engine user's privileges.",
    evidence="HostConfig.Privileged, Config.User.",
    remediations=("privileged/specific-caps", "dind/sysbox", "dind/rootless"),
    cost=1.0,
    apply=_apply,
)
