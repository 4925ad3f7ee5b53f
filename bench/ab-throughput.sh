#!/usr/bin/env bash
# A/B single-stream throughput of plaintext Homeport tunnels against the direct path, on loopback,
# with the CPU each relay process spends per GiB moved. For comparing tuning variants in one go:
#
#   bench/ab-throughput.sh [--runs N] [--bytes 2g] [--warmup 4g] [--directions "up down"]
#                          [--no-direct] [--socat] [--ref-hops] [--syscalls] [--fairness]
#                          [--variant 'NAME|JAVA_OPTS|RELAY_FLAGS|CLIENT_FLAGS']...
#
#   e.g.  bench/ab-throughput.sh --runs 5 \
#           --variant 'base|||' \
#           --variant 'pooled|-Dio.netty.allocator.type=pooled||'
#
# Without --variant one tunnel runs as built ("base|||"). JAVA_OPTS of a variant goes to both its
# relay server and its relay client (the launchers pass JAVA_OPTS to the JVM); RELAY_FLAGS are
# extra ./homeport-server flags and CLIENT_FLAGS extra ./homeport tcp flags (split on spaces).
#
# What it does: starts one `serve` far end, then one relay server + relay client pair per variant
# (plaintext, fixed free ports, all on 127.0.0.1; the pairs sit idle while another is measured),
# warms every pair up (each JVM's first gigabytes run in the interpreter), then runs N rounds.
# Each round measures, per direction, every path once (direct and each variant) in an order that
# rotates from round to round, so that other load on the machine spreads over all paths alike.
# Per run it records MB/s and the utime+stime (/proc/PID/stat) the relay server and relay client
# spent during the run, as CPU-seconds per GiB. The summary prints medians per path and direction,
# the throughput ratio to the direct median, and relay / client / total CPU s/GiB. CPU per GiB is
# the figure to trust when other work shares the two cores; throughput moves with that work.
#
# --socat adds a reference path of two socat hops (256 KiB buffers, one fork per connection) in
# place of the relay server and the relay client: the same sockets and copies, no framing. Its CPU
# columns are the two socat processes (their children's time, reaped after each run, included).
#
# --ref-hops adds two more reference paths of two hops each, built from bench/ref/fwd.c (needs gcc):
# `splice2` moves the bytes with splice(2) and never copies them into user space, `copy2` reads and
# writes through a 256 KiB buffer. Same forwarder, same threads: the difference is the cost of the
# two user-space copies per hop, and `splice2` bounds what zero-copy forwarding could reach here.
#
# --fairness adds, to each round, one `fairness` run per path (2,000 64-byte round trips while one
# bulk upload shares the path, see bench/README.md) and prints the medians of its p50/p99 and of the
# bulk MB/s during it: the head-of-line cost a tuning variant trades against throughput.
#
# --syscalls adds, after the rounds, one extra run per variant and direction with `strace -c -f`
# attached to the relay and the client, and prints syscalls per GiB (strace slows the run down;
# only the counts mean anything).
#
# Output: bench/target/ab-results/<time>/{runs.tsv,summary.txt,*.log}. Every process started here
# is stopped by its PID on exit (normal end, error or signal); each tool run is bounded by --max-seconds.

set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

RUNS=5
BYTES=2g
WARMUP=4g
DIRECTIONS="up down"
DIRECT=1
SYSCALLS=0
SOCAT=0
REF_HOPS=0
FAIRNESS=0
declare -a VARIANTS=()
while (( $# )); do
  case "$1" in
    --runs) RUNS="$2"; shift ;;
    --bytes) BYTES="$2"; shift ;;
    --warmup) WARMUP="$2"; shift ;;
    --directions) DIRECTIONS="$2"; shift ;;
    --no-direct) DIRECT=0 ;;
    --syscalls) SYSCALLS=1 ;;
    --socat) SOCAT=1 ;;
    --ref-hops) REF_HOPS=1 ;;
    --fairness) FAIRNESS=1 ;;
    --variant) VARIANTS+=("$2"); shift ;;
    *) die "unknown option $1 (see the header of $0)" ;;
  esac
  shift
