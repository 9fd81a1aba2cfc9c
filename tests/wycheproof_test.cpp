// Every Wycheproof file in ../shared/vectors/wycheproof through the engine's own key
// loaders and verify primitives (vectors README for the rules and overrides). Each
// failure names the file and tcId; each file ends with exact counts, so a file that
// silently stopped running would fail.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "codec/base64url.hpp"
#include "crypto/digest.hpp"
#include "crypto/key.hpp"
#include "crypto/signature.hpp"
#include "jwtbatch/key_set.hpp"
#include "jwtbatch/verifier.hpp"
#include "keys/loaders.hpp"
#include "test_support.hpp"
#include "vector_sets.hpp"

namespace jwtbatch {
namespace {

namespace dom = simdjson::dom;

std::vector<std::uint8_t> unhex(std::string_view hex) {
  std::vector<std::uint8_t> out;
  const auto nibble = [](char c) -> unsigned {
    if (c >= '0' && c <= '9') return static_cast<unsigned>(c - '0');
    if (c >= 'a' && c <= 'f') return static_cast<unsigned>(c - 'a' + 10);
    return static_cast<unsigned>(c - 'A' + 10);
  };
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<std::uint8_t>(nibble(hex[i]) << 4U | nibble(hex[i + 1])));
  }
  return out;
}

std::string str(simdjson::simdjson_result<dom::element> e) {
  std::string_view s;
  return e.get_string().get(s) == simdjson::SUCCESS ? std::string(s) : std::string();
}

std::int64_t num(simdjson::simdjson_result<dom::element> e) {
  std::int64_t v = 0;
  if (e.get_int64().get(v) == simdjson::SUCCESS) return v;
  return std::stoll(str(e));  // some files give sizes as strings
}

struct counts {
  std::size_t run = 0;
  std::size_t accepted = 0;
  std::size_t rejected = 0;
  std::size_t key_rejected = 0;  // tests whose key the engine refuses at load
};

class Wycheproof : public ::testing::Test {
 protected:
  dom::element load(const std::string& file) {
    dom::element root;
    const auto error = parser_.load(test::vector_path("wycheproof/" + file)).get(root);
    EXPECT_EQ(error, simdjson::SUCCESS) << file;
    return root;
  }
  static std::size_t declared(dom::element root) {
    return static_cast<std::size_t>(num(root["numberOfTests"]));
  }
  dom::parser parser_;
};

std::optional<alg> sha_alg(std::string_view sha, std::string_view family) {
  const char* bits = sha == "SHA-256"   ? "256"
                     : sha == "SHA-384" ? "384"
                     : sha == "SHA-512" ? "512"
                                        : nullptr;
  if (bits == nullptr) return std::nullopt;
  return alg_from_name(std::string(family) + bits);
}

std::string minified(simdjson::simdjson_result<dom::element> e) {
  dom::element element;
  return e.get(element) == simdjson::SUCCESS ? simdjson::minify(element) : std::string();
}

// One key per loader for the group; nullopt when the engine refuses the key.
std::optional<detail::key> from_jwk(const std::string& jwk, std::optional<alg> bind,
                                    std::string* why = nullptr) {
  std::vector<detail::key> keys;
  std::vector<std::string> warnings;
  try {
    std::string text = jwk;
    if (bind) {
      text.pop_back();
      text += R"(,"alg":")" + std::string(alg_name(*bind)) + "\"}";
    }
    detail::load_jwks(text, "wycheproof", keys, warnings);
  } catch (const config_error& e) {
    if (why != nullptr) *why = e.what();
    return std::nullopt;
  }
  return std::move(keys.at(0));
}

std::optional<detail::key> from_pem(const std::string& pem, alg bind, std::string* why = nullptr) {
  try {
    return detail::load_pem(pem, "wycheproof", "", bind);
  } catch (const config_error& e) {
    if (why != nullptr) *why = e.what();
    return std::nullopt;
  }
}

// The JWK of an RSA group built from its hex modulus and exponent (no alg, no kid).
std::string rsa_jwk(dom::element group) {
  auto n = unhex(str(group["publicKey"]["modulus"]));
  while (n.size() > 1 && n.front() == 0) n.erase(n.begin());
  const auto e = unhex(str(group["publicKey"]["publicExponent"]));
  const auto b64 = [](const std::vector<std::uint8_t>& v) {
    return detail::base64url_encode(
        std::string_view(reinterpret_cast<const char*>(v.data()), v.size()));
  };
  return R"({"kty":"RSA","n":")" + b64(n) + R"(","e":")" + b64(e) + "\"}";
}

status verify_raw(const detail::key& k, alg a, dom::element test, const char* sig_field) {
  const auto msg = unhex(str(test["msg"]));
  const auto sig = unhex(str(test[sig_field]));
  const std::string_view input(reinterpret_cast<const char*>(msg.data()), msg.size());
  return detail::verify_signature(k, a, input, sig);
}

