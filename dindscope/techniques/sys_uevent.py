"""sys-uevent-helper: a writable host /sys lets root set /sys/kernel/uevent_helper."""

from __future__ import annotations

from dindscope.graph import nodes
from dindscope.graph.context import BuildContext, container_node
from dindscope.techniques.base import Technique, evidence_mount
from dindscope.techniques.host_path_write import host_root_writer

SYS = ("/sys", "/sys/kernel")


def _apply(ctx: BuildContext) -> None:
    for c in ctx.snapshot.containers:
        if c.privileged:
            continue
        mounts = [m for m in c.mounts if m.type == "bind" and not m.read_only and ctx.norm(m.source) in SYS]
        if not mounts:
            continue
        usable, extra, enablers, evidence = host_root_writer(ctx, c)
        if not usable:
            continue
        facts = [evidence_mount(m.source, m.destination, False) for m in mounts]
        ctx.add(container_node(c), nodes.HOST_ROOT, TECHNIQUE.id,
                "write a script path to /sys/kernel/uevent_helper and trigger a uevent: the kernel runs it as root",
                (*facts, *evidence), TECHNIQUE.cost + extra, enablers)


TECHNIQUE = Technique(
    id="sys-uevent-helper",
    title="Writable /sys: uevent_helper",
    kind="escape",
    needs="Host root in the container and a read-write bind mount of the host's /sys or /sys/kernel.",
    gains="The kernel executes uevent_helper as root on the host: host root.",
    evidence="Mounts[], Config.User.",
    remediations=("host-path/remove",),
    cost=1.0,
    apply=_apply,
)
