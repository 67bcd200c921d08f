"""Real containers on the real dockerd, one risky setting at a time: the model must capture each exactly."""

from __future__ import annotations

import subprocess
import uuid

import pytest

from dindscope.collect.base import CollectOptions, EndpointCandidate
from dindscope.collect.caps import ALL_CAPABILITIES, DOCKER_DEFAULT_CAPABILITIES
from dindscope.collect.docker_engine import collect_docker
from dindscope.models import Container, Device, EnvVar, Mount, Port
from tests.conftest import BUSYBOX, DOCKER_SOCKET

pytestmark = [pytest.mark.integration, pytest.mark.docker]

DEFAULTS = set(DOCKER_DEFAULT_CAPABILITIES)


def docker(*args: str) -> str:
    done = subprocess.run(["docker", *args], capture_output=True, text=True)
    assert done.returncode == 0, f"docker {' '.join(args)} failed: {done.stderr}"
    return done.stdout.strip()


def create(label: dict[str, str], *args: str, image_args: tuple[str, ...] = ("sleep", "300")) -> str:
    labels = [f"--label={k}={v}" for k, v in label.items()]
    return docker("create", *labels, *args, BUSYBOX, *image_args)


def collect(*ids: str) -> dict[str, Container]:
    candidate = EndpointCandidate(kind="docker", url=f"unix://{DOCKER_SOCKET}", explicit=True)
    result = collect_docker(candidate, CollectOptions(probe_tcp=False))
    assert result.engine is not None, result.problems
    assert result.engine.kind == "docker"
    found = {c.id: c for c in result.containers}
    missing = [i for i in ids if i not in found]
    assert not missing, f"containers not collected: {missing}; problems: {result.problems}"
    for c in found.values():
        assert c.engine == result.engine.key
    return {i: found[i] for i in ids}


def test_privileged_gets_every_capability(docker_label):
    cid = create(docker_label, "--privileged")
    c = collect(cid)[cid]
    assert c.privileged is True
    assert c.capabilities == sorted(ALL_CAPABILITIES)
    assert c.state == "created"


def test_cap_add_and_drop(docker_label):
    cid = create(docker_label, "--cap-add", "SYS_ADMIN", "--cap-add", "net_admin", "--cap-drop", "NET_RAW",
                 "--cap-drop", "CAP_MKNOD")
    c = collect(cid)[cid]
    assert c.privileged is False
    assert sorted(c.cap_add) == ["CAP_NET_ADMIN", "CAP_SYS_ADMIN"]
    assert sorted(c.cap_drop) == ["CAP_MKNOD", "CAP_NET_RAW"]
    assert c.capabilities == sorted(DEFAULTS - {"CAP_NET_RAW", "CAP_MKNOD"} | {"CAP_SYS_ADMIN", "CAP_NET_ADMIN"})


def test_drop_all_add_one_and_add_all_drop_one(docker_label):
    only = create(docker_label, "--cap-drop", "ALL", "--cap-add", "NET_BIND_SERVICE")
    nearly = create(docker_label, "--cap-add", "all", "--cap-drop", "SYS_ADMIN")
    plain = create(docker_label)
    got = collect(only, nearly, plain)
    assert got[only].capabilities == ["CAP_NET_BIND_SERVICE"]
    assert got[nearly].capabilities == sorted(set(ALL_CAPABILITIES) - {"CAP_SYS_ADMIN"})
    assert got[plain].capabilities == sorted(DEFAULTS)
    assert got[plain].cap_add == [] and got[plain].cap_drop == []


def test_host_namespaces(docker_label):
    host = create(docker_label, "--pid=host", "--network=host", "--ipc=host", "--uts=host", "--userns=host",
                  "--cgroupns=host")
    private = create(docker_label, "--cgroupns=private", "--ipc=private")
    shared = create(docker_label, f"--pid=container:{host}", f"--network=container:{host}")
    got = collect(host, private, shared)
    ns = got[host].namespaces
    assert (ns.pid, ns.network, ns.ipc, ns.uts, ns.userns, ns.cgroupns) == ("host",) * 6
    assert all(ns.is_host(k) for k in ("pid", "network", "ipc", "uts", "userns", "cgroupns"))
    ns = got[private].namespaces
    assert (ns.pid, ns.ipc, ns.uts, ns.userns, ns.cgroupns) == ("", "private", "", "", "private")
    assert ns.network in ("default", "bridge")
    ns = got[shared].namespaces
    assert ns.pid == f"container:{host}" and ns.network == f"container:{host}"


def test_devices(docker_label):
    cid = create(docker_label, "--device", "/dev/null:/dev/xnull:r", "--device", "/dev/kmsg")
    c = collect(cid)[cid]
    assert c.devices == [Device("/dev/null", "/dev/xnull", "r"), Device("/dev/kmsg", "/dev/kmsg", "rwm")]


