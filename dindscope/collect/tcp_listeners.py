"""TCP API listeners of an engine that are not the socket dindscope used.

Three sources: ``/etc/docker/daemon.json`` ``hosts``; the command lines of the
engine processes under ``/proc`` (``dockerd -H tcp://...``, ``podman system
service tcp:...``); and a ``GET /_ping`` probe of 127.0.0.1 and the engine's
bridge gateways on 2375/2376. The probe tells plain HTTP from TLS, and whether
TLS wants a client certificate. Only GET requests are ever sent.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlparse

from dindscope.models import Engine, Listener

if TYPE_CHECKING:
    import ssl

DAEMON_JSON = "/etc/docker/daemon.json"
PROBE_PORTS = (2375, 2376)
MAX_GATEWAYS = 16


@dataclass
class ProbeAnswer:
    tls: bool
    tls_verify: bool | None
    kind: str  # docker, podman, "" when it cannot be told
    identity: str = ""  # docker engine ID or podman graphRoot, when readable


def parse_host_url(value: str, tls: bool | None) -> tuple[str, int] | None:
    """``tcp://0.0.0.0:2375`` / ``tcp:127.0.0.1:8080`` / ``tcp://:2376`` -> (address, port); None if not TCP."""
    value = value.strip()
    if value.startswith("tcp:") and not value.startswith("tcp://"):
        value = "tcp://" + value[4:]
    if not value.startswith(("tcp://", "http://", "https://")):
        return None
    parsed = urlparse(value)
    try:
        port = parsed.port
    except ValueError:
        return None
    if port is None:
        port = 2376 if tls or parsed.scheme == "https" else 2375
    return parsed.hostname or "0.0.0.0", port


def _truthy(value: object) -> bool:
    return value is True or (isinstance(value, str) and value.lower() in ("1", "true", "yes"))


def from_daemon_json(path: str = DAEMON_JSON) -> list[Listener]:
    """TCP ``hosts`` in a dockerd daemon.json (missing or malformed file: none)."""
    try:
        with open(path, encoding="utf-8") as fh:
            config = json.load(fh)
    except (OSError, ValueError):
        return []
    if not isinstance(config, dict):
        return []
    verify = _truthy(config.get("tlsverify"))
    tls = verify or _truthy(config.get("tls"))
    hosts = config.get("hosts") or []
    out = []
    for host in hosts if isinstance(hosts, list) else []:
        parsed = parse_host_url(str(host), tls)
        if parsed:
            out.append(Listener(kind="tcp", address=parsed[0], port=parsed[1], tls=tls, tls_verify=verify,
                                source="daemon.json"))
    return out


def parse_dockerd_args(argv: Sequence[str]) -> list[Listener]:
    """``dockerd -H tcp://... --tlsverify`` -> listeners (``-H x``, ``-Hx``, ``--host=x``, ``-H=x``)."""
    hosts: list[str] = []
    tls = verify = False
    args = list(argv[1:])
    i = 0
    while i < len(args):
        arg = args[i]
        if arg in ("-H", "--host") and i + 1 < len(args):
            hosts.append(args[i + 1])
            i += 1
        elif arg.startswith(("--host=", "-H=")):
            hosts.append(arg.split("=", 1)[1])
        elif arg.startswith("-H") and not arg.startswith("--"):
            hosts.append(arg[2:])
        elif arg.split("=", 1)[0] == "--tlsverify":
            verify = not arg.endswith(("=false", "=0"))
        elif arg.split("=", 1)[0] == "--tls":
            tls = not arg.endswith(("=false", "=0"))
        i += 1
    tls = tls or verify
    out = []
    for host in hosts:
        parsed = parse_host_url(host, tls)
        if parsed:
            out.append(Listener(kind="tcp", address=parsed[0], port=parsed[1], tls=tls, tls_verify=verify,
                                source="cmdline"))
    return out


def parse_podman_service_args(argv: Sequence[str]) -> list[Listener]:
    """``podman [opts] system service [--time=0] tcp:HOST:PORT`` -> listeners (plain HTTP: Podman has no TLS)."""
    words = [a for a in argv]
    try:
        start = words.index("service", words.index("system"))
    except ValueError:
        return []
    out = []
    for arg in words[start + 1:]:
        if arg.startswith("-"):
            continue
        parsed = parse_host_url(arg, False)
        if parsed:
            out.append(Listener(kind="tcp", address=parsed[0], port=parsed[1], tls=False, tls_verify=False,
                                source="cmdline"))
    return out


