#!/usr/bin/env bash
# A fresh service's first moments after it reports ready (issue 28): the first request's latency, and a fresh offer
# under 64 callers from the instant it is ready. Starts each service on 127.0.0.1 and stops each by its PID.
#
#   bench/cold-start.sh                                # JDK 17, JDK 25, JDK 25 + AOT cache; prints a Markdown table
#   OUT=bench/COLD-START.md bench/cold-start.sh        # the same, also written to OUT
#   ROUNDS=1 KINDS=jvm17 bench/cold-start.sh          # a smoke run
#
# First request: for each kind and round (ROUNDS, default 5, alternating the kinds), a fresh partner-offer, then a
# fresh offer beside it (partner-offer still up); each: ms from process start until /q/health/ready answers 200
# (polled every 10 ms), then ONE GET /offers timed by curl. Medians, min and max.
# Under load: for each kind, ROUNDS_LOAD times (default 1), a fresh partner-offer and a fresh offer; the instant offer
# is ready, wrk -t2 -c64 -d10s on offer's /offers with reasons.lua (answers by reason, and per second), then offer's
# GET /circuit: state, partnerFailures, shed; steady rate = the median of seconds 6-10, and the first second at
# >= 90 % of it.
# KINDS (default "jvm17 jvm25 aot"): jvm17 `java -jar` on JAVA17 (default `java`), jvm25 `java -jar` on JAVA25 (a
# java or a JDK folder, default /usr/lib/jvm/temurin-25-jdk-amd64), aot the same with -XX:AOTCache=app.aot from the
# jar's folder (skipped when `./mvnw verify -Daot` made no app.aot). PARTNER_PORT/OFFER_PORT (18281/18280),
# JAVA_OPTS (the images' options, as run.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

rounds=${ROUNDS:-5}
rounds_load=${ROUNDS_LOAD:-1}
kinds=${KINDS:-jvm17 jvm25 aot}
partner_port=${PARTNER_PORT:-18281}
offer_port=${OFFER_PORT:-18280}
# The images' JDK_JAVA_OPTIONS (Dockerfile.jvm), as bench/run.sh: a cold start is what a container restart meets.
java_opts=${JAVA_OPTS:--XX:+UseSerialGC -Xmx384m -XX:+ExitOnOutOfMemoryError}
java_bin() { [ -d "$1" ] && echo "$1/bin/java" || echo "$1"; }
java17=$(java_bin "${JAVA17:-java}")
java25=$(java_bin "${JAVA25:-/usr/lib/jvm/temurin-25-jdk-amd64}")

command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
for module in partner-offer offer; do
    [ -f "$module/target/quarkus-app/quarkus-run.jar" ] || { echo "package first: ./mvnw package -DskipTests" >&2; exit 1; }
done

# A build in this tree replaces the jars: results would mix two builds, and a JVM whose jars went can hang on exit.
build_stamp() { stat -c %Y partner-offer/target/quarkus-app/quarkus-run.jar offer/target/quarkus-app/quarkus-run.jar; }
stamp=$(build_stamp)
same_build() {
    [ "$(build_stamp)" = "$stamp" ] && return
    echo "the jars changed during the run (a build in this tree?): run again once it is done" >&2
    exit 1
}

work=$(mktemp -d)
pids=()
# halt PID: SIGTERM, then SIGKILL after 15 s: a Quarkus JVM whose jars were replaced under it hangs in its shutdown hook.
halt() {
    kill "$1" 2>/dev/null || return 0
    for _ in $(seq 1 150); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$1" 2>/dev/null; then
        echo "process $1 still there 15 s after SIGTERM: SIGKILL" >&2
        kill -9 "$1" 2>/dev/null || true
    fi
    wait "$1" 2>/dev/null || true
}
cleanup() {
    for pid in "${pids[@]}"; do halt "$pid"; done
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

java_of() { case "$1" in jvm17) echo "$java17" ;; jvm25 | aot) echo "$java25" ;; esac; }
label_of() {
    case "$1" in
        jvm17) echo "JDK 17, \`java -jar\`" ;;
        jvm25) echo "JDK 25, \`java -jar\`" ;;
        aot) echo "JDK 25, \`java -XX:AOTCache=app.aot -jar\`" ;;
    esac
}

