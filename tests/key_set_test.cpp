// Key loading: JWK / JWKS / PEM / secrets, every refusal with its message, key
// selection by kid and alg.
#include "jwtbatch/key_set.hpp"
#include "core/access.hpp"

#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/curve25519.h>
#include <openssl/ec_key.h>
#include <openssl/evp.h>
#include <openssl/nid.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "codec/base64url.hpp"
#include "jwtbatch/sign.hpp"
#include "jwtbatch/verifier.hpp"
#include "keys/store.hpp"
#include "test_support.hpp"

namespace jwtbatch {
namespace {

// RFC 7515 A.3 P-256 key (public test key).
constexpr const char* k_p256_x = "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU";
constexpr const char* k_p256_y = "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0";

std::string ec_jwk(const std::string& extra, const std::string& y = k_p256_y) {
  return R"({"kty":"EC","crv":"P-256","x":")" + std::string(k_p256_x) + R"(","y":")" + y + "\"" +
         extra + "}";
}

// Runs add_jwks on a one-key document and returns the config_error text ("" if none).
std::string refusal(const std::string& jwk) {
  try {
    key_set_builder b;
    b.add_jwks(jwk, "test.jwk");
    (void)b.build();
  } catch (const config_error& e) {
    return e.what();
  }
  return "";
}

void expect_refused(const std::string& jwk, const std::string& reason) {
  const std::string message = refusal(jwk);
  EXPECT_NE(message.find("test.jwk"), std::string::npos) << message;
  EXPECT_NE(message.find(reason), std::string::npos)
      << "expected '" << reason << "' in: " << message;
}

TEST(KeySet, LoadsAJwkAndAJwks) {
  key_set_builder b;
  b.add_jwks(ec_jwk(R"(,"kid":"ec1","use":"sig","key_ops":["verify"])"), "one.jwk");
  b.add_jwks(R"({"keys":[{"kty":"OKP","crv":"Ed25519","kid":"ed1",)"
             R"("x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]})",
             "set.jwks");
  const auto keys = b.build();
  ASSERT_EQ(keys->size(), 2U);
  const auto info = keys->describe();
  EXPECT_EQ(info[0].kid, "ec1");
  EXPECT_EQ(info[0].type, "EC");
  EXPECT_EQ(info[0].algs, std::vector<alg>{alg::es256});
  EXPECT_FALSE(info[0].can_sign);
  EXPECT_EQ(info[1].type, "OKP");
  EXPECT_EQ(info[1].algs, std::vector<alg>{alg::eddsa});
  EXPECT_EQ(info[1].origin, "set.jwks: key 0 (kid \"ed1\")");
  EXPECT_TRUE(keys->warnings().empty());
}

TEST(KeySet, RefusesWeakOrMisusedKeys) {
  expect_refused(R"({"kty":"oct","k":"AAECAwQFBgcICQoLDA0ODw"})", "shorter than the 32 bytes");
  expect_refused(R"({"kty":"oct","alg":"HS512","k":"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"})",
                 "shorter than the 64 bytes HS512 requires");
  expect_refused(R"({"kty":"oct","k":""})", "shorter than the 32 bytes");
  expect_refused(ec_jwk(R"(,"alg":"ES384")"), "serves ES256, not ES384");
  expect_refused(ec_jwk("", "y_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"), "not on P-256");
  expect_refused(ec_jwk("", "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0AAAA"), "must be 32 bytes");
  expect_refused(R"({"kty":"EC","crv":"secp256k1","x":"AA","y":"AA"})", "not supported");
  expect_refused(
      R"({"kty":"OKP","crv":"X25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"})",
      "Ed25519 only");
  expect_refused(R"({"kty":"OKP","crv":"Ed25519","x":"11qYAYKx"})", "must be 32 bytes");
  expect_refused(ec_jwk(R"(,"use":"enc")"), "\"use\": \"enc\" is not \"sig\"");
  expect_refused(ec_jwk(R"(,"key_ops":["sign"])"), "does not include \"verify\"");
  expect_refused(ec_jwk(R"(,"alg":"RSA1_5")"), "not a JWS algorithm");
  expect_refused(ec_jwk(R"(,"alg":"ES256K")"), "not a JWS algorithm");
  expect_refused(R"({"kty":"RSA","n":"AQAB"})", "missing \"e\"");
  expect_refused(R"({"kty":"dsa"})", "\"kty\": \"dsa\" is not supported");
  expect_refused(R"({"kty":"oct","k":"AA=="})", "not strict base64url");
}

