#!/usr/bin/env bash
# The whole demo in one command, from the repository root: partner-offer, offer and the Monitoror board.
#
#   ./demo.sh [up] [--docker|--local]   start it: in containers where Docker is installed, else as local processes
#   ./demo.sh stop|start|pause|unpause partner-offer
#                                       the demo's steps (README), the same words on both routes
#   ./demo.sh slow partner-offer 300ms  its answers take 300 ms (a duration: 1.5s is past offer's timeout; 0 undoes it)
#   ./demo.sh status | logs [SERVICE] | down
#
# Containers: picks `docker compose` or `docker-compose`, starts the engine when root (e2e/docker/engine.sh), builds
# the images on the public base images where their registry answers, else on stand-ins built from Debian packages,
# and runs them detached; `down` removes them and the build stages the image builds leave behind.
# Local processes (no Docker, or --local): builds the jars if needed, runs both services (and Monitoror's core where
# monitoror/build.sh can build it) in this terminal until Ctrl-C, which stops everything it started. PID files and
# logs are in target/demo/. Ports: OFFER_PORT, PARTNER_OFFER_PORT, MONITOROR_PORT (8080, 8081, 38080).
set -euo pipefail
cd "$(dirname "$0")"

OFFER_PORT=${OFFER_PORT:-8080}
PARTNER_OFFER_PORT=${PARTNER_OFFER_PORT:-8081}
MONITOROR_PORT=${MONITOROR_PORT:-38080}
export OFFER_PORT PARTNER_OFFER_PORT MONITOROR_PORT
STATE=target/demo
JAVA_BASE_IMAGE=registry.access.redhat.com/ubi9/openjdk-25-runtime:1.24
PUBLIC_MONITOROR_IMAGE=monitoror/monitoror:4.0.1
LOCAL_MONITOROR_IMAGE=fcb-local/monitoror:4.0.1
# Dockerfile.jvm labels its build and training stages with this, so `down` removes exactly those.
STAGE_LABEL=dev.fastcircuitbreaker.stage
SERVICES=(partner-offer offer monitoror)
started_at=$SECONDS

say() { printf '[demo] %s\n' "$*"; }
die() { printf '[demo] %s\n' "$*" >&2; exit 1; }
have() { command -v "$1" >/dev/null 2>&1; }
elapsed() { local s=$((SECONDS - started_at)); printf '%d m %02d s' $((s / 60)) $((s % 60)); }

# One HTTP/1.0 GET on 127.0.0.1 with bash's /dev/tcp (no curl needed); prints the whole response.
http_get() { # port path
    timeout 5 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1" && printf "GET %s HTTP/1.0\r\nAccept: application/json\r\n\r\n" "$2" >&3 && cat <&3' _ "$1" "$2" 2>/dev/null || true
}

