#!/usr/bin/env bash
# Direct vs Homeport over the emulated WAN of netns-wan.sh (50 ms RTT, 200 Mbit/s), in one run.
# Home side (namespace hp-client): the far end `serve` and the Homeport client.
# Public side (namespace hp-relay): the relay and the load tool. Both paths cross the same link once.
# Usage: bench/wan-compare.sh [RUNS]     (root; builds what it needs; tears the namespaces down at the end)
# Extra relay/client flags: RELAY_OPTS, CLIENT_OPTS (e.g. --insecure-plaintext and a tcp:// SERVER_SCHEME).
set -euo pipefail
RUNS="${1:-3}"
cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.."
./mvnw -q -B -pl app,bench -am package -Dmaven.test.skip=true
CP="app/target/homeport-app-0.1.0-SNAPSHOT.jar:app/target/lib/*"
TOOL=(java -jar bench/target/homeport-bench.jar)
C=(ip netns exec hp-client); R=(ip netns exec hp-relay)
STATE="$(mktemp -d)"
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  bench/netns-wan.sh teardown >/dev/null 2>&1 || true
  rm -rf "$STATE"
}
trap cleanup EXIT
bench/netns-wan.sh setup
"${C[@]}" ip link set lo up; "${R[@]}" ip link set lo up
"${C[@]}" "${TOOL[@]}" serve --port 9000 --bind 0.0.0.0 > "$STATE/serve.log" 2>&1 & PIDS+=($!)
# shellcheck disable=SC2086
"${R[@]}" java -cp "$CP" dev.homeport.server.cli.HomeportServerCommand --control 0.0.0.0:7700 --ports 20000-20010 \
  --token wan-token --state-dir "$STATE/relay" ${RELAY_OPTS:-} > "$STATE/relay.out" 2> "$STATE/relay.err" & PIDS+=($!)
sleep 3
# shellcheck disable=SC2086
"${C[@]}" java -cp "$CP" dev.homeport.app.HomeportMain tcp 9000 --server "${SERVER_SCHEME:-}10.203.0.2:7700" \
  --token wan-token --known-relays "$STATE/known" ${CLIENT_OPTS:-} > "$STATE/client.out" 2> "$STATE/client.err" & PIDS+=($!)
for _ in $(seq 1 60); do grep -q tcp:// "$STATE/client.out" && break; sleep 0.5; done
PORT=$(sed -n 's#.*:\([0-9]*\)$#\1#p' "$STATE/client.out" | head -1)
[[ -n "$PORT" ]] || { echo "tunnel did not come up; see $STATE" >&2; exit 1; }
echo "tunnel: $(cat "$STATE/client.out")"
for run in $(seq 1 "$RUNS"); do
  for dir in up down; do
    "${R[@]}" "${TOOL[@]}" throughput --target 10.203.0.1:9000 --bytes 128m --direction "$dir" --max-seconds 60 | head -1 | sed "s/^/direct   /"
    "${R[@]}" "${TOOL[@]}" throughput --target "127.0.0.1:$PORT" --bytes 128m --direction "$dir" --max-seconds 60 | head -1 | sed "s/^/homeport /"
  done
done
"${R[@]}" "${TOOL[@]}" latency --target 10.203.0.1:9000 --messages 200 --warmup 20 | head -1 | sed "s/^/direct   /"
"${R[@]}" "${TOOL[@]}" latency --target "127.0.0.1:$PORT" --messages 200 --warmup 20 | head -1 | sed "s/^/homeport /"
