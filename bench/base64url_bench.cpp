// base64url decode (scalar vs AVX2) and encode at token-like sizes. Sizes are the
// encoded input length; bytes/s counts input bytes.
#include <benchmark/benchmark.h>

#include <random>
#include <string>
#include <vector>

#include "base64url.hpp"

namespace jwtbatch::detail {
namespace {

std::string make_input(std::size_t encoded_len) {
  std::mt19937_64 rng(42);
  std::vector<std::uint8_t> bytes(encoded_len * 3 / 4 + 3);
  for (auto& b : bytes) b = static_cast<std::uint8_t>(rng());
  std::string text =
      base64url_encode(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
  text.resize(encoded_len);
  while (text.size() % 4 != 0) text.pop_back();  // keep it valid: whole quanta
  return text;
}

template <bool (*Decode)(std::string_view, std::uint8_t*, std::size_t*)>
void decode(benchmark::State& state) {
  const std::string in = make_input(static_cast<std::size_t>(state.range(0)));
  std::vector<std::uint8_t> out(base64url_decoded_size(in.size()));
  for (auto _ : state) {
    std::size_t len = 0;
    if (!Decode(in, out.data(), &len)) state.SkipWithError("decode failed");
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(in.size()));
}

void decode_avx2(benchmark::State& state) {
  if (!base64url_avx2_available()) {
    state.SkipWithError("no AVX2 on this CPU");
    return;
  }
  decode<&base64url_decode_avx2>(state);
}

void encode(benchmark::State& state) {
  const std::string text = make_input(static_cast<std::size_t>(state.range(0)));
  std::vector<std::uint8_t> bytes(base64url_decoded_size(text.size()));
  std::size_t len = 0;
  if (!base64url_decode(text, bytes.data(), &len)) std::abort();
  std::string out(text.size() + 4, '\0');
  for (auto _ : state) {
    benchmark::DoNotOptimize(base64url_encode(std::span(bytes.data(), len), out.data()));
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(text.size()));
}

BENCHMARK(decode<&base64url_decode_scalar>)->Name("decode_scalar")->Arg(64)->Arg(512)->Arg(4096);
BENCHMARK(decode_avx2)->Arg(64)->Arg(512)->Arg(4096);
BENCHMARK(decode<&base64url_decode>)->Name("decode_dispatch")->Arg(64)->Arg(512)->Arg(4096);
BENCHMARK(encode)->Arg(64)->Arg(512)->Arg(4096);

}  // namespace
}  // namespace jwtbatch::detail

BENCHMARK_MAIN();
