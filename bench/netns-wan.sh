#!/usr/bin/env bash
# An emulated WAN between two network namespaces that exist only on this machine:
#
#   hp-client (10.203.0.1/30, dev hp-c0)  <== 25 ms each way, 200 Mbit/s ==>  hp-relay (10.203.0.2/30, dev hp-r0)
#
#   bench/netns-wan.sh setup        create the namespaces and the link (needs root)
#   bench/netns-wan.sh teardown     remove them (and stop the link process, if any)
#   bench/netns-wan.sh status       show addresses, qdiscs and a ping
#   bench/netns-wan.sh measure [R]  direct baseline over the link: serve in hp-client, load tool in
#                                   hp-relay; median of R runs (default 3)
#
# The link is `tc netem delay 25ms rate 200mbit` on a veth pair when the kernel has sch_netem;
# otherwise (WAN_MODE=auto falls back) a small userspace delay line, netns/wan-wire.c, owns a TUN
# device in each namespace and applies the same delay + rate model. Both give a drop-tail buffer of
# WAN_QUEUE_BYTES in front of the link (default one BDP, 1.25 MB = 50 ms at 200 Mbit/s).
# TCP buffer limits inside the namespaces are raised to 16 MiB so one stream can fill the BDP.
#
# Settings (environment): WAN_DELAY_MS=25 (one way) WAN_RATE_MBIT=200 WAN_QUEUE_BYTES=1250000
# WAN_MODE=auto|netem|wire WAN_LIFETIME_S=14400 (the wire process stops itself after this).

set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

NS_CLIENT=hp-client
NS_RELAY=hp-relay
DEV_CLIENT=hp-c0
DEV_RELAY=hp-r0
ADDR_CLIENT=10.203.0.1
ADDR_RELAY=10.203.0.2
WAN_DELAY_MS="${WAN_DELAY_MS:-25}"
WAN_RATE_MBIT="${WAN_RATE_MBIT:-200}"
WAN_QUEUE_BYTES="${WAN_QUEUE_BYTES:-1250000}"
WAN_MODE="${WAN_MODE:-auto}"
WAN_LIFETIME_S="${WAN_LIFETIME_S:-14400}"
STATE_DIR=/run/homeport-netns-wan

ns_exists() { ip netns list | awk '{print $1}' | grep -qx "$1"; }

netem_available() {
  local ok=1
  ip netns add hp-netem-probe
  ip netns exec hp-netem-probe tc qdisc add dev lo root netem delay 1ms >/dev/null 2>&1 && ok=0
  ip netns del hp-netem-probe
  return $ok
}

tune_namespace() {
  local ns="$1"
  ip -n "$ns" link set lo up
  # 200 Mbit/s x 50 ms = 1.25 MB in flight; autotuning needs max buffers well above that.
  ip netns exec "$ns" sysctl -qw net.ipv4.tcp_rmem="4096 131072 16777216" net.ipv4.tcp_wmem="4096 65536 16777216"
}

setup_netem() {
  # netem's limit counts every packet it holds: those in the delay line plus the queue.
  local limit=$(( (WAN_RATE_MBIT * 125000 * WAN_DELAY_MS / 1000 + WAN_QUEUE_BYTES) * 2 / 1500 + 100 ))
  ip link add "$DEV_CLIENT" netns "$NS_CLIENT" type veth peer name "$DEV_RELAY" netns "$NS_RELAY"
  ip -n "$NS_CLIENT" addr add "$ADDR_CLIENT/30" dev "$DEV_CLIENT"
  ip -n "$NS_RELAY" addr add "$ADDR_RELAY/30" dev "$DEV_RELAY"
  ip -n "$NS_CLIENT" link set "$DEV_CLIENT" up
  ip -n "$NS_RELAY" link set "$DEV_RELAY" up
  local ns dev
  for ns in "$NS_CLIENT" "$NS_RELAY"; do
    dev=$DEV_CLIENT; [[ $ns == "$NS_RELAY" ]] && dev=$DEV_RELAY
    ip netns exec "$ns" tc qdisc add dev "$dev" root netem delay "${WAN_DELAY_MS}ms" rate "${WAN_RATE_MBIT}mbit" limit "$limit"
  done
  echo netem > "$STATE_DIR/mode"
}

