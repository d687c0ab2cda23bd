#!/usr/bin/env bash
# Starts a service (the jar or a native executable), measures the time from process start to its first
# successful answer, puts a short load on it, reports its RSS, and stops it by PID.
#
#   bench/first-answer.sh partner-offer                       # the JVM jar, port 8081
#   bench/first-answer.sh partner-offer native                # partner-offer/target/*-runner (./mvnw package -Dnative)
#   REQUESTS=2000 bench/first-answer.sh offer                 # offer needs partner-offer running on 8081
#
# Prints one line: service, kind, ms to first 200, RSS in MiB after REQUESTS requests.
set -euo pipefail
cd "$(dirname "$0")/.."

module=${1:?usage: bench/first-answer.sh partner-offer|offer [jvm|native]}
kind=${2:-jvm}
requests=${REQUESTS:-1000}
case "$module" in
    partner-offer) port=${PORT:-8081} ;;
    offer) port=${PORT:-8080} ;;
    *) echo "unknown service $module" >&2; exit 2 ;;
esac
url="http://127.0.0.1:$port/offers"

case "$kind" in
    jvm) command=(java ${JAVA_OPTS:-} "-Dquarkus.http.host=127.0.0.1" "-Dquarkus.http.port=$port" -jar "$module/target/quarkus-app/quarkus-run.jar") ;;
    native) command=("$(ls "$module"/target/*-runner)" "-Dquarkus.http.host=127.0.0.1" "-Dquarkus.http.port=$port") ;;
    *) echo "kind is jvm or native" >&2; exit 2 ;;
esac

log=$(mktemp)
start=$(date +%s%N)
"${command[@]}" >"$log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true; rm -f "$log"' EXIT

until curl -fs -o /dev/null "$url"; do
    if ! kill -0 "$pid" 2>/dev/null; then
        echo "$module exited:" >&2
        cat "$log" >&2
        exit 1
    fi
    if [ $(( ($(date +%s%N) - start) / 1000000 )) -gt 60000 ]; then
        echo "$module did not answer within 60 s" >&2
        exit 1
    fi
    sleep 0.005
done
first_answer_ms=$(( ($(date +%s%N) - start) / 1000000 ))

for _ in $(seq 1 "$requests"); do
    curl -fs -o /dev/null "$url"
done
rss_kib=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status")
printf '%s %s first-answer-ms=%d rss-mib=%d after %d requests\n' "$module" "$kind" "$first_answer_ms" $((rss_kib / 1024)) "$requests"
