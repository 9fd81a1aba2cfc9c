// Keys that change while an engine runs: a batch_verifier that follows a key source
// verifies each batch and stream chunk with the newest keys, asks the source once per
// batch when a kid is unknown, and never answers from the cache of an older set; a
// local key source reloads its files all or nothing. The fetch rules' pure parts
// (https URLs, Cache-Control) are here too; fetching itself is tested end to end over
// loopback HTTPS (tests/keys/remote_keys_test.py).
#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <limits>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "jwtbatch/batch.hpp"
#include "jwtbatch/key_set.hpp"
#include "jwtbatch/key_source.hpp"
#include "jwtbatch/pipeline.hpp"
#include "jwtbatch/remote_keys.hpp"
#include "jwtbatch/sign.hpp"
#include "remote/fetch.hpp"

namespace jwtbatch {
namespace {

constexpr double k_now = 1700000000;

struct signer {
  std::string kid;
  std::string private_jwk;
  std::string public_jwk;
  std::shared_ptr<const key_set> private_set;

  explicit signer(const std::string& id) : kid(id) {
    const generated_key g = generate_key(alg::es256, id);
    private_jwk = g.private_jwk;
    public_jwk = g.public_jwk;
    private_set = key_set_builder().expect_private_keys().add_jwks(private_jwk, id).build();
  }
  [[nodiscard]] std::string token() const {
    return sign_compact(*private_set, kid, alg::es256, R"({"sub":"s","exp":1700003600})");
  }
};

std::shared_ptr<const key_set> set_of(const std::vector<const signer*>& keys) {
  key_set_builder b;
  for (const signer* s : keys) b.add_jwks(s->public_jwk, s->kid);
  return b.build();
}

// A source the test switches by hand; an unknown kid switches it to `on_unknown` when
// one is armed.
class test_source final : public key_source {
 public:
  explicit test_source(std::shared_ptr<const key_set> first) : keys_(std::move(first)) {}
  [[nodiscard]] std::shared_ptr<const key_set> keys() const override {
    const std::lock_guard lock(m_);
    return keys_;
  }
  void publish(std::shared_ptr<const key_set> k) {
    {
      const std::lock_guard lock(m_);
      keys_ = std::move(k);
    }
    advance_generation();
  }
  [[nodiscard]] bool refresh_for_unknown_kid(std::uint64_t seen) noexcept override {
    ++asked;
    if (generation() != seen) return true;
    std::shared_ptr<const key_set> next;
    {
      const std::lock_guard lock(m_);
      next = std::move(on_unknown_);
    }
    if (!next) return false;
    publish(std::move(next));
    return true;
  }
  void arm(std::shared_ptr<const key_set> k) {
    const std::lock_guard lock(m_);
    on_unknown_ = std::move(k);
  }
  std::atomic<int> asked{0};

 private:
  mutable std::mutex m_;
  std::shared_ptr<const key_set> keys_;
  std::shared_ptr<const key_set> on_unknown_;
};

policy fixed_policy() {
  policy p;
  p.fixed_time = k_now;
  return p;
}

std::vector<status> statuses(const batch_verifier& engine, const std::vector<std::string>& tokens) {
  std::vector<std::string_view> views(tokens.begin(), tokens.end());
  std::vector<result> results(tokens.size());
  engine.verify_batch(views, results);
  std::vector<status> out;
  for (const result& r : results) out.push_back(r.code);
  return out;
}

TEST(FollowingEngine, VerifiesWithTheNewestKeysFromTheNextBatch) {
  const signer a("a");
  const signer b("b");
  auto source = std::make_shared<test_source>(set_of({&a}));
  const batch_verifier engine(source, fixed_policy(), nullptr, {.threads = 2});
  const std::vector<std::string> tokens{a.token(), b.token()};
  EXPECT_EQ(statuses(engine, tokens), (std::vector{status::ok, status::key_not_found}));
  const std::uint64_t before = engine.current().keys_generation;
  source->publish(set_of({&b}));
  EXPECT_NE(engine.current().keys_generation, before);
  EXPECT_EQ(statuses(engine, tokens), (std::vector{status::key_not_found, status::ok}));
  // The policy is the engine's, whatever the keys.
  EXPECT_EQ(engine.current().rules->policy().fixed_time, k_now);
  EXPECT_EQ(engine.policy().fixed_time, k_now);
}

TEST(FollowingEngine, AnUnknownKidAsksTheSourceOncePerBatchAndIsVerifiedAgain) {
  const signer a("a");
  const signer b("b");
  auto source = std::make_shared<test_source>(set_of({&a}));
  const batch_verifier engine(source, fixed_policy(), nullptr, {.threads = 2});
  std::vector<std::string> tokens;
  for (int i = 0; i < 200; ++i) tokens.push_back(i % 2 == 0 ? a.token() : b.token());
  // Nothing newer: b's tokens stay key_not_found, and the source was asked once.
  std::vector<status> got = statuses(engine, tokens);
  for (std::size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i], i % 2 == 0 ? status::ok : status::key_not_found) << i;
  }
  EXPECT_EQ(source->asked.load(), 1);
  // The source finds {a, b} when asked: every token of the same batch is ok.
  source->arm(set_of({&a, &b}));
  got = statuses(engine, tokens);
  for (std::size_t i = 0; i < got.size(); ++i) EXPECT_EQ(got[i], status::ok) << i;
  EXPECT_EQ(source->asked.load(), 2);
  // A batch without unknown kids never asks.
  (void)statuses(engine, {a.token()});
  EXPECT_EQ(source->asked.load(), 2);
}

