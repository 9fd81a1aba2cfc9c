# c_api_exports.cmake: cmake -DLIBRARY=<libjwtbatch.so> -DHEADER=<jwtbatch.h> -DABI=<n>
#   -DNM=<nm> -DREADELF=<readelf> -P c_api_exports.cmake
# Fails unless the shared library exports the C ABI and the C++ API and nothing else:
#  - C: exactly the functions jwtbatch.h declares (JWTBATCH_API ... jwtbatch_name(...));
#  - C++ (names demangled): only names of namespace jwtbatch, never of jwtbatch::detail,
#    whose first name after jwtbatch:: is declared in a public header beside jwtbatch.h
#    (a class, function or friend of engine/include/jwtbatch/*.hpp), with their vtables
#    and typeinfo; and at least the entry points of k_cxx_required below, the API the
#    README and the stream interfaces (byte_source, line_consumer...) rely on;
#  - the version node JWTBATCH_<ABI>, every symbol in it;
#  - no BoringSSL, simdjson, oneTBB or libstdc++ name (none is in namespace jwtbatch);
# and unless its SONAME is libjwtbatch.so.<ABI> and it is bound at load time (BIND_NOW:
# no lazy binding can change later) and never unloaded (NODELETE).
foreach(var LIBRARY HEADER ABI NM READELF)
  if(NOT DEFINED ${var} OR "${${var}}" STREQUAL "")
    message(FATAL_ERROR "c_api_exports: -D${var}=... missing")
  endif()
endforeach()

file(STRINGS "${HEADER}" declarations REGEX "^JWTBATCH_API ")
set(declared "")
foreach(line IN LISTS declarations)
  string(REGEX MATCH "(jwtbatch_[a-z0-9_]+)\\(" match "${line}")
  if(NOT match)
    message(FATAL_ERROR "c_api_exports: cannot read a function name in: ${line}")
  endif()
  list(APPEND declared "${CMAKE_MATCH_1}")
endforeach()

# Every identifier the public C++ headers declare or name.
get_filename_component(include_dir "${HEADER}" DIRECTORY)
file(GLOB public_headers "${include_dir}/*.hpp")
set(public_names "")
foreach(header IN LISTS public_headers)
  file(READ "${header}" text)
  string(REGEX MATCHALL "[A-Za-z_][A-Za-z0-9_]*" words "${text}")
  list(APPEND public_names ${words})
endforeach()
list(REMOVE_DUPLICATES public_names)

# The C++ API that must be there (demangled, up to the parameter list).
set(k_cxx_required
  "jwtbatch::key_set_builder::key_set_builder("
  "jwtbatch::key_set_builder::add_file("
  "jwtbatch::key_set_builder::build("
  "jwtbatch::verifier::verifier("
  "jwtbatch::verifier::verify_at("
  "jwtbatch::result::result("
  "jwtbatch::status_name("
  "jwtbatch::batch_verifier::batch_verifier("
  "jwtbatch::verify_stream("
  "jwtbatch::token_cache::token_cache("
  "typeinfo for jwtbatch::byte_source"
  "typeinfo for jwtbatch::line_consumer"
  "typeinfo for jwtbatch::line_extractor"
  "vtable for jwtbatch::memory_source")

# "<address> <type> <name>@@<version>" (or @<version>, or no version), demangled or not.
function(dynamic_symbols var)
  execute_process(COMMAND "${NM}" -D --defined-only ${ARGN} "${LIBRARY}"
    OUTPUT_VARIABLE out RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "c_api_exports: ${NM} failed on ${LIBRARY}")
  endif()
  # Demangled C++ names hold ';', '[' and ']', which CMake lists do not carry.
  string(REPLACE ";" "<semicolon>" out "${out}")
  string(REPLACE "[" "<" out "${out}")
  string(REPLACE "]" ">" out "${out}")
  string(REGEX REPLACE "\n$" "" out "${out}")
  string(REPLACE "\n" ";" lines "${out}")
  set(${var} "${lines}" PARENT_SCOPE)
endfunction()
dynamic_symbols(nm_lines)
dynamic_symbols(demangled_lines -C)
list(LENGTH nm_lines n_symbols)
list(LENGTH demangled_lines n_demangled)
if(NOT n_symbols EQUAL n_demangled)
  message(FATAL_ERROR "c_api_exports: nm and nm -C list different symbol counts")
endif()

