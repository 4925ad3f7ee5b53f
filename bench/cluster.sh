#!/usr/bin/env bash
# Issue #12's cluster benchmark, on loopback: 3 etcd members, 3 homeport-server relays (127.0.0.1-3, same
# ports, --etcd, plaintext control and peer links), serve as the far end, then
#   1. throughput through relay 2 (local: the client is bound there), through relay 1 (forwarded over the
#      peer link) and direct, with the relays' CPU seconds per GiB;
#   2. a bind storm of CLIENTS clients at once (bench/cluster/BindStorm.java, in one JVM) until every name is
#      bound and served through a relay other than its own;
#   3. kill -9 of relay 2, until every name it held answers through a survivor; relay 2 is then restarted.
# Usage: bench/cluster.sh [--runs 3] [--bytes 256m] [--clients 200]
# Results: bench/target/cluster-results/<time>/{results.jsonl,summary.md,*.log}. Every process this
# script starts is stopped by its PID on exit.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

RUNS=3; BYTES=256m; CLIENTS=200
while (( $# )); do
  case "$1" in
    --runs) RUNS="$2"; shift 2 ;;
    --bytes) BYTES="$2"; shift 2 ;;
    --clients) CLIENTS="$2"; shift 2 ;;
    *) die "unknown option $1 (see the header of $0)" ;;
  esac
done
(( RUNS >= 1 && RUNS <= 20 && CLIENTS >= 1 && CLIENTS <= 1000 )) || die "--runs 1..20, --clients 1..1000"

OUT="$BENCH_DIR/target/cluster-results/$(date +%Y%m%d-%H%M%S)"
mkdir -p "$OUT"
RESULTS="$OUT/results.jsonl"
HZ=$(getconf CLK_TCK)
TOKEN=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
declare -a STARTED_PIDS=()
declare -A RELAY_PID=()

