"""Turn one Podman (libpod) container inspect document into a :class:`Container`.

Pure functions, no I/O: the engine collector passes in what it fetched. Podman 4.3
reports some settings poorly, so besides the inspect document this module can use
*evidence* the collector gathered read-only:

- ``list_namespaces``: the namespace inodes of a running container, from
  ``GET /containers/json?namespace=true``, and ``host_namespaces``: the host's own
  (``/proc/1/ns/*``). Equal inodes mean the host namespace — Podman 4.3 says
  ``IpcMode: shareable`` even for ``--ipc=host``.
- ``oci_spec``: the container's OCI ``config.json`` (started containers of a local
  engine): the masked and read-only paths, which inspect does not report.
- ``Config.CreateCommand``: the podman CLI command line that created the container
  (absent when created through the API), for ``--ipc``, ``--security-opt unmask``
  and ``--device`` permissions.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dindscope.collect.caps import all_capabilities, normalize_caps, sort_caps
from dindscope.models import (
    CLIENT_SETTING_NAMES,
    Container,
    Device,
    EnvVar,
    Mount,
    Namespaces,
    NetworkAttachment,
    Port,
    SecurityOptions,
)

_STATES = {
    "configured": "created", "created": "created", "initialized": "created",
    "running": "running", "stopping": "running", "paused": "paused", "restarting": "restarting",
    "exited": "exited", "stopped": "exited", "removing": "removing", "dead": "dead",
}
# unmasking any of these is as good as systempaths=unconfined for an escape (core_pattern, sysrq, kcore)
_CRITICAL_SYSTEM_PATHS = {"/proc/sys", "/proc/sysrq-trigger", "/proc/kcore", "/proc/*", "/sys/*"}
# list "Namespaces" key -> Namespaces field
_NS_KEYS = {"Pidns": "pid", "Net": "network", "Ipc": "ipc", "Uts": "uts", "User": "userns", "Cgroup": "cgroupns"}


def _caps(values: Any) -> list[str]:
    return sort_caps(normalize_caps(values if isinstance(values, list) else []))


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def create_flags(create_command: Any, flag: str) -> list[str]:
    """Values given to ``flag`` (``--ipc``) in a podman CLI command line, in order."""
    args = [a for a in _list(create_command) if isinstance(a, str)]
    values: list[str] = []
    for i, arg in enumerate(args):
        if arg == "--":
            break
        if arg == flag and i + 1 < len(args):
            values.append(args[i + 1])
        elif arg.startswith(flag + "="):
            values.append(arg[len(flag) + 1:])
    return values


def _namespaces(host: Mapping[str, Any], config: Mapping[str, Any], list_ns: Mapping[str, str],
                host_ns: Mapping[str, str], engine_uid: int | None) -> Namespaces:
    ns = Namespaces(
        pid=str(host.get("PidMode") or ""),
        network=str(host.get("NetworkMode") or ""),
        ipc=str(host.get("IpcMode") or ""),
        uts=str(host.get("UTSMode") or ""),
        userns=str(host.get("UsernsMode") or ""),
        cgroupns=str(host.get("CgroupMode") or host.get("CgroupnsMode") or ""),
    )
    # Running container of a local engine: identical namespace inodes are the host's namespace.
    for key, kind in _NS_KEYS.items():
        inode = list_ns.get(key)
        if kind != "userns" and inode and host_ns.get(kind) == inode:
            setattr(ns, kind, "host")
    create_command = config.get("CreateCommand")
    if ns.ipc in ("shareable", ""):  # Podman 4.3 reports "shareable" for --ipc=host too
        given = create_flags(create_command, "--ipc")
        if given and given[-1] == "host":
            ns.ipc = "host"
    if ns.userns == "private":  # --userns=keep-id shows as "private" plus an ID mapping
        given = create_flags(create_command, "--userns")
        if given and given[-1].startswith("keep-id"):
            ns.userns = given[-1]
        elif engine_uid is not None and f"{engine_uid}:0:1" in _list(_dict(host.get("IDMappings")).get("UidMap")):
            ns.userns = "keep-id"
    return ns


def _security(data: Mapping[str, Any], host: Mapping[str, Any], config: Mapping[str, Any],
              oci_spec: Mapping[str, Any] | None) -> SecurityOptions:
    raw = [str(o) for o in _list(host.get("SecurityOpt"))]
    sec = SecurityOptions(raw=raw, readonly_rootfs=bool(host.get("ReadonlyRootfs")))
    annotations = _dict(config.get("Annotations"))
    opts = raw + [o for o in create_flags(config.get("CreateCommand"), "--security-opt") if o not in raw]
    for opt in opts:
        key, _, value = opt.partition("=") if "=" in opt else opt.partition(":")
        if key == "seccomp" and value:
            sec.seccomp = value
        elif key == "apparmor" and value:
            sec.apparmor = value
        elif key == "label" and value and value not in sec.selinux:
            sec.selinux.append(value)
        elif key == "no-new-privileges" and value.lower() not in ("false", "0"):
            sec.no_new_privileges = True
        elif key == "unmask" and value:
            paths = set(value.split(":"))
            sec.systempaths_unconfined |= value.upper() == "ALL" or bool(paths & _CRITICAL_SYSTEM_PATHS)
        elif key in ("systempaths", "proc-opts") and value == "unconfined":
            sec.systempaths_unconfined = True
    seccomp_note = annotations.get("io.podman.annotations.seccomp")
    if sec.seccomp == "default" and isinstance(seccomp_note, str) and seccomp_note:
        sec.seccomp = seccomp_note
    if not sec.apparmor and data.get("AppArmorProfile"):
        sec.apparmor = str(data["AppArmorProfile"])
    if oci_spec:
        linux = _dict(oci_spec.get("linux"))
        sec.masked_paths = [str(p) for p in _list(linux.get("maskedPaths"))]
        sec.readonly_paths = [str(p) for p in _list(linux.get("readonlyPaths"))]
        if not sec.masked_paths and not sec.readonly_paths and not host.get("Privileged"):
            sec.systempaths_unconfined = True
        if _dict(oci_spec.get("process")).get("noNewPrivileges"):
            sec.no_new_privileges = True
    return sec


def _mounts(data: Mapping[str, Any], host: Mapping[str, Any]) -> list[Mount]:
    mounts = [
        Mount(
            type=str(m.get("Type") or ""),
            source=str(m.get("Source") or ""),
            destination=str(m.get("Destination") or ""),
            read_only=not m.get("RW", True),
            propagation=str(m.get("Propagation") or ""),
            name=str(m.get("Name") or ""),
            driver=str(m.get("Driver") or ""),
        )
        for m in _list(data.get("Mounts")) if isinstance(m, dict)
    ]
    seen = {m.destination for m in mounts}
    for dest, options in _dict(host.get("Tmpfs")).items():
        if dest not in seen:
            opts = str(options).split(",")
            mounts.append(Mount(type="tmpfs", source="tmpfs", destination=str(dest), read_only="ro" in opts))
    return mounts


def _spec_device_access(oci_spec: Mapping[str, Any] | None) -> dict[str, str]:
    """Container path -> cgroup access ("r", "rw", "rwm") from a started container's OCI spec."""
    linux = _dict(_dict(oci_spec).get("linux"))
    rules = [r for r in _list(_dict(linux.get("resources")).get("devices")) if isinstance(r, dict) and r.get("allow")]
    access: dict[str, str] = {}
    for dev in _list(linux.get("devices")):
        if not isinstance(dev, dict):
            continue
        for rule in rules:
            if rule.get("major") == dev.get("major") and rule.get("minor") == dev.get("minor") and rule.get("access"):
                access[str(dev.get("path"))] = str(rule["access"])
    return access


