"""Docker inspect JSON -> Container, on inspect output recorded from dockerd 20.10 plus edge cases."""

from __future__ import annotations

import copy
import json

from dindscope.collect.base import EndpointCandidate
from dindscope.collect.caps import (
    ALL_CAPABILITIES,
    DOCKER_DEFAULT_CAPABILITIES,
    docker_effective_caps,
    normalize_cap,
    normalize_caps,
)
from dindscope.collect.docker_containers import container_from_inspect, parse_security
from dindscope.collect.docker_engine import engine_from_info, parse_engine_security, parse_networks, podman_component
from dindscope.models import Device, EnvVar, Mount, Port

# `docker create --name gitlab-job --network ci-net --network-alias builder --cap-add SYS_PTRACE
#  --cap-drop NET_RAW --security-opt seccomp:unconfined --security-opt apparmor=unconfined
#  --security-opt no-new-privileges=false --device /dev/null:/dev/xnull:r -v /run/docker.sock:/var/run/docker.sock
#  -v /etc:/host-etc:ro --tmpfs /scratch -p 127.0.0.1:2375:2375 --expose 8080 -e DOCKER_HOST=tcp://docker:2375
#  -e CI_JOB_TOKEN=glcbt-abc123 --group-add 105 --pid host -u root local/busybox:1 sleep 1000`
# recorded with `docker inspect` on Docker 20.10.24 (GraphDriver removed).
RECORDED = json.loads(r"""
{
 "Id": "2ed617ee36bc7c07588d5611633733b2d799041adff23eb046bce909c706f6e0",
 "Created": "2026-12-03T18:39:05.035178562Z",
 "Path": "sleep",
 "Args": [
  "1000"
 ],
 "State": {
  "Status": "created",
  "Running": false,
  "Paused": false,
  "Restarting": false,
  "OOMKilled": false,
  "Dead": false,
  "Pid": 0,
  "ExitCode": 0,
  "Error": "",
  "StartedAt": "0001-01-01T00:00:00Z",
  "FinishedAt": "0001-01-01T00:00:00Z"
 },
 "Image": "sha256:e746cce43cea0db92bb7781bb432195c844b34f3ec51e95e5a7132327934b0d8",
 "ResolvConfPath": "",
 "HostnamePath": "",
 "HostsPath": "",
 "LogPath": "",
 "Name": "/gitlab-job",
 "RestartCount": 0,
 "Driver": "overlay2",
 "Platform": "linux",
 "MountLabel": "",
 "ProcessLabel": "",
 "AppArmorProfile": "unconfined",
 "ExecIDs": null,
 "HostConfig": {
  "Binds": [
   "/run/docker.sock:/var/run/docker.sock",
   "/etc:/host-etc:ro"
  ],
  "ContainerIDFile": "",
  "LogConfig": {
   "Type": "json-file",
   "Config": {}
  },
  "NetworkMode": "ci-net",
  "PortBindings": {
   "2375/tcp": [
    {
     "HostIp": "127.0.0.1",
     "HostPort": "2375"
    }
   ]
  },
  "RestartPolicy": {
   "Name": "no",
   "MaximumRetryCount": 0
  },
  "AutoRemove": false,
  "VolumeDriver": "",
  "VolumesFrom": null,
  "CapAdd": [
   "CAP_SYS_PTRACE"
  ],
  "CapDrop": [
   "CAP_NET_RAW"
  ],
  "CgroupnsMode": "host",
  "Dns": [],
  "DnsOptions": [],
  "DnsSearch": [],
  "ExtraHosts": null,
  "GroupAdd": [
   "105"
  ],
  "IpcMode": "private",
  "Cgroup": "",
  "Links": null,
  "OomScoreAdj": 0,
  "PidMode": "host",
  "Privileged": false,
  "PublishAllPorts": false,
  "ReadonlyRootfs": false,
  "SecurityOpt": [
   "seccomp:unconfined",
   "apparmor=unconfined",
   "no-new-privileges=false",
   "label=disable"
  ],
  "Tmpfs": {
   "/scratch": ""
  },
  "UTSMode": "",
  "UsernsMode": "",
  "ShmSize": 67108864,
  "Runtime": "runc",
  "ConsoleSize": [
   0,
   0
  ],
  "Isolation": "",
  "CpuShares": 0,
  "Memory": 0,
  "NanoCpus": 0,
  "CgroupParent": "",
  "BlkioWeight": 0,
  "BlkioWeightDevice": [],
  "BlkioDeviceReadBps": [],
  "BlkioDeviceWriteBps": [],
  "BlkioDeviceReadIOps": [],
  "BlkioDeviceWriteIOps": [],
  "CpuPeriod": 0,
  "CpuQuota": 0,
  "CpuRealtimePeriod": 0,
  "CpuRealtimeRuntime": 0,
  "CpusetCpus": "",
  "CpusetMems": "",
  "Devices": [
   {
    "PathOnHost": "/dev/null",
    "PathInContainer": "/dev/xnull",
    "CgroupPermissions": "r"
   }
  ],
  "DeviceCgroupRules": null,
  "DeviceRequests": null,
  "KernelMemory": 0,
  "KernelMemoryTCP": 0,
  "MemoryReservation": 0,
  "MemorySwap": 0,
  "MemorySwappiness": null,
  "OomKillDisable": false,
  "PidsLimit": null,
  "Ulimits": [],
  "CpuCount": 0,
  "CpuPercent": 0,
  "IOMaximumIOps": 0,
  "IOMaximumBandwidth": 0,
  "MaskedPaths": [
   "/proc/asound",
   "/proc/acpi",
   "/proc/kcore",
   "/proc/keys",
   "/proc/latency_stats",
   "/proc/timer_list",
   "/proc/timer_stats",
   "/proc/sched_debug",
   "/proc/scsi",
   "/sys/firmware"
  ],
  "ReadonlyPaths": [
   "/proc/bus",
   "/proc/fs",
   "/proc/irq",
   "/proc/sys",
   "/proc/sysrq-trigger"
  ]
 },
 "Mounts": [
  {
   "Type": "bind",
   "Source": "/run/docker.sock",
   "Destination": "/var/run/docker.sock",
   "Mode": "",
   "RW": true,
   "Propagation": "rprivate"
  },
  {
   "Type": "bind",
   "Source": "/etc",
   "Destination": "/host-etc",
   "Mode": "ro",
   "RW": false,
   "Propagation": "rprivate"
  }
 ],
 "Config": {
  "Hostname": "2ed617ee36bc",
  "Domainname": "",
  "User": "root",
  "AttachStdin": false,
  "AttachStdout": true,
  "AttachStderr": true,
  "ExposedPorts": {
   "2375/tcp": {},
   "8080/tcp": {}
  },
  "Tty": false,
  "OpenStdin": false,
  "StdinOnce": false,
  "Env": [
   "DOCKER_HOST=tcp://docker:2375",
   "CI_JOB_TOKEN=glcbt-abc123",
   "PATH=/bin"
  ],
  "Cmd": [
   "sleep",
   "1000"
  ],
  "Image": "local/busybox:1",
  "Volumes": null,
  "WorkingDir": "",
  "Entrypoint": null,
  "OnBuild": null,
  "Labels": {
   "dindscope.test": "h1-rec"
  }
 },
 "NetworkSettings": {
  "Bridge": "",
  "SandboxID": "",
  "HairpinMode": false,
  "LinkLocalIPv6Address": "",
  "LinkLocalIPv6PrefixLen": 0,
  "Ports": {},
  "SandboxKey": "",
  "SecondaryIPAddresses": null,
  "SecondaryIPv6Addresses": null,
  "EndpointID": "",
  "Gateway": "",
  "GlobalIPv6Address": "",
  "GlobalIPv6PrefixLen": 0,
  "IPAddress": "",
  "IPPrefixLen": 0,
  "IPv6Gateway": "",
  "MacAddress": "",
  "Networks": {
   "ci-net": {
    "IPAMConfig": null,
    "Links": null,
    "Aliases": [
     "builder"
    ],
    "NetworkID": "",
    "EndpointID": "",
    "Gateway": "",
    "IPAddress": "",
    "IPPrefixLen": 0,
    "IPv6Gateway": "",
    "GlobalIPv6Address": "",
    "GlobalIPv6PrefixLen": 0,
    "MacAddress": "",
    "DriverOpts": null
   }
  }
 }
}
""")

