// Strict base64url (RFC 4648 §5, RFC 7515 §2): known answers, an independent bit-by-bit
// reference decoder, every input of up to three characters and every four-character
// string over an edge alphabet, every byte at every position of multi-block inputs (the
// AVX2 path works on 32-character blocks and hands the tail to the scalar code),
// non-canonical trailing bits, 1 MiB inputs and round trips.
//
// Every decoder reads its input from, and writes its output to, a heap block of exactly
// the documented size, so ASan reports any over-read or over-write (the AVX2 loop loads
// 32 bytes and stores 16 + 8 bytes at a time).
#include "codec/base64url.hpp"

#include <cpuid.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <memory>
#include <random>
#include <span>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace jwtbatch::detail {
namespace {

constexpr std::string_view k_alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

// The 64 valid characters plus the usual suspects: padding, the standard alphabet's two
// characters, whitespace, the JWS segment separator, NUL and two high bytes.
std::string edge_alphabet() {
  std::string s(k_alphabet);
  s += "=+/ \n.";
  s += std::string("\x00\x80\xff", 3);
  return s;
}

// ---------------------------------------------------------------------------------------
// Reference, written from the RFCs rather than from the engine: comparisons instead of
// tables, one bit at a time.

int reference_sextet(unsigned char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-') return 62;  // RFC 4648 §5: '-' and '_' replace '+' and '/'
  if (c == '_') return 63;
  return -1;
}

// reference_decode clears `out` and appends the decoded bytes; false on any violation.
bool reference_decode(std::string_view in, std::vector<std::uint8_t>& out) {
  out.clear();
  if (in.size() % 4 == 1) return false;  // six leftover bits cannot make a byte
  unsigned pending = 0;                  // bits not yet forming a byte
  int pending_bits = 0;
  for (const char ch : in) {
    const int v = reference_sextet(static_cast<unsigned char>(ch));
    if (v < 0) return false;  // not in the alphabet: padding, whitespace, '+', '/', ...
    for (int bit = 5; bit >= 0; --bit) {
      pending = (pending << 1U) | ((static_cast<unsigned>(v) >> static_cast<unsigned>(bit)) & 1U);
      if (++pending_bits == 8) {
        out.push_back(static_cast<std::uint8_t>(pending));
        pending = 0;
        pending_bits = 0;
      }
    }
  }
  // The 0, 2 or 4 bits left over are pad bits: canonical only if zero (RFC 4648 §3.5).
  return pending == 0;
}

std::string reference_encode(std::span<const std::uint8_t> in) {
  std::string out;
  unsigned pending = 0;
  int pending_bits = 0;
  for (const std::uint8_t byte : in) {
    for (int bit = 7; bit >= 0; --bit) {
      pending = (pending << 1U) | ((unsigned{byte} >> static_cast<unsigned>(bit)) & 1U);
      if (++pending_bits == 6) {
        out += k_alphabet[pending];
        pending = 0;
        pending_bits = 0;
      }
    }
  }
  if (pending_bits > 0) out += k_alphabet[pending << static_cast<unsigned>(6 - pending_bits)];
  return out;
}

// ---------------------------------------------------------------------------------------
// Harness

using decode_fn = bool (*)(std::string_view, std::uint8_t*, std::size_t*) noexcept;

struct decoder {
  const char* name;
  decode_fn fn;
};

std::vector<decoder> all_decoders() {
  std::vector<decoder> all = {{"scalar", &base64url_decode_scalar},
                              {"dispatch", &base64url_decode}};
  if (base64url_avx2_available()) all.push_back({"avx2", &base64url_decode_avx2});
  return all;
}

// A heap block of exactly n elements (n may be 0): no slack for an overrun to hide in.
template <class T>
class exact_block {
 public:
  T* get(std::size_t n) {
    if (!block_ || n != size_) {
      block_ = std::make_unique<T[]>(n);
      size_ = n;
    }
    return block_.get();
  }

