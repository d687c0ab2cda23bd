#!/usr/bin/env bash
# CI's check of README's "Run it" and "Watch it" as local processes: `./demo.sh --local` comes up (building the jars
# if needed) and the first offer is hot; the steps from another shell do what README says (stop: partner-unreachable,
# OPEN after 3; start: hot again after the delay; pause: timeouts; slow 300ms: still hot, 1500ms, past offer's 1 s
# timeout: timeouts, OPEN); `./demo.sh down` leaves no process behind, and nothing logged an error.
# Ports 18180/18181/38180 unless OFFER_PORT, PARTNER_OFFER_PORT, MONITOROR_PORT say otherwise (not the compose test's).
set -euo pipefail
cd "$(dirname "$0")/.."
export OFFER_PORT=${OFFER_PORT:-18180} PARTNER_OFFER_PORT=${PARTNER_OFFER_PORT:-18181} MONITOROR_PORT=${MONITOROR_PORT:-38180}
log=$(mktemp) demo_pid=
fail() { echo "FAILED: $1" >&2; tail -n 40 "$log" >&2; exit 1; }
# The demo's own Ctrl-C: it stops what it started.
trap '[ -z "$demo_pid" ] || { kill "$demo_pid" && timeout 30 tail --pid="$demo_pid" -f /dev/null; } 2>/dev/null || true; rm -f "$log"' EXIT
field() { # path key: one field of offer's JSON answer
    curl -s -m 5 "http://localhost:$OFFER_PORT$1" | grep -oE "\"$2\":\"?[A-Za-z0-9_-]+" | head -1 | sed 's/.*:"\{0,1\}//'
}
await() { # path key value seconds: calls offer until the field has the value (0 s: this once)
    local deadline=$((SECONDS + $4)) got
    until got=$(field "$1" "$2" || true); [ "$got" = "$3" ]; do
        [ $SECONDS -lt "$deadline" ] || fail "GET $1: $2 is '$got', not '$3', after $4 s"
        sleep 0.5
    done
}

./demo.sh --local >"$log" 2>&1 &
demo_pid=$!
for _ in $(seq 600); do grep -q '^\[demo\] up in' "$log" && break; kill -0 $demo_pid 2>/dev/null || fail "./demo.sh --local exited"; sleep 0.5; done
grep '^\[demo\] up in' "$log" >&2 || fail "./demo.sh --local was not up within 5 min"
await /offers type hot 0 # up means ready and warm: the first customer gets a hot offer
pids=$(cat target/demo/partner-offer.pid target/demo/offer.pid)

./demo.sh stop partner-offer >&2
await /offers reason partner-unreachable 10
for _ in 1 2 3; do field /offers type >/dev/null; done
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
await /offers type hot 0
./demo.sh slow partner-offer 1500ms >&2
for _ in 1 2 3; do await /offers reason timeout 0; done
await /circuit state OPEN 5
./demo.sh slow partner-offer 0 >&2
await /offers type hot 30

pids+=" $(cat target/demo/partner-offer.pid)"
./demo.sh down >&2
timeout 20 tail --pid=$demo_pid -f /dev/null || fail "./demo.sh --local still runs after ./demo.sh down"
demo_pid=
for pid in $pids; do ! kill -0 "$pid" 2>/dev/null || fail "process $pid still runs after ./demo.sh down"; done
noise=$(grep -hE ' (ERROR|SEVERE) |Exception' "$log" target/demo/*.log || true)
[ -z "$noise" ] || fail "the demo logged errors:"$'\n'"$noise"
echo "demo --local: up, the seven steps, down; nothing left running" >&2
