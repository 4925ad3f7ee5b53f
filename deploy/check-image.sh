#!/usr/bin/env bash
# Runs the relay's container image the way a container engine would, without one: unpacks the image
# tar's layers, in order, into a root file system, and starts the image's own entrypoint there with
# chroot, as the image's user, with the image's environment, in fresh mount and PID namespaces (our own
# /proc, and the few /dev nodes an engine provides). It checks that:
#   1. `ENTRYPOINT --version` prints the version;
#   2. `token add` writes a tokens file into the state volume, as the image's user;
#   3. the relay starts with it and a token from the environment, writes its certificate to the state
#      volume, and answers /health and /metrics on its admin port;
#   4. SIGTERM stops it cleanly (exit status 0 or 143, event=relay_stopped).
#   3b. a client (HOMEPORT_CLIENT, default this checkout's ./homeport; ContainerImageIT gives the bundle's
#      bin/homeport) opens a tunnel through it over TLS, pinned to the fingerprint the relay printed, and an
#      echo service (socat) answers through it;
# Needs root (chroot, unshare), jq, curl and socat. Traffic stays on loopback.
# Usage: deploy/check-image.sh [IMAGE_TAR]   (default: deploy/target/homeport-server-image.tar)
set -euo pipefail

here="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
image="${1:-$here/target/homeport-server-image.tar}"
# How long the relay may take to start, and to stop after SIGTERM.
start_timeout_s=60
stop_timeout_s=30

fail() {
  echo "check-image: FAILED: $*" >&2
  [[ -f "${log:-}" ]] && { echo "--- relay output:" >&2; cat "$log" >&2; }
  exit 1
}
[[ -f "$image" ]] || fail "no image tar at $image (run deploy/build-packages.sh first)"
[[ "$(id -u)" -eq 0 ]] || fail "needs root, for chroot and unshare"
for tool in jq curl socat unshare chroot; do
  command -v "$tool" >/dev/null || fail "needs $tool"
done

