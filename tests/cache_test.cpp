// The verified-token cache: a hit gives exactly what verifying again would give,
// time claims are judged at each use, a new key set invalidates, a token that
// differs by one byte never hits, and the bounds hold.
#include "jwtbatch/cache.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "jwtbatch/batch.hpp"
#include "jwtbatch/key_set.hpp"
#include "jwtbatch/sign.hpp"
#include "jwtbatch/verifier.hpp"
#include "result_compare.hpp"
#include "test_support.hpp"

namespace jwtbatch {
namespace {

using test::expect_same_result;

std::shared_ptr<const key_set> hs256_keys(std::uint8_t fill) {
  key_set_builder b;
  b.add_secret(std::vector<std::uint8_t>(32, fill), "secret", "k", alg::hs256);
  return b.build();
}

std::shared_ptr<const key_set> es256_keys() {
  key_set_builder b;
  b.add_jwks(generate_key(alg::es256, "ec").private_jwk, "ec.jwk");
  return b.build();
}

std::string claims_json(int n, const std::string& extra = "") {
  return R"({"iss":"https://issuer.example","sub":"user-)" + std::to_string(n) +
         R"(","aud":["api","web"],"jti":"j)" + std::to_string(n) +
         R"(","scope":"read write","tenant":{"id":7})" + extra + "}";
}

// The verdicts of `v` (cached) and of a cacheless twin, at time `at`.
struct twin {
  std::shared_ptr<token_cache> cache;
  verifier cached;
  verifier plain;
  // The tests below store at the first verification; the doorkeeper has tests of its own.
  twin(std::shared_ptr<const key_set> keys, const policy& p,
       cache_options o = {.admission = cache_admission::first_sight})
      : cache(std::make_shared<token_cache>(o)), cached(keys, p, cache), plain(keys, p) {}

  result check(const std::string& token, double at, const std::string& where) const {
    result a;
    result b;
    cached.verify_at(token, at, a);
    plain.verify_at(token, at, b);
    expect_same_result(a, b, where);
    return a;
  }
};

policy with_claims_returned() {
  policy p;
  p.returned_claims = {"scope", "tenant"};
  return p;
}

TEST(Cache, RepeatedTokenHitsWithTheSameResult) {
  const twin t(hs256_keys(1), with_claims_returned());
  const std::string token =
      sign_compact(t.cached.keys(), "k", alg::hs256, claims_json(1, R"(,"exp":2000000000)"));
  const result first = t.check(token, 1700000000, "first use");
  EXPECT_EQ(first.code, status::ok);
  for (int i = 0; i < 3; ++i) {
    const result again = t.check(token, 1700000000, "use " + std::to_string(i + 2));
    EXPECT_EQ(again.code, status::ok);
    ASSERT_EQ(again.custom_claims.size(), 2U);
    EXPECT_EQ(again.custom_claims[1].second, R"({"id":7})");
  }
  const cache_stats s = t.cache->stats();
  EXPECT_EQ(s.misses, 1U);
  EXPECT_EQ(s.hits, 3U);
  EXPECT_EQ(s.insertions, 1U);
  EXPECT_EQ(s.entries, 1U);
  EXPECT_GT(s.bytes, token.size());
}

