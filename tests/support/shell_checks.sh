# Sourced by the black-box shell tests of the CLI (tests/cli, tests/faults): the binary's path, a
# fresh work folder, failure counting, and running chunkscope with its streams and exit code kept.
#
#   source "$(dirname "${BASH_SOURCE[0]}")/../support/shell_checks.sh"
#   cs_prepare "$1" "$2"              # $cs = the binary (absolute); work folder emptied and entered
#   cs_run name validate p.json       # name.out, name.err, $rc
#   cs_refused name 2 "p.json" "NUL"  # exit 2, one line on stderr holding each part
#   cs_finish                         # prints the count, exits 1 when a check failed

failures=0
checks=0

# fail MESSAGE...: counts a failed check.
fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}

# cs_prepare BIN [WORK]: sets $cs to BIN made absolute; with WORK, empties that folder and enters
# it, else enters a temporary folder removed at exit.
cs_prepare() {
  cs=$1
  [[ $cs == /* ]] || cs=$PWD/$cs
  if [ -n "${2:-}" ]; then
    rm -rf "$2"
    mkdir -p "$2"
    cd "$2" || exit 1
  else
    cs_tmp=$(mktemp -d)
    trap 'rm -rf "$cs_tmp"' EXIT
    cd "$cs_tmp" || exit 1
  fi
}

# cs_run NAME ARGS...: runs chunkscope ARGS within CS_TIMEOUT seconds (default 20); stdout and
# stderr in NAME.out and NAME.err, the exit code in $rc.
cs_run() {
  local name=$1
  shift
  timeout "${CS_TIMEOUT:-20}" "$cs" "$@" >"$name.out" 2>"$name.err"
  rc=$?
  checks=$((checks + 1))
}

# cs_refused NAME WANT_RC PART...: the last cs_run NAME exited WANT_RC (not by the time limit)
# with one line on stderr holding each PART, and (for exit 2, bad input) nothing on stdout.
cs_refused() {
  local name=$1 want=$2
  shift 2
  [ "$rc" -eq 124 ] && { fail "$name: hung (killed after ${CS_TIMEOUT:-20} s)"; return; }
  [ "$rc" -eq "$want" ] || fail "$name: exit code $rc, expected $want: $(head -c 300 "$name.err")"
  [ "$want" -eq 2 ] && [ -s "$name.out" ] && fail "$name: wrote to stdout: $(head -c 300 "$name.out")"
  local lines
  lines=$(wc -l <"$name.err")
  [ "$lines" -eq 1 ] || fail "$name: $lines lines on stderr, expected one: $(head -c 300 "$name.err")"
  local part
  for part in "$@"; do
    grep -qF -- "$part" "$name.err" || fail "$name: the message lacks \"$part\": $(head -c 300 "$name.err")"
  done
}

# cs_finish: prints how many commands were checked and failed; exits 1 when any check failed.
cs_finish() {
  echo "$checks commands checked, $failures failure(s)"
  [ "$failures" -eq 0 ] || exit 1
  exit 0
}
