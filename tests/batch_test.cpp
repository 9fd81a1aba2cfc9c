// The batch API: N tokens in, N results out, in order; identical results with 1, 2
// and N threads; per-token evaluation times; hostile tokens among good ones.
#include "jwtbatch/batch.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <tbb/global_control.h>
#include <unistd.h>

#include <climits>
#include <cstdio>
#include <fstream>
#include <iterator>
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

// threads outside 0..max_threads is a configuration error that names the field, raised
// before TBB is asked for anything (INT_MAX used to crash inside TBB).
TEST(Batch, ThreadCountsOutsideTheBoundsAreRefused) {
  key_set_builder b;
  b.add_secret(std::vector<std::uint8_t>(32, 1), "s", "k", alg::hs256);
  const auto rules = std::make_shared<verifier>(b.build());
  for (const int threads : {-1, INT_MIN, max_threads + 1, 10000000, INT_MAX}) {
    try {
      const batch_verifier batch(rules, {.threads = threads});
      ADD_FAILURE() << threads << " accepted";
    } catch (const config_error& e) {
      const std::string what = e.what();
      EXPECT_NE(what.find("threads"), std::string::npos) << what;
      EXPECT_NE(what.find(std::to_string(max_threads)), std::string::npos) << what;
      EXPECT_NE(what.find(std::to_string(threads)), std::string::npos) << what;
    }
  }
}

// Every accepted thread count works: max_threads on a machine with fewer cores runs
// the batch with the right results, on as many threads as TBB lets the process use.
TEST(Batch, EveryAcceptedThreadCountWorks) {
  const corpus c = make_corpus(300);
  const auto tokens = views(c.tokens);
  std::vector<result> expected(tokens.size());
  for (std::size_t i = 0; i < tokens.size(); ++i) c.rules->verify(tokens[i], expected[i]);
  const auto allowed = static_cast<int>(
      tbb::global_control::active_value(tbb::global_control::max_allowed_parallelism));
  for (const int threads : {0, 1, 2, 3, 64, max_threads - 1, max_threads}) {
    const batch_verifier batch(c.rules, {.threads = threads});
    const int want = threads == 0 ? allowed : std::min(threads, allowed);
    EXPECT_EQ(batch.threads(), want) << threads;
    std::vector<result> got(tokens.size());
    batch.verify_batch(tokens, got);
    for (std::size_t i = 0; i < tokens.size(); ++i) expect_same(got[i], expected[i], i);
  }
}

// Nothing of the library's reaches stderr uninvited (in `scan --rsyslog` stderr is the
// reply channel): no accepted thread count makes TBB print a warning such as "The
// number of workers is currently limited to 1". fd 2 goes to a file for the test.
TEST(Batch, NoAcceptedThreadCountMakesTbbWriteToStderr) {
  const std::string path = ::testing::TempDir() + "batch_stderr_" + std::to_string(::getpid());
  std::fflush(stderr);
  const int saved = ::dup(2);
  ASSERT_GE(saved, 0);
  const int file = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  ASSERT_GE(file, 0);
  ASSERT_EQ(::dup2(file, 2), 2);
  ::close(file);
  {
    const corpus c = make_corpus(200);
    const auto tokens = views(c.tokens);
    std::vector<result> got(tokens.size());
    // The first engine creates TBB's thread pool at its default size; the larger ones
    // come while it is alive, then alone, then once more.
    const batch_verifier automatic(c.rules, {.threads = 0});
    automatic.verify_batch(tokens, got);
    for (const int threads : {max_threads, 3, max_threads - 1}) {
      const batch_verifier batch(c.rules, {.threads = threads});
      batch.verify_batch(tokens, got);
    }
    const batch_verifier most(c.rules, {.threads = max_threads});
    most.verify_batch(tokens, got);
    std::vector<std::string_view> one(1, tokens.front());
    std::vector<result> r(1);
    most.verify_batch(one, r);
  }
  std::fflush(stderr);
  ASSERT_EQ(::dup2(saved, 2), 2);
  ::close(saved);
  std::ifstream in(path, std::ios::binary);
  const std::string written((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::remove(path.c_str());
  EXPECT_EQ(written, "");
}

}  // namespace
}  // namespace jwtbatch
