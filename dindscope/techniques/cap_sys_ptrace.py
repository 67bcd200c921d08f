"""cap-sys-ptrace-host-pid: CAP_SYS_PTRACE + the host PID namespace = inject code into a host root process."""

from __future__ import annotations

from dindscope.graph.context import BuildContext, container_node
from dindscope.techniques.base import Technique, apparmor_confined
from dindscope.techniques.capability import cap_holders


def _apply(ctx: BuildContext) -> None:
    for c, extra, enablers, facts in cap_holders(ctx, "SYS_PTRACE"):
        if c.namespaces.pid != "host" or apparmor_confined(ctx, c):
            continue
        ctx.add(container_node(c), ctx.escape_target(c), TECHNIQUE.id,
                "CAP_SYS_PTRACE in the host PID namespace: ptrace a host root process and inject a shell",
                (*facts, "HostConfig.PidMode=host", f"AppArmor {c.security.apparmor or 'not enforced'}"),
                TECHNIQUE.cost + extra, (*enablers, "apparmor-unconfined"))


TECHNIQUE = Technique(
    id="cap-sys-ptrace-host-pid",
    title="CAP_SYS_PTRACE with the host PID namespace",
    kind="escape",
    needs="CAP_SYS_PTRACE, HostConfig.PidMode=host, root in the container, and no AppArmor profile restricting "
          "ptrace to its own peers.",
    gains="Code injected into a host process running as root: host root.",
    evidence="HostConfig.CapAdd, HostConfig.PidMode, HostConfig.SecurityOpt apparmor.",
    remediations=("cap-sys-ptrace/drop", "host-pid/remove", "apparmor/default"),
    cost=1.5,
    apply=_apply,
)
