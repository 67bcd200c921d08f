"""Indexes over a snapshot that techniques share while they add edges."""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass

import networkx as nx

from dindscope.graph import nodes
from dindscope.graph.edges import EdgeInfo, add_edge
from dindscope.graph.identity import Identity, identity_of
from dindscope.models import Container, Engine, Listener, Snapshot

_USER_RUN = re.compile(r"^/run/user/(\d+)/")
# Socket file names that identify an engine API even when the host scan did not list them.
KNOWN_SOCKET_NAMES: dict[str, str] = {
    "docker.sock": "docker",
    "podman.sock": "podman",
    "containerd.sock": "containerd",
    "crio.sock": "cri-o",
    "cri-dockerd.sock": "cri-dockerd",
    "buildkitd.sock": "buildkit",
}


@dataclass
class SocketInfo:
    path: str  # normalised host path
    kind: str  # docker, podman, containerd, cri-o, cri-dockerd, buildkit, other
    owner: str = ""
    owner_uid: int | None = None
    group: str = ""
    group_gid: int | None = None
    mode: int | None = None
    engine_key: str = ""
    user_uid: int | None = None  # /run/user/UID sockets: whose

    @property
    def rootless_uid(self) -> int | None:
        return self.user_uid

    def describe(self) -> str:
        parts = [self.path]
        if self.owner or self.group or self.mode is not None:
            mode = "" if self.mode is None else f"{self.mode:04o}"
            parts.append(f"({self.owner or '?'}:{self.group or '?'} {mode})".replace(" )", ")"))
        return " ".join(parts)


@dataclass
class TcpInfo:
    """A TCP endpoint on the host: an engine's listener, or a host port a DinD container publishes for the
    engine inside it (``container`` set, ``container_port`` the port it forwards to)."""

    node: str
    engine_key: str
    listener: Listener
    container: Container | None = None
    container_port: int = 0


