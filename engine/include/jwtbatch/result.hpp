// jwtbatch/result.hpp: what the engine says about one token.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "jwtbatch/alg.hpp"
#include "jwtbatch/status.hpp"

namespace jwtbatch {

namespace detail {
struct access;
}  // namespace detail

// Known attack shapes a rejected token matched (docs/SECURITY.md §2 catalogue ids in
// brackets). Audit users count these; the status stays the verdict. Append-only.
enum class attack_label : std::uint8_t {
  none,
  alg_none,                // [S1] alg "none" in any spelling
  key_confusion,           // [S2] alg not bound to the key its kid names (HS256 + RSA key...)
  embedded_key,            // [S3] jwk/jku/x5u/x5c present on a rejected token
  psychic_signature,       // [S6] ECDSA r or s zero or >= the group order
  signature_stripped,      // [S5] signature empty or shorter than the algorithm's
  kid_injection,           // [S4] unknown kid with path, quote or control characters
  non_canonical_encoding,  // [P1] a segment that is not strict base64url
  duplicate_member,        // [J1] duplicate JSON member names
  crit_bypass,             // [H1/H2] crit or b64 the engine does not understand
};

// label_name: "alg_none", ...; "" for none. Static storage.
[[nodiscard]] std::string_view label_name(attack_label l) noexcept;

// The verdict and what was learned about one token.
//
// Ownership: strings are views into this result's own buffer (not into the token,
// whose claims are base64url-encoded). They stay valid until the result is reused
// for another token, moved from, or destroyed. Reusing a result keeps its buffers'
// capacity, so a caller that recycles results allocates nothing in steady state.
// Claims are filled only when the signature verified (never from a forged token).
class result {
 public:
  result() = default;
  ~result() = default;
  // Copies and moves carry the strings along: the views of the copy point into the
  // copy's own buffer.
  result(const result& o);
  result& operator=(const result& o);
  result(result&& o) noexcept;
  result& operator=(result&& o) noexcept;

  status code = status::ok;
  attack_label label = attack_label::none;

  // The signature verified with a trusted key: the token is genuine as a JWS, whatever
  // the payload and claims checks then said (audit: "genuine but expired").
  bool signature_verified = false;

  std::optional<alg> algorithm;  // from the header, once it parsed
  std::optional<std::string_view> kid;

  // Registered claims (unescaped), when present and of the right type.
  std::optional<std::string_view> iss, sub, jti;
  std::vector<std::string_view> aud;  // a string aud gives one element
  bool has_aud = false;
  std::optional<double> exp, nbf, iat;

  // Requested custom claims: (name, raw JSON text of the value), in policy order;
  // absent claims are left out.
  std::vector<std::pair<std::string_view, std::string_view>> custom_claims;

  // The claim a claims status is about, by name; unset for every other status.
  //  - missing_claim: the first required claim absent (policy::required_claims order,
  //    spelled as the policy spells it), else the claim a check needs: "iss", "aud" or
  //    "sub" (expected values configured), "iat" (a maximum age configured);
  //  - bad_claim_type: the first registered claim of the wrong type, in payload order.
  // A view into this result's buffer or into static storage, valid as the other views.
  std::optional<std::string_view> detail;

  // First 16 bytes of SHA-256(token) in lowercase hex: identifies the token in audit
  // output without carrying it. Set whatever the status (all '0' when policy::fingerprint
  // is off, or for a line the streaming pipeline dropped as too large).
  std::array<char, 32> fingerprint{};
  [[nodiscard]] std::string_view fingerprint_hex() const noexcept {
    return {fingerprint.data(), fingerprint.size()};
  }

 private:
  // The engine fills results through detail::access (core/access.hpp).
  friend struct detail::access;
  void clear() noexcept;
  void reserve(std::size_t bytes);
  std::string_view store(std::string_view s);
  [[nodiscard]] std::size_t owned_bytes() const noexcept;
  void copy_facts(const result& o) noexcept;
  void rebase_views(const char* from, std::size_t n) noexcept;
  std::string storage_;
};

}  // namespace jwtbatch
