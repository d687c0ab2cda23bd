#!/usr/bin/env bash
# Dockerfile.jvm's AOT training (JDK 25, JEP 514/515): runs the service in /deployments on the runtime image's own JVM
# with -XX:AOTCacheOutput=app.aot, sends it a scripted workload and stops it; the JVM writes app.aot as it exits.
# Needs only bash (its /dev/tcp), coreutils and that JVM.
#   aot-training.sh partner-offer
#   aot-training.sh offer /training/partner-offer   # with a real partner-offer, which it pauses, kills and restarts
# offer's workload walks the demo: hot answers, /circuit, health, metrics, offer's own error answers, the partner
# hanging (timeout) and gone (partner-unreachable), the circuit opening, answering circuit-open, and closing again.
set -euo pipefail
cd /deployments
log() { printf '[aot-training] %s\n' "$*" >&2; }
req() { # method port path [accept]: one HTTP/1.0 exchange (the server closes the connection); prints the response
    (exec 3<>"/dev/tcp/127.0.0.1/$2" && printf '%s %s HTTP/1.0\r\nAccept: %s\r\n\r\n' "$1" "$3" "${4:-application/json}" >&3 \
        && cat <&3) 2>/dev/null || true
}
await() { # port path text: at most 30 s until GET answers with text in its body
    for _ in $(seq 300); do [[ $(req GET "$1" "$2") == *"$3"* ]] && return; sleep 0.1; done
    log "no answer containing $3 from :$1$2 within 30 s"
    return 1
}
calls() { for _ in $(seq "$1"); do req GET "$2" "$3" >/dev/null; done; } # count port path
observe() { for path in /q/health /q/health/live /q/health/ready /q/health/well /q/metrics; do req GET "$1" $path >/dev/null; done; }
stop() { kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }
train() { # port [ENV=VALUE...]: the service, recording; warm and hot, then the read-only views and a 404
    local port=$1
    shift
    env "$@" java -XX:AOTCacheOutput=app.aot -Dquarkus.http.host=127.0.0.1 -jar quarkus-run.jar >/tmp/training.log 2>&1 &
    app=$!
    await "$port" /offers '"hot"'
    calls 200 "$port" /offers
    observe "$port"
    req GET "$port" /nowhere >/dev/null
}
partner() { # quarkus-app folder
    java -Dquarkus.http.host=127.0.0.1 -Dquarkus.http.port=8081 -jar "$1/quarkus-run.jar" >/tmp/partner-offer.log 2>&1 &
    partner=$!
    await 8081 /offers '"hot"'
}

partner=
case $1 in
    partner-offer) train 8081 ;;
    offer)
        partner "$2"
        train 8080 PARTNER_OFFER_URL=http://127.0.0.1:8081 CIRCUIT_DELAY_SECONDS=1 PARTNER_TIMEOUT_MILLIS=500
        req GET 8080 /circuit >/dev/null; req DELETE 8080 /offers >/dev/null; req GET 8080 /offers text/html >/dev/null
        log "partner hangs: timeouts, the circuit opens"
        kill -STOP "$partner"; calls 3 8080 /offers; await 8080 /circuit '"OPEN"'
        calls 20 8080 /offers; req GET 8080 /circuit >/dev/null; observe 8080
        kill -CONT "$partner"; await 8080 /offers '"hot"'; await 8080 /circuit '"CLOSED"'
        log "partner gone: partner-unreachable, the circuit opens, then closes when it is back"
        stop "$partner"; calls 3 8080 /offers; await 8080 /offers '"circuit-open"'
        partner "$2"; await 8080 /offers '"hot"'; await 8080 /circuit '"CLOSED"'
        calls 50 8080 /offers; observe 8080 ;;
    *) log "unknown service $1"; exit 2 ;;
esac
stop "$app"
[ -z "$partner" ] || stop "$partner"
[ -s app.aot ] || { log "no app.aot was written; the training run's log:"; cat /tmp/training.log >&2; exit 1; }
log "$(ls -l app.aot)"
