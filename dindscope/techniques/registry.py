"""Every technique, in the order they add edges (nodes the later ones link must exist first)."""

from __future__ import annotations

from dindscope.techniques import (
    cap_dac_read_search,
    cap_dangerous,
    cap_sys_admin,
    cap_sys_module,
    cap_sys_ptrace,
    devices,
    dind_client,
    dind_peer,
    dind_published,
    enablers,
    engine_api,
    engine_control,
    host_network,
    host_path_read,
    host_path_write,
    network_reach,
    privileged,
    privileged_host_pid,
    proc_sys,
    socket_group,
    socket_mount,
    socket_parent_mount,
    socket_world,
    sys_uevent,
)
from dindscope.techniques.base import Technique

ALL: tuple[Technique, ...] = (
    socket_mount.TECHNIQUE,
    socket_parent_mount.TECHNIQUE,
    socket_group.TECHNIQUE,
    socket_world.TECHNIQUE,
    network_reach.ATTACH,
    network_reach.EXPOSED,
    host_network.TECHNIQUE,
    dind_client.TECHNIQUE,
    dind_peer.TECHNIQUE,
    dind_published.PUBLISHED,
    dind_published.LOCAL_USERS,
    dind_client.INNER,
    engine_api.TECHNIQUE,
    engine_control.TECHNIQUE,
    engine_control.ROOTLESS,
    engine_control.USER_FILES,
    privileged.TECHNIQUE,
    privileged_host_pid.TECHNIQUE,
    cap_sys_module.TECHNIQUE,
    cap_sys_admin.TECHNIQUE,
    cap_sys_ptrace.TECHNIQUE,
    cap_dac_read_search.TECHNIQUE,
    cap_dangerous.TECHNIQUE,
    devices.TECHNIQUE,
    host_path_write.TECHNIQUE,
    host_path_read.TECHNIQUE,
    proc_sys.TECHNIQUE,
    sys_uevent.TECHNIQUE,
    *enablers.ENABLERS,
)
BY_ID: dict[str, Technique] = {t.id: t for t in ALL}


def get(technique_id: str) -> Technique | None:
    return BY_ID.get(technique_id)


def ordered() -> list[Technique]:
    """Techniques that add edges, in application order."""
    return [t for t in ALL if t.apply is not None]
