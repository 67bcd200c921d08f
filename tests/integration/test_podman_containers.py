"""Real containers on the real rootful Podman service, one risky setting each: the model captures each exactly.

All containers of this module are created once (CLI and podman-py), the engine is
collected once with ``collect_podman``, and every test checks one container.
"""

from __future__ import annotations

import json
import os
import socket
import stat
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

from dindscope.collect.base import CollectOptions, EndpointCandidate, EngineResult
from dindscope.collect.caps import all_capabilities
from dindscope.collect.podman_engine import collect_podman
from dindscope.models import Container, Device, EnvVar, Mount, Port
from tests.conftest import BUSYBOX, PODMAN_RUN_FLAGS, PODMAN_SOCKET

pytestmark = [pytest.mark.integration, pytest.mark.podman]

# containers.conf's default_capabilities on Debian's podman 4.3 (what /info reports as security.capabilities)
PODMAN_DEFAULTS = {
    "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL", "CAP_NET_BIND_SERVICE",
    "CAP_SETFCAP", "CAP_SETGID", "CAP_SETPCAP", "CAP_SETUID", "CAP_SYS_CHROOT",
}


def podman(*args: str) -> str:
    done = subprocess.run(["podman", *args], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"podman {' '.join(args)} failed: {done.stderr}"
    return done.stdout.strip()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Scene:
    label: dict[str, str]
    ids: dict[str, str] = field(default_factory=dict)
    extra: dict[str, object] = field(default_factory=dict)

    def create(self, key: str, *args: str, command: tuple[str, ...] = ("sleep", "300")) -> None:
        labels = [f"--label={k}={v}" for k, v in self.label.items()]
        self.ids[key] = podman("create", *labels, *args, BUSYBOX, *command)

    def run(self, key: str, *args: str, command: tuple[str, ...] = ("sleep", "300")) -> None:
        labels = [f"--label={k}={v}" for k, v in self.label.items()]
        self.ids[key] = podman("run", "-d", *PODMAN_RUN_FLAGS, *labels, *args, BUSYBOX, *command)


@pytest.fixture(scope="module")
def scene(podman_client, podman_module_label) -> Iterator[Scene]:
    s = Scene(podman_module_label)
    label_args = [f"--label={k}={v}" for k, v in s.label.items()]
    tmp = tempfile.mkdtemp(prefix="dindscope-podman-")
    net = f"dsnet-{s.label['dindscope.test'][-30:]}".replace(".", "-")
    podman("network", "create", *label_args, "--subnet", "10.89.231.0/24", net)
    s.extra["network"] = net
    s.extra["tmp"] = tmp
    vol = f"dsvol-{s.label['dindscope.test'][-30:]}"
    podman("volume", "create", *label_args, vol)
    s.extra["volume"] = vol
    s.extra["ports"] = (free_port(), free_port())

    s.create("privileged", "--privileged")
    s.run("caps", "--cap-add", "SYS_ADMIN", "--cap-add", "net_raw", "--cap-drop", "CHOWN")
    s.create("caps_all_dropped", "--cap-drop", "ALL", "--cap-add", "NET_BIND_SERVICE")
    s.run("hostns", "--pid=host", "--network=host", "--uts=host", "--ipc=host", "--userns=host")
    s.create("ipc_host_created", "--ipc=host")
    s.create("devices", "--device", "/dev/null:/dev/xnull:r", "--device", "/dev/zero")
    s.run("devices_running", "--device", "/dev/null:/dev/xnull:r", "--device", "/dev/zero")
    s.create("mounts", "-v", f"{PODMAN_SOCKET}:/run/podman/podman.sock", "-v", f"{tmp}:/data:ro",
             "--mount", "type=bind,source=/etc,destination=/hostetc,ro=true,bind-propagation=rslave",
             "-v", f"{vol}:/cache")
    s.create("secopts", "--security-opt", "seccomp=unconfined", "--security-opt", "no-new-privileges",
             "--security-opt", "unmask=ALL", "--security-opt", "apparmor=unconfined",
             "--security-opt", "label=disable")
    s.run("secopts_running", "--security-opt", "seccomp=unconfined", "--security-opt", "unmask=ALL")
    s.run("network", "--network", net, "--network-alias", "dind", "--network-alias", "docker")
    host_port, udp_port = s.extra["ports"]  # type: ignore[misc]
    s.create("ports", "-p", f"127.0.0.1:{host_port}:2375", "-p", f"{udp_port}:53/udp", "--expose", "9999")
    s.create("env", "-e", "SECRET_TOKEN=hunter2", "-e", "DOCKER_HOST=tcp://dind:2375",
             "-e", f"CONTAINER_HOST=unix://{PODMAN_SOCKET}", "-e", "PLAIN=1", "--hostname", "builder-1")
    s.run("user_readonly", "--user", "1000:1000", "--read-only", "--group-add", "10")
    s.run("exited", command=("true",))
    s.run("paused")
    podman("pause", s.ids["paused"])
    s.create("hostile", "--label", "evil=\x1b[31m[bold]red[/bold]\x1b[0m", "-e", "X=$(rm -rf /)`id`")

    # Through the API (podman-py), so no CLI command line is recorded: the collector must rely on the engine.
    from podman import PodmanClient

    client = PodmanClient(base_url=f"unix://{PODMAN_SOCKET}", timeout=60)
    ulimits = [{"Name": "nofile", "Soft": 1024, "Hard": 1024}, {"Name": "nproc", "Soft": 1024, "Hard": 1024}]
    api = client.containers.create(BUSYBOX, ["sleep", "300"], labels=s.label, ipc_mode="host",
                                   devices=["/dev/null:/dev/xnull:r"], no_new_privileges=True,
                                   unmasked_paths=["ALL"], ulimits=ulimits)
    api.start()
    s.ids["api_running"] = api.id
    client.close()
    yield s
    subprocess.run(["rm", "-rf", tmp], check=False)


@pytest.fixture(scope="module")
def collected(scene: Scene) -> tuple[EngineResult, dict[str, Container]]:
    candidate = EndpointCandidate(kind="podman", url=f"unix://{PODMAN_SOCKET}", explicit=True)
    result = collect_podman(candidate, CollectOptions(workers=4))
    assert result.engine is not None, result.problems
    found = {c.id: c for c in result.containers}
    missing = [k for k, cid in scene.ids.items() if cid not in found]
    assert not missing, f"not collected: {missing}; problems: {result.problems}"
    return result, {key: found[cid] for key, cid in scene.ids.items()}


def get(collected: tuple[EngineResult, dict[str, Container]], key: str) -> Container:
    return collected[1][key]


def test_engine_facts(collected):
    result, _ = collected
    engine = result.engine
    info = json.loads(podman("info", "--format", "json"))
    assert engine.kind == "podman"
    assert engine.key == f"podman:{info['host']['hostname']}:0"
    assert engine.rootless is False and engine.user == "root" and engine.uid == 0
    assert engine.version == info["version"]["Version"]
    assert engine.api_version == info["version"]["APIVersion"]
    assert engine.cgroup_version == info["host"]["cgroupVersion"].lstrip("v")
    assert engine.cgroup_driver == info["host"]["cgroupManager"]
    assert engine.data_root == info["store"]["graphRoot"]
    assert engine.security.seccomp is info["host"]["security"]["seccompEnabled"]
    assert engine.security.seccomp_profile == info["host"]["security"]["seccompProfilePath"]
    assert engine.security.rootless is False
    assert set(engine.default_capabilities) == PODMAN_DEFAULTS
    assert engine.endpoints == [f"unix://{PODMAN_SOCKET}"]
    st = os.stat(PODMAN_SOCKET)
    [listener] = engine.listeners
    assert (listener.kind, listener.address, listener.owner_uid, listener.group_gid, listener.mode) == (
        "unix", PODMAN_SOCKET, st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode))
    assert engine.containers_total >= len(collected[1])