 private:
  std::unique_ptr<T[]> block_;
  std::size_t size_ = 0;
};

std::string show(std::string_view in) {
  std::ostringstream os;
  os << in.size() << " chars \"";
  for (const char ch : in.substr(0, 96)) {
    const auto c = static_cast<unsigned char>(ch);
    if (c >= 0x20 && c < 0x7F) {
      os << ch;
    } else {
      static constexpr char k_hex[] = "0123456789abcdef";
      os << "\\x" << k_hex[c >> 4U] << k_hex[c & 15U];
    }
  }
  os << (in.size() > 96 ? "\"..." : "\"");
  return os.str();
}

class harness {
 public:
  // check runs every decoder on `in` (which should sit in an exact block: see input())
  // and requires, against the reference: the same verdict; on success the same bytes,
  // *out_len == base64url_decoded_size(in.size()), and re-encoding giving `in` back
  // (strictness: one spelling per byte string).
  testing::AssertionResult check(std::string_view in) {
    const bool expected = reference_decode(in, reference_);
    const std::size_t cap = base64url_decoded_size(in.size());
    std::uint8_t* out = out_.get(cap);
    for (const decoder& d : decoders_) {
      std::fill_n(out, cap, std::uint8_t{0xA5});  // stale bytes must not pass for output
      std::size_t len = ~std::size_t{0};
      const bool ok = d.fn(in, out, &len);
      if (ok != expected) {
        return testing::AssertionFailure()
               << d.name << (ok ? " accepts " : " rejects ") << show(in) << "; the reference "
               << (expected ? "accepts" : "rejects");
      }
      if (!ok) continue;
      if (len != reference_.size() || len != cap) {
        return testing::AssertionFailure()
               << d.name << " out_len " << len << ", reference " << reference_.size()
               << ", decoded_size " << cap << " on " << show(in);
      }
      if (!std::equal(reference_.begin(), reference_.end(), out)) {
        return testing::AssertionFailure() << d.name << " bytes differ on " << show(in);
      }
      char* text = text_.get(base64url_encoded_size(len));
      const std::size_t text_len = base64url_encode(std::span<const std::uint8_t>(out, len), text);
      if (std::string_view(text, text_len) != in) {
        return testing::AssertionFailure()
               << show(in) << " accepted by " << d.name << " but re-encodes to "
               << show(std::string_view(text, text_len));
      }
    }
    if (expected) ++accepted_;
    return testing::AssertionSuccess();
  }

  // input returns this harness's exact input block of n characters, to fill in place.
  char* input(std::size_t n) { return input_.get(n); }

  // check_copy copies `s` into the exact input block, then checks it.
  testing::AssertionResult check_copy(std::string_view s) {
    char* p = input(s.size());
    std::copy(s.begin(), s.end(), p);
    return check(std::string_view(p, s.size()));
  }

  // Inputs the reference (and so every decoder) accepted so far.
  [[nodiscard]] std::size_t accepted() const { return accepted_; }

