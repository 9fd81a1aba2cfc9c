// keys/jwk: the JWK and JWK Set loader (RFC 7517, RFC 7518 §6, RFC 8037 §2), tested
// directly through keys/loaders.hpp's load_jwks, and through key_set_builder where the
// builder is the entry (duplicate kids, mixed sets). Every refusal is checked with its
// exact message: the configuration's author reads it to fix the key file.
//  - every kty with the exact algorithms it serves: oct by secret length, RSA (all six
//    unless bound), EC P-256/384/521, OKP Ed25519;
//  - the RFC example keys (RFC 7515 App. A, RFC 7520 §3, RFC 8037 App. A) and
//    Wycheproof's json_web_key_test groups from ../shared/vectors, read in place;
//  - refusals: missing and mistyped members, non-strict base64url, short secrets, RSA
//    moduli and exponents out of range, the ROCA fingerprint, EC points off the curve or
//    of the wrong length, curve/alg mismatches, OKP curves other than Ed25519, private
//    parts that do not match, "use":"enc", key_ops without verify, duplicate kids, and
//    documents that are not a JWK or a JWK Set.
#include <gtest/gtest.h>
#include <openssl/ec_key.h>
#include <openssl/nid.h>
#include <simdjson.h>

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "codec/base64url.hpp"
#include "jwtbatch/key_set.hpp"
#include "jwtbatch/sign.hpp"
#include "keys/loaders.hpp"
#include "test_support.hpp"

namespace jwtbatch::detail {
namespace {

using test::cat;

std::string b64(std::string_view bytes) {
  return base64url_encode(bytes);
}

std::string b64(const std::vector<std::uint8_t>& bytes) {
  return base64url_encode(
      std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

// The algorithms of a key mask, in enum order.
std::vector<alg> algs_of(alg_mask m) {
  std::vector<alg> out;
  for (const alg a : all_algs()) {
    if (has_alg(m, a)) out.push_back(a);
  }
  return out;
}

const char* type_of(const key& k) {
  return visit_material(k.material, [](const auto& m) {
    using T = std::decay_t<decltype(m)>;
    if constexpr (std::is_same_v<T, hmac_material>) return "oct";
    if constexpr (std::is_same_v<T, rsa_material>) return "RSA";
    if constexpr (std::is_same_v<T, ec_material>) return "EC";
    return "OKP";
  });
}

// What load_jwks made of one document: the keys and warnings, or the config_error.
struct loaded {
  std::vector<key> keys;
  std::vector<std::string> warnings;
  std::string error;  // empty when it did not throw
};

loaded load(std::string_view json, std::string_view source = "k.jwks") {
  loaded out;
  try {
    load_jwks(json, source, out.keys, out.warnings);
  } catch (const config_error& e) {
    out.error = e.what();
  }
  return out;
}

// refusal: the reason a one-key document was refused. The whole message is checked:
// "k.jwks: no usable key", then the key's line "k.jwks: key 0[ (kid ...)]: skipped: ".
std::string refusal(std::string_view json, std::string_view kid_part = "") {
  const loaded r = load(json);
  EXPECT_TRUE(r.keys.empty()) << json;
  const std::string head = cat({"k.jwks: no usable key\n  k.jwks: key 0", kid_part, ": skipped: "});
  if (r.error.rfind(head, 0) != 0) {
    ADD_FAILURE() << "unexpected message: " << r.error << "\nfor: " << json;
    return r.error;
  }
  return r.error.substr(head.size());
}

// One key's summary: type, algorithms, kid, can_sign, origin.
struct summary {
  std::string type;
  std::vector<alg> algs;
  std::string kid;
  bool has_kid = false;
  bool can_sign = false;
  bool operator==(const summary&) const = default;
};
void PrintTo(const summary& s, std::ostream* os) {
  *os << s.type << " [";
  for (const alg a : s.algs) *os << alg_name(a) << ' ';
  *os << "] kid=" << (s.has_kid ? s.kid : "(none)") << (s.can_sign ? " private" : " public");
}

summary summarize(const key& k) {
  return {type_of(k), algs_of(k.algs), k.kid, k.has_kid, k.can_sign()};
}

// The one key a document yields (failing the test when it yields another count).
summary one_key(std::string_view json) {
  const loaded r = load(json);
  EXPECT_EQ(r.error, "") << json;
  EXPECT_EQ(r.keys.size(), 1U) << json;
  return r.keys.empty() ? summary{} : summarize(r.keys.front());
}

// ---------------------------------------------------------------------------------
// Key material built for the edge cases.

// The RFC 7515 App. A.3 P-256 public key (a public test key).
constexpr std::string_view k_p256_x = "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU";
constexpr std::string_view k_p256_y = "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0";
constexpr std::string_view k_p256_d = "jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI";
// The RFC 8037 App. A Ed25519 key.
constexpr std::string_view k_ed_x = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";
constexpr std::string_view k_ed_d = "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A";

std::string p256(std::string_view extra, std::string_view x = k_p256_x,
                 std::string_view y = k_p256_y) {
  return cat({R"({"kty":"EC","crv":"P-256","x":")", x, R"(","y":")", y, "\"", extra, "}"});
}

std::string ed25519(std::string_view extra, std::string_view x = k_ed_x) {
  return cat({R"({"kty":"OKP","crv":"Ed25519","x":")", x, "\"", extra, "}"});
}

std::string oct(std::size_t bytes, std::string_view extra = "") {
  std::string secret(bytes, '\0');
  for (std::size_t i = 0; i < bytes; ++i) secret[i] = static_cast<char>(i * 7 + 1);
  return cat({R"({"kty":"oct","k":")", b64(secret), "\"", extra, "}"});
}

// An RSA public modulus of exactly `bits` bits (odd, arbitrary but fixed bytes: a public
// key is not checked for being a product of two primes, only for its size).
std::string modulus(unsigned bits) {
  std::vector<std::uint8_t> n((bits + 7) / 8);
  for (std::size_t i = 0; i < n.size(); ++i) n[i] = static_cast<std::uint8_t>(i * 131 + 77);
  const unsigned top = bits % 8 == 0 ? 8 : bits % 8;
  n[0] = static_cast<std::uint8_t>((n[0] & ((1U << (top - 1)) - 1)) | (1U << (top - 1)));
  n.back() |= 1;
  return b64(n);
}

std::string rsa(std::string_view n, std::string_view e = "AQAB", std::string_view extra = "") {
  return cat({R"({"kty":"RSA","n":")", n, R"(","e":")", e, "\"", extra, "}"});
}

