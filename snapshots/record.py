#!/usr/bin/env python3
"""Record the snapshots in snapshots/ and the packaged demo from REAL engines.

It builds a realistic CI build host on the running dockerd, rootful Podman and
(when ``.ci/setup-rootless-podman.sh`` can start it) rootless Podman of user
``builder``; every object is labelled ``dindscope.test=record-<run>``. Then it
collects with dindscope's own ``collect_snapshot``, keeps only what it created
(other containers on a shared machine are dropped, and the bookkeeping label is
removed), writes the files, and removes everything it created.

    .venv/bin/python snapshots/record.py            # all files
    .venv/bin/python snapshots/record.py --keep     # leave the containers for a look

Files written (redacted, like ``dindscope snapshot``):

* ``dindscope/data/demo-snapshot.json`` and ``snapshots/ci-host.json``: the CI build host;
* ``snapshots/minimal.json``: one well-locked-down container on Docker;
* ``snapshots/problems.json``: Docker plus endpoints that fail (missing socket, an engine that never
  answers, a refused TCP port, and what user ``nobody`` is told: permission denied), to show problems.

As root it also adds a host user ``gitlab-runner`` in the ``docker`` group (as GitLab's installer does) for
the recording, and deletes it afterwards; an existing user of that name is left alone.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from dindscope.collect.base import CollectOptions  # noqa: E402
from dindscope.collect.scan import collect_snapshot  # noqa: E402
from dindscope.models import Problem, Snapshot  # noqa: E402
from dindscope.snapshot.io import save_snapshot  # noqa: E402

LABEL = "dindscope.test"
BUSYBOX = "local/busybox:1"
PODMAN_LIMITS = ["--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1024:1024"]
ROOTLESS_USER = os.environ.get("DINDSCOPE_ROOTLESS_USER", "builder")
RUNNER_USER = "gitlab-runner"
NOBODY = 65534
# Image names a real CI host shows; they are local tags of the busybox image, removed afterwards.
TAGS = {
    "docker:24.0-dind": "dind",
    "docker:24.0-cli": "cli",
    "registry.gitlab.com/acme/shop/api:3.4.1": "app",
    "gcr.io/kaniko-project/executor:debug": "kaniko",
    "quay.io/buildah/stable:v1.33": "buildah",
    "registry.gitlab.com/acme/tools/debug:latest": "debug",
}
# Fake but well-formed secrets, so that redaction has something to remove.
SECRETS = {
    "CI_JOB_TOKEN": "glpat-" + "Zq3xR8vN2kLm5pTw7yHc",
    "AWS_ACCESS_KEY_ID": "AKIA" + "QX7RTM2KD4ZB9WLE",
    "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG/bPxRfiCY" + "EXAMPLEKEY42",
    "DATABASE_URL": "postgres://shop:S3cr3t-db-pass@db.internal:5432/shop",
}


@dataclass
class Recorder:
    run: str
    keep: bool = False
    created_tags: dict[str, list[str]] = field(default_factory=lambda: {"docker": [], "podman": [], "rootless": []})
    rootless: bool = False
    created_user: str = ""
    log: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"{LABEL}={self.run}"

    # --- engine CLIs ------------------------------------------------------------------------------

    def sh(self, argv: list[str], *, check: bool = True) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=180, stdin=subprocess.DEVNULL)
        if check and done.returncode != 0:
            raise RuntimeError(f"{shlex.join(argv)} failed: {done.stderr.strip()}")
        return done

    def docker(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return self.sh(["docker", *args], check=check)

    def podman(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return self.sh(["podman", *args], check=check)

    def rootless_podman(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        import pwd

        entry = pwd.getpwnam(ROOTLESS_USER)
        prefix = f"cd {shlex.quote(entry.pw_dir)} && XDG_RUNTIME_DIR=/run/user/{entry.pw_uid} "
        command = prefix + shlex.join(["podman", *args])
        return self.sh(["su", "-s", "/bin/sh", ROOTLESS_USER, "-c", command], check=check)

    # --- setup ------------------------------------------------------------------------------------

    def ensure_images(self) -> None:
        for cli in ("docker", "podman"):
            if self.sh([cli, "image", "inspect", BUSYBOX], check=False).returncode != 0:
                import_busybox(cli)
            for tag in TAGS:
                if self.sh([cli, "image", "inspect", tag], check=False).returncode != 0:
                    self.sh([cli, "tag", BUSYBOX, tag])
                    self.created_tags[cli].append(tag)

    def start_rootless(self) -> None:
        script = REPO / ".ci" / "setup-rootless-podman.sh"
        if os.geteuid() != 0 or not script.exists():
            self.log.append("rootless Podman skipped: needs root and .ci/setup-rootless-podman.sh")
            return
        done = self.sh(["sh", str(script)], check=False)
        if done.returncode != 0:
            self.log.append(f"rootless Podman skipped: {done.stderr.strip().splitlines()[-1:]}")
            return
        self.rootless = True

    def create_runner_user(self) -> None:
        """A ``gitlab-runner`` host user in the ``docker`` group, as the runner's installer sets it up."""
        import grp
        import pwd

        try:
            grp.getgrnam("docker")
            pwd.getpwnam(RUNNER_USER)
        except KeyError as exc:
            if "docker" in str(exc) or os.geteuid() != 0:
                self.log.append("no gitlab-runner user: needs root and a docker group")
                return
            self.sh(["useradd", "-M", "-d", f"/home/{RUNNER_USER}", "-s", "/bin/bash", "-G", "docker", RUNNER_USER])
            self.created_user = RUNNER_USER
            return
        self.log.append(f"user {RUNNER_USER} already exists: left as it is")

    # --- the CI build host ------------------------------------------------------------------------

    def create_docker(self) -> None:
        net = f"ci-{self.run[-8:]}"
        self.docker("network", "create", "--label", self.label, net)
        common = ["--label", self.label]
        sleep = ["sleep", "86400"]
        # GitLab runner (docker executor) job with the host socket mounted: the classic.
        self.docker("run", "-d", *common, "--name", "runner-x7k2p-project-42-concurrent-0-build",
                    "--label", "com.gitlab.gitlab-runner.job.id=981273", "--label",
                    "com.gitlab.gitlab-runner.project.id=42", "-e", "CI=true", "-e", "CI_JOB_ID=981273",
                    "-e", "CI_PROJECT_PATH=acme/shop", "-e", "GITLAB_CI=true",
                    "-v", "/var/run/docker.sock:/var/run/docker.sock", "-w", "/builds/acme/shop",
                    "docker:24.0-cli", *sleep)
        # docker:dind service: privileged, TLS off, reachable as "docker" on the job network.
        self.docker("create", *common, "--name", "runner-x7k2p-project-42-concurrent-1-docker-0",
                    "--privileged", "-e", "DOCKER_TLS_CERTDIR=", "--network", net, "--network-alias", "docker",
                    "--label", "com.gitlab.gitlab-runner.type=service", "docker:24.0-dind",
                    "dockerd-entrypoint.sh", "--host=tcp://0.0.0.0:2375")
        # The job that talks to it over the network alias.
        self.docker("run", "-d", *common, "--name", "runner-x7k2p-project-42-concurrent-1-build",
                    "--network", net, "-e", "DOCKER_HOST=tcp://docker:2375", "-e", "DOCKER_TLS_CERTDIR=",
                    "-e", "CI=true", "-e", "CI_JOB_ID=981274", "docker:24.0-cli", *sleep)
        # Privileged build container (created: privileged containers cannot start in this VM).
        self.docker("create", *common, "--name", "legacy-image-build", "--privileged",
                    "-v", "/srv/ci/cache:/cache", "docker:24.0-cli", "sh", "-c", "docker build -t shop .")
        # Debug container: host PID namespace + SYS_PTRACE.
        self.docker("run", "-d", *common, "--name", "perf-debugger", "--pid=host", "--cap-add", "SYS_PTRACE",
                    "registry.gitlab.com/acme/tools/debug:latest", *sleep)
        # SYS_ADMIN without AppArmor confinement.
        self.docker("run", "-d", *common, "--name", "fuse-mounter", "--cap-add", "SYS_ADMIN",
                    "--security-opt", "apparmor=unconfined", "registry.gitlab.com/acme/tools/debug:latest", *sleep)
        # /run mounted read-only: the socket's parent directory.
        self.docker("run", "-d", *common, "--name", "metrics-agent", "-v", "/run:/host/run:ro",
                    "registry.gitlab.com/acme/tools/debug:latest", *sleep)
        # /etc mounted read-write (ran once and exited).
        self.docker("run", *common, "--name", "config-sync", "-v", "/etc:/host/etc",
                    "registry.gitlab.com/acme/tools/debug:latest", "true")
        # Kernel log and a block device.
        self.docker("create", *common, "--name", "disk-inspector", "--device", "/dev/kmsg",
                    "--device", "/dev/loop0:/dev/loop0", "registry.gitlab.com/acme/tools/debug:latest",
                    "sh", "-c", "cat /dev/kmsg")
        # The well-locked-down application.
        self.docker("run", "-d", *common, "--name", "shop-api", "--cap-drop", "ALL", "--read-only",
                    "--security-opt", "no-new-privileges", "--user", "10001:10001", "-p", "127.0.0.1::8080",
                    "--tmpfs", "/tmp", "-e", "PORT=8080", "registry.gitlab.com/acme/shop/api:3.4.1", *sleep)
        # Deploy job with secrets in its environment (redaction shows on them).
        env = [arg for name, value in SECRETS.items() for arg in ("-e", f"{name}={value}")]
        self.docker("run", *common, "--name", "runner-x7k2p-project-42-concurrent-2-deploy",
                    "--label", "deploy.registry-password=" + "hunter2-registry", *env,
                    "docker:24.0-cli", "sh", "-c",
                    "echo docker login -u ci --password " + "Pa55w0rd-login" + " registry.gitlab.com")
        # Hostile names and values: markup, HTML and terminal escapes.
        self.docker("create", *common, "--name", "hostile-labels",
                    "--label", "description=<script>alert(1)</script>",
                    "--label", "owner=[bold red]x[/]", "--label", "html=<img src=x onerror=alert(2)>",
                    "-e", "BANNER=\x1b[31mred\x1b[0m \x1b]0;pwned\x07", "-e", "NOTE=[link=file:///etc/passwd]x[/link]",
                    "docker:24.0-cli", "true")

    def create_podman(self) -> None:
        common = ["--label", self.label, *PODMAN_LIMITS]
        # Rootful Podman build with Buildah: privileged (created only).
        self.podman("create", *common, "--name", "buildah-build", "--privileged",
                    "-v", "/var/lib/containers:/var/lib/containers", "quay.io/buildah/stable:v1.33",
                    "buildah", "bud", "-t", "shop", ".")
        # A job with the rootful Podman socket mounted.
        self.podman("run", "-d", *common, "--name", "podman-remote-job",
                    "-v", "/run/podman/podman.sock:/run/podman/podman.sock",
                    "-e", "CONTAINER_HOST=unix:///run/podman/podman.sock",
                    "quay.io/buildah/stable:v1.33", "sleep", "86400")
        # Kaniko-style build without privileges, exited.
        self.podman("run", *common, "--name", "kaniko-build", "--cap-drop", "ALL",
                    "--security-opt", "no-new-privileges", "gcr.io/kaniko-project/executor:debug", "true")

    def create_rootless(self) -> None:
        if not self.rootless:
            return
        common = ["--label", self.label, *PODMAN_LIMITS]
        image = "quay.io/buildah/stable:v1.33"
        for tag in (image, "registry.gitlab.com/acme/shop/api:3.4.1"):
            if self.rootless_podman("image", "exists", tag, check=False).returncode != 0:
                self.rootless_podman("tag", BUSYBOX, tag)
                self.created_tags["rootless"].append(tag)
        self.rootless_podman("create", *common, "--name", "rootless-build", "--privileged",
                             image, "buildah", "bud", "-t", "shop", ".")
        self.rootless_podman("run", "-d", *common, "--name", "rootless-runner", "--cap-drop", "ALL",
                             "registry.gitlab.com/acme/shop/api:3.4.1", "sleep", "86400")

    # --- collect and clean ------------------------------------------------------------------------

    def collect(self, endpoints: list[str] | None = None) -> Snapshot:
        return collect_snapshot(CollectOptions(timeout=10.0), endpoints=endpoints)

    def cleanup(self) -> None:
        if self.keep:
            print(f"record: kept everything labelled {self.label}", file=sys.stderr)
            return
        runners = [self.docker, self.podman] + ([self.rootless_podman] if self.rootless else [])
        for run in runners:
            ids = run("ps", "-aq", "--filter", f"label={self.label}", check=False).stdout.split()
            if ids:
                run("rm", "-f", *ids, check=False)
            nets = run("network", "ls", "-q", "--filter", f"label={self.label}", check=False).stdout.split()
            if nets:
                run("network", "rm", *nets, check=False)
        if self.created_user:
            self.sh(["userdel", self.created_user], check=False)
        for cli, tags in self.created_tags.items():
            for tag in tags:
                if cli == "rootless":
                    self.rootless_podman("rmi", tag, check=False)  # other tags remain: only untags
                else:
                    self.sh([cli, "rmi", tag], check=False)


