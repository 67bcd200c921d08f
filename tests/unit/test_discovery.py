"""Endpoint discovery on a fake filesystem layout: env, docker contexts, default and per-user sockets."""

from __future__ import annotations

import hashlib
import json
import os
import socket
from pathlib import Path

import pytest

from dindscope.collect import discovery
from dindscope.collect.base import EndpointCandidate
from dindscope.collect.discovery import (
    current_context,
    discover_endpoints,
    guess_kind,
    is_configured,
    normalize_url,
)
from dindscope.collect.errors import problem_from_exception


def make_socket(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with socket.socket(socket.AF_UNIX) as s:
        s.bind(str(path))
    return path


@pytest.fixture
def fake_run(tmp_path, monkeypatch):
    """Point the default socket locations at an empty tmp tree (nothing exists yet)."""
    run = tmp_path / "run"
    run.mkdir()
    (tmp_path / "var").mkdir()
    (tmp_path / "var" / "run").symlink_to(run)
    monkeypatch.setattr(discovery, "ROOTFUL_DOCKER_SOCKETS", (f"{run}/docker.sock", f"{tmp_path}/var/run/docker.sock"))
    monkeypatch.setattr(discovery, "ROOTFUL_PODMAN_SOCKETS",
                        (f"{run}/podman/podman.sock", f"{tmp_path}/var/run/podman/podman.sock"))
    monkeypatch.setattr(discovery, "USER_RUN_DIR", f"{run}/user")
    return run


def urls(candidates: list[EndpointCandidate]) -> list[str]:
    return [c.url for c in candidates]


def test_nothing_there_gives_nothing(fake_run, tmp_path):
    assert discover_endpoints(env={"HOME": str(tmp_path)}) == []


def test_default_sockets_and_var_run_alias_deduplicated(fake_run, tmp_path):
    make_socket(fake_run / "docker.sock")
    make_socket(fake_run / "podman" / "podman.sock")
    found = discover_endpoints(env={"HOME": str(tmp_path)})
    assert [(c.kind, c.url, c.source, c.explicit) for c in found] == [
        ("docker", f"unix://{fake_run}/docker.sock", "default", False),
        ("podman", f"unix://{fake_run}/podman/podman.sock", "default", False),
    ]


@pytest.mark.skipif(os.geteuid() != 0, reason="every user's sockets are looked at only as root")
def test_as_root_every_users_rootless_sockets_with_owner(fake_run, tmp_path):
    make_socket(fake_run / "user" / "1000" / "docker.sock")
    make_socket(fake_run / "user" / "1001" / "podman" / "podman.sock")
    make_socket(fake_run / "user" / "1001" / "docker.sock")
    (fake_run / "user" / "1002").mkdir()  # a user with no engine
    (fake_run / "user" / "not-a-uid").mkdir()
    found = discover_endpoints(env={"HOME": str(tmp_path)})
    assert [(c.kind, c.url, c.owner_uid, c.source) for c in found] == [
        ("docker", f"unix://{fake_run}/user/1000/docker.sock", 1000, f"rootless:{fake_run}/user/1000"),
        ("docker", f"unix://{fake_run}/user/1001/docker.sock", 1001, f"rootless:{fake_run}/user/1001"),
        ("podman", f"unix://{fake_run}/user/1001/podman/podman.sock", 1001, f"rootless:{fake_run}/user/1001"),
    ]
    assert not any(is_configured(c) for c in found)


def test_as_non_root_only_own_runtime_dir(fake_run, tmp_path, monkeypatch):
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    monkeypatch.setattr(os, "getuid", lambda: 1000)
    make_socket(fake_run / "user" / "1001" / "docker.sock")
    runtime = tmp_path / "xdg"
    make_socket(runtime / "docker.sock")
    found = discover_endpoints(env={"HOME": str(tmp_path), "XDG_RUNTIME_DIR": str(runtime)})
    assert [(c.url, c.owner_uid) for c in found] == [(f"unix://{runtime}/docker.sock", 1000)]


def test_env_endpoints_kept_even_when_missing_and_come_first(fake_run, tmp_path):
    make_socket(fake_run / "docker.sock")
    env = {"HOME": str(tmp_path), "DOCKER_HOST": "tcp://10.0.0.5:2376", "DOCKER_TLS_VERIFY": "1",
           "DOCKER_CERT_PATH": "/certs", "CONTAINER_HOST": "unix:///nowhere/podman.sock"}
    found = discover_endpoints(env=env)
    assert [(c.kind, c.url, c.source) for c in found] == [
        ("docker", "tcp://10.0.0.5:2376", "DOCKER_HOST"),
        ("podman", "unix:///nowhere/podman.sock", "CONTAINER_HOST"),
        ("docker", f"unix://{fake_run}/docker.sock", "default"),
    ]
    assert found[0].tls == {"ca": "/certs/ca.pem", "cert": "/certs/cert.pem", "key": "/certs/key.pem", "verify": "1"}
    assert is_configured(found[0]) and is_configured(found[1]) and not is_configured(found[2])


def test_docker_host_same_as_default_is_one_candidate(fake_run, tmp_path):
    make_socket(fake_run / "docker.sock")
    env = {"HOME": str(tmp_path), "DOCKER_HOST": f"unix://{tmp_path}/var/run/docker.sock"}
    found = discover_endpoints(env=env)
    assert [(c.url, c.source) for c in found] == [(f"unix://{tmp_path}/var/run/docker.sock", "DOCKER_HOST")]


def write_context(config_dir: Path, name: str, host: str, *, tls: bool = False, current: bool = True) -> None:
    digest = hashlib.sha256(name.encode()).hexdigest()
    meta = config_dir / "contexts" / "meta" / digest
    meta.mkdir(parents=True)
    (meta / "meta.json").write_text(json.dumps(
        {"Name": name, "Metadata": {}, "Endpoints": {"docker": {"Host": host, "SkipTLSVerify": False}}}))
    if tls:
        tls_dir = config_dir / "contexts" / "tls" / digest / "docker"
        tls_dir.mkdir(parents=True)
        for f in ("ca.pem", "cert.pem", "key.pem"):
            (tls_dir / f).write_text("x")
    if current:
        (config_dir / "config.json").write_text(json.dumps({"auths": {}, "currentContext": name}))


def test_current_context_from_config_json(fake_run, tmp_path):
    write_context(tmp_path / ".docker", "build-box", "tcp://build:2376", tls=True)
    env = {"HOME": str(tmp_path)}
    assert current_context(env) == "build-box"
    [found] = discover_endpoints(env=env)
    assert (found.url, found.source, found.kind) == ("tcp://build:2376", "context:build-box", "docker")
    digest = hashlib.sha256(b"build-box").hexdigest()
    assert found.tls["ca"] == f"{tmp_path}/.docker/contexts/tls/{digest}/docker/ca.pem"
    assert found.tls["verify"] == "1"


def test_docker_context_env_and_docker_config_dir(fake_run, tmp_path):
    config = tmp_path / "elsewhere"
    write_context(config, "rootless", f"unix://{tmp_path}/r/docker.sock", current=False)
    env = {"HOME": str(tmp_path), "DOCKER_CONFIG": str(config), "DOCKER_CONTEXT": "rootless"}
    [found] = discover_endpoints(env=env)
    assert (found.url, found.source) == (f"unix://{tmp_path}/r/docker.sock", "context:rootless")


def test_default_context_and_broken_config_are_harmless(fake_run, tmp_path):
    (tmp_path / ".docker").mkdir()
    (tmp_path / ".docker" / "config.json").write_text("{not json")
    assert current_context({"HOME": str(tmp_path)}) == "default"
    assert discover_endpoints(env={"HOME": str(tmp_path), "DOCKER_CONTEXT": "missing"}) == []
    assert discover_endpoints(env={"HOME": str(tmp_path), "DOCKER_CONTEXT": "default"}) == []


def test_explicit_replaces_discovery_and_guesses_kind(fake_run, tmp_path):
    make_socket(fake_run / "docker.sock")
    found = discover_endpoints(env={"HOME": str(tmp_path), "DOCKER_HOST": "tcp://x:1"},
                               explicit=["/run/podman/podman.sock", "tcp://127.0.0.1:2375", "unix:/x/docker.sock",
                                         "/run/podman/podman.sock"])
    assert [(c.kind, c.url, c.explicit, c.source) for c in found] == [
        ("podman", "unix:///run/podman/podman.sock", True, "--engine"),
        ("docker", "tcp://127.0.0.1:2375", True, "--engine"),
        ("docker", "unix:///x/docker.sock", True, "--engine"),
    ]


def test_normalize_and_guess():
    assert normalize_url("/run/docker.sock") == "unix:///run/docker.sock"
    assert normalize_url("127.0.0.1:2375") == "tcp://127.0.0.1:2375"
    assert normalize_url(" unix:///a ") == "unix:///a"
    assert guess_kind("unix:///run/user/1000/podman/podman.sock") == "podman"
    assert guess_kind("tcp://h:2375") == "docker"


def test_exception_classification_is_one_line():
    import requests

    cand = EndpointCandidate("docker", "tcp://127.0.0.1:9")
    cases = {
        requests.exceptions.ReadTimeout("read timed out"): "timeout",
        requests.exceptions.ConnectionError(ConnectionRefusedError(111, "refused")): "engine-down",
        requests.exceptions.ConnectionError(OSError("Connection aborted.", ConnectionResetError(104, "reset"))):
            "engine-down",
        ValueError("weird\nmultiline\nthing"): "engine-error",
    }
    for exc, code in cases.items():
        problem = problem_from_exception(exc, cand, 3, "reading engine info")
        assert problem.code == code, (exc, problem)
        assert "\n" not in problem.message and problem.source == cand.url
    assert problem_from_exception(requests.exceptions.ReadTimeout(), cand, 3).message == \
        "engine did not answer within 3s (use --timeout to wait longer)"