def test_engine_networks_with_subnets(collected, scene):
    nets = {n.name: n for n in collected[0].engine.networks}
    mine = nets[scene.extra["network"]]
    assert mine.subnets == ["10.89.231.0/24"] and mine.gateways == ["10.89.231.1"]
    assert mine.driver == "bridge"
    assert "podman" in nets


def test_every_container_belongs_to_the_engine(collected):
    result, _ = collected
    assert all(c.engine == result.engine.key for c in result.containers)
    assert not [p for p in result.problems if p.code != "container-gone"], result.problems


def test_privileged_created_only_has_every_capability(collected):
    c = get(collected, "privileged")
    assert c.privileged is True
    assert c.state == "created"
    assert c.capabilities == all_capabilities()


def test_cap_add_and_drop_running(collected):
    c = get(collected, "caps")
    assert c.state == "running"
    assert c.privileged is False
    assert c.capabilities == sorted(PODMAN_DEFAULTS - {"CAP_CHOWN"} | {"CAP_SYS_ADMIN", "CAP_NET_RAW"})
    assert "CAP_SYS_ADMIN" in c.cap_add
    assert "CAP_CHOWN" in c.cap_drop


def test_drop_all_keeps_only_the_added(collected):
    c = get(collected, "caps_all_dropped")
    assert c.capabilities == ["CAP_NET_BIND_SERVICE"]
    assert "CAP_SYS_CHROOT" in c.cap_drop


def test_host_namespaces(collected):
    ns = get(collected, "hostns").namespaces
    assert (ns.pid, ns.network, ns.ipc, ns.uts) == ("host", "host", "host", "host")
    assert ns.userns == ""  # Podman's word for the host user namespace (rootful default)
    assert get(collected, "hostns").networks == []