def engine_processes(kind: str, uid: int | None, proc_root: str = "/proc") -> list[list[str]]:
    """argv of every process that is a ``kind`` engine (run by ``uid`` when given)."""
    found = []
    try:
        pids = [p for p in os.listdir(proc_root) if p.isdigit()]
    except OSError:
        return []
    for pid in pids:
        try:
            with open(f"{proc_root}/{pid}/cmdline", "rb") as fh:
                argv = [a.decode(errors="replace") for a in fh.read().split(b"\0") if a]
            owner = os.stat(f"{proc_root}/{pid}").st_uid
        except OSError:
            continue
        if not argv or (uid is not None and owner != uid):
            continue
        prog = os.path.basename(argv[0])
        is_dockerd = kind == "docker" and prog == "dockerd"
        is_podman_service = kind == "podman" and prog == "podman" and "system" in argv and "service" in argv
        if is_dockerd or is_podman_service:
            found.append(argv)
    return found


def from_processes(engine: Engine, proc_root: str = "/proc") -> list[Listener]:
    out: list[Listener] = []
    uid = engine.uid if engine.rootless else 0
    for argv in engine_processes(engine.kind, uid, proc_root):
        out.extend(parse_dockerd_args(argv) if engine.kind == "docker" else parse_podman_service_args(argv))
    return out


# --- probing ------------------------------------------------------------------------------------


def _http_get(sock: socket.socket, path: str, timeout: float) -> bytes:
    sock.settimeout(timeout)
    sock.sendall(f"GET {path} HTTP/1.0\r\nHost: localhost\r\nUser-Agent: dindscope (read-only)\r\n\r\n".encode())
    chunks = []
    total = 0
    while total < 1 << 20:
        data = sock.recv(65536)
        if not data:
            break
        chunks.append(data)
        total += len(data)
    return b"".join(chunks)


def _split_response(raw: bytes) -> tuple[str, dict[str, str], bytes]:
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return lines[0] if lines else "", headers, body


def _kind_from_headers(headers: dict[str, str]) -> str:
    if "libpod-api-version" in headers or "libpod" in headers.get("server", "").lower():
        return "podman"
    if "api-version" in headers or "docker" in headers.get("server", "").lower():
        return "docker"
    return ""


def _identity(connect: Callable[[], socket.socket], kind: str, timeout: float) -> str:
    path = "/info" if kind == "docker" else "/v4.0.0/libpod/info"
    try:
        with connect() as sock:
            _, _, body = _split_response(_http_get(sock, path, timeout))
        info = json.loads(body)
    except (OSError, ValueError):  # ssl.SSLError is an OSError
        return ""
    if kind == "docker":
        return str(info.get("ID") or "")
    return str(((info.get("store") or {}).get("graphRoot")) or "")


def _alert(exc: ssl.SSLError) -> bool:
    """A TLS alert from the server (bad/required certificate, handshake failure), not a non-TLS peer."""
    return "ALERT" in f"{exc.reason or ''} {exc}".upper()