KEY = "docker:TEST"


def convert(data=RECORDED):
    return container_from_inspect(data, KEY, DOCKER_DEFAULT_CAPABILITIES)


def test_recorded_container_identity_and_state():
    c = convert()
    assert c.id == "2ed617ee36bc7c07588d5611633733b2d799041adff23eb046bce909c706f6e0"
    assert c.name == "gitlab-job" and c.engine == KEY
    assert c.state == "created" and c.image == "local/busybox:1" and c.image_id.startswith("sha256:")
    assert c.command == ["sleep", "1000"] and c.user == "root" and c.runs_as_root
    assert c.labels == {"dindscope.test": "h1-rec"}


def test_recorded_capabilities():
    c = convert()
    assert c.privileged is False
    assert c.cap_add == ["CAP_SYS_PTRACE"] and c.cap_drop == ["CAP_NET_RAW"]
    assert c.capabilities == sorted(set(DOCKER_DEFAULT_CAPABILITIES) - {"CAP_NET_RAW"} | {"CAP_SYS_PTRACE"})
    assert c.has_cap("sys_ptrace") and not c.has_cap("NET_RAW")


def test_recorded_namespaces_and_security():
    c = convert()
    assert c.namespaces.pid == "host" and c.namespaces.network == "ci-net"
    assert c.namespaces.ipc == "private" and c.namespaces.cgroupns == "host"
    sec = c.security
    assert sec.seccomp == "unconfined"  # legacy "seccomp:unconfined" spelling
    assert sec.apparmor == "unconfined"
    assert sec.no_new_privileges is False  # "no-new-privileges=false"
    assert sec.systempaths_unconfined is False and "/proc/kcore" in sec.masked_paths
    # dockerd adds label=disable itself for --pid host
    assert sec.raw == ["seccomp:unconfined", "apparmor=unconfined", "no-new-privileges=false", "label=disable"]
    assert sec.selinux == ["disable"]


