// verify.hpp: one token's way through the engine, with caller-provided scratch.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "jose/claims.hpp"
#include "jose/compact.hpp"
#include "jose/header.hpp"
#include "jose/prepared_policy.hpp"
#include "jwtbatch/policy.hpp"
#include "jwtbatch/result.hpp"
#include "keys/store.hpp"

namespace jwtbatch::detail {

// Per-thread working memory for verify_token. Grows to the largest token seen, then
// stays: the steady state allocates nothing. One per thread.
struct verify_scratch {
  // A header as parsed from `bytes` (views into its own scratch). Tokens of one key
  // share their header byte for byte, so the last few parsed headers are kept and a
  // repeat skips the parse: a batch interleaving up to k_parsed_headers keys (a key
  // rotation) never parses a header twice. Only successful parses are reused.
  struct parsed_header {
    std::string bytes;
    bool valid = false;
    header_scratch scratch;
    jose_header jose;
  };
  static constexpr std::size_t k_parsed_headers = 4;
  std::array<parsed_header, k_parsed_headers> headers;
  std::size_t next_header = 0;  // the entry the next parse replaces (round robin)

  claims_scratch claims;
  std::vector<std::uint8_t> signature;
  // The current token's segments (views into the token) and header (into `headers`).
  compact_parts parts;
  const jose_header* jose = nullptr;
  // Set by verify_token: whether the signature was checked (verified or not), and
  // the part of the verdict that does not depend on the evaluation time (for a
  // failed signature, before_time holds that failure).
  bool signature_checked = false;
  claims_verdict verdict;
};

// verify_token: see verifier::verify. `now` is the evaluation time (Unix seconds).
void verify_token(std::string_view token, const key_store& keys, const prepared_policy& pp,
                  double now, verify_scratch& scratch, result& out) noexcept;

// Sets out.fingerprint to the first 16 bytes of SHA-256(token) in lowercase hex.
void set_fingerprint(std::string_view token, result& out) noexcept;

}  // namespace jwtbatch::detail
