# run.cmake: the installed-tree test (ctest c_api_consumer).
#   cmake -DBUILD_DIR=<jwtbatch build> -DWORK_DIR=<scratch> -DSOURCE_DIR=<tests/consumer>
#         -DLIBDIR=<lib dir under the prefix> -DC_COMPILER=... -DCXX_COMPILER=...
#         -DGENERATOR=... [-DFLAGS=<extra compile and link flags>] -P run.cmake
# 1. cmake --install the build tree into WORK_DIR/prefix;
# 2. build tests/consumer (C and C++) with find_package(jwtbatch) against that prefix;
# 3. build the same two programs by hand with `pkg-config --cflags --libs jwtbatch`;
# 4. run all four, and check they loaded the installed library, not the build tree's.
foreach(var BUILD_DIR WORK_DIR SOURCE_DIR LIBDIR C_COMPILER CXX_COMPILER GENERATOR)
  if(NOT DEFINED ${var} OR "${${var}}" STREQUAL "")
    message(FATAL_ERROR "run.cmake: -D${var}=... missing")
  endif()
endforeach()
separate_arguments(extra_flags UNIX_COMMAND "${FLAGS}")

function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    list(JOIN ARGN " " command)
    message(FATAL_ERROR "run.cmake: failed (${rc}): ${command}\n${out}\n${err}")
  endif()
  set(run_output "${out}" PARENT_SCOPE)
endfunction()

set(prefix "${WORK_DIR}/prefix")
file(REMOVE_RECURSE "${WORK_DIR}")
run("${CMAKE_COMMAND}" --install "${BUILD_DIR}" --prefix "${prefix}")

# find_package(jwtbatch), the consumer's own build directory and compilers.
run("${CMAKE_COMMAND}" -S "${SOURCE_DIR}" -B "${WORK_DIR}/build" -G "${GENERATOR}"
    -DCMAKE_BUILD_TYPE=Release "-DCMAKE_PREFIX_PATH=${prefix}"
    "-DCMAKE_C_COMPILER=${C_COMPILER}" "-DCMAKE_CXX_COMPILER=${CXX_COMPILER}"
    "-DCMAKE_C_FLAGS=${FLAGS}" "-DCMAKE_CXX_FLAGS=${FLAGS}" "-DCMAKE_EXE_LINKER_FLAGS=${FLAGS}")
run("${CMAKE_COMMAND}" --build "${WORK_DIR}/build")

# pkg-config, from the installed jwtbatch.pc only.
set(ENV{PKG_CONFIG_PATH} "${prefix}/${LIBDIR}/pkgconfig")
set(ENV{PKG_CONFIG_LIBDIR} "${prefix}/${LIBDIR}/pkgconfig")
run(pkg-config --cflags --libs jwtbatch)
string(STRIP "${run_output}" pc_flags)
separate_arguments(pc_flags UNIX_COMMAND "${pc_flags}")
run(pkg-config --variable=libdir jwtbatch)
string(STRIP "${run_output}" pc_libdir)
set(tests_dir "${SOURCE_DIR}/..")
run("${C_COMPILER}" -std=c99 -Wall -Wextra -Werror ${extra_flags} "-I${tests_dir}"
    "${SOURCE_DIR}/consumer.c" ${pc_flags} "-Wl,-rpath,${pc_libdir}" -o "${WORK_DIR}/pc_consumer_c")
run("${CXX_COMPILER}" -std=c++17 -Wall -Wextra -Werror ${extra_flags}
    "${SOURCE_DIR}/consumer.cpp" ${pc_flags} "-Wl,-rpath,${pc_libdir}" -o "${WORK_DIR}/pc_consumer_cxx")

get_filename_component(installed "${prefix}/${LIBDIR}/libjwtbatch.so.0" REALPATH)
foreach(program "${WORK_DIR}/build/consumer_c" "${WORK_DIR}/build/consumer_cxx"
                "${WORK_DIR}/pc_consumer_c" "${WORK_DIR}/pc_consumer_cxx")
  run("${program}")
  message(STATUS "${run_output}")
  run(ldd "${program}")
  string(REGEX MATCH "libjwtbatch\\.so\\.0 => ([^ ]+)" found "${run_output}")
  get_filename_component(loaded "${CMAKE_MATCH_1}" REALPATH)
  if(NOT loaded STREQUAL installed)
    message(FATAL_ERROR "run.cmake: ${program} loads ${CMAKE_MATCH_1}, not ${installed}")
  endif()
endforeach()
message(STATUS "run.cmake: find_package and pkg-config consumers, C and C++, run against ${prefix}")
