# run.cmake: the installed-tree test (ctest c_api_consumer): the install gives the
# whole product, and what the README shows builds and runs against it.
#   cmake -DBUILD_DIR=<jwtbatch build> -DWORK_DIR=<scratch> -DSOURCE_DIR=<tests/consumer>
#         -DLIBDIR=<lib dir under the prefix> -DC_COMPILER=... -DCXX_COMPILER=...
#         -DGENERATOR=... [-DFLAGS=<extra compile and link flags>] -P run.cmake
# 1. cmake --install the build tree into WORK_DIR/prefix; every public header of
#    engine/include/jwtbatch is there;
# 2. the installed program, man page and bash completion work (installed_program.sh);
# 3. build tests/consumer (C, C++ through the C ABI, C++ through the C++ API, and the
#    README's first C++ example exactly as printed, taken from README.md after its
#    readme-example marker) with find_package(jwtbatch) against that prefix;
# 4. build the same four programs by hand with `pkg-config --cflags --libs jwtbatch`;
# 5. run them all, and check they loaded the installed library, not the build tree's;
#    the README example verifies tokens of keys the installed `jwtbatch keygen` made and
#    `jwtbatch sign` signed, and must print exactly each one's status and fingerprint.
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
get_filename_component(root "${SOURCE_DIR}/../.." ABSOLUTE)
file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")
run("${CMAKE_COMMAND}" --install "${BUILD_DIR}" --prefix "${prefix}")
file(GLOB public_headers RELATIVE "${root}/engine/include" "${root}/engine/include/jwtbatch/*")
foreach(header IN LISTS public_headers)
  if(NOT EXISTS "${prefix}/include/${header}")
    message(FATAL_ERROR "run.cmake: ${header} is not installed")
  endif()
endforeach()

# The README's first C++ example, exactly as printed: the ```cpp block after the marker,
# which must be the first ```cpp block of the README.
file(READ "${root}/README.md" readme)
string(FIND "${readme}" "<!-- readme-example:" at)
string(FIND "${readme}" "```cpp" first_cpp)
if(at EQUAL -1 OR first_cpp LESS at)
  message(FATAL_ERROR "run.cmake: README.md has no <!-- readme-example: --> marker before "
                      "its first ```cpp block")
endif()
string(SUBSTRING "${readme}" ${at} -1 readme)
if(NOT readme MATCHES "^<!--[^\n]*-->\n```cpp\n")
  message(FATAL_ERROR "run.cmake: the readme-example marker is not right above a ```cpp block")
endif()
string(LENGTH "${CMAKE_MATCH_0}" start)
string(SUBSTRING "${readme}" ${start} -1 readme)
string(FIND "${readme}" "\n```\n" end)
string(SUBSTRING "${readme}" 0 ${end} example)
set(readme_example "${WORK_DIR}/readme_example.cpp")
file(WRITE "${readme_example}" "${example}\n")

# find_package(jwtbatch), the consumer's own build directory and compilers.
run("${CMAKE_COMMAND}" -S "${SOURCE_DIR}" -B "${WORK_DIR}/build" -G "${GENERATOR}"
    -DCMAKE_BUILD_TYPE=Release "-DCMAKE_PREFIX_PATH=${prefix}"
    "-DCMAKE_C_COMPILER=${C_COMPILER}" "-DCMAKE_CXX_COMPILER=${CXX_COMPILER}"
    "-DCMAKE_C_FLAGS=${FLAGS}" "-DCMAKE_CXX_FLAGS=${FLAGS}" "-DCMAKE_EXE_LINKER_FLAGS=${FLAGS}"
    "-DREADME_EXAMPLE=${readme_example}")
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
# The C++ API asks for C++20, which pkg-config cannot say for C++ alone.
run("${CXX_COMPILER}" -std=c++20 -Wall -Wextra -Werror ${extra_flags}
    "${readme_example}" ${pc_flags} "-Wl,-rpath,${pc_libdir}" -o "${WORK_DIR}/pc_readme_example")
run("${CXX_COMPILER}" -std=c++20 -Wall -Wextra -Werror ${extra_flags}
    "${SOURCE_DIR}/consumer_api.cpp" ${pc_flags} "-Wl,-rpath,${pc_libdir}"
    -o "${WORK_DIR}/pc_consumer_api")

# The program, man page and completion (pkg-config above names the version).
run(bash "${SOURCE_DIR}/installed_program.sh" "${prefix}" "${WORK_DIR}")
message(STATUS "${run_output}")

