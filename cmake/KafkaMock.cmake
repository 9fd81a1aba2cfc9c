# KafkaMock.cmake: builds, for the Kafka tests only, a static librdkafka with
# transactional semantics in its mock cluster, and defines the imported target
# jwtbatch::rdkafka_mock (librdkafka.a with <librdkafka/rdkafka.h> and
# <librdkafka/rdkafka_mock.h>). The product links Debian's librdkafka-dev instead.
#
# Why a patched copy: in librdkafka 2.0.2 the mock cluster's transactions are a
# protocol shell (TxnOffsetCommit discards the offsets, EndTxn writes no markers,
# Fetch reports no LastStableOffset and no aborted transactions), so exactly-once
# cannot be tested against it. tests/kafka/mock/librdkafka-mock-transactions.patch
# gives it Kafka's transactional semantics; its header says what it changes.
#
# The source is Debian's librdkafka source package, which scripts/install-deps.sh
# unpacks into build/deps/librdkafka (JWTBATCH_LIBRDKAFKA_SOURCE_DIR). It is copied
# into the build tree and patched there (build/deps stays pristine); a new patch or a
# new source version re-copies, re-patches and rebuilds it. It is built with
# librdkafka's own CMake and flags (Release, never the tree's sanitizers): no SSL,
# SASL, zstd, external LZ4, curl or plugins, no examples or tests; no network.
#
# Sets JWTBATCH_HAVE_KAFKA_MOCK (ON or OFF) in the including scope. Without the
# source it is OFF and there are no Kafka test targets.

set(JWTBATCH_LIBRDKAFKA_SOURCE_DIR "${PROJECT_SOURCE_DIR}/build/deps/librdkafka"
    CACHE PATH "librdkafka source for the Kafka tests' mock cluster (Debian's, unpacked)")
set(JWTBATCH_HAVE_KAFKA_MOCK OFF)
set(jwtbatch_rdk_src "${JWTBATCH_LIBRDKAFKA_SOURCE_DIR}")
set(jwtbatch_rdk_patch "${PROJECT_SOURCE_DIR}/tests/kafka/mock/librdkafka-mock-transactions.patch")

if(NOT EXISTS "${jwtbatch_rdk_src}/src/rdkafka_mock.c")
  message(STATUS "Kafka mock: no librdkafka source at ${jwtbatch_rdk_src}; the Kafka "
                 "tests are left out (scripts/install-deps.sh fetches it)")
  return()
endif()
find_program(JWTBATCH_PATCH_PROGRAM patch)
if(NOT JWTBATCH_PATCH_PROGRAM)
  message(STATUS "Kafka mock: no `patch` program; the Kafka tests are left out")
  return()
endif()

set(jwtbatch_rdk_version "unknown")
if(EXISTS "${jwtbatch_rdk_src}/.unpacked")
  file(READ "${jwtbatch_rdk_src}/.unpacked" jwtbatch_rdk_version)
  string(STRIP "${jwtbatch_rdk_version}" jwtbatch_rdk_version)
endif()

include(ExternalProject)
find_package(Threads REQUIRED)

set(jwtbatch_rdk_dir "${CMAKE_BINARY_DIR}/kafka_mock")
set(jwtbatch_rdk_copy "${jwtbatch_rdk_dir}/librdkafka")  # patched copy of the source
set(jwtbatch_rdk_prefix "${jwtbatch_rdk_dir}/install")
set(jwtbatch_rdk_lib "${jwtbatch_rdk_prefix}/lib/librdkafka.a")
set(jwtbatch_rdk_inc "${jwtbatch_rdk_prefix}/include")

