// header.hpp: decoding and checking the JOSE header of a compact JWS (RFC 7515 §4).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include <simdjson.h>

#include "codec/json_walk.hpp"
#include "jwtbatch/alg.hpp"
#include "jwtbatch/status.hpp"

namespace jwtbatch::detail {

// Limits for the header document. Generous enough for real headers that carry an x5c
// chain (which is read and validated but never used), far below the token limit.
inline constexpr json_limits k_header_limits{.max_depth = 8,
                                             .max_members = 64,
                                             .max_elements = 64,
                                             .max_string_bytes = std::size_t{16} * 1024};

// What the engine takes from a header that passed parse_header.
// The string views point into the scratch's parser buffer: they stay valid until the
// next parse_header with the same scratch, and no longer.
struct jose_header {
  jwtbatch::alg algorithm = alg::hs256;
  std::string_view kid;  // unescaped; meaningful when has_kid
  std::string_view typ;  // unescaped; meaningful when has_typ
  std::string_view cty;  // unescaped; meaningful when has_cty
  bool has_kid = false;
  bool has_typ = false;
  bool has_cty = false;
  // Parameters that could carry or point at a key. Recorded so policy and audit can
  // see them; keys only ever come from the configured key set (docs/SECURITY.md S3).
  bool has_jwk = false;
  bool has_jku = false;
  bool has_x5u = false;
  bool has_x5c = false;
  // Set as soon as the member is met, even when parsing then fails: attack labels
  // (crit_bypass) are derived from them.
  bool has_crit = false;
  bool crit_failed = false;  // `crit` itself was malformed (type or shape)
  bool has_b64 = false;

  [[nodiscard]] bool has_key_parameters() const noexcept {
    return has_jwk || has_jku || has_x5u || has_x5c;
  }
};

// is_media_type: `value` names media type `type` (RFC 7515 §4.1.9-10: case-insensitive,
// "application/" may be omitted).
[[nodiscard]] bool is_media_type(std::string_view value, std::string_view type) noexcept;

// Per-thread scratch for header parsing. Reused token after token: after warm-up it
// allocates nothing. Not thread-safe: one per thread.
struct header_scratch {
  simdjson::ondemand::parser parser;
  std::vector<std::uint8_t> json;  // decoded header + SIMDJSON_PADDING
  member_set members;
};

// parse_header decodes the base64url header segment and reads the JSON header.
//
// Checks, in this order (the first failure is returned):
//  1. strict base64url                                   -> bad_base64
//  2. JSON text: one object, UTF-8, no BOM, no trailing content, every value valid
//                                                         -> bad_json
//     limits (k_header_limits)                            -> json_limit_exceeded
//     duplicate member names after unescaping             -> duplicate_member
//     registered members of the wrong JSON type           -> bad_member_type
//     `crit` empty or naming a registered parameter       -> bad_crit
//  3. `alg`: missing / "none" in any case / not implemented
//                                     -> alg_missing / alg_none / alg_unsupported
//  4. `crit` present (no extension is understood)         -> crit_unsupported
//  5. `b64` / `zip` present, `cty` JWT
//                        -> b64_unsupported / zip_unsupported / nested_jwt_unsupported
// On ok, `out` describes the header. noexcept; allocation only while the scratch grows.
[[nodiscard]] status parse_header(std::string_view segment, header_scratch& scratch,
                                  jose_header& out) noexcept;

}  // namespace jwtbatch::detail
