// verify.hpp: one token's way through the engine, with caller-provided scratch.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "compact.hpp"
#include "header.hpp"
#include "jwtbatch/status.hpp"
#include "jwtbatch/verifier.hpp"
#include "key.hpp"

namespace jwtbatch::detail {

// Per-thread working memory for verify_token. Grows to the largest token seen, then
// stays: the steady state allocates nothing. One per thread.
struct verify_scratch {
  header_scratch header;
  std::vector<std::uint8_t> signature;
  std::vector<std::uint8_t> payload;
};

// What verify_token learned about a token; views are valid until the next call with
// the same scratch (header fields) or as long as the token (segments).
struct token_view {
  compact_parts parts;
  jose_header header;
  const key* chosen_key = nullptr;
};

// verify_token: see verifier::verify_one. Fills `out` as far as the token got.
[[nodiscard]] status verify_token(std::string_view token, const key_store& keys,
                                  const verify_options& options, verify_scratch& scratch,
                                  token_view& out) noexcept;

}  // namespace jwtbatch::detail
