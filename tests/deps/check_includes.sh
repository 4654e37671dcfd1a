#!/usr/bin/env bash
# Fails when a module includes something its row in ../shared/DESIGN.md does not allow:
# core/ stays pure (no other chunkscope module, no threads, clocks, sockets, GPU or platform
# headers); exec/ never includes viz/; viz/ never includes exec/.
set -u
root="${1:?usage: check_includes.sh REPO_ROOT}"
status=0
check() {  # folder, regex, why
  local hits
  hits=$(grep -rnE "$2" "$root/$1" --include='*.hpp' --include='*.cpp' --include='*.h' --include='*.cu' 2>/dev/null)
  if [ -n "$hits" ]; then
    echo "forbidden include in $1/ ($3):"
    echo "$hits" | sed 's/^/  /'
    status=1
  fi
}
check core '#include *[<"]chunkscope/(exec|gpu|viz|web|native)/' "core may use only itself"
check core '#include *<(thread|mutex|atomic|chrono|condition_variable|future|filesystem|fstream|cuda_runtime\.h|emscripten\.h|GLFW/[^>]*|sys/[^>]*|unistd\.h)>' "core has no threads, clocks, files or platform code"
check exec '#include *[<"]chunkscope/(viz|web|native)/' "exec may use only core"
[ -d "$root/viz" ] && check viz '#include *[<"]chunkscope/(exec|gpu)/' "viz reads traces only"
[ "$status" -eq 0 ] && echo "module dependencies ok"
exit "$status"
