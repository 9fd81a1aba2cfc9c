# BoringSSL.cmake: builds BoringSSL's libcrypto from Debian's source package
# (android-platform-external-boringssl, fetched and unpacked by
# scripts/install-deps.sh into build/deps/boringssl) and defines BoringSSL::crypto.
#
# Why not Debian's prebuilt android-libboringssl: it is a shared library that exports
# OpenSSL's symbol names unversioned, so it cannot share a process with OpenSSL 3's
# libcrypto.so.3 (each library's calls bind to the other's functions), and it is
# compiled with OPENSSL_SMALL, which leaves out the P-256 assembly (ES256 at a third of
# BoringSSL's speed). Built here it is:
#  - static and position-independent, so it ends up inside libjwtbatch.so and the
#    jwtbatch program;
#  - compiled with -fvisibility=hidden and without BORINGSSL_SHARED_LIBRARY, so every
#    one of its symbols is hidden (OPENSSL_EXPORT expands to nothing) and no binary
#    of jwtbatch exports one (test boringssl_inside); libjwtbatch.so is also linked
#    with --exclude-libs,ALL and a version script (cmake/install.cmake);
#  - without OPENSSL_SMALL and with the pre-generated assembly of Debian's source lists
#    for x86_64 and aarch64 (android-sources.cmake: no Go or Perl needed); other
#    processors get the portable C code (OPENSSL_NO_ASM);
#  - instrumented like the rest of the tree: ASan + UBSan in JWTBATCH_SANITIZE trees
#    (the fuzz tree included, without libFuzzer's coverage), TSan in JWTBATCH_TSAN
#    trees. Assembly is never instrumented.
# It is an ordinary target of the build tree: built once, reused by every rebuild.
#
# JWTBATCH_BORINGSSL_SOURCE_DIR names the unpacked source; its .unpacked file holds
# the Debian version, which configuration reports as JWTBATCH_BORINGSSL_VERSION.

set(JWTBATCH_BORINGSSL_SOURCE_DIR "${PROJECT_SOURCE_DIR}/build/deps/boringssl"
    CACHE PATH "BoringSSL source (Debian's android-platform-external-boringssl, unpacked)")
set(jwtbatch_bssl "${JWTBATCH_BORINGSSL_SOURCE_DIR}")
if(NOT EXISTS "${jwtbatch_bssl}/android-sources.cmake"
   OR NOT EXISTS "${jwtbatch_bssl}/src/include/openssl/base.h")
  message(FATAL_ERROR
    "BoringSSL: no source at JWTBATCH_BORINGSSL_SOURCE_DIR=${jwtbatch_bssl} "
    "(android-sources.cmake and src/include missing). Run scripts/install-deps.sh, which "
    "fetches Debian's android-platform-external-boringssl source there.")
endif()
# The Debian version install-deps.sh unpacked. A new version (or another directory)
# reconfigures the tree, and the version is on every compile line, so each object is
# rebuilt: the tarball's old file times would not tell ninja.
if(EXISTS "${jwtbatch_bssl}/.unpacked")
  file(READ "${jwtbatch_bssl}/.unpacked" JWTBATCH_BORINGSSL_VERSION)
  string(STRIP "${JWTBATCH_BORINGSSL_VERSION}" JWTBATCH_BORINGSSL_VERSION)
  set_property(DIRECTORY "${PROJECT_SOURCE_DIR}" APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS
               "${jwtbatch_bssl}/.unpacked")
else()
  set(JWTBATCH_BORINGSSL_VERSION "unknown (not unpacked by scripts/install-deps.sh)")
endif()

# The generated lists: crypto_sources (C, err_data.c included) and one assembly list per
# platform, each path prefixed with BORINGSSL_ROOT.
set(BORINGSSL_ROOT "${jwtbatch_bssl}/")
include("${jwtbatch_bssl}/android-sources.cmake")

if(CMAKE_SYSTEM_PROCESSOR MATCHES "^(x86_64|AMD64|amd64)$")
  set(jwtbatch_bssl_asm ${crypto_sources_linux_x86_64})
