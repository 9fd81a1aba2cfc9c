// c_api_verify_test.cpp: the C ABI gives exactly the C++ engine's results. Every token
// of the attack catalogue and of generated corpora (valid, expired, forged, malformed,
// every hostile shape) is verified through jwtbatch_verify_batch* with a policy and
// key set made through the C functions, and each result, read back field by field,
// must equal the C++ verifier's. Also: each policy setter reaches its C++ field, and
// results stay readable until the next batch, whatever happens to the verifier.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "c_api_support.hpp"
#include "gen.hpp"
#include "jwtbatch/jwtbatch.h"
#include "jwtbatch/key_set.hpp"
#include "jwtbatch/sign.hpp"
#include "jwtbatch/verifier.hpp"
#include "result_compare.hpp"
#include "vector_sets.hpp"

namespace jwtbatch {
namespace {

using test::c_key_set;
using test::c_policy_of;
using test::c_results;
using test::c_verifier_of;
using test::c_verify;

// expect_c_equals_cpp verifies `tokens` (at `times` when given) through the C ABI and
// with the C++ verifier, and compares every result.
void expect_c_equals_cpp(const jwtbatch_verifier* c, const verifier& cpp,
                         const std::vector<std::string>& tokens,
                         const std::vector<double>& times = {}) {
  const c_results results(jwtbatch_results_new());
  ASSERT_EQ(c_verify(c, results.get(), tokens, times), tokens.size());
  result want;
  result got;
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    if (times.empty()) {
      cpp.verify(tokens[i], want);
    } else {
      cpp.verify_at(tokens[i], times[i], want);
    }
    test::read_back(results.get(), i, got);
    test::expect_same_result(got, want,
                             "token " + std::to_string(i) + ": " + tokens[i].substr(0, 80));
  }
}

TEST(CApiVerify, AttackVectorsGiveTheCppResults) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  ASSERT_EQ(parser.load(test::vector_path("attack_vectors.json")).get(root), simdjson::SUCCESS);
  simdjson::dom::array vectors;
  ASSERT_EQ(root["vectors"].get_array().get(vectors), simdjson::SUCCESS);
  std::vector<std::string> tokens;
  for (auto v : vectors) tokens.push_back(test::json_string(v["token"]));
  ASSERT_EQ(tokens.size(), 171U);

  const policy p = test::attack_policy();
  const auto c_keys = c_key_set(test::attack_policy_jwks(root), true);
  const auto c_rules = c_policy_of(p);
  const verifier cpp(test::attack_policy_keys(root), p);
  for (const int threads : {1, 2}) {
    SCOPED_TRACE("threads " + std::to_string(threads));
    const auto c = c_verifier_of(c_keys.get(), c_rules.get(), test::c_options(threads));
    expect_c_equals_cpp(c.get(), cpp, tokens);
  }
}

TEST(CApiVerify, GeneratedCorporaGiveTheCppResultsAtLineTimes) {
  // Private keys sign; the C key set gets only the public JWKs, as a verifier would.
  key_set_builder signing;
  signing.allow_mixed_key_types();
  std::vector<std::pair<std::string, std::string>> public_jwks;
  for (const auto& [a, kid] : {std::pair{alg::hs256, "hs"}, std::pair{alg::rs256, "rs"},
                               std::pair{alg::es256, "es"}, std::pair{alg::eddsa, "ed"}}) {
    const generated_key k = generate_key(a, kid);
    signing.add_jwks(k.private_jwk, kid);
    public_jwks.emplace_back(kid, k.public_jwk);
  }
  const auto private_keys = signing.build();
  const auto c_keys = c_key_set(public_jwks, true);
  key_set_builder verifying;
  verifying.allow_mixed_key_types();
  for (const auto& [kid, jwk] : public_jwks) verifying.add_jwks(jwk, kid);

  policy p;
  p.issuers = {"https://issuer.example"};
  p.audiences = {"api.example"};
  p.returned_claims = {"scope", "jti"};
  const verifier cpp(verifying.build(), p);
  const auto c_rules = c_policy_of(p);

  for (const bool hostile : {false, true}) {
    SCOPED_TRACE(hostile ? "hostile corpus" : "mixed corpus");
    cli::gen_options o;
    o.count = 1200;
    o.repeat = 3;
    o.algs = {alg::hs256, alg::rs256, alg::es256, alg::eddsa};
    o.base_time = 1700000000;
    o.seed = 11;
    o.hostile = hostile;
    std::vector<std::string> tokens;
    std::vector<double> times;
    cli::generate(
        *private_keys, o, [](std::string_view) {},
        [&](const cli::gen_line_info& line) {
          tokens.emplace_back(line.token);
          times.push_back(line.time);
        });
    ASSERT_EQ(tokens.size(), o.count);
    // The C side with the verified-token cache: repeats are answered from it, and
    // must still be judged at their own line's time.
    const auto c = c_verifier_of(c_keys.get(), c_rules.get(), test::c_options(2, 4096));
    expect_c_equals_cpp(c.get(), cpp, tokens, times);
  }
}

