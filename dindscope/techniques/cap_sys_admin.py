"""cap-sys-admin-release-agent: CAP_SYS_ADMIN on cgroup v1 writes a release_agent run by the host kernel."""

from __future__ import annotations

from dindscope.graph.context import BuildContext, container_node
from dindscope.techniques.base import Technique, apparmor_confined
from dindscope.techniques.capability import cap_holders


def cgroup_version(ctx: BuildContext, engine_key: str) -> str:
    engine = ctx.engines.get(engine_key)
    return (engine.cgroup_version if engine and engine.cgroup_version else "") or ctx.host.cgroup_version


def _apply(ctx: BuildContext) -> None:
    for c, extra, enablers, facts in cap_holders(ctx, "SYS_ADMIN"):
        version = cgroup_version(ctx, c.engine)
        if version == "2":
            continue  # no release_agent in cgroup v2
        if apparmor_confined(ctx, c):
            continue  # docker-default/containers-default deny mount(2)
        facts.append(f"cgroup version {version or 'unknown (assumed 1)'}")
        facts.append(f"AppArmor {c.security.apparmor or 'not enforced by the engine'}")
        enablers = (*enablers, "apparmor-unconfined")
        cost = TECHNIQUE.cost + extra + (0.5 if not version else 0.0)
        ctx.add(container_node(c), ctx.escape_target(c), TECHNIQUE.id,
                "CAP_SYS_ADMIN: mount a cgroup v1 hierarchy, set release_agent to a script; the host kernel runs "
                "it as root", tuple(facts), cost, enablers)


TECHNIQUE = Technique(
    id="cap-sys-admin-release-agent",
    title="CAP_SYS_ADMIN with cgroup v1 release_agent",
    kind="escape",
    needs="CAP_SYS_ADMIN for host root in the container, cgroup v1 on the host, and no AppArmor profile denying "
          "mount (apparmor=unconfined, or the engine does not enforce AppArmor). Docker's default seccomp profile "
          "allows mount once CAP_SYS_ADMIN is added.",
    gains="The host kernel executes the release_agent as root in the initial namespaces: host root.",
    evidence="HostConfig.CapAdd, cgroup version (engine info / host), HostConfig.SecurityOpt apparmor, Config.User.",
    remediations=("cap-sys-admin/drop", "apparmor/default"),
    cost=1.5,
    references=("https://blog.trailofbits.com/2019/07/19/understanding-docker-container-escapes/",),
    apply=_apply,
)
