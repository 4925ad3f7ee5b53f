# Helpers shared by the bench scripts. Source it; it defines functions only.
# shellcheck shell=bash

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
REPO_ROOT="$(cd "$BENCH_DIR/.." && pwd)"
BENCH_JAR="$BENCH_DIR/target/homeport-bench.jar"

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# A TCP port nobody listens on, in 20000-29999 (outside the ephemeral range 32768-60999).
# Pass a namespace name to look inside it.
free_port() {
  local ns="${1:-}" p i
  for i in $(seq 1 200); do
    p=$(( 20000 + RANDOM % 10000 ))
    if [[ -n "$ns" ]]; then
      [[ -z "$(ip netns exec "$ns" ss -Htln "sport = :$p" 2>/dev/null)" ]] && { echo "$p"; return 0; }
    else
      [[ -z "$(ss -Htln "sport = :$p" 2>/dev/null)" ]] && { echo "$p"; return 0; }
    fi
  done
  die "no free port found in 20000-29999"
}

# wait_for_listen PORT SECONDS [NETNS]: true once something listens on PORT.
wait_for_listen() {
  local port="$1" seconds="$2" ns="${3:-}" deadline=$(( SECONDS + $2 ))
  while (( SECONDS < deadline )); do
    if [[ -n "$ns" ]]; then
      [[ -n "$(ip netns exec "$ns" ss -Htln "sport = :$port" 2>/dev/null)" ]] && return 0
    else
      [[ -n "$(ss -Htln "sport = :$port" 2>/dev/null)" ]] && return 0
    fi
    sleep 0.1
  done
  return 1
}

# kill_pid PID: SIGTERM, wait up to 5 s, then SIGKILL. Only ever called with PIDs we started.
kill_pid() {
  local pid="$1" i
  [[ -n "$pid" ]] || return 0
  kill -0 "$pid" 2>/dev/null || return 0
  kill "$pid" 2>/dev/null || true
  for i in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
}

# json_field LINE KEY: the value of a top-level scalar field in one JSON line from the load tool.
json_field() {
  local v
  v=$(printf '%s\n' "$1" | grep -o "\"$2\":\(\"[^\"]*\"\|[^,}]*\)" | head -1 | cut -d: -f2-)
  v="${v%\"}"; printf '%s\n' "${v#\"}"
}

# median of numbers given as arguments ("" or "null" are ignored); prints "" when none are left.
median() {
  local -a xs=()
  local x
  for x in "$@"; do [[ -n "$x" && "$x" != null ]] && xs+=("$x"); done
  (( ${#xs[@]} )) || { echo ""; return; }
  printf '%s\n' "${xs[@]}" | sort -g | awk '{a[NR]=$1} END {v = (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2; if (v == int(v)) printf "%d\n", v; else printf "%.1f\n", v}'
}

ensure_jar() {
  if [[ ! -f "$BENCH_JAR" || "${BENCH_REBUILD:-1}" == 1 ]]; then
    log "building the load tool (mvn -pl bench -am package)"
    local mvn="mvn"; [[ -x "$REPO_ROOT/mvnw" ]] && mvn="$REPO_ROOT/mvnw"
    (cd "$REPO_ROOT" && "$mvn" -q -B -pl bench -am package -DskipTests) > "${TMPDIR:-/tmp}/homeport-bench-build.log" 2>&1 \
      || { tail -40 "${TMPDIR:-/tmp}/homeport-bench-build.log" >&2; die "building the bench module failed (log above)"; }
  fi
  [[ -f "$BENCH_JAR" ]] || die "missing $BENCH_JAR after the build"
}
