// jwtbatch/policy.hpp: what a token must satisfy besides a good signature.
//
// A plain value: build it, hand it to a verifier (which copies it), and it never
// changes again; every thread reads the same one. Defaults are the library's: every
// implemented algorithm allowed, no leeway, nothing expected of iss/aud/sub/typ.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

#include "jwtbatch/alg.hpp"
#include "jwtbatch/error.hpp"

namespace jwtbatch {

// A set of algorithms. There is no way to put "none" in it.
class alg_set {
 public:
  constexpr alg_set() = default;
  constexpr alg_set(std::initializer_list<alg> algs) {
    for (alg a : algs) add(a);
  }
  static constexpr alg_set all() {
    alg_set s;
    s.bits_ = static_cast<std::uint16_t>((1U << alg_count) - 1U);
    return s;
  }
  constexpr void add(alg a) { bits_ = static_cast<std::uint16_t>(bits_ | bit(a)); }
  [[nodiscard]] constexpr bool contains(alg a) const { return (bits_ & bit(a)) != 0; }
  [[nodiscard]] constexpr bool empty() const { return bits_ == 0; }

 private:
  static constexpr std::uint16_t bit(alg a) {
    return static_cast<std::uint16_t>(1U << static_cast<unsigned>(a));
  }
  std::uint16_t bits_ = 0;
};

// Bounds on what a policy may be configured with (validate() below; the CLI's flags
// name the same bounds): leeway 0..max_leeway_seconds (one day: more would turn
// expired tokens into valid ones), max_token_bytes 1..max_token_bytes_limit, at most
// max_required_claims required claims.
inline constexpr std::int64_t max_leeway_seconds = 86400;
inline constexpr std::size_t max_token_bytes_limit = std::size_t{16} << 20;
inline constexpr std::size_t max_required_claims = 64;
// limits.max_json_depth 1..max_json_depth_limit: the payload walk recurses once per
// level, so a deeper bound would let a signed token exhaust the thread's stack.
inline constexpr std::size_t max_json_depth_limit = 1024;

// Bounds on untrusted input. Checked before and during parsing; exceeding one gives
// token_too_large or json_limit_exceeded.
struct input_limits {
  std::size_t max_token_bytes = std::size_t{64} * 1024;
  std::size_t max_json_depth = 64;  // payload nesting; the root object is 1
  std::size_t max_members = 10000;  // members of one payload object
  std::size_t max_array_elements = 10000;
  std::size_t max_string_bytes = std::size_t{64} * 1024;
};

struct policy {
  alg_set allowed_algs = alg_set::all();

  // Evaluation time, Unix seconds. When unset, verify_one() uses the current time;
  // verify_one(token, at) always uses `at` (audit: "valid when it was used?").
  std::optional<double> fixed_time;
  // Clock skew tolerated on exp, nbf, iat and max age, in seconds (>= 0).
  std::int64_t leeway_seconds = 0;

  // Expected values, compared after unescaping, byte-exact. Empty = not checked.
  std::vector<std::string> issuers;    // iss must equal one of them
  std::vector<std::string> audiences;  // aud (string or array) must contain one of them
  std::optional<std::string> subject;  // sub must equal it

  // Accepted `typ` values (case-insensitive, "application/" optional). Empty = any.
  // A token without `typ` passes unless typ_required.
  std::vector<std::string> accepted_typs;
  bool typ_required = false;

  // Claims that must be present, by name (registered or custom).
  std::vector<std::string> required_claims;
  // Maximum age from `iat`, in seconds; a token without iat then fails missing_claim.
  std::optional<std::int64_t> max_age_seconds;

  // Custom claims to return, as raw JSON text, in result::custom_claims.
  std::vector<std::string> returned_claims;
  // Compute result::fingerprint, a SHA-256 of the whole token: about 0.3 us for a
  // 450-byte token, as much as the HS256 MAC itself. When false it is all '0'.
  bool fingerprint = true;

  // Key selection: a token without kid fails kid_missing instead of using the unique
  // key compatible with its alg.
  bool require_kid = false;
  // Header parameters that carry or point at keys (jwk, jku, x5u, x5c) are never
  // used. By default they are ignored (the trusted key decides); when true, their
  // presence alone fails the token with embedded_key_rejected.
  bool reject_embedded_keys = false;

  input_limits limits;
};

// validate throws config_error, naming the field and what is wrong, for a policy
// outside the bounds above: leeway_seconds 0..max_leeway_seconds,
// limits.max_token_bytes 1..max_token_bytes_limit, limits.max_json_depth
// 1..max_json_depth_limit, max_age_seconds >= 0, a finite
// fixed_time, at most max_required_claims required claims. The one check of a
// policy: the verifier runs it at construction, the C ABI's setters on every change.
void validate(const policy& p);

}  // namespace jwtbatch
