"""dind-client-settings: a job's DOCKER_HOST points at another container's engine (nested Docker-in-Docker)."""

from __future__ import annotations

from dindscope.graph import nodes
from dindscope.graph.context import BuildContext, container_node
from dindscope.models import Container
from dindscope.techniques.base import Technique
from dindscope.techniques.dind_detect import client_target, inner_listeners, names_of, runs_engine


def inner_endpoint(ctx: BuildContext, d: Container, port: int, tls: bool, why: str, shown_as: str) -> str:
    """The endpoint and inner engine of DinD container ``d``, linked to ``d`` itself."""
    ep = nodes.dind_endpoint_id(d.engine, d.id, port)
    ctx.ensure(ep, "endpoint", f"tcp://{shown_as}:{port} ({'TLS' if tls else 'TLS off'}) in {d.name}")
    inner = nodes.inner_engine_id(d.engine, d.id)
    ctx.ensure(inner, "engine", f"docker engine inside {d.name} (tcp://{shown_as}:{port})")
    ctx.add(ep, inner, "engine-api", f"plain API of the engine running inside {d.name}" if not tls
            else f"TLS API of the engine inside {d.name}", (why,), 0.2)
    ctx.add(inner, container_node(d), INNER.id,
            f"the inner engine runs as root inside {d.name}: its clients run code with {d.name}'s privileges",
            (f"{d.name} image={d.image}", _runs_what(d)), INNER.cost)
    return ep


def _runs_what(d: Container) -> str:
    cmd = " ".join(d.command)
    if "dockerd" in cmd:
        return "Config.Cmd starts dockerd"
    if "podman system service" in cmd:
        return "Config.Cmd starts podman system service"
    return "image is a Docker-in-Docker image" if "dind" in d.image.lower() else "a client's DOCKER_HOST points here"


def _apply(ctx: BuildContext) -> None:
    jobs = [(job, target) for job in ctx.snapshot.containers if (target := client_target(job)) is not None]
    if not jobs:
        return
    # (engine, network) -> the host names jobs there point at; only those names are indexed
    wanted: dict[tuple[str, str], set[str]] = {}
    for job, target in jobs:
        for net in job.networks:
            wanted.setdefault((job.engine, net.name), set()).add(target.host)
    # (engine, network) -> name a peer may use -> containers answering to it
    names: dict[tuple[str, str], dict[str, list[Container]]] = {}
    for c in ctx.snapshot.containers:
        for att in c.networks:
            hosts = wanted.get((c.engine, att.name))
            if not hosts:
                continue
            table = names.setdefault((c.engine, att.name), {})
            for name in hosts.intersection(names_of(c, att.name)):
                table.setdefault(name, []).append(c)
    for job, target in jobs:
        for net in job.networks:
            for d in names.get((job.engine, net.name), {}).get(target.host, []):
                if d.id == job.id:
                    continue
                for lis in inner_listeners(d):
                    if lis.port != target.port or (lis.tls and not target.has_certs):
                        continue
                    if not runs_engine(d) and target.port not in (2375, 2376):
                        continue
                    ep = inner_endpoint(ctx, d, lis.port, lis.tls, lis.why, target.host)
                    facts = [f"Config.Env {target.url}", f"{d.name} on network {net.name} as {target.host}", lis.why]
                    if lis.tls:
                        facts.append("the job holds the TLS client material (DOCKER_CERT_PATH/DOCKER_TLS_VERIFY)")
                    ctx.add(container_node(job), ep, TECHNIQUE.id,
                            f"client settings point at the engine in {d.name} ({target.host}:{target.port})",
                            tuple(facts), TECHNIQUE.cost)


TECHNIQUE = Technique(
    id="dind-client-settings",
    title="Client settings point at a Docker-in-Docker engine",
    kind="access",
    needs="A container whose DOCKER_HOST/CONTAINER_HOST is tcp://<name or alias>:<port> of another container on a "
          "shared network that runs an engine, listening without TLS (or with TLS, when the job holds the client "
          "certificates).",
    gains="Control of the inner engine, hence of the DinD container it runs in.",
    evidence="Config.Env DOCKER_HOST, NetworkSettings.Networks[].Aliases, the DinD container's DOCKER_TLS_CERTDIR "
             "and command line.",
    remediations=("dind/tls", "dind/sysbox", "dind/rootless", "socket-mount/kaniko"),
    cost=0.3,
    apply=_apply,
)

INNER = Technique(
    id="dind-inner-engine",
    title="Engine inside a container",
    kind="escape",
    needs="Control of an engine that runs inside a container (docker:dind).",
    gains="Root inside that container with all its privileges: its own escapes (e.g. privileged) follow.",
    evidence="The DinD container's image and command.",
    remediations=("dind/sysbox", "dind/rootless"),
    cost=0.5,
)
