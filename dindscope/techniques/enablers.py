"""Enablers: settings that are not an escape by themselves but make other steps possible or cheaper.

They add no edge of their own; the steps that rely on one list its id in ``enablers`` so
that reports can show it and what-if can tell which paths a hardening setting breaks.
"""

from __future__ import annotations

from dindscope.techniques.base import Technique

ROOT_USER = Technique(
    id="root-user",
    title="Runs as root in the container",
    kind="enabler",
    needs="Config.User empty (image default root), 0 or root.",
    gains="Capabilities are effective; host files are accessed as host root on a rootful engine.",
    evidence="Config.User.",
    remediations=("user/non-root",),
    cost=0.0,
)

NO_NEW_PRIVILEGES_OFF = Technique(
    id="no-new-privileges-off",
    title="no-new-privileges not set",
    kind="enabler",
    needs="A non-root container user and no --security-opt no-new-privileges.",
    gains="A setuid binary in the image gives root back, with the container's capabilities (higher cost).",
    evidence="HostConfig.SecurityOpt, Config.User.",
    remediations=("no-new-privileges/set",),
    cost=2.0,
)

SECCOMP_UNCONFINED = Technique(
    id="seccomp-unconfined",
    title="seccomp=unconfined",
    kind="enabler",
    needs="--security-opt seccomp=unconfined (or privileged).",
    gains="Syscalls the default profile blocks (keyctl, bpf, unshare, open_by_handle_at...) become usable: "
          "capability-based steps get cheaper.",
    evidence="HostConfig.SecurityOpt.",
    remediations=("seccomp/default",),
    cost=0.0,
)

APPARMOR_UNCONFINED = Technique(
    id="apparmor-unconfined",
    title="No AppArmor confinement",
    kind="enabler",
    needs="--security-opt apparmor=unconfined, or an engine without AppArmor.",
    gains="mount(2) and cross-profile ptrace are no longer denied: CAP_SYS_ADMIN and CAP_SYS_PTRACE escapes work.",
    evidence="HostConfig.SecurityOpt, engine security options.",
    remediations=("apparmor/default",),
    cost=0.0,
)

USERNS_HOST = Technique(
    id="userns-host",
    title="--userns=host on a daemon with userns-remap",
    kind="enabler",
    needs="An engine with userns-remap and a container started with --userns=host.",
    gains="The container's root is the host's root again: every escape of the container leads to host root "
          "instead of an unprivileged subordinate uid.",
    evidence="HostConfig.UsernsMode, engine security options (userns).",
    remediations=("userns/remove-host",),
    cost=0.0,
)

ENABLERS: tuple[Technique, ...] = (ROOT_USER, NO_NEW_PRIVILEGES_OFF, SECCOMP_UNCONFINED, APPARMOR_UNCONFINED,
                                   USERNS_HOST)
