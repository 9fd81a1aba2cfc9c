#include "build_info.hpp"

#include <simdjson.h>

#include <oneapi/tbb/version.h>

#include <fmt/core.h>

#include "jwtbatch/base64url.hpp"

// Set by engine/CMakeLists.txt on the program's target.
#ifndef JWTBATCH_VERSION
#define JWTBATCH_VERSION "unknown"
#endif
#ifndef JWTBATCH_BUILD_TYPE
#define JWTBATCH_BUILD_TYPE "unknown"
#endif
#ifndef JWTBATCH_BORINGSSL_VERSION
#define JWTBATCH_BORINGSSL_VERSION "unknown"
#endif

#define JWTBATCH_STRINGIFY_(x) #x
#define JWTBATCH_STRINGIFY(x) JWTBATCH_STRINGIFY_(x)

namespace jwtbatch::cli {

std::string version_text() {
  const simdjson::implementation* json = simdjson::get_active_implementation();
  const char* build_type = JWTBATCH_BUILD_TYPE[0] == '\0' ? "unset" : JWTBATCH_BUILD_TYPE;
  return fmt::format(
      "jwtbatch {} ({} build)\n"
      "BoringSSL: Debian android-platform-external-boringssl {}, built into the program\n"
      "simdjson {}: {} implementation ({})\n"
      "base64url: {} decoder\n"
      "oneTBB {} (runtime {})",
      JWTBATCH_VERSION, build_type, JWTBATCH_BORINGSSL_VERSION,
      JWTBATCH_STRINGIFY(SIMDJSON_VERSION), json->name(), json->description(),
      base64url_simd_path(), TBB_VERSION_STRING, TBB_runtime_version());
}

}  // namespace jwtbatch::cli