def test_recorded_devices_mounts_networks_ports():
    c = convert()
    assert c.devices == [Device("/dev/null", "/dev/xnull", "r")]
    by_dest = {m.destination: m for m in c.mounts}
    assert by_dest["/var/run/docker.sock"] == Mount("bind", "/run/docker.sock", "/var/run/docker.sock",
                                                    read_only=False, propagation="rprivate")
    assert by_dest["/host-etc"] == Mount("bind", "/etc", "/host-etc", read_only=True, propagation="rprivate")
    assert by_dest["/scratch"] == Mount("tmpfs", "", "/scratch", read_only=False)
    assert [(n.name, n.aliases) for n in c.networks] == [("ci-net", ["builder"])]
    assert c.ports == [Port(2375, "tcp", "127.0.0.1", 2375), Port(8080, "tcp", "", None)]


def test_recorded_env_and_client_settings():
    c = convert()
    assert EnvVar("CI_JOB_TOKEN", "glcbt-abc123") in c.env
    assert c.client_settings == {"DOCKER_HOST": "tcp://docker:2375"}
    assert c.group_add == ["105"]


def test_running_container_ports_come_from_network_settings():
    data = copy.deepcopy(RECORDED)
    data["State"]["Status"] = "running"
    data["HostConfig"]["PortBindings"] = {"80/tcp": [{"HostIp": "", "HostPort": ""}]}
    data["NetworkSettings"]["Ports"] = {"80/tcp": [{"HostIp": "0.0.0.0", "HostPort": "49153"},
                                                   {"HostIp": "::", "HostPort": "49153"}],
                                        "8080/tcp": None}
    data["Config"]["ExposedPorts"] = {"80/tcp": {}, "8080/tcp": {}}
    c = convert(data)
    assert c.state == "running" and c.running
    assert c.ports == [Port(80, "tcp", "0.0.0.0", 49153), Port(80, "tcp", "::", 49153), Port(8080, "tcp", "", None)]


def test_hostile_and_missing_fields_never_crash():
    data = {"Id": "x" * 64, "Name": "/[bold red]evil\x1b[2J", "Config": {"Env": ["NOEQUALS", 5, "A=b=c"],
            "Labels": {"k": "\x07"}, "Cmd": None, "Entrypoint": "sh"}, "HostConfig": {"CapAdd": None,
            "SecurityOpt": ["seccomp={\"defaultAction\":\"SCMP_ACT_ALLOW\"}", "label:type:spc_t", "weird"],
            "MaskedPaths": None, "Devices": [{"PathOnHost": "/dev/sda"}], "PortBindings": {"bad/tcp": []},
            "Tmpfs": {"/t": "ro"}},
            "State": {"Status": "unheard-of"}, "Mounts": [None, {"Type": "bind"}], "NetworkSettings": None}
    c = convert(data)
    assert c.name == "[bold red]evil\x1b[2J"
    assert c.env == [EnvVar("NOEQUALS", None), EnvVar("A", "b=c")]
    assert c.state == "unknown" and c.command == []
    assert c.security.seccomp == "custom" and c.security.raw[0] == "seccomp=<custom profile>"
    assert c.security.selinux == ["type:spc_t"]
    assert c.devices == [Device("/dev/sda", "/dev/sda", "rwm")]
    assert c.ports == [] and c.networks == []
    assert Mount("tmpfs", "", "/t", read_only=True) in c.mounts
    assert convert({}).id == ""


