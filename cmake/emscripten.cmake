# One way to build WebAssembly with Debian's em++, shared by web/ (the dashboard's module, core +
# viz) and tests/wasm (core alone under node). Included by both; defines nothing without em++.
#
#   include(${PROJECT_SOURCE_DIR}/cmake/emscripten.cmake)
#   if(CHUNKSCOPE_EMXX)
#     chunkscope_wasm_module(OUTPUT ${dir}/x.js SOURCES a.cpp b.cpp INCLUDES core/include
#                            COMPILE_FLAGS -O1 -fwasm-exceptions LINK_FLAGS -O1 -sSINGLE_FILE=1
#                            SOURCE_DEFINES web/src/bridge.cpp -DX=1 COMMENT "what it is")
#   endif()
#
# Every source is compiled by its own custom command (parallel, incremental, header dependencies
# through depfiles) into <current binary dir>/obj, then linked into OUTPUT. Third-party headers
# (nlohmann_json) come through a folder of links passed with -isystem: never -I/usr/include,
# which shadows Emscripten's libc.
find_program(CHUNKSCOPE_EMXX em++)

# chunkscope_wasm_module(OUTPUT js SOURCES ... [INCLUDES dirs...] [COMPILE_FLAGS ...] [LINK_FLAGS ...]
#                        [SOURCE_DEFINES <path relative to the project> <define> ...] [COMMENT text])
function(chunkscope_wasm_module)
  cmake_parse_arguments(ARG "" "OUTPUT;COMMENT" "SOURCES;INCLUDES;COMPILE_FLAGS;LINK_FLAGS;SOURCE_DEFINES" ${ARGN})
  # Emscripten's own JS tools need Debian's node modules (acorn); Debian's cache in
  # /usr/share/emscripten/cache is prebuilt and frozen, so no EM_CACHE is needed.
  if(DEFINED ENV{NODE_PATH})
    set(node_path "$ENV{NODE_PATH}")
  else()
    set(node_path /usr/share/nodejs)
  endif()
  set(emxx ${CMAKE_COMMAND} -E env NODE_PATH=${node_path} ${CHUNKSCOPE_EMXX})
  find_path(CHUNKSCOPE_NLOHMANN_INCLUDE_DIR nlohmann/json.hpp REQUIRED)
  set(shim_dir ${CMAKE_CURRENT_BINARY_DIR}/include_shim)
  file(MAKE_DIRECTORY ${shim_dir})
  file(CREATE_LINK ${CHUNKSCOPE_NLOHMANN_INCLUDE_DIR}/nlohmann ${shim_dir}/nlohmann SYMBOLIC)
  set(includes)
  foreach(dir IN LISTS ARG_INCLUDES)
    list(APPEND includes -I${dir})
  endforeach()
  list(APPEND includes -isystem ${shim_dir})

  set(obj_dir ${CMAKE_CURRENT_BINARY_DIR}/obj)
  file(MAKE_DIRECTORY ${obj_dir})
  set(objects)
  foreach(src IN LISTS ARG_SOURCES)
    file(RELATIVE_PATH rel ${PROJECT_SOURCE_DIR} ${src})
    string(REGEX REPLACE "[/.]" "_" stem ${rel})
    set(obj ${obj_dir}/${stem}.o)
    set(defs)
    list(FIND ARG_SOURCE_DEFINES ${rel} at)
    if(at GREATER -1)
      math(EXPR at "${at} + 1")
      list(GET ARG_SOURCE_DEFINES ${at} defs)
    endif()
    add_custom_command(
      OUTPUT ${obj}
      COMMAND ${emxx} ${ARG_COMPILE_FLAGS} ${defs} ${includes} -MD -MF ${obj}.d -MT ${obj} -c ${src} -o ${obj}
      DEPENDS ${src}
      DEPFILE ${obj}.d
      COMMENT "em++ ${rel}"
      VERBATIM)
    list(APPEND objects ${obj})
  endforeach()
  add_custom_command(
    OUTPUT ${ARG_OUTPUT}
    COMMAND ${emxx} ${ARG_LINK_FLAGS} ${objects} -o ${ARG_OUTPUT}
    DEPENDS ${objects}
    COMMENT "em++ link ${ARG_COMMENT}"
    VERBATIM)
endfunction()