// Runs the tests of one group against every loaded form of its key (all must agree).
void run_group(const std::string& file, dom::element group, alg a,
               const std::vector<detail::key>& keys, bool must_reject_all, counts& c) {
  dom::array tests;
  ASSERT_EQ(group["tests"].get_array().get(tests), simdjson::SUCCESS);
  for (dom::element t : tests) {
    ++c.run;
    const std::int64_t id = num(t["tcId"]);
    const std::string result = str(t["result"]);
    std::optional<status> verdict;
    for (const detail::key& k : keys) {
      ASSERT_TRUE(detail::has_alg(k.algs, a)) << file << " tcId " << id;
      const status st = verify_raw(k, a, t, "sig");
      if (verdict) {
        EXPECT_EQ(st, *verdict) << file << " tcId " << id << ": loaders disagree";
      }
      verdict = st;
    }
    const bool ok = verdict == status::ok;
    ok ? ++c.accepted : ++c.rejected;
    if (must_reject_all || result != "valid") {
      EXPECT_FALSE(ok) << file << " tcId " << id << " (" << result << ") was accepted";
    } else {
      EXPECT_TRUE(ok) << file << " tcId " << id << " valid, got "
                      << status_name(verdict.value_or(status::ok));
    }
  }
}

// The counts every file must end with: all its tests ran, and exactly the tests the
// rules expect to pass were accepted.
void expect_counts(const std::string& file, const counts& c, std::size_t declared_tests,
                   std::size_t expected_accepted) {
  EXPECT_EQ(c.run, declared_tests) << file;
  EXPECT_EQ(c.accepted, expected_accepted) << file;
  EXPECT_EQ(c.run, c.accepted + c.rejected + c.key_rejected) << file;
  std::printf("  %-44s %4zu run %4zu accepted %4zu rejected %3zu key-rejected\n", file.c_str(),
              c.run, c.accepted, c.rejected, c.key_rejected);
}

std::size_t count_tests(dom::element group, bool only_valid) {
  dom::array tests;
  if (group["tests"].get_array().get(tests) != simdjson::SUCCESS) return 0;
  std::size_t n = 0;
  for (dom::element t : tests) n += (!only_valid || str(t["result"]) == "valid") ? 1U : 0U;
  return n;
}

TEST_F(Wycheproof, EcdsaP1363) {
  for (const auto& [file, a] : std::vector<std::pair<std::string, alg>>{
           {"ecdsa_secp256r1_sha256_p1363_test.json", alg::es256},
           {"ecdsa_secp384r1_sha384_p1363_test.json", alg::es384},
           {"ecdsa_secp521r1_sha512_p1363_test.json", alg::es512}}) {
    const dom::element root = load(file);
    counts c;
    std::size_t valid = 0;
    dom::array groups;
    ASSERT_EQ(root["testGroups"].get_array().get(groups), simdjson::SUCCESS);
    for (dom::element g : groups) {
      std::string why;
      std::vector<detail::key> keys;
      auto pem = from_pem(str(g["publicKeyPem"]), a, &why);
      ASSERT_TRUE(pem) << file << ": " << why;  // every group's key is sound
      keys.push_back(std::move(*pem));
      if (const std::string jwk_text = minified(g["publicKeyJwk"]); !jwk_text.empty()) {
        auto jwk = from_jwk(jwk_text, std::nullopt, &why);
        ASSERT_TRUE(jwk) << file << ": " << why;
        keys.push_back(std::move(*jwk));
      }
      valid += count_tests(g, true);
      run_group(file, g, a, keys, false, c);
    }
    expect_counts(file, c, declared(root), valid);
  }
}

TEST_F(Wycheproof, RsaPkcs1) {
  const std::vector<std::string> files = {
      "rsa_signature_2048_sha256_test.json", "rsa_signature_2048_sha384_test.json",
      "rsa_signature_2048_sha512_test.json", "rsa_signature_3072_sha256_test.json",
      "rsa_signature_3072_sha384_test.json", "rsa_signature_3072_sha512_test.json",
      "rsa_signature_4096_sha256_test.json", "rsa_signature_4096_sha384_test.json",
      "rsa_signature_4096_sha512_test.json"};
  for (const std::string& file : files) {
    const dom::element root = load(file);
    const std::optional<alg> a = sha_alg(str(root["testGroups"].at(0)["sha"]), "RS");
    ASSERT_TRUE(a) << file;
    counts c;
    std::size_t valid = 0;
    dom::array groups;
    ASSERT_EQ(root["testGroups"].get_array().get(groups), simdjson::SUCCESS);
    for (dom::element g : groups) {
      std::string why_jwk;
      std::string why_pem;
      auto jwk = from_jwk(rsa_jwk(g), a, &why_jwk);
      auto pem = from_pem(str(g["publicKeyPem"]), *a, &why_pem);
      ASSERT_EQ(jwk.has_value(), pem.has_value()) << file << ": " << why_jwk << why_pem;
      if (!jwk) {
        // Only small public exponents (e = 3, SmallPublicKey) are refused at load.
        EXPECT_EQ(str(g["publicKey"]["publicExponent"]), "03") << file << ": " << why_jwk;
        EXPECT_NE(why_jwk.find("exponent"), std::string::npos) << why_jwk;
        const std::size_t n = count_tests(g, false);
        c.run += n;
        c.key_rejected += n;
        continue;
      }
      std::vector<detail::key> keys;
      keys.push_back(std::move(*jwk));
      keys.push_back(std::move(*pem));
      valid += count_tests(g, true);  // "acceptable" (MissingNull) must be rejected
      run_group(file, g, *a, keys, false, c);
    }
    expect_counts(file, c, declared(root), valid);
  }
}

