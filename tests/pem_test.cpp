// keys/pem: the PEM key loader, tested directly through keys/loaders.hpp's load_pem.
// Keys are generated in the test (BoringSSL), and the encodings BoringSSL will not
// write (explicit EC parameters, a curve it does not know) are built as DER here.
//  - every accepted form: SPKI and PKCS#1 RSA public keys, PKCS#8 private keys (RSA,
//    EC, Ed25519), traditional PKCS#1 RSA and SEC1 EC private keys, X.509 certificates
//    (their subject public key only), with the exact algorithms each serves, bound or
//    not;
//  - named curves only: an SPKI with explicit parameters is refused, and so are curves
//    other than P-256/384/521 and key types other than RSA, EC and Ed25519;
//  - the key rules of crypto/key.cpp through PEM: RSA size, exponent, ROCA;
//  - files as people have them: several blocks, text around blocks, CRLF, truncation,
//    encryption, size; every message exact.
#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/bytestring.h>
#include <openssl/curve25519.h>
#include <openssl/ec.h>
#include <openssl/ec_key.h>
#include <openssl/evp.h>
#include <openssl/nid.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <simdjson.h>

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "codec/base64url.hpp"
#include "jwtbatch/key_set.hpp"
#include "keys/loaders.hpp"
#include "test_support.hpp"

