#!/usr/bin/env bash
# CPU time per thread of a running JVM over a window, threads grouped by name with digits folded
# (ForkJoinPool-1-worker-3 -> ForkJoinPool-N-worker-N), from /proc/<pid>/task/*/stat (user + system ticks).
# Why: JFR's execution sampler over-weights platform threads against virtual-thread carriers, so a background
# thread's share in a JFR profile is not its share of the CPU; this is.
#
# Usage: bench/thread-cpu.sh <pid> [seconds=10]
# Example, while bench/run-proxy-bench.sh runs the closed-64-json scenario against reef-mem:
#   bench/thread-cpu.sh "$(pgrep -f 'reef-server.*jar' | head -1)" 10
set -euo pipefail
pid=${1:?usage: bench/thread-cpu.sh <pid> [seconds]}
seconds=${2:-10}
[[ -d /proc/$pid ]] || { echo "no process $pid" >&2; exit 2; }

snapshot() {
  local t name ticks
  for t in /proc/"$pid"/task/*; do
    name=$(tr ' ' '_' < "$t/comm" 2>/dev/null) || continue
    # fields after the ")" that closes the thread name: utime is the 12th, stime the 13th
    ticks=$(sed 's/.*) //' "$t/stat" 2>/dev/null | awk '{print $12 + $13}') || continue
    echo "${t##*/} $ticks $name"
  done | sort
}

before=$(mktemp); after=$(mktemp); trap 'rm -f "$before" "$after"' EXIT
snapshot > "$before"; sleep "$seconds"; snapshot > "$after"
hz=$(getconf CLK_TCK)
join "$before" "$after" | awk -v hz="$hz" -v secs="$seconds" '
  { d = $4 - $2; n = $3; gsub(/[0-9]+/, "N", n); by[n] += d; total += d }
  END {
    printf "%d s window: %.2f CPU-seconds in all (%.2f cores)\n", secs, total / hz, total / hz / secs
    for (n in by) if (by[n] > 0) printf "%6.1f%%  %7.2f s  %s\n", 100 * by[n] / total, by[n] / hz, n
  }' | { read -r header; echo "$header"; sort -rn; }
