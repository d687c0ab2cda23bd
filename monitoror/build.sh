#!/usr/bin/env bash
# Builds Monitoror's core from its Go module, at the pin of monitoror.version, into monitoror/target/monitoror:
# a module of its own in monitoror/target/module requires Monitoror at that pseudo-version and raises only the
# dependency monitoror.version names, then `go build` (static, CGO_ENABLED=0) builds cmd/monitoror.
#
#   monitoror/build.sh           the binary; prints its path
#   monitoror/build.sh --image   then the local image fcb-local/monitoror:<version> from it; prints the image's name,
#                                for MONITOROR_IMAGE=$(monitoror/build.sh --image) docker compose up --build
#
# MONITOROR_BIN=/path/to/monitoror takes an executable built elsewhere instead (the image is then built from it), such
# as the release's core and web UI in one executable, ../shared/monitoror/monitoror-4.0.1-linux-amd64 on the build
# machines (.ci/run sets it). The image has the web UI when the executable has it, else MO_DISABLEUI=true.
# Quiet and fast once built. Progress goes to stderr, the answer to stdout. Exit 3: the Go module proxy refuses
# Monitoror's module (it does on the project's build machines today); 4: no Go; any other failure: 1.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=monitoror.version
source "$here/monitoror.version"
target=$here/target
binary=${MONITOROR_BIN:-$target/monitoror}
image=fcb-local/monitoror:$MONITOROR_VERSION

log() { printf '[monitoror] %s\n' "$*" >&2; }

build() {
    command -v go >/dev/null || PATH=$PATH:/usr/local/go/bin
    command -v go >/dev/null || { log "no go on the PATH: Monitoror's core builds with Go 1.26"; exit 4; }
    log "building Monitoror $MONITOROR_VERSION's core ($MONITOROR_MODULE@$MONITOROR_PSEUDO_VERSION) with $(go env GOVERSION)"
    rm -rf "$target/module" && mkdir -p "$target/module" && cd "$target/module"
    go mod init fast-circuit-breaker/monitoror-build >/dev/null 2>&1
    local output
    if ! output=$(go get "$MONITOROR_MODULE/cmd/monitoror@$MONITOROR_PSEUDO_VERSION" "$MONITOROR_RAISED" 2>&1); then
        if grep -q '403 Forbidden' <<<"$output"; then
            log "blocked: the Go module proxy refuses $MONITOROR_MODULE@$MONITOROR_PSEUDO_VERSION (403 Forbidden)"
            exit 3
        fi
        printf '%s\n' "$output" >&2
        exit 1
    fi
    # The version flags of Monitoror's own scripts/setup-variables.sh, so /api/v1/info answers as the release does.
    local commit=${MONITOROR_PSEUDO_VERSION##*-}
    CGO_ENABLED=0 go build -buildvcs=false -o "$binary.tmp" -ldflags "-w \
        -X $MONITOROR_MODULE/cli/version.Version=$MONITOROR_VERSION -X $MONITOROR_MODULE/cli/version.GitCommit=${commit:0:7}" \
        "$MONITOROR_MODULE/cmd/monitoror"
    mv "$binary.tmp" "$binary"
}

if [ -n "${MONITOROR_BIN:-}" ]; then
    [ -x "$binary" ] || { log "MONITOROR_BIN=$binary is not an executable file"; exit 1; }
elif [ ! -x "$binary" ] || [ "$here/monitoror.version" -nt "$binary" ] || [ "$here/build.sh" -nt "$binary" ]; then
    (build)
fi

if [ "${1:-}" != --image ]; then
    echo "$binary"
    exit 0
fi
docker info >/dev/null 2>&1 || { log "no Docker engine answers (e2e/docker/engine.sh starts one)"; exit 1; }
# go.rice embeds the web UI's files as they are, its index page included: a core built from the Go module has none
# (and would panic at start looking for it unless MO_DISABLEUI=true).
if grep -aqF '<title>Monitoror</title>' "$binary"; then
    disable_ui=false
    log "building the image $image (Monitoror's core and its web UI, from $binary)"
else
    disable_ui=true
    log "building the image $image (Monitoror's core, without its web UI, from $binary)"
fi
mkdir -p "$target/image"
cp "$binary" "$target/image/monitoror"
# The legacy builder's deprecation notice is no news here: its output is shown only if the build fails.
output=$(docker build -q --build-arg "MO_DISABLEUI=$disable_ui" -t "$image" -f "$here/Dockerfile" "$target/image" 2>&1) \
    || { printf '%s\n' "$output" >&2; exit 1; }
echo "$image"
