// The public helpers a program (the jwtbatch command line among them) uses beside the
// verifier: strict base64url (jwtbatch/base64url.hpp), JSON and text writing and the
// verifier's JSON reading (jwtbatch/json_text.hpp), and one key's signature primitives
// (jwtbatch/primitives.hpp). Only public headers are included here.
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "jwtbatch/base64url.hpp"
#include "jwtbatch/json_text.hpp"
#include "jwtbatch/key_set.hpp"
#include "jwtbatch/primitives.hpp"
#include "jwtbatch/sign.hpp"

namespace jwtbatch {
namespace {

std::vector<std::uint8_t> bytes_of(std::string_view s) {
  return {s.begin(), s.end()};
}

// ---- base64url ---------------------------------------------------------------------

TEST(PublicBase64url, EncodesRfc4648Vectors) {
  // RFC 4648 §10, in the URL alphabet and without padding (RFC 7515 §2).
  EXPECT_EQ(base64url_encode(std::string_view("")), "");
  EXPECT_EQ(base64url_encode(std::string_view("f")), "Zg");
  EXPECT_EQ(base64url_encode(std::string_view("fo")), "Zm8");
  EXPECT_EQ(base64url_encode(std::string_view("foo")), "Zm9v");
  EXPECT_EQ(base64url_encode(std::string_view("foobar")), "Zm9vYmFy");
  const std::array<std::uint8_t, 2> high = {0xfb, 0xff};
  EXPECT_EQ(base64url_encode(std::span<const std::uint8_t>(high)), "-_8");
  std::array<char, 3> out{};
  EXPECT_EQ(base64url_encode(std::span<const std::uint8_t>(high), out.data()), 3U);
  EXPECT_EQ(std::string(out.data(), 3), "-_8");
  EXPECT_EQ(base64url_encoded_size(0), 0U);
  EXPECT_EQ(base64url_encoded_size(1), 2U);
  EXPECT_EQ(base64url_encoded_size(2), 3U);
  EXPECT_EQ(base64url_encoded_size(3), 4U);
  EXPECT_EQ(base64url_decoded_size(2), 1U);
  EXPECT_EQ(base64url_decoded_size(3), 2U);
  EXPECT_EQ(base64url_decoded_size(4), 3U);
}

TEST(PublicBase64url, DecodesStrictlyOnly) {
  EXPECT_EQ(base64url_decode("Zm9vYmFy"), bytes_of("foobar"));
  EXPECT_EQ(base64url_decode("-_8"), (std::vector<std::uint8_t>{0xfb, 0xff}));
  EXPECT_EQ(base64url_decode(""), std::vector<std::uint8_t>{});
  EXPECT_EQ(base64url_decode("Zg=="), std::nullopt);   // padding
  EXPECT_EQ(base64url_decode("Zh"), std::nullopt);     // non-zero unused bits
  EXPECT_EQ(base64url_decode("+/8"), std::nullopt);    // the standard alphabet
  EXPECT_EQ(base64url_decode("Zm9vY"), std::nullopt);  // 1 mod 4
  EXPECT_EQ(base64url_decode("Zm 9v"), std::nullopt);  // whitespace
  std::array<std::uint8_t, 6> out{};
  std::size_t len = 99;
  ASSERT_TRUE(base64url_decode("Zm9vYmFy", out.data(), &len));
  EXPECT_EQ(len, 6U);
  EXPECT_EQ(std::memcmp(out.data(), "foobar", 6), 0);
  EXPECT_FALSE(base64url_decode("Zm9vYmF=", out.data(), &len));
  const std::string path = base64url_simd_path();
  EXPECT_TRUE(path == "AVX2" || path == "scalar") << path;
}

// ---- JSON and text -----------------------------------------------------------------

TEST(PublicJsonText, WritesJsonStrings) {
  std::string out = "x";
  append_json_string(out, "a\"b\\c\n\x01");
  EXPECT_EQ(out, R"(x"a\"b\\c\u000a\u0001")");
  out.clear();
  append_json_string(out, "\xff");  // not UTF-8: U+FFFD, written as an escape
  EXPECT_EQ(out, R"("\ufffd")");
}

TEST(PublicJsonText, EscapesAndCutsText) {
  EXPECT_EQ(escape_text("a\tb\x1b[2J"), "a\\tb\\x1b[2J");
  EXPECT_EQ(escape_text("say \"hi\"", true), "\"say \\\"hi\\\"\"");
  EXPECT_EQ(escape_text("\xE2\x80\xAE"), "\\u202e");  // RIGHT-TO-LEFT OVERRIDE
  std::string out = ">";
  append_text(out, "k\n1", true);
  EXPECT_EQ(out, ">\"k\\n1\"");
  EXPECT_EQ(cut_text("h\xC3\xA9llo", 2), "h");  // é is kept whole or dropped whole
  EXPECT_EQ(cut_text("h\xC3\xA9llo", 3), "h\xC3\xA9");
  EXPECT_EQ(cut_text("abc", 10), "abc");
}

TEST(PublicJsonText, ReadsJsonAsTheVerifierDoes) {
  const json_text good = read_json_text(R"( {"alg" : "HS256", "n":[1, 2]} )");
  EXPECT_TRUE(good.ok);
  EXPECT_EQ(good.code, status::ok);
  EXPECT_TRUE(good.is_object);
  EXPECT_EQ(good.minified, R"({"alg":"HS256","n":[1,2]})");
  ASSERT_EQ(good.members.size(), 2U);
  EXPECT_EQ(good.members[0], (std::pair<std::string, std::string>{"alg", "\"HS256\""}));
  EXPECT_EQ(good.members[1], (std::pair<std::string, std::string>{"n", "[1,2]"}));

  const json_text array = read_json_text("[1]");
  EXPECT_TRUE(array.ok);
  EXPECT_FALSE(array.is_object);

  const json_text dup = read_json_text(R"({"alg":"HS256","\u0061lg":"none"})");
  EXPECT_FALSE(dup.ok);
  EXPECT_EQ(dup.code, status::duplicate_member);
  EXPECT_EQ(dup.problem,
            "a member name appears twice in one object (refused by verify: RFC 7515 §4, RFC "
            "8725 §2.6)");

  const json_text bom = read_json_text("\xEF\xBB\xBF{}");
  EXPECT_EQ(bom.code, status::bad_json);
  EXPECT_EQ(bom.problem, "not JSON: starts with a byte-order mark (RFC 8259 §8.1)");

  const json_text bad = read_json_text("{\"a\":nul}");
  EXPECT_EQ(bad.code, status::bad_json);
  EXPECT_FALSE(bad.ok);
  EXPECT_EQ(bad.problem.rfind("not JSON (", 0), 0U) << bad.problem;

  const json_text deep = read_json_text(std::string(17, '[') + std::string(17, ']'));
  EXPECT_EQ(deep.code, status::json_limit_exceeded);
  EXPECT_EQ(deep.problem, "refused by verify: json_limit_exceeded");
}

// ---- one key's primitives ----------------------------------------------------------

std::shared_ptr<const key_set> load(const std::string& jwk) {
  key_set_builder b;
  b.expect_private_keys();
  b.add_jwks(jwk, "test");
  return b.build();
}

TEST(PublicPrimitives, HmacKey) {
  const auto keys =
      load(R"({"kty":"oct","kid":"m","alg":"HS256","k":")" +
           base64url_encode(std::string_view("0123456789abcdef0123456789abcdef")) + R"("})");
  const key_handle k = key_at(*keys, 0);
  EXPECT_EQ(k.kid(), "m");
  EXPECT_TRUE(k.has_kid());
  EXPECT_EQ(k.kind(), key_kind::oct);
  EXPECT_TRUE(k.allows(alg::hs256));
  EXPECT_FALSE(k.allows(alg::hs384));
  EXPECT_TRUE(k.can_sign());
  EXPECT_EQ(k.signature_size(alg::hs256), 32U);
  EXPECT_EQ(k.signature_size(alg::hs384), 0U);
  const std::span<const std::uint8_t> secret = k.hmac_secret();
  EXPECT_EQ(std::string(secret.begin(), secret.end()), "0123456789abcdef0123456789abcdef");
  EXPECT_TRUE(k.public_spki_der().empty());

