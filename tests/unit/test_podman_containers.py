"""Podman inspect -> Container on a document recorded from the real podman 4.3.1 service on this machine
(``podman run --cap-add SYS_ADMIN --cap-add net_raw --cap-drop CHOWN --cap-drop ALL --security-opt
seccomp=unconfined --security-opt no-new-privileges --security-opt unmask=ALL --device /dev/null:/dev/xnull:r
-v /run/podman/podman.sock:/run/podman.sock -v /tmp:/hosttmp:ro,rslave -v h2vol:/data --network h2net
--network-alias foo --network-alias bar -p 127.0.0.1:18080:80 -p 18081:81/udp --expose 9999 -e SECRET_TOKEN=hunter2
-e DOCKER_HOST=unix:///run/podman.sock --user 1000:1000 --read-only --cgroupns=host``), trimmed to the keys used."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from dindscope.collect.podman_containers import container_from_inspect, create_flags
from dindscope.models import Device, EnvVar, Mount, NetworkAttachment, Port

CID = "1acef78c24134c876631377160c60b3bf41dd998e8e05424cd3d2b7139a37e59"
RECORDED: dict[str, Any] = {
    "Id": CID, "Created": "2026-12-03T18:33:23.428775025Z", "Path": "sleep", "Args": ["1000"],
    "State": {"Status": "running", "Running": True, "Pid": 17157},
    "Image": "09056faab42aeccbee874146be06f3175f36f98ee3472e4c6f238fb8b5cda241",
    "ImageName": "localhost/local/busybox:1", "Pod": "", "Name": "h2-caps", "AppArmorProfile": "",
    "OCIConfigPath": f"/var/lib/containers/storage/overlay-containers/{CID}/userdata/config.json",
    "EffectiveCaps": ["CAP_NET_RAW", "CAP_SYS_ADMIN"], "BoundingCaps": ["CAP_NET_RAW", "CAP_SYS_ADMIN"],
    "Mounts": [
        {"Type": "volume", "Name": "h2vol", "Source": "/var/lib/containers/storage/volumes/h2vol/_data",
         "Destination": "/data", "Driver": "local", "Mode": "", "Options": ["nosuid", "nodev", "rbind"], "RW": True,
         "Propagation": "rprivate"},
        {"Type": "bind", "Source": "/run/podman/podman.sock", "Destination": "/run/podman.sock", "Driver": "",
         "Mode": "", "Options": ["rbind"], "RW": True, "Propagation": "rprivate"},
        {"Type": "bind", "Source": "/tmp", "Destination": "/hosttmp", "Driver": "", "Mode": "", "Options": ["rbind"],
         "RW": False, "Propagation": "rslave"},
    ],
    "NetworkSettings": {
        "Ports": {"80/tcp": [{"HostIp": "127.0.0.1", "HostPort": "18080"}],
                  "81/udp": [{"HostIp": "", "HostPort": "18081"}], "9999/tcp": None},
        "Networks": {"h2net": {"Gateway": "10.89.77.1", "IPAddress": "10.89.77.2", "NetworkID": "h2net",
                               "Aliases": ["foo", "bar", "1acef78c2413"]}},
    },
    "Config": {
        "Hostname": "1acef78c2413", "User": "1000:1000",
        "Env": ["PATH=/bin", "TERM=xterm", "container=podman", "DOCKER_HOST=unix:///run/podman.sock",
                "SECRET_TOKEN=hunter2", "HOSTNAME=1acef78c2413"],
        "Cmd": ["sleep", "1000"], "Image": "localhost/local/busybox:1", "Entrypoint": "",
        "Labels": {"dindscope.test": "h2-explore"},
        "Annotations": {"io.podman.annotations.privileged": "FALSE", "io.podman.annotations.seccomp": "unconfined"},
        "CreateCommand": ["podman", "run", "-d", "--cap-add", "SYS_ADMIN", "--security-opt", "seccomp=unconfined",
                          "--security-opt", "no-new-privileges", "--security-opt", "unmask=ALL",
                          "--device", "/dev/null:/dev/xnull:r", "local/busybox:1", "sleep", "1000"],
    },
    "HostConfig": {
        "CgroupManager": "cgroupfs", "CgroupMode": "host", "NetworkMode": "bridge",
        "PortBindings": {"80/tcp": [{"HostIp": "127.0.0.1", "HostPort": "18080"}],
                         "81/udp": [{"HostIp": "", "HostPort": "18081"}], "9999/tcp": None},
        "CapAdd": ["CAP_SYS_ADMIN"],
        "CapDrop": ["CAP_AUDIT_WRITE", "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL",
                    "CAP_MKNOD", "CAP_NET_BIND_SERVICE", "CAP_SETFCAP", "CAP_SETGID", "CAP_SETPCAP", "CAP_SETUID",
                    "CAP_SYS_CHROOT"],
        "GroupAdd": [], "IpcMode": "shareable", "PidMode": "private", "Privileged": False, "ReadonlyRootfs": True,
        "SecurityOpt": ["no-new-privileges", "seccomp=unconfined"],
        "Tmpfs": {"/run": "rw,rprivate,nosuid,nodev,tmpcopyup", "/tmp": "rw,rprivate,nosuid,nodev,tmpcopyup",
                  "/var/tmp": "rw,rprivate,nosuid,nodev,tmpcopyup"},
        "UTSMode": "private", "UsernsMode": "",
        "Devices": [{"PathOnHost": "/dev/null", "PathInContainer": "/dev/xnull", "CgroupPermissions": ""}],
    },
}


def test_recorded_document_is_captured_exactly():
    c = container_from_inspect(RECORDED, "podman:vm:0")
    assert (c.id, c.name, c.engine, c.state) == (CID, "h2-caps", "podman:vm:0", "running")
    assert c.image == "localhost/local/busybox:1" and c.command == ["sleep", "1000"]
    assert c.user == "1000:1000" and not c.privileged
    assert c.capabilities == ["CAP_NET_RAW", "CAP_SYS_ADMIN"]
    assert c.cap_add == ["CAP_SYS_ADMIN"] and "CAP_CHOWN" in c.cap_drop
    ns = c.namespaces
    assert (ns.pid, ns.network, ns.ipc, ns.uts, ns.userns, ns.cgroupns) == (
        "private", "bridge", "shareable", "private", "", "host")
    sec = c.security
    assert (sec.seccomp, sec.no_new_privileges, sec.systempaths_unconfined, sec.readonly_rootfs) == (
        "unconfined", True, True, True)
    assert c.devices == [Device("/dev/null", "/dev/xnull", "r")]  # permissions from the CLI line
    assert c.mounts[:3] == [
        Mount("volume", "/var/lib/containers/storage/volumes/h2vol/_data", "/data", False, "rprivate", "h2vol",
              "local"),
        Mount("bind", "/run/podman/podman.sock", "/run/podman.sock", False, "rprivate"),
        Mount("bind", "/tmp", "/hosttmp", True, "rslave"),
    ]
    assert [m.destination for m in c.mounts[3:]] == ["/run", "/tmp", "/var/tmp"]
    assert c.networks == [NetworkAttachment("h2net", "h2net", ["foo", "bar", "1acef78c2413"], "10.89.77.2",
                                            "10.89.77.1")]
    assert c.ports == [Port(80, "tcp", "127.0.0.1", 18080), Port(81, "udp", "0.0.0.0", 18081),
                       Port(9999, "tcp", "", None)]
    assert EnvVar("SECRET_TOKEN", "hunter2") in c.env
    assert c.client_settings == {"DOCKER_HOST": "unix:///run/podman.sock"}


def test_privileged_means_every_capability():
    doc = copy.deepcopy(RECORDED)
    doc["HostConfig"]["Privileged"] = True
    assert len(container_from_inspect(doc, "k").capabilities) == 41


def test_host_namespaces_from_inodes_only_when_equal():
    host_ns = {"ipc": "4026531839", "network": "4026531833", "pid": "4026531836"}
    same = {"Ipc": "4026531839", "Net": "4026532180", "Pidns": "4026531836", "User": "4026531837"}
    doc = copy.deepcopy(RECORDED)
    doc["Config"]["CreateCommand"] = None  # created through the API: no command line to read
    ns = container_from_inspect(doc, "k", list_namespaces=same, host_namespaces=host_ns).namespaces
    assert (ns.ipc, ns.network, ns.pid, ns.userns) == ("host", "bridge", "host", "")


def test_keep_id_from_the_id_mapping():
    doc = copy.deepcopy(RECORDED)
    doc["Config"]["CreateCommand"] = None
    doc["HostConfig"]["UsernsMode"] = "private"
    doc["HostConfig"]["IDMappings"] = {"UidMap": ["0:1:1001", "1001:0:1", "1002:1002:64535"]}
    assert container_from_inspect(doc, "k", engine_uid=1001).namespaces.userns == "keep-id"
    assert container_from_inspect(doc, "k", engine_uid=1002).namespaces.userns == "private"


def test_oci_spec_masked_paths_and_device_access():
    doc = copy.deepcopy(RECORDED)
    doc["Config"]["CreateCommand"] = None
    doc["HostConfig"]["SecurityOpt"] = []
    spec = {"process": {"noNewPrivileges": False},
            "linux": {"maskedPaths": ["/proc/kcore"], "readonlyPaths": ["/proc/sys"],
                      "devices": [{"path": "/dev/xnull", "type": "c", "major": 1, "minor": 3}],
                      "resources": {"devices": [{"allow": False, "access": "rwm"},
                                                {"allow": True, "type": "c", "major": 1, "minor": 3, "access": "rw"}]}}}
    c = container_from_inspect(doc, "k", oci_spec=spec)
    assert c.security.masked_paths == ["/proc/kcore"] and c.security.readonly_paths == ["/proc/sys"]
    assert c.security.systempaths_unconfined is False
    assert c.devices == [Device("/dev/null", "/dev/xnull", "rw")]
    spec["linux"]["maskedPaths"], spec["linux"]["readonlyPaths"] = None, None
    assert container_from_inspect(doc, "k", oci_spec=spec).security.systempaths_unconfined is True


@pytest.mark.parametrize("argv,flag,expected", [
    (["podman", "run", "--ipc=host", "img"], "--ipc", ["host"]),
    (["podman", "run", "--ipc", "private", "--ipc", "host"], "--ipc", ["private", "host"]),
    (["podman", "run", "--", "--ipc=host"], "--ipc", []),
    (["podman", "run", "--ipcx=host"], "--ipc", []),
    (None, "--ipc", []),
    ("--ipc=host", "--ipc", []),
])
def test_create_flags(argv, flag, expected):
    assert create_flags(argv, flag) == expected


@pytest.mark.parametrize("doc", [
    {},
    {"Id": None, "Name": None, "HostConfig": None, "Config": None, "NetworkSettings": None, "State": None},
    {"Id": "x", "HostConfig": {"CapAdd": "SYS_ADMIN", "Devices": "nope", "Tmpfs": [], "PortBindings": {"x/y": 1}},
     "Config": {"Env": [None, 3, "NOEQUALS"], "Labels": ["a"], "CreateCommand": [1, None]},
     "NetworkSettings": {"Networks": {"n": None}, "Ports": {"80/tcp": [None, {"HostPort": "x"}]}},
     "Mounts": [None, "x"], "EffectiveCaps": "CAP_SYS_ADMIN", "State": {"Status": "\x1b[31mweird"}},
])
def test_malformed_documents_never_crash(doc):
    c = container_from_inspect(doc, "k")
    assert (c.engine, c.state) == ("k", "unknown")
    assert c.capabilities == [] and c.cap_add == []
