// json_member: the member `verify --field PATH` reads from an NDJSON line: dotted
// paths, duplicates refused at every level, escapes decoded, "Bearer " removed, the
// whole line checked, and linear time on adversarial lines.
#include "json_member.hpp"
#include "json_member_reference.hpp"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <algorithm>
#include <chrono>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "jwtbatch/key_set.hpp"

namespace jwtbatch::cli {
namespace {

using namespace std::string_literals;
using namespace std::string_view_literals;

struct lookup {
  member_lookup r;
  std::string value;
};

lookup find(std::string_view line, std::string_view path) {
  lookup out{member_lookup::missing, "<unset>"};
  out.r = find_member(line, member_path::parse(path), out.value);
  return out;
}

#define EXPECT_LOOKUP(line, path, result, expected_value)             \
  do {                                                                \
    const lookup got = find(line, path);                              \
    EXPECT_EQ(member_lookup_name(got.r), member_lookup_name(result)); \
    EXPECT_EQ(got.value, expected_value);                             \
  } while (0)

TEST(MemberPath, DotsSeparateNamesAndBackslashEscapesThem) {
  EXPECT_EQ(member_path::parse("token").names(), std::vector<std::string>{"token"});
  EXPECT_EQ(member_path::parse("req.headers.authorization").names(),
            (std::vector<std::string>{"req", "headers", "authorization"}));
  EXPECT_EQ(member_path::parse(R"(a\.b.c)").names(), (std::vector<std::string>{"a.b", "c"}));
  EXPECT_EQ(member_path::parse(R"(a\\.b)").names(), (std::vector<std::string>{"a\\", "b"}));
  EXPECT_EQ(member_path::parse("@timestamp").names(), std::vector<std::string>{"@timestamp"});
}

TEST(MemberPath, RefusesEmptyNamesStrayBackslashesAndTooManyNames) {
  for (const char* bad : {"", ".", "a.", ".a", "a..b", R"(a\b)", R"(a\)"}) {
    EXPECT_THROW((void)member_path::parse(bad), config_error) << bad;
  }
  try {
    (void)member_path::parse("a..b");
    FAIL();
  } catch (const config_error& e) {
    EXPECT_EQ(std::string(e.what()), "--field a..b: empty member name in the path");
  }
  std::string deep = "a";
  for (std::size_t i = 1; i < member_path::k_max_names; ++i) deep += ".a";
  EXPECT_EQ(member_path::parse(deep).names().size(), member_path::k_max_names);
  EXPECT_THROW((void)member_path::parse(deep + ".a"), config_error);
}

TEST(FindMember, TopLevelStringValue) {
  EXPECT_LOOKUP(R"({"token":"eyJ.a.b"})", "token", member_lookup::found, "eyJ.a.b");
  EXPECT_LOOKUP(R"({"a":1,"token":"eyJ.a.b","z":[1,{"token":2}]})", "token", member_lookup::found,
                "eyJ.a.b");
  EXPECT_LOOKUP(" \t{ \"token\" :\r\n \"x\" } \r\n", "token", member_lookup::found, "x");
  EXPECT_LOOKUP(R"({"token":""})", "token", member_lookup::found, "");
}

TEST(FindMember, EscapesInValuesAndNamesAreDecoded) {
  EXPECT_LOOKUP(R"({"token":"\u0065yJ\u0068bGci.p.s"})", "token", member_lookup::found,
                "eyJhbGci.p.s");
  EXPECT_LOOKUP(R"({"\u0074oken":"v"})", "token", member_lookup::found, "v");
  EXPECT_LOOKUP(R"({"t":"a\"b\\c\/d\b\f\n\r\t"})", "t", member_lookup::found,
                "a\"b\\c/d\b\f\n\r\t");
  // A surrogate pair is one character (RFC 8259 §7): U+1F600 in UTF-8.
  EXPECT_LOOKUP(R"({"t":"\ud83d\ude00 \u00e9"})", "t", member_lookup::found,
                "\xF0\x9F\x98\x80 \xC3\xA9");
  // A newline the escapes spell stays in the value: the verifier says the token is bad.
  EXPECT_LOOKUP(R"({"t":"eyJ\n.a.b"})", "t", member_lookup::found, "eyJ\n.a.b");
  // Raw UTF-8 passes through; a member name with a dot is addressed with "\.".
  EXPECT_LOOKUP("{\"\xC3\xA9.x\":\"v\xC3\xA9\"}", "\xC3\xA9\\.x", member_lookup::found,
                "v\xC3\xA9");
}

