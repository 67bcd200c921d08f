"""What each fix changes in a snapshot, for what-if. Every applier edits the (copied) snapshot in place and
returns one line per change it made; an empty list means the fix did not apply to anything."""

from __future__ import annotations

import posixpath
from collections.abc import Callable

from dindscope.graph.context import KNOWN_SOCKET_NAMES
from dindscope.models import Container, EnvVar, Port, Snapshot
from dindscope.techniques.cap_dangerous import DANGEROUS, HOST_NET_ONLY
from dindscope.techniques.devices import classify as classify_device
from dindscope.techniques.dind_detect import inner_listeners, runs_engine
from dindscope.techniques.sensitive_paths import classify as classify_path

Applier = Callable[[Snapshot, list[Container], str | None], list[str]]
Part = str  # "containers" (only the targets passed in), "host" or "engines": what an applier may modify
DOCKER_DEFAULT_CAPS = ["CAP_AUDIT_WRITE", "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL",
                       "CAP_MKNOD", "CAP_NET_BIND_SERVICE", "CAP_NET_RAW", "CAP_SETFCAP", "CAP_SETGID",
                       "CAP_SETPCAP", "CAP_SETUID", "CAP_SYS_CHROOT"]


def _norm(snapshot: Snapshot, path: str) -> str:
    path = posixpath.normpath(path or "/")
    aliases = dict(snapshot.host.path_aliases)
    if snapshot.host.var_run_is_run:
        aliases.setdefault("/var/run", "/run")
    for alias, real in aliases.items():
        if path == alias or path.startswith(alias + "/"):
            return real + path[len(alias):]
    return path


def _socket_paths(snapshot: Snapshot) -> set[str]:
    paths = {_norm(snapshot, f.real_path or f.path) for f in snapshot.host.socket_files}
    for e in snapshot.engines:
        paths |= {_norm(snapshot, lis.address) for lis in e.listeners if lis.kind == "unix"}
    return paths


def _is_socket(snapshot: Snapshot, path: str) -> bool:
    norm = _norm(snapshot, path)
    return norm in _socket_paths(snapshot) or posixpath.basename(norm) in KNOWN_SOCKET_NAMES


def _holds_socket(snapshot: Snapshot, path: str) -> bool:
    base = _norm(snapshot, path)
    prefix = "/" if base == "/" else base + "/"
    return any(p.startswith(prefix) for p in _socket_paths(snapshot))


def _drop_binds(targets: list[Container], drop: Callable[[str], bool]) -> list[str]:
    """Remove the bind mounts whose host source ``drop`` selects; one change line per mount removed."""
    changes = []
    for c in targets:
        keep = []
        for m in c.mounts:
            if m.type == "bind" and drop(m.source):
                changes.append(f"{c.name}: removed mount {m.source} -> {m.destination}")
            else:
                keep.append(m)
        c.mounts = keep
    return changes


def drop_socket_mounts(snapshot: Snapshot, targets: list[Container], subject: str | None) -> list[str]:
    return _drop_binds(targets, lambda source: _is_socket(snapshot, source))


def rootless_podman_socket(snapshot: Snapshot, targets: list[Container], subject: str | None) -> list[str]:
    rootless = [lis.address for e in snapshot.engines if e.rootless for lis in e.listeners if lis.kind == "unix"]
    if not rootless:
        return drop_socket_mounts(snapshot, targets, subject)
    changes = []
    for c in targets:
        for m in c.mounts:
            if m.type == "bind" and _is_socket(snapshot, m.source) and _norm(snapshot, m.source) not in rootless:
                changes.append(f"{c.name}: mount {m.source} replaced by rootless socket {rootless[0]}")
                m.source = rootless[0]
    return changes


def narrow_parent_mounts(snapshot: Snapshot, targets: list[Container], subject: str | None) -> list[str]:
    changes = []
    for c in targets:
        keep = []
        for m in c.mounts:
            if m.type == "bind" and not _is_socket(snapshot, m.source) and _holds_socket(snapshot, m.source):
                changes.append(f"{c.name}: removed mount of {m.source} (holds an engine socket)")
            else:
                keep.append(m)
        c.mounts = keep
    return changes


def _set_attr(attr: str, value: object, test: Callable[[Container], bool], label: str) -> Applier:
    def apply(snapshot: Snapshot, targets: list[Container], subject: str | None) -> list[str]:
        changes = []
        for c in targets:
            if test(c):
                obj = c
                *path, last = attr.split(".")
                for part in path:
                    obj = getattr(obj, part)
                setattr(obj, last, value)
                changes.append(f"{c.name}: {label}")
        return changes
    return apply