namespace jwtbatch::detail {
namespace {

using test::cat;

std::vector<alg> algs_of(alg_mask m) {
  std::vector<alg> out;
  for (const alg a : all_algs()) {
    if (has_alg(m, a)) out.push_back(a);
  }
  return out;
}

const std::vector<alg> k_rsa_all = {alg::rs256, alg::rs384, alg::rs512,
                                    alg::ps256, alg::ps384, alg::ps512};

// What load_pem made of a document: the key's type, algorithms and whether it can
// sign, or the config_error's message.
struct loaded {
  std::string type;  // "oct", "RSA", "EC", "OKP"; empty when refused
  std::vector<alg> algs;
  bool can_sign = false;
  std::string error;
  std::optional<key> k;
};

loaded load(std::string_view pem, std::optional<alg> bind = std::nullopt,
            std::string_view kid = "k") {
  loaded out;
  try {
    key k = load_pem(pem, "key.pem", kid, bind);
    out.type = visit_material(k.material, [](const auto& m) {
      using T = std::decay_t<decltype(m)>;
      if constexpr (std::is_same_v<T, hmac_material>) return "oct";
      if constexpr (std::is_same_v<T, rsa_material>) return "RSA";
      if constexpr (std::is_same_v<T, ec_material>) return "EC";
      return "OKP";
    });
    out.algs = algs_of(k.algs);
    out.can_sign = k.can_sign();
    out.k = std::move(k);
  } catch (const config_error& e) {
    out.error = e.what();
  }
  return out;
}

// ---------------------------------------------------------------------------------
// Keys and their PEM forms.

std::string bio_text(BIO* bio) {
  const std::uint8_t* data = nullptr;
  std::size_t len = 0;
  EXPECT_EQ(BIO_mem_contents(bio, &data, &len), 1);
  return {reinterpret_cast<const char*>(data), len};
}

template <class Write>
std::string pem_of(Write&& write) {
  bssl::UniquePtr<BIO> bio(BIO_new(BIO_s_mem()));
  EXPECT_EQ(write(bio.get()), 1);
  return bio_text(bio.get());
}

// A PEM block of `der` under `label`.
std::string pem_block(std::string_view label, const std::vector<std::uint8_t>& der) {
  const std::string name(label);
  return pem_of([&](BIO* b) {
    return PEM_write_bio(b, name.c_str(), "", der.data(), static_cast<long>(der.size())) > 0 ? 1
                                                                                             : 0;
  });
}

std::string spki(EVP_PKEY* k) {
  return pem_of([&](BIO* b) { return PEM_write_bio_PUBKEY(b, k); });
}
std::string pkcs8(EVP_PKEY* k) {
  return pem_of([&](BIO* b) {
    return PEM_write_bio_PrivateKey(b, k, nullptr, nullptr, 0, nullptr, nullptr);
  });
}
std::string pkcs1_public(EVP_PKEY* k) {
  return pem_of([&](BIO* b) { return PEM_write_bio_RSAPublicKey(b, EVP_PKEY_get0_RSA(k)); });
}
std::string pkcs1_private(EVP_PKEY* k) {
  return pem_of([&](BIO* b) {
    return PEM_write_bio_RSAPrivateKey(b, EVP_PKEY_get0_RSA(k), nullptr, nullptr, 0, nullptr,
                                       nullptr);
  });
}
std::string sec1(EVP_PKEY* k) {
  return pem_of([&](BIO* b) {
    return PEM_write_bio_ECPrivateKey(b, EVP_PKEY_get0_EC_KEY(k), nullptr, nullptr, 0, nullptr,
                                      nullptr);
  });
}

// certificate: a self-issued X.509 certificate for `subject`'s public key, signed by
// `signer` (SHA-256, or none for Ed25519), valid from `from` to `to` seconds from now.
std::string certificate(EVP_PKEY* subject, EVP_PKEY* signer, long from = 0, long to = 3600) {
  bssl::UniquePtr<X509> cert(X509_new());
  EXPECT_EQ(X509_set_version(cert.get(), X509_VERSION_3), 1);
  EXPECT_EQ(ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1), 1);
  EXPECT_NE(X509_gmtime_adj(X509_getm_notBefore(cert.get()), from), nullptr);
  EXPECT_NE(X509_gmtime_adj(X509_getm_notAfter(cert.get()), to), nullptr);
  EXPECT_EQ(X509_set_pubkey(cert.get(), subject), 1);
  const EVP_MD* md = EVP_PKEY_id(signer) == EVP_PKEY_ED25519 ? nullptr : EVP_sha256();
  EXPECT_NE(X509_sign(cert.get(), signer, md), 0);
  return pem_of([&](BIO* b) { return PEM_write_bio_X509(b, cert.get()); });
}

bssl::UniquePtr<EVP_PKEY> wrap_rsa(bssl::UniquePtr<RSA> rsa) {
  bssl::UniquePtr<EVP_PKEY> k(EVP_PKEY_new());
  EXPECT_EQ(EVP_PKEY_assign_RSA(k.get(), rsa.release()), 1);
  return k;
}

// One 2048-bit RSA key for the whole suite (generating one takes a while).
EVP_PKEY* rsa2048() {
  static EVP_PKEY* key = [] {
    bssl::UniquePtr<RSA> rsa(RSA_new());
    bssl::UniquePtr<BIGNUM> e(BN_new());
    BN_set_word(e.get(), RSA_F4);
    EXPECT_EQ(RSA_generate_key_ex(rsa.get(), 2048, e.get(), nullptr), 1);
    return wrap_rsa(std::move(rsa)).release();
  }();
  return key;
}

// An RSA public key from its modulus bytes and exponent (a public key is only checked
// for size, exponent and the ROCA fingerprint, not for being a product of primes).
bssl::UniquePtr<EVP_PKEY> rsa_public(const std::vector<std::uint8_t>& n, std::uint64_t e) {
  bssl::UniquePtr<RSA> rsa(RSA_new());
  BIGNUM* bn_n = BN_bin2bn(n.data(), n.size(), nullptr);
  BIGNUM* bn_e = BN_new();
  EXPECT_EQ(BN_set_u64(bn_e, e), 1);
  EXPECT_EQ(RSA_set0_key(rsa.get(), bn_n, bn_e, nullptr), 1);
  return wrap_rsa(std::move(rsa));
}

// An odd modulus of exactly `bits` bits, arbitrary fixed bytes.
std::vector<std::uint8_t> modulus(unsigned bits) {
  std::vector<std::uint8_t> n((bits + 7) / 8);
  for (std::size_t i = 0; i < n.size(); ++i) n[i] = static_cast<std::uint8_t>(i * 131 + 77);
  const unsigned top = bits % 8 == 0 ? 8 : bits % 8;
  n[0] = static_cast<std::uint8_t>((n[0] & ((1U << (top - 1)) - 1)) | (1U << (top - 1)));
  n.back() |= 1;
  return n;
}

bssl::UniquePtr<EVP_PKEY> new_ec(int nid) {
  bssl::UniquePtr<EC_KEY> ec(EC_KEY_new_by_curve_name(nid));
  EXPECT_EQ(EC_KEY_generate_key(ec.get()), 1);
  bssl::UniquePtr<EVP_PKEY> k(EVP_PKEY_new());
  EXPECT_EQ(EVP_PKEY_assign_EC_KEY(k.get(), ec.release()), 1);
  return k;
}

bssl::UniquePtr<EVP_PKEY> new_ed25519() {
  std::uint8_t pub[32];
  std::uint8_t priv[64];
  ED25519_keypair(pub, priv);
  return bssl::UniquePtr<EVP_PKEY>(
      EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, priv, 32));
}

std::vector<std::uint8_t> finish(CBB* cbb) {
  std::uint8_t* data = nullptr;
  std::size_t len = 0;
  EXPECT_EQ(CBB_finish(cbb, &data, &len), 1);
  std::vector<std::uint8_t> out(data, data + len);
  OPENSSL_free(data);
  return out;
}

std::vector<std::uint8_t> point_bytes(const EC_GROUP* g, const EC_POINT* p) {
  std::vector<std::uint8_t> out(
      EC_POINT_point2oct(g, p, POINT_CONVERSION_UNCOMPRESSED, nullptr, 0, nullptr));
  EXPECT_EQ(
      EC_POINT_point2oct(g, p, POINT_CONVERSION_UNCOMPRESSED, out.data(), out.size(), nullptr),
      out.size());
  return out;
}