TEST(KeySet, RefusesSmallOrStrangeRsaKeys) {
  // Generated keys re-exported with a replaced exponent / a short modulus.
  const generated_key g = generate_key(alg::rs256, "r");
  std::string jwk = g.public_jwk;
  const auto with_e = [&](const std::string& e) {
    std::string j = jwk;
    const std::size_t at = j.find(R"("e":"AQAB")");
    return j.replace(at, 10, R"("e":")" + e + "\"");
  };
  expect_refused(with_e("Aw"), "exponent must be odd and in 65537..2^33");            // e = 3
  expect_refused(with_e("AQ"), "exponent must be odd and in 65537..2^33");            // e = 1
  expect_refused(with_e("AQAA"), "exponent must be odd and in 65537..2^33");          // even
  expect_refused(with_e("AQAAAAAAAAAB"), "exponent must be odd and in 65537..2^33");  // huge
  // 1024-bit modulus: RFC 7515 A.2's key is 2048; take half of its bytes.
  const std::size_t n_at = jwk.find(R"("n":")") + 5;
  std::string short_n = jwk;
  short_n.erase(n_at, 171);  // 342 chars of n -> 171 chars: ~1024 bits
  expect_refused(short_n, "outside 2048..16384");
}

TEST(KeySet, OneBadKeyDoesNotPoisonTheSet) {
  key_set_builder b;
  b.add_jwks(R"({"keys":[)" + ec_jwk(R"(,"kid":"good")") + R"(,)" +
                 ec_jwk(R"(,"kid":"bad","use":"enc")") + R"(,42]})",
             "mixed.jwks");
  const auto keys = b.build();
  EXPECT_EQ(keys->size(), 1U);
  ASSERT_EQ(keys->warnings().size(), 2U);
  EXPECT_EQ(keys->warnings()[0],
            R"(mixed.jwks: key 1 (kid "bad"): skipped: "use": "enc" is not "sig")");
  EXPECT_EQ(keys->warnings()[1], "mixed.jwks: key 2: skipped: not a JWK object");
}

