#!/usr/bin/env bash
# Writes the man page chunkscope(1) from the CLI's own --help texts: help2man turns `chunkscope --help`
# and `--version` into the page, and a COMMANDS section gets each subcommand's --help.
#
#   make_man_page.sh HELP2MAN CHUNKSCOPE OUT.1
set -euo pipefail
help2man=$1 bin=$2 out=$3
export LC_ALL=C.UTF-8  # the help texts are UTF-8 (an em dash, ×): in the C locale help2man writes ???
inc=$(mktemp)
trap 'rm -f "$inc"' EXIT
man_text() { sed -e 's/\\/\\e/g' -e "s/^\\./\\\\\\&./" -e "s/^'/\\\\\\&'/"; }  # roff: backslashes, leading . and '
{
  echo "[COMMANDS]"
  for sub in $("$bin" --help | awk '/^Subcommands:/ {on = 1; next} on && /^  [a-z]/ {print $1}'); do
    echo ".SS \"chunkscope $sub\""
    echo ".nf"
    "$bin" "$sub" --help | sed "s|^Usage: [^ ]*chunkscope|Usage: chunkscope|" | man_text
    echo ".fi"
  done
  cat <<'ROFF'
[ENVIRONMENT]
.TP
.B CHUNKSCOPE_WEB_DIR
the folder of the dashboard files (app.js, style.css, chunkscope_web.js, viz-global.js); default
\fIPREFIX\fP/share/chunkscope/web next to the binary. Without them, \fBhtml\fP writes the static report.
.TP
.B CHUNKSCOPE_GPU_LIBRARY
the CUDA executor library for \fB\-\-executor cuda\fP; default \fIPREFIX\fP/lib/libchunkscope_gpu.so.
[EXIT STATUS]
0 on success, 1 when a run fails, 2 on bad input (with a one-line reason on standard error).
[FILES]
\fIPREFIX\fP/share/doc/chunkscope/LICENSE, THIRD_PARTY_NOTICES: the licence (BSD-3-Clause) and the
notices of what the binaries and the dashboard page carry (Graphviz-WASM: EPL-1.0).
[SEE ALSO]
.BR chunkscope-view (1)
where built; the documentation in the source tree: docs/dashboard.md, docs/rules.md, docs/python.md.
ROFF
} >"$inc"
"$help2man" --no-info --no-discard-stderr --section=1 --locale=C.UTF-8 \
  --name="see how a chunked array computation really runs" --include="$inc" --output="$out.tmp" "$bin"
# help2man names the program after the path it ran: the page is about `chunkscope`.
sed -e "s|$bin|chunkscope|g" "$out.tmp" >"$out"
rm -f "$out.tmp"
