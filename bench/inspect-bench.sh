#!/usr/bin/env bash
# The request inspector's cost: HTTP requests per second through one relay's HTTP port to nginx,
# by two clients side by side, one with the inspector (default settings) and one with --no-inspect,
# measured by wrk in interleaved runs; then each client JVM's heap after a full GC (jcmd).
# Everything on loopback; every wrk run is bounded by --duration. Needs nginx, wrk, jcmd.
# Usage: bench/inspect-bench.sh [RUNS] [SECONDS] [CONNECTIONS]   (defaults 5 10 16)
set -euo pipefail
runs="${1:-5}"; seconds="${2:-10}"; conns="${3:-16}"
root="$(cd "$(dirname "$0")/.." && pwd)"
out="$(mktemp -d /tmp/inspect-bench.XXXXXX)"
base=$((30000 + RANDOM % 20000))
nport=$base; cport=$((base + 1)); hport=$((base + 2)); iport=$((base + 3)); lo=$((base + 40)); hi=$((base + 49))
token="inspect-bench-$RANDOM"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

mkdir -p "$out/www" "$out/logs"
head -c 1024 /dev/zero | tr '\0' 'a' > "$out/www/f"
cat > "$out/nginx.conf" <<CONF
daemon off; worker_processes 1; pid $out/nginx.pid; error_log $out/logs/error.log;
events { worker_connections 1024; }
http { access_log off; server { listen 127.0.0.1:$nport; root $out/www; keepalive_requests 1000000; } }
CONF
nginx -p "$out" -c "$out/nginx.conf" & pids+=($!)

(cd "$root" && exec ./homeport-server --control "127.0.0.1:$cport" --ports "$lo-$hi" --token "$token" --insecure-plaintext \
    --http "127.0.0.1:$hport" --domain localhost --admin "" > "$out/relay.log" 2>&1) & pids+=($!)
for _ in $(seq 120); do grep -q relay_started "$out/relay.log" 2>/dev/null && break; sleep 0.5; done
start_client() { # NAME EXTRA_ARGS...
  local name="$1"; shift
  (cd "$root" && exec ./homeport http "$nport" --hostname "$name" --server "tcp://127.0.0.1:$cport" --token "$token" \
      --insecure-plaintext --state-dir "$out/state-$name" "$@" > "$out/$name.log" 2>&1) & pids+=($!)
}
start_client on --inspect "127.0.0.1:$iport"
start_client off --no-inspect
for name in on off; do
  for _ in $(seq 120); do grep -q "http://$name.localhost" "$out/$name.log" 2>/dev/null && break; sleep 0.5; done
done
jvm_of() { pgrep -f -- "--hostname $1 --server tcp://127.0.0.1:$cport" | head -1; }

rps() { # NAME -> requests/s of one wrk run
  wrk -t1 -c"$conns" -d"${seconds}s" -H "Host: $1.localhost" "http://127.0.0.1:$hport/f" > "$out/wrk-$1.txt"
  awk '/Requests\/sec/ {print $2}' "$out/wrk-$1.txt"
}
total() { awk '/requests in/ {print $1}' "$out/wrk-$1.txt"; }
for _ in 1 2; do rps on > /dev/null; rps off > /dev/null; done   # warm-up (JIT), not counted
declare -a on_rps off_rps
on_requests=0
for i in $(seq "$runs"); do
  if (( i % 2 )); then a=on; b=off; else a=off; b=on; fi
  for n in $a $b; do
    r=$(rps $n)
    if [[ $n == on ]]; then on_rps+=("$r"); on_requests=$((on_requests + $(total on))); else off_rps+=("$r"); fi
    echo "run $i $n: $r req/s ($(total $n) requests)"
  done
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
mon=$(median "${on_rps[@]}"); moff=$(median "${off_rps[@]}")
echo "median inspect on : $mon req/s"
echo "median --no-inspect: $moff req/s"
awk -v a="$mon" -v b="$moff" 'BEGIN { printf "inspect on / off: %.3f\n", a / b }'
echo "requests through the inspected tunnel (measured runs): $on_requests"
curl -s "http://127.0.0.1:$iport/api/requests" -H "Host: 127.0.0.1" | python3 -c 'import json,sys; print("inspector ring holds", len(json.load(sys.stdin)), "requests")'
for name in on off; do
  pid=$(jvm_of $name)
  jcmd "$pid" GC.run > /dev/null
  echo "client $name heap after GC: $(jcmd "$pid" GC.heap_info | grep -oE 'used [0-9]+K' | head -1)"
done
