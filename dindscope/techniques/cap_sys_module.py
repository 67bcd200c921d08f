"""cap-sys-module: CAP_SYS_MODULE loads a kernel module = code in the host kernel."""

from __future__ import annotations

from dindscope.graph.context import BuildContext, container_node
from dindscope.techniques.base import Technique
from dindscope.techniques.capability import cap_holders


def _apply(ctx: BuildContext) -> None:
    for c, extra, enablers, facts in cap_holders(ctx, "SYS_MODULE"):
        ctx.add(container_node(c), ctx.escape_target(c), TECHNIQUE.id,
                "CAP_SYS_MODULE: insmod a module that spawns a root shell on the host",
                tuple(facts), TECHNIQUE.cost + extra, enablers)


TECHNIQUE = Technique(
    id="cap-sys-module",
    title="CAP_SYS_MODULE (kernel module loading)",
    kind="escape",
    needs="CAP_SYS_MODULE effective for a process that is host root (rootful engine, no user namespace). "
          "Building the module needs the host's kernel headers, hence the cost.",
    gains="Code execution in the host kernel: host root.",
    evidence="HostConfig.CapAdd / effective capabilities, Config.User.",
    remediations=("cap-sys-module/drop",),
    cost=2.0,
    apply=_apply,
)
