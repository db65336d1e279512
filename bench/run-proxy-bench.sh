#!/usr/bin/env bash
# The LLM proxy overhead benchmark, in one command:
#
#   bench/run-proxy-bench.sh
#
# Builds Reef and the load generator, installs nginx (Debian package) and the Portkey gateway (npm, into
# bench/.portkey, git-ignored) when missing, starts on free loopback ports, in a temporary directory:
#   mock        nginx answering POST /v1/chat/completions (JSON with usage) and /stream/v1/chat/completions
#               (a fixed text/event-stream: 11 chunks, a usage chunk, data: [DONE]) from bench/mock/
#   nginx       nginx proxy_pass to the mock, with upstream keep-alive (the floor)
#   reef-mem    Reef with its in-process meter
#   reef-redis  Reef with the Redis meter (Redis at 127.0.0.1:6379, a unique key prefix, keys deleted after)
#   portkey     the Portkey open-source gateway on Node
# then runs every scenario against the mock directly and through each proxy (dev.reef.bench.ProxyBench), prints
# the tables and writes them with the full latency distributions to bench/results/proxy-<date>.txt.
# Everything is stopped on exit, whatever happens.
#
# Settings (environment):
#   BENCH_MEASURE_SECONDS   measured seconds per scenario and target (10)
#   BENCH_WARMUP_SECONDS    warm-up seconds per scenario and target, not measured (3)
#   BENCH_TARGET_WARMUP     closed-loop warm-up per target before any scenario, seconds (15)
#   BENCH_JIT_SETTLE_MAX    after that, keep warming a JVM target up (10 s rounds) while its JIT compilers use
#                           over 5 % of a CPU, for at most this many seconds (120; 0: never)
#   BENCH_SEQ_REQUESTS      requests per target in each sequential scenario (5000)
#   BENCH_TARGETS           subset of: direct,nginx,reef-mem,reef-redis,portkey (all; direct is always kept)
#   BENCH_SCENARIOS         subset of: seq-json,seq-stream,open-500-json,open-500-stream,open-2000-json,
#                           open-2000-stream,open-10000-json,closed-64-json (all)
#   BENCH_PIN               none | loadgen  (loadgen: the load generator on CPU 0, all servers free on both CPUs;
#                           default none: everything shares both CPUs, as on a real 2-core host)
#   BENCH_JFR               1: after the measured run, profile reef-mem under load with JFR (closed loop 64 and
#                           open loop 2,000 rps streaming) and summarise the hot spots into the results file
#   BENCH_REEF_JAVA_OPTS    JVM options for both Reef instances, instead of those Reef ships with
#                           (reef-server/jvm.options)
#   BENCH_SKIP_BUILD        1: use the jars already built
#   BENCH_KEEP              1: keep the temporary directory (logs, configs)
#   JAVA_HOME               the JDK to build and run with (default: a Temurin 25 under /usr/lib/jvm, else java)
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$HERE")
PORTKEY_VERSION=1.15.2
HONO_NODE_SERVER_VERSION=1.13.8
PORTKEY_DIR="$HERE/.portkey"
RESULTS_DIR="$HERE/results"
STAMP=$(date +%Y-%m-%d-%H%M%S)
RESULT_FILE="$RESULTS_DIR/proxy-$STAMP.txt"

MEASURE=${BENCH_MEASURE_SECONDS:-10}
WARMUP=${BENCH_WARMUP_SECONDS:-3}
TARGET_WARMUP=${BENCH_TARGET_WARMUP:-15}
JIT_SETTLE_MAX=${BENCH_JIT_SETTLE_MAX:-120}
SEQ_REQUESTS=${BENCH_SEQ_REQUESTS:-5000}
TARGETS=${BENCH_TARGETS:-direct,nginx,reef-mem,reef-redis,portkey}
SCENARIOS=${BENCH_SCENARIOS:-}
PIN=${BENCH_PIN:-none}

