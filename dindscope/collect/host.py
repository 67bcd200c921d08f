"""Host facts that decide who can reach an engine: sockets on disk, their owners, users and groups.

Read-only: files under /etc, /proc and /run are only read and stat()ed. Every
fact that cannot be read becomes a :class:`Problem`, never an exception.
``root`` lets tests point the collector at a fake filesystem tree; paths in the
result are always host paths (``root`` stripped).
"""

from __future__ import annotations

import glob
import os
import pwd
import socket
import stat
from dataclasses import dataclass, field

from dindscope.models import Engine, Host, HostUser, Problem, SocketFile
from dindscope.models.host import SocketKind

# Where engine sockets live, in the order they are reported. /var/run comes
# after /run so that when /var/run is /run the canonical /run path is kept.
SOCKET_PATTERNS: tuple[tuple[str, SocketKind], ...] = (
    ("/run/docker.sock", "docker"),
    ("/var/run/docker.sock", "docker"),
    ("/run/podman/podman.sock", "podman"),
    ("/var/run/podman/podman.sock", "podman"),
    ("/run/containerd/containerd.sock", "containerd"),
    ("/var/run/containerd/containerd.sock", "containerd"),
    ("/run/k3s/containerd/containerd.sock", "containerd"),
    ("/run/crio/crio.sock", "cri-o"),
    ("/var/run/crio/crio.sock", "cri-o"),
    ("/run/cri-dockerd.sock", "cri-dockerd"),
    ("/var/run/cri-dockerd.sock", "cri-dockerd"),
    ("/run/buildkit/buildkitd.sock", "buildkit"),
    ("/var/run/buildkit/buildkitd.sock", "buildkit"),
    ("/run/user/*/docker.sock", "docker"),
    ("/run/user/*/podman/podman.sock", "podman"),
    ("/run/user/*/buildkit/buildkitd.sock", "buildkit"),
    ("/run/user/*/buildkit/rootless", "buildkit"),
    ("/run/user/*/containerd-rootless/containerd.sock", "containerd"),
)
ALIAS_CANDIDATES = ("/var/run", "/var/lock")


@dataclass
class _Accounts:
    """/etc/passwd and /etc/group, parsed."""

    users: dict[str, tuple[int, int, str, str]] = field(default_factory=dict)  # name -> uid, gid, home, shell
    groups: dict[str, tuple[int, list[str]]] = field(default_factory=dict)  # name -> gid, members

    def user_by_uid(self, uid: int) -> str | None:
        return next((n for n, (u, *_rest) in self.users.items() if u == uid), None)

    def group_by_gid(self, gid: int) -> str | None:
        return next((n for n, (g, _m) in self.groups.items() if g == gid), None)


def collect_host(engines: list[Engine], *, root: str = "/") -> tuple[Host, list[Problem]]:
    """Collect the host facts; ``engines`` are used to tell which engine each socket file belongs to."""
    problems: list[Problem] = []
    fs = _Fs(root)
    accounts = _read_accounts(fs, problems)
    host = Host(
        hostname=_hostname(fs),
        kernel=_kernel(fs),
        cgroup_version=_cgroup_version(fs, problems),
        collected_uid=os.geteuid(),
        collected_as=_whoami(accounts),
    )
    host.socket_files = _find_socket_files(fs, engines, accounts, problems)
    host.path_aliases = _path_aliases(fs)
    host.var_run_is_run = host.path_aliases.get("/var/run") == "/run"
    host.users, host.groups = _users_that_matter(host.socket_files, engines, accounts)
    return host, problems


class _Fs:
    """Host paths mapped under ``root`` (``/`` in real use)."""

    def __init__(self, root: str) -> None:
        self.root = os.path.abspath(root)

    def real(self, host_path: str) -> str:
        return host_path if self.root == "/" else os.path.join(self.root, host_path.lstrip("/"))

    def host(self, real_path: str) -> str:
        if self.root == "/":
            return real_path
        rel = os.path.relpath(real_path, self.root)
        return "/" if rel == "." else "/" + rel

    def read(self, host_path: str, problems: list[Problem] | None = None) -> str | None:
        try:
            with open(self.real(host_path), encoding="utf-8", errors="replace") as handle:
                return handle.read(4 * 1024 * 1024)
        except OSError as exc:
            if problems is not None:
                problems.append(Problem("host-fact", f"cannot read {host_path}: {exc.strerror or exc}", host_path))
            return None


