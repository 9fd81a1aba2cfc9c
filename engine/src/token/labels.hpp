// labels.hpp: the attack label of a rejected token (result::label), from what the
// engine learnt on the token's way.
#pragma once

#include <cstdint>
#include <span>

#include "jwtbatch/result.hpp"
#include "jwtbatch/status.hpp"
#include "keys/store.hpp"
#include "token/verify.hpp"

namespace jwtbatch::detail {

// What the engine knows when it labels a rejected token.
struct label_context {
  status st = status::ok;
  bool header_read = false;  // *scratch.jose is (partly) meaningful
  // What the header alone said, for a token refused for its payload's or signature's
  // encoding: a header attack shape (alg none, crit...) stays the label.
  status header_st = status::ok;
  const key* chosen = nullptr;
  std::span<const std::uint8_t> signature;  // decoded, when it decoded
};

// classify names the known attack a rejected token's shape matches, or none.
[[nodiscard]] attack_label classify(const label_context& c, const key_store& keys,
                                    verify_scratch& scratch) noexcept;

}  // namespace jwtbatch::detail
