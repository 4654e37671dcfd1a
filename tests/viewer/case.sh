#!/usr/bin/env bash
# One viewer test: chunkscope-view renders TRACE(s) under Xvfb and writes a screenshot and its view
# dump; the PNG must be non-trivial (png_check) and the dump equal to the golden file.
#   case.sh VIEW PNG_CHECK XVFB_RUN OUT NAME GOLDEN EXPECT_RC -- chunkscope-view arguments...
# GOLDEN "-" skips the golden check. CHUNKSCOPE_REGEN_GOLDEN=1 rewrites the golden file.
set -uo pipefail
view=$1 check=$2 xvfb=$3 out=$4 name=$5 golden=$6 expect=$7
shift 8
mkdir -p "$out/shots"
png="$out/shots/$name.png" dump="$out/shots/$name.view.json"
rm -f "$png" "$dump"
cd "$out"
"$xvfb" -a -s "-screen 0 1600x1000x24" "$view" "$@" --size 1280x800 --frames 3 --screenshot "$png" --dump-view "$dump"
rc=$?
if [[ $rc != "$expect" ]]; then echo "FAIL: exit code $rc, expected $expect"; exit 1; fi
"$check" "$png" 1280 800 12 || exit 1
# The golden files hold the view model; what the last frame drew ("frame": label sizes, panel
# rectangles, legends) is checked by properties.py, not compared here: the dump is compared without it.
model="$out/shots/$name.model.json"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); [v.pop("frame", None) for v in d]; open(sys.argv[2],"w").write(json.dumps(d, indent=1, ensure_ascii=False)+"\n")' "$dump" "$model" || exit 1
canon() { python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1])), indent=1, ensure_ascii=False))' "$1"; }
if [[ $golden != "-" ]]; then
  if [[ "${CHUNKSCOPE_REGEN_GOLDEN:-}" == 1 ]]; then
    mkdir -p "$(dirname "$golden")" && cp "$model" "$golden" && echo "regenerated $golden" || exit 1
  elif [[ ! -f $golden ]]; then
    echo "FAIL: no golden file $golden (create it: CHUNKSCOPE_REGEN_GOLDEN=1 ctest -L viewer)"; exit 1
  elif ! diff -u <(canon "$golden") <(canon "$model"); then
    echo "FAIL: the panels' view model differs from $golden (if intended: CHUNKSCOPE_REGEN_GOLDEN=1 ctest -L viewer)"; exit 1
  fi
fi
echo "ok: $png"
