#include "scan.hpp"

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace jwtbatch::cli {
namespace {

// Token texts: a signed token, a second one, an unsigned alg:none token (ends in '.'),
// and a hostile spelling of the first with '=' padding and '+' '/' in the signature.
constexpr std::string_view kT1 =
    "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.dBjftJeZ4CVPmB92K27uhbUJU1p1r_wW1gFWFOEjXk";
constexpr std::string_view kT2 = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiIyIn0.MEUCIQ-_x";
constexpr std::string_view kNone = "eyJhbGciOiJub25lIn0.eyJzdWIiOiIzIn0.";
constexpr std::string_view kHostile = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0=.c2ln+/==";

using found = std::vector<std::pair<std::size_t, std::string>>;

// scan returns (offset, token) pairs, and checks that every view points into `line`
// at its offset (no copies).
found scan(std::string_view line) {
  std::vector<found_token> out;
  find_tokens(line, out);
  found r;
  for (const found_token& t : out) {
    EXPECT_EQ(t.token.data(), line.data() + t.offset);
    r.emplace_back(t.offset, std::string(t.token));
  }
  return r;
}

std::string cat(std::initializer_list<std::string_view> parts) {
  std::string s;
  for (const std::string_view p : parts) s += p;
  return s;
}

found one(std::size_t offset, std::string_view token) {
  return {{offset, std::string(token)}};
}

// Offsets below were counted independently (Python: re.finditer over the same strings).

TEST(FindTokens, NginxCombinedQuotedBearerField) {
  const std::string line =
      cat({R"(203.0.113.9 - - [10/Oct/2023:13:55:36 +0000] )",
           R"("GET /api/me HTTP/1.1" 200 512 "-" "curl/8.4.0" "Bearer )", kT1, R"(")"});
  EXPECT_EQ(scan(line), one(101, kT1));
}

TEST(FindTokens, ApacheAuthorizationHeaderAnyCaseSeveralSpaces) {
  const std::string line =
      cat({R"(10.1.2.3 - alice [10/Oct/2000:13:55:36 -0700] )",
           R"("GET /x HTTP/1.0" 200 2326 "Authorization: bearer   )", kT2, R"(")"});
  EXPECT_EQ(scan(line), one(98, kT2));
  EXPECT_EQ(scan(cat({"AUTHORIZATION:BEARER\t", kT1})), one(21, kT1));
}

TEST(FindTokens, QueryStringParameter) {
  const std::string line = cat({"GET /cb?access_token=", kT1, "&x=1 HTTP/1.1"});
  EXPECT_EQ(scan(line), one(21, kT1));
  EXPECT_EQ(scan(cat({"POST /login id_token=", kT2, ";state=x"})), one(21, kT2));
  EXPECT_EQ(scan(cat({"form token=", kNone})), one(11, kNone));
}

TEST(FindTokens, CookieHeaders) {
  // _ga=GA1.2.3.4 has dots but no "ey" start: an ordinary cookie, not a token.
  EXPECT_EQ(scan(cat({"Cookie: theme=dark; session=", kT1, "; _ga=GA1.2.3.4"})), one(28, kT1));
  // Domain=example.com is no token either.
  EXPECT_EQ(scan(cat({"Set-Cookie: id=", kT2, "; Path=/; Domain=example.com; HttpOnly"})),
            one(15, kT2));
  // A hostile cookie value is taken whole, padding and all.
  EXPECT_EQ(scan(cat({"Cookie: a=1; jwt=", kHostile, "; b=2"})), one(17, kHostile));
}

TEST(FindTokens, JsonLogLineWithSeveralTokens) {
  const std::string line =
      cat({R"({"ts":"2023-10-10T13:55:36Z","access_token":")", kT1, R"(","user":{"id_token" : ")",
           kT2, R"("},"url":"/cb?token=)", kNone, R"(","msg":"got Bearer )", kT1, R"("})"});
  const found want = {{45, std::string(kT1)},
                      {148, std::string(kT2)},
                      {214, std::string(kNone)},
                      {270, std::string(kT1)}};
  EXPECT_EQ(scan(line), want);
}

TEST(FindTokens, JsonValuesAnyKeyButOnlyTokenShaped) {
  // Any member name, when the value starts with "ey" and has a '.'.
  EXPECT_EQ(scan(cat({R"({"jwt":")", kT1, R"("})"})), one(8, kT1));
  // Named members take any value with a dot, even a mangled one.
  EXPECT_EQ(scan(R"({"token":"abc.def"})"), one(10, "abc.def"));
  // Host names, URLs, versions and prose are not tokens.
  EXPECT_EQ(scan(R"({"host":"api.example.com","v":"1.2.3","msg":"done. ok."})"), found{});
  // A JSON value beginning with "Bearer " is read by the Bearer rule.
  EXPECT_EQ(scan(cat({R"({"token":"Bearer )", kT2, R"("})"})), one(17, kT2));
}

