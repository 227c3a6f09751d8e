#!/usr/bin/env bash
# The long crash-safety run: SIGKILLs the real server KILLS times (default 200) while clients
# write, restarting it each time, then checks ledger, histories, integrity, audit chain, timers
# and outbox (tests/reliability/crash_safety_test.cc). The CI run does 20 kills.
#   scripts/soak.sh [KILLS]     env: BUILD_DIR (default build/), ROUNDS (repeat, default 1)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BUILD="${BUILD_DIR:-$ROOT/build}"
KILLS="${1:-200}"
if [[ ! -x "$BUILD/tests/reliability_tests" ]]; then
  cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-Release}" >/dev/null
  cmake --build "$BUILD" --target dixian reliability_tests
fi
for round in $(seq 1 "${ROUNDS:-1}"); do
  echo "soak round $round: $KILLS kills"
  DIXIAN_SOAK_KILLS="$KILLS" "$BUILD/tests/reliability_tests" --gtest_filter='CrashSafety.*'
done