def import_busybox(cli: str) -> None:
    busybox = shutil.which("busybox")
    if busybox is None:
        raise SystemExit("record: busybox not found (apt-get install busybox-static)")
    root = Path(tempfile.mkdtemp(prefix="dindscope-rootfs-"))
    try:
        (root / "bin").mkdir()
        shutil.copy(busybox, root / "bin" / "busybox")
        for applet in ("sh", "ls", "cat", "sleep", "echo", "id", "env", "true"):
            (root / "bin" / applet).symlink_to("busybox")
        tar = subprocess.Popen(["tar", "-C", str(root), "-c", "."], stdout=subprocess.PIPE)
        subprocess.run([cli, "import", "-c", "ENV PATH=/bin", "-", BUSYBOX], stdin=tar.stdout, check=True,
                       capture_output=True)
        tar.wait()
    finally:
        shutil.rmtree(root, ignore_errors=True)


# --- keeping only what this run created ----------------------------------------------------------

def only_ours(snapshot: Snapshot, run: str, *, containers: set[str] | None = None,
              engine_kinds: set[str] | None = None) -> Snapshot:
    """A copy with only this run's containers (optionally only some, on some engine kinds), label removed."""
    out = copy.deepcopy(snapshot)
    keep = [c for c in out.containers if c.labels.get(LABEL) == run and (containers is None or c.name in containers)]
    for c in keep:
        c.labels.pop(LABEL, None)
    if engine_kinds is not None:
        out.engines = [e for e in out.engines if e.kind in engine_kinds]
        keys = {e.key for e in out.engines}
        keep = [c for c in keep if c.engine in keys]
        out.host.socket_files = [s for s in out.host.socket_files if not s.engine or s.engine in keys]
    used_networks = {n.name for c in keep for n in c.networks}
    for engine in out.engines:
        engine.networks = [n for n in engine.networks
                           if n.name in used_networks or n.name in ("bridge", "host", "none", "podman")]
        engine.containers_total = sum(1 for c in keep if c.engine == engine.key)
    out.containers = keep
    out.problems = [p for p in out.problems if p.code != "container-gone"]  # other people's churn
    return out