// Writes RFC 3279 §2.3.5's ECParameters (SEC 1's SpecifiedECDomain) for `g`, with
// `base` as the generator: the explicit form RFC 5480 §2.1.1 forbids in PKIX.
void add_explicit_parameters(CBB* out, const EC_GROUP* g, const EC_POINT* base) {
  static const std::uint8_t k_prime_field[] = {0x2a, 0x86, 0x48, 0xce, 0x3d, 0x01, 0x01};
  bssl::UniquePtr<BIGNUM> p(BN_new()), a(BN_new()), b(BN_new());
  ASSERT_EQ(EC_GROUP_get_curve_GFp(g, p.get(), a.get(), b.get(), nullptr), 1);
  const std::size_t field = BN_num_bytes(p.get());
  CBB params, field_id, oid, curve, a_str, b_str, base_str;
  std::vector<std::uint8_t> a_bytes(field), b_bytes(field);
  ASSERT_EQ(BN_bn2bin_padded(a_bytes.data(), field, a.get()), 1);
  ASSERT_EQ(BN_bn2bin_padded(b_bytes.data(), field, b.get()), 1);
  const std::vector<std::uint8_t> g_bytes = point_bytes(g, base);
  ASSERT_TRUE(CBB_add_asn1(out, &params, CBS_ASN1_SEQUENCE) && CBB_add_asn1_uint64(&params, 1) &&
              CBB_add_asn1(&params, &field_id, CBS_ASN1_SEQUENCE) &&
              CBB_add_asn1(&field_id, &oid, CBS_ASN1_OBJECT) &&
              CBB_add_bytes(&oid, k_prime_field, sizeof k_prime_field) &&
              BN_marshal_asn1(&field_id, p.get()) &&
              CBB_add_asn1(&params, &curve, CBS_ASN1_SEQUENCE) &&
              CBB_add_asn1(&curve, &a_str, CBS_ASN1_OCTETSTRING) &&
              CBB_add_bytes(&a_str, a_bytes.data(), field) &&
              CBB_add_asn1(&curve, &b_str, CBS_ASN1_OCTETSTRING) &&
              CBB_add_bytes(&b_str, b_bytes.data(), field) &&
              CBB_add_asn1(&params, &base_str, CBS_ASN1_OCTETSTRING) &&
              CBB_add_bytes(&base_str, g_bytes.data(), g_bytes.size()) &&
              BN_marshal_asn1(&params, EC_GROUP_get0_order(g)) && CBB_add_asn1_uint64(&params, 1) &&
              CBB_flush(out));
}

// An SPKI whose algorithm parameters are `params_der` (already-encoded DER: a named
// curve's OID or explicit parameters) with the public point `point`.
std::vector<std::uint8_t> ec_spki(const std::vector<std::uint8_t>& params_der,
                                  const std::vector<std::uint8_t>& point) {
  static const std::uint8_t k_ec_public_key[] = {0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01};
  bssl::ScopedCBB cbb;
  CBB spki, algorithm, oid, key;
  EXPECT_TRUE(CBB_init(cbb.get(), 256) && CBB_add_asn1(cbb.get(), &spki, CBS_ASN1_SEQUENCE) &&
              CBB_add_asn1(&spki, &algorithm, CBS_ASN1_SEQUENCE) &&
              CBB_add_asn1(&algorithm, &oid, CBS_ASN1_OBJECT) &&
              CBB_add_bytes(&oid, k_ec_public_key, sizeof k_ec_public_key) &&
              CBB_add_bytes(&algorithm, params_der.data(), params_der.size()) &&
              CBB_add_asn1(&spki, &key, CBS_ASN1_BITSTRING) && CBB_add_u8(&key, 0) &&
              CBB_add_bytes(&key, point.data(), point.size()));
  return finish(cbb.get());
}

// The explicit parameters of `k`'s curve, with its generator or with 2G.
std::vector<std::uint8_t> explicit_parameters(const EC_KEY* k, bool other_generator) {
  const EC_GROUP* g = EC_KEY_get0_group(k);
  bssl::UniquePtr<EC_POINT> base(EC_POINT_new(g));
  EXPECT_EQ(EC_POINT_copy(base.get(), EC_GROUP_get0_generator(g)), 1);
  if (other_generator) {
    EXPECT_EQ(EC_POINT_dbl(g, base.get(), base.get(), nullptr), 1);
  }
  bssl::ScopedCBB cbb;
  EXPECT_EQ(CBB_init(cbb.get(), 256), 1);
  add_explicit_parameters(cbb.get(), g, base.get());
  return finish(cbb.get());
}

// A SEC 1 ECPrivateKey (RFC 5915) with private scalar `d`, parameters `params_der`
// and public point `point`.
std::vector<std::uint8_t> ec_private(const BIGNUM* d, std::size_t field,
                                     const std::vector<std::uint8_t>& params_der,
                                     const std::vector<std::uint8_t>& point) {
  std::vector<std::uint8_t> d_bytes(field);
  EXPECT_EQ(BN_bn2bin_padded(d_bytes.data(), field, d), 1);
  bssl::ScopedCBB cbb;
  CBB key, d_str, params, pub, bits;
  EXPECT_TRUE(CBB_init(cbb.get(), 256) && CBB_add_asn1(cbb.get(), &key, CBS_ASN1_SEQUENCE) &&
              CBB_add_asn1_uint64(&key, 1) && CBB_add_asn1(&key, &d_str, CBS_ASN1_OCTETSTRING) &&
              CBB_add_bytes(&d_str, d_bytes.data(), field) &&
              CBB_add_asn1(&key, &params, CBS_ASN1_CONTEXT_SPECIFIC | CBS_ASN1_CONSTRUCTED | 0) &&
              CBB_add_bytes(&params, params_der.data(), params_der.size()) &&
              CBB_add_asn1(&key, &pub, CBS_ASN1_CONTEXT_SPECIFIC | CBS_ASN1_CONSTRUCTED | 1) &&
              CBB_add_asn1(&pub, &bits, CBS_ASN1_BITSTRING) && CBB_add_u8(&bits, 0) &&
              CBB_add_bytes(&bits, point.data(), point.size()));
  return finish(cbb.get());
}