def _devices(host: Mapping[str, Any], config: Mapping[str, Any], oci_spec: Mapping[str, Any] | None) -> list[Device]:
    given = _spec_device_access(oci_spec)  # container path -> permissions
    for spec in create_flags(config.get("CreateCommand"), "--device"):
        parts = spec.split(":")
        if len(parts) == 3 or (len(parts) == 2 and set(parts[1]) <= set("rwm")):
            inside = parts[1] if len(parts) == 3 else parts[0]
            given.setdefault(inside, parts[-1])
    devices = []
    for d in _list(host.get("Devices")):
        if isinstance(d, dict):
            inside = str(d.get("PathInContainer") or d.get("PathOnHost") or "")
            perms = str(d.get("CgroupPermissions") or given.get(inside) or "rwm")
            devices.append(Device(host_path=str(d.get("PathOnHost") or ""), container_path=inside, permissions=perms))
    return devices


def _networks(settings: Mapping[str, Any]) -> list[NetworkAttachment]:
    return [
        NetworkAttachment(
            name=str(name),
            network_id=str(net.get("NetworkID") or ""),
            aliases=[str(a) for a in _list(net.get("Aliases"))],
            ip_address=str(net.get("IPAddress") or ""),
            gateway=str(net.get("Gateway") or ""),
        )
        for name, net in _dict(settings.get("Networks")).items() if isinstance(net, dict)
    ]


