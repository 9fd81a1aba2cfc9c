// Key histories (jwtbatch/key_history.hpp): windows from snapshots, periods and their
// key sets, the document written, every refusal naming what it refuses; and
// `keys snapshot` (engine/cli/history_cmd.cpp) on real files.
#include "jwtbatch/key_history.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "history_cmd.hpp"
#include "jwtbatch/json_text.hpp"
#include "jwtbatch/sign.hpp"
#include "jwtbatch/verifier.hpp"

namespace jwtbatch {
namespace {

constexpr double k_day1 = 1772323200;  // 2026-03-01T00:00:00Z
constexpr double k_day = 86400;
constexpr double k_day2 = k_day1 + k_day;
constexpr double k_day3 = k_day1 + 2 * k_day;

// RFC 7515 A.3's P-256 key (a public test key), with kid "a".
constexpr const char* k_rfc_x = "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU";
constexpr const char* k_rfc_y = "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0";
constexpr const char* k_rfc_d = "jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI";

std::string rfc_jwk(bool with_private) {
  return std::string(R"({"kty":"EC","kid":"a","use":"sig","crv":"P-256","x":")") + k_rfc_x +
         R"(","y":")" + k_rfc_y + "\"" +
         (with_private ? std::string(R"(,"d":")") + k_rfc_d + "\"" : std::string()) + "}";
}

// canonical: what the history stores for a public JWK without escapes: its members
// sorted by name, no whitespace (computed here independently of the engine's writer).
std::string canonical(const std::string& jwk) {
  json_text j = read_json_text(jwk);
  EXPECT_TRUE(j.ok && j.is_object) << jwk;
  std::sort(j.members.begin(), j.members.end());
  std::string out = "{";
  for (const auto& [name, value] : j.members) {
    if (out.size() > 1) out += ',';
    out += '"' + name + "\":" + value;
  }
  return out + "}";
}

std::string jwks(const std::vector<std::string>& keys) {
  std::string out = R"({"keys":[)";
  for (std::size_t i = 0; i < keys.size(); ++i) out += (i == 0 ? "" : ",") + keys[i];
  return out + "]}";
}

// A signing key and its public JWK.
struct test_key {
  std::string kid;
  generated_key jwk;
  std::shared_ptr<const key_set> signer;

