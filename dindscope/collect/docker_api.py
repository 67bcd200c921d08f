"""The few Docker API calls dindscope makes, read-only, over the cheapest transport that works.

* unix sockets: :class:`~dindscope.collect.unix_http.UnixHTTPClient`, a lean
  keep-alive HTTP/1.1 client (no docker-py or requests import at all);
* TCP and TLS endpoints: docker-py's low-level ``APIClient`` (raw dicts), guarded
  by :func:`~dindscope.collect.readonly.make_readonly`.

Both refuse anything but GET/HEAD. Both raise :class:`NotFound` /
:class:`HTTPStatusError` for an inspect the engine refuses, and connection-level
exceptions otherwise (turned into one line by ``problem_from_exception``).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from typing import Any

from dindscope.collect.base import EndpointCandidate
from dindscope.collect.discovery import unix_path
from dindscope.collect.unix_http import HTTPStatusError, NotFound, UnixHTTPClient, path_segment

USER_AGENT = "dindscope (read-only)"
# The API versions docker-py 7 speaks (docker.constants); kept here so unix scans need not import it.
MINIMUM_API_VERSION = "1.24"
DEFAULT_API_VERSION = "1.45"
CONTAINER_LIST_QUERY = "limit=-1&all=1&size=0&trunc_cmd=0"  # what docker-py's containers(all=True) sends

__all__ = ["DockerAPI", "HTTPStatusError", "NotFound", "PerThread", "connect", "make_client", "negotiate_version"]


def _version_tuple(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def version_lt(a: str, b: str) -> bool:
    """``a`` is an older API version than ``b`` (``1.9`` < ``1.10``), like docker-py's ``version_lt``."""
    if a == b:
        return False
    left, right = _version_tuple(a), _version_tuple(b)
    width = max(len(left), len(right))
    return left + (0,) * (width - len(left)) < right + (0,) * (width - len(right))


def negotiate_version(server: dict[str, Any]) -> str:
    """The API version to speak: the server's, clamped to what dindscope knows."""
    api = str(server.get("ApiVersion") or MINIMUM_API_VERSION)
    if version_lt(api, MINIMUM_API_VERSION):
        return MINIMUM_API_VERSION
    return DEFAULT_API_VERSION if version_lt(DEFAULT_API_VERSION, api) else api


class DockerAPI:
    """GET /version, /info, /networks, /containers/json and /containers/ID/json on one endpoint."""

    def version(self) -> dict[str, Any]:
        raise NotImplementedError

    def info(self) -> dict[str, Any]:
        raise NotImplementedError

    def networks(self) -> list[dict[str, Any]]:
        raise NotImplementedError

    def containers(self) -> list[dict[str, Any]]:
        raise NotImplementedError

    def inspect(self, cid: str) -> dict[str, Any]:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError


class UnixDockerAPI(DockerAPI):
    def __init__(self, path: str, timeout: float, api_version: str | None) -> None:
        self._http = UnixHTTPClient(path, timeout, USER_AGENT)
        self._prefix = f"/v{api_version}" if api_version else ""

    def version(self) -> dict[str, Any]:
        return _expect(self._http.get_json("/version"), dict)

    def info(self) -> dict[str, Any]:
        return _expect(self._http.get_json(f"{self._prefix}/info"), dict)

    def networks(self) -> list[dict[str, Any]]:
        return _expect(self._http.get_json(f"{self._prefix}/networks"), list)

    def containers(self) -> list[dict[str, Any]]:
        return _expect(self._http.get_json(f"{self._prefix}/containers/json?{CONTAINER_LIST_QUERY}"), list)

    def inspect(self, cid: str) -> dict[str, Any]:
        # not checked here: odd data for one container is that container's problem, not the engine's
        return self._http.get_json(f"{self._prefix}/containers/{path_segment(cid)}/json")

    def close(self) -> None:
        self._http.close()


class DockerPyAPI(DockerAPI):
    """docker-py for TCP/TLS endpoints (imported only when one is scanned)."""

    def __init__(self, candidate: EndpointCandidate, timeout: float, api_version: str | None) -> None:
        self._client = make_client(candidate, timeout, api_version or MINIMUM_API_VERSION, pool=1)

    def version(self) -> dict[str, Any]:
        return self._client.version(api_version=False)

    def info(self) -> dict[str, Any]:
        return self._client.info()

    def networks(self) -> list[dict[str, Any]]:
        return self._client.networks()

    def containers(self) -> list[dict[str, Any]]:
        return self._client.containers(all=True)

    def inspect(self, cid: str) -> dict[str, Any]:
        from docker.errors import APIError
        from docker.errors import NotFound as DockerNotFound

        try:
            return self._client.inspect_container(cid)
        except DockerNotFound as exc:
            raise NotFound(404, str(exc.explanation or exc)) from exc
        except APIError as exc:
            raise HTTPStatusError(exc.status_code or 500, str(exc.explanation or exc)) from exc

    def close(self) -> None:
        self._client.close()


def connect(candidate: EndpointCandidate, timeout: float, api_version: str | None = None) -> DockerAPI:
    """A read-only API for ``candidate``; no request is sent here. ``None`` version: unversioned paths."""
    path = unix_path(candidate.url)
    if path is not None:
        return UnixDockerAPI(path, timeout, api_version)
    return DockerPyAPI(candidate, timeout, api_version)


def make_client(candidate: EndpointCandidate, timeout: float, version: str, pool: int = 4) -> Any:
    """A read-only docker-py ``APIClient`` for ``candidate`` (no request is sent here)."""
    import docker

    from dindscope.collect.readonly import make_readonly

    tls: Any = False
    url = candidate.url
    if candidate.tls.get("cert") or candidate.tls.get("ca"):
        cert = (candidate.tls["cert"], candidate.tls["key"]) if candidate.tls.get("cert") else None
        verify = candidate.tls.get("ca") if candidate.tls.get("verify", "1") != "0" else False
        tls = docker.tls.TLSConfig(client_cert=cert, ca_cert=candidate.tls.get("ca"), verify=verify)
    elif url.startswith("https://"):
        tls = True
    client = docker.APIClient(base_url=url, version=version, timeout=timeout, tls=tls, max_pool_size=pool,
                              user_agent=USER_AGENT)
    if tls is not False and candidate.tls.get("ca"):
        # requests lets REQUESTS_CA_BUNDLE/CURL_CA_BUNDLE replace the session's CA: the engine's own CA must win
        client.trust_env = False
    if url.startswith(("unix://", "http+unix://")):
        client.trust_env = False  # proxies never apply to a unix socket; reading them costs per request
    return make_readonly(client)


def _expect(value: Any, kind: type) -> Any:
    if not isinstance(value, kind):
        raise ValueError(f"unexpected answer from the engine: expected a JSON {kind.__name__}, "
                         f"got {type(value).__name__}")
    return value


class PerThread:
    """One API (one connection) per worker thread; ``close()`` closes them all."""

    def __init__(self, factory: Callable[[], DockerAPI]) -> None:
        self._factory = factory
        self._local = threading.local()
        self._all: list[DockerAPI] = []
        self._lock = threading.Lock()

    def get(self) -> DockerAPI:
        api = getattr(self._local, "api", None)
        if api is None:
            api = self._factory()
            self._local.api = api
            with self._lock:
                self._all.append(api)
        return api

    def inspect(self, cid: str) -> dict[str, Any]:
        return self.get().inspect(cid)

    def close(self) -> None:
        with self._lock:
            apis, self._all = self._all, []
        for api in apis:
            with contextlib.suppress(Exception):
                api.close()