class SilentSocket:
    """A unix socket that accepts connections and never answers: an engine that hangs."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.sock = socket.socket(socket.AF_UNIX)
        self.sock.bind(path)
        self.sock.listen(16)
        self.conns: list[socket.socket] = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.conns.append(conn)

    def close(self) -> None:
        self.sock.close()
        for conn in self.conns:
            conn.close()


def record_problems(rec: Recorder) -> Snapshot:
    tmp = Path(tempfile.mkdtemp(prefix="dindscope-record-"))
    hang = SilentSocket(str(tmp / "hanging-docker.sock"))
    try:
        options = CollectOptions(timeout=2.0)
        snapshot = collect_snapshot(options, endpoints=["unix:///run/docker.sock",
                                                        "unix:///run/nonexistent/docker.sock",
                                                        f"unix://{hang.path}", "tcp://127.0.0.1:1"])
    finally:
        hang.close()
        shutil.rmtree(tmp, ignore_errors=True)
    out = only_ours(snapshot, rec.run, containers={"shop-api", "runner-x7k2p-project-42-concurrent-0-build"},
                    engine_kinds={"docker"})
    out.problems = [p for p in snapshot.problems if p.code != "container-gone"] + permission_problems()
    return out


PROBE = """
import json, sys
from dindscope.collect.base import CollectOptions
from dindscope.collect.scan import collect_snapshot
s = collect_snapshot(CollectOptions(timeout=5.0), endpoints=sys.argv[1:])
print(json.dumps([[p.code, p.message, p.source] for p in s.problems]))
"""


def permission_problems() -> list[Problem]:
    """What an unprivileged user (nobody) is told about the rootful sockets: permission denied."""
    if os.geteuid() != 0 or not shutil.which("setpriv"):
        return []
    drop = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]
    done = subprocess.run([*drop, sys.executable, "-c", PROBE, "unix:///run/docker.sock",
                           "unix:///run/podman/podman.sock"], capture_output=True, text=True, timeout=120,
                          cwd="/", env={**os.environ, "PYTHONPATH": str(REPO), "HOME": "/nonexistent"})
    if done.returncode != 0:
        print(f"record: permission probe failed: {done.stderr.strip()[-300:]}", file=sys.stderr)
        return []
    return [Problem(code, message, source) for code, message, source in json.loads(done.stdout)
            if code == "permission-denied"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out-dir", default=str(REPO / "snapshots"))
    parser.add_argument("--demo", default=str(REPO / "dindscope" / "data" / "demo-snapshot.json"))
    parser.add_argument("--keep", action="store_true", help="do not remove the containers afterwards")
    parser.add_argument("--run", default=f"record-{uuid.uuid4().hex[:10]}",
                        help="the dindscope.test label value for this run (default: record-<random>)")
    args = parser.parse_args(argv)
    rec = Recorder(run=args.run, keep=args.keep)
    out_dir = Path(args.out_dir)
    try:
        rec.ensure_images()
        rec.start_rootless()
        rec.create_runner_user()
        rec.create_docker()
        rec.create_podman()
        rec.create_rootless()
        time.sleep(1.0)  # let "true" containers reach "exited"
        full = rec.collect()
        ci_host = only_ours(full, rec.run)
        minimal = only_ours(full, rec.run, containers={"shop-api"}, engine_kinds={"docker"})
        problems = record_problems(rec)
    finally:
        rec.cleanup()
    for snapshot, path in ((ci_host, out_dir / "ci-host.json"), (ci_host, Path(args.demo)),
                           (minimal, out_dir / "minimal.json"), (problems, out_dir / "problems.json")):
        save_snapshot(snapshot, path, redact=True)
        os.chmod(path, 0o644)  # recorded fixtures, redacted: readable like any source file
        print(f"record: {path}: {len(snapshot.engines)} engines, {len(snapshot.containers)} containers, "
              f"{len(snapshot.problems)} problems", file=sys.stderr)
    for line in rec.log:
        print(f"record: {line}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