say() { printf '[%(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { printf '\nrun-proxy-bench: ERROR: %s\n' "$*" >&2; exit 1; }
want() { [[ ",$TARGETS," == *",$1,"* ]]; }

# ---------------------------------------------------------------------------------------------------------------
# Tools

find_java() {
  local candidates=()
  [[ -n "${JAVA_HOME:-}" ]] && candidates+=("$JAVA_HOME")
  for d in /usr/lib/jvm/temurin-25* /usr/lib/jvm/*25* /usr/lib/jvm/*21*; do [[ -d "$d" ]] && candidates+=("$d"); done
  for home in "${candidates[@]}"; do
    if [[ -x "$home/bin/java" ]]; then
      local v
      v=$("$home/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
      if [[ -n "$v" && "$v" -ge 21 ]]; then echo "$home"; return; fi
    fi
  done
  die "no JDK 21 or newer found (set JAVA_HOME)"
}
export JAVA_HOME=$(find_java)
JAVA="$JAVA_HOME/bin/java"

NGINX=$(command -v nginx || true)
[[ -z "$NGINX" && -x /usr/sbin/nginx ]] && NGINX=/usr/sbin/nginx
if [[ -z "$NGINX" ]]; then
  say "nginx is missing: installing Debian's nginx-light"
  [[ $(id -u) -eq 0 ]] || die "nginx is not installed and this is not root: apt-get install nginx-light"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light) >&2 \
    || die "apt-get install nginx-light failed"
  NGINX=$(command -v nginx || echo /usr/sbin/nginx)
fi

if want portkey; then
  command -v node >/dev/null || die "node is missing (needed for the Portkey gateway); or leave portkey out of BENCH_TARGETS"
  PORTKEY_JS="$PORTKEY_DIR/node_modules/@portkey-ai/gateway/build/start-server.js"
  # @hono/node-server newer than 1.13 makes Portkey fail every streamed chat completion with "TypeError: immutable"
  # (its Response wrapper hands out the upstream fetch response's immutable headers, which Portkey appends to;
  # Portkey-AI/gateway issues 1389 and 1550), so it is pinned with an npm override.
  PORTKEY_PACKAGE="{\"name\":\"reef-bench-portkey\",\"private\":true,\"dependencies\":{\"@portkey-ai/gateway\":\"$PORTKEY_VERSION\"},\"overrides\":{\"@hono/node-server\":\"$HONO_NODE_SERVER_VERSION\"}}"
  if [[ ! -f "$PORTKEY_JS" || "$(cat "$PORTKEY_DIR/package.json" 2>/dev/null)" != "$PORTKEY_PACKAGE" ]]; then
    say "installing @portkey-ai/gateway@$PORTKEY_VERSION (with @hono/node-server@$HONO_NODE_SERVER_VERSION) into bench/.portkey"
    mkdir -p "$PORTKEY_DIR"
    echo "$PORTKEY_PACKAGE" > "$PORTKEY_DIR/package.json"
    npm install --prefix "$PORTKEY_DIR" --no-audit --no-fund --loglevel=error >&2 \
      || die "npm install @portkey-ai/gateway failed"
  fi
fi

if want reef-redis; then
  if ! command -v redis-cli >/dev/null || [[ "$(redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null)" != PONG ]]; then
    die "Redis does not answer at 127.0.0.1:6379 (start it, or leave reef-redis out of BENCH_TARGETS)"
  fi
fi

# ---------------------------------------------------------------------------------------------------------------
# Build

REEF_JAR="$ROOT/reef-server/target/reef-server.jar"
BENCH_CP="$HERE/target/reef-bench.jar:$HERE/target/lib/*"
if [[ "${BENCH_SKIP_BUILD:-0}" != 1 ]]; then
  say "building Reef and the load generator (mvnw package, tests skipped)"
  (cd "$ROOT" && ./mvnw -q -B -DskipTests package -pl reef-server,bench -am) >&2 || die "the build failed"
fi
[[ -f "$REEF_JAR" ]] || die "$REEF_JAR is missing (run without BENCH_SKIP_BUILD)"
[[ -f "$HERE/target/reef-bench.jar" ]] || die "bench/target/reef-bench.jar is missing (run without BENCH_SKIP_BUILD)"

# ---------------------------------------------------------------------------------------------------------------
# Processes, and stopping them whatever happens

WORK=$(mktemp -d /tmp/reef-bench.XXXXXX)
PIDS=()
PNAMES=()
REDIS_PREFIX="reef-bench-$$-$(date +%s):"
FAILED=1

cleanup() {
  local code=$?
  set +e
  # A server that is gone before we stop it is worth knowing about (crash, OOM kill, someone else's kill).
  local i
  for i in "${!PIDS[@]}"; do
    if ! kill -0 "${PIDS[$i]}" 2>/dev/null; then
      wait "${PIDS[$i]}" 2>/dev/null
      say "NOTE: ${PNAMES[$i]} (pid ${PIDS[$i]}) had already exited, with status $? (128+N: killed by signal N)"
    fi
  done
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null; done
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null
  done
  if want reef-redis && command -v redis-cli >/dev/null; then
    local n
    n=$(redis-cli -h 127.0.0.1 -p 6379 --scan --pattern "${REDIS_PREFIX}*" 2>/dev/null | wc -l)
    redis-cli -h 127.0.0.1 -p 6379 --scan --pattern "${REDIS_PREFIX}*" 2>/dev/null \
      | xargs -r -n 500 redis-cli -h 127.0.0.1 -p 6379 del >/dev/null 2>&1
    [[ "$n" -gt 0 ]] && say "deleted $n Redis keys under $REDIS_PREFIX"
  fi
  if [[ $FAILED == 1 && $code != 0 ]]; then
    for log in "$WORK"/*.log "$WORK"/*/error.log; do
      [[ -s "$log" ]] || continue
      printf '\n--- last lines of %s ---\n' "$log" >&2
      tail -n 30 "$log" >&2
    done
  fi
  if [[ "${BENCH_KEEP:-0}" == 1 ]]; then say "kept $WORK"; else rm -rf "$WORK"; fi
  exit $code
}
trap cleanup EXIT
trap 'exit 130' INT TERM

TAKEN=" "
# A port below the kernel's ephemeral range, so that no outgoing connection (the load generator opens thousands)
# can take it between this check and the server binding it.
EPHEMERAL_LOW=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
free_port() {
  local p
  for _ in $(seq 200); do
    p=$((10000 + RANDOM % (EPHEMERAL_LOW - 10000)))
    [[ "$TAKEN" == *" $p "* ]] && continue
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then TAKEN+="$p "; echo "$p"; return; fi
  done
  die "found no free port"
}

# wait_for NAME PID URL [SECONDS]: until URL answers 2xx, or the process dies, or time runs out.
wait_for() {
  local name=$1 pid=$2 url=$3 limit=${4:-120} i
  for ((i = 0; i < limit * 5; i++)); do
    kill -0 "$pid" 2>/dev/null || die "$name exited during start-up (log: see below)"
    curl -fsS -o /dev/null --max-time 2 "$url" 2>/dev/null && { say "$name is up ($url)"; return; }
    sleep 0.2
  done
  die "$name did not answer at $url within ${limit}s"
}

# nginx config helper: a single process (master_process off), so its pid is the one that serves and is measured.
nginx_conf() {
  local dir=$1 body=$2
  mkdir -p "$dir/tmp"
  cat > "$dir/nginx.conf" <<EOF
daemon off;
master_process off;
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 8192; multi_accept on; }
http {
  access_log off;
  client_body_temp_path $dir/tmp/body; proxy_temp_path $dir/tmp/proxy; fastcgi_temp_path $dir/tmp/fcgi;
  uwsgi_temp_path $dir/tmp/uwsgi; scgi_temp_path $dir/tmp/scgi;
  keepalive_requests 1000000000;
  keepalive_timeout 600s;
$body
}
EOF
}

