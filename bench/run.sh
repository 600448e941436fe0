#!/usr/bin/env bash
# Builds the bench module (and what it depends on) and runs the push benchmark from the repository
# root, e.g.:  bench/run.sh --services 1000 --endpoints 2 --proxies 100 --namespaces 50
# JAVA_OPTS (default -Xmx4g) applies to the server JVM; the clients' JVM takes --client-heap.
# Results: a table on stdout and bench-results/<timestamp>-n<N>-p<P>.json (gitignored).
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -q -pl bench -am package -DskipTests \
  dependency:build-classpath -Dmdep.outputFile=target/classpath.txt
CP="bench/target/bench-0.1.0-SNAPSHOT.jar:$(cat bench/target/classpath.txt)"
# shellcheck disable=SC2086
exec java ${JAVA_OPTS:--Xmx4g} -cp "$CP" dev.meshctl.bench.PushBenchmark "$@"
