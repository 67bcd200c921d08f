#!/bin/sh
# Set up a rootless Podman API service for user "builder" (idempotent; run as root).
#
#   - installs uidmap (newuidmap/newgidmap) when missing
#   - creates user "builder" with subordinate uid/gid ranges when missing
#   - creates /run/user/UID (mode 0700, owned by builder)
#   - imports local/busybox:1 into builder's image store when missing
#   - starts `podman system service` as builder on /run/user/UID/podman/podman.sock
#     (log: /tmp/podman-rootless-builder.log) and waits until /_ping answers
#
# Environment: ROOTLESS_USER (default builder), ROOTLESS_WAIT (seconds, default 30).
set -eu

USER_NAME="${ROOTLESS_USER:-builder}"
WAIT="${ROOTLESS_WAIT:-30}"
LOG="/tmp/podman-rootless-${USER_NAME}.log"
IMAGE="local/busybox:1"

say() { echo "setup-rootless-podman: $*"; }
die() { echo "setup-rootless-podman: error: $*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "run as root"
command -v podman >/dev/null 2>&1 || die "podman is not installed (apt-get install -y podman)"

if ! command -v newuidmap >/dev/null 2>&1 || ! command -v newgidmap >/dev/null 2>&1; then
    say "installing uidmap"
    DEBIAN_FRONTEND=noninteractive apt-get install -y uidmap >/dev/null
fi

if ! id "$USER_NAME" >/dev/null 2>&1; then
    say "creating user $USER_NAME"
    useradd -m -s /bin/sh "$USER_NAME"
fi
USER_UID="$(id -u "$USER_NAME")"
USER_GID="$(id -g "$USER_NAME")"
USER_HOME="$(getent passwd "$USER_NAME" | cut -d: -f6)"

# useradd normally allocates subordinate ranges; make sure they exist (needed for user namespaces).
next_range() {  # first free start >= 100000 in $1, in steps of 65536
    awk -F: 'BEGIN { s = 100000 } { e = $2 + $3; if (e > s) s = e } END { print s }' "$1" 2>/dev/null || echo 100000
}
MIGRATE=0
for f in /etc/subuid /etc/subgid; do
    touch "$f"
    if ! grep -q "^${USER_NAME}:" "$f" && ! grep -q "^${USER_UID}:" "$f"; then
        start="$(next_range "$f")"
        say "adding ${USER_NAME}:${start}:65536 to $f"
        echo "${USER_NAME}:${start}:65536" >> "$f"
        MIGRATE=1
    fi
done

RUNTIME_DIR="/run/user/${USER_UID}"
mkdir -p "$RUNTIME_DIR"
chown "${USER_UID}:${USER_GID}" "$RUNTIME_DIR"
chmod 0700 "$RUNTIME_DIR"

as_user() {  # run a shell command as the rootless user with its runtime dir
    su -s /bin/sh "$USER_NAME" -c "cd '$USER_HOME' && XDG_RUNTIME_DIR='$RUNTIME_DIR' HOME='$USER_HOME' $1"
}

# After adding subuids to an existing user, podman needs a migrate (it restarts the pause process).
if [ "$MIGRATE" = 1 ]; then
    as_user "podman system migrate" >/dev/null 2>&1 || true
fi
# Make sure the rootless pause process exists BEFORE the service starts: the service and every later
# `podman` CLI call then share one user+mount namespace. Otherwise containers the CLI runs get network
# namespaces the service cannot see ("unknown FS magic" errors when it lists containers).
as_user "podman unshare true" >/dev/null 2>&1 || true

if ! as_user "podman image exists $IMAGE"; then
    say "importing $IMAGE for $USER_NAME"
    busybox="$(command -v busybox || true)"
    [ -n "$busybox" ] || die "busybox not found (apt-get install -y busybox-static)"
    rootfs="$(mktemp -d /tmp/dindscope-rootfs-XXXXXX)"
    mkdir "$rootfs/bin"
    cp "$busybox" "$rootfs/bin/busybox"
    for applet in sh ls cat sleep echo id env true nc wget; do ln -s busybox "$rootfs/bin/$applet"; done
    tarball="$rootfs.tar"
    tar -C "$rootfs" -cf "$tarball" .
    chmod 0644 "$tarball"
    as_user "podman import -c 'ENV PATH=/bin' '$tarball' $IMAGE" >/dev/null
    rm -rf "$rootfs" "$tarball"
fi

SOCKET="${RUNTIME_DIR}/podman/podman.sock"
ping_ok() {  # GET /_ping on the socket answers 200 (python3 so curl is not needed)
    python3 - "$SOCKET" <<'PY' >/dev/null 2>&1
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.settimeout(2)
s.connect(sys.argv[1])
s.sendall(b"GET /_ping HTTP/1.0\r\nHost: d\r\n\r\n")
sys.exit(0 if s.recv(64).split(b" ")[1] == b"200" else 1)
PY
}
if ping_ok; then
    say "rootless podman service for $USER_NAME already answers on $SOCKET"
    exit 0
fi

say "starting rootless podman service for $USER_NAME on $SOCKET (log: $LOG)"
rm -f "$SOCKET"
as_user "mkdir -p '${RUNTIME_DIR}/podman'"
touch "$LOG"
chown "$USER_NAME" "$LOG"
as_user "setsid podman system service --time=0 unix://$SOCKET >>'$LOG' 2>&1 </dev/null &"

i=0
while [ "$i" -lt "$((WAIT * 5))" ]; do
    if ping_ok; then
        say "rootless podman service for $USER_NAME is up: unix://$SOCKET"
        exit 0
    fi
    sleep 0.2
    i=$((i + 1))
done
tail -n 20 "$LOG" >&2 || true
die "rootless podman service did not answer on $SOCKET within ${WAIT}s"
