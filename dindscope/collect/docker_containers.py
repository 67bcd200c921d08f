"""Docker ``GET /containers/{id}/json`` (inspect) -> ``dindscope.models.Container``.

Pure functions on the inspect JSON: no I/O, so recorded inspect output converts
exactly like live output. Podman's Docker-compatible API answers in the same shape.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

from dindscope.collect.caps import docker_effective_caps, normalize_caps
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

KNOWN_STATES = {"running", "created", "exited", "paused", "restarting", "removing", "dead"}


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _strs(value: Any) -> list[str]:
    return [v for v in _list(value) if isinstance(v, str)]


@lru_cache(maxsize=1024)
def _effective_caps(defaults: tuple[str, ...], cap_add: tuple[str, ...], cap_drop: tuple[str, ...],
                    privileged: bool, replacement: tuple[str, ...]) -> tuple[str, ...]:
    """docker_effective_caps, once per distinct setting: on a host most containers share one."""
    return tuple(docker_effective_caps(defaults, cap_add, cap_drop, privileged, replacement))


def _split_opt(opt: str) -> tuple[str, str | None]:
    """``seccomp=unconfined`` / legacy ``seccomp:unconfined`` -> (key, value); ``no-new-privileges`` -> (key, None)."""
    for sep in ("=", ":"):
        if sep in opt:
            key, value = opt.split(sep, 1)
            return key.strip().lower(), value.strip()
    return opt.strip().lower(), None


def _truthy(value: str | None) -> bool:
    return value is None or value.lower() in ("", "true", "1", "yes")


def parse_security(host_config: Mapping[str, Any], apparmor_profile: str = "") -> SecurityOptions:
    """HostConfig.SecurityOpt and friends -> SecurityOptions, in the engine's own words."""
    sec = SecurityOptions(
        masked_paths=_strs(host_config.get("MaskedPaths")),
        readonly_paths=_strs(host_config.get("ReadonlyPaths")),
        readonly_rootfs=bool(host_config.get("ReadonlyRootfs")),
        apparmor=apparmor_profile,
    )
    for opt in _strs(host_config.get("SecurityOpt")):
        key, value = _split_opt(opt)
        if key == "seccomp":
            value = value or ""
            custom = value.lstrip().startswith("{")
            sec.seccomp = "custom" if custom else (value or "default")
            sec.raw.append("seccomp=<custom profile>" if custom else opt)
            continue
        sec.raw.append(opt)
        if key == "apparmor":
            sec.apparmor = value or ""
        elif key == "no-new-privileges":
            sec.no_new_privileges = _truthy(value)
        elif key == "systempaths":
            sec.systempaths_unconfined = (value or "").lower() == "unconfined"
        elif key == "label":
            sec.selinux.append(value or "")
    masked, readonly = host_config.get("MaskedPaths"), host_config.get("ReadonlyPaths")
    if masked == [] and readonly == []:
        # the docker CLI turns "systempaths=unconfined" into explicitly empty lists; it is not kept in SecurityOpt
        sec.systempaths_unconfined = True
    return sec


def parse_namespaces(host_config: Mapping[str, Any]) -> Namespaces:
    return Namespaces(
        pid=_str(host_config.get("PidMode")),
        network=_str(host_config.get("NetworkMode")),
        ipc=_str(host_config.get("IpcMode")),
        uts=_str(host_config.get("UTSMode")),
        userns=_str(host_config.get("UsernsMode")),
        cgroupns=_str(host_config.get("CgroupnsMode")),
    )


def parse_devices(host_config: Mapping[str, Any]) -> list[Device]:
    devices = []
    for dev in _list(host_config.get("Devices")):
        dev = _dict(dev)
        host_path = _str(dev.get("PathOnHost"))
        devices.append(Device(
            host_path=host_path,
            container_path=_str(dev.get("PathInContainer")) or host_path,
            permissions=_str(dev.get("CgroupPermissions")) or "rwm",
        ))
    return devices


def parse_mounts(data: Mapping[str, Any]) -> list[Mount]:
    mounts = []
    for raw in _list(data.get("Mounts")):
        raw = _dict(raw)
        mounts.append(Mount(
            type=_str(raw.get("Type")) or "bind",
            source=_str(raw.get("Source")),
            destination=_str(raw.get("Destination")),
            read_only=not raw.get("RW", True),
            propagation=_str(raw.get("Propagation")),
            name=_str(raw.get("Name")),
            driver=_str(raw.get("Driver")),
        ))
    seen = {m.destination for m in mounts}
    host_config = _dict(data.get("HostConfig"))
    for destination, options in _dict(host_config.get("Tmpfs")).items():
        if destination not in seen:
            opts = _str(options).split(",")
            mounts.append(Mount(type="tmpfs", source="", destination=destination, read_only="ro" in opts))
    return mounts


