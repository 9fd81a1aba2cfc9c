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

#include "test_support.hpp"

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
// same_as_bytewise: the vectorised finder and the byte-by-byte reference agree exactly
// (tokens, offsets, flags and the cut), for every line any test here scans.
void expect_same_as_bytewise(std::string_view line, const std::vector<found_token>& fast,
                             bool fast_cut, std::size_t max_tokens) {
  std::vector<found_token> ref;
  const bool ref_cut = detail::find_tokens_bytewise(line, ref, max_tokens);
  const auto same = [&](const std::vector<found_token>& got, bool got_cut, const char* what) {
    ASSERT_EQ(got_cut, ref_cut) << what << ": " << line;
    ASSERT_EQ(got.size(), ref.size()) << what << ": " << line;
    for (std::size_t i = 0; i < got.size(); ++i) {
      ASSERT_EQ(got[i].offset, ref[i].offset) << what << ": " << line;
      ASSERT_EQ(got[i].token.data(), ref[i].token.data()) << what << ": " << line;
      ASSERT_EQ(got[i].token.size(), ref[i].token.size()) << what << ": " << line;
      ASSERT_EQ(got[i].percent_encoded, ref[i].percent_encoded) << what << ": " << line;
    }
  };
  same(fast, fast_cut, "find_tokens");
  // The portable vector search (SSE2 on x86-64), whatever this CPU would pick.
  std::vector<found_token> portable;
  const bool portable_cut = detail::find_tokens_using(detail::candidate_search::portable_simd, line,
                                                      portable, max_tokens);
  same(portable, portable_cut, "portable_simd");
}

found scan(std::string_view line) {
  std::vector<found_token> out;
  expect_same_as_bytewise(line, out, find_tokens(line, out), k_max_tokens_per_line);
  found r;
  for (const found_token& t : out) {
    EXPECT_EQ(t.token.data(), line.data() + t.offset);
    r.emplace_back(t.offset, std::string(t.token));
  }
  return r;
}

using test::cat;

found one(std::size_t offset, std::string_view token) {
  return {{offset, std::string(token)}};
}

// b64url is an RFC 4648 §5 encoder without padding, written here so that the token
// texts below are built from their JSON and not copied from the code under test.
std::string b64url(std::string_view bytes) {
  constexpr std::string_view k_alphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string r;
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const auto v = (static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i])) << 16) |
                   (static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i + 1])) << 8) |
                   static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i + 2]));
    for (const int shift : {18, 12, 6, 0}) r += k_alphabet[(v >> shift) & 63U];
  }
  const std::size_t rest = bytes.size() - i;
  if (rest > 0) {
    std::uint32_t v = static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i])) << 16;
    if (rest == 2) v |= static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i + 1])) << 8;
    r += k_alphabet[(v >> 18) & 63U];
    r += k_alphabet[(v >> 12) & 63U];
    if (rest == 2) r += k_alphabet[(v >> 6) & 63U];
  }
  return r;
}

// jws builds a compact JWS text from a header's JSON (the signature is not checked here).
std::string jws(std::string_view header_json) {
  return b64url(header_json) + "." + b64url(R"({"sub":"1","exp":1700000000})") + ".c2lnbmF0dXJl";
}

// percent_all escapes every byte of `text` (upper-case hex when `upper`).
std::string percent_all(std::string_view text, bool upper) {
  const char* digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  std::string r;
  for (const char c : text) {
    const auto b = static_cast<unsigned char>(c);
    r += '%';
    r += digits[b >> 4];
    r += digits[b & 15U];
  }
  return r;
}

// scan_flags returns, for each token, its text and percent_encoded flag.
std::vector<std::pair<std::string, bool>> scan_flags(std::string_view line) {
  std::vector<found_token> out;
  expect_same_as_bytewise(line, out, find_tokens(line, out), k_max_tokens_per_line);
  std::vector<std::pair<std::string, bool>> r;
  for (const found_token& t : out) r.emplace_back(std::string(t.token), t.percent_encoded);
  return r;
}

