#!/usr/bin/env bash
# Assembles the console the server ships: OUT/index.html, the app under OUT/v/<release>/ (the
# release is a hash of the app's files and of how they are built, so a new release has new URLs
# and the old ones can be cached for a year), ECharts under OUT/vendor/echarts-<version>/, and a
# gzip copy (.gz) of each text file for clients that accept it. Nothing here is fetched: ECharts
# comes from web/node_modules (npm, at install time); without it the console shows its tables only.
# The app is bundled by Debian's esbuild (scripts/deps.sh): js/boot.js and every module it imports
# in one minified file (plus a chunk of the code it shares with the lazily loaded report pages),
# each report page a chunk of its own. Without esbuild (or with DIXIAN_WEB_BUNDLE=0) the modules
# ship one file each, as in web/: the console works the same, with more requests and slower
# start-up on phones.
# Does nothing when OUT already holds this release.
# Usage: scripts/build-web.sh WEB_SOURCE_DIR OUT_DIR
set -euo pipefail
src=$(cd "$1" && pwd)
out=$2
script=$(realpath "${BASH_SOURCE[0]}")

app_files=$(cd "$src" && find css js -type f \( -name '*.js' -o -name '*.css' \) | LC_ALL=C sort)
esbuild=""
[[ "${DIXIAN_WEB_BUNDLE:-1}" == 0 ]] || esbuild=$(command -v esbuild || true)
bundler=none
[[ -n "$esbuild" ]] && bundler="esbuild-$("$esbuild" --version)"
# The release id covers the page, every app file (names and contents) and how they are built
# (this script, the bundler), so a URL never names two different files.
release=$(cd "$src" && { echo "$app_files"; cat index.html $app_files; echo "$bundler";
  cat sw.js; sha256sum <"$script"; } | sha256sum | cut -c1-12)
echarts_dir="$src/node_modules/echarts"
echarts_file="$echarts_dir/dist/echarts.common.min.js"
echarts_version=""
[[ -f "$echarts_file" ]] &&
  echarts_version=$(sed -n 's/^  "version": "\([0-9.]*\)".*/\1/p' "$echarts_dir/package.json" | head -n1)
stamp="$release echarts=${echarts_version:-none} bundle=$bundler"
if [[ -f "$out/build-stamp.txt" && "$(cat "$out/build-stamp.txt")" == "$stamp" ]]; then
  exit 0
fi

