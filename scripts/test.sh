#!/usr/bin/env bash
# One command: install what is missing, build, run the whole test suite (Release, then ASan+UBSan).
# The storage suites run on SQLite and again on a throwaway PostgreSQL cluster (tests "pg.*"; the
# cluster lives in a temp folder, started and stopped by ctest's pg_cluster fixture, also when
# tests fail). DIXIAN_TEST_POSTGRES=OFF skips the PostgreSQL runs.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh --test
# Relative paths in ccache keys: a fresh clone elsewhere reuses the cache.
export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/ccache}" CCACHE_MAXSIZE=4G CCACHE_BASEDIR="$PWD"
cmake --preset release -DDIXIAN_TEST_POSTGRES="${DIXIAN_TEST_POSTGRES:-ON}" >/dev/null
cmake --build --preset release
ctest --preset release -j2
if [[ "${DIXIAN_SKIP_ASAN:-0}" != "1" ]]; then
  cmake --preset asan -DDIXIAN_TEST_POSTGRES="${DIXIAN_TEST_POSTGRES:-ON}" >/dev/null
  cmake --build --preset asan
  ctest --preset asan -j2 -LE "no_asan|pg_engine|pg_e2e|pg_reliability"
fi
