// The batch API: N tokens in, N results out, in order; identical results with 1, 2
// and N threads; per-token evaluation times; hostile tokens among good ones.
#include "jwtbatch/batch.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "jwtbatch/key_set.hpp"
#include "jwtbatch/sign.hpp"
#include "test_support.hpp"

namespace jwtbatch {
namespace {

struct corpus {
  std::shared_ptr<const verifier> rules;
  std::vector<std::string> tokens;
};

// A mixed corpus: valid tokens of four algorithms, expired, forged, malformed,
// hostile (100k dots, deep nesting) and repeated ones, shuffled.
corpus make_corpus(std::size_t n) {
  key_set_builder b;
  b.allow_mixed_key_types();
  std::vector<std::pair<alg, std::string>> kinds;
  for (alg a : {alg::hs256, alg::es256, alg::eddsa, alg::rs256}) {
    const std::string kid = std::string(alg_name(a)) + "-key";
    b.add_jwks(generate_key(a, kid).private_jwk, kid);
    kinds.emplace_back(a, kid);
  }
  corpus c;
  policy p;
  p.fixed_time = 1700000000;
  p.issuers = {"https://issuer.example"};
  c.rules = std::make_shared<verifier>(b.build(), p);
  std::mt19937 rng(5);
  for (std::size_t i = 0; c.tokens.size() < n; ++i) {
    const auto& [a, kid] = kinds[i % kinds.size()];
    const std::string claims = R"({"iss":"https://issuer.example","sub":"user-)" +
                               std::to_string(i) + R"(","exp":)" +
                               std::to_string(1700000000 + (i % 7 == 0 ? -5 : 3600)) + "}";
    std::string t = sign_compact(c.rules->keys(), kid, a, claims);
    switch (i % 9) {
      case 3:
        t[t.size() / 2] = t[t.size() / 2] == 'A' ? 'B' : 'A';
        break;  // forged
      case 5:
        t = std::string(100000, '.');
        break;
      case 6:
        t.pop_back();
        break;
      case 8:
        t = c.tokens.empty() ? t : c.tokens[rng() % c.tokens.size()];
        break;  // repeat
      default:
        break;
    }
    c.tokens.push_back(std::move(t));
  }
  std::shuffle(c.tokens.begin(), c.tokens.end(), rng);
  return c;
}

std::vector<std::string_view> views(const std::vector<std::string>& tokens) {
  return {tokens.begin(), tokens.end()};
}

void expect_same(const result& a, const result& b, std::size_t i) {
  EXPECT_EQ(a.code, b.code) << i;
  EXPECT_EQ(a.label, b.label) << i;
  EXPECT_EQ(a.signature_verified, b.signature_verified) << i;
  EXPECT_EQ(a.fingerprint_hex(), b.fingerprint_hex()) << i;
  EXPECT_EQ(a.sub, b.sub) << i;
  EXPECT_EQ(a.exp, b.exp) << i;
  EXPECT_EQ(a.kid, b.kid) << i;
}

TEST(Batch, SameResultsWithOneTwoAndManyThreadsAsOneByOne) {
  const corpus c = make_corpus(1500);
  const auto tokens = views(c.tokens);
  std::vector<result> expected(tokens.size());
  for (std::size_t i = 0; i < tokens.size(); ++i) c.rules->verify(tokens[i], expected[i]);

  std::size_t statuses_seen = 0;
  // TBB caps workers at the core count (2 on CI): 1 and 2 threads cover both cases.
  for (int threads : {1, 2}) {
    const batch_verifier batch(c.rules, batch_options{.threads = threads, .grain = 7});
    EXPECT_EQ(batch.threads(), threads);
    std::vector<result> got(tokens.size());
    batch.verify_batch(tokens, got);
    for (std::size_t i = 0; i < tokens.size(); ++i) expect_same(got[i], expected[i], i);
    // Reuse the same results: nothing of the previous batch may remain.
    batch.verify_batch(tokens, got);
    for (std::size_t i = 0; i < tokens.size(); ++i) expect_same(got[i], expected[i], i);
    statuses_seen = 0;
    std::vector<bool> seen(status_count);
    for (const result& r : got) seen[static_cast<std::size_t>(r.code)] = true;
    for (bool s : seen) statuses_seen += s ? 1 : 0;
  }
  // The corpus exercises ok, expired, forged, too large and bad-length tokens.
  EXPECT_GE(statuses_seen, 5U);
}

TEST(Batch, PerTokenTimes) {
  key_set_builder b;
  b.add_secret(std::vector<std::uint8_t>(32, 1), "s", "k", alg::hs256);
  auto rules = std::make_shared<verifier>(b.build());
  const std::string t = sign_compact(rules->keys(), "k", alg::hs256, R"({"nbf":100,"exp":200})");
  const std::vector<std::string_view> tokens(5, t);
  const std::vector<double> times = {99, 100, 150, 199.5, 200};
  std::vector<result> results(tokens.size());
  batch_verifier(rules, batch_options{.threads = 2, .grain = 1})
      .verify_batch_at(tokens, times, results);
  EXPECT_EQ(results[0].code, status::not_yet_valid);
  EXPECT_EQ(results[1].code, status::ok);
  EXPECT_EQ(results[2].code, status::ok);
  EXPECT_EQ(results[3].code, status::ok);
  EXPECT_EQ(results[4].code, status::expired);
}

TEST(Batch, EmptyAndMismatchedSpans) {
  key_set_builder b;
  b.add_secret(std::vector<std::uint8_t>(32, 1), "s", "k", alg::hs256);
  const batch_verifier batch(std::make_shared<verifier>(b.build()));
  EXPECT_GE(batch.threads(), 1);
  std::vector<result> none;
  batch.verify_batch({}, none);
  std::vector<std::string_view> one = {"a.b.c"};
  EXPECT_THROW(batch.verify_batch(one, none), std::invalid_argument);
  std::vector<result> r(1);
  EXPECT_THROW(batch.verify_batch_at(one, std::vector<double>{}, r), std::invalid_argument);
  batch.verify_batch(one, r);
  EXPECT_EQ(r[0].code, status::bad_base64);  // "a": one character cannot be base64url
  EXPECT_THROW(batch_verifier(nullptr), config_error);
  EXPECT_THROW(batch_verifier(std::make_shared<verifier>(b.build()), {.threads = -1}),
               config_error);
}

}  // namespace
}  // namespace jwtbatch
