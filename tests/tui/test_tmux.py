"""The real `dindscope` in tmux against the live Docker and Podman engines, driven with send-keys."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import BUSYBOX, PODMAN_RUN_FLAGS, engine_unavailable

pytestmark = [pytest.mark.integration, pytest.mark.docker, pytest.mark.podman]

DINDSCOPE = str(Path(sys.executable).with_name("dindscope"))


def capture(session: str) -> str:
    return subprocess.run(["tmux", "capture-pane", "-p", "-t", session], capture_output=True, text=True).stdout


def wait_screen(session: str, needle: str, timeout: float = 40.0) -> str:
    deadline = time.monotonic() + timeout
    text = ""
    while time.monotonic() < deadline:
        text = capture(session)
        if needle in text:
            return text
        time.sleep(0.3)
    raise AssertionError(f"{needle!r} never appeared; screen was:\n{text}")


def keys(session: str, *sent: str) -> None:
    for key in sent:
        subprocess.run(["tmux", "send-keys", "-t", session, *([key] if key in ("Escape", "Enter") else ["-l", key])],
                       check=True)
        time.sleep(0.4)  # Escape must not merge with the next key into an alt- sequence


def test_dindscope_in_tmux_lists_socket_mount_shows_fix_and_quits(
        docker_client: object, podman_client: object, docker_label: dict[str, str],
        podman_label: dict[str, str], run_id: str, tmp_path: Path) -> None:
    if shutil.which("tmux") is None:
        engine_unavailable("tmux is not installed")
    name = f"tui-sock-{run_id}"[:60]
    docker_label_args = [f"--label={k}={v}" for k, v in docker_label.items()]
    subprocess.run(["docker", "create", "--name", name, *docker_label_args,
                    "-v", "/var/run/docker.sock:/var/run/docker.sock", BUSYBOX, "sleep", "600"],
                   check=True, capture_output=True)
    podman_label_args = [f"--label={k}={v}" for k, v in podman_label.items()]
    subprocess.run(["podman", "create", "--name", f"tui-pod-{run_id}"[:60], *podman_label_args, *PODMAN_RUN_FLAGS,
                    f"localhost/{BUSYBOX}", "sleep", "600"], check=True, capture_output=True)
    session = f"dindscope-test-{os.getpid()}"
    exit_file = tmp_path / "exit"
    env = f"DINDSCOPE_CONFIG_DIR={tmp_path} TERM=xterm-256color"
    command = f"env {env} {DINDSCOPE}; echo $? > {exit_file}; sleep 5"
    subprocess.run(["tmux", "new-session", "-d", "-s", session, "-x", "80", "-y", "24", command], check=True)
    try:
        text = wait_screen(session, "can reach host root")
        assert "docker" in text and "podman" in text
        keys(session, "/", name, "Enter")
        text = wait_screen(session, "1 match")
        rows = [line for line in text.splitlines() if name[:28] in line and "▊" not in line]
        assert rows, text
        assert "host root" in rows[0] and "socket-mou" in rows[0]
        keys(session, "f")
        text = wait_screen(session, "Breaks:")
        assert "fixes for:" in text and name[:28] in text
        keys(session, "Escape", "q")
        deadline = time.monotonic() + 20
        while not exit_file.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert exit_file.exists(), "dindscope did not exit after q:\n" + capture(session)
        assert exit_file.read_text().strip() == "0"
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
