#!/usr/bin/env bash
# Black-box checks of the command line against hostile or mistaken input (issue 14, item 9):
#
#   safety_test.sh escape          BIN  layer ids, names and paths holding ESC/OSC/C1/bidi sequences
#                                       reach the terminal escaped in describe, run, report (not in --json)
#   safety_test.sh memory_limit    BIN  run --memory-limit "" (and --device-memory-limit "") exit 2, one line
#   safety_test.sh advise_overflow BIN  advise --shape with a size over 2^60 bytes exits 2, one line, no
#                                       negative sizes printed; a large one that fits still works
set -u
mode=$1
source "$(dirname "${BASH_SOURCE[0]}")/../support/shell_checks.sh"
cs_prepare "$2"
CS_TIMEOUT=30

# The bytes a terminal acts on: C0 controls except newline, DEL, 8-bit C1, UTF-8 C1, bidi overrides.
has_controls() {
  LC_ALL=C grep -q -e $'[\x01-\x09\x0b-\x1f\x7f]' -e $'\xc2[\x80-\x9f]' -e $'\xe2\x80[\xaa-\xae]' -e $'\xe2\x81[\xa6-\xa9]' "$1"
}

case "$mode" in
  escape)
    # ESC [2J (clear screen), OSC 0 (set the window title) ended by BEL, CSI as a UTF-8 C1 (U+009B),
    # a right-to-left override (U+202E), a tab and a newline.
    cat >p.json <<'JSON'
{"name": "evil\u001b]0;owned\u0007", "description": "\u001b[2J cleared",
 "layers": [
  {"id": "src\u001b[31m", "op": "random", "shape": [64, 64], "chunks": 16, "seed": 1, "group": "g\u009b1m"},
  {"id": "plus\u202eeno", "op": "add", "inputs": ["src\u001b[31m", 1]},
  {"id": "tot\tal\nx", "op": "sum", "input": "plus\u202eeno", "axis": 0}],
 "outputs": [{"id": "tot\tal\nx", "to_npy": "out\u001b[5m.npy"}]}
JSON
    cs_run validate validate p.json
    [ "$rc" -eq 0 ] || fail "validate: exit code $rc: $(<validate.err)"
    cs_run describe describe p.json
    [ "$rc" -eq 0 ] || fail "describe: exit code $rc: $(<describe.err)"
    cs_run run run p.json --threads 2 --trace t.cstrace.json
    [ "$rc" -eq 0 ] || fail "run: exit code $rc: $(<run.err)"
    cs_run report report t.cstrace.json
    [ "$rc" -eq 0 ] || fail "report: exit code $rc: $(<report.err)"
    for name in describe run report; do
      has_controls "$name.out" && fail "$name printed control characters: $(LC_ALL=C cat -v "$name.out" | head -c 600)"
      has_controls "$name.err" && fail "$name printed control characters on stderr: $(LC_ALL=C cat -v "$name.err" | head -c 600)"
    done
    for w in 'src\x1b[31m' 'plus\u202eeno' 'tot\tal\nx'; do
      for name in describe run report; do
        grep -qF -- "$w" "$name.out" || fail "$name does not show the layer id as $w: $(LC_ALL=C cat -v "$name.out" | head -c 600)"
      done
    done
    grep -qF 'evil\x1b]0;owned\x07' describe.out || fail "describe does not show the pipeline name escaped"
    grep -qF '\x1b[2J cleared' describe.out || fail "describe does not show the description escaped"
    grep -qF 'g\u009b1m' describe.out || fail "describe does not show the group escaped"
    grep -qF 'out\x1b[5m.npy' describe.out || fail "describe does not show the output path escaped"
    grep -qF 'out\x1b[5m.npy' run.out || fail "run does not show the output path escaped"
    grep -qF 'evil\x1b]0;owned\x07' report.out || fail "report does not show the pipeline name escaped"
    # JSON output keeps the ids as they are (JSON escapes them itself).
    cs_run json describe --json p.json
    [ "$rc" -eq 0 ] || fail "describe --json: exit code $rc"
    grep -qF '"src\u001b[31m"' json.out || fail "describe --json does not keep the id: $(head -c 300 json.out)"
    cs_run rjson report --json t.cstrace.json
    [ "$rc" -eq 0 ] || fail "report --json: exit code $rc"
    grep -qF '"src\u001b[31m"' rjson.out || fail "report --json does not keep the id"
    # A bad pipeline whose error names such a layer: the one-line error is escaped too.
    cat >bad.json <<'JSON'
{"layers": [{"id": "x\u001b[2J", "op": "random", "shape": [4], "chunks": 2, "seed": -1}]}
JSON
    cs_run bad validate bad.json
    cs_refused bad 2 'layer "x\x1b[2J"' 'field "seed"'
    has_controls bad.err && fail "validate: the error holds control characters: $(LC_ALL=C cat -v bad.err)"
    ;;

  memory_limit)
    printf '{"layers": [{"id": "a", "op": "random", "shape": [8], "chunks": 4}]}\n' >p.json
    cs_run empty run p.json --memory-limit "" --trace t.cstrace.json
    cs_refused empty 2 "--memory-limit" "is not a size"
    [ -e t.cstrace.json ] && fail "run --memory-limit \"\" ran and wrote a trace"
    cs_run dev_empty run p.json --device-memory-limit "" --trace t.cstrace.json
    cs_refused dev_empty 2 "--device-memory-limit" "is not a size"
    cs_run negative run p.json --memory-limit=-1 --trace t.cstrace.json
    cs_refused negative 2 "--memory-limit" "is not a size"
    [ -e t.cstrace.json ] && fail "a refused --memory-limit still ran and wrote a trace"
    cs_run ok run p.json --memory-limit 1MiB --trace t.cstrace.json -q
    [ "$rc" -eq 0 ] || fail "run --memory-limit 1MiB: exit code $rc: $(<ok.err)"
    ;;

  advise_overflow)
    for shape in 4294967296,4294967296 9223372036854775807 1073741824,1073741824 2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2; do
      cs_run "big" advise --shape "$shape"
      cs_refused big 2 "--shape" "too large"
      cs_run "big_json" advise --shape "$shape" --json
      cs_refused big_json 2 "--shape" "too large"
    done
    cs_run fits advise --shape 1048576,1048576,1024 --dtype uint8
    [ "$rc" -eq 0 ] || fail "advise of a 1 PiB array: exit code $rc: $(<fits.err)"
    grep -qE -- '-[0-9.]+ ([KMGTPE]i)?B' fits.out && fail "advise printed a negative size: $(head -c 400 fits.out)"
    grep -qF "1.00 PiB" fits.out || fail "advise does not show the array's size: $(head -c 400 fits.out)"
    ;;

  *)
    echo "usage: safety_test.sh escape|memory_limit|advise_overflow BIN" >&2
    exit 1
    ;;
esac

cs_finish
