"""Container engines (Docker, Podman) and the API listeners they expose."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

EngineKind = Literal["docker", "podman"]
ListenerKind = Literal["unix", "tcp"]


@dataclass
class Listener:
    """One API endpoint of an engine: a unix socket file or a TCP listener.

    For unix sockets ``address`` is the socket path and owner/group/mode describe
    the file. For TCP listeners ``address`` is the bound IP (``0.0.0.0`` for all)
    and ``port`` the port; ``tls`` tells whether the listener requires TLS
    (``True``), accepts plain HTTP (``False``) or could not be told (``None``).
    """

    kind: ListenerKind
    address: str
    port: int | None = None
    tls: bool | None = None
    tls_verify: bool | None = None  # client certificates required
    owner: str | None = None
    owner_uid: int | None = None
    group: str | None = None
    group_gid: int | None = None
    mode: int | None = None  # permission bits, e.g. 0o660
    source: str = ""  # how it was found: "connected", "daemon.json", "cmdline", "probe", "host-scan"

    @property
    def url(self) -> str:
        if self.kind == "unix":
            return f"unix://{self.address}"
        scheme = "https" if self.tls else "tcp"
        host = f"[{self.address}]" if ":" in self.address else self.address
        return f"{scheme}://{host}:{self.port}"

    @property
    def mode_octal(self) -> str:
        return "" if self.mode is None else f"{self.mode:04o}"


@dataclass
class EngineSecurity:
    seccomp: bool = False
    seccomp_profile: str = ""
    apparmor: bool = False
    selinux: bool = False
    userns_remap: bool = False
    rootless: bool = False
    no_new_privileges: bool = False  # daemon default
    raw: list[str] = field(default_factory=list)


@dataclass
class EngineNetwork:
    name: str
    id: str = ""
    driver: str = ""
    subnets: list[str] = field(default_factory=list)
    gateways: list[str] = field(default_factory=list)
    internal: bool = False


@dataclass
class Engine:
    """One container engine, however many endpoints it was reached through.

    ``key`` is the stable identifier containers refer to (``docker:<ID>``,
    ``podman:<host>:<user>``); ``name`` is what people read (``docker (unix:///run/docker.sock)``).
    """

    key: str
    kind: EngineKind
    name: str = ""
    endpoints: list[str] = field(default_factory=list)  # URLs dindscope reached it through
    context: str = ""  # docker context or CONTAINER_HOST name in use, if any
    engine_id: str = ""
    hostname: str = ""
    version: str = ""
    api_version: str = ""
    os: str = ""
    kernel: str = ""
    rootless: bool = False
    user: str = "root"  # host user the engine runs as
    uid: int = 0
    cgroup_version: str = ""
    cgroup_driver: str = ""
    data_root: str = ""  # /var/lib/docker, graphRoot for podman
    security: EngineSecurity = field(default_factory=EngineSecurity)
    listeners: list[Listener] = field(default_factory=list)
    default_capabilities: list[str] = field(default_factory=list)
    networks: list[EngineNetwork] = field(default_factory=list)
    containers_total: int = 0

    @property
    def label(self) -> str:
        mode = f"rootless:{self.user}" if self.rootless else "rootful"
        where = self.endpoints[0] if self.endpoints else "?"
        return f"{self.kind} ({mode}, {where})"