std::string decoded(std::string_view text) {
  std::string r;
  percent_decode(text, r);
  return r;
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

TEST(FindTokens, B64urlHelperMatchesRfc4648Vectors) {
  // RFC 4648 §10 test vectors, without padding.
  EXPECT_EQ(b64url(""), "");
  EXPECT_EQ(b64url("f"), "Zg");
  EXPECT_EQ(b64url("fo"), "Zm8");
  EXPECT_EQ(b64url("foo"), "Zm9v");
  EXPECT_EQ(b64url("foobar"), "Zm9vYmFy");
  EXPECT_EQ(b64url("\xfb\xff"), "-_8");
  EXPECT_EQ(b64url(R"({"alg":"HS256"})"), "eyJhbGciOiJIUzI1NiJ9");
}

// JSON allows whitespace (RFC 8259 §2: space, tab, LF, CR) before and after '{', so a
// header that a verifier accepts need not start with "eyJ". Each is found in every
// context: Bearer, named and unnamed parameters, cookies, JSON members, bare text.
TEST(FindTokens, HeadersWithJsonWhitespaceAreFoundInEveryContext) {
  for (const std::string_view header :
       {std::string_view("{\"alg\":\"HS256\"}"), std::string_view("{ \"alg\": \"HS256\" }"),
        std::string_view("{\n  \"alg\": \"HS256\"\n}"), std::string_view("{\t\"alg\":\"HS256\"}"),
        std::string_view("{\r\n\"alg\":\"HS256\"}"), std::string_view("{\n\n\t \"alg\":\"HS256\"}"),
        std::string_view(" {\"alg\":\"HS256\"}"), std::string_view("\n{\n\"alg\":\"HS256\"}"),
        std::string_view("\r\n\t {\"alg\":\"HS256\"}"),
        std::string_view("{\"\":0,\"alg\":\"HS256\"}"),
        std::string_view("{\"1\":0,\"alg\":\"HS256\"}")}) {
    const std::string t = jws(header);
    const std::string_view tv = t;
    EXPECT_EQ(scan(cat({"Authorization: Bearer ", tv})), one(22, tv)) << t;
    EXPECT_EQ(scan(cat({"GET /cb?access_token=", tv, "&x=1"})), one(21, tv)) << t;
    EXPECT_EQ(scan(cat({"GET /cb?jwt=", tv, "&x=1"})), one(12, tv)) << t;
    EXPECT_EQ(scan(cat({"Cookie: theme=dark; session=", tv, "; b=2"})), one(28, tv)) << t;
    EXPECT_EQ(scan(cat({"ts=1 level=info auth=", tv})), one(21, tv)) << t;
    EXPECT_EQ(scan(cat({R"({"jwt":")", tv, R"("})"})), one(8, tv)) << t;
    EXPECT_EQ(scan(cat({R"({"a":{"credential" : ")", tv, R"("}})"})), one(22, tv)) << t;
    EXPECT_EQ(scan(cat({"token seen: ", tv, " from 10.0.0.1"})), one(12, tv)) << t;
    EXPECT_EQ(scan(cat({"(", tv, ")"})), one(1, tv)) << t;
  }
}

// The header prefixes are exact: a run whose first characters cannot be the base64url
// of JSON whitespace, '{', whitespace, '"' is no bare token, nor a value of an unnamed
// parameter.
TEST(FindTokens, RunsThatCannotStartAHeaderAreNotTokens) {
  // "ew" then 'J': '{' followed by the byte 0x02, not JSON whitespace.
  EXPECT_EQ(scan("x ewJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln"), found{});
  // "eyB": '{' then a byte that is neither whitespace nor '"'.
  EXPECT_EQ(scan("x eyBhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln"), found{});
  // "Cg": a newline and nothing more; no '{' in a header this short.
  EXPECT_EQ(scan("x Cg.x.y and jwt=Cg.x.y"), found{});
  // "Dog", "Cat", "Ice": ordinary words with dots.
  EXPECT_EQ(scan("see Dog.cat.txt Cat.dog.x Ice.b.c"), found{});
}

// An unquoted value (Bearer, name=value) ends at the bytes that end values in real logs:
// '#' (URL fragment), '|' (pipe-delimited logs), '<' '>' '(' ')' (markup, prose), and
// percent-escapes of any byte that is not base64url, '.', '+', '/' or '='.
TEST(FindTokens, UnquotedValuesEndAtLogDelimitersAndEscapedDelimiters) {
  for (const std::string_view close :
       {"#",   "|",   "<",   ">",   "(",   ")",   "%20", "%22", "%23", "%26", "%3B",    "%3b",
        "%2C", "%2c", "%7C", "%7c", "%27", "%3C", "%3E", "%28", "%29", "%5C", "%0A",    "%0D",
        "%09", "%25", "%3F", "%3A", "%40", "%5B", "%5D", "%7B", "%7D", "%00", "%C3%A9", "%FF"}) {
    const std::vector<std::pair<std::string, bool>> want = {{std::string(kT1), false}};
    EXPECT_EQ(scan_flags(cat({"GET /cb#access_token=", kT1, close, "state=1"})), want) << close;
    EXPECT_EQ(scan_flags(cat({"a=1|jwt=", kT1, close, "b|c"})), want) << close;
    EXPECT_EQ(scan_flags(cat({"Authorization: Bearer ", kT1, close, "x"})), want) << close;
    EXPECT_EQ(scan_flags(cat({"Cookie: session=", kT1, close})), want) << close;
  }
  // Offsets: an implicit-flow redirect and a pipe-delimited line.
  EXPECT_EQ(scan(cat({"302 /cb#id_token=", kT2, "&state=xyz"})), one(17, kT2));
  EXPECT_EQ(scan(cat({"2023-10-10|auth|Bearer ", kT1, "|200"})), one(23, kT1));
  EXPECT_EQ(scan(cat({"<a href=/x?jwt=", kT2, ">link</a>"})), one(15, kT2));
  EXPECT_EQ(scan(cat({"redirect to /cb?token=", kT1, "%20HTTP/1.1"})), one(22, kT1));
}

// A value whose token bytes are percent-encoded is found where it stands in the line,
// marked percent_encoded; percent_decode gives the token to verify.
TEST(FindTokens, PercentEncodedTokensAreFoundAndMarked) {
  const std::string t = jws("{\n\"alg\":\"HS256\"}");
  const std::string e_first = "%65" + std::string(kT1.substr(1));
  std::string dots = std::string(kT1);
  for (std::size_t p = dots.find('.'); p != std::string::npos; p = dots.find('.', p + 3)) {
    dots.replace(p, 1, "%2E");
  }
  const std::string all_upper = percent_all(kT1, true);
  const std::string all_lower = percent_all(t, false);
  for (const std::string& text : {e_first, dots, all_upper, all_lower}) {
    const std::vector<std::pair<std::string, bool>> want = {{text, true}};
    EXPECT_EQ(scan_flags(cat({"GET /cb?jwt=", text, "&x=1"})), want) << text;
    EXPECT_EQ(scan_flags(cat({"GET /cb?access_token=", text, "%20HTTP/1.1"})), want) << text;
    EXPECT_EQ(scan_flags(cat({"Cookie: a=1; session=", text, "; b=2"})), want) << text;
    EXPECT_EQ(scan_flags(cat({"Authorization: Bearer ", text})), want) << text;
    EXPECT_EQ(scan_flags(cat({R"({"jwt":")", text, R"("})"})), want) << text;
    EXPECT_EQ(scan_flags(cat({"a=1|auth=", text, "|b"})), want) << text;
  }
  EXPECT_EQ(decoded(e_first), kT1);
  EXPECT_EQ(decoded(dots), kT1);
  EXPECT_EQ(decoded(all_upper), kT1);
  EXPECT_EQ(decoded(all_lower), t);
  // Offsets are those of the text in the line.
  EXPECT_EQ(scan(cat({"GET /cb?jwt=", e_first, "&x=1"})), one(12, e_first));
  // Bare text is not decoded: every base64url character and '.' is unreserved (RFC 3986
  // §2.3), so no URI producer escapes them; an escaped token stands in a parameter
  // (found above), not in prose.
  EXPECT_EQ(scan(cat({"see ", e_first, " now"})), found{});
  // A clean token is not marked.
  EXPECT_EQ(scan_flags(cat({"jwt=", kT1})),
            (std::vector<std::pair<std::string, bool>>{{std::string(kT1), false}}));
}

// Escapes of '+', '/' and '=' do not end a value: a hostile token spelled with them is
// still taken whole and, once decoded, reported as not base64url.
TEST(FindTokens, EscapedPlusSlashEqualsStayInsideTheValue) {
  const std::string hostile = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0%3D.c2ln%2B%2f%3D%3d";
  const std::vector<std::pair<std::string, bool>> want = {{hostile, true}};
  EXPECT_EQ(scan_flags(cat({"GET /?access_token=", hostile, "&a=b"})), want);
  EXPECT_EQ(scan_flags(cat({"Cookie: jwt=", hostile, "; b=2"})), want);
  EXPECT_EQ(scan_flags(cat({"Bearer ", hostile})), want);
  EXPECT_EQ(decoded(hostile), "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0=.c2ln+/==");
  // The raw forms stay as before (taken whole, not marked).
  EXPECT_EQ(scan_flags(cat({"Cookie: a=1; jwt=", kHostile, "; b=2"})),
            (std::vector<std::pair<std::string, bool>>{{std::string(kHostile), false}}));
}

TEST(PercentDecode, DecodesValidEscapesKeepsTheRest) {
  std::string out = "keep:";
  percent_decode("%41%4a%4A%zz%4%", out);
  EXPECT_EQ(out, "keep:AJJ%zz%4%");  // appends; invalid escapes stay as they are
  EXPECT_EQ(decoded("%%41"), "%A");
  EXPECT_EQ(decoded("%2E%2e."), "...");
  EXPECT_EQ(decoded("%00%ff"), std::string("\0\xff", 2));
  EXPECT_EQ(decoded(""), "");
  EXPECT_EQ(decoded("a%2"), "a%2");
}

// At most max_tokens tokens per line; the return value says the line held more.
TEST(FindTokens, CapsTokensPerLineAndReportsTheCut) {
  std::string line;
  for (int k = 0; k < 70; ++k) line += cat({kT1, " "});
  std::vector<found_token> out;
  EXPECT_TRUE(find_tokens(line, out));
  ASSERT_EQ(out.size(), k_max_tokens_per_line);
  EXPECT_EQ(out.back().offset, (k_max_tokens_per_line - 1) * (kT1.size() + 1));
  EXPECT_TRUE(find_tokens(line, out, 2));
  EXPECT_EQ(out.size(), 2U);
  EXPECT_FALSE(find_tokens(line, out, 70));
  EXPECT_EQ(out.size(), 70U);
  EXPECT_TRUE(find_tokens(line, out, 69));
  EXPECT_EQ(out.size(), 69U);
  EXPECT_TRUE(find_tokens(kT1, out, 0));
  EXPECT_TRUE(out.empty());
  EXPECT_FALSE(find_tokens("no tokens", out, 0));
  EXPECT_FALSE(find_tokens(cat({"Bearer ", kT1}), out, 1));
  EXPECT_EQ(out.size(), 1U);
}

// Pseudo-random lines built from the fragments every rule reacts to: whatever the mix,
// tokens come in line order, never overlap, lie inside the line, and look like JWTs.
TEST(FindTokens, RandomLinesKeepInvariants) {
  const std::vector<std::string_view> fragments = {
      "eyJ", "ey",  ".",       "=",      "\"",    ":", "&", ";",  ",", "\\",   "\\\"", " ",
      "\t",  "ab",  "Bearer ", "bearer", "token", "_", "-", "+/", "{", "}",    "'",    "x1",
      "%65", "%2E", "%20",     "%2",     "#",     "|", "(", "ew", "o", "ICAg", "C",    "eyA"};
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
    const bool cut = find_tokens(line, out, 3);
    expect_same_as_bytewise(line, out, cut, 3);
    ASSERT_LE(out.size(), 3U) << line;
    if (cut) {
      ASSERT_EQ(out.size(), 3U) << line;
    }
    std::size_t next_free = 0;
    for (const found_token& t : out) {
      ASSERT_GE(t.offset, next_free) << line;
      ASSERT_FALSE(t.token.empty()) << line;
      ASSERT_LE(t.offset + t.token.size(), line.size()) << line;
      ASSERT_EQ(t.token.data(), line.data() + t.offset) << line;
      // Every token has a dot or starts like a JOSE header (after decoding).
      const std::string d = t.percent_encoded ? decoded(t.token) : std::string(t.token);
      ASSERT_TRUE(d.find('.') != std::string::npos || d.substr(0, 2) == "ey" ||
                  d.substr(0, 2) == "ew" || d[0] == 'I' || d[0] == 'C' || d[0] == 'D')
          << line;
      ASSERT_EQ(t.percent_encoded, t.token.find('%') != std::string_view::npos && d != t.token)
          << line;
      next_free = t.offset + t.token.size();
    }
  }
}

