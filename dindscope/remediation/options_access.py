"""Fixes for the ways in to an engine: sockets, TCP listeners, Docker-in-Docker."""

from __future__ import annotations

from dindscope.analysis.results import RemediationOption as R

PROXY_WARNING = ("A proxy that allows POST /containers/create (or exec, or build with host mounts) is as good as "
                 "the raw socket: allow only the read endpoints the job needs.")

ACCESS: tuple[R, ...] = (
    R(id="socket-mount/rootless-buildkit", technique="socket-mount",
      title="Build images with rootless BuildKit instead of the engine socket",
      breaks="removes the engine socket from the job: no engine API, no container create",
      side_effects="`docker build` in the job becomes `buildctl-daemonless.sh build`; cache moves to "
                   "--export-cache; jobs that start other containers (docker run, compose) need another runner",
      docker_run="remove: -v /var/run/docker.sock:/var/run/docker.sock\n"
                 "use: docker run --security-opt seccomp=unconfined --security-opt apparmor=unconfined "
                 "moby/buildkit:rootless buildctl-daemonless.sh build --frontend dockerfile.v0 --local context=. "
                 "--local dockerfile=.",
      compose="services:\n  build:\n    image: moby/buildkit:rootless\n    # no docker.sock volume\n"
              "    security_opt: [\"seccomp=unconfined\", \"apparmor=unconfined\"]",
      podman="podman run --rm moby/buildkit:rootless buildctl-daemonless.sh build ...  (no socket mount)",
      alternatives=["Kaniko", "Buildah", "rootless Podman"]),
    R(id="socket-mount/kaniko", technique="socket-mount",
      title="Build images with Kaniko (no daemon, no socket)",
      breaks="removes the engine socket from the job",
      side_effects="Kaniko builds in userspace from the Dockerfile and pushes to a registry; no local image "
                   "store, no `docker run` in the job",
      docker_run="remove: -v /var/run/docker.sock:/var/run/docker.sock\n"
                 "use: docker run -v $PWD:/workspace gcr.io/kaniko-project/executor --context /workspace "
                 "--destination REGISTRY/IMAGE:TAG",
      compose="services:\n  build:\n    image: gcr.io/kaniko-project/executor:latest\n"
              "    command: [\"--context\", \"/workspace\", \"--destination\", \"REGISTRY/IMAGE:TAG\"]\n"
              "    volumes: [\"./:/workspace:ro\"]",
      podman="podman run -v $PWD:/workspace:Z gcr.io/kaniko-project/executor --context /workspace --no-push",
      alternatives=["rootless BuildKit", "Buildah"]),
    R(id="socket-mount/buildah", technique="socket-mount",
      title="Build images with Buildah (rootless, daemonless)",
      breaks="removes the engine socket from the job",
      side_effects="`docker build` becomes `buildah bud`; needs /dev/fuse or vfs storage and subuid ranges",
      docker_run="remove: -v /var/run/docker.sock:/var/run/docker.sock\n"
                 "use: docker run --device /dev/fuse quay.io/buildah/stable buildah bud -t IMAGE .",
      compose="services:\n  build:\n    image: quay.io/buildah/stable\n    devices: [\"/dev/fuse\"]\n"
              "    command: [\"buildah\", \"bud\", \"-t\", \"IMAGE\", \".\"]",
      podman="podman run --device /dev/fuse quay.io/buildah/stable buildah bud -t IMAGE .",
      alternatives=["Kaniko", "rootless BuildKit"]),
    R(id="socket-mount/rootless-podman", technique="socket-mount",
      title="Give the job a rootless Podman socket instead of the root engine's",
      breaks="the socket now controls an engine that only has an unprivileged user's rights",
      side_effects="images and containers live in that user's storage; --privileged and host ports <1024 lose "
                   "their meaning; needs subuid/subgid for the user",
      docker_run="-v /run/user/1000/podman/podman.sock:/var/run/docker.sock  (instead of /var/run/docker.sock)",
      compose="volumes:\n  - /run/user/1000/podman/podman.sock:/var/run/docker.sock",
      podman="systemctl --user enable --now podman.socket  # as the CI user; mount "
             "$XDG_RUNTIME_DIR/podman/podman.sock"),
    R(id="socket-mount/socket-proxy", technique="socket-mount",
      title="Put a socket proxy that allows only read endpoints in front of the engine",
      breaks="the job reaches only GET endpoints it needs (e.g. /containers/json, /events)",
      side_effects="anything that creates, starts or execs containers fails with 403",
      docker_run="docker run -d --name socket-proxy -v /var/run/docker.sock:/var/run/docker.sock:ro "
                 "-e CONTAINERS=1 -e POST=0 tecnativa/docker-socket-proxy;\n"
                 "job: -e DOCKER_HOST=tcp://socket-proxy:2375",
      compose="services:\n  socket-proxy:\n    image: tecnativa/docker-socket-proxy\n"
              "    environment: {CONTAINERS: 1, POST: 0}\n"
              "    volumes: [\"/var/run/docker.sock:/var/run/docker.sock:ro\"]\n"
              "  job:\n    environment: {DOCKER_HOST: \"tcp://socket-proxy:2375\"}",
      podman="same proxy in front of /run/podman/podman.sock (Docker-compatible API)",
      warning=PROXY_WARNING),
    R(id="socket-mount/remove", technique="socket-mount",
      title="Remove the engine socket mount",
      breaks="the container loses the engine API",
      side_effects="anything in the container that runs docker/podman commands stops working",
      docker_run="remove: -v /var/run/docker.sock:/var/run/docker.sock",
      compose="remove from volumes: - /var/run/docker.sock:/var/run/docker.sock",
      podman="remove: -v /run/podman/podman.sock:/run/podman/podman.sock"),
    R(id="socket-parent-mount/narrow", technique="socket-parent-mount",
      title="Mount only the directory the container needs, not a parent that holds engine sockets",
      breaks="the socket under the mounted directory is no longer visible",
      side_effects="the container sees less of the host's /run (or /); mount the specific subdirectory it uses",
      docker_run="replace: -v /var/run:/host/run  with  -v /run/SPECIFIC_DIR:/host/run/SPECIFIC_DIR",
      compose="volumes:\n  - /run/SPECIFIC_DIR:/host/run/SPECIFIC_DIR:ro   # not /run, /var/run or /",
      podman="same: -v /run/SPECIFIC_DIR:/host/run/SPECIFIC_DIR:ro"),
    R(id="socket-group/remove-user", technique="socket-group-member",
      title="Remove the user from the socket's group (docker)",
      breaks="the user can no longer connect to the root engine's socket",
      side_effects="the user needs sudo for docker, or a rootless engine of their own",
      docker_run="gpasswd -d USER docker   # then give the user rootless Docker: dockerd-rootless-setuptool.sh",
      compose="(host change, not Compose)",
      podman="gpasswd -d USER docker; the user runs rootless podman (podman system service as that user)"),
    R(id="socket-mode/restrict", technique="socket-world-access",
      title="Restrict the socket's mode to owner and group (0660)",
      breaks="other users (and non-root container processes that see the socket) can no longer connect",
      side_effects="clients outside the socket's group need to be added to it or use sudo",
      docker_run="chmod 660 /run/docker.sock; in daemon.json keep \"group\": \"docker\"",
      compose="(host change, not Compose)",
      podman="chmod 660 /run/podman/podman.sock (or SocketMode=0660 in podman.socket)"),
    R(id="tcp-api/tls", technique="engine-api",
      title="Require TLS with client certificates on the TCP listener (2376)",
      breaks="clients without a certificate signed by the engine's CA can no longer use the API",
      side_effects="every legitimate client needs DOCKER_TLS_VERIFY=1 and DOCKER_CERT_PATH with its cert",
      docker_run="dockerd --tlsverify --tlscacert=ca.pem --tlscert=server-cert.pem --tlskey=server-key.pem "
                 "-H tcp://0.0.0.0:2376",
      compose="(daemon setting) /etc/docker/daemon.json: {\"tlsverify\": true, \"tlscacert\": ..., "
              "\"hosts\": [\"unix:///run/docker.sock\", \"tcp://0.0.0.0:2376\"]}",
      podman="podman system service tcp://0.0.0.0:8888 has no TLS: put it behind an SSH tunnel or mTLS proxy"),
    R(id="tcp-api/unix-only", technique="tcp-api-exposed",
      title="Stop listening on TCP; use the unix socket (or SSH) for remote access",
      breaks="nothing on the network reaches the engine",
      side_effects="remote clients use DOCKER_HOST=ssh://user@host instead",
      docker_run="remove -H tcp://... from dockerd and \"hosts\" from daemon.json",
      compose="(daemon setting)",
      podman="podman system service unix:///run/podman/podman.sock (no tcp://)"),
    R(id="host-network/remove", technique="host-network-loopback",
      title="Do not share the host network namespace",
      breaks="127.0.0.1 in the container is no longer the host's loopback",
      side_effects="publish the ports the service needs (-p) instead of --network host",
      docker_run="remove: --network host; add: -p HOST_PORT:CONTAINER_PORT",
      compose="remove: network_mode: host; add ports:",
      podman="remove: --network host (rootless podman: slirp4netns/pasta)"),
    R(id="dind/tls", acts_on="service", technique="dind-client-settings",
      title="Run the DinD service with TLS (DOCKER_TLS_CERTDIR) on 2376",
      breaks="network peers without the client certificate can no longer drive the inner engine",
      side_effects="jobs need the client certs (shared /certs/client volume, DOCKER_TLS_VERIFY=1, "
                   "DOCKER_CERT_PATH); those jobs still control the inner engine, so pair it with sysbox or "
                   "rootless DinD",
      docker_run="docker run --privileged -e DOCKER_TLS_CERTDIR=/certs -v dind-certs:/certs docker:dind; job: "
                 "-e DOCKER_HOST=tcp://docker:2376 -e DOCKER_TLS_VERIFY=1 -e DOCKER_CERT_PATH=/certs/client",
      compose="services:\n  docker:\n    image: docker:dind\n    environment: {DOCKER_TLS_CERTDIR: /certs}\n"
              "    volumes: [\"dind-certs:/certs\"]\n  job:\n    environment:\n      DOCKER_HOST: tcp://docker:2376\n"
              "      DOCKER_TLS_VERIFY: \"1\"\n      DOCKER_CERT_PATH: /certs/client",
      podman="podman run --privileged -e DOCKER_TLS_CERTDIR=/certs docker:dind (or use podman in podman, "
             "rootless: quay.io/podman/stable)"),
    R(id="dind/unpublish", acts_on="service", technique="dind-published-port",
      title="Do not publish the DinD engine port on the host",
      breaks="the inner engine is no longer reachable from the host, its users or the network",
      side_effects="jobs reach the service over a shared user-defined network by its alias "
                   "(DOCKER_HOST=tcp://docker:2376 with TLS) instead of a host port",
      docker_run="remove: -p 2375:2375 (and -p 2376:2376); run jobs with --network ci-net, the service with "
                 "--network ci-net --network-alias docker",
      compose="services:\n  docker:\n    image: docker:dind\n    # no ports: section\n    networks: [ci]\n"
              "  job:\n    networks: [ci]\n    environment: {DOCKER_HOST: tcp://docker:2376}",
      podman="remove: -p 2375:2375; podman network create ci; --network ci --network-alias docker"),
    R(id="dind/sysbox", acts_on="service", technique="dind-inner-engine",
      title="Run DinD under the Sysbox runtime instead of --privileged",
      breaks="the DinD container is no longer privileged and its root is an unprivileged host uid",
      side_effects="needs sysbox installed on the host; some kernel features (e.g. loading modules) are "
                   "unavailable inside",
      docker_run="replace --privileged with --runtime=sysbox-runc: docker run --runtime=sysbox-runc docker:dind",
      compose="services:\n  docker:\n    image: docker:dind\n    runtime: sysbox-runc\n    # no privileged: true",
      podman="podman run --userns=auto quay.io/podman/stable podman ... (Podman-in-Podman without --privileged)"),
    R(id="dind/rootless", acts_on="service", technique="dind-inner-engine",
      title="Use rootless DinD (docker:dind-rootless)",
      breaks="the inner engine runs as an unprivileged user inside the container: its clients are not root there",
      side_effects="docker:dind-rootless still needs --privileged (for its own user namespaces) and some "
                   "storage drivers are unavailable",
      docker_run="docker run --privileged docker:dind-rootless",
      compose="services:\n  docker:\n    image: docker:dind-rootless",
      podman="podman run --security-opt label=disable --user podman quay.io/podman/stable",
      whatif=False),
    R(id="rootless/dedicated-user", technique="rootless-user-files",
      title="Run the rootless engine as a dedicated build user with nothing else to lose",
      breaks="control of the engine's user no longer reaches anyone's login, keys, sudo rights or other groups",
      side_effects="images and build caches live in that user's home; people use their own rootless engines",
      docker_run="useradd --create-home --shell /usr/sbin/nologin ci-build  # no sudo, no other groups; "
                 "run dockerd-rootless-setuptool.sh install as ci-build",
      compose="(host change, not Compose)",
      podman="useradd --create-home --shell /usr/sbin/nologin ci-build; loginctl enable-linger ci-build; "
             "systemctl --user -M ci-build@ enable --now podman.socket",
      whatif=False),
    R(id="engine/rootless", technique="engine-control-rootful",
      title="Run the engine rootless (Docker rootless mode or rootless Podman)",
      breaks="engine control no longer means host root: only the engine user's privileges",
      side_effects="no --privileged host access, no ports < 1024 without sysctl, different storage and "
                   "networking (slirp4netns/pasta), per-user image stores",
      docker_run="dockerd-rootless-setuptool.sh install  # as the CI user; DOCKER_HOST=unix://$XDG_RUNTIME_DIR/docker.sock",
      compose="(daemon setting)",
      podman="run podman as the CI user (rootless is podman's default)",
      whatif=False),
)
