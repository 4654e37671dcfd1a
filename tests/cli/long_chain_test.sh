#!/usr/bin/env bash
# A long chain completes (issue 14, item 5: analysis and the view model are linear in layers):
#
#   long_chain_test.sh CHUNKSCOPE WORKDIR [LAYERS]
#
# run --trace, report and html -o on a chain of LAYERS (default 50,000) element-wise layers. No
# timing here: the ctest TIMEOUT is the only guard (a linear search per layer made a 40,000-layer
# report take 8.9 s, and 98 s at 100,000). bench/long_chain.sh times the 100,000-layer chain.
set -u
source "$(dirname "${BASH_SOURCE[0]}")/../support/shell_checks.sh"
cs_prepare "$1" "$2"
n=${3:-50000}

awk -v n="$n" 'BEGIN {
  printf "{\"name\": \"chain\", \"layers\": [{\"id\": \"l0\", \"op\": \"random\", \"shape\": [4], \"chunks\": [4], \"group\": \"head\"}";
  for (i = 1; i < n; i++) printf ",\n {\"id\": \"l%d\", \"op\": \"negative\", \"input\": \"l%d\", \"group\": \"g%d/s%d\"}", i, i - 1, i % 7, i % 3;
  print "]}" }' >chain.json

"$cs" run chain.json -q --threads 2 --trace chain.cstrace.json 2>run.err || fail "run: $(head -c 300 run.err)"
"$cs" report chain.cstrace.json >report.txt 2>report.err || fail "report: $(head -c 300 report.err)"
grep -q "l$((n - 1))" report.txt || fail "report: the last layer l$((n - 1)) is not in the table"
if "$cs" html -o chain.html chain.cstrace.json >html.out 2>html.err; then
  tail -c 100 chain.html | grep -q "</html>" || fail "html: the page is not complete"
elif grep -q "dashboard files" html.err; then
  echo "html: skipped (no dashboard files in this build)"
else
  fail "html: $(head -c 300 html.err)"
fi
[ "$failures" -eq 0 ] && echo "ok: $n layers" || echo "$failures failure(s)"
[ "$failures" -eq 0 ]
