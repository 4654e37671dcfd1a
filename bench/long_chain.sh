#!/usr/bin/env bash
# Times a long chain through the CLI (issue 14, item 5; numbers in docs/performance.md):
#
#   bench/long_chain.sh [CHUNKSCOPE] [LAYERS] [REPEAT]
#
# CHUNKSCOPE defaults to build/bin/chunkscope, LAYERS to 100,000, REPEAT to 3. A chain of LAYERS
# element-wise layers on one 4-element chunk goes through `run -q --trace`, `report` and
# `html -o`; each step is timed REPEAT times (wall seconds and peak RSS from /usr/bin/time) and the
# best time of each is reported, with their sum. Work folder: a temporary directory, removed at
# the end. Not a test: nothing here asserts a time.
set -eu
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cs=${1:-$root/build/bin/chunkscope}
n=${2:-100000}
repeat=${3:-3}
[[ $cs == /* ]] || cs=$PWD/$cs
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

awk -v n="$n" 'BEGIN {
  printf "{\"name\": \"chain\", \"layers\": [{\"id\": \"l0\", \"op\": \"random\", \"shape\": [4], \"chunks\": [4]}";
  for (i = 1; i < n; i++) printf ",\n {\"id\": \"l%d\", \"op\": \"negative\", \"input\": \"l%d\"}", i, i - 1;
  print "]}" }' >chain.json

html=1
"$cs" run -q chain.json --threads 2 --trace chain.cstrace.json
if ! "$cs" html -o probe.html chain.cstrace.json >/dev/null 2>probe.err; then
  echo "html: skipped ($(head -c 200 probe.err))"
  html=0
fi

best() {  # best NAME ARGS...: the fastest of REPEAT runs, "seconds peak_MiB"
  local name=$1 b="" m=""
  shift
  for _ in $(seq "$repeat"); do
    /usr/bin/time -f "%e %M" -o "$name.time" "$cs" "$@" >/dev/null
    read -r s k <"$name.time"
    if [ -z "$b" ] || awk -v a="$s" -v b="$b" 'BEGIN { exit !(a < b) }'; then b=$s m=$((k / 1024)); fi
  done
  echo "$b $m"
}

read -r t_run m_run < <(best run run -q chain.json --threads 2 --trace chain.cstrace.json)
read -r t_report m_report < <(best report report chain.cstrace.json)
t_html=0 m_html=0
[ "$html" -eq 1 ] && read -r t_html m_html < <(best html html -o chain.html chain.cstrace.json)
size=$(($(stat -c %s chain.cstrace.json) / 1024 / 1024))

echo "chain of $n layers, trace $size MiB, best of $repeat, $(nproc) cores"
printf "%-8s %8s %10s\n" step seconds "peak MiB"
printf "%-8s %8s %10s\n" run "$t_run" "$m_run" report "$t_report" "$m_report"
[ "$html" -eq 1 ] && printf "%-8s %8s %10s\n" html "$t_html" "$m_html"
printf "%-8s %8s\n" total "$(awk -v a="$t_run" -v b="$t_report" -v c="$t_html" 'BEGIN { printf "%.2f", a + b + c }')"