 private:
  std::vector<decoder> decoders_ = all_decoders();
  exact_block<char> input_;
  exact_block<std::uint8_t> out_;
  exact_block<char> text_;
  std::vector<std::uint8_t> reference_;
  std::size_t accepted_ = 0;
};

// decode_with runs `d` from and into exact blocks: {verdict, bytes (empty on failure)}.
std::pair<bool, std::vector<std::uint8_t>> decode_with(decode_fn d, std::string_view s) {
  exact_block<char> in;
  char* p = in.get(s.size());
  std::copy(s.begin(), s.end(), p);
  exact_block<std::uint8_t> out;
  std::uint8_t* o = out.get(base64url_decoded_size(s.size()));
  std::size_t len = 0;
  if (!d(std::string_view(p, s.size()), o, &len)) return {false, {}};
  return {true, std::vector<std::uint8_t>(o, o + len)};
}

std::vector<std::uint8_t> bytes_of(std::string_view s) {
  return {s.begin(), s.end()};
}

// Fixed seeds: a failure reproduces run after run.
std::mt19937_64 seeded(std::uint64_t seed) {
  return std::mt19937_64(seed);  // NOLINT(cert-msc32-c,cert-msc51-cpp): deliberate
}

std::vector<std::uint8_t> random_bytes(std::mt19937_64& rng, std::size_t n) {
  std::vector<std::uint8_t> v(n);
  for (auto& b : v) b = static_cast<std::uint8_t>(rng());
  return v;
}

// random_valid: a canonical string of n characters (n % 4 != 1), drawn character by
// character, the last one's unused low bits cleared.
std::string random_valid(std::mt19937_64& rng, std::size_t n) {
  std::string s(n, 'A');
  for (auto& c : s) c = k_alphabet[rng() % 64];
  if (n % 4 == 2) s.back() = k_alphabet[k_alphabet.find(s.back()) & ~std::size_t{15}];
  if (n % 4 == 3) s.back() = k_alphabet[k_alphabet.find(s.back()) & ~std::size_t{3}];
  return s;
}

// ---------------------------------------------------------------------------------------
// Known answers

TEST(Base64url, Rfc4648Vectors) {
  // RFC 4648 §10, with the padding removed as RFC 7515 §2 requires.
  const std::pair<std::string_view, std::string_view> cases[] = {
      {"", ""},           {"f", "Zg"},          {"fo", "Zm8"},         {"foo", "Zm9v"},
      {"foob", "Zm9vYg"}, {"fooba", "Zm9vYmE"}, {"foobar", "Zm9vYmFy"}};
  std::vector<std::uint8_t> ref;
  for (const auto& [plain, encoded] : cases) {
    EXPECT_EQ(base64url_encode(plain), encoded);
    EXPECT_EQ(reference_encode(bytes_of(plain)), encoded);
    ASSERT_TRUE(reference_decode(encoded, ref)) << encoded;
    EXPECT_EQ(ref, bytes_of(plain));
    for (const decoder& d : all_decoders()) {
      const auto [ok, got] = decode_with(d.fn, encoded);
      EXPECT_TRUE(ok) << d.name << " " << encoded;
      EXPECT_EQ(got, bytes_of(plain)) << d.name << " " << encoded;
    }
  }
}

TEST(Base64url, UrlSafeAlphabet) {
  // 0xfb 0xff 0xbf: standard base64 "+/+/", base64url "-_-_".
  EXPECT_EQ(base64url_encode("\xfb\xff\xbf"), "-_-_");
  EXPECT_EQ(base64url_encode("\xfb\xff"), "-_8");
  EXPECT_EQ(base64url_encode(std::string_view("\x00\x10\x83", 3)), "ABCD");
  std::string all_sextets;  // 48 bytes whose encoding is the alphabet in order
  for (std::size_t i = 0; i < 64; i += 4) {
    const auto v = static_cast<unsigned>((i << 18U) | ((i + 1) << 12U) | ((i + 2) << 6U) | (i + 3));
    all_sextets += static_cast<char>(v >> 16U);
    all_sextets += static_cast<char>((v >> 8U) & 0xFFU);
    all_sextets += static_cast<char>(v & 0xFFU);
  }
  EXPECT_EQ(base64url_encode(all_sextets), k_alphabet);
  for (const decoder& d : all_decoders()) {  // 64 characters: two AVX2 blocks
    EXPECT_EQ(decode_with(d.fn, k_alphabet).second, bytes_of(all_sextets)) << d.name;
  }
}

TEST(Base64url, Rfc7515AppendixA1) {
  // RFC 7515 A.1: header, payload, the HMAC key (JWK "k") and the signature, with the
  // octets the RFC lists.
  const std::pair<std::string_view, std::vector<std::uint8_t>> cases[] = {
      {"eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9",
       bytes_of("{\"typ\":\"JWT\",\r\n \"alg\":\"HS256\"}")},
      {"eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0"
       "cnVlfQ",
       bytes_of(
           "{\"iss\":\"joe\",\r\n \"exp\":1300819380,\r\n \"http://example.com/is_root\":true}")},
      {"AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow",
       {3,   35,  53, 75,  43,  15, 165, 188, 131, 126, 6,   101, 119, 123, 166, 143,
        90,  179, 40, 230, 240, 84, 201, 40,  169, 15,  132, 178, 210, 80,  46,  191,
        211, 251, 90, 146, 210, 6,  71,  239, 150, 138, 180, 195, 119, 98,  61,  34,
        61,  46,  33, 114, 5,   46, 79,  8,   192, 205, 154, 245, 103, 208, 128, 163}},
      {"dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk",
       {116, 24,  223, 180, 151, 153, 224, 37,  79, 250, 96, 125, 216, 173, 187, 186,
        22,  212, 37,  77,  105, 214, 191, 240, 91, 88,  5,  88,  83,  132, 141, 121}}};
  harness h;
  for (const auto& [encoded, expected] : cases) {
    for (const decoder& d : all_decoders()) {
      const auto [ok, got] = decode_with(d.fn, encoded);
      EXPECT_TRUE(ok) << d.name << " " << encoded;
      EXPECT_EQ(got, expected) << d.name << " " << encoded;
    }
    std::string text(base64url_encoded_size(expected.size()), '?');
    EXPECT_EQ(base64url_encode(expected, text.data()), encoded.size());
    EXPECT_EQ(text, encoded);
    EXPECT_TRUE(h.check_copy(encoded));
  }
}

TEST(Base64url, Sizes) {
  for (std::size_t n = 0; n < 1000; ++n) {
    EXPECT_EQ(base64url_encoded_size(n), (8 * n + 5) / 6) << n;  // ceil(8n / 6)
    const std::size_t whole = n % 4 == 1 ? n - 1 : n;            // documented for 1 mod 4
    EXPECT_EQ(base64url_decoded_size(n), 6 * whole / 8) << n;
  }
}

TEST(Base64url, StrictRejections) {
  const std::string_view rejected[] = {
      "Z",          // length 1 mod 4
      "Zm9vY",      // length 1 mod 4
      "Zg==",       // padding
      "Zm8=",       // padding
      "Zg=",        // padding in a 3-character string
      "Zh",         // non-zero unused bits ("Zg" is the canonical spelling)
      "Zm9",        // non-zero unused bits ("Zm8")
      "+/8",        // standard alphabet
      "Zm9v YmFy",  // space
      "Zm9v\nYmFy",
      " Zm9v",
      "Zm9v\r\n",
      "Zm9v\t",
      "Zm9v.",                       // segment separator
      "Zm9v%3D",                     // percent-encoded padding
      "Zm9v\xC3\xA9",                // UTF-8
      std::string_view("Zm\0v", 4),  // NUL
      "Zm9vYmFy\xFF\xFF\xFF\xFF",
      // 40 characters: a bad character in the AVX2 block, then in the scalar tail.
      "eyJ0eXAiOiJKV1QiLA0KIC=hbGciOiJIUzI1NiJ9",
      "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ+",
      "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9====",
  };
  harness h;
  for (const std::string_view bad : rejected) {
    for (const decoder& d : all_decoders()) {
      EXPECT_FALSE(decode_with(d.fn, bad).first) << d.name << " accepts " << show(bad);
    }
    EXPECT_TRUE(h.check_copy(bad));
  }
  EXPECT_EQ(h.accepted(), 0U);
  for (const std::string_view good :
       {"Zg", "Zm8", "Zm9v", "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9"}) {
    for (const decoder& d : all_decoders()) EXPECT_TRUE(decode_with(d.fn, good).first) << good;
  }
}

// Regression for a bug found while writing this file: base64url_decode dispatched
// through a pointer set by a dynamic initialiser in base64url.cpp, so a call from
// another translation unit's static initialiser (this one's: the test object precedes
// the engine archive on the link line) jumped through a null pointer and crashed.
struct static_init_probe {
  bool ok = false;
  std::size_t len = 0;
  std::array<std::uint8_t, 2> bytes{};
  bool avx2 = false;
};

const static_init_probe k_static_init_probe = [] {
  static_init_probe p;
  p.ok = base64url_decode("Zm8", p.bytes.data(), &p.len);
  p.avx2 = base64url_avx2_available();
  return p;
}();

TEST(Base64url, UsableFromStaticInitialisers) {
  EXPECT_TRUE(k_static_init_probe.ok);
  EXPECT_EQ(k_static_init_probe.len, 2U);
  EXPECT_EQ(k_static_init_probe.bytes, (std::array<std::uint8_t, 2>{'f', 'o'}));
  EXPECT_EQ(k_static_init_probe.avx2, base64url_avx2_available());
}

// What the CPU and OS say, independently of the engine: AVX2 in CPUID leaf 7, and the
// OS saving YMM state (OSXSAVE, XCR0 bits 1 and 2).
bool cpuid_says_avx2() {
  unsigned eax = 0;
  unsigned ebx = 0;
  unsigned ecx = 0;
  unsigned edx = 0;
  if (__get_cpuid(1, &eax, &ebx, &ecx, &edx) == 0) return false;
  if ((ecx & bit_OSXSAVE) == 0 || (ecx & bit_AVX) == 0) return false;
  unsigned xcr0_lo = 0;
  unsigned xcr0_hi = 0;
  __asm__("xgetbv" : "=a"(xcr0_lo), "=d"(xcr0_hi) : "c"(0));
  if ((xcr0_lo & 6U) != 6U) return false;
  if (__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx) == 0) return false;
  return (ebx & bit_AVX2) != 0;
}