def unprivileged(snapshot: Snapshot, targets: list[Container], subject: str | None) -> list[str]:
    changes = []
    for c in targets:
        if not c.privileged:
            continue
        engine = snapshot.engine(c.engine)
        base = list(engine.default_capabilities) if engine and engine.default_capabilities else DOCKER_DEFAULT_CAPS
        added = [a if a.startswith("CAP_") else "CAP_" + a for a in c.cap_add]
        c.privileged = False
        c.capabilities = sorted(set(base) | set(added))
        changes.append(f"{c.name}: --privileged removed; capabilities = engine default + CapAdd")
    return changes


def drop_caps(*caps: str) -> Applier:
    names = {c if c.startswith("CAP_") else "CAP_" + c for c in caps}

    def apply(snapshot: Snapshot, targets: list[Container], subject: str | None) -> list[str]:
        changes = []
        for c in targets:
            held = names & set(c.capabilities)
            if not held:
                continue
            c.capabilities = [x for x in c.capabilities if x not in names]
            c.cap_add = [x for x in c.cap_add if x not in names and "CAP_" + x not in names]
            c.cap_drop = sorted(set(c.cap_drop) | {x.removeprefix("CAP_") for x in held})
            changes.append(f"{c.name}: dropped {', '.join(sorted(held))}")
        return changes
    return apply


def drop_devices(snapshot: Snapshot, targets: list[Container], subject: str | None) -> list[str]:
    changes = []
    for c in targets:
        bad = [d for d in c.devices if classify_device(d.host_path)]
        if bad:
            c.devices = [d for d in c.devices if d not in bad]
            changes.append(f"{c.name}: removed devices {', '.join(d.host_path for d in bad)}")
    return changes


def _sensitive(snapshot: Snapshot, source: str) -> bool:
    return classify_path(_norm(snapshot, source)) is not None


def host_paths_read_only(snapshot: Snapshot, targets: list[Container], subject: str | None) -> list[str]:
    changes = []
    for c in targets:
        for m in c.mounts:
            if m.type == "bind" and not m.read_only and _sensitive(snapshot, m.source) \
                    and not _is_socket(snapshot, m.source):
                m.read_only = True
                changes.append(f"{c.name}: {m.source} -> {m.destination} now read-only")
    return changes


def drop_host_paths(snapshot: Snapshot, targets: list[Container], subject: str | None) -> list[str]:
    return _drop_binds(targets, lambda source: _sensitive(snapshot, source) and not _is_socket(snapshot, source))


def dind_tls(snapshot: Snapshot, targets: list[Container], subject: str | None) -> list[str]:
    changes = []
    for c in targets:
        if not runs_engine(c) and not any(v.name == "DOCKER_TLS_CERTDIR" for v in c.env):
            continue
        c.env = [v for v in c.env if v.name != "DOCKER_TLS_CERTDIR"] + [EnvVar("DOCKER_TLS_CERTDIR", "/certs")]
        c.command = [a for a in c.command if a != "--tls=false" and "tcp://" not in a]
        changes.append(f"{c.name}: DOCKER_TLS_CERTDIR=/certs (TLS with client certificates on 2376)")
    return changes


def dind_unpublish(snapshot: Snapshot, targets: list[Container], subject: str | None) -> list[str]:
    changes = []
    for c in targets:
        if not runs_engine(c):
            continue
        inner = {lis.port for lis in inner_listeners(c)}
        dropped = [p for p in c.ports if p.container_port in inner and p.host_port]
        if dropped:
            c.ports = [Port(p.container_port, p.protocol) if p in dropped else p for p in c.ports]
            ports = ", ".join(f"{p.host_port}->{p.container_port}" for p in dropped)
            changes.append(f"{c.name}: no longer publishes {ports}")
    return changes


def dind_sysbox(snapshot: Snapshot, targets: list[Container], subject: str | None) -> list[str]:
    changes = []
    for c in targets:
        if c.privileged and (runs_engine(c) or subject):
            unprivileged(snapshot, [c], subject)
            c.namespaces.userns = "private"
            changes.append(f"{c.name}: runs under sysbox-runc: not privileged, root is a subordinate uid")
    return changes


def remove_user_from_socket_groups(snapshot: Snapshot, targets: list[Container], subject: str | None) -> list[str]:
    groups = {f.group for f in snapshot.host.socket_files if f.group}
    groups |= {lis.group for e in snapshot.engines for lis in e.listeners if lis.kind == "unix" and lis.group}
    groups.discard("root")
    changes = []
    for user in snapshot.host.users:
        if subject and user.name != subject:
            continue
        drop = [g for g in user.groups if g in groups and g != user.name]
        if drop:
            user.groups = [g for g in user.groups if g not in drop]
            changes.append(f"user {user.name}: removed from {', '.join(drop)}")
    return changes


