#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz) with clang in their own build dir and runs each for
# N seconds (default 60). New interesting inputs go to build-fuzz/fuzz/work-<target>/; a crash
# leaves build-fuzz/fuzz/crash-<target>-* and makes the script fail. Without clang++ it skips.
#   scripts/fuzz.sh [SECONDS]      env: FUZZ_BUILD_DIR, FUZZ_JOBS (parallel builds, default 2)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
SECONDS_EACH="${1:-${FUZZ_SECONDS:-60}}"
BUILD="${FUZZ_BUILD_DIR:-$ROOT/build-fuzz}"
TARGETS=(json_body http_request workflow_loader key_material csv_import)  # light ones first

if ! command -v clang++ >/dev/null; then
  echo "fuzz: clang++ not found, skipping (apt-get install clang libclang-rt-14-dev)"
  exit 0
fi
cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_COMPILER=clang++ -DDIXIAN_FUZZ=ON >"$BUILD.cmake.log" 2>&1 ||
  { cat "$BUILD.cmake.log"; exit 1; }

total=0
failed=()
for t in "${TARGETS[@]}"; do
  cmake --build "$BUILD" --target "fuzz_$t" -j"${FUZZ_JOBS:-2}"
  work="$BUILD/fuzz/work-$t"
  mkdir -p "$work"
  log="$BUILD/fuzz/$t.log"
  set +e
  "$BUILD/fuzz/fuzz_$t" -max_total_time="$SECONDS_EACH" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$BUILD/fuzz/crash-$t-" "$work" "$ROOT/tests/fuzz/corpus/$t" >"$log" 2>&1
  rc=$?
  set -e
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)
  total=$((total + ${runs:-0}))
  if [[ $rc -ne 0 ]]; then
    failed+=("$t")
    echo "fuzz_$t: FAILED (exit $rc) after $runs executions; log: $log"
    grep -m5 -E 'ERROR|SUMMARY|runtime error' "$log" || true
  else
    echo "fuzz_$t: ok, $runs executions in ${SECONDS_EACH}s"
  fi
done
echo "fuzz: $total executions in total"
if [[ ${#failed[@]} -gt 0 ]]; then
  echo "fuzz: crashes in ${failed[*]}; reproduce with $BUILD/fuzz/fuzz_<target> <crash file>," \
       "fix, and copy the input to tests/fuzz/corpus/<target>/ as a regression seed"
  exit 1
fi
