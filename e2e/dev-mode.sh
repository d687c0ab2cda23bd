#!/usr/bin/env bash
# CI's check of docs/develop.md's dev mode: partner-offer and offer each in its own `./mvnw -pl MODULE quarkus:dev`, here
# started at once, on free ports and without the debug port. offer's first answer once ready is a hot offer from partner-offer, its 404
# stays Quarkus' dev page (offer's JSON 404 is for prod), and neither service logs a WARN or an ERROR of its own.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d) pids=()
# Each Maven runs in a session of its own, so its group, the dev-mode JVM it forks included, stops by Maven's PID.
cleanup() {
    for pid in "${pids[@]}"; do
        kill -- -"$pid" 2>/dev/null || continue
        timeout 10 bash -c "while kill -0 -- -$pid; do sleep 0.1; done" 2>/dev/null || kill -KILL -- -"$pid" 2>/dev/null || true
    done
    rm -rf "$work"
}
trap cleanup EXIT
fail() {
    echo "FAILED: $1" >&2
    for log in "$work"/*.log; do echo "--- $log" >&2; tail -n 40 "$log" >&2; done
    exit 1
}
dev() { # module PORT [ENV=VALUE...]: starts it in dev mode on PORT
    local module=$1 port=$2
    shift 2
    setsid env "$@" ./mvnw -B -pl "$module" quarkus:dev -Dquarkus.http.port="$port" -Ddebug=false </dev/null >"$work/$module.log" 2>&1 &
    pids+=("$!")
}
ready() { # module PORT PID: waits until it reports ready (5 min at most), as a load balancer sees it: its WarmUp is over
    local deadline=$((SECONDS + 300)) pid=$3
    until curl -fs -o /dev/null -m 5 "http://localhost:$2/q/health/ready"; do
        [ $SECONDS -lt $deadline ] || fail "$1 was not ready within 300 s"
        kill -0 "$pid" 2>/dev/null || fail "$1 dev mode exited"
        sleep 0.5
    done
    echo "$1 in dev mode on port $2" >&2
}

# Both at once, on two free ports (bound and let go): offer needs partner-offer's port, not partner-offer itself.
read -r partner_port offer_port < <(python3 -c 'import socket
s = [socket.socket() for _ in range(2)]
for x in s: x.bind(("127.0.0.1", 0))
print(*[x.getsockname()[1] for x in s])')
dev partner-offer "$partner_port"
dev offer "$offer_port" PARTNER_OFFER_URL="http://localhost:$partner_port"
ready partner-offer "$partner_port" "${pids[0]}"
ready offer "$offer_port" "${pids[1]}"
offer=http://localhost:$offer_port
answer=$(curl -fs -m 5 "$offer/offers" || true)
[[ $answer == *'"type":"hot"'* ]] || fail "offer's first answer after ready is not hot: $answer"
status=$(curl -s -o "$work/404.html" -w '%{http_code}' -H 'Accept: text/html' "$offer/no-such-thing" || true)
[ "$status" = 404 ] && grep -q '/offers' "$work/404.html" \
    || fail "GET /no-such-thing answered $status, not dev mode's 404 page listing /offers: $(head -c 300 "$work/404.html")"
# .mvn/jvm.config answers Quarkus' build-analytics question, so dev mode never waits for input on a first run.
! grep -q 'Help improve Quarkus' "$work"/*.log || fail "dev mode asked the build-analytics question (see .mvn/jvm.config)"
# The services' own log lines (time, level, [category]); Maven's [WARNING] lines are not theirs.
noise=$(grep -hE '^[0-9:.]+ (WARN|ERROR) ' "$work"/*.log || true)
[ -z "$noise" ] || fail "dev mode logged warnings or errors:"$'\n'"$noise"
echo "dev mode: both services ready, offer answered hot, Quarkus' dev 404 page, no WARN or ERROR" >&2