def restrict_socket_modes(snapshot: Snapshot, targets: list[Container], subject: str | None) -> list[str]:
    changes = []
    for f in snapshot.host.socket_files:
        if f.mode is not None and f.mode & 0o007:
            f.mode &= 0o770
            changes.append(f"{f.path}: mode {f.mode:04o}")
    for e in snapshot.engines:
        for lis in e.listeners:
            if lis.kind == "unix" and lis.mode is not None and lis.mode & 0o007:
                lis.mode &= 0o770
                changes.append(f"{lis.address}: mode {lis.mode:04o}")
    return changes


def tcp_tls(snapshot: Snapshot, targets: list[Container], subject: str | None) -> list[str]:
    changes = []
    for e in snapshot.engines:
        for lis in e.listeners:
            if lis.kind == "tcp" and not (lis.tls and lis.tls_verify):
                lis.tls, lis.tls_verify = True, True
                changes.append(f"{e.kind} listener {lis.address}:{lis.port}: TLS with client verification")
    return changes


def tcp_off(snapshot: Snapshot, targets: list[Container], subject: str | None) -> list[str]:
    changes = []
    for e in snapshot.engines:
        tcp = [lis for lis in e.listeners if lis.kind == "tcp"]
        if tcp:
            e.listeners = [lis for lis in e.listeners if lis.kind != "tcp"]
            changes.append(f"{e.kind}: TCP listeners removed ({', '.join(lis.url for lis in tcp)})")
    return changes


def _host_net(c: Container) -> bool:
    return c.namespaces.network == "host"


APPLIERS: dict[str, Applier] = {
    "socket-mount/rootless-buildkit": drop_socket_mounts,
    "socket-mount/kaniko": drop_socket_mounts,
    "socket-mount/buildah": drop_socket_mounts,
    "socket-mount/socket-proxy": drop_socket_mounts,
    "socket-mount/remove": drop_socket_mounts,
    "socket-mount/rootless-podman": rootless_podman_socket,
    "socket-parent-mount/narrow": narrow_parent_mounts,
    "socket-group/remove-user": remove_user_from_socket_groups,
    "socket-mode/restrict": restrict_socket_modes,
    "tcp-api/tls": tcp_tls,
    "tcp-api/unix-only": tcp_off,
    "host-network/remove": _set_attr("namespaces.network", "bridge", _host_net, "no longer on the host network"),
    "dind/tls": dind_tls,
    "dind/sysbox": dind_sysbox,
    "dind/unpublish": dind_unpublish,
    "privileged/specific-caps": unprivileged,
    "host-pid/remove": _set_attr("namespaces.pid", "", lambda c: c.namespaces.pid == "host", "private PID namespace"),
    "cap-sys-module/drop": drop_caps("SYS_MODULE"),
    "cap-sys-admin/drop": drop_caps("SYS_ADMIN"),
    "cap-sys-ptrace/drop": drop_caps("SYS_PTRACE"),
    "cap-dac-read-search/drop": drop_caps("DAC_READ_SEARCH"),
    "cap-dangerous/drop": drop_caps(*DANGEROUS, *HOST_NET_ONLY),
    "apparmor/default": _set_attr("security.apparmor", "docker-default",
                                  lambda c: c.security.apparmor in ("unconfined", ""), "default AppArmor profile"),
    "seccomp/default": _set_attr("security.seccomp", "default", lambda c: c.security.seccomp == "unconfined",
                                 "default seccomp profile"),
    "no-new-privileges/set": _set_attr("security.no_new_privileges", True,
                                       lambda c: not c.security.no_new_privileges, "no-new-privileges set"),
    "user/non-root": _set_attr("user", "1000:1000", lambda c: c.runs_as_root, "runs as 1000:1000"),
    "device/remove": drop_devices,
    "host-path/read-only": host_paths_read_only,
    "host-path/remove": drop_host_paths,
    "systempaths/default": _set_attr("security.systempaths_unconfined", False,
                                     lambda c: c.security.systempaths_unconfined, "masked/read-only paths restored"),
    "userns/remove-host": _set_attr("namespaces.userns", "", lambda c: c.namespaces.userns == "host",
                                    "--userns=host removed"),
}

# What each fix may modify, so that what-if copies only those parts of a snapshot (everything else is shared
# with the caller's snapshot and must stay untouched). Fixes not listed here change only their target containers.
WRITES: dict[str, frozenset[Part]] = {
    "socket-group/remove-user": frozenset({"host"}),
    "socket-mode/restrict": frozenset({"host", "engines"}),
    "tcp-api/tls": frozenset({"engines"}),
    "tcp-api/unix-only": frozenset({"engines"}),
}
CONTAINERS_ONLY: frozenset[Part] = frozenset({"containers"})


def writes(fix_id: str) -> frozenset[Part]:
    """The parts of a snapshot the fix's applier may modify."""
    return WRITES.get(fix_id, CONTAINERS_ONLY)
