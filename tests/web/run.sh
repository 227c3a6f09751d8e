#!/usr/bin/env bash
# Browser tests of the web console: starts the real server on a free port with a fake clock,
# then runs console.test.mjs (node --test, playwright-core driving Debian's chromium).
# Usage: tests/web/run.sh <path-to-dixian-binary>   (a *.mjs path runs that file with node)
# Missing chromium/node/node_modules fail the test unless DIXIAN_WEB_OPTIONAL=1.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
binary=${1:-}
chromium=${DIXIAN_CHROMIUM:-/usr/bin/chromium}

unavailable() {
  echo "web_console: cannot run: $1"
  if [[ "${DIXIAN_WEB_OPTIONAL:-0}" == "1" ]]; then
    echo "web_console: skipped because DIXIAN_WEB_OPTIONAL=1"
    exit 0
  fi
  exit 1
}

[[ -n "$binary" && -e "$binary" ]] || unavailable "server binary not found: '${binary}'"
command -v node >/dev/null || unavailable "node is not installed (apt-get install nodejs npm)"
command -v curl >/dev/null || unavailable "curl is not installed"
[[ -x "$chromium" ]] || unavailable "$chromium is missing (apt-get install chromium)"
[[ -f "$repo/web/node_modules/playwright-core/package.json" ]] ||
  unavailable "web/node_modules/playwright-core is missing (run 'npm install' in web/, or scripts/deps.sh --test)"
# The server serves the console the build assembled beside it (scripts/build-web.sh).
if [[ "$binary" != *.mjs ]]; then
  compgen -G "$(dirname "$binary")/web/vendor/echarts-*/echarts.min.js" >/dev/null ||
    unavailable "$(dirname "$binary")/web has no ECharts (npm install in web/, then rebuild)"
fi

tmp=$(mktemp -d)
server_pid=""
cleanup() {
  if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT

port=$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
admin_token="web-test-admin-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
# The master key (audit MACs, secrets at rest) in the environment, as a container would pass it.
export DIXIAN_MASTER_KEY="k1 $(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')"
server=("$binary")
[[ "$binary" == *.mjs ]] && server=(node "$binary")

cd "$repo"
DIXIAN_ADMIN_TOKEN="$admin_token" "${server[@]}" serve --db "$tmp/t.db" --listen "127.0.0.1:$port" \
  --fake-clock 2026-03-02T09:00:00+08:00 --config "$repo/config" >"$tmp/server.log" 2>&1 &
server_pid=$!

# Wait (bounded) until the server answers; this waits for start-up, not for time to pass.
for _ in $(seq 1 150); do
  curl -sf "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "web_console: server exited during start-up:"; cat "$tmp/server.log"; exit 1
  fi
  sleep 0.1
done
curl -sf "http://127.0.0.1:$port/healthz" >/dev/null || { echo "web_console: server not ready"; cat "$tmp/server.log"; exit 1; }

mkdir -p "$here/artifacts"
status=0
DIXIAN_URL="http://127.0.0.1:$port" DIXIAN_ADMIN_TOKEN="$admin_token" DIXIAN_CHROMIUM="$chromium" DIXIAN_BINARY="$binary" \
  DIXIAN_ARTIFACTS="$here/artifacts" DIXIAN_WEB_TMP="$tmp" \
  node --test --test-concurrency=1 --test-reporter=spec "$here/console.test.mjs" "$here/households.test.mjs" "$here/bundle.test.mjs" "$here/worker.test.mjs" || status=$?
if [[ $status -ne 0 ]]; then
  echo "web_console: failed; last server log lines:"
  tail -n 40 "$tmp/server.log" || true
fi
exit $status
