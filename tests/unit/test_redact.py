"""Redaction: secret names, secret-shaped values, command lines and free text; analysis facts stay."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from dindscope.models import Container, EnvVar, Problem, Snapshot
from dindscope.snapshot.redact import (
    REDACTED,
    is_secret_name,
    looks_like_secret,
    redact_args,
    redact_snapshot,
    redact_text,
)

ROOT = Path(__file__).resolve().parents[2]
# Built at run time so that secret scanners do not flag this file.
GITLAB = "glpat-" + "x7Yq2LmN4pRs8TvW1zAb"
GITHUB = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"
AWS_ID = "AKIA" + "QX7RTM2KD4ZB9WLE"
JWT = "eyJhbGciOiJIUzI1NiJ9" + ".eyJzdWIiOiIxMjM0NTY3ODkwIn0" + ".dBjftJeZ4CVPmB92K27uhbUJU1p1r_wW1gFWFOEjXk"
SLACK = "xoxb-" + "123456789012-abcdefABCDEF"
PEM = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----"
RANDOM = "q8Zr2mT5vX1bN7kL3wP9sD4fG6hJ0yAe"


@pytest.mark.parametrize("name", [
    "CI_JOB_TOKEN", "GITHUB_TOKEN", "AWS_SECRET_ACCESS_KEY", "API_KEY", "apiKey", "DB_PASSWORD", "MYSQL_PWD",
    "DB_PASS", "REGISTRY_PASSWD", "SSH_PRIVATE_KEY", "GOOGLE_APPLICATION_CREDENTIALS", "DOCKER_AUTH_CONFIG",
    "client_secret", "deploy.registry-password", "traefik.http.middlewares.a.basicauth.users", "NPM_AUTH_TOKEN",
    "SESSION_COOKIE", "VAULT_TOKEN", "ENCRYPTION_KEY", "oauth", "X-Auth-Token", "SECRET",
])
def test_secret_names(name):
    assert is_secret_name(name)


@pytest.mark.parametrize("name", [
    "PATH", "HOME", "HOSTNAME", "DOCKER_HOST", "DOCKER_TLS_CERTDIR", "DOCKER_CERT_PATH", "DOCKER_TLS_VERIFY",
    "CONTAINER_HOST", "KEYBOARD_LAYOUT", "XKB_KEYMAP", "GIT_AUTHOR_NAME", "org.opencontainers.image.authors",
    "com.docker.compose.config-hash", "PWD", "NPM_TOKEN_FILE", "SSH_AUTH_SOCK", "CI_JOB_ID", "LANG", "MONKEY",
    "com.gitlab.gitlab-runner.job.id", "",
])
def test_ordinary_names(name):
    assert not is_secret_name(name)


@pytest.mark.parametrize("value", [GITLAB, GITHUB, AWS_ID, JWT, SLACK, PEM, RANDOM, "glrt-" + "abcdefghijklmnop1234",
                                   "npm_" + "a" * 36, "AIza" + "B" * 35, "sk_live_" + "4eC39HqLyjWDarjtT1zdp7dc"])
def test_secret_shaped_values(value):
    assert looks_like_secret(value)


@pytest.mark.parametrize("value", [
    "", "true", "tcp://docker:2375", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    "sha256:" + "0123456789abcdef" * 4, "0123456789abcdef0123456789abcdef01234567", "registry.gitlab.com/acme/shop",
    "en_US.UTF-8", "/builds/acme/shop/very/long/path/to/some/directory/inside/the/job", "hello world of containers",
    "runner-x7k2p-project-42-concurrent-0-build",
])
def test_ordinary_values(value):
    assert not looks_like_secret(value)


def test_redact_text_keeps_the_context():
    text = (f'curl -H "Authorization: Bearer {RANDOM}" https://ci:hunter2@example.com/api?token=abc '
            "--password s3cret TOKEN=xyz DOCKER_HOST=tcp://docker:2375 mkdir -p /x "
            f'--build-arg=GITHUB_TOKEN=foo {{"password": "pw1"}} key {GITLAB}')
    out = redact_text(text)
    for secret in (RANDOM, "hunter2", "abc ", "s3cret", "xyz", "foo", "pw1", GITLAB):
        assert secret not in out
    for kept in ("Authorization: Bearer", "https://ci:", "@example.com/api?token=", "DOCKER_HOST=tcp://docker:2375",
                 "mkdir -p /x", '"password": "<redacted>"'):
        assert kept in out


def test_redact_text_on_pem_block():
    assert redact_text(f"key:\n{PEM}\nafter") == f"key:\n{REDACTED}\nafter"


@pytest.mark.parametrize(("args", "expected"), [
    (["docker", "login", "-u", "bob", "-p", "hunter2", "registry"],
     ["docker", "login", "-u", "bob", "-p", REDACTED, "registry"]),
    (["docker", "login", "--password=hunter2"], ["docker", "login", f"--password={REDACTED}"]),
    (["docker", "login", "--password-stdin"], ["docker", "login", "--password-stdin"]),
    (["app", "--token", "abc", "--verbose"], ["app", "--token", REDACTED, "--verbose"]),
    (["app", "--token-file", "/run/secrets/t"], ["app", "--token-file", "/run/secrets/t"]),
    (["docker", "run", "-p", "8080:80", "img"], ["docker", "run", "-p", "8080:80", "img"]),
    (["mkdir", "-p", "build"], ["mkdir", "-p", "build"]),
    (["docker", "run", "-e", "API_TOKEN=abc", "-e", "MODE=prod"],
     ["docker", "run", "-e", f"API_TOKEN={REDACTED}", "-e", "MODE=prod"]),
    (["env", "SECRET_KEY=abc", "run"], ["env", f"SECRET_KEY={REDACTED}", "run"]),
    (["git", "clone", "https://oauth2:tok123@gitlab.com/a/b.git"],
     ["git", "clone", f"https://oauth2:{REDACTED}@gitlab.com/a/b.git"]),
    (["sh", "-c", f"export CI_JOB_TOKEN={GITLAB}; make"], ["sh", "-c", f"export CI_JOB_TOKEN={REDACTED}; make"]),
    (["deploy", GITHUB], ["deploy", REDACTED]),
    (["dockerd", "--host=tcp://0.0.0.0:2375"], ["dockerd", "--host=tcp://0.0.0.0:2375"]),
])
def test_redact_args(args, expected):
    assert redact_args(args) == expected


def _container() -> Container:
    return Container(
        id="c1", name="deploy", engine="docker:X",
        command=["sh", "-c", "docker login -u ci --password Pa55w0rd registry"],
        env=[EnvVar("CI_JOB_TOKEN", GITLAB), EnvVar("DOCKER_HOST", "tcp://docker:2375"),
             EnvVar("DATABASE_URL", "postgres://app:dbpass@db/app"), EnvVar("NOTE", f"uses {AWS_ID} today"),
             EnvVar("PATH", "/bin"), EnvVar("EMPTY", ""), EnvVar("UNKNOWN", None, redacted=True)],
        labels={"deploy.password": "hunter2", "description": "<script>alert(1)</script>", "ver": "1.0"},
        client_settings={"DOCKER_HOST": "tcp://ci:s3cret@docker:2375", "DOCKER_TLS_CERTDIR": ""},
    )


def test_redact_snapshot_is_a_copy_that_keeps_analysis_facts():
    original = Snapshot(containers=[_container()], problems=[Problem("other", f"token {GITLAB} rejected")],
                        redacted=False)
    before = json.dumps(original.__repr__())
    out = redact_snapshot(original)
    assert json.dumps(original.__repr__()) == before  # untouched
    c = out.containers[0]
    env = {v.name: v for v in c.env}
    assert env["CI_JOB_TOKEN"].value == REDACTED and env["CI_JOB_TOKEN"].redacted
    assert env["DOCKER_HOST"].value == "tcp://docker:2375" and not env["DOCKER_HOST"].redacted
    assert env["DATABASE_URL"].value == f"postgres://app:{REDACTED}@db/app" and env["DATABASE_URL"].redacted
    assert env["NOTE"].value == REDACTED  # a token anywhere in a value: the whole value goes
    assert env["PATH"].value == "/bin" and env["EMPTY"].value == ""
    assert env["UNKNOWN"].value is None and env["UNKNOWN"].redacted
    assert c.labels == {"deploy.password": REDACTED, "description": "<script>alert(1)</script>", "ver": "1.0"}
    assert c.command == ["sh", "-c", f"docker login -u ci --password {REDACTED} registry"]
    assert c.client_settings == {"DOCKER_HOST": f"tcp://ci:{REDACTED}@docker:2375", "DOCKER_TLS_CERTDIR": ""}
    assert GITLAB not in out.problems[0].message
    assert out.redacted is True


def test_in_place_redaction_gives_the_copy_s_result_on_the_same_object():
    def snapshot() -> Snapshot:  # two containers sharing values: the per-snapshot memo must not mix them up
        second = _container()
        second.id, second.env = "c2", [*second.env, EnvVar("API_TOKEN", "plain")]
        return Snapshot(containers=[_container(), second], problems=[Problem("other", f"token {GITLAB}")])

    copied = redact_snapshot(snapshot())
    original = snapshot()
    same = redact_snapshot(original, in_place=True)
    assert same is original and same == copied
    assert same.containers[0].command is not same.containers[1].command  # no list shared between containers
    assert GITLAB not in repr(same)


def test_redaction_is_idempotent():
    once = redact_snapshot(Snapshot(containers=[_container()]))
    assert redact_snapshot(once) == once


def test_very_long_values_are_dropped_whole():
    c = Container(id="c", name="n", engine="e", env=[EnvVar("BLOB", "a=b " * 10_000)])
    out = redact_snapshot(Snapshot(containers=[c]))
    assert out.containers[0].env[0].value == REDACTED


def test_no_recorded_file_holds_a_recorded_secret():
    """snapshots/record.py sets these in real containers; the recorded files must not contain them."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("dindscope_record", ROOT / "snapshots" / "record.py")
    assert spec and spec.loader
    record = importlib.util.module_from_spec(spec)
    sys.modules["dindscope_record"] = record
    try:
        spec.loader.exec_module(record)
    finally:
        del sys.modules["dindscope_record"]
    files = [*sorted((ROOT / "snapshots").glob("*.json")), ROOT / "dindscope" / "data" / "demo-snapshot.json"]
    secrets = [*record.SECRETS.values(), "S3cr3t-db-pass", "hunter2-registry", "Pa55w0rd-login"]
    for path in files:
        text = path.read_text(encoding="utf-8")
        for secret in secrets:
            assert secret not in text, f"{secret[:6]}... leaked into {path.name}"
    demo = (ROOT / "dindscope" / "data" / "demo-snapshot.json").read_text(encoding="utf-8")
    assert REDACTED in demo and "tcp://docker:2375" in demo