// The base64url big-endian bytes of `v` without leading zeros (RFC 7518 §6.3.1.2).
std::string exponent(std::uint64_t v) {
  std::string bytes;
  for (int shift = 56; shift >= 0; shift -= 8) {
    const auto byte = static_cast<char>((v >> static_cast<unsigned>(shift)) & 0xFF);
    if (!bytes.empty() || byte != 0) bytes.push_back(byte);
  }
  return b64(bytes);
}

// The value of `member` in a JWK's text ("" when absent).
std::string member_of(const std::string& jwk, std::string_view member) {
  const std::string key = cat({"\"", member, "\":\""});
  const std::size_t at = jwk.find(key);
  if (at == std::string::npos) return "";
  const std::size_t start = at + key.size();
  return jwk.substr(start, jwk.find('"', start) - start);
}

// jwk with `member`'s string value replaced by `value`.
std::string with_member(std::string jwk, std::string_view member, std::string_view value) {
  const std::string old = member_of(jwk, member);
  const std::string key = cat({"\"", member, "\":\"", old, "\""});
  const std::size_t at = jwk.find(key);
  EXPECT_NE(at, std::string::npos) << member << " in " << jwk;
  return jwk.replace(at, key.size(), cat({"\"", member, "\":\"", value, "\""}));
}

// ---------------------------------------------------------------------------------
// Accepted keys: every kty, with exactly the algorithms it may serve.

TEST(JwkAccepted, OctServesEveryHashItsSecretIsLongEnoughFor) {
  // RFC 7518 §3.2: the key is at least the hash output; without "alg" an oct key
  // serves each HS* it is long enough for, with "alg" that one only.
  EXPECT_EQ(one_key(oct(32)).algs, std::vector<alg>{alg::hs256});
  EXPECT_EQ(one_key(oct(47)).algs, std::vector<alg>{alg::hs256});
  EXPECT_EQ(one_key(oct(48)).algs, (std::vector<alg>{alg::hs256, alg::hs384}));
  EXPECT_EQ(one_key(oct(63)).algs, (std::vector<alg>{alg::hs256, alg::hs384}));
  EXPECT_EQ(one_key(oct(64)).algs, (std::vector<alg>{alg::hs256, alg::hs384, alg::hs512}));
  EXPECT_EQ(one_key(oct(1000)).algs, (std::vector<alg>{alg::hs256, alg::hs384, alg::hs512}));
  EXPECT_EQ(one_key(oct(64, R"(,"alg":"HS384")")).algs, std::vector<alg>{alg::hs384});
  EXPECT_EQ(one_key(oct(48, R"(,"alg":"HS384")")).algs, std::vector<alg>{alg::hs384});
  EXPECT_EQ(one_key(oct(64, R"(,"alg":"HS512","kid":"h")")),
            (summary{"oct", {alg::hs512}, "h", true, true}));
}

TEST(JwkAccepted, RsaServesAllSixUnlessBoundAndSaysSo) {
  const std::string n = modulus(2048);
  EXPECT_EQ(one_key(rsa(n)),
            (summary{"RSA",
                     {alg::rs256, alg::rs384, alg::rs512, alg::ps256, alg::ps384, alg::ps512},
                     "",
                     false,
                     false}));
  for (const alg a : {alg::rs256, alg::rs384, alg::rs512, alg::ps256, alg::ps384, alg::ps512}) {
    EXPECT_EQ(one_key(rsa(n, "AQAB", cat({R"(,"alg":")", alg_name(a), "\""}))).algs,
              std::vector<alg>{a});
  }
  // Unbound: loaded, and said (RFC 8725 §3.1).
  const loaded r = load(rsa(n, "AQAB", R"(,"kid":"r")"));
  EXPECT_EQ(r.warnings, std::vector<std::string>{
                            R"(k.jwks: key 0 (kid "r"): no "alg": this RSA key verifies RS256, )"
                            R"(RS384, RS512, PS256, PS384 and PS512 alike; give it an "alg" )"
                            R"((RFC 7517 §4.4) to bind it to one)"});
  EXPECT_EQ(load(rsa(n, "AQAB", R"(,"kid":"r","alg":"PS256")")).warnings,
            std::vector<std::string>{});
}

TEST(JwkAccepted, EcCurvesServeTheirOneAlgorithm) {
  EXPECT_EQ(one_key(p256("")), (summary{"EC", {alg::es256}, "", false, false}));
  EXPECT_EQ(one_key(p256(R"(,"alg":"ES256","kid":"e")")),
            (summary{"EC", {alg::es256}, "e", true, false}));
  EXPECT_EQ(one_key(p256(cat({R"(,"d":")", k_p256_d, "\""}))),
            (summary{"EC", {alg::es256}, "", false, true}));
  const generated_key p384 = generate_key(alg::es384, "p384");
  EXPECT_EQ(one_key(p384.public_jwk), (summary{"EC", {alg::es384}, "p384", true, false}));
  EXPECT_EQ(one_key(p384.private_jwk), (summary{"EC", {alg::es384}, "p384", true, true}));
  const generated_key p521 = generate_key(alg::es512, "p521");
  EXPECT_EQ(one_key(p521.public_jwk), (summary{"EC", {alg::es512}, "p521", true, false}));
  EXPECT_EQ(one_key(p521.private_jwk), (summary{"EC", {alg::es512}, "p521", true, true}));
  const loaded r = load(p384.public_jwk);
  ASSERT_EQ(r.keys.size(), 1U);
  const auto& m = std::get<ec_material>(r.keys[0].material);
  EXPECT_EQ(m.curve_nid, NID_secp384r1);
  EXPECT_EQ(m.field_bytes, 48U);
}

TEST(JwkAccepted, OkpEd25519ServesEdDsa) {
  EXPECT_EQ(one_key(ed25519("")), (summary{"OKP", {alg::eddsa}, "", false, false}));
  EXPECT_EQ(one_key(ed25519(cat({R"(,"d":")", k_ed_d, R"(","alg":"EdDSA","kid":"ed")"}))),
            (summary{"OKP", {alg::eddsa}, "ed", true, true}));
  const loaded r = load(ed25519(""));
  ASSERT_EQ(r.keys.size(), 1U);
  const auto& m = std::get<ed25519_material>(r.keys[0].material);
  EXPECT_EQ(b64(std::string_view(reinterpret_cast<const char*>(m.public_key.data()), 32)), k_ed_x);
}

