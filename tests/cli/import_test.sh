#!/usr/bin/env bash
# `chunkscope import` (issue 20): export -> import round trip of a CPU run (tasks, layers,
# dependencies kept; report, diff and html read the result), a task stream in distributed's shape,
# B/E events, and bad input: exit 2, one line naming the file, no output file left.
#   import_test.sh BIN WORK
set -u
source "$(dirname "${BASH_SOURCE[0]}")/../support/shell_checks.sh"
cs_prepare "$1" "$2"
cat >p.json <<'JSON'
{"name": "p", "layers": [
  {"id": "x", "op": "random", "shape": [256, 256], "chunks": [32, 32], "dtype": "float32", "seed": 1},
  {"id": "y", "op": "add", "inputs": ["x", 1]},
  {"id": "total", "op": "sum", "input": "y"}],
 "outputs": [{"id": "total"}]}
JSON
cs_run run run p.json -j 2 -q --trace p.cstrace.json
cs_run export export p.cstrace.json -o p.chrome.json.gz
cs_run back import p.chrome.json.gz -o back.cstrace.json
[ "$rc" -eq 0 ] || fail "import of an export: exit $rc: $(cat back.err)"
/usr/bin/python3 - p.cstrace.json back.cstrace.json <<'PY' || fail "round trip lost tasks, layers or dependencies"
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
ta, tb = a["tasks"], b["tasks"]
assert len(tb["layer"]) == len(ta["layer"]), (len(tb["layer"]), len(ta["layer"]))
assert [l["id"] for l in b["layers"]] == [l["id"] for l in a["layers"] if l["tasks"] > 0], [l["id"] for l in b["layers"]]
assert len(tb["dep_index"]) == len(ta["dep_index"]), (len(tb["dep_index"]), len(ta["dep_index"]))
assert b["meta"]["extra"]["imported_from"] == "chrome"
assert b["memory"]["peak_bytes"] == a["memory"]["peak_bytes"], (b["memory"]["peak_bytes"], a["memory"]["peak_bytes"])
assert all(l["params"]["unknown_chunks"] for l in b["layers"])
PY
cs_run report report back.cstrace.json
[ "$rc" -eq 0 ] || fail "report of an imported trace: exit $rc: $(cat report.err)"
cs_run html html back.cstrace.json -o back.html
[ "$rc" -eq 0 ] || fail "html of an imported trace: exit $rc: $(cat html.err)"

cat >stream.json <<'JSON'
[{"key": "('random_sample-0a1b2c3d', 0, 1)", "worker": "tcp://127.0.0.1:4001", "thread": 11, "nbytes": 800, "status": "OK",
  "startstops": [{"action": "compute", "start": 1000.0, "stop": 1000.5}]},
 {"key": ["random_sample-0a1b2c3d", 1, 0], "worker": "tcp://127.0.0.1:4002", "thread": 12, "nbytes": 800, "status": "OK",
  "startstops": [{"action": "compute", "start": 1000.1, "stop": 1000.4}]},
 {"key": "('add-77aa88bb', 1, 0)", "worker": "tcp://127.0.0.1:4001", "thread": 11, "nbytes": 800, "status": "OK",
  "startstops": [{"action": "transfer", "start": 1000.5, "stop": 1000.6, "source": "tcp://127.0.0.1:4002"},
                 {"action": "compute", "start": 1000.6, "stop": 1000.9}]},
 {"key": "finalize-99cc", "worker": "tcp://127.0.0.1:4001", "thread": 11, "nbytes": 8, "status": "OK",
  "startstops": [{"action": "compute", "start": 1000.9, "stop": 1001.0}]}]
JSON
cs_run stream import stream.json -o stream.cstrace.json
[ "$rc" -eq 0 ] || fail "import of a task stream: exit $rc: $(cat stream.err)"
/usr/bin/python3 - stream.cstrace.json <<'PY' || fail "task stream import: wrong layers, workers or times"
import json, sys
t = json.load(open(sys.argv[1]))
ids = [l["id"] for l in t["layers"]]
assert ids == ["random_sample-0a1b2c3d", "add-77aa88bb", "finalize-99cc"], ids
assert [l["name"] for l in t["layers"]] == ["random_sample", "add", "finalize"]
assert t["layers"][0]["params"]["chunk_grid"] == [2, 2], t["layers"][0]["params"]
assert t["meta"]["executor"] == "dask-distributed" and t["meta"]["threads"] == 2
assert t["meta"]["wall_ns"] == 1000000000, t["meta"]["wall_ns"]
assert t["tasks"]["chunk"][:2] == [1, 2], t["tasks"]["chunk"]
tr = t["meta"]["extra"]["worker_transfers"]
assert len(tr) == 1 and tr[0]["from_worker"] == "tcp://127.0.0.1:4002" and tr[0]["start_ns"] == 500000000, tr
PY
cs_run stream_chrome export stream.cstrace.json -o stream.chrome.json
grep -q '"dask worker tcp://127.0.0.1:4001"' stream.chrome.json || fail "export of an imported task stream: no process per worker"

cat >be.json <<'JSON'
{"traceEvents": [
 {"ph": "M", "pid": 7, "tid": 1, "name": "thread_name", "args": {"name": "main"}},
 {"ph": "B", "pid": 7, "tid": 1, "ts": 10, "name": "load"},
 {"ph": "B", "pid": 7, "tid": 1, "ts": 12, "name": "decode"},
 {"ph": "E", "pid": 7, "tid": 1, "ts": 20},
 {"ph": "E", "pid": 7, "tid": 1, "ts": 30},
 {"ph": "X", "pid": 7, "tid": 2, "ts": 15, "dur": 5, "name": "decode"}]}
JSON
cs_run be import be.json -o be.cstrace.json
[ "$rc" -eq 0 ] || fail "import of B/E events: exit $rc: $(cat be.err)"
grep -q '"wall_ns": *20000' be.cstrace.json || fail "import of B/E events: wall time is not 20 µs: $(grep -o '"wall_ns":[^,]*' be.cstrace.json)"

# Bad input: one line naming the file, exit 2, nothing written.
printf '{"traceEvents": [{"ph": "E", "pid": 1, "tid": 1, "ts": 5}]}' >e_only.json
printf '{"traceEvents": [{"ph": "X", "pid": 1, "tid": 1, "ts": "soon", "dur": 1, "name": "a"}]}' >bad_ts.json
printf '[{"key": "a", "worker": "w"}]' >no_startstops.json
printf '{"traceEvents": [{"ph": "X", "pid": 1' >truncated.json
printf '[]' >empty.json
printf '{"traceEvents": [{"ph": "M", "pid": 1, "tid": 1, "name": "thread_name", "args": {"name": "a"}}]}' >no_slices.json
for f in e_only:"no begin (B)" bad_ts:"traceEvents[0].ts" no_startstops:"startstops" truncated:"not valid JSON" empty:"nothing to import" no_slices:"nothing to import"; do
  name=${f%%:*}
  cs_run "bad_$name" import "$name.json" -o "$name.cstrace.json"
  cs_refused "bad_$name" 2 "$name.json" "${f#*:}"
  [ -e "$name.cstrace.json" ] && fail "import $name.json: wrote $name.cstrace.json although it failed"
done
cs_run self import p.chrome.json.gz -o p.chrome.json.gz
cs_refused self 2 "p.chrome.json.gz"
cs_finish
