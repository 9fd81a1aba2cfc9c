// base64url_fuzzer: differential and round-trip fuzzing of the strict base64url codec
// (engine/src/base64url.hpp; docs/SECURITY.md P1, §4).
//
// For every input, taken as a candidate base64url string:
//  - the scalar decoder, the AVX2 decoder (when the CPU has AVX2), the dispatching
//    base64url_decode and a slow bit-by-bit reference written here all give the same
//    verdict, and the same bytes and length when they accept;
//  - an accepted string re-encodes to exactly itself (one spelling per byte string);
// and, taking the input as arbitrary bytes, decode(encode(bytes)) == bytes.
// Every output buffer is a heap block of exactly the documented size, so ASan reports
// any write or read past it. A violated invariant prints the input and aborts.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "codec/base64url.hpp"

namespace {

namespace d = jwtbatch::detail;

[[noreturn]] void fail(const char* what, std::string_view input) {
  std::fprintf(stderr, "base64url_fuzzer: invariant violated: %s\ninput (%zu bytes):", what,
               input.size());
  for (const char c : input) std::fprintf(stderr, " %02x", static_cast<unsigned char>(c));
  std::fprintf(stderr, "\n");
  std::abort();
}

#define JWTBATCH_FUZZ_CHECK(cond, what, input) \
  do {                                         \
    if (!(cond)) fail(what, input);            \
  } while (false)

// The RFC 4648 §5 alphabet, decided without tables or ranges shared with the engine.
int reference_sextet(unsigned char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-') return 62;
  if (c == '_') return 63;
  return -1;
}

// reference_decode: strict decoding one sextet at a time through a bit accumulator.
// Rejects bytes outside the alphabet, a length of 1 mod 4 and non-zero unused bits.
bool reference_decode(std::string_view in, std::vector<std::uint8_t>& out) {
  out.clear();
  if (in.size() % 4 == 1) return false;
  std::uint32_t acc = 0;
  unsigned bits = 0;
  for (const char c : in) {
    const int s = reference_sextet(static_cast<unsigned char>(c));
    if (s < 0) return false;
    acc = ((acc << 6) | static_cast<std::uint32_t>(s)) & 0xFFFFU;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<std::uint8_t>(acc >> bits));
    }
  }
  return (acc & ((1U << bits) - 1U)) == 0;  // unused trailing bits must be zero
}

using decoder = bool (*)(std::string_view, std::uint8_t*, std::size_t*) noexcept;

struct decode_result {
  bool accepted = false;
  std::vector<std::uint8_t> bytes;
};

// Decodes into a heap block of exactly base64url_decoded_size(in.size()) bytes.
decode_result run_decoder(decoder fn, std::string_view in) {
  const std::size_t cap = d::base64url_decoded_size(in.size());
  const std::unique_ptr<std::uint8_t[]> buf(new std::uint8_t[cap]);
  std::size_t len = 0;
  decode_result r;
  r.accepted = fn(in, buf.get(), &len);
  if (r.accepted) {
    JWTBATCH_FUZZ_CHECK(len <= cap, "decoded length exceeds base64url_decoded_size", in);
    r.bytes.assign(buf.get(), buf.get() + len);
  }
  return r;
}

bool same(const decode_result& a, const decode_result& b) {
  return a.accepted == b.accepted && (!a.accepted || a.bytes == b.bytes);
}

// check_decoders compares every decoder on `in` and returns the common verdict/bytes.
decode_result check_decoders(std::string_view in) {
  std::vector<std::uint8_t> ref_bytes;
  const bool ref_ok = reference_decode(in, ref_bytes);

  decode_result scalar = run_decoder(d::base64url_decode_scalar, in);
  JWTBATCH_FUZZ_CHECK(scalar.accepted == ref_ok, "scalar verdict differs from reference", in);
  if (ref_ok) {
    JWTBATCH_FUZZ_CHECK(scalar.bytes == ref_bytes, "scalar bytes differ from reference", in);
    JWTBATCH_FUZZ_CHECK(scalar.bytes.size() == d::base64url_decoded_size(in.size()),
                        "accepted length is not base64url_decoded_size", in);
  }
  if (d::base64url_avx2_available()) {
    const decode_result avx2 = run_decoder(d::base64url_decode_avx2, in);
    JWTBATCH_FUZZ_CHECK(same(scalar, avx2), "AVX2 and scalar decoders disagree", in);
  }
  const decode_result dispatched = run_decoder(d::base64url_decode, in);
  JWTBATCH_FUZZ_CHECK(same(scalar, dispatched), "base64url_decode disagrees with scalar", in);
  return scalar;
}

// Encodes into a heap block of exactly base64url_encoded_size(bytes.size()) characters.
std::string encode_exact(std::span<const std::uint8_t> bytes, std::string_view input) {
  const std::size_t cap = d::base64url_encoded_size(bytes.size());
  const std::unique_ptr<char[]> buf(new char[cap]);
  const std::size_t written = d::base64url_encode(bytes, buf.get());
  JWTBATCH_FUZZ_CHECK(written == cap, "encode wrote other than base64url_encoded_size", input);
  return std::string(buf.get(), written);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  // 1. The input as a candidate encoding: all decoders agree; strictness.
  const decode_result decoded = check_decoders(input);
  if (decoded.accepted) {
    JWTBATCH_FUZZ_CHECK(encode_exact(decoded.bytes, input) == input,
                        "accepted input does not re-encode to itself (second spelling)", input);
  }

  // 2. The input as bytes: the encoding is canonical and decodes back to them.
  const std::string encoded = encode_exact(std::span(data, size), input);
  JWTBATCH_FUZZ_CHECK(d::base64url_encode(input) == encoded, "string and span encoders disagree",
                      input);
  const decode_result round_trip = check_decoders(encoded);
  JWTBATCH_FUZZ_CHECK(round_trip.accepted, "encoder output rejected by the decoders", input);
  JWTBATCH_FUZZ_CHECK(round_trip.bytes.size() == size &&
                          (size == 0 || std::memcmp(round_trip.bytes.data(), data, size) == 0),
                      "decode(encode(bytes)) != bytes", input);
  return 0;
}
