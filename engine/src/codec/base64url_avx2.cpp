// AVX2 base64url decoder: 32 characters -> 24 bytes per step, same verdicts as the
// scalar decoder. Compiled for AVX2 through a target attribute so the rest of the
// engine stays baseline x86-64; base64url_decode only calls it when the CPU has AVX2.
//
// Per 32-byte block:
//  1. classify each byte by range (A-Z, a-z, 0-9, '-', '_'); signed compares make
//     every byte >= 0x80 fall outside all ranges, so no separate check is needed;
//  2. add the per-class offset that maps the character to its sextet;
//  3. pack: maddubs joins sextet pairs into 12-bit words, madd joins word pairs into
//     24-bit groups, a byte shuffle puts each group's three bytes in big-endian
//     order, and a cross-lane permute makes the 24 output bytes contiguous.
// The tail (< 32 characters, including the final partial quantum and its trailing-bit
// rule) goes through the scalar decoder, which is exact by construction.
#include <immintrin.h>

#include "codec/base64url.hpp"

namespace jwtbatch::detail {
namespace {

__attribute__((target("avx2"))) inline __m256i in_range(__m256i v, char lo, char hi) {
  return _mm256_and_si256(_mm256_cmpgt_epi8(v, _mm256_set1_epi8(static_cast<char>(lo - 1))),
                          _mm256_cmpgt_epi8(_mm256_set1_epi8(static_cast<char>(hi + 1)), v));
}

}  // namespace

__attribute__((target("avx2"))) bool base64url_decode_avx2(std::string_view in, std::uint8_t* out,
                                                           std::size_t* out_len) noexcept {
  const std::size_t n = in.size();
  if (n % 4 == 1) return false;
  const auto* src = reinterpret_cast<const std::uint8_t*>(in.data());
  std::uint8_t* dst = out;

  const __m256i pack_pairs = _mm256_set1_epi32(0x01400140);    // [s0*64 + s1, s2*64 + s3]
  const __m256i pack_quads = _mm256_set1_epi32(0x00011000);    // w0*4096 + w1
  const __m256i to_bytes = _mm256_setr_epi8(                   // bytes 2,1,0 of each group
      2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, -1, -1, -1, -1,  //
      2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, -1, -1, -1, -1);
  const __m256i join_lanes = _mm256_setr_epi32(0, 1, 2, 4, 5, 6, 3, 7);
  __m256i all_valid = _mm256_set1_epi8(-1);

  std::size_t i = 0;
  for (; i + 32 <= n; i += 32, dst += 24) {
    const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(src + i));
    const __m256i upper = in_range(v, 'A', 'Z');
    const __m256i lower = in_range(v, 'a', 'z');
    const __m256i digit = in_range(v, '0', '9');
    const __m256i dash = _mm256_cmpeq_epi8(v, _mm256_set1_epi8('-'));
    const __m256i under = _mm256_cmpeq_epi8(v, _mm256_set1_epi8('_'));
    const __m256i valid = _mm256_or_si256(_mm256_or_si256(upper, lower),
                                          _mm256_or_si256(_mm256_or_si256(digit, dash), under));
    all_valid = _mm256_and_si256(all_valid, valid);

    // Offsets: 'A'->0 (-65), 'a'->26 (-71), '0'->52 (+4), '-'->62 (+17), '_'->63 (-32).
    __m256i offset = _mm256_and_si256(upper, _mm256_set1_epi8(-65));
    offset = _mm256_or_si256(offset, _mm256_and_si256(lower, _mm256_set1_epi8(-71)));
    offset = _mm256_or_si256(offset, _mm256_and_si256(digit, _mm256_set1_epi8(4)));
    offset = _mm256_or_si256(offset, _mm256_and_si256(dash, _mm256_set1_epi8(17)));
    offset = _mm256_or_si256(offset, _mm256_and_si256(under, _mm256_set1_epi8(-32)));
    const __m256i sextets = _mm256_add_epi8(v, offset);

    const __m256i words = _mm256_maddubs_epi16(sextets, pack_pairs);
    const __m256i groups = _mm256_madd_epi16(words, pack_quads);
    const __m256i bytes = _mm256_shuffle_epi8(groups, to_bytes);
    const __m256i packed = _mm256_permutevar8x32_epi32(bytes, join_lanes);
    // Exactly 24 bytes written: the output buffer has no slack to spare.
    _mm_storeu_si128(reinterpret_cast<__m128i*>(dst), _mm256_castsi256_si128(packed));
    _mm_storel_epi64(reinterpret_cast<__m128i*>(dst + 16), _mm256_extracti128_si256(packed, 1));
  }
  if (_mm256_movemask_epi8(all_valid) != -1) return false;

  std::size_t tail_len = 0;
  if (!base64url_decode_scalar(in.substr(i), dst, &tail_len)) return false;
  *out_len = static_cast<std::size_t>(dst - out) + tail_len;
  return true;
}

}  // namespace jwtbatch::detail
