"""Node ids and kinds of the attack graph.

Every node carries ``kind`` (one of :data:`NODE_KINDS`) and ``name`` (what a
person reads). Ids are built here and nowhere else so that techniques, the path
search and the reports agree on them.
"""

from __future__ import annotations

from typing import Literal

NodeKind = Literal["host", "engine", "endpoint", "container", "path", "device", "user", "network"]
NODE_KINDS: tuple[str, ...] = ("host", "engine", "endpoint", "container", "path", "device", "user", "network")

HOST_ROOT = "goal:host-root"
HOST_WRITE = "goal:host-write"
HOST_READ = "goal:host-read"
GOALS: tuple[str, ...] = (HOST_ROOT, HOST_WRITE, HOST_READ)
GOAL_IMPACT: dict[str, str] = {HOST_ROOT: "host-root", HOST_WRITE: "host-write", HOST_READ: "host-read"}
GOAL_NAMES: dict[str, str] = {
    HOST_ROOT: "host root",
    HOST_WRITE: "host write (sensitive host files)",
    HOST_READ: "host read (sensitive host files)",
}


def engine_id(engine_key: str) -> str:
    return f"engine:{engine_key}"


def inner_engine_id(engine_key: str, container_id: str) -> str:
    return f"engine:inner:{engine_key}:{container_id}"


def container_id(engine_key: str, cid: str) -> str:
    return f"container:{engine_key}:{cid}"


def unix_endpoint_id(path: str) -> str:
    return f"endpoint:unix:{path}"


def tcp_endpoint_id(address: str, port: int | None) -> str:
    return f"endpoint:tcp:{address}:{port}"


PUBLISHED_SUFFIX = "/dind"


def published_port_id(address: str, port: int) -> str:
    """A host port a DinD container publishes for its inner engine (``-p 2375:2375``)."""
    return f"endpoint:tcp:{address}:{port}{PUBLISHED_SUFFIX}"


def dind_endpoint_id(engine_key: str, cid: str, port: int) -> str:
    return f"endpoint:dind:{engine_key}:{cid}:{port}"


def path_id(host_path: str, writable: bool) -> str:
    return f"path:{host_path}:{'rw' if writable else 'ro'}"


def device_id(host_path: str, writable: bool) -> str:
    return f"device:{host_path}:{'rw' if writable else 'ro'}"


def user_id(name: str) -> str:
    return f"user:{name}"


def uid_user_id(uid: int) -> str:
    return f"user:uid:{uid}"


def remapped_root_id(engine_key: str) -> str:
    return f"user:remapped:{engine_key}"


def network_id(engine_key: str, name: str) -> str:
    return f"network:{engine_key}:{name}"


def kind_of(node: str) -> str:
    """The kind of a node from its id alone (``goal:*`` nodes are of kind ``host``)."""
    prefix = node.split(":", 1)[0]
    return "host" if prefix == "goal" else prefix
