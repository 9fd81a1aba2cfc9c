// json_out.hpp: writing JSON string values for NDJSON output and generated JSON.
#pragma once

#include <string>
#include <string_view>

namespace jwtbatch::detail {

// append_json_string appends `s` to `out` as a quoted JSON string (RFC 8259 §7):
// quote, backslash and control characters escaped; bytes that are not valid UTF-8
// become U+FFFD so every output line is valid JSON whatever a token contained.
void append_json_string(std::string& out, std::string_view s);

}  // namespace jwtbatch::detail
