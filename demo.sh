#!/usr/bin/env bash
# The whole demo in one command, from the repository root: partner-offer, offer and the Monitoror board.
#   ./demo.sh [up]                      in containers: docker compose up --build --wait (Docker with Compose v2)
#   ./demo.sh --local                   as local processes in this terminal until Ctrl-C (a JDK 17 or newer, no Docker):
#       builds the jars if needed, runs both services and Monitoror's core where MONITOROR_BIN or monitoror/build.sh
#       gives one; PID files and logs in target/demo/
#   ./demo.sh stop|start|pause|unpause partner-offer   the demo's steps (README), the same words on both routes
#   ./demo.sh slow partner-offer 300ms  its answers take 300 ms (a duration: 1.5s is past offer's timeout; 0 undoes it)
#   ./demo.sh status | logs [SERVICE] | down        ports: OFFER_PORT, PARTNER_OFFER_PORT, MONITOROR_PORT (8080, 8081, 38080)
set -euo pipefail
cd "$(dirname "$0")"
export OFFER_PORT=${OFFER_PORT:-8080} PARTNER_OFFER_PORT=${PARTNER_OFFER_PORT:-8081} MONITOROR_PORT=${MONITOROR_PORT:-38080}
STATE=target/demo JAR=target/quarkus-app/quarkus-run.jar SERVICES="partner-offer offer monitoror"
say() { printf '[demo] %s\n' "$*"; }
die() { say "$*" >&2; exit 1; }
http() { # method port path [body]: one HTTP/1.0 request with bash's /dev/tcp (no curl needed); prints the response
    LC_ALL=C timeout 5 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$2" && printf "%s %s HTTP/1.0\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n%s" \
        "$1" "$3" "${#4}" "$4" >&3 && cat <&3' _ "$1" "$2" "$3" "${4:-}" 2>/dev/null || true
}
ready() { # service: at most 60 s until it is ready (each warms up first); Monitoror has no readiness to ask
    local port=$OFFER_PORT deadline=$((SECONDS + 60))
    case $1 in monitoror) sleep 2; return ;; partner-offer) port=$PARTNER_OFFER_PORT ;; esac
    until [[ $(http GET "$port" /q/health/ready) == *'"UP"'* ]]; do [ $SECONDS -lt $deadline ] || die "$1 was not ready within 60 s"; sleep 1; done
}
pid_of() { cat "$STATE/$1.pid" 2>/dev/null || true; }
alive() { [ -n "$(pid_of "$1")" ] && kill -0 "$(pid_of "$1")" 2>/dev/null; } # `alive supervisor`: the local route runs
guide() { # board: ui, api (a Monitoror core without web UI) or none; [local]
    say "up in $((SECONDS / 60)) m $((SECONDS % 60)) s"
    echo "  offer's page, the breaker live: http://localhost:$OFFER_PORT/ (/offers, /circuit); partner-offer: http://localhost:$PARTNER_OFFER_PORT/offers"
    [ "$1" != ui ] || echo "  the Monitoror board: http://localhost:$MONITOROR_PORT/"
    [ "$1" != api ] || echo "  Monitoror's core (no UI here): http://localhost:$MONITOROR_PORT/api/v1/configs/default (tiles: monitoror/README.md)"
    echo "  The demo's steps (README), from another terminal: ./demo.sh stop|start|pause|unpause partner-offer, then ./demo.sh slow"
    echo "  partner-offer 2s (past offer's 1 s timeout; 300ms: still hot; 0: as before); ./demo.sh logs offer; ./demo.sh down${2:+ or Ctrl-C}"
}
up_containers() {
    docker compose version >/dev/null 2>&1 || die "no Docker with Compose v2 (docker compose) here: ./demo.sh --local runs the demo as local processes"
    say "docker compose up --build --wait: builds the images (the first build downloads Maven's dependencies: minutes), starts them, waits until they are healthy"
    docker compose up --build --wait || die "docker compose up failed (above): ./demo.sh logs, or ./demo.sh --local"
    local board=ui # a Monitoror image built from its Go module's core has no web UI (monitoror/build.sh --image)
    docker image inspect -f '{{.Config.Env}}' "${MONITOROR_IMAGE:-monitoror/monitoror:4.0.1}" 2>/dev/null | grep -q MO_DISABLEUI=true && board=api
    guide $board
}
# Local processes: each service runs in a session of its own, whichever terminal starts it, with the command --local
# wrote; its output goes to target/demo/SERVICE.log, which the --local terminal follows.
launch() { # service
    local cmd; mapfile -t cmd 2>/dev/null <"$STATE/$1.cmd" || die "no $1 here (./demo.sh --local said why)"
    setsid "${cmd[@]}" </dev/null >>"$STATE/$1.log" 2>&1 &
    echo $! >"$STATE/$1.pid"
}
halt() { # service: CONT (a paused JVM would not hear TERM), TERM, then KILL after 15 s
    local pid; pid=$(pid_of "$1") && rm -f "$STATE/$1.pid"
    [ -z "$pid" ] || { kill -CONT "$pid" && kill -TERM "$pid" && { timeout 15 tail --pid="$pid" -s 0.1 -f /dev/null || kill -KILL "$pid"; }; } 2>/dev/null || true
}
up_local() {
    command -v java >/dev/null || die "no java on PATH: install a JDK 17 or newer"
    ! alive supervisor || die "the demo already runs (PID $(pid_of supervisor)); stop it with Ctrl-C there, or ./demo.sh down"
    mkdir -p "$STATE" && rm -f "$STATE"/*.log "$STATE"/*.cmd
    if ! ls {partner-offer,offer}/$JAR >/dev/null 2>&1 || [ -n "$(find {partner-offer,offer}/src/main/{java,resources} \
            {partner-offer,offer,.}/pom.xml \( -newer partner-offer/$JAR -o -newer offer/$JAR \) -print -quit)" ]; then
        say "building the jars: ./mvnw -B -q package -DskipTests -pl partner-offer,offer -am (log: $STATE/build.log)"
        ./mvnw -B -q package -DskipTests -pl partner-offer,offer -am >"$STATE/build.log" 2>&1 \
            || { tail -n 40 "$STATE/build.log" >&2; die "the build failed (whole log: $STATE/build.log)"; }
    fi
    printf '%s\n' env QUARKUS_HTTP_PORT="$PARTNER_OFFER_PORT" java -jar partner-offer/$JAR >"$STATE/partner-offer.cmd"
    printf '%s\n' env QUARKUS_HTTP_PORT="$OFFER_PORT" PARTNER_OFFER_URL="http://localhost:$PARTNER_OFFER_PORT" java -jar offer/$JAR >"$STATE/offer.cmd"
    # Monitoror's core (build.sh says why there is none), its UI where it has one; its tiles' URLs here are local ports.
    local board=none bin; bin=$(bash monitoror/build.sh | tail -n 1) || bin=
    [ ! -x "$bin" ] || board=$(grep -aqF '<title>Monitoror</title>' "$bin" && echo ui || echo api)
    sed -e "s#http://partner-offer:8081#http://localhost:$PARTNER_OFFER_PORT#g" -e "s#http://offer:8080#http://localhost:$OFFER_PORT#g" config.json >"$STATE/config.json"
    # monitoror.env's settings, as compose gives them, then where this board is and listens.
    [ $board = none ] || printf '%s\n' env $(grep -E '^MO_' monitoror/monitoror.env) MO_CONFIG="$PWD/$STATE/config.json" MO_PORT="$MONITOROR_PORT" \
        MO_ADDRESS=127.0.0.1 MO_DISABLEUI=$([ $board = ui ] && echo false || echo true) "$bin" >"$STATE/monitoror.cmd"
    touch "$STATE"/{partner-offer,offer,monitoror}.log && echo $$ >"$STATE/supervisor.pid"
    tail -n +1 -F "$STATE"/{partner-offer,offer,monitoror}.log & echo $! >"$STATE/tail.pid"
    trap 'trap - EXIT; for service in monitoror offer partner-offer tail; do halt $service; done; rm -f "$STATE/supervisor.pid"; say stopped; exit' INT TERM EXIT
    for service in partner-offer offer; do launch $service; ready $service; done
    if [ $board = none ]; then say "no Monitoror core: the board is left out (offer's page shows the breaker)"; else launch monitoror; fi
    guide $board local
    wait
}
step() { # stop|start|pause|unpause service
    [[ " $SERVICES " == *" ${2:-?} "* ]] || die "usage: ./demo.sh $1 SERVICE, one of $SERVICES"
    if ! alive supervisor; then # the cgroup freezer may refuse while the JVM is busy starting threads ("unable to freeze")
        for try in 1 2 3; do docker compose "$1" "$2" && break; [ $try -lt 3 ] || die "docker compose $1 $2 failed"; sleep 2; done
    elif [ "$1" = stop ]; then halt "$2"
    elif [ "$1" = start ]; then alive "$2" || launch "$2"
    else kill -"$([ "$1" = pause ] && echo STOP || echo CONT)" "$(pid_of "$2")" 2>/dev/null || die "$2 is not running"; fi
    [ "$1" != start ] || ready "$2" # started means ready, as after ./demo.sh: both routes publish the services on localhost
    say "$1 $2: done"
}
slow() { # partner-offer duration: its PUT /latency, which both routes publish on localhost:PARTNER_OFFER_PORT
    [ "${1:-}" = partner-offer ] && [ -n "${2:-}" ] || die "usage: ./demo.sh slow partner-offer 300ms (a duration: 1.5s, 0)"
    local answer; answer=$(http PUT "$PARTNER_OFFER_PORT" /latency "$2")
    [ -n "$answer" ] || die "partner-offer does not answer on localhost:$PARTNER_OFFER_PORT (./demo.sh status)"
    [[ $answer == "HTTP/1."?" 200 "* ]] || die "partner-offer refused '$2': ${answer##*$'\n'}"
    say "partner-offer's latency is ${answer##*$'\n'} now"
}
status() { # the local processes; paused: the kernel's T, stopped by SIGSTOP
    for service in $SERVICES; do
        alive $service || { echo "$service: stopped"; continue; }
        echo "$service: $([[ $(ps -o stat= -p "$(pid_of $service)") == T* ]] && echo paused || echo running) (PID $(pid_of $service))"
    done
}
case ${1:-up} in
    up | --local) if [ "${1:-}" = --local ] || [ "${2:-}" = --local ]; then up_local; else up_containers; fi ;;
    stop | start | pause | unpause) step "$1" "${2:-}" ;;
    slow) slow "${2:-}" "${3:-}" ;;
    status) if alive supervisor; then status; else docker compose ps; fi ;;
    logs) if alive supervisor; then tail -f "$STATE/${2:-offer}.log"; else docker compose logs -f ${2:+"$2"}; fi ;;
    # Also the images a rebuild leaves untagged (and the legacy builder's stages): the Dockerfiles label every stage.
    down) if alive supervisor; then pid=$(pid_of supervisor) && kill "$pid" && timeout 30 tail --pid="$pid" -s 0.1 -f /dev/null; say "stopped"
        else docker compose down && docker image prune -f --filter label=dev.fastcircuitbreaker.stage >/dev/null; fi ;;
    -h | --help | help) sed -n '2,9s/^# \{0,1\}//p' "$0" ;;
    *) die "unknown command $1 (./demo.sh help)" ;;
esac