TEST(FindMember, BearerSchemeIsRemovedInAnyCase) {
  EXPECT_LOOKUP(R"({"a":"Bearer eyJ.a.b"})", "a", member_lookup::found, "eyJ.a.b");
  EXPECT_LOOKUP(R"({"a":"bEARER \t  eyJ.a.b"})", "a", member_lookup::found, "eyJ.a.b");
  EXPECT_LOOKUP(R"({"a":"Bearer\teyJ.a.b"})", "a", member_lookup::found, "eyJ.a.b");
  EXPECT_LOOKUP(R"({"a":"\u0042earer eyJ.a.b"})", "a", member_lookup::found, "eyJ.a.b");
  // Not the scheme: kept whole.
  EXPECT_LOOKUP(R"({"a":"BearereyJ.a.b"})", "a", member_lookup::found, "BearereyJ.a.b");
  EXPECT_LOOKUP(R"({"a":"Bearer"})", "a", member_lookup::found, "Bearer");
  EXPECT_LOOKUP(R"({"a":"Basic dXNlcg=="})", "a", member_lookup::found, "Basic dXNlcg==");
  EXPECT_LOOKUP(R"({"a":" Bearer x"})", "a", member_lookup::found, " Bearer x");
  // Only one scheme is removed.
  EXPECT_LOOKUP(R"({"a":"Bearer Bearer x"})", "a", member_lookup::found, "Bearer x");
  EXPECT_LOOKUP(R"({"a":"Bearer  "})", "a", member_lookup::found, "");
}

TEST(FindMember, NestedPath) {
  const char* line =
      R"({"ts":1,"req":{"method":"GET","headers":{"host":"h","authorization":"Bearer eyJ.x.y"}},"token":"top"})";
  EXPECT_LOOKUP(line, "req.headers.authorization", member_lookup::found, "eyJ.x.y");
  EXPECT_LOOKUP(line, "req.method", member_lookup::found, "GET");
  EXPECT_LOOKUP(line, "req.headers", member_lookup::not_string, "");
  EXPECT_LOOKUP(line, "req.headers.cookie", member_lookup::missing, "");
  EXPECT_LOOKUP(line, "headers.authorization", member_lookup::missing, "");
  // A path through a value that is not an object does not exist.
  EXPECT_LOOKUP(line, "req.method.x", member_lookup::missing, "");
  // A member of that name deeper than the path is not the path's.
  EXPECT_LOOKUP(R"({"a":{"b":{"token":"deep"}}})", "token", member_lookup::missing, "");
  EXPECT_LOOKUP(R"({"a":{"b":{"token":"deep"}}})", "a.token", member_lookup::missing, "");
  EXPECT_LOOKUP(R"({"x":{"a":{"b":"no"}},"a":{"b":"yes"}})", "a.b", member_lookup::found, "yes");
}

TEST(FindMember, ArraysOnThePathAreNotTraversed) {
  EXPECT_LOOKUP(R"({"a":[{"b":"x"}]})", "a.b", member_lookup::missing, "");
  EXPECT_LOOKUP(R"({"a":[{"b":"x"}]})", "a", member_lookup::not_string, "");
  EXPECT_LOOKUP(R"({"a":["x"]})", "a", member_lookup::not_string, "");
}

TEST(FindMember, ValuesThatAreNotStrings) {
  for (const char* v : {"1", "-0.5e+3", "true", "false", "null", "{}", "[]", R"({"t":"x"})"}) {
    SCOPED_TRACE(v);
    EXPECT_LOOKUP(std::string(R"({"t":)") + v + "}", "t", member_lookup::not_string, "");
  }
}

