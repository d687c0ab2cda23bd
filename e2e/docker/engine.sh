#!/usr/bin/env bash
# Makes a Docker engine and the Compose v2 CLI plugin (`docker compose`) answer on this machine, and builds the
# stand-in base images that the project's Dockerfiles take as build args when no container registry can be reached.
#
#   e2e/docker/engine.sh            engine only
#   e2e/docker/engine.sh --stand-ins engine, then stand-in JDK/JRE images (reused when they exist)
#
# Installing and starting the engine needs root (Debian's docker.io and debootstrap). Compose v2 is Debian trixie's
# docker-compose package (2.26.1, the CLI plugin; it runs on bookworm): the trixie suite is added to apt with a pin
# that takes only that package from it.
# The stand-ins are a minimal Debian trixie with openjdk-25 from Debian's own packages, imported with
# `docker import`: fcb-stand-in/jdk:25 for the build stages, fcb-stand-in/jre:25 for the runtime and AOT training
# stages. Both come from one debootstrap, so the JRE is the very JVM build of the JDK image.
set -euo pipefail

JAVA_VERSION=25
DEBIAN_SUITE=trixie
STAND_IN_JDK=${STAND_IN_JDK:-fcb-stand-in/jdk:$JAVA_VERSION}
STAND_IN_JRE=${STAND_IN_JRE:-fcb-stand-in/jre:$JAVA_VERSION}
DEBIAN_MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
COMPOSE_VERSION=2.26

log() { printf '[engine] %s\n' "$*" >&2; }

have() { command -v "$1" >/dev/null 2>&1; }

ensure_packages() {
    local missing=()
    have docker || missing+=(docker.io)
    have dockerd || missing+=(docker.io)
    [ "${1:-}" = --stand-ins ] && ! have debootstrap && missing+=(debootstrap)
    if [ ${#missing[@]} -gt 0 ]; then
        log "installing ${missing[*]}"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    fi
}

# Compose v2 from trixie, without its recommended docker-cli (it would replace bookworm's docker.io): every other
# trixie package is pinned to -1, never installed.
ensure_compose() {
    [[ $(docker compose version --short 2>/dev/null) == "$COMPOSE_VERSION".* ]] && return
    log "installing Compose v2 (docker-compose from Debian $DEBIAN_SUITE, pinned to that one package)"
    cat >/etc/apt/sources.list.d/fcb-$DEBIAN_SUITE.sources <<EOF
Types: deb
URIs: $DEBIAN_MIRROR
Suites: $DEBIAN_SUITE
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
    cat >/etc/apt/preferences.d/fcb-$DEBIAN_SUITE <<EOF
Package: *
Pin: release n=$DEBIAN_SUITE
Pin-Priority: -1

Package: docker-compose
Pin: release n=$DEBIAN_SUITE
Pin-Priority: 990
EOF
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends docker-compose >/dev/null
    local version
    version=$(docker compose version --short 2>/dev/null || true)
    [[ $version == "$COMPOSE_VERSION".* ]] || { log "docker compose version answers '$version', not $COMPOSE_VERSION.x"; exit 1; }
    log "docker compose $version"
}

ensure_engine() {
    if docker info >/dev/null 2>&1; then
        return
    fi
    log "starting dockerd (log: /var/log/fcb-dockerd.log)"
    nohup dockerd >/var/log/fcb-dockerd.log 2>&1 &
    for _ in $(seq 1 60); do
        docker info >/dev/null 2>&1 && return
        sleep 1
    done
    log "dockerd did not answer within 60 s:"
    tail -20 /var/log/fcb-dockerd.log >&2
    exit 1
}

image_exists() { docker image inspect "$1" >/dev/null 2>&1; }

import_rootfs() {
    local rootfs=$1 image=$2
    log "importing $image"
    tar -C "$rootfs" -c . | docker import \
        --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
        --change 'ENV LANG=C.UTF-8' \
        - "$image" >/dev/null
}

build_stand_ins() {
    if image_exists "$STAND_IN_JDK" && image_exists "$STAND_IN_JRE"; then
        log "stand-in images present: $STAND_IN_JRE, $STAND_IN_JDK"
        return
    fi
    local rootfs
    rootfs=$(mktemp -d /var/tmp/fcb-stand-in.XXXXXX)
    trap 'umount "$rootfs/proc" 2>/dev/null || true; rm -rf "$rootfs"' RETURN
    log "debootstrap $DEBIAN_SUITE + openjdk-$JAVA_VERSION-jre-headless into $rootfs (a few minutes)"
    debootstrap --variant=minbase --include=openjdk-$JAVA_VERSION-jre-headless,ca-certificates \
        "$DEBIAN_SUITE" "$rootfs" "$DEBIAN_MIRROR" >/dev/null 2>&1
    chroot "$rootfs" apt-get clean
    import_rootfs "$rootfs" "$STAND_IN_JRE"

    log "adding openjdk-$JAVA_VERSION-jdk-headless and this machine's extra CA certificates for the build stand-in"
    mount -t proc proc "$rootfs/proc"
    chroot "$rootfs" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-$JAVA_VERSION-jdk-headless >/dev/null 2>&1
    # The build stage downloads from Maven Central: where this machine reaches it through a CA of its own
    # (/usr/local/share/ca-certificates), Maven in the container has to trust that CA too.
    if compgen -G '/usr/local/share/ca-certificates/*.crt' >/dev/null; then
        cp /usr/local/share/ca-certificates/*.crt "$rootfs/usr/local/share/ca-certificates/"
        chroot "$rootfs" update-ca-certificates >/dev/null 2>&1
    fi
    chroot "$rootfs" apt-get clean
    umount "$rootfs/proc"
    import_rootfs "$rootfs" "$STAND_IN_JDK"
}

ensure_packages "${1:-}"
ensure_compose
ensure_engine
if [ "${1:-}" = --stand-ins ]; then
    build_stand_ins
fi