TEST(Base64url, Avx2AvailabilityMatchesCpuid) {
  // Otherwise the AVX2 decoder would silently go untested (or crash on old CPUs).
  EXPECT_EQ(base64url_avx2_available(), cpuid_says_avx2());
}

// ---------------------------------------------------------------------------------------
// Exhaustive short inputs

#if defined(__SANITIZE_ADDRESS__)
// Under ASan (a Debug build, some 30x slower) the length-4 sweep keeps every value in
// positions 2-4 but takes a subset for position 1, to stay near a minute: what ASan
// checks, the memory each decoder touches, depends on the length only. The normal build
// runs the full sweep.
constexpr bool k_reduced_sweep = true;
#else
constexpr bool k_reduced_sweep = false;
#endif

TEST(Base64urlExhaustive, EveryInputOfLengthZeroToTwo) {
  harness h;
  ASSERT_TRUE(h.check(std::string_view(h.input(0), 0)));  // NOLINT(bugprone-string-constructor)
  char* p = h.input(1);
  for (int a = 0; a < 256; ++a) {
    p[0] = static_cast<char>(a);
    ASSERT_TRUE(h.check(std::string_view(p, 1)));
  }
  p = h.input(2);
  for (int a = 0; a < 256; ++a) {
    for (int b = 0; b < 256; ++b) {
      p[0] = static_cast<char>(a);
      p[1] = static_cast<char>(b);
      ASSERT_TRUE(h.check(std::string_view(p, 2)));
    }
  }
  // "" ; nothing of length 1 ; 64 first characters x 4 with the low 4 bits clear.
  EXPECT_EQ(h.accepted(), 1U + 0U + 64U * 4U);
}