  // The primitive's signature is the one sign_compact puts in the token.
  const std::string token = sign_compact(*keys, "m", alg::hs256, R"({"sub":"a"})");
  const std::size_t dot = token.rfind('.');
  const std::string input = token.substr(0, dot);
  std::vector<std::uint8_t> sig;
  ASSERT_TRUE(k.sign(alg::hs256, input, sig));
  EXPECT_EQ(base64url_encode(std::span<const std::uint8_t>(sig)), token.substr(dot + 1));
  EXPECT_EQ(k.verify(alg::hs256, input, sig), status::ok);
  sig[5] ^= 1;
  EXPECT_EQ(k.verify(alg::hs256, input, sig), status::bad_signature);
  sig.pop_back();
  EXPECT_EQ(k.verify(alg::hs256, input, sig), status::bad_signature_length);
  EXPECT_EQ(k.verify(alg::hs384, input, sig), status::alg_key_mismatch);
  EXPECT_FALSE(k.sign(alg::hs512, input, sig));
}

TEST(PublicPrimitives, AsymmetricKeys) {
  struct expected {
    alg a;
    key_kind kind;
    std::size_t sig_bytes;
    std::size_t spki_bytes;
  };
  // SPKI sizes: RSA-2048 294 bytes (RFC 3279), P-256 91 (RFC 5480), Ed25519 44 (RFC 8410).
  for (const expected e :
       {expected{alg::rs256, key_kind::rsa, 256, 294}, expected{alg::es256, key_kind::ec, 64, 91},
        expected{alg::eddsa, key_kind::okp, 64, 44}}) {
    SCOPED_TRACE(std::string(alg_name(e.a)));
    const generated_key g = generate_key(e.a, "a1");
    const auto priv = load(g.private_jwk);
    key_set_builder pb;
    pb.add_jwks(g.public_jwk, "public");
    const auto pub = pb.build();
    const key_handle k = key_at(*priv, 0);
    const key_handle p = key_at(*pub, 0);
    EXPECT_EQ(k.kind(), e.kind);
    EXPECT_TRUE(k.can_sign());
    EXPECT_FALSE(p.can_sign());
    EXPECT_EQ(k.signature_size(e.a), e.sig_bytes);
    EXPECT_TRUE(k.hmac_secret().empty());
    const std::vector<std::uint8_t> der = k.public_spki_der();
    EXPECT_EQ(der.size(), e.spki_bytes);
    EXPECT_EQ(der, p.public_spki_der());  // the private key's public part
    if (e.a == alg::eddsa) {
      // RFC 8410 §4: SEQUENCE { SEQUENCE { OID 1.3.101.112 }, BIT STRING (32 bytes) }.
      const std::array<std::uint8_t, 12> prefix = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03,
                                                   0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};
      EXPECT_TRUE(std::equal(prefix.begin(), prefix.end(), der.begin()));
    }
    const std::string input = "eyJhbGciOiJ4In0.eyJzdWIiOiJhIn0";
    std::vector<std::uint8_t> sig;
    ASSERT_TRUE(k.sign(e.a, input, sig));
    EXPECT_EQ(sig.size(), e.sig_bytes);
    EXPECT_EQ(p.verify(e.a, input, sig), status::ok);
    EXPECT_FALSE(p.sign(e.a, input, sig));  // no private part
    std::vector<std::uint8_t> fresh;
    ASSERT_TRUE(k.sign(e.a, input, fresh));
    fresh[fresh.size() / 2] ^= 0x10;
    EXPECT_EQ(p.verify(e.a, input, fresh), status::bad_signature);
    EXPECT_EQ(p.verify(alg::hs256, input, fresh), status::alg_key_mismatch);
  }
}

TEST(PublicPrimitives, KeyAtOutOfRangeThrows) {
  const auto keys = load(generate_key(alg::hs384, "x").private_jwk);
  EXPECT_EQ(keys->size(), 1U);
  try {
    (void)key_at(*keys, 1);
    FAIL() << "no exception";
  } catch (const config_error& e) {
    EXPECT_STREQ(e.what(), "key_at: no key 1 in a set of 1");
  }
}

}  // namespace
}  // namespace jwtbatch
