#!/usr/bin/env bash
# The wait of a small message behind a bulk transfer on the same tunnel, on loopback, for each
# path in one run, so the figures are comparable (issue 13):
#
#   direct      load tool -> serve
#   ssh -R      load tool -> private sshd -> ssh client -> serve          (bench/ssh-tunnel.sh)
#   Homeport    load tool -> relay server -> relay client -> serve        (this checkout's launchers)
#   variants    the same from another checkout, or with other flags      (--variant, below)
#
#   bench/behind-bulk.sh [--runs R] [--messages N] [--skip-ssh]
#                        [--variant 'LABEL|CHECKOUT|SERVER FLAGS|CLIENT FLAGS'] ...
#
# Each round runs `fairness --bulk-direction up` and `... down` on every path, paths interleaved
# so that the machine's noise falls on all of them alike. Per path and direction it prints the
# median over R rounds of: wait = loaded p50 - idle p50 of a 64 B ping-pong, the loaded p99, and
# the bulk MB/s during the measurement. A variant's CHECKOUT is a directory with built launchers
# (e.g. a `git worktree` of the commit before a change); empty means this checkout.
# Results: bench/target/bench-results/behind-bulk-<time>/{results.jsonl,table.md,*.log}. Every
# process this script starts is stopped by its PID at exit; all traffic stays on 127.0.0.1.

set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
source "$BENCH_DIR/ssh-tunnel.sh"

RUNS=3
MESSAGES=3000
SKIP_SSH=0
declare -a VARIANTS=("Homeport|$REPO_ROOT||")
while (( $# )); do
  case "$1" in
    --runs) RUNS="$2"; shift ;;
    --messages) MESSAGES="$2"; shift ;;
    --skip-ssh) SKIP_SSH=1 ;;
    --variant) VARIANTS+=("$2"); shift ;;
    *) die "unknown option $1 (see the header of $0)" ;;
  esac
  shift
done

OUT="$BENCH_DIR/target/bench-results/behind-bulk-$(date +%Y%m%d-%H%M%S)"
mkdir -p "$OUT"
RESULTS="$OUT/results.jsonl"
declare -a STARTED_PIDS=()
declare -A ENTRY=()

cleanup() {
  local pid
  for pid in "${STARTED_PIDS[@]}"; do kill_pid "$pid"; done
  ssh_tunnel_stop || true
}
trap cleanup EXIT

tool() { java -jar "$BENCH_JAR" "$@"; }

# start_variant INDEX LABEL CHECKOUT SERVER_FLAGS CLIENT_FLAGS: a relay and a client on loopback.
start_variant() {
  local i="$1" label="$2" dir="${3:-$REPO_ROOT}" sflags="$4" cflags="$5" cport lo token url deadline
  (cd "$dir" && timeout 600 ./homeport --help && timeout 600 ./homeport-server --help) > "$OUT/build-$i.log" 2>&1 \
    || die "$label: the launchers in $dir do not run (log: $OUT/build-$i.log)"
  cport=$(free_port); lo=$(free_port)
  token=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
  # shellcheck disable=SC2086  # the flags are word lists on purpose
  (cd "$dir" && exec ./homeport-server --control "127.0.0.1:$cport" --ports "$lo-$(( lo + 9 ))" --token "$token" \
      --max-connections-per-address 1000000 --admin "" --state-dir "$OUT/relay-state-$i" $sflags) > "$OUT/server-$i.log" 2>&1 &
  STARTED_PIDS+=($!)
  wait_for_listen "$cport" 60 || die "$label: the relay did not listen within 60 s (log: $OUT/server-$i.log)"
  # shellcheck disable=SC2086
  (cd "$dir" && exec ./homeport tcp "$FAR_PORT" --server "127.0.0.1:$cport" --token "$token" --remote-port "$lo" \
      --known-relays "$OUT/known_relays-$i" $cflags) > "$OUT/client-$i.log" 2>&1 &
  STARTED_PIDS+=($!)
  deadline=$(( SECONDS + 60 )); url=""
  while (( SECONDS < deadline )) && [[ -z "$url" ]]; do
    url=$(grep -m1 -oE 'tcp://[^[:space:]]+' "$OUT/client-$i.log" || true); sleep 0.2
  done
  [[ -n "$url" ]] || die "$label: the client printed no tcp:// line within 60 s (log: $OUT/client-$i.log)"
  ENTRY["$label"]="${url#tcp://}"
  log "$label: $url"
}

