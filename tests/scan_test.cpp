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
    (void)log_time(line, log_time_options{"ey", 2023});
    (void)log_time(line, log_time_options{});
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
    find_tokens(line, out);
    EXPECT_EQ(out.size(), line.size() / unit.size()) << "unit " << unit;
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

// ---- log_time ---------------------------------------------------------------------
// Expected values computed independently with Python's datetime, e.g.
// datetime(2023,10,10,13,55,36,tzinfo=timezone(timedelta(hours=2))).timestamp().

std::optional<double> at(std::string_view line, std::string_view field = {},
                         std::optional<int> year = std::nullopt) {
  log_time_options o;
  o.time_field = field;
  o.syslog_year = year;
  return log_time(line, o);
}

TEST(LogTime, Rfc3339) {
  EXPECT_EQ(at("2023-10-10T13:55:36Z GET /"), 1696946136.0);
  EXPECT_EQ(at("x 2023-10-10t13:55:36z"), 1696946136.0);
  EXPECT_EQ(at("2023-10-10T13:55:36+02:00"), 1696938936.0);
  EXPECT_EQ(at("2023-10-10T13:55:36+0530"), 1696926336.0);
  EXPECT_EQ(at("at 2023-10-10 13:55:36.5-07:00 ok"), 1696971336.5);
  EXPECT_DOUBLE_EQ(*at("2023-10-10T13:55:36.123456Z"), 1696946136.123456);
  // Fraction digits beyond nanoseconds are ignored.
  EXPECT_EQ(at("2023-10-10T13:55:36.2500000000001Z"), 1696946136.25);
  // No zone: UTC.
  EXPECT_EQ(at("2023-10-10T13:55:36 level=info"), 1696946136.0);
  EXPECT_EQ(at("1969-12-31T23:59:59Z"), -1.0);
  EXPECT_EQ(at("0001-01-01T00:00:00Z"), -62135596800.0);
  EXPECT_EQ(at("9999-12-31T23:59:59Z"), 253402300799.0);
  // A leap second reads as the first second of the next minute.
  EXPECT_EQ(at("2016-12-31T23:59:60Z"), 1483228800.0);
}

TEST(LogTime, LeapDays) {
  EXPECT_EQ(at("2024-02-29T12:00:00Z"), 1709208000.0);
  EXPECT_EQ(at("2000-02-29T00:00:00Z"), 951782400.0);  // divisible by 400
  EXPECT_EQ(at("2023-02-29T00:00:00Z"), std::nullopt);
  EXPECT_EQ(at("1900-02-29T00:00:00Z"), std::nullopt);  // divisible by 100
}

TEST(LogTime, InvalidFieldsAreRejected) {
  for (const char* bad : {"2023-13-01T00:00:00Z",
                          "2023-00-10T00:00:00Z",
                          "2023-04-31T00:00:00Z",
                          "2023-01-32T00:00:00Z",
                          "2023-01-00T00:00:00Z",
                          "2023-10-10T24:00:00Z",
                          "2023-10-10T13:60:00Z",
                          "2023-10-10T13:55:61Z",
                          "2023-10-10T13:55:36+24:00",
                          "2023-10-10T13:55:36+02:60",
                          "2023-10-10T13:55Z",
                          "2023-10-10",
                          "20231010T135536Z",
                          "2023-10-10T13:55:367",
                          "2023-10-10X13:55:36Z",
                          "2023-1-10T13:55:36Z",
                          "",
                          "2023-",
                          "[10/Foo/2000:13:55:36 -0700]",
                          "[10/Oct/2000:13:55:36]",
                          "[31/Jun/2000:13:55:36 +0000]",
                          "[10/Oct/2000:13:55:36 -0700",
                          "Oct 32 13:55:36",
                          "Oct 10 25:00:00"}) {
    EXPECT_EQ(at(bad, {}, 2023), std::nullopt) << bad;
  }
  // A rejected candidate does not hide a valid timestamp after it.
  EXPECT_EQ(at("v2023-13-01T00:00:00Z 2023-10-10T13:55:36Z"), 1696946136.0);
}

TEST(LogTime, CommonLogFormat) {
  EXPECT_EQ(at(R"(127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0")"),
            971211336.0);
  EXPECT_EQ(at("[10/oct/2000:20:55:36 +0000]"), 971211336.0);
}

