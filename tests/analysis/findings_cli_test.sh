#!/usr/bin/env bash
# Black-box tests of the analysis through the `chunkscope` command line (run by ctest).
#
#   findings_cli_test.sh sample BIN PIPELINE GOLDEN
#       runs PIPELINE (a copy, in a temporary folder, with 4 threads), reads `report --json` and
#       checks: the inefficient sample (tiny_chunks) gets tiny-chunks on "x" (warning or critical,
#       with an edit of x); the planted rechunks of transpose_rechunk are flagged on their layers;
#       stencil_chain's wide halos on thin chunks are flagged on "vol" (and nothing else); the
#       tuned samples (cells, genotypes, matmul, any new one) get no warning or critical finding. Then compares the
#       structural findings (rule and layers of tiny-chunks, huge-chunks, rechunk-fan,
#       irregular-chunks, repeated-reads, unfused-chain, reduction-split: not timings) with GOLDEN.
#       CHUNKSCOPE_REGEN_GOLDEN=1 writes GOLDEN instead (review the diff, then commit it).
#   findings_cli_test.sh apply BIN PIPELINE
#       runs the tiny_chunks sample, applies the advice, checks what changed, re-runs the new
#       pipeline and checks that tiny-chunks is gone.
#   findings_cli_test.sh advise BIN SAMPLES_DIR
#       `advise --shape`, `advise PIPELINE` and their errors.
set -u
mode=$1
bin=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}

# run_sample PIPELINE NAME: copies PIPELINE into $tmp (its outputs go to $tmp/out), runs it, writes
# $tmp/NAME.cstrace.json and $tmp/NAME.report.json.
run_sample() {
  cp "$1" "$tmp/$2.json"
  mkdir -p "$tmp/out"
  if ! "$bin" run "$tmp/$2.json" -j 4 --quiet --trace "$tmp/$2.cstrace.json" 2>"$tmp/run.err"; then
    fail "chunkscope run $1 failed: $(cat "$tmp/run.err")"
    return 1
  fi
  if ! "$bin" report --json "$tmp/$2.cstrace.json" >"$tmp/$2.report.json" 2>"$tmp/report.err"; then
    fail "chunkscope report --json failed: $(cat "$tmp/report.err")"
    return 1
  fi
}

# q FILE PYTHON_EXPR: evaluates an expression over the report's findings `f` (a list of dicts).
q() {
  python3 -c 'import json, sys; f = json.load(open(sys.argv[1]))["findings"]; print(eval(sys.argv[2]))' "$1" "$2"
}

case "$mode" in
  sample)
    pipeline=$3
    golden=$4
    name=$(basename "$pipeline" .json)
    run_sample "$pipeline" "$name" || exit 1
    report="$tmp/$name.report.json"
    # Only structural rules are asserted: timing rules (stragglers, low parallelism) depend on how
    # busy the machine is while the test runs.
    # reduction-split weighs the combine tree against the critical path, so it depends on timing too;
    # unmanaged-memory and cpu-underuse read the process's measured RSS and CPU%.
    timing='("stragglers", "low-parallelism", "critical-path", "reduction-split", "unmanaged-memory", "cpu-underuse")'
    serious=$(q "$report" '"; ".join(x["rule"] + " " + ",".join(x["layers"]) for x in f if x["severity"] != "info" and x["rule"] not in '"$timing"')')
    case "$name" in
      tiny_chunks)
        [ "$(q "$report" 'any(x["rule"] == "tiny-chunks" and x["layers"][0] == "x" and x["severity"] != "info" for x in f)')" = True ] ||
          fail "tiny_chunks: no tiny-chunks warning on layer x (serious findings: $serious)"
        [ "$(q "$report" 'any(e["layer"] == "x" and "chunks" in e for x in f if x["rule"] == "tiny-chunks" for e in x["edits"])')" = True ] ||
          fail "tiny_chunks: the tiny-chunks finding has no chunks edit for x"
        ;;
      transpose_rechunk)
        for layer in xt_rows pencils; do
          [ "$(q "$report" "any(x['rule'] == 'rechunk-fan' and x['layers'][0] == '$layer' for x in f)")" = True ] ||
            fail "transpose_rechunk: no rechunk-fan finding on $layer"
        done
        ;;
      stencil_chain)
        # Wide filters (halo up to 36) on chunks of 200x176: the halos re-read up to 2.3x the data.
        [ "$(q "$report" 'any(x["rule"] == "repeated-reads" and x["layers"][0] == "vol" for x in f)')" = True ] ||
          fail "stencil_chain: no repeated-reads (halo) finding on vol"
        others=$(q "$report" '"; ".join(x["rule"] + " " + ",".join(x["layers"]) for x in f if x["severity"] != "info" and x["rule"] != "repeated-reads" and x["rule"] not in '"$timing"')')
        [ -z "$others" ] || fail "stencil_chain: unexpected warnings: $others"
        ;;
      *)
        [ -z "$serious" ] || fail "$name is a tuned sample but got warnings: $serious"
        ;;
    esac
    stable='("tiny-chunks", "huge-chunks", "rechunk-fan", "irregular-chunks", "repeated-reads", "unfused-chain")'
    q "$report" "'\n'.join(sorted(x['rule'] + ': ' + ' '.join(x['layers']) for x in f if x['rule'] in $stable))" | sed '/^$/d' >"$tmp/got.txt"
    if [ "${CHUNKSCOPE_REGEN_GOLDEN:-0}" = "1" ]; then
      mkdir -p "$(dirname "$golden")"
      cp "$tmp/got.txt" "$golden"
      echo "regenerated $golden"
    elif [ ! -f "$golden" ]; then
      fail "no golden file $golden; create it with CHUNKSCOPE_REGEN_GOLDEN=1 ctest -R analysis.golden (then review and commit it)"
    elif ! diff -u --label "$golden (expected)" --label "findings of $name (actual)" "$golden" "$tmp/got.txt" >&2; then
      fail "findings of $name differ from $golden; if intended: CHUNKSCOPE_REGEN_GOLDEN=1 ctest -R analysis.golden"
    fi
    ;;
  apply)
    pipeline=$3
    run_sample "$pipeline" tiny || exit 1
    if ! "$bin" apply-advice "$tmp/tiny.json" "$tmp/tiny.cstrace.json" -o "$tmp/tuned.json" >"$tmp/apply.out" 2>"$tmp/apply.err"; then
      fail "apply-advice failed: $(cat "$tmp/apply.err")"
    else
      grep -q 'layer "x": chunks \[32,32\] -> ' "$tmp/apply.out" || fail "apply-advice did not report the chunks of x: $(cat "$tmp/apply.out")"
      # Only "chunks" and "split_every" fields may change, and the chunks of x must.
      python3 - "$pipeline" "$tmp/tuned.json" <<'PY' || fail "apply-advice changed more than chunk fields: $(cat "$tmp/apply.out")"
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
assert b["layers"][0]["chunks"] != a["layers"][0]["chunks"]
for doc in (a, b):
    for layer in doc["layers"]:
        layer.pop("chunks", None)
        layer.pop("split_every", None)
