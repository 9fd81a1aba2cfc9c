// Every status in the taxonomy is produced by a real input through the verify path
// (docs/STYLE.md#tests: every status is produced by at least one test). A new status fails
// this test until an input that produces it is added below.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "codec/base64url.hpp"
#include "jwtbatch/cache.hpp"
#include "jwtbatch/key_set.hpp"
#include "jwtbatch/policy.hpp"
#include "jwtbatch/sign.hpp"
#include "jwtbatch/verifier.hpp"
#include "test_support.hpp"

namespace jwtbatch {
namespace {

std::string with_header(std::string_view json) {
  return detail::base64url_encode(json) + ".e30.c2ln";
}

TEST(Taxonomy, EveryStatusIsProducedByAnInput) {
  key_set_builder builder;
  builder.add_secret(std::vector<std::uint8_t>(32, 1), "test", "k1", alg::hs256);
  builder.add_secret(std::vector<std::uint8_t>(64, 2), "test", "k2", alg::hs256);
  const auto keys = builder.build();
  policy rules;
  rules.fixed_time = 1700000000;
  rules.allowed_algs = {alg::hs256, alg::hs512};
  rules.accepted_typs = {"JWT"};
  rules.issuers = {"https://issuer.example"};
  rules.audiences = {"api"};
  rules.subject = "alice";
  rules.max_age_seconds = 3600;
  const verifier lenient(keys, rules);
  policy strict_rules = rules;
  strict_rules.require_kid = true;
  strict_rules.reject_embedded_keys = true;
  strict_rules.required_claims = {"jti"};
  const verifier strict(keys, strict_rules);

  // Claims valid at 1700000000 unless a test changes one.
  const auto token = [&](std::string_view claims) {
    return sign_compact(*keys, "k1", alg::hs256, claims);
  };
  const std::string base =
      R"("iss":"https://issuer.example","aud":"api","sub":"alice","iat":1699999000)";
  const std::string good = token("{" + base + R"(,"exp":1700003600})");
  std::string forged = good;
  forged[forged.size() - 2] = forged[forged.size() - 2] == 'A' ? 'B' : 'A';

  const std::map<status, std::string> examples = {
      {status::ok, good},
      {status::token_too_large, std::string(70000, 'a')},
      {status::bad_segments, "a.b"},
      {status::unsupported_serialization, "a.b.c.d.e"},
      {status::bad_base64, "eyJhbGciOiJIUzI1NiJ9=.e30.c2ln"},
      {status::bad_json, with_header(R"({"alg":"HS256"}{})")},
      {status::duplicate_member, with_header(R"({"alg":"HS256","alg":"HS256"})")},
      {status::json_limit_exceeded, with_header(R"({"alg":"HS256","x":[[[[[[[[[]]]]]]]]]})")},
      {status::bad_member_type, with_header(R"({"alg":256})")},
      {status::bad_crit, with_header(R"({"alg":"HS256","crit":[]})")},
      {status::alg_missing, with_header(R"({"typ":"JWT"})")},
      {status::alg_none, with_header(R"({"alg":"none"})")},
      {status::alg_unsupported, with_header(R"({"alg":"RSA1_5"})")},
      {status::crit_unsupported, with_header(R"({"alg":"HS256","crit":["exp"],"exp":1})")},
      {status::b64_unsupported, with_header(R"({"alg":"HS256","b64":false})")},
      {status::zip_unsupported, with_header(R"({"alg":"HS256","zip":"DEF"})")},
      {status::nested_jwt_unsupported, with_header(R"({"alg":"HS256","cty":"JWT"})")},
      {status::key_not_found, with_header(R"({"alg":"HS256","kid":"nope"})")},
      {status::key_ambiguous, with_header(R"({"alg":"HS256"})")},
      {status::alg_key_mismatch, with_header(R"({"alg":"HS512","kid":"k1"})")},
      {status::bad_signature_length, with_header(R"({"alg":"HS256","kid":"k1"})")},
      {status::bad_signature, forged},
      {status::alg_not_allowed, with_header(R"({"alg":"HS384","kid":"k1"})")},
      {status::typ_mismatch, with_header(R"({"alg":"HS256","kid":"k1","typ":"at+jwt"})")},
      {status::bad_claim_type, token("{" + base + R"(,"exp":"1700003600"})")},
      {status::missing_claim, token(R"({"aud":"api","sub":"alice","iat":1699999000})")},
      {status::expired, token("{" + base + R"(,"exp":1700000000})")},
      {status::not_yet_valid, token("{" + base + R"(,"nbf":1700000001})")},
      {status::issued_in_future, token(R"({"iss":"https://issuer.example","aud":"api",)"
                                       R"("sub":"alice","iat":1700000001})")},
      {status::too_old, token(R"({"iss":"https://issuer.example","aud":"api",)"
                              R"("sub":"alice","iat":1699996399})")},
      {status::issuer_mismatch, token(R"({"iss":"https://other.example","aud":"api",)"
                                      R"("sub":"alice","iat":1699999000})")},
      {status::audience_mismatch, token(R"({"iss":"https://issuer.example","aud":["x"],)"
                                        R"("sub":"alice","iat":1699999000})")},
      {status::subject_mismatch, token(R"({"iss":"https://issuer.example","aud":"api",)"
                                       R"("sub":"bob","iat":1699999000})")},
  };
  std::set<status> produced;
  for (const auto& [expected, input] : examples) {
    const status got = lenient.verify_one(input);
    EXPECT_EQ(got, expected) << input;
    produced.insert(got);
  }
  const status missing = strict.verify_one(with_header(R"({"alg":"HS256"})"));
  EXPECT_EQ(missing, status::kid_missing);
  produced.insert(missing);
  const status embedded =
      strict.verify_one(with_header(R"({"alg":"HS256","kid":"k1","jku":"https://a.example"})"));
  EXPECT_EQ(embedded, status::embedded_key_rejected);
  produced.insert(embedded);

  // no_token and no_log_time are statuses of a line-oriented record, never of a token:
  // the line pipeline gives them (pipeline_test and the CLI tests produce each).
  // key_outside_window needs a key history (HistoryVerifier tests produce it).
  for (status s : all_statuses()) {
    if (s == status::no_token || s == status::no_log_time || s == status::key_outside_window) {
      EXPECT_EQ(produced.count(s), 0U) << status_name(s);
      continue;
    }
    EXPECT_TRUE(produced.count(s) != 0) << "no input produces " << status_name(s);
  }
}

// A byte outside the base64url alphabet (RFC 7515 §2, RFC 4648 §5) anywhere in any
// segment is a format error decided before any key or signature work: a space in the
// payload is not a "forgery" found by an RSA operation. The same holds for the other
// non-canonical spellings (length 1 mod 4, non-zero trailing bits), whatever the header
// says. The cache shows that no signature was checked: it only ever stores tokens whose
// signature was (forgeries included, keep_forgeries).
TEST(Taxonomy, ByteOutsideTheAlphabetInAnySegmentIsFormatBeforeTheSignature) {
  key_set_builder builder;
  builder.allow_mixed_key_types();
  builder.add_jwks(generate_key(alg::rs256, "rsa").private_jwk, "rsa.jwk");
  builder.add_jwks(generate_key(alg::es256, "ec").private_jwk, "ec.jwk");
  builder.add_secret(std::vector<std::uint8_t>(32, 7), "test", "hmac", alg::hs256);
  const auto keys = builder.build();
  policy rules;
  rules.fixed_time = 1700000000;
  const auto cache = std::make_shared<token_cache>(
      cache_options{.keep_forgeries = true, .admission = cache_admission::first_sight});
  const verifier v(keys, rules, cache);

  const std::string bytes[] = {" ",    "\t",   "\n",  "\r", "+",
                               "/",    "=",    "~",   "*",  "\\",
                               "\"",   "%",    "?",   "!",  std::string(1, '\0'),
                               "\x7f", "\x80", "\xff"};
  std::size_t cases = 0;
  for (const auto& [a, kid] :
       {std::pair{alg::rs256, "rsa"}, std::pair{alg::es256, "ec"}, std::pair{alg::hs256, "hmac"}}) {
    const std::string good = sign_compact(*keys, kid, a, R"({"sub":"alice","exp":1700003600})");
    ASSERT_EQ(v.verify_one(good), status::ok) << alg_name(a);
    const std::size_t dot1 = good.find('.');
    const std::size_t dot2 = good.rfind('.');
    // Start, middle and end of the header, the payload and the signature.
    const std::size_t positions[] = {0,
                                     dot1 / 2,
                                     dot1,
                                     dot1 + 1,
                                     (dot1 + dot2) / 2,
                                     dot2,
                                     dot2 + 1,
                                     (dot2 + good.size()) / 2,
                                     good.size()};
    for (const std::size_t at : positions) {
      for (const std::string& b : bytes) {
        for (const bool replace : {false, true}) {
          std::string t = good;
          if (replace && at < t.size() && t[at] != '.') {
            t.replace(at, 1, b);
          } else {
            t.insert(at, b);
          }
          result r;
          v.verify_at(t, 1700000000, r);
          ++cases;
          EXPECT_EQ(r.code, status::bad_base64)
              << alg_name(a) << " byte " << static_cast<int>(static_cast<unsigned char>(b[0]))
              << " at " << at << (replace ? " (replaced)" : " (inserted)");
          EXPECT_EQ(class_of(r.code), status_class::format);
          EXPECT_EQ(r.label, attack_label::non_canonical_encoding);
          EXPECT_FALSE(r.signature_verified);
        }
      }
    }
    // Canonical alphabet, non-canonical spelling: one character more (length 1 mod 4
    // somewhere) or non-zero unused bits at the end of the payload or signature.
    const std::string payload = good.substr(dot1 + 1, dot2 - dot1 - 1);
    const std::string signature = good.substr(dot2 + 1);
    const auto with = [&](const std::string& p, const std::string& s) {
      return good.substr(0, dot1 + 1) + p + "." + s;
    };
    const auto one_mod_four = [](std::string x) {
      do {
        x += 'A';
      } while (x.size() % 4 != 1);
      return x;
    };
    // The last character with its lowest bit flipped: an unused bit when the length is
    // not a multiple of 4 (RFC 4648 §3.5 wants them zero).
    const auto trailing_bit = [](std::string x) {
      static constexpr std::string_view k_alphabet =
          "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
      x.back() = k_alphabet[k_alphabet.find(x.back()) ^ 1U];
      return x;
    };
    std::vector<std::string> spellings = {with(one_mod_four(payload), signature),
                                          with(payload, one_mod_four(signature))};
    if (payload.size() % 4 != 0) spellings.push_back(with(trailing_bit(payload), signature));
    if (signature.size() % 4 != 0) spellings.push_back(with(payload, trailing_bit(signature)));
    ASSERT_GE(spellings.size(), 3U) << alg_name(a);  // every signature here has unused bits
    for (const std::string& t : spellings) {
      EXPECT_EQ(v.verify_one(t), status::bad_base64) << alg_name(a) << " " << t;
      ++cases;
    }
  }
  // The header does not matter: alg none, an unknown kid or a broken header with a
  // space in the payload are format errors all the same.
  for (const char* header : {R"({"alg":"none"})", R"({"alg":"RS256","kid":"nope"})",
                             R"({"alg":"HS256","kid":"hmac","crit":["x"]})"}) {
    const std::string t = detail::base64url_encode(header) + ".e30 .c2ln";
    EXPECT_EQ(v.verify_one(t), status::bad_base64) << header;
    ++cases;
  }
  EXPECT_EQ(cases, 3U * (9 * 18 * 2 + 4) + 3);  // every case above ran
  // Only the three good tokens had their signature checked.
  EXPECT_EQ(cache->stats().insertions, 3U);
}

}  // namespace
}  // namespace jwtbatch