cleanup() {
  local i
  # Newest first: the clients and relays stop before the etcd they talk to.
  for (( i = ${#STARTED_PIDS[@]} - 1; i >= 0; i-- )); do kill_pid "${STARTED_PIDS[i]}"; done
  rm -rf "$OUT/etcd"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

[[ -x /usr/bin/etcd ]] || die "/usr/bin/etcd is missing (Debian: apt-get install etcd-server)"
APP_JAR=$(ls "$REPO_ROOT"/app/target/homeport-app-*.jar 2>/dev/null | grep -v -e sources -e tests | head -1 || true)
[[ -n "$APP_JAR" && -d "$REPO_ROOT/app/target/lib" ]] \
  || die "build first: ./mvnw -B -q -o -pl app,bench -am package -DskipTests"
[[ -f "$BENCH_JAR" ]] || die "missing $BENCH_JAR; build first (same command)"

# cpu_ticks PID: utime + stime of the process (all its threads), in clock ticks.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }

# free_block N: the first of N consecutive ports nobody listens on (any address), in 20000-29999.
free_block() {
  local n="$1" i p q busy
  for i in $(seq 1 50); do
    p=$(( 20000 + RANDOM % (10000 - n) ))
    busy=$(ss -Htln | awk -v lo="$p" -v hi="$(( p + n - 1 ))" '{ sub(/.*:/, "", $4); if ($4 >= lo && $4 <= hi) print $4 }' | head -1)
    [[ -z "$busy" ]] && { echo "$p"; return 0; }
  done
  die "no $n free consecutive ports found"
}

# ---- etcd: three members ----------------------------------------------------------------
ETCD_URLS=(); INITIAL=()
for m in 0 1 2; do
  CP[m]=$(free_port); PP[m]=$(free_port); MP[m]=$(free_port)
  INITIAL+=("m$m=http://127.0.0.1:${PP[m]}")
  ETCD_URLS+=("http://127.0.0.1:${CP[m]}")
done
mkdir -p "$OUT/etcd"
for m in 0 1 2; do
  /usr/bin/etcd --name "m$m" --data-dir "$OUT/etcd/m$m" \
    --listen-client-urls "${ETCD_URLS[m]}" --advertise-client-urls "${ETCD_URLS[m]}" \
    --listen-metrics-urls "http://127.0.0.1:${MP[m]}" \
    --listen-peer-urls "http://127.0.0.1:${PP[m]}" --initial-advertise-peer-urls "http://127.0.0.1:${PP[m]}" \
    --initial-cluster "$(IFS=,; echo "${INITIAL[*]}")" --initial-cluster-state new --initial-cluster-token homeport-bench \
    --heartbeat-interval 50 --election-timeout 500 --log-level warn > "$OUT/etcd-m$m.log" 2>&1 &
  STARTED_PIDS+=("$!")
done
for m in 0 1 2; do
  for i in $(seq 1 200); do
    curl -fsS "http://127.0.0.1:${MP[m]}/health" 2>/dev/null | grep -q '"health":"true"' && break
    (( i == 200 )) && die "etcd member m$m not healthy within 20 s (log: $OUT/etcd-m$m.log)"
    sleep 0.1
  done
done
ETCD=$(IFS=,; echo "${ETCD_URLS[*]}")
log "etcd: $ETCD"

# ---- serve and the relays ---------------------------------------------------------------
SERVE_PORT=$(free_port)
java -jar "$BENCH_JAR" serve --port "$SERVE_PORT" --lifetime-seconds 7200 > "$OUT/serve.log" 2>&1 &
STARTED_PIDS+=("$!")
wait_for_listen "$SERVE_PORT" 20 || die "serve did not start: $(cat "$OUT/serve.log")"

PUBLIC_PORTS=$(( CLIENTS * 3 + 10 ))   # a name's port is kept for its token for the grace after a run
BASE=$(free_block $(( PUBLIC_PORTS + 2 )))
# Every client shares one token: lift the per-token caps (32 sessions, 256 tunnels by default) above the storm.
TOKEN_LIMIT=$(( CLIENTS * 4 + 10 ))
echo "a-cluster-secret-for-the-homeport-bench-$TOKEN" > "$OUT/peer-secret"

# start_relay N ID: relay N on 127.0.0.N (control BASE, peer BASE+1, public BASE+2...); waits until it listens.
start_relay() {
  local n="$1" id="$2" host="127.0.0.$1" i
  (cd "$REPO_ROOT" && exec ./homeport-server --control "$host:$BASE" --ports "$(( BASE + 2 ))-$(( BASE + 1 + PUBLIC_PORTS ))" \
      --bind-address "$host" --admin "" --insecure-plaintext --token "$TOKEN" \
      --state-dir "$OUT/state-$id" --reconnect-grace 5s --shutdown-grace 1s --ping-interval 500ms --keepalive-timeout 2s \
      --max-connections-per-address 1000000 --max-sessions-per-token "$TOKEN_LIMIT" --max-tunnels-per-token "$TOKEN_LIMIT" \
      --relay-id "$id" --peer-address "$host:$(( BASE + 1 ))" \
      --peer-secret-file "$OUT/peer-secret" --etcd "$ETCD" --etcd-prefix /homeport-bench/ --registry-ttl 3s) \
      > "$OUT/relay-$id.log" 2>&1 &
  RELAY_PID[$n]=$!
  STARTED_PIDS+=("$!")
  for i in $(seq 1 600); do
    grep -q '^homeport relay listening' "$OUT/relay-$id.log" && return 0
    kill -0 "${RELAY_PID[$n]}" 2>/dev/null || die "relay $id exited (log: $OUT/relay-$id.log)"
    sleep 0.1
  done
  die "relay $id did not listen within 60 s (log: $OUT/relay-$id.log)"
}
for n in 1 2 3; do start_relay "$n" "relay-$n"; done
log "relays on 127.0.0.1-3:$BASE (pids ${RELAY_PID[1]} ${RELAY_PID[2]} ${RELAY_PID[3]}), serve on 127.0.0.1:$SERVE_PORT"

# ---- 1. forwarded vs local vs direct throughput -----------------------------------------
(cd "$REPO_ROOT" && exec ./homeport tcp "$SERVE_PORT" --name bench --server "tcp://127.0.0.2:$BASE" --token "$TOKEN" \
    --insecure-plaintext --state-dir "$OUT/state-client") > "$OUT/client.log" 2>&1 &
CLIENT_PID=$!
STARTED_PIDS+=("$CLIENT_PID")
URL=""
for i in $(seq 1 600); do
  URL=$(grep -m1 -oE 'tcp://[^[:space:]]+' "$OUT/client.log" || true)
  [[ -n "$URL" ]] && break
  kill -0 "$CLIENT_PID" 2>/dev/null || die "the client exited (log: $OUT/client.log)"
  sleep 0.1
done
[[ -n "$URL" ]] || die "the client printed no tcp:// line within 60 s (log: $OUT/client.log)"
PORT=${URL##*:}
log "client bound on relay 2: $URL"

declare -A TARGET=([direct]="127.0.0.1:$SERVE_PORT" [local]="127.0.0.2:$PORT" [forwarded]="127.0.0.1:$PORT")
BYTES_1=$(numfmt --from=iec "${BYTES^^}")
BYTES_8=$(( BYTES_1 / 8 ))
# measure PATH RUN DIRECTION STREAMS PER_STREAM_BYTES: one throughput run, tagged, with the relays' CPU per GiB.
measure() {
  local path="$1" run="$2" dir="$3" streams="$4" bytes="$5" before=() after=() n line cpu gib
  for n in 1 2 3; do before[n]=$(cpu_ticks "${RELAY_PID[$n]}"); done
  local client_before; client_before=$(cpu_ticks "$CLIENT_PID")
  line=$(java -jar "$BENCH_JAR" throughput --target "${TARGET[$path]}" --direction "$dir" --streams "$streams" \
         --bytes "$bytes" --max-seconds 120 2>>"$OUT/tool-errors.log" | grep '^{' | tail -1) || true
  for n in 1 2 3; do after[n]=$(cpu_ticks "${RELAY_PID[$n]}"); done
  [[ -n "$line" ]] || { log "no result: $path $dir x$streams (see $OUT/tool-errors.log)"; return 0; }
  gib=$(awk -v b="$bytes" -v s="$streams" 'BEGIN { printf "%.6f", b * s / 1073741824 }')
  cpu=$(awk -v a="$(( after[1] + after[2] + after[3] - before[1] - before[2] - before[3] ))" -v hz="$HZ" -v g="$gib" \
        'BEGIN { printf "%.3f", a / hz / g }')
  local ccpu; ccpu=$(awk -v a="$(( $(cpu_ticks "$CLIENT_PID") - client_before ))" -v hz="$HZ" -v g="$gib" 'BEGIN { printf "%.3f", a / hz / g }')
  echo "{\"path\":\"$path\",\"run\":$run,\"relays_cpu_s_per_gib\":$cpu,\"client_cpu_s_per_gib\":$ccpu,${line#\{}" >> "$RESULTS"
  log "$path $dir x$streams: $(json_field "$line" mb_per_s) MB/s, relays $cpu CPU-s/GiB [$(json_field "$line" status)]"
}

log "warm-up (not measured): 1 GiB each way through local and forwarded"
for path in local forwarded; do
  for dir in up down; do
    java -jar "$BENCH_JAR" throughput --target "${TARGET[$path]}" --direction "$dir" --bytes 512m --max-seconds 120 >/dev/null 2>&1 || true
  done
done
ORDERS=("direct local forwarded" "forwarded direct local" "local forwarded direct")
for run in $(seq 1 "$RUNS"); do
  log "throughput round $run/$RUNS"
  for path in ${ORDERS[$(( (run - 1) % 3 ))]}; do
    for dir in up down; do
      measure "$path" "$run" "$dir" 1 "$BYTES_1"
      measure "$path" "$run" "$dir" 8 "$BYTES_8"
    done
  done
done

# ---- 2 and 3. bind storm, then kill -9 of relay 2 ---------------------------------------
RELAYS="127.0.0.1:$BASE,127.0.0.2:$BASE,127.0.0.3:$BASE"
for run in $(seq 1 "$RUNS"); do
  log "bind storm $run/$RUNS: $CLIENTS clients at once, then kill -9 of relay 2 (pid ${RELAY_PID[2]})"
  java -Xmx1g -cp "$APP_JAR:$REPO_ROOT/app/target/lib/*" "$BENCH_DIR/cluster/BindStorm.java" \
      "$RELAYS" "$TOKEN" "$CLIENTS" "$SERVE_PORT" 120 "${RELAY_PID[2]}" 127.0.0.2 \
      > "$OUT/storm-$run.out" 2> "$OUT/storm-$run.log" &
  STORM_PID=$!
  STARTED_PIDS+=("$STORM_PID")
  wait "$STORM_PID" || log "storm run $run failed (see $OUT/storm-$run.log)"
  grep '^{' "$OUT/storm-$run.out" | sed "s/^{/{\"path\":\"cluster\",\"run\":$run,/" | tee -a "$RESULTS" >&2 || true
  kill_pid "${RELAY_PID[2]}"   # killed by BindStorm already, unless the run failed before
  sleep 4                      # past --registry-ttl, so the dead relay's lease has lapsed
  (( run < RUNS )) && start_relay 2 "relay-2-r$run"
done

# ---- summary ----------------------------------------------------------------------------
sel() { grep -F "\"path\":\"$1\"" "$RESULTS" | grep -F "$2" | grep -F '"status":"ok"' || true; }
med() { # med PATH SELECTOR FIELD
  local v=() line
  while IFS= read -r line; do [[ -n "$line" ]] && v+=("$(json_field "$line" "$3")"); done < <(sel "$1" "$2")
  median "${v[@]}"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b == 0) print "n/a"; else printf "%.2f", a / b }'; }
{
  echo "Medians of $RUNS run(s), $(date -u +%Y-%m-%d), $(nproc) cores, loopback; $OUT"
  echo
  echo "| throughput | direct (MB/s) | local, relay 2 (MB/s) | forwarded, relay 1 -> 2 (MB/s) | fwd / local | fwd / direct | relays CPU-s/GiB local | relays CPU-s/GiB forwarded |"
  echo "|---|---|---|---|---|---|---|---|"
  for dir in up down; do
    for s in 1 8; do
      key="\"direction\":\"$dir\",\"streams\":$s,"
      d=$(med direct "$key" mb_per_s); l=$(med local "$key" mb_per_s); f=$(med forwarded "$key" mb_per_s)
      echo "| $dir, $s stream(s), $BYTES total | $d | $l | $f | $(ratio "$f" "$l") | $(ratio "$f" "$d") | $(med local "$key" relays_cpu_s_per_gib) | $(med forwarded "$key" relays_cpu_s_per_gib) |"
    done
  done
  echo
  echo "| $CLIENTS clients | median (ms) |"
  echo "|---|---|"
  echo "| bind storm: all connected (sessions up) | $(med cluster '"bind_storm"' all_connected_ms) |"
  echo "| bind storm: first bound | $(med cluster '"bind_storm"' first_bound_ms) |"
  echo "| bind storm: all bound | $(med cluster '"bind_storm"' bound_ms) |"
  echo "| bind storm: all served through another relay | $(med cluster '"bind_storm"' served_ms) |"
  echo "| kill -9 of relay 2: its clients (median count $(med cluster '"failover"' victims)) all reconnected | $(med cluster '"failover"' reconnected_ms) |"
  echo "| kill -9 of relay 2: first of its names served through a survivor | $(med cluster '"failover"' first_served_ms) |"
  echo "| kill -9 of relay 2: every one of its names served through a survivor | $(med cluster '"failover"' all_served_ms) |"
} | tee "$OUT/summary.md"