TEST(KeySet, DocumentErrorsNameTheSource) {
  const auto message = [](const std::string& doc) {
    try {
      key_set_builder b;
      b.add_jwks(doc, "keys.json");
    } catch (const config_error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(message("not json"), "keys.json: not a JSON object (expected a JWK or a JWK Set)");
  EXPECT_EQ(message("{}"), R"(keys.json: neither a JWK Set ("keys") nor a JWK ("kty"))");
  EXPECT_EQ(message(R"({"keys":[]})"), "keys.json: no usable key");
  EXPECT_EQ(message(R"({"keys":[]} x)"),
            "keys.json: not a JSON object (expected a JWK or a JWK Set)");
  EXPECT_EQ(message(R"({"kty":"oct","kty":"oct","k":"x"})"),
            "keys.json: invalid JSON in key document (duplicate_member)");
  EXPECT_EQ(message(R"({"keys":{}})"), "keys.json: invalid JSON in key document (bad_member_type)");
}

TEST(KeySet, DuplicateKidsAreAllRefused) {
  key_set_builder b;
  b.add_jwks(ec_jwk(R"(,"kid":"same")"), "a.jwk");
  b.add_secret(std::vector<std::uint8_t>(32, 9), "b.secret", "same", alg::hs256);
  EXPECT_THROW((void)b.build(), config_error);

  key_set_builder c;
  c.add_secret(std::vector<std::uint8_t>(32, 1), "s1", "dup", alg::hs256);
  c.add_secret(std::vector<std::uint8_t>(32, 2), "s2", "dup", alg::hs256);
  c.add_secret(std::vector<std::uint8_t>(32, 3), "s3", "other", alg::hs256);
  const auto keys = c.build();
  EXPECT_EQ(keys->size(), 1U);
  ASSERT_EQ(keys->warnings().size(), 2U);
  EXPECT_EQ(keys->warnings()[0], R"(s1: refused: kid "dup" is used by 2 keys (ambiguous))");
}

TEST(KeySet, AKidAlsoClaimedByASkippedKeyIsAmbiguous) {
  // The second key's "k" is not strict base64url, so it is skipped; the first key
  // shares its kid, and which of the two the issuer meant cannot be known.
  key_set_builder b;
  b.add_jwks(R"({"keys":[)" + ec_jwk(R"(,"kid":"same")") +
                 R"(,{"kty":"oct","kid":"same","k":"AA=="},)" + ec_jwk(R"(,"kid":"other")") + "]}",
             "dup.jwks");
  const auto keys = b.build();
  ASSERT_EQ(keys->size(), 1U);
  EXPECT_EQ(keys->describe()[0].kid, "other");
  ASSERT_EQ(keys->warnings().size(), 2U);
  EXPECT_EQ(keys->warnings()[1],
            R"(dup.jwks: key 0 (kid "same"): refused: kid "same" is also used by a key that )"
            R"(was skipped (ambiguous))");
}

TEST(KeySet, MixedSymmetricAndAsymmetricNeedsConsent) {
  key_set_builder b;
  b.add_jwks(ec_jwk(R"(,"kid":"ec")"), "ec.jwk");
  b.add_secret(std::vector<std::uint8_t>(32, 9), "hs.secret", "hs", alg::hs256);
  try {
    (void)b.build();
    ADD_FAILURE() << "mixed set accepted";
  } catch (const mixed_key_set_error& e) {
    // Says which keys, why, and what to do, without pointing at a document the reader
    // may not have.
    EXPECT_EQ(e.mix(), R"(HMAC secrets (hs.secret) with public keys (ec.jwk: key 0 (kid "ec")))");
    EXPECT_EQ(std::string(e.what()),
              "the key set mixes " + e.mix() +
                  ": refused by default, since one set serving both kinds is where algorithm "
                  "confusion starts (RFC 8725 §2.1) and usually means a key went to the wrong "
                  "place; use separate key sets, or allow mixing explicitly "
                  "(allow_mixed_key_types) if both kinds really are meant");
  }
  key_set_builder ok;
  ok.add_jwks(ec_jwk(R"(,"kid":"ec")"), "ec.jwk");
  ok.add_secret(std::vector<std::uint8_t>(32, 9), "hs.secret", "hs", alg::hs256);
  ok.allow_mixed_key_types();
  EXPECT_EQ(ok.build()->size(), 2U);
}

TEST(KeySet, SecretsAreBoundToOneAlgorithm) {
  key_set_builder b;
  b.add_secret(std::vector<std::uint8_t>(64, 5), "s", "k", alg::hs384);
  const auto keys = b.build();
  EXPECT_EQ(keys->describe()[0].algs, std::vector<alg>{alg::hs384});
  EXPECT_THROW(b.add_secret(std::vector<std::uint8_t>(47, 5), "short", "k2", alg::hs384),
               config_error);
  EXPECT_THROW(b.add_secret(std::vector<std::uint8_t>(64, 5), "rsa?", "k3", alg::rs256),
               config_error);
}

TEST(KeySet, AnOctKeyWithoutAlgServesEveryHashItIsLongEnoughFor) {
  key_set_builder b;
  b.add_jwks(
      R"({"kty":"oct","kid":"k","k":"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4v"})",
      "oct.jwk");  // 48 bytes
  EXPECT_EQ(b.build()->describe()[0].algs, (std::vector<alg>{alg::hs256, alg::hs384}));
}

TEST(KeySelection, ByKidThenByUniqueAlg) {
  key_set_builder b;
  b.add_secret(std::vector<std::uint8_t>(32, 1), "s", "a", alg::hs256);
  b.add_secret(std::vector<std::uint8_t>(48, 2), "s", "b", alg::hs384);
  const auto keys = b.build();
  const auto& store = jwtbatch::detail::access::key_store_of(*keys);
  const detail::key* k = nullptr;
  EXPECT_EQ(store.select(alg::hs256, std::string_view("a"), false, &k), status::ok);
  EXPECT_EQ(k->kid, "a");
  EXPECT_EQ(store.select(alg::hs384, std::string_view("a"), false, &k), status::alg_key_mismatch);
  EXPECT_EQ(store.select(alg::hs256, std::string_view("A"), false, &k), status::key_not_found);
  EXPECT_EQ(store.select(alg::hs256, std::string_view("a\0", 2), false, &k), status::key_not_found);
  EXPECT_EQ(store.select(alg::hs384, std::nullopt, false, &k), status::ok);
  EXPECT_EQ(k->kid, "b");
  EXPECT_EQ(store.select(alg::hs512, std::nullopt, false, &k), status::key_not_found);
  EXPECT_EQ(store.select(alg::hs384, std::nullopt, true, &k), status::kid_missing);
}

// ---------------------------------------------------------------------------------
// PEM

std::string pem_of(int (*write)(BIO*, EVP_PKEY*), EVP_PKEY* key) {
  bssl::UniquePtr<BIO> bio(BIO_new(BIO_s_mem()));
  EXPECT_EQ(write(bio.get(), key), 1);
  const std::uint8_t* data = nullptr;
  std::size_t len = 0;
  BIO_mem_contents(bio.get(), &data, &len);
  return {reinterpret_cast<const char*>(data), len};
}

int write_pubkey(BIO* b, EVP_PKEY* k) {
  return PEM_write_bio_PUBKEY(b, k);
}
int write_pkcs8(BIO* b, EVP_PKEY* k) {
  return PEM_write_bio_PrivateKey(b, k, nullptr, nullptr, 0, nullptr, nullptr);
}
int write_pkcs1_private(BIO* b, EVP_PKEY* k) {
  bssl::UniquePtr<RSA> rsa(EVP_PKEY_get1_RSA(k));
  return PEM_write_bio_RSAPrivateKey(b, rsa.get(), nullptr, nullptr, 0, nullptr, nullptr);
}
int write_pkcs1_public(BIO* b, EVP_PKEY* k) {
  bssl::UniquePtr<RSA> rsa(EVP_PKEY_get1_RSA(k));
  return PEM_write_bio_RSAPublicKey(b, rsa.get());
}
int write_sec1(BIO* b, EVP_PKEY* k) {
  bssl::UniquePtr<EC_KEY> ec(EVP_PKEY_get1_EC_KEY(k));
  return PEM_write_bio_ECPrivateKey(b, ec.get(), nullptr, nullptr, 0, nullptr, nullptr);
}
int write_certificate(BIO* b, EVP_PKEY* k) {
  bssl::UniquePtr<X509> cert(X509_new());
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), 0);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 3600);
  X509_set_pubkey(cert.get(), k);
  if (X509_sign(cert.get(), k, EVP_sha256()) == 0) return 0;
  return PEM_write_bio_X509(b, cert.get());
}

