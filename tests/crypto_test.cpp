// crypto_test: the crypto layer (engine/src/crypto) on its own: the precomputed HMAC
// states against BoringSSL's one-shot HMAC(), sign and verify per family through the
// layer's builders, the ECDSA range check (docs/SECURITY.md S6), the fingerprint, the
// keyed hash and the DER/PEM recognisers. Expected values are published vectors
// (RFC 4231, FIPS 180-2, the SipHash paper, SEC 2 curve orders) or BoringSSL's own
// answer for the same input.
#include <openssl/bn.h>
#include <openssl/digest.h>
#include <openssl/ec.h>
#include <openssl/ec_key.h>
#include <openssl/hmac.h>
#include <openssl/siphash.h>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "crypto/digest.hpp"
#include "crypto/fingerprint.hpp"
#include "crypto/hmac.hpp"
#include "crypto/key.hpp"
#include "crypto/keygen.hpp"
#include "crypto/memory.hpp"
#include "crypto/pem.hpp"
#include "crypto/random.hpp"
#include "crypto/sha2.hpp"
#include "crypto/signature.hpp"
#include "test_support.hpp"

namespace jwtbatch::detail {
namespace {

std::vector<std::uint8_t> unhex(std::string_view hex) {
  std::vector<std::uint8_t> out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<std::uint8_t>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

std::string hex(std::span<const std::uint8_t> bytes) {
  static constexpr char k_hex[] = "0123456789abcdef";
  std::string out;
  for (const std::uint8_t b : bytes) {
    out += k_hex[b >> 4U];
    out += k_hex[b & 0xFU];
  }
  return out;
}

std::span<const std::uint8_t> bytes_of(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

// Deterministic bytes that differ at every position and with every seed.
std::vector<std::uint8_t> pattern(std::size_t n, unsigned seed) {
  std::vector<std::uint8_t> out(n);
  std::uint32_t x = 2463534242U ^ (seed * 2654435761U);
  for (auto& b : out) {
    x ^= x << 13U;
    x ^= x >> 17U;
    x ^= x << 5U;
    b = static_cast<std::uint8_t>(x);
  }
  return out;
}

const char* hash_name(sha2 h) {
  return h == sha2::sha256 ? "SHA-256" : h == sha2::sha384 ? "SHA-384" : "SHA-512";
}

// ---------------------------------------------------------------------------------
// HMAC: the precomputed states against BoringSSL's one-shot HMAC().

std::vector<std::uint8_t> boringssl_hmac(sha2 h, std::span<const std::uint8_t> secret,
                                         std::span<const std::uint8_t> message) {
  std::array<std::uint8_t, EVP_MAX_MD_SIZE> out{};
  unsigned len = 0;
  static const std::uint8_t k_empty = 0;  // HMAC() wants a pointer even for no key
  const std::uint8_t* key = secret.empty() ? &k_empty : secret.data();
  const std::uint8_t* msg = message.empty() ? &k_empty : message.data();
  EXPECT_NE(HMAC(sha2_md(h), key, secret.size(), msg, message.size(), out.data(), &len), nullptr);
  return {out.begin(), out.begin() + len};
}

TEST(CryptoHmac, PrecomputedStatesEqualOneShotHmacForEveryKeyLength) {
  // Lengths around SHA-256's 64-byte block and SHA-384/512's 128-byte block, where
  // the key is zero-padded, exactly one block, or hashed first (RFC 2104 §2); the
  // messages likewise straddle the blocks the inner hash absorbs after the key block.
  const std::vector<std::size_t> message_lengths = {0,   1,   31,  55,  56,  63,  64,  65,
                                                    111, 112, 127, 128, 129, 200, 1000};
  for (const sha2 h : {sha2::sha256, sha2::sha384, sha2::sha512}) {
    for (std::size_t key_len = 0; key_len <= 200; ++key_len) {
      const std::vector<std::uint8_t> secret = pattern(key_len, static_cast<unsigned>(key_len));
      const hmac_key k(h, secret);
      ASSERT_EQ(k.hash(), h);
      for (const std::size_t msg_len : message_lengths) {
        const std::vector<std::uint8_t> message =
            pattern(msg_len, 1000U + static_cast<unsigned>(msg_len));
        const std::string_view text(reinterpret_cast<const char*>(message.data()), msg_len);
        std::array<std::uint8_t, k_max_mac_size> mac{};
        k.mac(text, mac.data());
        const std::vector<std::uint8_t> expected = boringssl_hmac(h, secret, message);
        ASSERT_EQ(expected.size(), sha2_size(h));
        ASSERT_EQ(hex(std::span(mac.data(), sha2_size(h))), hex(expected))
            << hash_name(h) << " key " << key_len << " bytes, message " << msg_len << " bytes";
        ASSERT_TRUE(k.verify(text, expected)) << hash_name(h) << " key " << key_len;
      }
    }
  }
}

TEST(CryptoHmac, Rfc4231TestCase2) {
  // RFC 4231 §4.3: key "Jefe", data "what do ya want for nothing?".
  const std::string_view data = "what do ya want for nothing?";
  const struct {
    sha2 h;
    const char* mac;
  } cases[] = {
      {sha2::sha256, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
      {sha2::sha384,
       "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e8e2240ca5e69e2c78b3239ecf"
       "ab21649"},
      {sha2::sha512,
       "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f"
       "8f0e6fdcaeab1a34d4a6b4b636e070a38bce737"},
  };
  for (const auto& c : cases) {
    const hmac_key k(c.h, bytes_of("Jefe"));
    std::array<std::uint8_t, k_max_mac_size> mac{};
    k.mac(data, mac.data());
    EXPECT_EQ(hex(std::span(mac.data(), sha2_size(c.h))), c.mac) << hash_name(c.h);
  }
}

TEST(CryptoHmac, VerifyRefusesAFlippedBitAndAnyOtherLength) {
  for (const sha2 h : {sha2::sha256, sha2::sha384, sha2::sha512}) {
    const std::vector<std::uint8_t> secret = pattern(64, 7);
    const hmac_key k(h, secret);
    std::vector<std::uint8_t> tag = boringssl_hmac(h, secret, bytes_of("header.payload"));
    EXPECT_TRUE(k.verify("header.payload", tag));
    EXPECT_FALSE(k.verify("header.payloaD", tag));
    for (std::size_t bit = 0; bit < 8 * tag.size(); bit += 7) {
      tag[bit / 8] ^= static_cast<std::uint8_t>(1U << (bit % 8));
      EXPECT_FALSE(k.verify("header.payload", tag)) << hash_name(h) << " bit " << bit;
      tag[bit / 8] ^= static_cast<std::uint8_t>(1U << (bit % 8));
    }
    // RFC 7518 §3.2: never a truncated (or extended) tag.
    EXPECT_FALSE(k.verify("header.payload", std::span(tag.data(), tag.size() - 1)));
    std::vector<std::uint8_t> longer = tag;
    longer.push_back(0);
    EXPECT_FALSE(k.verify("header.payload", longer));
    EXPECT_FALSE(k.verify("header.payload", {}));
  }
}

// ---------------------------------------------------------------------------------
// Keys built through the layer's builders, then sign and verify.

key must(key_or_error r) {
  EXPECT_TRUE(r.value.has_value()) << r.error;
  return std::move(*r.value);
}

const key& rsa_key() {
  static const key k = [] {
    rsa_key_members m;
    EXPECT_EQ(generate_rsa_key(2048, m), "");
    rsa_components c;
    c.n = m.n.bytes;
    c.e = m.e.bytes;
    c.has_private = true;
    c.d = m.d.bytes;
    c.p = m.p.bytes;
    c.q = m.q.bytes;
    c.dp = m.dp.bytes;
    c.dq = m.dq.bytes;
    c.qi = m.qi.bytes;
    EXPECT_EQ(hex(m.e.bytes), "010001");  // 65537
    EXPECT_EQ(m.n.bytes.size(), 256U);
    return must(make_rsa_key(c, std::nullopt));
  }();
  return k;
}

key ec_key(ec_curve curve) {
  ec_key_members m;
  EXPECT_EQ(generate_ec_key(curve, m), "");
  EXPECT_EQ(m.x.bytes.size(), ec_field_bytes(curve));
  EXPECT_EQ(m.y.bytes.size(), ec_field_bytes(curve));
  EXPECT_EQ(m.d.bytes.size(), ec_field_bytes(curve));
  return must(make_ec_key(curve, m.x.bytes, m.y.bytes, std::span<const std::uint8_t>(m.d.bytes),
                          std::nullopt));
}

key ed25519_key() {
  ed25519_key_members m;
  generate_ed25519_key(m);
  EXPECT_EQ(m.x.bytes.size(), 32U);
  EXPECT_EQ(m.d.bytes.size(), 32U);
  return must(make_ed25519_key(m.x.bytes, m.d.bytes, std::nullopt));
}

key hmac_secret_key() {
  return must(make_hmac_key(pattern(64, 3), std::nullopt, ""));
}

// Signs `input`, checks the signature verifies and has the exact size, then that a
// flipped bit of the signature or of the input fails with bad_signature, and one byte
// less with bad_signature_length.
void sign_then_verify(const key& k, alg a, std::size_t expected_size) {
  SCOPED_TRACE(std::string(alg_name(a)));
  ASSERT_TRUE(has_alg(k.algs, a));
  const std::string input = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0";
  std::vector<std::uint8_t> sig;
  ASSERT_TRUE(sign_signature(k, a, input, sig));
  EXPECT_EQ(sig.size(), expected_size);
  EXPECT_EQ(signature_size(k, a), expected_size);
  EXPECT_EQ(verify_signature(k, a, input, sig), status::ok);
  for (const std::size_t bit : {std::size_t{0}, 8 * sig.size() / 2 + 3, 8 * sig.size() - 1}) {
    std::vector<std::uint8_t> flipped = sig;
    flipped[bit / 8] ^= static_cast<std::uint8_t>(1U << (bit % 8));
    EXPECT_EQ(verify_signature(k, a, input, flipped), status::bad_signature) << "bit " << bit;
  }
  std::string changed = input;
  changed[10] ^= 0x01;
  EXPECT_EQ(verify_signature(k, a, changed, sig), status::bad_signature);
  EXPECT_EQ(verify_signature(k, a, input, std::span(sig.data(), sig.size() - 1)),
            status::bad_signature_length);
}

TEST(CryptoSignVerify, Hmac) {
  const key k = hmac_secret_key();
  EXPECT_EQ(k.algs, k_hmac_algs);  // 64 bytes reach every HS output size
  EXPECT_TRUE(k.can_sign());
  sign_then_verify(k, alg::hs256, 32);
  sign_then_verify(k, alg::hs384, 48);
  sign_then_verify(k, alg::hs512, 64);
}

TEST(CryptoSignVerify, Rsa) {
  const key& k = rsa_key();
  EXPECT_EQ(k.algs, k_rsa_algs);
  EXPECT_TRUE(k.can_sign());
  for (const alg a : {alg::rs256, alg::rs384, alg::rs512, alg::ps256, alg::ps384, alg::ps512}) {
    sign_then_verify(k, a, 256);
  }
}

TEST(CryptoSignVerify, Ecdsa) {
  const struct {
    ec_curve curve;
    alg a;
    std::size_t size;
  } cases[] = {{ec_curve::p256, alg::es256, 64},
               {ec_curve::p384, alg::es384, 96},
               {ec_curve::p521, alg::es512, 132}};
  for (const auto& c : cases) {
    const key k = ec_key(c.curve);
    EXPECT_EQ(k.algs, alg_bit(c.a));
    EXPECT_TRUE(k.can_sign());
    sign_then_verify(k, c.a, c.size);
  }
}

TEST(CryptoSignVerify, Ed25519) {
  const key k = ed25519_key();
  EXPECT_EQ(k.algs, alg_bit(alg::eddsa));
  EXPECT_TRUE(k.can_sign());
  sign_then_verify(k, alg::eddsa, 64);
}

TEST(CryptoSignVerify, PublicHalvesVerifyButDoNotSign) {
  ec_key_members m;
  ASSERT_EQ(generate_ec_key(ec_curve::p256, m), "");
  const key full = must(make_ec_key(ec_curve::p256, m.x.bytes, m.y.bytes,
                                    std::span<const std::uint8_t>(m.d.bytes), std::nullopt));
  const key pub = must(make_ec_key(ec_curve::p256, m.x.bytes, m.y.bytes, std::nullopt, alg::es256));
  EXPECT_FALSE(pub.can_sign());
  std::vector<std::uint8_t> sig;
  EXPECT_FALSE(sign_signature(pub, alg::es256, "a.b", sig));
  ASSERT_TRUE(sign_signature(full, alg::es256, "a.b", sig));
  EXPECT_EQ(verify_signature(pub, alg::es256, "a.b", sig), status::ok);
}

// ---------------------------------------------------------------------------------
// The builders' refusals, with their exact messages.

TEST(CryptoBuilders, HmacRefusalsInOrder) {
  const std::vector<std::uint8_t> secret = pattern(40, 9);
  EXPECT_EQ(make_hmac_key(secret, alg::rs256, "a PEM block").error,
            "an HMAC (oct) key cannot be used with RS256");
  EXPECT_EQ(
      make_hmac_key(pattern(8, 1), std::nullopt, "a DER X.509 certificate (a public key)").error,
      "refused as an HMAC secret: it is a DER X.509 certificate (a public key); a secret "
      "must be secret random bytes, and with public-key material anyone could MAC tokens "
      "that verify (RFC 8725 §2.1)");
  EXPECT_EQ(make_hmac_key(pattern(31, 1), std::nullopt, "").error,
            "HMAC key of 31 bytes is shorter than the 32 bytes HS256 requires (RFC 7518 §3.2)");
  EXPECT_EQ(make_hmac_key(secret, alg::hs384, "").error,
            "HMAC key of 40 bytes is shorter than the 48 bytes HS384 requires (RFC 7518 §3.2)");
  EXPECT_EQ(must(make_hmac_key(secret, std::nullopt, "")).algs, alg_bit(alg::hs256));
  EXPECT_EQ(must(make_hmac_key(pattern(48, 2), std::nullopt, "")).algs,
            alg_bit(alg::hs256) | alg_bit(alg::hs384));
}

TEST(CryptoBuilders, EcPointOffTheCurve) {
  ec_key_members m;
  ASSERT_EQ(generate_ec_key(ec_curve::p384, m), "");
  EXPECT_TRUE(ec_point_on_curve(ec_curve::p384, m.x.bytes, m.y.bytes));
  std::vector<std::uint8_t> y = m.y.bytes;
  y.back() ^= 0x01;
  EXPECT_FALSE(ec_point_on_curve(ec_curve::p384, m.x.bytes, y));
  EXPECT_EQ(make_ec_key(ec_curve::p384, m.x.bytes, y, std::nullopt, std::nullopt).error,
            "EC point is not on P-384");
  EXPECT_EQ(make_ec_key(ec_curve::p384, m.x.bytes, m.y.bytes, std::nullopt, alg::es256).error,
            "EC key on this curve serves ES384, not ES256");
  // A private scalar of another key does not match the point (EC_KEY_check_key).
  ec_key_members other;
  ASSERT_EQ(generate_ec_key(ec_curve::p384, other), "");
  EXPECT_EQ(make_ec_key(ec_curve::p384, m.x.bytes, m.y.bytes,
                        std::span<const std::uint8_t>(other.d.bytes), std::nullopt)
                .error,
            "EC public key is not a valid point on its curve");
}

TEST(CryptoBuilders, RsaRefusals) {
  rsa_key_members m;
  ASSERT_EQ(generate_rsa_key(2048, m), "");
  rsa_components c;
  c.n = m.n.bytes;
  c.e = m.e.bytes;
  EXPECT_EQ(make_rsa_key(c, alg::es256).error, "an RSA key cannot be used with ES256");
  EXPECT_EQ(must(make_rsa_key(c, alg::ps384)).algs, alg_bit(alg::ps384));
  const std::vector<std::uint8_t> three = {0x03};
  c.e = three;
  EXPECT_EQ(make_rsa_key(c, std::nullopt).error,
            "RSA public exponent must be odd and in 65537..2^33 (docs/SECURITY.md K1)");
  c.e = m.e.bytes;
  c.n = std::span(m.n.bytes.data(), 128);  // 1024 bits
  EXPECT_EQ(make_rsa_key(c, std::nullopt).error,
            "RSA modulus of 1024 bits is outside 2048..16384 (RFC 7518 §3.3)");
}

TEST(CryptoBuilders, Ed25519Refusals) {
  ed25519_key_members m;
  generate_ed25519_key(m);
  ed25519_key_members other;
  generate_ed25519_key(other);
  EXPECT_EQ(make_ed25519_key(m.x.bytes, other.d.bytes, std::nullopt).error,
            "Ed25519 private key does not match x");
  EXPECT_EQ(make_ed25519_key(std::span(m.x.bytes.data(), 31), {}, std::nullopt).error,
            "Ed25519 public key must be 32 bytes, not 31");
  EXPECT_EQ(make_ed25519_key(m.x.bytes, {}, alg::es256).error,
            "an Ed25519 key cannot be used with ES256");
  EXPECT_FALSE(must(make_ed25519_key(m.x.bytes, {}, std::nullopt)).can_sign());
}

// ---------------------------------------------------------------------------------
// The ECDSA range check: r and s must lie in [1, n-1] (docs/SECURITY.md S6).

struct curve_case {
  ec_curve curve;
  alg a;
  const char* order;  // n, SEC 2 §2.4.2, §2.5.1, §2.6.1
};
const curve_case k_curves[] = {
    {ec_curve::p256, alg::es256,
     "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551"},
    {ec_curve::p384, alg::es384,
     "ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc5"
     "2973"},
    {ec_curve::p521, alg::es512,
     "01ff"
     "ffffffff"
     "ffffffff"
     "ffffffff"
     "ffffffff"
     "ffffffff"
     "ffffffff"
     "ffffffff"
     "fffffffa"
     "51868783"
     "bf2f966b"
     "7fcc0148"
     "f709a5d0"
     "3bb5c9b8"
     "899c47ae"
     "bb6fb71e"
     "91386409"},
};

std::vector<std::uint8_t> minus_one(std::vector<std::uint8_t> v) {
  for (auto it = v.rbegin(); it != v.rend(); ++it) {
    if ((*it)-- != 0) break;
  }
  return v;
}

std::vector<std::uint8_t> concat(const std::vector<std::uint8_t>& r,
                                 const std::vector<std::uint8_t>& s) {
  std::vector<std::uint8_t> out = r;
  out.insert(out.end(), s.begin(), s.end());
  return out;
}

TEST(CryptoEcdsa, CurveOrdersAreTheOnesBoringSslUses) {
  for (const curve_case& c : k_curves) {
    const key k = ec_key(c.curve);
    const auto& m = std::get<ec_material>(k.material);
    std::vector<std::uint8_t> n(m.field_bytes);
    ASSERT_EQ(
        BN_bn2bin_padded(n.data(), n.size(), EC_GROUP_get0_order(EC_KEY_get0_group(m.ec.get()))),
        1);
    EXPECT_EQ(hex(n), c.order);
    EXPECT_EQ(m.field_bytes, ec_field_bytes(c.curve));
  }
}

TEST(CryptoEcdsa, RangeCheckOnZeroOrderAndOrderMinusOne) {
  for (const curve_case& c : k_curves) {
    SCOPED_TRACE(std::string(ec_curve_name(c.curve)));
    const key k = ec_key(c.curve);
    const auto& m = std::get<ec_material>(k.material);
    const std::vector<std::uint8_t> n = unhex(c.order);
    ASSERT_EQ(n.size(), m.field_bytes);
    const std::vector<std::uint8_t> zero(m.field_bytes, 0);
    std::vector<std::uint8_t> one(m.field_bytes, 0);
    one.back() = 1;
    const std::vector<std::uint8_t> n1 = minus_one(n);
    const std::vector<std::uint8_t> all_ones(m.field_bytes, 0xFF);

    std::vector<std::uint8_t> good;
    ASSERT_TRUE(sign_signature(k, c.a, "a.b", good));
    const auto half = static_cast<std::ptrdiff_t>(m.field_bytes);
    const std::vector<std::uint8_t> r(good.begin(), good.begin() + half);
    const std::vector<std::uint8_t> s(good.begin() + half, good.end());
    EXPECT_FALSE(ecdsa_rs_out_of_range(m, good));

    const struct {
      const char* what;
      std::vector<std::uint8_t> sig;
      bool out_of_range;
    } shapes[] = {
        {"r=0 s=0 (CVE-2022-21449)", concat(zero, zero), true},
        {"r=0", concat(zero, s), true},
        {"s=0", concat(r, zero), true},
        {"r=n", concat(n, s), true},
        {"s=n", concat(r, n), true},
        {"r=n s=n", concat(n, n), true},
        {"r above n", concat(all_ones, s), true},
        {"r=n-1", concat(n1, s), false},
        {"s=n-1", concat(r, n1), false},
        {"r=n-1 s=n-1", concat(n1, n1), false},
        {"r=1 s=1", concat(one, one), false},
    };
    for (const auto& shape : shapes) {
      EXPECT_EQ(ecdsa_rs_out_of_range(m, shape.sig), shape.out_of_range) << shape.what;
      // Out of range or merely wrong: the signature never verifies.
      EXPECT_EQ(verify_signature(k, c.a, "a.b", shape.sig), status::bad_signature) << shape.what;
    }
    // Not a JWS ECDSA signature of this curve at all: no verdict on its scalars.
    EXPECT_FALSE(ecdsa_rs_out_of_range(m, std::span(good.data(), good.size() - 1)));
    EXPECT_FALSE(ecdsa_rs_out_of_range(m, {}));
  }
}

// ---------------------------------------------------------------------------------
// The fingerprint: the first 16 bytes of SHA-256, lowercase hex.

std::string fingerprint_of(std::string_view token) {
  std::array<char, k_fingerprint_chars> out{};
  token_fingerprint(token, out);
  return {out.data(), out.size()};
}

TEST(CryptoFingerprint, FirstSixteenBytesOfSha256InHex) {
  // FIPS 180-2 appendix B.1-B.3 and the empty message.
  EXPECT_EQ(fingerprint_of(""), "e3b0c44298fc1c149afbf4c8996fb924");
  EXPECT_EQ(fingerprint_of("abc"), "ba7816bf8f01cfea414140de5dae2223");
  EXPECT_EQ(fingerprint_of("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039");
  EXPECT_EQ(fingerprint_of(std::string(1000000, 'a')), "cdc76e5c9914fb9281a1c7e284d73e67");
  // Bytes, not text: a NUL is hashed like any byte.
  const std::string with_nul("a\0b", 3);
  const digest d = digest_of(sha2::sha256, with_nul);
  EXPECT_EQ(fingerprint_of(with_nul), hex(std::span(d.bytes.data(), 16)));
}

// ---------------------------------------------------------------------------------
// Randomness, the keyed hash, wiping.

TEST(CryptoRandom, SipHashReferenceVectorsAndBoringSsl) {
  // The SipHash paper's key 00 01 .. 0f (two little-endian words) and messages
  // 00 01 .. (len-1) (vectors.h of the reference implementation), for SipHash-2-4.
  const std::array<std::uint64_t, 2> key = {0x0706050403020100ULL, 0x0f0e0d0c0b0a0908ULL};
  std::string message;
  for (int i = 0; i < 15; ++i) message += static_cast<char>(i);
  EXPECT_EQ(siphash_rounds(key, "", 2, 4), 0x726fdb47dd0e0e31ULL);
  EXPECT_EQ(siphash_rounds(key, message, 2, 4), 0xa129ca6149be45e5ULL);
  // Every length of a block and the tail, against BoringSSL's SipHash-2-4; the cache's
  // SipHash-1-3 is the same code with other round counts.
  std::string bytes;
  for (int i = 0; i < 80; ++i) bytes += static_cast<char>(i * 37 + 11);
  for (std::size_t n = 0; n <= bytes.size(); ++n) {
    const std::string_view m(bytes.data(), n);
    EXPECT_EQ(siphash_rounds(key, m, 2, 4),
              SIPHASH_24(key.data(), reinterpret_cast<const std::uint8_t*>(m.data()), n))
        << n;
    EXPECT_EQ(siphash13(key, m), siphash_rounds(key, m, 1, 3)) << n;
    if (n > 0) {
      EXPECT_NE(siphash13(key, m), siphash13(key, m.substr(0, n - 1))) << n;
    }
  }
  const std::array<std::uint64_t, 2> other = {1, 0};
  EXPECT_NE(siphash13(other, message), siphash13(key, message));
}

TEST(CryptoRandom, RandomBytesFillTheWholeSpan) {
  std::array<std::uint8_t, 64> a{};
  std::array<std::uint8_t, 64> b{};
  random_bytes(a);
  random_bytes(b);
  EXPECT_NE(a, b);
  // 16 zero bytes in a row at the end of a random draw: probability 2^-128.
  EXPECT_NE(std::vector<std::uint8_t>(a.end() - 16, a.end()), std::vector<std::uint8_t>(16, 0));
}

TEST(CryptoMemory, CleanseZeroesExactlyTheBytesGiven) {
  std::vector<std::uint8_t> buffer = pattern(100, 5);
  cleanse(buffer.data(), 60);
  EXPECT_EQ(std::vector<std::uint8_t>(buffer.begin(), buffer.begin() + 60),
            std::vector<std::uint8_t>(60, 0));
  const std::vector<std::uint8_t> original = pattern(100, 5);
  EXPECT_EQ(std::vector<std::uint8_t>(buffer.begin() + 60, buffer.end()),
            std::vector<std::uint8_t>(original.begin() + 60, original.end()));
  cleanse(nullptr, 0);  // allowed: nothing to wipe
}

// ---------------------------------------------------------------------------------
// DER and PEM.

TEST(CryptoPem, PublicKeyDerRecognisesPointsAndNotSecrets) {
  ec_key_members m;
  ASSERT_EQ(generate_ec_key(ec_curve::p256, m), "");
  std::vector<std::uint8_t> point = {0x04};
  point.insert(point.end(), m.x.bytes.begin(), m.x.bytes.end());
  point.insert(point.end(), m.y.bytes.begin(), m.y.bytes.end());
  EXPECT_EQ(public_key_der(point), "an EC point on prime256v1 (a public key)");
  point.pop_back();
  EXPECT_EQ(public_key_der(point), "");
  EXPECT_EQ(public_key_der(pattern(32, 11)), "");
  EXPECT_EQ(public_key_der({}), "");
}

TEST(CryptoPem, SpkiOfEachKindOfKey) {
  // RFC 8410 §4: an Ed25519 SPKI is a fixed 12-byte prefix and the 32-byte key.
  ed25519_key_members m;
  generate_ed25519_key(m);
  const key ed = must(make_ed25519_key(m.x.bytes, {}, std::nullopt));
  EXPECT_EQ(hex(public_key_spki(ed)), "302a300506032b6570032100" + hex(m.x.bytes));
  EXPECT_EQ(public_key_der(public_key_spki(rsa_key())),
            "a DER SubjectPublicKeyInfo (a public key)");
  const key ec = ec_key(ec_curve::p521);
  EXPECT_EQ(public_key_der(public_key_spki(ec)), "a DER SubjectPublicKeyInfo (a public key)");
  EXPECT_TRUE(public_key_spki(hmac_secret_key()).empty());
}

TEST(CryptoPem, UnparsableBlockNamesItsLabel) {
  const std::string pem = "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n";
  const key_or_error r = key_from_pem(pem, pem_block::public_key, "PUBLIC KEY", std::nullopt);
  EXPECT_FALSE(r.value.has_value());
  EXPECT_EQ(r.error, "cannot parse the PEM \"PUBLIC KEY\" block");
}

}  // namespace
}  // namespace jwtbatch::detail
