#!/usr/bin/env bash
# `cmake --install` into a prefix under the build folder (issue 18, item 2), then from the prefix
# only: the CLI (--version, a run whose page carries the dashboard from <prefix>/share/chunkscope/web),
# its man page through `man -l`, the bash completion, the licence files, and the Python package with
# its metadata (PYTHONPATH=<prefix>/lib/pythonX.Y/dist-packages; `python -m chunkscope` runs the CLI).
#
#   install_prefix_test.sh SOURCE BUILD_DIR PREFIX PYTHON_SUBDIR
set -u
src=$1 build=$2 prefix=$3 pysub=$4
unset PYTHONPATH CHUNKSCOPE_WEB_DIR
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
step() { echo "-- $*"; }
rm -rf "$prefix" && mkdir -p "$prefix/run" || exit 1
version=$("$build/bin/chunkscope" --version | awk '{print $2}')

step "cmake --install $build --prefix $prefix"
cmake --install "$build" --prefix "$prefix" >"$prefix/install.log" 2>&1 || { cat "$prefix/install.log"; fail "cmake --install"; exit 1; }
cd "$prefix/run" || exit 1
for f in bin/chunkscope share/man/man1/chunkscope.1 share/bash-completion/completions/chunkscope \
         share/doc/chunkscope/LICENSE share/doc/chunkscope/THIRD_PARTY_NOTICES \
         share/chunkscope/web/app.js share/chunkscope/web/viz-global.js "$pysub/chunkscope/__init__.py"; do
  [ -e "$prefix/$f" ] || fail "$f not installed"
done
[ -x "$build/bin/chunkscope-view" ] && { [ -x "$prefix/bin/chunkscope-view" ] || fail "chunkscope-view not installed"; }

step "the installed CLI"
[ "$("$prefix/bin/chunkscope" --version)" = "chunkscope $version" ] || fail "--version: $("$prefix/bin/chunkscope" --version)"
cp "$src/samples/pipelines/cells.json" .
"$prefix/bin/chunkscope" run cells.json --html cells.html >run.log 2>&1 || fail "run: $(tail -3 run.log)"
grep -q 'data-cs="cs-graphviz"' cells.html || fail "cells.html has no dashboard: the prefix's web files were not found"

step "man -l"
MANWIDTH=100 MANPAGER=cat LC_ALL=C.UTF-8 man -l "$prefix/share/man/man1/chunkscope.1" >man.txt 2>man.err || fail "man -l: $(cat man.err)"
grep -q '^NAME' man.txt && grep -q 'chunkscope - see how a chunked array computation really runs' man.txt || fail "man page NAME: $(head -5 man.txt)"
for w in 'chunkscope serve' 'chunkscope html' 'CHUNKSCOPE_WEB_DIR' "$version"; do
  grep -qF -- "$w" man.txt || fail "the man page does not mention $w"
done
grep -q "$build" man.txt && fail "the man page names the build folder"
grep -q '???' man.txt && fail "the man page has ??? where the help text has non-ASCII characters"

step "bash completion"
out=$(PATH=$prefix/bin:$PATH bash -c 'source "$1"; COMP_WORDS=(chunkscope se); COMP_CWORD=1; _chunkscope; echo "${COMPREPLY[*]}";
  COMP_WORDS=(chunkscope serve --po); COMP_CWORD=2; _chunkscope; echo "${COMPREPLY[*]}"' _ "$prefix/share/bash-completion/completions/chunkscope")
[ "$out" = $'serve\n--port' ] || fail "completion: $out"

step "the Python package"
out=$(PYTHONPATH=$prefix/$pysub /usr/bin/python3 -c 'import importlib.metadata as m, chunkscope; print(m.version("chunkscope")); print(chunkscope.__file__); print(chunkscope.web_assets_dir())')
[ "$(sed -n 1p <<<"$out")" = "$version" ] || fail "importlib.metadata.version: $out"
[ "$(sed -n 2p <<<"$out")" = "$prefix/$pysub/chunkscope/__init__.py" ] || fail "imported from $(sed -n 2p <<<"$out")"
[ "$(sed -n 3p <<<"$out")" = "$prefix/$pysub/chunkscope/web" ] || fail "dashboard files: $(sed -n 3p <<<"$out")"
[ "$(PYTHONPATH=$prefix/$pysub /usr/bin/python3 -m chunkscope --version)" = "chunkscope $version" ] || fail "python -m chunkscope --version"
PYTHONPATH=$prefix/$pysub /usr/bin/python3 -c '
import chunkscope
t = chunkscope.load("cells.cstrace.json")
assert "cs-graphviz" in t._repr_html_()' || fail "notebook display from the prefix"

[ $failures -eq 0 ] && echo "cmake --install: ok"
exit $((failures > 0))