bssl::UniquePtr<EVP_PKEY> new_rsa() {
  bssl::UniquePtr<RSA> rsa(RSA_new());
  bssl::UniquePtr<BIGNUM> e(BN_new());
  BN_set_word(e.get(), RSA_F4);
  EXPECT_EQ(RSA_generate_key_ex(rsa.get(), 2048, e.get(), nullptr), 1);
  bssl::UniquePtr<EVP_PKEY> k(EVP_PKEY_new());
  EVP_PKEY_assign_RSA(k.get(), rsa.release());
  return k;
}

bssl::UniquePtr<EVP_PKEY> new_ec(int nid) {
  bssl::UniquePtr<EC_KEY> ec(EC_KEY_new_by_curve_name(nid));
  EXPECT_EQ(EC_KEY_generate_key(ec.get()), 1);
  bssl::UniquePtr<EVP_PKEY> k(EVP_PKEY_new());
  EVP_PKEY_assign_EC_KEY(k.get(), ec.release());
  return k;
}

bssl::UniquePtr<EVP_PKEY> new_ed25519() {
  std::uint8_t pub[32];
  std::uint8_t priv[64];
  ED25519_keypair(pub, priv);
  return bssl::UniquePtr<EVP_PKEY>(
      EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, priv, 32));
}

