#!/usr/bin/env bash
# `chunkscope diff` through the CLI (issue 20 item 1): the table, --json, layers matched by id and
# by op, the exit status (0 no regression, 3 a regression, 2 bad input) and apply-advice's hint.
# Memory is accounted exactly, so the regression planted here (one 64 MiB chunk instead of 256
# chunks of 256 KiB, one thread) is the same on every machine; no check depends on timings.
#   diff_test.sh BIN WORK
set -u
source "$(dirname "${BASH_SOURCE[0]}")/../support/shell_checks.sh"
cs_prepare "$1" "$2"

pipeline() {  # pipeline NAME ID CHUNK: a 4096×4096 random array in CHUNK×CHUNK chunks, +1, summed
  cat >"$1.json" <<JSON
{"name": "$1", "layers": [
  {"id": "$2", "op": "random", "shape": [4096, 4096], "chunks": [$3, $3], "dtype": "float32", "seed": 1},
  {"id": "y", "op": "add", "inputs": ["$2", 1]},
  {"id": "total", "op": "sum", "input": "y"}],
 "outputs": [{"id": "total"}]}
JSON
}
pipeline small x 256
pipeline big x 4096
pipeline renamed x2 256
for p in small big renamed; do
  cs_run "run_$p" run "$p.json" -j 1 -q --trace "$p.cstrace.json"
  [ "$rc" -eq 0 ] || fail "run $p: exit $rc: $(cat "run_$p.err")"
done

cs_run same diff small.cstrace.json small.cstrace.json
[ "$rc" -eq 0 ] || fail "diff of a trace with itself: exit $rc, expected 0"
grep -q "^no regressions$" same.out || fail "diff of a trace with itself: no \"no regressions\" line: $(cat same.out)"
grep -q "^before: small.cstrace.json: pipeline small" same.out || fail "diff: no before line: $(head -3 same.out)"

cs_run worse diff small.cstrace.json big.cstrace.json
[ "$rc" -eq 3 ] || fail "diff small big: exit $rc, expected 3 (a memory regression)"
grep -E "^x +random +256×256 → 4096×4096 +256 → 1 .*! (time, )?memory" worse.out >/dev/null ||
  grep -E "^x +random +256×256 → 4096×4096 +256 → 1 .*! .*memory" worse.out >/dev/null ||
  fail "diff small big: the x row lacks the shapes, tasks or the memory flag: $(cat worse.out)"
grep -E "^peak memory .* !$" worse.out >/dev/null || fail "diff small big: the run's peak memory is not flagged: $(cat worse.out)"
grep -qE "regressions? \(marked !\)$" worse.out || fail "diff small big: no closing count: $(tail -1 worse.out)"
grep -q "%" worse.out && grep -E "[0-9]{4,}%" worse.out && fail "diff small big: a relative change of 1000% or more: $(cat worse.out)"

cs_run json diff --json small.cstrace.json big.cstrace.json
[ "$rc" -eq 3 ] || fail "diff --json small big: exit $rc, expected 3"
/usr/bin/python3 - json.out <<'PY' || fail "diff --json: $(cat json.out | head -40)"
import json, sys
j = json.load(open(sys.argv[1]))
assert j["before"] == "small.cstrace.json" and j["after"] == "big.cstrace.json", j
assert j["regressions"] >= 1
assert j["run"]["peak_bytes"]["regression"] is True
x = j["layers"][0]
assert x["id_before"] == "x" and x["matched_by"] == "id", x
assert x["chunk_shape_before"] == "256×256" and x["chunk_shape_after"] == "4096×4096", x
assert x["tasks"]["before"] == 256 and x["tasks"]["after"] == 1, x
assert x["peak_live_bytes"]["regression"] is True, x
PY

cs_run renamed diff small.cstrace.json renamed.cstrace.json
grep -qE "^x → x2 +random +256×256 " renamed.out || fail "diff small renamed: x not matched to x2 by its op: $(cat renamed.out)"

cs_run to_file diff small.cstrace.json small.cstrace.json -o cmp.txt
[ "$rc" -eq 0 ] && grep -q "no regressions" cmp.txt || fail "diff -o cmp.txt: exit $rc, file: $(cat cmp.txt 2>&1)"

# --html: the compare page (both traces and the comparison inlined; its static table for readers
# without scripts); it never replaces a trace read.
cs_run page diff small.cstrace.json big.cstrace.json --html cmp.html
[ "$rc" -eq 3 ] || fail "diff --html: exit $rc, expected 3 (the same regression): $(cat page.err)"
[ -s cmp.html ] || fail "diff --html: no cmp.html: $(cat page.err)"
for want in 'data-cs="cs-compare-data"' 'data-cs="cs-trace-before"' 'data-cs="cs-trace-after"' '256×256 → 4096×4096' \
  'cs-compare-root'; do
  grep -q "$want" cmp.html || fail "diff --html: cmp.html lacks $want"
done
grep -qE "^x +random" page.out || fail "diff --html: the table is no longer printed: $(cat page.out)"
cs_run page_replace diff small.cstrace.json big.cstrace.json --html small.cstrace.json
cs_refused page_replace 2 "small.cstrace.json"

cs_run missing diff small.cstrace.json nothing.cstrace.json
cs_refused missing 2 "nothing.cstrace.json"
cs_run replace diff small.cstrace.json big.cstrace.json -o big.cstrace.json
cs_refused replace 2 "big.cstrace.json"
printf '{"format": "chunkscope-trace"' >broken.cstrace.json
cs_run broken diff broken.cstrace.json small.cstrace.json
cs_refused broken 2 "broken.cstrace.json"

cs_run advice apply-advice small.json small.cstrace.json -o fixed.json --min-severity info
if grep -q "change" advice.out && ! grep -q "0 changes" advice.out; then
  grep -q "then chunkscope diff small.cstrace.json NEW_TRACE" advice.out || fail "apply-advice: no diff hint: $(cat advice.out)"
fi
cs_finish