# Checks each kind once; those that cannot run are left out with a note, printed above the tables too.
runnable=() notes=()
for kind in $kinds; do
    case "$kind" in
        jvm17) want=17 ;;
        jvm25 | aot) want=25 ;;
        *) echo "KINDS lists jvm17, jvm25 and/or aot, not $kind" >&2; exit 2 ;;
    esac
    java=$(java_of "$kind")
    if ! "$java" -version 2>&1 | grep -q "version \"$want"; then
        echo "no JDK $want at $java (JAVA$want)" >&2
        exit 1
    fi
    if [ "$kind" = aot ] && { [ ! -s partner-offer/target/quarkus-app/app.aot ] || [ ! -s offer/target/quarkus-app/app.aot ]; }; then
        notes+=("aot skipped: no app.aot in partner-offer/ and offer/target/quarkus-app (JAVA_HOME=<JDK 25> ./mvnw verify -Daot)")
        echo "${notes[-1]}" >&2
        continue
    fi
    runnable+=("$kind")
done
[ "${#runnable[@]}" -gt 0 ] || { echo "no kind to run" >&2; exit 1; }

# start KIND MODULE PORT [ENV=VALUE...]: starts the jar fresh, waits until it is ready; sets PID and READY_MS (process
# start to the first 200 of /q/health/ready).
start() {
    local kind=$1 module=$2 port=$3
    shift 3
    local app="$module/target/quarkus-app" java log aot=() begin elapsed
    java=$(java_of "$kind")
    log="$work/$module-$kind-$(date +%s%N).log"
    [ "$kind" = aot ] && aot=(-XX:AOTCache=app.aot)
    same_build
    # Another process on the port would answer the polls below in this one's place.
    if curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$port/"; then
        echo "port $port already answers: choose another (PARTNER_PORT/OFFER_PORT)" >&2
        exit 1
    fi
    begin=$(date +%s%N)
    # From the jar's own folder: an AOT cache is used only for the jar as it was run when the cache was made.
    env -C "$app" "$@" "$java" "${aot[@]}" $java_opts -Dquarkus.http.host=127.0.0.1 -Dquarkus.http.port="$port" \
        -jar quarkus-run.jar >"$log" 2>&1 &
    PID=$!
    pids+=("$PID")
    until [ "$(curl -s -o /dev/null --max-time 2 -w '%{http_code}' "http://127.0.0.1:$port/q/health/ready")" = 200 ]; do
        elapsed=$(( ($(date +%s%N) - begin) / 1000000 ))
        if ! kill -0 "$PID" 2>/dev/null; then
            echo "$module ($kind) exited:" >&2; cat "$log" >&2; exit 1
        fi
        if [ "$elapsed" -gt 180000 ]; then
            echo "$module ($kind) not ready within 180 s:" >&2; tail -20 "$log" >&2; exit 1
        fi
        sleep 0.01
    done
    READY_MS=$(( ($(date +%s%N) - begin) / 1000000 ))
}

stop() {
    local pid=$1 kept=() p
    halt "$pid"
    for p in "${pids[@]}"; do [ "$p" = "$pid" ] || kept+=("$p"); done
    pids=("${kept[@]}")
}

# first_request PORT NAME: ms of one GET /offers, as curl times it; warns when the answer is not a hot 200.
first_request() {
    local out code seconds
    out=$(curl -s -o "$work/body" -w '%{http_code} %{time_total}' "http://127.0.0.1:$1/offers")
    read -r code seconds <<<"$out"
    [ "$code" = 200 ] || echo "$2: first GET /offers answered $code" >&2
    grep -q '"type":"hot"' "$work/body" || echo "$2: first GET /offers not hot: $(cat "$work/body")" >&2
    awk -v s="$seconds" 'BEGIN { printf "%.1f", s * 1000 }'
}

# Of numbers on stdin, one a line or space-separated.
median() { tr -s ' ' '\n' | grep . | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
summary() {  # "median (min-max)"
    tr -s ' ' '\n' | grep . | sort -g | awk '{ v[NR] = $1 } END { printf "%s (%s-%s)", v[int((NR + 1) / 2)], v[1], v[NR] }'
}
field() { jq -r ".$1" <<<"$2"; }

declare -A ready first
for round in $(seq 1 "$rounds"); do
    for kind in "${runnable[@]}"; do
        start "$kind" partner-offer "$partner_port"
        partner_pid=$PID
        ready["partner-offer $kind"]+="$READY_MS "
        ms=$(first_request "$partner_port" "partner-offer ($kind)")
        first["partner-offer $kind"]+="$ms "
        echo "round $round $kind partner-offer: ready ${READY_MS} ms, first GET /offers ${ms} ms" >&2

        start "$kind" offer "$offer_port" PARTNER_OFFER_URL="http://127.0.0.1:$partner_port"
        ready["offer $kind"]+="$READY_MS "
        ms=$(first_request "$offer_port" "offer ($kind)")
        first["offer $kind"]+="$ms "
        echo "round $round $kind offer: ready ${READY_MS} ms, first GET /offers ${ms} ms" >&2
        stop "$PID"
        stop "$partner_pid"
    done
done

load_rows=()
for kind in "${runnable[@]}"; do
    for run in $(seq 1 "$rounds_load"); do
        start "$kind" partner-offer "$partner_port"
        partner_pid=$PID
        start "$kind" offer "$offer_port" PARTNER_OFFER_URL="http://127.0.0.1:$partner_port"
        offer_pid=$PID
        # wrk-side per-second buckets (reasons.lua) rather than ten 1 s runs: one run keeps its connections, as callers do.
        wrk -t2 -c64 -d10s -s bench/reasons.lua "http://127.0.0.1:$offer_port/offers" -- "$(date +%s%3N)" >"$work/wrk" 2>&1 \
            || { cat "$work/wrk" >&2; exit 1; }
        circuit=$(curl -fs "http://127.0.0.1:$offer_port/circuit")
        stop "$offer_pid"
        stop "$partner_pid"

        hot=$(sed -n 's/^offers: hot=\([0-9]*\) .*/\1/p' "$work/wrk") cold=$(sed -n 's/^offers: .* cold=\([0-9]*\)$/\1/p' "$work/wrk")
        reasons=$(sed -n 's/^reasons: //p' "$work/wrk")
        errors=$(sed -n 's/^ *Socket errors: //p' "$work/wrk")
        non2xx=$(sed -n 's/^ *Non-2xx or 3xx responses: //p' "$work/wrk")
        # Seconds 1 to 10; an eleventh bucket holds the few ms between ready and wrk's start, past the 10 s.
        mapfile -t per_second < <(sed -n 's/^seconds: //p' "$work/wrk" | tr ' ' '\n' | grep . | head -10)
        while [ "${#per_second[@]}" -lt 10 ]; do per_second+=(0); done
        steady=$(printf '%s\n' "${per_second[@]:5:5}" | median)
        to_steady=-
        for i in "${!per_second[@]}"; do
            if [ "${per_second[$i]}" -ge $(( (steady * 9 + 9) / 10 )) ]; then to_steady=$i; break; fi
        done
        answers=$((hot + cold))
        state=$(field state "$circuit") failures=$(field partnerFailures "$circuit") shed=$(field shed "$circuit")
        share=$(awk -v s="$shed" -v a="$answers" 'BEGIN { if (a > 0) printf "%.1f %%", 100 * s / a; else print "-" }')
        echo "load $kind run $run: $answers answers (hot $hot, cold $cold; $reasons), per second ${per_second[*]}," \
            "circuit $circuit, wrk socket errors ${errors:-none}, non-2xx ${non2xx:-0}" >&2
        load_rows+=("| $(label_of "$kind") | $run | $answers ($hot hot) | $state | $failures | $shed ($share) | $steady | $to_steady s | ${per_second[*]} |")
    done
done

report() {
    echo "Cold start, $(date -u +%Y-%m-%d), \`bench/cold-start.sh\`: each service fresh on 127.0.0.1, run with"
    echo "\`java $java_opts -jar quarkus-run.jar\` from its folder; ready = \`/q/health/ready\` answers 200 (polled every 10 ms)."
    for kind in "${runnable[@]}"; do
        echo "$kind: $("$(java_of "$kind")" -version 2>&1 | sed -n 2p)."
    done | paste -sd ' ' -
    for note in "${notes[@]}"; do echo; echo "$note"; done
    echo
    echo "| service | JVM | process start to ready, ms (median (min-max) of $rounds) | first GET /offers after ready, ms (median (min-max)) |"
    echo "|---|---|---|---|"
    for module in partner-offer offer; do
        for kind in "${runnable[@]}"; do
            echo "| $module | $(label_of "$kind") | $(summary <<<"${ready[$module $kind]}") | $(summary <<<"${first[$module $kind]}") |"
        done
    done
    echo
    echo "A fresh offer (and partner-offer) under \`wrk -t2 -c64 -d10s\` from the instant offer is ready; then \`GET /circuit\`."
    echo "Steady = the median answers/s of seconds 6-10; first second at steady = the start of the first second with >= 90 % of it."
    echo
    echo "| JVM | run | answers in 10 s (hot) | circuit after | partnerFailures | shed (share of answers) | steady answers/s | first second at steady | answers per second, 1-10 |"
    echo "|---|---|---|---|---|---|---|---|---|"
    printf '%s\n' "${load_rows[@]}"
}

same_build
if [ -n "${OUT:-}" ]; then
    report | tee "$OUT"
else
    report
fi