TEST(FindMember, DuplicatesAreRefusedAtEveryLevel) {
  EXPECT_LOOKUP(R"({"token":"a","token":"b"})", "token", member_lookup::duplicate, "");
  EXPECT_LOOKUP(R"({"token":"a","x":1,"\u0074oken":"b"})", "token", member_lookup::duplicate, "");
  EXPECT_LOOKUP(R"({"token":"a","token":1})", "token", member_lookup::duplicate, "");
  // At the first level of a nested path, whichever holds the member.
  EXPECT_LOOKUP(R"({"req":{"h":"a"},"req":{"h":"b"}})", "req.h", member_lookup::duplicate, "");
  EXPECT_LOOKUP(R"({"req":{"h":"a"},"req":{"x":"b"}})", "req.h", member_lookup::duplicate, "");
  EXPECT_LOOKUP(R"({"req":{"h":"a"},"req":"s"})", "req.h", member_lookup::duplicate, "");
  // At the second and third levels.
  EXPECT_LOOKUP(R"({"req":{"h":"a","h":"b"}})", "req.h", member_lookup::duplicate, "");
  EXPECT_LOOKUP(R"({"r":{"h":{"a":"x","a":"y"}}})", "r.h.a", member_lookup::duplicate, "");
  EXPECT_LOOKUP(R"({"r":{"h":{"a":"x"},"h":{"a":"x"}}})", "r.h.a", member_lookup::duplicate, "");
  // Repeated names off the path do not matter to the lookup.
  EXPECT_LOOKUP(R"({"x":1,"x":2,"token":"t","o":{"k":1,"k":2}})", "token", member_lookup::found,
                "t");
  EXPECT_LOOKUP(R"({"a":{"t":"1"},"b":{"t":"2"}})", "a.t", member_lookup::found, "1");
}

TEST(FindMember, LinesThatAreNotOneJsonObject) {
  for (const std::string& line : std::vector<std::string>{
           ""s,
           " "s,
           "[]"s,
           "\"token\""s,
           "1"s,
           "null"s,
           "token=eyJ.a.b"s,
           R"({"token":"a"} {"token":"b"})"s,  // a second object could hide
           R"({"token":"a"}x)"s,
           R"({"token":"a")"s,
           R"({"token":"a",})"s,
           R"({"token" "a"})"s,
           R"({token:"a"})"s,
           R"({'token':'a'})"s,
           R"({"token":"a"]})"s,
           R"({"t":[1,]})"s,
           R"({"t":01})"s,
           R"({"t":1.})"s,
           R"({"t":.5})"s,
           R"({"t":1e})"s,
           R"({"t":-})"s,
           R"({"t":tru})"s,
           R"({"t":True})"s,
           R"({"t":"\x"})"s,
           R"({"t":"\u12"})"s,
           R"({"t":"\ud800"})"s,
           R"({"t":"\udc00"})"s,
           R"({"t":"\ud800\u0041"})"s,
           "{\"t\":\"a\tb\"}"s,  // raw control character
           "{\"t\":\"\xC3\"}"s,
           "{\"t\":\"\xED\xA0\x80\"}"s,             // not UTF-8
           std::string("{\"token\":\"a\"}\0", 14),  // NUL after the object
           "{\"token\":\"a\"}\v"s,                  // not JSON whitespace
       }) {
    const lookup got = find(line, "token");
    EXPECT_EQ(member_lookup_name(got.r), "not_object") << line;
    EXPECT_EQ(got.value, "") << line;
  }
  EXPECT_LOOKUP(R"({})", "token", member_lookup::missing, "");
  EXPECT_LOOKUP("{\"token\":\"a\"}\n", "token", member_lookup::found, "a");
}

// Against simdjson's DOM parser on many small random lines made of JSON's pieces: the
// same lines are well-formed objects, and the member "a" (and "a.b") is the same. The
// DOM keeps duplicate names, so they are counted here and must be refused.
member_lookup dom_lookup(simdjson::dom::parser& parser, const std::string& line,
                         const std::vector<std::string_view>& path, std::string& value) {
  value.clear();
  simdjson::dom::element doc;
  if (parser.parse(line).get(doc) != simdjson::SUCCESS) return member_lookup::not_object;
  simdjson::dom::object obj;
  if (doc.get(obj) != simdjson::SUCCESS) return member_lookup::not_object;
  return reference::dom_lookup(obj, path, value);
}