tmp="${out}.tmp.$$"
trap 'rm -rf "$tmp"' EXIT
rm -rf "$tmp"
mkdir -p "$tmp/v/$release"
app="$tmp/v/$release"
if [[ -n "$esbuild" ]]; then
  # No source maps: nothing at run time asks for them (no sourceMappingURL comment is written).
  # es2020: what the pages are written in (Chromium 80+, the chat apps' web views included).
  (cd "$src" && "$esbuild" js/boot.js --bundle --splitting --format=esm --minify --target=es2020 \
    --charset=utf8 --legal-comments=none --log-level=warning --outdir="$app/js" \
    --entry-names='[dir]/[name]' --chunk-names='chunk-[hash]' &&
    "$esbuild" js/early.js --bundle --format=iife --minify --target=es2020 --charset=utf8 \
      --legal-comments=none --log-level=warning --outfile="$app/js/early.js" &&
    "$esbuild" css/*.css --minify --charset=utf8 --log-level=warning --outdir="$app/css")
else
  echo "build-web: esbuild is missing (apt-get install esbuild; scripts/deps.sh): the console ships unbundled, one file per module (slower to start on phones)" >&2
  (cd "$src" && cp --parents $app_files "$app/")
fi

echarts_url=""
if [[ -n "$echarts_version" ]]; then
  mkdir -p "$tmp/vendor/echarts-$echarts_version"
  cp "$echarts_file" "$tmp/vendor/echarts-$echarts_version/echarts.min.js"
  cp "$echarts_dir/LICENSE" "$tmp/vendor/echarts-$echarts_version/LICENSE.txt"
  echarts_url="vendor/echarts-$echarts_version/echarts.min.js"
else
  echo "build-web: $echarts_file is missing (npm install in web/): the console will show tables without charts" >&2
fi

# The page names the app's release directory, preloads the modules the entry imports (one round
# trip for all of them instead of one per import level) and names the chart library.
# Bundled: the entry js/boot.js and the chunks it imports (not the report pages' chunks).
# Unbundled: the entry, what it imports, then the other modules; a module whose first lines say
# `dixian:lazy` is not preloaded: it loads when a page imports it.
entry=js/boot.js
static_imports() {  # module -> the modules it imports statically, relative to $src
  local dir
  dir=$(dirname "$1")
  sed -n "s#^import .* from '\(\.\.\{0,1\}/[^']*\.js\)';#\1#p" "$src/$1" |
    while read -r dep; do realpath -m --relative-to="$src" "$src/$dir/$dep"; done
}
chunk_imports() {  # bundled file -> the chunks it imports statically (minified: from"./chunk-X.js")
  grep -o '\(from\|import\) *"\./chunk-[A-Za-z0-9_-]*\.js"' "$app/$1" | grep -o 'chunk-[^"]*' |
    sed 's#^#js/#' || true
}
if [[ -n "$esbuild" ]]; then
  next() { chunk_imports "$1"; }
  candidates=()
else
  next() { static_imports "$1"; }
  mapfile -t candidates < <(cd "$src" && find js -type f -name '*.js' | LC_ALL=C sort)
fi
shell=()
queue=("$entry")
while ((${#queue[@]})); do
  f=${queue[0]}
  queue=("${queue[@]:1}")
  [[ " ${shell[*]} " == *" $f "* ]] && continue
  [[ -f "$app/$f" ]] || { echo "build-web: $f, imported by the console, is missing" >&2; exit 1; }
  shell+=("$f")
  mapfile -t -O "${#queue[@]}" queue < <(next "$f")
done
preload=""
for f in "${shell[@]}" "${candidates[@]}"; do
  [[ "$preload" == *"/$f\""* ]] && continue
  [[ -z "$esbuild" ]] && head -n 5 "$src/$f" | grep -q 'dixian:lazy' && continue
  preload+="  <link rel=\"modulepreload\" href=\"v/$release/$f\">\n"
done
# Bundled, early.js (the page's first script: it starts the page's API calls) is a plain script of
# its own, so it runs while the head is parsed, before the app (docs/console.md).
early_tag='s#<script type="module" src="js/early.js"></script>#<script src="js/early.js"></script>#'
[[ -n "$esbuild" ]] || early_tag=''
sed -e "$early_tag" -e "s#href=\"css/#href=\"v/$release/css/#g" -e "s#src=\"js/#src=\"v/$release/js/#g" \
    -e "s#<meta name=\"dixian-echarts\" content=\"[^\"]*\">#<meta name=\"dixian-echarts\" content=\"$echarts_url\">#" \
    -e "s#^</head>#${preload}</head>#" \
    "$src/index.html" >"$tmp/index.html"
grep -q "src=\"v/$release/$entry\"" "$tmp/index.html" || { echo "build-web: index.html does not load $entry" >&2; exit 1; }
if [[ -n "$esbuild" ]] && ! grep -q "<script src=\"v/$release/js/early.js\"></script>" "$tmp/index.html"; then
  echo "build-web: index.html does not load js/early.js as a plain script" >&2
  exit 1
fi

# The service worker (web/sw.js) at the root, so its scope is the page: this release and the
# files the page may ask for (the page first), each file listed once (docs/console.md).
files="'./'"
while read -r f; do files+=", 'v/$release/$f'"; done < <(cd "$app" && find . -type f | sed 's#^\./##' | LC_ALL=C sort)
sed -e "s#^const kRelease = '[^']*';#const kRelease = '$release';#" \
    -e "s#^const kFiles = \[\];#const kFiles = [$files];#" "$src/sw.js" >"$tmp/sw.js"
grep -q "^const kRelease = '$release';" "$tmp/sw.js" && grep -q "^const kFiles = \['./', 'v/" "$tmp/sw.js" ||
  { echo "build-web: sw.js does not name the release and its files" >&2; exit 1; }
sed -i 's#<meta name="dixian-worker" content="">#<meta name="dixian-worker" content="sw.js">#' "$tmp/index.html"
grep -q '<meta name="dixian-worker" content="sw.js">' "$tmp/index.html" ||
  { echo "build-web: index.html does not name the service worker" >&2; exit 1; }

# -n: no name or time in the header, so the same input gives the same bytes.
find "$tmp" -type f \( -name '*.html' -o -name '*.js' -o -name '*.css' -o -name '*.txt' \) \
  -exec gzip -9 -n -k {} +
echo "$stamp" >"$tmp/build-stamp.txt"

# The previous release's files stay one more release: a page of it still open, or served by a
# phone's service worker before it has updated (sw.js), still finds its scripts (immutable URLs).
previous=$(cut -d' ' -f1 "$out/build-stamp.txt" 2>/dev/null || true)
if [[ -n "$previous" && "$previous" != "$release" && -d "$out/v/$previous" ]]; then
  cp -a "$out/v/$previous" "$tmp/v/$previous"
fi
rm -rf "$out"
mv "$tmp" "$out"
trap - EXIT
echo "build-web: console release $release in $out"
