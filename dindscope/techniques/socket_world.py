"""socket-world-access: an engine socket whose mode lets any local user connect."""

from __future__ import annotations

from dindscope.graph import nodes
from dindscope.graph.context import BuildContext
from dindscope.techniques.base import Technique

ANY_USER = "user:*"


def _apply(ctx: BuildContext) -> None:
    for sock in ctx.sockets.values():
        if sock.mode is None or not sock.mode & 0o002:
            continue
        node = nodes.unix_endpoint_id(sock.path)
        ctx.ensure(node, "endpoint", f"unix://{sock.path}")
        ctx.ensure(ANY_USER, "user", "any local user")
        ctx.add(ANY_USER, node, TECHNIQUE.id, f"socket mode {sock.mode:04o} lets every local user connect",
                (f"host socket {sock.describe()}",), TECHNIQUE.cost)


TECHNIQUE = Technique(
    id="socket-world-access",
    title="Engine socket writable by every user",
    kind="access",
    needs="An engine socket whose mode grants write to others (o+w, e.g. 0666).",
    gains="The engine API for every local user and for any container process that can see the socket.",
    evidence="The socket's mode.",
    remediations=("socket-mode/restrict",),
    cost=0.3,
    apply=_apply,
)
