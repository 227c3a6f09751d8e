#!/usr/bin/env bash
# Installs what dixian needs from Debian 12 (and the npm registry for the web tests).
# Idempotent: does nothing when everything is present.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(build-essential cmake ninja-build ccache pkg-config
          libboost1.81-dev nlohmann-json3-dev libspdlog-dev libfmt-dev libsqlite3-dev sqlite3 libpq-dev
          libssl-dev libxlsxwriter-dev googletest libgtest-dev libgmock-dev curl ca-certificates
          esbuild mold libjemalloc-dev)
# esbuild bundles the console's modules at build time (scripts/build-web.sh; without it the build
# ships them unbundled and warns). mold links (CMakeLists.txt: DIXIAN_LINKER). jemalloc is the
# server's allocator (CMakeLists.txt: DIXIAN_JEMALLOC; without it the build falls back to glibc).
# npm fetches the console's chart library (ECharts) at build time; the server never fetches anything.
# Node may come from elsewhere on the image; Debian's npm conflicts with it, so ask only when absent.
command -v node >/dev/null || packages+=(nodejs)
command -v npm >/dev/null || packages+=(npm)
if [[ "${1:-}" == "--test" ]]; then
  # clang: the asan preset builds with it (about 40 % less compile time than GCC at -O0 with ASan).
  # postgresql-15: the tests start a throwaway cluster (scripts/pg-test-cluster.sh).
  # unzip: xlsx tests read the sheets
  packages+=(clang libclang-rt-14-dev wrk chromium fonts-noto-cjk unzip postgresql-15)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "[dixian] installing: ${missing[*]}"
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# web/node_modules: ECharts for every build (the build copies it into build/web), playwright-core
# only for the tests. Without the registry the console still works, without charts.
if [[ -f web/package.json ]]; then
  if [[ "${1:-}" == "--test" ]]; then
    if [[ ! -f web/node_modules/playwright-core/package.json || web/package.json -nt web/node_modules ]]; then
      (cd web && npm install --no-audit --no-fund --loglevel=error && touch node_modules)
    fi
  elif [[ ! -f web/node_modules/echarts/package.json ]]; then
    (cd web && npm install --omit=dev --no-audit --no-fund --loglevel=error) ||
      echo "[dixian] npm install failed: the console will show its tables without charts" >&2
  fi
fi
