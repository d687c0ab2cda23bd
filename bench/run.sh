#!/usr/bin/env bash
# Benchmark of offer's good and bad paths with wrk, against the packaged services on 127.0.0.1 (wrk and the
# services share this machine's cores), on the JVM the images run and on JDK 17. Writes a Markdown table with ratios
# measured in this one run, and nothing else: why targets were missed in a given run is analysed in
# bench/ANALYSIS.md, dated. What each scenario and column is: bench/README.md.
#
#   JAVA_HOME=<JDK 25> ./mvnw verify -Daot && bench/run.sh       # full run, ~25 minutes, writes bench/RESULTS.md
#   ./mvnw package -DskipTests && bench/run.sh                     # the same without AOT caches (JDK 25 starts slower)
#   DURATION=3s WARMUP=2s WARMUP_MAX=2s PAIR_ROUNDS=1 PAIR_STEP=2s S5_DURATION=3s TAILS_PROBE=2s TAILS_DURATION=3s \
#       OUT=/tmp/smoke.md bench/run.sh                               # the smoke run CI does
#   JDKS=25 bench/run.sh                                           # only the JVM the images run
#
# Scenarios: P partner-offer directly (the baseline: a constant answer on the same stack); S1 offer with the
# partner up (hot path); S2 offer with the partner killed and the circuit open (fallback path); S3 offer with
# the partner hanging (SIGSTOP): the timeout phase, then the open phase, and S3o the open phase alone, right after;
# S4 offer with a hostile partner that streams an endless body (e2e's HostilePartner, run as a single-file program):
# the body limit, then the open phase; S5 overload: the partner up again and 4, 16 and 128 times S1's connections.
# S1one: S1 on an offer with one server event loop (quarkus.http.io-threads=1), whose partner loops follow.
# During S1 and S1one each offer thread's CPU is read from /proc/PID/task/*/stat. The latency bounds (S3, S4, S5) and
# S1's p99 are measured again open-model, with vegeta at a constant rate (wrk's closed loop stops sending on a
# stalled connection, so it never measures the answers that would have been slow): "tails" in the results.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-30s}
# P, S1, S2 and S3o are measured once the JIT has settled: wrk in WARMUP_STEP windows, at least WARMUP, then until two
# windows in a row are each no more than 5 % faster than the one before, at most WARMUP_MAX. On 2 shared cores C2 is
# still compiling S1's path after 40 s of load (bench/ANALYSIS.md, "The JIT's ramp"): a fixed 15 s measured the
# compiler as much as offer.
WARMUP=${WARMUP:-20s}
WARMUP_MAX=${WARMUP_MAX:-120s}
WARMUP_STEP=${WARMUP_STEP:-5s}
# The ratios to P are measured in alternating windows, PAIR_ROUNDS of each, PAIR_STEP long, against a partner-offer of
# its own (the one P ran on, kept warm and idle beside offer), so that the machine's drift over the run, which is as
# large as the differences measured (bench/ANALYSIS.md), weighs on both sides of a ratio alike.
PAIR_ROUNDS=${PAIR_ROUNDS:-5}
PAIR_STEP=${PAIR_STEP:-5s}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-2}
OUT=${OUT:-bench/RESULTS.md}
JDKS=${JDKS:-25 17}
JAVA25=${JAVA25_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
JAVA17=${JAVA17_HOME:-/usr/lib/jvm/java-17-openjdk-amd64}
# The images' JDK_JAVA_OPTIONS (Dockerfile.jvm), with the heap they get from 75 % of compose's 512 MiB mem_limit.
JAVA_OPTS=${JAVA_OPTS:--XX:+UseSerialGC -Xmx384m -XX:+ExitOnOutOfMemoryError}
# S5: multiples of S1's connections, each measured for S5_DURATION after a short warm-up.
S5_TIMES=${S5_TIMES:-4 16 128}
S5_DURATION=${S5_DURATION:-10s}
# Open-model tails: vegeta at TAILS_SHARE of the req/s it gets itself closed-loop in the same state (TAILS_PROBE), for
# TAILS_DURATION. At 0.86 of it offer and vegeta together saturated the 2 cores and the queue grew (ANALYSIS.md).
TAILS_SHARE=${TAILS_SHARE:-0.6}
TAILS_PROBE=${TAILS_PROBE:-5s}
TAILS_DURATION=${TAILS_DURATION:-20s}
VEGETA_VERSION=v12.13.0
TIMEOUT_MS=1000
TICKS=$(getconf CLK_TCK)

command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
# vegeta from the Go module proxy, into bench/.tools (kept out of git), unless $VEGETA names one.
VEGETA=${VEGETA:-bench/.tools/vegeta}
if [ ! -x "$VEGETA" ]; then
    command -v go >/dev/null || { echo "vegeta is missing, and go to install it: set VEGETA, or install Go" >&2; exit 1; }
    GOBIN="$PWD/bench/.tools" GOFLAGS=-mod=mod go install "github.com/tsenart/vegeta/v12@$VEGETA_VERSION"
fi
for jar in partner-offer offer; do
    [ -f "$jar/target/quarkus-app/quarkus-run.jar" ] || { echo "package first: ./mvnw package -DskipTests" >&2; exit 1; }
done
java_home() { case "$1" in 25) echo "$JAVA25" ;; 17) echo "$JAVA17" ;; *) echo "JDKS lists 25 and/or 17" >&2; exit 2 ;; esac; }
for jdk in $JDKS; do
    home=$(java_home "$jdk")
    "$home/bin/java" -version 2>&1 | grep -q "version \"$jdk" || { echo "no JDK $jdk at $home (JAVA${jdk}_HOME)" >&2; exit 1; }