TEST(Base64urlExhaustive, EveryInputOfLengthThree) {
  // All 256^3 = 16.8M inputs.
  harness h;
  char* p = h.input(3);
  for (int a = 0; a < 256; ++a) {
    p[0] = static_cast<char>(a);
    for (int b = 0; b < 256; ++b) {
      p[1] = static_cast<char>(b);
      for (int c = 0; c < 256; ++c) {
        p[2] = static_cast<char>(c);
        ASSERT_TRUE(h.check(std::string_view(p, 3)));
      }
    }
  }
  EXPECT_EQ(h.accepted(), 64U * 64U * 16U);  // last character: low 2 bits clear
}

TEST(Base64urlExhaustive, EveryLengthFourStringOverTheEdgeAlphabet) {
  const std::string alphabet = edge_alphabet();
  ASSERT_EQ(alphabet.size(), 73U);
  // Under ASan: sextets with their top, bottom and middle bits set, and every invalid one.
  const std::string first = k_reduced_sweep ? "AQgw09-_" + alphabet.substr(64) : alphabet;
  const std::size_t first_valid = k_reduced_sweep ? 8 : 64;
  harness h;
  char* p = h.input(4);
  for (const char a : first) {
    p[0] = a;
    for (const char b : alphabet) {
      p[1] = b;
      for (const char c : alphabet) {
        p[2] = c;
        for (const char d : alphabet) {
          p[3] = d;
          ASSERT_TRUE(h.check(std::string_view(p, 4)));
        }
      }
    }
  }
  EXPECT_EQ(h.accepted(), first_valid * 64U * 64U * 64U);
}

// ---------------------------------------------------------------------------------------
// Differential: the AVX2 block path (inputs of 32 characters and more)

