#include "crypto/random.hpp"

#include <openssl/rand.h>

#include <bit>
#include <cstring>

namespace jwtbatch::detail {

void random_bytes(std::span<std::uint8_t> out) noexcept {
  RAND_bytes(out.data(), out.size());
}

namespace {

std::uint64_t load_le64(const char* p) noexcept {
  std::uint64_t v = 0;
  std::memcpy(&v, p, sizeof v);
  if constexpr (std::endian::native == std::endian::big) v = __builtin_bswap64(v);
  return v;
}

struct sip_state {
  std::uint64_t v0, v1, v2, v3;
  void rounds(int n) noexcept {
    for (int i = 0; i < n; ++i) {
      v0 += v1;
      v1 = std::rotl(v1, 13);
      v1 ^= v0;
      v0 = std::rotl(v0, 32);
      v2 += v3;
      v3 = std::rotl(v3, 16);
      v3 ^= v2;
      v0 += v3;
      v3 = std::rotl(v3, 21);
      v3 ^= v0;
      v2 += v1;
      v1 = std::rotl(v1, 17);
      v1 ^= v2;
      v2 = std::rotl(v2, 32);
    }
  }
  void absorb(std::uint64_t m, int c) noexcept {
    v3 ^= m;
    rounds(c);
    v0 ^= m;
  }
};

// SipHash-c-d (Aumasson and Bernstein, "SipHash: a fast short-input PRF", 2012).
inline std::uint64_t sip_hash(std::span<const std::uint64_t, 2> key, std::string_view data, int c,
                              int d) noexcept {
  sip_state s{key[0] ^ 0x736f6d6570736575ULL, key[1] ^ 0x646f72616e646f6dULL,
              key[0] ^ 0x6c7967656e657261ULL, key[1] ^ 0x7465646279746573ULL};
  const std::size_t words = data.size() / 8;
  for (std::size_t i = 0; i < words; ++i) s.absorb(load_le64(data.data() + 8 * i), c);
  std::uint64_t last = std::uint64_t{data.size() & 0xFFU} << 56U;
  for (std::size_t i = 8 * words; i < data.size(); ++i) {
    last |= std::uint64_t{static_cast<unsigned char>(data[i])} << (8 * (i - 8 * words));
  }
  s.absorb(last, c);
  s.v2 ^= 0xFFU;
  s.rounds(d);
  return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}

}  // namespace

std::uint64_t siphash13(std::span<const std::uint64_t, 2> key, std::string_view data) noexcept {
  return sip_hash(key, data, 1, 3);
}

std::uint64_t siphash_rounds(std::span<const std::uint64_t, 2> key, std::string_view data,
                             int c_rounds, int d_rounds) noexcept {
  return sip_hash(key, data, c_rounds, d_rounds);
}

}  // namespace jwtbatch::detail
