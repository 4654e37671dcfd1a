#!/usr/bin/env bash
# Fixture of the viewer tests: runs every sample pipeline (2 threads) and writes its trace into OUT
# as JSON, one also as CBOR, plus a truncated, a garbage and two corpus traces for the error panel,
# and the synthetic CUDA trace of tests/data/cuda (as recorded, and with the default device limit).
#   make_traces.sh CHUNKSCOPE SAMPLES_DIR OUT
set -euo pipefail
cs=$1 samples=$2 out=$3
mkdir -p "$out"
cd "$out"
for p in "$samples"/*.json; do
  name=$(basename "$p" .json)
  cp "$p" "$name.json"   # outputs (to_npy) land here, not in the source tree
  "$cs" run "$name.json" --threads 2 --trace "$name.cstrace.json" -q
done
"$cs" run cells.json --threads 2 --trace cells.cstrace.cbor -q
head -c 2000 tiny_chunks.cstrace.json > truncated.cstrace.json
printf 'not a trace \x00\xff\x01' > garbage.cstrace.cbor
# Two kinds from the bad-input corpus (tests/data/bad/traces): a CBOR trace whose layer id is not
# UTF-8, and a compact trace whose column claims 2^62 entries.
corpus=$(dirname "$0")/../data/bad/traces
cp "$corpus/bad_utf8_name.cstrace.cbor" "$corpus/huge_column_claim.cstrace.bin" .
# The synthetic CUDA trace (tests/data/cuda): device-named worker lanes and transfer lanes.
cp "$(dirname "$0")/../data/cuda/cuda_transfers.cstrace.json" .
# The same with the device limit the executor takes without --device-memory-limit (about 70.9 GiB).
sed 's/"limit_bytes":393216/"limit_bytes":76101451776/' cuda_transfers.cstrace.json > cuda_default_limit.cstrace.json
grep -q '"limit_bytes":76101451776' cuda_default_limit.cstrace.json
# A captured Dask run with 135 layers (map_overlap + reductions; tests/web/dask_overlap.cstrace) as JSON.
"$cs" export "$(dirname "$0")/../web/dask_overlap.cstrace" --format json -o dask_overlap.cstrace.json
echo "make_traces: $(ls "$out"/*.cstrace.* | wc -l) traces in $out"
