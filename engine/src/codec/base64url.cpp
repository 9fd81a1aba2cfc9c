#include "codec/base64url.hpp"

#include <array>
#include <atomic>

namespace jwtbatch::detail {
namespace {

constexpr char k_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

// Any table entry for a byte outside the alphabet has this bit set; valid entries
// only occupy the low 24 bits, so OR-ing a quantum's four entries keeps it visible.
constexpr std::uint32_t k_invalid = 0x01000000U;

constexpr int sextet(unsigned c) {
  for (int i = 0; i < 64; ++i) {
    if (static_cast<unsigned char>(k_alphabet[i]) == c) return i;
  }
  return -1;
}

// Four tables, one per position in a quantum, holding the sextet already shifted to
// its place in the 24-bit group: a quantum costs four loads and three ORs.
struct decode_tables {
  std::array<std::array<std::uint32_t, 256>, 4> t{};
};

constexpr decode_tables make_tables() {
  decode_tables d;
  for (unsigned c = 0; c < 256; ++c) {
    const int s = sextet(c);
    for (unsigned pos = 0; pos < 4; ++pos) {
      d.t[pos][c] = s < 0 ? k_invalid : static_cast<std::uint32_t>(s) << (18 - 6 * pos);
    }
  }
  return d;
}

constexpr decode_tables k_tables = make_tables();

inline std::uint8_t at(std::string_view in, std::size_t i) {
  return static_cast<std::uint8_t>(in[i]);
}

}  // namespace

bool base64url_decode_scalar(std::string_view in, std::uint8_t* out,
                             std::size_t* out_len) noexcept {
  const std::size_t n = in.size();
  const std::size_t rem = n % 4;
  if (rem == 1) return false;  // RFC 4648 §5: one leftover character carries < 8 bits
  const auto& t = k_tables.t;
  std::uint32_t bad = 0;
  std::size_t i = 0;
  std::uint8_t* o = out;
  for (; i + 4 <= n; i += 4, o += 3) {
    const std::uint32_t v =
        t[0][at(in, i)] | t[1][at(in, i + 1)] | t[2][at(in, i + 2)] | t[3][at(in, i + 3)];
    bad |= v;
    o[0] = static_cast<std::uint8_t>(v >> 16);
    o[1] = static_cast<std::uint8_t>(v >> 8);
    o[2] = static_cast<std::uint8_t>(v);
  }
  if (rem == 2) {
    const std::uint32_t v = t[0][at(in, i)] | t[1][at(in, i + 1)];
    // The second character's low 4 bits are unused: they must be zero.
    bad |= v | ((v & 0xFFFFU) != 0 ? k_invalid : 0U);
    o[0] = static_cast<std::uint8_t>(v >> 16);
    o += 1;
  } else if (rem == 3) {
    const std::uint32_t v = t[0][at(in, i)] | t[1][at(in, i + 1)] | t[2][at(in, i + 2)];
    // The third character's low 2 bits are unused: they must be zero.
    bad |= v | ((v & 0xFFU) != 0 ? k_invalid : 0U);
    o[0] = static_cast<std::uint8_t>(v >> 16);
    o[1] = static_cast<std::uint8_t>(v >> 8);
    o += 2;
  }
  if ((bad & k_invalid) != 0) return false;
  *out_len = static_cast<std::size_t>(o - out);
  return true;
}

namespace {

using decode_fn = bool (*)(std::string_view, std::uint8_t*, std::size_t*) noexcept;

bool resolve_and_decode(std::string_view in, std::uint8_t* out, std::size_t* out_len) noexcept;

// The decoder in use. Constant-initialised (no dynamic initialiser) so that a call from
// another translation unit's static initialiser, e.g. a global key set loaded from a
// JWKS, finds the resolver instead of a null pointer: dynamic initialisation order
// across translation units is unspecified. The first call stores the CPU's decoder;
// racing first calls store the same value, and a relaxed load is a plain load on
// x86-64, so the hot path stays one indirect call with no guard.
constinit std::atomic<decode_fn> g_decode{&resolve_and_decode};

bool resolve_and_decode(std::string_view in, std::uint8_t* out, std::size_t* out_len) noexcept {
  const decode_fn chosen =
      base64url_avx2_available() ? &base64url_decode_avx2 : &base64url_decode_scalar;
  g_decode.store(chosen, std::memory_order_relaxed);
  return chosen(in, out, out_len);
}

}  // namespace

bool base64url_avx2_available() noexcept {
  // A function-local static, not a namespace-scope one, for the same reason as g_decode:
  // it is correct even when first asked during static initialisation.
  static const bool available = [] {
    __builtin_cpu_init();  // required when called during static initialisation
    // NOLINTNEXTLINE(readability-implicit-bool-conversion): the builtin is int-valued
    return __builtin_cpu_supports("avx2") != 0;
  }();
  return available;
}

bool base64url_decode(std::string_view in, std::uint8_t* out, std::size_t* out_len) noexcept {
  return g_decode.load(std::memory_order_relaxed)(in, out, out_len);
}

std::size_t base64url_encode(std::span<const std::uint8_t> in, char* out) noexcept {
  const std::size_t n = in.size();
  std::size_t i = 0;
  char* o = out;
  for (; i + 3 <= n; i += 3, o += 4) {
    const std::uint32_t v =
        (std::uint32_t{in[i]} << 16) | (std::uint32_t{in[i + 1]} << 8) | std::uint32_t{in[i + 2]};
    o[0] = k_alphabet[(v >> 18) & 63U];
    o[1] = k_alphabet[(v >> 12) & 63U];
    o[2] = k_alphabet[(v >> 6) & 63U];
    o[3] = k_alphabet[v & 63U];
  }
  if (n - i == 1) {
    const std::uint32_t v = std::uint32_t{in[i]} << 16;
    o[0] = k_alphabet[(v >> 18) & 63U];
    o[1] = k_alphabet[(v >> 12) & 63U];
    o += 2;
  } else if (n - i == 2) {
    const std::uint32_t v = (std::uint32_t{in[i]} << 16) | (std::uint32_t{in[i + 1]} << 8);
    o[0] = k_alphabet[(v >> 18) & 63U];
    o[1] = k_alphabet[(v >> 12) & 63U];
    o[2] = k_alphabet[(v >> 6) & 63U];
    o += 3;
  }
  return static_cast<std::size_t>(o - out);
}

std::string base64url_encode(std::string_view in) {
  std::string out(base64url_encoded_size(in.size()), '\0');
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(in.data());
  const std::size_t written = base64url_encode(std::span(bytes, in.size()), out.data());
  out.resize(written);
  return out;
}

}  // namespace jwtbatch::detail
