"""device-access: host devices passed into the container (disks, /dev/mem, /dev/kmsg ...)."""

from __future__ import annotations

import re

from dindscope.graph import nodes
from dindscope.graph.context import BuildContext, container_node
from dindscope.techniques.base import Technique, root_requirement

BLOCK = re.compile(r"^/dev/(sd[a-z]+\d*|vd[a-z]+\d*|xvd[a-z]+\d*|hd[a-z]+\d*|nvme\d+(n\d+(p\d+)?)?|dm-\d+|mapper/.+|"
                   r"md\d+|loop\d+|mmcblk\d+(p\d+)?|disk/.+)$")
MEMORY = ("/dev/mem", "/dev/kmem", "/dev/port")
READ_ONLY_LEAKS = ("/dev/kmsg",)


def classify(host_path: str) -> str | None:
    """'block', 'memory', 'kmsg' or None for devices that do not matter."""
    if BLOCK.match(host_path):
        return "block"
    if host_path in MEMORY:
        return "memory"
    if host_path in READ_ONLY_LEAKS:
        return "kmsg"
    return None


def _apply(ctx: BuildContext) -> None:
    for c in ctx.snapshot.containers:
        if c.privileged:
            continue  # privileged already has every device
        for dev in c.devices:
            what = classify(dev.host_path)
            if what is None:
                continue
            usable, extra, enablers, evidence = root_requirement(ctx, c)
            ident = ctx.identity(c)
            if not usable or ident.remapped or ident.rootless_user:
                continue  # inside a user namespace the device's host owner/mode decide, not the cgroup
            writable = "w" in dev.permissions
            node = nodes.device_id(dev.host_path, writable)
            ctx.ensure(node, "device", f"{dev.host_path} ({'rw' if writable else 'ro'})")
            facts = (f"HostConfig.Devices[].PathOnHost={dev.host_path} -> {dev.container_path} "
                     f"CgroupPermissions={dev.permissions}", *evidence)
            ctx.add(container_node(c), node, TECHNIQUE.id, f"host device {dev.host_path} is available inside",
                    facts, 0.2 + extra, enablers)
            _goal_edges(ctx, node, what, writable, dev.host_path, c.has_cap("SYS_RAWIO"))


def _goal_edges(ctx: BuildContext, node: str, what: str, writable: bool, path: str, rawio: bool) -> None:
    if what == "block":
        ctx.add(node, nodes.HOST_READ, TECHNIQUE.id, f"read the host filesystem from {path} (debugfs)",
                (f"{path} is a block device",), 0.8)
        if writable:
            ctx.add(node, nodes.HOST_ROOT, TECHNIQUE.id,
                    f"write the host filesystem on {path} (debugfs -w: /etc/shadow, cron, root's ssh keys)",
                    (f"{path} is a block device, cgroup permission w",), 1.5)
    elif what == "memory" and rawio:
        ctx.add(node, nodes.HOST_ROOT if writable else nodes.HOST_READ, TECHNIQUE.id,
                f"{path} with CAP_SYS_RAWIO: read{'/patch' if writable else ''} physical memory",
                (f"{path} is physical memory", "effective capabilities include CAP_SYS_RAWIO"), 3.0)
    elif what == "kmsg":
        ctx.add(node, nodes.HOST_READ, TECHNIQUE.id, "read the host kernel log (addresses, other tenants' events)",
                (f"{path} is the kernel log",), 1.0)


TECHNIQUE = Technique(
    id="device-access",
    title="Host device passed into the container",
    kind="escape",
    needs="HostConfig.Devices with a host block device (/dev/sda, /dev/nvme0n1, /dev/dm-0, /dev/loop*), "
          "/dev/mem|kmem|port (with CAP_SYS_RAWIO) or /dev/kmsg, used by host root in the container.",
    gains="Writable disk: host root (edit the host filesystem); readable: host read.",
    evidence="HostConfig.Devices PathOnHost and CgroupPermissions.",
    remediations=("device/remove",),
    cost=1.0,
    apply=_apply,
)
