#!/usr/bin/env bash
# Out of memory in every command (issue 14, item 4):
#
#   oom_commands_test.sh CHUNKSCOPE WORKDIR
#
# Each command runs under `ulimit -v` at the limits a bisection visits (from what the command needs
# down to what a small run needs), on a 10,000-layer chain: its pipeline, its trace, its page. A
# run at a limit either succeeds (exit 0) or fails cleanly: exit 1 and exactly one line,
# "chunkscope: out of memory" — never an abort (std::terminate from a destructor that allocates
# while a bad_alloc unwinds through a large JSON document), never exit 2 (out of memory is not a
# fault of the file), never "std::bad_alloc" as the reason.
set -u
source "$(dirname "${BASH_SOURCE[0]}")/../support/shell_checks.sh"
cs_prepare "$1" "$2"
export MALLOC_ARENA_MAX=1

# A chain of 10,000 element-wise layers on one small chunk.
awk 'BEGIN {
  printf "{\"name\": \"chain\", \"layers\": [{\"id\": \"l0\", \"op\": \"random\", \"shape\": [4], \"chunks\": [4]}";
  for (i = 1; i < 10000; i++) printf ",\n {\"id\": \"l%d\", \"op\": \"negative\", \"input\": \"l%d\"}", i, i - 1;
  print "]}" }' >chain.json
"$cs" run chain.json -q --threads 2 --trace chain.cstrace.json || fail "a complete run of chain.json failed"

clean_or_ok() {  # clean_or_ok NAME: checks the run in $rc / NAME.err; returns 0 when it succeeded
  local name=$1 err lines
  err=$(<"$name.err")
  lines=$(wc -l <"$name.err")
  if [ "$rc" -eq 0 ]; then return 0; fi
  if [ "$rc" -ne 1 ]; then
    fail "$name: exit code $rc, expected 1 (out of memory) or 0: $(head -c 300 "$name.err")"
  elif [ "$lines" -ne 1 ] || [ "$err" != "chunkscope: out of memory" ]; then
    fail "$name: expected the one line \"chunkscope: out of memory\", got $lines lines: $(head -c 300 "$name.err")"
  fi
  return 1
}

# sweep NAME ARGS...: bisects the address space (MiB) the command needs; every run on the way must
# be clean. The limit includes chunkscope's own reserve for the way out (128 MiB).
sweep() {
  local name=$1 lo=32 hi=1024 mid runs=0 clean=0
  shift
  while [ $((hi - lo)) -gt 12 ]; do
    mid=$(((lo + hi) / 2))
    rm -f out.*
    (ulimit -v $((mid * 1024)); exec "$cs" "$@") >"$name.out" 2>"$name.err"
    rc=$?
    runs=$((runs + 1))
    if clean_or_ok "$name"; then hi=$mid; else lo=$mid; clean=$((clean + 1)); fi
  done
  echo "$name: needs about $hi MiB; $clean clean failures in $runs runs"
  [ "$hi" -lt 1024 ] || fail "$name: does not succeed even with 1 GiB"
  [ "$clean" -ge 1 ] || fail "$name: never ran out of memory (the sweep starts too high)"
}

sweep run run chain.json -q --threads 2 --trace out.cstrace.json
sweep validate validate chain.json
sweep report report chain.cstrace.json
sweep export_chrome export --format chrome -o out.json chain.cstrace.json
sweep export_compact export --format compact -o out.bin chain.cstrace.json
if "$cs" html -o probe.html chain.cstrace.json >/dev/null 2>html.err; then
  sweep html html -o out.html chain.cstrace.json
else
  echo "html: skipped ($(head -c 200 html.err))"
fi

[ "$failures" -eq 0 ] && echo "all clean" || echo "$failures failure(s)"
[ "$failures" -eq 0 ]
