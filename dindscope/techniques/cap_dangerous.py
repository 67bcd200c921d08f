"""cap-dangerous: other capabilities that act on the whole host (raw I/O, reboot, clock, network, eBPF)."""

from __future__ import annotations

from dindscope.graph import nodes
from dindscope.graph.context import BuildContext, container_node
from dindscope.techniques.base import Technique
from dindscope.techniques.capability import cap_holders

# capability -> (goal, explanation)
DANGEROUS: dict[str, tuple[str, str]] = {
    "SYS_RAWIO": (nodes.HOST_WRITE, "CAP_SYS_RAWIO: raw port I/O (iopl/ioperm) and /dev/mem access to hardware"),
    "SYS_BOOT": (nodes.HOST_WRITE, "CAP_SYS_BOOT: reboot the host or kexec another kernel"),
    "SYS_TIME": (nodes.HOST_WRITE, "CAP_SYS_TIME: set the host clock (breaks TLS, logs, tokens)"),
    "MAC_ADMIN": (nodes.HOST_WRITE, "CAP_MAC_ADMIN: change the host's AppArmor/SELinux policy"),
    "SYSLOG": (nodes.HOST_READ, "CAP_SYSLOG: read the host kernel log and kernel addresses"),
    "BPF": (nodes.HOST_READ, "CAP_BPF: load eBPF programs that read host kernel memory"),
    "PERFMON": (nodes.HOST_READ, "CAP_PERFMON: trace every host process and read kernel memory via perf/eBPF"),
}
HOST_NET_ONLY: dict[str, tuple[str, str]] = {
    "NET_ADMIN": (nodes.HOST_WRITE, "CAP_NET_ADMIN with the host network: rewrite the host firewall and routes"),
}


def _apply(ctx: BuildContext) -> None:
    for table, needs_host_net in ((DANGEROUS, False), (HOST_NET_ONLY, True)):
        for cap, (goal, why) in table.items():
            for c, extra, enablers, facts in cap_holders(ctx, cap):
                if needs_host_net and c.namespaces.network != "host":
                    continue
                if needs_host_net:
                    facts.append("HostConfig.NetworkMode=host")
                ctx.add(container_node(c), goal, TECHNIQUE.id, why, tuple(facts), TECHNIQUE.cost + extra, enablers)
    for c, extra, enablers, facts in cap_holders(ctx, "BPF"):
        if c.has_cap("PERFMON") or c.has_cap("SYS_ADMIN"):
            ctx.add(container_node(c), ctx.escape_target(c), TECHNIQUE.id,
                    "CAP_BPF with CAP_PERFMON/SYS_ADMIN: eBPF bpf_probe_write_user rewrites host root processes",
                    (*facts, "effective capabilities include CAP_PERFMON or CAP_SYS_ADMIN"), 3.0 + extra, enablers)


TECHNIQUE = Technique(
    id="cap-dangerous",
    title="Other host-wide capabilities (SYS_RAWIO, SYS_BOOT, SYS_TIME, MAC_ADMIN, BPF, PERFMON, SYSLOG, "
          "NET_ADMIN with host network)",
    kind="exposure",
    needs="One of these capabilities for host root in the container (NET_ADMIN only matters with "
          "HostConfig.NetworkMode=host).",
    gains="Host-wide changes (host write) or host kernel/process data (host read); BPF with PERFMON or SYS_ADMIN "
          "reaches host root.",
    evidence="HostConfig.CapAdd / effective capabilities, HostConfig.NetworkMode.",
    remediations=("cap-dangerous/drop",),
    cost=2.0,
    apply=_apply,
)
