"""Which host paths matter when bind-mounted, and why (shared by the host-path techniques)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

# Writing here (or in any directory that contains one of these) runs code as root on the host.
ROOT_PATHS: dict[str, str] = {
    "/": "the whole host filesystem",
    "/etc": "host configuration: crontab, sudoers, passwd/shadow, systemd units",
    "/etc/crontab": "root's crontab",
    "/etc/cron.d": "cron jobs run as root",
    "/etc/cron.hourly": "cron jobs run as root",
    "/etc/cron.daily": "cron jobs run as root",
    "/var/spool/cron": "users' crontabs, root's included",
    "/etc/systemd": "systemd units started as root",
    "/lib/systemd": "systemd units started as root",
    "/usr/lib/systemd": "systemd units started as root",
    "/etc/sudoers": "sudo policy",
    "/etc/sudoers.d": "sudo policy",
    "/etc/passwd": "host accounts",
    "/etc/shadow": "host password hashes",
    "/etc/ld.so.preload": "library preloaded into every host process",
    "/etc/profile.d": "shell start-up scripts of every login, root's included",
    "/etc/init.d": "init scripts run as root",
    "/root": "root's home: .ssh/authorized_keys, .bashrc",
    "/usr": "host binaries and libraries run by root",
    "/bin": "host binaries",
    "/sbin": "host system binaries",
    "/lib": "host libraries and kernel modules",
    "/lib64": "host libraries",
    "/boot": "kernel and initrd",
    "/lib/modules": "kernel modules",
    "/var/lib/docker": "Docker's data: container filesystems and configs the root daemon runs",
    "/var/lib/containers": "Podman/CRI-O storage the root engine runs",
    "/var/lib/kubelet": "kubelet state and pod volumes",
    "/etc/docker": "Docker daemon configuration (daemon.json, TLS keys)",
    "/etc/containers": "Podman configuration",
    "/dev": "host device nodes (disks)",
}
# Everything below these is as sensitive as they are (e.g. /usr/local/bin, /var/lib/docker/volumes).
ROOT_DESCENDANTS: tuple[str, ...] = (
    "/root", "/usr", "/bin", "/sbin", "/lib", "/lib64", "/boot", "/var/lib/docker", "/var/lib/containers",
    "/etc/cron.d", "/etc/systemd", "/lib/systemd", "/etc/sudoers.d", "/etc/profile.d", "/var/spool/cron",
    "/etc/init.d", "/var/lib/kubelet", "/etc/docker", "/etc/containers", "/dev",
)
# Writing here changes the host (tamper with logs, services' state) without a direct path to root.
WRITE_PATHS: dict[str, str] = {
    "/etc": "host configuration",
    "/var/log": "host logs (tamper with evidence)",
    "/run": "runtime state and service sockets of the host",
    "/home": "users' homes: .ssh/authorized_keys, shell rc files",
    "/var/lib": "state of every host service",
}
SPECIAL = ("/proc", "/sys")  # handled by proc-sys-core-pattern / sys-uevent-helper when writable


@dataclass(frozen=True)
class Sensitivity:
    grade: str  # "root" | "write" | "home" | "special"
    why: str
    read_sensitive: bool = True  # a read-only mount of it is a host-read finding


def _within(path: str, base: str) -> bool:
    return path == base or base == "/" or path.startswith(base + "/")


HOME_FILES = (".ssh", ".bashrc", ".profile", ".bash_profile", ".config", ".docker", ".kube", ".gnupg")


@lru_cache(maxsize=4096)
def classify(path: str) -> Sensitivity | None:
    """How sensitive a (normalised) host path is when mounted, or None for ordinary data."""
    for base in SPECIAL:
        if _within(path, base):
            return Sensitivity("special", f"{base} of the host")
    for target, why in ROOT_PATHS.items():
        if _within(target, path):  # the mount is, or contains, a root-grade path
            return Sensitivity("root", why if target == path else f"contains {target}: {why}")
    for base in ROOT_DESCENDANTS:
        if _within(path, base):
            return Sensitivity("root", f"inside {base}: {ROOT_PATHS[base]}")
    if _within("/home", path):
        return Sensitivity("home", WRITE_PATHS["/home"])
    if path.startswith("/home/"):
        parts = path.split("/")[2:]
        if len(parts) == 1 or parts[1] in HOME_FILES:
            return Sensitivity("home", f"a user's home ({'/'.join(parts[1:]) or 'all of it'})")
        return None  # a project directory inside a home is ordinary data
    for base, why in WRITE_PATHS.items():
        if _within(base, path):
            return Sensitivity("write", why if base == path else f"contains {base}: {why}")
    if path.startswith("/etc/"):
        return Sensitivity("write", "host service configuration under /etc", read_sensitive=False)
    return None
