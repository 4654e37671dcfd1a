#!/usr/bin/env bash
# Fixture of the web tests: runs every sample and a pipeline with hostile names, writes their traces
# and their `chunkscope html` pages into OUT (tests/web/CMakeLists.txt), plus the pages of the synthetic
# CUDA trace of tests/data/cuda (as recorded, and with the executor's default device limit).
#   make_traces.sh CHUNKSCOPE SAMPLES_DIR OUT
set -euo pipefail
cs=$1 samples=$2 out=$3
mkdir -p "$out"
cd "$out"
for p in "$samples"/*.json; do
  name=$(basename "$p" .json)
  cp "$p" "$name.json"   # outputs (to_npy) land here, not in the source tree
  "$cs" run "$name.json" --threads 2 --trace "$name.cstrace.json" -q
  "$cs" html "$name.cstrace.json" -o "$name.html" >/dev/null
done
# The synthetic CUDA trace (tests/data/cuda): worker lanes named by device, transfer lanes.
cp "$(dirname "$0")/../data/cuda/cuda_transfers.cstrace.json" .
"$cs" html cuda_transfers.cstrace.json -o cuda_transfers.html >/dev/null
# The same run with the device limit the executor takes without --device-memory-limit (90% of an 80 GB
# device's free memory): far above the curve, so the device memory chart says it instead of drawing it.
sed 's/"limit_bytes":393216/"limit_bytes":76101451776/' cuda_transfers.cstrace.json > cuda_default_limit.cstrace.json
grep -q '"limit_bytes":76101451776' cuda_default_limit.cstrace.json
"$cs" html cuda_default_limit.cstrace.json -o cuda_default_limit.html >/dev/null
# A captured Dask run of 135 layers (map_overlap + reductions; tests/web/capture_dask_overlap.py), and its
# JSON form, from which the tests compute the numbers the dashboard shows.
"$cs" export "$(dirname "$0")/dask_overlap.cstrace" --format json -o dask_overlap.cstrace.json >/dev/null
"$cs" html dask_overlap.cstrace.json -o dask_overlap.html >/dev/null
# A run with process resources (issue 20 item 2): the cells trace with RSS and CPU samples added
# (tests/web/add_resources.mjs): the memory panel draws RSS over the chunk bytes and a CPU strip.
node "$(dirname "$0")/add_resources.mjs" cells.cstrace.json resources.cstrace.json
"$cs" html resources.cstrace.json -o resources.html >/dev/null
cat > xss.json <<'JSON'
{"name": "xss <img src=x onerror=alert(1)>", "description": "hostile strings in every place a name can go",
 "layers": [
  {"id": "<img src=x onerror=alert(1)>", "op": "random", "shape": [256, 256], "chunks": [8, 8], "dtype": "float32", "group": "\"><script>alert(2)</script>/load"},
  {"id": "sum'\"</script><script>alert(3)</script>", "op": "sum", "input": "<img src=x onerror=alert(1)>", "axis": 1, "group": "reduce & \\ {{}}"}],
 "outputs": [{"id": "sum'\"</script><script>alert(3)</script>"}]}
JSON
"$cs" run xss.json --threads 2 --trace "xss <b onmouseover=alert(4)>x.cstrace.json" -q
"$cs" html "xss <b onmouseover=alert(4)>x.cstrace.json" -o xss.html >/dev/null
# Two dashboards on one page, as a notebook shows them: the first fragment carries the scripts, the
# second reuses them; an AMD loader (as require.js in notebooks) is on the page first.
"$cs" html cells.cstrace.json --fragment -o frag1.part >/dev/null
"$cs" html tiny_chunks.cstrace.json --fragment --no-bundle -o frag2.part >/dev/null
{ echo '<!doctype html><html><head><meta charset="utf-8"><title>two dashboards</title>'
  echo '<script>window.define = function () { throw new Error("AMD define called"); }; window.define.amd = {};</script></head><body><h1>notebook-like page</h1>'
  cat frag1.part; echo '<p>some other output</p>'; cat frag2.part; echo '</body></html>'; } > notebook_like.html
rm frag1.part frag2.part
echo "make_traces: $(ls "$out"/*.html | wc -l) pages in $out"