# Only the C library (the rdkafka target) is built.
ExternalProject_Add(jwtbatch_librdkafka_mock
  PREFIX "${jwtbatch_rdk_dir}"
  STAMP_DIR "${jwtbatch_rdk_dir}/stamp"
  TMP_DIR "${jwtbatch_rdk_dir}/tmp"
  DOWNLOAD_DIR "${jwtbatch_rdk_dir}/download"
  SOURCE_DIR "${jwtbatch_rdk_copy}"
  BINARY_DIR "${jwtbatch_rdk_dir}/build"
  DOWNLOAD_COMMAND ${CMAKE_COMMAND} -E rm -rf "${jwtbatch_rdk_copy}"
           COMMAND ${CMAKE_COMMAND} -E copy_directory "${jwtbatch_rdk_src}" "${jwtbatch_rdk_copy}"
  UPDATE_COMMAND ""
  PATCH_COMMAND "${JWTBATCH_PATCH_PROGRAM}" -p1 --forward --batch -s -i "${jwtbatch_rdk_patch}"
  CMAKE_ARGS
    -DCMAKE_BUILD_TYPE=Release
    -DCMAKE_C_COMPILER=${CMAKE_C_COMPILER}
    -DCMAKE_CXX_COMPILER=${CMAKE_CXX_COMPILER}
    -DCMAKE_POSITION_INDEPENDENT_CODE=ON
    -DRDKAFKA_BUILD_STATIC=ON
    -DRDKAFKA_BUILD_EXAMPLES=OFF
    -DRDKAFKA_BUILD_TESTS=OFF
    -DWITH_SSL=OFF
    -DWITH_SASL=OFF
    -DWITH_ZSTD=OFF
    -DWITH_ZLIB=OFF
    -DWITH_CURL=OFF
    -DWITH_PLUGINS=OFF
    -DENABLE_LZ4_EXT=OFF
  # The build step also puts the library and the two headers in the prefix (touched):
  # they are its byproducts, so ninja relinks and recompiles what uses them in the same
  # run that rebuilt them.
  BUILD_COMMAND ${CMAKE_COMMAND} --build <BINARY_DIR> --target rdkafka
    COMMAND ${CMAKE_COMMAND} -E copy <BINARY_DIR>/src/librdkafka.a "${jwtbatch_rdk_prefix}/lib/"
    COMMAND ${CMAKE_COMMAND} -E copy "${jwtbatch_rdk_copy}/src/rdkafka.h"
            "${jwtbatch_rdk_copy}/src/rdkafka_mock.h" "${jwtbatch_rdk_inc}/librdkafka/"
    COMMAND ${CMAKE_COMMAND} -E touch "${jwtbatch_rdk_lib}"
            "${jwtbatch_rdk_inc}/librdkafka/rdkafka.h" "${jwtbatch_rdk_inc}/librdkafka/rdkafka_mock.h"
  INSTALL_COMMAND ""
  BUILD_BYPRODUCTS "${jwtbatch_rdk_lib}" "${jwtbatch_rdk_inc}/librdkafka/rdkafka.h"
                   "${jwtbatch_rdk_inc}/librdkafka/rdkafka_mock.h")
# A changed patch or source version starts again from a fresh copy.
ExternalProject_Add_StepDependencies(jwtbatch_librdkafka_mock download
  "${jwtbatch_rdk_patch}" "${CMAKE_CURRENT_LIST_FILE}")
if(EXISTS "${jwtbatch_rdk_src}/.unpacked")
  ExternalProject_Add_StepDependencies(jwtbatch_librdkafka_mock download
    "${jwtbatch_rdk_src}/.unpacked")
endif()

file(MAKE_DIRECTORY "${jwtbatch_rdk_inc}/librdkafka" "${jwtbatch_rdk_prefix}/lib")
add_library(jwtbatch_rdkafka_mock STATIC IMPORTED GLOBAL)
add_library(jwtbatch::rdkafka_mock ALIAS jwtbatch_rdkafka_mock)
set_target_properties(jwtbatch_rdkafka_mock PROPERTIES
  IMPORTED_LOCATION "${jwtbatch_rdk_lib}"
  INTERFACE_INCLUDE_DIRECTORIES "${jwtbatch_rdk_inc}"
  INTERFACE_LINK_LIBRARIES "Threads::Threads;m;dl;rt")
add_dependencies(jwtbatch_rdkafka_mock jwtbatch_librdkafka_mock)

set(JWTBATCH_HAVE_KAFKA_MOCK ON)
message(STATUS "Kafka mock: librdkafka ${jwtbatch_rdk_version} (Debian source) with "
               "tests/kafka/mock/librdkafka-mock-transactions.patch, static")
