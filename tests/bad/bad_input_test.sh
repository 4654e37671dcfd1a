#!/usr/bin/env bash
# One corpus file of tests/data/bad (or tests/data/bad_pipelines) through every command that reads it:
#
#   bad_input_test.sh BIN FILE
#
# FILE's sidecar (FILE.expect, or NAME.expect next to NAME.json) lists, one per line, the parts the
# error must contain. A line "@run-rc N" is for faults found only while running (a short Zarr chunk,
# an output path that cannot be written): validate and describe must succeed, run must exit N with
# the one line; its trace and HTML page (of the failed run) may be written, nothing else. A line
# "@paths" is for output-path faults (an output onto a directory): validate and run must exit 2
# with the one line before anything runs, describe (which writes nothing) must succeed. FILE need
# not exist (the "missing file" case).
# Traces (FILE under a folder named traces/) go through report, export --format chrome/json
# and html -o; pipelines through validate, describe and run --trace --html with outputs. Every
# command must exit with the expected code within 20 s, print nothing on stdout, exactly one line on
# stderr holding every expected part, and leave the output folder empty: no -o target, no trace,
# no HTML page, no temporary files.
set -u
bin=$1
file=$2
[[ $bin == /* ]] || bin=$PWD/$bin
[[ $file == /* ]] || file=$PWD/$file
expect=$file.expect
[ -f "$expect" ] || expect=${file%.json}.expect
if [ ! -f "$expect" ]; then
  echo "FAIL: $file has no sidecar $file.expect: write the expected message parts in it, one per line"
  exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
out=$tmp/out
mkdir -p "$out"
failures=0
fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}

run_rc=
paths_only=
wants=()
while IFS= read -r line || [ -n "$line" ]; do
  [ -z "$line" ] && continue
  if [[ $line == "@run-rc "* ]]; then run_rc=${line#@run-rc }
  elif [[ $line == "@paths" ]]; then paths_only=1
  else wants+=("$line"); fi
done <"$expect"
want_rc=2
allowed=""  # files a command may leave in the output folder

# check NAME ARGS...: runs chunkscope ARGS from $work and checks code, streams and the output folder.
check() {
  local name=$1
  shift
  (cd "$work" && exec timeout 20 "$bin" "$@") >"$tmp/$name.out" 2>"$tmp/$name.err"
  local rc=$?
  if [ "$want_rc" -eq 0 ]; then  # must succeed
    [ "$rc" -eq 0 ] || fail "$name: exit code $rc, expected 0: $(head -c 300 "$tmp/$name.err")"
    return
  fi
  local err
  err=$(<"$tmp/$name.err")
  local -a lines
  mapfile -t lines <"$tmp/$name.err"
  if [ "$rc" -eq 124 ]; then
    fail "$name: timed out after 20 s"
  elif [ "$rc" -ne "$want_rc" ]; then
    fail "$name: exit code $rc, expected $want_rc"
  fi
  [ "${#lines[@]}" -eq 1 ] || fail "$name: ${#lines[@]} lines on stderr, expected one"
  for w in "${wants[@]}"; do
    [[ $err == *"$w"* ]] || fail "$name: stderr lacks: $w"
  done
  for bad in "terminate called" "what():" "Aborted" "Segmentation" "core dumped" "Traceback" "[json.exception"; do
    [[ $err == *"$bad"* ]] && fail "$name: stderr shows an internal error ($bad)"
  done
  [ -s "$tmp/$name.out" ] && [ "$want_rc" -eq 2 ] && fail "$name: wrote to stdout: $(head -c 300 "$tmp/$name.out")"
  local left
  left=$(cd "$out" && ls -A | grep -vxF -e "${allowed:-/}")
  [ -n "$left" ] && fail "$name: left files in the output folder: $(echo $left)"
  rm -rf "${out:?}"/* "$out"/.[!.]* 2>/dev/null
  if [ "$failures" -ne 0 ]; then
    echo "  chunkscope $*"
    echo "  stderr: ${err:0:600}"
  fi
}

name=$(basename "$file")
case "$(basename "$(dirname "$file")")" in
  traces)
    work=$(dirname "$file")
    check report report "$name"
    check chrome export "$name" --format chrome -o "$out/t.json"
    check json export "$name" --format json -o "$out/t.cstrace.json"
    check html html "$name" -o "$out/t.html"
    ;;
  *)
    # Pipelines run from a copy, next to a copy of the arrays they read (../arrays/...), so that a
    # bug that writes outputs cannot write into the source tree.
    work=$tmp/box/pipelines
    mkdir -p "$work"
    if [ -f "$file" ] && [ -d "$(dirname "$file")/../arrays" ] && grep -q '\.\./arrays/' "$file"; then
      cp -r "$(dirname "$file")/../arrays" "$tmp/box/arrays"
    fi
    [ -e "$file" ] && cp -r "$file" "$work/$name"
    before=$(cd "$tmp/box" && find . | sort)
    [ -n "$run_rc" ] && want_rc=0
    check validate validate "$name"
    [ -n "$paths_only" ] && want_rc=0
    check describe describe "$name"
    [ -n "$paths_only" ] && want_rc=2
    if [ -n "$run_rc" ]; then
      want_rc=$run_rc
      allowed=$'t.cstrace.json\nt.html'
    fi
    check run run "$name" -q --threads 2 --trace "$out/t.cstrace.json" --html "$out/t.html"
    after=$(cd "$tmp/box" && find . | sort)
    [ "$before" == "$after" ] || fail "run $name: wrote files next to the pipeline or arrays: $(comm -13 <(echo "$before") <(echo "$after") | head -5 | tr '\n' ' ')"
    ;;
esac

if [ "$failures" -ne 0 ]; then
  echo "$failures check(s) failed for $file"
  exit 1
fi
echo "ok: $name"