done

work=$(mktemp -d)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do
        kill -CONT "$pid" 2>/dev/null || true
        kill "$pid" 2>/dev/null || true
    done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

# JIT deoptimizations (uncommon traps) are recorded by JFR's jdk.Deoptimization event, on JDK 17 and 25 alike.
cat >"$work/deopt.jfc" <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<configuration version="2.0" label="Deoptimizations only">
  <event name="jdk.Deoptimization">
    <setting name="enabled">true</setting>
    <setting name="stackTrace">false</setting>
  </event>
</configuration>
EOF

# start NAME MODULE PORT [ENV=VALUE...]: starts a jar on 127.0.0.1 from its own folder (with its AOT cache on JDK 25,
# when `-Daot` made one), sets ${NAME}_PID, ${NAME}_PORT, ${NAME}_FIRST_MS.
start() {
    local name=$1 module=$2 port=$3
    shift 3
    STARTS=$((STARTS + 1))
    local log="$work/$name-$STARTS.log" begin app="$module/target/quarkus-app" aot=()
    [ "$JDK" = 25 ] && [ -s "$app/app.aot" ] && aot=(-XX:AOTCache=app.aot)
    : >"$log"
    begin=$(date +%s%N)
    # A JFR recording from the start, so that JFR is set up before the load (jcmd starts one per measured run).
    env -C "$app" "$@" "$JAVA" "${aot[@]}" $JAVA_OPTS -XX:StartFlightRecording=settings="$work/deopt.jfc" \
        -Dquarkus.http.host=127.0.0.1 -Dquarkus.http.port="$port" -jar quarkus-run.jar >"$log" 2>&1 &
    local pid=$!
    pids+=("$pid")
    local found=""
    for _ in $(seq 1 600); do
        found=$(grep -oE 'Listening on: http://127\.0\.0\.1:[0-9]+' "$log" | grep -oE '[0-9]+$' || true)
        [ -n "$found" ] && break
        sleep 0.1
    done
    [ -n "$found" ] || { echo "$name did not start:" >&2; cat "$log" >&2; exit 1; }
    for _ in $(seq 1 6000); do curl -fs -o /dev/null "http://127.0.0.1:$found/offers" && break; sleep 0.005; done
    curl -fs -o /dev/null "http://127.0.0.1:$found/offers" || { echo "$name does not answer on $found" >&2; exit 1; }
    printf -v "${name}_PID" '%s' "$pid"
    printf -v "${name}_PORT" '%s' "$found"
    printf -v "${name}_FIRST_MS" '%s' $(( ($(date +%s%N) - begin) / 1000000 ))
    printf -v "${name}_AOT" '%s' "${aot[*]:+ + AOT cache}"
}

# CPU seconds (user + system) a process has used so far; empty when it is gone.
cpu_seconds() { [ -r "/proc/$1/stat" ] && awk -v t="$TICKS" '{printf "%.2f", ($14 + $15) / t}' "/proc/$1/stat" || true; }
used() { [ -n "$1" ] && [ -n "$2" ] && awk -v a="$1" -v b="$2" 'BEGIN {printf "%.1f", b - a}' || echo "-"; }
rss_mib() { awk '/^VmRSS:/ {printf "%d", $2 / 1024}' "/proc/$1/status"; }
circuit() { curl -fs "http://127.0.0.1:$offer_PORT/circuit"; }
await_state() {
    for _ in $(seq 1 400); do
        circuit | grep -q "\"state\":\"$1\"" && return
        curl -fs -o /dev/null "http://127.0.0.1:$offer_PORT/offers" || true
        sleep 0.1
    done
    echo "circuit never reached $1: $(circuit)" >&2
    exit 1
}

to_ms() { awk '{v=$1; if (v ~ /us$/) {sub(/us$/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms$/,"",v)} else if (v ~ /s$/) {sub(/s$/,"",v); v*=1000}; printf "%.2f", v}'; }

seconds() { local v=${1%s}; echo "${v:-0}"; }
requests_per_second() { awk '/^Requests\/sec:/ {printf "%.0f", $2}'; }
rate() { wrk -t"$THREADS" -c"$1" -d"$2" "$3" | requests_per_second; }

# settle KEY URL CONNECTIONS: the warm-up until the JIT has settled (WARMUP, WARMUP_MAX, WARMUP_STEP above); records
# its length and the rate of each window, which show the ramp.
declare -A WARMED RAMP
settle() {
    local key=$1 url=$2 connections=$3 spent=0 before=0 now settled=0
    local least max step window
    least=$(seconds "$WARMUP"); max=$(seconds "$WARMUP_MAX"); step=$(seconds "$WARMUP_STEP")
    [ "$max" -ge "$least" ] || max=$least
    RAMP["$JDK $key"]=""
    while [ "$spent" -lt "$max" ]; do
        window=$(( step < max - spent ? step : max - spent ))
        now=$(rate "$connections" "${window}s" "$url")
        spent=$(( spent + window ))
        RAMP["$JDK $key"]+="${RAMP["$JDK $key"]:+ }$now"
        # C2 compiles in bursts: one window no faster than the last can be a pause in the ramp, two in a row are not.
        if [ "$before" -gt 0 ] && [ $(( now * 100 )) -le $(( before * 105 )) ]; then settled=$((settled + 1)); else settled=0; fi
        [ "$spent" -ge "$least" ] && [ "$settled" -ge 2 ] && break
        before=$now
    done
    WARMED["$JDK $key"]=$spent
    echo "  $JDK $key warm-up: ${spent} s, req/s per ${step} s window: ${RAMP["$JDK $key"]}" >&2
}