# One HTTP/1.0 PUT of a plain-text body on 127.0.0.1, the same way; prints the whole response.
http_put() { # port path body
    LC_ALL=C timeout 5 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1" && printf "PUT %s HTTP/1.0\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n%s" "$2" "${#3}" "$3" >&3 && cat <&3' _ "$1" "$2" "$3" 2>/dev/null || true
}

# Waits, bounded, until GET port path answers with a body containing text.
await_answer() { # port path text seconds what
    local deadline=$((SECONDS + $4))
    until [[ "$(http_get "$1" "$2")" == *"$3"* ]]; do
        [ $SECONDS -lt $deadline ] || return 1
        sleep 1
    done
}

# --- containers -------------------------------------------------------------------------------------------------

as_root=()
[ "$(id -u)" = 0 ] || ! have sudo || as_root=(sudo)
docker_cmd=(docker)

# A Docker engine that answers, started when we may (root, or sudo): else returns 1.
docker_ready() {
    "${docker_cmd[@]}" info >/dev/null 2>&1 && return 0
    if [ "$(id -u)" = 0 ] || [ ${#as_root[@]} -gt 0 ]; then
        "${as_root[@]}" bash e2e/docker/engine.sh || return 1
        docker info >/dev/null 2>&1 && return 0
        # -E: compose reads the ports and base images from the environment.
        [ ${#as_root[@]} -gt 0 ] && sudo docker info >/dev/null 2>&1 && docker_cmd=(sudo -E docker) && return 0
    fi
    return 1
}

compose_cmd() {
    if "${docker_cmd[@]}" compose version >/dev/null 2>&1; then
        compose=("${docker_cmd[@]}" compose)
    elif have docker-compose; then
        compose=("${docker_cmd[@]:0:${#docker_cmd[@]}-1}" docker-compose)
    else
        return 1
    fi
}

image_present() { "${docker_cmd[@]}" image inspect "$1" >/dev/null 2>&1; }
# The board a local Monitoror image shows: its web UI (built from an executable that has it), or only the API.
local_image_board() {
    "${docker_cmd[@]}" image inspect -f '{{range .Config.Env}}{{println .}}{{end}}' "$1" | grep -x MO_DISABLEUI=true >/dev/null \
        && echo api || echo ui
}

# Does the registry of this image answer within a few seconds? (Any HTTP answer counts; none means no registry.)
registry_answers() { # image
    local host=${1%%/*}
    [[ $host == *.* ]] || host=registry-1.docker.io
    if have curl; then
        [ "$(curl -s -m 4 -o /dev/null -w '%{http_code}' "https://$host/v2/" || true)" != 000 ]
    else
        timeout 20 "${docker_cmd[@]}" pull -q "$1" >/dev/null 2>&1
    fi
}

save_state() { # route
    mkdir -p "$STATE"
    {
        echo "route=$1"
        declare -p compose docker_cmd 2>/dev/null || true
    } >"$STATE/route"
}

up_docker() {
    docker_ready || return 1
    compose_cmd || { "${as_root[@]}" bash e2e/docker/engine.sh && compose_cmd; } || return 1
    say "containers, with ${compose[*]}"

    if [ -z "${BUILD_IMAGE:-}${RUNTIME_IMAGE:-}" ] && ! image_present "$JAVA_BASE_IMAGE" && ! registry_answers "$JAVA_BASE_IMAGE"; then
        say "no container registry answers: the services build on stand-in JDK 25 images from Debian packages (e2e/docker/engine.sh --stand-ins makes them once)"
        [ "$(id -u)" = 0 ] || [ ${#as_root[@]} -gt 0 ] || die "building the stand-ins needs root (debootstrap); run as root, or ./demo.sh --local"
        "${as_root[@]}" bash e2e/docker/engine.sh --stand-ins
        export BUILD_IMAGE=fcb-stand-in/jdk:25 RUNTIME_IMAGE=fcb-stand-in/jre:25
    fi

    local services=(partner-offer offer monitoror) board=ui
    if [ -n "${MONITOROR_IMAGE:-}" ]; then
        [ "$MONITOROR_IMAGE" != "$LOCAL_MONITOROR_IMAGE" ] || board=$(local_image_board "$MONITOROR_IMAGE")
    elif image_present "$PUBLIC_MONITOROR_IMAGE" || registry_answers "$PUBLIC_MONITOROR_IMAGE"; then
        :
    elif image_present "$LOCAL_MONITOROR_IMAGE"; then
        export MONITOROR_IMAGE=$LOCAL_MONITOROR_IMAGE
        board=$(local_image_board "$MONITOROR_IMAGE")
    elif say "no registry for Monitoror's image: building a local one (monitoror/build.sh --image: from MONITOROR_BIN, else its core from its Go module)" \
        && MONITOROR_IMAGE=$("${as_root[@]}" bash monitoror/build.sh --image | tail -n 1) && [ -n "$MONITOROR_IMAGE" ]; then
        export MONITOROR_IMAGE
        board=$(local_image_board "$MONITOROR_IMAGE")
    else
        # build.sh has said why on stderr (exit 3: the Go module proxy refuses the module; 4: no Go).
        unset MONITOROR_IMAGE
        say "no Monitoror image: the board is left out (offer's page shows the breaker)"
        services=(partner-offer offer)
        board=none
    fi

    save_state docker
    say "building the images and starting ${services[*]} (the first build downloads Maven's dependencies: a few minutes)"
    say "the build's steps follow; its whole output goes to $STATE/compose.log"
    # Only the steps that take time, and what the AOT training does: the rest is in the log.
    if ! "${compose[@]}" up -d --build "${services[@]}" 2>&1 | tee "$STATE/compose.log" \
        | { grep --line-buffered -E '^(Building |Step [0-9]+/[0-9]+ : (FROM|RUN) |\[aot-training\]|Creating |Starting |Recreating )' || true; }; then
        tail -n 30 "$STATE/compose.log" >&2
        die "the build or the start failed (whole output: $STATE/compose.log)"
    fi
    # Ready, as compose's healthcheck reads it (each service warms up first): the first offer is hot then.
    await_answer "$OFFER_PORT" /q/health/ready '"UP"' 120 || die "offer was not ready within 2 min: ./demo.sh logs"
    say "up in $(elapsed)"
    print_guide docker "$board"
}

# --- local processes --------------------------------------------------------------------------------------------

jar() { echo "$1/target/quarkus-app/quarkus-run.jar"; }

build_jars() {
    local stale=
    for module in partner-offer offer; do
        [ -f "$(jar $module)" ] || { stale=1; break; }
        [ -z "$(find $module/src/main/java $module/src/main/resources $module/pom.xml pom.xml -newer "$(jar $module)" -print -quit)" ] \
            || { stale=1; break; }
    done
    if [ -n "$stale" ]; then
        say "building the jars: ./mvnw -B -q package -DskipTests -pl partner-offer,offer -am (log: $STATE/build.log)"
        ./mvnw -B -q package -DskipTests -pl partner-offer,offer -am >"$STATE/build.log" 2>&1 \
            || { tail -n 40 "$STATE/build.log" >&2; die "the build failed (whole log: $STATE/build.log)"; }
    fi
}

pid_of() { cat "$STATE/$1.pid" 2>/dev/null || true; }
alive() { local pid; pid=$(pid_of "$1"); [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; }

# Starts one service as a child of this shell: its output goes to target/demo/SERVICE.log and, prefixed, here.
launch() { # service
    local service=$1 cmd=()
    case $service in
        partner-offer) cmd=(env QUARKUS_HTTP_PORT="$PARTNER_OFFER_PORT" java -jar "$(jar partner-offer)") ;;
        offer) cmd=(env QUARKUS_HTTP_PORT="$OFFER_PORT" PARTNER_OFFER_URL="http://localhost:$PARTNER_OFFER_PORT" java -jar "$(jar offer)") ;;
        monitoror) cmd=(env MO_CONFIG="$PWD/$STATE/config.json" MO_PORT="$MONITOROR_PORT" MO_ADDRESS=127.0.0.1 MO_DISABLEUI="$monitoror_disable_ui"
            MO_UPSTREAMCACHEEXPIRATION=1000 MO_DOWNSTREAMCACHEEXPIRATION=1000 "$monitoror_bin") ;;
    esac
    "${cmd[@]}" </dev/null > >(trap '' INT; tee -a "$STATE/$service.log" | sed -u "s/^/$(printf '%-13s' "$service") | /") 2>&1 &
    echo $! >"$STATE/$service.pid"
    rm -f "$STATE/$service.paused"
}

# Stops a service by its PID: CONT (a paused JVM would not hear TERM), TERM, then KILL after 15 s.
halt() { # service
    local pid
    pid=$(pid_of "$1")
    [ -n "$pid" ] || return 0
    kill -CONT "$pid" 2>/dev/null || true
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 150); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    ! kill -0 "$pid" 2>/dev/null || kill -KILL "$pid"
    rm -f "$STATE/$1.pid" "$STATE/$1.paused"
}

cleanup_local() { # exit status
    trap - INT TERM EXIT
    echo
    say "stopping what the demo started"
    for service in monitoror offer partner-offer; do halt "$service"; done
    rm -f "$STATE/supervisor.pid" "$STATE/route" "$STATE"/start-*
    say "stopped"
    exit "$1"
}

# Monitoror's core for the local route: MONITOROR_BIN, or what monitoror/build.sh builds (the path it prints last);
# its web UI on where the executable has one (go.rice embeds the UI's index page as it is), as build.sh --image does.
local_monitoror() {
    monitoror_bin=${MONITOROR_BIN:-}
    monitoror_disable_ui=true
    if [ -z "$monitoror_bin" ]; then
        say "building Monitoror's core from its Go module (monitoror/build.sh)"
        # It prints the binary's path, or says on stderr why it cannot (exit 3: the proxy refuses the module).
        monitoror_bin=$(bash monitoror/build.sh | tail -n 1) || monitoror_bin=
        local candidate
        for candidate in "$monitoror_bin" monitoror/target/monitoror target/monitoror/monitoror; do
            [ -n "$candidate" ] && [ -x "$candidate" ] && [ -f "$candidate" ] && { monitoror_bin=$(realpath "$candidate"); break; }
        done
    fi
    if [ -z "$monitoror_bin" ] || [ ! -x "$monitoror_bin" ]; then
        say "no Monitoror core: the board is left out (offer's page shows the breaker)"
        monitoror_bin=
        return
    fi
    ! grep -aqF '<title>Monitoror</title>' "$monitoror_bin" || monitoror_disable_ui=false
    # The board's tiles, with the compose services' names replaced by this machine's ports.
    sed -e "s#http://partner-offer:8081#http://localhost:$PARTNER_OFFER_PORT#g" -e "s#http://offer:8080#http://localhost:$OFFER_PORT#g" \
        config.json >"$STATE/config.json"
}

up_local() {
    have java || die "no java on PATH: install a JDK 17 or newer"
    if alive supervisor; then
        die "the demo already runs (PID $(pid_of supervisor)); stop it with Ctrl-C there, or ./demo.sh down"
    fi
    mkdir -p "$STATE"
    rm -f "$STATE"/*.log "$STATE"/*.paused "$STATE"/start-*
    build_jars
    local_monitoror
    echo "route=local" >"$STATE/route"
    echo $$ >"$STATE/supervisor.pid"
    trap 'cleanup_local 0' INT TERM
    trap 'cleanup_local $?' EXIT

    say "local processes: partner-offer on :$PARTNER_OFFER_PORT, offer on :$OFFER_PORT"
    launch partner-offer
    # Ready, as a load balancer would wait for it (each service warms up first), not asked for an offer.
    await_answer "$PARTNER_OFFER_PORT" /q/health/ready '"UP"' 60 || die "partner-offer was not ready within 60 s (target/demo/partner-offer.log)"
    launch offer
    await_answer "$OFFER_PORT" /q/health/ready '"UP"' 60 || die "offer was not ready within 60 s (target/demo/offer.log)"
    local board=none
    if [ -n "$monitoror_bin" ]; then
        launch monitoror
        board=api
        [ "$monitoror_disable_ui" = true ] || board=ui
    fi
    say "up in $(elapsed)"
    print_guide local "$board"

    # Serve `./demo.sh start SERVICE` from other terminals: the service starts here, as a child of this shell.
    while :; do
        for request in "$STATE"/start-*; do
            [ -e "$request" ] || continue
            local service=${request##*/start-}
            rm -f "$request"
            alive "$service" || launch "$service"
        done
        sleep 1 &
        wait $! || true
    done
}

# --- what to do next --------------------------------------------------------------------------------------------

print_guide() { # route board
    local me=./demo.sh
    cat <<EOF

  offer's page, the breaker live  http://localhost:$OFFER_PORT/
  an offer, the circuit           http://localhost:$OFFER_PORT/offers   http://localhost:$OFFER_PORT/circuit
  partner-offer                   http://localhost:$PARTNER_OFFER_PORT/offers
EOF
    case $2 in
        ui) echo "  the Monitoror board             http://localhost:$MONITOROR_PORT/" ;;
        api) echo "  Monitoror's core (no UI here)   http://localhost:$MONITOROR_PORT/api/v1/configs/default (tiles: monitoror/README.md)" ;;
    esac
    cat <<EOF

  The demo's steps (README), from another terminal:
    $me stop partner-offer      the partner dies: cold offers, the circuit opens after 3 failures
    $me start partner-offer     it is back: hot again once the 15 s delay is over
    $me pause partner-offer     it hangs: each answer within ~1 s, "reason":"timeout"
    $me unpause partner-offer   it answers again
    $me slow partner-offer 2s   it slows down: "reason":"timeout" past offer's 1 s (300ms: still hot; 0: as before)
EOF
    if [ "$1" = local ]; then
        echo "  Ctrl-C here stops everything the demo started."
    else
        echo "    $me logs offer              follow offer's log (the state changes)"
        echo "    $me down                    stop and remove it all"
    fi
    echo
}

# --- subcommands ------------------------------------------------------------------------------------------------

route() { sed -n 's/^route=//p' "$STATE/route" 2>/dev/null || true; }

load_docker_state() {
    # shellcheck disable=SC1090
    source <(sed -n 's/^declare -a /declare -ga /p' "$STATE/route")
}

known_service() {
    local s
    for s in "${SERVICES[@]}"; do [ "$s" = "$1" ] && return 0; done
    die "unknown service '$1': one of ${SERVICES[*]}"
}

step() { # stop|start|pause|unpause service
    local verb=$1 service=${2:-}
    [ -n "$service" ] || die "usage: ./demo.sh $verb partner-offer"
    known_service "$service"
    case $(route) in
        docker)
            load_docker_state
            if [ "$verb" = pause ]; then
                # The cgroup freezer may refuse while the JVM is busy starting threads ("unable to freeze"): try again.
                for _ in 1 2 3 4; do "${compose[@]}" pause "$service" 2>"$STATE/pause.err" && return; sleep 2; done
                cat "$STATE/pause.err" >&2
                die "Docker could not freeze $service; try again in a moment"
            fi
            "${compose[@]}" "$verb" "$service"
            ;;
        local)
            alive supervisor || die "no demo runs here: ./demo.sh"
            local pid
            pid=$(pid_of "$service")
            case $verb in
                stop) halt "$service"; say "$service stopped" ;;
                start)
                    if alive "$service"; then say "$service already runs (PID $pid)"; return; fi
                    touch "$STATE/start-$service"
                    local port=$PARTNER_OFFER_PORT
                    [ "$service" != offer ] || port=$OFFER_PORT
                    [ "$service" = monitoror ] || await_answer "$port" /q/health/ready UP 60 || die "$service did not start within 60 s"
                    say "$service started (PID $(pid_of "$service"))"
                    ;;
                pause) alive "$service" || die "$service is not running"; kill -STOP "$pid"; touch "$STATE/$service.paused"; say "$service paused (SIGSTOP)" ;;
                unpause) alive "$service" || die "$service is not running"; kill -CONT "$pid"; rm -f "$STATE/$service.paused"; say "$service resumed (SIGCONT)" ;;
            esac
            ;;
        *) die "no demo runs here: ./demo.sh" ;;
    esac
}

