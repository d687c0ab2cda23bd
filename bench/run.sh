#!/usr/bin/env bash
# The benchmark: starts the packaged services once on 127.0.0.1, runs the k6 scenarios of bench/bench.js against them
# (k6 judges and writes the results), and stops each service by its PID. What runs and why: bench/README.md.
#
#   ./mvnw package -DskipTests && bench/run.sh        # JDK 25, ~11 minutes, writes bench/RESULTS.md
#   JDKS="25 17" bench/run.sh                         # JDK 25, then JDK 17 below it in the same file
#   OFFER_ADMISSION_ALGORITHM=vegas bench/run.sh      # the services inherit the environment (docs/configuration.md)
#   SMOKE=1 OUT=target/bench-smoke.md bench/run.sh    # every scenario for a second or two (CI)
#
# Exits 1 on wrong answers (non-200, not an offer, a hot offer where only cold ones can be, no hot one from S1), not
# on missed targets: k6 prints ✓ or ✗ for each and exits 99, which is passed over here.
set -euo pipefail
cd "$(dirname "$0")/.."

JDKS=${JDKS:-25}
OUT=${OUT:-bench/RESULTS.md}
# The images' JDK_JAVA_OPTIONS (Dockerfile.jvm), with the heap 75 % of compose's 512 MiB gives.
JAVA_OPTS=${JAVA_OPTS:--XX:+UseSerialGC -Xmx384m -XX:+ExitOnOutOfMemoryError}
K6_VERSION=v1.8.1
K6=${K6:-bench/.tools/k6}

if [ ! -x "$K6" ]; then # k6 from the Go module proxy into bench/.tools (git ignores it)
    command -v go >/dev/null || { echo "k6 is missing, and go to build it: install Go, or set K6" >&2; exit 1; }
    GOBIN="$PWD/bench/.tools" GOFLAGS=-mod=mod go install "go.k6.io/k6@$K6_VERSION"
fi
"$K6" version | grep -q "k6 $K6_VERSION" || echo "warning: $K6 is not k6 $K6_VERSION: $("$K6" version | head -1)" >&2
for module in partner-offer offer; do
    [ -f "$module/target/quarkus-app/quarkus-run.jar" ] || { echo "package first: ./mvnw package -DskipTests" >&2; exit 1; }
done

work=$(mktemp -d)
pids=()
stop() {
    for pid in "${pids[@]}"; do kill -CONT "$pid" 2>/dev/null || true; kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    pids=()
}
trap 'stop; rm -rf "$work"' EXIT

# start NAME MODULE PORT [VAR=value...]: the service as the images run it, from its own folder (an AOT cache is used
# only from there), with its AOT cache on JDK 25 when `-Daot` made one; sets NAME_pid.
start() {
    local name=$1 app=$2/target/quarkus-app port=$3 aot=()
    shift 3
    [ "$jdk" = 25 ] && [ -s "$app/app.aot" ] && aot=(-XX:AOTCache=app.aot)
    env -C "$app" "$@" "$java" "${aot[@]}" $JAVA_OPTS -Dquarkus.http.host=127.0.0.1 -Dquarkus.http.port="$port" \
        -jar quarkus-run.jar >"$work/$name.log" 2>&1 &
    pids+=($!)
    printf -v "${name}_pid" %s $!
}

