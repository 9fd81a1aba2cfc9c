// Key export: key_info's thumbprint, bits and public_jwk (key_set::describe), and the
// exports of jwtbatch/sign.hpp, checked against the RFCs' own examples and values
// computed independently (Python's hashlib and `cryptography` on the same JWKs).
#include <gtest/gtest.h>
#include <simdjson.h>

#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "jwtbatch/alg.hpp"
#include "jwtbatch/key_set.hpp"
#include "jwtbatch/primitives.hpp"
#include "jwtbatch/sign.hpp"
#include "test_support.hpp"

namespace jwtbatch {
namespace {

// RFC 7638 §3.1: the example RSA key (RFC 7517 App. A.1) and its thumbprint.
constexpr const char* k_rfc7638_n =
    "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_"
    "BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_"
    "RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbI"
    "SD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-"
    "csFCur-kEgU8awapJzKnqDKgw";
constexpr const char* k_rfc7638_thumbprint = "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs";

// RFC 8037 App. A.1-A.3: the Ed25519 key and its thumbprint.
constexpr const char* k_ed_x = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";
constexpr const char* k_ed_d = "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A";
constexpr const char* k_ed_thumbprint = "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k";

std::shared_ptr<const key_set> one_set(const std::string& jwk) {
  key_set_builder b;
  b.allow_mixed_key_types().expect_private_keys();
  b.add_jwks(jwk, "test.jwk");
  return b.build();
}

key_info describe_one(const std::string& jwk) {
  const std::vector<key_info> infos = one_set(jwk)->describe();
  EXPECT_EQ(infos.size(), 1U);
  return infos.empty() ? key_info{} : infos.front();
}

// The JWKs of rfc_vectors.json by id, minified: {"private": ..., "public": ...}.
std::map<std::string, std::map<std::string, std::string>> rfc_keys() {
  static simdjson::dom::parser parser;
  const std::string text = test::read_file(test::vector_path("rfc_vectors.json"));
  simdjson::dom::element root;
  EXPECT_EQ(parser.parse(text).get(root), simdjson::SUCCESS);
  simdjson::dom::object keys;
  EXPECT_EQ(root["keys"].get_object().get(keys), simdjson::SUCCESS);
  std::map<std::string, std::map<std::string, std::string>> out;
  for (auto [id, entry] : keys) {
    for (const char* part : {"private", "public"}) {
      simdjson::dom::element jwk;
      EXPECT_EQ(entry[std::string(part) + "_jwk"].get(jwk), simdjson::SUCCESS);
      out[std::string(id)][part] = simdjson::minify(jwk);
    }
  }
  return out;
}

TEST(KeyExport, Rfc7638ExampleThumbprint) {
  const std::string jwk = std::string(R"({"kty":"RSA","n":")") + k_rfc7638_n +
                          R"(","e":"AQAB","alg":"RS256","kid":"2011-04-29"})";
  const key_info k = describe_one(jwk);
  EXPECT_EQ(k.thumbprint, k_rfc7638_thumbprint);
  EXPECT_EQ(k.bits, 2048U);
  EXPECT_EQ(k.public_jwk, std::string(R"({"alg":"RS256","e":"AQAB","kid":"2011-04-29",)") +
                              R"("kty":"RSA","n":")" + k_rfc7638_n + R"("})");
  // RFC 7638 §3: kid, alg and the order of members do not change the thumbprint.
  const key_info bare =
      describe_one(std::string(R"({"e":"AQAB","n":")") + k_rfc7638_n + R"(","kty":"RSA"})");
  EXPECT_EQ(bare.thumbprint, k_rfc7638_thumbprint);
  // Not bound to one algorithm: no "alg" (it would claim one the key is not limited to).
  EXPECT_EQ(bare.public_jwk,
            std::string(R"({"e":"AQAB","kty":"RSA","n":")") + k_rfc7638_n + R"("})");
}

TEST(KeyExport, Rfc8037Ed25519Thumbprint) {
  const key_info pub =
      describe_one(std::string(R"({"kty":"OKP","crv":"Ed25519","x":")") + k_ed_x + R"("})");
  EXPECT_EQ(pub.thumbprint, k_ed_thumbprint);
  EXPECT_EQ(pub.bits, 256U);
  EXPECT_EQ(pub.public_jwk,
            std::string(R"({"alg":"EdDSA","crv":"Ed25519","kty":"OKP","x":")") + k_ed_x + R"("})");
  // The private key describes as its public part: no "d" in public_jwk.
  const key_info priv = describe_one(std::string(R"({"kty":"OKP","crv":"Ed25519","x":")") + k_ed_x +
                                     R"(","d":")" + k_ed_d + R"(","kid":"ed"})");
  EXPECT_TRUE(priv.can_sign);
  EXPECT_EQ(priv.thumbprint, k_ed_thumbprint);
  EXPECT_EQ(priv.public_jwk, std::string(R"({"alg":"EdDSA","crv":"Ed25519","kid":"ed",)") +
                                 R"("kty":"OKP","x":")" + k_ed_x + R"("})");
}

TEST(KeyExport, EveryRfcVectorKey) {
  // Thumbprints and sizes computed with Python (hashlib.sha256 over the RFC 7638 §3.2
  // members) from the same JWKs.
  struct want {
    const char* thumbprint;
    unsigned bits;
  };
  const std::map<std::string, want> expected = {
      {"rfc7515-A1-oct", {"y_x3gCJnL6oKGBBIXScabduwxTVy2Wd2bzRVEUbdUzc", 512}},
      {"rfc7515-A2-rsa", {"IsUn6_e04MaShXFIISMp4kG62LWzMIPy_MvSA5pJgX8", 2048}},
      {"rfc7515-A3-ec-p256", {"oKIywvGUpTVTyxMQ3bwIIeQUudfr_CkLMjCE19ECD-U", 256}},
      {"rfc7515-A4-ec-p521", {"u5YUSjQ2-2chBi51NSk3t3g7IM4o2KYcnPqPtCNGd3U", 521}},
      {"rfc8037-A-ed25519", {k_ed_thumbprint, 256}},
      {"rfc7520-3.4-rsa", {"9jg46WB3rR_AHD-EBXdN7cBkH1WOu0tA3M9fm21mqTI", 2048}},
      {"rfc7520-3.2-ec-p521", {"dHri3SADZkrush5HU_50AoRhcKFryN-PI6jPBtPL55M", 521}},
      {"rfc7520-3.5-oct", {"RtoRur_1Dir5M4wuOfqNkDYOf9O_4RJ-aHkTA75RLA8", 256}},
  };
  const auto keys = rfc_keys();
  ASSERT_EQ(keys.size(), expected.size());
  for (const auto& [id, jwks] : keys) {
    SCOPED_TRACE(id);
    const auto w = expected.find(id);
    ASSERT_NE(w, expected.end());
    for (const char* part : {"private", "public"}) {
      const key_info k = describe_one(jwks.at(part));
      EXPECT_EQ(k.thumbprint, w->second.thumbprint) << part;
      EXPECT_EQ(k.bits, w->second.bits) << part;
      if (k.type == "oct") {
        EXPECT_EQ(k.public_jwk, "") << "a secret is never exported as a public JWK";
      } else {
        // The public JWK loads back as the same key.
        EXPECT_EQ(describe_one(k.public_jwk).thumbprint, k.thumbprint) << part;
        EXPECT_EQ(k.public_jwk.find("\"d\""), std::string::npos) << part;
      }
    }
  }
  const key_info p521 = describe_one(keys.at("rfc7515-A4-ec-p521").at("public"));
  EXPECT_EQ(
      p521.public_jwk,
      R"({"alg":"ES512","crv":"P-521","kty":"EC",)"
      R"("x":"AekpBQ8ST8a8VcfVOTNl353vSrDCLLJXmPk06wTjxrrjcBpXp5EOnYG_NjFZ6OvLFV1jSfS9tsz4qUxcWceqwQGk",)"
      R"("y":"ADSmRA43Z1DSNx_RvcLI87cdL07l6jQyyBXMoxVg_l2Th-x3S1WDhjDly79ajL4Kkd0AZMaZmh9ubmf63e3kyMj2"})");
  // An HMAC key bound by its "alg": HS256 only, 256 bits.
  const key_info oct = describe_one(keys.at("rfc7520-3.5-oct").at("private"));
  EXPECT_EQ(oct.algs, std::vector<alg>{alg::hs256});
  EXPECT_EQ(oct.public_jwk, "");
}

TEST(KeyExport, PrivateJwk) {
  const auto keys = rfc_keys();
  EXPECT_EQ(export_private_jwk(*one_set(keys.at("rfc7515-A3-ec-p256").at("private")), 0),
            R"({"alg":"ES256","crv":"P-256","d":"jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI",)"
            R"("kty":"EC","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",)"
            R"("y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"})");
  EXPECT_EQ(export_private_jwk(*one_set(keys.at("rfc8037-A-ed25519").at("private")), 0),
            std::string(R"({"alg":"EdDSA","crv":"Ed25519","d":")") + k_ed_d +
                R"(","kty":"OKP","x":")" + k_ed_x + R"("})");
  // RSA: every member of RFC 7518 §6.3.2, and it loads back as the same signing key.
  const std::string rsa = export_private_jwk(*one_set(keys.at("rfc7520-3.4-rsa").at("private")), 0);
  for (const char* m : {"\"d\"", "\"p\"", "\"q\"", "\"dp\"", "\"dq\"", "\"qi\""}) {
    EXPECT_NE(rsa.find(m), std::string::npos) << m;
  }
  EXPECT_EQ(rsa.find("\"use\""), std::string::npos);
  const key_info back = describe_one(rsa);
  EXPECT_TRUE(back.can_sign);
  EXPECT_EQ(back.thumbprint, "9jg46WB3rR_AHD-EBXdN7cBkH1WOu0tA3M9fm21mqTI");
  EXPECT_EQ(back.kid, "bilbo.baggins@hobbiton.example");
  EXPECT_EQ(export_private_jwk(*one_set(rsa), 0), rsa);  // a fixed point
  // An oct key's private JWK is its secret.
  EXPECT_EQ(export_private_jwk(*one_set(keys.at("rfc7520-3.5-oct").at("private")), 0),
            R"({"alg":"HS256","k":"hJtXIZ2uSN5kbQfbtTNWbpdmhkV8FJG-Onbc6mxCcYg",)"
            R"("kid":"018c0ae5-4d9b-471b-bfd6-eef314bc7037","kty":"oct"})");
}

TEST(KeyExport, PublicPem) {
  // The expected blocks were written by Python's `cryptography` from the same keys.
  EXPECT_EQ(
      export_public_pem(
          *one_set(std::string(R"({"kty":"OKP","crv":"Ed25519","x":")") + k_ed_x + R"("})"), 0),
      "-----BEGIN PUBLIC KEY-----\n"
      "MCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\n"
      "-----END PUBLIC KEY-----\n");
  const auto keys = rfc_keys();
  EXPECT_EQ(export_public_pem(*one_set(keys.at("rfc7515-A3-ec-p256").at("private")), 0),
            "-----BEGIN PUBLIC KEY-----\n"
            "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEf83OJ3D2xF1Bg8vub9tLe1gHMzV7\n"
            "6e8Tus9uPHvRVEXH8UTNG72bfocs3+257rn0s2ldbqkLJK2KRiMohYjlrQ==\n"
            "-----END PUBLIC KEY-----\n");
  const std::string rsa_pem = export_public_pem(
      *one_set(std::string(R"({"kty":"RSA","e":"AQAB","n":")") + k_rfc7638_n + R"("})"), 0);
  EXPECT_EQ(rsa_pem,
            "-----BEGIN PUBLIC KEY-----\n"
            "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA0vx7agoebGcQSuuPiLJX\n"
            "ZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tS\n"
            "oc/BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ/2W+5JsGY4Hc5n9yBXArwl93lqt\n"
            "7/RN5w6Cf0h4QyQ5v+65YGjQR0/FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0\n"
            "zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt+bFTWhAI4vMQFh6WeZu0f\n"
            "M4lFd2NcRwr3XPksINHaQ+G/xBniIqbw0Ls1jF44+csFCur+kEgU8awapJzKnqDK\n"
            "gwIDAQAB\n"
            "-----END PUBLIC KEY-----\n");
  // The PEM loads back as the same key.
  key_set_builder b;
  b.add_pem(rsa_pem, "rsa.pem", "r", alg::rs256);
  EXPECT_EQ(b.build()->describe()[0].thumbprint, k_rfc7638_thumbprint);
}

TEST(KeyExport, Refusals) {
  const auto keys = rfc_keys();
  const auto oct = one_set(keys.at("rfc7520-3.5-oct").at("private"));
  try {
    (void)export_public_pem(*oct, 0);
    ADD_FAILURE() << "an oct key has no public PEM";
  } catch (const config_error& e) {
    EXPECT_STREQ(e.what(),
                 "test.jwk: key 0 (kid \"018c0ae5-4d9b-471b-bfd6-eef314bc7037\"): an HMAC secret "
                 "(kty oct) has no public key");
  }
  const auto pub = one_set(keys.at("rfc7515-A3-ec-p256").at("public"));
  try {
    (void)export_private_jwk(*pub, 0);
    ADD_FAILURE() << "a public key has no private JWK";
  } catch (const config_error& e) {
    EXPECT_STREQ(e.what(), "test.jwk: key 0: no private key to export");
  }
  try {
    (void)export_public_pem(*pub, 1);
    ADD_FAILURE() << "index out of range";
  } catch (const config_error& e) {
    EXPECT_STREQ(e.what(), "no key 1 in a set of 1");
  }
}

TEST(KeyExport, GeneratedKeysUseTheSameWriter) {
  struct want {
    alg a;
    const char* head;             // kty and the first members, in keygen's order
    const char* private_members;  // the private part, in order
  };
  for (const want& w : {want{alg::hs256, R"({"kty":"oct","k":")", ""},
                        want{alg::rs256, R"({"kty":"RSA","n":")",
                             R"(","d":"|","p":"|","q":"|","dp":"|","dq":"|","qi":")"},
                        want{alg::es384, R"({"kty":"EC","crv":"P-384","x":")", R"(","d":")"},
                        want{alg::eddsa, R"({"kty":"OKP","crv":"Ed25519","x":")", R"(","d":")"}}) {
    const std::string name(alg_name(w.a));
    SCOPED_TRACE(name);
    const generated_key g = generate_key(w.a, "g");
    const std::string tail = R"(","kid":"g","use":"sig","alg":")" + name + "\"}";
    // keygen's layout, unchanged: kty first, kid, use and alg last.
    EXPECT_EQ(g.private_jwk.rfind(w.head, 0), 0U) << g.private_jwk;
    EXPECT_EQ(g.public_jwk.rfind(w.head, 0), 0U) << g.public_jwk;
    EXPECT_EQ(g.private_jwk.substr(g.private_jwk.size() - tail.size()), tail);
    std::size_t at = 0;
    for (std::string_view rest = w.private_members; !rest.empty();) {
      const std::string m(rest.substr(0, rest.find('|')));
      rest.remove_prefix(std::min(rest.size(), m.size() + 1));
      at = g.private_jwk.find(m, at);
      EXPECT_NE(at, std::string::npos) << m;
      EXPECT_EQ(g.public_jwk.find(m), std::string::npos) << m;
    }
    const key_info k = describe_one(g.private_jwk);
    if (k.type == "oct") {
      EXPECT_EQ(k.bits, 256U);
      EXPECT_EQ(g.public_jwk, g.private_jwk);
      continue;
    }
    // The same key, written by the same writer sorted: describe and the exports agree.
    EXPECT_EQ(describe_one(g.public_jwk).public_jwk, k.public_jwk);
    const std::string exported = export_private_jwk(*one_set(g.private_jwk), 0);
    EXPECT_EQ(exported.rfind(R"({"alg":")" + name + "\",", 0), 0U) << exported;
    EXPECT_EQ(exported.size(), g.private_jwk.size() - std::string(R"(,"use":"sig")").size());
    EXPECT_EQ(describe_one(exported).thumbprint, k.thumbprint);
  }
  EXPECT_EQ(describe_one(generate_key(alg::rs256, "r", 3072).private_jwk).bits, 3072U);
  EXPECT_EQ(describe_one(generate_key(alg::es512, "e").public_jwk).bits, 521U);
}

}  // namespace
}  // namespace jwtbatch
