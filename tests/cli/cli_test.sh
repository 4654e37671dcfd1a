#!/usr/bin/env bash
# Black-box tests of the `chunkscope` command line (run by ctest, one check per call).
#
#   cli_test.sh valid   BIN PIPELINE   validate exits 0; describe and describe --json print the layers
#   cli_test.sh invalid BIN PIPELINE   validate and describe exit 2 with one stderr line holding every
#                                      line of PIPELINE's sidecar <name>.expect (run from its folder)
#   cli_test.sh help    BIN            --help of the tool and of each subcommand it lists exits 0
#   cli_test.sh usage   BIN            missing/unreadable files and bad command lines exit 2, --version 0
set -u
mode=$1
bin=$2
[[ $bin == /* ]] || bin=$PWD/$bin  # the invalid mode runs from the pipeline's folder
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0

fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}

# run NAME ARGS...: runs the binary, leaving stdout/stderr in $tmp/NAME.{out,err} and the code in $rc.
run() {
  local name=$1
  shift
  "$bin" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err"
  rc=$?
}

show() {
  echo "--- stdout of chunkscope $*" >&2
  cat "$tmp/$1.out" >&2
  echo "--- stderr" >&2
  cat "$tmp/$1.err" >&2
}

expect_rc() {  # expect_rc NAME WANT DESCRIPTION
  if [ "$rc" -ne "$2" ]; then
    fail "$3: exit code $rc, expected $2"
    show "$1"
  fi
}

# Checks use builtins (no grep per check): process start-up dominates these tests' time.
lines() {  # lines FILE: number of lines
  local -a all
  mapfile -t all <"$1"
  echo "${#all[@]}"
}
contains() {  # contains FILE TEXT: FILE holds TEXT
  local body
  body=$(<"$1")
  [[ $body == *"$2"* ]]
}

case "$mode" in
  valid)
    pipeline=$3
    run validate validate "$pipeline"
    expect_rc validate 0 "validate $pipeline"
    [ -s "$tmp/validate.err" ] && fail "validate $pipeline wrote to stderr: $(<"$tmp/validate.err")"
    contains "$tmp/validate.out" "ok" || fail "validate $pipeline did not say ok: $(<"$tmp/validate.out")"
    run describe describe "$pipeline"
    expect_rc describe 0 "describe $pipeline"
    mapfile -t table <"$tmp/describe.out"
    for word in layer op group shape chunks tasks; do
      [[ " ${table[1]:-} " == *" $word "* ]] || fail "describe $pipeline: no \"$word\" column in the table header"
    done
    totals=0
    for line in "${table[@]}"; do
      [[ $line =~ ^[0-9]+\ layers,\ [0-9]+\ tasks,\ [0-9]+\ dependencies$ ]] && totals=1
    done
    [ "$totals" -eq 1 ] || fail "describe $pipeline: no totals line"
    run json describe --json "$pipeline"
    expect_rc json 0 "describe --json $pipeline"
    # The documented fields (the golden tests compare the whole output).
    for key in name description layers id op group dtype shape chunks chunk_shape num_chunks tasks chunk_bytes inputs \
      inserted pushed_into edges; do
      contains "$tmp/json.out" "\"$key\":" || fail "describe --json $pipeline: no \"$key\" field"
    done
    ;;

  invalid)
    pipeline=$3
    [[ $pipeline == /* ]] || pipeline=$PWD/$pipeline
    expect_file=${pipeline%.json}.expect
    if [ ! -f "$expect_file" ]; then
      echo "FAIL: $pipeline has no sidecar $expect_file: write the expected message parts in it, one per line" >&2
      exit 1
    fi
    cd "$(dirname "$pipeline")" || exit 1
    name=$(basename "$pipeline")
    for cmd in validate describe; do
      run "$cmd" "$cmd" "$name"
      expect_rc "$cmd" 2 "$cmd $name"
      [ -s "$tmp/$cmd.out" ] && fail "$cmd $name wrote to stdout: $(<"$tmp/$cmd.out")"
      n=$(lines "$tmp/$cmd.err")
      [ "$n" -eq 1 ] || { fail "$cmd $name: $n lines on stderr, expected one"; show "$cmd"; }
      while IFS= read -r want || [ -n "$want" ]; do
        [ -z "$want" ] && continue
        contains "$tmp/$cmd.err" "$want" || fail "$cmd $name: stderr lacks: $want
  stderr: $(<"$tmp/$cmd.err")"
      done <"$expect_file"
    done
    ;;

  help)
    run top --help
    expect_rc top 0 "--help"
    contains "$tmp/top.out" "Usage" || fail "--help prints no usage"
    subcommands=$(awk '/^Subcommands:/ {on = 1; next} on && /^  [a-z]/ {print $1} on && /^$/ {on = 0}' "$tmp/top.out")
    [ -n "$subcommands" ] || fail "--help lists no subcommands"
    echo "subcommands: $(echo $subcommands)"
    for want in validate describe; do
      [[ $'\n'$subcommands$'\n' == *$'\n'$want$'\n'* ]] || fail "--help does not list \"$want\""
    done
    for sub in $subcommands; do
      run "help_$sub" "$sub" --help
      expect_rc "help_$sub" 0 "$sub --help"
      contains "$tmp/help_$sub.out" "Usage" || fail "$sub --help prints no usage"
      contains "$tmp/help_$sub.out" "$sub" || fail "$sub --help does not name the subcommand"
    done
    ;;

  usage)
    run version --version
    expect_rc version 0 "--version"
    contains "$tmp/version.out" "chunkscope" || fail "--version does not print the name"
    for cmd in validate describe; do
      run "missing_$cmd" "$cmd" "$tmp/no_such_pipeline.json"
      expect_rc "missing_$cmd" 2 "$cmd of a missing file"
      contains "$tmp/missing_$cmd.err" "no_such_pipeline.json" || fail "$cmd of a missing file: the message does not name it"
      [ "$(lines "$tmp/missing_$cmd.err")" -eq 1 ] || fail "$cmd of a missing file: not one line"
      mkdir -p "$tmp/dir.json"
      run "dir_$cmd" "$cmd" "$tmp/dir.json"
      expect_rc "dir_$cmd" 2 "$cmd of a directory"
      contains "$tmp/dir_$cmd.err" "dir.json" || fail "$cmd of a directory: the message does not name it"
      run "noarg_$cmd" "$cmd"
      expect_rc "noarg_$cmd" 2 "$cmd without a pipeline"
    done
    run none
    expect_rc none 2 "no subcommand"
    run unknown frobnicate
    expect_rc unknown 2 "an unknown subcommand"
    run badflag validate --no-such-flag x.json
    expect_rc badflag 2 "an unknown flag"
    ;;

  *)
    echo "usage: cli_test.sh valid|invalid|help|usage BIN [PIPELINE]" >&2
    exit 1
    ;;
esac

if [ "$failures" -ne 0 ]; then
  echo "$failures check(s) failed" >&2
  exit 1
fi
echo "ok"