TEST_F(Wycheproof, RsaPss) {
  const std::vector<std::string> files = {"rsa_pss_2048_sha256_mgf1_32_test.json",
                                          "rsa_pss_2048_sha384_mgf1_48_test.json",
                                          "rsa_pss_3072_sha256_mgf1_32_test.json",
                                          "rsa_pss_4096_sha256_mgf1_32_test.json",
                                          "rsa_pss_4096_sha384_mgf1_48_test.json",
                                          "rsa_pss_4096_sha512_mgf1_64_test.json",
                                          "rsa_pss_misc_test.json"};
  for (const std::string& file : files) {
    const dom::element root = load(file);
    counts c;
    std::size_t valid = 0;
    dom::array groups;
    ASSERT_EQ(root["testGroups"].get_array().get(groups), simdjson::SUCCESS);
    for (dom::element g : groups) {
      const std::string sha = str(g["sha"]);
      const std::optional<alg> matching = sha_alg(sha, "PS");
      const std::size_t hash_len = sha == "SHA-256" ? 32 : sha == "SHA-384" ? 48 : 64;
      // RFC 7518 §3.5: MGF1 with the message hash and salt = hash length, nothing else.
      const bool jws_params = matching && str(g["mgfSha"]) == sha &&
                              static_cast<std::size_t>(num(g["sLen"])) == hash_len;
      // Groups with other parameters must fail under every PS algorithm.
      std::vector<alg> algs;
      if (matching) {
        algs.push_back(*matching);
      } else {
        algs = {alg::ps256, alg::ps384, alg::ps512};
      }
      if (jws_params) valid += count_tests(g, true);
      for (std::size_t i = 0; i < algs.size(); ++i) {
        std::string why;
        auto jwk = from_jwk(rsa_jwk(g), algs[i], &why);
        ASSERT_TRUE(jwk) << file << ": " << why;
        std::vector<detail::key> keys;
        keys.push_back(std::move(*jwk));
        if (auto pem = from_pem(str(g["publicKeyPem"]), algs[i])) keys.push_back(std::move(*pem));
        counts* into = &c;
        counts extra;
        if (i > 0) into = &extra;  // count each test once
        run_group(file, g, algs[i], keys, !jws_params, *into);
      }
    }
    expect_counts(file, c, declared(root), valid);
  }
}

TEST_F(Wycheproof, Ed25519) {
  const std::string file = "ed25519_test.json";
  const dom::element root = load(file);
  counts c;
  std::size_t valid = 0;
  dom::array groups;
  ASSERT_EQ(root["testGroups"].get_array().get(groups), simdjson::SUCCESS);
  for (dom::element g : groups) {
    std::string why;
    auto jwk = from_jwk(minified(g["publicKeyJwk"]), std::nullopt, &why);
    auto pem = from_pem(str(g["publicKeyPem"]), alg::eddsa, &why);
    ASSERT_TRUE(jwk && pem) << why;
    std::vector<detail::key> keys;
    keys.push_back(std::move(*jwk));
    keys.push_back(std::move(*pem));
    valid += count_tests(g, true);
    run_group(file, g, alg::eddsa, keys, false, c);
  }
  expect_counts(file, c, declared(root), valid);
}

