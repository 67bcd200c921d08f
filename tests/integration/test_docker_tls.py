"""The real dockerd behind a TLS front (as `dockerd --tlsverify -H tcp://...` serves it): collecting with client
certificates from DOCKER_HOST/DOCKER_CERT_PATH, the probe telling mTLS from TLS, and a wrong CA as one line."""

from __future__ import annotations

import contextlib
import shutil
import socket
import ssl
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from dindscope.collect.base import CollectOptions
from dindscope.collect.scan import collect_snapshot
from dindscope.collect.tcp_listeners import probe_endpoint
from tests.conftest import DOCKER_SOCKET

pytestmark = [pytest.mark.integration, pytest.mark.docker]


def openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


@pytest.fixture(scope="module")
def pki(tmp_path_factory) -> Path:
    if shutil.which("openssl") is None:
        pytest.skip("openssl not installed")
    d = tmp_path_factory.mktemp("pki")
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca-key.pem", "-out", "ca.pem", "-days", "1",
            "-subj", "/CN=dindscope-test-ca", cwd=d)
    exts = (("server", "subjectAltName=IP:127.0.0.1,DNS:localhost"), ("client", "extendedKeyUsage=clientAuth"))
    for name, ext in exts:
        (d / f"{name}.ext").write_text(ext + "\n")
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{name}-key.pem", "-out", f"{name}.csr",
                "-subj", f"/CN={name}", cwd=d)
        openssl("x509", "-req", "-in", f"{name}.csr", "-CA", "ca.pem", "-CAkey", "ca-key.pem", "-CAcreateserial",
                "-out", f"{name}-cert.pem", "-days", "1", "-extfile", f"{name}.ext", cwd=d)
    certs = d / "client-certs"  # the DOCKER_CERT_PATH layout
    certs.mkdir()
    shutil.copy(d / "ca.pem", certs / "ca.pem")
    shutil.copy(d / "client-cert.pem", certs / "cert.pem")
    shutil.copy(d / "client-key.pem", certs / "key.pem")
    return d


@contextlib.contextmanager
def tls_front(pki: Path, require_client_cert: bool) -> Iterator[int]:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(pki / "server-cert.pem", pki / "server-key.pem")
    if require_client_cert:
        ctx.verify_mode = ssl.CERT_REQUIRED
        ctx.load_verify_locations(pki / "ca.pem")
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(32)

    def pump(src: socket.socket, dst: socket.socket) -> None:
        with contextlib.suppress(OSError, ValueError):
            while data := src.recv(65536):
                dst.sendall(data)
        with contextlib.suppress(OSError, ValueError):
            dst.shutdown(socket.SHUT_WR)

    def handle(raw: socket.socket) -> None:
        try:
            conn = ctx.wrap_socket(raw, server_side=True)
        except (ssl.SSLError, OSError):
            raw.close()
            return
        up = socket.socket(socket.AF_UNIX)
        up.connect(DOCKER_SOCKET)
        threading.Thread(target=pump, args=(up, conn), daemon=True).start()
        pump(conn, up)

    def serve() -> None:
        while True:
            try:
                raw, _ = server.accept()
            except OSError:
                return
            threading.Thread(target=handle, args=(raw,), daemon=True).start()

    threading.Thread(target=serve, daemon=True).start()
    try:
        yield server.getsockname()[1]
    finally:
        server.close()


def test_collect_over_mutual_tls_with_docker_cert_path(pki, docker_client, tmp_path):
    with tls_front(pki, require_client_cert=True) as port:
        env = {"HOME": str(tmp_path), "DOCKER_HOST": f"tcp://127.0.0.1:{port}", "DOCKER_TLS_VERIFY": "1",
               "DOCKER_CERT_PATH": str(pki / "client-certs")}
        snapshot = collect_snapshot(CollectOptions(probe_tcp=False), env=env)
        answer = probe_endpoint("127.0.0.1", port)
    via_tls = [e for e in snapshot.engines if f"tcp://127.0.0.1:{port}" in e.endpoints]
    assert len(via_tls) == 1, snapshot.problems
    engine = via_tls[0]
    assert engine.kind == "docker" and engine.engine_id
    assert f"unix://{DOCKER_SOCKET}" in engine.endpoints  # the same dockerd, found by default too: one engine
    tcp = [x for x in engine.listeners if x.kind == "tcp" and x.port == port]
    assert [(x.address, x.tls, x.source) for x in tcp] == [("127.0.0.1", True, "connected")]
    assert not [p for p in snapshot.problems if str(port) in p.source and p.code != "container-gone"], \
        snapshot.problems
    assert answer is not None and (answer.tls, answer.tls_verify) == (True, True)


def test_probe_tls_without_client_certs_reads_the_engine(pki, docker_client):
    with tls_front(pki, require_client_cert=False) as port:
        answer = probe_endpoint("127.0.0.1", port)
    info = docker_client.info()
    assert answer is not None
    assert (answer.tls, answer.tls_verify, answer.kind, answer.identity) == (True, False, "docker", info["ID"])


def test_wrong_ca_is_one_tls_line(pki, docker_client, tmp_path):
    wrong = tmp_path / "certs"
    wrong.mkdir()
    shutil.copy(pki / "server-cert.pem", wrong / "ca.pem")  # not the CA that signed the server
    shutil.copy(pki / "client-cert.pem", wrong / "cert.pem")
    shutil.copy(pki / "client-key.pem", wrong / "key.pem")
    with tls_front(pki, require_client_cert=True) as port:
        env = {"HOME": str(tmp_path), "DOCKER_HOST": f"tcp://127.0.0.1:{port}", "DOCKER_TLS_VERIFY": "1",
               "DOCKER_CERT_PATH": str(wrong)}
        snapshot = collect_snapshot(CollectOptions(probe_tcp=False), endpoints=None, env=env)
    mine = [p for p in snapshot.problems if p.source == f"tcp://127.0.0.1:{port}"]
    assert [p.code for p in mine] == ["engine-error"], snapshot.problems
    assert mine[0].message.startswith("TLS failed while asking for the engine version: check the client certificates")
    assert "\n" not in str(mine[0])
