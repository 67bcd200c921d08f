"""privileged-host-pid: privileged + the host PID namespace = `nsenter -t 1 -a sh`."""

from __future__ import annotations

from dindscope.graph.context import BuildContext, container_node
from dindscope.techniques.base import Technique, root_requirement


def _apply(ctx: BuildContext) -> None:
    for c in ctx.snapshot.containers:
        if not (c.privileged and c.namespaces.pid == "host"):
            continue
        usable, extra, enablers, evidence = root_requirement(ctx, c)
        if not usable:
            continue
        ctx.add(container_node(c), ctx.escape_target(c), TECHNIQUE.id,
                "privileged with the host PID namespace: `nsenter -t 1 -m -u -i -n -p sh` is a shell on the host",
                ("HostConfig.Privileged=true", "HostConfig.PidMode=host", *evidence), TECHNIQUE.cost + extra,
                enablers)


TECHNIQUE = Technique(
    id="privileged-host-pid",
    title="Privileged container in the host PID namespace (nsenter)",
    kind="escape",
    needs="HostConfig.Privileged=true and HostConfig.PidMode=host, root in the container.",
    gains="A shell in every namespace of the host's PID 1: immediate host root (rootful engines).",
    evidence="HostConfig.Privileged, HostConfig.PidMode, Config.User.",
    remediations=("host-pid/remove", "privileged/specific-caps"),
    cost=0.3,
    apply=_apply,
)
