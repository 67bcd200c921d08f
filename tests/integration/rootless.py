"""Rootless Podman for tests: the service ``.ci/setup-rootless-podman.sh`` starts for user ``builder``.

Tests drive the engine as that user, either with the podman CLI (``su builder -c``
with ``XDG_RUNTIME_DIR``) or with podman-py on the rootless socket.
"""

from __future__ import annotations

import os
import pwd
import shlex
import socket
import subprocess
from dataclasses import dataclass

ROOTLESS_USER = os.environ.get("DINDSCOPE_TEST_ROOTLESS_USER", "builder")


@dataclass(frozen=True)
class RootlessPodman:
    user: str
    uid: int
    gid: int
    home: str

    @property
    def runtime_dir(self) -> str:
        return f"/run/user/{self.uid}"

    @property
    def socket(self) -> str:
        return f"{self.runtime_dir}/podman/podman.sock"

    @property
    def url(self) -> str:
        return f"unix://{self.socket}"

    def cli(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """Run ``podman ARGS`` as the rootless user (root runs it through ``su``)."""
        command = " ".join(shlex.quote(a) for a in ("podman", *args))
        env_prefix = f"cd {shlex.quote(self.home)} && XDG_RUNTIME_DIR={shlex.quote(self.runtime_dir)} "
        done = subprocess.run(["su", "-s", "/bin/sh", self.user, "-c", env_prefix + command],
                              capture_output=True, text=True, timeout=120)
        if check and done.returncode != 0:
            raise AssertionError(f"podman {' '.join(args)} as {self.user} failed: {done.stderr.strip()}")
        return done


def find_rootless() -> tuple[RootlessPodman | None, str]:
    """The rootless Podman service of ROOTLESS_USER, or None and why it cannot be used."""
    if os.geteuid() != 0:
        return None, "rootless Podman tests drive user builder with su and must run as root"
    try:
        entry = pwd.getpwnam(ROOTLESS_USER)
    except KeyError:
        return None, f"no user {ROOTLESS_USER!r}: run .ci/setup-rootless-podman.sh"
    engine = RootlessPodman(ROOTLESS_USER, entry.pw_uid, entry.pw_gid, entry.pw_dir)
    if not os.path.exists(engine.socket):
        return None, f"rootless Podman service not running ({engine.socket} missing): run .ci/setup-rootless-podman.sh"
    try:
        with socket.socket(socket.AF_UNIX) as sock:
            sock.settimeout(5)
            sock.connect(engine.socket)
            sock.sendall(b"GET /_ping HTTP/1.0\r\nHost: d\r\n\r\n")
            answer = sock.recv(64)
    except OSError as exc:
        return None, f"rootless Podman service at {engine.socket} unreachable: {exc}"
    if b" 200 " not in answer:
        return None, f"rootless Podman service at {engine.socket} answered {answer[:40]!r}"
    return engine, ""