  test_key(alg a, std::string k) : kid(std::move(k)), jwk(generate_key(a, kid)) {
    key_set_builder b;
    b.expect_private_keys();
    b.add_jwks(jwk.private_jwk, "private " + kid);
    signer = b.build();
  }
  [[nodiscard]] std::string token(alg a = alg::es256) const {
    return sign_compact(*signer, kid, a, R"({"sub":"alice"})");
  }
};

// record: one snapshot, expecting no warning.
std::string record(const std::string& history, const std::string& set, const std::string& source,
                   double at, bool* changed_out = nullptr) {
  bool changed = false;
  std::vector<std::string> warnings;
  std::string out = record_snapshot(history, set, source, at, changed, warnings);
  EXPECT_TRUE(warnings.empty()) << warnings.front();
  if (changed_out != nullptr) *changed_out = changed;
  return out;
}

std::string refusal_of_parse(const std::string& doc, const std::string& origin = "march.json") {
  try {
    (void)key_history::parse(doc, origin);
  } catch (const config_error& e) {
    return e.what();
  }
  return "";
}

status verify_with(const std::shared_ptr<const key_set>& keys, const std::string& token,
                   double at) {
  const verifier v(keys);
  result r;
  v.verify_at(token, at, r);
  return r.code;
}

key_window window(std::string source, std::string kid, std::string jwk, double from,
                  std::optional<double> until) {
  return key_window{std::move(source), std::move(kid), std::move(jwk), from, until};
}

// ---- windows --------------------------------------------------------------------------

TEST(KeyHistory, WindowsOverDays) {
  const test_key a(alg::es256, "a");
  const test_key b(alg::es256, "b");
  const std::string src = "https://issuer.example/jwks.json";
  std::string h = record("", jwks({a.jwk.public_jwk}), src, k_day1);
  h = record(h, jwks({a.jwk.public_jwk, b.jwk.public_jwk}), src, k_day2);
  h = record(h, jwks({b.jwk.public_jwk}), src, k_day3);
  const auto history = key_history::parse(h, "h.json");
  const std::vector<key_window> expected = {
      window(src, "a", canonical(a.jwk.public_jwk), k_day1, k_day3),
      window(src, "b", canonical(b.jwk.public_jwk), k_day2, std::nullopt)};
  EXPECT_EQ(history->windows(), expected);
  EXPECT_TRUE(history->warnings().empty());

  const auto& periods = history->periods();
  ASSERT_EQ(periods.size(), 3U);
  EXPECT_EQ(periods[0].from, k_day1);
  EXPECT_EQ(periods[0].until, k_day2);
  EXPECT_EQ(periods[1].from, k_day2);
  EXPECT_EQ(periods[1].until, k_day3);
  EXPECT_EQ(periods[2].from, k_day3);
  EXPECT_EQ(periods[2].until, std::numeric_limits<double>::infinity());
  ASSERT_TRUE(periods[0].keys && periods[1].keys && periods[2].keys);
  EXPECT_EQ(periods[0].keys->size(), 1U);
  EXPECT_EQ(periods[1].keys->size(), 2U);
  EXPECT_EQ(periods[2].keys->size(), 1U);

  // A March token is judged with March's keys: a's token passes in days 1 and 2, and in
  // day 3 its kid is no longer trusted.
  const std::string token_a = a.token();
  const std::string token_b = b.token();
  EXPECT_EQ(verify_with(periods[0].keys, token_a, k_day1 + 10), status::ok);
  EXPECT_EQ(verify_with(periods[1].keys, token_a, k_day2 + 10), status::ok);
  EXPECT_EQ(verify_with(periods[2].keys, token_a, k_day3 + 10), status::key_not_found);
  EXPECT_EQ(verify_with(periods[0].keys, token_b, k_day1 + 10), status::key_not_found);
  EXPECT_EQ(verify_with(periods[1].keys, token_b, k_day2 + 10), status::ok);
  EXPECT_EQ(verify_with(periods[2].keys, token_b, k_day3 + 10), status::ok);
}

TEST(KeyHistory, SameKidNewMaterialIsANewWindow) {
  const test_key old_k(alg::es256, "k");
  const test_key new_k(alg::es256, "k");
  std::string h = record("", jwks({old_k.jwk.public_jwk}), "s", k_day1);
  h = record(h, jwks({new_k.jwk.public_jwk}), "s", k_day2);
  const auto history = key_history::parse(h, "h.json");
  const std::vector<key_window> expected = {
      window("s", "k", canonical(old_k.jwk.public_jwk), k_day1, k_day2),
      window("s", "k", canonical(new_k.jwk.public_jwk), k_day2, std::nullopt)};
  EXPECT_EQ(history->windows(), expected);
  const auto& periods = history->periods();
  ASSERT_EQ(periods.size(), 2U);
  EXPECT_EQ(verify_with(periods[0].keys, old_k.token(), k_day1), status::ok);
  EXPECT_EQ(verify_with(periods[1].keys, new_k.token(), k_day2), status::ok);
  // Same kid, other key: the signature does not verify.
  EXPECT_NE(verify_with(periods[0].keys, new_k.token(), k_day1), status::ok);
  EXPECT_NE(verify_with(periods[1].keys, old_k.token(), k_day2), status::ok);
}

TEST(KeyHistory, OutOfOrderRecordingGivesTheSameDocument) {
  const test_key a(alg::es256, "a");
  const test_key b(alg::es256, "b");
  const std::string day1 = jwks({a.jwk.public_jwk});
  const std::string day2 = jwks({a.jwk.public_jwk, b.jwk.public_jwk});
  const std::string day3 = jwks({b.jwk.public_jwk});
  std::string in_order = record("", day1, "s", k_day1);
  in_order = record(in_order, day2, "s", k_day2);
  in_order = record(in_order, day3, "s", k_day3);
  std::string shuffled = record("", day3, "s", k_day3);
  shuffled = record(shuffled, day1, "s", k_day1);
  shuffled = record(shuffled, day2, "s", k_day2);
  EXPECT_EQ(shuffled, in_order);
  // Day 2 recorded first, then day 1 (same keys as day 2 minus b) and day 3.
  std::string other = record("", day2, "s", k_day2);
  other = record(other, day3, "s", k_day3);
  other = record(other, day1, "s", k_day1);
  EXPECT_EQ(other, in_order);
}

TEST(KeyHistory, RecordingIsIdempotent) {
  const test_key a(alg::es256, "a");
  const test_key b(alg::es256, "b");
  std::string h = record("", jwks({a.jwk.public_jwk}), "s", k_day1);
  h = record(h, jwks({a.jwk.public_jwk, b.jwk.public_jwk}), "s", k_day3);
  bool changed = true;
  // The same snapshot twice.
  EXPECT_EQ(record(h, jwks({a.jwk.public_jwk}), "s", k_day1, &changed), h);
  EXPECT_FALSE(changed);
  // The same keys at a time between snapshots, and after the last one, in another order.
  EXPECT_EQ(record(h, jwks({a.jwk.public_jwk}), "s", k_day2, &changed), h);
  EXPECT_FALSE(changed);
  EXPECT_EQ(record(h, jwks({b.jwk.public_jwk, a.jwk.public_jwk}), "s", k_day3 + k_day, &changed),
            h);
  EXPECT_FALSE(changed);
  // The private JWK of a listed key is the same public key.
  EXPECT_EQ(record(h, jwks({a.jwk.private_jwk}), "s", k_day1 + 1, &changed), h);
  EXPECT_FALSE(changed);
  // An earlier snapshot with the same keys moves the window's start: a change.
  const std::string earlier = record(h, jwks({a.jwk.public_jwk}), "s", k_day1 - k_day, &changed);
  EXPECT_TRUE(changed);
  EXPECT_EQ(key_history::parse(earlier, "h")->windows().front().from, k_day1 - k_day);
  EXPECT_EQ(key_history::parse(earlier, "h")->periods().size(), 2U);
}

TEST(KeyHistory, SourcesDoNotCloseEachOthersWindows) {
  const test_key a(alg::es256, "a");
  const test_key b(alg::es256, "b");
  std::string h = record("", jwks({a.jwk.public_jwk}), "one", k_day1);
  h = record(h, jwks({b.jwk.public_jwk}), "two", k_day2);
  bool changed = true;
  h = record(h, jwks({a.jwk.public_jwk}), "one", k_day3, &changed);
  EXPECT_FALSE(changed);
  const auto history = key_history::parse(h, "h.json");
  const std::vector<key_window> expected = {
      window("one", "a", canonical(a.jwk.public_jwk), k_day1, std::nullopt),
      window("two", "b", canonical(b.jwk.public_jwk), k_day2, std::nullopt)};
  EXPECT_EQ(history->windows(), expected);
  ASSERT_EQ(history->periods().size(), 2U);
  EXPECT_EQ(history->periods()[0].keys->size(), 1U);
  EXPECT_EQ(history->periods()[1].keys->size(), 2U);
  EXPECT_EQ(verify_with(history->periods()[1].keys, a.token(), k_day2), status::ok);
  EXPECT_EQ(verify_with(history->periods()[1].keys, b.token(), k_day2), status::ok);
}

TEST(KeyHistory, OneKeyFromTwoSourcesIsOneKey) {
  const test_key a(alg::es256, "a");
  std::string h = record("", jwks({a.jwk.public_jwk}), "one", k_day1);
  h = record(h, jwks({a.jwk.public_jwk}), "two", k_day1);
  const auto history = key_history::parse(h, "h.json");
  EXPECT_EQ(history->windows().size(), 2U);
  ASSERT_EQ(history->periods().size(), 1U);
  ASSERT_TRUE(history->periods()[0].keys);
  EXPECT_EQ(history->periods()[0].keys->size(), 1U);
  EXPECT_TRUE(history->warnings().empty());
}

TEST(KeyHistory, OneKidTwoKeysInOnePeriodRefusesBoth) {
  const test_key x(alg::es256, "k");
  const test_key y(alg::es256, "k");
  const test_key z(alg::es256, "z");
  std::string h = record("", jwks({x.jwk.public_jwk, z.jwk.public_jwk}), "one", k_day1);
  h = record(h, jwks({y.jwk.public_jwk}), "two", k_day2);
  const auto history = key_history::parse(h, "h.json");
  ASSERT_EQ(history->periods().size(), 2U);
  EXPECT_EQ(verify_with(history->periods()[0].keys, x.token(), k_day1), status::ok);
  ASSERT_TRUE(history->periods()[1].keys);
  EXPECT_EQ(history->periods()[1].keys->size(), 1U);  // z only
  EXPECT_EQ(verify_with(history->periods()[1].keys, x.token(), k_day2), status::key_not_found);
  EXPECT_EQ(verify_with(history->periods()[1].keys, z.token(), k_day2), status::ok);
  ASSERT_EQ(history->warnings().size(), 2U);
  for (const std::string& w : history->warnings()) {
    EXPECT_NE(w.find("h.json ("), std::string::npos) << w;
    EXPECT_NE(w.find("refused: kid \"k\" is used by 2 keys (ambiguous)"), std::string::npos) << w;
  }
  // Only the kid "k" of the second period: a period of k alone has no set at all.
  std::string lone = record("", jwks({x.jwk.public_jwk}), "one", k_day1);
  lone = record(lone, jwks({y.jwk.public_jwk}), "two", k_day2);
  const auto lone_history = key_history::parse(lone, "lone.json");
  ASSERT_EQ(lone_history->periods().size(), 2U);
  EXPECT_TRUE(lone_history->periods()[0].keys);
  EXPECT_FALSE(lone_history->periods()[1].keys);
  ASSERT_EQ(lone_history->warnings().size(), 1U);
  const std::string& why = lone_history->warnings()[0];
  EXPECT_EQ(why.rfind("lone.json: no key set from 2026-03-02T00:00:00Z: no usable key\n", 0), 0U)
      << why;
  EXPECT_NE(why.find("refused: kid \"k\" is used by 2 keys (ambiguous)"), std::string::npos) << why;
}

// ---- periods and kids -----------------------------------------------------------------

TEST(KeyHistory, PeriodAtBoundaries) {
  const test_key a(alg::es256, "a");
  const test_key b(alg::es256, "b");
  std::string h = record("", jwks({a.jwk.public_jwk}), "s", k_day1);
  h = record(h, jwks({a.jwk.public_jwk, b.jwk.public_jwk}), "s", k_day2);
  h = record(h, jwks({b.jwk.public_jwk}), "s", k_day3);
  const auto history = key_history::parse(h, "h.json");
  EXPECT_EQ(history->period_at(0), key_history::npos);
  EXPECT_EQ(history->period_at(k_day1 - 0.001), key_history::npos);
  EXPECT_EQ(history->period_at(k_day1), 0U);  // from is inclusive
  EXPECT_EQ(history->period_at(k_day2 - 0.001), 0U);
  EXPECT_EQ(history->period_at(k_day2), 1U);  // until is exclusive
  EXPECT_EQ(history->period_at(k_day3 - 0.5), 1U);
  EXPECT_EQ(history->period_at(k_day3), 2U);
  EXPECT_EQ(history->period_at(4e11), 2U);
  EXPECT_EQ(history->period_at(std::numeric_limits<double>::infinity()), 2U);
  EXPECT_EQ(history->period_at(-std::numeric_limits<double>::infinity()), key_history::npos);
  EXPECT_EQ(history->period_at(std::nan("")), key_history::npos);

  const auto empty = key_history::parse(R"({"jwtbatch_key_history":1,"snapshots":[]})", "e");
  EXPECT_TRUE(empty->periods().empty());
  EXPECT_TRUE(empty->windows().empty());
  EXPECT_EQ(empty->period_at(k_day1), key_history::npos);
  EXPECT_FALSE(empty->knows_kid("a"));
}

TEST(KeyHistory, KnowsKidByExactBytes) {
  const test_key a(alg::es256, "a");
  const test_key b(alg::es256, "b\xC3\xA9");
  std::string h = record("", jwks({a.jwk.public_jwk}), "s", k_day1);
  h = record(h, jwks({b.jwk.public_jwk}), "s", k_day2);  // a retired: still known
  const auto history = key_history::parse(h, "h.json");
  EXPECT_TRUE(history->knows_kid("a"));
  EXPECT_TRUE(history->knows_kid("b\xC3\xA9"));
  EXPECT_FALSE(history->knows_kid("A"));
  EXPECT_FALSE(history->knows_kid("b"));
  EXPECT_FALSE(history->knows_kid(""));
  EXPECT_FALSE(history->knows_kid(std::string_view("a\0", 2)));
}

// ---- what is stored -------------------------------------------------------------------

TEST(KeyHistory, DocumentFormat) {
  bool changed = false;
  std::vector<std::string> warnings;
  std::string h = record_snapshot("", rfc_jwk(false), "https://issuer.example/jwks.json", k_day1,
                                  changed, warnings);
  EXPECT_TRUE(changed);
  h = record_snapshot(h, rfc_jwk(false), "file.jwks", k_day2 + 0.25, changed, warnings);
  EXPECT_TRUE(changed);
  const std::string key = std::string(R"({"crv":"P-256","kid":"a","kty":"EC","use":"sig","x":")") +
                          k_rfc_x + R"(","y":")" + k_rfc_y + R"("})";
  EXPECT_EQ(h, std::string(R"({
  "jwtbatch_key_history": 1,
  "snapshots": [
    {
      "source": "https://issuer.example/jwks.json",
      "at": 1772323200,
      "time": "2026-03-01T00:00:00Z",
      "keys": [
        )") + key + R"(
      ]
    },
    {
      "source": "file.jwks",
      "at": 1772409600.25,
      "time": "2026-03-02T00:00:00.250Z",
      "keys": [
        )" + key + R"(
      ]
    }
  ]
}
)");
  // The document reads back as it was written, with "time" informational only.
  const auto history = key_history::parse(h, "h.json");
  ASSERT_EQ(history->windows().size(), 2U);
  EXPECT_EQ(history->windows()[0].source, "file.jwks");  // sorted by source first
  EXPECT_EQ(history->windows()[0].from, k_day2 + 0.25);
  EXPECT_EQ(history->windows()[1].source, "https://issuer.example/jwks.json");
  EXPECT_EQ(history->windows()[1].from, k_day1);
}

