// direct_claims.hpp: the one-pass reader of a claims set of the common shape.
//
// Most payloads are a flat object of plain ASCII strings, integers and short arrays.
// For those, one pass over the decoded bytes finds the registered claims directly,
// without simdjson's index and tape and the general walk over them
// (docs/PERFORMANCE.md#claims). Anything else, and anything invalid, is left to the
// general walk (jose/claims.cpp), which decides with its exact diagnostics: this reader
// never decides a verdict of its own, so verdicts are the general walk's by construction.
#pragma once

#include <string_view>

#include "codec/json_walk.hpp"
#include "jose/claims.hpp"
#include "jwtbatch/policy.hpp"

namespace jwtbatch::detail {

// read_claims_direct reads `json` (a decoded payload, without a byte-order mark) as a
// claims set when every part of it is of the common shape:
//  - JSON whitespace, objects, arrays, true, false, null, numbers of RFC 8259 §6;
//  - strings and member names of printable ASCII without escapes;
//  - iss, sub and jti strings; aud a string or an array of strings; exp, nbf and iat
//    integers of at most 15 digits without sign, fraction or exponent;
//  - nesting of at most k_direct_max_depth, and within `limits`.
// Then it fills `f` (aud into *f.aud, requested claims into scratch.custom) exactly as
// the general walk would, checks every member name for duplicates with
// scratch.members, and returns true: the payload is valid JSON and every registered
// claim has its type. Otherwise it returns false, having left `f`, scratch.members,
// *f.aud and scratch.custom in some partial state for the caller to reset.
[[nodiscard]] bool read_claims_direct(std::string_view json, const policy& p,
                                      const json_limits& limits, claims_scratch& scratch,
                                      payload_facts& f) noexcept;

// The deepest nesting the direct reader follows (the root object is 1); deeper
// payloads take the general walk. It bounds the reader's recursion whatever the policy.
inline constexpr std::size_t k_direct_max_depth = 16;

}  // namespace jwtbatch::detail
