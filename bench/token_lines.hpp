// token_lines.hpp: realistic token files for the streaming benchmarks (stream_rss,
// pipeline_bench). A few thousand distinct tokens, signed once with fresh keys and
// repeated line after line up to the size asked for, so a gigabyte is written in
// seconds. Not the hot path: allocates and throws freely.
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "jwtbatch/key_set.hpp"
#include "jwtbatch/policy.hpp"
#include "jwtbatch/sign.hpp"
#include "jwtbatch/verifier.hpp"

namespace jwtbatch::bench {

// The evaluation time the tokens are valid at (they run from iat to iat + 1 hour).
inline constexpr double k_token_time = 1700000000;

struct token_corpus {
  std::string jwks;  // the private JWKs that signed the tokens, as one JWK Set
  std::vector<std::string> tokens;
};

// make_corpus signs `distinct` tokens: half HS256, a quarter RS256 (2048-bit), a
// quarter ES256, each with a ~300-byte claims set: iss, sub, aud, exp, iat, nbf, jti,
// scope and a few custom claims.
inline token_corpus make_corpus(std::size_t distinct) {
  const struct {
    alg a;
    const char* kid;
  } kinds[] = {{alg::hs256, "hs-2024"},
               {alg::rs256, "rsa-2024"},
               {alg::hs256, "hs-2024"},
               {alg::es256, "ec-2024"}};
  token_corpus c;
  key_set_builder b;
  b.allow_mixed_key_types();
  std::string keys;
  for (const auto& [a, kid] : {kinds[0], kinds[1], kinds[3]}) {
    const generated_key k = generate_key(a, kid);
    b.add_jwks(k.private_jwk, kid);
    keys += (keys.empty() ? "" : ",") + k.private_jwk;
  }
  c.jwks = R"({"keys":[)" + keys + "]}";
  const auto set = b.build();
  const auto iat = static_cast<std::int64_t>(k_token_time) - 600;
  for (std::size_t i = 0; i < distinct; ++i) {
    const auto& kind = kinds[i % 4];
    const std::string n = std::to_string(100000 + i);
    const std::string claims = R"({"iss":"https://issuer.example","sub":"user-)" + n +
                               R"(","aud":["api.example","billing.example"],"exp":)" +
                               std::to_string(iat + 3600) + R"(,"iat":)" + std::to_string(iat) +
                               R"(,"nbf":)" + std::to_string(iat) + R"(,"jti":"0b9d6f3e-)" + n +
                               R"(-4c1a-9f1e-5d2a7c3b8e01","scope":"orders:read orders:write )"
                               R"(profile:read","tenant":"tenant-)" +
                               std::to_string(i % 97) +
                               R"(","roles":["reader","writer"],"client_id":"svc-)" +
                               std::to_string(i % 13) + R"(","session":{"ip":"203.0.113.)" +
                               std::to_string(i % 250) + R"(","device":"mobile","mfa":true}})";
    c.tokens.push_back(sign_compact(*set, kind.kid, kind.a, claims));
  }
  return c;
}

// corpus_verifier: the keys of `jwks` (as make_corpus wrote them) and the policy the
// tokens satisfy (issuer, audience, fixed time).
inline std::shared_ptr<const verifier> corpus_verifier(const std::string& jwks) {
  key_set_builder b;
  b.allow_mixed_key_types();
  b.add_jwks(jwks, "corpus keys");
  policy p;
  p.fixed_time = k_token_time;
  p.issuers = {"https://issuer.example"};
  p.audiences = {"api.example"};
  p.returned_claims = {"scope", "tenant"};
  return std::make_shared<verifier>(b.build(), p);
}

// write_lines writes the tokens one per line, over and over, until `bytes` are written
// (whole lines only, so the file may end a line short of it). Returns the line count.
inline std::uint64_t write_lines(const std::string& path, const std::vector<std::string>& tokens,
                                 std::uint64_t bytes) {
  std::string block;  // every token once, then written whole as long as it fits
  for (const std::string& t : tokens) block += t + "\n";
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(path.c_str(), "wb"), &std::fclose);
  if (!f) throw std::runtime_error("cannot write " + path);
  std::uint64_t written = 0;
  std::uint64_t lines = 0;
  while (written + block.size() <= bytes) {
    if (std::fwrite(block.data(), 1, block.size(), f.get()) != block.size()) {
      throw std::runtime_error("write failed: " + path);
    }
    written += block.size();
    lines += tokens.size();
  }
  for (const std::string& t : tokens) {
    if (written + t.size() + 1 > bytes) break;
    std::fwrite(t.data(), 1, t.size(), f.get());
    std::fputc('\n', f.get());
    written += t.size() + 1;
    ++lines;
  }
  if (std::fflush(f.get()) != 0 || std::ferror(f.get()) != 0) {
    throw std::runtime_error("write failed: " + path);
  }
  return lines;
}

}  // namespace jwtbatch::bench