elseif(CMAKE_SYSTEM_PROCESSOR MATCHES "^(aarch64|arm64|ARM64)$")
  set(jwtbatch_bssl_asm ${crypto_sources_linux_aarch64})
else()
  set(jwtbatch_bssl_asm "")
endif()
if(jwtbatch_bssl_asm)
  enable_language(ASM)
endif()

add_library(jwtbatch_boringssl STATIC ${crypto_sources} ${jwtbatch_bssl_asm})
add_library(BoringSSL::crypto ALIAS jwtbatch_boringssl)
set_target_properties(jwtbatch_boringssl PROPERTIES
  OUTPUT_NAME jwtbatch_boringssl_crypto
  POSITION_INDEPENDENT_CODE ON
  C_STANDARD 11
  C_EXTENSIONS ON
  C_VISIBILITY_PRESET hidden)
target_compile_definitions(jwtbatch_boringssl PRIVATE BORINGSSL_IMPLEMENTATION
  "JWTBATCH_BORINGSSL_SOURCE=\"${jwtbatch_bssl} ${JWTBATCH_BORINGSSL_VERSION}\"")
if(NOT jwtbatch_bssl_asm)
  target_compile_definitions(jwtbatch_boringssl PUBLIC OPENSSL_NO_ASM)
endif()
# Its own warnings are upstream's business; it is built as Debian builds it, minus
# OPENSSL_SMALL and the shared-library exports.
target_compile_options(jwtbatch_boringssl PRIVATE -w $<$<COMPILE_LANGUAGE:ASM>:-Wa,--noexecstack>)
target_include_directories(jwtbatch_boringssl PRIVATE "${jwtbatch_bssl}/src/crypto")
# SYSTEM: jwtbatch's own strict warnings do not apply to BoringSSL's headers.
target_include_directories(jwtbatch_boringssl SYSTEM PUBLIC "${jwtbatch_bssl}/src/include")
find_package(Threads REQUIRED)
target_link_libraries(jwtbatch_boringssl PUBLIC Threads::Threads PRIVATE jwtbatch_sanitize)

# OpenSSL 3's headers also live in /usr/include/openssl here: prove that
# <openssl/base.h> as jwtbatch's code will see it is BoringSSL's.
include(CheckCSourceCompiles)
include(CMakePushCheckState)
unset(JWTBATCH_HAVE_BORINGSSL_HEADERS CACHE)  # checked again at every configure
cmake_push_check_state(RESET)
set(CMAKE_REQUIRED_INCLUDES "${jwtbatch_bssl}/src/include")
set(CMAKE_REQUIRED_QUIET ON)
check_c_source_compiles([=[
#include <openssl/base.h>
#ifndef OPENSSL_IS_BORINGSSL
#error "these headers are not BoringSSL's"
#endif
#ifdef OPENSSL_SMALL
#error "OPENSSL_SMALL leaves out the P-256 assembly"
#endif
int main(void) { return 0; }
]=] JWTBATCH_HAVE_BORINGSSL_HEADERS)
cmake_pop_check_state()
if(NOT JWTBATCH_HAVE_BORINGSSL_HEADERS)
  message(FATAL_ERROR
    "BoringSSL: <openssl/base.h> under ${jwtbatch_bssl}/src/include does not define "
    "OPENSSL_IS_BORINGSSL (OpenSSL headers would be used). Run scripts/install-deps.sh.")
endif()
list(LENGTH crypto_sources jwtbatch_bssl_c_count)
list(LENGTH jwtbatch_bssl_asm jwtbatch_bssl_asm_count)
message(STATUS "BoringSSL ${JWTBATCH_BORINGSSL_VERSION} (Debian source): static, hidden, "
               "${jwtbatch_bssl_c_count} C and ${jwtbatch_bssl_asm_count} assembly files "
               "for ${CMAKE_SYSTEM_PROCESSOR}")
