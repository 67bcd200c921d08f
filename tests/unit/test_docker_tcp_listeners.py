"""TCP listener detection: daemon.json, engine command lines, and the /_ping probe against real loopback
servers speaking plain HTTP, TLS, and TLS with client certificates required."""

from __future__ import annotations

import contextlib
import json
import os
import ssl
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from dindscope.collect.tcp_listeners import (
    engine_processes,
    find_tcp_listeners,
    from_daemon_json,
    merge_listeners,
    parse_dockerd_args,
    parse_podman_service_args,
    probe_endpoint,
)
from dindscope.models import Engine, EngineNetwork, Listener

DOCKER_ID = "FAKE:ENGINE:ID"
GRAPH_ROOT = "/var/lib/containers/storage"


class FakeEngine(BaseHTTPRequestHandler):
    kind = "docker"
    seen: list[tuple[str, str]] = []

    def log_message(self, *args: object) -> None:
        pass

    def _send(self, code: int, body: bytes, headers: dict[str, str]) -> None:
        self.send_response(code)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        self.seen.append(("GET", self.path))
        if self.kind == "other":
            self._send(404, b"not found", {})
        elif self.path == "/_ping":
            hdr = {"Api-Version": "1.41", "Server": "Docker/20.10"} if self.kind == "docker" else \
                {"Libpod-Api-Version": "4.3.1", "Api-Version": "1.41"}
            self._send(200, b"OK", hdr)
        elif self.path == "/info" and self.kind == "docker":
            self._send(200, json.dumps({"ID": DOCKER_ID}).encode(), {"Content-Type": "application/json"})
        elif self.path == "/v4.0.0/libpod/info" and self.kind == "podman":
            self._send(200, json.dumps({"store": {"graphRoot": GRAPH_ROOT}}).encode(), {})
        else:
            self._send(404, b"{}", {})

    def do_POST(self) -> None:
        self.seen.append(("POST", self.path))
        self._send(405, b"", {})


@pytest.fixture(scope="module")
def certs(tmp_path_factory) -> Path:
    import shutil

    if shutil.which("openssl") is None:
        pytest.skip("openssl not installed (needed to make a test certificate)")
    d = tmp_path_factory.mktemp("certs")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(d / "key.pem"),
                    "-out", str(d / "cert.pem"), "-days", "1", "-subj", "/CN=localhost"],
                   check=True, capture_output=True)
    return d