std::vector<std::uint8_t> curve_oid(int nid) {
  bssl::UniquePtr<EC_GROUP> g(EC_GROUP_new_by_curve_name(nid));
  bssl::ScopedCBB cbb;
  EXPECT_TRUE(CBB_init(cbb.get(), 16) && EC_KEY_marshal_curve_name(cbb.get(), g.get()));
  return finish(cbb.get());
}

std::string cannot_parse(std::string_view label) {
  return cat({"key.pem: cannot parse the PEM \"", label, "\" block"});
}

// ---------------------------------------------------------------------------------
// Accepted forms.

TEST(PemAccepted, RsaPublicAndPrivateInEveryForm) {
  EVP_PKEY* rsa = rsa2048();
  for (const auto& [form, pem, can_sign] : std::vector<std::tuple<std::string, std::string, bool>>{
           {"SPKI", spki(rsa), false},
           {"PKCS#1 public", pkcs1_public(rsa), false},
           {"PKCS#8", pkcs8(rsa), true},
           {"PKCS#1 private", pkcs1_private(rsa), true},
           {"certificate", certificate(rsa, rsa), false}}) {
    SCOPED_TRACE(form);
    const loaded unbound = load(pem);
    EXPECT_EQ(unbound.error, "");
    EXPECT_EQ(unbound.type, "RSA");
    EXPECT_EQ(unbound.algs, k_rsa_all);
    EXPECT_EQ(unbound.can_sign, can_sign);
    for (const alg a : k_rsa_all) EXPECT_EQ(load(pem, a).algs, std::vector<alg>{a});
    EXPECT_EQ(load(pem, alg::hs256).error, "key.pem: an RSA key cannot be used with HS256");
    EXPECT_EQ(load(pem, alg::es256).error, "key.pem: an RSA key cannot be used with ES256");
    EXPECT_EQ(load(pem, alg::eddsa).error, "key.pem: an RSA key cannot be used with EdDSA");
  }
  // The PEM labels spell what is inside.
  EXPECT_EQ(spki(rsa).rfind("-----BEGIN PUBLIC KEY-----\n", 0), 0U);
  EXPECT_EQ(pkcs1_public(rsa).rfind("-----BEGIN RSA PUBLIC KEY-----\n", 0), 0U);
  EXPECT_EQ(pkcs8(rsa).rfind("-----BEGIN PRIVATE KEY-----\n", 0), 0U);
  EXPECT_EQ(pkcs1_private(rsa).rfind("-----BEGIN RSA PRIVATE KEY-----\n", 0), 0U);
}

TEST(PemAccepted, EcOnTheThreeNamedCurvesInEveryForm) {
  for (const auto& [nid, a] : std::vector<std::pair<int, alg>>{{NID_X9_62_prime256v1, alg::es256},
                                                               {NID_secp384r1, alg::es384},
                                                               {NID_secp521r1, alg::es512}}) {
    const auto ec = new_ec(nid);
    for (const auto& [form, pem, can_sign] :
         std::vector<std::tuple<std::string, std::string, bool>>{
             {"SPKI", spki(ec.get()), false},
             {"PKCS#8", pkcs8(ec.get()), true},
             {"SEC1", sec1(ec.get()), true},
             {"certificate", certificate(ec.get(), ec.get()), false}}) {
      SCOPED_TRACE(cat({alg_name(a), " ", form}));
      const loaded r = load(pem);
      EXPECT_EQ(r.error, "");
      EXPECT_EQ(r.type, "EC");
      EXPECT_EQ(r.algs, std::vector<alg>{a});
      EXPECT_EQ(r.can_sign, can_sign);
      EXPECT_EQ(load(pem, a).algs, std::vector<alg>{a});
      for (const alg other : {alg::es256, alg::es384, alg::es512, alg::rs256, alg::hs256}) {
        if (other == a) continue;
        EXPECT_EQ(load(pem, other).error, cat({"key.pem: EC key on this curve serves ", alg_name(a),
                                               ", not ", alg_name(other)}));
      }
    }
    EXPECT_EQ(sec1(ec.get()).rfind("-----BEGIN EC PRIVATE KEY-----\n", 0), 0U);
  }
}

