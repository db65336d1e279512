#!/usr/bin/env bash
# CPU time and context switches per thread of a running JVM over a window, threads grouped by name with digits
# folded (ForkJoinPool-1-worker-3 -> ForkJoinPool-N-worker-N), from /proc/<pid>/task/*/{stat,status}.
# Why: JFR's execution sampler over-weights platform threads against virtual-thread carriers, so a background
# thread's share in a JFR profile is not its share of the CPU; this is. Context switches show which threads wake
# up most (on a host where waking a thread is dear, they cost more than the work).
# One python3 process reads every thread: a shell loop forking per thread takes seconds on a saturated machine.
#
# Usage: bench/thread-cpu.sh <pid> [seconds=10]
# Example, while bench/run-proxy-bench.sh runs the closed-64-json scenario against reef-mem:
#   bench/thread-cpu.sh "$(pgrep -f 'java.*reef-server.*jar' | tail -1)" 5
set -euo pipefail
pid=${1:?usage: bench/thread-cpu.sh <pid> [seconds]}
seconds=${2:-10}
[[ -d /proc/$pid ]] || { echo "no process $pid" >&2; exit 2; }
exec python3 - "$pid" "$seconds" <<'PY'
import os, re, sys, time
from collections import defaultdict

pid, seconds = sys.argv[1], float(sys.argv[2])
hz = os.sysconf("SC_CLK_TCK")

def snapshot():
    threads = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/stat") as f:
                stat = f.read()
            with open(f"/proc/{pid}/task/{tid}/status") as f:
                status = f.read()
        except OSError:
            continue  # the thread ended while we looked
        name = stat[stat.index("(") + 1:stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2:].split()
        switches = [int(v) for v in re.findall(r"^(?:non)?voluntary_ctxt_switches:\s+(\d+)", status, re.M)]
        threads[tid] = (re.sub(r"\d+", "N", name), int(fields[11]) + int(fields[12]), switches[0], switches[1])
    return threads

before = snapshot()
time.sleep(seconds)
after = snapshot()
cpu, vol, invol = defaultdict(int), defaultdict(int), defaultdict(int)
for tid, (name, ticks, v, nv) in after.items():
    _, ticks0, v0, nv0 = before.get(tid, (name, 0, 0, 0))
    cpu[name] += ticks - ticks0
    vol[name] += v - v0
    invol[name] += nv - nv0
total = sum(cpu.values()) or 1
print(f"{seconds:g} s window: {total / hz:.2f} CPU-seconds in all ({total / hz / seconds:.2f} cores); "
      f"{sum(vol.values()) / seconds:,.0f} voluntary and {sum(invol.values()) / seconds:,.0f} involuntary "
      "context switches a second")
print(f"{'cpu':>6}  {'cpu-s':>7}  {'vol/s':>8}  {'invol/s':>8}  thread")
for name in sorted(cpu, key=lambda n: (cpu[n], vol[n]), reverse=True):
    if cpu[name] or vol[name] or invol[name]:
        print(f"{100 * cpu[name] / total:5.1f}%  {cpu[name] / hz:7.2f}  {vol[name] / seconds:8,.0f}  "
              f"{invol[name] / seconds:8,.0f}  {name}")
PY