setup_wire() {
  command -v cc >/dev/null || { log "installing gcc for netns/wan-wire.c"; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gcc >/dev/null; }
  cc -O2 -Wall -o "$STATE_DIR/wan-wire" "$BENCH_DIR/netns/wan-wire.c"
  "$STATE_DIR/wan-wire" "$NS_CLIENT" "$DEV_CLIENT" "$NS_RELAY" "$DEV_RELAY" \
      "$WAN_DELAY_MS" "$WAN_RATE_MBIT" "$WAN_QUEUE_BYTES" "$WAN_LIFETIME_S" > "$STATE_DIR/wire.log" 2>&1 &
  echo $! > "$STATE_DIR/wire.pid"
  local i
  for i in $(seq 1 50); do
    ip -n "$NS_CLIENT" link show "$DEV_CLIENT" >/dev/null 2>&1 && ip -n "$NS_RELAY" link show "$DEV_RELAY" >/dev/null 2>&1 && break
    sleep 0.1
  done
  ip -n "$NS_CLIENT" link show "$DEV_CLIENT" >/dev/null 2>&1 || die "wan-wire did not create its devices: $(cat "$STATE_DIR/wire.log")"
  ip -n "$NS_CLIENT" addr add "$ADDR_CLIENT/30" dev "$DEV_CLIENT"
  ip -n "$NS_RELAY" addr add "$ADDR_RELAY/30" dev "$DEV_RELAY"
  ip -n "$NS_CLIENT" link set "$DEV_CLIENT" mtu 1500 txqueuelen 1000 up
  ip -n "$NS_RELAY" link set "$DEV_RELAY" mtu 1500 txqueuelen 1000 up
  echo wire > "$STATE_DIR/mode"
}

setup() {
  [[ $(id -u) == 0 ]] || die "network namespaces need root"
  if ns_exists "$NS_CLIENT" || ns_exists "$NS_RELAY"; then
    log "namespaces exist already; tearing them down first"
    teardown
  fi
  mkdir -p "$STATE_DIR"
  ip netns add "$NS_CLIENT"
  ip netns add "$NS_RELAY"
  tune_namespace "$NS_CLIENT"
  tune_namespace "$NS_RELAY"
  local mode="$WAN_MODE"
  if [[ $mode == auto ]]; then
    if netem_available; then mode=netem; else mode=wire; log "this kernel has no sch_netem; using the userspace link netns/wan-wire.c"; fi
  fi
  case "$mode" in
    netem) setup_netem ;;
    wire) setup_wire ;;
    *) die "WAN_MODE must be auto, netem or wire, got $mode" ;;
  esac
  log "link up ($mode): $NS_CLIENT $ADDR_CLIENT <-> $NS_RELAY $ADDR_RELAY, ${WAN_DELAY_MS} ms each way, ${WAN_RATE_MBIT} Mbit/s, queue ${WAN_QUEUE_BYTES} B"
}

teardown() {
  if [[ -f "$STATE_DIR/wire.pid" ]]; then
    kill_pid "$(cat "$STATE_DIR/wire.pid")"
    [[ -f "$STATE_DIR/wire.log" ]] && tail -1 "$STATE_DIR/wire.log" >&2
  fi
  ns_exists "$NS_CLIENT" && ip netns del "$NS_CLIENT"
  ns_exists "$NS_RELAY" && ip netns del "$NS_RELAY"
  rm -rf "$STATE_DIR"
  return 0
}

