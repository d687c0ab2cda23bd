#!/usr/bin/env bash
# Admission across loads (issue 40): offer in front of a healthy partner-offer whose response latency is set while it
# runs (PUT /latency), callers at once x partner latency, each caller asking again as soon as it is answered (wrk's
# closed loop, as a user's load test would). For each load: answers/s, the hot share, hot answers/s against Little's
# bound (callers / latency), p99 and max, offer-busy answers, and the limit Admission had during the run.
#
#   ./mvnw package -DskipTests && bench/admission.sh             # writes bench/ADMISSION.md (~6 min)
#   CALLERS="32 256" LATENCIES="0ms 50ms" DURATION=5s OUT=/tmp/a.md bench/admission.sh
#   OFFER_ADMISSION_ALGORITHM=vegas bench/admission.sh            # the other algorithm (offer reads the variable)
set -euo pipefail
cd "$(dirname "$0")/.."

CALLERS=${CALLERS:-32 64 128 256 512 1024}
LATENCIES=${LATENCIES:-0ms 50ms 200ms}
DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-60s}
JAVA=${JAVA:-java}
JAVA_OPTS=${JAVA_OPTS:--XX:+UseSerialGC -Xmx384m -XX:+ExitOnOutOfMemoryError}
OUT=${OUT:-bench/ADMISSION.md}

command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
for service in partner-offer offer; do
    [ -f "$service/target/quarkus-app/quarkus-run.jar" ] || { echo "package first: ./mvnw package -DskipTests" >&2; exit 1; }
done
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
work=$(mktemp -d)
pids=()
trap 'for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null; rm -rf "$work"' EXIT

start() { # service port [VAR=value...]
    local service=$1 port=$2
    shift 2
    (cd "$service/target/quarkus-app" && exec env QUARKUS_HTTP_PORT="$port" "$@" "$JAVA" $JAVA_OPTS -jar quarkus-run.jar) \
        >"$work/$service.log" 2>&1 &
    pids+=($!)
    for _ in $(seq 600); do
        curl -fs "http://127.0.0.1:$port/q/health/ready" >/dev/null && return
        sleep 0.1
    done
    echo "$service did not get ready: $work/$service.log" >&2
    exit 1
}
partner_port=$(free_port)
offer_port=$(free_port)
start partner-offer "$partner_port"
start offer "$offer_port" PARTNER_OFFER_URL="http://127.0.0.1:$partner_port"
offer=http://127.0.0.1:$offer_port

# The limit as /circuit tells it, once a second while wrk runs: its lowest and highest.
watch_limit() {
    while sleep 1; do curl -fs "$offer/circuit" | python3 -c 'import json, sys; print(json.load(sys.stdin)["limit"])' || true; done
}
ms() { awk '{v = $1; if (v ~ /us$/) {sub(/us$/, "", v); v /= 1000} else if (v ~ /ms$/) {sub(/ms$/, "", v)} else if (v ~ /s$/) {sub(/s$/, "", v); v *= 1000}; printf "%.0f", v}'; }

echo "warm-up: $WARMUP at 32 callers" >&2
wrk -t2 -c32 -d"$WARMUP" "$offer/offers" >/dev/null
{
    echo "# Admission across loads, $(date -u +%Y-%m-%d), $("$JAVA" -version 2>&1 | head -1), $(nproc) cores, algorithm ${OFFER_ADMISSION_ALGORITHM:-as configured}"
    echo
    echo "wrk -t2 for $DURATION per row after a $WARMUP warm-up at 32 callers; partner-offer healthy throughout."
    echo
    echo "| partner latency | callers | answers/s | hot share | hot/s | callers / latency | hot/s : that | p99 ms | max ms | offer-busy | other cold | limit (min-max) | circuit |"
    echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
} >"$OUT"
for latency in $LATENCIES; do
    curl -fs -X PUT -H 'Content-Type: text/plain' --data "$latency" "http://127.0.0.1:$partner_port/latency" >/dev/null
    for callers in $CALLERS; do
        echo "partner $latency, $callers callers" >&2
        watch_limit >"$work/limits" &
        watcher=$!
        wrk -t2 -c"$callers" -d"$DURATION" --latency -s bench/count.lua "$offer/offers" >"$work/wrk"
        kill "$watcher" 2>/dev/null || true
        wait "$watcher" 2>/dev/null || true
        rps=$(awk '/^Requests\/sec:/ {printf "%.0f", $2}' "$work/wrk")
        seconds=$(awk '/requests in/ {v = $4; sub(/,$/, "", v); sub(/s$/, "", v); print v}' "$work/wrk")
        hot=$(sed -n 's/^offers: hot=\([0-9]*\) .*/\1/p' "$work/wrk")
        cold=$(sed -n 's/^offers: .* cold=\([0-9]*\)/\1/p' "$work/wrk")
        busy=$(tr ' ' '\n' <"$work/wrk" | sed -n 's/^offer-busy=//p' | grep . || echo 0)
        p99=$(awk '$1 == "99%" {print $2}' "$work/wrk" | ms)
        max=$(awk '$1 == "Latency" {print $4}' "$work/wrk" | ms)
        limits=$(sort -n "$work/limits" | awk 'NR == 1 {lo = $1} {hi = $1} END {print (NR ? lo "-" hi : "-")}')
        state=$(curl -fs "$offer/circuit" | python3 -c 'import json, sys; print(json.load(sys.stdin)["state"])')
        awk -v l="$latency" -v c="$callers" -v rps="$rps" -v s="$seconds" -v hot="$hot" -v cold="$cold" -v busy="$busy" \
            -v p99="$p99" -v max="$max" -v limits="$limits" -v state="$state" 'BEGIN {
                ms = l; sub(/ms$/, "", ms); all = hot + cold; hps = hot / s
                bound = ms > 0 ? c * 1000 / ms : 0
                printf "| %s | %d | %d | %.1f %% | %d | %s | %s | %s | %s | %d | %d | %s | %s |\n", l, c, rps, all ? 100 * hot / all : 0,
                    hps, bound ? sprintf("%d", bound) : "-", bound ? sprintf("%.2f", hps / bound) : "-", p99, max, busy,
                    cold - busy, limits, state }' >>"$OUT"
    done
done
curl -fs -X PUT -H 'Content-Type: text/plain' --data 0ms "http://127.0.0.1:$partner_port/latency" >/dev/null
cat "$OUT"