TEST(JwkAccepted, TheRfcExampleKeysLoadAsTheyArePrinted) {
  // RFC 7515 App. A.1-A.4, RFC 7520 §3.2-3.5, RFC 8037 App. A, from rfc_vectors.json:
  // each private JWK and each public JWK, with the type and algorithms the RFCs use.
  simdjson::dom::parser parser;
  const std::string text = test::read_file(test::vector_path("rfc_vectors.json"));
  simdjson::dom::element root;
  ASSERT_EQ(parser.parse(text).get(root), simdjson::SUCCESS);
  simdjson::dom::object keys;
  ASSERT_EQ(root["keys"].get_object().get(keys), simdjson::SUCCESS);
  const std::vector<alg> rsa_all = {alg::rs256, alg::rs384, alg::rs512,
                                    alg::ps256, alg::ps384, alg::ps512};
  const std::map<std::string, summary> expected = {
      {"rfc7515-A1-oct", {"oct", {alg::hs256, alg::hs384, alg::hs512}, "", false, true}},
      {"rfc7515-A2-rsa", {"RSA", rsa_all, "", false, true}},
      {"rfc7515-A3-ec-p256", {"EC", {alg::es256}, "", false, true}},
      {"rfc7515-A4-ec-p521", {"EC", {alg::es512}, "", false, true}},
      {"rfc8037-A-ed25519", {"OKP", {alg::eddsa}, "", false, true}},
      {"rfc7520-3.4-rsa", {"RSA", rsa_all, "bilbo.baggins@hobbiton.example", true, true}},
      {"rfc7520-3.2-ec-p521", {"EC", {alg::es512}, "bilbo.baggins@hobbiton.example", true, true}},
      {"rfc7520-3.5-oct",
       {"oct", {alg::hs256}, "018c0ae5-4d9b-471b-bfd6-eef314bc7037", true, true}},
  };
  std::size_t seen = 0;
  for (auto [id, entry] : keys) {
    SCOPED_TRACE(std::string(id));
    const auto want = expected.find(std::string(id));
    ASSERT_NE(want, expected.end()) << "a key this test does not know";
    ++seen;
    simdjson::dom::element private_jwk;
    simdjson::dom::element public_jwk;
    ASSERT_EQ(entry["private_jwk"].get(private_jwk), simdjson::SUCCESS);
    ASSERT_EQ(entry["public_jwk"].get(public_jwk), simdjson::SUCCESS);
    EXPECT_EQ(one_key(simdjson::minify(private_jwk)), want->second);
    summary pub = want->second;
    pub.can_sign = pub.type == "oct";  // an oct key's "public" JWK is the secret
    EXPECT_EQ(one_key(simdjson::minify(public_jwk)), pub);
  }
  EXPECT_EQ(seen, expected.size());
}

TEST(JwkAccepted, MembersTheLoaderDoesNotUseAreReadAndIgnored) {
  // RFC 7517 §4: members not understood are ignored, but still read as strict JSON.
  EXPECT_EQ(one_key(p256(R"(,"use":"sig","key_ops":["verify","sign"],"ext":true,)"
                         R"("x5c":["MIIB"],"x5t#S256":"abc","oth":[{"r":"x"}],"qx":5.5)")),
            (summary{"EC", {alg::es256}, "", false, false}));
  EXPECT_EQ(one_key(p256(R"(,"key_ops":["verify"])")).algs, std::vector<alg>{alg::es256});
  EXPECT_EQ(load(p256(R"(,"ext":01)")).error, "k.jwks: invalid JSON in key document (bad_json)");
  EXPECT_EQ(load(p256(R"(,"ext":{"a":{"b":{"c":{"d":{"e":{"f":{}}}}}}})")).error,
            "k.jwks: invalid JSON in key document (json_limit_exceeded)");  // depth 9 > 8
  EXPECT_EQ(one_key(p256(R"(,"ext":{"a":{"b":{"c":{"d":{"e":{"f":1}}}}}})")).algs,
            std::vector<alg>{alg::es256});  // depth 8
}

// ---------------------------------------------------------------------------------
// Refusals of one key, each with its exact reason.

TEST(JwkRefused, MissingMembers) {
  EXPECT_EQ(refusal(R"({"keys":[{"kid":"a"}]})", R"( (kid "a"))"), R"(missing "kty")");
  EXPECT_EQ(refusal(R"({"kty":"oct"})"), R"(missing "k")");
  EXPECT_EQ(refusal(R"({"kty":"RSA","e":"AQAB"})"), R"(missing "n")");
  EXPECT_EQ(refusal(cat({R"({"kty":"RSA","n":")", modulus(2048), "\"}"})), R"(missing "e")");
  EXPECT_EQ(refusal(R"({"kty":"EC","x":"AA","y":"AA"})"), R"(missing "crv")");
  EXPECT_EQ(refusal(R"({"kty":"EC","crv":"P-256","y":"AA"})"), R"(missing "x")");
  EXPECT_EQ(refusal(cat({R"({"kty":"EC","crv":"P-256","x":")", k_p256_x, "\"}"})),
            R"(missing "y")");
  EXPECT_EQ(refusal(R"({"kty":"OKP","x":"AA"})"), R"(missing "crv")");
  EXPECT_EQ(refusal(R"({"kty":"OKP","crv":"Ed25519"})"), R"(missing "x")");
  // An RSA private key needs every CRT member of RFC 7518 §6.3.2.
  const generated_key g = generate_key(alg::rs256, "r");
  for (const std::string_view m : {"p", "q", "dp", "dq", "qi"}) {
    std::string jwk = g.private_jwk;
    const std::string key = cat({",\"", m, "\":\"", member_of(jwk, m), "\""});
    ASSERT_NE(jwk.find(key), std::string::npos) << m;
    jwk.erase(jwk.find(key), key.size());
    EXPECT_EQ(refusal(jwk, R"( (kid "r"))"), cat({"missing \"", m, "\""}));
  }
}

