// codec/json_walk: strict, bounded reading of untrusted JSON, tested directly through
// its internal header. Each rule is checked with the exact status it yields:
//  - the grammar of RFC 8259 (numbers by §6's grammar, whatever their magnitude;
//    literals; whitespace of §2 only; one JSON text per document);
//  - strings: escapes and UTF-8 (RFC 8259 §7, §8.1; a byte-order mark is not JSON);
//  - duplicate member names after unescaping (RFC 7515 §4, RFC 8725 §2.6,
//    docs/SECURITY.md J1), in the linear and the hashed member_set alike;
//  - each limit of json_limits exactly at its bound and one over (docs/SECURITY.md J4);
//  - the segment decoders (strict base64url, zeroed padding);
//  - the DOM-tape walk gives the On-Demand walk's status on every document both read.
// A document is read the way the engine reads a header or a payload: its root object
// through walk_object at depth 1, each member's value through validate_value at
// depth 2, then check_document_end.
#include "codec/json_walk.hpp"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <cstdint>
#include <initializer_list>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "codec/base64url.hpp"
#include "test_support.hpp"

namespace jwtbatch::detail {
namespace {

namespace od = simdjson::ondemand;
namespace dom = simdjson::dom;

// Small bounds, so that "at the limit" and "one over" are short documents.
constexpr json_limits k_small{
    .max_depth = 3, .max_members = 4, .max_elements = 5, .max_string_bytes = 6};
// The defaults of json_limits: what a caller gets without choosing.
constexpr json_limits k_default{};

// walk reads `json` as the engine reads a header or payload: one JSON object, every
// member's value validated, nothing after it. Returns the first failure or ok.
status walk(std::string_view json, const json_limits& limits = k_default) {
  const simdjson::padded_string text(json);
  od::parser parser;
  od::document doc;
  if (auto e = parser.iterate(text).get(doc)) return json_error_status(e);
  od::object root;
  if (auto e = doc.get_object().get(root)) return json_error_status(e);
  member_set members;
  members.clear();
  const status st =
      walk_object(root, limits, members, [&](std::string_view, od::value& v) noexcept {
        return validate_value(v, 2, limits, members);
      });
  if (st != status::ok) return st;
  return check_document_end(doc);
}

// walk_dom is walk over a simdjson DOM tape: documents the DOM parser refuses are
// bad_json (or json_limit_exceeded for its depth), the rest go through the DOM
// overloads of walk_object and validate_value.
status walk_dom(std::string_view json, const json_limits& limits = k_default) {
  const simdjson::padded_string text(json);
  dom::parser parser;
  dom::element root;
  if (auto e = parser.parse(text).get(root)) return json_error_status(e);
  dom::object obj;
  if (auto e = root.get_object().get(obj)) return json_error_status(e);
  member_set members;
  return walk_object(obj, limits, members, [&](std::string_view, dom::element& v) noexcept {
    return validate_value(v, 2, limits, members);
  });
}

using test::cat;

// member: `{"v":<value>}`, one value to validate.
std::string member(std::string_view value) {
  return cat({R"({"v":)", value, "}"});
}

// nested: an object nested `depth` deep (the root object is depth 1), innermost {}.
std::string nested_objects(std::size_t depth) {
  std::string s;
  for (std::size_t i = 1; i < depth; ++i) s += R"({"a":)";
  s += "{}";
  for (std::size_t i = 1; i < depth; ++i) s += "}";
  return s;
}

// nested arrays under the root object: the root is depth 1, so `depth` - 1 arrays.
std::string nested_arrays(std::size_t depth) {
  return member(std::string(depth - 1, '[') + std::string(depth - 1, ']'));
}

// members: an object of `count` members named m0, m1, ... (all distinct).
std::string members_of(std::size_t count, std::string_view extra = {}) {
  std::string s = "{";
  for (std::size_t i = 0; i < count; ++i) {
    s += cat({i == 0 ? "\"m" : ",\"m", std::to_string(i), "\":", std::to_string(i)});
  }
  if (!extra.empty()) s += cat({count == 0 ? "" : ",", extra});
  return s + "}";
}

std::string elements_of(std::size_t count) {
  std::string s = "[";
  for (std::size_t i = 0; i < count; ++i) s += cat({i == 0 ? "" : ",", std::to_string(i)});
  return s + "]";
}

// str: `s` between quotes, as a JSON string's text (no escaping added).
std::string str(std::string_view s) {
  std::string out(1, '"');
  out.append(s);
  out.push_back('"');
  return out;
}

// ---------------------------------------------------------------------------------
// Numbers: RFC 8259 §6's grammar decides, not whether a double holds the value.

TEST(JsonNumber, TheGrammarOfRfc8259Section6) {
  for (const std::string_view good :
       {"0", "-0", "7", "-7", "10", "1.5", "-0.0", "0e0", "0E+0", "1e-0", "1E400", "1e400",
        "-1e400", "1e-400", "123456789012345678901234567890123456789", "-9223372036854775809",
        "18446744073709551616", "1.7976931348623157e309", "0.000000000000000000000000001"}) {
    EXPECT_TRUE(is_json_number(good)) << good;
  }
  for (const std::string_view bad :
       {"", "-", "+1", "01", "-01", "00", "1.", ".5", "-.5", "1.e5", "1e", "1e+", "1E-", "e5",
        "0x10", "1_000", "Infinity", "-Infinity", "NaN", "1 ", " 1", "1\t", "--1", "1e5.0",
        "1.5.5", "1ee5", "\xd9\xa1" /* ARABIC-INDIC DIGIT ONE: not a DIGIT of RFC 5234 */}) {
    EXPECT_FALSE(is_json_number(bad)) << bad;
  }
}

TEST(JsonNumber, AValueIsJsonByItsSpellingWhateverItsMagnitude) {
  // RFC 8259 §6: no range. 1e400 (no double holds it), -0, integers past 2^64.
  for (const std::string_view good :
       {"1e400", "-1e400", "1E+400", "1e-400", "-0", "-0.0", "18446744073709551616",
        "-9223372036854775809", "1234567890123456789012345678901234567890e-20"}) {
    EXPECT_EQ(walk(member(good)), status::ok) << good;
    EXPECT_EQ(walk(member(cat({"[", good, "]"}))), status::ok) << good;
  }
  for (const std::string_view bad : {"01", "-01", "1.", ".5", "-", "+1", "1e", "1e+", "0x1", "NaN",
                                     "-Infinity", "1.e5", "1ee5", "--1"}) {
    EXPECT_EQ(walk(member(bad)), status::bad_json) << bad;
    EXPECT_EQ(walk(member(cat({"[", bad, "]"}))), status::bad_json) << bad;
  }
}

TEST(JsonNumber, ScalarTextDropsOnlyTheWhitespaceAfterIt) {
  // The four whitespace characters of RFC 8259 §2 may follow a number; nothing else may.
  EXPECT_EQ(walk("{\"v\":1 \t\r\n}"), status::ok);
  EXPECT_EQ(walk("{\"v\":[1 \t\r\n, 2\n]}"), status::ok);
  EXPECT_EQ(walk("{\"v\":1\f}"), status::bad_json);
  EXPECT_EQ(walk("{\"v\":1\v}"), status::bad_json);
  EXPECT_EQ(walk("{\"v\":1\xc2\xa0}"), status::bad_json);  // U+00A0 NO-BREAK SPACE

  const simdjson::padded_string text(std::string_view("[12.5e3 \t\r\n, -0]"));
  od::parser parser;
  od::document doc;
  ASSERT_EQ(parser.iterate(text).get(doc), simdjson::SUCCESS);
  od::array arr;
  ASSERT_EQ(doc.get_array().get(arr), simdjson::SUCCESS);
  std::vector<std::string> texts;
  for (auto element : arr) {
    od::value v;
    ASSERT_EQ(element.get(v), simdjson::SUCCESS);
    texts.emplace_back(scalar_text(v));
  }
  EXPECT_EQ(texts, (std::vector<std::string>{"12.5e3", "-0"}));
}

// ---------------------------------------------------------------------------------
// Literals, strings, escapes, UTF-8, whitespace.

TEST(JsonScalars, LiteralsAreExactAndLowercase) {
  for (const std::string_view good : {"true", "false", "null", "[true,false,null]"}) {
    EXPECT_EQ(walk(member(good)), status::ok) << good;
  }
  for (const std::string_view bad :
       {"tru", "truex", "True", "TRUE", "fals", "falsey", "nul", "nulll", "NULL", "None",
        "undefined", "[tru]", "[nul]", "'a'"}) {
    EXPECT_EQ(walk(member(bad)), status::bad_json) << bad;
  }
}

TEST(JsonStrings, EscapesAreRfc8259Section7) {
  // Every escape RFC 8259 §7 defines, \u0000 included: valid JSON (a NUL is just a
  // character once unescaped; the claims that compare strings use explicit lengths).
  for (const std::string_view good :
       {R"("\"\\\/\b\f\n\r\t")", R"("\u0000")", R"("a\u0000b")", R"("\u00e9")", R"("\uFFFF")",
        R"("\ud83d\ude00")", R"("\uD834\uDD1E")"}) {
    EXPECT_EQ(walk(member(good)), status::ok) << good;
  }
  for (const std::string_view bad : {R"("\x41")", R"("\a")", R"("\U0041")", R"("\u004")",
                                     R"("\u00G0")", R"("\)", R"("\')", "\"unterminated"}) {
    EXPECT_EQ(walk(member(bad)), status::bad_json) << bad;
  }
}

TEST(JsonStrings, LoneSurrogateEscapesAreRefused) {
  // RFC 8259 §8.2: a lone surrogate is not a Unicode character; it has no UTF-8 form,
  // so the unescaped name or value could not be compared byte-exact.
  for (const std::string_view bad :
       {R"("\ud800")", R"("\udfff")", R"("\ud800x")", R"("\ud800\u0041")", R"("\udc00\ud800")",
        R"("\ud83d\ud83d")"}) {
    EXPECT_EQ(walk(member(bad)), status::bad_json) << bad;
    EXPECT_EQ(walk(cat({"{", bad, ":1}"})), status::bad_json) << bad << " as a name";
  }
}

TEST(JsonStrings, ControlCharactersMustBeEscaped) {
  // RFC 8259 §7: U+0000 through U+001F must be escaped inside a string.
  for (int c = 0; c < 0x20; ++c) {
    const std::string raw = cat({"\"a", std::string(1, static_cast<char>(c)), "b\""});
    EXPECT_EQ(walk(member(raw)), status::bad_json) << "control character " << c;
  }
  EXPECT_EQ(walk(member("\"a\x7f"
                        "b\"")),
            status::ok);  // DEL is not a control of §7
}

TEST(JsonStrings, InvalidUtf8IsRefusedAnywhere) {
  // RFC 8259 §8.1: JSON text is UTF-8. Overlong forms, encoded surrogates, code points
  // past U+10FFFF, stray continuation bytes and cut sequences are not UTF-8.
  for (const std::string_view bad :
       {"\xff", "\xfe", "\x80", "\xbf", "\xc0\xaf", "\xc1\xbf", "\xe0\x80\xaf",
        "\xed\xa0\x80" /* U+D800 */, "\xed\xbf\xbf" /* U+DFFF */, "\xf4\x90\x80\x80",
        "\xf5\x80\x80\x80", "\xf8\x88\x80\x80\x80", "\xc3", "\xe2\x82", "\xf0\x9f\x98"}) {
    const std::string s(bad);
    EXPECT_EQ(walk(member(str(s))), status::bad_json) << "in a value";
    EXPECT_EQ(walk(cat({"{", str(s), ":1}"})), status::bad_json) << "in a name";
    EXPECT_EQ(walk(member("1") + s), status::bad_json) << "after the document";
  }
  for (const std::string_view good :
       {"\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\xef\xbf\xbf", "\xf4\x8f\xbf\xbf",
        "\xed\x9f\xbf" /* U+D7FF */, "\xee\x80\x80" /* U+E000 */}) {
    EXPECT_EQ(walk(member(str(good))), status::ok);
  }
}

TEST(JsonStrings, AByteOrderMarkIsNotJson) {
  // RFC 8259 §8.1: implementations MUST NOT add a BOM; one in a token is refused.
  const std::string bom = "\xEF\xBB\xBF";
  EXPECT_TRUE(has_byte_order_mark(bom));
  EXPECT_TRUE(has_byte_order_mark(bom + "{}"));
  EXPECT_FALSE(has_byte_order_mark("\xEF\xBB"));
  EXPECT_FALSE(has_byte_order_mark("{}" + bom));
  EXPECT_FALSE(has_byte_order_mark(""));
  EXPECT_FALSE(has_byte_order_mark("\xEF\xBB\xBE{}"));

  std::vector<std::uint8_t> buf;
  std::size_t len = 0;
  EXPECT_EQ(decode_json_segment(base64url_encode(bom + "{}"), buf, &len), status::bad_json);
  EXPECT_EQ(decode_json_segment(base64url_encode(bom), buf, &len), status::bad_json);
  EXPECT_EQ(decode_json_segment(base64url_encode(" " + bom + "{}"), buf, &len), status::ok);
  EXPECT_EQ(len, 6U);  // a BOM that is not first is only bytes: JSON decides later
  EXPECT_EQ(walk(" " + bom + "{}"), status::bad_json);
  EXPECT_EQ(walk(member(str(bom))), status::ok);  // U+FEFF inside a string is a character
}

TEST(JsonWhitespace, OnlyTheFourCharactersOfRfc8259Section2) {
  EXPECT_EQ(walk(" \t\r\n{ \t\r\n\"a\" \t\r\n: \t\r\n[ 1 , 2 ] \t\r\n, \"b\":{ } } \t\r\n"),
            status::ok);
  for (const std::string_view space :
       {"\f", "\v", "\xc2\xa0", "\xe2\x80\x8b" /* ZERO WIDTH SPACE */, "\xe3\x80\x80"}) {
    const std::string s(space);
    EXPECT_EQ(walk(s + "{}"), status::bad_json) << "before";
    EXPECT_EQ(walk("{" + s + "}"), status::bad_json) << "inside";
    EXPECT_EQ(walk(R"({"a":)" + s + "1}"), status::bad_json) << "before a value";
    EXPECT_EQ(walk("{}" + s), status::bad_json) << "after";
  }
}

TEST(JsonDocument, OneObjectAndNothingAfterIt) {
  EXPECT_EQ(walk("{}"), status::ok);
  EXPECT_EQ(walk("{} \n"), status::ok);
  for (const std::string_view bad : {"",
                                     " ",
                                     "[]",
                                     "1",
                                     "\"s\"",
                                     "null",
                                     "{}{}",
                                     "{} {}",
                                     "{}x",
                                     "{},",
                                     "{}]",
                                     "{}}",
                                     "{",
                                     "{\"a\"}",
                                     "{\"a\":}",
                                     "{\"a\" 1}",
                                     "{\"a\":1,}",
                                     "{,}",
                                     "{\"a\":1 \"b\":2}",
                                     "{a:1}",
                                     "{'a':1}",
                                     "{\"a\":[1,]}",
                                     "{\"a\":[,1]}",
                                     "{\"a\":[1 2]}",
                                     "{\"a\":[}",
                                     "{1:1}"}) {
    EXPECT_EQ(walk(bad), status::bad_json) << bad;
  }
  EXPECT_EQ(walk(std::string_view("{}\0", 3)), status::bad_json);
}

// ---------------------------------------------------------------------------------
// Duplicate members, compared after unescaping.

TEST(JsonDuplicates, SameNameTwiceInOneObject) {
  EXPECT_EQ(walk(R"({"a":1,"a":1})"), status::duplicate_member);
  EXPECT_EQ(walk(R"({"a":1,"b":2,"a":3})"), status::duplicate_member);
  EXPECT_EQ(walk(R"({"":1,"":2})"), status::duplicate_member);
  // After unescaping: the same name spelled two ways (RFC 7515 §4, docs/SECURITY.md J1).
  EXPECT_EQ(walk(R"({"alg":1,"\u0061lg":2})"), status::duplicate_member);
  EXPECT_EQ(walk(R"({"a/b":1,"a\/b":2})"), status::duplicate_member);
  EXPECT_EQ(walk(R"({"\u00e9":1,"é":2})"), status::duplicate_member);
  EXPECT_EQ(walk(R"({"\ud83d\ude00":1,"😀":2})"), status::duplicate_member);
  EXPECT_EQ(walk(R"({"a\u0000":1,"a\u0000":2})"), status::duplicate_member);
  // Different names that look alike are different: case, NUL, trailing space, length.
  EXPECT_EQ(walk(R"({"a":1,"A":2,"a\u0000":3,"a ":4})"), status::ok);
  EXPECT_EQ(walk(R"({"\u0000":1,"":2})"), status::ok);
  EXPECT_EQ(walk(R"({"e\u0301":1,"é":2})"), status::ok);  // not normalised (exact bytes)
}

TEST(JsonDuplicates, EachObjectIsItsOwnScope) {
  EXPECT_EQ(walk(R"({"a":{"a":1}})"), status::ok);
  EXPECT_EQ(walk(R"({"a":[{"a":1},{"a":1}]})"), status::ok);
  EXPECT_EQ(walk(R"({"x":{"b":1},"b":2})"), status::ok);  // inner names leave with it
  EXPECT_EQ(walk(R"({"a":{"b":1},"a":2})"), status::duplicate_member);
  EXPECT_EQ(walk(R"({"a":{"b":1,"b":2}})"), status::duplicate_member);
  EXPECT_EQ(walk(R"({"a":[{"b":1},{"c":1,"c":1}]})"), status::duplicate_member);
  EXPECT_EQ(walk(R"({"a":{"b":{"c":1}},"c":2,"b":3})"), status::ok);
}

TEST(JsonDuplicates, NamesThatShareTheirFirstSevenBytes) {
  // member_set tags a name with its length and first seven bytes; longer names with
  // equal tags are compared in full.
  EXPECT_EQ(walk(R"({"abcdefgX":1,"abcdefgY":2})"), status::ok);
  EXPECT_EQ(walk(R"({"abcdefgXY":1,"abcdefgXY":2})"), status::duplicate_member);
  EXPECT_EQ(walk(R"({"abcdefg":1,"abcdefgh":2})"), status::ok);
  // The tag's length byte saturates at 255: two 300-byte names differing in the last.
  const std::string a(299, 'n');
  EXPECT_EQ(walk(cat({"{", str(a + "1"), ":1,", str(a + "2"), ":2}"})), status::ok);
  EXPECT_EQ(walk(cat({"{", str(a + "1"), ":1,", str(a + "1"), ":2}"})), status::duplicate_member);
  EXPECT_EQ(walk(cat({"{", str(std::string(255, 'n')), ":1,", str(std::string(256, 'n')), ":2}"})),
            status::ok);
}

TEST(JsonDuplicates, LargeObjectsUseTheHashIndexWithTheSameAnswers) {
  // Up to 16 members are scanned, past that a hash index is built; the answer is the
  // same on both sides of the switch and after every re-growth of the index.
  for (const std::size_t count : {15U, 16U, 17U, 18U, 31U, 32U, 33U, 64U, 100U, 3000U}) {
    EXPECT_EQ(walk(members_of(count)), status::ok) << count;
    // The duplicate is the first member, the middle one, the last one.
    EXPECT_EQ(walk(members_of(count, R"("m0":0)")), status::duplicate_member) << count;
    EXPECT_EQ(walk(members_of(count, cat({"\"m", std::to_string(count / 2), "\":0"}))),
              status::duplicate_member)
        << count;
    EXPECT_EQ(walk(members_of(count, cat({"\"m", std::to_string(count - 1), "\":0"}))),
              status::duplicate_member)
        << count;
    // An escaped spelling of an existing name.
    EXPECT_EQ(walk(members_of(count, R"("\u006d0":0)")), status::duplicate_member) << count;
  }
  // A large outer object with nested objects in between: inner names never collide
  // with outer ones, and the outer index survives them.
  std::string s = "{";
  for (int i = 0; i < 40; ++i) {
    s += cat({"\"o", std::to_string(i), R"(":{"last":1,"o0x":1,"o)", std::to_string(i), "\":1},"});
  }
  EXPECT_EQ(walk(s + R"("last":1})"), status::ok);
  EXPECT_EQ(walk(s + R"("o39":1})"), status::duplicate_member);
  EXPECT_EQ(walk(s + R"("o0":1})"), status::duplicate_member);
}

TEST(MemberSet, ScopesOpenCloseAndClearKeepNothingBehind) {
  member_set m;
  m.clear();
  m.open_object();
  EXPECT_TRUE(m.insert("a"));
  EXPECT_FALSE(m.insert("a"));
  m.open_object();
  EXPECT_TRUE(m.insert("a"));  // a new scope
  EXPECT_TRUE(m.insert("b"));
  m.close_object();
  EXPECT_TRUE(m.insert("b"));  // "b" left with the inner scope
  EXPECT_FALSE(m.insert("a"));
  m.close_object();
  m.close_object();  // closing with no scope open is a no-op

  // A walk that stopped at a failure leaves scopes open; clear() starts afresh.
  std::vector<std::string> names;
  for (int i = 0; i < 40; ++i) names.push_back(cat({"k", std::to_string(i)}));
  m.clear();
  m.open_object();
  for (const auto& n : names) EXPECT_TRUE(m.insert(n));  // hashed past 16
  m.open_object();
  EXPECT_TRUE(m.insert("k0"));
  m.clear();
  m.open_object();
  for (const auto& n : names) EXPECT_TRUE(m.insert(n)) << n;  // no name survived clear
  EXPECT_FALSE(m.insert("k39"));
  EXPECT_FALSE(m.insert("k0"));
  EXPECT_TRUE(m.insert("k40"));
}

// ---------------------------------------------------------------------------------
// Limits: each exactly at its bound, then one over.

TEST(JsonLimits, DepthAtTheLimitAndOneOver) {
  // k_small.max_depth = 3: the root object is 1.
  EXPECT_EQ(walk(nested_objects(3), k_small), status::ok);
  EXPECT_EQ(walk(nested_objects(4), k_small), status::json_limit_exceeded);
  EXPECT_EQ(walk(nested_arrays(3), k_small), status::ok);
  EXPECT_EQ(walk(nested_arrays(4), k_small), status::json_limit_exceeded);
  EXPECT_EQ(walk(R"({"a":[{}]})", k_small), status::ok);
  EXPECT_EQ(walk(R"({"a":[{"b":[]}]})", k_small), status::json_limit_exceeded);
  EXPECT_EQ(walk(R"({"a":[{"b":1}]})", k_small), status::ok);  // scalars add no depth
  // The defaults: 16.
  EXPECT_EQ(walk(nested_objects(16)), status::ok);
  EXPECT_EQ(walk(nested_objects(17)), status::json_limit_exceeded);
  EXPECT_EQ(walk(nested_arrays(16)), status::ok);
  EXPECT_EQ(walk(nested_arrays(17)), status::json_limit_exceeded);
}

TEST(JsonLimits, TheWalksDepthIsTheOnlyBoundOnRecursion) {
  // simdjson 3.0.1's On-Demand parser does not stop at its DOM depth of 1024: the
  // walk's own max_depth is what bounds its recursion (json_walk.hpp), so a caller's
  // limit must be small enough for the stack. The DOM parser does stop at 1024
  // (DEPTH_ERROR), and that is a limit too. 1100 levels: past simdjson's 1024, and
  // within the stack of an ASan build, whose frames are several times larger (the
  // policy bounds max_json_depth to 1024 for that reason: policy.hpp).
  const json_limits deep{.max_depth = 100000};
  EXPECT_EQ(walk(nested_arrays(1100), deep), status::ok);
  EXPECT_EQ(walk(nested_objects(1100), deep), status::ok);
  EXPECT_EQ(walk(nested_arrays(1100)), status::json_limit_exceeded);
  EXPECT_EQ(walk(nested_objects(1100)), status::json_limit_exceeded);
  EXPECT_EQ(walk_dom(nested_arrays(1024), deep), status::ok);
  EXPECT_EQ(walk_dom(nested_arrays(1025), deep), status::json_limit_exceeded);
  EXPECT_EQ(json_error_status(simdjson::DEPTH_ERROR), status::json_limit_exceeded);
}

TEST(JsonLimits, MembersAtTheLimitAndOneOver) {
  // k_small.max_members = 4, for the root and for every nested object.
  EXPECT_EQ(walk(members_of(4), k_small), status::ok);
  EXPECT_EQ(walk(members_of(5), k_small), status::json_limit_exceeded);
  EXPECT_EQ(walk(member(members_of(4)), k_small), status::ok);
  EXPECT_EQ(walk(member(members_of(5)), k_small), status::json_limit_exceeded);
  // The count is checked before the name: the fifth member is over the limit even
  // when it repeats a name.
  EXPECT_EQ(walk(members_of(4, R"("m0":0)"), k_small), status::json_limit_exceeded);
  EXPECT_EQ(walk(members_of(3, R"("m0":0)"), k_small), status::duplicate_member);
  EXPECT_EQ(walk(members_of(4096)), status::ok);
  EXPECT_EQ(walk(members_of(4097)), status::json_limit_exceeded);
}

TEST(JsonLimits, ElementsAtTheLimitAndOneOver) {
  // k_small.max_elements = 5, for every array.
  EXPECT_EQ(walk(member(elements_of(5)), k_small), status::ok);
  EXPECT_EQ(walk(member(elements_of(6)), k_small), status::json_limit_exceeded);
  EXPECT_EQ(walk(member(cat({"[", elements_of(5), "]"})), k_small), status::ok);
  EXPECT_EQ(walk(member(cat({"[", elements_of(6), "]"})), k_small), status::json_limit_exceeded);
  EXPECT_EQ(walk(member(elements_of(0)), k_small), status::ok);
  EXPECT_EQ(walk(member(elements_of(4096))), status::ok);
  EXPECT_EQ(walk(member(elements_of(4097))), status::json_limit_exceeded);
}

TEST(JsonLimits, StringBytesAtTheLimitAndOneOverCountedAfterUnescaping) {
  // k_small.max_string_bytes = 6, for values and member names alike, in bytes of the
  // unescaped UTF-8 (not characters, not the escaped spelling).
  EXPECT_EQ(walk(member(str("abcdef")), k_small), status::ok);
  EXPECT_EQ(walk(member(str("abcdefg")), k_small), status::json_limit_exceeded);
  EXPECT_EQ(walk(member(R"("\u00e9\u00e9\u00e9")"), k_small), status::ok);  // 18 -> 6 bytes
  EXPECT_EQ(walk(member(R"("\u00e9\u00e9\u00e9a")"), k_small), status::json_limit_exceeded);
  EXPECT_EQ(walk(member(str("\xe2\x82\xac\xe2\x82\xac")), k_small), status::ok);  // €€
  EXPECT_EQ(walk(member(str("\xe2\x82\xac\xe2\x82\xac"
                            "a")),
                 k_small),
            status::json_limit_exceeded);  // 3 characters, 7 bytes
  EXPECT_EQ(walk(member(cat({"[", str("abcdef"), "]"})), k_small), status::ok);
  EXPECT_EQ(walk(member(cat({"[", str("abcdefg"), "]"})), k_small), status::json_limit_exceeded);
  EXPECT_EQ(walk(R"({"abcdef":1})", k_small), status::ok);
  EXPECT_EQ(walk(R"({"abcdefg":1})", k_small), status::json_limit_exceeded);
  EXPECT_EQ(walk(R"({"v":{"abcdefg":1}})", k_small), status::json_limit_exceeded);
  EXPECT_EQ(walk(R"({"\u0061bcdef":1})", k_small), status::ok);
  EXPECT_EQ(walk(member(str(std::string(16384, 'x')))), status::ok);
  EXPECT_EQ(walk(member(str(std::string(16385, 'x')))), status::json_limit_exceeded);
}

TEST(JsonLimits, TheFirstFailureInDocumentOrderDecides) {
  EXPECT_EQ(walk(R"({"a":1,"a":{"b":01}})"), status::duplicate_member);
  EXPECT_EQ(walk(R"({"a":01,"a":1})"), status::bad_json);
  EXPECT_EQ(walk(R"({"abcdefg":1,"x":01})", k_small), status::json_limit_exceeded);
  EXPECT_EQ(walk(R"({"x":01,"abcdefg":1})", k_small), status::bad_json);
}

// ---------------------------------------------------------------------------------
// The DOM-tape overloads: the same status on every document both parsers accept.

TEST(JsonDom, TheTapeWalkAgreesWithOnDemand) {
  // The claims' fast path reads a payload from the DOM tape only when the DOM parser
  // accepts it; otherwise the On-Demand walk decides. 1e400 is JSON (RFC 8259 §6) that
  // the DOM parser refuses (no double holds it): one of the documents that fall back.
  EXPECT_EQ(walk(R"({"d":1e400})"), status::ok);
  EXPECT_EQ(walk_dom(R"({"d":1e400})"), status::bad_json);
  const std::vector<std::pair<std::string, json_limits>> documents = {
      {R"({"a":1,"b":[true,false,null,"s",{"c":-0}],"d":1e300,"e":-0.0})", k_default},
      {R"({"a":1,"a":2})", k_default},
      {R"({"alg":1,"\u0061lg":2})", k_default},
      {R"({"a":{"a":1},"b":[{"a":1},{"a":1}]})", k_default},
      {R"({"a":{"b":1,"b":2}})", k_default},
      {members_of(3000, R"("m2999":0)"), k_default},
      {members_of(3000), k_default},
      {nested_objects(3), k_small},
      {nested_objects(4), k_small},
      {nested_arrays(3), k_small},
      {nested_arrays(4), k_small},
      {members_of(4), k_small},
      {members_of(5), k_small},
      {members_of(4, R"("m0":0)"), k_small},
      {member(elements_of(5)), k_small},
      {member(elements_of(6)), k_small},
      {member(str("abcdef")), k_small},
      {member(str("abcdefg")), k_small},
      {member(R"("\u00e9\u00e9\u00e9")"), k_small},
      {R"({"abcdefg":1})", k_small},
      {R"({"abcdefg":1,"abcdefg":1})", k_default},
  };
  std::set<status> seen;
  for (const auto& [json, limits] : documents) {
    const status on_demand = walk(json, limits);
    seen.insert(on_demand);
    EXPECT_EQ(walk_dom(json, limits), on_demand) << json.substr(0, 80);
  }
  EXPECT_EQ(seen,
            (std::set<status>{status::ok, status::duplicate_member, status::json_limit_exceeded}));
  // Both refuse what is not JSON (the DOM parser at parse time).
  for (const std::string_view bad : {"{\"a\":tru}", "{\"a\":\"\\ud800\"}", "{\"a\":1}x"}) {
    EXPECT_EQ(walk(bad), status::bad_json) << bad;
    EXPECT_EQ(walk_dom(bad), status::bad_json) << bad;
  }
}

// ---------------------------------------------------------------------------------
// Segments: strict base64url, then JSON.

TEST(JsonSegment, DecodePaddedSegmentZeroesThePaddingAndOnlyGrows) {
  std::vector<std::uint8_t> buf;
  std::size_t len = 0;
  const std::string long_json =
      R"({"a":"}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}"})";
  ASSERT_EQ(decode_padded_segment(base64url_encode(long_json), buf, &len), status::ok);
  EXPECT_EQ(len, long_json.size());
  EXPECT_EQ(std::string(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(len)), long_json);
  const std::size_t grown = buf.size();
  EXPECT_EQ(grown, base64url_decoded_size(base64url_encode(long_json).size()) +
                       simdjson::SIMDJSON_PADDING);