def _ports(host: Mapping[str, Any], settings: Mapping[str, Any], config: Mapping[str, Any]) -> list[Port]:
    found: dict[tuple[int, str, str, int | None], Port] = {}
    sources = [_dict(host.get("PortBindings")), _dict(settings.get("Ports")),
               {k: None for k in _dict(config.get("ExposedPorts"))}]
    for table in sources:
        for spec, bindings in table.items():
            port_s, _, proto = str(spec).partition("/")
            if not port_s.isdigit():
                continue
            port, proto = int(port_s), proto or "tcp"
            if not bindings:
                found.setdefault((port, proto, "", None), Port(port, proto))
                continue
            for b in bindings if isinstance(bindings, list) else []:
                host_port = str(_dict(b).get("HostPort") or "")
                if not host_port.isdigit():
                    continue
                ip = str(_dict(b).get("HostIp") or "") or "0.0.0.0"  # podman says "" for all interfaces
                found.setdefault((port, proto, ip, int(host_port)), Port(port, proto, ip, int(host_port)))
    published = {(p.container_port, p.protocol) for p in found.values() if p.host_port is not None}
    ports = [p for p in found.values() if p.host_port is not None or (p.container_port, p.protocol) not in published]
    return sorted(ports, key=lambda p: (p.container_port, p.protocol, p.host_ip, p.host_port or 0))


def _env(config: Mapping[str, Any]) -> list[EnvVar]:
    env = []
    for item in _list(config.get("Env")):
        name, sep, value = str(item).partition("=")
        env.append(EnvVar(name=name, value=value if sep else None))
    return env


def container_from_inspect(
    data: Mapping[str, Any],
    engine_key: str,
    *,
    engine_uid: int | None = None,
    list_namespaces: Mapping[str, str] | None = None,
    host_namespaces: Mapping[str, str] | None = None,
    oci_spec: Mapping[str, Any] | None = None,
) -> Container:
    """Build the model of one container from ``GET /libpod/containers/{id}/json``."""
    host = _dict(data.get("HostConfig"))
    config = _dict(data.get("Config"))
    settings = _dict(data.get("NetworkSettings"))
    state = _dict(data.get("State"))
    privileged = bool(host.get("Privileged"))
    effective = _caps(data.get("EffectiveCaps"))
    if privileged:
        effective = sort_caps([*effective, *all_capabilities()])
    env = _env(config)
    path = data.get("Path")
    command = ([str(path)] if path else []) + [str(a) for a in _list(data.get("Args"))]
    return Container(
        id=str(data.get("Id") or ""),
        name=str(data.get("Name") or "").lstrip("/"),
        engine=engine_key,
        image=str(data.get("ImageName") or config.get("Image") or data.get("Image") or ""),
        image_id=str(data.get("Image") or ""),
        state=_STATES.get(str(state.get("Status") or "").lower(), "unknown"),  # type: ignore[arg-type]
        created=str(data.get("Created") or ""),
        command=command,
        user=str(config.get("User") or ""),
        privileged=privileged,
        capabilities=effective,
        cap_add=_caps(host.get("CapAdd")),
        cap_drop=_caps(host.get("CapDrop")),
        namespaces=_namespaces(host, config, list_namespaces or {}, host_namespaces or {}, engine_uid),
        security=_security(data, host, config, oci_spec),
        devices=_devices(host, config, oci_spec),
        mounts=_mounts(data, host),
        networks=_networks(settings),
        ports=_ports(host, settings, config),
        env=env,
        labels={str(k): str(v) for k, v in _dict(config.get("Labels")).items()},
        client_settings={v.name: v.value or "" for v in env if v.name in CLIENT_SETTING_NAMES},
        sysctls={str(k): str(v) for k, v in _dict(host.get("Sysctls")).items()},
        group_add=[str(g) for g in _list(host.get("GroupAdd"))],
        hostname=str(config.get("Hostname") or ""),
        pod=str(data.get("Pod") or ""),
    )
