# install_test.cmake: `cmake --install` puts the Python module into the prefix's
# site-packages, where Debian's python3 imports it with PYTHONPATH alone (the module
# finds the prefix's libjwtbatch.so.0 through its RUNPATH, not through the build tree
# or LD_LIBRARY_PATH) and verifies a token with it.
# cmake -DBUILD_DIR=<build> -DPREFIX=<empty dir> -DPYTHON=/usr/bin/python3
#       -DSITE=<site-packages, relative to the prefix> -P install_test.cmake
file(REMOVE_RECURSE "${PREFIX}")
execute_process(COMMAND "${CMAKE_COMMAND}" --install "${BUILD_DIR}" --prefix "${PREFIX}"
                RESULT_VARIABLE rc OUTPUT_QUIET)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "cmake --install ${BUILD_DIR} --prefix ${PREFIX} failed")
endif()
file(GLOB modules "${PREFIX}/${SITE}/jwtbatch*.so")
if(NOT modules)
  message(FATAL_ERROR "no jwtbatch*.so in ${PREFIX}/${SITE}")
endif()
if(NOT EXISTS "${PREFIX}/${SITE}/jwtbatch.pyi")
  message(FATAL_ERROR "no type stubs (jwtbatch.pyi) in ${PREFIX}/${SITE}")
endif()
set(check [=[
import os, sys
import jwtbatch
prefix = os.path.realpath(sys.argv[1])
assert os.path.realpath(jwtbatch.__file__).startswith(prefix + os.sep), jwtbatch.__file__
maps = open("/proc/self/maps").read()
libs = {l.split()[-1] for l in maps.splitlines() if "libjwtbatch.so" in l}
assert libs and all(os.path.realpath(l).startswith(prefix + os.sep) for l in libs), libs
key = os.path.join(prefix, "key.jwks")
with open(key, "w") as f:
    f.write('{"keys":[{"kty":"oct","kid":"k","alg":"HS256","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA"}]}')
r = jwtbatch.Verifier(jwks=[key]).verify(["a.b.c"])
assert r[0]["status"] == jwtbatch.BAD_BASE64, r
print("installed module:", jwtbatch.__file__)
]=])
execute_process(
  COMMAND "${CMAKE_COMMAND}" -E env --unset=LD_LIBRARY_PATH "PYTHONPATH=${PREFIX}/${SITE}"
          PYTHONDONTWRITEBYTECODE=1 "${PYTHON}" -c "${check}" "${PREFIX}"
  WORKING_DIRECTORY "${PREFIX}"
  RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "the installed module did not import and verify")
endif()