done
(( ${#VARIANTS[@]} )) || VARIANTS=("base|||")

OUT="$BENCH_DIR/target/ab-results/$(date +%Y%m%d-%H%M%S)"
mkdir -p "$OUT"
TSV="$OUT/runs.tsv"
HZ=$(getconf CLK_TCK)
declare -a STARTED_PIDS=()

cleanup() {
  local pid
  for pid in "${STARTED_PIDS[@]}"; do kill_pid "$pid"; done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

tool() { java -jar "$BENCH_JAR" "$@"; }

# cpu_ticks PID: utime + stime of the process (all its threads) and of its reaped children, in clock ticks.
cpu_ticks() { awk '{ print $14 + $15 + $16 + $17 }' "/proc/$1/stat" 2>/dev/null || echo 0; }

bytes_of() { # 2g / 512m / 64k / plain -> bytes
  local v="${1,,}"
  case "$v" in
    *g) echo $(( ${v%g} * 1024 * 1024 * 1024 )) ;;
    *m) echo $(( ${v%m} * 1024 * 1024 )) ;;
    *k) echo $(( ${v%k} * 1024 )) ;;
    *) echo "$v" ;;
  esac
}
GIB=$(awk -v b="$(bytes_of "$BYTES")" 'BEGIN { printf "%.6f", b / 1073741824 }')

# ---- the far end and the tunnels ---------------------------------------------------------
ensure_jar
log "preparing the launchers (they build on first use)"
(cd "$REPO_ROOT" && timeout 600 ./homeport --help && timeout 600 ./homeport-server --help) > "$OUT/launcher-build.log" 2>&1 \
  || die "the launchers failed: $OUT/launcher-build.log"

SERVE_PORT=$(free_port)
java -jar "$BENCH_JAR" serve --port "$SERVE_PORT" --lifetime-seconds 7200 > "$OUT/serve.log" 2>&1 &
STARTED_PIDS+=("$!")
wait_for_listen "$SERVE_PORT" 20 || die "serve did not start: $(cat "$OUT/serve.log")"

declare -a NAMES=() ENTRIES=() RELAY_PIDS=() CLIENT_PIDS=()
start_variant() {
  local spec="$1" name opts rflags cflags cport lo token url deadline
  IFS='|' read -r name opts rflags cflags <<<"$spec"
  [[ -n "$name" ]] || die "variant '$spec' has no name"
  cport=$(free_port); lo=$(free_port)
  token=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
  # shellcheck disable=SC2086  # flags are split on spaces on purpose
  (cd "$REPO_ROOT" && JAVA_OPTS="$opts" exec ./homeport-server --control "127.0.0.1:$cport" --ports "$lo-$lo" \
      --token "$token" --admin "" --insecure-plaintext $rflags) > "$OUT/relay-$name.log" 2>&1 &
  local rpid=$!
  STARTED_PIDS+=("$rpid")
  wait_for_listen "$cport" 60 || die "relay $name did not listen (log: $OUT/relay-$name.log)"
  # shellcheck disable=SC2086
  (cd "$REPO_ROOT" && JAVA_OPTS="$opts" exec ./homeport tcp "$SERVE_PORT" --server "tcp://127.0.0.1:$cport" \
      --token "$token" --remote-port "$lo" --insecure-plaintext --state-dir "$OUT/state-$name" $cflags) \
      > "$OUT/client-$name.log" 2>&1 &
  local cpid=$!
  STARTED_PIDS+=("$cpid")
  deadline=$(( SECONDS + 60 )); url=""
  while (( SECONDS < deadline )); do
    url=$(grep -m1 -oE 'tcp://[^[:space:]]+' "$OUT/client-$name.log" 2>/dev/null || true)
    [[ -n "$url" ]] && break
    kill -0 "$cpid" 2>/dev/null || break
    sleep 0.2
  done
  [[ -n "$url" ]] || die "client $name printed no tcp:// line (log: $OUT/client-$name.log)"
  [[ "$(cat "/proc/$rpid/comm")" == java && "$(cat "/proc/$cpid/comm")" == java ]] \
    || die "launcher did not exec java for $name; CPU would be measured on the wrong process"
  NAMES+=("$name"); ENTRIES+=("${url#tcp://}"); RELAY_PIDS+=("$rpid"); CLIENT_PIDS+=("$cpid")
  log "variant $name: $url relay=$rpid client=$cpid JAVA_OPTS='$opts' relay+='$rflags' client+='$cflags'"
}
for spec in "${VARIANTS[@]}"; do start_variant "$spec"; done

