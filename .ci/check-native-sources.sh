#!/usr/bin/env bash
# After a sources-only native build: the native-image inputs exist and register the JSON payloads for reflection.
set -euo pipefail
cd "$(dirname "$0")/.."
check() {
    local module=$1
    shift
    local sources="$module/target/native-sources"
    [ -s "$sources/native-image.args" ] || { echo "$sources/native-image.args is missing" >&2; exit 1; }
    local reflect
    reflect=$(cd "$(mktemp -d)" && jar xf "$OLDPWD/$sources/$module-1.0.0-SNAPSHOT-runner.jar" META-INF/native-image/reflect-config.json && cat META-INF/native-image/reflect-config.json)
    for class in "$@"; do
        grep -q "\"$class\"" <<<"$reflect" || { echo "$module: $class is not registered for reflection" >&2; exit 1; }
    done
    echo "$module: native-image.args and reflection for $*"
}
check partner-offer dev.fastcircuitbreaker.partneroffer.Offer
check offer dev.fastcircuitbreaker.offer.Offer dev.fastcircuitbreaker.offer.PartnerOffer 'dev.fastcircuitbreaker.offer.circuit.PartnerCircuit$Snapshot' \
    'dev.fastcircuitbreaker.offer.circuit.CircuitEvents$Event'