TEST(JwkRefused, MembersOfTheWrongTypeOrValue) {
  // RFC 7517 §4, RFC 7518 §6: these members are strings; another type is refused, not
  // read as absent (a "kid": 5 read as no kid would match tokens without one).
  for (const std::string_view m : {"kty", "use", "alg", "kid", "x5u", "x5t", "x5t#S256", "crv", "x",
                                   "y", "d", "n", "e", "p", "q", "dp", "dq", "qi", "k"}) {
    for (const std::string_view v : {"5", "null", "true", "[]", "{}", R"(["ES256"])"}) {
      // The member replaced where the key has it, added where it does not.
      std::string jwk = p256("");
      const std::string string_member = cat({"\"", m, "\":\"", member_of(jwk, m), "\""});
      if (const std::size_t at = jwk.find(string_member); at != std::string::npos) {
        jwk.replace(at, string_member.size(), cat({"\"", m, "\":", v}));
      } else {
        jwk = p256(cat({",\"", m, "\":", v}));
      }
      // In a set, so that a "kty" of another type is this key's problem (a lone JWK
      // whose "kty" is not a string is not a JWK at all: see JwkDocument).
      EXPECT_EQ(refusal(cat({R"({"keys":[)", jwk, "]}"})),
                cat({"\"", m, "\" is not a string (RFC 7517 §4)"}))
          << m << ": " << v;
    }
  }
  EXPECT_EQ(refusal(R"({"kty":"dsa"})"), R"("kty": "dsa" is not supported)");
  EXPECT_EQ(refusal(R"({"kty":"ec"})"), R"("kty": "ec" is not supported)");  // exact case
  EXPECT_EQ(refusal(R"({"kty":""})"), R"("kty": "" is not supported)");
  for (const std::string_view a :
       {"none", "None", "es256", "ES256K", "RS1", "RSA1_5", "A256GCM", "A256KW", "HS256 ", ""}) {
    EXPECT_EQ(refusal(p256(cat({R"(,"alg":")", a, "\""}))),
              cat({"\"alg\": \"", a, "\" is not a JWS algorithm jwtbatch implements"}))
        << a;
  }
  // key_ops is an array of strings (RFC 7517 §4.3): another shape fails the document.
  EXPECT_EQ(load(p256(R"(,"key_ops":"verify")")).error,
            "k.jwks: invalid JSON in key document (bad_member_type)");
  EXPECT_EQ(load(p256(R"(,"key_ops":[1])")).error,
            "k.jwks: invalid JSON in key document (bad_json)");
}

TEST(JwkRefused, KeysAndAlgorithmsOfAnotherKind) {
  EXPECT_EQ(refusal(oct(64, R"(,"alg":"RS256")")), "an HMAC (oct) key cannot be used with RS256");
  EXPECT_EQ(refusal(oct(64, R"(,"alg":"EdDSA")")), "an HMAC (oct) key cannot be used with EdDSA");
  EXPECT_EQ(refusal(rsa(modulus(2048), "AQAB", R"(,"alg":"HS256")")),
            "an RSA key cannot be used with HS256");
  EXPECT_EQ(refusal(rsa(modulus(2048), "AQAB", R"(,"alg":"ES256")")),
            "an RSA key cannot be used with ES256");
  EXPECT_EQ(refusal(p256(R"(,"alg":"ES384")")), "EC key on this curve serves ES256, not ES384");
  EXPECT_EQ(refusal(p256(R"(,"alg":"HS256")")), "EC key on this curve serves ES256, not HS256");
  EXPECT_EQ(refusal(p256(R"(,"alg":"EdDSA")")), "EC key on this curve serves ES256, not EdDSA");
  const generated_key p384 = generate_key(alg::es384, "");
  EXPECT_EQ(refusal(with_member(p384.public_jwk, "alg", "ES512")),
            "EC key on this curve serves ES384, not ES512");
  EXPECT_EQ(refusal(ed25519(R"(,"alg":"ES256")")), "an Ed25519 key cannot be used with ES256");
  EXPECT_EQ(refusal(ed25519(R"(,"alg":"HS256")")), "an Ed25519 key cannot be used with HS256");
}

TEST(JwkRefused, MembersThatAreNotStrictBase64url) {
  // RFC 7515 §2 / RFC 7518 §6: base64url without padding, one spelling per value.
  const std::string oct_k = member_of(oct(32), "k");
  for (const std::string& bad :
       {oct_k + "=", oct_k.substr(0, 42) + "+", oct_k.substr(0, 42) + "/", " " + oct_k,
        oct_k.substr(0, 42) + "\\n", oct_k.substr(0, 41), oct_k.substr(0, 42) + "B"}) {
    EXPECT_EQ(refusal(cat({R"({"kty":"oct","k":")", bad, "\"}"})), R"("k" is not strict base64url)")
        << bad;
  }
  EXPECT_EQ(refusal(rsa(modulus(2048) + "==")), R"("n" is not strict base64url)");
  EXPECT_EQ(refusal(rsa(modulus(2048), "AQAB=")), R"("e" is not strict base64url)");
  EXPECT_EQ(refusal(p256("", cat({k_p256_x, "="}))), R"("x" is not strict base64url)");
  EXPECT_EQ(refusal(p256("", k_p256_x, "x/FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0")),
            R"("y" is not strict base64url)");
  EXPECT_EQ(refusal(p256(R"(,"d":"jpsQnnGQmL+YBIffH1136cspYG6-0iY7X1fCE9-E9LI")")),
            R"("d" is not strict base64url)");
  EXPECT_EQ(refusal(ed25519("", "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo=")),
            R"("x" is not strict base64url)");
}

TEST(JwkRefused, ShortOctSecrets) {
  // RFC 7518 §3.2: a key of the same size as the hash output or larger.
  const auto msg = [](std::size_t have, std::size_t need, std::string_view a) {
    return cat({"HMAC key of ", std::to_string(have), " bytes is shorter than the ",
                std::to_string(need), " bytes ", a, " requires (RFC 7518 §3.2)"});
  };
  EXPECT_EQ(refusal(oct(31)), msg(31, 32, "HS256"));
  EXPECT_EQ(refusal(oct(1)), msg(1, 32, "HS256"));
  EXPECT_EQ(refusal(R"({"kty":"oct","k":""})"), msg(0, 32, "HS256"));
  EXPECT_EQ(refusal(oct(31, R"(,"alg":"HS256")")), msg(31, 32, "HS256"));
  EXPECT_EQ(refusal(oct(47, R"(,"alg":"HS384")")), msg(47, 48, "HS384"));
  EXPECT_EQ(refusal(oct(63, R"(,"alg":"HS512")")), msg(63, 64, "HS512"));
  EXPECT_EQ(refusal(R"({"kty":"oct","k":"","alg":"HS512"})"), msg(0, 64, "HS512"));
}