# socat: two hops, the first in the relay's place and the second in the client's.
if (( SOCAT )); then
  command -v socat >/dev/null || die "--socat needs socat"
  p1=$(free_port); p2=$(free_port)
  socat -b 262144 "TCP-LISTEN:$p2,bind=127.0.0.1,reuseaddr,fork" "TCP:127.0.0.1:$SERVE_PORT" 2>"$OUT/socat2.log" &
  s2=$!; STARTED_PIDS+=("$s2")
  socat -b 262144 "TCP-LISTEN:$p1,bind=127.0.0.1,reuseaddr,fork" "TCP:127.0.0.1:$p2" 2>"$OUT/socat1.log" &
  s1=$!; STARTED_PIDS+=("$s1")
  wait_for_listen "$p1" 10 && wait_for_listen "$p2" 10 || die "socat did not listen"
  NAMES+=(socat2); ENTRIES+=("127.0.0.1:$p1"); RELAY_PIDS+=("$s1"); CLIENT_PIDS+=("$s2"); VARIANTS+=("two socat hops, -b 262144")
  log "socat reference: 127.0.0.1:$p1 -> 127.0.0.1:$p2 -> serve"
fi

# fwd: two hops with splice(2), two with read/write (bench/ref/fwd.c).
if (( REF_HOPS )); then
  command -v gcc >/dev/null || die "--ref-hops needs gcc"
  gcc -O2 -pthread -o "$OUT/fwd" "$BENCH_DIR/ref/fwd.c" || die "building bench/ref/fwd.c failed"
  for mode in splice copy; do
    p1=$(free_port); p2=$(free_port)
    "$OUT/fwd" "$p2" "$SERVE_PORT" "$mode" 2>"$OUT/fwd-$mode-2.log" &
    h2=$!; STARTED_PIDS+=("$h2")
    "$OUT/fwd" "$p1" "$p2" "$mode" 2>"$OUT/fwd-$mode-1.log" &
    h1=$!; STARTED_PIDS+=("$h1")
    wait_for_listen "$p1" 10 && wait_for_listen "$p2" 10 || die "fwd $mode did not listen"
    NAMES+=("${mode}2"); ENTRIES+=("127.0.0.1:$p1"); RELAY_PIDS+=("$h1"); CLIENT_PIDS+=("$h2")
    VARIANTS+=("two bench/ref/fwd.c hops, $mode")
    log "fwd $mode reference: 127.0.0.1:$p1 -> 127.0.0.1:$p2 -> serve"
  done
fi

# Path index -1 is direct.
declare -a PATHS=()
(( DIRECT )) && PATHS+=(-1)
for i in "${!NAMES[@]}"; do PATHS+=("$i"); done
is_reference() { [[ "${NAMES[$1]}" == socat2 || "${NAMES[$1]}" == splice2 || "${NAMES[$1]}" == copy2 ]]; }
path_name() { if (( $1 < 0 )); then echo direct; else echo "${NAMES[$1]}"; fi; }
path_target() { if (( $1 < 0 )); then echo "127.0.0.1:$SERVE_PORT"; else echo "${ENTRIES[$1]}"; fi; }

# Two passes: after one, the first measured round still cost more CPU per GiB than the later ones.
log "warm-up: 2 x $WARMUP per direction per tunnel (not measured)"
for i in "${!NAMES[@]}"; do
  is_reference "$i" && continue
  for d in up down up down; do
    tool throughput --target "${ENTRIES[$i]}" --direction "$d" --bytes "$WARMUP" --max-seconds 120 >/dev/null 2>&1 || true
  done
