#!/usr/bin/env bash
# Prints on its last line the path of a Monitoror executable: MONITOROR_BIN's (e.g. the release's core and web UI in
# one executable, which .ci/run sets), else monitoror/target/monitoror, Monitoror's core built from its Go module at
# the pin of monitoror.version (a module of its own requires it and raises only MONITOROR_RAISED; static build).
#   monitoror/build.sh --image   then builds compose's local image fcb-local/monitoror:<version> from it and prints its
#                                name, for MONITOROR_IMAGE=$(monitoror/build.sh --image) docker compose up --build
# Progress goes to stderr. Exit 3: the Go module proxy refuses Monitoror's module; 4: no Go; 1: any other failure.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/monitoror.version"
target=$here/target
binary=${MONITOROR_BIN:-$target/monitoror}
log() { printf '[monitoror] %s\n' "$*" >&2; }

build() {
    command -v go >/dev/null || PATH=$PATH:/usr/local/go/bin
    command -v go >/dev/null || { log "no go on the PATH: Monitoror's core builds with Go 1.26"; exit 4; }
    log "building Monitoror $MONITOROR_VERSION's core ($MONITOROR_MODULE@$MONITOROR_PSEUDO_VERSION) with $(go env GOVERSION)"
    rm -rf "$target/module" && mkdir -p "$target/module" && cd "$target/module"
    go mod init fast-circuit-breaker/monitoror-build >/dev/null 2>&1
    local output commit=${MONITOROR_PSEUDO_VERSION##*-}
    if ! output=$(go get "$MONITOROR_MODULE/cmd/monitoror@$MONITOROR_PSEUDO_VERSION" "$MONITOROR_RAISED" 2>&1); then
        grep -q '403 Forbidden' <<<"$output" || { printf '%s\n' "$output" >&2; exit 1; }
        log "blocked: the Go module proxy refuses $MONITOROR_MODULE@$MONITOROR_PSEUDO_VERSION (403 Forbidden)"
        exit 3
    fi
    # The version flags of Monitoror's own scripts/setup-variables.sh, so /api/v1/info answers as the release does.
    CGO_ENABLED=0 go build -buildvcs=false -o "$binary.tmp" -ldflags "-w -X $MONITOROR_MODULE/cli/version.Version=$MONITOROR_VERSION \
        -X $MONITOROR_MODULE/cli/version.GitCommit=${commit:0:7}" "$MONITOROR_MODULE/cmd/monitoror"
    mv "$binary.tmp" "$binary"
}

if [ -n "${MONITOROR_BIN:-}" ]; then
    [ -x "$binary" ] || { log "MONITOROR_BIN=$binary is not an executable file"; exit 1; }
elif [ ! -x "$binary" ] || [ "$here/monitoror.version" -nt "$binary" ] || [ "$here/build.sh" -nt "$binary" ]; then
    (build)
fi
[ "${1:-}" = --image ] || { echo "$binary"; exit 0; }

docker info >/dev/null 2>&1 || { log "no Docker engine answers (e2e/docker/engine.sh starts one)"; exit 1; }
image=fcb-local/monitoror:$MONITOROR_VERSION
# go.rice embeds the web UI's files as they are, its index page included: a core built from the Go module has none
# (and would panic at start looking for it unless MO_DISABLEUI=true).
if grep -aqF '<title>Monitoror</title>' "$binary"; then disable_ui=false; else disable_ui=true; fi
log "building the image $image from $binary (MO_DISABLEUI=$disable_ui)"
mkdir -p "$target/image" && cp "$binary" "$target/image/monitoror"
# The legacy builder's deprecation notice is no news here: the build's output is shown only if it fails.
output=$(docker build -q --build-arg "MO_DISABLEUI=$disable_ui" -t "$image" -f "$here/Dockerfile" "$target/image" 2>&1) \
    || { printf '%s\n' "$output" >&2; exit 1; }
echo "$image"