TEST(KeyHistory, PrivateMembersAreDropped) {
  bool changed = false;
  std::vector<std::string> warnings;
  const std::string h = record_snapshot("", jwks({rfc_jwk(true)}), "s", k_day1, changed, warnings);
  EXPECT_EQ(h.find(k_rfc_d), std::string::npos);
  EXPECT_EQ(h.find("\"d\""), std::string::npos);
  const auto history = key_history::parse(h, "h.json");
  ASSERT_EQ(history->windows().size(), 1U);
  EXPECT_EQ(history->windows()[0].jwk, canonical(rfc_jwk(false)));
  EXPECT_FALSE(history->periods()[0].keys->describe()[0].can_sign);

  // RSA: d, p, q, dp, dq, qi all go; n, e, kid, alg, use stay.
  const test_key r(alg::rs256, "r");
  const std::string rh = record("", jwks({r.jwk.private_jwk}), "s", k_day1);
  for (const char* member : {"\"d\"", "\"p\"", "\"q\"", "\"dp\"", "\"dq\"", "\"qi\""}) {
    EXPECT_EQ(rh.find(member), std::string::npos) << member;
  }
  const auto rsa_history = key_history::parse(rh, "h.json");
  EXPECT_EQ(rsa_history->windows()[0].jwk, canonical(r.jwk.public_jwk));
  EXPECT_EQ(verify_with(rsa_history->periods()[0].keys, r.token(alg::rs256), k_day1), status::ok);
}

