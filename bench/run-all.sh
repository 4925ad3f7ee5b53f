#!/usr/bin/env bash
# Runs every measurement of the load tool over each path on loopback and prints a markdown table
# of medians with ratios against the direct path:
#
#   direct    load tool -> serve
#   ssh -R    load tool -> private sshd -> ssh client -> serve          (bench/ssh-tunnel.sh)
#   Homeport  load tool -> relay server -> relay client -> serve        (start_homeport_tunnel below)
#
#   bench/run-all.sh [--runs R] [--skip-ssh] [--skip-homeport] [--plaintext] [--quick]
#   bench/run-all.sh --table RESULTS.jsonl     (re-render the table of an earlier run)
#
# Each metric is the median of R runs (default 3). --quick uses small sizes to check the script.
# Results: bench/target/bench-results/<time>/{results.jsonl,table.md,*.log}. Every process this
# script starts is stopped by its PID at exit; all traffic stays on 127.0.0.1.

set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
source "$BENCH_DIR/ssh-tunnel.sh"

RUNS=3
SKIP_SSH=0
SKIP_HOMEPORT=0
# --plaintext measures the tunnel without TLS (both sides --insecure-plaintext); the default is
# the default deployment, TLS. JAVA_OPTS=-Dhomeport.tls.provider=jdk picks the JDK's TLS engine.
PLAINTEXT=0
TABLE_FROM=""
BYTES=2g               # per stream, throughput
BYTES_MULTI=256m       # per stream, 8 streams
WARMUP_BYTES=4g        # per direction, untimed, before each path is measured
LAT_MESSAGES=20000
LAT_WARMUP=5000
FAIR_MESSAGES=5000     # per phase, and at most 20 s per phase (the tool's --phase-seconds)
FAIR_WARMUP=500
CONC_STREAMS=10000
CONC_HOLD=3
# Connection attempts in flight while opening them. At 256, ssh -R times out at 2.6k-5k streams
# (its forwarded listener's backlog overflows and SYN retries pass the 5 s connect timeout);
# at 64 it opens all 10,000, so every path gets 64.
CONC_PARALLEL=64
while (( $# )); do
  case "$1" in
    --runs) RUNS="$2"; shift ;;
    --table) TABLE_FROM="$2"; shift ;;
    --skip-ssh) SKIP_SSH=1 ;;
    --skip-homeport) SKIP_HOMEPORT=1 ;;
    --plaintext) PLAINTEXT=1 ;;
    --quick) BYTES=256m; BYTES_MULTI=32m; WARMUP_BYTES=256m; LAT_MESSAGES=2000; LAT_WARMUP=500; FAIR_MESSAGES=500; FAIR_WARMUP=100; CONC_STREAMS=1000; CONC_HOLD=1 ;;
    *) die "unknown option $1 (see the header of $0)" ;;
  esac
  shift
done

OUT="$BENCH_DIR/target/bench-results/$(date +%Y%m%d-%H%M%S)"
[[ -n "$TABLE_FROM" ]] && OUT="${TMPDIR:-/tmp}"
mkdir -p "$OUT"
RESULTS="$OUT/results.jsonl"
declare -a STARTED_PIDS=()

cleanup() {
  local pid
  [[ $SKIP_SSH == 0 ]] && ssh_tunnel_stop || true
  stop_homeport_tunnel || true
  for pid in "${STARTED_PIDS[@]}"; do kill_pid "$pid"; done
}
trap cleanup EXIT

# Every public connection comes from 127.0.0.1, so the relay runs without its per-address cap (1000000).
# 10,000 held streams need as many descriptors in the tool, the relay and serve.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
(( $(ulimit -n) >= CONC_STREAMS + 1000 )) || log "warning: ulimit -n is $(ulimit -n); concurrency with $CONC_STREAMS streams may fail"

tool() { java -jar "$BENCH_JAR" "$@"; }

# run_json PATH RUN ARGS...: runs the tool, appends its JSON line (tagged) to results.jsonl, echoes it.
run_json() {
  local path="$1" run="$2" line
  shift 2
  line=$(tool "$@" 2>>"$OUT/tool-errors.log" | tee -a "$OUT/tool.log" | grep '^{' | tail -1) || true
  [[ -n "$line" ]] || { log "no result from: $* (see $OUT/tool-errors.log)"; echo ""; return 0; }
  line="{\"path\":\"$path\",\"run\":$run,${line#\{}"
  echo "$line" >> "$RESULTS"
  echo "$line"
}