TEST_F(Wycheproof, Hmac) {
  for (const auto& [file, a] :
       std::vector<std::pair<std::string, alg>>{{"hmac_sha256_test.json", alg::hs256},
                                                {"hmac_sha384_test.json", alg::hs384},
                                                {"hmac_sha512_test.json", alg::hs512}}) {
    const dom::element root = load(file);
    const std::size_t full_bits = 8 * detail::sha2_size(detail::alg_hash(a));
    counts c;
    std::size_t valid = 0;
    dom::array groups;
    ASSERT_EQ(root["testGroups"].get_array().get(groups), simdjson::SUCCESS);
    for (dom::element g : groups) {
      const auto key_bits = static_cast<std::size_t>(num(g["keySize"]));
      const bool full_tag = static_cast<std::size_t>(num(g["tagSize"])) == full_bits;
      dom::array tests;
      ASSERT_EQ(g["tests"].get_array().get(tests), simdjson::SUCCESS);
      for (dom::element t : tests) {
        ++c.run;
        const std::int64_t id = num(t["tcId"]);
        const auto secret = unhex(str(t["key"]));
        detail::key_or_error k = detail::make_hmac_key(secret, a);
        if (!k.value) {
          // RFC 7518 §3.2: keys shorter than the hash output are refused at load.
          EXPECT_LT(key_bits, full_bits) << file << " tcId " << id << ": " << k.error;
          ++c.key_rejected;
          continue;
        }
        EXPECT_GE(key_bits, full_bits) << file << " tcId " << id << " short key accepted";
        const status st = verify_raw(*k.value, a, t, "tag");
        if (!full_tag) {
          // A truncated tag has no JWS form: refused on length, even when "valid".
          EXPECT_EQ(st, status::bad_signature_length) << file << " tcId " << id;
        } else if (str(t["result"]) == "valid") {
          EXPECT_EQ(st, status::ok) << file << " tcId " << id;
          ++valid;
        } else {
          EXPECT_NE(st, status::ok) << file << " tcId " << id;
        }
        st == status::ok ? ++c.accepted : ++c.rejected;
      }
    }
    expect_counts(file, c, declared(root), valid);
  }
}

// Whole-token files: each jws through the verifier; a refused key set rejects every
// token. These are JWS tests (payloads like "foo" are not JWT claims sets), so a token
// counts as accepted when its signature verified with the trusted key.
void run_token_file(dom::element root, const std::string& file,
                    const std::map<std::int64_t, bool>& overrides, counts& c,
                    std::size_t& expected_accepted) {
  dom::array groups;
  ASSERT_EQ(root["testGroups"].get_array().get(groups), simdjson::SUCCESS);
  for (dom::element g : groups) {
    std::string why;
    const auto keys = test::wycheproof_group_keys(g, &why);
    dom::array tests;
    ASSERT_EQ(g["tests"].get_array().get(tests), simdjson::SUCCESS);
    for (dom::element t : tests) {
      ++c.run;
      const std::int64_t id = num(t["tcId"]);
      bool should_pass = str(t["result"]) == "valid";
      if (const auto o = overrides.find(id); o != overrides.end()) should_pass = o->second;
      expected_accepted += should_pass ? 1 : 0;
      const std::string token = test::wycheproof_token(t);
      result r;
      bool accepted = false;
      if (keys) {
        verifier(keys).verify(token, r);
        // A valid JWS: every segment strict base64url (checked before the signature,
        // so bad_base64 never comes with a verified signature) and the signature verified.
        accepted = r.signature_verified && r.code != status::bad_base64;
        accepted ? ++c.accepted : ++c.rejected;
      } else {
        ++c.key_rejected;
      }
      if (should_pass) {
        EXPECT_TRUE(accepted) << file << " tcId " << id << ": "
                              << (keys ? status_name(r.code) : why);
      } else {
        EXPECT_FALSE(accepted) << file << " tcId " << id;
      }
    }
  }
}

TEST_F(Wycheproof, JsonWebSignature) {
  const std::string file = "json_web_signature_test.json";
  const dom::element root = load(file);
  // vectors README: 367 and 370 are byte-identical to the valid 357 (upstream label
  // bug); 372 and 373 hold a literal '?' in a base64url segment and must be rejected.
  // jwtbatch's key rules (docs/SECURITY.md §5, K2) also refuse four RFC 7520 cases that
  // Wycheproof labels valid: 346/350 sign PS384 with a key whose JWK says "alg":"PS256"
  // (a key serves the algorithm it is bound to: alg_key_mismatch), and 347/351 use a
  // key whose "alg" is "ES521", not a JWS algorithm, which this same suite's
  // json_web_key_test tcId 19 requires to be refused.
  const std::map<std::int64_t, bool> overrides = {{367, true},  {370, true},  {372, false},
                                                  {373, false}, {346, false}, {350, false},
                                                  {347, false}, {351, false}};
  counts c;
  std::size_t expected_accepted = 0;
  run_token_file(root, file, overrides, c, expected_accepted);
  expect_counts(file, c, declared(root), expected_accepted);
}

TEST_F(Wycheproof, JsonWebKey) {
  const std::string file = "json_web_key_test.json";
  const dom::element root = load(file);
  counts c;
  std::size_t expected_accepted = 0;
  run_token_file(root, file, {}, c, expected_accepted);
  expect_counts(file, c, declared(root), expected_accepted);
}

}  // namespace
}  // namespace jwtbatch
