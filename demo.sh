#!/usr/bin/env bash
# The whole demo in one command, from the repository root: partner-offer, offer and the Monitoror board.
#
#   ./demo.sh [up]                      in containers: docker compose up --build --wait (Docker with Compose v2)
#   ./demo.sh --local                   as local processes, in this terminal until Ctrl-C (a JDK 17 or newer, no Docker)
#   ./demo.sh stop|start|pause|unpause partner-offer
#                                       the demo's steps (README), the same words on both routes
#   ./demo.sh slow partner-offer 300ms  its answers take 300 ms (a duration: 1.5s is past offer's timeout; 0 undoes it)
#   ./demo.sh status | logs [SERVICE] | down
#
# Containers: compose builds the images from source on the public base images, or on those BUILD_IMAGE, RUNTIME_IMAGE
# and MONITOROR_IMAGE name (docs/demo.md). Local processes: builds the jars if needed, runs both services, and
# Monitoror's core where MONITOROR_BIN or monitoror/build.sh gives one; PID files and logs are in target/demo/.
# Ports: OFFER_PORT, PARTNER_OFFER_PORT, MONITOROR_PORT (8080, 8081, 38080).
set -euo pipefail
cd "$(dirname "$0")"

export OFFER_PORT=${OFFER_PORT:-8080} PARTNER_OFFER_PORT=${PARTNER_OFFER_PORT:-8081} MONITOROR_PORT=${MONITOROR_PORT:-38080}
STATE=target/demo
SERVICES=(partner-offer offer monitoror)

say() { printf '[demo] %s\n' "$*"; }
die() { printf '[demo] %s\n' "$*" >&2; exit 1; }
elapsed() { printf '%d m %02d s' $((SECONDS / 60)) $((SECONDS % 60)); }

# One HTTP/1.0 request on 127.0.0.1 with bash's /dev/tcp (no curl needed), with a plain-text body; prints the response.
http() { # method port path [body]
    LC_ALL=C timeout 5 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$2" && printf "%s %s HTTP/1.0\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n%s" "$1" "$3" "${#4}" "$4" >&3 && cat <&3' \
        _ "$1" "$2" "$3" "${4:-}" 2>/dev/null || true
}

# Waits, at most `seconds`, until the service on `port` is ready (each service warms up first).
ready() { # port seconds
    local deadline=$((SECONDS + $2))
    until [[ $(http GET "$1" /q/health/ready) == *'"UP"'* ]]; do [ $SECONDS -lt $deadline ] && sleep 1 || return 1; done
}

# --- containers -------------------------------------------------------------------------------------------------
compose() {
    docker compose version >/dev/null 2>&1 || die "no Docker with Compose v2 (docker compose) here: ./demo.sh --local runs the demo as local processes"
    docker compose "$@"
}

up_containers() {
    compose version >/dev/null
    say "docker compose up --build --wait: builds the images (the first build downloads Maven's dependencies: minutes), starts them, waits until they are healthy"
    compose up --build --wait || die "docker compose up failed (above): ./demo.sh logs, or ./demo.sh --local"
    say "up in $(elapsed)"
    # A Monitoror image built from its Go module's core has no web UI (monitoror/build.sh --image).
    local board=ui
    ! docker image inspect -f '{{range .Config.Env}}{{println .}}{{end}}' "${MONITOROR_IMAGE:-monitoror/monitoror:4.0.1}" 2>/dev/null \
        | grep -qx MO_DISABLEUI=true || board=api
    guide "$board" containers
}

# --- local processes --------------------------------------------------------------------------------------------
jar() { echo "$1/target/quarkus-app/quarkus-run.jar"; }
pid_of() { cat "$STATE/$1.pid" 2>/dev/null || true; }
alive() { [ -n "$(pid_of "$1")" ] && kill -0 "$(pid_of "$1")" 2>/dev/null; }

build_jars() {
    for module in partner-offer offer; do
        [ -f "$(jar $module)" ] && [ -z "$(find $module/src/main/java $module/src/main/resources $module/pom.xml pom.xml -newer "$(jar $module)" -print -quit)" ] \
            && continue
        say "building the jars: ./mvnw -B -q package -DskipTests -pl partner-offer,offer -am (log: $STATE/build.log)"
        ./mvnw -B -q package -DskipTests -pl partner-offer,offer -am >"$STATE/build.log" 2>&1 \
            || { tail -n 40 "$STATE/build.log" >&2; die "the build failed (whole log: $STATE/build.log)"; }
        return
    done
}

# Starts one service as a child of this shell: its output goes to target/demo/SERVICE.log and, prefixed, here.
launch() { # service
    local cmd
    case $1 in
        partner-offer) cmd=(env QUARKUS_HTTP_PORT="$PARTNER_OFFER_PORT" java -jar "$(jar partner-offer)") ;;
        offer) cmd=(env QUARKUS_HTTP_PORT="$OFFER_PORT" PARTNER_OFFER_URL="http://localhost:$PARTNER_OFFER_PORT" java -jar "$(jar offer)") ;;
        monitoror) cmd=(env MO_CONFIG="$PWD/$STATE/config.json" MO_PORT="$MONITOROR_PORT" MO_ADDRESS=127.0.0.1 MO_DISABLEUI="$([ "$board" = ui ] && echo false || echo true)"
            MO_UPSTREAMCACHEEXPIRATION=1000 MO_DOWNSTREAMCACHEEXPIRATION=1000 "$monitoror_bin") ;;
    esac
    "${cmd[@]}" </dev/null > >(trap '' INT; tee -a "$STATE/$1.log" | sed -u "s/^/$(printf '%-13s' "$1") | /") 2>&1 &
    echo $! >"$STATE/$1.pid"
}

