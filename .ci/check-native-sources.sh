#!/usr/bin/env bash
# After a sources-only native build: the native-image inputs exist and register the JSON payloads for reflection;
# offer's image also holds the REST client listener that bounds its partner calls, and the service file naming it.
set -euo pipefail
cd "$(dirname "$0")/.."
check() {
    local module=$1
    shift
    local sources="$module/target/native-sources"
    [ -s "$sources/native-image.args" ] || { echo "$sources/native-image.args is missing" >&2; exit 1; }
    local reflect
    reflect=$(cd "$(mktemp -d)" && jar xf "$OLDPWD/$sources/$module-1.0.0-SNAPSHOT-runner.jar" META-INF/native-image/reflect-config.json && cat META-INF/native-image/reflect-config.json)
    RESOURCES=$(cd "$(mktemp -d)" && jar xf "$OLDPWD/$sources/$module-1.0.0-SNAPSHOT-runner.jar" META-INF/native-image/resource-config.json && cat META-INF/native-image/resource-config.json)
    for class in "$@"; do
        grep -q "\"$class\"" <<<"$reflect" || { echo "$module: $class is not registered for reflection" >&2; exit 1; }
    done
    echo "$module: native-image.args and reflection for $*"
}
check partner-offer dev.fastcircuitbreaker.partneroffer.Offer
check offer dev.fastcircuitbreaker.offer.Offer dev.fastcircuitbreaker.offer.PartnerOffer 'dev.fastcircuitbreaker.offer.PartnerCircuit$Snapshot' \
    'dev.fastcircuitbreaker.offer.CircuitEvents$Event' \
    'dev.fastcircuitbreaker.offer.PartnerOfferBounds$Registration'
grep -q 'spi[\\.]*RestClientListener' <<<"$RESOURCES" \
    || { echo "offer: the RestClientListener service file is not in the native image's resources" >&2; exit 1; }
echo "offer: the RestClientListener service file is a native-image resource"
