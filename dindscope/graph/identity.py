"""Who a container's processes are on the host, judged as the kernel would.

* rootful engine, no user namespace: container uid 0 is host uid 0;
* rootful engine with userns-remap (or podman ``--userns=auto``): container root
  is an unprivileged subordinate uid, unless the container runs ``--userns=host``;
* rootless engine: container root is the engine's user; other container uids
  are subordinate uids that own nothing on the host.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from dindscope.models import Container, Engine, Host

PRIVATE_USERNS = ("auto", "private", "keep-id", "nomap", "ns:")


@dataclass(frozen=True)
class Identity:
    uid: int | None  # host uid of the container's main process, None if unknown/unprivileged
    gids: frozenset[int] = field(default_factory=frozenset)
    root_in_container: bool = True
    maps_to_host_root: bool = False  # container root is host root
    rootless_user: str = ""  # engine user when the engine is rootless
    remapped: bool = False
    evidence: tuple[str, ...] = ()


def parse_user(spec: str, host: Host) -> tuple[int | None, int | None, bool]:
    """(uid, gid, is_root) from a ``Config.User`` value."""
    user, _, group = spec.strip().partition(":")
    if user in ("", "0", "root"):
        uid: int | None = 0
    elif user.isdigit():
        uid = int(user)
    else:
        uid = None  # a name from the image's /etc/passwd: not root, uid unknown
    gid: int | None = None
    if group.isdigit():
        gid = int(group)
    elif group:
        gid = host.groups.get(group)
    elif uid == 0:
        gid = 0
    return uid, gid, uid == 0


def _group_gids(names: list[str], host: Host) -> set[int]:
    gids: set[int] = set()
    for name in names:
        if name.isdigit():
            gids.add(int(name))
        elif name in host.groups:
            gids.add(host.groups[name])
    return gids


def is_remapped(container: Container, engine: Engine | None) -> bool:
    userns = container.namespaces.userns
    if userns == "host":
        return False
    if engine is not None and engine.security.userns_remap:
        return True
    return any(userns.startswith(p) for p in PRIVATE_USERNS)


def identity_of(container: Container, engine: Engine | None, host: Host) -> Identity:
    uid, gid, is_root = parse_user(container.user, host)
    user_text = container.user or "(image default: root)"
    evidence = [f"Config.User={user_text}"]
    if engine is not None and engine.rootless:
        evidence.append(f"engine is rootless as user {engine.user} (uid {engine.uid})")
        if not is_root:
            return Identity(None, frozenset(), False, False, engine.user, False, tuple(evidence))
        gids: set[int] = set()
        host_user = host.user(engine.user)
        if host_user is not None:
            gids.add(host_user.gid)
            if "keep-groups" in container.group_add:
                gids |= _group_gids(host_user.groups, host)
                evidence.append("HostConfig.GroupAdd=keep-groups")
        return Identity(engine.uid, frozenset(gids), True, False, engine.user, False, tuple(evidence))
    if is_remapped(container, engine):
        evidence.append(f"user namespace remapped (HostConfig.UsernsMode={container.namespaces.userns or 'default'})")
        return Identity(None, frozenset(), is_root, False, "", True, tuple(evidence))
    gids = _group_gids(container.group_add, host)
    if gid is not None:
        gids.add(gid)
    if container.group_add:
        evidence.append(f"HostConfig.GroupAdd={','.join(container.group_add)}")
    return Identity(uid, frozenset(gids), is_root, is_root, "", False, tuple(evidence))


def may_connect(uid: int | None, gids: frozenset[int], owner_uid: int | None, group_gid: int | None,
                mode: int | None) -> bool | None:
    """Whether a process may connect to a unix socket (needs write permission). None: cannot tell."""
    if uid == 0:
        return True  # CAP_DAC_OVERRIDE, or the owner of a root-owned socket
    if mode is None:
        return None
    if uid is not None and owner_uid is not None and uid == owner_uid:
        return bool(mode & 0o200)
    if group_gid is not None and group_gid in gids:
        return bool(mode & 0o020)
    return bool(mode & 0o002)
