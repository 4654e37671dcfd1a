#!/usr/bin/env bash
# `pip install --no-build-isolation .` from a clean clone into a fresh virtual environment
# (`/usr/bin/python3 -m venv --system-site-packages`), reusing the build folder through
# CHUNKSCOPE_BUILD_DIR; then, from the venv only: the metadata, the CLI on PATH and through
# `python -m chunkscope`, a run with its dashboard page, a Dask profile, samples/notebooks/cell_magic.ipynb
# executed by nbconvert (and opened offline in headless Chromium where there is one), and
# `pip uninstall` removing it all (issue 18, item 1).
#
#   pip_install_test.sh SOURCE BUILD_DIR WORK_DIR
set -u
src=$1 build=$2 work=$3
unset PYTHONPATH CHUNKSCOPE_WEB_DIR
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
step() { echo "-- $*"; }
rm -rf "$work" && mkdir -p "$work/run" || exit 1
version=$("$build/bin/chunkscope" --version | awk '{print $2}')

# A clean clone: only what is committed (pyproject.toml and the backend included).
if git -C "$src" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  git clone -q --no-hardlinks "$src" "$work/src" || exit 1
  tree=$work/src
else
  tree=$src
fi
step "venv + pip install ($tree)"
/usr/bin/python3 -m venv --system-site-packages "$work/venv" || exit 1
V=$work/venv/bin
if ! CHUNKSCOPE_BUILD_DIR=$build "$V/python" -m pip install --no-build-isolation --no-index -q "$tree" >"$work/pip.log" 2>&1; then
  cat "$work/pip.log"
  fail "pip install failed"
  exit 1
fi
site=$("$V/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
cd "$work/run" || exit 1

step "metadata and package"
out=$("$V/python" -c 'import importlib.metadata as m, chunkscope; print(m.version("chunkscope")); print(chunkscope.__file__); print(chunkscope.web_assets_dir()); print(m.metadata("chunkscope")["License"])')
[ "$(sed -n 1p <<<"$out")" = "$version" ] || fail "importlib.metadata.version: $(sed -n 1p <<<"$out"), expected $version"
[[ "$(sed -n 2p <<<"$out")" == "$site/chunkscope/"* ]] || fail "chunkscope imported from $(sed -n 2p <<<"$out"), not the venv"
[ "$(sed -n 3p <<<"$out")" = "$site/chunkscope/web" ] || fail "dashboard files: $(sed -n 3p <<<"$out")"
[ "$(sed -n 4p <<<"$out")" = "BSD-3-Clause" ] || fail "License: $(sed -n 4p <<<"$out")"
for f in LICENSE THIRD_PARTY_NOTICES; do [ -f "$site/chunkscope/$f" ] || fail "$f not installed"; done

step "the CLI on PATH and python -m chunkscope"
[ "$(PATH=$V:$PATH command -v chunkscope)" = "$V/chunkscope" ] || fail "chunkscope on PATH: $(PATH=$V:$PATH command -v chunkscope)"
[ "$("$V/chunkscope" --version)" = "chunkscope $version" ] || fail "chunkscope --version: $("$V/chunkscope" --version)"
"$V/python" -m chunkscope --help | grep -q 'html' || fail "python -m chunkscope --help"
"$V/python" -m chunkscope report /nonexistent.cstrace.json >/dev/null 2>&1
[ $? -eq 2 ] || fail "python -m chunkscope keeps the CLI's exit code (2 for a missing file)"

step "a run and its dashboard page"
cp "$tree/samples/pipelines/cells.json" .
PATH=$V:$PATH chunkscope run cells.json --html cells.html >run.log 2>&1 || fail "chunkscope run: $(tail -3 run.log)"
grep -q 'data-cs="cs-graphviz"' cells.html || fail "cells.html has no dashboard (the venv's web files not found)"

step "a Dask profile"
"$V/python" - <<'PY' || fail "Dask profile from the venv"
import chunkscope.dask, dask.array as da
with chunkscope.dask.profile() as prof:
    da.ones((256, 256), chunks=(64, 64)).sum().compute()
assert prof.trace.task_count > 0 and "cs-graphviz" in prof.trace._repr_html_()
PY

step "the notebook with %%chunkscope (nbconvert)"
cp "$tree/samples/notebooks/cell_magic.ipynb" nb.ipynb
if "$V/python" -c 'import nbconvert, ipykernel' 2>/dev/null; then
  # The venv's own kernel (Debian's python3 kernel runs /usr/bin/python3, which has no chunkscope).
  "$V/python" -m ipykernel install --sys-prefix --name python3 >/dev/null 2>&1 || fail "ipykernel install --sys-prefix"
  if "$V/python" -m nbconvert --to html --execute nb.ipynb --output nb.html >nb.log 2>&1; then
    grep -q 'data-cs="cs-graphviz"' nb.html || fail "the notebook shows no dashboard"
    [ -f anomaly.cstrace.json ] || fail "%%chunkscope --save wrote nothing"
    node_major=$(node --version 2>/dev/null | sed -e 's/^v//' -e 's/\..*//')
    if [ "${node_major:-0}" -ge 20 ] && [ -x /usr/bin/chromium ] && [ -d "$src/web/node_modules/playwright-core" ]; then
      NODE_MODULES=$src/web/node_modules node "$src/tests/python/open_notebook.mjs" nb.html 1 "$work/pip_notebook.png" >open.log 2>&1 \
        || fail "the notebook's dashboard did not draw offline: $(cat open.log)"
    fi
  else
    fail "nbconvert: $(tail -5 nb.log)"
  fi
fi

step "pip uninstall"
"$V/python" -m pip uninstall -y -q chunkscope >uninstall.log 2>&1 || fail "pip uninstall: $(cat uninstall.log)"
[ -e "$V/chunkscope" ] && fail "the chunkscope command is still there"
[ -e "$site/chunkscope" ] && fail "$site/chunkscope is still there: $(find "$site/chunkscope" | head -5)"
ls -d "$site"/chunkscope-*.dist-info >/dev/null 2>&1 && fail "the dist-info is still there"
"$V/python" -c 'import chunkscope' 2>/dev/null && fail "chunkscope still imports after uninstall"

[ $failures -eq 0 ] && echo "pip install: ok"
exit $((failures > 0))