def probe_endpoint(address: str, port: int, timeout: float = 1.0) -> ProbeAnswer | None:
    """GET /_ping at address:port, plain then TLS; None when nothing that looks like an engine API answers.

    A TLS listener that drops or alerts a client without a certificate is reported as
    ``tls_verify=True`` (its identity cannot be read).
    """

    def plain() -> socket.socket:
        return socket.create_connection((address, port), timeout=timeout)

    try:
        sock = plain()
    except OSError:
        return None  # refused, unreachable, filtered: no listener
    raw = b""
    with sock, contextlib.suppress(OSError):
        raw = _http_get(sock, "/_ping", timeout)
    if raw.startswith(b"HTTP/") and b"HTTPS server" not in raw:
        _, headers, body = _split_response(raw)
        kind = _kind_from_headers(headers)
        if not kind and body.strip() != b"OK":
            return None
        kind = kind or "docker"
        return ProbeAnswer(tls=False, tls_verify=False, kind=kind, identity=_identity(plain, kind, timeout))
    import ssl  # only when something listens and does not speak plain HTTP

    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE

    def secure() -> socket.socket:
        return context.wrap_socket(plain(), server_hostname=address)

    try:
        tls_sock = secure()
    except ssl.SSLError as exc:
        return ProbeAnswer(tls=True, tls_verify=True, kind="") if _alert(exc) else None
    except OSError:
        return None
    try:
        with tls_sock:
            raw = _http_get(tls_sock, "/_ping", timeout)
    except (ssl.SSLError, ConnectionResetError, BrokenPipeError):
        return ProbeAnswer(tls=True, tls_verify=True, kind="")  # handshake done, then refused: no client cert
    except OSError:
        return ProbeAnswer(tls=True, tls_verify=None, kind="")
    if not raw:
        return ProbeAnswer(tls=True, tls_verify=True, kind="")
    if not raw.startswith(b"HTTP/"):
        return None
    _, headers, body = _split_response(raw)
    kind = _kind_from_headers(headers) or ("docker" if body.strip() == b"OK" else "")
    if not kind:
        return None
    return ProbeAnswer(tls=True, tls_verify=False, kind=kind, identity=_identity(secure, kind, timeout))


def probe_targets(engine: Engine, hosts: Sequence[str] | None = None) -> list[str]:
    if hosts is not None:
        return list(hosts)
    targets = ["127.0.0.1"]
    for network in engine.networks:
        if network.driver == "bridge":
            for gateway in network.gateways:
                if gateway not in targets and ":" not in gateway:
                    targets.append(gateway)
    return targets[: MAX_GATEWAYS + 1]


def _belongs(engine: Engine, answer: ProbeAnswer, port: int) -> bool:
    if answer.kind and answer.kind != engine.kind:
        return False
    if answer.identity:
        return answer.identity in (engine.engine_id, engine.data_root)
    # TLS with client certificates: the answer cannot be attributed; Docker's TLS port goes to rootful Docker.
    return engine.kind == "docker" and not engine.rootless and port == 2376


def from_probe(engine: Engine, hosts: Sequence[str] | None = None, ports: Sequence[int] = PROBE_PORTS,
               timeout: float = 1.0) -> list[Listener]:
    out = []
    for host in probe_targets(engine, hosts):
        for port in ports:
            answer = probe_endpoint(host, port, timeout)
            if answer is not None and _belongs(engine, answer, port):
                out.append(Listener(kind="tcp", address=host, port=port, tls=answer.tls,
                                    tls_verify=answer.tls_verify, source="probe"))
    return out


def _covers(bound: str, probed: str) -> bool:
    return bound == probed or bound in ("0.0.0.0", "::", "")


def merge_listeners(existing: Iterable[Listener], found: Iterable[Listener]) -> list[Listener]:
    """Add listeners not already known; a probed address covered by a known 0.0.0.0 bind is folded in."""
    merged = list(existing)
    for new in found:
        same = None
        for old in merged:
            if old.kind != new.kind or old.port != new.port:
                continue
            if old.kind == "unix":
                matches = old.address == new.address
            else:
                matches = _covers(old.address, new.address) or _covers(new.address, old.address)
            if matches:
                same = old
                break
        if same is None:
            merged.append(new)
        elif new.source == "probe":
            # what the wire says beats what the configuration claims
            same.tls = new.tls if new.tls is not None else same.tls
            same.tls_verify = new.tls_verify if new.tls_verify is not None else same.tls_verify
            if new.address != same.address and not _covers(same.address, new.address):
                merged.append(new)
    return merged


def find_tcp_listeners(engine: Engine, *, probe: bool = True, timeout: float = 1.0,
                       daemon_json: str = DAEMON_JSON, proc_root: str = "/proc",
                       hosts: Sequence[str] | None = None, ports: Sequence[int] = PROBE_PORTS) -> list[Listener]:
    """Every TCP API listener of ``engine`` that configuration, processes or a probe reveal."""
    found: list[Listener] = []
    if engine.kind == "docker" and not engine.rootless:
        found = merge_listeners(found, from_daemon_json(daemon_json))
    found = merge_listeners(found, from_processes(engine, proc_root))
    if probe:
        with contextlib.suppress(OSError):
            found = merge_listeners(found, from_probe(engine, hosts, ports, timeout))
    return found