TEST(CApiVerify, EveryPolicySetterReachesTheEngine) {
  // One HS256 key, tokens that each setting judges differently, and a policy per
  // setting: the C result must equal the C++ one under the same setting, and the
  // setting must change something (so a setter wired to the wrong field fails).
  const generated_key key = generate_key(alg::hs256, "k");
  key_set_builder b;
  b.add_jwks(key.private_jwk, "k");
  const auto keys = b.build();
  const auto c_keys = c_key_set({{"k", key.public_jwk}});
  const auto sign = [&](std::string_view payload, std::optional<std::string_view> header = {}) {
    return sign_compact(*keys, header ? "" : "k", alg::hs256, payload, header);
  };
  const std::vector<std::string> tokens = {
      sign(R"({"iss":"a","sub":"s","aud":"x","iat":1000,"exp":2000,"jti":"j","scope":"r"})"),
      sign(R"({"iss":"b","sub":"t","aud":["y","x"],"iat":500,"nbf":1050,"exp":1100})"),
      sign(R"({"sub":"s","iat":1020})", R"({"alg":"HS256","typ":"at+jwt"})"),
      sign(R"({"sub":"s"})", R"({"alg":"HS256","kid":"k","jku":"https://evil.example/"})"),
      std::string(5000, 'a'),
  };
  policy base;
  base.fixed_time = 1040;
  std::vector<std::pair<std::string, policy>> cases;
  const auto with = [&](std::string name, auto change) {
    policy p = base;
    change(p);
    cases.emplace_back(std::move(name), std::move(p));
  };
  with("issuers", [](policy& p) { p.issuers = {"b", "c"}; });
  with("audiences", [](policy& p) { p.audiences = {"y"}; });
  with("subject", [](policy& p) { p.subject = "t"; });
  with("typs", [](policy& p) { p.accepted_typs = {"JWT"}; });
  with("typ_required", [](policy& p) { p.typ_required = true; });
  with("required_claims", [](policy& p) { p.required_claims = {"jti", "scope"}; });
  with("returned_claims", [](policy& p) { p.returned_claims = {"scope", "jti"}; });
  with("allowed_algs", [](policy& p) { p.allowed_algs = {alg::hs384, alg::es256}; });
  with("leeway", [](policy& p) { p.leeway_seconds = 100; });
  with("max_age", [](policy& p) { p.max_age_seconds = 30; });
  with("fixed_time", [](policy& p) { p.fixed_time = 1500; });
  with("max_token_bytes", [](policy& p) { p.limits.max_token_bytes = 4000; });
  with("require_kid", [](policy& p) { p.require_kid = true; });
  with("reject_embedded_keys", [](policy& p) { p.reject_embedded_keys = true; });
  with("fingerprint", [](policy& p) { p.fingerprint = false; });

  const verifier base_cpp(keys, base);
  std::vector<result> base_results(tokens.size());
  for (std::size_t i = 0; i < tokens.size(); ++i) base_cpp.verify(tokens[i], base_results[i]);
  for (const auto& [name, p] : cases) {
    SCOPED_TRACE(name);
    const verifier cpp(keys, p);
    const auto c_rules = c_policy_of(p);
    const auto c = c_verifier_of(c_keys.get(), c_rules.get());
    expect_c_equals_cpp(c.get(), cpp, tokens);
    bool changed = false;
    result r;
    for (std::size_t i = 0; i < tokens.size(); ++i) {
      cpp.verify(tokens[i], r);
      changed = changed || r.code != base_results[i].code ||
                r.custom_claims != base_results[i].custom_claims ||
                r.fingerprint != base_results[i].fingerprint;
    }
    EXPECT_TRUE(changed) << "the setting changed no verdict: the test tokens do not exercise it";
  }
}

TEST(CApiVerify, ResultsOutliveTheVerifierUntilTheNextBatch) {
  const generated_key key = generate_key(alg::es256, "ec");
  key_set_builder b;
  b.add_jwks(key.private_jwk, "ec");
  const std::string token =
      sign_compact(*b.build(), "ec", alg::es256, R"({"iss":"me","aud":["a","b"],"exp":2e9})");
  const c_results results(jwtbatch_results_new());
  const jwtbatch_result* r = nullptr;
  {
    auto keys = c_key_set({{"ec", key.public_jwk}});
    auto rules = test::c_policy(jwtbatch_policy_new());
    auto v = c_verifier_of(keys.get(), rules.get());
    keys.reset();  // the verifier keeps its own reference
    rules.reset();
    ASSERT_EQ(c_verify(v.get(), results.get(), {token}), 1U);
    r = jwtbatch_results_get(results.get(), 0);
  }  // the verifier is gone; the results are the results object's
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->status, JWTBATCH_STATUS_OK);
  EXPECT_EQ(std::string_view(r->iss.data, r->iss.len), "me");
  EXPECT_EQ(std::string_view(r->kid.data, r->kid.len), "ec");
  const jwtbatch_str second = jwtbatch_results_aud(results.get(), 0, 1);
  EXPECT_EQ(std::string_view(second.data, second.len), "b");
  // The strings are copies, not views of the caller's token.
  EXPECT_TRUE(r->iss.data < token.data() || r->iss.data >= token.data() + token.size());
}