TEST(KeyHistory, HmacKeysAreRefused) {
  const test_key secret(alg::hs256, "h");
  const test_key a(alg::es256, "a");
  for (const std::string& set : {jwks({secret.jwk.private_jwk}), secret.jwk.private_jwk,
                                 jwks({a.jwk.public_jwk, secret.jwk.private_jwk})}) {
    bool changed = true;
    std::vector<std::string> warnings;
    try {
      (void)record_snapshot("", set, "keys.json", k_day1, changed, warnings);
      ADD_FAILURE() << "an oct key was recorded";
    } catch (const config_error& e) {
      const std::string what = e.what();
      EXPECT_EQ(what.rfind("keys.json: key ", 0), 0U) << what;
      EXPECT_NE(what.find("(kid \"h\"): an HMAC secret (\"kty\": \"oct\"); a key history holds "
                          "public keys only"),
                std::string::npos)
          << what;
    }
    EXPECT_FALSE(changed);
  }
  // Nor read from a document.
  const std::string doc = std::string(R"({"jwtbatch_key_history":1,"snapshots":[{"source":"s",)") +
                          R"("at":1,"keys":[)" + secret.jwk.private_jwk + "]}]}";
  EXPECT_EQ(refusal_of_parse(doc),
            "march.json: snapshot 0 (s at 1970-01-01T00:00:01Z): key 0: an HMAC secret (\"kty\": "
            "\"oct\"); a key history holds public keys only");
}

