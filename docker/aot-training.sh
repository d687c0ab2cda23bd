#!/usr/bin/env bash
# The AOT training run of Dockerfile.jvm's training stage: runs one service from /deployments on the runtime image's
# own JVM with -XX:AOTCacheOutput=app.aot, sends it a short scripted workload, and stops it; the JVM writes
# /deployments/app.aot as it exits (JDK 25, JEP 514/515). Needs only bash (its /dev/tcp), coreutils and that JVM.
#
#   aot-training.sh partner-offer
#   aot-training.sh offer /training/partner-offer   # with a real partner-offer, which it pauses, kills and restarts
#
# offer's workload walks the demo: hot answers, /circuit, health, metrics, offer's own error answers, the partner
# hanging (timeout) and gone (partner-unreachable), the circuit opening, answering circuit-open, and closing again.
set -euo pipefail

service=$1
partner_app=${2:-}
cd /deployments

log() { printf '[aot-training] %s\n' "$*" >&2; }

# One HTTP/1.0 exchange on 127.0.0.1 (the server closes the connection); prints the whole response.
request() { # method port path [accept]
    (
        exec 3<>"/dev/tcp/127.0.0.1/$2"
        printf '%s %s HTTP/1.0\r\nAccept: %s\r\n\r\n' "$1" "$3" "${4:-application/json}" >&3
        cat <&3
    ) 2>/dev/null
}

get() { request GET "$@"; }

# Waits, bounded, until GET port path answers with a body containing text.
await() { # port path text
    for _ in $(seq 1 300); do
        [[ "$(get "$1" "$2")" == *"$3"* ]] && return 0
        sleep 0.1
    done
    log "no answer containing $3 from :$1$2 within 30 s"
    return 1
}

repeat() { # count port path
    for _ in $(seq 1 "$1"); do get "$2" "$3" >/dev/null || true; done
}

observe() { # port: the read-only views
    for path in /q/health /q/health/live /q/health/ready /q/health/well /q/metrics; do get "$1" "$path" >/dev/null || true; done
}

stop() { # pid
    kill "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
}

partner_pid=
start_partner() {
    java -Dquarkus.http.host=127.0.0.1 -Dquarkus.http.port=8081 -jar "$partner_app/quarkus-run.jar" >/tmp/partner-offer.log 2>&1 &
    partner_pid=$!
    await 8081 /offers '"hot"'
}

case "$service" in
    partner-offer)
        java -XX:AOTCacheOutput=app.aot -Dquarkus.http.host=127.0.0.1 -jar quarkus-run.jar >/tmp/training.log 2>&1 &
        app_pid=$!
        await 8081 /offers '"hot"'
        repeat 200 8081 /offers
        observe 8081
        get 8081 /nowhere >/dev/null
        ;;
    offer)
        [ -n "$partner_app" ] || { log "offer's training needs partner-offer's quarkus-app folder"; exit 2; }
        start_partner
        PARTNER_OFFER_URL=http://127.0.0.1:8081 CIRCUIT_DELAY_SECONDS=1 PARTNER_TIMEOUT_MILLIS=500 \
            java -XX:AOTCacheOutput=app.aot -Dquarkus.http.host=127.0.0.1 -jar quarkus-run.jar >/tmp/training.log 2>&1 &
        app_pid=$!
        await 8080 /offers '"hot"'
        repeat 200 8080 /offers
        get 8080 /circuit >/dev/null
        observe 8080
        get 8080 /nowhere >/dev/null
        request DELETE 8080 /offers >/dev/null
        get 8080 /offers text/html >/dev/null

        log "partner hangs: timeouts, the circuit opens"
        kill -STOP "$partner_pid"
        repeat 3 8080 /offers
        await 8080 /circuit '"OPEN"'
        repeat 20 8080 /offers
        get 8080 /circuit >/dev/null
        observe 8080
        kill -CONT "$partner_pid"
        await 8080 /offers '"hot"'
        await 8080 /circuit '"CLOSED"'

        log "partner gone: partner-unreachable, the circuit opens, then closes when it is back"
        stop "$partner_pid"
        repeat 3 8080 /offers
        await 8080 /offers '"circuit-open"'
        start_partner
        await 8080 /offers '"hot"'
        await 8080 /circuit '"CLOSED"'
        repeat 50 8080 /offers
        observe 8080
        ;;
    *)
        log "unknown service $service"
        exit 2
        ;;
esac

stop "$app_pid"
[ -n "$partner_pid" ] && stop "$partner_pid"
if [ ! -s app.aot ]; then
    log "no app.aot was written; the training run's log:"
    cat /tmp/training.log >&2
    exit 1
fi
log "$(ls -l app.aot)"
