#!/usr/bin/env bash
# Checks README's "Run it" and "Watch it" on the local-process route: `./demo.sh --local` brings both services up
# (building the jars if needed), `./demo.sh stop|start|pause|unpause partner-offer` from another shell do what the
# steps say (cold partner-unreachable, OPEN after 3, hot again after the delay; a paused partner gives timeouts),
# `./demo.sh slow partner-offer` too (300 ms: still hot; 1500 ms, past offer's 1 s timeout: timeouts, OPEN after 3),
# and `./demo.sh down` stops every process the demo started. Ports 18180/18181 unless OFFER_PORT/PARTNER_OFFER_PORT
# say otherwise (not the compose test's). CI runs this (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."

export OFFER_PORT=${OFFER_PORT:-18180} PARTNER_OFFER_PORT=${PARTNER_OFFER_PORT:-18181} MONITOROR_PORT=${MONITOROR_PORT:-38180}
log=$(mktemp)
demo_pid=

fail() {
    echo "FAILED: $1" >&2
    tail -n 40 "$log" >&2
    exit 1
}

cleanup() {
    [ -z "$demo_pid" ] || ./demo.sh down >/dev/null 2>&1 || true
    [ -z "$demo_pid" ] || kill "$demo_pid" 2>/dev/null || true
    rm -f "$log"
}
trap cleanup EXIT

field() { # path key: one field of offer's JSON answer
    curl -s -m 5 "http://localhost:$OFFER_PORT$1" | grep -oE "\"$2\":\"?[A-Za-z0-9_-]+" | head -1 | sed 's/.*:"\{0,1\}//'
}

# Calls offer until the field has the value, at most `seconds`.
await() { # path key value seconds
    local deadline=$((SECONDS + $4)) got=
    while [ $SECONDS -lt $deadline ]; do
        got=$(field "$1" "$2" || true)
        [ "$got" = "$3" ] && return 0
        sleep 0.5
    done
    fail "GET $1: $2 is '$got', not '$3', after $4 s"
}

./demo.sh --local >"$log" 2>&1 &
demo_pid=$!
for _ in $(seq 1 600); do
    grep -q '^\[demo\] up in' "$log" && break
    kill -0 "$demo_pid" 2>/dev/null || fail "./demo.sh --local exited"
    sleep 0.5
done
grep -q '^\[demo\] up in' "$log" || fail "./demo.sh --local was not up within 5 min"
echo "$(grep '^\[demo\] up in' "$log")" >&2
# Up means ready and warm: the first customer gets a hot offer.
first=$(field /offers type || true)
[ "$first" = hot ] || fail "the first offer after ./demo.sh --local was up is '$first', not hot"
pids=$(cat target/demo/partner-offer.pid target/demo/offer.pid)

./demo.sh stop partner-offer >&2
await /offers reason partner-unreachable 10
for _ in 1 2 3; do curl -s -m 5 "http://localhost:$OFFER_PORT/offers" >/dev/null; done
await /circuit state OPEN 10
await /offers reason circuit-open 5

./demo.sh start partner-offer >&2
await /offers type hot 30
await /circuit state CLOSED 5

./demo.sh pause partner-offer >&2
await /offers reason timeout 10
[[ $(./demo.sh status) == *"partner-offer: paused"* ]] || fail "status does not say partner-offer is paused"
./demo.sh unpause partner-offer >&2
await /offers type hot 30

./demo.sh slow partner-offer 300ms >&2
got=$(field /offers type || true)
[ "$got" = hot ] || fail "partner-offer slowed to 300 ms: offer's answer is '$got', not hot"
./demo.sh slow partner-offer 1500ms >&2
for call in 1 2 3; do
    got=$(field /offers reason || true)
    [ "$got" = timeout ] || fail "partner-offer slowed to 1500 ms: call $call's reason is '$got', not timeout"
done
await /circuit state OPEN 5
./demo.sh slow partner-offer 0 >&2
await /offers type hot 30

pids="$pids $(cat target/demo/partner-offer.pid)"
./demo.sh down >&2
for _ in $(seq 1 100); do kill -0 "$demo_pid" 2>/dev/null || break; sleep 0.2; done
kill -0 "$demo_pid" 2>/dev/null && fail "./demo.sh --local still runs after ./demo.sh down"
for pid in $pids; do
    ! kill -0 "$pid" 2>/dev/null || fail "process $pid still runs after ./demo.sh down"
done
demo_pid=
noise=$(grep -E ' (ERROR|SEVERE) |Exception' "$log" || true)
[ -z "$noise" ] || fail "the demo logged errors:
$noise"
echo "demo --local: up, the seven steps, down; nothing left running" >&2