done
tool throughput --target "127.0.0.1:$SERVE_PORT" --direction up --bytes "$WARMUP" --max-seconds 120 >/dev/null 2>&1 || true

# measure P DIR ROUND: one run, one TSV row.
printf 'round\tdirection\tpath\tstatus\tmb_per_s\trelay_cpu_s_per_gib\tclient_cpu_s_per_gib\n' > "$TSV"
measure() {
  local p="$1" dir="$2" round="$3" name target line mbs status r0 c0 r1 c1 rc cc
  name=$(path_name "$p"); target=$(path_target "$p")
  if (( p >= 0 )); then r0=$(cpu_ticks "${RELAY_PIDS[$p]}"); c0=$(cpu_ticks "${CLIENT_PIDS[$p]}"); fi
  line=$(tool throughput --target "$target" --direction "$dir" --bytes "$BYTES" --max-seconds 120 2>>"$OUT/tool-errors.log" \
         | tee -a "$OUT/tool.log" | grep '^{' | tail -1) || true
  status=$(json_field "$line" status); mbs=$(json_field "$line" mb_per_s)
  rc=""; cc=""
  if (( p >= 0 )); then
    [[ "$name" == socat2 ]] && sleep 0.5   # the forked children exit and are reaped after the tool's EOF
    r1=$(cpu_ticks "${RELAY_PIDS[$p]}"); c1=$(cpu_ticks "${CLIENT_PIDS[$p]}")
    rc=$(awk -v t=$(( r1 - r0 )) -v hz="$HZ" -v g="$GIB" 'BEGIN { printf "%.3f", t / hz / g }')
    cc=$(awk -v t=$(( c1 - c0 )) -v hz="$HZ" -v g="$GIB" 'BEGIN { printf "%.3f", t / hz / g }')
  fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$dir" "$name" "${status:-none}" "$mbs" "$rc" "$cc" >> "$TSV"
  log "round $round $dir $name: ${mbs:-?} MB/s status=${status:-none} relay=${rc:--} client=${cc:--} CPU s/GiB"
}

# fair P ROUND: one fairness run, one row in fairness.tsv.
FAIR_TSV="$OUT/fairness.tsv"
printf 'round\tpath\tstatus\tp50_us\tp99_us\tbulk_mb_per_s\n' > "$FAIR_TSV"
fair() {
  local p="$1" round="$2" name line
  name=$(path_name "$p")
  line=$(tool fairness --target "$(path_target "$p")" --messages 2000 --warmup 500 --max-seconds 90 2>>"$OUT/tool-errors.log" \
         | tee -a "$OUT/tool.log" | grep '^{' | tail -1) || true
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$name" "$(json_field "$line" status)" "$(json_field "$line" p50_us)" \
    "$(json_field "$line" p99_us)" "$(json_field "$line" bulk_mb_per_s)" >> "$FAIR_TSV"
  log "round $round fairness $name: p50=$(json_field "$line" p50_us) us p99=$(json_field "$line" p99_us) us bulk=$(json_field "$line" bulk_mb_per_s) MB/s"
}