TEST(KeyHistory, SkippedKeysAreNotRecorded) {
  const test_key a(alg::es256, "a");
  // Not on the curve: the builder skips it, and a's twin under kid "bad" too.
  const std::string bad = std::string(R"({"kty":"EC","crv":"P-256","kid":"bad","x":")") + k_rfc_x +
                          R"(","y":")" + k_rfc_x + "\"}";
  bool changed = false;
  std::vector<std::string> warnings;
  const std::string h =
      record_snapshot("", jwks({a.jwk.public_jwk, bad}), "keys.json", k_day1, changed, warnings);
  EXPECT_TRUE(changed);
  ASSERT_EQ(warnings.size(), 1U);
  EXPECT_EQ(warnings[0], "keys.json: key 1 (kid \"bad\"): skipped: EC point is not on P-256");
  const auto history = key_history::parse(h, "h.json");
  ASSERT_EQ(history->windows().size(), 1U);
  EXPECT_EQ(history->windows()[0].kid, "a");
  EXPECT_FALSE(history->knows_kid("bad"));

  // A usable key whose kid a skipped key claims is not recorded either (ambiguous).
  std::string twin = a.jwk.public_jwk;
  twin.replace(twin.find(R"("kid":"a")"), 9, R"("kid":"bad")");
  warnings.clear();
  const std::string h2 = record_snapshot("", jwks({a.jwk.public_jwk, twin, bad}), "keys.json",
                                         k_day1, changed, warnings);
  EXPECT_EQ(key_history::parse(h2, "h.json")->windows().size(), 1U);
  EXPECT_EQ(warnings.size(), 2U);

  // Nothing usable: the builder's refusal.
  warnings.clear();
  try {
    (void)record_snapshot("", jwks({bad}), "keys.json", k_day1, changed, warnings);
    ADD_FAILURE() << "recorded a snapshot without a usable key";
  } catch (const config_error& e) {
    EXPECT_EQ(std::string(e.what()).rfind("keys.json: no usable key", 0), 0U) << e.what();
  }
}

TEST(KeyHistory, OneKidTwiceInOneSnapshotIsRecordedWithAWarning) {
  const test_key x(alg::es256, "k");
  const test_key y(alg::es256, "k");
  bool changed = false;
  std::vector<std::string> warnings;
  const std::string h = record_snapshot("", jwks({x.jwk.public_jwk, y.jwk.public_jwk}), "keys.json",
                                        k_day1, changed, warnings);
  ASSERT_EQ(warnings.size(), 1U);
  EXPECT_EQ(warnings[0],
            "keys.json: kid \"k\" is used by 2 keys: recorded, but refused (ambiguous) where "
            "they are valid");
  const auto history = key_history::parse(h, "h.json");
  EXPECT_EQ(history->windows().size(), 2U);
  ASSERT_EQ(history->periods().size(), 1U);
  EXPECT_FALSE(history->periods()[0].keys);
  EXPECT_TRUE(history->knows_kid("k"));
}

// ---- refusals -------------------------------------------------------------------------