TEST(Base64urlDifferential, RandomValidStringsOfEveryLength) {
  harness h;
  for (const std::uint64_t seed : {1U, 2U, 3U}) {
    std::mt19937_64 rng = seeded(seed);
    for (std::size_t n = 0; n <= 300; ++n) {
      for (int rep = 0; rep < 8; ++rep) {
        if (n % 4 == 1) {
          // No valid string has this length: canonical-looking characters are rejected.
          std::string s(n, 'A');
          for (auto& c : s) c = k_alphabet[rng() % 64];
          ASSERT_TRUE(h.check_copy(s));
          continue;
        }
        const std::size_t before = h.accepted();
        ASSERT_TRUE(h.check_copy(random_valid(rng, n)));
        ASSERT_EQ(h.accepted(), before + 1) << "length " << n;
      }
    }
  }
}

TEST(Base64urlDifferential, RandomMostlyValidStringsOfEveryLength) {
  // One character in 64 drawn from the edge alphabet's invalid characters.
  const std::string bad = edge_alphabet().substr(64);
  harness h;
  std::mt19937_64 rng = seeded(4);
  for (std::size_t n = 0; n <= 300; ++n) {
    for (int rep = 0; rep < 8; ++rep) {
      std::string s = random_valid(rng, n);
      for (auto& c : s) {
        if (rng() % 64 == 0) c = bad[rng() % bad.size()];
      }
      ASSERT_TRUE(h.check_copy(s));
    }
  }
}

TEST(Base64urlDifferential, EveryByteAtEveryPosition) {
  // Lengths with 1 to 6 whole blocks and every tail kind (0, 2, 3 mod 4; short and long
  // tails): positions cover the first, middle and last block and the scalar tail.
  const std::size_t lengths[] = {32, 34, 35, 36,  38,  39,  63,  64,  66,  67, 95,
                                 96, 98, 99, 128, 131, 160, 163, 190, 199, 200};
  std::mt19937_64 rng = seeded(5);
  harness h;
  for (const std::size_t n : lengths) {
    const std::string valid = random_valid(rng, n);
    char* p = h.input(n);
    std::copy(valid.begin(), valid.end(), p);
    const std::size_t before = h.accepted();
    for (std::size_t pos = 0; pos < n; ++pos) {
      for (int v = 0; v < 256; ++v) {
        p[pos] = static_cast<char>(v);
        ASSERT_TRUE(h.check(std::string_view(p, n))) << "position " << pos;
      }
      p[pos] = valid[pos];
    }
    // Exactly the 64 alphabet characters are accepted at each position; at the last one
    // only those whose unused bits are zero.
    const std::size_t last = n % 4 == 0 ? 64 : n % 4 == 3 ? 16 : 4;
    EXPECT_EQ(h.accepted() - before, (n - 1) * 64 + last) << "length " << n;
  }
}

TEST(Base64urlDifferential, NonCanonicalTrailingBits) {
  // For n = 2 mod 4 the last character carries 4 unused bits, for n = 3 mod 4 two:
  // exactly the characters with those bits clear are accepted, short and long.
  const std::size_t lengths[] = {2,  3,  6,  7,  10, 11, 30,  31,  34,  35,
                                 38, 39, 62, 63, 66, 67, 130, 131, 258, 259};
  std::mt19937_64 rng = seeded(6);
  harness h;
  for (const std::size_t n : lengths) {
    const unsigned unused_mask = n % 4 == 2 ? 15U : 3U;
    std::string s = random_valid(rng, n);
    for (std::size_t sextet = 0; sextet < 64; ++sextet) {
      s.back() = k_alphabet[sextet];
      const bool canonical = (sextet & unused_mask) == 0;
      for (const decoder& d : all_decoders()) {
        EXPECT_EQ(decode_with(d.fn, s).first, canonical) << d.name << " " << show(s);
      }
      ASSERT_TRUE(h.check_copy(s));
    }
  }
}