assert a == b
PY
      "$bin" run "$tmp/tuned.json" -j 4 --quiet --trace "$tmp/tuned.cstrace.json" 2>"$tmp/run.err" || fail "the advised pipeline does not run: $(cat "$tmp/run.err")"
      "$bin" report --json "$tmp/tuned.cstrace.json" >"$tmp/tuned.report.json" || fail "report of the advised run failed"
      [ "$(q "$tmp/tuned.report.json" 'any(x["rule"] == "tiny-chunks" for x in f)')" = False ] ||
        fail "the advised pipeline still has tiny chunks"
    fi
    "$bin" apply-advice "$tmp/tiny.json" "$tmp/missing.cstrace.json" -o "$tmp/x.json" >/dev/null 2>&1
    [ $? -eq 2 ] || fail "apply-advice with a missing trace should exit 2"
    ;;
  advise)
    samples=$3
    out=$("$bin" advise --shape 64,8192,8192 --dtype float32 --access plane --threads 16) || fail "advise --shape failed"
    [[ $out == *"1×4096×8192"* ]] || fail "advise --shape plane: expected 1×4096×8192 in: $out"
    [[ $out == *"128 chunks"* ]] || fail "advise --shape plane: expected 128 chunks in: $out"
    json=$("$bin" advise --shape 4096,4096 --dtype float64 --threads 4 --json) || fail "advise --json failed"
    [ "$(echo "$json" | python3 -c 'import json,sys; print(json.load(sys.stdin)["candidates"][0]["num_chunks"] >= 8)')" = True ] ||
      fail "advise --json: fewer than 2 chunks per thread: $json"
    "$bin" advise --shape 10,0 >/dev/null 2>&1
    [ $? -eq 2 ] || fail "advise --shape 10,0 should exit 2"
    "$bin" advise >/dev/null 2>&1
    [ $? -eq 2 ] || fail "advise without PIPELINE or --shape should exit 2"
    "$bin" advise --shape 8 --dtype complex64 >/dev/null 2>&1
    [ $? -eq 2 ] || fail "advise with an unknown dtype should exit 2"
    out=$("$bin" advise "$samples/transpose_rechunk.json" --threads 4) || fail "advise PIPELINE failed"
    [[ $out == *'{"chunks":[-1,64,64],"layer":"movie"}'* ]] || fail "advise transpose_rechunk: no edit removing the pencils rechunk: $out"
    out=$("$bin" advise "$samples/tiny_chunks.json" --threads 4) || fail "advise tiny_chunks failed"
    [[ $out == *'"layer":"x"'* ]] || fail "advise tiny_chunks: no edit of x: $out"
    cp "$samples/tiny_chunks.json" "$tmp/p.json"
    "$bin" advise "$tmp/p.json" --threads 4 -o "$tmp/p2.json" >/dev/null 2>&1 || fail "advise -o failed"
    "$bin" validate "$tmp/p2.json" >/dev/null 2>&1 || fail "advise -o wrote an invalid pipeline"
    ;;
  *)
    echo "usage: findings_cli_test.sh sample|apply|advise BIN ..." >&2
    exit 2
    ;;
esac
[ "$failures" -eq 0 ] && echo "ok: $mode ${3:-}"
[ "$failures" -eq 0 ]