start() { # start NAME LOGFILE CMD...: in the background, pid recorded for the trap
  local name=$1 log=$2; shift 2
  "$@" > "$log" 2>&1 &
  PIDS+=($!)
  PNAMES+=("$name")
  eval "PID_${name//-/_}=$!"
}

# The mock upstream. Bodies must not contain ' or $ (they are inlined in nginx's config).
for f in completion.json stream.sse; do
  grep -q "['\$\\\\]" "$HERE/mock/$f" && die "bench/mock/$f contains ' \$ or \\, which nginx's config cannot inline"
done
MOCK_PORT=$(free_port)
nginx_conf "$WORK/mock" "  server {
    listen 127.0.0.1:$MOCK_PORT backlog=4096 reuseport;
    location = /v1/chat/completions { default_type application/json; return 200 '$(cat "$HERE/mock/completion.json")'; }
    location = /stream/v1/chat/completions {
      default_type text/event-stream;
      add_header Cache-Control no-cache;
      return 200 '$(cat "$HERE/mock/stream.sse")';
    }
    location = /health { return 200 'ok'; }
  }"
"$NGINX" -t -q -e "$WORK/mock/error.log" -c "$WORK/mock/nginx.conf" -p "$WORK/mock" || die "the mock's nginx config is invalid"
start mock "$WORK/mock.log" "$NGINX" -e "$WORK/mock/error.log" -c "$WORK/mock/nginx.conf" -p "$WORK/mock"
wait_for mock "$PID_mock" "http://127.0.0.1:$MOCK_PORT/health" 20