TEST(JwkRefused, RsaModulusSizeAtEachBoundAndOneOver) {
  const auto msg = [](unsigned bits) {
    return cat(
        {"RSA modulus of ", std::to_string(bits), " bits is outside 2048..16384 (RFC 7518 §3.3)"});
  };
  EXPECT_EQ(refusal(rsa(modulus(1024))), msg(1024));
  EXPECT_EQ(refusal(rsa(modulus(2047))), msg(2047));
  EXPECT_EQ(one_key(rsa(modulus(2048), "AQAB", R"(,"alg":"RS256")")).algs,
            std::vector<alg>{alg::rs256});
  EXPECT_EQ(one_key(rsa(modulus(16384), "AQAB", R"(,"alg":"RS256")")).algs,
            std::vector<alg>{alg::rs256});
  EXPECT_EQ(refusal(rsa(modulus(16385))), msg(16385));
  EXPECT_EQ(refusal(rsa("")), msg(0));
  // A leading zero byte does not make a 2047-bit modulus one of 2048 bits.
  EXPECT_EQ(refusal(rsa(b64(std::string(1, '\0') + std::string(256, '\x55')))), msg(2047));
}

TEST(JwkRefused, RsaExponentsOutside65537To2Pow33OrEven) {
  const std::string n = modulus(2048);
  const std::string msg =
      "RSA public exponent must be odd and in 65537..2^33 (docs/SECURITY.md K1)";
  for (const std::uint64_t e :
       {std::uint64_t{0}, std::uint64_t{1}, std::uint64_t{2}, std::uint64_t{3}, std::uint64_t{17},
        std::uint64_t{65535}, std::uint64_t{65536}, std::uint64_t{65538}, std::uint64_t{1} << 33,
        (std::uint64_t{1} << 33) + 1, ~std::uint64_t{0}}) {
    EXPECT_EQ(refusal(rsa(n, exponent(e))), msg) << e;
  }
  EXPECT_EQ(refusal(rsa(n, b64(std::string(9, '\x01')))), msg);  // more than 64 bits
  for (const std::uint64_t e :
       {std::uint64_t{65537}, std::uint64_t{65539}, (std::uint64_t{1} << 33) - 1}) {
    EXPECT_EQ(one_key(rsa(n, exponent(e), R"(,"alg":"PS256")")).algs, std::vector<alg>{alg::ps256})
        << e;
  }
  EXPECT_EQ(one_key(rsa(n, "AAEAAQ", R"(,"alg":"PS256")")).algs,  // 65537 with a zero byte
            std::vector<alg>{alg::ps256});
}

TEST(JwkRefused, EcPointsOffTheCurveOrOfTheWrongLength) {
  EXPECT_EQ(refusal(p256("", k_p256_x, "y_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0")),
            "EC point is not on P-256");
  EXPECT_EQ(refusal(p256("", k_p256_y, k_p256_x)), "EC point is not on P-256");
  // RFC 7518 §6.2.1.2-3: each coordinate is exactly the field size, never shortened
  // or padded.
  EXPECT_EQ(refusal(p256("", k_p256_x, b64(std::string(31, '\x01')))),
            "EC coordinates must be 32 bytes for P-256");
  EXPECT_EQ(refusal(p256("", k_p256_x, b64(std::string(33, '\x01')))),
            "EC coordinates must be 32 bytes for P-256");
  EXPECT_EQ(refusal(p256("", "", k_p256_y)), "EC coordinates must be 32 bytes for P-256");
  const generated_key p521 = generate_key(alg::es512, "");
  const std::string x = member_of(p521.public_jwk, "x");
  std::vector<std::uint8_t> x_bytes(66);
  std::size_t len = 0;
  ASSERT_TRUE(base64url_decode(x, x_bytes.data(), &len));
  ASSERT_EQ(len, 66U);
  // P-521's first byte is 0 or 1: the leading byte dropped is still a 65-byte number.
  EXPECT_EQ(refusal(with_member(
                p521.public_jwk, "x",
                b64(std::string_view(reinterpret_cast<const char*>(x_bytes.data() + 1), 65)))),
            "EC coordinates must be 66 bytes for P-521");
  EXPECT_EQ(refusal(with_member(p521.public_jwk, "crv", "P-384")),
            "EC coordinates must be 48 bytes for P-384");
  for (const std::string_view crv : {"secp256k1", "P-192", "P-224", "p-256", "P256", "Ed25519"}) {
    EXPECT_EQ(refusal(cat({R"({"kty":"EC","crv":")", crv, R"(","x":"AA","y":"AA"})"})),
              cat({"EC curve \"", crv, "\" is not supported"}));
  }
}

TEST(JwkRefused, OkpCurvesOtherThanEd25519) {
  for (const std::string_view crv : {"X25519", "Ed448", "X448", "ed25519", "P-256"}) {
    EXPECT_EQ(refusal(cat({R"({"kty":"OKP","crv":")", crv, R"(","x":")", k_ed_x, "\"}"})),
              cat({"OKP curve \"", crv, "\" is not supported (Ed25519 only)"}));
  }
  EXPECT_EQ(refusal(ed25519("", b64(std::string(31, 'a')))),
            "Ed25519 public key must be 32 bytes, not 31");
  EXPECT_EQ(refusal(ed25519("", b64(std::string(33, 'a')))),
            "Ed25519 public key must be 32 bytes, not 33");
  EXPECT_EQ(refusal(ed25519("", "")), "Ed25519 public key must be 32 bytes, not 0");
}