# partner-offer's PUT /latency: both routes publish it on localhost:PARTNER_OFFER_PORT.
slow() { # service latency
    [ "${1:-}" = partner-offer ] && [ -n "${2:-}" ] || die "usage: ./demo.sh slow partner-offer 300ms (a duration: 1.5s, 0)"
    local answer
    answer=$(http_put "$PARTNER_OFFER_PORT" /latency "$2")
    case $answer in
        "HTTP/1."?" 200 "*) say "partner-offer's latency is ${answer##*$'\n'} now" ;;
        "") die "partner-offer does not answer on localhost:$PARTNER_OFFER_PORT (./demo.sh status)" ;;
        *) die "partner-offer refused '$2': $(sed -n 's/.*"error":"\([^"]*\)".*/\1/p' <<<"$answer")" ;;
    esac
}

status() {
    case $(route) in
        docker) load_docker_state; "${compose[@]}" ps ;;
        local)
            for service in "${SERVICES[@]}"; do
                if [ -e "$STATE/$service.paused" ]; then echo "$service: paused (PID $(pid_of "$service"))"
                elif alive "$service"; then echo "$service: running (PID $(pid_of "$service"))"
                else echo "$service: stopped"; fi
            done
            ;;
        *) say "no demo runs here" ;;
    esac
}