MOCK_KEY="sk-bench-0123456789abcdefghijklmnopqrstuvwxyz"

if want nginx; then
  NGINX_PORT=$(free_port)
  nginx_conf "$WORK/nginx" "  upstream mock { server 127.0.0.1:$MOCK_PORT; keepalive 256; keepalive_requests 1000000000; keepalive_timeout 600s; }
  server {
    listen 127.0.0.1:$NGINX_PORT backlog=4096 reuseport;
    location = /health { return 200 'ok'; }
    location / {
      proxy_pass http://mock;
      proxy_http_version 1.1;
      proxy_set_header Connection \"\";
      proxy_buffering off;
    }
  }"
  "$NGINX" -t -q -e "$WORK/nginx/error.log" -c "$WORK/nginx/nginx.conf" -p "$WORK/nginx" || die "the proxy nginx config is invalid"
  start nginx "$WORK/nginx.log" "$NGINX" -e "$WORK/nginx/error.log" -c "$WORK/nginx/nginx.conf" -p "$WORK/nginx"
fi

if want portkey; then
  PORTKEY_PORT=$(free_port)
  start portkey "$WORK/portkey.log" env NODE_ENV=production node "$PORTKEY_JS" --port="$PORTKEY_PORT" --headless
fi

# Reef: the catalog points two providers at the mock (one path for whole answers, one for streams).
cat > "$WORK/catalog.yaml" <<EOF
providers:
  mock:
    type: openai
    baseUrl: http://127.0.0.1:$MOCK_PORT/v1
    apiKeyEnv: BENCH_MOCK_KEY
    maxConcurrency: 10000
  mockstream:
    type: openai
    baseUrl: http://127.0.0.1:$MOCK_PORT/stream/v1
    apiKeyEnv: BENCH_MOCK_KEY
    maxConcurrency: 10000
models:
  bench-json:
    provider: mock
    upstreamModel: gpt-4o-mini
    inputUsdPerMTok: 0.15
    outputUsdPerMTok: 0.60
  bench-stream:
    provider: mockstream
    upstreamModel: gpt-4o-mini
    inputUsdPerMTok: 0.15
    outputUsdPerMTok: 0.60
EOF
ADMIN_KEY="reef_bench_admin_$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"