// Signs with a key set built from `private_pem`, verifies with one from `public_pem`.
void expect_pem_round_trip(const std::string& private_pem, const std::string& public_pem, alg a) {
  SCOPED_TRACE(std::string(alg_name(a)) + "\n" + private_pem.substr(0, 40) + "\n" +
               public_pem.substr(0, 40));
  key_set_builder signing;
  signing.add_pem(private_pem, "private.pem", "k", a);
  key_set_builder checking;
  checking.add_pem(public_pem, "public.pem", "k", a);
  const auto signing_keys = signing.build();
  EXPECT_TRUE(signing_keys->describe()[0].can_sign);
  const std::string token = sign_compact(*signing_keys, "k", a, R"({"sub":"pem"})");
  EXPECT_EQ(verifier(checking.build()).verify_one(token), status::ok);
}

TEST(Pem, EveryFormatLoadsAndRoundTrips) {
  const auto rsa = new_rsa();
  const std::string spki = pem_of(write_pubkey, rsa.get());
  expect_pem_round_trip(pem_of(write_pkcs8, rsa.get()), spki, alg::rs256);
  expect_pem_round_trip(pem_of(write_pkcs1_private, rsa.get()), spki, alg::ps384);
  expect_pem_round_trip(pem_of(write_pkcs8, rsa.get()), pem_of(write_pkcs1_public, rsa.get()),
                        alg::rs512);
  expect_pem_round_trip(pem_of(write_pkcs8, rsa.get()), pem_of(write_certificate, rsa.get()),
                        alg::ps256);

  const auto p384 = new_ec(NID_secp384r1);
  expect_pem_round_trip(pem_of(write_sec1, p384.get()), pem_of(write_pubkey, p384.get()),
                        alg::es384);
  const auto p521 = new_ec(NID_secp521r1);
  expect_pem_round_trip(pem_of(write_pkcs8, p521.get()), pem_of(write_certificate, p521.get()),
                        alg::es512);
  const auto ed = new_ed25519();
  ASSERT_TRUE(ed);
  expect_pem_round_trip(pem_of(write_pkcs8, ed.get()), pem_of(write_pubkey, ed.get()), alg::eddsa);
}

