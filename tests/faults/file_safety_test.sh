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
source "$(dirname "${BASH_SOURCE[0]}")/../support/shell_checks.sh"
cs_prepare "$1" "$2"
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
cs_run zarr_docs run p_docs.json -q --no-trace
cs_refused zarr_docs 2 "mydocs" "not a Zarr array"
same zarr_docs mydocs/thesis.txt "$thesis"
[ -f mydocs/sub/data.csv ] || fail "zarr_docs: mydocs/sub/data.csv is gone"
cs_run zarr_docs_validate validate p_docs.json
cs_refused zarr_docs_validate 2 "mydocs" "not a Zarr array"

mkdir -p nest/deeper && pipeline nest/deeper/p_up.json '[{"id": "y", "to_zarr": ".."}]'
echo keep >nest/keep.txt
cs_run zarr_dotdot run nest/deeper/p_up.json -q --no-trace
cs_refused zarr_dotdot 2 ".." "not a Zarr array"
[ -f nest/keep.txt ] && [ -f nest/deeper/p_up.json ] || fail "zarr_dotdot: files next to the pipeline are gone"

# A Zarr group is never removed; an array inside it may be replaced, its siblings stay.
mkdir -p grp.zarr
echo '{"zarr_format": 2}' >grp.zarr/.zgroup
pipeline p_arr.json '[{"id": "y", "to_zarr": "grp.zarr/a"}]'
cs_run zarr_new_in_group run p_arr.json -q --no-trace
ok zarr_new_in_group
pipeline p_b.json '[{"id": "y", "to_zarr": "grp.zarr/b"}]'
cs_run zarr_b run p_b.json -q --no-trace
ok zarr_b
b_meta=$(sum_of grp.zarr/b/.zarray)
cs_run zarr_replace_array run p_arr.json -q --no-trace
ok zarr_replace_array
[ -f grp.zarr/a/.zarray ] && [ -f grp.zarr/a/0.0 ] || fail "zarr_replace_array: grp.zarr/a is not a Zarr array after the run"
same zarr_replace_array grp.zarr/b/.zarray "$b_meta"
[ -f grp.zarr/.zgroup ] || fail "zarr_replace_array: the group's .zgroup is gone"
pipeline p_grp.json '[{"id": "y", "to_zarr": "grp.zarr"}]'
cs_run zarr_group run p_grp.json -q --no-trace
cs_refused zarr_group 2 "grp.zarr" ".zgroup"
[ -f grp.zarr/.zgroup ] && [ -f grp.zarr/b/.zarray ] || fail "zarr_group: the group was touched"
# An array folder holding something that is not part of an array (a nested array) is not replaced.
mkdir -p arr_plus.zarr/inner.zarr && cp grp.zarr/b/.zarray arr_plus.zarr/.zarray && cp grp.zarr/b/.zarray arr_plus.zarr/inner.zarr/.zarray
pipeline p_plus.json '[{"id": "y", "to_zarr": "arr_plus.zarr"}]'
cs_run zarr_plus run p_plus.json -q --no-trace
cs_refused zarr_plus 2 "arr_plus.zarr" "inner.zarr"
[ -f arr_plus.zarr/inner.zarr/.zarray ] || fail "zarr_plus: the nested array is gone"