// A key source of files, followed by a verifier: reload swaps the keys under it, a
// reload that fails keeps them, and the log hears of neither (nothing is fetched).
TEST(CApiVerify, AVerifierFollowsItsKeySource) {
  const generated_key a = generate_key(alg::es256, "a");
  const generated_key b = generate_key(alg::es256, "b");
  const auto token_of = [](const generated_key& k, const char* kid) {
    return sign_compact(
        *key_set_builder().expect_private_keys().add_jwks(k.private_jwk, kid).build(), kid,
        alg::es256, R"({"sub":"s"})");
  };
  const std::vector<std::string> tokens{token_of(a, "a"), token_of(b, "b")};
  const std::string path = ::testing::TempDir() + "/c_api_key_source.json";
  const auto write = [&](const std::string& text) {
    std::FILE* f = std::fopen(path.c_str(), "wb");
    ASSERT_NE(f, nullptr);
    ASSERT_EQ(std::fwrite(text.data(), 1, text.size(), f), text.size());
    ASSERT_EQ(std::fclose(f), 0);
  };
  write(a.public_jwk);
  const char* files[] = {path.c_str()};
  jwtbatch_key_source_options o{};
  o.key_files = files;
  o.key_file_count = 1;
  jwtbatch_key_source* source = nullptr;
  jwtbatch_error err{};
  ASSERT_EQ(jwtbatch_key_source_new(&source, &o, &err), JWTBATCH_OK) << err.message;
  EXPECT_EQ(jwtbatch_key_source_size(source), 1U);
  jwtbatch_verifier* v = nullptr;
  ASSERT_EQ(jwtbatch_verifier_new_following(&v, source, nullptr, nullptr, &err), JWTBATCH_OK);
  const c_results results(jwtbatch_results_new());
  const auto statuses = [&] {
    EXPECT_EQ(c_verify(v, results.get(), tokens), tokens.size());
    return std::vector<int>{jwtbatch_results_get(results.get(), 0)->status,
                            jwtbatch_results_get(results.get(), 1)->status};
  };
  EXPECT_EQ(statuses(), (std::vector<int>{JWTBATCH_STATUS_OK, JWTBATCH_STATUS_KEY_NOT_FOUND}));
  write(b.public_jwk);
  ASSERT_EQ(jwtbatch_key_source_reload(source, &err), JWTBATCH_OK) << err.message;
  EXPECT_EQ(statuses(), (std::vector<int>{JWTBATCH_STATUS_KEY_NOT_FOUND, JWTBATCH_STATUS_OK}));
  write("not json");
  EXPECT_EQ(jwtbatch_key_source_reload(source, &err), JWTBATCH_ERR_CONFIG);
  EXPECT_EQ(std::string(err.message).rfind(path + ": ", 0), 0U) << err.message;
  EXPECT_EQ(statuses(), (std::vector<int>{JWTBATCH_STATUS_KEY_NOT_FOUND, JWTBATCH_STATUS_OK}));
  std::uint64_t fetches = 9;
  std::uint64_t failures = 9;
  std::uint64_t updates = 9;
  jwtbatch_key_source_stats(source, &fetches, &failures, &updates);
  EXPECT_EQ(fetches, 0U);
  EXPECT_EQ(failures, 0U);
  EXPECT_EQ(updates, 1U);
  jwtbatch_verifier_free(v);
  jwtbatch_key_source_free(source);
  // Refusals.
  const char* http[] = {"http://127.0.0.1/jwks.json"};
  jwtbatch_key_source_options bad{};
  bad.jwks_urls = http;
  bad.jwks_url_count = 1;
  EXPECT_EQ(jwtbatch_key_source_new(&source, &bad, &err), JWTBATCH_ERR_CONFIG);
  EXPECT_STREQ(
      err.message,
      "http://127.0.0.1/jwks.json: not an https:// URL (keys are fetched over https only)");
  jwtbatch_key_source_options forever = o;
  forever.refresh_seconds = 1e10;
  EXPECT_EQ(jwtbatch_key_source_new(&source, &forever, &err), JWTBATCH_ERR_ARGUMENT);
  EXPECT_STREQ(err.message,
               "refresh and cooldown must be 0 (default) to 604800 seconds, timeout 0 (default) "
               "to 600");
  jwtbatch_key_source_options none{};
  EXPECT_EQ(jwtbatch_key_source_new(&source, &none, &err), JWTBATCH_ERR_ARGUMENT);
  EXPECT_EQ(jwtbatch_verifier_new_following(&v, nullptr, nullptr, nullptr, &err),
            JWTBATCH_ERR_ARGUMENT);
  std::remove(path.c_str());
}

}  // namespace
}  // namespace jwtbatch