TEST(Pem, RefusalsNameTheFileAndReason) {
  const auto message = [](const std::string& pem, std::optional<alg> bind) {
    try {
      key_set_builder b;
      b.add_pem(pem, "key.pem", "k", bind);
    } catch (const config_error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  const auto ec = new_ec(NID_X9_62_prime256v1);
  EXPECT_EQ(message(pem_of(write_pubkey, ec.get()), alg::es384),
            "key.pem: EC key on this curve serves ES256, not ES384");
  EXPECT_EQ(message(pem_of(write_pubkey, ec.get()), alg::hs256),
            "key.pem: EC key on this curve serves ES256, not HS256");
  EXPECT_EQ(message("no pem here", std::nullopt), "key.pem: no PEM block (-----BEGIN ...-----)");
  EXPECT_EQ(message("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n", std::nullopt),
            "key.pem: cannot parse the PEM \"PUBLIC KEY\" block");
  EXPECT_EQ(
      message("-----BEGIN DH PARAMETERS-----\nAAAA\n-----END DH PARAMETERS-----\n", std::nullopt),
      "key.pem: unsupported PEM block \"DH PARAMETERS\"");
  EXPECT_EQ(message("-----BEGIN ENCRYPTED PRIVATE KEY-----\n-----END ENCRYPTED PRIVATE KEY-----",
                    std::nullopt),
            "key.pem: encrypted private keys are not supported; decrypt it first");
}

TEST(KeyFiles, AddFileReadsPemOrJwksAndNamesMissingFiles) {
  const std::string dir = ::testing::TempDir();
  const std::string jwks_path = dir + "key_set_test.jwks";
  const std::string pem_path = dir + "key_set_test.pem";
  std::ofstream(jwks_path) << R"({"keys":[)" << ec_jwk(R"(,"kid":"e")") << "]}";
  const auto ed = new_ed25519();
  std::ofstream(pem_path) << pem_of(write_pubkey, ed.get());
  key_set_builder b;
  b.add_file(jwks_path);
  b.add_file(pem_path, "ed", alg::eddsa);
  EXPECT_EQ(b.build()->size(), 2U);
  try {
    key_set_builder c;
    c.add_file(dir + "no-such-file.jwks");
    ADD_FAILURE();
  } catch (const config_error& e) {
    EXPECT_EQ(std::string(e.what()),
              dir + "no-such-file.jwks: cannot open key file: No such file or directory");
  }
  EXPECT_THROW(key_set_builder().add_file(jwks_path, "kid-for-a-jwks"), config_error);
  std::remove(jwks_path.c_str());
  std::remove(pem_path.c_str());
}

// The DER of a PEM's base64 body (the armour lines dropped).
std::string der_of_pem(const std::string& pem) {
  bssl::UniquePtr<BIO> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  char* name = nullptr;
  char* header = nullptr;
  std::uint8_t* data = nullptr;
  long len = 0;
  EXPECT_EQ(PEM_read_bio(bio.get(), &name, &header, &data, &len), 1);
  std::string der(reinterpret_cast<const char*>(data), static_cast<std::size_t>(len));
  OPENSSL_free(name);
  OPENSSL_free(header);
  OPENSSL_free(data);
  return der;
}

std::string secret_refusal(const std::string& secret) {
  try {
    key_set_builder b;
    b.add_secret(std::span(reinterpret_cast<const std::uint8_t*>(secret.data()), secret.size()),
                 "s.key", "k", alg::hs256);
  } catch (const config_error& e) {
    return e.what();
  }
  return "accepted";
}

TEST(Secrets, PublicKeyMaterialIsNeverAnHmacSecret) {
  const auto rsa = new_rsa();
  const auto ec = new_ec(NID_secp384r1);
  const std::string spki_pem = pem_of(write_pubkey, rsa.get());
  const std::string spki = der_of_pem(spki_pem);
  const std::string pkcs1 = der_of_pem(pem_of(write_pkcs1_public, rsa.get()));
  const std::string cert = der_of_pem(pem_of(write_certificate, ec.get()));
  std::uint8_t point[49];
  const EC_KEY* ec_key = EVP_PKEY_get0_EC_KEY(ec.get());
  ASSERT_EQ(EC_POINT_point2oct(EC_KEY_get0_group(ec_key), EC_KEY_get0_public_key(ec_key),
                               POINT_CONVERSION_COMPRESSED, point, sizeof point, nullptr),
            49U);
  std::string body;  // the base64 lines of the PEM, as a user might paste them
  for (std::size_t at = spki_pem.find('\n') + 1; at < spki_pem.size();) {
    const std::size_t nl = spki_pem.find('\n', at);
    const std::string line = spki_pem.substr(at, nl - at);
    if (line.rfind("-----", 0) != 0) body += line + "\n";
    at = nl + 1;
  }
  const std::string tail =
      "; a secret must be secret random bytes, and with public-key material anyone could MAC "
      "tokens that verify (RFC 8725 §2.1)";
  const std::string head = "s.key: refused as an HMAC secret: it is ";
  EXPECT_EQ(secret_refusal(spki_pem),
            head + "a PEM block (-----BEGIN ...): key material in text form, not a secret" + tail);
  EXPECT_EQ(
      secret_refusal(" \n" + ec_jwk(R"(,"kid":"e")") + "\n"),
      head + "a JSON document (a JWK or JWK Set's text: load it as a key set instead)" + tail);
  EXPECT_EQ(secret_refusal(spki), head + "a DER SubjectPublicKeyInfo (a public key)" + tail);
  EXPECT_EQ(secret_refusal(pkcs1), head + "a DER PKCS#1 RSAPublicKey (a public key)" + tail);
  EXPECT_EQ(secret_refusal(cert), head + "a DER X.509 certificate (a public key)" + tail);
  EXPECT_EQ(secret_refusal(std::string(reinterpret_cast<const char*>(point), sizeof point)),
            head + "an EC point on secp384r1 (a public key)" + tail);
  EXPECT_EQ(secret_refusal(body),
            head + "the base64 text of a DER SubjectPublicKeyInfo (a public key)" + tail);
  EXPECT_EQ(secret_refusal(detail::base64url_encode(pkcs1)),
            head + "the base64 text of a DER PKCS#1 RSAPublicKey (a public key)" + tail);
  // Secrets that only look a little like these are secrets.
  EXPECT_EQ(secret_refusal(std::string(32, '\x30')), "accepted");
  EXPECT_EQ(secret_refusal("{not json, just a passphrase of 40 chars}"), "accepted");
  EXPECT_EQ(secret_refusal("0123456789abcdef0123456789abcdef"), "accepted");  // base64, no DER
  std::string not_on_curve(reinterpret_cast<const char*>(point), sizeof point);
  not_on_curve[0] = '\x04';  // an uncompressed point needs 97 bytes on P-384
  EXPECT_EQ(secret_refusal(not_on_curve), "accepted");

  // The same rule for an oct JWK: its "k" is the secret.
  key_set_builder b;
  b.add_jwks(R"({"keys":[{"kty":"oct","kid":"spki","k":")" + detail::base64url_encode(spki) +
                 R"("},)" + ec_jwk(R"(,"kid":"e")") + "]}",
             "oct.jwks");
  const auto keys = b.build();
  ASSERT_EQ(keys->warnings().size(), 1U);
  EXPECT_EQ(keys->warnings()[0],
            R"(oct.jwks: key 0 (kid "spki"): skipped: refused as an HMAC secret: it is a DER )"
            "SubjectPublicKeyInfo (a public key)" +
                tail);
}

