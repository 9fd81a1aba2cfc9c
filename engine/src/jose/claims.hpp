// claims.hpp: the JWT payload (RFC 7519 §4, §7.2 steps 9-10) and the policy's claim
// checks. Runs only after the signature verified (docs/SECURITY.md §0).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include <simdjson.h>

#include "codec/json_walk.hpp"
#include "jose/prepared_policy.hpp"
#include "jwtbatch/policy.hpp"
#include "jwtbatch/result.hpp"
#include "jwtbatch/status.hpp"

namespace jwtbatch::detail {

// Per-thread scratch for payloads (a parser of its own, so header views survive).
struct claims_scratch {
  simdjson::ondemand::parser parser;
  simdjson::dom::parser tape;      // the fast path for payloads that parse whole
  std::vector<std::uint8_t> json;  // decoded payload + SIMDJSON_PADDING
  member_set members;
  std::vector<std::string_view> aud;                             // aud values of the current token
  std::vector<std::pair<std::size_t, std::string_view>> custom;  // (policy index, raw JSON)
  // Try the one-pass reader (jose/direct_claims.hpp) before the general walk. Tests
  // and the claims fuzzer turn it off to compare it with the general walk.
  bool direct = true;
};

// What a payload reader finds. String views point into the payload's bytes or the
// parser's buffer, valid until the next payload.
struct payload_facts {
  std::optional<std::string_view> iss, sub, jti;
  std::vector<std::string_view>* aud = nullptr;  // the scratch-owned list
  bool has_aud = false;
  std::optional<double> exp, nbf, iat;
  status type_error = status::ok;     // first bad_claim_type seen
  std::string_view type_error_claim;  // its claim's name (static storage)
  std::uint64_t required_seen = 0;    // bit i: policy.required_claims[i] present
};

// The registered claims the engine reads (RFC 7519 §4.1), and the other names.
enum class registered_claim : std::uint8_t { iss, sub, jti, aud, exp, nbf, iat, none };
[[nodiscard]] registered_claim registered_claim_of(std::string_view name) noexcept;
// registered_claim_name: "iss" ... "iat" (static storage); "" for none.
[[nodiscard]] std::string_view registered_claim_name(registered_claim c) noexcept;

// mark_required sets the bit of `name` in f.required_seen when the policy requires it.
inline void mark_required(std::string_view name, const policy& p, payload_facts& f) noexcept {
  for (std::size_t i = 0; i < p.required_claims.size() && i < 64; ++i) {
    if (p.required_claims[i] == name) f.required_seen |= std::uint64_t{1} << i;
  }
}

// The policy's verdict on a payload, split around the checks that depend on the
// evaluation time, so that a cached token can be judged again at another time.
struct claims_verdict {
  status before_time = status::ok;  // payload, JSON and claim-type errors, required claims
  status after_time = status::ok;   // issuer, audience, subject
  // The claim a missing_claim after_time is about: "iss", "aud" or "sub" (static).
  std::string_view after_detail = {};
};

// judge_claims: the claims status at `now`, from the time-independent verdict and the
// time claims (exp, nbf, iat) that check_claims copied into `claims`. Sets
// claims.detail for a missing_claim decided here (after_time, or "iat" for a maximum
// age); a before_time failure keeps the detail check_claims gave it. Allocates nothing.
[[nodiscard]] status judge_claims(const prepared_policy& p, double now, const claims_verdict& v,
                                  result& claims) noexcept;

// decode_payload strictly base64url-decodes the payload segment into scratch.json,
// followed by zeroed simdjson padding: bad_base64, else ok and the decoded length in
// *len. It reads none of the decoded bytes, so it may run before the signature is
// checked (the engine runs it first, so a non-canonical payload is a format error
// that costs no signature work); the JSON is read only by check_decoded_claims.
[[nodiscard]] status decode_payload(std::string_view payload_segment, claims_scratch& scratch,
                                    std::size_t* len) noexcept;

// check_decoded_claims reads the `len` bytes decode_payload left in scratch.json
// (`out` must have room reserved for the decoded payload plus the returned and
// required claims' names, see result::reserve) as one JSON object (strict and bounded like the
// header, with the policy's limits), copies the registered and requested claims into `out`, then
// applies the policy at time `now` (Unix seconds). Call it only after the signature verified
// (docs/SECURITY.md §0).
//
// Order (first failure decides): bad_json / duplicate_member / json_limit_exceeded ->
// bad_claim_type -> missing_claim -> expired -> not_yet_valid -> issued_in_future ->
// too_old -> issuer_mismatch -> audience_mismatch -> subject_mismatch. Claims are
// copied into `out` whenever the payload parsed, also when a claim check then fails
// (audit wants the exp of an expired token). `verdict` receives the time-independent
// part: judge_claims(p, now, verdict, out) is the result.
[[nodiscard]] status check_decoded_claims(std::size_t len, const prepared_policy& p, double now,
                                          claims_scratch& scratch, result& out,
                                          claims_verdict& verdict) noexcept;

// check_claims is decode_payload (bad_base64 first) then check_decoded_claims.
[[nodiscard]] status check_claims(std::string_view payload_segment, const prepared_policy& p,
                                  double now, claims_scratch& scratch, result& out,
                                  claims_verdict& verdict) noexcept;

// NumericDate bounds (RFC 7519 §2): a finite JSON number with |value| <= 2^53, so
// it is exact as a double and adding any sane leeway cannot overflow.
inline constexpr double k_max_numeric_date = 9007199254740992.0;

}  // namespace jwtbatch::detail
