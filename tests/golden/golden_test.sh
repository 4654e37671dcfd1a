#!/usr/bin/env bash
# Golden test: `chunkscope describe --json PIPELINE` must equal the checked-in GOLDEN file.
# Run from the repository root with a repository-relative PIPELINE (paths appear in the output).
#
#   golden_test.sh BIN PIPELINE GOLDEN
#
# With CHUNKSCOPE_REGEN_GOLDEN=1 in the environment the output is written to GOLDEN instead:
#   CHUNKSCOPE_REGEN_GOLDEN=1 ctest --test-dir build -R golden
# then review the diff (git diff tests/golden) and commit it.
set -u
bin=$1
pipeline=$2
golden=$3
regen="CHUNKSCOPE_REGEN_GOLDEN=1 ctest --test-dir build -R golden"
out=$(mktemp)
err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT

"$bin" describe --json "$pipeline" >"$out" 2>"$err"
rc=$?
if [ "$rc" -ne 0 ]; then
  echo "FAIL: chunkscope describe --json $pipeline exited $rc:" >&2
  cat "$err" >&2
  exit 1
fi

if [ "${CHUNKSCOPE_REGEN_GOLDEN:-0}" = "1" ]; then
  mkdir -p "$(dirname "$golden")"
  cp "$out" "$golden"
  echo "regenerated $golden"
  exit 0
fi

if [ ! -f "$golden" ]; then
  echo "FAIL: no golden file $golden for $pipeline." >&2
  echo "Create it with: $regen   (then review and commit it)" >&2
  exit 1
fi

if ! diff -u --label "$golden (expected)" --label "describe --json $pipeline (actual)" "$golden" "$out" >&2; then
  echo "FAIL: describe --json $pipeline differs from $golden." >&2
  echo "If the change is intended, regenerate with: $regen   (then review and commit the diff)" >&2
  exit 1
fi
echo "ok: $pipeline matches $golden"
