#!/usr/bin/env bash
# What a run may write, and what a command may read (issue 14, items 1 and 2; docs/reliability.md):
# everyday mistakes with output and input paths, through the CLI, each checked the way a user would
# check it afterwards: the exit code, one line naming the file, and every file of theirs intact.
#
#   file_safety_test.sh BIN WORKDIR
#
# Runs as root in CI: a private character device (mknod) stands in for /dev/null, so that a
# regression cannot replace the machine's /dev/null.
set -u
bin=$1
work=$2
[[ $bin == /* ]] || bin=$PWD/$bin
rm -rf "$work"
mkdir -p "$work"
cd "$work" || exit 1
failures=0
checks=0
fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}

# cs NAME ARGS...: runs chunkscope with a 20 s bound; stdout/stderr in NAME.out/NAME.err, code in $rc.
cs() {
  local name=$1
  shift
  timeout 20 "$bin" "$@" >"$name.out" 2>"$name.err"
  rc=$?
  checks=$((checks + 1))
}
# refused NAME WANT_RC PART...: the last command exited WANT_RC with one stderr line holding each PART.
refused() {
  local name=$1 want=$2
  shift 2
  [ "$rc" -eq 124 ] && { fail "$name: hung (killed after 20 s)"; return; }
  [ "$rc" -eq "$want" ] || fail "$name: exit code $rc, expected $want: $(head -c 300 "$name.err")"
  local lines
  lines=$(wc -l <"$name.err")
  [ "$lines" -eq 1 ] || fail "$name: $lines lines on stderr, expected one: $(head -c 300 "$name.err")"
  for part in "$@"; do
    grep -qF -- "$part" "$name.err" || fail "$name: the message lacks \"$part\": $(head -c 300 "$name.err")"
  done
}
ok() {
  local name=$1
  [ "$rc" -eq 0 ] || fail "$name: exit code $rc, expected 0: $(head -c 300 "$name.err")"
}
same() {  # same NAME FILE SUM: FILE still has checksum SUM
  [ -f "$2" ] || { fail "$1: $2 is gone"; return; }
  [ "$(md5sum <"$2")" == "$3" ] || fail "$1: $2 was changed"
}
sum_of() { md5sum <"$1"; }

# pipeline FILE OUTPUTS_JSON [SOURCE_PATH]: a 40x40 pipeline (random, or read from SOURCE_PATH) with the outputs given.
pipeline() {
  local src='{"id": "x", "op": "random", "shape": [40, 40], "chunks": 20, "seed": 1}'
  [ -n "${3:-}" ] && src="{\"id\": \"x\", \"op\": \"from_npy\", \"path\": \"$3\", \"chunks\": 20}"
  cat >"$1" <<EOF
{"name": "safety", "layers": [$src, {"id": "y", "op": "sqrt", "input": "x"}], "outputs": $2}
EOF
}

# ---------------------------------------------------------------- item 1: outputs
# A folder of the user's that is not a Zarr array: refused, nothing in it touched.
mkdir -p mydocs/sub && echo "thesis" >mydocs/thesis.txt && echo "data" >mydocs/sub/data.csv
thesis=$(sum_of mydocs/thesis.txt)
pipeline p_docs.json '[{"id": "y", "to_zarr": "mydocs"}]'
cs zarr_docs run p_docs.json -q --no-trace
refused zarr_docs 2 "mydocs" "not a Zarr array"
same zarr_docs mydocs/thesis.txt "$thesis"
[ -f mydocs/sub/data.csv ] || fail "zarr_docs: mydocs/sub/data.csv is gone"
cs zarr_docs_validate validate p_docs.json
refused zarr_docs_validate 2 "mydocs" "not a Zarr array"

mkdir -p nest/deeper && pipeline nest/deeper/p_up.json '[{"id": "y", "to_zarr": ".."}]'
echo keep >nest/keep.txt
cs zarr_dotdot run nest/deeper/p_up.json -q --no-trace
refused zarr_dotdot 2 ".." "not a Zarr array"
[ -f nest/keep.txt ] && [ -f nest/deeper/p_up.json ] || fail "zarr_dotdot: files next to the pipeline are gone"

# A Zarr group is never removed; an array inside it may be replaced, its siblings stay.
mkdir -p grp.zarr
echo '{"zarr_format": 2}' >grp.zarr/.zgroup
pipeline p_arr.json '[{"id": "y", "to_zarr": "grp.zarr/a"}]'
cs zarr_new_in_group run p_arr.json -q --no-trace
ok zarr_new_in_group
pipeline p_b.json '[{"id": "y", "to_zarr": "grp.zarr/b"}]'
cs zarr_b run p_b.json -q --no-trace
ok zarr_b
b_meta=$(sum_of grp.zarr/b/.zarray)
cs zarr_replace_array run p_arr.json -q --no-trace
ok zarr_replace_array
[ -f grp.zarr/a/.zarray ] && [ -f grp.zarr/a/0.0 ] || fail "zarr_replace_array: grp.zarr/a is not a Zarr array after the run"
same zarr_replace_array grp.zarr/b/.zarray "$b_meta"
[ -f grp.zarr/.zgroup ] || fail "zarr_replace_array: the group's .zgroup is gone"
pipeline p_grp.json '[{"id": "y", "to_zarr": "grp.zarr"}]'
cs zarr_group run p_grp.json -q --no-trace
refused zarr_group 2 "grp.zarr" ".zgroup"
[ -f grp.zarr/.zgroup ] && [ -f grp.zarr/b/.zarray ] || fail "zarr_group: the group was touched"
# An array folder holding something that is not part of an array (a nested array) is not replaced.
mkdir -p arr_plus.zarr/inner.zarr && cp grp.zarr/b/.zarray arr_plus.zarr/.zarray && cp grp.zarr/b/.zarray arr_plus.zarr/inner.zarr/.zarray
pipeline p_plus.json '[{"id": "y", "to_zarr": "arr_plus.zarr"}]'
cs zarr_plus run p_plus.json -q --no-trace
refused zarr_plus 2 "arr_plus.zarr" "inner.zarr"
[ -f arr_plus.zarr/inner.zarr/.zarray ] || fail "zarr_plus: the nested array is gone"

# Two outputs on one file, written three ways; the old file survives.
echo "old result" >res.npy
old=$(sum_of res.npy)
mkdir -p real && ln -sfn real alias
for pair in '"res.npy", "res.npy"' '"res.npy", "./res.npy"' '"real/r.npy", "alias/r.npy"' '"res.npy", "real/../res.npy"'; do
  a=${pair%%,*}
  b=${pair#*, }
  pipeline p_two.json "[{\"id\": \"x\", \"to_npy\": $a}, {\"id\": \"y\", \"to_npy\": $b}]"
  cs two_outputs run p_two.json -q --no-trace
  refused two_outputs 2 "write the same file"
  [ "$failures" -eq 0 ] || echo "  (outputs $pair)"
done
same two_outputs res.npy "$old"

# An output onto the pipeline, an input, the trace, the HTML page.
pipeline p_self.json '[{"id": "y", "to_npy": "p_self.json"}]'
self=$(sum_of p_self.json)
cs out_is_pipeline run p_self.json -q --no-trace
refused out_is_pipeline 2 "p_self.json" "the pipeline"
same out_is_pipeline p_self.json "$self"

pipeline p_trace.json '[{"id": "y"}]'
ptrace=$(sum_of p_trace.json)
cs trace_is_pipeline run p_trace.json -q --trace p_trace.json
refused trace_is_pipeline 2 "p_trace.json" "the trace" "the pipeline"
same trace_is_pipeline p_trace.json "$ptrace"
cs trace_is_pipeline2 run p_trace.json -q --trace ./../"$(basename "$work")"/p_trace.json
refused trace_is_pipeline2 2 "the pipeline"
cs html_is_trace run p_trace.json -q --trace t1.cstrace.json --html t1.cstrace.json
refused html_is_trace 2 "t1.cstrace.json" "write the same file"
[ -e t1.cstrace.json ] && fail "html_is_trace: a file was written"

mkdir -p data
/usr/bin/python3 -c 'import numpy, sys; numpy.save(sys.argv[1], numpy.zeros((40, 40)))' data/in.npy || fail "setup: numpy"
input=$(sum_of data/in.npy)
mkdir -p other
pipeline other/p_in.json '[{"id": "y", "to_npy": "../other/../data/in.npy"}]' ../data/in.npy
cs out_is_input run other/p_in.json -q --no-trace
refused out_is_input 2 "in.npy" "would replace" "the source \"x\""
same out_is_input data/in.npy "$input"

# html / export / apply-advice onto the trace or pipeline they read.
pipeline p_ok.json '[{"id": "y"}]'
cs make_trace run p_ok.json -q --trace t.cstrace.json
ok make_trace
tsum=$(sum_of t.cstrace.json)
cs html_onto_trace html t.cstrace.json -o t.cstrace.json
refused html_onto_trace 2 "t.cstrace.json" "the trace read"
cs export_onto_trace export t.cstrace.json --format json -o ./t.cstrace.json
refused export_onto_trace 2 "t.cstrace.json" "the trace read"
same html_onto_trace t.cstrace.json "$tsum"
psum=$(sum_of p_ok.json)
cs advice_onto_pipeline apply-advice p_ok.json t.cstrace.json -o p_ok.json
refused advice_onto_pipeline 2 "p_ok.json" "the pipeline read"
same advice_onto_pipeline p_ok.json "$psum"

# Targets that are not regular files: written through (a character device, a FIFO with a reader),
# refused (a folder; a FIFO nobody reads, without waiting), never replaced by a regular file.
mknod nulldev c 1 3 2>/dev/null || ln -s /dev/null nulldev
cs trace_to_device run p_ok.json -q --trace nulldev --html nulldev
ok trace_to_device
[ -c nulldev ] || fail "trace_to_device: nulldev is no longer a character device"
ls -A | grep -q '^nulldev\.tmp' && fail "trace_to_device: a temporary was left"
cs export_to_device export t.cstrace.json --format chrome -o nulldev
ok export_to_device
[ -c nulldev ] || fail "export_to_device: nulldev is no longer a character device"
mkfifo pipe_in
(timeout 20 cat pipe_in >fifo_got.json) &
reader=$!
sleep 0.2
cs export_to_fifo export t.cstrace.json --format json -o pipe_in
wait "$reader"
ok export_to_fifo
[ -p pipe_in ] || fail "export_to_fifo: pipe_in is no longer a FIFO"
grep -q '"chunkscope-trace"' fifo_got.json || fail "export_to_fifo: the reader did not get the trace"
cs fifo_no_reader export t.cstrace.json --format json -o pipe_in
refused fifo_no_reader 1 "pipe_in" "FIFO"
[ -p pipe_in ] || fail "fifo_no_reader: pipe_in is no longer a FIFO"
mkdir -p adir
cs trace_to_dir run p_ok.json -q --trace adir
refused trace_to_dir 2 "adir" "directory"
pipeline p_npy_dev.json '[{"id": "y", "to_npy": "nulldev"}]'
cs npy_to_device run p_npy_dev.json -q --no-trace
refused npy_to_device 2 "nulldev" "not a regular file"
[ -c nulldev ] || [ -L nulldev ] || fail "npy_to_device: nulldev was replaced"

# -o onto a symbolic link: the link stays, the file it points to gets the new content.
echo "old html" >target.html
ln -s target.html link.html
cs html_via_link html t.cstrace.json -o link.html
ok html_via_link
[ -L link.html ] || fail "html_via_link: link.html is no longer a symbolic link"
grep -q "<html" target.html || fail "html_via_link: the file the link points to was not written"

# -o - is standard output.
cs export_stdout export t.cstrace.json --format json -o -
ok export_stdout
grep -q '"chunkscope-trace"' export_stdout.out || fail "export_stdout: no trace on standard output"
[ -e ./- ] && fail "export_stdout: wrote a file named -"
cs html_stdout html t.cstrace.json -o -
ok html_stdout
grep -q "<html" html_stdout.out || fail "html_stdout: no page on standard output"
cs report_stdout report t.cstrace.json --json -o -
ok report_stdout
/usr/bin/python3 -c 'import json,sys; json.load(open(sys.argv[1]))' report_stdout.out 2>/dev/null || fail "report_stdout: standard output is not the JSON report"
cs report_file report t.cstrace.json --json -o rep.json
ok report_file
[ -s rep.json ] || fail "report_file: rep.json was not written"

# Parent folders: created for outputs, the trace and the page alike; a run that fails or is refused
# removes the ones it created and left empty.
pipeline p_deep.json '[{"id": "y", "to_npy": "made/deep/y.npy"}]'
cs deep_ok run p_deep.json -q --trace runs/a/t.cstrace.json --html pages/t.html
ok deep_ok
[ -f made/deep/y.npy ] && [ -f runs/a/t.cstrace.json ] && [ -f pages/t.html ] || fail "deep_ok: an output or its folder is missing"
pipeline p_fail.json '[{"id": "y", "to_npy": "never/deep/y.npy"}]'
cs refused_run run p_fail.json -q --no-trace --memory-limit 1KiB
[ "$rc" -ne 0 ] || fail "refused_run: a run under a 1 KiB limit succeeded"
[ -e never ] && fail "refused_run: left the folder it created: $(find never)"
/usr/bin/python3 -c 'import numpy, sys; numpy.save(sys.argv[1], numpy.zeros((40, 40)))' short.npy
truncate -s 1000 short.npy
pipeline p_short.json '[{"id": "y", "to_npy": "never2/deep/y.npy"}]' short.npy
cs failed_run run p_short.json -q --no-trace
[ "$rc" -ne 0 ] || fail "failed_run: reading a short .npy succeeded"
[ -e never2 ] && fail "failed_run: left the folder it created: $(find never2)"

# ---------------------------------------------------------------- item 2: inputs that are not files
mkfifo fifo_pipeline.json
cs pipeline_fifo validate fifo_pipeline.json
refused pipeline_fifo 2 "fifo_pipeline.json" "FIFO"
mkfifo fifo_trace.cstrace.json
cs trace_fifo report fifo_trace.cstrace.json
refused trace_fifo 2 "fifo_trace.cstrace.json" "FIFO"
cs trace_zero report /dev/zero
refused trace_zero 2 "/dev/zero" "character device"
cs trace_dir report adir
refused trace_dir 2 "adir" "directory"
for src in /dev/zero fifo_pipeline.json adir; do
  pipeline p_src.json '[{"id": "y"}]' "$src"
  cs "source_$(basename $src)" run p_src.json -q --no-trace
  refused "source_$(basename $src)" 2 "$src"
done
# A Zarr chunk that is a FIFO: the run fails naming the chunk; it never waits on the FIFO.
mkdir -p fifo_chunk.zarr
cat >fifo_chunk.zarr/.zarray <<'EOF'
{"zarr_format": 2, "shape": [4], "chunks": [2], "dtype": "<f8", "compressor": null, "fill_value": 0, "order": "C", "filters": null}
EOF
mkfifo fifo_chunk.zarr/0
head -c 16 /dev/zero >fifo_chunk.zarr/1
cat >p_zfifo.json <<'EOF'
{"name": "zfifo", "layers": [{"id": "img", "op": "from_zarr", "path": "fifo_chunk.zarr"}, {"id": "s", "op": "sum", "input": "img"}]}
EOF
cs zarr_chunk_fifo run p_zfifo.json -q --no-trace
refused zarr_chunk_fifo 1 "fifo_chunk.zarr/0" "FIFO"
# A NUL byte in a path is refused, not cut short at the NUL.
printf '{"name": "nul", "layers": [{"id": "x", "op": "random", "shape": [4], "chunks": 2}], "outputs": [{"id": "x", "to_npy": "a\\u0000b.npy"}]}' >p_nul.json
cs nul_output run p_nul.json -q --no-trace
refused nul_output 2 "NUL"
[ -e a ] && fail "nul_output: wrote a file named a (the path cut at the NUL)"
printf '{"name": "nul", "layers": [{"id": "x", "op": "from_npy", "path": "data/in.npy\\u0000.txt"}]}' >p_nul_in.json
cs nul_input validate p_nul_in.json
refused nul_input 2 "NUL"

echo "$checks commands checked, $failures failure(s)"
[ "$failures" -eq 0 ]
