#!/bin/sh
# `chunkscope run --executor cuda`: without a CUDA driver/device it fails at once with exit 1, one
# line naming the reason, and writes no trace and no outputs. With a device it runs and writes the trace.
set -u
bin="$1"; root="$2"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cp "$root/samples/pipelines/cells.json" "$tmp/"
cd "$tmp"
"$bin" run --executor cuda --quiet cells.json > out.txt 2> err.txt
rc=$?
if [ $rc -eq 0 ]; then
  [ -f cells.cstrace.json ] || { echo "FAIL: exit 0 but no trace"; exit 1; }
  grep -q '"executor": *"cuda"' cells.cstrace.json || { echo "FAIL: trace executor is not cuda"; exit 1; }
  echo "ok: ran on a device"; exit 0
fi
[ $rc -eq 1 ] || { echo "FAIL: exit $rc, expected 1"; cat err.txt; exit 1; }
[ "$(wc -l < err.txt)" -eq 1 ] || { echo "FAIL: expected one line on stderr:"; cat err.txt; exit 1; }
grep -Eq '^chunkscope: --executor cuda: (no CUDA device available|CUDA support is not installed) \(' err.txt || { echo "FAIL: message:"; cat err.txt; exit 1; }
left=$(ls | grep -v -e '^cells.json$' -e '^out.txt$' -e '^err.txt$' || true)
[ -z "$left" ] || { echo "FAIL: files written: $left"; exit 1; }
echo "ok: $(cat err.txt)"