def _hostname(fs: _Fs) -> str:
    if fs.root == "/":
        return socket.gethostname()
    return (fs.read("/etc/hostname") or "").strip()


def _kernel(fs: _Fs) -> str:
    text = fs.read("/proc/sys/kernel/osrelease")
    return text.strip() if text else os.uname().release


def _cgroup_version(fs: _Fs, problems: list[Problem]) -> str:
    mounts = fs.read("/proc/self/mounts", problems)
    return cgroup_version_from_mounts(mounts) if mounts else ""


def cgroup_version_from_mounts(mounts: str) -> str:
    """``"2"`` when /sys/fs/cgroup is a cgroup2 mount (unified), ``"1"`` for v1 or hybrid, ``""`` if unknown."""
    v1 = False
    for line in mounts.splitlines():
        parts = line.split()
        if len(parts) < 3:
            continue
        target, fstype = parts[1], parts[2]
        if target == "/sys/fs/cgroup" and fstype == "cgroup2":
            return "2"
        if fstype == "cgroup" and target.startswith("/sys/fs/cgroup/"):
            v1 = True
    return "1" if v1 else ""


def _whoami(accounts: _Accounts) -> str:
    uid = os.geteuid()
    name = accounts.user_by_uid(uid)
    if name:
        return name
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)


def _read_accounts(fs: _Fs, problems: list[Problem]) -> _Accounts:
    accounts = _Accounts()
    passwd = fs.read("/etc/passwd", problems)
    for line in (passwd or "").splitlines():
        parts = line.split(":")
        if len(parts) >= 7 and parts[2].isdigit() and parts[3].isdigit() and not line.startswith("#"):
            accounts.users.setdefault(parts[0], (int(parts[2]), int(parts[3]), parts[5], parts[6]))
    group = fs.read("/etc/group", problems)
    for line in (group or "").splitlines():
        parts = line.split(":")
        if len(parts) >= 4 and parts[2].isdigit() and not line.startswith("#"):
            members = [m.strip() for m in parts[3].split(",") if m.strip()]
            accounts.groups.setdefault(parts[0], (int(parts[2]), members))
    return accounts


def _socket_kind(path: str) -> SocketKind:
    name = os.path.basename(path)
    for pattern, kind in SOCKET_PATTERNS:
        if os.path.basename(pattern) == name:
            return kind
    for word, kind in (("docker", "docker"), ("podman", "podman"), ("containerd", "containerd"),
                       ("crio", "cri-o"), ("buildkit", "buildkit")):
        if word in path:
            return kind  # type: ignore[return-value]
    return "other"


def _find_socket_files(fs: _Fs, engines: list[Engine], accounts: _Accounts,
                      problems: list[Problem]) -> list[SocketFile]:
    """Every engine-like socket on the host, once per file, with owner, group, mode and engine."""
    candidates: list[tuple[str, SocketKind]] = []
    for pattern, kind in SOCKET_PATTERNS:
        if "*" in pattern:
            try:
                matches = sorted(glob.glob(fs.real(pattern)))
            except OSError:
                matches = []
            candidates.extend((fs.host(m), kind) for m in matches)
        else:
            candidates.append((pattern, kind))
    for engine in engines:  # sockets found some other way (--engine, daemon.json, a context)
        for path in _engine_socket_paths(engine):
            candidates.append((path, engine.kind))
    by_inode: dict[tuple[int, int], SocketFile] = {}
    for path, kind in candidates:
        found = _socket_file(fs, path, kind, accounts, problems)
        if found is not None and found[1] not in by_inode:
            by_inode[found[1]] = found[0]
    sockets = list(by_inode.values())
    _match_engines(fs, sockets, engines)
    return sockets


