"""dind-tcp-peer: any container on a DinD container's network can reach its plain TCP engine API."""

from __future__ import annotations

from dindscope.graph import nodes
from dindscope.graph.context import BuildContext
from dindscope.techniques.base import Technique
from dindscope.techniques.dind_client import inner_endpoint
from dindscope.techniques.dind_detect import inner_listeners, runs_engine

DEFAULT_NETWORKS = ("bridge", "podman")


def _apply(ctx: BuildContext) -> None:
    for d in ctx.snapshot.containers:
        if not runs_engine(d) or d.namespaces.network == "host":
            continue
        for lis in inner_listeners(d):
            if lis.tls:
                continue
            for att in d.networks:
                net = nodes.network_id(d.engine, att.name)
                if net not in ctx.graph:
                    continue
                shown = att.aliases[0] if att.aliases else (att.ip_address or d.name)
                ep = inner_endpoint(ctx, d, lis.port, False, lis.why, shown)
                default = att.name in DEFAULT_NETWORKS
                ctx.add(net, ep, TECHNIQUE.id,
                        f"{d.name} serves a plain engine API on {att.name}"
                        + (" (found by scanning the subnet)" if default else f" as {shown}"),
                        (f"{d.name} image={d.image}", f"NetworkSettings.Networks.{att.name}.IPAddress="
                         f"{att.ip_address or '?'}", lis.why), TECHNIQUE.cost + (1.5 if default else 0.0))


TECHNIQUE = Technique(
    id="dind-tcp-peer",
    title="Docker-in-Docker engine reachable by network peers",
    kind="access",
    needs="A container running an engine (docker:dind) that listens on TCP without TLS, and other containers on "
          "one of its networks (on the default bridge they find it by scanning the subnet).",
    gains="Every peer on that network controls the inner engine, hence the DinD container.",
    evidence="The DinD container's image, DOCKER_TLS_CERTDIR and command; its networks and addresses.",
    remediations=("dind/tls", "dind/sysbox"),
    cost=1.5,
    apply=_apply,
)