def test_ipc_host_created_only_and_through_the_api(collected):
    # Podman 4.3 inspect says "shareable" for --ipc=host; the collector must not be fooled.
    assert get(collected, "ipc_host_created").namespaces.ipc == "host"
    assert get(collected, "api_running").namespaces.ipc == "host"
    assert get(collected, "caps").namespaces.ipc == "shareable"
    assert get(collected, "caps").namespaces.pid == "private"
    assert get(collected, "caps").namespaces.network == "bridge"


def test_devices_with_permissions(collected):
    expected = [Device("/dev/null", "/dev/xnull", "r"), Device("/dev/zero", "/dev/zero", "rwm")]
    assert get(collected, "devices").devices == expected
    assert get(collected, "devices_running").devices == expected
    assert get(collected, "api_running").devices == [Device("/dev/null", "/dev/xnull", "r")]


def test_bind_mounts_rw_ro_socket_and_volume(collected, scene):
    mounts = sorted(get(collected, "mounts").mounts, key=lambda m: m.destination)
    vol = scene.extra["volume"]
    assert mounts == [
        Mount("volume", f"/var/lib/containers/storage/volumes/{vol}/_data", "/cache", False, "rprivate", vol, "local"),
        Mount("bind", str(scene.extra["tmp"]), "/data", True, "rprivate"),
        Mount("bind", "/etc", "/hostetc", True, "rslave"),
        Mount("bind", PODMAN_SOCKET, "/run/podman/podman.sock", False, "rprivate"),
    ]


def test_security_options_created(collected):
    sec = get(collected, "secopts").security
    assert sec.seccomp == "unconfined"
    assert sec.apparmor == "unconfined"
    assert sec.selinux == ["disable"]
    assert sec.no_new_privileges is True
    assert sec.systempaths_unconfined is True  # from --security-opt unmask=ALL
    assert "no-new-privileges" in sec.raw


def test_security_options_running_read_from_the_oci_spec(collected):
    sec = get(collected, "secopts_running").security
    assert sec.seccomp == "unconfined"
    assert sec.systempaths_unconfined is True
    assert sec.masked_paths == [] and sec.readonly_paths == []
    api = get(collected, "api_running").security
    assert api.systempaths_unconfined is True and api.no_new_privileges is True
    default = get(collected, "caps").security
    assert default.systempaths_unconfined is False and default.seccomp == "default"
    assert "/proc/kcore" in default.masked_paths and "/proc/sys" in default.readonly_paths


def test_network_with_aliases(collected, scene):
    c = get(collected, "network")
    [net] = c.networks
    assert net.name == scene.extra["network"]
    assert set(net.aliases) == {"dind", "docker", c.short_id}
    assert net.ip_address.startswith("10.89.231.") and net.gateway == "10.89.231.1"


def test_published_and_exposed_ports(collected, scene):
    host_port, udp_port = scene.extra["ports"]
    assert get(collected, "ports").ports == [
        Port(53, "udp", "0.0.0.0", udp_port),
        Port(2375, "tcp", "127.0.0.1", host_port),
        Port(9999, "tcp", "", None),
    ]


def test_env_secret_and_client_settings(collected):
    c = get(collected, "env")
    assert EnvVar("SECRET_TOKEN", "hunter2") in c.env  # values stay in memory; outputs redact
    assert c.env_value("PLAIN") == "1"
    assert c.client_settings == {"DOCKER_HOST": "tcp://dind:2375", "CONTAINER_HOST": f"unix://{PODMAN_SOCKET}"}
    assert c.hostname == "builder-1"


def test_user_readonly_rootfs_group_add(collected):
    c = get(collected, "user_readonly")
    assert c.user == "1000:1000" and not c.runs_as_root
    assert c.security.readonly_rootfs is True
    assert c.group_add == ["10"]
    assert {m.destination for m in c.mounts if m.type == "tmpfs"} >= {"/tmp", "/run"}


def test_states(collected):
    assert get(collected, "exited").state == "exited"
    assert get(collected, "paused").state == "paused"
    assert get(collected, "devices").state == "created"
    assert get(collected, "network").state == "running"


def test_identity_fields(collected, scene):
    c = get(collected, "caps")
    inspect = json.loads(podman("inspect", scene.ids["caps"]))[0]
    assert c.name == inspect["Name"] and not c.name.startswith("/")
    assert c.image == "localhost/local/busybox:1"
    assert c.image_id == inspect["Image"]
    assert c.command == ["sleep", "300"]
    assert c.labels == scene.label
    assert c.pod == ""


def test_hostile_values_are_kept_verbatim(collected):
    c = get(collected, "hostile")
    assert c.labels["evil"] == "\x1b[31m[bold]red[/bold]\x1b[0m"
    assert c.env_value("X") == "$(rm -rf /)`id`"