# Stops a service by its PID: CONT (a paused JVM would not hear TERM), TERM, then KILL after 15 s.
halt() { # service
    local pid
    pid=$(pid_of "$1")
    [ -z "$pid" ] || { kill -CONT "$pid" && kill -TERM "$pid" && { timeout 15 tail --pid="$pid" -s 0.1 -f /dev/null || kill -KILL "$pid"; }; } 2>/dev/null || true
    rm -f "$STATE/$1.pid" "$STATE/$1.paused"
}

cleanup_local() { # exit status
    trap - INT TERM EXIT
    printf '\n[demo] stopping what the demo started\n'
    for service in monitoror offer partner-offer; do halt "$service"; done
    rm -f "$STATE/supervisor.pid" "$STATE"/start-*
    say "stopped"
    exit "$1"
}

up_local() {
    command -v java >/dev/null || die "no java on PATH: install a JDK 17 or newer"
    ! alive supervisor || die "the demo already runs (PID $(pid_of supervisor)); stop it with Ctrl-C there, or ./demo.sh down"
    mkdir -p "$STATE" && rm -f "$STATE"/*.log "$STATE"/*.paused "$STATE"/start-*
    build_jars
    # Monitoror's core: MONITOROR_BIN, else what monitoror/build.sh builds (it says on stderr why it cannot); its web
    # UI where the executable has one. Its tiles name the compose services: here they are this machine's ports.
    monitoror_bin=$(bash monitoror/build.sh | tail -n 1) || monitoror_bin=
    board=none
    [ ! -x "$monitoror_bin" ] || board=$(grep -aqF '<title>Monitoror</title>' "$monitoror_bin" && echo ui || echo api)
    sed -e "s#http://partner-offer:8081#http://localhost:$PARTNER_OFFER_PORT#g" -e "s#http://offer:8080#http://localhost:$OFFER_PORT#g" \
        config.json >"$STATE/config.json"
    echo $$ >"$STATE/supervisor.pid"
    trap 'cleanup_local 0' INT TERM
    trap 'cleanup_local $?' EXIT

    say "local processes: partner-offer on :$PARTNER_OFFER_PORT, offer on :$OFFER_PORT"
    launch partner-offer
    ready "$PARTNER_OFFER_PORT" 60 || die "partner-offer was not ready within 60 s ($STATE/partner-offer.log)"
    launch offer
    ready "$OFFER_PORT" 60 || die "offer was not ready within 60 s ($STATE/offer.log)"
    if [ "$board" = none ]; then say "no Monitoror core: the board is left out (offer's page shows the breaker)"; else launch monitoror; fi
    say "up in $(elapsed)"
    guide "$board" local

    # Serves `./demo.sh start SERVICE` from other terminals: the service starts here, as a child of this shell.
    while sleep 1; do
        for request in "$STATE"/start-*; do
            [ -e "$request" ] && rm -f "$request" || continue
            alive "${request##*/start-}" || launch "${request##*/start-}"
        done
    done
}

# --- what to do next, and the steps -----------------------------------------------------------------------------
guide() { # board (ui, api: a Monitoror core without web UI, none) route
    local board=
    [ "$1" != ui ] || board="  the Monitoror board             http://localhost:$MONITOROR_PORT/"$'\n'
    [ "$1" != api ] || board="  Monitoror's core (no UI here)   http://localhost:$MONITOROR_PORT/api/v1/configs/default (tiles: monitoror/README.md)"$'\n'
    cat <<EOF

  offer's page, the breaker live  http://localhost:$OFFER_PORT/
  an offer, the circuit           http://localhost:$OFFER_PORT/offers   http://localhost:$OFFER_PORT/circuit
  partner-offer                   http://localhost:$PARTNER_OFFER_PORT/offers
$board
  The demo's steps (README), from another terminal:
    ./demo.sh stop partner-offer      the partner dies: cold offers, the circuit opens after 3 failures
    ./demo.sh start partner-offer     it is back: hot again once the 15 s delay is over
    ./demo.sh pause partner-offer     it hangs: each answer within ~1 s, "reason":"timeout"
    ./demo.sh unpause partner-offer   it answers again
    ./demo.sh slow partner-offer 2s   it slows down: "reason":"timeout" past offer's 1 s (300ms: still hot; 0: as before)
    ./demo.sh logs offer              follow offer's log (the state changes)
    ./demo.sh down                    stop and remove it all$([ "$2" != local ] || printf '; or Ctrl-C here')

EOF
}