start_reef() { # start_reef NAME [extra env...]
  local name=$1; shift
  local port; port=$(free_port)
  mkdir -p "$WORK/$name"
  # shellcheck disable=SC2086
  start "$name" "$WORK/$name.log" env REEF_PORT="$port" REEF_DATA_DIR="$WORK/$name/data" \
    REEF_ADMIN_API_KEY="$ADMIN_KEY" REEF_ADMIN_EMAIL=bench@reef.local REEF_ADMIN_PASSWORD="bench-password-$$-long" \
    REEF_GATEWAY_CATALOG_FILE="$WORK/catalog.yaml" BENCH_MOCK_KEY="$MOCK_KEY" "$@" \
    "$JAVA" ${BENCH_REEF_JAVA_OPTS:-"@$ROOT/reef-server/jvm.options"} -jar "$REEF_JAR"
  eval "PORT_${name//-/_}=$port"
}
want reef-mem && start_reef reef-mem
want reef-redis && start_reef reef-redis REEF_REDIS_URL=redis://127.0.0.1:6379 REEF_REDIS_KEY_PREFIX="$REDIS_PREFIX"

want nginx && wait_for nginx "$PID_nginx" "http://127.0.0.1:$NGINX_PORT/health" 20
want portkey && wait_for portkey "$PID_portkey" "http://127.0.0.1:$PORTKEY_PORT/" 60
want reef-mem && wait_for reef-mem "$PID_reef_mem" "http://127.0.0.1:$PORT_reef_mem/actuator/health/readiness" 180
want reef-redis && wait_for reef-redis "$PID_reef_redis" "http://127.0.0.1:$PORT_reef_redis/actuator/health/readiness" 180

# A tenant per Reef, with caps far above what the benchmark asks for.
reef_tenant() { # reef_tenant PORT -> prints the API key
  local port=$1 out tenant key code
  out=$(curl -sS --max-time 30 "http://127.0.0.1:$port/api/v1/signup" -H 'content-type: application/json' \
    -d "{\"email\":\"bench-$$@example.com\",\"password\":\"a long benchmark password\",\"tenantName\":\"Bench $$\"}") \
    || die "sign-up on port $port failed"
  tenant=$(sed -n 's/.*"tenantId":"\([^"]*\)".*/\1/p' <<<"$out")
  key=$(sed -n 's/.*"apiKey":"\([^"]*\)".*/\1/p' <<<"$out")
  [[ -n "$tenant" && -n "$key" ]] || die "sign-up on port $port answered: $out"
  code=$(curl -sS -o "$WORK/limits.out" -w '%{http_code}' --max-time 30 -X PUT \
    "http://127.0.0.1:$port/api/v1/tenants/$tenant/limits" -H "authorization: Bearer $ADMIN_KEY" \
    -H 'content-type: application/json' \
    -d '{"requestsPerMinute":100000000,"tokensPerMinute":1000000000000,"monthlyTokens":null,"maxConcurrentRequests":100000,"monthlyBudgetUsd":1000000}')
  [[ "$code" == 200 ]] || die "raising the caps on port $port answered HTTP $code: $(cat "$WORK/limits.out")"
  echo "$key"
}
want reef-mem && KEY_reef_mem=$(reef_tenant "$PORT_reef_mem")
want reef-redis && KEY_reef_redis=$(reef_tenant "$PORT_reef_redis")

# ---------------------------------------------------------------------------------------------------------------
# The load generator's configuration

CPU_MODEL=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
MACHINE="$(nproc) CPUs ($CPU_MODEL), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr); \
java $("$JAVA" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.runtime.version = //p'); \
$("$NGINX" -v 2>&1 | sed 's/.*: //'); node $(node --version 2>/dev/null || echo -); \
redis $(redis-server --version 2>/dev/null | sed -n 's/.*v=\([^ ]*\).*/\1/p'); pinning: $PIN"

