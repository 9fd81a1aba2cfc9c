# engine_layers.cmake: the layer rules of docs/ARCHITECTURE.md, checked on the sources.
# Run as `cmake -DSOURCE_DIR=<repo> -P engine_layers.cmake`; prints every violation
# and fails when there is one.
#
#  - a file in engine/src/<layer>/ includes only headers of the layers it may use
#    (engine headers are named from engine/src, public ones as "jwtbatch/...", and a
#    public header belongs to the layer that implements it);
#  - BoringSSL (<openssl/...>) is included only in engine/src/crypto/;
#  - a public header (engine/include/jwtbatch/) includes only public headers and the
#    standard library: no engine header and no third-party header;
#  - the command line (engine/cli/) includes only public headers, its own headers and
#    the libraries it links itself (CLI11, fmt, zlib, zstd, simdjson for NDJSON input,
#    BoringSSL for the hostile tokens of `gen`, oneTBB's version): never an engine
#    header.
cmake_minimum_required(VERSION 3.25)
if(NOT SOURCE_DIR)
  message(FATAL_ERROR "engine_layers.cmake: pass -DSOURCE_DIR=<repository>")
endif()

# Each layer, lowest first, with the layers it may include (itself included).
set(may_core core)
set(may_codec core codec)
set(may_crypto core codec crypto)
set(may_keys core codec crypto keys)
set(may_remote core codec crypto keys remote)
set(may_jose core codec jose)
set(may_token core codec crypto keys jose token)
set(may_exec core codec crypto keys jose token exec)
set(may_abi core codec crypto keys remote jose token exec abi)
set(layers core codec crypto keys remote jose token exec abi)

# The layer that implements each public header.
set(public_core status alg result policy error)
set(public_codec base64url json_text)
set(public_keys key_set key_source key_history)
set(public_remote remote_keys)
set(public_token sign primitives)
set(public_exec verifier cache batch pipeline)
set(public_abi jwtbatch)

set(violations "")
macro(violation file what)
  file(RELATIVE_PATH rel "${SOURCE_DIR}" "${file}")
  list(APPEND violations "${rel}: ${what}")
endmacro()

# The layer of a public header's name (without directory and extension), or "".
function(public_layer name out)
  set(found "")
  foreach(l IN LISTS layers)
    if(name IN_LIST public_${l})
      set(found ${l})
    endif()
  endforeach()
  set(${out} "${found}" PARENT_SCOPE)
endfunction()

# The include lines of `file` as a list of "<name>" or "\"name\"" (quotes kept).
function(includes_of file out)
  file(STRINGS "${file}" lines REGEX "^[ \t]*#[ \t]*include[ \t]*[<\"]")
  set(result "")
  foreach(line IN LISTS lines)
    string(REGEX REPLACE "^[ \t]*#[ \t]*include[ \t]*([<\"][^>\"]*[>\"]).*$" "\\1" inc "${line}")
    list(APPEND result "${inc}")
  endforeach()
  set(${out} "${result}" PARENT_SCOPE)
endfunction()

# Engine sources: layer by layer.
file(GLOB_RECURSE engine_files "${SOURCE_DIR}/engine/src/*.cpp" "${SOURCE_DIR}/engine/src/*.hpp")
foreach(file IN LISTS engine_files)
  file(RELATIVE_PATH rel "${SOURCE_DIR}/engine/src" "${file}")
  string(REGEX MATCH "^[a-z]+/" own "${rel}")
  string(REPLACE "/" "" own "${own}")
  if(NOT own IN_LIST layers)
    violation("${file}" "outside the layer folders of engine/src")
    continue()
  endif()
  includes_of("${file}" incs)
  foreach(inc IN LISTS incs)
    if(inc MATCHES "^<openssl/")
      if(NOT own STREQUAL "crypto")
        violation("${file}" "includes BoringSSL (${inc}) outside crypto/")
      endif()
    elseif(inc MATCHES "^\"jwtbatch/([a-z_0-9]+)\\.hp?p?\"$")
      public_layer("${CMAKE_MATCH_1}" target)
      if(target STREQUAL "")
        violation("${file}" "includes ${inc}, which no layer implements (add it to engine_layers.cmake)")
      elseif(NOT target IN_LIST may_${own})
        violation("${file}" "includes ${inc} of layer ${target}, above ${own}")
      endif()
    elseif(inc MATCHES "^\"([a-z]+)/[a-z_0-9]+\\.hpp\"$")
      set(target ${CMAKE_MATCH_1})
      if(NOT target IN_LIST layers)
        violation("${file}" "includes ${inc} from no layer")
      elseif(NOT target IN_LIST may_${own})
        violation("${file}" "includes ${inc} of layer ${target}, above ${own}")
      endif()
    elseif(inc MATCHES "^\"")
      violation("${file}" "includes ${inc}: name engine headers from engine/src (\"layer/file.hpp\")")
    endif()
  endforeach()
endforeach()

# Public headers: public headers and the standard library only.
file(GLOB public_files "${SOURCE_DIR}/engine/include/jwtbatch/*")
foreach(file IN LISTS public_files)
  includes_of("${file}" incs)
  foreach(inc IN LISTS incs)
    if(inc MATCHES "^\"jwtbatch/[a-z_0-9]+\\.hp?p?\"$" OR inc MATCHES "^<[a-z_]+(\\.h)?>$")
      continue()
    endif()
    violation("${file}" "a public header includes ${inc}")
  endforeach()
endforeach()

# The command line: public headers, its own headers and its libraries.
file(GLOB cli_files "${SOURCE_DIR}/engine/cli/*.cpp" "${SOURCE_DIR}/engine/cli/*.hpp")
set(cli_own "")
foreach(file IN LISTS cli_files)
  get_filename_component(name "${file}" NAME)
  list(APPEND cli_own "\"${name}\"")
endforeach()
foreach(file IN LISTS cli_files)
  includes_of("${file}" incs)
  foreach(inc IN LISTS incs)
    if(inc IN_LIST cli_own OR inc MATCHES "^\"jwtbatch/[a-z_0-9]+\\.hp?p?\"$" OR
       inc MATCHES "^<(CLI|fmt|openssl|oneapi/tbb)/" OR inc MATCHES "^<(zlib|zstd|simdjson)\\.h>$" OR
       inc MATCHES "^<[a-z_0-9/]+(\\.h)?>$")
      continue()
    endif()
    violation("${file}" "the command line includes ${inc}, an engine header: use the public API")
  endforeach()
endforeach()

list(LENGTH violations count)
if(count GREATER 0)
  list(JOIN violations "\n  " text)
  message(FATAL_ERROR "engine_layers: ${count} violation(s) of docs/ARCHITECTURE.md:\n  ${text}")
endif()
message(STATUS "engine_layers: every include follows the layers")
