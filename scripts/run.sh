#!/usr/bin/env bash
# One command: install what is missing, build Release, start the server with a demo county.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/ccache}" CCACHE_MAXSIZE=4G CCACHE_BASEDIR="$PWD"
cmake --preset release >/dev/null
cmake --build --preset release
mkdir -p data
# The admin token (at least 32 characters): a random one kept in data/admin-token (mode 0600) unless
# DIXIAN_ADMIN_TOKEN is set. The master key: --demo writes data/dixian.key (0600) on first start.
if [[ -z "${DIXIAN_ADMIN_TOKEN:-}" ]]; then
  [[ -s data/admin-token ]] || (umask 077; od -An -N24 -tx1 /dev/urandom | tr -d ' \n' >data/admin-token)
  DIXIAN_ADMIN_TOKEN="$(cat data/admin-token)"
  echo "[dixian] admin token: data/admin-token"
fi
export DIXIAN_ADMIN_TOKEN
exec build/dixian serve --db "${DIXIAN_DB:-data/dixian.db}" --listen "${DIXIAN_LISTEN:-127.0.0.1:8080}" --demo "$@"
