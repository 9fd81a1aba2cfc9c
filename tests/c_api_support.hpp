// c_api_support.hpp: for the C++ suites that drive the C ABI: handles owned by
// std::unique_ptr, a C policy and key set made from their C++ counterparts' settings,
// and a C result read back into a jwtbatch::result so the C++ comparator can judge it.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "jwtbatch/alg.hpp"
#include "jwtbatch/jwtbatch.h"
#include "jwtbatch/policy.hpp"
#include "jwtbatch/result.hpp"
#include "jwtbatch/status.hpp"

namespace jwtbatch::test {

template <class T, void (*Free)(T*)>
struct c_free {
  void operator()(T* p) const noexcept { Free(p); }
};
using c_builder = std::unique_ptr<jwtbatch_key_set_builder,
                                  c_free<jwtbatch_key_set_builder, jwtbatch_key_set_builder_free>>;
using c_keys = std::unique_ptr<jwtbatch_key_set, c_free<jwtbatch_key_set, jwtbatch_key_set_free>>;
using c_policy = std::unique_ptr<jwtbatch_policy, c_free<jwtbatch_policy, jwtbatch_policy_free>>;
using c_verifier =
    std::unique_ptr<jwtbatch_verifier, c_free<jwtbatch_verifier, jwtbatch_verifier_free>>;
using c_results =
    std::unique_ptr<jwtbatch_results, c_free<jwtbatch_results, jwtbatch_results_free>>;

// c_key_set builds a C key set from (source, JWK or JWKS text) documents.
inline c_keys c_key_set(const std::vector<std::pair<std::string, std::string>>& jwks,
                        bool allow_mixed = false) {
  jwtbatch_error err{};
  jwtbatch_key_set_builder* b = nullptr;
  EXPECT_EQ(jwtbatch_key_set_builder_new(&b, &err), JWTBATCH_OK) << err.message;
  const c_builder builder(b);
  EXPECT_EQ(jwtbatch_key_set_builder_allow_mixed(b, allow_mixed ? 1 : 0), JWTBATCH_OK);
  for (const auto& [source, text] : jwks) {
    EXPECT_EQ(jwtbatch_key_set_builder_add_jwks(b, text.data(), text.size(), source.c_str(), &err),
              JWTBATCH_OK)
        << err.message;
  }
  jwtbatch_key_set* keys = nullptr;
  EXPECT_EQ(jwtbatch_key_set_builder_build(b, &keys, &err), JWTBATCH_OK) << err.message;
  return c_keys(keys);
}

// c_policy_of sets, through the C setters only, everything of `p` the C ABI exposes.
// Limits other than max_token_bytes must be the defaults (the ABI keeps them).
inline c_policy c_policy_of(const policy& p) {
  c_policy out(jwtbatch_policy_new());
  jwtbatch_policy* c = out.get();
  const auto each = [](const std::vector<std::string>& values, auto add) {
    for (const auto& v : values) EXPECT_EQ(add(v.data(), v.size()), JWTBATCH_OK) << v;
  };
  each(p.issuers,
       [c](const char* s, std::size_t n) { return jwtbatch_policy_add_issuer(c, s, n); });
  each(p.audiences,
       [c](const char* s, std::size_t n) { return jwtbatch_policy_add_audience(c, s, n); });
  each(p.accepted_typs,
       [c](const char* s, std::size_t n) { return jwtbatch_policy_add_typ(c, s, n); });
  each(p.required_claims,
       [c](const char* s, std::size_t n) { return jwtbatch_policy_add_required_claim(c, s, n); });
  each(p.returned_claims,
       [c](const char* s, std::size_t n) { return jwtbatch_policy_add_returned_claim(c, s, n); });
  if (p.subject) {
    EXPECT_EQ(jwtbatch_policy_set_subject(c, p.subject->data(), p.subject->size()), JWTBATCH_OK);
  }
  std::uint32_t mask = 0;
  for (const alg a : all_algs()) {
    if (p.allowed_algs.contains(a)) mask |= JWTBATCH_ALG_BIT(static_cast<unsigned>(a));
  }
  EXPECT_EQ(jwtbatch_policy_set_allowed_algs(c, mask), JWTBATCH_OK);
  EXPECT_EQ(jwtbatch_policy_set_leeway(c, p.leeway_seconds), JWTBATCH_OK);
  if (p.max_age_seconds) {
    EXPECT_EQ(jwtbatch_policy_set_max_age(c, *p.max_age_seconds), JWTBATCH_OK);
  }
  if (p.fixed_time) {
    EXPECT_EQ(jwtbatch_policy_set_fixed_time(c, *p.fixed_time), JWTBATCH_OK);
  }
  EXPECT_EQ(jwtbatch_policy_set_max_token_bytes(c, p.limits.max_token_bytes), JWTBATCH_OK);
  EXPECT_EQ(jwtbatch_policy_set_typ_required(c, p.typ_required ? 1 : 0), JWTBATCH_OK);
  EXPECT_EQ(jwtbatch_policy_set_require_kid(c, p.require_kid ? 1 : 0), JWTBATCH_OK);
  EXPECT_EQ(jwtbatch_policy_set_reject_embedded_keys(c, p.reject_embedded_keys ? 1 : 0),
            JWTBATCH_OK);
  EXPECT_EQ(jwtbatch_policy_set_fingerprint(c, p.fingerprint ? 1 : 0), JWTBATCH_OK);
  EXPECT_EQ(p.limits.max_json_depth, input_limits{}.max_json_depth) << "not in the C ABI";
  return out;
}

// c_options: `threads` worker threads, and a verified-token cache of `cache_entries`
// (0: none).
inline jwtbatch_verifier_options c_options(int threads, std::size_t cache_entries = 0) {
  jwtbatch_verifier_options o{};
  o.threads = threads;
  o.cache_max_entries = cache_entries;
  return o;
}

inline c_verifier c_verifier_of(const jwtbatch_key_set* keys, const jwtbatch_policy* p,
                                jwtbatch_verifier_options options = c_options(0)) {
  jwtbatch_error err{};
  jwtbatch_verifier* v = nullptr;
  EXPECT_EQ(jwtbatch_verifier_new(&v, keys, p, &options, &err), JWTBATCH_OK) << err.message;
  return c_verifier(v);
}

// c_verify runs one batch (times empty: the policy's time) and returns the count.
inline std::size_t c_verify(const jwtbatch_verifier* v, jwtbatch_results* r,
                            const std::vector<std::string>& tokens,
                            const std::vector<double>& times = {}) {
  std::vector<const char*> data;
  std::vector<std::size_t> lens;
  for (const auto& t : tokens) {
    data.push_back(t.data());
    lens.push_back(t.size());
  }
  const int code =
      times.empty()
          ? jwtbatch_verify_batch(v, r, data.data(), lens.data(), data.size())
          : jwtbatch_verify_batch_at(v, r, data.data(), lens.data(), times.data(), data.size());
  EXPECT_EQ(code, JWTBATCH_OK);
  return jwtbatch_results_count(r);
}

// read_back fills `out` with what the C ABI says about token i: the same fields, the
// views pointing into the results object. It also checks the C struct's own
// consistency (class, presence flags, absent strings NULL).
inline void read_back(const jwtbatch_results* r, std::size_t i, result& out) {
  const jwtbatch_result* c = jwtbatch_results_get(r, i);
  ASSERT_NE(c, nullptr);
  out = jwtbatch::result{};
  out.code = static_cast<status>(c->status);
  EXPECT_EQ(c->status_class, static_cast<int>(class_of(out.code)));
  out.label = static_cast<attack_label>(c->label);
  EXPECT_TRUE(c->signature_verified == 0 || c->signature_verified == 1);
  out.signature_verified = c->signature_verified == 1;
  const auto has = [c](unsigned bit) { return (c->present & bit) != 0; };
  EXPECT_EQ(c->alg >= 0, has(JWTBATCH_HAS_ALG));
  if (has(JWTBATCH_HAS_ALG)) out.algorithm = static_cast<alg>(c->alg);
  const auto text = [&](jwtbatch_str s, unsigned bit) -> std::optional<std::string_view> {
    EXPECT_EQ(s.data != nullptr, has(bit));
    if (!has(bit)) return std::nullopt;
    return std::string_view(s.data, s.len);
  };
  out.kid = text(c->kid, JWTBATCH_HAS_KID);
  out.iss = text(c->iss, JWTBATCH_HAS_ISS);
  out.sub = text(c->sub, JWTBATCH_HAS_SUB);
  out.jti = text(c->jti, JWTBATCH_HAS_JTI);
  out.detail = text(c->detail, JWTBATCH_HAS_DETAIL);
  out.has_aud = has(JWTBATCH_HAS_AUD);
  for (std::size_t a = 0; a < c->aud_count; ++a) {
    const jwtbatch_str s = jwtbatch_results_aud(r, i, a);
    out.aud.emplace_back(s.data, s.len);
  }
  EXPECT_EQ(jwtbatch_results_aud(r, i, c->aud_count).data, nullptr);
  if (c->aud_count > 0) {
    EXPECT_EQ(std::string_view(c->aud.data, c->aud.len), out.aud.front());
  }
  const auto number = [&](double v, unsigned bit) -> std::optional<double> {
    if (!has(bit)) {
      EXPECT_EQ(v, 0);
      return std::nullopt;
    }
    return v;
  };
  out.exp = number(c->exp, JWTBATCH_HAS_EXP);
  out.nbf = number(c->nbf, JWTBATCH_HAS_NBF);
  out.iat = number(c->iat, JWTBATCH_HAS_IAT);
  for (std::size_t k = 0; k < c->custom_count; ++k) {
    jwtbatch_str name{};
    const jwtbatch_str json = jwtbatch_results_custom_claim(r, i, k, &name);
    out.custom_claims.emplace_back(std::string_view(name.data, name.len),
                                   std::string_view(json.data, json.len));
  }
  EXPECT_EQ(c->fingerprint[32], '\0');
  std::copy(c->fingerprint, c->fingerprint + 32, out.fingerprint.begin());
}

}  // namespace jwtbatch::test
