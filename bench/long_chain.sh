#!/usr/bin/env bash
# Times a long chain through the CLI (issue 14, item 5; numbers in docs/performance.md):
#
#   bench/long_chain.sh [CHUNKSCOPE] [LAYERS] [REPEAT]
#
# CHUNKSCOPE defaults to build/bin/chunkscope, LAYERS to 100,000, REPEAT to 3. A chain of LAYERS
# element-wise layers on one 4-element chunk goes through `run -q --trace`, `report` and
# `html -o`; each step is timed REPEAT times (wall seconds, CPU seconds = user + system, and peak
# RSS from /usr/bin/time) and the run with the best wall time is reported, with the sums. On a
# loaded machine the CPU seconds are the better guide (the steps are single-threaded but for
# run's 2 workers), and the load average is printed. Work folder: a temporary directory, removed at
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

best() {  # best NAME ARGS...: the fastest of REPEAT runs, "wall_s cpu_s peak_MiB"
  local name=$1 b="" c="" m=""
  shift
  for _ in $(seq "$repeat"); do
    /usr/bin/time -f "%e %U %S %M" -o "$name.time" "$cs" "$@" >/dev/null
    read -r s u y k <"$name.time"
    if [ -z "$b" ] || awk -v a="$s" -v b="$b" 'BEGIN { exit !(a < b) }'; then
      b=$s c=$(awk -v u="$u" -v y="$y" 'BEGIN { printf "%.2f", u + y }') m=$((k / 1024))
    fi
  done
  echo "$b $c $m"
}

read -r t_run c_run m_run < <(best run run -q chain.json --threads 2 --trace chain.cstrace.json)
read -r t_report c_report m_report < <(best report report chain.cstrace.json)
t_html=0 c_html=0 m_html=0
[ "$html" -eq 1 ] && read -r t_html c_html m_html < <(best html html -o chain.html chain.cstrace.json)
size=$(($(stat -c %s chain.cstrace.json) / 1024 / 1024))

echo "chain of $n layers, trace $size MiB, best of $repeat, $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
printf "%-8s %8s %8s %10s\n" step wall_s cpu_s "peak MiB"
printf "%-8s %8s %8s %10s\n" run "$t_run" "$c_run" "$m_run" report "$t_report" "$c_report" "$m_report"
[ "$html" -eq 1 ] && printf "%-8s %8s %8s %10s\n" html "$t_html" "$c_html" "$m_html"
printf "%-8s %8s %8s\n" total "$(awk -v a="$t_run" -v b="$t_report" -v c="$t_html" 'BEGIN { printf "%.2f", a + b + c }')" \
  "$(awk -v a="$c_run" -v b="$c_report" -v c="$c_html" 'BEGIN { printf "%.2f", a + b + c }')"
