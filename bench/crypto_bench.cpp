// Per-algorithm verify and sign cost: the engine's path (key parsed once, cached) next
// to the bare BoringSSL call on the same pre-parsed key, so overhead is a ratio.
//
//   verify_bare/<case>    digest + BoringSSL verify primitive (HS: HMAC_CTX re-init)
//   verify_engine/<case>  detail::verify_signature: length check + the same primitive
//   verify_token/<case>   verifier::verify on the whole token: split, header, key,
//                         signature, payload, claims, fingerprint
//   verify_token_nofp/<case>  the same without the SHA-256 fingerprint
//   sign_engine/<case>    detail::sign_signature
// Items per second = tokens (or signatures) per second on one thread.
#include <benchmark/benchmark.h>
#include <openssl/bn.h>
#include <openssl/curve25519.h>
#include <openssl/ecdsa.h>
#include <openssl/hmac.h>
#include <openssl/mem.h>
#include <openssl/rsa.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "codec/base64url.hpp"
#include "core/access.hpp"
#include "crypto/digest.hpp"
#include "crypto/signature.hpp"
#include "jwtbatch/key_set.hpp"
#include "jwtbatch/sign.hpp"
#include "jwtbatch/verifier.hpp"
#include "keys/store.hpp"

namespace jwtbatch {
namespace {

struct bench_case {
  std::string name;
  alg a;
  unsigned rsa_bits;
};

// A realistic access token's ~340-byte payload: registered claims, a scope and a few
// custom claims.
const std::string k_payload =
    R"({"iss":"https://issuer.example","sub":"user-1234567890","aud":["api.example",)"
    R"("billing.example"],"iat":1700000000,"nbf":1700000000,"exp":1700003600,)"
    R"("jti":"4f1c2a9e-8f0b-4b6e-9d3a-2c5f1e7a9b0d","scope":"read:orders write:orders",)"
    R"("tenant":"acme","roles":["admin","auditor"],"email_verified":true})";

struct fixture {
  std::shared_ptr<const key_set> keys;
  std::string token;
  std::string signing_input;
  std::vector<std::uint8_t> signature;
  const detail::key* key = nullptr;
};

fixture make_fixture(const bench_case& c) {
  fixture f;
  const generated_key g = generate_key(c.a, "bench", c.rsa_bits == 0 ? 2048 : c.rsa_bits);
  key_set_builder b;
  b.add_jwks(g.private_jwk, "bench");
  f.keys = b.build();
  f.token = sign_compact(*f.keys, "bench", c.a, k_payload);
  const std::size_t last_dot = f.token.rfind('.');
  f.signing_input = f.token.substr(0, last_dot);
  const std::string sig_b64 = f.token.substr(last_dot + 1);
  f.signature.resize(detail::base64url_decoded_size(sig_b64.size()));
  std::size_t len = 0;
  if (!detail::base64url_decode(sig_b64, f.signature.data(), &len)) std::abort();
  f.signature.resize(len);
  f.key = &detail::access::key_store_of(*f.keys).keys()[0];
  return f;
}

// The bare BoringSSL verification of f.signature over f.signing_input.
std::function<bool()> bare_verifier(const bench_case& c, const fixture& f) {
  const auto* input = reinterpret_cast<const std::uint8_t*>(f.signing_input.data());
  const std::size_t n = f.signing_input.size();
  const std::uint8_t* sig = f.signature.data();
  const std::size_t sig_len = f.signature.size();
  const detail::sha2 h = detail::alg_hash(c.a);
  return std::visit(
      [&](const auto& m) -> std::function<bool()> {
        using T = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<T, detail::hmac_material>) {
          // docs/PERFORMANCE.md#hmac: an HMAC_CTX kept per thread and key, re-initialised.
          auto ctx = std::shared_ptr<HMAC_CTX>(HMAC_CTX_new(), HMAC_CTX_free);
          HMAC_Init_ex(ctx.get(), m.secret.data(), m.secret.size(), detail::sha2_md(h), nullptr);
          return [ctx, input, n, sig, sig_len] {
            std::uint8_t mac[EVP_MAX_MD_SIZE];
            unsigned mac_len = 0;
            HMAC_Init_ex(ctx.get(), nullptr, 0, nullptr, nullptr);
            HMAC_Update(ctx.get(), input, n);
            HMAC_Final(ctx.get(), mac, &mac_len);
            return mac_len == sig_len && CRYPTO_memcmp(mac, sig, sig_len) == 0;
          };
        } else if constexpr (std::is_same_v<T, detail::rsa_material>) {
          RSA* rsa = m.rsa.get();
          const bool pss = c.a == alg::ps256 || c.a == alg::ps384 || c.a == alg::ps512;
          return [rsa, pss, h, input, n, sig, sig_len] {
            std::uint8_t d[64];
            const std::size_t dl = detail::sha2_size(h);
            const EVP_MD* md = detail::sha2_md(h);
            EVP_Digest(input, n, d, nullptr, md, nullptr);
            if (pss) {
              return RSA_verify_pss_mgf1(rsa, d, dl, md, md, static_cast<int>(dl), sig, sig_len) ==
                     1;
            }
            return RSA_verify(detail::sha2_nid(h), d, dl, sig, sig_len, rsa) == 1;
          };
        } else if constexpr (std::is_same_v<T, detail::ec_material>) {
          EC_KEY* ec = m.ec.get();
          const std::size_t half = m.field_bytes;
          return [ec, half, h, input, n, sig] {
            std::uint8_t d[64];
            const EVP_MD* md = detail::sha2_md(h);
            EVP_Digest(input, n, d, nullptr, md, nullptr);
            bssl::UniquePtr<ECDSA_SIG> s(ECDSA_SIG_new());
            BN_bin2bn(sig, half, s->r);
            BN_bin2bn(sig + half, half, s->s);
            return ECDSA_do_verify(d, detail::sha2_size(h), s.get(), ec) == 1;
          };
        } else {
          const std::uint8_t* pub = m.public_key.data();
          return [pub, input, n, sig] { return ED25519_verify(input, n, sig, pub) == 1; };
        }
      },
      f.key->material);
}

void register_case(const bench_case& c) {
  auto f = std::make_shared<fixture>(make_fixture(c));
  auto bare = std::make_shared<std::function<bool()>>(bare_verifier(c, *f));
  const auto items = [](benchmark::State& s) {
    s.SetItemsProcessed(static_cast<std::int64_t>(s.iterations()));
  };
  benchmark::RegisterBenchmark(("verify_bare/" + c.name).c_str(), [=](benchmark::State& s) {
    for (auto _ : s) {
      if (!(*bare)()) s.SkipWithError("bare verify failed");
    }
    items(s);
  });
  benchmark::RegisterBenchmark(("verify_engine/" + c.name).c_str(), [=](benchmark::State& s) {
    for (auto _ : s) {
      const status st = detail::verify_signature(*f->key, c.a, f->signing_input, f->signature);
      if (st != status::ok) s.SkipWithError("engine verify failed");
    }
    items(s);
  });
  for (const bool fingerprint : {true, false}) {
    const std::string name = fingerprint ? "verify_token/" : "verify_token_nofp/";
    benchmark::RegisterBenchmark((name + c.name).c_str(), [=](benchmark::State& s) {
      // The whole path, claims included, evaluated while the token is valid.
      policy p;
      p.fixed_time = 1700000000;
      p.issuers = {"https://issuer.example"};
      p.audiences = {"api.example"};
      p.fingerprint = fingerprint;
      const verifier v(f->keys, p);
      result r;
      for (auto _ : s) {
        v.verify(f->token, r);
        if (r.code != status::ok) s.SkipWithError("token verify failed");
      }
      items(s);
    });
  }
  benchmark::RegisterBenchmark(("sign_engine/" + c.name).c_str(), [=](benchmark::State& s) {
    std::vector<std::uint8_t> out;
    for (auto _ : s) {
      if (!detail::sign_signature(*f->key, c.a, f->signing_input, out)) {
        s.SkipWithError("sign failed");
      }
      benchmark::DoNotOptimize(out.data());
    }
    items(s);
  });
}

}  // namespace
}  // namespace jwtbatch

int main(int argc, char** argv) {
  using jwtbatch::alg;
  const std::vector<jwtbatch::bench_case> cases = {
      {"HS256", alg::hs256, 0},         {"HS384", alg::hs384, 0},
      {"HS512", alg::hs512, 0},         {"RS256_2048", alg::rs256, 2048},
      {"RS256_3072", alg::rs256, 3072}, {"RS256_4096", alg::rs256, 4096},
      {"RS384_2048", alg::rs384, 2048}, {"RS512_2048", alg::rs512, 2048},
      {"PS256_2048", alg::ps256, 2048}, {"PS256_4096", alg::ps256, 4096},
      {"PS384_2048", alg::ps384, 2048}, {"PS512_2048", alg::ps512, 2048},
      {"ES256", alg::es256, 0},         {"ES384", alg::es384, 0},
      {"ES512", alg::es512, 0},         {"EdDSA", alg::eddsa, 0},
  };
  for (const auto& c : cases) jwtbatch::register_case(c);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
