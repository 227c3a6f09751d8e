#!/usr/bin/env bash
# The console on a phone over a slow mobile network:
#   RUNS=5 bash bench/console_phone.sh [BINARY [OTHER_BINARY ...]]
# For each round and each binary (default build/dixian; each serves the web/ beside it): starts the
# server on a fresh demo county, runs one round of bench/console_phone.mjs (chromium, CDP
# throttling: 150 ms, 1.6 Mbit/s, 4x CPU slowdown) as its township reviewer, stops it. Rounds
# alternate between the binaries, so a before/after pair shares the machine's load; at the end a
# table of medians per binary, and `uptime` before and after.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
(( $# )) || set -- "$repo/build/dixian"
runs=${RUNS:-5}
tmp=$(mktemp -d)
server_pid=""
stop_server() {
  if [[ -n "$server_pid" ]]; then
    kill -TERM "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
  fi
  server_pid=""
}
cleanup() {
  stop_server
  rm -rf "$tmp"
}
trap cleanup EXIT

one_round() {  # binary label
  local db="$tmp/run" port token
  rm -rf "$db" && mkdir -p "$db"
  port=$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
  DIXIAN_ADMIN_TOKEN="bench-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')" "$1" serve --db "$db/demo.db" \
    --listen "127.0.0.1:$port" --demo >"$db/server.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 150); do
    curl -sf "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
    sleep 0.1
  done
  token=$(grep '^township-1' "$db/demo-tokens.txt" | cut -f4)
  RUNS=1 DIXIAN_BUILD="$2" DIXIAN_URL="http://127.0.0.1:$port" DIXIAN_TOKEN="$token" \
    node "$repo/bench/console_phone.mjs" | grep '^{' | tee -a "$tmp/rows.jsonl"
  stop_server
}

echo "[console_phone] start: $(uptime)"
for round in $(seq 1 "$runs"); do
  for binary in "$@"; do
    one_round "$binary" "$(cd "$(dirname "$binary")" && pwd)/$(basename "$binary")"
  done
done
echo "[console_phone] end:   $(uptime)"
node "$repo/bench/console_phone.mjs" --table "$tmp/rows.jsonl"