// The default admission: a token is noted at its first verification, stored at its
// second, and hit from its third; tokens seen once never cost an entry.
TEST(Cache, DoorkeeperStoresATokenAtItsSecondVerification) {
  const twin t(hs256_keys(1), policy{}, cache_options{});
  const std::string token =
      sign_compact(t.cached.keys(), "k", alg::hs256, claims_json(1, R"(,"exp":2000)"));
  EXPECT_EQ(t.check(token, 1000, "first").code, status::ok);
  cache_stats s = t.cache->stats();
  EXPECT_EQ(s.first_sightings, 1U);
  EXPECT_EQ(s.insertions, 0U);
  EXPECT_EQ(s.entries, 0U);
  EXPECT_EQ(t.check(token, 1000, "second").code, status::ok);
  s = t.cache->stats();
  EXPECT_EQ(s.insertions, 1U);
  EXPECT_EQ(s.hits, 0U);
  EXPECT_EQ(t.check(token, 1000, "third").code, status::ok);
  EXPECT_EQ(t.check(token, 3000, "fourth, expired").code, status::expired);
  s = t.cache->stats();
  EXPECT_EQ(s.hits, 2U);
  EXPECT_EQ(s.misses, 2U);
  EXPECT_EQ(s.first_sightings, 1U);

  for (int i = 2; i < 202; ++i) {
    const std::string once = sign_compact(t.cached.keys(), "k", alg::hs256, claims_json(i));
    EXPECT_EQ(t.check(once, 1000, "distinct " + std::to_string(i)).code, status::ok);
  }
  s = t.cache->stats();
  EXPECT_EQ(s.first_sightings, 201U);
  EXPECT_EQ(s.insertions, 1U);
  EXPECT_EQ(s.entries, 1U);
  EXPECT_EQ(s.evictions, 0U);
}

// The default admission is by cost: a public-key token is stored at its first
// verification (its second costs a lookup, not a signature check); with second_sight
// it waits for the doorkeeper like an HMAC token.
TEST(Cache, PublicKeyTokensAreStoredAtTheirFirstVerificationByDefault) {
  key_set_builder b;
  b.add_jwks(generate_key(alg::eddsa, "k").private_jwk, "test");
  const std::shared_ptr<const key_set> keys = b.build();
  const std::string token = sign_compact(*keys, "k", alg::eddsa, claims_json(1));
  for (const cache_admission admission :
       {cache_admission::by_cost, cache_admission::second_sight}) {
    const twin t(keys, policy{}, cache_options{.admission = admission});
    EXPECT_EQ(t.check(token, 1000, "first").code, status::ok);
    EXPECT_EQ(t.check(token, 1000, "second").code, status::ok);
    const cache_stats s = t.cache->stats();
    if (admission == cache_admission::by_cost) {
      EXPECT_EQ(s.first_sightings, 0U);
      EXPECT_EQ(s.insertions, 1U);
      EXPECT_EQ(s.hits, 1U);
    } else {
      EXPECT_EQ(s.first_sightings, 1U);
      EXPECT_EQ(s.insertions, 1U);
      EXPECT_EQ(s.hits, 0U);
    }
  }
}

TEST(Cache, CachedTokenExpiresOnTime) {
  const twin t(hs256_keys(1), policy{});
  const std::string token = sign_compact(t.cached.keys(), "k", alg::hs256,
                                         claims_json(1, R"(,"exp":1000,"nbf":500,"iat":400)"));
  EXPECT_EQ(t.check(token, 999, "before exp").code, status::ok);
  EXPECT_EQ(t.check(token, 1000, "at exp").code, status::expired);
  EXPECT_EQ(t.check(token, 499, "before nbf").code, status::not_yet_valid);
  EXPECT_EQ(t.check(token, 500, "at nbf").code, status::ok);
  EXPECT_EQ(t.check(token, 399, "before iat and nbf").code, status::not_yet_valid);
  const std::string issued =
      sign_compact(t.cached.keys(), "k", alg::hs256, claims_json(2, R"(,"iat":400)"));
  EXPECT_EQ(t.check(issued, 400, "at iat").code, status::ok);
  EXPECT_EQ(t.check(issued, 399, "before iat").code, status::issued_in_future);
  EXPECT_EQ(t.cache->stats().hits, 5U);
}

