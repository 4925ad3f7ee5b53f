#!/usr/bin/env bash
# Runs every Jazzer fuzz target for real (coverage-guided), one after another, each for its
# @FuzzTest maxDuration (20 s). The corpus each run builds stays in MODULE/.cifuzz-corpus, so running
# again goes on from where the last run stopped; FUZZ_ROUNDS=N runs the whole list N times.
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
for ((round = 1; round <= ${FUZZ_ROUNDS:-1}; round++)); do
  for t in "${targets[@]}"; do
    module=${t%%:*}
    test=${t#*:}
    echo "== round $round: fuzzing $test in $module"
    # Jazzer fuzzes one @FuzzTest per JVM; hooks on for coverage instrumentation (verify turns them off).
    JAZZER_FUZZ=1 ./mvnw -B test -pl "$module" -Djazzer.hooks=true -Dtest="$test" -Dsurefire.failIfNoSpecifiedTests=false
  done
done
