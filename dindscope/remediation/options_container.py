"""Fixes for a container's own settings: privileged, capabilities, namespaces, devices, mounts, LSMs."""

from __future__ import annotations

from dindscope.analysis.results import RemediationOption as R


def _cap(cap: str, technique: str, breaks: str, side: str) -> R:
    return R(id=f"{technique.split('-host')[0].replace('-release-agent', '')}/drop", technique=technique,
             title=f"Drop CAP_{cap}", breaks=breaks, side_effects=side,
             docker_run=f"remove: --cap-add {cap}  (or add: --cap-drop {cap})",
             compose=f"cap_drop:\n  - {cap}   # and remove it from cap_add",
             podman=f"podman run --cap-drop {cap} ... (remove --cap-add {cap})")


CONTAINER: tuple[R, ...] = (
    R(id="privileged/specific-caps", technique="privileged",
      title="Replace --privileged with the specific capabilities and devices the workload needs",
      breaks="no more access to every device, no all-capabilities, AppArmor/seccomp confinement back",
      side_effects="the workload fails where it relied on a capability or device not granted: add only those "
                   "(e.g. --cap-add NET_ADMIN, --device /dev/fuse)",
      docker_run="remove: --privileged; add only what is needed, e.g. --cap-add NET_ADMIN --device /dev/fuse",
      compose="remove: privileged: true\ncap_add: [NET_ADMIN]\ndevices: [\"/dev/fuse\"]",
      podman="remove: --privileged; podman run --cap-add NET_ADMIN --device /dev/fuse ..."),
    R(id="host-pid/remove", technique="privileged-host-pid",
      title="Do not share the host PID namespace",
      breaks="host processes (PID 1) are no longer visible: no nsenter, no ptrace of host processes",
      side_effects="process monitoring agents that need host PIDs stop seeing them",
      docker_run="remove: --pid=host", compose="remove: pid: host", podman="remove: --pid=host"),
    _cap("SYS_MODULE", "cap-sys-module", "no kernel module loading", "workloads that load modules (rare: "
         "some VPN/storage drivers) must have them loaded on the host instead"),
    _cap("SYS_ADMIN", "cap-sys-admin-release-agent", "no mount(2): no cgroup release_agent",
         "FUSE, mounting inside the container and some debuggers stop working; use --device /dev/fuse with "
         "fuse-overlayfs or a rootless builder"),
    _cap("SYS_PTRACE", "cap-sys-ptrace-host-pid", "no ptrace of other processes",
         "debuggers and profilers (gdb, strace, py-spy) stop working on other processes"),
    _cap("DAC_READ_SEARCH", "cap-dac-read-search", "no open_by_handle_at(2)",
         "backup tools that bypass read permissions need another approach"),
    R(id="cap-dangerous/drop", technique="cap-dangerous",
      title="Drop the host-wide capabilities (SYS_RAWIO, SYS_BOOT, SYS_TIME, MAC_ADMIN, SYSLOG, BPF, PERFMON, "
            "NET_ADMIN with host network)",
      breaks="no raw I/O, reboot, clock changes, LSM policy changes, kernel tracing",
      side_effects="NTP daemons, tracing/observability agents and network tools that need them stop working; "
                   "run those as host services instead",
      docker_run="remove the --cap-add flags; or --cap-drop ALL --cap-add <only what is needed>",
      compose="cap_drop: [ALL]\ncap_add: [<only what is needed>]",
      podman="podman run --cap-drop ALL --cap-add <only what is needed>"),
    R(id="apparmor/default", technique="apparmor-unconfined",
      title="Keep the default AppArmor profile",
      breaks="mount(2) and ptrace of unconfined processes are denied",
      side_effects="needs AppArmor enabled on the host; workloads that mount inside the container fail",
      docker_run="remove: --security-opt apparmor=unconfined  (default profile: docker-default)",
      compose="remove from security_opt: apparmor=unconfined",
      podman="remove: --security-opt apparmor=unconfined (containers-default profile)"),
    R(id="seccomp/default", technique="seccomp-unconfined",
      title="Keep the default seccomp profile",
      breaks="keyctl, bpf, unshare, open_by_handle_at and others are blocked unless a capability allows them",
      side_effects="rare workloads using blocked syscalls need a custom profile, not unconfined",
      docker_run="remove: --security-opt seccomp=unconfined",
      compose="remove from security_opt: seccomp=unconfined",
      podman="remove: --security-opt seccomp=unconfined"),
    R(id="no-new-privileges/set", technique="no-new-privileges-off",
      title="Set no-new-privileges",
      breaks="setuid binaries no longer raise privileges: a non-root user stays non-root",
      side_effects="sudo/su/ping-style setuid tools inside the container stop working",
      docker_run="--security-opt no-new-privileges:true", compose="security_opt: [\"no-new-privileges:true\"]",
      podman="--security-opt no-new-privileges"),
    R(id="user/non-root", technique="root-user",
      title="Run the container as a non-root user",
      breaks="capabilities are not effective and host files are accessed as an unprivileged uid",
      side_effects="files the process writes must be writable by that uid; ports < 1024 need "
                   "net.ipv4.ip_unprivileged_port_start or CAP_NET_BIND_SERVICE",
      docker_run="--user 1000:1000", compose="user: \"1000:1000\"", podman="--user 1000:1000 (or --userns=keep-id)"),
    R(id="device/remove", technique="device-access",
      title="Do not pass host disks or memory devices into the container",
      breaks="no raw access to the host's filesystem or memory",
      side_effects="disk tools that need the device (partitioning, backup) must run on the host",
      docker_run="remove: --device /dev/sda (and /dev/mem, /dev/kmsg ...)", compose="remove from devices:",
      podman="remove: --device ..."),
    R(id="host-path/read-only", technique="host-path-write",
      title="Mount the sensitive host path read-only",
      breaks="the container can no longer change host files (no cron/systemd/ssh key planting)",
      side_effects="the workload cannot write there; it still reads the files (host read remains)",
      docker_run="-v /SRC:/DST:ro  (add :ro)", compose="volumes:\n  - /SRC:/DST:ro",
      podman="-v /SRC:/DST:ro"),
    R(id="host-path/remove", technique="host-path-read",
      title="Do not mount the sensitive host path; mount a dedicated data directory or a named volume",
      breaks="the host path is no longer visible in the container",
      side_effects="the workload needs its data moved to a dedicated directory or volume",
      docker_run="remove: -v /SRC:/DST; use -v app-data:/DST", compose="volumes:\n  - app-data:/DST",
      podman="remove: -v /SRC:/DST; use a named volume"),
    R(id="systempaths/default", technique="proc-sys-core-pattern",
      title="Keep masked and read-only system paths",
      breaks="/proc/sys is read-only again: no core_pattern",
      side_effects="tuning sysctls from inside the container stops working: use --sysctl for namespaced ones",
      docker_run="remove: --security-opt systempaths=unconfined", compose="remove from security_opt: "
      "systempaths=unconfined", podman="remove: --security-opt unmask=ALL"),
    R(id="userns/remove-host", technique="userns-host",
      title="Do not opt out of the daemon's userns-remap",
      breaks="container root is a subordinate uid again, so escapes land as an unprivileged user",
      side_effects="--privileged and host namespaces cannot be combined with remapping; files in bind mounts "
                   "must be owned by the remapped uid",
      docker_run="remove: --userns=host", compose="remove: userns_mode: host",
      podman="use --userns=auto instead of --userns=host"),
)
