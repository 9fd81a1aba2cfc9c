// base64url at token-like sizes: scalar vs AVX2 decode (and the dispatching entry point),
// and encode. The argument is the encoded length in characters (64, 512, 4096); bytes/s
// counts input bytes: characters for decode, raw bytes (3/4 as many) for encode.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "codec/base64url.hpp"

namespace jwtbatch::detail {
namespace {

// A canonical input of exactly `encoded_len` characters (a multiple of 4 here).
std::string make_text(std::size_t encoded_len) {
  std::mt19937_64 rng(42);  // NOLINT(cert-msc32-c,cert-msc51-cpp): same input every run
  std::string raw(base64url_decoded_size(encoded_len), '\0');
  for (auto& c : raw) c = static_cast<char>(rng());
  return base64url_encode(raw);
}

using decode_fn = bool (*)(std::string_view, std::uint8_t*, std::size_t*) noexcept;

void run_decode(benchmark::State& state, decode_fn decode) {
  const std::string in = make_text(static_cast<std::size_t>(state.range(0)));
  std::vector<std::uint8_t> out(base64url_decoded_size(in.size()));
  std::size_t len = 0;
  if (!decode(in, out.data(), &len) || len != out.size()) {
    state.SkipWithError("decode failed on a valid input");
    return;
  }
  for (auto _ : state) {
    benchmark::DoNotOptimize(decode(in, out.data(), &len));
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(in.size()));
}

void decode_scalar(benchmark::State& state) {
  run_decode(state, &base64url_decode_scalar);
}

void decode_avx2(benchmark::State& state) {
  if (!base64url_avx2_available()) {
    state.SkipWithError("no AVX2 on this CPU");
    return;
  }
  run_decode(state, &base64url_decode_avx2);
}

void decode_dispatch(benchmark::State& state) {
  run_decode(state, &base64url_decode);
}

void encode(benchmark::State& state) {
  const std::string text = make_text(static_cast<std::size_t>(state.range(0)));
  std::vector<std::uint8_t> raw(base64url_decoded_size(text.size()));
  std::size_t len = 0;
  if (!base64url_decode(text, raw.data(), &len)) {
    state.SkipWithError("setup decode failed");
    return;
  }
  std::string out(base64url_encoded_size(raw.size()), '\0');
  for (auto _ : state) {
    benchmark::DoNotOptimize(base64url_encode(std::span<const std::uint8_t>(raw), out.data()));
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(raw.size()));
}

BENCHMARK(decode_scalar)->Arg(64)->Arg(512)->Arg(4096);
BENCHMARK(decode_avx2)->Arg(64)->Arg(512)->Arg(4096);
BENCHMARK(decode_dispatch)->Arg(64)->Arg(512)->Arg(4096);
BENCHMARK(encode)->Arg(64)->Arg(512)->Arg(4096);

}  // namespace
}  // namespace jwtbatch::detail