def test_systempaths_unconfined_only_when_lists_explicitly_empty():
    assert parse_security({"MaskedPaths": [], "ReadonlyPaths": []}).systempaths_unconfined
    assert not parse_security({"MaskedPaths": None, "ReadonlyPaths": None}).systempaths_unconfined
    assert not parse_security({}).systempaths_unconfined
    sec = parse_security({"SecurityOpt": ["no-new-privileges"]})
    assert sec.no_new_privileges and sec.seccomp == "default"
    assert parse_security({"SecurityOpt": ["no-new-privileges:true"]}).no_new_privileges
    assert parse_security({"SecurityOpt": ["systempaths=unconfined"]}).systempaths_unconfined


def test_effective_caps_rules():
    defaults = DOCKER_DEFAULT_CAPABILITIES
    everything = sorted(ALL_CAPABILITIES)
    assert docker_effective_caps(defaults, [], [], True) == everything
    assert docker_effective_caps(defaults, ["ALL"], ["CAP_SYS_ADMIN"], False) == sorted(
        set(everything) - {"CAP_SYS_ADMIN"})
    assert docker_effective_caps(defaults, ["chown"], ["all"], False) == ["CAP_CHOWN"]
    assert docker_effective_caps(defaults, [], ["ALL"], False) == []
    assert docker_effective_caps(defaults, [], [], False, replacement=["CAP_KILL"]) == ["CAP_KILL"]
    assert docker_effective_caps(defaults, ["SYS_ADMIN"], [], True) == everything
    assert normalize_cap(" sys_admin ") == "CAP_SYS_ADMIN" and normalize_cap("All") == "ALL"
    assert normalize_caps(["a", "CAP_A", "", None]) == ["CAP_A"]  # type: ignore[list-item]
    assert len(ALL_CAPABILITIES) == 41 and len(DOCKER_DEFAULT_CAPABILITIES) == 14


def test_engine_facts_from_info():
    info = {"ID": "AAAA:BBBB", "Name": "ci-host", "ServerVersion": "24.0.7", "OperatingSystem": "Ubuntu",
            "KernelVersion": "6.1", "CgroupVersion": "2", "CgroupDriver": "systemd", "DockerRootDir": "/data/docker",
            "Containers": 3,
            "SecurityOptions": ["name=apparmor", "name=seccomp,profile=builtin", "name=rootless", "name=cgroupns"]}
    engine = engine_from_info(info, {"ApiVersion": "1.43"},
                              EndpointCandidate("docker", "unix:///nonexistent/docker.sock", owner_uid=0,
                                                source="context:ci"))
    assert engine.key == "docker:AAAA:BBBB" and engine.kind == "docker" and engine.context == "ci"
    assert (engine.version, engine.api_version, engine.cgroup_version, engine.cgroup_driver) == (
        "24.0.7", "1.43", "2", "systemd")
    assert engine.rootless and engine.security.rootless and engine.security.apparmor
    assert engine.security.seccomp and engine.security.seccomp_profile == "builtin"
    assert not engine.security.selinux and not engine.security.userns_remap
    assert engine.data_root == "/data/docker" and engine.user == "root"
    assert engine.default_capabilities == sorted(DOCKER_DEFAULT_CAPABILITIES)
    assert parse_engine_security(["name=userns", "name=selinux"]).userns_remap


def test_networks_gateway_fallback_and_podman_detection():
    nets = parse_networks([
        {"Name": "bridge", "Id": "1", "Driver": "bridge", "IPAM": {"Config": [{"Subnet": "172.17.0.0/16"}]}},
        {"Name": "ci", "Id": "2", "Driver": "bridge", "Internal": True,
         "IPAM": {"Config": [{"Subnet": "10.9.0.0/24", "Gateway": "10.9.0.254"}]}},
        {"Name": "host", "Id": "3", "Driver": "host", "IPAM": {"Config": None}},
    ])
    assert [(n.name, n.gateways, n.internal) for n in nets] == [
        ("bridge", ["172.17.0.1"], False), ("ci", ["10.9.0.254"], True), ("host", [], False)]
    assert podman_component({"Components": [{"Name": "Podman Engine", "Version": "4.3.1"}]})["Version"] == "4.3.1"
    assert podman_component({"Components": [{"Name": "Engine"}, {"Name": "containerd"}]}) is None
