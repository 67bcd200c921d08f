"""host-path-write: a sensitive host path bind-mounted read-write."""

from __future__ import annotations

from dindscope.graph import nodes
from dindscope.graph.context import BuildContext, container_node
from dindscope.models import Container
from dindscope.techniques.base import Technique, evidence_mount, root_requirement
from dindscope.techniques.sensitive_paths import classify


def host_root_writer(ctx: BuildContext, c: Container) -> tuple[bool, float, tuple[str, ...], list[str]]:
    """Can the container act on host files as host root? (usable, extra cost, enablers, evidence)."""
    ident = ctx.identity(c)
    if ident.remapped or ident.rootless_user:
        return False, 0.0, (), []  # files are judged as an unprivileged host uid
    return root_requirement(ctx, c)


def _apply(ctx: BuildContext) -> None:
    for c in ctx.snapshot.containers:
        for m in c.mounts:
            if m.type != "bind" or m.read_only or not m.source:
                continue
            path = ctx.norm(m.source)
            sens = classify(path)
            if sens is None or sens.grade == "special":
                continue
            usable, extra, enablers, evidence = host_root_writer(ctx, c)
            if not usable:
                continue
            node = nodes.path_id(path, True)
            ctx.ensure(node, "path", f"{path} (read-write)")
            ctx.add(container_node(c), node, TECHNIQUE.id, f"host {path} is writable at {m.destination}",
                    (evidence_mount(m.source, m.destination, False), *evidence), 0.2 + extra, enablers)
            fact = (f"{path}: {sens.why}",)
            ctx.add(node, nodes.HOST_WRITE, TECHNIQUE.id, f"write {sens.why}", fact, 0.2)
            if sens.grade == "root":
                ctx.add(node, nodes.HOST_ROOT, TECHNIQUE.id,
                        "plant a cron job, systemd unit, setuid binary or root ssh key = code run as host root",
                        fact, 1.0)
            elif sens.grade == "home":
                for user in ctx.host.users:
                    if user.home and (path == "/" or user.home == path or user.home.startswith(path + "/")
                                      or path.startswith(user.home + "/")):
                        ctx.add(node, ctx.ensure_user(user.name, user.uid), TECHNIQUE.id,
                                f"add an ssh key or shell rc line in {user.home}: code run as {user.name}",
                                (f"host user {user.name} home={user.home}",), 1.5)


TECHNIQUE = Technique(
    id="host-path-write",
    title="Sensitive host path mounted read-write",
    kind="exposure",
    needs="A read-write bind mount of a sensitive host path (/, /etc, /root, /usr, /lib, /boot, /var/lib/docker, "
          "/var/lib/containers, cron and systemd directories, /home/*/.ssh ...) or of a directory containing one, "
          "for a process that is host root (rootful engine, no user namespace). Ordinary data mounts are not "
          "findings.",
    gains="Host write; host root where writing runs code as root (cron, systemd, setuid, ssh keys); a user's "
          "privileges where it is their home.",
    evidence="Mounts[].Source/Destination/RW, Config.User.",
    remediations=("host-path/read-only", "host-path/remove"),
    cost=1.0,
    apply=_apply,
)