// Differential: random bytes drawn mostly from what the candidate search and the rules
// react to, at every alignment and length around the 16- and 32-byte blocks, give the
// same tokens through the vectorised search as through the byte-by-byte reference.
TEST(FindTokens, VectorisedSearchMatchesBytewiseReference) {
  const std::string_view alphabet =
      "eyJwokAIgCDBbearr0123456789-_.=\"%2E:;&#|()<> \t\\/+,{}xzEFNKLi\x80\xff";
  const std::vector<std::string_view> pieces = {
      "Bearer ", "token=", "jwt=", "\":\"", "\"k\":\"", "eyJ",
      "ewo",     "ICAg",   "%65",  "%2E",   "%20",      "eyJhbGciOiJIUzI1NiJ9",
      ".",       "..",     "eyA",  "DQp7",  "Cgp7"};
  std::uint64_t state = 0x2545F4914F6CDD1DU;  // fixed seed: reproducible
  const auto next = [&state](std::size_t bound) {
    state = state * 6364136223846793005U + 1442695040888963407U;
    return static_cast<std::size_t>(state >> 33) % bound;
  };
  std::vector<found_token> out;
  std::string line;
  for (int round = 0; round < 100000; ++round) {
    line.clear();
    const std::size_t len = next(160);
    while (line.size() < len) {
      if (next(3) == 0) {
        line += pieces[next(pieces.size())];
      } else {
        line += alphabet[next(alphabet.size())];
      }
    }
    const std::size_t cap = next(4) == 0 ? next(4) : k_max_tokens_per_line;
    const bool cut = find_tokens(line, out, cap);
    expect_same_as_bytewise(line, out, cut, cap);
    if (HasFatalFailure()) return;
  }
}

