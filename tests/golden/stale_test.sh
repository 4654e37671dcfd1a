#!/usr/bin/env bash
# Fails when a golden file has no pipeline left to produce it (a sample was renamed or removed).
#   stale_test.sh GOLDEN_DIR PIPELINE_DIR
set -u
status=0
for golden in "$1"/*.json; do
  [ -e "$golden" ] || continue
  name=$(basename "$golden")
  if [ ! -f "$2/$name" ]; then
    echo "FAIL: $golden has no pipeline $2/$name; delete it (git rm) or restore the pipeline" >&2
    status=1
  fi
done
[ "$status" -eq 0 ] && echo "ok: every golden file in $1 has its pipeline"
exit $status
