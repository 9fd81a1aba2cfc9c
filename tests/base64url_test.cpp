// Strict base64url: known answers, an independent reference decoder, exhaustive short
// inputs, and the scalar and AVX2 decoders compared byte for byte on every input.
#include "base64url.hpp"

#include <gtest/gtest.h>

#include <array>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace jwtbatch::detail {
namespace {

// Reference: bit by bit, no tables, written from RFC 4648 §5 and RFC 7515 §2.
std::optional<std::vector<std::uint8_t>> reference_decode(std::string_view in) {
  const auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '-') return 62;
    if (c == '_') return 63;
    return -1;
  };
  if (in.size() % 4 == 1) return std::nullopt;
  std::vector<std::uint8_t> out;
  unsigned acc = 0;
  int bits = 0;
  for (char c : in) {
    const int v = value(c);
    if (v < 0) return std::nullopt;
    acc = (acc << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<std::uint8_t>((acc >> bits) & 0xFFU));
    }
  }
  if ((acc & ((1U << bits) - 1U)) != 0) return std::nullopt;  // non-zero unused bits
  return out;
}

using decoder = bool (*)(std::string_view, std::uint8_t*, std::size_t*);

// Decodes into a heap buffer of exactly the documented size, so ASan sees overruns.
std::optional<std::vector<std::uint8_t>> run(decoder d, std::string_view in) {
  std::vector<std::uint8_t> out(base64url_decoded_size(in.size()));
  std::size_t len = 0;
  if (!d(in, out.data(), &len)) return std::nullopt;
  EXPECT_LE(len, out.size());
  out.resize(len);
  return out;
}

std::vector<decoder> decoders() {
  std::vector<decoder> all = {&base64url_decode_scalar, &base64url_decode};
  if (base64url_avx2_available()) all.push_back(&base64url_decode_avx2);
  return all;
}

// Every decoder must agree with the reference: same verdict, same bytes.
void expect_all_agree(std::string_view in) {
  const auto expected = reference_decode(in);
  for (decoder d : decoders()) {
    const auto got = run(d, in);
    ASSERT_EQ(got.has_value(), expected.has_value())
        << "input of " << in.size() << " bytes: \"" << std::string(in.substr(0, 80)) << "\"";
    if (got) {
      ASSERT_EQ(*got, *expected);
    }
  }
}

