"""The domain model: plain typed dataclasses, no I/O, no Textual."""

from dindscope.models.container import (
    CLIENT_SETTING_NAMES,
    Container,
    Device,
    EnvVar,
    Mount,
    Namespaces,
    NetworkAttachment,
    Port,
    SecurityOptions,
)
from dindscope.models.engine import Engine, EngineNetwork, EngineSecurity, Listener
from dindscope.models.host import Host, HostUser, SocketFile
from dindscope.models.snapshot import SCHEMA_VERSION, Problem, Snapshot

__all__ = [
    "CLIENT_SETTING_NAMES",
    "SCHEMA_VERSION",
    "Container",
    "Device",
    "Engine",
    "EngineNetwork",
    "EngineSecurity",
    "EnvVar",
    "Host",
    "HostUser",
    "Listener",
    "Mount",
    "Namespaces",
    "NetworkAttachment",
    "Port",
    "Problem",
    "SecurityOptions",
    "Snapshot",
    "SocketFile",
]
