// Splitting a token and parsing its JOSE header, with a reused scratch as a worker
// thread would. Items/s = tokens/s.
#include <benchmark/benchmark.h>

#include <string>

#include "base64url.hpp"
#include "compact.hpp"
#include "header.hpp"

namespace jwtbatch::detail {
namespace {

// RFC 7515 A.1's header segment, and a typical access-token header.
const std::string k_rfc_header = "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9";
const std::string k_typical_header =
    base64url_encode(R"({"alg":"RS256","kid":"2024-01-key","typ":"JWT"})");
const std::string k_token = k_typical_header +
                            ".eyJpc3MiOiJodHRwczovL2lzc3Vlci5leGFtcGxlIiwic3ViIjoidXNlci0xIn0" +
                            ".c2lnbmF0dXJlLWJ5dGVzLWdvLWhlcmU";

void split(benchmark::State& state) {
  compact_parts parts;
  for (auto _ : state) {
    benchmark::DoNotOptimize(split_compact(k_token, k_default_max_token_bytes, parts));
    benchmark::DoNotOptimize(parts);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

void parse(benchmark::State& state, const std::string& segment) {
  header_scratch scratch;
  jose_header header;
  for (auto _ : state) {
    if (parse_header(segment, scratch, header) != status::ok) state.SkipWithError("parse failed");
    benchmark::DoNotOptimize(header);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

void split_and_parse(benchmark::State& state) {
  header_scratch scratch;
  jose_header header;
  compact_parts parts;
  for (auto _ : state) {
    if (split_compact(k_token, k_default_max_token_bytes, parts) != status::ok ||
        parse_header(parts.header, scratch, header) != status::ok) {
      state.SkipWithError("split or parse failed");
    }
    benchmark::DoNotOptimize(header);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

BENCHMARK(split);
BENCHMARK_CAPTURE(parse, rfc7515_a1, k_rfc_header);
BENCHMARK_CAPTURE(parse, typical, k_typical_header);
BENCHMARK(split_and_parse);

}  // namespace
}  // namespace jwtbatch::detail

BENCHMARK_MAIN();
