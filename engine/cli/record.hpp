// record.hpp: one verdict as one NDJSON line, the output shape every command shares.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "jwtbatch/result.hpp"

namespace jwtbatch::cli {

// Where a verdict comes from: its input line (1-based) and, optionally, the input
// file, the byte offset of the token in the line (scan), a name (demo), the token.
struct record_origin {
  std::uint64_t line = 0;
  std::string_view file;                  // omitted when empty
  std::optional<std::size_t> offset;      // omitted when unset
  std::string_view name;                  // omitted when empty
  std::optional<std::string_view> token;  // --emit-token only
};

// JSON members for records, each with its leading comma: ,"name":"value" (escaped)
// and ,"name":number (a NumericDate as an integer when it is one, else in full).
void append_string_member(std::string& out, std::string_view name, std::string_view value);
void append_number_member(std::string& out, std::string_view name, double value);

// append_record appends {"line":N,...,"status":..,"class":..,"alg":..,"kid":..,
// claims..., "fp":..,"label":..} and a newline to `out`. Claims (iss, sub, aud, exp,
// nbf, iat, jti, custom "claims") appear only when the signature verified: nothing a
// forged token says is ever printed as a claim. Every string is escaped, so the line
// is valid JSON whatever the token contained.
void append_record(std::string& out, const record_origin& origin, const result& r);

}  // namespace jwtbatch::cli
