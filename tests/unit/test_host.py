"""Host facts: socket files with owners and modes, users of the groups owning them, aliases, cgroups.

Most tests build a small fake root filesystem with real unix sockets in it; one
checks the real host this runs on.
"""

from __future__ import annotations

import os
import socket
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from dindscope.collect.host import cgroup_version_from_mounts, collect_host
from dindscope.models import Engine, Listener

PASSWD = """root:x:0:0:root:/root:/bin/bash
daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
alice:x:1000:1000:Alice:/home/alice:/bin/bash
bob:x:1001:1001::/home/bob:/bin/sh
carol:x:1002:105::/home/carol:/bin/sh
builder:x:1003:1003::/home/builder:/bin/sh
# a comment
broken line
"""
GROUP = """root:x:0:
docker:x:105:alice,bob
sudo:x:27:alice
alice:x:1000:
bob:x:1001:
builder:x:1003:
"""
MOUNTS_V2 = "cgroup2 /sys/fs/cgroup cgroup2 rw,nosuid,nodev,noexec,relatime 0 0\n"
MOUNTS_V1 = ("tmpfs /sys/fs/cgroup tmpfs ro 0 0\n"
             "cgroup /sys/fs/cgroup/memory cgroup rw,memory 0 0\n"
             "cgroup /sys/fs/cgroup/pids cgroup rw,pids 0 0\n")
MOUNTS_HYBRID = MOUNTS_V1 + "cgroup2 /sys/fs/cgroup/unified cgroup2 rw 0 0\n"


class FakeRoot:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.sockets: list[socket.socket] = []

    def file(self, path: str, text: str) -> Path:
        target = self.root / path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
        return target

    def sock(self, path: str, *, mode: int = 0o660, uid: int | None = None, gid: int | None = None) -> Path:
        target = self.root / path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        s = socket.socket(socket.AF_UNIX)
        s.bind(str(target))
        self.sockets.append(s)
        os.chmod(target, mode)
        if uid is not None or gid is not None:
            os.chown(target, -1 if uid is None else uid, -1 if gid is None else gid)
        return target


@pytest.fixture
def fake_root(tmp_path: Path) -> Iterator[FakeRoot]:
    root = FakeRoot(tmp_path)
    root.file("/etc/passwd", PASSWD)
    root.file("/etc/group", GROUP)
    root.file("/etc/hostname", "build-01\n")
    root.file("/proc/self/mounts", MOUNTS_V2)
    root.file("/proc/sys/kernel/osrelease", "6.1.0-test\n")
    (tmp_path / "run").mkdir()
    (tmp_path / "var").mkdir()
    (tmp_path / "var" / "run").symlink_to("../run")
    yield root
    for s in root.sockets:
        s.close()


needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="chown of test sockets needs root")


@needs_root
def test_sockets_owners_modes_and_engines(fake_root: FakeRoot):
    fake_root.sock("/run/docker.sock", mode=0o660, uid=0, gid=105)
    fake_root.sock("/run/podman/podman.sock", mode=0o600, uid=0, gid=0)
    fake_root.sock("/run/user/1003/podman/podman.sock", mode=0o600, uid=1003, gid=1003)
    fake_root.sock("/run/user/1000/docker.sock", mode=0o666, uid=1000, gid=1000)
    fake_root.sock("/run/containerd/containerd.sock", mode=0o660, uid=0, gid=0)
    fake_root.file("/run/crio/crio.sock", "not a socket")  # a plain file is not a socket
    engines = [
        Engine(key="docker:ABC", kind="docker", endpoints=["unix:///var/run/docker.sock"]),
        Engine(key="podman:build-01:1003", kind="podman", rootless=True, user="builder", uid=1003,
               listeners=[Listener("unix", "/run/user/1003/podman/podman.sock")]),
    ]
    host, problems = collect_host(engines, root=str(fake_root.root))
    assert problems == []
    by_path = {s.path: s for s in host.socket_files}
    # /var/run/docker.sock is the same file as /run/docker.sock: reported once, under its real path
    assert set(by_path) == {"/run/docker.sock", "/run/podman/podman.sock", "/run/user/1003/podman/podman.sock",
                            "/run/user/1000/docker.sock", "/run/containerd/containerd.sock"}
    docker = by_path["/run/docker.sock"]
    assert (docker.kind, docker.owner, docker.owner_uid, docker.group, docker.group_gid, docker.mode) == \
        ("docker", "root", 0, "docker", 105, 0o660)
    assert docker.engine == "docker:ABC"
    assert docker.real_path == "/run/docker.sock" and docker.user_dir_uid is None
    rootless = by_path["/run/user/1003/podman/podman.sock"]
    assert (rootless.kind, rootless.owner, rootless.user_dir_uid, rootless.engine) == \
        ("podman", "builder", 1003, "podman:build-01:1003")
    assert by_path["/run/user/1000/docker.sock"].mode == 0o666
    assert by_path["/run/user/1000/docker.sock"].engine == ""  # no engine was reached through it
    assert by_path["/run/containerd/containerd.sock"].kind == "containerd"
    assert host.path_aliases == {"/var/run": "/run"} and host.var_run_is_run

    users = {u.name: u for u in host.users}
    # docker group members (listed and by primary group), socket owners, /run/user UIDs, engine users
    assert set(users) == {"root", "alice", "bob", "carol", "builder"}
    assert users["alice"].groups == ["alice", "docker", "sudo"]
    assert users["carol"].groups == ["docker"]  # only through her primary group
    assert (users["bob"].uid, users["bob"].gid, users["bob"].home, users["bob"].shell) == \
        (1001, 1001, "/home/bob", "/bin/sh")
    assert host.groups["docker"] == 105 and host.groups["root"] == 0 and host.groups["sudo"] == 27
    assert "daemon" not in users


