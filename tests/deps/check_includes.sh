#!/usr/bin/env bash
# Fails when a module includes something its row in DESIGN.md's module table does not allow.
# Dependencies point one way: core <- exec <- gpu; core <- viz <- {web, native, python}; native
# and python also run pipelines (exec) and native loads gpu. Every module is checked:
#   core    only itself; no threads, clocks, files or platform code (it builds with Emscripten)
#   exec    core
#   gpu     core, exec's public headers (never exec/src)
#   viz     core
#   web     core, viz (the bridge and the HTML exporter)
#   native  everything above
#   python  core, exec, viz, web's exporter; never gpu or native
# and no module includes another module's private src/ headers: a quoted include that is not
# "chunkscope/..." must be a file of the including module.
set -u
root="${1:?usage: check_includes.sh REPO_ROOT}"
status=0
sources() {  # module folder: its C++ and CUDA files (never node_modules)
  find "$root/$1" -path '*/node_modules' -prune -o -type f \( -name '*.hpp' -o -name '*.cpp' -o -name '*.h' -o -name '*.cu' \
    -o -name '*.cuh' -o -name '*.in' \) -print 2>/dev/null
}
check() {  # folder, regex, why
  [ -d "$root/$1" ] || return 0
  local hits
  hits=$(sources "$1" | xargs -r grep -HnE "$2" 2>/dev/null)
  if [ -n "$hits" ]; then
    echo "forbidden include in $1/ ($3):"
    echo "$hits" | sed "s#^$root/#  #"
    status=1
  fi
}
# A quoted include outside "chunkscope/" must be found next to the including file or in its
# module's src/ or include/ folders: never in another module (exec/src/output_assembly.hpp).
check_private() {  # folder
  [ -d "$root/$1" ] || return 0
  local f inc
  while IFS= read -r f; do
    while IFS= read -r inc; do
      case "$inc" in chunkscope/*) continue ;; esac
      if [ -e "$(dirname "$f")/$inc" ] || [ -e "$root/$1/src/$inc" ] || [ -e "$root/$1/include/$inc" ]; then continue; fi
      # generated into the build tree by the module's CMakeLists (e.g. native's demo_pipeline.hpp)
      if [ -e "$(dirname "$f")/$inc.in" ]; then continue; fi
      echo "private include in $1/ (${f#"$root"/}): \"$inc\" is not a file of $1/"
      status=1
    done < <(sed -nE 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"([^"]+)".*/\1/p' "$f")
  done < <(sources "$1")
}
mods='core|exec|gpu|viz|web|native|python'
check core "#include *[<\"]chunkscope/(exec|gpu|viz|web|native|python)/" "core may use only itself"
check core '#include *<(thread|mutex|atomic|chrono|condition_variable|future|filesystem|fstream|cuda_runtime\.h|emscripten\.h|GLFW/[^>]*|sys/[^>]*|unistd\.h)>' "core has no threads, clocks, files or platform code"
check exec "#include *[<\"]chunkscope/(gpu|viz|web|native|python)/" "exec may use only core"
check gpu "#include *[<\"]chunkscope/(viz|web|native|python)/" "gpu may use core and exec"
check viz "#include *[<\"]chunkscope/(exec|gpu|web|native|python)/" "viz reads traces only: core"
check web "#include *[<\"]chunkscope/(exec|gpu|native|python)/" "web may use core and viz"
check native "#include *[<\"]chunkscope/python/" "native is a front-end: never the Python package"
check python "#include *[<\"]chunkscope/(gpu|native)/" "python may use core, exec, viz and web's exporter"
# Platform code in one file per platform: only the WASM bridge includes Emscripten.
for m in core exec gpu viz web native python; do
  hits=$(sources "$m" | grep -v '/web/src/bridge\.cpp$' | xargs -r grep -HnE '#include *[<"]emscripten' 2>/dev/null)
  if [ -n "$hits" ]; then
    echo "forbidden include in $m/ (only web/src/bridge.cpp includes Emscripten):"
    echo "$hits" | sed "s#^$root/#  #"
    status=1
  fi
done
for m in core exec gpu viz web native python; do
  check "$m" "#include *\"[^\"]*\\b($mods)/src/" "another module's private src/"
  check_private "$m"
done
[ "$status" -eq 0 ] && echo "module dependencies ok"
exit "$status"