TEST(KeyHistory, CorruptDocumentsNameTheirOrigin) {
  const std::string key = rfc_jwk(false);
  const std::string head = R"({"jwtbatch_key_history":1,"snapshots":[)";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"{not json", "march.json: not JSON ("},
      {"[]",
       "march.json: not a key history (expected a JSON object with "
       "\"jwtbatch_key_history\": 1)"},
      {R"({"snapshots":[]})", "march.json: not a key history"},
      {R"({"jwtbatch_key_history":2,"snapshots":[]})",
       "march.json: \"jwtbatch_key_history\" is 2; this jwtbatch reads version 1"},
      {R"({"jwtbatch_key_history":1})", "march.json: no \"snapshots\" array"},
      {R"({"jwtbatch_key_history":1,"snapshots":[],"x":1})", "march.json: unknown member \"x\""},
      {R"({"jwtbatch_key_history":1,"jwtbatch_key_history":1,"snapshots":[]})",
       "march.json: a member name appears twice in one object"},
      {head + R"({"source":"s","keys":[]}]})",
       "march.json: snapshot 0: no \"at\" (the snapshot's time, Unix seconds)"},
      {head + R"({"at":1,"keys":[]}]})", "march.json: snapshot 0: no \"source\""},
      {head + R"({"source":"s","at":-1,"keys":[]}]})",
       "march.json: snapshot 0: \"at\" must be Unix seconds from 1970 to 9999"},
      {head + R"({"source":"s","at":"1","keys":[]}]})",
       "march.json: snapshot 0: \"at\" must be Unix seconds from 1970 to 9999"},
      {head + R"({"source":"s","at":1,"keys":[1]}]})",
       "march.json: snapshot 0 (s at 1970-01-01T00:00:01Z): key 0: not a JWK object"},
      {head + R"({"source":"s","at":1,"keys":[)" + rfc_jwk(true) + "]}]}",
       "march.json: snapshot 0 (s at 1970-01-01T00:00:01Z): key 0: holds private key members; "
       "a key history holds public keys only"},
      {head + R"({"source":"s","at":1,"keys":[]},{"source":"s","at":1.0,"keys":[]}]})",
       "march.json: two snapshots of s at 1970-01-01T00:00:01Z"},
      {head + R"({"source":"s","at":1,"keys":[{"kty":"EC","crv":"P-256","x":"AA","y":"AA"}]}]})",
       "march.json (s at 1970-01-01T00:00:01Z): no usable key\n  march.json (s at "
       "1970-01-01T00:00:01Z): key 0: skipped: EC coordinates must be 32 bytes for P-256"},
  };
  for (const auto& [doc, message] : cases) {
    const std::string what = refusal_of_parse(doc);
    EXPECT_EQ(what.rfind(message, 0), 0U) << doc << "\n  gave: " << what;
  }
  // A good document for contrast.
  EXPECT_EQ(refusal_of_parse(head + R"({"source":"s","at":1,"time":"x","keys":[)" + key + "]}]}"),
            "");
  // record_snapshot names the history it was given "key history".
  bool changed = false;
  std::vector<std::string> warnings;
  try {
    (void)record_snapshot("{", key, "s", k_day1, changed, warnings);
    ADD_FAILURE();
  } catch (const config_error& e) {
    EXPECT_EQ(std::string(e.what()).rfind("key history: not JSON (", 0), 0U) << e.what();
  }
  EXPECT_THROW((void)record_snapshot("", key, "s", -1, changed, warnings), config_error);
  EXPECT_THROW((void)record_snapshot("", key, "", k_day1, changed, warnings), config_error);
  EXPECT_THROW((void)record_snapshot("", "not json", "s", k_day1, changed, warnings), config_error);
}

// ---- files ----------------------------------------------------------------------------

class temp_dir {
 public:
  temp_dir() {
    std::string tmpl = ::testing::TempDir() + "key_history_XXXXXX";
    EXPECT_NE(::mkdtemp(tmpl.data()), nullptr) << tmpl;
    path_ = tmpl;
  }
  ~temp_dir() { (void)std::system(("rm -rf '" + path_ + "'").c_str()); }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
  [[nodiscard]] std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

std::string read_whole(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(KeyHistory, LoadReadsFilesWithTheKeyFileChecks) {
  const temp_dir dir;
  const std::string path = dir.file("h.json");
  write_file(path, record("", rfc_jwk(false), "s", k_day1));
  EXPECT_EQ(key_history::load(path)->windows().size(), 1U);
  try {
    (void)key_history::load(dir.file("missing.json"));
    ADD_FAILURE();
  } catch (const config_error& e) {
    EXPECT_EQ(std::string(e.what()),
              dir.file("missing.json") + ": cannot open key file: No such file or directory");
  }
  try {
    (void)key_history::load(dir.file(""));
    ADD_FAILURE();
  } catch (const config_error& e) {
    EXPECT_NE(std::string(e.what()).find("not a regular file (a directory)"), std::string::npos)
        << e.what();
  }
  write_file(path, "{");
  try {
    (void)key_history::load(path);
    ADD_FAILURE();
  } catch (const config_error& e) {
    EXPECT_EQ(std::string(e.what()).rfind(path + ": not JSON (", 0), 0U) << e.what();
  }
}

// ---- jwtbatch keys snapshot -----------------------------------------------------------

struct run_output {
  std::string err;
};

run_output run(const cli::snapshot_options& o) {
  std::FILE* err = std::tmpfile();
  std::FILE* out = std::tmpfile();
  EXPECT_EQ(cli::run_snapshot(o, out, err), 0);
  std::rewind(err);
  std::string text;
  char buf[4096];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, err)) > 0;) text.append(buf, n);
  EXPECT_EQ(std::ftell(out), 0L);  // nothing on stdout
  std::fclose(err);
  std::fclose(out);
  return {text};
}

