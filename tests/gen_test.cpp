// The corpus generator (engine/cli/gen.hpp): every generated token is judged by the
// engine at its own line's time and must get exactly the verdict its kind promises,
// in the exact proportions asked for; repeats, determinism, the two log formats and
// the hostile shapes (each rejected, with the engine's attack label) are checked.
#include "gen.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <ctime>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include <simdjson.h>

#include "jwtbatch/key_set.hpp"
#include "jwtbatch/sign.hpp"
#include "jwtbatch/verifier.hpp"
#include "test_support.hpp"

namespace jwtbatch {
inline void PrintTo(attack_label l, std::ostream* os) {
  *os << (l == attack_label::none ? std::string_view("none") : label_name(l));
}

namespace {

using cli::gen_format;
using cli::gen_kind;
using cli::gen_options;
using cli::gen_stats;

constexpr double k_base = 971186136;  // 10/Oct/2000:13:55:36 +0000

// HS256, RS256, ES256 and EdDSA private keys, made once for the whole suite.
std::shared_ptr<const key_set> four_keys() {
  static const std::shared_ptr<const key_set> keys = [] {
    key_set_builder b;
    b.allow_mixed_key_types();
    b.add_jwks(generate_key(alg::hs256, "hs-1").private_jwk, "hs");
    b.add_jwks(generate_key(alg::rs256, "rs-1").private_jwk, "rs");
    b.add_jwks(generate_key(alg::es256, "ec-1").private_jwk, "ec");
    b.add_jwks(generate_key(alg::eddsa, "ed-1").private_jwk, "ed");
    return b.build();
  }();
  return keys;
}

policy expected_policy() {
  policy p;
  p.issuers = {"https://issuer.example"};
  p.audiences = {"api.example"};
  p.required_claims = {"exp", "iat", "nbf", "jti"};
  return p;
}

// One generated line and what the generator said about it (copied out of the views).
struct line {
  std::string text, token, shape;
  double time = 0;
  gen_kind kind = gen_kind::valid;
  std::size_t token_id = 0, occurrence = 0;
  attack_label expected = attack_label::none;
};

struct run {
  std::vector<line> lines;
  gen_stats stats;
};

run generate(const key_set& keys, const gen_options& o) {
  run r;
  std::size_t emitted = 0;
  r.stats = cli::generate(
      keys, o, [&](std::string_view text) { ++emitted, r.lines.emplace_back().text = text; },
      [&](const cli::gen_line_info& i) {
        line& l = r.lines.back();
        EXPECT_EQ(i.index + 1, r.lines.size());
        EXPECT_EQ(i.line, l.text);
        l.token = i.token;
        l.shape = i.shape;
        l.time = i.time;
        l.kind = i.kind;
        l.token_id = i.token_id;
        l.occurrence = i.occurrence;
        l.expected = i.expected_label;
      });
  EXPECT_EQ(emitted, o.count);
  return r;
}

gen_options mix_options(std::size_t count, std::uint64_t seed) {
  gen_options o;
  o.count = count;
  o.algs = {alg::hs256, alg::rs256, alg::es256, alg::eddsa};
  o.base_time = k_base;
  o.seed = seed;
  return o;
}

struct tally {
  std::size_t ok = 0, expired = 0, bad_signature = 0, format = 0, other = 0;
};

// Judges every line at its own time (and at its whole second, as a log with
// second resolution would) and checks the verdict its kind promises.
tally judge(const run& r) {
  const verifier v(four_keys(), expected_policy());
  tally t;
  result res;
  for (const line& l : r.lines) {
    v.verify_at(l.token, l.time, res);
    const status at_ms = res.code;
    v.verify_at(l.token, std::floor(l.time), res);
    EXPECT_EQ(res.code, at_ms) << "line time " << l.time;
    switch (l.kind) {
      case gen_kind::valid:
        EXPECT_EQ(at_ms, status::ok) << l.token;
        break;
      case gen_kind::expired:
        EXPECT_EQ(at_ms, status::expired) << l.token;
        break;
      case gen_kind::forged:
        EXPECT_EQ(at_ms, status::bad_signature) << l.token;
        break;
      case gen_kind::malformed:
        EXPECT_EQ(class_of(at_ms), status_class::format) << status_name(at_ms) << " " << l.token;
        break;
      case gen_kind::hostile:
        ADD_FAILURE() << "hostile line in a mix run";
        break;
    }
    if (at_ms == status::ok) {
      ++t.ok;
    } else if (at_ms == status::expired) {
      ++t.expired;
    } else if (at_ms == status::bad_signature) {
      ++t.bad_signature;
    } else if (class_of(at_ms) == status_class::format) {
      ++t.format;
    } else {
      ++t.other;
    }
  }
  return t;
}

TEST(Gen, MixGivesExactVerdictCountsAtEachLinesTime) {
  const run r = generate(*four_keys(), mix_options(1000, 7));
  EXPECT_EQ(r.stats.lines, 1000U);
  EXPECT_EQ(r.stats.distinct, 1000U);
  EXPECT_EQ(r.stats.valid, 900U);
  EXPECT_EQ(r.stats.expired, 50U);
  EXPECT_EQ(r.stats.forged, 30U);
  EXPECT_EQ(r.stats.malformed, 20U);
  EXPECT_EQ(r.stats.hostile, 0U);
  const tally t = judge(r);
  EXPECT_EQ(t.ok, 900U);
  EXPECT_EQ(t.expired, 50U);
  EXPECT_EQ(t.bad_signature, 30U);
  EXPECT_EQ(t.format, 20U);
  EXPECT_EQ(t.other, 0U);

  // Every requested alg signs some of the valid tokens; times start at the base
  // and never go back, a few lines per second.
  const verifier v(four_keys(), expected_policy());
  std::map<alg, std::size_t> by_alg;
  result res;
  for (const line& l : r.lines) {
    v.verify_at(l.token, l.time, res);
    if (res.code == status::ok) ++by_alg[*res.algorithm];
  }
  EXPECT_EQ(by_alg.size(), 4U);
  // Malformed tokens come in several shapes: bad base64, segment count, bad JSON.
  std::set<status> malformed;
  for (const line& l : r.lines) {
    v.verify_at(l.token, l.time, res);
    if (l.kind == gen_kind::malformed) malformed.insert(res.code);
  }
  EXPECT_EQ(malformed,
            (std::set<status>{status::bad_segments, status::bad_base64, status::bad_json}));
  for (const auto& [a, n] : by_alg) EXPECT_GT(n, 150U) << alg_name(a);
  EXPECT_EQ(r.lines.front().time, k_base);
  EXPECT_EQ(r.stats.first_time, k_base);
  EXPECT_EQ(r.stats.last_time, r.lines.back().time);
  for (std::size_t i = 1; i < r.lines.size(); ++i) {
    EXPECT_GE(r.lines[i].time, r.lines[i - 1].time);
    EXPECT_LT(r.lines[i].time - r.lines[i - 1].time, 0.6);
  }
  const double span = r.lines.back().time - r.lines.front().time;
  EXPECT_GT(span, 1000 * 0.2);  // mean gap 0.3 s
  EXPECT_LT(span, 1000 * 0.4);
}

TEST(Gen, ValidTokensCarryRealisticClaims) {
  gen_options o = mix_options(200, 11);
  o.mix = {100, 0, 0, 0};
  o.issuer = "https://login.example.org";
  o.audience = "orders-api";
  const run r = generate(*four_keys(), o);
  policy p;
  p.issuers = {o.issuer};
  p.audiences = {o.audience};
  p.required_claims = {"exp", "iat", "nbf", "jti", "sub", "scope", "client_id", "tenant"};
  const verifier v(four_keys(), p);
  result res;
  std::set<std::string> jtis;
  for (const line& l : r.lines) {
    v.verify_at(l.token, l.time, res);
    ASSERT_EQ(res.code, status::ok) << l.token;
    ASSERT_TRUE(res.exp && res.iat && res.nbf && res.jti && res.sub);
    EXPECT_EQ(*res.exp - *res.iat, 3600);
    EXPECT_EQ(*res.nbf, *res.iat);
    EXPECT_LE(*res.iat, std::floor(l.time) - 1);
    EXPECT_GE(*res.iat, std::floor(l.time) - 300);
    EXPECT_EQ(res.sub->substr(0, 5), "user-");
    jtis.insert(std::string(*res.jti));
    const std::size_t dot1 = l.token.find('.');
    const std::size_t payload = l.token.find('.', dot1 + 1) - dot1 - 1;
    EXPECT_GE(payload * 3 / 4, 300U);  // decoded payload bytes
    EXPECT_LE(payload * 3 / 4, 420U);
  }
  EXPECT_EQ(jtis.size(), 200U);
}

TEST(Gen, EachDistinctTokenAppearsExactlyRepeatTimes) {
  gen_options o = mix_options(1000, 3);
  o.repeat = 4;
  const run r = generate(*four_keys(), o);
  // 250 distinct tokens split 90/5/3/2 by largest remainder: 225, 12.5 -> 13, 7.5 -> 7
  // (the tie goes to the kind listed first), 5.
  EXPECT_EQ(r.stats.distinct, 250U);
  EXPECT_EQ(r.stats.valid, 900U);
  EXPECT_EQ(r.stats.expired, 52U);
  EXPECT_EQ(r.stats.forged, 28U);
  EXPECT_EQ(r.stats.malformed, 20U);
  std::map<std::string, std::vector<std::size_t>> at;
  for (std::size_t i = 0; i < r.lines.size(); ++i) at[r.lines[i].token].push_back(i);
  EXPECT_EQ(at.size(), 250U);
  std::size_t scattered = 0;
  for (const auto& [token, where] : at) {
    ASSERT_EQ(where.size(), 4U) << token;
    for (std::size_t k = 0; k < 4; ++k) EXPECT_EQ(r.lines[where[k]].occurrence, k);
    if (where.back() - where.front() > 3) ++scattered;
  }
  EXPECT_GT(scattered, 200U);  // repeats are shuffled over the output, not adjacent
  const tally t = judge(r);
  EXPECT_EQ(t.ok, 900U);
  EXPECT_EQ(t.expired, 52U);
  EXPECT_EQ(t.bad_signature, 28U);
  EXPECT_EQ(t.format, 20U);
}

TEST(Gen, RepeatsAcrossShuffleBlocksStayInsideTheValidityWindow) {
  // 6,000 lines are three shuffle blocks; a token's 20 copies may straddle two.
  gen_options o = mix_options(6000, 5);
  o.algs = {alg::hs256};
  o.repeat = 20;
  const run r = generate(*four_keys(), o);
  EXPECT_EQ(r.stats.distinct, 300U);
  const tally t = judge(r);
  EXPECT_EQ(t.ok, 270U * 20);
  EXPECT_EQ(t.expired, 15U * 20);
  EXPECT_EQ(t.bad_signature, 9U * 20);
  EXPECT_EQ(t.format, 6U * 20);
  std::map<std::string, std::size_t> counts;
  for (const line& l : r.lines) ++counts[l.token];
  EXPECT_EQ(counts.size(), 300U);
  for (const auto& [token, n] : counts) EXPECT_EQ(n, 20U);
}

std::vector<std::string> texts(const run& r) {
  std::vector<std::string> out;
  for (const line& l : r.lines) out.push_back(l.text);
  return out;
}

TEST(Gen, SameSeedGivesIdenticalBytesForDeterministicAlgorithms) {
  for (const gen_format f : {gen_format::tokens, gen_format::access_log, gen_format::json_log}) {
    gen_options o = mix_options(300, 42);
    o.algs = {alg::hs256, alg::rs256, alg::eddsa};
    o.repeat = 3;
    o.format = f;
    const std::vector<std::string> a = texts(generate(*four_keys(), o));
    const std::vector<std::string> b = texts(generate(*four_keys(), o));
    EXPECT_EQ(a, b);
    o.seed = 43;
    const std::vector<std::string> c = texts(generate(*four_keys(), o));
    ASSERT_EQ(c.size(), a.size());
    std::size_t same = 0;
    for (std::size_t i = 0; i < a.size(); ++i) same += a[i] == c[i] ? 1U : 0U;
    EXPECT_EQ(same, 0U);
  }
}

TEST(Gen, EcdsaRunsDifferOnlyInSignatures) {
  gen_options o = mix_options(200, 9);
  o.algs = {alg::es256};
  o.mix = {100, 0, 0, 0};
  const run a = generate(*four_keys(), o);
  const run b = generate(*four_keys(), o);
  ASSERT_EQ(a.lines.size(), b.lines.size());
  for (std::size_t i = 0; i < a.lines.size(); ++i) {
    const std::string& x = a.lines[i].token;
    const std::string& y = b.lines[i].token;
    EXPECT_EQ(a.lines[i].time, b.lines[i].time);
    EXPECT_EQ(x.substr(0, x.rfind('.')), y.substr(0, y.rfind('.')));  // header.payload
    EXPECT_NE(x, y);                                                  // randomized ECDSA
  }
}

// timegm without the TZ environment.
double utc(int y, int mon, int d, int h, int m, int s) {
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mon - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = m;
  tm.tm_sec = s;
  return static_cast<double>(timegm(&tm));
}

int month_number(const std::string& m) {
  static const std::vector<std::string> names = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (names[i] == m) return static_cast<int>(i) + 1;
  }
  return 0;
}

TEST(Gen, AccessLogLinesParseAndCarryTheTokenAndTime) {
  gen_options o = mix_options(300, 21);
  o.format = gen_format::access_log;
  const run r = generate(*four_keys(), o);
  const std::regex combined(
      R"re(^(\d+\.\d+\.\d+\.\d+) - - \[(\d{2})/([A-Z][a-z]{2})/(\d{4}):(\d{2}):(\d{2}):(\d{2}) \+0000\] )re"
      R"re("(GET|POST|PUT|DELETE) (/[^ "]*) HTTP/1\.1" (\d{3}) (\d+) "([^"]*)" "([^"]+)" )re"
      R"re("Authorization: Bearer ([^" ]+)"$)re");
  EXPECT_NE(r.lines.front().text.find(" - - [10/Oct/2000:13:55:36 +0000] \""), std::string::npos)
      << r.lines.front().text;
  std::size_t with_query = 0;
  for (const line& l : r.lines) {
    std::smatch m;
    ASSERT_TRUE(std::regex_match(l.text, m, combined)) << l.text;
    EXPECT_EQ(m[14].str(), l.token);
    const double t = utc(std::stoi(m[4]), month_number(m[3]), std::stoi(m[2]), std::stoi(m[5]),
                         std::stoi(m[6]), std::stoi(m[7]));
    EXPECT_EQ(t, std::floor(l.time)) << l.text;
    const int code = std::stoi(m[10]);
    if (l.kind == gen_kind::valid) {
      EXPECT_TRUE(code == 200 || code == 201 || code == 204 || code == 304) << l.text;
    } else {
      EXPECT_EQ(code, 401) << l.text;
    }
    if (m[9].str().find('?') != std::string::npos) ++with_query;
  }
  EXPECT_GT(with_query, 50U);
  const tally t = judge(r);  // the tokens the lines carry, judged at the log's time
  EXPECT_EQ(t.ok, 270U);
  EXPECT_EQ(t.expired, 15U);
  EXPECT_EQ(t.bad_signature, 9U);
  EXPECT_EQ(t.format, 6U);
}

TEST(Gen, JsonLogLinesParseAndCarryTheTokenAndTime) {
  gen_options o = mix_options(300, 22);
  o.format = gen_format::json_log;
  o.repeat = 2;
  const run r = generate(*four_keys(), o);
  const std::regex rfc3339(R"(^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\.(\d{3})Z$)");
  simdjson::dom::parser parser;
  for (const line& l : r.lines) {
    simdjson::dom::element doc;
    ASSERT_EQ(parser.parse(l.text).get(doc), simdjson::SUCCESS) << l.text;
    std::string_view time, authorization, method, path;
    std::int64_t code = 0;
    ASSERT_EQ(doc["time"].get(time), simdjson::SUCCESS) << l.text;
    ASSERT_EQ(doc["authorization"].get(authorization), simdjson::SUCCESS);
    ASSERT_EQ(doc["method"].get(method), simdjson::SUCCESS);
    ASSERT_EQ(doc["path"].get(path), simdjson::SUCCESS);
    ASSERT_EQ(doc["status"].get(code), simdjson::SUCCESS);
    EXPECT_EQ(authorization, "Bearer " + l.token);
    EXPECT_EQ(path.substr(0, 8), "/api/v1/");
    EXPECT_EQ(code == 401, l.kind != gen_kind::valid);
    std::smatch m;
    const std::string ts(time);
    ASSERT_TRUE(std::regex_match(ts, m, rfc3339)) << ts;
    const double t = utc(std::stoi(m[1]), std::stoi(m[2]), std::stoi(m[3]), std::stoi(m[4]),
                         std::stoi(m[5]), std::stoi(m[6])) +
                     std::stoi(m[7]) / 1000.0;
    EXPECT_DOUBLE_EQ(t, l.time) << ts;
  }
  EXPECT_EQ(r.lines.front().text.substr(0, 35), R"({"time":"2000-10-10T13:55:36.000Z",)");
  const tally t = judge(r);
  EXPECT_EQ(t.ok, 270U);
  EXPECT_EQ(t.expired, 16U);  // 150 distinct: 135, 7.5 -> 8, 4.5 -> 4, 3
  EXPECT_EQ(t.bad_signature, 8U);
  EXPECT_EQ(t.format, 6U);
}

// What the engine must say about each hostile shape: the status (one of a few where
// variants legitimately differ) and the attack label.
struct shape_expectation {
  std::set<status> statuses;
  attack_label label;
};
const std::map<std::string, shape_expectation>& hostile_expectations() {
  static const std::map<std::string, shape_expectation> table = {
      {"alg_none", {{status::alg_none}, attack_label::alg_none}},
      {"key_confusion", {{status::alg_key_mismatch}, attack_label::key_confusion}},
      {"psychic_signature", {{status::bad_signature}, attack_label::psychic_signature}},
      {"embedded_key", {{status::bad_signature}, attack_label::embedded_key}},
      {"non_canonical_encoding", {{status::bad_base64}, attack_label::non_canonical_encoding}},
      {"duplicate_member", {{status::duplicate_member}, attack_label::duplicate_member}},
      {"crit_bypass", {{status::crit_unsupported}, attack_label::crit_bypass}},
      {"signature_stripped", {{status::bad_signature_length}, attack_label::signature_stripped}},
      {"kid_injection", {{status::key_not_found}, attack_label::kid_injection}},
      {"oversize", {{status::token_too_large}, attack_label::none}},
      {"deep_nesting", {{status::json_limit_exceeded}, attack_label::none}},
  };
  return table;
}

void check_hostile(const key_set& keys, const run& r) {
  const verifier v(std::shared_ptr<const key_set>(&keys, [](const key_set*) {}), expected_policy());
  result res;
  for (const line& l : r.lines) {
    ASSERT_EQ(l.kind, gen_kind::hostile);
    const auto it = hostile_expectations().find(l.shape);
    ASSERT_NE(it, hostile_expectations().end()) << l.shape;
    v.verify_at(l.token, l.time, res);
    EXPECT_TRUE(it->second.statuses.contains(res.code))
        << l.shape << ": " << status_name(res.code) << " " << l.token.substr(0, 300);
    EXPECT_EQ(res.label, it->second.label) << l.shape << " " << l.token.substr(0, 300);
    EXPECT_EQ(l.expected, it->second.label) << l.shape;
  }
}

TEST(Gen, HostileShapesAreRejectedWithTheirAttackLabels) {
  gen_options o = mix_options(11 * 12, 1);
  o.hostile = true;
  const run r = generate(*four_keys(), o);
  const std::vector<std::string> order = {"alg_none",
                                          "key_confusion",
                                          "psychic_signature",
                                          "embedded_key",
                                          "non_canonical_encoding",
                                          "duplicate_member",
                                          "crit_bypass",
                                          "signature_stripped",
                                          "kid_injection",
                                          "oversize",
                                          "deep_nesting"};
  ASSERT_EQ(r.stats.by_shape.size(), order.size());
  for (std::size_t i = 0; i < order.size(); ++i) {
    EXPECT_EQ(r.stats.by_shape[i].first, order[i]);
    EXPECT_EQ(r.stats.by_shape[i].second, 12U);
    EXPECT_EQ(r.lines[i].shape, order[i]);  // one shape after another
  }
  EXPECT_EQ(r.stats.hostile, 132U);
  EXPECT_EQ(r.stats.valid + r.stats.expired + r.stats.forged + r.stats.malformed, 0U);
  check_hostile(*four_keys(), r);
  // Genuine attempts, not one canned token each: the shapes vary.
  std::set<std::string> distinct;
  for (const line& l : r.lines) distinct.insert(l.token);
  EXPECT_EQ(distinct.size(), 132U);
  // Key confusion is HS256 keyed with a public key's bytes (PEM, PEM without the
  // final newline, DER), cycling over the RSA, EC and Ed25519 keys, RSA first.
  const verifier v(four_keys(), expected_policy());
  result res;
  std::vector<std::string> kids;
  for (const line& l : r.lines) {
    if (l.shape != "key_confusion") continue;
    v.verify_at(l.token, l.time, res);
    ASSERT_TRUE(res.kid.has_value());
    EXPECT_EQ(*res.algorithm, alg::hs256);
    kids.emplace_back(*res.kid);
  }
  const std::vector<std::string> expected_kids = {"rs-1", "rs-1", "rs-1", "ec-1", "ec-1", "ec-1",
                                                  "ed-1", "ed-1", "ed-1", "rs-1", "rs-1", "rs-1"};
  EXPECT_EQ(kids, expected_kids);
}

TEST(Gen, HostileWithOnlyAnHmacKeySkipsWhatItCannotBuild) {
  key_set_builder b;
  b.add_jwks(generate_key(alg::hs256, "only-hs").private_jwk, "hs");
  const auto keys = b.build();
  gen_options o;
  o.count = 40;
  o.algs = {alg::hs256};
  o.base_time = 1700000000;
  o.hostile = true;
  const run r = generate(*keys, o);
  ASSERT_EQ(r.stats.by_shape.size(), 10U);  // no EC key: no psychic signature
  for (const auto& [name, n] : r.stats.by_shape) {
    EXPECT_NE(name, "psychic_signature");
    EXPECT_EQ(n, 4U) << name;  // 40 lines over 10 shapes
  }
  check_hostile(*keys, r);
  // Confusion here is another HMAC hash on the key bound to HS256.
  const verifier v(keys, expected_policy());
  result res;
  for (const line& l : r.lines) {
    if (l.shape != "key_confusion") continue;
    v.verify_at(l.token, l.time, res);
    EXPECT_EQ(*res.algorithm, alg::hs512);
  }
}

TEST(Gen, BadOptionsThrowConfigErrorBeforeAnyLine) {
  const auto& keys = *four_keys();
  std::size_t lines = 0;
  const auto emit = [&](std::string_view) { ++lines; };
  const auto throws = [&](gen_options o) {
    EXPECT_THROW((void)cli::generate(keys, o, emit), config_error);
  };
  gen_options good = mix_options(10, 1);
  EXPECT_NO_THROW((void)cli::generate(keys, good, emit));
  EXPECT_EQ(lines, 10U);
  lines = 0;
  gen_options o = good;
  o.count = 0;
  throws(o);
  o = good;
  o.mix = {90, 5, 3, 1};
  throws(o);
  o = good;
  o.algs = {alg::hs256, alg::es384};  // no ES384 key in the set
  throws(o);
  o = good;
  o.algs = {};
  throws(o);
  o = good;
  o.repeat = 3;  // 10 lines are not whole repeats of 3
  throws(o);
  o.repeat = 0;
  throws(o);
  o = good;
  o.base_time = std::nan("");
  throws(o);
  o.base_time = -1;
  throws(o);
  o = good;
  o.issuer.clear();
  throws(o);
  EXPECT_EQ(lines, 0U);

  // Public keys only: nothing can sign.
  key_set_builder b;
  b.add_jwks(generate_key(alg::eddsa, "pub").public_jwk, "public");
  const auto pub = b.build();
  o = good;
  o.algs = {alg::eddsa};
  EXPECT_THROW((void)cli::generate(*pub, o, emit), config_error);
  EXPECT_EQ(lines, 0U);
}

}  // namespace
}  // namespace jwtbatch