# java_pid_of PID: PID itself if it is a JVM, else its first JVM descendant (launchers may not exec).
java_pid_of() {
  local queue=("$1") pid child
  while (( ${#queue[@]} )); do
    pid="${queue[0]}"; queue=("${queue[@]:1}")
    if [[ "$(cat "/proc/$pid/comm" 2>/dev/null)" == java ]]; then echo "$pid"; return 0; fi
    for child in $(ps -o pid= --ppid "$pid" 2>/dev/null); do queue+=("$child"); done
  done
  return 1
}

heap_sample() { "$BENCH_DIR/lib/heap-sample.sh" "$1"; }

# run_suite PATH HOST:PORT [JVM_PID]: every metric RUNS times. With JVM_PID, also the heap and RSS
# of that JVM per held stream: (used after GC while holding - used after GC idle) / streams.
run_suite() {
  local path="$1" target="$2" jvm="${3:-}" i line idle held
  log "== $path ($target)"
  # Every path is warmed the same way before it is measured: the relays are long-running JVMs,
  # and their first gigabytes run in the interpreter (the tunnel doubles its rate once compiled).
  log "$path warm-up (not measured)"
  tool throughput --target "$target" --direction up --bytes "$WARMUP_BYTES" --max-seconds 120 >/dev/null 2>&1 || true
  tool throughput --target "$target" --direction down --bytes "$WARMUP_BYTES" --max-seconds 120 >/dev/null 2>&1 || true
  tool latency --target "$target" --messages 20000 --warmup 1000 --max-seconds 120 >/dev/null 2>&1 || true
  for i in $(seq 1 "$RUNS"); do
    log "$path run $i/$RUNS"
    run_json "$path" "$i" throughput --target "$target" --direction up --bytes "$BYTES" --max-seconds 120 >/dev/null
    run_json "$path" "$i" throughput --target "$target" --direction down --bytes "$BYTES" --max-seconds 120 >/dev/null
    run_json "$path" "$i" throughput --target "$target" --direction up --streams 8 --bytes "$BYTES_MULTI" --max-seconds 120 >/dev/null
    run_json "$path" "$i" latency --target "$target" --messages "$LAT_MESSAGES" --warmup "$LAT_WARMUP" --max-seconds 120 >/dev/null
    run_json "$path" "$i" fairness --target "$target" --messages "$FAIR_MESSAGES" --warmup "$FAIR_WARMUP" --max-seconds 120 >/dev/null

    idle=""
    if [[ -n "$jvm" ]]; then
      sleep 1
      idle=$(heap_sample "$jvm") || idle=""
    fi
    local exec_args=()
    [[ -n "$jvm" ]] && exec_args=(--exec "'$BENCH_DIR/lib/heap-sample.sh' $jvm > '$OUT/held-$path-$i.txt'")
    line=$(run_json "$path" "$i" concurrency --target "$target" --streams "$CONC_STREAMS" --hold-seconds "$CONC_HOLD" \
           --parallel "$CONC_PARALLEL" --connect-timeout-ms 20000 --max-seconds 300 "${exec_args[@]}")
    if [[ -n "$idle" && -s "$OUT/held-$path-$i.txt" && "$(json_field "$line" status)" == ok ]]; then
      held=$(cat "$OUT/held-$path-$i.txt")
      local hu iu hr ir
      hu=$(sed -E 's/.*heap_used_bytes=([0-9]+).*/\1/' <<<"$held"); iu=$(sed -E 's/.*heap_used_bytes=([0-9]+).*/\1/' <<<"$idle")
      hr=$(sed -E 's/.*rss_bytes=([0-9]+).*/\1/' <<<"$held"); ir=$(sed -E 's/.*rss_bytes=([0-9]+).*/\1/' <<<"$idle")
      echo "{\"path\":\"$path\",\"run\":$i,\"test\":\"memory\",\"streams\":$CONC_STREAMS,\"pid\":$jvm,\"heap_idle_bytes\":$iu,\"heap_held_bytes\":$hu,\"heap_per_stream_bytes\":$(( (hu - iu) / CONC_STREAMS )),\"rss_idle_bytes\":$ir,\"rss_held_bytes\":$hr,\"rss_per_stream_bytes\":$(( (hr - ir) / CONC_STREAMS )),\"status\":\"ok\"}" >> "$RESULTS"
      log "$path heap idle: $idle; holding $CONC_STREAMS: $held"
    fi
  done
}

# =====================================================================================
# start_homeport_tunnel LOCAL_PORT
#   Starts the Homeport relay server and relay client from the repository-root launchers so that a
#   public port on 127.0.0.1 forwards to 127.0.0.1:LOCAL_PORT:
#     ./homeport-server --control 127.0.0.1:CPORT --ports LO-HI --token T
#     ./homeport tcp LOCALPORT --server 127.0.0.1:CPORT --token T --remote-port RP
#   The client prints one line tcp://HOST:PORT once the tunnel is live; we wait for it.
#   Sets HOMEPORT_ENTRY (HOST:PORT) and HOMEPORT_SERVER_JVM (relay server JVM PID, for jcmd).
#   Returns non-zero with a message when a launcher is missing or fails; the caller skips the column.
# =====================================================================================
HOMEPORT_SERVER_PID=""
HOMEPORT_CLIENT_PID=""
start_homeport_tunnel() {
  local local_port="$1" cport lo hi rp token deadline url
  for launcher in homeport-server homeport; do
    [[ -x "$REPO_ROOT/$launcher" ]] || { log "Homeport skipped: $REPO_ROOT/$launcher is missing or not executable"; return 1; }
  done
  # The launchers build their module on first use. Build both now, one after the other, so no
  # build runs (or rewrites a jar) while a relay is starting or running.
  log "preparing the Homeport launchers (they build on first use; up to 10 min)"
  (cd "$REPO_ROOT" && timeout 600 ./homeport --help) > "$OUT/homeport-build.log" 2>&1 || true
  (cd "$REPO_ROOT" && timeout 600 ./homeport-server --help) >> "$OUT/homeport-build.log" 2>&1 || true
  cport=$(free_port)
  lo=$(free_port); hi=$(( lo + 9 )); rp=$lo
  token=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
  local server_tls=(--state-dir "$OUT/relay-state") client_relay="127.0.0.1:$cport"
  local client_tls=(--known-relays "$OUT/known_relays")
  if (( PLAINTEXT )); then
    server_tls=(--insecure-plaintext); client_tls=(--insecure-plaintext); client_relay="tcp://127.0.0.1:$cport"
  fi
  (cd "$REPO_ROOT" && exec ./homeport-server --control "127.0.0.1:$cport" --ports "$lo-$hi" --token "$token" \
      --max-connections-per-address 1000000 "${server_tls[@]}") \
      > "$OUT/homeport-server.log" 2>&1 &
  HOMEPORT_SERVER_PID=$!
  if ! wait_for_listen "$cport" 60; then
    log "Homeport skipped: relay server did not listen on $cport within 60 s (log: $OUT/homeport-server.log)"
    return 1
  fi
  (cd "$REPO_ROOT" && exec ./homeport tcp "$local_port" --server "$client_relay" --token "$token" --remote-port "$rp" "${client_tls[@]}") \
      > "$OUT/homeport-client.log" 2>&1 &
  HOMEPORT_CLIENT_PID=$!
  deadline=$(( SECONDS + 60 ))
  url=""
  while (( SECONDS < deadline )); do
    url=$(grep -m1 -oE 'tcp://[^[:space:]]+' "$OUT/homeport-client.log" || true)
    [[ -n "$url" ]] && break
    kill -0 "$HOMEPORT_CLIENT_PID" 2>/dev/null || break
    sleep 0.2
  done
  if [[ -z "$url" ]]; then
    log "Homeport skipped: the client printed no tcp://HOST:PORT line within 60 s (log: $OUT/homeport-client.log)"
    return 1
  fi
  HOMEPORT_ENTRY="${url#tcp://}"
  HOMEPORT_SERVER_JVM=$(java_pid_of "$HOMEPORT_SERVER_PID") || HOMEPORT_SERVER_JVM=""
  [[ -n "$HOMEPORT_SERVER_JVM" ]] || log "warning: no JVM found under relay server PID $HOMEPORT_SERVER_PID; heap per stream skipped"
  log "Homeport tunnel live: $url (relay server JVM ${HOMEPORT_SERVER_JVM:-?})"
}

stop_homeport_tunnel() {
  local pid jvm
  for pid in "$HOMEPORT_CLIENT_PID" "$HOMEPORT_SERVER_PID"; do
    [[ -n "$pid" ]] || continue
    jvm=$(java_pid_of "$pid" 2>/dev/null) || jvm=""
    kill_pid "$pid"
    [[ -n "$jvm" && "$jvm" != "$pid" ]] && kill_pid "$jvm"
  done
  HOMEPORT_CLIENT_PID=""; HOMEPORT_SERVER_PID=""
}

# ---- the table, from results.jsonl alone ---------------------------------------------
# values FILE PATH SELECTOR FIELD: FIELD of every ok line of PATH whose text matches SELECTOR (grep -E).
values() {
  local file="$1" path="$2" sel="$3" field="$4" line
  grep -F "{\"path\":\"$path\"," "$file" | grep -E -- "$sel" | while IFS= read -r line; do
    if [[ "$(json_field "$line" status)" == ok || "$field" == opened ]]; then json_field "$line" "$field"; fi
  done || true
}

ratio() { # value / direct, 2 decimals
  local v="$1" d="$2"
  [[ -n "$v" && -n "$d" ]] || { echo ""; return; }
  awk -v v="$v" -v d="$d" 'BEGIN { if (d == 0) print ""; else printf "%.2f", v / d }'
}

render_table() {
  local file="$1" runs streams
  runs=$(grep -oE '"run":[0-9]+' "$file" | cut -d: -f2 | sort -n | tail -1)
  streams=$(grep -F '"test":"concurrency"' "$file" | head -1 | grep -oE '"streams":[0-9]+' | cut -d: -f2)
  row() { # row LABEL SELECTOR FIELD
    local label="$1" sel="$2" field="$3" d v p cells
    # shellcheck disable=SC2046
    d=$(median $(values "$file" direct "$sel" "$field"))
    cells="| $label | ${d:-n/a} |"
    for p in ssh homeport; do
      if grep -qF "{\"path\":\"$p\"," "$file"; then
        # shellcheck disable=SC2046
        v=$(median $(values "$file" "$p" "$sel" "$field"))
        cells+=" ${v:-n/a} | $(ratio "$v" "$d") |"
      else
        cells+=" skipped | |"
      fi
    done
    echo "$cells"
  }
  local up1='"direction":"up","streams":1,' down1='"direction":"down","streams":1,' up8='"direction":"up","streams":8,'
  echo "Medians of ${runs:-?} run(s) from $file; $(nproc) cores, loopback. Ratio = path / direct; n/a = no run finished ok."
  echo
  echo "| metric | direct | ssh -R | ssh / direct | Homeport | Homeport / direct |"
  echo "|---|---|---|---|---|---|"
  row "throughput up, 1 stream (MB/s)" "$up1" mb_per_s
  row "throughput down, 1 stream (MB/s)" "$down1" mb_per_s
  row "throughput up, 8 streams (MB/s, aggregate)" "$up8" mb_per_s
  row "latency p50, 64 B ping-pong (us)" '"test":"latency"' p50_us
  row "latency p99 (us)" '"test":"latency"' p99_us
  row "latency p50 during 1 bulk upload (us)" '"test":"fairness"' p50_us
  row "latency p99 during 1 bulk upload (us)" '"test":"fairness"' p99_us
  row "round trips measured during the upload (of --messages, 20 s cap)" '"test":"fairness"' count
  row "bulk upload during that (MB/s)" '"test":"fairness"' bulk_mb_per_s
  row "open ${streams:-N} echo streams (s)" '"test":"concurrency"' open_seconds
  row "stream open p99 during that ramp (us)" '"test":"concurrency"' open_p99_us
  row "streams opened (of ${streams:-N}; the ramp stops at the first failure)" '"test":"concurrency"' opened
  row "streams live after the hold" '"test":"concurrency"' live_after_hold
  row "heap per held stream (B): direct = serve itself, Homeport = relay server" '"test":"memory"' heap_per_stream_bytes
  row "RSS per held stream (B), same processes" '"test":"memory"' rss_per_stream_bytes
}

if [[ -n "$TABLE_FROM" ]]; then
  render_table "$TABLE_FROM"
  exit 0
fi

# ---- the run -------------------------------------------------------------------------
ensure_jar
SERVE_PORT=$(free_port)
java -jar "$BENCH_JAR" serve --port "$SERVE_PORT" --lifetime-seconds 7200 > "$OUT/serve.log" 2>&1 &
SERVE_PID=$!
STARTED_PIDS+=("$SERVE_PID")
wait_for_listen "$SERVE_PORT" 20 || die "serve did not start: $(cat "$OUT/serve.log")"
log "serve on 127.0.0.1:$SERVE_PORT (pid $SERVE_PID); results in $OUT"

run_suite direct "127.0.0.1:$SERVE_PORT" "$SERVE_PID"

if [[ $SKIP_SSH == 0 ]]; then
  if ssh_tunnel_start "$SERVE_PORT"; then
    run_suite ssh "127.0.0.1:$SSH_TUNNEL_ENTRY_PORT"
    ssh_tunnel_stop
  else
    log "ssh -R skipped: could not start the private sshd or the forward"
  fi
fi

if [[ $SKIP_HOMEPORT == 0 ]]; then
  if start_homeport_tunnel "$SERVE_PORT"; then
    run_suite homeport "$HOMEPORT_ENTRY" "${HOMEPORT_SERVER_JVM:-}"
  fi
  stop_homeport_tunnel
fi


render_table "$RESULTS" | tee "$OUT/table.md"
log "table: $OUT/table.md; raw results: $RESULTS"
