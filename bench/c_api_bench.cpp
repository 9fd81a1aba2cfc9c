// The C ABI's cost: the same 4096 distinct valid tokens verified by the C++
// batch_verifier (cpp_batch) and through libjwtbatch.so (c_batch:
// jwtbatch_verify_batch, then every result read through jwtbatch_results_get), each
// reading every status, results reused, 1 and 2 threads. The ratio c_batch/cpp_batch
// is what the ABI adds: copying each result into its C struct, and the .so's calls.
#include <benchmark/benchmark.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "jwtbatch/batch.hpp"
#include "jwtbatch/jwtbatch.h"
#include "jwtbatch/key_set.hpp"
#include "jwtbatch/sign.hpp"

namespace jwtbatch {
namespace {

constexpr double k_now = 1700000000;
constexpr std::string_view k_issuer = "https://issuer.example";

struct workload {
  std::string jwk;  // the key, for the C key set
  std::shared_ptr<const verifier> rules;
  std::vector<std::string> tokens;
  std::vector<std::string_view> views;
  std::vector<const char*> data;
  std::vector<std::size_t> lens;
};

const workload& load(alg a) {
  static std::map<alg, workload> cache;
  auto [it, fresh] = cache.try_emplace(a);
  workload& w = it->second;
  if (!fresh) return w;
  const std::string kid(alg_name(a));
  w.jwk = generate_key(a, kid).private_jwk;
  key_set_builder b;
  b.add_jwks(w.jwk, kid);
  const auto keys = b.build();
  policy p;
  p.fixed_time = k_now;
  p.issuers = {std::string(k_issuer)};
  w.rules = std::make_shared<verifier>(keys, p);
  for (std::size_t i = 0; i < 4096; ++i) {
    w.tokens.push_back(
        sign_compact(*keys, kid, a,
                     R"({"iss":"https://issuer.example","sub":"user-)" + std::to_string(i) +
                         R"(","aud":"api.example","iat":1699990000,"exp":1700003600})"));
  }
  for (const auto& t : w.tokens) {
    w.views.emplace_back(t);
    w.data.push_back(t.data());
    w.lens.push_back(t.size());
  }
  return w;
}

void cpp_batch(benchmark::State& state, alg a) {
  const workload& w = load(a);
  const batch_verifier engine(w.rules, batch_options{.threads = static_cast<int>(state.range(0))});
  std::vector<result> results(w.views.size());
  for (auto _ : state) {
    engine.verify_batch(w.views, results);
    std::size_t ok = 0;
    for (const result& r : results) {
      if (r.code == status::ok) ++ok;
    }
    if (ok != results.size()) state.SkipWithError("a token did not verify");
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(w.views.size()));
}

void c_batch(benchmark::State& state, alg a) {
  const workload& w = load(a);
  jwtbatch_error err{};
  jwtbatch_key_set_builder* b = nullptr;
  jwtbatch_key_set* keys = nullptr;
  jwtbatch_verifier* v = nullptr;
  jwtbatch_policy* p = jwtbatch_policy_new();
  jwtbatch_verifier_options o{};
  o.threads = static_cast<int>(state.range(0));
  if (jwtbatch_key_set_builder_new(&b, &err) != JWTBATCH_OK ||
      jwtbatch_key_set_builder_add_jwks(b, w.jwk.data(), w.jwk.size(), "bench", &err) !=
          JWTBATCH_OK ||
      jwtbatch_key_set_builder_build(b, &keys, &err) != JWTBATCH_OK || p == nullptr ||
      jwtbatch_policy_set_fixed_time(p, k_now) != JWTBATCH_OK ||
      jwtbatch_policy_add_issuer(p, k_issuer.data(), k_issuer.size()) != JWTBATCH_OK ||
      jwtbatch_verifier_new(&v, keys, p, &o, &err) != JWTBATCH_OK) {
    state.SkipWithError(err.message);
  }
  jwtbatch_results* results = jwtbatch_results_new();
  for (auto _ : state) {
    if (jwtbatch_verify_batch(v, results, w.data.data(), w.lens.data(), w.data.size()) !=
        JWTBATCH_OK) {
      state.SkipWithError("jwtbatch_verify_batch failed");
      break;
    }
    std::size_t ok = 0;
    for (std::size_t i = 0; i < w.data.size(); ++i) {
      if (jwtbatch_results_get(results, i)->status == JWTBATCH_STATUS_OK) ++ok;
    }
    if (ok != w.data.size()) state.SkipWithError("a token did not verify");
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(w.data.size()));
  jwtbatch_results_free(results);
  jwtbatch_verifier_free(v);
  jwtbatch_policy_free(p);
  jwtbatch_key_set_free(keys);
  jwtbatch_key_set_builder_free(b);
}

void threads(benchmark::internal::Benchmark* b) {
  b->Arg(1)->Arg(2)->UseRealTime();
}

BENCHMARK_CAPTURE(cpp_batch, HS256, alg::hs256)->Apply(threads);
BENCHMARK_CAPTURE(c_batch, HS256, alg::hs256)->Apply(threads);
BENCHMARK_CAPTURE(cpp_batch, ES256, alg::es256)->Apply(threads);
BENCHMARK_CAPTURE(c_batch, ES256, alg::es256)->Apply(threads);
BENCHMARK_CAPTURE(cpp_batch, EdDSA, alg::eddsa)->Apply(threads);
BENCHMARK_CAPTURE(c_batch, EdDSA, alg::eddsa)->Apply(threads);

}  // namespace
}  // namespace jwtbatch
