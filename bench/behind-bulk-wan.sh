#!/usr/bin/env bash
# The wait of a small message behind a bulk transfer on the same tunnel, over the emulated WAN of
# netns-wan.sh, for each path in one run (issue 13). The loopback twin is behind-bulk.sh.
#
#   home side, namespace hp-client (10.203.0.1)        public side, namespace hp-relay (10.203.0.2)
#   serve (the far end)                                 the load tool
#   ssh -R client      ===== one SSH connection =====>  private sshd
#   Homeport client    ===== one Homeport session ===>  Homeport relay
#   direct: the load tool reaches serve across the link, no tunnel
#
#   bench/behind-bulk-wan.sh [--runs R] [--messages N] [--rates "200 50"] [--skip-ssh]
#                            [--variant 'LABEL|SERVER FLAGS|CLIENT FLAGS'] ...      (root)
#
# For each link rate (Mbit/s each way; 25 ms each way; a drop-tail queue of one bandwidth-delay
# product) it sets the namespaces up, starts every path, warms each one, and then runs rounds of
# `fairness --bulk-direction up` and `... down` on every path, interleaved. Per rate, path and
# direction it prints the median over R rounds of: wait = loaded p50 - idle p50 of a 64 B ping-pong,
# the loaded p99, and the bulk MB/s during the measurement. Default variants: this checkout as built
# (`Homeport`), and the same with the queue-delay target off on both ends (`Homeport, target 0`).
# Results: bench/target/bench-results/behind-bulk-wan-<time>/{results.jsonl,table.md,*.log}.
# Every process this script starts is stopped by its PID at exit, and the namespaces are removed.

set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
source "$BENCH_DIR/ssh-tunnel.sh"

RUNS=3
MESSAGES=150
RATES="200 50"
SKIP_SSH=0
declare -a VARIANTS=()
while (( $# )); do
  case "$1" in
    --runs) RUNS="$2"; shift ;;
    --messages) MESSAGES="$2"; shift ;;
    --rates) RATES="$2"; shift ;;
    --skip-ssh) SKIP_SSH=1 ;;
    --variant) VARIANTS+=("$2"); shift ;;
    *) die "unknown option $1 (see the header of $0)" ;;
  esac
  shift