# Keys and tokens from the installed program: an issuer's ES256 key; a token of it, the
# same token with a changed signature, and a token of another issuer; each token's
# fingerprint is the first 16 bytes of its SHA-256, in hex.
set(keys "${WORK_DIR}/keys")
file(MAKE_DIRECTORY "${keys}")
run("${prefix}/bin/jwtbatch" keygen --alg ES256 --kid es256-1 --out "${keys}/private.jwks"
    --public-out "${keys}/issuer.jwks")
function(sign var iss)
  run("${prefix}/bin/jwtbatch" sign --jwks "${keys}/private.jwks" --kid es256-1
      --iat 1700000000 --exp-in 1h --claims "{\"iss\":\"${iss}\",\"aud\":\"api.example\"}")
  string(STRIP "${run_output}" token)
  set(${var} "${token}" PARENT_SCOPE)
endfunction()
sign(good "https://issuer.example")
sign(other "https://other.example")
# A middle character of the signature (whole 6-bit groups, so still canonical base64url).
string(LENGTH "${good}" n)
math(EXPR cut "${n} - 20")
string(SUBSTRING "${good}" 0 ${cut} head)
math(EXPR after "${cut} + 1")
string(SUBSTRING "${good}" ${cut} 1 old_char)
string(SUBSTRING "${good}" ${after} -1 tail)
if(old_char STREQUAL "A")
  set(forged "${head}B${tail}")
else()
  set(forged "${head}A${tail}")
endif()
set(expected "")
set(input "")
foreach(row "1700000100;${good};ok" "1700003600;${good};expired"
            "1700000100;${forged};bad_signature" "1700000100;${other};issuer_mismatch")
  list(GET row 0 at)
  list(GET row 1 token)
  list(GET row 2 status)
  string(SHA256 digest "${token}")
  string(SUBSTRING "${digest}" 0 32 fingerprint)
  string(APPEND input "${at} ${token}\n")
  string(APPEND expected "${status} ${fingerprint}\n")
endforeach()
file(WRITE "${WORK_DIR}/requests.txt" "${input}")

get_filename_component(installed "${prefix}/${LIBDIR}/libjwtbatch.so.0" REALPATH)
foreach(program "${WORK_DIR}/build/readme_example" "${WORK_DIR}/pc_readme_example")
  execute_process(COMMAND "${program}" "${keys}/issuer.jwks" INPUT_FILE "${WORK_DIR}/requests.txt"
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0 OR NOT out STREQUAL expected)
    message(FATAL_ERROR "run.cmake: ${program} (exit ${rc}) printed:\n${out}${err}\n"
                        "expected:\n${expected}")
  endif()
  # A key file that is not there: the library's config_error, caught by the example.
  execute_process(COMMAND "${program}" "${keys}/absent.jwks" INPUT_FILE "${WORK_DIR}/requests.txt"
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 2 OR NOT out STREQUAL "" OR NOT err MATCHES "^${keys}/absent\\.jwks: ")
    message(FATAL_ERROR "run.cmake: ${program} with an absent key file: exit ${rc}, "
                        "stdout '${out}', stderr '${err}'")
  endif()
endforeach()
message(STATUS "run.cmake: the README example verifies 4 requests exactly as expected")

foreach(program "${WORK_DIR}/build/consumer_c" "${WORK_DIR}/build/consumer_cxx"
                "${WORK_DIR}/build/consumer_api" "${WORK_DIR}/pc_consumer_c"
                "${WORK_DIR}/pc_consumer_cxx" "${WORK_DIR}/pc_consumer_api"
                "${WORK_DIR}/build/readme_example" "${WORK_DIR}/pc_readme_example")
  if(NOT program MATCHES "readme_example$")  # run above, with its keys and input
    run("${program}")
    message(STATUS "${run_output}")
  endif()
  run(ldd "${program}")
  string(REGEX MATCH "libjwtbatch\\.so\\.0 => ([^ ]+)" found "${run_output}")
  get_filename_component(loaded "${CMAKE_MATCH_1}" REALPATH)
  if(NOT loaded STREQUAL installed)
    message(FATAL_ERROR "run.cmake: ${program} loads ${CMAKE_MATCH_1}, not ${installed}")
  endif()
endforeach()
message(STATUS "run.cmake: find_package and pkg-config consumers (C, C++ on the C ABI, C++ on "
               "the C++ API, the README's C++ example) run against ${prefix}")
