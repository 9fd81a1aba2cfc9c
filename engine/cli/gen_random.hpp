// gen_random.hpp: all randomness of `jwtbatch gen` (gen.hpp's determinism promise).
// std::mt19937_64's output is specified by the standard; the range reduction and the
// shuffle are ours, so every standard library gives the same corpus for a seed.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <random>
#include <utility>
#include <vector>

namespace jwtbatch::cli::gen_parts {

class prng {
 public:
  explicit prng(std::uint64_t seed) : engine_(seed) {}
  // below returns a uniform value in [0, n), n > 0 (rejection keeps it unbiased).
  std::uint64_t below(std::uint64_t n) {
    const std::uint64_t rem = (std::numeric_limits<std::uint64_t>::max() % n + 1) % n;
    for (;;) {
      const std::uint64_t x = engine_();
      if (rem == 0 || x < std::uint64_t{0} - rem) return x % n;
    }
  }
  template <class T>
  const T& pick(const std::vector<T>& v) {
    return v[below(v.size())];
  }
  template <class T, std::size_t N>
  const T& pick(const std::array<T, N>& v) {
    return v[below(N)];
  }
  template <class T>
  void shuffle(std::vector<T>& v) {  // Fisher-Yates
    for (std::size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[below(i)]);
  }
  std::vector<std::uint8_t> bytes(std::size_t n) {
    std::vector<std::uint8_t> out(n);
    for (auto& b : out) b = static_cast<std::uint8_t>(engine_() >> 56U);
    return out;
  }

 private:
  std::mt19937_64 engine_;
};

}  // namespace jwtbatch::cli::gen_parts
