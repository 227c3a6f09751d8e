#!/usr/bin/env bash
# One command: install what is missing, build Release, start the server with a demo county.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/ccache}" CCACHE_MAXSIZE=4G CCACHE_BASEDIR="$PWD"
cmake --preset release >/dev/null
cmake --build --preset release
mkdir -p data
export DIXIAN_ADMIN_TOKEN="${DIXIAN_ADMIN_TOKEN:-demo-admin-token}"
echo "[dixian] admin token: ${DIXIAN_ADMIN_TOKEN}"
exec build/dixian serve --db "${DIXIAN_DB:-data/dixian.db}" --listen "${DIXIAN_LISTEN:-127.0.0.1:8080}" --demo "$@"
