#!/usr/bin/env bash
# The console on a phone over a slow mobile network: bash bench/console_phone.sh [build/dixian]
# Starts the server on a temporary demo county, runs bench/console_phone.mjs (chromium, CDP
# throttling: 150 ms, 1.6 Mbit/s, 4x CPU slowdown) as its township reviewer; RUNS=5 by default.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
binary=${1:-$repo/build/dixian}
tmp=$(mktemp -d)
server_pid=""
cleanup() {
  [[ -n "$server_pid" ]] && kill -TERM "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT
port=$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
DIXIAN_ADMIN_TOKEN="bench-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')" "$binary" serve --db "$tmp/demo.db" \
  --listen "127.0.0.1:$port" --demo >"$tmp/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 150); do
  curl -sf "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  sleep 0.1
done
token=$(grep '^township-1' "$tmp/demo-tokens.txt" | cut -f4)
echo "[console_phone] $(uptime)"
DIXIAN_URL="http://127.0.0.1:$port" DIXIAN_TOKEN="$token" node "$repo/bench/console_phone.mjs"