def _engine_socket_paths(engine: Engine) -> list[str]:
    paths = [listener.address for listener in engine.listeners if listener.kind == "unix"]
    paths += [url[len("unix://"):] for url in engine.endpoints if url.startswith("unix://")]
    return [p for p in paths if p.startswith("/")]


def _socket_file(fs: _Fs, path: str, kind: SocketKind, accounts: _Accounts,
                 problems: list[Problem]) -> tuple[SocketFile, tuple[int, int]] | None:
    """The socket at ``path`` (None if there is none) and its (device, inode) identity."""
    real = fs.real(path)
    try:
        info = os.stat(real)
    except FileNotFoundError:
        return None
    except OSError as exc:
        problems.append(Problem("host-fact", f"cannot stat {path}: {exc.strerror or exc}", path))
        return None
    if not stat.S_ISSOCK(info.st_mode):
        return None
    real_path = fs.host(os.path.realpath(real))
    owner = accounts.user_by_uid(info.st_uid) or _pwd_name(info.st_uid)
    group = accounts.group_by_gid(info.st_gid) or ""
    user_dir_uid = _run_user_uid(real_path)
    sock = SocketFile(
        path=real_path,
        kind=kind if kind != "other" else _socket_kind(real_path),
        owner=owner,
        owner_uid=info.st_uid,
        group=group,
        group_gid=info.st_gid,
        mode=stat.S_IMODE(info.st_mode),
        real_path=real_path,
        user_dir_uid=user_dir_uid if user_dir_uid is not None else _run_user_uid(path),
    )
    return sock, (info.st_dev, info.st_ino)


def _pwd_name(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return ""


def _run_user_uid(path: str) -> int | None:
    parts = path.split("/")
    if len(parts) > 3 and parts[1] == "run" and parts[2] == "user" and parts[3].isdigit():
        return int(parts[3])
    return None


def _match_engines(fs: _Fs, sockets: list[SocketFile], engines: list[Engine]) -> None:
    by_path = {s.real_path: s for s in sockets}
    for engine in engines:
        for path in _engine_socket_paths(engine):
            real = fs.host(os.path.realpath(fs.real(path)))
            sock = by_path.get(real)
            if sock is not None and not sock.engine:
                sock.engine = engine.key


def _path_aliases(fs: _Fs) -> dict[str, str]:
    aliases: dict[str, str] = {}
    for path in ALIAS_CANDIDATES:
        real = fs.real(path)
        if os.path.islink(real):
            target = fs.host(os.path.realpath(real))
            if target != path:
                aliases[path] = target
    return aliases


def _users_that_matter(sockets: list[SocketFile], engines: list[Engine],
                       accounts: _Accounts) -> tuple[list[HostUser], dict[str, int]]:
    """Members of every group owning an engine socket, socket owners, and engine users."""
    socket_gids = {s.group_gid for s in sockets if s.group_gid is not None}
    names: set[str] = set()
    for gid in socket_gids:
        group = accounts.group_by_gid(gid)
        if group:
            names.update(m for m in accounts.groups[group][1] if m in accounts.users)
        names.update(n for n, (_u, g, *_r) in accounts.users.items() if g == gid)
    for uid in [s.owner_uid for s in sockets] + [s.user_dir_uid for s in sockets] + [e.uid for e in engines]:
        if uid is not None and (name := accounts.user_by_uid(uid)):
            names.add(name)
    names.update(e.user for e in engines if e.user in accounts.users)

    users: list[HostUser] = []
    groups: dict[str, int] = {}
    for name in sorted(names, key=lambda n: (accounts.users[n][0], n)):
        uid, gid, home, shell = accounts.users[name]
        primary = accounts.group_by_gid(gid)
        member_of = [primary] if primary else []
        member_of += sorted(g for g, (_gid, members) in accounts.groups.items() if name in members and g != primary)
        users.append(HostUser(name=name, uid=uid, gid=gid, groups=member_of, home=home, shell=shell))
        for g in member_of:
            groups[g] = accounts.groups[g][0]
    for gid in socket_gids:
        group = accounts.group_by_gid(gid)
        if group:
            groups[group] = gid
    return users, dict(sorted(groups.items(), key=lambda item: item[1]))
