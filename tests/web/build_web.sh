#!/usr/bin/env bash
# scripts/build-web.sh both ways (no browser; ctest web_build): with esbuild, the page preloads the
# bundle (the entry and one chunk), every script is minified with no source map and has its .gz;
# without it (DIXIAN_WEB_BUNDLE=0, the same path as esbuild missing) the build warns and ships
# every module as it is, under a different release, so one URL never names two different files.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "web_build: $*" >&2; exit 1; }
command -v esbuild >/dev/null || fail "esbuild is not installed (scripts/deps.sh)"

bash "$repo/scripts/build-web.sh" "$repo/web" "$tmp/bundled" 2>"$tmp/bundled.err" >/dev/null
[[ ! -s "$tmp/bundled.err" ]] || fail "the bundled build warned: $(cat "$tmp/bundled.err")"
release=$(sed -n 's#.*src="v/\([0-9a-f]\{12\}\)/js/boot\.js".*#\1#p' "$tmp/bundled/index.html")
[[ -n "$release" ]] || fail "index.html does not load v/<release>/js/boot.js"
mapfile -t preloads < <(grep -o 'rel="modulepreload" href="[^"]*"' "$tmp/bundled/index.html" | cut -d'"' -f4)
[[ ${#preloads[@]} == 2 && "${preloads[0]}" == "v/$release/js/boot.js" &&
   "${preloads[1]}" =~ ^v/$release/js/chunk-[A-Z0-9]+\.js$ ]] ||
  fail "the bundled page should preload the entry and one chunk: ${preloads[*]}"
scripts=$(cd "$tmp/bundled/v/$release" && find js -name '*.js' | LC_ALL=C sort)
! echo "$scripts" | grep -qvE '^js/(early|boot|chunk-[A-Z0-9]+)\.js$' ||
  fail "the bundle holds files other than early.js, the entry and chunks: $scripts"
(( $(echo "$scripts" | wc -l) == 4 )) ||
  fail "expected early.js, the entry, the shared chunk and the reports' chunk: $scripts"
# early.js, which starts the page's API calls, is a plain script that runs while the head is
# parsed: before the stylesheet and the app, self-contained (no import).
grep -q "<script src=\"v/$release/js/early.js\"></script>" "$tmp/bundled/index.html" ||
  fail "index.html does not load early.js as a plain script"
(( $(grep -n 'js/early.js' "$tmp/bundled/index.html" | cut -d: -f1) < $(grep -n 'rel="stylesheet"' "$tmp/bundled/index.html" | cut -d: -f1) )) ||
  fail "early.js does not come before the stylesheet"
! grep -qE '(^|[;})])import[ ({"]|export ' "$tmp/bundled/v/$release/js/early.js" || fail "early.js imports or exports: it is not a plain script"
for f in $scripts; do
  file="$tmp/bundled/v/$release/$f"
  ! grep -q sourceMappingURL "$file" || fail "$f names a source map"
  (( $(wc -l <"$file") < 10 )) || fail "$f is not minified"
  [[ -f "$file.gz" ]] || fail "$f has no .gz"
done
# The service worker (web/sw.js) names this release and exactly the page and the release's files.
grep -q "^const kRelease = '$release';" "$tmp/bundled/sw.js" || fail "sw.js does not name release $release"
listed=$(sed -n "s/^const kFiles = \[\(.*\)\];.*/\1/p" "$tmp/bundled/sw.js" | tr -d " '" | tr , '\n' | LC_ALL=C sort)
shipped=$({ echo ./; (cd "$tmp/bundled" && find "v/$release" -type f ! -name '*.gz'); } | LC_ALL=C sort)
[[ "$listed" == "$shipped" ]] || fail "sw.js lists $listed, the release ships $shipped"
grep -q '<meta name="dixian-worker" content="sw.js">' "$tmp/bundled/index.html" || fail "index.html does not name sw.js"
[[ -f "$tmp/bundled/sw.js.gz" ]] || fail "sw.js has no .gz"
grep -q "/\* dixian:lazy\|// The page's entry" "$tmp/bundled/v/$release/js/boot.js" && fail "comments left in the bundle"
out=$(bash "$repo/scripts/build-web.sh" "$repo/web" "$tmp/bundled" 2>&1)
[[ -z "$out" ]] || fail "a second build with nothing changed did something: $out"
# A new release keeps the previous one's files (an open page or a phone's worker may still ask
# for them), and only that one.
mkdir -p "$tmp/src2" && cp -a "$repo/web/index.html" "$repo/web/sw.js" "$repo/web/css" "$repo/web/js" "$tmp/src2/"
ln -s "$repo/web/node_modules" "$tmp/src2/node_modules"
echo '.build-web-test { color: inherit; }' >>"$tmp/src2/css/console.css"
bash "$repo/scripts/build-web.sh" "$tmp/src2" "$tmp/bundled" >/dev/null
echo '.build-web-test2 { color: inherit; }' >>"$tmp/src2/css/console.css"
bash "$repo/scripts/build-web.sh" "$tmp/src2" "$tmp/bundled" >/dev/null
second=$(sed -n 's#.*src="v/\([0-9a-f]\{12\}\)/js/boot\.js".*#\1#p' "$tmp/bundled/index.html")
mapfile -t kept < <(cd "$tmp/bundled/v" && ls)
(( ${#kept[@]} == 2 )) && [[ " ${kept[*]} " == *" $second "* && " ${kept[*]} " != *" $release "* ]] ||
  fail "after two new releases v/ should hold the last two, not $release: ${kept[*]} (current $second)"

DIXIAN_WEB_BUNDLE=0 bash "$repo/scripts/build-web.sh" "$repo/web" "$tmp/plain" 2>"$tmp/plain.err" >/dev/null
grep -q "esbuild is missing" "$tmp/plain.err" || fail "the unbundled build does not warn"
plain=$(sed -n 's#.*src="v/\([0-9a-f]\{12\}\)/js/boot\.js".*#\1#p' "$tmp/plain/index.html")
[[ -n "$plain" && "$plain" != "$release" ]] || fail "the unbundled build has the bundled release id: $plain"
for f in $(cd "$repo/web" && find js css -type f); do
  cmp -s "$repo/web/$f" "$tmp/plain/v/$plain/$f" || fail "the unbundled build lacks $f"
done
grep -q "rel=\"modulepreload\" href=\"v/$plain/js/app.js\"" "$tmp/plain/index.html" ||
  fail "the unbundled page does not preload the shell"
! grep -q "modulepreload\" href=\"v/$plain/js/pages/stats.js\"" "$tmp/plain/index.html" ||
  fail "the unbundled page preloads a lazy module"
echo "web_build: bundled release $release (${#preloads[@]} preloads), unbundled $plain"