n=${#PATHS[@]}
for round in $(seq 1 "$RUNS"); do
  for dir in $DIRECTIONS; do
    for k in $(seq 0 $(( n - 1 ))); do
      measure "${PATHS[$(( (k + round - 1) % n ))]}" "$dir" "$round"
    done
  done
  if (( FAIRNESS )); then
    for k in $(seq 0 $(( n - 1 ))); do
      fair "${PATHS[$(( (k + round - 1) % n ))]}" "$round"
    done
  fi
done

# ---- summary -------------------------------------------------------------------------------
# med: the median of the numbers on stdin, 3 decimals ("" when none).
med() { sort -g | awk '{ a[NR] = $1 } END { if (NR) printf "%.3f", (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
col() { # col DIR PATH FIELD_NO: that column of the ok rows
  awk -F'\t' -v d="$1" -v p="$2" -v f="$3" 'NR > 1 && $2 == d && $3 == p && $4 == "ok" { print $f }' "$TSV"
}
{
  echo "A/B throughput, $(date '+%Y-%m-%d %H:%M:%S'), $(nproc) cores, $RUNS round(s) of $BYTES per run, single stream, plaintext, loopback"
  echo "medians; ratio = path / direct median; CPU = utime+stime of the process during the run, seconds per GiB moved"
  for i in "${!NAMES[@]}"; do echo "  ${NAMES[$i]}: ${VARIANTS[$i]}"; done
  printf '%-5s %-16s %4s %9s %6s %10s %11s %10s\n' dir path ok MB/s ratio relay_cpu client_cpu total_cpu
  for dir in $DIRECTIONS; do
    d=$(col "$dir" direct 5 | med)
    for p in "${PATHS[@]}"; do
      name=$(path_name "$p")
      m=$(col "$dir" "$name" 5 | med); ok=$(col "$dir" "$name" 5 | wc -l)
      ratio=$( [[ -n "$d" && -n "$m" ]] && awk -v m="$m" -v d="$d" 'BEGIN { printf "%.2f", m / d }' || echo "")
      if (( p >= 0 )); then
        rc=$(col "$dir" "$name" 6 | med); cc=$(col "$dir" "$name" 7 | med)
        tc=$(awk -F'\t' -v d="$dir" -v p="$name" 'NR > 1 && $2 == d && $3 == p && $4 == "ok" { print $6 + $7 }' "$TSV" | med)
      else rc="-"; cc="-"; tc="-"; fi
      printf '%-5s %-16s %4s %9s %6s %10s %11s %10s\n' "$dir" "$name" "$ok/$RUNS" "${m:-n/a}" "${ratio:--}" "$rc" "$cc" "$tc"
    done
  done
  if (( FAIRNESS )); then
    echo "fairness: 64-byte round trips while one bulk upload shares the path (medians)"
    printf '%-16s %4s %9s %9s %10s\n' path ok p50_us p99_us bulk_MB/s
    for p in "${PATHS[@]}"; do
      name=$(path_name "$p")
      fcol() { awk -F'\t' -v p="$name" -v f="$1" 'NR > 1 && $2 == p && $3 == "ok" { print $f }' "$FAIR_TSV"; }
      printf '%-16s %4s %9s %9s %10s\n' "$name" "$(fcol 4 | wc -l)/$RUNS" "$(fcol 4 | med)" "$(fcol 5 | med)" "$(fcol 6 | med)"
    done
  fi
} | tee "$OUT/summary.txt"

# ---- optional syscall counts ------------------------------------------------------------------
if (( SYSCALLS )); then
  command -v strace >/dev/null || die "--syscalls needs strace"
  for i in "${!NAMES[@]}"; do
    is_reference "$i" && continue
    for dir in $DIRECTIONS; do
      for role in relay client; do
        local_pid=${RELAY_PIDS[$i]}; [[ $role == client ]] && local_pid=${CLIENT_PIDS[$i]}
        strace -qq -c -f -p "$local_pid" -o "$OUT/strace-${NAMES[$i]}-$dir-$role.txt" &
        spid=$!
        STARTED_PIDS+=("$spid")
        sleep 1
        tool throughput --target "${ENTRIES[$i]}" --direction "$dir" --bytes "$BYTES" --max-seconds 300 >/dev/null 2>&1 || true
        kill -INT "$spid" 2>/dev/null || true
        wait "$spid" 2>/dev/null || true
        echo "syscalls per GiB, ${NAMES[$i]} $dir $role (strace -c; idle second before the run included):"
        awk -v g="$GIB" '$1 ~ /^[0-9.]+$/ && NF >= 5 { name = $NF; calls = $4; if (calls ~ /^[0-9]+$/ && calls / g >= 100) printf "  %-16s %12.0f\n", name, calls / g }' \
          "$OUT/strace-${NAMES[$i]}-$dir-$role.txt" | sort -k2 -g -r
      done
    done
  done | tee -a "$OUT/summary.txt"
fi
log "runs: $TSV; summary: $OUT/summary.txt"
