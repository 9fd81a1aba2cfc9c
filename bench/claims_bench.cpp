// The stages of one token's way that are not the signature, each alone, on the
// realistic ~300-byte payload the per-algorithm benchmarks use: payload decode +
// parse + claim checks (with the one-pass reader, and with the general walk alone),
// the SHA-256 fingerprint, key lookup. Items/s = tokens/s.
#include <benchmark/benchmark.h>
#include <openssl/sha.h>

#include <array>
#include <cstdint>
#include <string>

#include "codec/base64url.hpp"
#include "core/access.hpp"
#include "jose/claims.hpp"
#include "jwtbatch/key_set.hpp"
#include "jwtbatch/sign.hpp"
#include "keys/store.hpp"

namespace jwtbatch::detail {
namespace {

const std::string k_payload =
    R"({"iss":"https://issuer.example","sub":"user-1234567890","aud":["api.example",)"
    R"("billing.example"],"iat":1700000000,"nbf":1700000000,"exp":1700003600,)"
    R"("jti":"4f1c2a9e-8f0b-4b6e-9d3a-2c5f1e7a9b0d","scope":"read:orders write:orders",)"
    R"("tenant":"acme","roles":["admin","auditor"],"email_verified":true})";

policy realistic_policy() {
  policy p;
  p.issuers = {"https://issuer.example"};
  p.audiences = {"api.example"};
  return p;
}

// `direct`: the one-pass reader first (the engine's way), else the general walk alone.
void claims(benchmark::State& state, const policy& rules, bool direct) {
  const prepared_policy p(rules);
  const std::string segment = base64url_encode(k_payload);
  claims_scratch scratch;
  scratch.direct = direct;
  result out;
  claims_verdict verdict;
  for (auto _ : state) {
    access::clear(out);
    access::reserve(out, segment.size());
    const status st = check_claims(segment, p, 1700000100, scratch, out, verdict);
    if (st != status::ok) state.SkipWithError("check_claims failed");
    benchmark::DoNotOptimize(out);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
policy returning_claims() {
  policy p = realistic_policy();
  p.returned_claims = {"scope", "roles"};
  return p;
}
BENCHMARK_CAPTURE(claims, no_policy, policy{}, true);
BENCHMARK_CAPTURE(claims, iss_aud, realistic_policy(), true);
BENCHMARK_CAPTURE(claims, iss_aud_custom_claims, returning_claims(), true);
// The general walk alone: the DOM tape, and the On-Demand walk when custom claims'
// raw text is wanted.
BENCHMARK_CAPTURE(claims, no_policy_general, policy{}, false);
BENCHMARK_CAPTURE(claims, iss_aud_general, realistic_policy(), false);
BENCHMARK_CAPTURE(claims, iss_aud_custom_claims_general, returning_claims(), false);

void fingerprint(benchmark::State& state) {
  // A token of the size this payload gives with an ES256 signature.
  const std::string token(460, 'e');
  std::array<std::uint8_t, SHA256_DIGEST_LENGTH> digest{};
  for (auto _ : state) {
    SHA256(reinterpret_cast<const std::uint8_t*>(token.data()), token.size(), digest.data());
    benchmark::DoNotOptimize(digest);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(fingerprint);

// A JWKS of `n` keys; the token's kid is the last one.
void key_lookup(benchmark::State& state) {
  key_set_builder b;
  const auto n = static_cast<int>(state.range(0));
  for (int i = 0; i < n; ++i) {
    b.add_secret(std::vector<std::uint8_t>(32, static_cast<std::uint8_t>(i)), "bench",
                 "key-" + std::to_string(i), alg::hs256);
  }
  const auto keys = b.build();
  const std::string kid = "key-" + std::to_string(n - 1);
  const key* chosen = nullptr;
  for (auto _ : state) {
    benchmark::DoNotOptimize(access::key_store_of(*keys).select(alg::hs256, kid, false, &chosen));
    benchmark::DoNotOptimize(chosen);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(key_lookup)->Arg(1)->Arg(8)->Arg(64);

}  // namespace
}  // namespace jwtbatch::detail
