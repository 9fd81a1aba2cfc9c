// verify.hpp: one token's way through the engine, with caller-provided scratch.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "claims.hpp"
#include "compact.hpp"
#include "header.hpp"
#include "jwtbatch/policy.hpp"
#include "jwtbatch/result.hpp"
#include "key.hpp"

namespace jwtbatch::detail {

// Per-thread working memory for verify_token. Grows to the largest token seen, then
// stays: the steady state allocates nothing. One per thread.
struct verify_scratch {
  header_scratch header;
  claims_scratch claims;
  std::vector<std::uint8_t> signature;
  // The current token's segments and header (views into the token and `header`).
  compact_parts parts;
  jose_header jose;
  // The header segment `jose` was parsed from, when that parse succeeded: tokens of
  // one issuer share their header byte for byte, so a repeat skips the parse.
  std::string parsed_header;
  bool parsed_header_valid = false;
  // Set by verify_token: whether the signature was checked (verified or not), and
  // the part of the verdict that does not depend on the evaluation time (for a
  // failed signature, before_time holds that failure).
  bool signature_checked = false;
  claims_verdict verdict;
};

// verify_token: see verifier::verify. `now` is the evaluation time (Unix seconds).
void verify_token(std::string_view token, const key_store& keys, const policy& p, double now,
                  verify_scratch& scratch, result& out) noexcept;

// The current time as Unix seconds.
[[nodiscard]] double unix_now() noexcept;

}  // namespace jwtbatch::detail
