"""Facts about an engine's unix socket file, shared by the Docker and Podman collectors.

Who owns it, which group may use it, its permission bits, and when access is
refused, which directory on the way is the one in the way. Nothing here connects.
"""

from __future__ import annotations

import grp
import os
import pwd
import stat
import urllib.parse
from dataclasses import dataclass

from dindscope.models import Listener


def socket_path(url: str) -> str | None:
    """The socket path of a ``unix://`` (or ``http+unix://``, percent-encoded) URL, else None."""
    if url.startswith("unix://"):
        return url[len("unix://"):]
    if url.startswith("http+unix://"):
        return urllib.parse.unquote(url[len("http+unix://"):])
    return None


def user_name(uid: int) -> str | None:
    """The login name of ``uid``, or None when the host does not know it."""
    try:
        return pwd.getpwuid(uid).pw_name
    except (KeyError, OverflowError):
        return None


def group_name(gid: int) -> str | None:
    """The name of group ``gid``, or None when the host does not know it."""
    try:
        return grp.getgrgid(gid).gr_name
    except (KeyError, OverflowError):
        return None


def unix_listener(path: str) -> Listener | None:
    """The socket file as a listener, with its owner, group and permission bits; None if it cannot be seen.

    Unknown owner or group names stay None (a fix must never name a group that does not exist).
    """
    try:
        st = os.stat(path)
    except OSError:
        return None
    return Listener(kind="unix", address=path, owner=user_name(st.st_uid), owner_uid=st.st_uid,
                    group=group_name(st.st_gid), group_gid=st.st_gid, mode=stat.S_IMODE(st.st_mode),
                    source="connected")


@dataclass(frozen=True)
class Blocker:
    """What stands between this process and a socket it may not use.

    ``path`` is the socket itself, or the first directory on the way that this
    process may not search (a private ``/run/user/UID``, say).
    """

    socket: str
    path: str
    owner: str
    group: str
    uid: int
    gid: int
    mode: int

    @property
    def is_socket(self) -> bool:
        return self.path == self.socket

    @property
    def group_usable(self) -> bool:
        """The socket grants read and write to a non-root group: joining it would give access."""
        return self.is_socket and self.mode & 0o060 == 0o060 and self.gid != 0


def find_blocker(path: str) -> Blocker | None:
    """The socket or the first unsearchable directory above it, with its owner, group and mode.

    None when even that cannot be looked at.
    """
    blocker, parts = path, path.strip("/").split("/")
    for i in range(1, len(parts)):
        prefix = "/" + "/".join(parts[:i])
        if not os.access(prefix, os.X_OK):
            blocker = prefix
            break
    try:
        st = os.stat(blocker)
    except OSError:
        return None
    return Blocker(socket=path, path=blocker, owner=user_name(st.st_uid) or f"uid{st.st_uid}",
                   group=group_name(st.st_gid) or f"gid{st.st_gid}", uid=st.st_uid, gid=st.st_gid,
                   mode=stat.S_IMODE(st.st_mode))
