#!/usr/bin/env bash
# The agent benchmarks, in one command:
#
#   bench/run-agents-bench.sh
#
# Starts, in a temporary directory, a mock model provider and Reef (embedded defaults, the process driver, OpenClaw
# from the runtime cache - installed on the first run), then measures (dev.reef.bench.AgentsBench):
#   - deploy to ready of an OpenClaw agent with the runtime cached, and Reef's overhead over starting the same
#     gateway by hand (same files and environment) to its /readyz;
#   - wake to first reply: a chat to a stopped agent, timed to the first streamed word;
#   - Reef's memory with 1,000 tenants and 1,000 stopped agents: the heap after a full collection, and RSS.
# Everything is stopped on exit.
#
# Settings (environment): BENCH_ROUNDS (5), BENCH_TENANTS (1000), REEF_RUNTIME_CACHE (~/.cache/reef/runtimes).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ROUNDS="${BENCH_ROUNDS:-5}"
TENANTS="${BENCH_TENANTS:-1000}"
CACHE="${REEF_RUNTIME_CACHE:-$HOME/.cache/reef/runtimes}"
WORK="$(mktemp -d /tmp/reef-agents-bench.XXXXXX)"
PIDS=()

source <(sed -n "/^java_major/,/^}/p;/^find_jdk/,/^}/p" "$ROOT/reef")
MIN_JAVA=21
JAVA_HOME="$(find_jdk)"
JAVA="$JAVA_HOME/bin/java"

cleanup() {
  for f in "$WORK"/data/agents/*/*/run/wrapper.pid; do
    [[ -f "$f" ]] && g="$(cat "$f")" && [[ "$g" =~ ^[0-9]+$ && "$g" -gt 1 ]] && kill -TERM -- "-$g" 2>/dev/null || true
  done
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  sleep 2
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
BENCH_MOCK_KEY=sk-bench REEF_PORT="$REEF_PORT" REEF_DATA_DIR="$WORK/data" REEF_ADMIN_API_KEY="$ADMIN_KEY" \
  REEF_GATEWAY_CATALOG_FILE="$WORK/catalog.yaml" REEF_RUNTIME_CACHE="$CACHE" \
  "$JAVA" "@$ROOT/reef-server/jvm.options" -jar "$ROOT/reef-server/target/reef-server.jar" > "$WORK/reef.log" 2>&1 &
REEF_PID=$!
PIDS+=($REEF_PID)
for _ in $(seq 1 120); do
  curl -fs "http://127.0.0.1:$REEF_PORT/actuator/health/readiness" >/dev/null 2>&1 && break
  sleep 1
done
curl -fs "http://127.0.0.1:$REEF_PORT/actuator/health/readiness" >/dev/null || { tail -30 "$WORK/reef.log"; exit 1; }
echo "Reef (pid $REEF_PID) on port $REEF_PORT; mock provider on $MOCK_PORT; $ROUNDS rounds, $TENANTS tenants"

VERSION="$(grep -o 'REEF_OPENCLAW_VERSION:[^}]*' "$ROOT/reef-platform/src/main/resources/application.yml" | cut -d: -f2)"
BENCH_DATA_DIR="$WORK/data" BENCH_OPENCLAW_HOME="$CACHE/openclaw/$VERSION" \
  "$JAVA" -cp "$ROOT/bench/target/classes" dev.reef.bench.AgentsBench "http://127.0.0.1:$REEF_PORT" "$ADMIN_KEY" \
  "$REEF_PID" bench-model "$ROUNDS" "$TENANTS" | tee "$ROOT/bench/results/agents-$(date -u +%Y-%m-%d-%H%M%S).txt"