std::string encode(const std::vector<std::uint8_t>& bytes) {
  return base64url_encode(
      std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

std::string random_valid(std::mt19937_64& rng, std::size_t bytes) {
  std::vector<std::uint8_t> data(bytes);
  for (auto& b : data) b = static_cast<std::uint8_t>(rng());
  return encode(data);
}

TEST(Base64url, Rfc4648Vectors) {
  const std::pair<const char*, const char*> cases[] = {
      {"", ""},           {"f", "Zg"},          {"fo", "Zm8"},         {"foo", "Zm9v"},
      {"foob", "Zm9vYg"}, {"fooba", "Zm9vYmE"}, {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, encoded] : cases) {
    EXPECT_EQ(base64url_encode(plain), encoded);
    for (decoder d : decoders()) {
      const auto got = run(d, encoded);
      ASSERT_TRUE(got.has_value()) << encoded;
      EXPECT_EQ(std::string(got->begin(), got->end()), plain);
    }
  }
  // The URL-safe alphabet: 0xfb 0xff -> "-_8" (standard base64 would be "+/8").
  EXPECT_EQ(base64url_encode("\xfb\xff"), "-_8");
  EXPECT_EQ(base64url_decoded_size(0), 0U);
  EXPECT_EQ(base64url_decoded_size(2), 1U);
  EXPECT_EQ(base64url_decoded_size(3), 2U);
  EXPECT_EQ(base64url_decoded_size(43), 32U);
  EXPECT_EQ(base64url_encoded_size(32), 43U);
}

TEST(Base64url, StrictRejections) {
  for (const char* bad : {"Zg==", "Zm8=", "Zm9v YmFy", "Zm9v\nYmFy", "+/8", "Zh", "Zm9", "Z",
                          "Zm9vY", "Zm9v.", "Zm9v\xC3\xA9"}) {
    for (decoder d : decoders()) EXPECT_FALSE(run(d, bad).has_value()) << bad;
  }
  // "Zh" and "Zg" differ only in unused low bits: only the canonical one is accepted.
  EXPECT_TRUE(run(&base64url_decode, "Zg").has_value());
  EXPECT_FALSE(run(&base64url_decode, "Zh").has_value());
}

TEST(Base64url, ExhaustiveUpToThreeCharacters) {
  // Every string of length 0..2 over all 256 byte values, and length 3 over all
  // 256 values in the last position with every valid or edge value elsewhere.
  expect_all_agree("");
  std::string s(1, '\0');
  for (int a = 0; a < 256; ++a) {
    s[0] = static_cast<char>(a);
    expect_all_agree(s);
  }
  s.assign(2, '\0');
  for (int a = 0; a < 256; ++a) {
    for (int b = 0; b < 256; ++b) {
      s[0] = static_cast<char>(a);
      s[1] = static_cast<char>(b);
      ASSERT_NO_FATAL_FAILURE(expect_all_agree(s));
    }
  }
  std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=+/ \n.";
  alphabet += std::string("\0\x80\xff", 3);
  s.assign(3, '\0');
  for (char a : alphabet) {
    for (char b : alphabet) {
      for (int c = 0; c < 256; ++c) {
        s[0] = a;
        s[1] = b;
        s[2] = static_cast<char>(c);
        ASSERT_NO_FATAL_FAILURE(expect_all_agree(s));
      }
    }
  }
}

TEST(Base64url, EveryFourCharacterStringOverTheEdgeAlphabet) {
  std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=+/ \n.";
  alphabet += std::string("\0\x80\xff", 3);
  std::string s(4, '\0');
  for (char a : alphabet) {
    for (char b : alphabet) {
      for (char c : alphabet) {
        for (char d : alphabet) {
          s = {a, b, c, d};
          ASSERT_NO_FATAL_FAILURE(expect_all_agree(s));
        }
      }
    }
  }
}

TEST(Base64url, RandomValidInputsOfEveryLength) {
  std::mt19937_64 rng(20261128);
  for (std::size_t bytes = 0; bytes <= 300; ++bytes) {
    for (int rep = 0; rep < 4; ++rep) {
      const std::string in = random_valid(rng, bytes);
      ASSERT_NO_FATAL_FAILURE(expect_all_agree(in));
      const auto decoded = run(&base64url_decode, in);
      ASSERT_TRUE(decoded.has_value());
      EXPECT_EQ(decoded->size(), bytes);
      EXPECT_EQ(encode(*decoded), in);  // strictness: one spelling per byte string
    }
  }
}

TEST(Base64url, EveryByteAtEveryPositionOfLongInputs) {
  // The AVX2 path handles 32-character blocks and leaves the tail to the scalar code:
  // substitute all 256 values at every position of inputs that cover one and several
  // blocks plus each tail length.
  std::mt19937_64 rng(7);
  for (std::size_t bytes : {24U, 25U, 26U, 47U, 48U, 71U, 100U, 150U}) {
    const std::string valid = random_valid(rng, bytes);
    std::string s = valid;
    for (std::size_t pos = 0; pos < s.size(); ++pos) {
      for (int v = 0; v < 256; ++v) {
        s[pos] = static_cast<char>(v);
        ASSERT_NO_FATAL_FAILURE(expect_all_agree(s)) << "length " << s.size() << " pos " << pos;
      }
      s[pos] = valid[pos];
    }
  }
}

TEST(Base64url, NonCanonicalTrailingBitsShortAndLong) {
  std::mt19937_64 rng(11);
  for (std::size_t bytes : {1U, 2U, 4U, 5U, 31U, 32U, 97U, 98U}) {
    const std::string valid = random_valid(rng, bytes);
    ASSERT_NE(valid.size() % 4, 0U);
    const int unused_bits = valid.size() % 4 == 2 ? 4 : 2;
    for (int flip = 1; flip < (1 << unused_bits); ++flip) {
      std::string s = valid;
      // Set unused low bits of the last character's sextet.
      const std::string alphabet =
          "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
      const std::size_t sextet = alphabet.find(s.back());
      s.back() = alphabet[(sextet & ~static_cast<std::size_t>((1 << unused_bits) - 1)) |
                          static_cast<std::size_t>(flip)];
      for (decoder d : decoders()) EXPECT_FALSE(run(d, s).has_value()) << s;
    }
  }
}

TEST(Base64url, LargeInputsWithOneBadByte) {
  std::mt19937_64 rng(3);
  const std::string valid = random_valid(rng, 1 << 20);
  ASSERT_NO_FATAL_FAILURE(expect_all_agree(valid));
  for (int round = 0; round < 16; ++round) {
    std::string s = valid;
    const std::size_t pos = rng() % s.size();
    s[pos] = "=+/ \n.\x80"[round % 7];
    for (decoder d : decoders()) EXPECT_FALSE(run(d, s).has_value()) << "pos " << pos;
  }
}

TEST(Base64url, RoundTripsRandomBytes) {
  std::mt19937_64 rng(5);
  for (std::size_t bytes = 0; bytes < 2000; bytes += 7) {
    std::vector<std::uint8_t> data(bytes);
    for (auto& b : data) b = static_cast<std::uint8_t>(rng());
    const std::string text = encode(data);
    EXPECT_EQ(text.size(), base64url_encoded_size(bytes));
    for (decoder d : decoders()) EXPECT_EQ(run(d, text), data);
  }
}

}  // namespace
}  // namespace jwtbatch::detail