set(exported "")
set(cxx_exported "")
set(foreign "")
math(EXPR last "${n_symbols} - 1")
foreach(i RANGE ${last})
  list(GET nm_lines ${i} line)
  list(GET demangled_lines ${i} demangled)
  if(NOT line MATCHES "^[0-9a-f]* *([A-Za-z]) ([^@]+)(@@?(.*))?$")
    message(FATAL_ERROR "c_api_exports: cannot read nm's line: ${line}")
  endif()
  set(type "${CMAKE_MATCH_1}")
  set(name "${CMAKE_MATCH_2}")
  set(version "${CMAKE_MATCH_4}")
  string(REGEX REPLACE "^[0-9a-f]* *[A-Za-z] ([^@]*).*$" "\\1" cxx_name "${demangled}")
  if(type STREQUAL "A" AND name STREQUAL "JWTBATCH_${ABI}")
    continue()
  endif()
  if(NOT version STREQUAL "JWTBATCH_${ABI}")
    list(APPEND foreign "${demangled}  (not in version JWTBATCH_${ABI})")
  elseif(type STREQUAL "T" AND name MATCHES "^jwtbatch_")
    list(APPEND exported "${name}")
  elseif(name MATCHES "^_Z" AND type MATCHES "^[TWVu]$"
         AND cxx_name MATCHES "^(typeinfo for |typeinfo name for |vtable for )?jwtbatch::([A-Za-z_][A-Za-z0-9_]*)")
    set(first "${CMAKE_MATCH_2}")
    list(FIND public_names "${first}" known)
    if(first STREQUAL "detail")
      list(APPEND foreign "${cxx_name}  (an internal of jwtbatch::detail)")
    elseif(known EQUAL -1)
      list(APPEND foreign "${cxx_name}  (${first} is in no public header)")
    else()
      list(APPEND cxx_exported "${cxx_name}")
    endif()
  else()
    list(APPEND foreign "${demangled}")
  endif()
endforeach()
if(foreign)
  list(JOIN foreign "\n  " text)
  string(REPLACE "<semicolon>" ";" text "${text}")
  message(FATAL_ERROR "c_api_exports: symbols outside the C ABI and the C++ API are "
                      "exported:\n  ${text}")
endif()
set(missing_cxx "")
foreach(required IN LISTS k_cxx_required)
  set(found FALSE)
  foreach(name IN LISTS cxx_exported)
    string(FIND "${name}" "${required}" at)
    if(at EQUAL 0)
      set(found TRUE)
      break()
    endif()
  endforeach()
  if(NOT found)
    list(APPEND missing_cxx "${required}")
  endif()
endforeach()
if(missing_cxx)
  list(JOIN missing_cxx "\n  " text)
  message(FATAL_ERROR "c_api_exports: the C++ API is not exported:\n  ${text}")
endif()
list(LENGTH cxx_exported n_cxx)
list(SORT declared)
list(SORT exported)
if(NOT declared STREQUAL exported)
  set(missing ${declared})
  list(REMOVE_ITEM missing ${exported})
  set(extra ${exported})
  list(REMOVE_ITEM extra ${declared})
  message(FATAL_ERROR "c_api_exports: exports differ from jwtbatch.h: not exported: "
                      "${missing}; exported but not declared: ${extra}")
endif()
list(LENGTH exported n)

execute_process(COMMAND "${READELF}" -d "${LIBRARY}" OUTPUT_VARIABLE dynamic RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "c_api_exports: ${READELF} failed on ${LIBRARY}")
endif()
if(NOT dynamic MATCHES "Library soname: \\[libjwtbatch\\.so\\.${ABI}\\]")
  message(FATAL_ERROR "c_api_exports: SONAME is not libjwtbatch.so.${ABI}:\n${dynamic}")
endif()
if(NOT dynamic MATCHES "\\(FLAGS_1\\)[^\n]* NOW" OR NOT dynamic MATCHES "\\(FLAGS_1\\)[^\n]* NODELETE")
  message(FATAL_ERROR "c_api_exports: not linked with -z now and -z nodelete:\n${dynamic}")
endif()
message(STATUS "c_api_exports: ${n} C functions, all declared in jwtbatch.h; ${n_cxx} C++ "
               "symbols of the public headers (none of jwtbatch::detail); nothing else; "
               "SONAME libjwtbatch.so.${ABI}, NOW, NODELETE")