# pair KEY URL: PAIR_ROUNDS alternating windows of P (the reference partner-offer) and of URL; records the median
# rate of each side.
declare -A PAIR_P PAIR_S
pair() {
    local key=$1 url=$2 p=() s=()
    for _ in $(seq 1 "$PAIR_ROUNDS"); do
        p+=("$(rate "$CONNECTIONS" "$PAIR_STEP" "http://127.0.0.1:$reference_PORT/offers")")
        s+=("$(rate "$CONNECTIONS" "$PAIR_STEP" "$url")")
    done
    PAIR_P["$JDK $key"]=$(median "${p[@]}"); PAIR_S["$JDK $key"]=$(median "${s[@]}")
    echo "  $JDK $key paired with P, req/s per $PAIR_STEP window: P ${p[*]}; $key ${s[*]}" >&2
}
median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : int((v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }

# measure KEY URL [WARMUP] [CONNECTIONS] [DURATION] [deopt]: a warm-up run ("settle": until the JIT has settled; 0:
# none), then the measured run; records rps, latencies, non-2xx, offers by kind and reason, CPU, and with "deopt"
# offer's JIT deoptimizations in the measured run.
declare -A RPS P50 P99 MAX NON2XX HOT COLD CPU_P CPU_O ERRORS REASONS DEOPT DEOPT_TOP
measure() {
    local key=$1 url=$2 warm=${3:-settle} connections=${4:-$CONNECTIONS} duration=${5:-$DURATION} deopt=${6:-}
    local k="$JDK $key"
    case "$warm" in
        0) WARMED[$k]=0 ;;
        settle) settle "$key" "$url" "$connections" ;;
        *) WARMED[$k]=$(seconds "$warm"); wrk -t"$THREADS" -c"$connections" -d"$warm" "$url" >/dev/null ;;
    esac
    [ -n "$deopt" ] && "$JDK_BIN/jcmd" "$offer_PID" JFR.start name="$key" settings="$work/deopt.jfc" >/dev/null
    local p0 o0 out began
    p0=$(cpu_seconds "$partner_PID"); o0=$(cpu_seconds "${offer_PID:-none}")
    [[ $key == S1* ]] && thread_ticks "$offer_PID" >"$work/$JDK-$key.threads0"
    began=$(date +%s%N)
    out=$(wrk -t"$THREADS" -c"$connections" -d"$duration" --timeout 10s --latency -s bench/count.lua "$url")
    [[ $key == S1* ]] && thread_shares "$work/$JDK-$key.threads0" <(thread_ticks "$offer_PID") "$began" "$k"
    CPU_P[$k]=$(used "$p0" "$(cpu_seconds "$partner_PID")")
    CPU_O[$k]=$(used "$o0" "$(cpu_seconds "${offer_PID:-none}")")
    echo "$out" > "$work/$JDK-$key.wrk"
    RPS[$k]=$(requests_per_second <<<"$out")
    P50[$k]=$(awk '$1 == "50%" {print $2}' <<<"$out" | to_ms)
    P99[$k]=$(awk '$1 == "99%" {print $2}' <<<"$out" | to_ms)
    MAX[$k]=$(awk '$1 == "Latency" && $2 != "Distribution" {print $4}' <<<"$out" | to_ms)
    NON2XX[$k]=$(awk '/Non-2xx/ {print $NF}' <<<"$out"); NON2XX[$k]=${NON2XX[$k]:-0}
    ERRORS[$k]=$(awk '/Socket errors/ {gsub(",",""); print $4+$6+$8+$10}' <<<"$out"); ERRORS[$k]=${ERRORS[$k]:-0}
    HOT[$k]=$(sed -n 's/^offers: hot=\([0-9]*\).*/\1/p' <<<"$out")
    COLD[$k]=$(sed -n 's/^offers: .*cold=\([0-9]*\)$/\1/p' <<<"$out")
    REASONS[$k]=$(sed -n 's/^reasons: //p' <<<"$out")
    DEOPT[$k]="-"
    if [ -n "$deopt" ]; then
        local jfr="$work/$JDK-$key.jfr" count answers
        "$JDK_BIN/jcmd" "$offer_PID" JFR.stop name="$key" filename="$jfr" >/dev/null
        count=$("$JDK_BIN/jfr" summary "$jfr" | awk '$1 == "jdk.Deoptimization" {print $2}')
        answers=$(( ${HOT[$k]:-0} + ${COLD[$k]:-0} ))
        DEOPT[$k]=$(awk -v d="${count:-0}" -v a="$answers" 'BEGIN {printf "%d (%.4f)", d, a ? d / a : 0}')
        # A storm (one trap or more per thousand answers): name the trap that holds it, as JFR saw it.
        if awk -v d="${count:-0}" -v a="$answers" 'BEGIN {exit !(a && d / a >= 0.001)}'; then
            DEOPT_TOP[$k]=$("$JDK_BIN/jfr" print --events jdk.Deoptimization "$jfr" | awk '
                $1 == "method" {sub(/^ *method = /, ""); m = $0} $1 == "lineNumber" {l = $3} $1 == "instruction" {i = $3}
                $1 == "reason" {r = $3} $1 == "action" {a = $3} $1 == "}" {k = m " line " l " " i " " r " action " a; gsub(/"/, "", k); n[k]++}
                END {for (k in n) print n[k], k}' | sort -rn | head -1)
        fi
    fi
    echo "  $k: ${RPS[$k]} req/s, p50 ${P50[$k]} ms, p99 ${P99[$k]} ms, max ${MAX[$k]} ms, non-2xx ${NON2XX[$k]}, hot ${HOT[$k]}, cold ${COLD[$k]}, deopts ${DEOPT[$k]} ${DEOPT_TOP[$k]:-}" >&2
}

# thread_ticks PID: "tid|name|CPU ticks (user + system)" for each thread of PID (a name may hold spaces).
thread_ticks() {
    local stat
    for stat in /proc/"$1"/task/*/stat; do
        sed -E 's/^([0-9]+) \((.*)\) (.*)$/\1|\2|\3/' "$stat" 2>/dev/null || true
    done | awk -F'|' '{split($3, f, " "); print $1 "|" $2 "|" f[12] + f[13]}'
}

# thread_shares BEFORE AFTER BEGAN_NS KEY: each thread's CPU since BEFORE, in % of one core over the time since
# BEGAN_NS; records the busiest of offer's server loops (vert.x-eventloop-thread-*, "vert.x-eventloo" in /proc) and of
# its partner loops (PartnerOfferBounds' partner-loop-*), and every thread over 2 %.
declare -A THREADS_CPU SERVER_LOOP_MAX PARTNER_LOOP_MAX PARTNER_LOOPS
thread_shares() {
    local seconds shares
    seconds=$(awk -v b="$3" -v e="$(date +%s%N)" 'BEGIN {printf "%.3f", (e - b) / 1e9}')
    shares=$(awk -F'|' -v t="$TICKS" -v s="$seconds" 'NR == FNR {b[$1] = $3; next}
        {printf "%s|%.1f\n", $2, 100 * ($3 - b[$1]) / t / s}' "$1" "$2" | sort -t'|' -k2,2nr)
    SERVER_LOOP_MAX[$4]=$(awk -F'|' '$1 ~ /^vert\.x-eventloo/ {print $2; exit}' <<<"$shares")
    PARTNER_LOOP_MAX[$4]=$(awk -F'|' '$1 ~ /^partner-loop-/ {print $2; exit}' <<<"$shares")
    PARTNER_LOOPS[$4]=$(grep -c '^partner-loop-' <<<"$shares" || true)
    THREADS_CPU[$4]=$(awk -F'|' '$2 >= 2 {printf "%s%s %s", sep, $1, $2; sep = ", "}' <<<"$shares")
    echo "  $4 threads, % of a core: ${THREADS_CPU[$4]}" >&2
}

# Open-model tails in two steps. probe KEY URL CONNS: vegeta closed-loop (-rate=0, CONNS workers) for TAILS_PROBE, in
# the state the attack will meet: the req/s the machine gives with vegeta, not wrk, as the generator (vegeta costs
# about twice wrk's CPU per request, on the same 2 cores). tails KEY URL: vegeta at TAILS_SHARE of that req/s, over
# the probe's connections, for TAILS_DURATION, an open model (each request is due on schedule, answered or not before
# it; one waiting for a connection is timed from its due time too), every result kept; records the rate asked and the rate
# vegeta really sent, p50, p99, p99.9 and max over every result, the non-2xx, the unanswered (vegeta's 10 s timeout or
# a connection error) and the results over timeout + 100 ms. Without -max-connections vegeta opens a connection for
# every request that waits, which adds load exactly when offer is behind (bench/ANALYSIS.md).
declare -A T_CONNS T_PROBE T_RATE T_SENT T_P50 T_P99 T_P999 T_MAX T_LATE T_NON2XX T_UNANSWERED T_ERROR T_COUNT
probe() {
    local key=$1 url=$2 conns=$3
    T_CONNS[$JDK $key]=$conns
    echo "GET $url" | "$VEGETA" attack -rate=0 -max-workers="$conns" -max-connections="$conns" -duration="$TAILS_PROBE" \
        -timeout=10s >"$work/$JDK-$key.probe"
    T_PROBE[$JDK $key]=$("$VEGETA" report -type=json <"$work/$JDK-$key.probe" | sed -n 's/.*"throughput":\([0-9.]*\).*/\1/p' | cut -d. -f1)
    echo "  $JDK $key closed-loop with vegeta at $conns connections: ${T_PROBE[$JDK $key]} req/s" >&2
}
tails() {
    local key=$1 url=$2 k="$JDK $1" stats rate
    rate=$(awk -v r="${T_PROBE[$k]}" -v s="$TAILS_SHARE" 'BEGIN {v = int(r * s); print (v < 1) ? 1 : v}')
    echo "GET $url" | "$VEGETA" attack -rate="$rate/1s" -duration="$TAILS_DURATION" -max-connections="${T_CONNS[$k]}" \
        -timeout=10s >"$work/$JDK-$key.vegeta"
    T_SENT[$k]=$("$VEGETA" report -type=json <"$work/$JDK-$key.vegeta" | sed -n 's/.*"rate":\([0-9.]*\).*/\1/p' | cut -d. -f1)
    # csv: timestamp, code, latency ns, bytes out, bytes in, error, ...
    stats=$("$VEGETA" encode --to csv <"$work/$JDK-$key.vegeta" | awk -F, -v bound=$((TIMEOUT_MS + 100)) '
        {ms = $3 / 1e6; print ms > "/dev/stderr"
         if ($2 == 0) {none++; if (err == "") {err = $6; gsub(/[" ]+/, "_", err)}} else if ($2 < 200 || $2 > 299) bad++
         if ($2 == 0 || ms > bound) late++}
        END {print NR, bad + 0, none + 0, late + 0, (err == "") ? "-" : substr(err, 1, 80)}' 2>"$work/$JDK-$key.ms")
    read -r "T_COUNT[$k]" "T_NON2XX[$k]" "T_UNANSWERED[$k]" "T_LATE[$k]" "T_ERROR[$k]" <<<"$stats"
    sort -n "$work/$JDK-$key.ms" >"$work/$JDK-$key.sorted"
    pick() { awk -v p="$1" -v n="${T_COUNT[$k]}" 'BEGIN {i = int(p * n); if (i < p * n) i++; if (i < 1) i = 1} NR == i {printf "%.1f", $1; exit}' "$work/$JDK-$key.sorted"; }
    T_RATE[$k]=$rate T_P50[$k]=$(pick 0.5) T_P99[$k]=$(pick 0.99) T_P999[$k]=$(pick 0.999) T_MAX[$k]=$(pick 1)
    echo "  $k open-model, $rate req/s asked, ${T_SENT[$k]} sent: ${T_COUNT[$k]} results, p50 ${T_P50[$k]} ms, p99 ${T_P99[$k]} ms, p99.9 ${T_P999[$k]} ms, max ${T_MAX[$k]} ms, non-2xx ${T_NON2XX[$k]}, unanswered ${T_UNANSWERED[$k]} (${T_ERROR[$k]}), over the bound ${T_LATE[$k]}" >&2
}
# tails_verdict JDK KEY: the bound judged only when vegeta sent at least 95 % of the rate asked: below it the generator,
# not offer, set the pace, and the run is no open-model measurement.
tails_verdict() {
    local k="$1 $2"
    if [ "$(awk -v s="${T_SENT[$k]}" -v r="${T_RATE[$k]}" 'BEGIN {print (s >= 0.95 * r) ? 1 : 0}')" = 1 ]; then
        [ "${T_LATE[$k]}" = 0 ] && echo met || echo missed
    else
        echo "not judged: vegeta sent ${T_SENT[$k]} of ${T_RATE[$k]} req/s"
    fi
}

# hostile: e2e's HostilePartner streaming an endless body on partner-offer's port; sets hostile_PID.
hostile() {
    "$JAVA" -Xmx64m e2e/src/test/java/dev/fastcircuitbreaker/e2e/HostilePartner.java endless-chunked "$partner_PORT" \
        >"$work/hostile.log" 2>&1 &
    hostile_PID=$!
    pids+=("$hostile_PID")
    for _ in $(seq 1 300); do grep -q 'listening on' "$work/hostile.log" && break; sleep 0.1; done
    grep -q 'listening on' "$work/hostile.log" || { echo "HostilePartner did not start:" >&2; cat "$work/hostile.log" >&2; exit 1; }
}

declare -A FIRST RSS STATE_S5 LABEL FAILURES_BEFORE_S5
STARTS=0
S5_KEYS=()
for times in $S5_TIMES; do S5_KEYS+=("S5x$times"); done

run_jdk() {
    JDK=$1
    unset offer_PID
    JDK_BIN="$(java_home "$JDK")/bin"
    JAVA="$JDK_BIN/java"
    echo "== JDK $JDK: $("$JAVA" -version 2>&1 | head -1)" >&2

    echo "P: partner-offer directly" >&2
    start partner partner-offer 0
    measure P "http://127.0.0.1:$partner_PORT/offers"
    FIRST["$JDK partner-offer"]=$partner_FIRST_MS
    LABEL[$JDK]="JDK $JDK$partner_AOT"
    # P's partner-offer stays, warm and idle, for the paired windows; offer gets one of its own.
    reference_PID=$partner_PID reference_PORT=$partner_PORT

    echo "S1: offer, partner up" >&2
    start partner partner-offer 0
    start offer offer 0 PARTNER_OFFER_URL="http://127.0.0.1:$partner_PORT"
    FIRST["$JDK offer"]=$offer_FIRST_MS
    measure S1 "http://127.0.0.1:$offer_PORT/offers" settle "$CONNECTIONS" "$DURATION" deopt
    pair S1 "http://127.0.0.1:$offer_PORT/offers"
    probe S1 "http://127.0.0.1:$offer_PORT/offers" "$CONNECTIONS"
    tails S1 "http://127.0.0.1:$offer_PORT/offers"
    RSS["$JDK partner-offer"]=$(rss_mib "$partner_PID")

    echo "S1one: S1 on an offer with one server event loop (quarkus.http.io-threads=1)" >&2
    local two_loops_PID=$offer_PID two_loops_PORT=$offer_PORT
    start offer offer 0 PARTNER_OFFER_URL="http://127.0.0.1:$partner_PORT" QUARKUS_HTTP_IO_THREADS=1
    measure S1one "http://127.0.0.1:$offer_PORT/offers" settle "$CONNECTIONS" "$DURATION"
    kill "$offer_PID"; wait "$offer_PID" 2>/dev/null || true
    offer_PID=$two_loops_PID offer_PORT=$two_loops_PORT

    echo "S2: offer, partner killed, circuit open" >&2
    kill -9 "$partner_PID"; wait "$partner_PID" 2>/dev/null || true
    await_state OPEN
    measure S2 "http://127.0.0.1:$offer_PORT/offers" settle "$CONNECTIONS" "$DURATION" deopt
    pair S2 "http://127.0.0.1:$offer_PORT/offers"

    echo "S3: offer, partner hanging (SIGSTOP): timeout phase, then open phase; S3o: the open phase alone" >&2
    start partner partner-offer "$partner_PORT"
    await_state CLOSED
    kill -STOP "$partner_PID"
    measure S3 "http://127.0.0.1:$offer_PORT/offers" 0 "$CONNECTIONS" "$DURATION" deopt
    measure S3o "http://127.0.0.1:$offer_PORT/offers" settle "$CONNECTIONS" "$DURATION" deopt
    pair S3o "http://127.0.0.1:$offer_PORT/offers"
    probe S3 "http://127.0.0.1:$offer_PORT/offers" "$CONNECTIONS"
    kill -CONT "$partner_PID"
    RSS["$JDK offer"]=$(rss_mib "$offer_PID")
    await_state CLOSED
    kill -STOP "$partner_PID"
    tails S3 "http://127.0.0.1:$offer_PORT/offers"
    kill -CONT "$partner_PID"

    echo "S4: offer, partner streaming an endless body: the body limit, then the open phase" >&2
    await_state CLOSED
    kill -9 "$partner_PID"; wait "$partner_PID" 2>/dev/null || true
    hostile
    measure S4 "http://127.0.0.1:$offer_PORT/offers" 0
    RSS["$JDK offer S4"]=$(rss_mib "$offer_PID")
    probe S4 "http://127.0.0.1:$offer_PORT/offers" "$CONNECTIONS"
    kill "$hostile_PID"; wait "$hostile_PID" 2>/dev/null || true
    # Open-model, from a CLOSED circuit again: partner-offer closes it, then the same hostile partner takes its port.
    start partner partner-offer "$partner_PORT"
    await_state CLOSED
    kill "$partner_PID"; wait "$partner_PID" 2>/dev/null || true
    hostile
    tails S4 "http://127.0.0.1:$offer_PORT/offers"
    kill "$hostile_PID"; wait "$hostile_PID" 2>/dev/null || true

    echo "S5: overload, partner up: $S5_TIMES times S1's $CONNECTIONS connections" >&2
    start partner partner-offer "$partner_PORT"
    await_state CLOSED
    FAILURES_BEFORE_S5[$JDK]=$(circuit | sed -n 's/.*"partnerFailures":\([0-9]*\).*/\1/p')
    for times in $S5_TIMES; do
        measure "S5x$times" "http://127.0.0.1:$offer_PORT/offers" 2s $((CONNECTIONS * times)) "$S5_DURATION"
        STATE_S5["$JDK S5x$times"]=$(circuit | sed -n 's/.*"state":"\([A-Z_]*\)".*"partnerFailures":\([0-9]*\).*/\1, partner failures \2/p')
    done
    # Open-model at the connections of the largest overload step: the callers come on schedule, however slow the answers.
    probe S5 "http://127.0.0.1:$offer_PORT/offers" "$((CONNECTIONS * ${S5_TIMES##* }))"
    tails S5 "http://127.0.0.1:$offer_PORT/offers"
    STATE_S5["$JDK S5 tails"]=$(circuit | sed -n 's/.*"state":"\([A-Z_]*\)".*"partnerFailures":\([0-9]*\).*/\1, partner failures \2/p')

    kill "$offer_PID" "$partner_PID" "$reference_PID"; wait "$offer_PID" "$partner_PID" "$reference_PID" 2>/dev/null || true
}

for jdk in $JDKS; do run_jdk "$jdk"; done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
# sequential JDK KEY: KEY's ratio to P from the two full runs, one after the other.
sequential() { echo "$2/P = $(ratio "${RPS[$1 $2]}" "${RPS[$1 P]}") measured one after the other"; }
verdict() { awk -v v="$1" -v t="$2" -v op="$3" 'BEGIN {ok = (op == ">=") ? v >= t : v <= t; print ok ? "met" : "missed"}'; }
share() { awk -v n="$1" -v t="$2" 'BEGIN {printf "%.1f %%", t ? 100 * n / t : 0}'; }
reason_count() { tr ' ' '\n' <<<"$1" | sed -n "s/^$2=//p" | grep . || echo 0; }
SCENARIOS=(P S1 S2 S3 S3o S4 "${S5_KEYS[@]}")
non2xx_total=0
TAIL_KEYS=(S1 S3 S4 S5)
for jdk in $JDKS; do
    for key in "${SCENARIOS[@]}" S1one; do non2xx_total=$(( non2xx_total + ${NON2XX[$jdk $key]} )); done
    for key in "${TAIL_KEYS[@]}"; do non2xx_total=$(( non2xx_total + ${T_NON2XX[$jdk $key]} )); done
done
mkdir -p "$(dirname "$OUT")"

{
    echo "# Benchmark results"
    echo
    echo "Run on $(date -u +%Y-%m-%d) by \`bench/run.sh\` on $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), load average $(cut -d' ' -f1-3 /proc/loadavg) at the end;"
    for jdk in $JDKS; do echo "JDK $jdk: $("$(java_home "$jdk")/bin/java" -version 2>&1 | sed -n 2p)."; done
    echo "wrk and both services share the cores. wrk: $THREADS threads, $CONNECTIONS connections, $DURATION measured per scenario; P, S1, S2 and S3o after a"
    echo "warm-up until the JIT has settled (windows of $WARMUP_STEP, at least $WARMUP, until two in a row are each no more than 5 % faster"
    echo "than the one before, at most $WARMUP_MAX: column \"warm-up s\", each window's req/s under the table), S3 and S4 without one, S5 2 s;"
    echo "The ratios to P are measured in alternating $PAIR_STEP windows, $PAIR_ROUNDS of each, against P's partner-offer kept warm and idle beside offer."
    echo "services: \`java $JAVA_OPTS -jar quarkus-run.jar\` from its folder (the images' options), on JDK 25 with"
    echo "\`-XX:AOTCache=app.aot\` when \`-Daot\` made it; offer with its defaults (1 s timeout, 15 s delay)."
    echo "The machine is shared and noisy: compare the ratios measured in this one run, not absolutes across runs."
    echo "What each scenario and column is: [README.md](README.md)."
    for jdk in $JDKS; do
        echo
        echo "## ${LABEL[$jdk]}"
        echo
        echo "| scenario | warm-up s | req/s | p50 ms | p99 ms | max ms | non-2xx | socket errors | hot | cold | deopts (per answer) | CPU s partner | CPU s offer |"
        echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
        for key in P S1 S2 S3 S3o S4; do
            local_key="$jdk $key"
            echo "| $key | ${WARMED[$local_key]} | ${RPS[$local_key]} | ${P50[$local_key]} | ${P99[$local_key]} | ${MAX[$local_key]} | ${NON2XX[$local_key]} | ${ERRORS[$local_key]} | ${HOT[$local_key]:-} | ${COLD[$local_key]:-} | ${DEOPT[$local_key]} | ${CPU_P[$local_key]} | ${CPU_O[$local_key]} |"
        done
        echo
        echo "Warm-up, req/s per window: P ${RAMP[$jdk P]}; S1 ${RAMP[$jdk S1]}; S2 ${RAMP[$jdk S2]}; S3o ${RAMP[$jdk S3o]}."
        echo
        echo "| paired with P: $PAIR_ROUNDS alternating $PAIR_STEP windows each | median req/s | P's median req/s beside it | ratio |"
        echo "|---|---|---|---|"
        for key in S1 S2 S3o; do
            echo "| $key | ${PAIR_S[$jdk $key]} | ${PAIR_P[$jdk $key]} | $(ratio "${PAIR_S[$jdk $key]}" "${PAIR_P[$jdk $key]}") |"
        done
        for key in S1 S2 S3 S3o; do
            [ -n "${DEOPT_TOP[$jdk $key]:-}" ] && echo && echo "$key's most frequent trap (count, method, line, bytecode, reason, action): ${DEOPT_TOP[$jdk $key]}"
        done
        echo
        echo "| S5, overload | connections | req/s | p99 ms | max ms | non-2xx | answers | shed (\`offer-busy\`) | cold for other reasons | circuit after |"
        echo "|---|---|---|---|---|---|---|---|---|---|"
        for key in "${S5_KEYS[@]}"; do
            k="$jdk $key"
            answers=$(( ${HOT[$k]:-0} + ${COLD[$k]:-0} ))
            shed=$(reason_count "${REASONS[$k]}" offer-busy)
            echo "| $key | $((CONNECTIONS * ${key#S5x})) | ${RPS[$k]} | ${P99[$k]} | ${MAX[$k]} | ${NON2XX[$k]} | $answers | $shed ($(share "$shed" "$answers")) | $(( ${COLD[$k]:-0} - shed )) ${REASONS[$k]:+(${REASONS[$k]})} | ${STATE_S5[$k]} |"
        done
        echo
        echo "| offer's threads during the measured run, % of one core (from /proc/PID/task/*/stat; /proc shows 15 characters of a name) | req/s | busiest server loop | busiest partner loop | partner loops |"
        echo "|---|---|---|---|---|"
        for key in S1 S1one; do
            k="$jdk $key"
            echo "| $key: ${THREADS_CPU[$k]} | ${RPS[$k]} | ${SERVER_LOOP_MAX[$k]} | ${PARTNER_LOOP_MAX[$k]} | ${PARTNER_LOOPS[$k]} |"
        done
        echo
        echo "S1one (one server event loop) / S1 (Quarkus' default): $(ratio "${RPS[$jdk S1one]}" "${RPS[$jdk S1]}") of the req/s, measured one after the other."
        echo
        echo "| open-model tails (vegeta $VEGETA_VERSION, constant rate at $TAILS_SHARE × vegeta's own closed-loop req/s, $TAILS_DURATION, every result) | connections | closed-loop req/s | req/s asked | req/s sent | results | p50 ms | p99 ms | p99.9 ms | max ms | over timeout + 100 ms | non-2xx | unanswered (first error) |"
        echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
        for key in "${TAIL_KEYS[@]}"; do
            k="$jdk $key"
            echo "| $key | ${T_CONNS[$k]} | ${T_PROBE[$k]} | ${T_RATE[$k]} | ${T_SENT[$k]} | ${T_COUNT[$k]} | ${T_P50[$k]} | ${T_P99[$k]} | ${T_P999[$k]} | ${T_MAX[$k]} | ${T_LATE[$k]} | ${T_NON2XX[$k]} | ${T_UNANSWERED[$k]} (${T_ERROR[$k]}) |"
        done
        echo
        echo "Circuit after S5's open-model run: ${STATE_S5[$jdk S5 tails]}."
        # The targets read the paired ratios (alternating windows); the sequential ones are given beside them.
        s2p=$(ratio "${PAIR_S[$jdk S2]}" "${PAIR_P[$jdk S2]}")
        s3p=$(ratio "${PAIR_S[$jdk S3o]}" "${PAIR_P[$jdk S3o]}")
        s1p=$(ratio "${PAIR_S[$jdk S1]}" "${PAIR_P[$jdk S1]}")
        s4s2=$(ratio "${RPS[$jdk S4]}" "${RPS[$jdk S2]}")
        s2d=$(awk '{gsub(/[()]/, "", $2); print $2}' <<<"${DEOPT[$jdk S2]}")
        echo
        echo "| target | measured | |"
        echo "|---|---|---|"
        echo "| S2 ≥ 0.85 × P (an open circuit costs almost nothing), in alternating windows | S2/P = $s2p ($(sequential "$jdk" S2)) | $(verdict "$s2p" 0.85 ">=") |"
        echo "| S3's open phase ≥ 0.85 × P, in alternating windows | S3o/P = $s3p ($(sequential "$jdk" S3o)) | $(verdict "$s3p" 0.85 ">=") |"
        echo "| S2: below 0.001 deoptimizations per answer after the hot phase | ${s2d} | $(verdict "$s2d" 0.000999 "<=") |"
        echo "| S1 ≥ 0.35 × P (a hot answer is three HTTP exchanges on the same cores), in alternating windows | S1/P = $s1p ($(sequential "$jdk" S1)) | $(verdict "$s1p" 0.35 ">=") |"
        echo "| S3: no answer slower than timeout + 100 ms | max ${MAX[$jdk S3]} ms | $(verdict "${MAX[$jdk S3]}" $((TIMEOUT_MS + 100)) "<=") |"
        echo "| S4: no answer slower than timeout + 100 ms | max ${MAX[$jdk S4]} ms | $(verdict "${MAX[$jdk S4]}" $((TIMEOUT_MS + 100)) "<=") |"
        echo "| S4 ≥ 0.9 × S2 (an endless body costs offer no more than a dead partner) | S4/S2 = $s4s2 | $(verdict "$s4s2" 0.9 ">=") |"
        s5max=0 s5ok=met s5states=""
        for key in "${S5_KEYS[@]}"; do
            s5max=$(awk -v a="$s5max" -v b="${MAX[$jdk $key]}" 'BEGIN {print (b > a) ? b : a}')
            s5states+="${s5states:+; }$key ${STATE_S5[$jdk $key]}"
            [ "${STATE_S5[$jdk $key]}" = "CLOSED, partner failures ${FAILURES_BEFORE_S5[$jdk]}" ] || s5ok=missed
        done
        echo "| S5: circuit CLOSED after each step, no partner failure added (${FAILURES_BEFORE_S5[$jdk]} before S5) | $s5states | $s5ok |"
        echo "| S5: no answer slower than timeout + 100 ms | max $s5max ms | $(verdict "$s5max" $((TIMEOUT_MS + 100)) "<=") |"
        for key in S3 S4 S5; do
            echo "| $key open-model: every request answered within timeout + 100 ms | max ${T_MAX[$jdk $key]} ms (p99.9 ${T_P999[$jdk $key]} ms), ${T_UNANSWERED[$jdk $key]} unanswered | $(tails_verdict "$jdk" "$key") |"
        done
        echo "| S1: the busiest partner loop no busier than the busiest server loop | ${PARTNER_LOOP_MAX[$jdk S1]} % against ${SERVER_LOOP_MAX[$jdk S1]} % of a core | $(verdict "${PARTNER_LOOP_MAX[$jdk S1]}" "${SERVER_LOOP_MAX[$jdk S1]}" "<=") |"
        echo
        echo "| service | process start to first answer | RSS after load |"
        echo "|---|---|---|"
        echo "| partner-offer | ${FIRST[$jdk partner-offer]} ms | ${RSS[$jdk partner-offer]} MiB |"
        echo "| offer | ${FIRST[$jdk offer]} ms | ${RSS[$jdk offer]} MiB (${RSS[$jdk offer S4]} MiB after S4) |"
    done
    set -- $JDKS
    if [ $# = 2 ]; then
        echo
        echo "## JDK $1 against JDK $2, back to back in this run"
        echo
        echo "| scenario | req/s, JDK $1 / JDK $2 |"
        echo "|---|---|"
        for key in "${SCENARIOS[@]}"; do echo "| $key | $(ratio "${RPS[$1 $key]}" "${RPS[$2 $key]}") |"; done
    fi
    echo
    echo "0 non-2xx everywhere: $( [ "$non2xx_total" = 0 ] && echo met || echo "missed ($non2xx_total)")."
    echo "Why targets are missed, profiled with JFR: [ANALYSIS.md](ANALYSIS.md) (dated: it may describe another run)."
    echo "JDK 17, JDK 25 and JDK 25 with the AOT cache, start to first answer and RSS: [FIRST-ANSWER.md](FIRST-ANSWER.md) (\`bench/first-answer.sh compare\`)."
} >"$OUT"
echo "wrote $OUT" >&2
cat "$OUT"

# Wrong answers fail the run (the performance targets are reported, never asserted: the machines are noisy).
for jdk in $JDKS; do
    if [ "$non2xx_total" != 0 ] || [ "${HOT[$jdk S1]:-0}" = 0 ] || [ "${HOT[$jdk S1one]:-0}" = 0 ] || [ "${COLD[$jdk S2]:-0}" = 0 ] || [ "${HOT[$jdk S2]:-0}" != 0 ] \
        || [ "${COLD[$jdk S4]:-0}" = 0 ] || [ "${HOT[$jdk S4]:-0}" != 0 ]; then
        echo "FAILED: non-2xx answers, or offers of the wrong kind (see the table, JDK $jdk)" >&2
        exit 1
    fi
done