TEST(Cache, LeewayAndMaxAgeAreJudgedAtEachUse) {
  policy p;
  p.leeway_seconds = 10;
  p.max_age_seconds = 100;
  const twin t(hs256_keys(1), p);
  const std::string token =
      sign_compact(t.cached.keys(), "k", alg::hs256, claims_json(1, R"(,"exp":1000,"iat":950)"));
  EXPECT_EQ(t.check(token, 1009, "within leeway").code, status::ok);
  EXPECT_EQ(t.check(token, 1010, "past leeway").code, status::expired);
  policy old;
  old.max_age_seconds = 20;
  const twin strict(hs256_keys(1), old);
  EXPECT_EQ(strict.check(token, 970, "age 20").code, status::ok);
  EXPECT_EQ(strict.check(token, 971, "age 21").code, status::too_old);
  EXPECT_EQ(strict.cache->stats().hits, 1U);
}

TEST(Cache, StaticClaimFailuresComeBackInPolicyOrder) {
  policy p;
  p.issuers = {"https://other.example"};
  p.required_claims = {"tenant"};
  const twin t(hs256_keys(1), p);
  // issuer_mismatch comes after the time checks, missing_claim before them.
  const std::string wrong_issuer =
      sign_compact(t.cached.keys(), "k", alg::hs256, claims_json(1, R"(,"exp":1000)"));
  EXPECT_EQ(t.check(wrong_issuer, 10, "valid time").code, status::issuer_mismatch);
  EXPECT_EQ(t.check(wrong_issuer, 10, "valid time, hit").code, status::issuer_mismatch);
  EXPECT_EQ(t.check(wrong_issuer, 2000, "expired, hit").code, status::expired);
  const std::string no_tenant = sign_compact(t.cached.keys(), "k", alg::hs256,
                                             R"({"iss":"https://other.example","exp":1000})");
  EXPECT_EQ(t.check(no_tenant, 2000, "expired").code, status::missing_claim);
  EXPECT_EQ(t.check(no_tenant, 2000, "expired, hit").code, status::missing_claim);
  const std::string bad_json = sign_compact(t.cached.keys(), "k", alg::hs256, R"({"a":1,"a":2})");
  EXPECT_EQ(t.check(bad_json, 10, "duplicate").code, status::duplicate_member);
  EXPECT_EQ(t.check(bad_json, 10, "duplicate, hit").code, status::duplicate_member);
  EXPECT_EQ(t.cache->stats().hits, 4U);
}

// A cached token's missing_claim names the same claim a fresh verification names,
// also when the evaluation time decides between expired and a missing claim.
TEST(Cache, MissingClaimDetailComesBackFromTheCache) {
  policy p;
  p.required_claims = {"sub", "tenant"};
  p.max_age_seconds = 60;
  p.issuers = {"https://issuer.example"};
  const twin t(hs256_keys(3), p);
  const std::string no_tenant =
      sign_compact(t.cached.keys(), "k", alg::hs256, R"({"sub":"a","iat":1000})");
  const std::string no_iat =
      sign_compact(t.cached.keys(), "k", alg::hs256, R"({"sub":"a","tenant":1,"exp":2000})");
  const std::string no_iss = sign_compact(t.cached.keys(), "k", alg::hs256,
                                          R"({"sub":"a","tenant":1,"iat":1000,"exp":2000})");
  for (int use = 0; use < 3; ++use) {
    EXPECT_EQ(t.check(no_tenant, 1010, "tenant").detail, "tenant");
    EXPECT_EQ(t.check(no_iat, 1500, "iat").detail, "iat");
    EXPECT_FALSE(t.check(no_iat, 2500, "iat, expired").detail);
    EXPECT_EQ(t.check(no_iat, 1600, "iat again").detail, "iat");
    EXPECT_EQ(t.check(no_iss, 1010, "iss").detail, "iss");
    EXPECT_FALSE(t.check(no_iss, 1100, "iss, too old").detail);
  }
  EXPECT_GT(t.cache->stats().hits, 0U);
}

TEST(Cache, NewKeySetInvalidatesEverythingBefore) {
  auto cache =
      std::make_shared<token_cache>(cache_options{.admission = cache_admission::first_sight});
  const verifier before(hs256_keys(1), policy{}, cache);
  const std::string token =
      sign_compact(before.keys(), "k", alg::hs256, claims_json(1, R"(,"exp":2000)"));
  result r;
  before.verify_at(token, 1000, r);
  EXPECT_EQ(r.code, status::ok);
  EXPECT_EQ(cache->stats().entries, 1U);

  // The same kid now names another secret: the token must no longer verify.
  const verifier after(hs256_keys(2), policy{}, cache);
  EXPECT_EQ(cache->stats().entries, 0U);
  EXPECT_EQ(cache->stats().invalidated, 1U);
  after.verify_at(token, 1000, r);
  EXPECT_EQ(r.code, status::bad_signature);
  EXPECT_FALSE(r.signature_verified);
  // The old verifier still answers from its own key set, and cannot refill the cache.
  before.verify_at(token, 1000, r);
  EXPECT_EQ(r.code, status::ok);
  after.verify_at(token, 1000, r);
  EXPECT_EQ(r.code, status::bad_signature);
  const cache_stats s = cache->stats();
  EXPECT_EQ(s.hits, 1U);  // the last call, on the forgery the new verifier stored
  EXPECT_EQ(s.entries, 1U);
}

TEST(Cache, ATokenDifferingByOneByteNeverHits) {
  const twin t(es256_keys(), policy{});
  const std::string token =
      sign_compact(t.cached.keys(), "ec", alg::es256, claims_json(1, R"(,"exp":2000)"));
  ASSERT_EQ(t.check(token, 1000, "original").code, status::ok);
  std::uint64_t expected_hits = 0;
  for (std::size_t i = 0; i < token.size(); ++i) {
    std::string changed = token;
    changed[i] = changed[i] == 'A' ? 'B' : 'A';
    const result r = t.check(changed, 1000, "byte " + std::to_string(i));
    EXPECT_NE(r.code, status::ok) << i;
    // Trailing-bit changes of the signature are refused as bad_base64 (strict
    // decoding), before any cache entry could be made; forgeries are stored, so
    // checking one again is the only way to hit.
    if (t.check(changed, 1000, "again " + std::to_string(i)).code == status::bad_signature) {
      ++expected_hits;
    }
  }
  EXPECT_EQ(t.check(token + "A", 1000, "one byte more").code, status::bad_signature_length);
  EXPECT_EQ(t.check(token.substr(0, token.size() - 1), 1000, "one byte less").code,
            status::bad_base64);
  // The forgeries changed outside the last 64 bytes share the original's hash and
  // replaced its entry (TokensSharingTheirTailShareOneEntryAndNeverHitEachOther): the
  // original is verified again, not hit.
  EXPECT_EQ(t.check(token, 1000, "original again").code, status::ok);
  EXPECT_EQ(t.cache->stats().hits, expected_hits);
  EXPECT_EQ(t.check(token, 1000, "original a third time").code, status::ok);
  EXPECT_EQ(t.cache->stats().hits, expected_hits + 1);
}

// The index hashes a token's tail (its signature) and length: a forgery that reuses a
// genuine token's signature and tail shares its hash. It never hits the genuine entry
// (the whole token is compared); the two replace each other's entry.
TEST(Cache, TokensSharingTheirTailShareOneEntryAndNeverHitEachOther) {
  const twin t(hs256_keys(1), policy{});
  const std::string genuine =
      sign_compact(t.cached.keys(), "k", alg::hs256, claims_json(1, R"(,"exp":2000)"));
  // Same length, the payload changed only in its first bytes: the last 64 bytes of the
  // token are the genuine one's.
  const std::string other =
      sign_compact(t.cached.keys(), "k", alg::hs256, claims_json(2, R"(,"exp":2000)"));
  const std::size_t payload = genuine.find('.') + 1;
  const std::size_t signature = genuine.rfind('.');
  const std::string forged = genuine.substr(0, payload) +
                             other.substr(payload, other.rfind('.') - payload) +
                             genuine.substr(signature);
  ASSERT_EQ(forged.size(), genuine.size());
  ASSERT_NE(forged, genuine);
  ASSERT_EQ(forged.substr(forged.size() - 64), genuine.substr(genuine.size() - 64));

  EXPECT_EQ(t.check(genuine, 1000, "genuine").code, status::ok);
  EXPECT_EQ(t.check(forged, 1000, "forged").code, status::bad_signature);
  EXPECT_EQ(t.check(genuine, 1000, "genuine again").code, status::ok);
  EXPECT_EQ(t.check(genuine, 1000, "genuine a third time").code, status::ok);
  const cache_stats s = t.cache->stats();
  EXPECT_EQ(s.misses, 3U);  // the forgery missed the genuine entry, and replaced it
  EXPECT_EQ(s.insertions, 3U);
  EXPECT_EQ(s.hits, 1U);
  EXPECT_EQ(s.entries, 1U);
}

TEST(Cache, ForgeriesAreKeptOnlyWhenAsked) {
  for (const bool keep : {true, false}) {
    const twin t(es256_keys(), policy{},
                 cache_options{.keep_forgeries = keep, .admission = cache_admission::first_sight});
    std::string forged = sign_compact(t.cached.keys(), "ec", alg::es256, claims_json(1));
    const std::string other = sign_compact(t.cached.keys(), "ec", alg::es256, claims_json(2));
    forged.replace(forged.rfind('.'), std::string::npos, other.substr(other.rfind('.')));
    EXPECT_EQ(t.check(forged, 1000, "forged").code, status::bad_signature);
    EXPECT_EQ(t.check(forged, 1000, "forged again").code, status::bad_signature);
    EXPECT_EQ(t.cache->stats().hits, keep ? 1U : 0U);
    EXPECT_EQ(t.cache->stats().insertions, keep ? 1U : 0U);
  }
}

TEST(Cache, TokensRejectedBeforeTheSignatureAreNotStored) {
  const twin t(hs256_keys(1), policy{});
  const std::string good = sign_compact(t.cached.keys(), "k", alg::hs256, claims_json(1));
  const std::string unknown_kid = sign_compact(t.cached.keys(), "k", alg::hs256, claims_json(1),
                                               std::string_view(R"({"alg":"HS256","kid":"nope"})"));
  for (const std::string& bad :
       {std::string("a.b"), std::string("eyJhbGciOiJub25lIn0.e30."), unknown_kid}) {
    t.check(bad, 1000, bad);
    t.check(bad, 1000, bad);
  }
  EXPECT_EQ(t.cache->stats().insertions, 0U);
  EXPECT_EQ(t.cache->stats().hits, 0U);
  EXPECT_EQ(t.check(good, 1000, "good").code, status::ok);
  EXPECT_EQ(t.cache->stats().insertions, 1U);
}

TEST(Cache, LeastRecentlyUsedEntriesAreEvictedFirst) {
  const twin t(
      hs256_keys(1), policy{},
      cache_options{.max_entries = 4, .shards = 1, .admission = cache_admission::first_sight});
  std::vector<std::string> tokens;
  for (int i = 0; i < 5; ++i) {
    tokens.push_back(sign_compact(t.cached.keys(), "k", alg::hs256, claims_json(i)));
  }
  for (std::size_t i = 0; i < 4; ++i) t.check(tokens[i], 1000, "fill");
  t.check(tokens[0], 1000, "touch 0");  // hit: 1 is now the least recently used
  t.check(tokens[4], 1000, "add 4");    // evicts 1
  cache_stats s = t.cache->stats();
  EXPECT_EQ(s.entries, 4U);
  EXPECT_EQ(s.evictions, 1U);
  EXPECT_EQ(s.hits, 1U);
  t.check(tokens[0], 1000, "0 stays");
  t.check(tokens[2], 1000, "2 stays");
  EXPECT_EQ(t.cache->stats().hits, 3U);
  t.check(tokens[1], 1000, "1 was evicted");
  s = t.cache->stats();
  EXPECT_EQ(s.hits, 3U);
  EXPECT_EQ(s.misses, 6U);
  EXPECT_EQ(s.evictions, 2U);
}

TEST(Cache, ByteBoundHolds) {
  const twin t(
      hs256_keys(1), with_claims_returned(),
      cache_options{.max_bytes = 8192, .shards = 1, .admission = cache_admission::first_sight});
  for (int i = 0; i < 200; ++i) {
    t.check(sign_compact(t.cached.keys(), "k", alg::hs256, claims_json(i)), 1000, "fill");
  }
  const cache_stats s = t.cache->stats();
  EXPECT_LE(s.bytes, 8192U);
  EXPECT_GT(s.entries, 2U);
  EXPECT_LT(s.entries, 20U);
  EXPECT_EQ(s.entries + s.evictions, 200U);
}

TEST(Cache, LongTokensAreNeverStored) {
  const twin t(hs256_keys(1), policy{},
               cache_options{.max_token_bytes = 200, .admission = cache_admission::first_sight});
  const std::string big =
      sign_compact(t.cached.keys(), "k", alg::hs256,
                   claims_json(1, R"(,"pad":")" + std::string(300, 'x') + "\""));
  ASSERT_GT(big.size(), 200U);
  t.check(big, 1000, "big");
  t.check(big, 1000, "big again");
  const cache_stats s = t.cache->stats();
  EXPECT_EQ(s.insertions, 0U);
  EXPECT_EQ(s.hits + s.misses, 0U);
}