def parse_networks(settings: Mapping[str, Any]) -> list[NetworkAttachment]:
    networks = []
    for name, raw in _dict(settings.get("Networks")).items():
        raw = _dict(raw)
        aliases: dict[str, None] = {}
        for alias in [*_strs(raw.get("Aliases")), *_strs(raw.get("DNSNames"))]:
            aliases.setdefault(alias, None)
        networks.append(NetworkAttachment(
            name=name,
            network_id=_str(raw.get("NetworkID")),
            aliases=list(aliases),
            ip_address=_str(raw.get("IPAddress")),
            gateway=_str(raw.get("Gateway")),
        ))
    return networks


def _port_key(spec: str) -> tuple[int, str] | None:
    number, _, proto = spec.partition("/")
    try:
        return int(number), (proto or "tcp")
    except ValueError:
        return None


def _host_port(value: Any) -> int:
    """A binding's host port; 0 when the engine picks one (not started yet)."""
    try:
        return int(str(value).split("-", 1)[0]) if value not in (None, "") else 0
    except ValueError:
        return 0


def parse_ports(config: Mapping[str, Any], host_config: Mapping[str, Any],
                settings: Mapping[str, Any]) -> list[Port]:
    """Published bindings (actual when running, configured otherwise) plus exposed-only ports."""
    bindings: dict[str, Any] = {}
    live = _dict(settings.get("Ports"))
    configured = _dict(host_config.get("PortBindings"))
    for spec in {*live, *configured}:
        actual = _list(live.get(spec))
        bindings[spec] = actual or _list(configured.get(spec))
    exposed = set(_dict(config.get("ExposedPorts"))) | set(bindings)
    publish_all = bool(host_config.get("PublishAllPorts"))
    ports: list[Port] = []
    for spec in exposed:
        key = _port_key(spec)
        if key is None:
            continue
        number, proto = key
        binds = [_dict(b) for b in bindings.get(spec, [])]
        if binds:
            for bind in binds:
                ports.append(Port(number, proto, _str(bind.get("HostIp")), _host_port(bind.get("HostPort"))))
        elif publish_all:
            ports.append(Port(number, proto, "", 0))
        else:
            ports.append(Port(number, proto, "", None))
    ports.sort(key=lambda p: (p.container_port, p.protocol, p.host_ip, p.host_port or -1))
    return ports


def parse_env(entries: Iterable[Any]) -> list[EnvVar]:
    env = []
    for entry in entries:
        if not isinstance(entry, str):
            continue
        name, sep, value = entry.partition("=")
        env.append(EnvVar(name=name, value=value if sep else None))
    return env


def client_settings(env: Iterable[EnvVar]) -> dict[str, str]:
    return {var.name: var.value or "" for var in env if var.name in CLIENT_SETTING_NAMES}


def container_from_inspect(data: Mapping[str, Any], engine_key: str,
                           default_caps: Iterable[str]) -> Container:
    """Convert one Docker inspect document into the model, exactly as the engine states it."""
    config = _dict(data.get("Config"))
    host_config = _dict(data.get("HostConfig"))
    settings = _dict(data.get("NetworkSettings"))
    state = _dict(data.get("State"))
    privileged = bool(host_config.get("Privileged"))
    cap_add = normalize_caps(_strs(host_config.get("CapAdd")))
    cap_drop = normalize_caps(_strs(host_config.get("CapDrop")))
    status = _str(state.get("Status")).lower()
    env = parse_env(_list(config.get("Env")))
    labels = {str(k): str(v) for k, v in _dict(config.get("Labels")).items()}
    sysctls = {str(k): str(v) for k, v in _dict(host_config.get("Sysctls")).items()}
    return Container(
        id=_str(data.get("Id")),
        name=_str(data.get("Name")).lstrip("/"),
        engine=engine_key,
        image=_str(config.get("Image")),
        image_id=_str(data.get("Image")),
        state=status if status in KNOWN_STATES else "unknown",  # type: ignore[arg-type]
        created=_str(data.get("Created")),
        command=[*_strs(config.get("Entrypoint")), *_strs(config.get("Cmd"))],
        user=_str(config.get("User")),
        privileged=privileged,
        capabilities=list(_effective_caps(tuple(default_caps), tuple(cap_add), tuple(cap_drop), privileged,
                                          tuple(_strs(host_config.get("Capabilities"))))),
        cap_add=cap_add,
        cap_drop=cap_drop,
        namespaces=parse_namespaces(host_config),
        security=parse_security(host_config, _str(data.get("AppArmorProfile"))),
        devices=parse_devices(host_config),
        mounts=parse_mounts(data),
        networks=parse_networks(settings),
        ports=parse_ports(config, host_config, settings),
        env=env,
        labels=labels,
        client_settings=client_settings(env),
        sysctls=sysctls,
        group_add=_strs(host_config.get("GroupAdd")),
        hostname=_str(config.get("Hostname")),
    )
