// gen.hpp: the core of `jwtbatch gen`: synthetic token corpora (plain token lines,
// access logs, JSON logs) for demos, benchmarks and fuzzing, signed with real keys.
//
// Two modes:
//  - mix (default): valid, expired, forged and malformed tokens in exact proportions,
//    each distinct token repeated `repeat` times over the output;
//  - hostile: the attack shapes of docs/SECURITY.md, one shape after another, each built
//    from the real keys so that it is a genuine attempt (key confusion signs HS256
//    with an RSA/EC/Ed25519 public key's bytes, psychic signatures target an EC key...).
//
// Determinism: the same options, seed and key set give byte-identical output for
// HS*, RS* and EdDSA, whose signatures are deterministic. ES* and PS* signatures are
// randomized by the algorithms themselves (BoringSSL's RNG): with those, the claims,
// the order, the line times and every other byte stay identical, only the signature
// segments differ between runs. Nothing else reads a random source: every choice
// comes from std::mt19937_64 seeded with gen_options::seed, through gen_random.hpp
// (not std distributions, whose output differs between standard libraries).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "jwtbatch/alg.hpp"
#include "jwtbatch/key_set.hpp"
#include "jwtbatch/result.hpp"

namespace jwtbatch::cli {

// Percentages of output lines of each kind (mix mode); they must sum to 100. The
// counts are exact: distinct tokens are split by the largest-remainder method (ties
// go to the kind listed first), and every distinct token appears `repeat` times.
struct gen_mix {
  unsigned valid = 90;     // ok at its line's time
  unsigned expired = 5;    // exp before its first line's time (status expired)
  unsigned forged = 3;     // signed, then one signature byte or the payload changed
                           // (canonical base64url: status bad_signature)
  unsigned malformed = 2;  // bad base64, wrong segment count, truncated, header not
                           // JSON (a status of class format)
};

enum class gen_format : std::uint8_t {
  tokens,      // one token per line
  access_log,  // combined log format, token in a final "Authorization: Bearer <t>" field
  json_log,    // one JSON object per line: "time" (RFC 3339, UTC, ms), ..., "authorization"
};

struct gen_options {
  std::size_t count = 0;   // output lines; must be > 0 and a multiple of repeat
  std::vector<alg> algs;   // each must have a signing key in the key set; tokens pick
                           // an alg uniformly, then one of its keys uniformly
  double base_time = 0;    // Unix seconds of the first line (0 <= base_time < year 9000)
  std::size_t repeat = 1;  // times each distinct token appears (1..2048)
  gen_mix mix;
  gen_format format = gen_format::tokens;
  std::uint64_t seed = 0;
  bool hostile = false;  // attack shapes instead of the mix
  std::string issuer = "https://issuer.example";
  std::string audience = "api.example";
};

enum class gen_kind : std::uint8_t { valid, expired, forged, malformed, hostile };

// gen_kind_name: "valid", "expired", "forged", "malformed", "hostile".
[[nodiscard]] std::string_view gen_kind_name(gen_kind k) noexcept;

// What the generator knows about one output line (for tests, and for a CLI that
// writes an answer key beside the corpus). Views are valid during the callback only.
struct gen_line_info {
  std::size_t index = 0;   // 0-based output line number
  std::string_view line;   // the emitted text, without newline
  std::string_view token;  // the token inside it
  double time = 0;         // the line's time, Unix seconds (millisecond steps)
  gen_kind kind = gen_kind::valid;
  std::size_t token_id = 0;    // which distinct token (0-based, in order of first use)
  std::size_t occurrence = 0;  // 0 for its first line, then 1..repeat-1
  // Hostile mode: the shape ("alg_none", "key_confusion", ..., "oversize",
  // "deep_nesting") and the engine's attack label expected for it (none for oversize
  // and deep_nesting, which are limits, not attacks the engine labels).
  std::string_view shape;
  attack_label expected_label = attack_label::none;
};

struct gen_stats {
  std::size_t lines = 0;
  std::size_t distinct = 0;  // distinct tokens
  // Output lines of each kind (repeats included): valid + expired + forged +
  // malformed + hostile == lines.
  std::size_t valid = 0, expired = 0, forged = 0, malformed = 0, hostile = 0;
  // Hostile mode: output lines per shape, in the order shapes are emitted. Shapes the
  // key set cannot support are absent (psychic_signature needs an EC key,
  // key_confusion an asymmetric key or an HMAC key bound to one hash).
  std::vector<std::pair<std::string, std::size_t>> by_shape;
  double first_time = 0, last_time = 0;
};

// generate writes o.count lines through `emit` (each without its newline) and, when
// given, describes each line through `describe` right after emitting it. Signs with
// the private keys of `private_keys` (for example a JWKS written by keygen).
// Throws config_error before emitting anything when the options are unusable: count
// 0, repeat 0, over 2048 or not dividing count, no algs, percentages not summing to 100, a
// base time out of range, an alg without a signing key in the set, empty issuer or
// audience, hostile mode with no key that has a kid. Exceptions thrown by the
// callbacks propagate. Not thread-safe with respect to the callbacks only; the key
// set is only read.
//
// Time model: line times start at base_time and grow by 0..599 ms per line (about
// 3.3 lines per second). A token's iat/nbf lie 1..300 s before the (whole) second of
// its first line and exp 3600 s after iat; repeats are shuffled within blocks of
// 2048 distinct-token copies, so every repeat of a valid token falls inside its
// validity window and every repeat of an expired token after its exp: judging each
// line at its own time (second or millisecond precision) gives ok for valid tokens
// and expired for expired ones.
gen_stats generate(const key_set& private_keys, const gen_options& o,
                   const std::function<void(std::string_view line)>& emit,
                   const std::function<void(const gen_line_info&)>& describe = {});

}  // namespace jwtbatch::cli
