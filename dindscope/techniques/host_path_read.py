"""host-path-read: a sensitive host path bind-mounted read-only."""

from __future__ import annotations

from dindscope.graph import nodes
from dindscope.graph.context import BuildContext, container_node
from dindscope.techniques.base import Technique, evidence_mount
from dindscope.techniques.host_path_write import host_root_writer
from dindscope.techniques.sensitive_paths import classify


def _apply(ctx: BuildContext) -> None:
    for c in ctx.snapshot.containers:
        for m in c.mounts:
            if m.type != "bind" or not m.read_only or not m.source:
                continue
            path = ctx.norm(m.source)
            sens = classify(path)
            if sens is None or not sens.read_sensitive:
                continue
            usable, extra, enablers, evidence = host_root_writer(ctx, c)
            if not usable:
                continue
            node = nodes.path_id(path, False)
            ctx.ensure(node, "path", f"{path} (read-only)")
            ctx.add(container_node(c), node, TECHNIQUE.id, f"host {path} is readable at {m.destination}",
                    (evidence_mount(m.source, m.destination, True), *evidence), 0.2 + extra, enablers)
            ctx.add(node, nodes.HOST_READ, TECHNIQUE.id, f"read {sens.why}", (f"{path}: {sens.why}",), 0.5)


TECHNIQUE = Technique(
    id="host-path-read",
    title="Sensitive host path mounted read-only",
    kind="exposure",
    needs="A read-only bind mount of a sensitive host path (see host-path-write) for a process that is host root.",
    gains="Host read: password hashes, keys, other containers' files.",
    evidence="Mounts[].Source/Destination/RW, Config.User.",
    remediations=("host-path/remove",),
    cost=0.7,
    apply=_apply,
)
