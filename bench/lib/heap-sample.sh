#!/usr/bin/env bash
# heap-sample.sh PID: force a full GC in JVM PID, then print its used heap and resident set:
#   heap_used_bytes=<n> rss_bytes=<n>
# Used heap is summed from `jcmd PID GC.heap_info` ("total ..K, used ..K" lines: G1, Parallel,
# Serial; ZGC's "ZHeap used ..M" as a fallback). RSS comes from /proc/PID/status (VmRSS).
set -euo pipefail
pid="${1:?usage: heap-sample.sh PID}"
jcmd "$pid" GC.run >/dev/null || { echo "heap-sample: jcmd $pid GC.run failed" >&2; exit 1; }
info=$(jcmd "$pid" GC.heap_info) || { echo "heap-sample: jcmd $pid GC.heap_info failed" >&2; exit 1; }
used_k=$(printf '%s\n' "$info" | grep -oE 'total [0-9]+K, used [0-9]+K' | grep -oE 'used [0-9]+' | awk '{s+=$2} END {if (NR) print s}')
if [[ -z "$used_k" ]]; then
  used_m=$(printf '%s\n' "$info" | grep -oE 'ZHeap +used [0-9]+M' | grep -oE '[0-9]+' | head -1)
  [[ -n "$used_m" ]] || { echo "heap-sample: cannot parse GC.heap_info:" >&2; printf '%s\n' "$info" >&2; exit 1; }
  used_k=$(( used_m * 1024 ))
fi
rss_k=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status")
echo "heap_used_bytes=$(( used_k * 1024 )) rss_bytes=$(( rss_k * 1024 ))"
