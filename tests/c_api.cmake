# Tests of the C ABI and of the shared library libjwtbatch.so (target jwtbatch_c, see
# engine/capi.cmake). Included from tests/CMakeLists.txt.
#
#   c_api_test         a C11 program using the ABI end to end (with c_api_c99.c: the
#                      header as strict C99)
#   c_api_names_test   every C constant and name equals the C++ one
#   c_api_verify_test  the ABI's results equal the C++ engine's, field by field
#   c_api_alloc_test   allocation failures become JWTBATCH_ERR_NO_MEMORY, never a crash
#   c_api_exports      the .so exports exactly the header's functions; SONAME, BIND_NOW
#   c_api_consumer     install to a temporary prefix, then build and run C and C++
#                      consumers through find_package(jwtbatch) and pkg-config
#   c_api_clash_*      host processes with and without OpenSSL: refusal or success

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

# Library-clash hosts (tests/clash/clash_host.c), each built one way:
#   clash_dlopen_openssl  uses OpenSSL, then dlopen()s libjwtbatch.so
#   clash_dlopen_clean    no OpenSSL, dlopen()s libjwtbatch.so
#   clash_linked_openssl  linked with OpenSSL's libcrypto.so.3 first, then libjwtbatch.so
#   clash_linked_late     linked with libjwtbatch.so, dlopen()s OpenSSL afterwards
#   clash_linked_clean    linked with libjwtbatch.so only
find_package(OpenSSL 3 REQUIRED COMPONENTS Crypto)
function(jwtbatch_clash_host name)
  cmake_parse_arguments(ARG "" "" "DEFINES;LIBS" ${ARGN})
  add_executable(${name} clash/clash_host.c)
  set_target_properties(${name} PROPERTIES C_STANDARD 11 C_EXTENSIONS ON)
  # Not -Wpedantic: a host that dlopen()s the library turns dlsym()'s void * into
  # function pointers (POSIX, not ISO C) and uses __typeof__.
  set(warnings ${jwtbatch_c_warnings})
  list(REMOVE_ITEM warnings -Wpedantic)
  target_compile_options(${name} PRIVATE ${warnings})
  target_compile_definitions(${name} PRIVATE ${ARG_DEFINES})
  target_include_directories(${name} PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}
    ${PROJECT_SOURCE_DIR}/engine/include)
  target_link_libraries(${name} PRIVATE ${ARG_LIBS} jwtbatch_sanitize ${CMAKE_DL_LIBS})
endfunction()
jwtbatch_clash_host(clash_dlopen_openssl DEFINES CLASH_OPENSSL CLASH_DLOPEN LIBS OpenSSL::Crypto)
jwtbatch_clash_host(clash_dlopen_clean DEFINES CLASH_DLOPEN)
jwtbatch_clash_host(clash_linked_openssl DEFINES CLASH_OPENSSL LIBS OpenSSL::Crypto jwtbatch_c)
jwtbatch_clash_host(clash_linked_late DEFINES CLASH_OPENSSL_LATE LIBS jwtbatch_c)
jwtbatch_clash_host(clash_linked_clean LIBS jwtbatch_c)
add_dependencies(clash_dlopen_openssl jwtbatch_c)
add_dependencies(clash_dlopen_clean jwtbatch_c)

set(jwtbatch_so "$<TARGET_FILE:jwtbatch_c>")
add_test(NAME c_api_clash_dlopen_refused COMMAND clash_dlopen_openssl refuse ${jwtbatch_so} local)
add_test(NAME c_api_clash_linked_refused COMMAND clash_linked_openssl refuse)
add_test(NAME c_api_clash_late_openssl_refused COMMAND clash_linked_late refuse)
add_test(NAME c_api_clash_clean_dlopen_works COMMAND clash_dlopen_clean work ${jwtbatch_so} local)
add_test(NAME c_api_clash_clean_linked_works COMMAND clash_linked_clean work)
set(jwtbatch_clash_tests c_api_clash_dlopen_refused c_api_clash_linked_refused
    c_api_clash_late_openssl_refused c_api_clash_clean_dlopen_works c_api_clash_clean_linked_works)
# RTLD_DEEPBIND makes the in-process case safe (README.md, "Embedding (C ABI)"), but the
# sanitizer runtimes refuse to run with it: their interceptors must come first.
if(NOT JWTBATCH_SANITIZE AND NOT JWTBATCH_TSAN)
  add_test(NAME c_api_clash_deepbind_works
    COMMAND clash_dlopen_openssl work ${jwtbatch_so} deepbind)
  add_test(NAME c_api_clash_clean_deepbind_works
    COMMAND clash_dlopen_clean work ${jwtbatch_so} deepbind)
  list(APPEND jwtbatch_clash_tests c_api_clash_deepbind_works c_api_clash_clean_deepbind_works)
endif()
set_tests_properties(${jwtbatch_clash_tests} PROPERTIES LABELS clash)