TEST(KeyBinding, NonStringMembersAreRefusedNotIgnored) {
  expect_refused(ec_jwk(R"(,"kid":5)"), R"(test.jwk: key 0: skipped: "kid" is not a string)");
  expect_refused(ec_jwk(R"(,"kid":null)"), R"("kid" is not a string (RFC 7517 §4))");
  expect_refused(ec_jwk(R"(,"alg":["ES256"])"), R"("alg" is not a string)");
  expect_refused(ec_jwk(R"(,"use":true)"), R"("use" is not a string)");
  expect_refused(R"({"kty":"oct","kid":"k","k":{"a":1}})", R"("k" is not a string)");
  // In a set, the key is skipped and the others load.
  key_set_builder b;
  b.add_jwks(R"({"keys":[)" + ec_jwk(R"(,"kid":5)") + "," + ec_jwk(R"(,"kid":"5")") + "]}",
             "set.jwks");
  const auto keys = b.build();
  ASSERT_EQ(keys->size(), 1U);
  EXPECT_EQ(keys->describe()[0].kid, "5");
  ASSERT_EQ(keys->warnings().size(), 1U);
  EXPECT_EQ(keys->warnings()[0],
            R"(set.jwks: key 0: skipped: "kid" is not a string (RFC 7517 §4))");
}

TEST(KeyBinding, UnboundRsaKeysAndPrivateKeysAreSaid) {
  const generated_key g = generate_key(alg::ps256, "r");
  std::string unbound = g.public_jwk;
  const std::size_t at = unbound.find(R"(,"alg":"PS256")");
  ASSERT_NE(at, std::string::npos) << unbound;
  unbound.erase(at, 14);
  key_set_builder b;
  b.add_jwks(unbound, "rsa.jwk");
  b.add_jwks(g.public_jwk, "bound.jwk");  // same kid: both refused, so build another
  key_set_builder c;
  c.add_jwks(unbound, "rsa.jwk");
  const auto rsa = new_rsa();
  c.add_pem(pem_of(write_pubkey, rsa.get()), "rsa.pem", "p", std::nullopt);
  c.add_pem(pem_of(write_pubkey, rsa.get()), "bound.pem", "q", alg::rs256);
  const auto keys = c.build();
  EXPECT_EQ(keys->describe()[0].algs.size(), 6U);  // it does serve all six: said, not hidden
  const std::vector<std::string> expected = {
      R"(rsa.jwk: key 0 (kid "r"): no "alg": this RSA key verifies RS256, RS384, RS512, )"
      R"(PS256, PS384 and PS512 alike; give it an "alg" (RFC 7517 §4.4) to bind it to one)",
      R"(rsa.pem (kid "p"): this RSA key verifies RS256, RS384, RS512, PS256, PS384 and )"
      "PS512 alike; bind it to one algorithm"};
  EXPECT_EQ(keys->warnings(), expected);
  EXPECT_EQ(c.warnings(), expected);

  // A private key in a set for verifying: loaded, and said; not when signing is meant.
  key_set_builder verifying;
  verifying.add_jwks(g.private_jwk, "private.jwk");
  EXPECT_EQ(verifying.build()->warnings(),
            std::vector<std::string>{R"(private.jwk: key 0 (kid "r"): holds a private key; )"
                                     "verifying needs only the public key (keep private keys out "
                                     "of a verifier's configuration)"});
  key_set_builder signing;
  signing.expect_private_keys();
  signing.add_jwks(g.private_jwk, "private.jwk");
  signing.add_secret(std::vector<std::uint8_t>(32, 7), "hs", "h", alg::hs256);
  signing.allow_mixed_key_types();
  EXPECT_TRUE(signing.build()->warnings().empty());
}