TEST(JwkRefused, PrivatePartsThatDoNotMatchThePublicKey) {
  // Ed25519: the seed derives the public key (RFC 8032 §5.1.5), which must be x.
  const std::string other_seed = b64(std::string(32, '\x42'));
  EXPECT_EQ(refusal(ed25519(cat({R"(,"d":")", other_seed, "\""}))),
            "Ed25519 private key does not match x");
  EXPECT_EQ(refusal(ed25519(cat({R"(,"d":")", b64(std::string(31, 'a')), "\""}))),
            "Ed25519 private key (d) must be 32 bytes");
  EXPECT_EQ(refusal(ed25519(cat({R"(,"d":")", b64(std::string(64, 'a')), "\""}))),
            "Ed25519 private key (d) must be 32 bytes");
  // EC: d is the field size and d·G is the public point.
  EXPECT_EQ(refusal(p256(cat({R"(,"d":")", b64(std::string(31, 'a')), "\""}))),
            R"(EC "d" must be 32 bytes)");
  // The point is valid here, the scalar is not its private key: EC_KEY_check_key
  // fails, and make_ec_key words that as the point's fault (reported, not fixed here).
  EXPECT_EQ(refusal(p256(R"(,"d":"yy49oPcINGK2ps0LmtxpB6UTEOiITghHBif6wDqmJ3c")")),
            "EC public key is not a valid point on its curve");
  EXPECT_EQ(refusal(p256(R"(,"d":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")")),  // d = 0
            "EC public key is not a valid point on its curve");
  EXPECT_EQ(refusal(p256(R"(,"d":"_____wAAAAD__________7zm-q2nF56E87nKwvxjJVE")")),  // d = n
            "bad EC private key");
  // RSA: RSA_check_key on n, e, d and the CRT members.
  const generated_key a = generate_key(alg::rs256, "r");
  const generated_key b = generate_key(alg::rs256, "r");
  for (const std::string_view m : {"d", "p", "q", "dp", "dq", "qi"}) {
    EXPECT_EQ(refusal(with_member(a.private_jwk, m, member_of(b.private_jwk, m)), R"( (kid "r"))"),
              "RSA private key is inconsistent (RSA_check_key failed)")
        << m;
  }
  EXPECT_EQ(
      refusal(with_member(a.private_jwk, "n", member_of(b.private_jwk, "n")), R"( (kid "r"))"),
      "RSA private key is inconsistent (RSA_check_key failed)");
}

TEST(JwkRefused, KeysNotMeantForVerifying) {
  // RFC 7517 §4.2-4.3: "use" other than "sig", key_ops without "verify" (K4).
  EXPECT_EQ(refusal(p256(R"(,"use":"enc")")), R"("use": "enc" is not "sig")");
  EXPECT_EQ(refusal(p256(R"(,"use":"Sig")")), R"("use": "Sig" is not "sig")");
  EXPECT_EQ(refusal(p256(R"(,"use":"")")), R"("use": "" is not "sig")");
  EXPECT_EQ(refusal(oct(32, R"(,"use":"enc")")), R"("use": "enc" is not "sig")");
  for (const std::string_view ops :
       {R"([])", R"(["sign"])", R"(["encrypt","decrypt"])", R"(["Verify"])", R"(["verify "])"}) {
    EXPECT_EQ(refusal(p256(cat({R"(,"key_ops":)", ops}))), R"("key_ops" does not include "verify")")
        << ops;
  }
  // "use" is checked before "alg": the first reason is the one given.
  EXPECT_EQ(refusal(p256(R"(,"use":"enc","alg":"RSA1_5")")), R"("use": "enc" is not "sig")");
}

// ---------------------------------------------------------------------------------
// Documents: JWK Set or JWK, and what is neither.

TEST(JwkDocument, NeitherAJwkNorAJwkSet) {
  const std::string not_object = "k.jwks: not a JSON object (expected a JWK or a JWK Set)";
  for (const std::string_view doc : {"", "   ", "[]", R"([{"kty":"oct"}])", "\"keys\"", "42",
                                     "null", "{", "not json", "\xEF\xBB\xBF{}"}) {
    EXPECT_EQ(load(doc).error, not_object) << doc;
  }
  EXPECT_EQ(load("{}").error, R"(k.jwks: neither a JWK Set ("keys") nor a JWK ("kty"))");
  EXPECT_EQ(load(R"({"kid":"a","use":"sig"})").error,
            R"(k.jwks: neither a JWK Set ("keys") nor a JWK ("kty"))");
  // "keys" is an array (RFC 7517 §5.1).
  for (const std::string_view keys : {"{}", "\"a\"", "null", "1", R"({"kty":"oct"})"}) {
    EXPECT_EQ(load(cat({R"({"keys":)", keys, "}"})).error,
              "k.jwks: invalid JSON in key document (bad_member_type)")
        << keys;
  }
  EXPECT_EQ(load(R"({"keys":[]})").error, "k.jwks: no usable key");
  EXPECT_EQ(load(R"({"keys":[1,"a",null,[],{}]})").error,
            "k.jwks: no usable key\n"
            "  k.jwks: key 0: skipped: not a JWK object\n"
            "  k.jwks: key 1: skipped: not a JWK object\n"
            "  k.jwks: key 2: skipped: not a JWK object\n"
            "  k.jwks: key 3: skipped: not a JWK object\n"
            "  k.jwks: key 4: skipped: not a JWK object");
  // Strict JSON: duplicates, trailing content, limits of the key document.
  EXPECT_EQ(load(R"({"keys":[],"keys":[]})").error,
            "k.jwks: invalid JSON in key document (duplicate_member)");
  EXPECT_EQ(load(p256(R"(,"x":"AA")")).error,
            "k.jwks: invalid JSON in key document (duplicate_member)");
  EXPECT_EQ(load(p256(R"(,"\u0078":"AA")")).error,
            "k.jwks: invalid JSON in key document (duplicate_member)");
  EXPECT_EQ(load(R"({"kty":5})").error, R"(k.jwks: neither a JWK Set ("keys") nor a JWK ("kty"))");
  // RFC 8259 §2: one JSON text. simdjson refuses a root whose last token does not close
  // it before anything is read; a second object is found after the first.
  EXPECT_EQ(load(p256("") + " {}").error, "k.jwks: content after the JSON object");
  EXPECT_EQ(load(p256("") + " []").error,
            "k.jwks: not a JSON object (expected a JWK or a JWK Set)");
  EXPECT_EQ(load(p256("") + " 1").error, "k.jwks: not a JSON object (expected a JWK or a JWK Set)");
  EXPECT_EQ(load(p256("") + " \n").error, "");
  std::string many = R"({"kty":"oct","k":")" + member_of(oct(32), "k") + "\"";
  for (int i = 0; i < 254; ++i) many += cat({",\"x", std::to_string(i), "\":1"});
  EXPECT_EQ(load(many + "}").error, "");  // 256 members
  EXPECT_EQ(load(many + R"(,"one-more":1})").error,
            "k.jwks: invalid JSON in key document (json_limit_exceeded)");
}