TEST(LogTime, Syslog) {
  EXPECT_EQ(at("Oct 10 13:55:36 host sshd[42]: accepted", {}, 2023), 1696946136.0);
  EXPECT_EQ(at("Oct  1 13:55:36 host app: x", {}, 2023), 1696168536.0);
  EXPECT_EQ(at("Feb 29 08:00:01 host app: x", {}, 2024), 1709193601.0);
  EXPECT_EQ(at("Feb 29 08:00:01 host app: x", {}, 2023), std::nullopt);
  // Without a year, syslog timestamps are not recognised.
  EXPECT_EQ(at("Oct 10 13:55:36 host app: x"), std::nullopt);
  // Month names as RFC 3164 writes them only (prose is not a timestamp).
  EXPECT_EQ(at("oct 10 13:55:36 host", {}, 2023), std::nullopt);
}

TEST(LogTime, LeftmostTimestampWins) {
  // The syslog prefix, not the RFC 3339 time inside the message.
  EXPECT_EQ(at("Oct 10 13:55:36 host app: issued 2020-01-01T00:00:00Z", {}, 2023), 1696946136.0);
  EXPECT_EQ(at(R"(1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET /?since=2023-10-10T13:55:36Z")"),
            971211336.0);
}

TEST(LogTime, JsonTimeField) {
  EXPECT_EQ(at(R"({"ts":1696946136.25,"msg":"x"})", "ts"), 1696946136.25);
  EXPECT_EQ(at(R"({"ts": 1696946136})", "ts"), 1696946136.0);
  EXPECT_EQ(at(R"({"ts":1.696946136e9})", "ts"), 1696946136.0);
  EXPECT_EQ(at(R"({"ts":"1696946136"})", "ts"), 1696946136.0);
  // Past year 9999 as seconds: milliseconds (found by scan_fuzzer); past that, no time.
  EXPECT_EQ(at(R"({"ts":1696946136325})", "ts"), 1696946136.325);
  EXPECT_EQ(at(R"({"ts":"1696946136000"})", "ts"), 1696946136.0);
  EXPECT_EQ(at(R"({"ts":253402300799})", "ts"), 253402300799.0);  // 9999-12-31T23:59:59Z
  EXPECT_EQ(at(R"({"ts":"99999999999999999999999"})", "ts"), std::nullopt);
  EXPECT_EQ(at(R"({"ts":-1e20})", "ts"), std::nullopt);
  EXPECT_EQ(at(R"({"@timestamp":"2023-10-10T13:55:36+02:00"})", "@timestamp"), 1696938936.0);
  EXPECT_EQ(at(R"({"req":{"time" : "2023-10-10T13:55:36Z"}})", "time"), 1696946136.0);
  // Only the named field counts, even when another timestamp is in the line.
  EXPECT_EQ(at(R"({"when":"2023-10-10T13:55:36Z"})", "ts"), std::nullopt);
  // A string equal to the name, or the name inside an escaped string, is no member.
  EXPECT_EQ(at(R"({"k":"ts","msg":"\"ts\":5","ts":7})", "ts"), 7.0);
  // The first member of that name decides; unreadable values give nullopt.
  EXPECT_EQ(at(R"({"ts":"yesterday","ts":7})", "ts"), std::nullopt);
  for (const char* bad :
       {R"({"ts":true})", R"({"ts":"2023-02-29T00:00:00Z"})",
        R"({"ts":"2023-10-10T13:55:36Z trailing"})", R"({"ts":"-5"})", R"({"ts":1e999})",
        R"({"ts":"1.5e9"})", R"({"ts":-})", R"({"ts":)", R"({"ts":"unterminated)"}) {
    EXPECT_EQ(at(bad, "ts"), std::nullopt) << bad;
  }
}

TEST(LogTime, LinearOnAdversarialLines) {
  log_time_options o;
  o.syslog_year = 2023;
  for (const std::string_view unit :
       {std::string_view("1"), std::string_view("2023-10-10T13:55:"), std::string_view("[10/Oct/"),
        std::string_view("Oct 10 "), std::string_view("2023-10-10T13:55:36+1"),
        std::string_view("\"ts\"")}) {
    const std::string line = repeat(unit, kMiB);
    EXPECT_EQ(log_time(line, o), std::nullopt) << "unit " << unit;
  }
  o.time_field = "ts";
  EXPECT_EQ(log_time(repeat("\"ts\",", kMiB), o), std::nullopt);
  EXPECT_EQ(log_time(repeat("\"", kMiB), o), std::nullopt);
}

}  // namespace
}  // namespace jwtbatch::cli