TEST(FollowingEngine, TheCacheNeverAnswersWithAnOlderSetsVerdict) {
  const signer a("a");
  const signer b("b");
  auto source = std::make_shared<test_source>(set_of({&a}));
  auto cache = std::make_shared<token_cache>(cache_options{.max_entries = 1024});
  const batch_verifier engine(source, fixed_policy(), cache, {.threads = 1});
  const std::vector<std::string> tokens{a.token()};
  EXPECT_EQ(statuses(engine, tokens), (std::vector{status::ok}));
  EXPECT_EQ(statuses(engine, tokens), (std::vector{status::ok}));
  EXPECT_EQ(cache->stats().hits, 1U);
  // a is retired: its token, cached as ok, is judged by the new set.
  source->publish(set_of({&b}));
  EXPECT_EQ(statuses(engine, tokens), (std::vector{status::key_not_found}));
  EXPECT_EQ(cache->stats().hits, 1U);
}

TEST(FollowingEngine, StreamsFollowTheSourceChunkByChunk) {
  const signer a("a");
  const signer b("b");
  auto source = std::make_shared<test_source>(set_of({&a}));
  source->arm(set_of({&a, &b}));
  const batch_verifier engine(source, fixed_policy(), nullptr, {.threads = 2});
  std::string input;
  for (int i = 0; i < 50; ++i) input += (i < 25 ? a.token() : b.token()) + "\n";
  memory_source bytes(input);
  const whole_line_extractor extractor;
  std::vector<status> got;
  const line_sink sink = [&](const line_result& line, bool /*flush*/) {
    for (const result& r : line.results) got.push_back(r.code);
  };
  (void)verify_stream(engine, bytes, extractor, sink);
  ASSERT_EQ(got.size(), 50U);
  for (std::size_t i = 0; i < got.size(); ++i) EXPECT_EQ(got[i], status::ok) << i;
  EXPECT_GE(source->asked.load(), 1);
}

TEST(FollowingEngine, NeedsASource) {
  EXPECT_THROW(batch_verifier(std::shared_ptr<key_source>(), policy{}), config_error);
}

// ---- the local key source: files, reloaded all or nothing ----------------------------

std::string write_file(const std::string& name, const std::string& text) {
  const std::string path = ::testing::TempDir() + "/key_source_test_" + name;
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
  return path;
}

TEST(LocalKeySource, ReloadReadsTheFilesAgainOrKeepsTheKeys) {
  const signer a("a");
  const signer b("b");
  const std::string path = write_file("reload.json", a.public_jwk);
  std::vector<std::string> log;
  std::mutex log_m;
  auto source =
      make_local_key_source([path](key_set_builder& builder) { builder.add_file(path); }, false,
                            [&](std::string_view line) {
                              const std::lock_guard lock(log_m);
                              log.emplace_back(line);
                            });
  const batch_verifier engine(source, fixed_policy());
  const std::vector<std::string> tokens{a.token(), b.token()};
  EXPECT_EQ(statuses(engine, tokens), (std::vector{status::ok, status::key_not_found}));
  const std::uint64_t first = source->generation();

  (void)write_file("reload.json", b.public_jwk);
  source->reload();
  EXPECT_EQ(source->generation(), first + 1);
  EXPECT_EQ(statuses(engine, tokens), (std::vector{status::key_not_found, status::ok}));

  (void)write_file("reload.json", "{not json");
  try {
    source->reload();
    ADD_FAILURE() << "a garbage key file reloaded";
  } catch (const config_error& e) {
    EXPECT_EQ(std::string(e.what()).rfind(path + ": ", 0), 0U) << e.what();
  }
  EXPECT_EQ(source->generation(), first + 1);
  EXPECT_EQ(statuses(engine, tokens), (std::vector{status::key_not_found, status::ok}));
  // No URL: nothing is fetched, an unknown kid asks nothing of the network.
  EXPECT_FALSE(source->refresh_for_unknown_kid(source->generation()));
  const key_source_stats st = source->stats();
  EXPECT_EQ(st.fetches, 0U);
  EXPECT_EQ(st.fetch_failures, 0U);
  std::remove(path.c_str());
}

