# FindBoringSSL: locates Debian's BoringSSL (package android-libboringssl-dev) and
# creates the imported target BoringSSL::crypto.
#
# OpenSSL 3 headers also live in /usr/include/openssl on these machines. BoringSSL's
# headers are under /usr/include/android/openssl, so the include directory we hand out
# is /usr/include/android, and a configure-time check proves that <openssl/base.h>
# found through it defines OPENSSL_IS_BORINGSSL. If anything would pick OpenSSL
# instead, configuration stops here rather than at a confusing link or run error.
#
# Result variables: BoringSSL_FOUND, BoringSSL_INCLUDE_DIR, BoringSSL_CRYPTO_LIBRARY.

find_path(BoringSSL_INCLUDE_DIR
  NAMES openssl/is_boringssl.h
  PATHS /usr/include/android
  NO_DEFAULT_PATH)

# The android package ships libcrypto.so.0 outside the loader's default path; link it
# by full path and rely on RPATH (see CMakeLists.txt) at run time.
find_library(BoringSSL_CRYPTO_LIBRARY
  NAMES crypto
  PATHS /usr/lib/${CMAKE_LIBRARY_ARCHITECTURE}/android /usr/lib/x86_64-linux-gnu/android
  NO_DEFAULT_PATH)

if(BoringSSL_INCLUDE_DIR AND BoringSSL_CRYPTO_LIBRARY)
  include(CheckCXXSourceCompiles)
  include(CMakePushCheckState)
  cmake_push_check_state(RESET)
  set(CMAKE_REQUIRED_INCLUDES "${BoringSSL_INCLUDE_DIR}")
  set(CMAKE_REQUIRED_QUIET ON)
  check_cxx_source_compiles([=[
#include <openssl/base.h>
#ifndef OPENSSL_IS_BORINGSSL
#error "these headers are not BoringSSL's"
#endif
int main() { return 0; }
]=] JWTBATCH_HAVE_BORINGSSL_HEADERS)
  cmake_pop_check_state()
  if(NOT JWTBATCH_HAVE_BORINGSSL_HEADERS)
    message(FATAL_ERROR
      "BoringSSL: <openssl/base.h> under ${BoringSSL_INCLUDE_DIR} does not define "
      "OPENSSL_IS_BORINGSSL (OpenSSL headers would be used). Install "
      "android-libboringssl-dev (scripts/install-deps.sh).")
  endif()
endif()

include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(BoringSSL
  REQUIRED_VARS BoringSSL_CRYPTO_LIBRARY BoringSSL_INCLUDE_DIR
  REASON_FAILURE_MESSAGE "install android-libboringssl-dev (scripts/install-deps.sh)")

if(BoringSSL_FOUND AND NOT TARGET BoringSSL::crypto)
  add_library(BoringSSL::crypto SHARED IMPORTED)
  set_target_properties(BoringSSL::crypto PROPERTIES
    IMPORTED_LOCATION "${BoringSSL_CRYPTO_LIBRARY}"
    IMPORTED_NO_SONAME FALSE
    INTERFACE_INCLUDE_DIRECTORIES "${BoringSSL_INCLUDE_DIR}")
endif()
mark_as_advanced(BoringSSL_INCLUDE_DIR BoringSSL_CRYPTO_LIBRARY)
