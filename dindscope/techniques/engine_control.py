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
            _user_files(ctx, target, engine.user, engine.uid)
            continue
        evidence = [f"{engine.kind} engine runs as root (rootless=false)"]
        if engine.security.userns_remap:
            evidence.append("userns-remap is on, but an API client may pass --userns=host --privileged")
        ctx.add(node, nodes.HOST_ROOT, TECHNIQUE.id,
                "`run --privileged --pid=host -v /:/host` through this engine gives a root shell on the host",
                tuple(evidence), 0.5)


def _user_files(ctx: BuildContext, user_node: str, name: str, uid: int) -> None:
    """Whoever runs code as a rootless engine's user can change that user's files on the host."""
    user = ctx.snapshot.host.user(name)
    home = user.home if user is not None and user.home else f"~{name}"
    ctx.add(user_node, nodes.HOST_WRITE, USER_FILES.id,
            f"code running as {name} changes {name}'s files on the host: ~/.ssh/authorized_keys, shell start-up "
            "files, user systemd units",
            (f"host user {name} (uid {uid}) home={home}",), USER_FILES.cost)


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

USER_FILES = Technique(
    id="rootless-user-files",
    title="Files of a rootless engine's user",
    kind="exposure",
    needs="Code running as the host user of a rootless engine: through its API, or by escaping one of its "
          "containers (a \"privileged\" container of a rootless engine holds that user's privileges).",
    gains="Host write limited to that user's files: ~/.ssh/authorized_keys, shell start-up files and user systemd "
          "units run code as that user at the next login; the user's own groups and sudo rights follow.",
    evidence="Engine info: rootless=true, engine user, uid and home directory.",
    remediations=("rootless/dedicated-user",),
    cost=1.0,
)
