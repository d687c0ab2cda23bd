#!/usr/bin/env bash
# SmallRye Fault Tolerance's CircuitBreaker alone, flipped CLOSED -> OPEN under load, with JFR counting the JIT's
# deoptimizations in each phase (bench/ANALYSIS.md, "The deoptimization storm"). Not part of the test run.
#
#   bench/deopt-repro/run.sh                                    # on `java`, 20 s CLOSED, 20 s OPEN, 2 threads
#   JAVA=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java bench/deopt-repro/run.sh -DhotSeconds=60
#   bench/deopt-repro/run.sh -DprofileDuringHot=true            # JFR's "profile" started halfway through the hot phase
#
# The jars (the versions Quarkus 3.33.2 brings) come from Maven Central through the project's Maven wrapper.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
lib="$here/target/lib"
artifacts=(io.smallrye:smallrye-fault-tolerance-core:6.10.1 io.smallrye:smallrye-fault-tolerance-api:6.10.1
    org.eclipse.microprofile.fault-tolerance:microprofile-fault-tolerance-api:4.1.2 org.jboss.logging:jboss-logging:3.6.2.Final)
if [ ! -d "$lib" ]; then
    for artifact in "${artifacts[@]}"; do
        "$here/../../mvnw" -B -q -f "$here/../../pom.xml" -N dependency:copy -Dartifact="$artifact" -DoutputDirectory="$lib"
    done
fi
exec "${JAVA:-java}" -cp "$(printf '%s:' "$lib"/*.jar)" "$@" "$here/Repro.java"