# The local route while its supervisor runs, else the containers.
local_route() { alive supervisor; }

step() { # stop|start|pause|unpause service
    [[ " ${SERVICES[*]} " == *" ${2:-?} "* ]] || die "usage: ./demo.sh $1 SERVICE, one of ${SERVICES[*]}"
    if ! local_route; then
        # The cgroup freezer may refuse while the JVM is busy starting threads ("unable to freeze"): try again.
        for try in 1 2 3; do compose "$1" "$2" && break; [ $try -lt 3 ] || die "docker compose $1 $2 failed"; sleep 2; done
    else
        case $1 in
            stop) halt "$2"; say "$2 stopped" ;;
            start) if alive "$2"; then say "$2 already runs (PID $(pid_of "$2"))"; return; fi; touch "$STATE/start-$2" ;;
            pause) alive "$2" || die "$2 is not running"; kill -STOP "$(pid_of "$2")"; touch "$STATE/$2.paused"; say "$2 paused (SIGSTOP)" ;;
            unpause) alive "$2" || die "$2 is not running"; kill -CONT "$(pid_of "$2")"; rm -f "$STATE/$2.paused"; say "$2 resumed (SIGCONT)" ;;
        esac
    fi
    # Started means ready, as after ./demo.sh: both routes publish the services on localhost.
    [ "$1" = start ] || return 0
    case $2 in offer) ready "$OFFER_PORT" 60 ;; partner-offer) ready "$PARTNER_OFFER_PORT" 60 ;; *) sleep 2 ;; esac || die "$2 was not ready within 60 s"
    say "$2 started$(! local_route || echo " (PID $(pid_of "$2"))"), ready"
}

# partner-offer's PUT /latency: both routes publish it on localhost:PARTNER_OFFER_PORT.
slow() { # service latency
    [ "${1:-}" = partner-offer ] && [ -n "${2:-}" ] || die "usage: ./demo.sh slow partner-offer 300ms (a duration: 1.5s, 0)"
    local answer
    answer=$(http PUT "$PARTNER_OFFER_PORT" /latency "$2")
    [ -n "$answer" ] || die "partner-offer does not answer on localhost:$PARTNER_OFFER_PORT (./demo.sh status)"
    [[ $answer == "HTTP/1."?" 200 "* ]] || die "partner-offer refused '$2': $(sed -n 's/.*"error":"\([^"]*\)".*/\1/p' <<<"$answer")"
    say "partner-offer's latency is ${answer##*$'\n'} now"
}

status() {
    local_route || { compose ps; return; }
    for service in "${SERVICES[@]}"; do
        if [ -e "$STATE/$service.paused" ]; then echo "$service: paused (PID $(pid_of "$service"))"
        elif alive "$service"; then echo "$service: running (PID $(pid_of "$service"))"; else echo "$service: stopped"; fi
    done
}

down() {
    if local_route; then
        local pid
        pid=$(pid_of supervisor)
        kill -TERM "$pid" && timeout 30 tail --pid="$pid" -s 0.1 -f /dev/null || true
        say "stopped"
    else
        compose down
        # A rebuilt image leaves the one it replaces untagged, and Docker's legacy builder each image's build stages:
        # the Dockerfiles label every stage, so exactly those go.
        docker image prune -f --filter label=dev.fastcircuitbreaker.stage >/dev/null
    fi
}

case ${1:-up} in
    up | --local) if [ "${1:-}" = --local ] || [ "${2:-}" = --local ]; then up_local; else up_containers; fi ;;
    stop | start | pause | unpause) step "$1" "${2:-}" ;;
    slow) slow "${2:-}" "${3:-}" ;;
    status) status ;;
    logs) if local_route; then tail -f "$STATE/${2:-offer}.log"; else compose logs -f ${2:+"$2"}; fi ;;
    down) down ;;
    -h | --help | help) sed -n '2,14s/^# \{0,1\}//p' "$0" ;;
    *) die "unknown command $1 (./demo.sh help)" ;;
esac
