// cppjwt_verify: the "against the peers" verifier built on Debian's cpp-jwt 1.4
// (header-only C++, OpenSSL). It verifies every line of a token file with the same
// checks as the other peers: the pinned algorithm, exp and nbf at a fixed evaluation
// time, iss, aud, and the signature.
//
//   usage: cppjwt_verify ALG KEYFILE ISS AUD AT TOKENFILE
//   ALG      HS256, RS256 or ES256 (cpp-jwt 1.4 has no EdDSA)
//   KEYFILE  raw HMAC secret bytes (HS*), or a PEM public key
//   AT       evaluation time, Unix seconds
//
// Prints "verified=N rejected=M loop_s=S" on stdout (S: the verify loop alone, without
// start-up). Exit 0 when the counts are printed, 2 on a usage or file error.
//
// Why not one jwt::decode(..., verify(true)) call: cpp-jwt reads the clock itself
// (system_clock::now() inside jwt_object::verify) and takes no evaluation time, so its
// exp and nbf verdicts would depend on the day of the run. This program makes the calls
// jwt::decode makes when verifying, in its order, with the clock replaced by AT:
// decode (parse only), algorithm, exp, iss, aud, nbf, then jwt_signature::verify, the
// same signature check decode runs. Claims come first, as in cpp-jwt: an expired token
// is rejected before its signature is checked. One difference: cpp-jwt lets a token
// through at exactly its exp second; here, as in RFC 7519 §4.1.4 and every other
// verifier of the comparison, exp must be later than AT (no corpus token sits there).
//
// Built by bench/peers/Makefile as its own executable, never linked with jwtbatch:
// cpp-jwt links OpenSSL, which must not share a process with BoringSSL.
#include <jwt/jwt.hpp>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>

namespace {

// One token: true when it verifies and passes every check. Any exception (cpp-jwt
// throws on a claim of the wrong JSON type) is a rejection, as it would be in a
// program calling jwt::decode.
bool verify_one(const std::string& token, jwt::algorithm alg, const std::string& key,
                const std::string& iss, const std::string& aud, std::uint64_t at) {
  try {
    std::error_code ec;
    const auto obj = jwt::decode(token, jwt::params::algorithms({jwt::alg_to_str(alg)}), ec,
                                 jwt::params::verify(false));
    if (ec || obj.header().algo() != alg) return false;

    const auto& claims = obj.payload();
    using jwt::registered_claims;
    if (claims.has_claim(registered_claims::expiration) &&
        !(at < claims.get_claim_value<std::uint64_t>(registered_claims::expiration))) {
      return false;
    }
    if (!claims.has_claim(registered_claims::issuer) ||
        claims.get_claim_value<std::string>(registered_claims::issuer) != iss) {
      return false;
    }
    // cpp-jwt reads aud as one string; an array throws, and so is rejected.
    if (!claims.has_claim(registered_claims::audience) ||
        claims.get_claim_value<std::string>(registered_claims::audience) != aud) {
      return false;
    }
    if (claims.has_claim(registered_claims::not_before) &&
        at < claims.get_claim_value<std::uint64_t>(registered_claims::not_before)) {
      return false;
    }

    // decode has checked there are exactly two dots for a signed algorithm.
    const std::size_t first = token.find('.');
    const std::size_t second = token.find('.', first + 1);
    jwt::jwt_signature signature{key};
    const jwt::string_view whole{token};
    const auto [valid, error] =
        signature.verify(obj.header(), whole.substr(0, second), whole.substr(second + 1));
    return !error && valid;
  } catch (...) {
    return false;
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 7) {
    std::cerr << "usage: cppjwt_verify ALG KEYFILE ISS AUD AT TOKENFILE\n";
    return 2;
  }
  const jwt::algorithm alg = jwt::str_to_alg(argv[1]);
  if (alg == jwt::algorithm::NONE || alg == jwt::algorithm::UNKN || alg == jwt::algorithm::TERM) {
    std::cerr << "cppjwt_verify: cpp-jwt has no algorithm " << argv[1] << "\n";
    return 2;
  }
  std::ifstream key_file(argv[2], std::ios::binary);
  const std::string key{std::istreambuf_iterator<char>(key_file), {}};
  if (!key_file || key.empty()) {
    std::cerr << "cppjwt_verify: cannot read key file " << argv[2] << "\n";
    return 2;
  }
  std::uint64_t at = 0;
  try {
    std::size_t used = 0;
    at = std::stoull(argv[5], &used);
    if (used != std::string(argv[5]).size()) throw std::invalid_argument("trailing");
  } catch (const std::exception&) {
    std::cerr << "cppjwt_verify: AT must be Unix seconds, not " << argv[5] << "\n";
    return 2;
  }
  std::ifstream in(argv[6]);
  if (!in) {
    std::cerr << "cppjwt_verify: cannot open " << argv[6] << "\n";
    return 2;
  }

  const auto t0 = std::chrono::steady_clock::now();
  unsigned long verified = 0, rejected = 0;
  std::string line;
  while (std::getline(in, line)) {
    if (verify_one(line, alg, key, argv[3], argv[4], at)) {
      ++verified;
    } else {
      ++rejected;
    }
  }
  const std::chrono::duration<double> secs = std::chrono::steady_clock::now() - t0;
  if (in.bad()) {
    std::cerr << "cppjwt_verify: read error on " << argv[6] << "\n";
    return 2;
  }
  std::printf("verified=%lu rejected=%lu loop_s=%.6f\n", verified, rejected, secs.count());
  return 0;
}