TEST(PemAccepted, Ed25519PublicPrivateAndCertificate) {
  const auto ed = new_ed25519();
  ASSERT_TRUE(ed);
  for (const auto& [form, pem, can_sign] : std::vector<std::tuple<std::string, std::string, bool>>{
           {"SPKI", spki(ed.get()), false},
           {"PKCS#8", pkcs8(ed.get()), true},
           {"certificate", certificate(ed.get(), ed.get()), false}}) {
    SCOPED_TRACE(form);
    const loaded r = load(pem);
    EXPECT_EQ(r.error, "");
    EXPECT_EQ(r.type, "OKP");
    EXPECT_EQ(r.algs, std::vector<alg>{alg::eddsa});
    EXPECT_EQ(r.can_sign, can_sign);
    EXPECT_EQ(load(pem, alg::eddsa).algs, std::vector<alg>{alg::eddsa});
    EXPECT_EQ(load(pem, alg::ps256).error, "key.pem: an Ed25519 key cannot be used with PS256");
    EXPECT_EQ(load(pem, alg::hs512).error, "key.pem: an Ed25519 key cannot be used with HS512");
  }
  // The raw public key is the one BoringSSL holds.
  std::uint8_t raw[32];
  std::size_t raw_len = sizeof raw;
  ASSERT_EQ(EVP_PKEY_get_raw_public_key(ed.get(), raw, &raw_len), 1);
  const loaded r = load(spki(ed.get()));
  ASSERT_TRUE(r.k);
  const auto& m = std::get<ed25519_material>(r.k->material);
  EXPECT_TRUE(std::equal(m.public_key.begin(), m.public_key.end(), raw));
}

TEST(PemAccepted, ACertificateOnlyCarriesItsKey) {
  // Not checked as a certificate (no chain, no dates): an expired one, or one not yet
  // valid, gives its key; trusting it is the configuration's decision (pem.cpp).
  const auto ec = new_ec(NID_X9_62_prime256v1);
  EXPECT_EQ(load(certificate(ec.get(), ec.get(), -7200, -3600)).algs, std::vector<alg>{alg::es256});
  EXPECT_EQ(load(certificate(ec.get(), ec.get(), 3600, 7200)).algs, std::vector<alg>{alg::es256});
  // Its subject's key, whoever signed it.
  const auto ed = new_ed25519();
  EXPECT_EQ(load(certificate(ed.get(), ec.get())).algs, std::vector<alg>{alg::eddsa});
}

TEST(PemAccepted, TheKidAndTheOriginNameTheKey) {
  const auto ec = new_ec(NID_X9_62_prime256v1);
  const loaded with_kid = load(spki(ec.get()), std::nullopt, std::string_view("a\"b\n\0", 5));
  ASSERT_TRUE(with_kid.k);
  EXPECT_EQ(with_kid.k->kid, std::string("a\"b\n\0", 5));  // exact bytes
  EXPECT_TRUE(with_kid.k->has_kid);
  EXPECT_EQ(with_kid.k->origin, R"(key.pem (kid "a\"b\n\x00"))");  // escaped for messages
  const loaded without = load(spki(ec.get()), std::nullopt, "");
  ASSERT_TRUE(without.k);
  EXPECT_FALSE(without.k->has_kid);
  EXPECT_EQ(without.k->origin, "key.pem");
}

// ---------------------------------------------------------------------------------
// Refused keys.

TEST(PemRefused, ExplicitCurveParametersInAPublicKey) {
  // RFC 5480 §2.1.1: in PKIX, ECParameters MUST be a namedCurve. BoringSSL reads only
  // named curves in an SPKI, whatever the explicit parameters say (even an exact copy
  // of P-256); with another generator it is the CurveBall shape (CVE-2020-0601).
  for (const int nid : {NID_X9_62_prime256v1, NID_secp384r1, NID_secp521r1}) {
    const auto ec = new_ec(nid);
    const EC_KEY* k = EVP_PKEY_get0_EC_KEY(ec.get());
    const auto point = point_bytes(EC_KEY_get0_group(k), EC_KEY_get0_public_key(k));
    EXPECT_EQ(load(pem_block("PUBLIC KEY", ec_spki(curve_oid(nid), point))).error, "");
    EXPECT_EQ(load(pem_block("PUBLIC KEY", ec_spki(explicit_parameters(k, false), point))).error,
              cannot_parse("PUBLIC KEY"));
    EXPECT_EQ(load(pem_block("PUBLIC KEY", ec_spki(explicit_parameters(k, true), point))).error,
              cannot_parse("PUBLIC KEY"));
  }
}

TEST(PemRefused, ExplicitCurveParametersInAPrivateKey) {
  // In a SEC 1 private key, BoringSSL maps explicit parameters that are exactly a
  // built-in curve to that curve (OpenSSL writes such keys); any other generator is
  // refused. The key is then P-256 itself, not a curve of the file's choosing.
  const auto ec = new_ec(NID_X9_62_prime256v1);
  const EC_KEY* k = EVP_PKEY_get0_EC_KEY(ec.get());
  const auto point = point_bytes(EC_KEY_get0_group(k), EC_KEY_get0_public_key(k));
  const BIGNUM* d = EC_KEY_get0_private_key(k);
  EXPECT_EQ(
      load(pem_block("EC PRIVATE KEY", ec_private(d, 32, curve_oid(NID_X9_62_prime256v1), point)))
          .algs,
      std::vector<alg>{alg::es256});
  EXPECT_EQ(
      load(pem_block("EC PRIVATE KEY", ec_private(d, 32, explicit_parameters(k, false), point)))
          .algs,
      std::vector<alg>{alg::es256});
  EXPECT_EQ(
      load(pem_block("EC PRIVATE KEY", ec_private(d, 32, explicit_parameters(k, true), point)))
          .error,
      cannot_parse("EC PRIVATE KEY"));
}

