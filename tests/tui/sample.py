"""Snapshots built in code for TUI tests that need shapes the recorded ones lack (hostile names, 1,000 containers)."""

from __future__ import annotations

from dindscope.models import Container, Engine, EnvVar, Host, HostUser, Listener, Mount, Snapshot

HOSTILE_NAME = "[bold red]x[/]\x1b[31mred\x1b[0m"


def engine() -> Engine:
    return Engine(key="docker:TEST", kind="docker", name="docker (unix:///run/docker.sock)",
                  endpoints=["unix:///run/docker.sock"], version="20.10.24", rootless=False,
                  listeners=[Listener("unix", "/run/docker.sock", owner="root", group="docker", mode=0o660),
                             Listener("tcp", "127.0.0.1", 2375, tls=False)])


def container(i: int, name: str | None = None, *, socket: bool = False, privileged: bool = False) -> Container:
    mounts = [Mount("bind", "/run/docker.sock", "/var/run/docker.sock")] if socket else []
    return Container(id=f"{i:012x}" + "0" * 52, name=name or f"job-{i:04d}", engine="docker:TEST",
                     image="local/busybox:1", state="running" if i % 3 else "created", privileged=privileged,
                     mounts=mounts, env=[EnvVar("API_TOKEN", "s3cr3t-value-123"), EnvVar("PATH", "/bin")],
                     labels={"owner": "[link=http://evil]click[/link]"})


def snapshot(n: int = 6, hostile: bool = False) -> Snapshot:
    containers = [container(i, socket=(i % 5 == 0), privileged=(i % 7 == 3)) for i in range(n)]
    if hostile:
        containers.append(container(n, HOSTILE_NAME, socket=True))
    host = Host(hostname="ci-host", users=[HostUser("builder", 1000, 1000, ["docker"])])
    return Snapshot(host=host, engines=[engine()], containers=containers, source="test",
                    taken_at="2026-01-01T00:00:00+00:00")