// A random JSON value: objects with names that collide now and then, nested a few
// levels, random whitespace; strings with escapes.
void random_value(std::mt19937& rng, int depth, std::string& out) {
  static const char* const names[] = {R"("a")", R"("b")", R"("\u0061")", R"("c")"};
  static const char* const scalars[] = {R"("v")",
                                        R"("Bearer t")",
                                        R"("x\ny")",
                                        R"("\ud83d\ude00")",
                                        R"("\u00e9\/")",
                                        R"("")",
                                        "1",
                                        "-0.5e2",
                                        "0",
                                        "true",
                                        "false",
                                        "null"};
  static const char* const spaces[] = {"", "", "", " ", "\t", "\r\n"};
  const auto ws = [&] { out += spaces[rng() % 6]; };
  ws();
  const auto kind = depth >= 4 ? 2 : rng() % 3;
  if (kind == 0) {
    out += '{';
    const auto n = rng() % 4;
    for (std::uint64_t k = 0; k < n; ++k) {
      if (k != 0) out += ',';
      ws();
      out += names[rng() % 4];
      ws();
      out += ':';
      random_value(rng, depth + 1, out);
    }
    ws();
    out += '}';
  } else if (kind == 1) {
    out += '[';
    const auto n = rng() % 3;
    for (std::uint64_t k = 0; k < n; ++k) {
      if (k != 0) out += ',';
      random_value(rng, depth + 1, out);
    }
    out += ']';
  } else {
    out += scalars[rng() % 12];
  }
  ws();
}

TEST(FindMember, AgreesWithSimdjsonOnRandomLines) {
  static const char mutations[] = "{}[],:\"\\u0a1 ";
  std::mt19937 rng(16);
  simdjson::dom::parser parser;
  std::string ours;
  std::string theirs;
  std::size_t counts[5] = {};
  for (int i = 0; i < 200000; ++i) {
    std::string line;
    random_value(rng, 0, line);
    // Half of the lines get one byte changed, inserted or removed.
    if (rng() % 2 == 0 && !line.empty()) {
      const std::size_t at = rng() % line.size();
      const char c = mutations[rng() % (sizeof mutations - 1)];
      switch (rng() % 3) {
        case 0:
          line[at] = c;
          break;
        case 1:
          line.insert(at, 1, c);
          break;
        default:
          line.erase(at, 1);
          break;
      }
    }
    for (const auto& [text, names] :
         {std::pair{"a"sv, std::vector<std::string_view>{"a"}},
          std::pair{"a.b"sv, std::vector<std::string_view>{"a", "b"}}}) {
      const member_lookup got = find_member(line, member_path::parse(text), ours);
      member_lookup want = dom_lookup(parser, line, names, theirs);
      if (want == member_lookup::found && theirs.rfind("Bearer ", 0) == 0) {
        theirs.erase(0, theirs.find_first_not_of(' ', 6));  // the generator's only scheme
      }
      ASSERT_EQ(member_lookup_name(got), member_lookup_name(want)) << line << " " << text;
      ASSERT_EQ(ours, theirs) << line << " " << text;
      ++counts[static_cast<int>(got)];
    }
  }
  // Every answer comes up often enough to mean something.
  for (const std::size_t n : counts) EXPECT_GT(n, 1000U);
}

TEST(FindMember, EveryPositionOfALongStringIsScanned) {
  // Strings are scanned 16 and 8 bytes at a time: a quote, backslash or control
  // character is found at every position of a run, and raw bytes >= 0x80 are content.
  const std::string plain = "0123456789abcdef\xC3\xA9ghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUV";
  const member_path path = member_path::parse("t");
  std::string value;
  for (std::size_t at = 0; at <= plain.size(); ++at) {
    if (at > 16 && at < 19) continue;  // inside the two bytes of U+00E9
    const std::string head = plain.substr(0, at);
    const std::string tail = plain.substr(at);
    SCOPED_TRACE(at);
    EXPECT_EQ(find_member(R"({"t":")" + head + tail + R"("})", path, value), member_lookup::found);
    EXPECT_EQ(value, plain);
    EXPECT_EQ(find_member(R"({"t":")" + head + R"(\"\\)" + tail + R"("})", path, value),
              member_lookup::found);
    EXPECT_EQ(value, head + "\"\\" + tail);
    for (const char control : {'\x00', '\x01', '\n', '\x1f'}) {
      EXPECT_EQ(find_member(R"({"t":")" + head + control + tail + R"("})", path, value),
                member_lookup::not_object);
    }
    // The string ends at the quote: what follows must be JSON again.
    EXPECT_EQ(find_member(R"({"t":")" + head + R"(","u":1})", path, value), member_lookup::found);
    EXPECT_EQ(value, head);
    EXPECT_EQ(find_member(R"({"t":")" + head + "\"" + tail + R"("})", path, value),
              member_lookup::not_object);
  }
}