TEST(JwkDocument, ASetKeepsItsGoodKeysAndNamesEachSkippedOne) {
  const loaded r =
      load(cat({R"({"keys":[)", p256(R"(,"kid":"a")"), ",", p256(R"(,"kid":"b","use":"enc")"), ",",
                oct(16, R"(,"kid":"c")"), ",", ed25519(R"(,"kid":"d")"), ",7]}"}),
           "set.jwks");
  EXPECT_EQ(r.error, "");
  ASSERT_EQ(r.keys.size(), 2U);
  EXPECT_EQ(r.keys[0].origin, R"(set.jwks: key 0 (kid "a"))");
  EXPECT_EQ(r.keys[1].origin, R"(set.jwks: key 3 (kid "d"))");
  EXPECT_EQ(r.warnings, (std::vector<std::string>{
                            R"(set.jwks: key 1 (kid "b"): skipped: "use": "enc" is not "sig")",
                            R"(set.jwks: key 2 (kid "c"): skipped: HMAC key of 16 bytes is )"
                            R"(shorter than the 32 bytes HS256 requires (RFC 7518 §3.2))",
                            "set.jwks: key 4: skipped: not a JWK object"}));
  // A JWK Set's own "kty" (it is not a JWK) is ignored: "keys" decides.
  EXPECT_EQ(load(cat({R"({"kty":"RSA","keys":[)", p256(""), "]}"})).keys.size(), 1U);
}

