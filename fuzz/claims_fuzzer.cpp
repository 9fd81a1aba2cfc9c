// claims_fuzzer: detail::check_claims (engine/src/claims.hpp; docs/SECURITY.md §0, J1-J4)
// and the cache's re-judgement detail::judge_claims.
//
// Input layout: byte 0 picks the policy (bit 0: returned_claims = {"scope"}) and byte 1-4
// a signed 32-bit offset added to a fixed evaluation time; the rest is the decoded
// payload JSON, base64url-encoded here and handed to check_claims. Invariants:
//  - the status is one value of the enum (status_name round-trips, not "unknown"), of
//    class ok, format or claims (check_claims decides nothing else);
//  - the one-pass reader changes nothing: the general walk alone gives the same status,
//    verdict and claims (jose/direct_claims.hpp);
//  - judge_claims(p, now, verdict, out) equals the returned status (a cached token is
//    judged the same), on the result and on a copy of it;
//  - claims are copied into `out` only when the payload parsed: on a format status
//    (bad_base64 .. json_limit_exceeded) no claim, aud or custom claim is set;
//  - every string view in `out` is readable, and a copy of the result carries equal
//    strings that stay valid after the original is destroyed (ASan catches a copy whose
//    views still point into the original's buffer);
//  - no crash, no sanitizer report.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "codec/base64url.hpp"
#include "core/access.hpp"
#include "jose/claims.hpp"
#include "jwtbatch/policy.hpp"
#include "jwtbatch/result.hpp"
#include "jwtbatch/status.hpp"
#include "result_facts.hpp"

