"""Linux capability sets and how Docker turns CapAdd/CapDrop/Privileged into effective capabilities.

Docker's daemon does not report its default capability set; it is fixed in the
source (moby ``oci/caps/defaults.go``) and documented in the ``docker run``
reference. The effective set follows moby's ``TweakCapabilities``.
"""

from __future__ import annotations

from collections.abc import Iterable

# Every capability the kernel knows, in number order (0 .. 40 on Linux >= 5.9).
ALL_CAPABILITIES: tuple[str, ...] = (
    "CAP_CHOWN",
    "CAP_DAC_OVERRIDE",
    "CAP_DAC_READ_SEARCH",
    "CAP_FOWNER",
    "CAP_FSETID",
    "CAP_KILL",
    "CAP_SETGID",
    "CAP_SETUID",
    "CAP_SETPCAP",
    "CAP_LINUX_IMMUTABLE",
    "CAP_NET_BIND_SERVICE",
    "CAP_NET_BROADCAST",
    "CAP_NET_ADMIN",
    "CAP_NET_RAW",
    "CAP_IPC_LOCK",
    "CAP_IPC_OWNER",
    "CAP_SYS_MODULE",
    "CAP_SYS_RAWIO",
    "CAP_SYS_CHROOT",
    "CAP_SYS_PTRACE",
    "CAP_SYS_PACCT",
    "CAP_SYS_ADMIN",
    "CAP_SYS_BOOT",
    "CAP_SYS_NICE",
    "CAP_SYS_RESOURCE",
    "CAP_SYS_TIME",
    "CAP_SYS_TTY_CONFIG",
    "CAP_MKNOD",
    "CAP_LEASE",
    "CAP_AUDIT_WRITE",
    "CAP_AUDIT_CONTROL",
    "CAP_SETFCAP",
    "CAP_MAC_OVERRIDE",
    "CAP_MAC_ADMIN",
    "CAP_SYSLOG",
    "CAP_WAKE_ALARM",
    "CAP_BLOCK_SUSPEND",
    "CAP_AUDIT_READ",
    "CAP_PERFMON",
    "CAP_BPF",
    "CAP_CHECKPOINT_RESTORE",
)

# Docker's default set for non-privileged containers (moby oci/caps/defaults.go).
DOCKER_DEFAULT_CAPABILITIES: tuple[str, ...] = (
    "CAP_AUDIT_WRITE",
    "CAP_CHOWN",
    "CAP_DAC_OVERRIDE",
    "CAP_FOWNER",
    "CAP_FSETID",
    "CAP_KILL",
    "CAP_MKNOD",
    "CAP_NET_BIND_SERVICE",
    "CAP_NET_RAW",
    "CAP_SETFCAP",
    "CAP_SETGID",
    "CAP_SETPCAP",
    "CAP_SETUID",
    "CAP_SYS_CHROOT",
)

ALL = "ALL"
_ORDER = {name: index for index, name in enumerate(ALL_CAPABILITIES)}


def normalize_cap(name: str) -> str:
    """``sys_admin`` / ``CAP_SYS_ADMIN`` / `` Sys_Admin `` -> ``CAP_SYS_ADMIN``; ``all`` -> ``ALL``."""
    cap = name.strip().upper()
    if cap == ALL:
        return ALL
    return cap if cap.startswith("CAP_") else f"CAP_{cap}"


def normalize_caps(names: Iterable[str] | None) -> list[str]:
    """Normalise a list of capability names, dropping blanks and duplicates, keeping order."""
    seen: dict[str, None] = {}
    for name in names or ():
        if isinstance(name, str) and name.strip():
            seen.setdefault(normalize_cap(name), None)
    return list(seen)


def sort_caps(caps: Iterable[str]) -> list[str]:
    """Unique capabilities, sorted by name (the model's order)."""
    return sorted({c for c in caps if c != ALL})


def all_capabilities(last_cap: int | None = None) -> list[str]:
    """Every capability, or those up to the kernel's ``cap_last_cap`` when given."""
    caps = ALL_CAPABILITIES if last_cap is None else ALL_CAPABILITIES[: last_cap + 1]
    return sort_caps(caps)


def docker_effective_caps(
    defaults: Iterable[str],
    cap_add: Iterable[str] | None,
    cap_drop: Iterable[str] | None,
    privileged: bool,
    replacement: Iterable[str] | None = None,
) -> list[str]:
    """The capabilities a Docker container's process gets (moby ``TweakCapabilities``).

    ``replacement`` is HostConfig.Capabilities (API >= 1.40), which, when set,
    replaces the default set outright.
    """
    if privileged:
        return all_capabilities()
    basics = normalize_caps(replacement) if replacement else normalize_caps(defaults)
    adds = normalize_caps(cap_add)
    drops = normalize_caps(cap_drop)
    if ALL in adds:
        return sort_caps(c for c in ALL_CAPABILITIES if c not in drops)
    if ALL in drops:
        return sort_caps(adds)
    return sort_caps([*(c for c in basics if c not in drops), *adds])
