// The verified-token cache on a log-like batch: 256 distinct RS256 (or HS256) tokens
// (realistic ~350-byte claims sets), each repeated R times in shuffled order, verified
// as one batch from a cold cache, cache off vs on, R in {1, 5, 20, 100}, 1 and 2
// threads.
// Items/s = tokens/s (repeats included). Every iteration starts with an empty cache.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "jwtbatch/batch.hpp"
#include "jwtbatch/cache.hpp"
#include "jwtbatch/key_set.hpp"
#include "jwtbatch/sign.hpp"

namespace jwtbatch {
namespace {

constexpr std::size_t k_distinct = 256;

struct corpus {
  std::shared_ptr<const key_set> keys;
  std::vector<std::string> distinct;
};

const corpus& corpus_of(alg a) {
  static std::map<alg, corpus> made_for;
  auto [it, fresh] = made_for.try_emplace(a);
  corpus& made = it->second;
  if (fresh) {
    key_set_builder b;
    b.add_jwks(generate_key(a, "key-2024").private_jwk, "bench");
    made.keys = b.build();
    for (std::size_t i = 0; i < k_distinct; ++i) {
      const std::string n = std::to_string(100000 + i);
      made.distinct.push_back(
          sign_compact(*made.keys, "key-2024", a,
                       R"({"iss":"https://issuer.example","sub":"user-)" + n +
                           R"(","aud":["api.example","billing.example"],"iat":1699999400,)"
                           R"("nbf":1699999400,"exp":1700003000,"jti":"0b9d6f3e-)" +
                           n + R"(-4c1a-9f1e","scope":"orders:read orders:write","tenant":"t-)" +
                           std::to_string(i % 97) + R"(","roles":["reader","writer"]})"));
    }
  }
  return made;
}

// Each distinct token `repeat` times, shuffled (fixed seed).
const std::vector<std::string_view>& repeated(alg a, std::size_t repeat) {
  static std::map<std::pair<alg, std::size_t>, std::vector<std::string_view>> made;
  auto [it, fresh] = made.try_emplace(std::pair(a, repeat));
  if (fresh) {
    for (const std::string& t : corpus_of(a).distinct) {
      it->second.insert(it->second.end(), repeat, t);
    }
    std::shuffle(it->second.begin(), it->second.end(), std::mt19937(42));
  }
  return it->second;
}

void cache(benchmark::State& state, alg a, bool on) {
  const auto repeat = static_cast<std::size_t>(state.range(0));
  const auto threads = static_cast<int>(state.range(1));
  const std::vector<std::string_view>& tokens = repeated(a, repeat);
  policy p;
  p.fixed_time = 1700000000;
  p.issuers = {"https://issuer.example"};
  p.audiences = {"api.example"};
  auto store = on ? std::make_shared<token_cache>() : nullptr;
  const batch_verifier engine(std::make_shared<verifier>(corpus_of(a).keys, p, store),
                              batch_options{.threads = threads});
  std::vector<result> results(tokens.size());
  for (auto _ : state) {
    if (store) {
      state.PauseTiming();
      store->clear();
      state.ResumeTiming();
    }
    engine.verify_batch(tokens, results);
    if (results.back().code != status::ok) state.SkipWithError("token did not verify");
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(tokens.size()));
  if (store) {
    const cache_stats s = store->stats();
    state.counters["hit_rate"] = static_cast<double>(s.hits) /
                                 static_cast<double>(std::max<std::uint64_t>(1, s.hits + s.misses));
  }
}

void sweep(benchmark::internal::Benchmark* b) {
  for (const std::int64_t repeat : {1, 5, 20, 100}) {
    for (const std::int64_t threads : {1, 2}) b->Args({repeat, threads});
  }
  b->ArgNames({"repeat", "threads"})->UseRealTime()->MinTime(0.5);
}

BENCHMARK_CAPTURE(cache, RS256_off, alg::rs256, false)->Apply(sweep);
BENCHMARK_CAPTURE(cache, RS256_on, alg::rs256, true)->Apply(sweep);
// HS256 verifies in about a microsecond: what the cache costs when it cannot win much.
BENCHMARK_CAPTURE(cache, HS256_off, alg::hs256, false)->Apply(sweep);
BENCHMARK_CAPTURE(cache, HS256_on, alg::hs256, true)->Apply(sweep);

}  // namespace
}  // namespace jwtbatch