TEST(LocalKeySource, AFirstLoadThatFailsThrows) {
  EXPECT_THROW((void)make_local_key_source(
                   [](key_set_builder& b) { b.add_file("/nonexistent/jwks.json"); }, false),
               config_error);
}

TEST(RemoteKeySource, RefusesAnythingButHttps) {
  for (const char* url :
       {"http://127.0.0.1/jwks.json", "ftp://x/y", "https:///path", "file:///etc/passwd"}) {
    remote_key_options o;
    o.sources.push_back({.url = url, .discovery = false, .name = "--jwks-url " + std::string(url)});
    try {
      refreshing_key_source s(std::move(o));
      ADD_FAILURE() << url;
    } catch (const config_error& e) {
      EXPECT_EQ(std::string(e.what()),
                "--jwks-url " + std::string(url) +
                    ": not an https:// URL (keys are fetched over https only)");
    }
  }
}

TEST(RemoteKeySource, RefusesDurationsOutOfBounds) {
  const double inf = std::numeric_limits<double>::infinity();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  struct durations {
    double refresh, cooldown, timeout;
  };
  for (const durations d :
       {durations{0, 30, 10}, durations{-1, 30, 10}, durations{1e10, 30, 10},
        durations{inf, 30, 10}, durations{nan, 30, 10}, durations{300, -1, 10},
        durations{300, 604801, 10}, durations{300, nan, 10}, durations{300, 30, 0},
        durations{300, 30, 601}, durations{300, 30, inf}}) {
    remote_key_options o;
    o.local_keys = [](key_set_builder& b) {
      b.add_secret(std::vector<std::uint8_t>(32, 1), "s", "k", alg::hs256);
    };
    o.refresh_seconds = d.refresh;
    o.cooldown_seconds = d.cooldown;
    o.timeout_seconds = d.timeout;
    try {
      refreshing_key_source s(std::move(o));
      ADD_FAILURE() << d.refresh << " " << d.cooldown << " " << d.timeout;
    } catch (const config_error& e) {
      EXPECT_EQ(std::string(e.what()),
                "remote keys: refresh must be in (0, 604800] seconds, cooldown in [0, 604800], "
                "timeout in (0, 600]");
    }
  }
  // The bounds themselves are accepted.
  remote_key_options o;
  o.local_keys = [](key_set_builder& b) {
    b.add_secret(std::vector<std::uint8_t>(32, 1), "s", "k", alg::hs256);
  };
  o.refresh_seconds = max_refresh_seconds;
  o.cooldown_seconds = 0;
  o.timeout_seconds = max_fetch_timeout_seconds;
  EXPECT_EQ(refreshing_key_source(std::move(o)).keys()->size(), 1U);
}

// ---- fetch rules ----------------------------------------------------------------------

TEST(FetchRules, HttpsUrls) {
  EXPECT_TRUE(detail::is_https_url("https://issuer.example/jwks.json"));
  EXPECT_TRUE(detail::is_https_url("HTTPS://127.0.0.1:8443"));
  EXPECT_FALSE(detail::is_https_url("http://issuer.example/jwks.json"));
  EXPECT_FALSE(detail::is_https_url("https://"));
  EXPECT_FALSE(detail::is_https_url("https:///jwks.json"));
  EXPECT_FALSE(detail::is_https_url(" https://issuer.example"));
  EXPECT_FALSE(detail::is_https_url(""));
}

TEST(FetchRules, CacheControlMaxAge) {
  EXPECT_EQ(detail::cache_max_age(" max-age=600\r\n"), 600.0);
  EXPECT_EQ(detail::cache_max_age("public, max-age=60, must-revalidate"), 60.0);
  EXPECT_EQ(detail::cache_max_age("Max-Age=5"), 5.0);
  EXPECT_EQ(detail::cache_max_age("no-store"), 0.0);
  EXPECT_EQ(detail::cache_max_age("max-age=600, no-cache"), 0.0);
  EXPECT_EQ(detail::cache_max_age("max-age=abc"), std::nullopt);
  EXPECT_EQ(detail::cache_max_age("max-age="), std::nullopt);
  EXPECT_EQ(detail::cache_max_age("s-maxage=60"), std::nullopt);
  EXPECT_EQ(detail::cache_max_age(""), std::nullopt);
}

}  // namespace
}  // namespace jwtbatch
