#!/usr/bin/env bash
# Starts a service, measures the time from process start to its first successful answer, puts a short load on it,
# reports its RSS, and stops it by PID.
#
#   bench/first-answer.sh partner-offer                       # the jar on `java` ($JAVA), port 8081
#   bench/first-answer.sh partner-offer aot                   # the jar with its AOT cache (./mvnw verify -Daot, JDK 25)
#   bench/first-answer.sh partner-offer native                # partner-offer/target/*-runner (./mvnw package -Dnative)
#   REQUESTS=2000 bench/first-answer.sh offer                 # offer needs partner-offer running on 8081
#   bench/first-answer.sh compare                             # JDK 17, JDK 25, JDK 25 + AOT, both services, alternating
#
# One service: prints one line: service, kind, ms to first 200, RSS in MiB after REQUESTS requests.
# compare: after `./mvnw verify -Daot` on JDK 25, starts each service ROUNDS times (default 3) in each of the three
# ways, alternating (17, 25, 25 + AOT, 17, ...), on the same quarkus-app folder; offer with a partner-offer running
# beside it. JAVA17 and JAVA25 choose the JDKs; PARTNER_PORT/OFFER_PORT (8081/8080) the ports. Prints a Markdown table.
set -euo pipefail
cd "$(dirname "$0")/.."

requests=${REQUESTS:-1000}

# measure SERVICE KIND PORT: prints "first-answer-ms rss-mib"; a subshell, so that its EXIT trap stops the service.
measure() (
    local module=$1 kind=$2 port=$3 java=${JAVA:-java}
    local app="$module/target/quarkus-app" url="http://127.0.0.1:$port/offers" command
    case "$kind" in
        jvm) command=("$java" ${JAVA_OPTS:-} "-Dquarkus.http.host=127.0.0.1" "-Dquarkus.http.port=$port" -jar "$app/quarkus-run.jar") ;;
        # The cache is made for the jar as it is run from its own folder (Quarkus's advice): cd there.
        aot) [ -s "$app/app.aot" ] || { echo "no $app/app.aot: build it with ./mvnw verify -Daot (JDK 25)" >&2; return 1; }
             command=(env -C "$app" "$java" -XX:AOTCache=app.aot ${JAVA_OPTS:-} "-Dquarkus.http.host=127.0.0.1" "-Dquarkus.http.port=$port" -jar quarkus-run.jar) ;;
        native) command=("$(ls "$module"/target/*-runner)" "-Dquarkus.http.host=127.0.0.1" "-Dquarkus.http.port=$port") ;;
        *) echo "kind is jvm, aot or native" >&2; return 2 ;;
    esac

    local log start pid first_answer_ms rss_kib
    log=$(mktemp)
    start=$(date +%s%N)
    "${command[@]}" >"$log" 2>&1 &
    pid=$!
    # shellcheck disable=SC2064
    trap "kill $pid 2>/dev/null; wait $pid 2>/dev/null || true; rm -f $log" EXIT

    until curl -fs -o /dev/null "$url"; do
        if ! kill -0 "$pid" 2>/dev/null; then
            echo "$module exited:" >&2
            cat "$log" >&2
            return 1
        fi
        if [ $(( ($(date +%s%N) - start) / 1000000 )) -gt 60000 ]; then
            echo "$module did not answer within 60 s" >&2
            return 1
        fi
        sleep 0.005
    done
    first_answer_ms=$(( ($(date +%s%N) - start) / 1000000 ))

    local failed=0
    for _ in $(seq 1 "$requests"); do
        curl -fs -o /dev/null "$url" || failed=$((failed + 1))
    done
    [ "$failed" -eq 0 ] || echo "$module: $failed of $requests requests failed" >&2
    rss_kib=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status")
    # Stopped before the result is printed: the caller starts the next one on the same port as soon as it reads it.
    kill "$pid"
    wait "$pid" || true
    echo "$first_answer_ms $((rss_kib / 1024))"
)

median() { tr -s ' ' '\n' | grep . | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

compare() {
    local java17=${JAVA17:-/usr/lib/jvm/java-17-openjdk-amd64/bin/java}
    local java25=${JAVA25:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}
    local rounds=${ROUNDS:-3} partner_port=${PARTNER_PORT:-8081} offer_port=${OFFER_PORT:-8080}
    local runs=("jdk17 jvm $java17" "jdk25 jvm $java25" "jdk25 aot $java25")
    declare -A first rss

    for module in partner-offer offer; do
        local port=$partner_port partner_pid=
        if [ "$module" = offer ]; then
            port=$offer_port
            "$java25" "-Dquarkus.http.host=127.0.0.1" "-Dquarkus.http.port=$partner_port" \
                -jar partner-offer/target/quarkus-app/quarkus-run.jar >/dev/null 2>&1 &
            partner_pid=$!
            # shellcheck disable=SC2064
            trap "kill $partner_pid 2>/dev/null || true" EXIT
            until curl -fs -o /dev/null "http://127.0.0.1:$partner_port/offers"; do sleep 0.1; done
        fi
        for round in $(seq 1 "$rounds"); do
            for run in "${runs[@]}"; do
                read -r jdk kind java <<<"$run"
                read -r ms mib < <(JAVA=$java PARTNER_OFFER_URL="http://127.0.0.1:$partner_port" measure "$module" "$kind" "$port")
                echo "$module $jdk $kind round $round: first answer ${ms} ms, RSS ${mib} MiB" >&2
                first["$module $jdk $kind"]+="$ms "
                rss["$module $jdk $kind"]+="$mib "
            done
        done
        [ -n "$partner_pid" ] && { kill "$partner_pid"; wait "$partner_pid" 2>/dev/null || true; }
    done

    echo "| service | run | process start to first answer, ms (median; each start) | RSS after $requests requests, MiB (median; each) |"
    echo "|---|---|---|---|"
    for module in partner-offer offer; do
        for run in "${runs[@]}"; do
            read -r jdk kind _ <<<"$run"
            local key="$module $jdk $kind" label
            case "$jdk $kind" in
                "jdk17 jvm") label="JDK 17, \`java -jar\`" ;;
                "jdk25 jvm") label="JDK 25, \`java -jar\`" ;;
                "jdk25 aot") label="JDK 25, \`java -XX:AOTCache=app.aot -jar\`" ;;
            esac
            echo "| $module | $label | $(median <<<"${first[$key]}"); ${first[$key]% } | $(median <<<"${rss[$key]}"); ${rss[$key]% } |"
        done
    done
}

case "${1:?usage: bench/first-answer.sh partner-offer|offer [jvm|aot|native] | compare}" in
    compare) compare ;;
    partner-offer | offer)
        module=$1 kind=${2:-jvm}
        [ "$module" = offer ] && port=${PORT:-8080} || port=${PORT:-8081}
        read -r ms mib < <(measure "$module" "$kind" "$port")
        printf '%s %s first-answer-ms=%d rss-mib=%d after %d requests\n' "$module" "$kind" "$ms" "$mib" "$requests"
        ;;
    *) echo "unknown service $1" >&2; exit 2 ;;
esac
