"""Which containers run an engine inside (Docker-in-Docker), and how it listens (not a technique itself)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from dindscope.models import Container

_HOST_FLAG = re.compile(r"(?:-H|--host)[= ]?(tcp://[^\s]*)")
_TRUE = ("1", "true", "yes", "on")


@dataclass(frozen=True)
class InnerListener:
    port: int
    tls: bool
    why: str


def runs_engine(c: Container) -> bool:
    cmd = " ".join(c.command)
    return "dind" in c.image.lower() or "dockerd" in cmd or "podman system service" in cmd


def inner_listeners(c: Container) -> list[InnerListener]:
    """The TCP listeners a DinD container's engine opens, judged from its command and env."""
    cmd = " ".join(c.command)
    certdir = c.env_value("DOCKER_TLS_CERTDIR")
    has_certdir_var = any(v.name == "DOCKER_TLS_CERTDIR" for v in c.env)
    hosts = _HOST_FLAG.findall(cmd)
    if hosts:
        tls_off = "--tls=false" in cmd or ("--tls" not in cmd and "--tlsverify" not in cmd and not certdir)
        out = []
        for url in hosts:
            port = urlsplit(url).port or 2375
            out.append(InnerListener(port, not tls_off, f"Config.Cmd contains -H {url}" +
                                     (" --tls=false" if "--tls=false" in cmd else "")))
        return out
    if has_certdir_var and certdir:
        return [InnerListener(2376, True, f"Config.Env DOCKER_TLS_CERTDIR={certdir} (TLS on 2376)")]
    if has_certdir_var:
        return [InnerListener(2375, False, "Config.Env DOCKER_TLS_CERTDIR= (empty: TLS off, plain 2375)")]
    return [InnerListener(2375, False, "no DOCKER_TLS_CERTDIR: dockerd listens on plain 2375")]


@dataclass(frozen=True)
class ClientTarget:
    host: str
    port: int
    url: str
    has_certs: bool


def client_target(c: Container) -> ClientTarget | None:
    """Where a container's DOCKER_HOST / CONTAINER_HOST points, if at a TCP engine."""
    for var in ("DOCKER_HOST", "CONTAINER_HOST"):
        url = c.client_settings.get(var) or c.env_value(var) or ""
        if not url.startswith(("tcp://", "http://", "https://")):
            continue
        parts = urlsplit(url)
        if not parts.hostname:
            continue
        verify = (c.client_settings.get("DOCKER_TLS_VERIFY") or c.env_value("DOCKER_TLS_VERIFY") or "").lower()
        certs = bool(c.client_settings.get("DOCKER_CERT_PATH") or c.env_value("DOCKER_CERT_PATH")
                     or c.client_settings.get("DOCKER_TLS_CERTDIR") or c.env_value("DOCKER_TLS_CERTDIR")
                     or verify in _TRUE)
        port = parts.port or (2376 if certs or parts.scheme == "https" else 2375)
        return ClientTarget(parts.hostname, port, f"{var}={parts.scheme}://{parts.hostname}:{port}", certs)
    return None


def names_of(c: Container, network: str) -> set[str]:
    """The names a peer on ``network`` can use for ``c``."""
    names = {c.name, c.id[:12], c.id}
    if c.hostname:
        names.add(c.hostname)
    for att in c.networks:
        if att.name == network:
            names.update(att.aliases)
            if att.ip_address:
                names.add(att.ip_address)
    return names