TEST(KeyFiles, OnlyRegularFilesAreReadBoundedWithoutBlocking) {
  const std::string dir = ::testing::TempDir() + "key_set_test_" + std::to_string(::getpid());
  ASSERT_EQ(::mkdir(dir.c_str(), 0700), 0);
  const std::string fifo = dir + "/fifo";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  const std::string big = dir + "/big";
  std::ofstream(big) << "{";
  ASSERT_EQ(::truncate(big.c_str(), static_cast<off_t>(max_key_file_bytes) + 1), 0);
  const std::string exact = dir + "/exact";
  std::ofstream(exact) << "{";
  ASSERT_EQ(::truncate(exact.c_str(), static_cast<off_t>(max_key_file_bytes)), 0);
  const auto message = [](const std::function<void(key_set_builder&)>& add) {
    try {
      key_set_builder b;
      add(b);
    } catch (const config_error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  // Read only: /dev/zero is an input here, never a target.
  EXPECT_EQ(message([](key_set_builder& b) { b.add_file("/dev/zero"); }),
            "/dev/zero: not a regular file (a character device); a key file must be one");
  EXPECT_EQ(message([&](key_set_builder& b) { b.add_file(fifo); }),
            fifo + ": not a regular file (a FIFO); a key file must be one");
  EXPECT_EQ(message([&](key_set_builder& b) { b.add_secret_file(fifo, "k", alg::hs256); }),
            fifo + ": not a regular file (a FIFO); a key file must be one");
  EXPECT_EQ(message([&](key_set_builder& b) { b.add_file(dir); }),
            dir + ": not a regular file (a directory); a key file must be one");
  EXPECT_EQ(message([&](key_set_builder& b) { b.add_file(big); }),
            big + ": larger than the 64 MiB a key file may have");
  // 64 MiB itself is read (and is no JSON).
  EXPECT_EQ(message([&](key_set_builder& b) { b.add_file(exact); }),
            exact + ": not a JSON object (expected a JWK or a JWK Set)");
  EXPECT_EQ(message([&](key_set_builder& b) { b.add_file(exact + "/x"); }),
            exact + "/x: cannot open key file: Not a directory");
  // A file that is not PEM, given a kid and an algorithm: the file is the problem.
  const std::string text = dir + "/text";
  std::ofstream(text) << "hello";
  EXPECT_EQ(message([&](key_set_builder& b) { b.add_file(text, "x", alg::es256); }),
            text +
                ": no PEM block (-----BEGIN ...-----); a kid or an algorithm is given only "
                "with a PEM key (a JWK carries its own)");
  // A secret file: its bytes, newline included.
  const std::string secret = dir + "/secret";
  std::ofstream(secret) << std::string(31, 's') << "\n";
  key_set_builder b;
  b.add_secret_file(secret, "s", alg::hs256);
  EXPECT_EQ(b.build()->describe()[0].origin, secret);
  static_cast<void>(std::system(("rm -rf '" + dir + "'").c_str()));
}

}  // namespace
}  // namespace jwtbatch
