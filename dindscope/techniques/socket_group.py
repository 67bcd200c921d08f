"""socket-group-member: a host user whose groups (or ownership) the socket's mode lets connect."""

from __future__ import annotations

from dindscope.graph import nodes
from dindscope.graph.context import BuildContext
from dindscope.graph.identity import may_connect
from dindscope.techniques.base import Technique


def _apply(ctx: BuildContext) -> None:
    for user in ctx.host.users:
        if user.uid == 0:
            continue
        gids = {user.gid} | {ctx.host.groups[g] for g in user.groups if g in ctx.host.groups}
        for sock in ctx.sockets.values():
            if sock.mode is None:
                continue
            owner = sock.owner_uid is not None and sock.owner_uid == user.uid
            in_group = sock.group_gid is not None and sock.group_gid in gids
            if not (owner or in_group) or not may_connect(user.uid, frozenset(gids), sock.owner_uid,
                                                          sock.group_gid, sock.mode):
                continue
            if owner:
                why = f"{user.name} owns the socket"
                fact = f"socket owner {sock.owner or sock.owner_uid} = {user.name} (uid {user.uid})"
            else:
                why = f"{user.name} is in group {sock.group or sock.group_gid}, which the socket's mode lets connect"
                fact = f"id {user.name}: groups={','.join(user.groups)}"
            node = nodes.unix_endpoint_id(sock.path)
            ctx.ensure(node, "endpoint", f"unix://{sock.path}")
            ctx.add(ctx.ensure_user(user.name, user.uid), node, TECHNIQUE.id, why,
                    (fact, f"host socket {sock.describe()}"), TECHNIQUE.cost)


TECHNIQUE = Technique(
    id="socket-group-member",
    title="Host user in the group that owns an engine socket",
    kind="access",
    needs="A host user who owns an engine socket or is in its group (e.g. `docker`) with group write in its mode.",
    gains="The engine API: for a rootful engine, the user is root-equivalent.",
    evidence="The user's groups (/etc/group), the socket's owner, group and mode.",
    remediations=("socket-group/remove-user", "engine/rootless"),
    cost=0.3,
    references=("https://docs.docker.com/engine/install/linux-postinstall/",),
    apply=_apply,
)
