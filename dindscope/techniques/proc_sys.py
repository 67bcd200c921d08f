"""proc-sys-core-pattern: a writable host /proc/sys lets root set kernel.core_pattern to a pipe."""

from __future__ import annotations

from dindscope.graph import nodes
from dindscope.graph.context import BuildContext, container_node
from dindscope.techniques.base import Technique, evidence_mount
from dindscope.techniques.host_path_write import host_root_writer

PROC_SYS = ("/proc", "/proc/sys", "/proc/sys/kernel")


def _apply(ctx: BuildContext) -> None:
    for c in ctx.snapshot.containers:
        if c.privileged:
            continue  # privileged covers it
        usable, extra, enablers, evidence = host_root_writer(ctx, c)
        if not usable:
            continue
        facts: list[str] = []
        if c.security.systempaths_unconfined:
            facts.append("HostConfig.SecurityOpt=systempaths=unconfined (/proc/sys no longer read-only)")
        for m in c.mounts:
            if m.type == "bind" and not m.read_only and ctx.norm(m.source) in PROC_SYS:
                facts.append(evidence_mount(m.source, m.destination, False))
        if not facts:
            continue
        ctx.add(container_node(c), nodes.HOST_ROOT, TECHNIQUE.id,
                "write |/path/to/payload into kernel.core_pattern; the host kernel runs it as root on the next crash",
                (*facts, *evidence), TECHNIQUE.cost + extra, enablers)


TECHNIQUE = Technique(
    id="proc-sys-core-pattern",
    title="Writable /proc/sys: kernel.core_pattern",
    kind="escape",
    needs="Host root in the container and a writable /proc/sys: --security-opt systempaths=unconfined or a "
          "read-write bind mount of the host's /proc or /proc/sys.",
    gains="The host kernel runs the core_pattern pipe helper as root in the initial namespaces: host root.",
    evidence="HostConfig.SecurityOpt systempaths, Mounts[], Config.User.",
    remediations=("systempaths/default", "host-path/remove"),
    cost=1.0,
    apply=_apply,
)