namespace {

namespace d = jwtbatch::detail;
using jwtbatch::status;

std::string_view g_input;

[[noreturn]] void fail(const char* what, status got) {
  const std::string_view name = jwtbatch::status_name(got);
  std::fprintf(stderr, "claims_fuzzer: invariant violated: %s\nengine status: %.*s\n", what,
               static_cast<int>(name.size()), name.data());
  std::fprintf(stderr, "input (%zu bytes):", g_input.size());
  for (const char c : g_input) std::fprintf(stderr, " %02x", static_cast<unsigned char>(c));
  std::fprintf(stderr, "\n");
  std::abort();
}

#define JWTBATCH_FUZZ_CHECK(cond, what, got) \
  do {                                       \
    if (!(cond)) fail(what, got);            \
  } while (false)

constexpr double k_base_time = 1700000000.0;

jwtbatch::policy make_policy(bool return_scope) {
  jwtbatch::policy p;
  p.issuers = {"https://issuer.example", "iss2"};
  p.audiences = {"api.example", "aud2"};
  p.required_claims = {"sub", "exp"};
  p.max_age_seconds = 3600;
  p.leeway_seconds = 30;
  if (return_scope) p.returned_claims = {"scope"};
  p.limits.max_json_depth = 16;
  p.limits.max_members = 64;
  p.limits.max_array_elements = 64;
  p.limits.max_string_bytes = 1024;
  return p;
}

bool has_any_claim(const jwtbatch::result& r) {
  return r.iss || r.sub || r.jti || !r.aud.empty() || r.has_aud || r.exp || r.nbf || r.iat ||
         !r.custom_claims.empty();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  g_input = std::string_view(reinterpret_cast<const char*>(data), size);
  if (size < 5) return 0;
  static const d::prepared_policy plain(make_policy(false));
  static const d::prepared_policy scoped(make_policy(true));
  const d::prepared_policy& p = (data[0] & 1U) != 0 ? scoped : plain;
  std::int32_t offset = 0;
  std::memcpy(&offset, data + 1, sizeof offset);
  const double now = k_base_time + static_cast<double>(offset);
  const std::string_view json(reinterpret_cast<const char*>(data + 5), size - 5);
  const std::string segment = d::base64url_encode(json);

  static d::claims_scratch scratch;  // reused, as per thread in the engine
  auto out = std::make_unique<jwtbatch::result>();
  d::access::reserve(*out, segment.size() + p.name_room);
  d::claims_verdict verdict;
  const status st = d::check_claims(segment, p, now, scratch, *out, verdict);

  // Exactly one status, from the enum, of a class check_claims can produce.
  const std::string_view name = jwtbatch::status_name(st);
  JWTBATCH_FUZZ_CHECK(!name.empty() && name != "unknown", "status outside the enum", st);
  JWTBATCH_FUZZ_CHECK(jwtbatch::status_from_name(name) == st, "status name does not round-trip",
                      st);
  const jwtbatch::status_class cls = jwtbatch::class_of(st);
  JWTBATCH_FUZZ_CHECK((cls == jwtbatch::status_class::ok) == (st == status::ok),
                      "class ok iff status ok", st);
  JWTBATCH_FUZZ_CHECK(cls == jwtbatch::status_class::ok || cls == jwtbatch::status_class::format ||
                          cls == jwtbatch::status_class::claims,
                      "check_claims returned a header/key/signature status", st);

  // detail is set exactly for the two statuses that name a claim.
  JWTBATCH_FUZZ_CHECK(
      out->detail.has_value() == (st == status::missing_claim || st == status::bad_claim_type),
      "detail set for another status, or missing", st);
  // The cache's re-judgement agrees, detail included.
  const std::optional<std::string> detail_before =
      out->detail ? std::optional<std::string>(*out->detail) : std::nullopt;
  JWTBATCH_FUZZ_CHECK(d::judge_claims(p, now, verdict, *out) == st,
                      "judge_claims disagrees with check_claims", st);
  JWTBATCH_FUZZ_CHECK(
      (out->detail ? std::optional<std::string>(*out->detail) : std::nullopt) == detail_before,
      "judge_claims changed the detail", st);

  // Claims only from a payload that parsed.
  if (cls == jwtbatch::status_class::format) {
    JWTBATCH_FUZZ_CHECK(!has_any_claim(*out), "claims copied from a payload that did not parse",
                        st);
  }

  // Every view readable; copies carry equal strings into their own buffer.
  const fuzz_facts::facts before = fuzz_facts::facts_of(*out);

  // The general walk alone decides exactly as the engine's way (one-pass reader first).
  {
    jwtbatch::result general;
    d::access::reserve(general, segment.size() + p.name_room);
    d::claims_verdict general_verdict;
    scratch.direct = false;
    const status general_st = d::check_claims(segment, p, now, scratch, general, general_verdict);
    scratch.direct = true;
    JWTBATCH_FUZZ_CHECK(general_st == st, "the general walk alone gives another status", st);
    JWTBATCH_FUZZ_CHECK(general_verdict.before_time == verdict.before_time &&
                            general_verdict.after_time == verdict.after_time &&
                            general_verdict.after_detail == verdict.after_detail,
                        "the general walk alone gives another verdict", st);
    JWTBATCH_FUZZ_CHECK(fuzz_facts::facts_of(general) == before,
                        "the general walk alone gives other claims", st);
  }
  jwtbatch::result copy(*out);
  jwtbatch::result assigned;
  assigned = *out;
  out.reset();  // the original's buffer is freed: the copies must not point into it
  JWTBATCH_FUZZ_CHECK(fuzz_facts::facts_of(copy) == before, "copy-constructed result differs", st);
  JWTBATCH_FUZZ_CHECK(fuzz_facts::facts_of(assigned) == before, "copy-assigned result differs", st);
  JWTBATCH_FUZZ_CHECK(d::judge_claims(p, now, verdict, copy) == st,
                      "judge_claims on a copy disagrees", st);
  jwtbatch::result moved(std::move(copy));
  JWTBATCH_FUZZ_CHECK(fuzz_facts::facts_of(moved) == before, "moved result differs", st);
  return 0;
}