TEST(FindTokens, JsonEscapesAreKeptRaw) {
  // "\/" stays in the view (no copy, no unescaping): a '/' is not base64url either, so
  // the verdict (bad_base64) is the one the unescaped token would get.
  const std::string line = R"({"id_token":"eyJhbGciOiJIUzI1NiJ9.eyJ9.ab\/cd","n":1})";
  EXPECT_EQ(scan(line), one(13, R"(eyJhbGciOiJIUzI1NiJ9.eyJ9.ab\/cd)"));
  // An escaped quote does not end a JSON value.
  EXPECT_EQ(scan(R"({"t":"eyJa.b\"c","n":1})"), one(6, R"(eyJa.b\"c)"));
  // A whole log record embedded as a JSON string: the escaped quote ends the Bearer
  // value.
  EXPECT_EQ(scan(cat({R"({"log":"\"Authorization: Bearer )", kT1, R"(\" next"})"})), one(32, kT1));
}

TEST(FindTokens, TwoBareTokensOnOneLine) {
  EXPECT_EQ(scan(cat({"tokens ", kT1, " and ", kT2, " seen"})),
            (found{{7, std::string(kT1)}, {91, std::string(kT2)}}));
}

TEST(FindTokens, AlgNoneTokenEndingInDotIsFound) {
  EXPECT_EQ(scan(cat({"probe ", kNone, " from 10.0.0.1 then ", kNone})),
            (found{{6, std::string(kNone)}, {62, std::string(kNone)}}));
  EXPECT_EQ(scan(cat({"Bearer ", kNone})), one(7, kNone));
  // Sentence punctuation after an unsigned token is not part of it.
  EXPECT_EQ(scan(cat({"see ", kNone, "."})), one(4, kNone));
}

TEST(FindTokens, HostileBearerValueIsTakenWhole) {
  EXPECT_EQ(scan(cat({"Authorization: Bearer ", kHostile})), one(22, kHostile));
  EXPECT_EQ(scan(cat({"GET /?access_token=", kHostile, "&a=b"})), one(19, kHostile));
  // Also a value with percent-encoding: not decoded, reported as it is.
  EXPECT_EQ(scan("Bearer eyJhbGciOiJIUzI1NiJ9.eyJ9.c2ln%3D%3D"),
            one(7, "eyJhbGciOiJIUzI1NiJ9.eyJ9.c2ln%3D%3D"));
  // Outside an explicit context a hostile token is only found as clean base64url: its
  // first run has one dot, so nothing here is a bare token.
  EXPECT_EQ(scan(cat({"x ", kHostile})), found{});
}

TEST(FindTokens, OpaqueBearerAndParameterValuesAreNotReported) {
  EXPECT_EQ(scan("Authorization: Bearer abc123XYZ"), found{});
  EXPECT_EQ(scan(R"("GET / HTTP/1.1" 200 "Bearer 2YotnFZFEjr1zCsicMWpAA")"), found{});
  EXPECT_EQ(scan("GET /cb?access_token=opaque123&x=1"), found{});
  EXPECT_EQ(scan(R"({"token":"s3cr3t","refresh_token":"tGzv3JOkF0XG5Qx2TlKWIA"})"), found{});
  EXPECT_EQ(scan("Cookie: sid=GA1.2.3; csrf_token=abc.def"), found{});
  // Prose: "bearer" not followed by a value with a dot or an "ey" start.
  EXPECT_EQ(scan("the bearer of this message: nothing"), found{});
  // "Bearer" glued to a word is not the scheme.
  EXPECT_EQ(scan("X-Bearer abc.def"), found{});
}

TEST(FindTokens, TokensAtLineStartAndEnd) {
  EXPECT_EQ(scan(kT1), one(0, kT1));
  EXPECT_EQ(scan(cat({kT1, " x ", kT2})),
            (found{{0, std::string(kT1)}, {kT1.size() + 3, std::string(kT2)}}));
  EXPECT_EQ(scan(cat({"Bearer ", kT2})), one(7, kT2));
  EXPECT_EQ(scan(cat({"token=", kT1})), one(6, kT1));
  EXPECT_EQ(scan(""), found{});
}

TEST(FindTokens, AdjacentPunctuation) {
  for (const auto& [open, close] : std::vector<std::pair<std::string, std::string>>{{"(", ")"},
                                                                                    {"<", ">"},
                                                                                    {"[", "]"},
                                                                                    {"{", "}"},
                                                                                    {"'", "'"},
                                                                                    {"\"", "\";"},
                                                                                    {"x:", ","},
                                                                                    {"|", "|"},
                                                                                    {"/", "/"},
                                                                                    {"", "."},
                                                                                    {"", "!"}}) {
    const std::string line = open + std::string(kT1) + close;
    EXPECT_EQ(scan(line), one(open.size(), kT1)) << line;
  }
  EXPECT_EQ(scan(cat({kT1, ",", kT2})),
            (found{{0, std::string(kT1)}, {kT1.size() + 1, std::string(kT2)}}));
  // A letter, digit, '-' or '_' glued in front changes the run: no token.
  EXPECT_EQ(scan(cat({"x", kT1})), found{});
  EXPECT_EQ(scan(cat({"_", kT1})), found{});
  // More than two dots (JWE, a.b.c.d) is not a compact JWS.
  EXPECT_EQ(scan("eyJhbGciOiJSU0EtT0FFUCJ9.a.b.c.d"), found{});
  // A first segment that does not start with "ey" is no JOSE header.
  EXPECT_EQ(scan("see www.example.com and abc.def.ghi"), found{});
}

TEST(FindTokens, OutputVectorIsClearedAndReused) {
  std::vector<found_token> out;
  const std::string a = cat({kT1, " ", kT2, " ", kNone});
  find_tokens(a, out);
  ASSERT_EQ(out.size(), 3U);
  const std::size_t capacity = out.capacity();
  const std::string b = cat({"Bearer ", kT2});
  find_tokens(b, out);
  ASSERT_EQ(out.size(), 1U);
  EXPECT_EQ(out[0].offset, 7U);
  EXPECT_EQ(out[0].token, kT2);
  EXPECT_EQ(out.capacity(), capacity);  // no reallocation for a smaller line
  find_tokens("nothing here", out);
  EXPECT_TRUE(out.empty());
}

// Pseudo-random lines built from the fragments every rule reacts to: whatever the mix,
// tokens come in line order, never overlap, lie inside the line, and look like JWTs.
TEST(FindTokens, RandomLinesKeepInvariants) {
  const std::vector<std::string_view> fragments = {
      "eyJ", "ey", ".",       "=",      "\"",    ":", "&", ";",  ",", "\\", "\\\"", " ",
      "\t",  "ab", "Bearer ", "bearer", "token", "_", "-", "+/", "{", "}",  "'",    "x1"};
  std::uint64_t state = 0x9E3779B97F4A7C15U;  // fixed seed: reproducible
  const auto next = [&state](std::size_t bound) {
    state = state * 6364136223846793005U + 1442695040888963407U;
    return static_cast<std::size_t>(state >> 33) % bound;
  };
  std::vector<found_token> out;
  std::string line;
  for (int round = 0; round < 50000; ++round) {
    line.clear();
    for (std::size_t k = next(24); k > 0; --k) line += fragments[next(fragments.size())];
    find_tokens(line, out);
    std::size_t next_free = 0;
    for (const found_token& t : out) {
      ASSERT_GE(t.offset, next_free) << line;
      ASSERT_FALSE(t.token.empty()) << line;
      ASSERT_LE(t.offset + t.token.size(), line.size()) << line;
      ASSERT_EQ(t.token.data(), line.data() + t.offset) << line;
      ASSERT_TRUE(t.token.find('.') != std::string_view::npos || t.token.substr(0, 2) == "ey")
          << line;
      next_free = t.offset + t.token.size();
    }
  }
}

// Adversarial 1 MB lines. A quadratic scan would not finish in any reasonable time; the
// assertions are on exact counts, not on timing.
std::string repeat(std::string_view unit, std::size_t bytes) {
  std::string s;
  s.reserve(bytes + unit.size());
  while (s.size() < bytes) s += unit;
  return s;
}

constexpr std::size_t kMiB = std::size_t{1} << 20;

TEST(FindTokens, LinearOnAdversarialLines) {
  std::vector<found_token> out;
  for (const std::string_view unit :
       {std::string_view("."), std::string_view("eyJ"), std::string_view("Bearer "),
        std::string_view("token="), std::string_view("eyJ."), std::string_view("\"a\":\""),
        std::string_view("a=eyJ"), std::string_view("Bearer x"), std::string_view("=.")}) {
    const std::string line = repeat(unit, kMiB);
    find_tokens(line, out);
    EXPECT_EQ(out.size(), 0U) << "unit " << unit;
  }
  // Units that each hold a token: exactly one per unit.
  for (const std::string_view unit :
       {std::string_view("eyJ.a. "), std::string_view("Bearer eyJ.x\t"),
        std::string_view("&token=a.b"), std::string_view("\"k\":\"eyJ.b\",")}) {
    const std::string line = repeat(unit, kMiB);
    EXPECT_FALSE(find_tokens(line, out, SIZE_MAX));
    EXPECT_EQ(out.size(), line.size() / unit.size()) << "unit " << unit;
    EXPECT_TRUE(find_tokens(line, out));  // capped at k_max_tokens_per_line: cut
    EXPECT_EQ(out.size(), k_max_tokens_per_line) << "unit " << unit;
  }
  // One Bearer value of 1 MB, and an unterminated JSON string of escaped quotes.
  const std::string big = "Bearer eyJ" + std::string(kMiB, 'a') + ".b.c";
  find_tokens(big, out);
  ASSERT_EQ(out.size(), 1U);
  EXPECT_EQ(out[0].offset, 7U);
  EXPECT_EQ(out[0].token.size(), kMiB + 7);
  find_tokens("{\"k\":\"" + repeat("\\\"", kMiB), out);
  EXPECT_EQ(out.size(), 0U);
}

}  // namespace
}  // namespace jwtbatch::cli
