#!/usr/bin/env bash
# Checks docs/develop.md's dev mode: partner-offer and offer in Quarkus dev mode, each started by its own
# `./mvnw -pl MODULE quarkus:dev` as docs/develop.md says, here on free ports and without the debug port. offer must answer a
# hot offer from partner-offer at /offers as its first answer once ready, keep Quarkus' own 404 page (offer's JSON 404
# is for prod), and neither service may log a WARN or an ERROR of its own. Both
# process trees (Maven and the dev-mode JVM it forks) are stopped at the end. CI runs this (.ci/run).
#
#   e2e/dev-mode.sh              # STARTUP=300 seconds at most for each service to compile and listen
set -euo pipefail
cd "$(dirname "$0")/.."

STARTUP=${STARTUP:-300}
work=$(mktemp -d)
pids=()

descendants() {
    local child
    for child in $(ps -o pid= --ppid "$1" || true); do
        echo "$child"
        descendants "$child"
    done
}

# Stops a process and everything it started, by PID: TERM, then KILL after 10 s.
stop_tree() {
    local all
    all=("$1" $(descendants "$1"))
    kill "${all[@]}" 2>/dev/null || true
    for _ in $(seq 1 100); do
        kill -0 "${all[@]}" 2>/dev/null || return 0
        sleep 0.1
    done
    kill -9 "${all[@]}" 2>/dev/null || true
}

cleanup() {
    for pid in "${pids[@]}"; do
        stop_tree "$pid"
    done
    rm -rf "$work"
}
trap cleanup EXIT

fail() {
    echo "FAILED: $1" >&2
    for log in "$work"/*.log; do
        echo "--- $log" >&2
        tail -n 40 "$log" >&2
    done
    exit 1
}

# dev MODULE [ENV=VALUE...]: starts the module in dev mode, waits until it listens, sets ${MODULE}_PORT.
dev() {
    local module=$1 log="$work/$1.log" port=""
    shift
    env "$@" ./mvnw -B -pl "$module" quarkus:dev -Dquarkus.http.port=0 -Ddebug=false </dev/null >"$log" 2>&1 &
    pids+=("$!")
    for _ in $(seq 1 $((STARTUP * 2))); do
        port=$(grep -oE 'Listening on: http://localhost:[0-9]+' "$log" | grep -oE '[0-9]+$' || true)
        [ -n "$port" ] && break
        kill -0 "$!" 2>/dev/null || fail "$module dev mode exited"
        sleep 0.5
    done
    [ -n "$port" ] || fail "$module did not listen within ${STARTUP}s"
    printf -v "${module//-/_}_PORT" '%s' "$port"
    echo "$module in dev mode on port $port" >&2
}

# await_ready NAME URL: as a load balancer does, until the service reports ready (its WarmUp is over).
await_ready() {
    for _ in $(seq 1 $((STARTUP * 10))); do
        curl -fs -o /dev/null -m 5 "$2/q/health/ready" && return 0
        sleep 0.1
    done
    fail "$1 did not report ready within ${STARTUP}s"
}

dev partner-offer
await_ready partner-offer "http://localhost:$partner_offer_PORT"
dev offer PARTNER_OFFER_URL="http://localhost:$partner_offer_PORT"
offer="http://localhost:$offer_PORT"
await_ready offer "$offer"
# The first customer's answer: hot.
answer=$(curl -fs -m 5 "$offer/offers" || true)
[[ $answer == *'"type":"hot"'* ]] || fail "offer's first answer after ready is not hot: $answer"
echo "GET /offers: $answer" >&2

status=$(curl -s -o "$work/404.html" -w '%{http_code}' -H 'Accept: text/html' "$offer/no-such-thing")
[ "$status" = 404 ] || fail "GET /no-such-thing answered $status, not 404"
grep -q '/offers' "$work/404.html" || fail "dev mode's 404 page does not list /offers: $(head -c 300 "$work/404.html")"
echo "GET /no-such-thing: 404, Quarkus' dev page listing the endpoints" >&2

# .mvn/jvm.config answers Quarkus' build-analytics question (quarkus.analytics.disabled), so dev mode never waits for
# input on a first run; ~/.redhat/io.quarkus.analytics.localconfig, once written, would hide the question as well.
! grep -q 'Help improve Quarkus' "$work"/*.log || fail "dev mode asked the build-analytics question (see .mvn/jvm.config)"

# The services' own log lines (time, level, [category]); Maven's [WARNING] lines are not theirs.
noise=$(grep -hE '^[0-9:.]+ (WARN|ERROR) ' "$work"/*.log || true)
[ -z "$noise" ] || fail "dev mode logged warnings or errors:
$noise"
echo "dev mode: both services started, offer answered hot, no WARN or ERROR" >&2