ensure_jar
FAR_PORT=$(free_port)
# Not through tool(): $! of a backgrounded shell function is its subshell, and killing that left
# the JVM running; --lifetime-seconds bounds it even if this script is killed hard.
java -jar "$BENCH_JAR" serve --port "$FAR_PORT" --lifetime-seconds 7200 > "$OUT/serve.log" 2>&1 &
STARTED_PIDS+=($!)
wait_for_listen "$FAR_PORT" 30 || die "the far end did not listen"
ENTRY[direct]="127.0.0.1:$FAR_PORT"
declare -a PATHS=(direct)
if (( ! SKIP_SSH )); then
  ssh_tunnel_start "$FAR_PORT" || die "ssh -R did not start"
  ENTRY["ssh -R"]="127.0.0.1:$SSH_TUNNEL_ENTRY_PORT"; PATHS+=("ssh -R")
fi
for i in "${!VARIANTS[@]}"; do
  IFS='|' read -r label dir sflags cflags <<<"${VARIANTS[$i]}"
  start_variant "$i" "$label" "$dir" "$sflags" "$cflags"; PATHS+=("$label")
done

# Warm every path alike: the JVMs' first gigabytes run in the interpreter.
for p in "${PATHS[@]}"; do
  log "$p: warm-up (not measured)"
  tool throughput --target "${ENTRY[$p]}" --direction up --bytes 1g --max-seconds 60 >/dev/null 2>&1 || true
  tool fairness --target "${ENTRY[$p]}" --messages 500 --warmup 200 --phase-seconds 5 >/dev/null 2>&1 || true
done

for r in $(seq 1 "$RUNS"); do
  for p in "${PATHS[@]}"; do
    for dir in up down; do
      line=$(tool fairness --target "${ENTRY[$p]}" --bulk-direction "$dir" --messages "$MESSAGES" --warmup 500 \
             --phase-seconds 20 2>>"$OUT/tool-errors.log" | tee -a "$OUT/tool.log" | grep '^{' | tail -1) || true
      [[ -n "$line" ]] || { log "$p $dir round $r: no result"; continue; }
      echo "{\"path\":\"$p\",\"run\":$r,${line#\{}" >> "$RESULTS"
      log "$p $dir round $r: p50 $(json_field "$line" p50_us) us (idle $(json_field "$line" idle_p50_us)), bulk $(json_field "$line" bulk_mb_per_s) MB/s"
    done
  done
done

# The table: medians over the rounds.
{
  echo "| path | wait up (ms) | wait down (ms) | p99 up / down (ms) | bulk up (MB/s) | bulk down (MB/s) |"
  echo "|---|---|---|---|---|---|"
  for p in "${PATHS[@]}"; do
    declare -A cell=()
    for dir in up down; do
      mapfile -t rows < <(grep -F "\"path\":\"$p\"" "$RESULTS" | grep -F "\"bulk_direction\":\"$dir\"" || true)
      waits=(); p99s=(); rates=()
      for row in "${rows[@]}"; do
        waits+=("$(awk -v a="$(json_field "$row" p50_us)" -v b="$(json_field "$row" idle_p50_us)" 'BEGIN{printf "%.3f", (a-b)/1000}')")
        p99s+=("$(awk -v a="$(json_field "$row" p99_us)" 'BEGIN{printf "%.2f", a/1000}')")
        rates+=("$(json_field "$row" bulk_mb_per_s)")
      done
      cell[w$dir]=$(median "${waits[@]}"); cell[p$dir]=$(median "${p99s[@]}"); cell[b$dir]=$(median "${rates[@]}")
    done
    echo "| $p | ${cell[wup]} | ${cell[wdown]} | ${cell[pup]} / ${cell[pdown]} | ${cell[bup]} | ${cell[bdown]} |"
    unset cell
  done
  echo
  echo "Medians of $RUNS rounds, $MESSAGES round trips per phase, $(date -u +%Y-%m-%dT%H:%MZ), load $(cut -d' ' -f1-3 /proc/loadavg)."
} | tee "$OUT/table.md"