def test_hostname_kernel_cgroup_from_the_fake_root(fake_root: FakeRoot):
    host, problems = collect_host([], root=str(fake_root.root))
    assert (host.hostname, host.kernel, host.cgroup_version) == ("build-01", "6.1.0-test", "2")
    assert host.socket_files == [] and problems == []
    assert host.collected_uid == os.geteuid()


def test_unreadable_account_files_are_problems_not_exceptions(fake_root: FakeRoot):
    (fake_root.root / "etc" / "passwd").unlink()
    (fake_root.root / "etc" / "group").unlink()
    (fake_root.root / "etc" / "group").mkdir()  # reading a directory fails too
    fake_root.sock("/run/docker.sock")
    host, problems = collect_host([], root=str(fake_root.root))
    messages = [p.message for p in problems]
    assert any(m.startswith("cannot read /etc/passwd: No such file") for m in messages)
    assert any(m.startswith("cannot read /etc/group: Is a directory") for m in messages)
    assert all(p.code == "host-fact" for p in problems)
    assert [s.path for s in host.socket_files] == ["/run/docker.sock"]  # the rest is still there


def test_no_alias_when_var_run_is_a_directory(tmp_path: Path):
    (tmp_path / "var" / "run").mkdir(parents=True)
    host, _problems = collect_host([], root=str(tmp_path))
    assert host.path_aliases == {} and host.var_run_is_run is False


def test_a_socket_named_by_an_engine_outside_the_usual_places_is_found(fake_root: FakeRoot):
    fake_root.sock("/srv/engines/custom.sock", mode=0o600)
    engine = Engine(key="docker:Z", kind="docker", listeners=[Listener("unix", "/srv/engines/custom.sock")])
    host, _problems = collect_host([engine], root=str(fake_root.root))
    found = [(s.path, s.kind, s.engine) for s in host.socket_files]
    assert found == [("/srv/engines/custom.sock", "docker", "docker:Z")]


@pytest.mark.parametrize(("mounts", "version"), [(MOUNTS_V2, "2"), (MOUNTS_V1, "1"), (MOUNTS_HYBRID, "1"), ("", "")])
def test_cgroup_version(mounts, version):
    assert cgroup_version_from_mounts(mounts) == version


def test_the_real_host():
    host, problems = collect_host([])
    assert host.hostname == socket.gethostname()
    assert host.kernel == os.uname().release
    assert host.cgroup_version == ("2" if os.path.exists("/sys/fs/cgroup/cgroup.controllers") else "1")
    assert host.var_run_is_run == (os.path.realpath("/var/run") == "/run")
    for sock in host.socket_files:
        info = os.stat(sock.path)
        assert stat.S_ISSOCK(info.st_mode)
        assert (sock.owner_uid, sock.group_gid, sock.mode) == (info.st_uid, info.st_gid, stat.S_IMODE(info.st_mode))
    assert problems == []