TEST(KeysSnapshotCommand, RecordsAndReportsChanges) {
  const temp_dir dir;
  const test_key a(alg::es256, "a");
  const test_key b(alg::es256, "b");
  const std::string set = dir.file("jwks.json");
  const std::string hist = dir.file("history.json");
  cli::snapshot_options o;
  o.jwks = {set};
  o.history = hist;
  o.source = "https://issuer.example/jwks.json";

  write_file(set, jwks({a.jwk.public_jwk}));
  o.at = "2026-03-01T00:00:00Z";
  EXPECT_EQ(run(o).err,
            "jwtbatch keys snapshot: https://issuer.example/jwks.json at 2026-03-01T00:00:00Z: "
            "1 key, 1 new, 0 retired\n");
  const std::string first = read_whole(hist);
  EXPECT_EQ(first, record("", jwks({a.jwk.public_jwk}), o.source, k_day1));

  o.at = "1772366400";  // noon of day 1, same keys
  EXPECT_EQ(run(o).err,
            "jwtbatch keys snapshot: https://issuer.example/jwks.json at 2026-03-01T12:00:00Z: "
            "unchanged\n");
  EXPECT_EQ(read_whole(hist), first);

  write_file(set, jwks({a.jwk.public_jwk, b.jwk.public_jwk}));
  o.at = "2026-03-02T00:00:00Z";
  EXPECT_EQ(run(o).err,
            "jwtbatch keys snapshot: https://issuer.example/jwks.json at 2026-03-02T00:00:00Z: "
            "2 keys, 1 new, 0 retired\n");
  write_file(set, jwks({b.jwk.public_jwk}));
  o.at = "2026-03-03T00:00:00+00:00";
  EXPECT_EQ(run(o).err,
            "jwtbatch keys snapshot: https://issuer.example/jwks.json at 2026-03-03T00:00:00Z: "
            "1 key, 0 new, 1 retired\n");
  const auto history = key_history::load(hist);
  ASSERT_EQ(history->windows().size(), 2U);
  EXPECT_EQ(history->windows()[0].until, k_day3);

  // Without --source the file name is the source; a warning for a skipped key.
  const std::string bad = std::string(R"({"kty":"EC","crv":"P-256","kid":"bad","x":")") + k_rfc_x +
                          R"(","y":")" + k_rfc_x + "\"}";
  write_file(set, jwks({a.jwk.public_jwk, bad}));
  o.source.clear();
  o.at = "1772323200.5";
  EXPECT_EQ(run(o).err, "jwtbatch: warning: " + set +
                            ": key 1 (kid \"bad\"): skipped: EC point is not on P-256\n"
                            "jwtbatch keys snapshot: " +
                            set + " at 2026-03-01T00:00:00.500Z: 1 key, 1 new, 0 retired\n");
  EXPECT_EQ(key_history::load(hist)->windows().size(), 3U);
}

