# boringssl_inside.cmake: cmake -DARCHIVE=<BoringSSL archive> -DNM=<nm> -DREADELF=<readelf>
#   -DBINARIES=<binary;...> -P boringssl_inside.cmake
# Fails unless each binary (libjwtbatch.so, the jwtbatch program) carries the
# project's BoringSSL inside it the way cmake/BoringSSL.cmake promises:
#  - no symbol that BoringSSL defines is in the binary's dynamic symbol table (nothing
#    a host's OpenSSL could bind to, or be bound to);
#  - no shared crypto library is needed (no android/libcrypto.so.0, no libcrypto.so.3);
#  - the P-256 assembly is linked in: the nistz256 method and one of its assembly
#    routines are in the binary's own symbol table (OPENSSL_SMALL compiles them out).
cmake_minimum_required(VERSION 3.25)
foreach(var ARCHIVE NM READELF BINARIES)
  if(NOT DEFINED ${var} OR "${${var}}" STREQUAL "")
    message(FATAL_ERROR "boringssl_inside: -D${var}=... missing")
  endif()
endforeach()

# tool_output(VAR COMMAND...): VAR = the command's standard output; fails the test if
# the command fails.
function(tool_output var)
  execute_process(COMMAND ${ARGN} OUTPUT_VARIABLE out ERROR_QUIET RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    string(JOIN " " command ${ARGN})
    message(FATAL_ERROR "boringssl_inside: `${command}` failed (${rc})")
  endif()
  set(${var} "${out}" PARENT_SCOPE)
endfunction()

# Every global symbol BoringSSL defines.
tool_output(archive_out "${NM}" -g --defined-only "${ARCHIVE}")
string(REGEX MATCHALL "[0-9a-f]+ [A-Za-z] [^\n]+" archive_lines "${archive_out}")
set(boringssl_names "")
foreach(line IN LISTS archive_lines)
  string(REGEX REPLACE "^[0-9a-f]+ [A-Za-z] " "" name "${line}")
  list(APPEND boringssl_names "${name}")
endforeach()
list(REMOVE_DUPLICATES boringssl_names)
list(LENGTH boringssl_names n_names)
if(n_names LESS 1000 OR NOT "ECDSA_do_verify" IN_LIST boringssl_names)
  message(FATAL_ERROR "boringssl_inside: ${ARCHIVE} does not look like BoringSSL's libcrypto "
                      "(${n_names} global symbols)")
endif()

foreach(binary IN LISTS BINARIES)
  tool_output(dynamic_out "${NM}" -D --defined-only "${binary}")
  string(REGEX MATCHALL "[0-9a-f]* [A-Za-z] [^\n@]+" dynamic_lines "${dynamic_out}")
  set(leaked "")
  foreach(line IN LISTS dynamic_lines)
    string(REGEX REPLACE "^[0-9a-f]* [A-Za-z] " "" name "${line}")
    if(name IN_LIST boringssl_names)
      list(APPEND leaked "${name}")
    endif()
  endforeach()
  if(leaked)
    list(LENGTH leaked n_leaked)
    list(SUBLIST leaked 0 20 shown)
    message(FATAL_ERROR "boringssl_inside: ${binary} exports ${n_leaked} BoringSSL symbols: "
                        "${shown}")
  endif()

  tool_output(dynamic "${READELF}" -d "${binary}")
  string(REGEX MATCHALL "Shared library: \\[[^]]+\\]" needed "${dynamic}")
  list(FILTER needed INCLUDE REGEX "libcrypto|libssl")
  if(needed)
    message(FATAL_ERROR "boringssl_inside: ${binary} needs a shared crypto library: ${needed}")
  endif()

  tool_output(static_out "${NM}" "${binary}")
  if(NOT static_out MATCHES " EC_GFp_nistz256_method\n"
     OR NOT static_out MATCHES " ecp_nistz256_point_add\n")
    message(FATAL_ERROR "boringssl_inside: ${binary} lacks BoringSSL's P-256 assembly "
                        "(EC_GFp_nistz256_method, ecp_nistz256_point_add): built with "
                        "OPENSSL_SMALL, without assembly, or stripped")
  endif()
  message(STATUS "boringssl_inside: ${binary}: none of BoringSSL's ${n_names} symbols "
                 "exported, no shared crypto library, P-256 assembly inside")
endforeach()
