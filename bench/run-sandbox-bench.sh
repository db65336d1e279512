#!/usr/bin/env bash
# The sandbox benchmarks, in one command (as root, like Reef's agents):
#
#   bench/run-sandbox-bench.sh
#
# Starts, in a temporary directory, a mock model provider and Reef (embedded defaults, agents sandboxed), then runs
# dev.reef.orchestration.internal.process.SandboxBench with Reef's own process driver:
#   start   start() to the first answer of the same tiny agent (socat), sandboxed and not, interleaved
#   llm     sequential LLM calls to Reef's proxy from this machine over TCP, and from inside a sandbox through its
#           door (the same client JVM, run in the sandbox's network namespace)
#   egress  small requests and a 200 MB download to a host in a network namespace of its own, directly and through
#           Reef's egress proxy from inside a sandbox
#   noisy   tenant B's agent answers chats while tenant A's agent is at every limit and hammers the proxy, against
#           the same chats with A quiet
# and writes what it prints to bench/results/sandbox-<date>.txt. Everything is stopped on exit.
#
# Settings (environment): BENCH_ROUNDS (3), BENCH_PARTS (start,llm,egress,noisy), BENCH_KEEP (1: keep the work dir).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ROUNDS="${BENCH_ROUNDS:-3}"
WORK="$(mktemp -d /tmp/reef-sandbox-bench.XXXXXX)"
PIDS=()

source <(sed -n "/^java_major/,/^}/p;/^find_jdk/,/^}/p" "$ROOT/reef")
MIN_JAVA=21
JAVA_HOME="$(find_jdk)"
JAVA="$JAVA_HOME/bin/java"

cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  sleep 2
  # agents the harness left running (a part that failed half-way): every wrapper's group, wherever it is
  while IFS= read -r f; do
    g="$(cat "$f")" && [[ "$g" =~ ^[0-9]+$ && "$g" -gt 1 ]] && kill -KILL -- "-$g" 2>/dev/null || true
  done < <(find "$WORK" -name wrapper.pid 2>/dev/null)
  sleep 1
  grep -o " $WORK[^ ]*/fs " /proc/self/mountinfo 2>/dev/null | while read -r m; do umount -l "$m" || true; done
  [[ -n "${BENCH_KEEP:-}" ]] && echo "kept $WORK" || rm -rf "$WORK"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

echo "building Reef and the benchmark (skipped when up to date)..."
(cd "$ROOT" && JAVA_HOME="$JAVA_HOME" ./mvnw -q -B -DskipTests package -pl reef-server,bench -am)

MOCK_PORT="$(free_port)"
REEF_PORT="$(free_port)"
ADMIN_KEY="bench-admin-key-$(date +%s)-0123456789abcdef"
"$JAVA" -cp "$ROOT/bench/target/classes" dev.reef.bench.AgentsBench mock "$MOCK_PORT" > "$WORK/mock.log" 2>&1 &
PIDS+=($!)
cat > "$WORK/catalog.yaml" <<YAML
providers:
  bench:
    type: openai
    baseUrl: http://127.0.0.1:$MOCK_PORT/v1
    apiKeyEnv: BENCH_MOCK_KEY
models:
  bench-model:
    provider: bench
    upstreamModel: bench-model
    inputUsdPerMTok: 0.01
    outputUsdPerMTok: 0.01
YAML
BENCH_MOCK_KEY=sk-bench REEF_PORT="$REEF_PORT" REEF_DATA_DIR="$WORK/reef" REEF_ADMIN_API_KEY="$ADMIN_KEY" \
  REEF_SIGNUP=open REEF_GATEWAY_CATALOG_FILE="$WORK/catalog.yaml" \
  "$JAVA" "@$ROOT/reef-server/jvm.options" -jar "$ROOT/reef-server/target/reef-server.jar" > "$WORK/reef.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 120); do
  curl -fs "http://127.0.0.1:$REEF_PORT/actuator/health/readiness" >/dev/null 2>&1 && break
  sleep 1
done
curl -fs "http://127.0.0.1:$REEF_PORT/actuator/health/readiness" >/dev/null || { tail -30 "$WORK/reef.log"; exit 1; }
echo "Reef on port $REEF_PORT; mock provider on $MOCK_PORT; $ROUNDS rounds"

mkdir -p "$ROOT/bench/results"
(cd "$WORK" && "$JAVA" -cp "$ROOT/bench/target/reef-bench.jar:$ROOT/bench/target/lib/*" \
  dev.reef.orchestration.internal.process.SandboxBench "http://127.0.0.1:$REEF_PORT" "$ADMIN_KEY" "$WORK/reef" \
  "$WORK/bench" bench-model "$ROUNDS") | tee "$ROOT/bench/results/sandbox-$(date -u +%Y-%m-%d-%H%M%S).txt"