TEST(KeysSnapshotCommand, RefusesWithoutWriting) {
  const temp_dir dir;
  const std::string set = dir.file("jwks.json");
  const std::string hist = dir.file("history.json");
  cli::snapshot_options o;
  o.jwks = {set};
  o.history = hist;
  o.at = "1772323200";
  const auto refusal = [&] {
    try {
      (void)cli::run_snapshot(o, stdout, stderr);
    } catch (const config_error& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_EQ(refusal(), "--jwks " + set + ": cannot open key file: No such file or directory");
  write_file(set, generate_key(alg::hs256, "h").private_jwk);
  EXPECT_NE(refusal().find("a key history holds public keys only"), std::string::npos);
  // A bad set named by its flag and file, also when --source names the snapshot.
  write_file(set, "{\"keys\":[]}");
  o.source = "idp";
  const std::string named = refusal();
  EXPECT_EQ(named.rfind("--jwks " + set + ": idp: ", 0), 0U) << named;
  o.source.clear();
  write_file(set, rfc_jwk(false));
  write_file(hist, "{\"jwtbatch_key_history\": 7, \"snapshots\": []}");
  EXPECT_EQ(refusal(), hist + ": \"jwtbatch_key_history\" is 7; this jwtbatch reads version 1");
  EXPECT_EQ(read_whole(hist), "{\"jwtbatch_key_history\": 7, \"snapshots\": []}");
  ::unlink(hist.c_str());
  o.at = "yesterday";
  EXPECT_EQ(refusal().rfind("--at \"yesterday\": ", 0), 0U);
  struct stat st {};
  EXPECT_NE(::stat(hist.c_str(), &st), 0);  // nothing created
  o.at = "1772323200";
  o.jwks = {set, set};
  o.source = "s";
  EXPECT_EQ(refusal(),
            "--source names one snapshot; give one --jwks, --jwks-url or --oidc-issuer with it");
  o.jwks.clear();
  o.source.clear();
  EXPECT_EQ(refusal(), "no keys to record: give --jwks FILE, --jwks-url URL or --oidc-issuer URL");
  o.jwks_urls = {"https://127.0.0.1:1/jwks.json"};
  o.jwks_ca = "/nonexistent/ca.pem";
  EXPECT_EQ(refusal(), "--jwks-ca /nonexistent/ca.pem: cannot read: No such file or directory");
}

// ---- a verifier over a history -------------------------------------------------------

// a from day 1 to day 3, b from day 2 on, a2 (a's kid with new material) from day 3 on.
struct rotation {
  test_key a{alg::es256, "a"};
  test_key b{alg::es256, "b"};
  test_key a2{alg::es256, "a"};
  std::shared_ptr<const key_history> history;
  rotation() {
    const std::string src = "https://issuer.example/jwks.json";
    std::string h = record("", jwks({a.jwk.public_jwk}), src, k_day1);
    h = record(h, jwks({a.jwk.public_jwk, b.jwk.public_jwk}), src, k_day2);
    h = record(h, jwks({b.jwk.public_jwk, a2.jwk.public_jwk}), src, k_day3);
    history = key_history::parse(h, "h.json");
  }
};

status verify_at(const verifier& v, const std::string& token, double at) {
  result r;
  v.verify_at(token, at, r);
  return r.code;
}

TEST(HistoryVerifier, EachTokenIsJudgedWithTheKeysOfItsTime) {
  const rotation r;
  const verifier v(r.history);
  const std::string ta = r.a.token();
  const std::string tb = r.b.token();
  const std::string ta2 = r.a2.token();
  EXPECT_EQ(verify_at(v, ta, k_day1 + 10), status::ok);
  EXPECT_EQ(verify_at(v, ta, k_day2 + 10), status::ok);
  // Day 3: kid "a" is a2's, whose key does not check a's signature.
  EXPECT_EQ(verify_at(v, ta, k_day3 + 10), status::bad_signature);
  EXPECT_EQ(verify_at(v, ta2, k_day3 + 10), status::ok);
  EXPECT_EQ(verify_at(v, ta2, k_day2 + 10), status::bad_signature);
  // b is known, but not on day 1, nor before the first snapshot.
  EXPECT_EQ(verify_at(v, tb, k_day1 + 10), status::key_outside_window);
  EXPECT_EQ(verify_at(v, tb, k_day1 - 10), status::key_outside_window);
  EXPECT_EQ(verify_at(v, tb, k_day2), status::ok);  // from is inclusive
  // A kid the history never saw stays key_not_found.
  const test_key z(alg::es256, "z");
  EXPECT_EQ(verify_at(v, z.token(), k_day2 + 10), status::key_not_found);
  // keys(): the newest period's set.
  EXPECT_EQ(v.keys().size(), 2U);
  EXPECT_EQ(v.history(), r.history.get());
}

TEST(HistoryVerifier, TheCacheKeepsVerdictsPerPeriod) {
  const rotation r;
  auto cache = std::make_shared<token_cache>(
      cache_options{.max_entries = 64, .admission = cache_admission::first_sight});
  const verifier v(r.history, policy{}, cache);
  const std::string ta = r.a.token();
  EXPECT_EQ(verify_at(v, ta, k_day1 + 10), status::ok);
  EXPECT_EQ(verify_at(v, ta, k_day1 + 20), status::ok);  // same period: a hit
  EXPECT_EQ(cache->stats().hits, 1U);
  // Another period: never the day-1 verdict.
  EXPECT_EQ(verify_at(v, ta, k_day3 + 10), status::bad_signature);
  EXPECT_EQ(verify_at(v, ta, k_day2 + 10), status::ok);
  EXPECT_EQ(verify_at(v, ta, k_day2 + 20), status::ok);
  EXPECT_EQ(cache->stats().hits, 2U);
}

TEST(HistoryVerifier, NeedsAHistoryWithKeys) {
  EXPECT_THROW(verifier(std::shared_ptr<const key_history>()), config_error);
  const auto empty = key_history::parse(R"({"jwtbatch_key_history":1,"snapshots":[]})", "e.json");
  EXPECT_THROW((verifier(empty)), config_error);
}

// A kid published in a period whose set refused it (two keys share it) was valid then:
// key_not_found, not key_outside_window, which tells an auditor the key was not
// published at that time.
TEST(HistoryVerifier, AKidRefusedInAPeriodWasStillPublishedThen) {
  const test_key x(alg::es256, "k");
  const test_key y(alg::es256, "k");
  const test_key z(alg::es256, "z");
  std::string h = record("", jwks({x.jwk.public_jwk, z.jwk.public_jwk}), "one", k_day1);
  h = record(h, jwks({y.jwk.public_jwk}), "two", k_day2);
  h = record(h, jwks({z.jwk.public_jwk}), "one", k_day3);
  const auto history = key_history::parse(h, "h.json");
  ASSERT_EQ(history->periods().size(), 3U);
  EXPECT_EQ(history->periods()[0].kids, (std::vector<std::string>{"k", "z"}));
  EXPECT_EQ(history->periods()[1].kids, (std::vector<std::string>{"k", "z"}));  // k twice: once
  EXPECT_EQ(history->periods()[2].kids, (std::vector<std::string>{"k", "z"}));  // y still listed
  EXPECT_TRUE(history->published_in(1, "k"));
  EXPECT_FALSE(history->published_in(1, "a"));
  const verifier v(history);
  EXPECT_EQ(verify_at(v, x.token(), k_day1 + 10), status::ok);
  EXPECT_EQ(verify_at(v, x.token(), k_day2 + 10), status::key_not_found);
  EXPECT_EQ(verify_at(v, x.token(), k_day1 - 10), status::key_outside_window);
  // Source "one" dropped x on day 3; "two" still lists y: k is y's alone again.
  EXPECT_EQ(verify_at(v, x.token(), k_day3 + 10), status::bad_signature);
  EXPECT_EQ(verify_at(v, y.token(), k_day3 + 10), status::ok);
}

}  // namespace
}  // namespace jwtbatch
