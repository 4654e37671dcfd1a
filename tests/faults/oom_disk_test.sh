#!/usr/bin/env bash
# Resource faults of `chunkscope run`, each checked for a clean failure:
#
#   oom_disk_test.sh CHUNKSCOPE WORKDIR oom|disk
#
# oom:  `ulimit -v` below what a kernel needs. (1) a chunk whose output buffer cannot be allocated;
#       (2) a to_zarr edge chunk whose padded scratch copy cannot be allocated. The run exits 1 with
#       one line naming the layer and "out of memory", the --trace file is still written (status
#       failed) and readable, nothing crashes and no temporaries are left.
# disk: writes that fail. `ulimit -f` (with SIGXFSZ ignored, so writes get EFBIG) below the size of
#       (1) an .npy output, (2) the trace, (3) the HTML page; and, where a private mount namespace
#       can be made (`unshare -m`, root), (4) a full tmpfs for an .npy and (5) for a Zarr output.
#       Each run exits non-zero with a line naming the file and the reason, the previous version
#       of every output is intact byte for byte, and no temporaries are left.
set -u
cs=$1 work=$2 part=$3
[[ $cs == /* ]] || cs=$PWD/$cs
rm -rf "$work"
mkdir -p "$work/out"
cd "$work" || exit 1
failures=0
fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}

# run_limited NAME ULIMIT_ARGS -- CHUNKSCOPE_ARGS: runs chunkscope under `ulimit`, stderr in NAME.err,
# exit code in $rc.
run_limited() {
  local name=$1 limit=$2
  shift 3
  (trap '' XFSZ; ulimit $limit; exec "$cs" "$@") >"$name.out" 2>"$name.err"
  rc=$?
}

# expect_failure NAME WANT_RC PARTS...: the exit code and one stderr line holding every part.
expect_failure() {
  local name=$1 want=$2
  shift 2
  local err lines
  err=$(<"$name.err")
  lines=$(wc -l <"$name.err")
  if [ "$want" = nonzero ]; then
    [ "$rc" -ne 0 ] && [ "$rc" -lt 128 ] || fail "$name: exit code $rc, expected a clean failure (1 or 2)"
  else
    [ "$rc" -eq "$want" ] || fail "$name: exit code $rc, expected $want"
  fi
  [ "$lines" -ge 1 ] || fail "$name: nothing on stderr"
  for p in "$@"; do [[ $err == *"$p"* ]] || fail "$name: stderr lacks \"$p\": $err"; done
  # The user's output path, never the temporary it is written under (*.tmp-PID).
  [[ $err == *".tmp-"* ]] && fail "$name: the error names a temporary, not the output: $err"
  for bad in "terminate called" "what():" "Aborted" "Segmentation"; do
    [[ $err == *"$bad"* ]] && fail "$name: crashed: $err"
  done
  echo "$name: exit $rc: $err"
}

no_temporaries() {  # no_temporaries DIR WHEN
  local left
  left=$(find "$1" -name '*.tmp-*' -o -name '*.old-*' | head -5)
  [ -z "$left" ] || fail "$2: temporaries left: $(echo $left)"
}

same() {  # same SAVED CURRENT WHEN: byte-for-byte equal (files or folders)
  diff -r "$1" "$2" >/dev/null 2>&1 || fail "$3: $2 is not the previous version any more"
}

case "$part" in
  oom)
    cat >tiny.json <<'EOF'
{"name": "tiny", "layers": [{"id": "x", "op": "ones", "shape": [64, 64], "chunks": 32}], "outputs": [{"id": "x", "to_zarr": "out/tiny.zarr"}]}
EOF
    cat >big_chunk.json <<'EOF'
{"name": "big_chunk", "layers": [
 {"id": "x", "op": "random", "shape": [16384, 16384], "chunks": [16384, 16384], "seed": 1},
 {"id": "y", "op": "negative", "input": "x"}]}
EOF
    # 6000 rows in chunks of 4000: the edge chunk (80 MB) is padded to a whole chunk (160 MB) of scratch.
    cat >zarr_edge.json <<'EOF'
{"name": "zarr_edge", "layers": [{"id": "x", "op": "ones", "shape": [6000, 5000], "chunks": [4000, 5000]}],
 "outputs": [{"id": "x", "to_zarr": "out/x.zarr"}]}
EOF
    # The virtual memory a small run needs (libraries, stacks, allocator arenas), found by bisection
    # in MiB; the limits below are this plus what each case needs.
    export MALLOC_ARENA_MAX=1
    lo=32 hi=4096
    while [ $((hi - lo)) -gt 4 ]; do
      mid=$(((lo + hi) / 2))
      run_limited base "-v $((mid * 1024))" -- run tiny.json -q --threads 1 --trace out/tiny.cstrace.json
      if [ "$rc" -eq 0 ]; then hi=$mid; else lo=$mid; fi
    done
    echo "a small run needs $hi MiB of virtual memory"
    run_limited buffer "-v $(((hi + 256) * 1024))" -- run big_chunk.json -q --threads 2 --trace out/buffer.cstrace.json
    expect_failure buffer 1 'layer "x"' "out of memory"
    run_limited edge "-v $(((hi + 200) * 1024))" -- run zarr_edge.json -q --threads 1 --trace out/edge.cstrace.json
    expect_failure edge 1 'layer "x:to_zarr"' "out of memory in the kernel"
    for t in buffer edge; do
      if [ ! -f "out/$t.cstrace.json" ]; then
        fail "$t: no trace written"
      elif ! "$cs" report --json "out/$t.cstrace.json" >"$t.report" 2>&1; then
        fail "$t: the trace is not readable: $(head -c 300 "$t.report")"
      elif ! grep -q '"status": "failed"' "$t.report"; then
        fail "$t: the trace does not say the run failed"
      fi
    done
    [ -e out/x.zarr ] && fail "edge: a failed run wrote out/x.zarr"
    no_temporaries out "oom"
    ;;

  disk)
    cat >arrays.json <<'EOF'
{"name": "arrays", "layers": [{"id": "x", "op": "ones", "shape": [1024, 1024], "chunks": 256}],
 "outputs": [{"id": "x", "to_npy": "out/a.npy"}, {"id": "x", "to_zarr": "out/a.zarr"}]}
EOF
    # 4096 tasks: a 600 KB trace and a 1.2 MB page, a 4 KB output.
    cat >many.json <<'EOF'
{"name": "many", "layers": [{"id": "x", "op": "ones", "shape": [512, 512], "chunks": 8},
 {"id": "s", "op": "sum", "input": "x", "axis": 0}], "outputs": [{"id": "s", "to_npy": "out/s.npy"}]}
EOF
    "$cs" run arrays.json -q --trace out/a.cstrace.json || fail "a complete run of arrays.json failed"
    "$cs" run many.json -q --trace out/m.cstrace.json --html out/m.html || fail "a complete run of many.json failed"
    cp -r out saved
    # ulimit -f counts KiB.
    run_limited npy "-f 2048" -- run arrays.json -q --trace out/a.cstrace.json
    expect_failure npy nonzero "a.npy" "File too large"
    run_limited trace "-f 64" -- run many.json -q --trace out/m.cstrace.json
    expect_failure trace 1 "m.cstrace.json" "File too large"
    run_limited html "-f 1024" -- run many.json -q --trace out/m.cstrace.json --html out/m.html
    expect_failure html 1 "m.html" "File too large"
    for f in a.npy a.zarr m.html s.npy; do same "saved/$f" "out/$f" "ulimit -f"; done
    cmp -s saved/m.cstrace.json out/m.cstrace.json && fail "html: the trace should have been rewritten (it fits)"
    "$cs" report out/m.cstrace.json >/dev/null 2>&1 || fail "the trace written under ulimit -f is not readable"
    no_temporaries out "ulimit -f"
    # A full file system, in a private mount namespace (skipped where one cannot be made).
    if unshare -m true 2>/dev/null; then
      mkdir -p full
      cat >prev.json <<'EOF'
{"name": "prev", "layers": [{"id": "x", "op": "ones", "shape": [512, 1024], "chunks": 256}],
 "outputs": [{"id": "x", "to_npy": "out/a.npy"}, {"id": "x", "to_zarr": "out/a.zarr"}]}
EOF
      cat >big.json <<'EOF'
{"name": "big", "layers": [{"id": "x", "op": "full", "value": 2, "shape": [1024, 1024], "chunks": 256}],
 "outputs": [{"id": "x", "to_npy": "out/a.npy"}]}
EOF
      cat >bigzarr.json <<'EOF'
{"name": "bigzarr", "layers": [{"id": "x", "op": "full", "value": 2, "shape": [1024, 1024], "chunks": 256}],
 "outputs": [{"id": "x", "to_zarr": "out/a.zarr"}]}
EOF
      # 14 MiB: the previous outputs (two of 4 MiB) fit, a new 8 MiB output next to them does not.
      unshare -m bash -c "mount -t tmpfs -o size=14m tmpfs full && cp prev.json big.json bigzarr.json full/ && cd full &&
        '$cs' run prev.json -q --no-trace && cp -r out ../full_saved &&
        { '$cs' run big.json -q --trace out/t.cstrace.json 2>../enospc_npy.err; echo \$? >../enospc_npy.rc; } &&
        { '$cs' run bigzarr.json -q --trace out/t.cstrace.json 2>../enospc_zarr.err; echo \$? >../enospc_zarr.rc; } &&
        diff -r ../full_saved/a.npy out/a.npy && diff -r ../full_saved/a.zarr out/a.zarr && echo intact >../full.intact;
        find out -name '*.tmp-*' -o -name '*.old-*' >../full.temps" >full.log 2>&1
      if [ ! -f enospc_npy.rc ]; then
        echo "full file system: skipped (no tmpfs in a private mount namespace here): $(head -c 200 full.log)"
      else
        rc=$(<enospc_npy.rc)
        expect_failure enospc_npy nonzero "a.npy" "No space left on device"
        rc=$(<enospc_zarr.rc)
        expect_failure enospc_zarr 1 "a.zarr" "No space left on device"
        [ -f full.intact ] || fail "full file system: the previous outputs changed"
        [ -s full.temps ] && fail "full file system: temporaries left: $(cat full.temps)"
      fi
    else
      echo "full file system: skipped (unshare -m is not allowed here)"
    fi
    ;;
  *)
    echo "usage: oom_disk_test.sh CHUNKSCOPE WORKDIR oom|disk"
    exit 1
    ;;
esac
if [ "$failures" -ne 0 ]; then
  echo "$failures check(s) failed"
  exit 1
fi
echo "ok"
