#!/usr/bin/env bash
# Runs every Jazzer fuzz target for real (coverage-guided), one after another, each for at most
# the @FuzzTest maxDuration (20 s) unless FUZZ_DURATION overrides it (e.g. FUZZ_DURATION=10m).
# Findings land as crash-* files under each target's ...FuzzTestInputs directory in src/test/resources,
# where the normal test run replays them as regression tests. Usage: scripts/fuzz.sh [Class#method ...]
set -euo pipefail
cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.."

targets=("$@")
if [[ ${#targets[@]} -eq 0 ]]; then
  targets=(
    protocol:FrameDecoderFuzzTest
    protocol:ControlMessageFuzzTest
    protocol:HandshakeFuzzTest#theRelaysHandshakeAdmitsNoOneWithoutTheTokenAndEndsEveryOtherConnection
    protocol:HandshakeFuzzTest#theClientsHandshakeEndsInASessionOrAClosedConnection
    protocol:WebSocketFrameAdapterFuzzTest
    relay-server:PublicHttpFuzzTest
  )
fi

./mvnw -B -q install -DskipTests
extra=()
if [[ -n "${FUZZ_DURATION:-}" ]]; then
  extra+=("-Djazzer.max_duration=${FUZZ_DURATION}")
fi
for t in "${targets[@]}"; do
  module=${t%%:*}
  test=${t#*:}
  echo "== fuzzing $test in $module"
  # Jazzer fuzzes one @FuzzTest per JVM; hooks on for coverage instrumentation (verify turns them off).
  JAZZER_FUZZ=1 ./mvnw -B test -pl "$module" -Djazzer.hooks=true "${extra[@]}" -Dtest="$test" -Dsurefire.failIfNoSpecifiedTests=false
done