class BuildContext:
    """The snapshot, the graph under construction and the lookups techniques need."""

    def __init__(self, snapshot: Snapshot, graph: nx.DiGraph) -> None:
        self.snapshot = snapshot
        self.graph = graph
        self.host = snapshot.host
        self.engines: dict[str, Engine] = {e.key: e for e in snapshot.engines}
        aliases = dict(snapshot.host.path_aliases)
        if snapshot.host.var_run_is_run:
            aliases.setdefault("/var/run", "/run")
        self.aliases = aliases
        self.sockets: dict[str, SocketInfo] = {}
        self.tcp: list[TcpInfo] = []
        self._identities: dict[int, Identity] = {}
        self._identity_by_key: dict[tuple, Identity] = {}
        self.memo: dict[tuple, object] = {}  # techniques' shared per-build memo (keys start with the technique id)
        self._norm: dict[str, str] = {}
        self._under: dict[str, list[SocketInfo]] = {}
        self._index_sockets()
        self._index_published_dind()

    def _index_published_dind(self) -> None:
        """Host ports that DinD containers publish for their inner engine's API (``-p 2375:2375``)."""
        from dindscope.techniques.dind_detect import inner_listeners, runs_engine

        for c in self.snapshot.containers:
            if not c.ports or c.namespaces.network == "host" or not runs_engine(c):
                continue
            for inner in inner_listeners(c):
                for port in c.ports:
                    if port.container_port != inner.port or port.protocol != "tcp" or not port.host_port:
                        continue
                    address = port.host_ip or "0.0.0.0"
                    listener = Listener(kind="tcp", address=address, port=port.host_port, tls=inner.tls,
                                        tls_verify=inner.tls, source=f"published by container {c.name}")
                    self.tcp.append(TcpInfo(nodes.published_port_id(address, port.host_port), c.engine, listener,
                                            c, inner.port))

    # -- paths -------------------------------------------------------------------
    def norm(self, path: str) -> str:
        """The host path with aliases resolved (/var/run/x -> /run/x), memoised."""
        done = self._norm.get(path)
        if done is None:
            done = self._norm[path] = self._normalise(path)
        return done

    def _normalise(self, path: str) -> str:
        path = posixpath.normpath(path or "/")
        if path.startswith("//"):
            path = "/" + path.lstrip("/")
        for alias, real in self.aliases.items():
            if path == alias or path.startswith(alias.rstrip("/") + "/"):
                path = real + path[len(alias):]
                break
        return path

    def _index_sockets(self) -> None:
        for f in self.host.socket_files:
            path = self.norm(f.real_path or f.path)
            info = self.sockets.setdefault(path, SocketInfo(path=path, kind=f.kind))
            info.kind = f.kind if info.kind == "other" else info.kind
            info.owner = f.owner or info.owner
            info.owner_uid = f.owner_uid if f.owner_uid is not None else info.owner_uid
            info.group = f.group or info.group
            info.group_gid = f.group_gid if f.group_gid is not None else info.group_gid
            info.mode = f.mode if f.mode is not None else info.mode
            info.engine_key = f.engine or info.engine_key
            if f.user_dir_uid is not None:
                info.user_uid = f.user_dir_uid
        for engine in self.snapshot.engines:
            for lis in engine.listeners:
                if lis.kind == "unix":
                    path = self.norm(lis.address)
                    info = self.sockets.setdefault(path, SocketInfo(path=path, kind=engine.kind))
                    info.engine_key = info.engine_key or engine.key
                    info.owner = info.owner or (lis.owner or "")
                    info.owner_uid = info.owner_uid if info.owner_uid is not None else lis.owner_uid
                    info.group = info.group or (lis.group or "")
                    info.group_gid = info.group_gid if info.group_gid is not None else lis.group_gid
                    info.mode = info.mode if info.mode is not None else lis.mode
                elif lis.kind == "tcp":
                    self.tcp.append(TcpInfo(nodes.tcp_endpoint_id(lis.address, lis.port), engine.key, lis))
        for info in self.sockets.values():
            m = _USER_RUN.match(info.path)
            if info.user_uid is None and m:
                info.user_uid = int(m.group(1))
            if info.group and info.group_gid is None:
                info.group_gid = self.host.groups.get(info.group)

    def socket_at(self, host_path: str) -> SocketInfo | None:
        """The socket at a host path: a known one, or one recognised by its well-known name."""
        path = self.norm(host_path)
        if path in self.sockets:
            return self.sockets[path]
        kind = KNOWN_SOCKET_NAMES.get(posixpath.basename(path))
        if kind is None:
            return None
        info = SocketInfo(path=path, kind=kind)
        m = _USER_RUN.match(path)
        if m:
            info.user_uid = int(m.group(1))
        self.sockets[path] = info
        self._under.clear()
        return info

    def sockets_under(self, host_dir: str) -> list[SocketInfo]:
        base = self.norm(host_dir)
        found = self._under.get(base)
        if found is None:
            prefix = "/" if base == "/" else base + "/"
            found = self._under[base] = [s for p, s in sorted(self.sockets.items()) if p.startswith(prefix)]
        return found

    # -- containers --------------------------------------------------------------
    def identity(self, container: Container) -> Identity:
        """The container's host identity; containers with the same user settings share one object."""
        ident = self._identities.get(id(container))
        if ident is None:
            key = (container.engine, container.user, tuple(container.group_add), container.namespaces.userns)
            ident = self._identity_by_key.get(key)
            if ident is None:
                ident = self._identity_by_key[key] = identity_of(container, self.engines.get(container.engine),
                                                                 self.host)
            self._identities[id(container)] = ident
        return ident

    def escape_target(self, container: Container) -> str:
        """Where escaping this container's isolation leads: host root, its rootless user, or a remapped uid."""
        ident = self.identity(container)
        engine = self.engines.get(container.engine)
        if engine is not None and engine.rootless:
            return self.ensure_user(engine.user, engine.uid)
        if ident.remapped:
            node = nodes.remapped_root_id(container.engine)
            name = f"remapped root of {engine.label if engine else container.engine} (unprivileged host uid)"
            self.ensure(node, "user", name)
            return node
        return nodes.HOST_ROOT

    # -- graph helpers -----------------------------------------------------------
    def ensure(self, node: str, kind: str, name: str, **attrs: object) -> str:
        if node not in self.graph:
            self.graph.add_node(node, kind=kind, name=name, **attrs)
        return node

    def ensure_user(self, name: str, uid: int | None = None) -> str:
        node = nodes.user_id(name) if name else nodes.uid_user_id(uid if uid is not None else -1)
        label = name or f"uid {uid}"
        return self.ensure(node, "user", label, uid=uid)

    def user_node_for_uid(self, uid: int) -> str:
        for user in self.host.users:
            if user.uid == uid:
                return self.ensure_user(user.name, uid)
        if uid == 0:
            return nodes.HOST_ROOT
        for engine in self.snapshot.engines:
            if engine.rootless and engine.uid == uid:
                return self.ensure_user(engine.user, uid)
        return self.ensure_user("", uid)

    def add(self, source: str, target: str, technique: str, explanation: str, evidence: tuple[str, ...] | list[str],
            cost: float, enablers: tuple[str, ...] = ()) -> None:
        add_edge(self.graph, source, target, EdgeInfo(technique, explanation, tuple(evidence), cost, enablers))


def container_node(container: Container) -> str:
    return nodes.container_id(container.engine, container.id)
