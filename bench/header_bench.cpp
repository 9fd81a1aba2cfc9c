// Splitting a compact token and parsing its JOSE header, with one header_scratch reused
// as a worker thread would. Items/s = tokens/s.
//  - rfc7515_a1: the RFC 7515 A.1 token (header {"typ":"JWT",\r\n "alg":"HS256"});
//  - typical: {"alg":"RS256","kid":"2024-01-key","typ":"JWT"}, a ~100-byte claim set and
//    a 256-byte (RS256-sized) signature, built with the encoder.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>

#include "codec/base64url.hpp"
#include "jose/compact.hpp"
#include "jose/header.hpp"

namespace jwtbatch::detail {
namespace {

const std::string& rfc7515_a1_token() {
  static const std::string token =
      "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9"
      ".eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0"
      "cnVlfQ.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
  return token;
}

const std::string& typical_token() {
  static const std::string token =
      base64url_encode(R"({"alg":"RS256","kid":"2024-01-key","typ":"JWT"})") + "." +
      base64url_encode(R"({"iss":"https://issuer.example","sub":"user-1","aud":"api",)"
                       R"("iat":1700000000,"exp":1900000000,"scope":"read write"})") +
      "." + base64url_encode(std::string(256, '\x5a'));
  return token;
}

// The header segment of `token`, checked once outside the timed loop.
std::string header_of(const std::string& token) {
  return token.substr(0, token.find('.'));
}

void split(benchmark::State& state, const std::string& token) {
  compact_parts parts;
  for (auto _ : state) {
    benchmark::DoNotOptimize(split_compact(token, k_default_max_token_bytes, parts));
    benchmark::DoNotOptimize(parts);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

void parse(benchmark::State& state, const std::string& token) {
  const std::string segment = header_of(token);
  header_scratch scratch;
  jose_header header;
  if (parse_header(segment, scratch, header) != status::ok) {
    state.SkipWithError("parse_header failed");
    return;
  }
  for (auto _ : state) {
    benchmark::DoNotOptimize(parse_header(segment, scratch, header));
    benchmark::DoNotOptimize(header);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

void split_and_parse(benchmark::State& state, const std::string& token) {
  header_scratch scratch;
  jose_header header;
  compact_parts parts;
  if (split_compact(token, k_default_max_token_bytes, parts) != status::ok ||
      parse_header(parts.header, scratch, header) != status::ok) {
    state.SkipWithError("split or parse failed");
    return;
  }
  for (auto _ : state) {
    // Both calls always run: the verdicts are combined without short-circuiting.
    const status s = split_compact(token, k_default_max_token_bytes, parts);
    const status h = parse_header(parts.header, scratch, header);
    benchmark::DoNotOptimize(s);
    benchmark::DoNotOptimize(h);
    benchmark::DoNotOptimize(header);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

BENCHMARK_CAPTURE(split, rfc7515_a1, rfc7515_a1_token());
BENCHMARK_CAPTURE(split, typical, typical_token());
BENCHMARK_CAPTURE(parse, rfc7515_a1, rfc7515_a1_token());
BENCHMARK_CAPTURE(parse, typical, typical_token());
BENCHMARK_CAPTURE(split_and_parse, rfc7515_a1, rfc7515_a1_token());
BENCHMARK_CAPTURE(split_and_parse, typical, typical_token());

}  // namespace
}  // namespace jwtbatch::detail
