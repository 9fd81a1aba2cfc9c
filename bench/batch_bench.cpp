// verify_batch end to end: tokens/s per algorithm and for a mix, threads 1..N.
// Each batch is 4096 distinct valid tokens (claims checked), results reused.
// HS256_4kids / HS256_4kids_grouped: four HS256 keys, tokens interleaved by kid or
// grouped by kid (what sorting a batch by key would give, sort not counted).
// batch_following: the same batches through an engine that follows a key source
// (jwtbatch/remote_keys.hpp: what every CLI run and --jwks-url use), beside `batch`:
// the cost of keys that may change, per batch.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "jwtbatch/batch.hpp"
#include "jwtbatch/key_set.hpp"
#include "jwtbatch/remote_keys.hpp"
#include "jwtbatch/sign.hpp"

namespace jwtbatch {
namespace {

struct workload {
  std::shared_ptr<const verifier> rules;
  std::shared_ptr<refreshing_key_source> source;  // the same keys, as a key source
  std::vector<std::string> tokens;
  std::vector<std::string_view> views;
};

const workload& load(const std::string& name) {
  static std::map<std::string, workload> cache;
  auto [it, fresh] = cache.try_emplace(name);
  workload& w = it->second;
  if (!fresh) return w;
  std::vector<alg> algs;
  // HS256 under four kids (a key rotation), interleaved or grouped by kid: the upper
  // bound of what grouping a batch by key could gain.
  const bool rotation = name.rfind("HS256_4kids", 0) == 0;
  if (rotation) {
    algs = {alg::hs256};
  } else if (name == "mix") {
    algs = {alg::hs256, alg::hs256, alg::hs256, alg::rs256, alg::es256, alg::eddsa};
  } else {
    algs = {*alg_from_name(name)};
  }
  key_set_builder b;
  b.allow_mixed_key_types();
  std::vector<alg> distinct;
  std::vector<std::string> documents;
  for (alg a : algs) {
    if (std::find(distinct.begin(), distinct.end(), a) != distinct.end()) continue;
    distinct.push_back(a);
    const std::string kid(alg_name(a));
    documents.push_back(generate_key(a, kid).private_jwk);
  }
  const int kids = rotation ? 4 : 1;
  for (int k = 1; k < kids; ++k) {
    documents.push_back(generate_key(alg::hs256, "HS256-" + std::to_string(k)).private_jwk);
  }
  for (const std::string& d : documents) b.add_jwks(d, "bench");
  w.source = make_local_key_source(
      [documents](key_set_builder& builder) {
        for (const std::string& d : documents) builder.add_jwks(d, "bench");
      },
      true);
  policy p;
  p.fixed_time = 1700000000;
  p.issuers = {"https://issuer.example"};
  auto keys = b.build();
  w.rules = std::make_shared<verifier>(keys, p);
  for (std::size_t i = 0; i < 4096; ++i) {
    const alg a = algs[i % algs.size()];
    const auto n_kids = static_cast<std::size_t>(kids);
    const std::size_t k = name == "HS256_4kids_grouped" ? i * n_kids / 4096 : i % n_kids;
    const std::string kid = k == 0 ? std::string(alg_name(a)) : "HS256-" + std::to_string(k);
    w.tokens.push_back(
        sign_compact(*keys, kid, a,
                     R"({"iss":"https://issuer.example","sub":"user-)" + std::to_string(i) +
                         R"(","aud":"api.example","iat":1699990000,"exp":1700003600})"));
  }
  w.views.assign(w.tokens.begin(), w.tokens.end());
  return w;
}

void batch(benchmark::State& state, const std::string& name) {
  const workload& w = load(name);
  const batch_verifier engine(w.rules, batch_options{.threads = static_cast<int>(state.range(0))});
  std::vector<result> results(w.views.size());
  for (auto _ : state) {
    engine.verify_batch(w.views, results);
    if (results.front().code != status::ok) state.SkipWithError("token did not verify");
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(w.views.size()));
}

void batch_following(benchmark::State& state, const std::string& name) {
  const workload& w = load(name);
  const batch_verifier engine(w.source, w.rules->policy(), nullptr,
                              batch_options{.threads = static_cast<int>(state.range(0))});
  std::vector<result> results(w.views.size());
  for (auto _ : state) {
    engine.verify_batch(w.views, results);
    if (results.front().code != status::ok) state.SkipWithError("token did not verify");
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(w.views.size()));
}

void threads(benchmark::internal::Benchmark* b) {
  const auto n = static_cast<std::int64_t>(std::thread::hardware_concurrency());
  for (std::int64_t t = 1; t <= std::max<std::int64_t>(n, 1); t *= 2) b->Arg(t);
  b->UseRealTime();
}

BENCHMARK_CAPTURE(batch, HS256, std::string("HS256"))->Apply(threads);
BENCHMARK_CAPTURE(batch, RS256, std::string("RS256"))->Apply(threads);
BENCHMARK_CAPTURE(batch, ES256, std::string("ES256"))->Apply(threads);
BENCHMARK_CAPTURE(batch, EdDSA, std::string("EdDSA"))->Apply(threads);
BENCHMARK_CAPTURE(batch, mix, std::string("mix"))->Apply(threads);
BENCHMARK_CAPTURE(batch, HS256_4kids, std::string("HS256_4kids"))->Apply(threads);
BENCHMARK_CAPTURE(batch, HS256_4kids_grouped, std::string("HS256_4kids_grouped"))->Apply(threads);
BENCHMARK_CAPTURE(batch_following, HS256, std::string("HS256"))->Apply(threads);
BENCHMARK_CAPTURE(batch_following, ES256, std::string("ES256"))->Apply(threads);

}  // namespace
}  // namespace jwtbatch

BENCHMARK_MAIN();