logs() {
    case $(route) in
        docker) load_docker_state; "${compose[@]}" logs -f ${1:+"$1"} ;;
        local) tail -f "$STATE/${1:-offer}.log" ;;
        *) die "no demo runs here" ;;
    esac
}

down() {
    case $(route) in
        docker)
            load_docker_state
            "${compose[@]}" down
            # The legacy builder keeps each build's earlier stages as untagged images (about 2 GB): the layer cache of
            # the next build. They go with the demo; the next ./demo.sh downloads Maven's dependencies again.
            local stages
            stages=$("${docker_cmd[@]}" images -q --filter dangling=true --filter "label=$STAGE_LABEL" | wc -l)
            if [ "$stages" -gt 0 ]; then
                # A build step that failed leaves its container, which holds its stage's image.
                for stage in build training; do
                    "${docker_cmd[@]}" container prune -f --filter "label=$STAGE_LABEL=$stage" >/dev/null
                done
                "${docker_cmd[@]}" image prune -f --filter "label=$STAGE_LABEL" >/dev/null
                say "removed the $stages untagged build-stage images the image builds left"
            fi
            rm -f "$STATE/route"
            ;;
        local)
            local pid
            pid=$(pid_of supervisor)
            [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null || true
            for _ in $(seq 1 300); do alive supervisor || break; sleep 0.1; done
            say "stopped"
            ;;
        *) say "no demo runs here" ;;
    esac
}

up() {
    local want=${1:-}
    case $want in
        --local) up_local ;;
        --docker) up_docker || die "Docker cannot run here (no engine, or no root to start one): ./demo.sh --local" ;;
        "")
            if have docker || have docker-compose; then
                up_docker || { say "Docker is installed but cannot run the demo here (engine not running, not root): local processes instead"; up_local; }
            else
                say "no Docker here: local processes"
                up_local
            fi
            ;;
        *) die "unknown option $want: --docker or --local" ;;
    esac
}

case ${1:-up} in
    up) shift || true; up "$@" ;;
    --local | --docker) up "$1" ;;
    stop | start | pause | unpause) step "$1" "${2:-}" ;;
    slow) slow "${2:-}" "${3:-}" ;;
    status) status ;;
    logs) logs "${2:-}" ;;
    down) down ;;
    -h | --help | help) sed -n '2,15s/^# \{0,1\}//p' "$0" ;;
    *) die "unknown command $1 (./demo.sh help)" ;;
esac