def test_mounts_bind_rw_ro_socket_volume_tmpfs(docker_label, tmp_path):
    volume = f"dindscope-h1-{uuid.uuid4().hex[:8]}"
    try:
        cid = create(docker_label, "-v", f"{tmp_path}:/data", "-v", f"{DOCKER_SOCKET}:/var/run/docker.sock:ro",
                     "--mount", f"type=bind,source={tmp_path},target=/shared,bind-propagation=rshared",
                     "-v", f"{volume}:/vol", "--tmpfs", "/scratch:ro,size=1m")
        c = collect(cid)[cid]
        by_dest = {m.destination: m for m in c.mounts}
        assert by_dest["/data"] == Mount("bind", str(tmp_path), "/data", read_only=False, propagation="rprivate")
        assert by_dest["/var/run/docker.sock"] == Mount("bind", DOCKER_SOCKET, "/var/run/docker.sock",
                                                        read_only=True, propagation="rprivate")
        assert by_dest["/shared"].propagation == "rshared"
        assert by_dest["/vol"].type == "volume" and by_dest["/vol"].name == volume
        assert by_dest["/vol"].source.endswith(f"/volumes/{volume}/_data") and by_dest["/vol"].driver == "local"
        assert by_dest["/scratch"] == Mount("tmpfs", "", "/scratch", read_only=True)
        assert len(c.mounts) == 5
    finally:
        subprocess.run(["docker", "rm", "-f", *docker("ps", "-aq", "--filter", f"volume={volume}").split()],
                       capture_output=True)
        subprocess.run(["docker", "volume", "rm", volume], capture_output=True)


def test_security_options(docker_label):
    loose = create(docker_label, "--security-opt", "seccomp=unconfined", "--security-opt", "apparmor=unconfined",
                   "--security-opt", "systempaths=unconfined", "--security-opt", "label=disable")
    nnp = create(docker_label, "--security-opt", "no-new-privileges:true", "--read-only")
    plain = create(docker_label)
    got = collect(loose, nnp, plain)
    sec = got[loose].security
    assert sec.seccomp == "unconfined" and sec.apparmor == "unconfined"
    assert sec.systempaths_unconfined is True and sec.masked_paths == [] and sec.readonly_paths == []
    assert sec.selinux == ["disable"] and sec.no_new_privileges is False
    assert "seccomp=unconfined" in sec.raw and "apparmor=unconfined" in sec.raw
    sec = got[nnp].security
    assert sec.no_new_privileges is True and sec.readonly_rootfs is True and sec.seccomp == "default"
    sec = got[plain].security
    assert sec.systempaths_unconfined is False and sec.no_new_privileges is False
    assert "/proc/kcore" in sec.masked_paths and "/proc/sys" in sec.readonly_paths


def test_networks_aliases_and_ports(docker_label):
    net = f"dindscope-h1-{uuid.uuid4().hex[:8]}"
    docker("network", "create", f"--label=dindscope.test={docker_label['dindscope.test']}", net)
    cid = create(docker_label, "--network", net, "--network-alias", "dind", "--network-alias", "docker",
                 "-p", "127.0.0.1:18081:80", "-p", "19090:90/udp", "--expose", "7000")
    c = collect(cid)[cid]
    assert [n.name for n in c.networks] == [net]
    assert c.networks[0].aliases[:2] == ["dind", "docker"]
    assert c.networks[0].network_id == docker("network", "inspect", "-f", "{{.Id}}", net)
    assert c.namespaces.network == net
    assert c.ports == [Port(80, "tcp", "127.0.0.1", 18081), Port(90, "udp", "", 19090), Port(7000, "tcp", "", None)]


def test_publish_all_before_start(docker_label):
    cid = create(docker_label, "-P", "--expose", "2375")
    c = collect(cid)[cid]
    assert c.ports == [Port(2375, "tcp", "", 0)]  # published on a port the engine will pick


def test_env_secret_client_settings_labels_user(docker_label):
    cid = create({**docker_label, "evil": "[red]x[/red]\x1b[31m"}, "--name", f"h1-env-{uuid.uuid4().hex[:6]}",
                 "-e", "DOCKER_HOST=tcp://docker:2375", "-e", "DOCKER_TLS_CERTDIR=", "-e", "API_TOKEN=s3cr3t=x",
                 "-u", "1000:1000", "--group-add", "999", "--sysctl", "net.ipv4.ip_forward=1",
                 "--hostname", "builder", "--entrypoint", "/bin/sh", image_args=("-c", "sleep 300"))
    c = collect(cid)[cid]
    assert not c.name.startswith("/") and c.name.startswith("h1-env-")
    assert EnvVar("API_TOKEN", "s3cr3t=x") in c.env
    assert c.env_value("DOCKER_HOST") == "tcp://docker:2375"
    assert c.client_settings == {"DOCKER_HOST": "tcp://docker:2375", "DOCKER_TLS_CERTDIR": ""}
    assert c.labels == {**docker_label, "evil": "[red]x[/red]\x1b[31m"}
    assert c.user == "1000:1000" and not c.runs_as_root
    assert c.group_add == ["999"] and c.sysctls == {"net.ipv4.ip_forward": "1"}
    assert c.hostname == "builder"
    assert c.command == ["/bin/sh", "-c", "sleep 300"]
    assert c.image == BUSYBOX and c.image_id.startswith("sha256:")


def test_states_created_running_exited_paused(docker_label):
    created = create(docker_label)
    running = create(docker_label)
    paused = create(docker_label)
    exited = create(docker_label, image_args=("true",))
    docker("start", running, paused, exited)
    docker("pause", paused)
    docker("wait", exited)
    try:
        got = collect(created, running, paused, exited)
        assert got[created].state == "created" and not got[created].running
        assert got[running].state == "running" and got[running].running
        assert got[paused].state == "paused"
        assert got[exited].state == "exited"
        assert got[running].networks[0].name == "bridge" and got[running].networks[0].ip_address
    finally:
        subprocess.run(["docker", "unpause", paused], capture_output=True)
