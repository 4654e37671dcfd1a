#!/usr/bin/env bash
# Without the dashboard files (here: CHUNKSCOPE_WEB_DIR names a folder without the Graphviz bundle
# viz-global.js), `chunkscope html`, `html --fragment` and `run --html` still write the static report
# (layer table + findings) with a line saying why, and exit 0 (issue 18, item 3).
#
#   web_fallback_test.sh BIN TRACE PIPELINE [WEB_DIR]
# WEB_DIR: a complete set of dashboard files, whose three other files are copied (optional).
set -u
bin=$1 trace=$2 pipeline=$3 web=${4:-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
mkdir "$tmp/web"
if [ -n "$web" ]; then cp "$web/app.js" "$web/style.css" "$web/chunkscope_web.js" "$tmp/web/"; fi
export CHUNKSCOPE_WEB_DIR=$tmp/web
why="$tmp/web/"  # the message names the folder and the missing file

check_page() {  # check_page NAME FILE: the static report with the reason, no dashboard, no made-up API
  local name=$1 f=$2
  grep -q 'id="cs-fallback">The interactive dashboard is not included because the dashboard files are incomplete: ' "$f" \
    || fail "$name: no fallback line in $f"
  grep -qF "${why}" "$f" || fail "$name: the fallback line does not name $why"
  grep -q '<h3>Layers</h3>' "$f" || fail "$name: no layer table"
  grep -q '<h3>Findings (' "$f" || fail "$name: no findings"
  grep -q 'data-cs="cs-wasm"' "$f" && fail "$name: the page carries the WebAssembly module"
  grep -q 'notebook_init' "$f" && fail "$name: names chunkscope.notebook_init(), which does not exist"
  return 0
}

"$bin" html "$trace" -o "$tmp/page.html" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc -eq 0 ] || fail "html: exit $rc: $(cat "$tmp/err")"
grep -q 'viz-global.js is missing' "$tmp/err" || fail "html: stderr does not say what is missing: $(cat "$tmp/err")"
grep -q 'the static report only' "$tmp/out" || fail "html: stdout: $(cat "$tmp/out")"
check_page html "$tmp/page.html"
grep -q '^<!doctype html>' "$tmp/page.html" || fail "html: not a whole page"

"$bin" html "$trace" --fragment -o "$tmp/frag.html" >/dev/null 2>"$tmp/err"
rc=$?
[ $rc -eq 0 ] || fail "html --fragment: exit $rc: $(cat "$tmp/err")"
check_page fragment "$tmp/frag.html"

mkdir "$tmp/run"  # the pipeline writes its outputs next to itself
cp "$pipeline" "$tmp/run/p.json"
(cd "$tmp/run" && "$bin" run p.json --html run.html >"$tmp/out" 2>"$tmp/err")
rc=$?
[ $rc -eq 0 ] || fail "run --html: exit $rc: $(tail -3 "$tmp/err")"
check_page "run --html" "$tmp/run/run.html"

# An empty folder: the first file looked for is named.
rm -f "$tmp/web/"*
"$bin" html "$trace" -o "$tmp/empty.html" >/dev/null 2>"$tmp/err" || fail "html, empty folder: exit $?"
grep -q 'app.js is missing' "$tmp/empty.html" || fail "html, empty folder: app.js not named"

# No source file names a function that does not exist.
root=$(cd "$(dirname "$0")/../.." && pwd)
if grep -rn 'notebook_init' "$root/web/src" "$root/web/app" "$root/python/chunkscope" "$root/native/cli" >/dev/null; then
  fail "a source names notebook_init: $(grep -rn 'notebook_init' "$root/web/src" "$root/web/app" "$root/python/chunkscope" "$root/native/cli" | head -3)"
fi

[ $failures -eq 0 ] && echo "web fallback: ok"
exit $((failures > 0))