  // A shorter document in the same buffer: no shrinking, and every padding byte after
  // it is zero (not the '}' left by the longer one: simdjson 3.0 reads the first).
  ASSERT_EQ(decode_padded_segment("e30", buf, &len), status::ok);  // {}
  EXPECT_EQ(len, 2U);
  EXPECT_EQ(buf.size(), grown);
  EXPECT_EQ(buf[0], '{');
  EXPECT_EQ(buf[1], '}');
  for (std::size_t i = 0; i < simdjson::SIMDJSON_PADDING; ++i) EXPECT_EQ(buf[2 + i], 0) << i;

  // Strict base64url only (RFC 7515 §2): padding, the standard alphabet, whitespace,
  // a length of 1 mod 4 and non-zero trailing bits are bad_base64.
  for (const std::string_view bad : {"e30=", "e3+", "e3/", "e3 0", "e", "e30\n", "e31", "e3."}) {
    EXPECT_EQ(decode_padded_segment(bad, buf, &len), status::bad_base64) << bad;
    EXPECT_EQ(decode_json_segment(bad, buf, &len), status::bad_base64) << bad;
  }
  EXPECT_EQ(decode_padded_segment("", buf, &len), status::ok);
  EXPECT_EQ(len, 0U);
}

TEST(JsonSegment, OpenSegmentObjectYieldsEveryStatusOfItsStage) {
  od::parser parser;
  std::vector<std::uint8_t> buf;
  const auto open = [&](std::string_view json_or_segment, bool encode = true) {
    od::document doc;
    od::object root;
    const std::string segment =
        encode ? base64url_encode(json_or_segment) : std::string(json_or_segment);
    status st = open_segment_object(segment, parser, buf, doc, root);
    if (st != status::ok) return st;
    member_set members;
    st = walk_object(root, k_default, members, [&](std::string_view, od::value& v) noexcept {
      return validate_value(v, 2, k_default, members);
    });
    return st != status::ok ? st : check_document_end(doc);
  };
  EXPECT_EQ(open(R"({"alg":"HS256","typ":"JWT"})"), status::ok);
  EXPECT_EQ(open("e30=", false), status::bad_base64);
  EXPECT_EQ(open("[]"), status::bad_json);
  EXPECT_EQ(open("\"s\""), status::bad_json);
  EXPECT_EQ(open(""), status::bad_json);
  EXPECT_EQ(open("\xEF\xBB\xBF{}"), status::bad_json);
  EXPECT_EQ(open(R"({"a":1} {})"), status::bad_json);
  EXPECT_EQ(open(R"({"a":1,"a":2})"), status::duplicate_member);
  EXPECT_EQ(open(nested_objects(17)), status::json_limit_exceeded);
  EXPECT_EQ(open(nested_arrays(17)), status::json_limit_exceeded);
  EXPECT_EQ(open(std::string(2000, '[')), status::bad_json);  // not an object

  // After a long document ending in '}', a short one reads the same as in a fresh
  // buffer: the status never depends on what the buffer held before.
  EXPECT_EQ(open(cat({"{\"a\":\"", std::string(200, '}'), "\"}"})), status::ok);
  for (const std::string_view s : {"{}", "{", "{\"a\"", "{\"a\":1", "{\"a\":[1"}) {
    const status reused = open(s);
    std::vector<std::uint8_t> fresh_buf;
    od::parser fresh_parser;
    od::document doc;
    od::object root;
    status fresh = open_segment_object(base64url_encode(s), fresh_parser, fresh_buf, doc, root);
    if (fresh == status::ok) {
      member_set members;
      fresh = walk_object(root, k_default, members, [&](std::string_view, od::value& v) noexcept {
        return validate_value(v, 2, k_default, members);
      });
      if (fresh == status::ok) fresh = check_document_end(doc);
    }
    EXPECT_EQ(reused, fresh) << s;
    EXPECT_EQ(reused, s == "{}" ? status::ok : status::bad_json) << s;
  }
}