status() {
  ns_exists "$NS_CLIENT" || { echo "not set up"; return 1; }
  echo "mode: $(cat "$STATE_DIR/mode" 2>/dev/null || echo unknown)"
  ip -n "$NS_CLIENT" -br addr show dev "$DEV_CLIENT"
  ip -n "$NS_RELAY" -br addr show dev "$DEV_RELAY"
  ip netns exec "$NS_CLIENT" tc qdisc show dev "$DEV_CLIENT"
  if command -v ping >/dev/null; then
    ip netns exec "$NS_RELAY" ping -c 3 -i 0.2 -q "$ADDR_CLIENT" | tail -1
  fi
}

measure() {
  local runs="${1:-3}" port serve_pid out i
  ns_exists "$NS_CLIENT" || setup
  ensure_jar
  port=$(free_port "$NS_CLIENT")
  ip netns exec "$NS_CLIENT" java -jar "$BENCH_JAR" serve --bind "$ADDR_CLIENT" --port "$port" --lifetime-seconds 1800 \
      > "$STATE_DIR/serve.log" 2>&1 &
  serve_pid=$!
  trap 'kill_pid '"$serve_pid" EXIT
  wait_for_listen "$port" 20 "$NS_CLIENT" || die "serve did not start: $(cat "$STATE_DIR/serve.log")"
  local target="$ADDR_CLIENT:$port"
  # The load tool runs in hp-relay; its sentence goes to stderr and measure.log, its JSON line to stdout.
  tool() {
    local all
    all=$(ip netns exec "$NS_RELAY" java -jar "$BENCH_JAR" "$@" | tee -a "$STATE_DIR/measure.log") || true
    grep -v '^{' <<<"$all" >&2 || true
    grep '^{' <<<"$all" || true
  }
  local -a up=() down=() p50=() p99=() fp50=() fp99=() fbulk=()
  for i in $(seq 1 "$runs"); do
    out=$(tool throughput --target "$target" --direction up --bytes 128m --max-seconds 60)
    up+=("$(json_field "$out" mb_per_s)")
    out=$(tool throughput --target "$target" --direction down --bytes 128m --max-seconds 60)
    down+=("$(json_field "$out" mb_per_s)")
    out=$(tool latency --target "$target" --messages 100 --warmup 10 --max-seconds 60)
    p50+=("$(json_field "$out" p50_us)"); p99+=("$(json_field "$out" p99_us)")
    out=$(tool fairness --target "$target" --messages 100 --warmup 10 --settle-ms 3000 --max-seconds 90)
    fp50+=("$(json_field "$out" p50_us)"); fp99+=("$(json_field "$out" p99_us)"); fbulk+=("$(json_field "$out" bulk_mb_per_s)")
  done
  kill_pid "$serve_pid"; trap - EXIT
  echo
  echo "| direct over the emulated WAN ($(cat "$STATE_DIR/mode"), ${WAN_DELAY_MS} ms each way, ${WAN_RATE_MBIT} Mbit/s), median of $runs | value |"
  echo "|---|---|"
  echo "| throughput up, 1 stream (MB/s) | $(median "${up[@]}") |"
  echo "| throughput down, 1 stream (MB/s) | $(median "${down[@]}") |"
  echo "| latency p50 / p99 (ms) | $(awk -v a="$(median "${p50[@]}")" -v b="$(median "${p99[@]}")" 'BEGIN{printf "%.1f / %.1f", a/1000, b/1000}') |"
  echo "| latency under 1 bulk upload p50 / p99 (ms) | $(awk -v a="$(median "${fp50[@]}")" -v b="$(median "${fp99[@]}")" 'BEGIN{printf "%.1f / %.1f", a/1000, b/1000}') |"
  echo "| bulk upload during that (MB/s) | $(median "${fbulk[@]}") |"
}

case "${1:-}" in
  setup) setup ;;
  teardown) teardown ;;
  status) status ;;
  measure) measure "${2:-3}" ;;
  *) echo "usage: $0 setup | teardown | status | measure [RUNS]" >&2; exit 2 ;;
esac