TEST(Cache, BadOptionsAreConfigurationErrors) {
  EXPECT_THROW(token_cache(cache_options{.max_entries = 0}), config_error);
  EXPECT_THROW(token_cache(cache_options{.max_bytes = 0}), config_error);
  // Above the bounds: refused before anything is allocated (4 Gi entries used to
  // preallocate until the OOM killer came), with the field and the bound named.
  const auto refused = [](const cache_options& o, const std::string& field,
                          const std::string& bound) {
    try {
      const token_cache cache(o);
      ADD_FAILURE() << field << " accepted";
    } catch (const config_error& e) {
      const std::string what = e.what();
      EXPECT_NE(what.find(field), std::string::npos) << what;
      EXPECT_NE(what.find(bound), std::string::npos) << what;
    }
  };
  const std::string entries = std::to_string(max_cache_entries);
  const std::string bytes = std::to_string(max_cache_bytes);
  refused({.max_entries = max_cache_entries + 1}, "max_entries", entries);
  refused({.max_entries = std::size_t{4294967296}}, "max_entries", entries);
  refused({.max_entries = SIZE_MAX}, "max_entries", entries);  // "-1" wrapped around
  refused({.max_bytes = max_cache_bytes + 1}, "max_bytes", bytes);
  refused({.max_bytes = SIZE_MAX}, "max_bytes", bytes);
  refused({.shards = max_cache_shards + 1}, "shards", std::to_string(max_cache_shards));
  refused({.shards = SIZE_MAX}, "shards", std::to_string(max_cache_shards));
  // Fewer entries than shards: the shard count shrinks so the bound still holds.
  const twin t(hs256_keys(1), policy{},
               cache_options{.max_entries = 3, .admission = cache_admission::first_sight});
  for (int i = 0; i < 50; ++i) {
    t.check(sign_compact(t.cached.keys(), "k", alg::hs256, claims_json(i)), 1000, "fill");
  }
  EXPECT_LE(t.cache->stats().entries, 3U);
}