// Seconds for find_member on `line`.
double seconds_for(const std::string& line) {
  std::string value;
  const auto start = std::chrono::steady_clock::now();
  (void)find_member(line, member_path::parse("a.b"), value);
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

TEST(FindMember, AdversarialLinesAreLinear) {
  constexpr std::size_t mib = std::size_t{1} << 20;
  std::string value;
  const member_path path = member_path::parse("a.b");
  // Nesting beyond the bound is refused, not recursed into.
  EXPECT_EQ(find_member("{\"a\":" + std::string(mib, '['), path, value), member_lookup::not_object);
  std::string deep_objects;
  for (std::size_t i = 0; i < mib / 5; ++i) deep_objects += "{\"a\":";
  EXPECT_EQ(find_member(deep_objects, path, value), member_lookup::not_object);
  // Exactly at the bound is fine; one more is not.
  std::string at_bound = "{\"x\":" + std::string(k_max_depth - 1, '[') +
                         std::string(k_max_depth - 1, ']') + ",\"a\":{\"b\":\"v\"}}";
  EXPECT_EQ(find_member(at_bound, path, value), member_lookup::found);
  EXPECT_EQ(value, "v");
  std::string over = "{\"x\":" + std::string(k_max_depth, '[') + std::string(k_max_depth, ']') +
                     ",\"a\":{\"b\":\"v\"}}";
  EXPECT_EQ(find_member(over, path, value), member_lookup::not_object);

  // Many members named like the path (each compared), a long string, many escapes,
  // a wide array: each 1 MiB line in well under what a quadratic pass would take.
  std::string many_a = "{";
  while (many_a.size() < mib) many_a += "\"x\":{\"a\":1},";
  many_a += "\"a\":{\"b\":\"v\"}}";
  EXPECT_EQ(find_member(many_a, path, value), member_lookup::found);
  std::string dup_a = "{";
  while (dup_a.size() < mib) dup_a += "\"a\":{\"b\":\"v\"},";
  dup_a += "\"z\":0}";
  EXPECT_EQ(find_member(dup_a, path, value), member_lookup::duplicate);
  const std::string long_value = "{\"a\":{\"b\":\"" + std::string(mib, 'e') + "\"}}";
  EXPECT_EQ(find_member(long_value, path, value), member_lookup::found);
  EXPECT_EQ(value.size(), mib);
  std::string escapes = "{\"a\":{\"b\":\"";
  while (escapes.size() < mib) escapes += "\\u0065";
  escapes += "\"}}";
  EXPECT_EQ(find_member(escapes, path, value), member_lookup::found);
  std::string wide = "{\"a\":[";
  while (wide.size() < mib) wide += "1,";
  wide += "1]}";
  EXPECT_EQ(find_member(wide, path, value), member_lookup::missing);  // not traversed

  // Linear: a line 8 times longer takes about 8 times as long, never 64 (generous
  // bounds: shared machines are noisy; a quadratic pass would miss them by far).
  const auto members = [](std::size_t bytes) {
    std::string line = "{";
    while (line.size() < bytes) line += "\"a\":{\"a\":{\"b\":1}},";
    return line + "\"z\":0}";
  };
  for (const auto& [small, big] : {std::pair{members(mib / 8), members(mib)},
                                   std::pair{escapes.substr(0, mib / 8), escapes}}) {
    double t_small = 1e9;
    double t_big = 1e9;
    for (int i = 0; i < 5; ++i) {
      t_small = std::min(t_small, seconds_for(small));
      t_big = std::min(t_big, seconds_for(big));
    }
    EXPECT_LT(t_big, 30 * t_small + 0.002) << t_small << " " << t_big;
  }
  EXPECT_LT(seconds_for(std::string(mib, '[')), 0.5);
  EXPECT_LT(seconds_for(many_a), 0.5);
}

}  // namespace
}  // namespace jwtbatch::cli
