"""Facts about the host that decide who can reach an engine."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

SocketKind = Literal["docker", "podman", "containerd", "cri-o", "cri-dockerd", "buildkit", "other"]


@dataclass
class HostUser:
    name: str
    uid: int
    gid: int
    groups: list[str] = field(default_factory=list)  # names of every group the user is in
    home: str = ""
    shell: str = ""


@dataclass
class SocketFile:
    """An engine-like socket file found on the host filesystem."""

    path: str
    kind: SocketKind
    owner: str = ""
    owner_uid: int | None = None
    group: str = ""
    group_gid: int | None = None
    mode: int | None = None
    real_path: str = ""  # after resolving symlinks (e.g. /var/run -> /run)
    user_dir_uid: int | None = None  # for /run/user/UID/... sockets: that UID
    engine: str = ""  # Engine.key when dindscope reached an engine through it

    @property
    def mode_octal(self) -> str:
        return "" if self.mode is None else f"{self.mode:04o}"


@dataclass
class Host:
    hostname: str = ""
    kernel: str = ""
    cgroup_version: str = ""  # "1" or "2"
    collected_as: str = ""  # user who ran dindscope
    collected_uid: int | None = None
    users: list[HostUser] = field(default_factory=list)  # members of groups owning engine sockets, and engine users
    groups: dict[str, int] = field(default_factory=dict)  # group name -> gid, for the groups that matter
    socket_files: list[SocketFile] = field(default_factory=list)
    var_run_is_run: bool = True  # /var/run is a symlink to /run
    path_aliases: dict[str, str] = field(default_factory=dict)  # e.g. {"/var/run": "/run"}

    def user(self, name: str) -> HostUser | None:
        for user in self.users:
            if user.name == name:
                return user
        return None