TEST(Base64urlDifferential, LargeInputs) {
  std::mt19937_64 rng = seeded(7);
  harness h;
  // 1 MiB and one and two bytes more: encoded lengths 2, 3 and 0 mod 4.
  for (const std::size_t size :
       {std::size_t{1} << 20, (std::size_t{1} << 20) + 1, (std::size_t{1} << 20) + 2}) {
    const std::vector<std::uint8_t> data = random_bytes(rng, size);
    std::string text(base64url_encoded_size(size), '?');
    ASSERT_EQ(base64url_encode(data, text.data()), text.size());
    for (const decoder& d : all_decoders()) {
      const auto [ok, got] = decode_with(d.fn, text);
      EXPECT_TRUE(ok) << d.name;
      EXPECT_TRUE(got == data) << d.name << ": 1 MiB round trip differs";
    }
    ASSERT_TRUE(h.check_copy(text));

    // One invalid byte: at the ends, in the last whole block, in the tail, and at random.
    std::string invalid_bytes;
    for (int v = 0; v < 256; ++v) {
      if (reference_sextet(static_cast<unsigned char>(v)) < 0)
        invalid_bytes += static_cast<char>(v);
    }
    ASSERT_EQ(invalid_bytes.size(), 192U);
    const std::size_t n = text.size();
    std::vector<std::size_t> positions = {0, 31, 32, n / 2, n / 32 * 32 - 1, n / 32 * 32, n - 1};
    for (int i = 0; i < 12; ++i) positions.push_back(rng() % n);
    for (const std::size_t pos : positions) {
      std::string s = text;
      s[pos] = invalid_bytes[rng() % invalid_bytes.size()];
      for (const decoder& d : all_decoders()) {
        EXPECT_FALSE(decode_with(d.fn, s).first) << d.name << " accepts bad byte at " << pos;
      }
    }
  }
}

TEST(Base64urlDifferential, UnalignedBuffersAndCanaries) {
  // Every input and output alignment within a 32-byte window; canaries on both sides of
  // the output catch under- and overruns even without ASan.
  std::mt19937_64 rng = seeded(8);
  const std::vector<std::uint8_t> data = random_bytes(rng, 150);  // 200 characters
  const std::string text = reference_encode(data);
  ASSERT_EQ(text.size(), 200U);
  std::vector<char> in(text.size() + 32);
  std::vector<std::uint8_t> out(data.size() + 32 + 16);
  for (const decoder& d : all_decoders()) {
    for (std::size_t in_off = 0; in_off < 32; ++in_off) {
      std::copy(text.begin(), text.end(), in.begin() + static_cast<std::ptrdiff_t>(in_off));
      for (std::size_t out_off = 8; out_off < 40; ++out_off) {
        std::fill(out.begin(), out.end(), std::uint8_t{0xA5});
        std::size_t len = 0;
        ASSERT_TRUE(
            d.fn(std::string_view(in.data() + in_off, text.size()), out.data() + out_off, &len))
            << d.name;
        ASSERT_EQ(len, data.size());
        ASSERT_TRUE(std::equal(data.begin(), data.end(),
                               out.begin() + static_cast<std::ptrdiff_t>(out_off)))
            << d.name << " in +" << in_off << " out +" << out_off;
        ASSERT_TRUE(std::all_of(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(out_off),
                                [](std::uint8_t b) { return b == 0xA5; }))
            << d.name << " wrote before the output";
        ASSERT_TRUE(std::all_of(out.begin() + static_cast<std::ptrdiff_t>(out_off + len), out.end(),
                                [](std::uint8_t b) { return b == 0xA5; }))
            << d.name << " wrote past the output";
      }
    }
  }
}

// ---------------------------------------------------------------------------------------
// Encoder and round trips

TEST(Base64urlRoundTrip, EncodeMatchesReferenceAndDecodesBack) {
  std::mt19937_64 rng = seeded(9);
  exact_block<char> text_block;
  for (std::size_t size = 0; size <= 1100; ++size) {
    const std::vector<std::uint8_t> data = random_bytes(rng, size);
    const std::string expected = reference_encode(data);
    ASSERT_EQ(expected.size(), base64url_encoded_size(size));
    char* text = text_block.get(expected.size());  // exact: ASan sees an overrun
    ASSERT_EQ(base64url_encode(data, text), expected.size());
    ASSERT_EQ(std::string_view(text, expected.size()), expected) << size << " bytes";
    ASSERT_EQ(base64url_encode(std::string_view(reinterpret_cast<const char*>(data.data()), size)),
              expected);
    for (const decoder& d : all_decoders()) {
      const auto [ok, got] = decode_with(d.fn, expected);
      ASSERT_TRUE(ok) << d.name << " " << size << " bytes";
      ASSERT_TRUE(got == data) << d.name << " " << size << " bytes";
    }
  }
}

}  // namespace
}  // namespace jwtbatch::detail