TEST(PemRefused, CurvesAndKeyTypesOtherThanTheJwsOnes) {
  // P-224: BoringSSL knows it, JWS has no algorithm for it (RFC 7518 §3.4).
  const auto p224 = new_ec(NID_secp224r1);
  EXPECT_EQ(load(spki(p224.get())).error, "key.pem: EC curve is not P-256, P-384 or P-521");
  EXPECT_EQ(load(pkcs8(p224.get())).error, "key.pem: EC curve is not P-256, P-384 or P-521");
  // secp256k1 (1.3.132.0.10, ES256K of RFC 8812): BoringSSL does not read it at all.
  const std::vector<std::uint8_t> k1_oid = {0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x0a};
  std::vector<std::uint8_t> k1_point(65, 0x11);
  k1_point[0] = 0x04;
  EXPECT_EQ(load(pem_block("PUBLIC KEY", ec_spki(k1_oid, k1_point))).error,
            cannot_parse("PUBLIC KEY"));
  // X25519 is a key-agreement key, not a signature key.
  std::uint8_t x25519_public[32];
  std::uint8_t x25519_private[32];
  X25519_keypair(x25519_public, x25519_private);
  bssl::UniquePtr<EVP_PKEY> x25519(
      EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, nullptr, x25519_public, 32));
  ASSERT_TRUE(x25519);
  EXPECT_EQ(load(spki(x25519.get())).error, "key.pem: key type is not RSA, EC or Ed25519");
  // A certificate for such a key.
  const auto signer = new_ec(NID_X9_62_prime256v1);
  EXPECT_EQ(load(certificate(x25519.get(), signer.get())).error,
            "key.pem: key type is not RSA, EC or Ed25519");
  EXPECT_EQ(load(certificate(p224.get(), signer.get())).error,
            "key.pem: EC curve is not P-256, P-384 or P-521");
}

TEST(PemRefused, RsaKeysTheKeyRulesRefuse) {
  const auto size = [](unsigned bits) {
    return cat({"key.pem: RSA modulus of ", std::to_string(bits),
                " bits is outside 2048..16384 (RFC 7518 §3.3)"});
  };
  EXPECT_EQ(load(spki(rsa_public(modulus(1024), 65537).get())).error, size(1024));
  EXPECT_EQ(load(spki(rsa_public(modulus(2047), 65537).get())).error, size(2047));
  EXPECT_EQ(load(spki(rsa_public(modulus(2048), 65537).get())).algs, k_rsa_all);
  EXPECT_EQ(load(pkcs1_public(rsa_public(modulus(16384), 65537).get())).algs, k_rsa_all);
  const std::string exponent =
      "key.pem: RSA public exponent must be odd and in 65537..2^33 (docs/SECURITY.md K1)";
  for (const std::uint64_t e : {std::uint64_t{3}, std::uint64_t{17}, std::uint64_t{65535}}) {
    EXPECT_EQ(load(spki(rsa_public(modulus(2048), e).get())).error, exponent) << e;
  }
  // What BoringSSL's own public-key check refuses while parsing (rsa_check_public_key:
  // a modulus over 16384 bits, an even exponent, one over 33 bits) never reaches the
  // key rules: the block cannot be read.
  EXPECT_EQ(load(pkcs1_public(rsa_public(modulus(16385), 65537).get())).error,
            cannot_parse("RSA PUBLIC KEY"));
  for (const std::uint64_t e :
       {std::uint64_t{65538}, std::uint64_t{1} << 33, (std::uint64_t{1} << 33) + 1}) {
    EXPECT_EQ(load(spki(rsa_public(modulus(2048), e).get())).error, cannot_parse("PUBLIC KEY"))
        << e;
  }
  EXPECT_EQ(load(spki(rsa_public(modulus(2048), (std::uint64_t{1} << 33) - 1).get())).algs,
            k_rsa_all);
  // A small key in a certificate is refused the same way.
  const auto signer = new_ec(NID_X9_62_prime256v1);
  EXPECT_EQ(load(certificate(rsa_public(modulus(1024), 65537).get(), signer.get())).error,
            size(1024));

  // ROCA (CVE-2017-15361): the modulus of Wycheproof's json_web_key_test tcId 7.
  simdjson::dom::parser parser;
  const std::string text = test::read_file(test::vector_path("wycheproof/json_web_key_test.json"));
  simdjson::dom::element root;
  ASSERT_EQ(parser.parse(text).get(root), simdjson::SUCCESS);
  std::string_view n_text;
  simdjson::dom::array groups;
  ASSERT_EQ(root["testGroups"].get_array().get(groups), simdjson::SUCCESS);
  for (simdjson::dom::element g : groups) {
    std::string_view comment;
    if (g["comment"].get_string().get(comment) == simdjson::SUCCESS &&
        comment == "jws_rsa_roca_key") {
      ASSERT_EQ(g["public"]["keys"].at(0)["n"].get_string().get(n_text), simdjson::SUCCESS);
    }
  }
  ASSERT_FALSE(n_text.empty());
  std::vector<std::uint8_t> n(base64url_decoded_size(n_text.size()));
  std::size_t n_len = 0;
  ASSERT_TRUE(base64url_decode(n_text, n.data(), &n_len));
  n.resize(n_len);
  EXPECT_EQ(load(spki(rsa_public(n, 65537).get())).error,
            "key.pem: RSA modulus has the ROCA fingerprint (CVE-2017-15361): weak key");
}