CONF="$WORK/bench.properties"
{
  echo "machine=$MACHINE"
  echo "rawFile=$WORK/raw.txt"
  echo "measureSeconds=$MEASURE"
  echo "warmupSeconds=$WARMUP"
  echo "targetWarmupSeconds=$TARGET_WARMUP"
  echo "jitSettleMaxSeconds=$JIT_SETTLE_MAX"
  echo "seqRequests=$SEQ_REQUESTS"
  [[ -n "$SCENARIOS" ]] && echo "scenarios=$SCENARIOS"
  list=direct
  echo "target.direct.port=$MOCK_PORT"
  echo "target.direct.streamPath=/stream/v1/chat/completions"
  echo "target.direct.headers=Authorization: Bearer $MOCK_KEY"
  echo "target.direct.pid=$PID_mock"
  echo "target.direct.baseline=true"
  if want nginx; then
    list+=,nginx
    echo "target.nginx.port=$NGINX_PORT"
    echo "target.nginx.streamPath=/stream/v1/chat/completions"
    echo "target.nginx.headers=Authorization: Bearer $MOCK_KEY"
    echo "target.nginx.pid=$PID_nginx"
  fi
  for r in reef-mem reef-redis; do
    want $r || continue
    list+=,$r
    v=${r//-/_}; port_var=PORT_$v; key_var=KEY_$v; pid_var=PID_$v
    echo "target.$r.port=${!port_var}"
    echo "target.$r.model=bench-json"
    echo "target.$r.streamModel=bench-stream"
    echo "target.$r.headers=Authorization: Bearer ${!key_var}"
    echo "target.$r.pid=${!pid_var}"
  done
  if want portkey; then
    list+=,portkey
    echo "target.portkey.port=$PORTKEY_PORT"
    echo "target.portkey.headers=Authorization: Bearer $MOCK_KEY|x-portkey-provider: openai|x-portkey-custom-host: http://127.0.0.1:$MOCK_PORT/v1"
    echo "target.portkey.streamHeaders=Authorization: Bearer $MOCK_KEY|x-portkey-provider: openai|x-portkey-custom-host: http://127.0.0.1:$MOCK_PORT/stream/v1"
    echo "target.portkey.pid=$PID_portkey"
  fi
  echo "targets=$list"
} > "$CONF"

LOADGEN=("$JAVA" -Xms512m -Xmx512m -XX:+UseParallelGC -XX:+AlwaysPreTouch -cp "$BENCH_CP")
case "$PIN" in
  none) ;;
  loadgen) LOADGEN=(taskset -c 0 "${LOADGEN[@]}") ;;
  *) die "BENCH_PIN must be none or loadgen" ;;
esac

# ---------------------------------------------------------------------------------------------------------------
# Run

mkdir -p "$RESULTS_DIR"
say "running the scenarios (about $(( (TARGET_WARMUP + 7 * (MEASURE + WARMUP + 1)) * $(tr ',' '\n' <<<"$list" | wc -l) / 60 + 1 )) min)"
BENCH_FAILED=0
if ! "${LOADGEN[@]}" dev.reef.bench.ProxyBench "$CONF" | tee "$WORK/table.txt"; then
  BENCH_FAILED=1 # still write what was measured, then fail
fi

{
  cat "$WORK/table.txt"
  echo
  echo "# command: bench/run-proxy-bench.sh (BENCH_MEASURE_SECONDS=$MEASURE BENCH_WARMUP_SECONDS=$WARMUP BENCH_TARGET_WARMUP=$TARGET_WARMUP BENCH_JIT_SETTLE_MAX=$JIT_SETTLE_MAX BENCH_SEQ_REQUESTS=$SEQ_REQUESTS BENCH_PIN=$PIN${SCENARIOS:+ BENCH_SCENARIOS=$SCENARIOS}${BENCH_TARGETS:+ BENCH_TARGETS=$BENCH_TARGETS}${BENCH_REEF_JAVA_OPTS:+ BENCH_REEF_JAVA_OPTS=\"$BENCH_REEF_JAVA_OPTS\"}${BENCH_JFR:+ BENCH_JFR=$BENCH_JFR})"
  echo
  echo "################ raw: checks, configuration and full latency distributions ################"
  [[ -f "$WORK/raw.txt" ]] && sed "s/Bearer [^ |]*/Bearer <redacted>/g" "$WORK/raw.txt"
} > "$RESULT_FILE"
if [[ $BENCH_FAILED == 1 ]]; then
  echo "# THIS RUN FAILED: see the WARNING lines above and the proxy logs below" >> "$RESULT_FILE"
