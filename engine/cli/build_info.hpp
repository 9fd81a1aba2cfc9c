// build_info.hpp: what `jwtbatch --version` reports: the program's version and build
// type, the BoringSSL it was built with, and the SIMD paths this machine runs.
#pragma once

#include <string>

namespace jwtbatch::cli {

// version_text: several lines, the first "jwtbatch <version>". The SIMD lines are
// decided at run time (simdjson's active implementation, the base64url decoder chosen
// by CPU feature), so the text describes this machine, not the build machine.
std::string version_text();

}  // namespace jwtbatch::cli