done
(( ${#VARIANTS[@]} )) || VARIANTS=("Homeport||" "Homeport, target 0|--target-queue-delay 0|--target-queue-delay 0")
[[ $(id -u) == 0 ]] || die "network namespaces need root"

NS_HOME=hp-client
NS_PUBLIC=hp-relay
ADDR_HOME=10.203.0.1
ADDR_PUBLIC=10.203.0.2
OUT="$BENCH_DIR/target/bench-results/behind-bulk-wan-$(date +%Y%m%d-%H%M%S)"
mkdir -p "$OUT"
RESULTS="$OUT/results.jsonl"
declare -a STARTED_PIDS=()
declare -A ENTRY=()

stop_paths() {
  local pid
  for pid in "${STARTED_PIDS[@]}"; do kill_pid "$pid"; done
  STARTED_PIDS=()
  ssh_tunnel_stop || true
}
cleanup() {
  stop_paths
  "$BENCH_DIR/netns-wan.sh" teardown >/dev/null 2>&1 || true
}
trap cleanup EXIT

in_home() { ip netns exec "$NS_HOME" "$@"; }
in_public() { ip netns exec "$NS_PUBLIC" "$@"; }
tool() { in_public java -jar "$BENCH_JAR" "$@"; }

# start_variant INDEX LABEL SERVER_FLAGS CLIENT_FLAGS: a relay on the public side, a client at home.
start_variant() {
  local i="$1" label="$2" sflags="$3" cflags="$4" cport lo token url deadline
  cport=$(free_port "$NS_PUBLIC"); lo=$(free_port "$NS_PUBLIC")
  token=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
  # shellcheck disable=SC2086  # the flags are word lists on purpose
  (cd "$REPO_ROOT" && exec ip netns exec "$NS_PUBLIC" ./homeport-server --control "$ADDR_PUBLIC:$cport" \
      --ports "$lo-$(( lo + 9 ))" --token "$token" --max-connections-per-address 1000000 --admin "" \
      --state-dir "$OUT/relay-state-$RATE-$i" $sflags) > "$OUT/server-$RATE-$i.log" 2>&1 &
  STARTED_PIDS+=($!)
  wait_for_listen "$cport" 60 "$NS_PUBLIC" || die "$label: the relay did not listen within 60 s (log: $OUT/server-$RATE-$i.log)"
  # shellcheck disable=SC2086
  (cd "$REPO_ROOT" && exec ip netns exec "$NS_HOME" ./homeport tcp "$FAR_PORT" --server "$ADDR_PUBLIC:$cport" \
      --token "$token" --remote-port "$lo" --known-relays "$OUT/known_relays-$RATE-$i" $cflags) > "$OUT/client-$RATE-$i.log" 2>&1 &
  STARTED_PIDS+=($!)
  deadline=$(( SECONDS + 60 )); url=""
  while (( SECONDS < deadline )) && [[ -z "$url" ]]; do
    url=$(grep -m1 -oE 'tcp://[^[:space:]]+' "$OUT/client-$RATE-$i.log" || true); sleep 0.2
  done
  [[ -n "$url" ]] || die "$label: the client printed no tcp:// line within 60 s (log: $OUT/client-$RATE-$i.log)"
  # The relay advertises its public port on the relay's side; the load tool runs there too.
  ENTRY["$label"]="127.0.0.1:${url##*:}"
  log "$label: $url"
}

ensure_jar
(cd "$REPO_ROOT" && timeout 600 ./homeport --help && timeout 600 ./homeport-server --help) > "$OUT/build.log" 2>&1 \
  || die "the launchers do not run (log: $OUT/build.log)"

for RATE in $RATES; do
  queue=$(( RATE * 125000 * 50 / 1000 ))
  WAN_RATE_MBIT="$RATE" WAN_QUEUE_BYTES="$queue" "$BENCH_DIR/netns-wan.sh" setup
  FAR_PORT=$(free_port "$NS_HOME")
  # ip execs java, so $! is the far end itself (a shell function would leave it behind)
  ip netns exec "$NS_HOME" java -jar "$BENCH_JAR" serve --bind 0.0.0.0 --port "$FAR_PORT" --lifetime-seconds 7200 > "$OUT/serve-$RATE.log" 2>&1 &
  STARTED_PIDS+=($!)
  wait_for_listen "$FAR_PORT" 30 "$NS_HOME" || die "the far end did not listen"
  ENTRY=([direct]="$ADDR_HOME:$FAR_PORT")
  declare -a PATHS=(direct)
  if (( ! SKIP_SSH )); then
    SSH_TUNNEL_SERVER_NS="$NS_PUBLIC" SSH_TUNNEL_CLIENT_NS="$NS_HOME" SSH_TUNNEL_LISTEN="$ADDR_PUBLIC" \
      ssh_tunnel_start "$FAR_PORT" || die "ssh -R did not start"
    ENTRY["ssh -R"]="127.0.0.1:$SSH_TUNNEL_ENTRY_PORT"; PATHS+=("ssh -R")
  fi
  for i in "${!VARIANTS[@]}"; do
    IFS='|' read -r label sflags cflags <<<"${VARIANTS[$i]}"
    start_variant "$i" "$label" "$sflags" "$cflags"; PATHS+=("$label")
  done

  # Warm every path alike: the JVMs' first megabytes run in the interpreter, and each TCP
  # connection starts in slow start.
  for p in "${PATHS[@]}"; do
    log "$RATE Mbit/s, $p: warm-up (not measured)"
    tool throughput --target "${ENTRY[$p]}" --direction up --bytes 64m --max-seconds 30 >/dev/null 2>&1 || true
    tool fairness --target "${ENTRY[$p]}" --messages 50 --warmup 20 --phase-seconds 10 --settle-ms 2000 >/dev/null 2>&1 || true
  done

  for r in $(seq 1 "$RUNS"); do
    for p in "${PATHS[@]}"; do
      for dir in up down; do
        line=$(tool fairness --target "${ENTRY[$p]}" --bulk-direction "$dir" --messages "$MESSAGES" --warmup 20 \
               --settle-ms 3000 --phase-seconds 40 2>>"$OUT/tool-errors.log" | tee -a "$OUT/tool.log" | grep '^{' | tail -1) || true
        [[ -n "$line" ]] || { log "$RATE Mbit/s, $p $dir round $r: no result"; continue; }
        echo "{\"rate_mbit\":$RATE,\"path\":\"$p\",\"run\":$r,${line#\{}" >> "$RESULTS"
        log "$RATE Mbit/s, $p $dir round $r: p50 $(json_field "$line" p50_us) us (idle $(json_field "$line" idle_p50_us)), bulk $(json_field "$line" bulk_mb_per_s) MB/s"
      done
    done
  done
  stop_paths
  "$BENCH_DIR/netns-wan.sh" teardown
done

# The tables: medians over the rounds, one table per rate.
{
  for RATE in $RATES; do
    echo "50 ms RTT, $RATE Mbit/s each way, drop-tail queue of one BDP ($(( RATE * 125000 * 50 / 1000 )) B):"
    echo
    echo "| path | wait up (ms) | wait down (ms) | p99 up / down (ms) | bulk up (MB/s) | bulk down (MB/s) |"
    echo "|---|---|---|---|---|---|"
    mapfile -t paths < <(grep -F "\"rate_mbit\":$RATE," "$RESULTS" | grep -o '"path":"[^"]*"' | cut -d'"' -f4 | awk '!seen[$0]++')
    for p in "${paths[@]}"; do
      declare -A cell=()
      for dir in up down; do
        mapfile -t rows < <(grep -F "\"rate_mbit\":$RATE," "$RESULTS" | grep -F "\"path\":\"$p\"" | grep -F "\"bulk_direction\":\"$dir\"" || true)
        waits=(); p99s=(); rates=()
        for row in "${rows[@]}"; do
          waits+=("$(awk -v a="$(json_field "$row" p50_us)" -v b="$(json_field "$row" idle_p50_us)" 'BEGIN{printf "%.1f", (a-b)/1000}')")
          p99s+=("$(awk -v a="$(json_field "$row" p99_us)" 'BEGIN{printf "%.1f", a/1000}')")
          rates+=("$(json_field "$row" bulk_mb_per_s)")
        done
        cell[w$dir]=$(median "${waits[@]}"); cell[p$dir]=$(median "${p99s[@]}"); cell[b$dir]=$(median "${rates[@]}")
      done
      echo "| $p | ${cell[wup]} | ${cell[wdown]} | ${cell[pup]} / ${cell[pdown]} | ${cell[bup]} | ${cell[bdown]} |"
      unset cell
    done
    echo
  done
  echo "Medians of $RUNS rounds, $MESSAGES round trips per phase, $(date -u +%Y-%m-%dT%H:%MZ), load $(cut -d' ' -f1-3 /proc/loadavg)."
} | tee "$OUT/table.md"