TEST(PemRefused, APrivateKeyWhosePublicHalfIsAnotherKeys) {
  // SEC 1: BoringSSL checks that d·G is the stored public point (EC_KEY_check_key).
  const auto a = new_ec(NID_X9_62_prime256v1);
  const auto b = new_ec(NID_X9_62_prime256v1);
  const EC_KEY* ka = EVP_PKEY_get0_EC_KEY(a.get());
  const EC_KEY* kb = EVP_PKEY_get0_EC_KEY(b.get());
  const auto b_point = point_bytes(EC_KEY_get0_group(kb), EC_KEY_get0_public_key(kb));
  EXPECT_EQ(load(pem_block("EC PRIVATE KEY", ec_private(EC_KEY_get0_private_key(ka), 32,
                                                        curve_oid(NID_X9_62_prime256v1), b_point)))
                .error,
            cannot_parse("EC PRIVATE KEY"));
}

// ---------------------------------------------------------------------------------
// Files: labels, several blocks, text around them, damage, encryption, size.

TEST(PemFile, LabelsThatAreNotKeys) {
  EXPECT_EQ(load("").error, "key.pem: no PEM block (-----BEGIN ...-----)");
  EXPECT_EQ(load("just some text\n").error, "key.pem: no PEM block (-----BEGIN ...-----)");
  EXPECT_EQ(load("-----BEGIN PUBLIC KEY\nMFkw\n").error,
            "key.pem: no PEM block (-----BEGIN ...-----)");
  EXPECT_EQ(load("-----BEGIN -----\n-----END -----\n").error,
            "key.pem: no PEM block (-----BEGIN ...-----)");
  for (const std::string_view label :
       {"DH PARAMETERS", "EC PARAMETERS", "CERTIFICATE REQUEST", "X509 CRL", "TRUSTED CERTIFICATE",
        "OPENSSH PRIVATE KEY", "DSA PRIVATE KEY", "PGP PUBLIC KEY BLOCK", "public key",
        "PUBLIC  KEY"}) {
    EXPECT_EQ(load(cat({"-----BEGIN ", label, "-----\nAAAA\n-----END ", label, "-----\n"})).error,
              cat({"key.pem: unsupported PEM block \"", label, "\""}));
  }
  EXPECT_EQ(load("-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE "
                 "KEY-----\n")
                .error,
            "key.pem: encrypted private keys are not supported; decrypt it first");
}

TEST(PemFile, TheFirstBlockDecides) {
  const auto ec = new_ec(NID_X9_62_prime256v1);
  const auto ed = new_ed25519();
  EVP_PKEY* rsa = rsa2048();
  // A certificate chain: the leaf, then its issuers.
  EXPECT_EQ(load(certificate(ec.get(), rsa) + certificate(rsa, rsa)).algs,
            std::vector<alg>{alg::es256});
  // Two public keys: the first is the key; the second is not read.
  EXPECT_EQ(load(spki(ed.get()) + spki(ec.get())).algs, std::vector<alg>{alg::eddsa});
  EXPECT_EQ(
      load(spki(ec.get()) + "-----BEGIN PUBLIC KEY-----\ngarbage\n-----END PUBLIC KEY-----\n").algs,
      std::vector<alg>{alg::es256});
  // A private key and its certificate in one file (a web server's bundle).
  const loaded bundle = load(pkcs8(ec.get()) + certificate(ec.get(), ec.get()));
  EXPECT_EQ(bundle.algs, std::vector<alg>{alg::es256});
  EXPECT_TRUE(bundle.can_sign);
  // The first label names the block to read: a certificate after a public key's label
  // is not looked for.
  EXPECT_EQ(load("-----BEGIN PUBLIC KEY-----\n-----END PUBLIC KEY-----\n" +
                 certificate(ec.get(), ec.get()))
                .error,
            cannot_parse("PUBLIC KEY"));
}