# Two outputs on one file, written three ways; the old file survives.
echo "old result" >res.npy
old=$(sum_of res.npy)
mkdir -p real && ln -sfn real alias
for pair in '"res.npy", "res.npy"' '"res.npy", "./res.npy"' '"real/r.npy", "alias/r.npy"' '"res.npy", "real/../res.npy"'; do
  a=${pair%%,*}
  b=${pair#*, }
  pipeline p_two.json "[{\"id\": \"x\", \"to_npy\": $a}, {\"id\": \"y\", \"to_npy\": $b}]"
  cs_run two_outputs run p_two.json -q --no-trace
  cs_refused two_outputs 2 "write the same file"
  [ "$failures" -eq 0 ] || echo "  (outputs $pair)"
done
same two_outputs res.npy "$old"

# An output onto the pipeline, an input, the trace, the HTML page.
pipeline p_self.json '[{"id": "y", "to_npy": "p_self.json"}]'
self=$(sum_of p_self.json)
cs_run out_is_pipeline run p_self.json -q --no-trace
cs_refused out_is_pipeline 2 "p_self.json" "the pipeline"
same out_is_pipeline p_self.json "$self"

pipeline p_trace.json '[{"id": "y"}]'
ptrace=$(sum_of p_trace.json)
cs_run trace_is_pipeline run p_trace.json -q --trace p_trace.json
cs_refused trace_is_pipeline 2 "p_trace.json" "the trace" "the pipeline"
same trace_is_pipeline p_trace.json "$ptrace"
cs_run trace_is_pipeline2 run p_trace.json -q --trace ./../"$(basename "$PWD")"/p_trace.json
cs_refused trace_is_pipeline2 2 "the pipeline"
cs_run html_is_trace run p_trace.json -q --trace t1.cstrace.json --html t1.cstrace.json
cs_refused html_is_trace 2 "t1.cstrace.json" "write the same file"
[ -e t1.cstrace.json ] && fail "html_is_trace: a file was written"

mkdir -p data
/usr/bin/python3 -c 'import numpy, sys; numpy.save(sys.argv[1], numpy.zeros((40, 40)))' data/in.npy || fail "setup: numpy"
input=$(sum_of data/in.npy)
mkdir -p other
pipeline other/p_in.json '[{"id": "y", "to_npy": "../other/../data/in.npy"}]' ../data/in.npy
cs_run out_is_input run other/p_in.json -q --no-trace
cs_refused out_is_input 2 "in.npy" "would replace" "the source \"x\""
same out_is_input data/in.npy "$input"

# html / export / apply-advice onto the trace or pipeline they read.
pipeline p_ok.json '[{"id": "y"}]'
cs_run make_trace run p_ok.json -q --trace t.cstrace.json
ok make_trace
tsum=$(sum_of t.cstrace.json)
cs_run html_onto_trace html t.cstrace.json -o t.cstrace.json
cs_refused html_onto_trace 2 "t.cstrace.json" "the trace read"
cs_run export_onto_trace export t.cstrace.json --format json -o ./t.cstrace.json
cs_refused export_onto_trace 2 "t.cstrace.json" "the trace read"
same html_onto_trace t.cstrace.json "$tsum"
psum=$(sum_of p_ok.json)
cs_run advice_onto_pipeline apply-advice p_ok.json t.cstrace.json -o p_ok.json
cs_refused advice_onto_pipeline 2 "p_ok.json" "the pipeline read"
same advice_onto_pipeline p_ok.json "$psum"

# Targets that are not regular files: written through (a character device, a FIFO with a reader),
# refused (a folder; a FIFO nobody reads, without waiting), never replaced by a regular file.
mknod nulldev c 1 3 2>/dev/null || ln -s /dev/null nulldev
cs_run trace_to_device run p_ok.json -q --trace nulldev --html nulldev
ok trace_to_device
[ -c nulldev ] || fail "trace_to_device: nulldev is no longer a character device"
ls -A | grep -q '^nulldev\.tmp' && fail "trace_to_device: a temporary was left"
cs_run export_to_device export t.cstrace.json --format chrome -o nulldev
ok export_to_device
[ -c nulldev ] || fail "export_to_device: nulldev is no longer a character device"
mkfifo pipe_in
(timeout 20 cat pipe_in >fifo_got.json) &
reader=$!
sleep 0.2
cs_run export_to_fifo export t.cstrace.json --format json -o pipe_in
wait "$reader"
ok export_to_fifo
[ -p pipe_in ] || fail "export_to_fifo: pipe_in is no longer a FIFO"
grep -q '"chunkscope-trace"' fifo_got.json || fail "export_to_fifo: the reader did not get the trace"
cs_run fifo_no_reader export t.cstrace.json --format json -o pipe_in
cs_refused fifo_no_reader 1 "pipe_in" "FIFO"
[ -p pipe_in ] || fail "fifo_no_reader: pipe_in is no longer a FIFO"
mkdir -p adir
cs_run trace_to_dir run p_ok.json -q --trace adir
cs_refused trace_to_dir 2 "adir" "directory"
pipeline p_npy_dev.json '[{"id": "y", "to_npy": "nulldev"}]'
cs_run npy_to_device run p_npy_dev.json -q --no-trace
cs_refused npy_to_device 2 "nulldev" "not a regular file"
[ -c nulldev ] || [ -L nulldev ] || fail "npy_to_device: nulldev was replaced"

# -o onto a symbolic link: the link stays, the file it points to gets the new content.
echo "old html" >target.html
ln -s target.html link.html
cs_run html_via_link html t.cstrace.json -o link.html
ok html_via_link
[ -L link.html ] || fail "html_via_link: link.html is no longer a symbolic link"
grep -q "<html" target.html || fail "html_via_link: the file the link points to was not written"

# -o - is standard output.
cs_run export_stdout export t.cstrace.json --format json -o -
ok export_stdout
grep -q '"chunkscope-trace"' export_stdout.out || fail "export_stdout: no trace on standard output"
[ -e ./- ] && fail "export_stdout: wrote a file named -"
cs_run html_stdout html t.cstrace.json -o -
ok html_stdout
grep -q "<html" html_stdout.out || fail "html_stdout: no page on standard output"
cs_run report_stdout report t.cstrace.json --json -o -
ok report_stdout
/usr/bin/python3 -c 'import json,sys; json.load(open(sys.argv[1]))' report_stdout.out 2>/dev/null || fail "report_stdout: standard output is not the JSON report"
cs_run report_file report t.cstrace.json --json -o rep.json
ok report_file
[ -s rep.json ] || fail "report_file: rep.json was not written"

# Parent folders: created for outputs, the trace and the page alike; a run that fails or is refused
# removes the ones it created and left empty.
pipeline p_deep.json '[{"id": "y", "to_npy": "made/deep/y.npy"}]'
cs_run deep_ok run p_deep.json -q --trace runs/a/t.cstrace.json --html pages/t.html
ok deep_ok
[ -f made/deep/y.npy ] && [ -f runs/a/t.cstrace.json ] && [ -f pages/t.html ] || fail "deep_ok: an output or its folder is missing"
pipeline p_fail.json '[{"id": "y", "to_npy": "never/deep/y.npy"}]'
cs_run refused_run run p_fail.json -q --no-trace --memory-limit 1KiB
[ "$rc" -ne 0 ] || fail "refused_run: a run under a 1 KiB limit succeeded"
[ -e never ] && fail "refused_run: left the folder it created: $(find never)"
/usr/bin/python3 -c 'import numpy, sys; numpy.save(sys.argv[1], numpy.zeros((40, 40)))' short.npy
truncate -s 1000 short.npy
pipeline p_short.json '[{"id": "y", "to_npy": "never2/deep/y.npy"}]' short.npy
cs_run failed_run run p_short.json -q --no-trace
[ "$rc" -ne 0 ] || fail "failed_run: reading a short .npy succeeded"
[ -e never2 ] && fail "failed_run: left the folder it created: $(find never2)"

# ---------------------------------------------------------------- item 2: inputs that are not files
mkfifo fifo_pipeline.json
cs_run pipeline_fifo validate fifo_pipeline.json
cs_refused pipeline_fifo 2 "fifo_pipeline.json" "FIFO"
mkfifo fifo_trace.cstrace.json
cs_run trace_fifo report fifo_trace.cstrace.json
cs_refused trace_fifo 2 "fifo_trace.cstrace.json" "FIFO"
cs_run trace_zero report /dev/zero
cs_refused trace_zero 2 "/dev/zero" "character device"
cs_run trace_dir report adir
cs_refused trace_dir 2 "adir" "directory"
for src in /dev/zero fifo_pipeline.json adir; do
  pipeline p_src.json '[{"id": "y"}]' "$src"
  cs_run "source_$(basename $src)" run p_src.json -q --no-trace
  cs_refused "source_$(basename $src)" 2 "$src"
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
cs_run zarr_chunk_fifo run p_zfifo.json -q --no-trace
cs_refused zarr_chunk_fifo 1 "fifo_chunk.zarr/0" "FIFO"
# A NUL byte in a path is refused, not cut short at the NUL.
printf '{"name": "nul", "layers": [{"id": "x", "op": "random", "shape": [4], "chunks": 2}], "outputs": [{"id": "x", "to_npy": "a\\u0000b.npy"}]}' >p_nul.json
cs_run nul_output run p_nul.json -q --no-trace
cs_refused nul_output 2 "NUL"
[ -e a ] && fail "nul_output: wrote a file named a (the path cut at the NUL)"
printf '{"name": "nul", "layers": [{"id": "x", "op": "from_npy", "path": "data/in.npy\\u0000.txt"}]}' >p_nul_in.json
cs_run nul_input validate p_nul_in.json
cs_refused nul_input 2 "NUL"

cs_finish