// Adversarial 1 MB lines. A quadratic scan would not finish in any reasonable time; the
// assertions are on exact counts, not on timing.
using test::kMiB;
using test::repeat;

TEST(FindTokens, LinearOnAdversarialLines) {
  std::vector<found_token> out;
  for (const std::string_view unit : {std::string_view("."),
                                      std::string_view("eyJ"),
                                      std::string_view("Bearer "),
                                      std::string_view("token="),
                                      std::string_view("eyJ."),
                                      std::string_view("\"a\":\""),
                                      std::string_view("a=eyJ"),
                                      std::string_view("Bearer x"),
                                      std::string_view("=."),
                                      std::string_view("%65"),
                                      std::string_view("#eyJ"),
                                      std::string_view("=%2E"),
                                      std::string_view("a=%65yJ"),
                                      std::string_view("%2"),
                                      std::string_view("ICAg"),
                                      std::string_view("ewo"),
                                      std::string_view("Bearer %"),
                                      std::string_view("=%20"),
                                      std::string_view("id_token=%65%;"),
                                      std::string_view("a=eyJ%25.")}) {
    const std::string line = repeat(unit, kMiB);
    const bool cut = find_tokens(line, out);
    EXPECT_EQ(out.size(), 0U) << "unit " << unit;
    expect_same_as_bytewise(line, out, cut, k_max_tokens_per_line);
  }
  // Units that each hold a token: exactly one per unit.
  for (const std::string_view unit :
       {std::string_view("eyJ.a. "), std::string_view("Bearer eyJ.x\t"),
        std::string_view("&token=a.b"), std::string_view("\"k\":\"eyJ.b\","),
        std::string_view("jwt=%65yJ.a%2Eb%20"), std::string_view("|x=ewo.a.b#"),
        std::string_view("Bearer eyA.b.c("), std::string_view("ICAgeyJ.a.b "),
        std::string_view("token=a.&"), std::string_view("token=%2E;")}) {
    const std::string line = repeat(unit, kMiB);
    const bool cut = find_tokens(line, out, line.size());
    EXPECT_EQ(out.size(), line.size() / unit.size()) << "unit " << unit;
    expect_same_as_bytewise(line, out, cut, line.size());
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