@contextlib.contextmanager
def serve(kind: str = "docker", tls: Path | None = None, verify: bool = False) -> Iterator[tuple[int, list]]:
    handler = type("Handler", (FakeEngine,), {"kind": kind, "seen": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    if tls is not None:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(tls / "cert.pem", tls / "key.pem")
        if verify:
            ctx.verify_mode = ssl.CERT_REQUIRED
            ctx.load_verify_locations(tls / "cert.pem")
        server.socket = ctx.wrap_socket(server.socket, server_side=True, do_handshake_on_connect=False)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], handler.seen
    finally:
        server.shutdown()
        server.server_close()


def docker_engine(**kw: object) -> Engine:
    return Engine(key=f"docker:{DOCKER_ID}", kind="docker", engine_id=DOCKER_ID, **kw)


def test_dockerd_argument_spellings():
    argv = ["/usr/bin/dockerd", "-H", "fd://", "-H", "tcp://0.0.0.0:2375", "--host=tcp://127.0.0.1",
            "-Htcp://10.0.0.1:4243", "-H=unix:///run/d.sock", "--containerd=/run/containerd/containerd.sock"]
    got = [(x.address, x.port, x.tls, x.source) for x in parse_dockerd_args(argv)]
    assert got == [("0.0.0.0", 2375, False, "cmdline"), ("127.0.0.1", 2375, False, "cmdline"),
                   ("10.0.0.1", 4243, False, "cmdline")]
    tls = parse_dockerd_args(["dockerd", "--tlsverify", "--host", "tcp://0.0.0.0"])
    assert [(x.port, x.tls, x.tls_verify) for x in tls] == [(2376, True, True)]
    tls = parse_dockerd_args(["dockerd", "--tls", "-H", "tcp://:2376"])
    assert [(x.address, x.tls, x.tls_verify) for x in tls] == [("0.0.0.0", True, False)]


def test_podman_service_arguments():
    argv = ["podman", "--log-level=info", "system", "service", "--time=0", "tcp:0.0.0.0:8888"]
    assert [(x.address, x.port, x.tls) for x in parse_podman_service_args(argv)] == [("0.0.0.0", 8888, False)]
    assert parse_podman_service_args(["podman", "system", "service", "unix:///run/podman/podman.sock"]) == []
    assert parse_podman_service_args(["podman", "ps"]) == []


def test_daemon_json(tmp_path):
    path = tmp_path / "daemon.json"
    path.write_text(json.dumps({"hosts": ["unix:///var/run/docker.sock", "tcp://0.0.0.0:2376"], "tlsverify": True}))
    assert [(x.address, x.port, x.tls, x.tls_verify, x.source) for x in from_daemon_json(str(path))] == [
        ("0.0.0.0", 2376, True, True, "daemon.json")]
    path.write_text('{"hosts": ["tcp://127.0.0.1:2375"]}')
    assert [(x.port, x.tls) for x in from_daemon_json(str(path))] == [(2375, False)]
    for bad in ("{truncated", "[1, 2]", '{"hosts": "tcp://x:1"}', "\x00\xff"):
        path.write_text(bad)
        assert from_daemon_json(str(path)) == []
    assert from_daemon_json(str(tmp_path / "missing.json")) == []


def test_engine_processes_from_a_proc_tree(tmp_path):
    def proc(pid: int, *argv: str) -> None:
        (tmp_path / str(pid)).mkdir()
        (tmp_path / str(pid) / "cmdline").write_bytes(b"\0".join(a.encode() for a in argv) + b"\0")

    proc(10, "/usr/bin/dockerd", "-H", "tcp://0.0.0.0:2375")
    proc(11, "podman", "system", "service", "tcp:127.0.0.1:9000")
    proc(12, "/bin/bash", "-c", "dockerd -H tcp://1.2.3.4:1")  # mentions dockerd, is not dockerd
    (tmp_path / "self").mkdir()
    uid = os.getuid()
    assert engine_processes("docker", uid, str(tmp_path)) == [["/usr/bin/dockerd", "-H", "tcp://0.0.0.0:2375"]]
    assert engine_processes("podman", uid, str(tmp_path)) == [["podman", "system", "service", "tcp:127.0.0.1:9000"]]
    assert engine_processes("docker", uid + 1, str(tmp_path)) == []
    engine = docker_engine(uid=uid, rootless=uid != 0)
    found = find_tcp_listeners(engine, probe=False, proc_root=str(tmp_path), daemon_json=str(tmp_path / "none"))
    assert [(x.address, x.port, x.source) for x in found] == [("0.0.0.0", 2375, "cmdline")]


def test_probe_plain_docker_is_attributed_by_engine_id():
    with serve("docker") as (port, seen):
        answer = probe_endpoint("127.0.0.1", port)
        assert answer is not None and (answer.tls, answer.tls_verify, answer.kind, answer.identity) == (
            False, False, "docker", DOCKER_ID)
        mine = find_tcp_listeners(docker_engine(), hosts=["127.0.0.1"], ports=[port], daemon_json="/nonexistent",
                                  proc_root="/nonexistent")
        other = find_tcp_listeners(Engine(key="docker:OTHER", kind="docker", engine_id="OTHER"),
                                   hosts=["127.0.0.1"], ports=[port], proc_root="/nonexistent")
    assert mine == [Listener(kind="tcp", address="127.0.0.1", port=port, tls=False, tls_verify=False,
                             source="probe")]
    assert other == []
    assert {m for m, _ in seen} == {"GET"}


def test_probe_plain_podman_is_attributed_by_graph_root():
    engine = Engine(key="podman:vm:0", kind="podman", data_root=GRAPH_ROOT)
    with serve("podman") as (port, _):
        found = find_tcp_listeners(engine, hosts=["127.0.0.1"], ports=[port], proc_root="/nonexistent")
        assert find_tcp_listeners(docker_engine(), hosts=["127.0.0.1"], ports=[port],
                                  proc_root="/nonexistent") == []
    assert [(x.port, x.tls) for x in found] == [(port, False)]


def test_probe_tls_without_client_certificates(certs):
    with serve("docker", tls=certs) as (port, seen):
        answer = probe_endpoint("127.0.0.1", port)
    assert answer is not None
    assert (answer.tls, answer.tls_verify, answer.kind, answer.identity) == (True, False, "docker", DOCKER_ID)
    assert ("GET", "/_ping") in seen


def test_probe_tls_requiring_client_certificates(certs):
    with serve("docker", tls=certs, verify=True) as (port, seen):
        answer = probe_endpoint("127.0.0.1", port)
    assert answer is not None and (answer.tls, answer.tls_verify) == (True, True)
    assert seen == []  # nothing got past the handshake


def test_probe_ignores_non_engines_and_closed_ports():
    with serve("other") as (port, _):
        assert probe_endpoint("127.0.0.1", port) is None
    assert probe_endpoint("127.0.0.1", port) is None  # closed now


def test_merge_folds_probe_into_wildcard_bind():
    configured = [Listener(kind="tcp", address="0.0.0.0", port=2375, tls=True, source="daemon.json")]
    probed = [Listener(kind="tcp", address="127.0.0.1", port=2375, tls=False, tls_verify=False, source="probe"),
              Listener(kind="tcp", address="172.17.0.1", port=2375, tls=False, tls_verify=False, source="probe")]
    merged = merge_listeners(configured, probed)
    assert [(x.address, x.tls, x.source) for x in merged] == [("0.0.0.0", False, "daemon.json")]


def test_probe_targets_include_bridge_gateways():
    from dindscope.collect.tcp_listeners import probe_targets

    engine = docker_engine(networks=[EngineNetwork("bridge", driver="bridge", gateways=["172.17.0.1"]),
                                     EngineNetwork("ci", driver="bridge", gateways=["10.1.0.1", "fd00::1"]),
                                     EngineNetwork("mv", driver="macvlan", gateways=["192.168.1.1"])])
    assert probe_targets(engine) == ["127.0.0.1", "172.17.0.1", "10.1.0.1"]
