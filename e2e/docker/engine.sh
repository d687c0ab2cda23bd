#!/usr/bin/env bash
# CI's and the tests' setup, as root: makes a Docker engine and Compose v2 (`docker compose`) answer here, and with
# --stand-ins builds the base images the Dockerfiles take as build args where no container registry is reachable:
# fcb-stand-in/jdk:25 (build stages) and fcb-stand-in/jre:25 (runtime and AOT training), Debian trixie with its own
# openjdk-25 packages, both from one debootstrap so the JRE is the very JVM build of the JDK image. Reuses what exists.
set -euo pipefail
mirror=http://deb.debian.org/debian
log() { printf '[engine] %s\n' "$*" >&2; }
apt_install() { DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null; }

missing=()
command -v docker >/dev/null && command -v dockerd >/dev/null || missing+=(docker.io)
[ "${1:-}" != --stand-ins ] || command -v debootstrap >/dev/null || missing+=(debootstrap)
[ ${#missing[@]} = 0 ] || { log "installing ${missing[*]}"; apt-get update -qq; apt_install "${missing[@]}"; }

# Compose v2 is trixie's docker-compose 2.26.1 (the CLI plugin; it runs on bookworm). The pin takes only that package
# from trixie, without its recommended docker-cli, which would replace bookworm's docker.io.
if [[ $(docker compose version --short 2>/dev/null) != 2.26.* ]]; then
    log "installing Compose v2 (docker-compose from Debian trixie, pinned to that one package)"
    printf 'Types: deb\nURIs: %s\nSuites: trixie\nComponents: main\nSigned-By: %s\n' "$mirror" \
        /usr/share/keyrings/debian-archive-keyring.gpg >/etc/apt/sources.list.d/fcb-trixie.sources
    printf 'Package: *\nPin: release n=trixie\nPin-Priority: -1\n\nPackage: docker-compose\nPin: release n=trixie\nPin-Priority: 990\n' \
        >/etc/apt/preferences.d/fcb-trixie
    apt-get update -qq && apt_install --no-install-recommends docker-compose
    [[ $(docker compose version --short) == 2.26.* ]] || { log "docker compose is not 2.26.x"; exit 1; }
fi

if ! docker info >/dev/null 2>&1; then
    log "starting dockerd (log: /var/log/fcb-dockerd.log)"
    nohup dockerd >/var/log/fcb-dockerd.log 2>&1 &
    for _ in $(seq 60); do docker info >/dev/null 2>&1 && break; sleep 1; done
    docker info >/dev/null 2>&1 || { tail -20 /var/log/fcb-dockerd.log >&2; log "dockerd did not answer within 60 s"; exit 1; }
fi

[ "${1:-}" = --stand-ins ] || exit 0
docker image inspect fcb-stand-in/jdk:25 fcb-stand-in/jre:25 >/dev/null 2>&1 && { log "stand-in images present"; exit 0; }
rootfs=$(mktemp -d /var/tmp/fcb-stand-in.XXXXXX)
trap 'umount "$rootfs/proc" 2>/dev/null || true; rm -rf "$rootfs"' EXIT
import_as() { # image
    chroot "$rootfs" apt-get clean
    tar -C "$rootfs" -c . | docker import --change 'ENV LANG=C.UTF-8' \
        --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' - "$1" >/dev/null
    log "imported $1"
}
log "debootstrap trixie with openjdk-25-jre-headless into $rootfs (a few minutes)"
debootstrap --variant=minbase --include=openjdk-25-jre-headless,ca-certificates trixie "$rootfs" "$mirror" >/dev/null 2>&1
import_as fcb-stand-in/jre:25
mount -t proc proc "$rootfs/proc"
chroot "$rootfs" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-25-jdk-headless >/dev/null 2>&1
# The build stage downloads from Maven Central, which this machine may reach through a CA of its own.
if compgen -G '/usr/local/share/ca-certificates/*.crt' >/dev/null; then
    cp /usr/local/share/ca-certificates/*.crt "$rootfs/usr/local/share/ca-certificates/"
    chroot "$rootfs" update-ca-certificates >/dev/null 2>&1
fi
umount "$rootfs/proc"
import_as fcb-stand-in/jdk:25