TEST(JsonSegment, TheHeaderVectorsOfTheAttackCatalogue) {
  // attack_vectors.json's JSON attacks (docs/SECURITY.md J1-J4), read in place: each
  // token's header segment opened and walked as the engine reads a document, with the
  // walk's default limits. The verifier's own header limits are jose/header's matter.
  const std::map<std::string, status> expected = {
      {"hdr-dup-alg", status::duplicate_member},
      {"hdr-dup-alg-same", status::duplicate_member},
      {"hdr-dup-kid", status::duplicate_member},
      {"hdr-dup-escaped-name", status::duplicate_member},
      {"hdr-not-json", status::bad_json},
      {"hdr-array", status::bad_json},
      {"hdr-string", status::bad_json},
      {"hdr-trailing-garbage", status::bad_json},
      {"hdr-two-objects", status::bad_json},
      {"hdr-bom", status::bad_json},
      {"hdr-whitespace-ok", status::ok},
      {"hdr-unknown-member-ok", status::ok},
      {"hdr-invalid-utf8", status::bad_json},
      {"hdr-overlong-utf8", status::bad_json},
      {"hdr-lone-surrogate", status::bad_json},
      {"hdr-raw-control-char", status::bad_json},
      {"hdr-deep-nesting-5000", status::json_limit_exceeded},
      {"hdr-alg-huge-string", status::json_limit_exceeded},
  };
  dom::parser vectors;
  const std::string text = test::read_file(test::vector_path("attack_vectors.json"));
  dom::element root;
  ASSERT_EQ(vectors.parse(text).get(root), simdjson::SUCCESS);
  dom::array all;
  ASSERT_EQ(root["vectors"].get_array().get(all), simdjson::SUCCESS);
  od::parser parser;
  std::vector<std::uint8_t> buf;
  std::size_t seen = 0;
  for (dom::element v : all) {
    std::string_view catalogue;
    std::string_view id;
    std::string_view token;
    ASSERT_EQ(v["catalogue"].get_string().get(catalogue), simdjson::SUCCESS);
    if (catalogue != "J1" && catalogue != "J2" && catalogue != "J3" && catalogue != "J4") continue;
    ASSERT_EQ(v["id"].get_string().get(id), simdjson::SUCCESS);
    ASSERT_EQ(v["token"].get_string().get(token), simdjson::SUCCESS);
    SCOPED_TRACE(std::string(id));
    const auto want = expected.find(std::string(id));
    ASSERT_NE(want, expected.end()) << "a vector this test does not know";
    ++seen;
    od::document doc;
    od::object obj;
    status st = open_segment_object(token.substr(0, token.find('.')), parser, buf, doc, obj);
    if (st == status::ok) {
      member_set members;
      st = walk_object(obj, k_default, members, [&](std::string_view, od::value& value) noexcept {
        return validate_value(value, 2, k_default, members);
      });
      if (st == status::ok) st = check_document_end(doc);
    }
    EXPECT_EQ(st, want->second);
    // The vector's own verdict: valid, or one of its error classes.
    std::string_view verdict;
    ASSERT_EQ(v["expect"].get_string().get(verdict), simdjson::SUCCESS);
    EXPECT_EQ(verdict == "valid", st == status::ok);
  }
  EXPECT_EQ(seen, expected.size());
}