// Many threads, each distinct token 20 times in shuffled order: every result equals
// the cacheless one, and each token misses at most once per thread.
// The largest accepted cache works (its bookkeeping is about 16 bytes per entry).
TEST(Cache, TheLargestAcceptedCacheWorks) {
  const twin t(hs256_keys(1), policy{},
               cache_options{.max_entries = max_cache_entries,
                             .max_bytes = max_cache_bytes,
                             .shards = max_cache_shards,
                             .admission = cache_admission::first_sight});
  const std::string token = sign_compact(t.cached.keys(), "k", alg::hs256, claims_json(1));
  EXPECT_EQ(t.check(token, 1000, "first").code, status::ok);
  EXPECT_EQ(t.check(token, 1000, "second").code, status::ok);
  EXPECT_EQ(t.cache->stats().hits, 1U);
}

TEST(Cache, BatchesAcrossThreadsGiveTheCachelessResults) {
  key_set_builder b;
  b.add_jwks(generate_key(alg::es256, "ec").private_jwk, "ec.jwk");
  const auto keys = b.build();
  std::vector<std::string> tokens;
  for (int i = 0; i < 50; ++i) {
    const std::string t = sign_compact(*keys, "ec", alg::es256,
                                       claims_json(i, ",\"exp\":" + std::to_string(1000 + i)));
    tokens.insert(tokens.end(), 20, t);
  }
  std::shuffle(tokens.begin(), tokens.end(), std::mt19937(7));
  const std::vector<std::string_view> views(tokens.begin(), tokens.end());
  std::vector<double> times(tokens.size());
  for (std::size_t i = 0; i < times.size(); ++i) times[i] = 1000 + static_cast<double>(i % 60);

  const batch_verifier plain(std::make_shared<verifier>(keys, policy{}));
  std::vector<result> expected(tokens.size());
  plain.verify_batch_at(views, times, expected);
  for (const int threads : {1, 2, 8}) {
    auto cache = std::make_shared<token_cache>();
    const batch_verifier cached(std::make_shared<verifier>(keys, policy{}, cache),
                                batch_options{.threads = threads, .grain = 4});
    std::vector<result> got(tokens.size());
    cached.verify_batch_at(views, times, got);
    for (std::size_t i = 0; i < tokens.size(); ++i) {
      expect_same_result(got[i], expected[i], std::to_string(threads) + "/" + std::to_string(i));
    }
    // The default doorkeeper stores a token at its second verification, so each token
    // misses at most once per thread plus once.
    const cache_stats s = cache->stats();
    EXPECT_EQ(s.hits + s.misses, tokens.size());
    EXPECT_LE(s.misses, 50U * (static_cast<unsigned>(cached.threads()) + 1U));
    EXPECT_EQ(s.entries, 50U);
  }
}

// Results own their strings: copies and moves keep views valid on their own.
TEST(Result, CopiesAndMovesCarryTheirStrings) {
  key_set_builder b;
  b.add_secret(std::vector<std::uint8_t>(32, 1), "secret", "k", alg::hs256);
  const verifier v(b.build(), with_claims_returned());
  const std::string token = sign_compact(v.keys(), "k", alg::hs256, claims_json(42));
  result reference;
  v.verify_at(token, 1000, reference);
  ASSERT_EQ(reference.code, status::ok);
  auto original = std::make_unique<result>();
  v.verify_at(token, 1000, *original);
  result copy(*original);
  result assigned;
  assigned = *original;
  result moved(std::move(*original));
  original.reset();  // every view into it is gone
  for (const result* r : {&copy, &assigned, &moved}) {
    expect_same_result(*r, reference, "copy");
    EXPECT_EQ(*r->sub, "user-42");
    EXPECT_EQ(r->aud.size(), 2U);
  }
  std::vector<result> many(3, copy);
  many.resize(100);  // reallocation moves them
  expect_same_result(many[2], reference, "after reallocation");
}

}  // namespace
}  // namespace jwtbatch