TEST(PemFile, TextAroundTheBlocks) {
  const auto ec = new_ec(NID_secp384r1);
  const std::string pem = spki(ec.get());
  // What openssl x509 -text and PKCS#12 exports put before a block, and comments after.
  EXPECT_EQ(load("Bag Attributes\n    localKeyID: 01 02 03\nsubject=CN = x\n\n" + pem +
                 "# trailing comment\n\x01\xff garbage")
                .algs,
            std::vector<alg>{alg::es384});
  // CRLF line ends.
  std::string crlf;
  for (const char c : pem) crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
  EXPECT_EQ(load(crlf).algs, std::vector<alg>{alg::es384});
  // No newline at the very end.
  EXPECT_EQ(load(pem.substr(0, pem.size() - 1)).algs, std::vector<alg>{alg::es384});
  // A BEGIN line that does not start its line is not a block boundary.
  EXPECT_EQ(load("  " + pem).error, cannot_parse("PUBLIC KEY"));
  // Text inside the block is damage.
  std::string inside = pem;
  inside.insert(inside.find('\n') + 1, "not base64!\n");
  EXPECT_EQ(load(inside).error, cannot_parse("PUBLIC KEY"));
}

TEST(PemFile, ATruncatedBlock) {
  const auto ec = new_ec(NID_X9_62_prime256v1);
  const std::string pem = spki(ec.get());
  const std::size_t end = pem.find("-----END");
  // Cut before the END line, in the middle of the END line, in the body, and one
  // base64 character short of whole.
  EXPECT_EQ(load(pem.substr(0, end)).error, cannot_parse("PUBLIC KEY"));
  EXPECT_EQ(load(pem.substr(0, end + 12)).error, cannot_parse("PUBLIC KEY"));
  EXPECT_EQ(load(pem.substr(0, pem.find('\n') + 20) + "\n" + pem.substr(end)).error,
            cannot_parse("PUBLIC KEY"));
  std::string short_one = pem;
  short_one.erase(end - 2, 1);
  EXPECT_EQ(load(short_one).error, cannot_parse("PUBLIC KEY"));
  // The body of one key under another key's label.
  const std::string private_pem = sec1(ec.get());
  std::string relabelled = private_pem;
  for (int i = 0; i < 2; ++i) {  // the BEGIN and the END line
    relabelled.replace(relabelled.find("EC PRIVATE KEY"), 14, "PUBLIC KEY");
  }
  EXPECT_EQ(load(relabelled).error, cannot_parse("PUBLIC KEY"));
  std::string as_rsa = private_pem;
  for (int i = 0; i < 2; ++i) as_rsa.replace(as_rsa.find("EC PRIVATE"), 10, "RSA PRIVATE");
  EXPECT_EQ(load(as_rsa).error, cannot_parse("RSA PRIVATE KEY"));
}

TEST(PemFile, AnEncryptedTraditionalKeyIsNotDecrypted) {
  // Proc-Type: 4,ENCRYPTED (RFC 1421): load_pem gives no password, and BoringSSL's
  // default callback has none to give, so nothing prompts; the block cannot be read.
  EVP_PKEY* rsa = rsa2048();
  unsigned char password[] = "password";
  const std::string encrypted = pem_of([&](BIO* b) {
    return PEM_write_bio_RSAPrivateKey(b, EVP_PKEY_get0_RSA(rsa), EVP_aes_128_cbc(), password,
                                       sizeof password - 1, nullptr, nullptr);
  });
  ASSERT_NE(encrypted.find("Proc-Type: 4,ENCRYPTED"), std::string::npos);
  EXPECT_EQ(load(encrypted).error, cannot_parse("RSA PRIVATE KEY"));
}

TEST(PemFile, SixteenMebibytesAtMost) {
  const auto ec = new_ec(NID_X9_62_prime256v1);
  const std::string pem = spki(ec.get());
  std::string at_limit = pem + std::string((std::size_t{1} << 24) - pem.size(), '\n');
  ASSERT_EQ(at_limit.size(), std::size_t{1} << 24);
  EXPECT_EQ(load(at_limit).algs, std::vector<alg>{alg::es256});
  at_limit.push_back('\n');
  EXPECT_EQ(load(at_limit).error, "key.pem: PEM file larger than 16 MiB");
}

// ---------------------------------------------------------------------------------
// Gaps this suite found in keys/pem.cpp, each fixed there; the comment says what was wrong.

// `openssl ecparam -genkey -name prime256v1` (without -noout) writes an "EC
// PARAMETERS" block (the curve's OID, repeated inside the key) before the "EC PRIVATE
// KEY" block. load_pem reads the first block's label only, so the file is refused as
// `unsupported PEM block "EC PARAMETERS"`. Fix: in first_label (keys/pem.cpp), skip
// "EC PARAMETERS" blocks and take the next label.
TEST(PemGaps, OpensslEcparamOutputLoads) {
  const auto ec = new_ec(NID_X9_62_prime256v1);
  const std::string params = pem_block("EC PARAMETERS", curve_oid(NID_X9_62_prime256v1));
  ASSERT_EQ(params,
            "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n");
  const loaded r = load(params + sec1(ec.get()));
  EXPECT_EQ(r.error, "");
  EXPECT_EQ(r.algs, std::vector<alg>{alg::es256});
}

}  // namespace
}  // namespace jwtbatch::detail