work="$(mktemp -d)"
relay_pid=""
client_pid=""
echo_pid=""
cleanup() {
  for pid in $client_pid $echo_pid; do
    kill -KILL "$pid" 2>/dev/null || true
  done
  if [[ -n "$relay_pid" ]] && kill -0 "$relay_pid" 2>/dev/null; then
    kill -KILL "$relay_pid" 2>/dev/null || true
    wait "$relay_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# ---- unpack: manifest.json names the config and the layers, base first ----
mkdir -p "$work/image" "$work/rootfs"
tar -xf "$image" -C "$work/image"
manifest="$work/image/manifest.json"
config="$work/image/$(jq -r '.[0].Config' "$manifest")"
while IFS= read -r layer; do
  tar --numeric-owner -xzf "$work/image/$layer" -C "$work/rootfs" 2>/dev/null \
    || tar --numeric-owner -xf "$work/image/$layer" -C "$work/rootfs"
done < <(jq -r '.[0].Layers[]' "$manifest")
rootfs="$work/rootfs"

mapfile -t entrypoint < <(jq -r '.config.Entrypoint[]' "$config")
mapfile -t image_env < <(jq -r '.config.Env // [] | .[]' "$config")
user="$(jq -r '.config.User // "0:0"' "$config")"
[[ "$user" == *:* ]] || user="$user:$user"
state_dir="$(jq -r '.config.Volumes // {} | keys[0]' "$config")"
[[ "${#entrypoint[@]}" -gt 0 ]] || fail "the image has no entrypoint"
echo "check-image: $(jq -r '.architecture + "/" + .os' "$config") image, $(du -sh "$rootfs" | cut -f1) unpacked," \
  "user $user, entrypoint ${entrypoint[*]}"

# Runs the entrypoint plus ${args[@]} inside the unpacked image, with the image's environment plus "$@";
# call it in a subshell: it becomes unshare (exec), so the JVM is that process's one child.
run_image() {
  mkdir -p "$rootfs/proc" "$rootfs/dev"
  exec env -i "${image_env[@]}" "$@" unshare --mount --pid --fork --kill-child --mount-proc="$rootfs/proc" \
    bash -c 'set -e; r="$1"; shift
             for d in null zero random urandom; do touch "$r/dev/$d"; mount --bind "/dev/$d" "$r/dev/$d"; done
             exec chroot --userspec="$USERSPEC" "$r" "$@"' \
    check-image "$rootfs" "${entrypoint[@]}" "${args[@]}"
}

# ---- 1. --version ----
args=(--version)
version="$(run_image USERSPEC="$user" 2>&1)" || fail "--version exited non-zero: $version"
[[ "$version" == homeport-server* ]] || fail "--version printed: $version"
echo "check-image: --version: $version"

# ---- 2. a token, as `docker compose run --rm relay token add ...` makes one, into the state volume ----
# Public ports: two at random above 30000, so a parallel test run elsewhere on the machine is unlikely to hold them.
public_port=$((30000 + RANDOM % 30000))
echo_port=$((public_port + 1))
args=(token add check-image --ports "$public_port-$public_port")
added="$(run_image USERSPEC="$user" 2>&1)" || fail "token add exited non-zero: $added"
[[ "$added" == hp_* ]] || fail "token add printed: $added"
token="$(head -1 <<<"$added")"
[[ -f "$rootfs$state_dir/tokens" ]] || fail "token add wrote no $state_dir/tokens"
echo "check-image: token add wrote $state_dir/tokens"

# ---- 3. a relay, with that tokens file and a token from the environment, as compose passes it ----
log="$work/relay.log"
args=(--control 127.0.0.1:0 --admin 127.0.0.1:0 --bind-address 127.0.0.1 --ports "$public_port-$public_port" --shutdown-grace 1s)
run_image USERSPEC="$user" HOMEPORT_TOKEN="check-image-$RANDOM$RANDOM" >"$log" 2>&1 &
relay_pid=$!
admin=""
for ((i = 0; i < start_timeout_s * 10; i++)); do
  admin="$(sed -n 's/.*event=admin_listening address=\/\{0,1\}\([0-9.]*:[0-9]*\).*/\1/p' "$log" | head -1)"
  [[ -n "$admin" ]] && break
  kill -0 "$relay_pid" 2>/dev/null || fail "the relay exited before it listened"
  sleep 0.1
done
[[ -n "$admin" ]] || fail "no event=admin_listening within ${start_timeout_s}s"
health="$(curl -fsS --max-time 10 "http://$admin/health")" || fail "/health did not answer"
[[ "$health" == *'"status":"up"'* ]] || fail "/health answered: $health"
metrics="$(curl -fsS --max-time 10 "http://$admin/metrics")" || fail "/metrics did not answer"
grep -q '^homeport_clients_connected 0' <<<"$metrics" || fail "/metrics has no homeport_clients_connected 0"
[[ -n "$(ls -A "$rootfs$state_dir")" ]] || fail "the relay wrote nothing to its state volume $state_dir"
echo "check-image: relay up, /health: $health, state volume $state_dir: $(ls "$rootfs$state_dir" | tr '\n' ' ')"

# ---- 3b. a tunnel through it: this checkout's client, over TLS pinned to the fingerprint the relay printed ----
control="$(sed -n 's/.*event=relay_started control=\/\{0,1\}\([0-9.]*:[0-9]*\).*/\1/p' "$log" | head -1)"
fingerprint="$(grep -o 'fingerprint SHA256:[^ ]*' "$log" | head -1 | cut -d' ' -f2)"
[[ -n "$control" && -n "$fingerprint" ]] || fail "the relay printed no control address or no certificate fingerprint"
socat "TCP-LISTEN:$echo_port,bind=127.0.0.1,reuseaddr,fork" EXEC:cat &
echo_pid=$!
client_log="$work/client.log"
XDG_CONFIG_HOME="$work/client" "${HOMEPORT_CLIENT:-$here/../homeport}" tcp "$echo_port" --server "$control" --token "$token" \
  --fingerprint "$fingerprint" --remote-port "$public_port" >"$client_log" 2>&1 &
client_pid=$!
for ((i = 0; i < start_timeout_s * 10; i++)); do
  grep -q "tcp://.*:$public_port" "$client_log" && break
  kill -0 "$client_pid" 2>/dev/null || { cat "$client_log" >&2; fail "the client exited before its tunnel was live"; }
  sleep 0.1
done
grep -q "tcp://.*:$public_port" "$client_log" || { cat "$client_log" >&2; fail "no live tunnel within ${start_timeout_s}s"; }
answer="$(printf 'through the image\n' | socat -t 10 - "TCP:127.0.0.1:$public_port")"
[[ "$answer" == "through the image" ]] || fail "the tunnel answered '$answer'"
metrics="$(curl -fsS --max-time 10 "http://$admin/metrics")" || fail "/metrics did not answer"
grep -q '^homeport_streams_opened_total{kind="tcp"} 1' <<<"$metrics" || fail "/metrics counts no opened tcp stream"
echo "check-image: a tunnel through the relay in the image echoed '$answer' (client pinned $fingerprint)"
kill -TERM "$client_pid" "$echo_pid"
wait "$client_pid" "$echo_pid" 2>/dev/null || true
client_pid="" echo_pid=""

# ---- 4. SIGTERM, to the JVM: the namespace's PID 1, the one child of unshare (which ignores SIGTERM) ----
jvm="$(ps -o pid= --ppid "$relay_pid" | tr -d ' ' | head -1)"
[[ -n "$jvm" ]] || fail "cannot find the relay's process under $relay_pid"
kill -TERM "$jvm"
for ((i = 0; i < stop_timeout_s * 10; i++)); do
  kill -0 "$relay_pid" 2>/dev/null || break
  sleep 0.1
done
kill -0 "$relay_pid" 2>/dev/null && fail "the relay did not stop within ${stop_timeout_s}s of SIGTERM"
status=0
wait "$relay_pid" || status=$?
relay_pid=""
# 143 = 128 + SIGTERM: how a JVM exits once its shutdown hooks (the relay's graceful close) have run.
[[ "$status" -eq 0 || "$status" -eq 143 ]] || fail "the relay exited with status $status after SIGTERM"
grep -q 'event=relay_stopped' "$log" || fail "no event=relay_stopped in the relay's output"
echo "check-image: SIGTERM stopped the relay cleanly"
echo "check-image: OK"