fi

# What the proxies said while they were loaded: errors and warnings, counted.
{
  echo
  echo "################ proxy logs: WARN/ERROR lines, counted by message ################"
  for name in reef-mem reef-redis portkey nginx; do
    [[ -f "$WORK/$name.log" ]] || continue
    echo "--- $name ($(wc -l < "$WORK/$name.log") lines) ---"
    { grep -E ' (WARN|ERROR) |Error|error' "$WORK/$name.log" || true; } | sed -E 's/^[0-9T:.+Z-]+ +//; s/[0-9a-f]{8}-[0-9a-f-]{27}/<uuid>/g; s/[0-9]+/N/g' \
      | cut -c1-220 | sort | uniq -c | sort -rn | head -15 || true
  done
} >> "$RESULT_FILE"

# Reef's memory once the load is over: heap after a full GC (a leak would show here), and the ledger journal.
{
  echo
  echo "################ Reef after the run: heap after a full GC, ledger journal on disk ################"
  for name in reef-mem reef-redis; do
    want $name || continue
    pid_var=PID_${name//-/_}
    echo "--- $name: RSS $(awk '/VmRSS/ {print $2/1024 " MiB"}' /proc/${!pid_var}/status 2>/dev/null)," \
      "journal $(du -sh "$WORK/$name/data/ledger" 2>/dev/null | cut -f1) in $(find "$WORK/$name/data/ledger" -type f 2>/dev/null | wc -l) files"
    "$JAVA_HOME/bin/jcmd" "${!pid_var}" GC.run >/dev/null 2>&1 || true
    # each generation's (or G1's whole heap's) total and used: after a full GC, "used" is the live data
    "$JAVA_HOME/bin/jcmd" "${!pid_var}" GC.heap_info 2>/dev/null \
      | grep -E '^ *(PSYoungGen|ParOldGen|garbage-first heap|Metaspace) ' || true
  done
} | tee -a "$RESULT_FILE"

if [[ "${BENCH_JFR:-0}" == 1 ]] && want reef-mem && [[ $BENCH_FAILED == 0 ]]; then
  JFR_FILE="$RESULTS_DIR/reef-mem-$STAMP.jfr"
  say "profiling reef-mem with JFR under load (closed loop 64, open loop 2,000 rps streaming)"
  "$JAVA_HOME/bin/jcmd" "$PID_reef_mem" JFR.start name=bench settings=profile filename="$JFR_FILE" >/dev/null \
    || die "jcmd JFR.start failed"
  sed -e 's/^targets=.*/targets=direct,reef-mem/' -e '/^scenarios=/d' -e "s#^rawFile=.*#rawFile=$WORK/raw-jfr.txt#" \
    -e 's/^targetWarmupSeconds=.*/targetWarmupSeconds=1/' "$CONF" > "$WORK/jfr.properties"
  echo "scenarios=closed-64-json,open-2000-stream" >> "$WORK/jfr.properties"
  "${LOADGEN[@]}" dev.reef.bench.ProxyBench "$WORK/jfr.properties" > "$WORK/jfr-table.txt"
  "$JAVA_HOME/bin/jcmd" "$PID_reef_mem" JFR.stop name=bench >/dev/null || die "jcmd JFR.stop failed"
  {
    echo
    echo "################ JFR profile of reef-mem under load ($(basename "$JFR_FILE")) ################"
    cat "$WORK/jfr-table.txt"
    echo
    "$JAVA" -cp "$BENCH_CP" dev.reef.bench.JfrSummary "$JFR_FILE" 30
  } | tee -a "$RESULT_FILE"
fi

[[ $BENCH_FAILED == 1 ]] && die "the load generator failed (a target went away?); what it measured is in ${RESULT_FILE#"$ROOT/"}"
FAILED=0
say "results written to ${RESULT_FILE#"$ROOT/"}"
