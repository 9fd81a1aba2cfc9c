# Tests of the C ABI and of the shared library libjwtbatch.so (target jwtbatch_c, see
# cmake/install.cmake). Included from tests/CMakeLists.txt.
#
#   c_api_test         a C11 program using the ABI end to end (with c_api_c99.c: the
#                      header as strict C99)
#   c_api_names_test   every C constant and name equals the C++ one
#   c_api_verify_test  the ABI's results equal the C++ engine's, field by field
#   c_api_alloc_test   allocation failures become JWTBATCH_ERR_NO_MEMORY, never a crash
#   c_api_exports      the .so exports exactly the header's functions; SONAME, BIND_NOW
#   boringssl_inside   the .so and the program export no BoringSSL symbol, need no
#                      shared crypto library, and carry the P-256 assembly
#   c_api_consumer     install to a temporary prefix, then build and run C and C++
#                      consumers through find_package(jwtbatch) and pkg-config
#   coexist_*          host processes that use OpenSSL 3 and libjwtbatch.so at once

# C programs get the same warnings as the engine, minus the C++-only ones.
set(jwtbatch_c_warnings -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion
    -Wcast-align -Wimplicit-fallthrough -Wformat=2 -Wstrict-prototypes)

add_executable(c_api_test c_api_test.c c_api_c99.c)
set_target_properties(c_api_test PROPERTIES C_STANDARD 11 C_STANDARD_REQUIRED ON C_EXTENSIONS OFF)
set_source_files_properties(c_api_c99.c PROPERTIES COMPILE_OPTIONS "-std=c99;-pedantic-errors")
target_compile_options(c_api_test PRIVATE ${jwtbatch_c_warnings})
target_compile_definitions(c_api_test PRIVATE
  _POSIX_C_SOURCE=200809L JWTBATCH_EXPECTED_VERSION="${PROJECT_VERSION}")
# BoringSSL signs the test's HMAC tokens and computes the expected fingerprints.
target_link_libraries(c_api_test PRIVATE jwtbatch_c BoringSSL::crypto jwtbatch_sanitize m)
set(jwtbatch_c_api_scratch "${CMAKE_CURRENT_BINARY_DIR}/c_api_test.d")
file(MAKE_DIRECTORY "${jwtbatch_c_api_scratch}")
add_test(NAME c_api_test COMMAND c_api_test "${jwtbatch_c_api_scratch}")
set_tests_properties(c_api_test PROPERTIES LABELS unit)

# GoogleTest suites: they link the static engine (as the reference) and the shared
# library side by side; the library's engine symbols are local, so the two never mix.
foreach(name IN ITEMS c_api_names_test c_api_verify_test c_api_alloc_test)
  jwtbatch_add_test(${name} LABEL unit)
  target_link_libraries(${name} PRIVATE jwtbatch_c)