TEST(JsonErrors, EverySimdjsonErrorIsBadJsonButDepth) {
  for (const simdjson::error_code e :
       {simdjson::TAPE_ERROR, simdjson::STRING_ERROR, simdjson::UTF8_ERROR,
        simdjson::UNESCAPED_CHARS, simdjson::NUMBER_ERROR, simdjson::T_ATOM_ERROR,
        simdjson::F_ATOM_ERROR, simdjson::N_ATOM_ERROR, simdjson::INCORRECT_TYPE,
        simdjson::NO_SUCH_FIELD, simdjson::EMPTY, simdjson::UNCLOSED_STRING,
        simdjson::INCOMPLETE_ARRAY_OR_OBJECT, simdjson::TRAILING_CONTENT, simdjson::OUT_OF_BOUNDS,
        simdjson::CAPACITY}) {
    EXPECT_EQ(json_error_status(e), status::bad_json) << simdjson::error_message(e);
  }
  EXPECT_EQ(json_error_status(simdjson::DEPTH_ERROR), status::json_limit_exceeded);
}

TEST(JsonWalk, EveryStatusTheWalkReturns) {
  // The walk and its segment decoders produce exactly these five statuses.
  std::set<status> seen;
  std::vector<std::uint8_t> buf;
  std::size_t len = 0;
  seen.insert(decode_json_segment("e30=", buf, &len));
  for (const std::string_view json :
       {R"({"a":1})", R"({"a":01})", R"({"a":1,"a":1})", "{\"a\":\"\xff\"}"}) {
    seen.insert(walk(json));
  }
  seen.insert(walk(nested_objects(17)));
  EXPECT_EQ(seen, (std::set<status>{status::ok, status::bad_base64, status::bad_json,
                                    status::duplicate_member, status::json_limit_exceeded}));
}

}  // namespace
}  // namespace jwtbatch::detail