# await CURL_FLAGS PORT...: waits until curl CURL_FLAGS gets GET /q/health/ready answered by each port, at most 120 s
# (-fs: ready, 200; -s: any answer).
await() {
    local flags=$1 port
    shift
    for port; do
        for _ in $(seq 1200); do curl $flags -o /dev/null "http://127.0.0.1:$port/q/health/ready" && continue 2; sleep 0.1; done
        echo "no answer from port $port after 120 s (curl $flags); logs:" >&2
        tail -n 20 "$work"/*.log >&2
        exit 1
    done
}

run() {
    jdk=$1
    case "$jdk" in
        25) java=${JAVA25_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java ;;
        17) java=${JAVA17_HOME:-/usr/lib/jvm/java-17-openjdk-amd64}/bin/java ;;
        *) echo "JDKS lists 25 and/or 17" >&2; exit 2 ;;
    esac
    "$java" -version 2>&1 | grep -q "version \"$jdk" || { echo "no JDK $jdk at $java (JAVA${jdk}_HOME)" >&2; exit 1; }
    local load started
    load=$(cut -d' ' -f1-3 /proc/loadavg)
    # Ten free ports (the fifth stays closed: S2's partner), bound and let go at once.
    read -r p_p p_1 o_1 o_2 closed p_3 o_3 h_4 o_4 o_c < <(python3 -c 'import socket
s = [socket.socket() for _ in range(10)]
for x in s: x.bind(("127.0.0.1", 0))
print(*[x.getsockname()[1] for x in s])')
    local url=http://127.0.0.1
    echo "== $(date +%T) JDK $jdk: starting the services" >&2
    start P partner-offer "$p_p"
    start partner1 partner-offer "$p_1"
    start offer1 offer "$o_1" PARTNER_OFFER_URL="$url:$p_1"
    start offer2 offer "$o_2" PARTNER_OFFER_URL="$url:$closed"
    start partner3 partner-offer "$p_3"
    start offer3 offer "$o_3" PARTNER_OFFER_URL="$url:$p_3"
    "$java" -Xmx64m offer/src/test/java/dev/fastcircuitbreaker/offer/bounds/HostilePartner.java endless-chunked "$h_4" >"$work/hostile.log" 2>&1 &
    pids+=($!)
    start offer4 offer "$o_4" PARTNER_OFFER_URL="$url:$h_4"
    await -s "$p_3"
    kill -STOP "$partner3_pid" # S3's partner hangs from here on: its port accepts, nothing answers
    await -fs "$p_p" "$p_1" "$o_1" "$o_2" "$o_3" "$o_4"
    grep -q 'Listening on' "$work/hostile.log" || { echo "HostilePartner did not start:" >&2; cat "$work/hostile.log" >&2; exit 1; }
    started=$(date +%s%3N)
    # A fresh offer in front of S1's partner, measured alone from the instant it is ready: its port accepts during its
    # warm-up, and from then on k6 polls for readiness.
    start cold offer "$o_c" PARTNER_OFFER_URL="$url:$p_1"
    await -s "$o_c"
    args=(-e P="$url:$p_p" -e PARTNER="$url:$p_1" -e S1="$url:$o_1" -e S2="$url:$o_2" -e S3="$url:$o_3" -e S4="$url:$o_4"
        -e COLD="$url:$o_c" -e COLD_STARTED="$started" -e LOAD_BEFORE="$load" -e K6_VERSION="$K6_VERSION" -e JAVA_OPTS="$JAVA_OPTS"
        -e JAVA_VERSION="$("$java" -version 2>&1 | sed -n 2p)" -e AOT="$([ "$jdk" = 25 ] && [ -s offer/target/quarkus-app/app.aot ] && echo 1 || true)")
    k6 cold "$jdk"
    kill "$cold_pid"
    k6 main "$jdk"
    k6 admission "$jdk"
    echo "Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)." >>"$OUT"
    stop
}

# k6 PART JDK: one k6 run of bench/bench.js (PART=cold, the fresh offer; main, the rest but admission; admission, its
# table, with k6's own work small beside offer's); its results go to OUT.
k6() {
    local rc=0 txt="$work/$2-$1.txt" verdict="$work/$2-$1.verdict"
    echo "== $(date +%T) JDK $2: k6 run bench/bench.js, PART=$1" >&2
    K6_NO_USAGE_REPORT=true "$K6" run -q --address "" bench/bench.js "${args[@]}" -e PART="$1" -e OUT="$txt" -e VERDICT="$verdict" \
        -e JSON="target/bench-$2-$1.json" || rc=$?
    [ ! -f "$txt" ] || cat "$txt" >>"$OUT"
    # 99: a threshold (a performance target) was missed, which k6 printed; that is reported, not a failure.
    [ "$rc" = 0 ] || [ "$rc" = 99 ] || { echo "k6 exited $rc" >&2; exit "$rc"; }
    [ "$(cat "$verdict" 2>/dev/null)" = ok ] || { echo "FAILED: $(cat "$verdict" 2>/dev/null || echo 'k6 gave no verdict')" >&2; exit 1; }
}

mkdir -p "$(dirname "$OUT")" target
: >"$OUT"
for jdk in $JDKS; do run "$jdk"; done