endforeach()
target_compile_definitions(c_api_names_test PRIVATE
  JWTBATCH_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
target_link_libraries(c_api_verify_test PRIVATE jwtbatch_cli)

add_test(NAME c_api_exports COMMAND ${CMAKE_COMMAND}
  -DLIBRARY=$<TARGET_FILE:jwtbatch_c> -DHEADER=${PROJECT_SOURCE_DIR}/engine/include/jwtbatch/jwtbatch.h
  -DABI=${JWTBATCH_ABI_VERSION} -DNM=${CMAKE_NM} -DREADELF=${CMAKE_READELF}
  -P ${CMAKE_CURRENT_SOURCE_DIR}/c_api_exports.cmake)
set_tests_properties(c_api_exports PROPERTIES LABELS unit)

# BoringSSL is inside the shared library and the program, hidden and with its assembly.
# Only x86_64 and aarch64 get assembly (cmake/BoringSSL.cmake).
if(CMAKE_SYSTEM_PROCESSOR MATCHES "^(x86_64|AMD64|amd64|aarch64|arm64|ARM64)$")
  add_test(NAME boringssl_inside COMMAND ${CMAKE_COMMAND}
    -DARCHIVE=$<TARGET_FILE:BoringSSL::crypto> -DNM=${CMAKE_NM} -DREADELF=${CMAKE_READELF}
    "-DBINARIES=$<TARGET_FILE:jwtbatch_c>$<SEMICOLON>$<TARGET_FILE:jwtbatch>"
    -P ${CMAKE_CURRENT_SOURCE_DIR}/boringssl_inside.cmake)
  set_tests_properties(boringssl_inside PROPERTIES LABELS unit)
endif()

# The consumers are built with the sanitizer flags of this tree: an ASan-instrumented
# libjwtbatch.so needs the ASan runtime first in the process.
set(jwtbatch_consumer_flags "")
if(JWTBATCH_SANITIZE)
  set(jwtbatch_consumer_flags "-fsanitize=address,undefined")
endif()
add_test(NAME c_api_consumer COMMAND ${CMAKE_COMMAND}
  -DBUILD_DIR=${PROJECT_BINARY_DIR} -DWORK_DIR=${CMAKE_CURRENT_BINARY_DIR}/c_api_consumer.d
  -DSOURCE_DIR=${CMAKE_CURRENT_SOURCE_DIR}/consumer -DLIBDIR=${CMAKE_INSTALL_LIBDIR}
  -DC_COMPILER=${CMAKE_C_COMPILER} -DCXX_COMPILER=${CMAKE_CXX_COMPILER}
  -DFLAGS=${jwtbatch_consumer_flags} -DGENERATOR=${CMAKE_GENERATOR}
  -P ${CMAKE_CURRENT_SOURCE_DIR}/consumer/run.cmake)
set_tests_properties(c_api_consumer PROPERTIES LABELS install TIMEOUT 120)

# Host processes that use OpenSSL 3 and libjwtbatch.so together, from several threads
# (tests/coexist/coexist_host.c), each built one way:
#   coexist_linked_openssl_first   linked with libcrypto.so.3, then libjwtbatch.so
#   coexist_linked_jwtbatch_first  linked with libjwtbatch.so, then libcrypto.so.3
#   coexist_dlopen                 uses OpenSSL, then dlopen()s libjwtbatch.so
#                                  (RTLD_LOCAL, RTLD_GLOBAL, RTLD_DEEPBIND)
#   coexist_late                   linked with libjwtbatch.so, dlopen()s libcrypto.so.3
#                                  afterwards (RTLD_LOCAL, RTLD_GLOBAL)
#   coexist_clean(_dlopen)         no OpenSSL at all
find_package(OpenSSL 3 REQUIRED COMPONENTS Crypto)
function(jwtbatch_coexist_host name)
  cmake_parse_arguments(ARG "" "" "DEFINES;LIBS" ${ARGN})
  add_executable(${name} coexist/coexist_host.c)
  set_target_properties(${name} PROPERTIES C_STANDARD 11 C_EXTENSIONS ON)
  # Not -Wpedantic: the host turns dlsym()'s void * into function pointers (POSIX, not
  # ISO C) and uses __typeof__.
  set(warnings ${jwtbatch_c_warnings})
  list(REMOVE_ITEM warnings -Wpedantic)
  target_compile_options(${name} PRIVATE ${warnings})
  target_compile_definitions(${name} PRIVATE ${ARG_DEFINES})
  target_include_directories(${name} PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}
    ${PROJECT_SOURCE_DIR}/engine/include)
  # OpenSSL's headers, never BoringSSL's: this host is OpenSSL's user.
  target_include_directories(${name} BEFORE PRIVATE ${OPENSSL_INCLUDE_DIR})
  # --no-as-needed: every library named is loaded, in the order named.
  target_link_options(${name} PRIVATE "LINKER:--no-as-needed")
  target_link_libraries(${name} PRIVATE ${ARG_LIBS} jwtbatch_sanitize Threads::Threads
                                        ${CMAKE_DL_LIBS})
  if(NOT ARG_LIBS MATCHES "jwtbatch_c")
    add_dependencies(${name} jwtbatch_c)
  endif()
endfunction()
jwtbatch_coexist_host(coexist_linked_openssl_first LIBS OpenSSL::Crypto jwtbatch_c)
jwtbatch_coexist_host(coexist_linked_jwtbatch_first LIBS jwtbatch_c OpenSSL::Crypto)
jwtbatch_coexist_host(coexist_dlopen DEFINES COEXIST_DLOPEN LIBS OpenSSL::Crypto)
jwtbatch_coexist_host(coexist_late DEFINES COEXIST_LATE LIBS jwtbatch_c)
jwtbatch_coexist_host(coexist_clean DEFINES COEXIST_NO_OPENSSL LIBS jwtbatch_c)
jwtbatch_coexist_host(coexist_clean_dlopen DEFINES COEXIST_NO_OPENSSL COEXIST_DLOPEN)

set(jwtbatch_so "$<TARGET_FILE:jwtbatch_c>")
add_test(NAME coexist_linked_openssl_first COMMAND coexist_linked_openssl_first openssl-first)
add_test(NAME coexist_linked_jwtbatch_first COMMAND coexist_linked_jwtbatch_first jwtbatch-first)
add_test(NAME coexist_dlopen_local COMMAND coexist_dlopen ${jwtbatch_so} local)
add_test(NAME coexist_dlopen_global COMMAND coexist_dlopen ${jwtbatch_so} global)
add_test(NAME coexist_late_openssl_local COMMAND coexist_late local)
add_test(NAME coexist_late_openssl_global COMMAND coexist_late global)
add_test(NAME coexist_clean_linked COMMAND coexist_clean)
add_test(NAME coexist_clean_dlopen COMMAND coexist_clean_dlopen ${jwtbatch_so} global)
set(jwtbatch_coexist_tests coexist_linked_openssl_first coexist_linked_jwtbatch_first
    coexist_dlopen_local coexist_dlopen_global coexist_late_openssl_local
    coexist_late_openssl_global coexist_clean_linked coexist_clean_dlopen)
# RTLD_DEEPBIND is no longer needed, and still works; the sanitizer runtimes refuse to
# run with it (their interceptors must come first).
if(NOT JWTBATCH_SANITIZE AND NOT JWTBATCH_TSAN)
  add_test(NAME coexist_dlopen_deepbind COMMAND coexist_dlopen ${jwtbatch_so} deepbind)
  list(APPEND jwtbatch_coexist_tests coexist_dlopen_deepbind)
endif()
set_tests_properties(${jwtbatch_coexist_tests} PROPERTIES LABELS coexist)
