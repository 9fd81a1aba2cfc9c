// gen_hostile.hpp: the attack shapes of `jwtbatch gen --hostile` (docs/SECURITY.md §2), each
// built from the real keys so that it is a genuine attempt: alg none, key confusion,
// psychic signatures, embedded keys, non-canonical encodings, duplicate members, crit,
// stripped signatures, kid injection, and the limits (oversize, deep nesting).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "gen.hpp"
#include "gen_claims.hpp"
#include "gen_random.hpp"
#include "gen_signers.hpp"
#include "jwtbatch/result.hpp"

namespace jwtbatch::cli::gen_parts {

struct shape_context {
  prng& rng;
  const signer& sg;
  const gen_options& o;
  const claims& c;
  std::size_t variant;
  // A target key, rotated over every kid'd signing key.
  const signing_key& target;
};

struct shape {
  std::string_view name;
  attack_label expected;
  std::size_t variants;
  std::string (*build)(shape_context&);
  std::vector<signing_key> keys = {};  // shape-specific targets, when it needs a kind of key
  bool available = true;
};

// hostile_shapes returns the shapes the key set supports, in the order they are
// emitted (key_confusion needs an asymmetric key or an HMAC key bound to one hash,
// psychic_signature an EC key).
[[nodiscard]] std::vector<shape> hostile_shapes(const signer& sg);

// build_shape returns one token of shape `s` for the context `x`.
[[nodiscard]] std::string build_shape(const shape& s, shape_context& x);

}  // namespace jwtbatch::cli::gen_parts
