#!/usr/bin/env bash
# `chunkscope export --format chrome` (issue 20): the output of a CPU run (4 threads: dependencies
# across workers) obeys the trace-event format's rules (tests/cli/chrome_check.py): no
# displayTimeUnit, complete events nested per thread, flows inside the slices they bind to,
# every process and thread named; `-o -` writes standard output; `.json.gz` is gzip.
#   chrome_export_test.sh BIN WORK CHECK_PY GPU_TRACE
set -u
source "$(dirname "${BASH_SOURCE[0]}")/../support/shell_checks.sh"
check=$3
gpu_trace=$4
cs_prepare "$1" "$2"
cat >p.json <<'JSON'
{"name": "p", "layers": [
  {"id": "x", "op": "random", "shape": [512, 512], "chunks": [32, 32], "dtype": "float32", "seed": 1},
  {"id": "y", "op": "add", "inputs": ["x", 1]},
  {"id": "t", "op": "transpose", "input": "y"},
  {"id": "z", "op": "add", "inputs": ["y", "t"]},
  {"id": "total", "op": "sum", "input": "z"}],
 "outputs": [{"id": "total"}]}
JSON
cs_run run run p.json -j 4 -q --trace p.cstrace.json
[ "$rc" -eq 0 ] || fail "run: exit $rc: $(cat run.err)"

cs_run file export p.cstrace.json -o p.json.trace
[ "$rc" -eq 0 ] || fail "export -o p.json.trace: exit $rc: $(cat file.err)"
/usr/bin/python3 "$check" p.json.trace --min-x 256 --min-flows 256 || fail "export of a CPU run breaks the format's rules"
grep -q displayTimeUnit p.json.trace && fail "export: displayTimeUnit is written"

cs_run stdout export p.cstrace.json -o -
[ "$rc" -eq 0 ] || fail "export -o -: exit $rc: $(cat stdout.err)"
cmp -s stdout.out p.json.trace || fail "export -o - differs from the file written with -o"
[ -s stdout.err ] && fail "export -o -: wrote to stderr: $(cat stdout.err)"

cs_run gz export p.cstrace.json -o p.json.gz
[ "$rc" -eq 0 ] || fail "export -o p.json.gz: exit $rc: $(cat gz.err)"
gzip -dc p.json.gz | cmp -s - p.json.trace || fail "export -o p.json.gz is not the gzip of the JSON"

cs_run gzcbor export p.cstrace.json --format cbor -o p.cbor.gz
cs_refused gzcbor 2 "p.cbor.gz" "--format chrome"

cs_run gpu export "$gpu_trace" -o gpu.json
[ "$rc" -eq 0 ] || fail "export of a CUDA trace: exit $rc: $(cat gpu.err)"
/usr/bin/python3 "$check" gpu.json || fail "export of a CUDA trace breaks the format's rules"
grep -q '"cat":"transfer"' gpu.json || fail "export of a CUDA trace: no transfer slices"
cs_finish
