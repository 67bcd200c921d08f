"""Containers and the security-relevant facts of each, as the engine reports them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

ContainerState = Literal["running", "created", "exited", "paused", "restarting", "removing", "dead", "unknown"]

# Environment variables through which a container talks to an engine.
CLIENT_SETTING_NAMES: tuple[str, ...] = (
    "DOCKER_HOST",
    "DOCKER_CONTEXT",
    "DOCKER_TLS_VERIFY",
    "DOCKER_TLS_CERTDIR",
    "DOCKER_CERT_PATH",
    "CONTAINER_HOST",
    "CONTAINER_SSHKEY",
    "CONTAINER_CONNECTION",
    "BUILDKIT_HOST",
    "CONTAINERD_ADDRESS",
)


@dataclass
class Mount:
    type: str  # bind, volume, tmpfs, npipe, image ...
    source: str  # host path for binds (for volumes: the volume's host path when known)
    destination: str
    read_only: bool = False
    propagation: str = ""
    name: str = ""  # volume name
    driver: str = ""


@dataclass
class Device:
    host_path: str
    container_path: str
    permissions: str = "rwm"


@dataclass
class Namespaces:
    """Namespace modes as the engine states them.

    Values are the engine's own words: ``host``, ``private``, ``""`` (default),
    ``container:<id>``, ``bridge``, ``none``, a network name ...
    """

    pid: str = ""
    network: str = ""
    ipc: str = ""
    uts: str = ""
    userns: str = ""
    cgroupns: str = ""

    def is_host(self, kind: str) -> bool:
        return getattr(self, kind) == "host"


@dataclass
class SecurityOptions:
    seccomp: str = "default"  # default | unconfined | <profile>
    apparmor: str = ""  # "" (engine default), unconfined, <profile>
    selinux: list[str] = field(default_factory=list)
    no_new_privileges: bool = False
    systempaths_unconfined: bool = False  # masked and read-only paths cleared
    masked_paths: list[str] = field(default_factory=list)
    readonly_paths: list[str] = field(default_factory=list)
    readonly_rootfs: bool = False
    raw: list[str] = field(default_factory=list)  # SecurityOpt as given


@dataclass
class NetworkAttachment:
    name: str
    network_id: str = ""
    aliases: list[str] = field(default_factory=list)
    ip_address: str = ""
    gateway: str = ""


@dataclass
class Port:
    container_port: int
    protocol: str = "tcp"
    host_ip: str = ""
    host_port: int | None = None  # None: exposed only, not published


@dataclass
class EnvVar:
    name: str
    value: str | None  # None when the value was redacted / not kept
    redacted: bool = False


@dataclass
class Container:
    id: str
    name: str  # without the leading "/"
    engine: str  # Engine.key
    image: str = ""
    image_id: str = ""
    state: ContainerState = "unknown"
    created: str = ""
    command: list[str] = field(default_factory=list)  # entrypoint + args
    user: str = ""  # "" means the image default (usually root)
    privileged: bool = False
    capabilities: list[str] = field(default_factory=list)  # effective, "CAP_*", sorted
    cap_add: list[str] = field(default_factory=list)
    cap_drop: list[str] = field(default_factory=list)
    namespaces: Namespaces = field(default_factory=Namespaces)
    security: SecurityOptions = field(default_factory=SecurityOptions)
    devices: list[Device] = field(default_factory=list)
    mounts: list[Mount] = field(default_factory=list)
    networks: list[NetworkAttachment] = field(default_factory=list)
    ports: list[Port] = field(default_factory=list)
    env: list[EnvVar] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)
    client_settings: dict[str, str] = field(default_factory=dict)  # DOCKER_HOST & co, from env
    sysctls: dict[str, str] = field(default_factory=dict)
    group_add: list[str] = field(default_factory=list)
    hostname: str = ""
    pod: str = ""  # podman pod id, if any

    @property
    def short_id(self) -> str:
        return self.id[:12]

    @property
    def running(self) -> bool:
        return self.state in ("running", "paused", "restarting")

    @property
    def runs_as_root(self) -> bool:
        user = self.user.split(":", 1)[0].strip()
        return user in ("", "0", "root")

    def env_value(self, name: str) -> str | None:
        for var in self.env:
            if var.name == name:
                return var.value
        return None

    def has_cap(self, cap: str) -> bool:
        cap = cap.upper()
        if not cap.startswith("CAP_"):
            cap = "CAP_" + cap
        return cap in self.capabilities