TEST(JwkDocument, KidsInMessagesAreEscaped) {
  // A kid is untrusted text from a file: quoted and escaped, so it cannot forge lines.
  EXPECT_EQ(load(p256(R"(,"kid":"a\"b\n\u001b[31m","use":"enc")")).error,
            "k.jwks: no usable key\n  k.jwks: key 0 (kid \"a\\\"b\\n\\x1b[31m\"): skipped: "
            "\"use\": \"enc\" is not \"sig\"");
  const loaded r = load(p256(R"(,"kid":"\u202e\u0000")"));
  ASSERT_EQ(r.keys.size(), 1U);
  EXPECT_EQ(r.keys[0].kid, std::string("\xE2\x80\xAE\0", 4));  // the kid is exact bytes
  EXPECT_EQ(r.keys[0].origin, R"(k.jwks: key 0 (kid "\u202e\x00"))");
}

// ---------------------------------------------------------------------------------
// Through key_set_builder: rules that apply to the whole set.

std::string build_error(const std::vector<std::string>& documents) {
  try {
    key_set_builder b;
    for (std::size_t i = 0; i < documents.size(); ++i) {
      b.add_jwks(documents[i], cat({"doc", std::to_string(i)}));
    }
    (void)b.build();
  } catch (const config_error& e) {
    return e.what();
  }
  return "";
}

TEST(JwkSet, DuplicateKidsAreAllRefused) {
  // docs/SECURITY.md K3: keys sharing a kid are ambiguous; none of them is used.
  EXPECT_EQ(build_error({cat({R"({"keys":[)", oct(32, R"(,"kid":"k","alg":"HS256")"), ",",
                              oct(33, R"(,"kid":"k","alg":"HS256")"), "]}"})}),
            "no usable key\n"
            R"(  doc0: key 0 (kid "k"): refused: kid "k" is used by 2 keys (ambiguous))"
            "\n"
            R"(  doc0: key 1 (kid "k"): refused: kid "k" is used by 2 keys (ambiguous))");
  // Across documents, too; a kid differing in one byte is another kid.
  key_set_builder b;
  b.add_jwks(p256(R"(,"kid":"k")"), "a");
  b.add_jwks(ed25519(R"(,"kid":"k")"), "b");
  b.add_jwks(ed25519(R"(,"kid":"K")"), "c");
  const auto keys = b.build();
  ASSERT_EQ(keys->size(), 1U);
  EXPECT_EQ(keys->describe()[0].kid, "K");
  EXPECT_EQ(keys->warnings(),
            (std::vector<std::string>{R"(a: key 0 (kid "k"): refused: kid "k" is used by 2 keys )"
                                      "(ambiguous)",
                                      R"(b: key 0 (kid "k"): refused: kid "k" is used by 2 keys )"
                                      "(ambiguous)"}));
}

TEST(JwkSet, SymmetricAndAsymmetricKeysDoNotMixUnlessAllowed) {
  key_set_builder b;
  b.add_jwks(cat({R"({"keys":[)", oct(32, R"(,"kid":"h")"), ",", p256(R"(,"kid":"e")"), "]}"}),
             "mixed.jwks");
  try {
    (void)b.build();
    ADD_FAILURE() << "a mixed set was built";
  } catch (const mixed_key_set_error& e) {
    EXPECT_EQ(e.mix(),
              R"(HMAC secrets (mixed.jwks: key 0 (kid "h")) with public keys (mixed.jwks: key 1 )"
              R"((kid "e")))");
  }
}

// ---------------------------------------------------------------------------------
// Wycheproof json_web_key_test.json: each group's key set, with the exact outcome.

// outcome: what load_jwks made of a document, one line per key: "kid: ALG,ALG" for each
// key it returned, then each message line as it is (the config_error's lines after its
// first, or the warnings).
std::vector<std::string> outcome(std::string_view json) {
  const loaded r = load(json, "w");
  std::vector<std::string> out;
  for (const key& k : r.keys) {
    std::string s = k.kid + ": ";
    for (const alg a : algs_of(k.algs)) s += cat({s.back() == ' ' ? "" : ",", alg_name(a)});
    out.push_back(s);
  }
  if (!r.error.empty()) {
    EXPECT_EQ(r.error.rfind("w: no usable key\n  ", 0), 0U) << r.error;
    for (std::size_t at = r.error.find("\n  "); at != std::string::npos;) {
      const std::size_t next = r.error.find("\n  ", at + 3);
      out.push_back(r.error.substr(at + 3, next == std::string::npos ? next : next - at - 3));
      at = next;
    }
  }
  out.insert(out.end(), r.warnings.begin(), r.warnings.end());
  return out;
}

TEST(JwkWycheproof, EveryGroupOfJsonWebKeyTestLoadsAsExpected) {
  simdjson::dom::parser parser;
  const std::string text = test::read_file(test::vector_path("wycheproof/json_web_key_test.json"));
  simdjson::dom::element root;
  ASSERT_EQ(parser.parse(text).get(root), simdjson::SUCCESS);
  const auto skipped = [](std::string_view kid, std::string_view reason) {
    return cat({"w: key 0 (kid \"", kid, "\"): skipped: ", reason});
  };
  const auto short_key = [&](std::string_view kid, int have, int need, std::string_view a) {
    return std::vector<std::string>{
        skipped(kid, cat({"HMAC key of ", std::to_string(have), " bytes is shorter than the ",
                          std::to_string(need), " bytes ", a, " requires (RFC 7518 §3.2)"}))};
  };
  const auto not_jws = [&](std::string_view a) {
    return std::vector<std::string>{skipped(
        "kid-ec-sign", cat({"\"alg\": \"", a, "\" is not a JWS algorithm jwtbatch implements"}))};
  };
  using lines = std::vector<std::string>;
  // By the first tcId of each group. The set-level refusal of tcId 1 (a mixed set) comes
  // from build(), checked below.
  const std::map<std::int64_t, lines> expected = {
      {1, {"kid-aes-sign: HS256", "kid-ec-sign: ES256"}},
      {2, {"kid-aes-sign: HS256", "kid-aes-sign-2: HS256"}},
      // DuplicateKid: the second key's "k" ends in a character with non-zero unused bits
      // (not strict base64url, RFC 7515 §2), and the first key shares its kid.
      {4,
       {R"(w: key 1 (kid "kid-aes-sign"): skipped: "k" is not strict base64url)",
        R"(w: key 0 (kid "kid-aes-sign"): refused: kid "kid-aes-sign" is also used by a key )"
        "that was skipped (ambiguous)"}},
      {5, {"kid-rsa-sign: RS256"}},
      {6, {skipped("kid-rsa-sign", R"("use": "enc" is not "sig")")}},
      {7,
       {skipped("kid-rsa-roca-sign",
                "RSA modulus has the ROCA fingerprint (CVE-2017-15361): weak key")}},
      {8,
       {skipped("RS256_1024", "RSA modulus of 1024 bits is outside 2048..16384 (RFC 7518 §3.3)")}},
      {9,
       {skipped("RS256_2048",
                "RSA public exponent must be odd and in 65537..2^33 (docs/SECURITY.md K1)")}},
      {10, short_key("short_hs256_key", 31, 32, "HS256")},
      {11, short_key("short_hs384_key", 47, 48, "HS384")},
      {12, short_key("short_hs512_key", 63, 64, "HS512")},
      {13, {"long_hs256_key: HS256"}},
      {14, {"long_hs384_key: HS384"}},
      {15, {"long_hs512_key: HS512"}},
      {16, short_key("hs256_key", 0, 32, "HS256")},
      {17, short_key("hs384_key", 0, 48, "HS384")},
      {18, short_key("hs512_key", 0, 64, "HS512")},
      {19, not_jws("ES521")},
      {20, not_jws("ES224")},
      {21, {skipped("kid-ec-sign", R"("use": "enc" is not "sig")")}},
      {22, {skipped("kid-ec-sign", "EC point is not on P-256")}},
      {23, {skipped("kid-ec-sign", "EC coordinates must be 48 bytes for P-384")}},
      {24, {skipped("kid-ec-sign", R"(missing "n")")}},
      {25,
       {skipped("kid-aes-sign", R"("alg": "A256GCM" is not a JWS algorithm jwtbatch implements)")}},
      {26,
       {skipped("kid-aes-sign", R"("alg": "A256KW" is not a JWS algorithm jwtbatch implements)")}},
  };
  simdjson::dom::array groups;
  ASSERT_EQ(root["testGroups"].get_array().get(groups), simdjson::SUCCESS);
  std::size_t checked = 0;
  for (simdjson::dom::element g : groups) {
    std::int64_t first = 0;
    ASSERT_EQ(g["tests"].at(0)["tcId"].get_int64().get(first), simdjson::SUCCESS);
    SCOPED_TRACE("tcId " + std::to_string(first));
    const auto want = expected.find(first);
    ASSERT_NE(want, expected.end());
    // Both halves when there are two: the private JWKs load to the same outcome.
    for (const char* half : {"public", "private"}) {
      simdjson::dom::element keys;
      if (g[half].get(keys) != simdjson::SUCCESS) continue;
      EXPECT_EQ(outcome(simdjson::minify(keys)), want->second) << half;
      ++checked;
    }
  }
  EXPECT_EQ(checked, 36U);  // 25 groups: 11 with both halves, 14 with private keys only

  // The set rule: tcId 1's mixed set is refused by build().
  const auto group_keys = [&](std::int64_t tc) {
    for (simdjson::dom::element g : groups) {
      std::int64_t first = 0;
      if (g["tests"].at(0)["tcId"].get_int64().get(first) == simdjson::SUCCESS && first == tc) {
        simdjson::dom::element keys;
        EXPECT_EQ(g["private"].get(keys), simdjson::SUCCESS);
        return simdjson::minify(keys);
      }
    }
    return std::string();
  };
  EXPECT_EQ(build_error({group_keys(1)})
                .rfind("the key set mixes HMAC secrets (doc0: key 0 (kid "
                       "\"kid-aes-sign\")) with public keys (doc0: key 1 "
                       "(kid \"kid-ec-sign\")): refused by default",
                       0),
            0U);
}

// ---------------------------------------------------------------------------------
// Gaps this suite found in keys/jwk.cpp, each fixed there; the comment says what was wrong.

// An Ed25519 JWK whose "d" is present but empty loads as a public key (okp_from_jwk
// decodes "d" to zero bytes and make_ed25519_key reads an empty seed as "no private
// part"), while an EC "d" of the wrong length is refused. Fix: in okp_from_jwk, refuse
// a decoded "d" that is not 32 bytes before calling make_ed25519_key.
TEST(JwkGaps, AnEmptyEd25519PrivateKeyIsRefused) {
  EXPECT_EQ(refusal(ed25519(R"(,"d":"")")), "Ed25519 private key (d) must be 32 bytes");
  EXPECT_EQ(refusal(p256(R"(,"d":"")")), R"(EC "d" must be 32 bytes)");  // as EC does
}

// k_jwk_limits.max_elements (10000) bounds the arrays the loader ignores, but not the
// two it reads itself: "keys" (read_keys) and "key_ops" (read_jwk_member). Fix: count
// the elements in both loops and return status::json_limit_exceeded past the limit.
TEST(JwkGaps, TheKeysAndKeyOpsArraysAreBounded) {
  std::string keys = R"({"keys":[)";
  for (int i = 0; i < 10001; ++i) {
    keys += cat({i == 0 ? "" : ",", oct(32, cat({R"(,"kid":"k)", std::to_string(i), "\""}))});
  }
  EXPECT_EQ(load(keys + "]}").error, "k.jwks: invalid JSON in key document (json_limit_exceeded)");
  std::string ops = R"(,"key_ops":["verify")";
  for (int i = 0; i < 10000; ++i) ops += R"(,"sign")";
  EXPECT_EQ(load(p256(ops + "]")).error,
            "k.jwks: invalid JSON in key document (json_limit_exceeded)");
}

}  // namespace
}  // namespace jwtbatch::detail
