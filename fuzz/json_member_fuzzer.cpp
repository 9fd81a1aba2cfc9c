// json_member_fuzzer: find_member (engine/cli/json_member.hpp), the `verify --field PATH`
// reader of attacker-controlled NDJSON lines, on arbitrary bytes taken as one line.
//
// Paths looked up: a fixed list (top-level, nested, escaped names, "jwt"), and the
// paths the line itself spells when simdjson parses it (the first and the last name at
// each level, down to a few levels), so mutated lines still hit `found` often.
//
// Invariants, each from find_member's contract:
//  - it returns one of the five answers, and `value` is empty unless `found`, whatever
//    `value` held before (two calls with different leftovers agree);
//  - against a straightforward reference, simdjson's DOM parser (as
//    tests/json_member_test.cpp does): when simdjson accepts the line, the answer and
//    the value are exactly the reference's (top-level object, each name on the path
//    counted at its level: twice is duplicate, a non-object on the way is missing, the
//    last value must be a string, escapes decoded, then a leading "Bearer" scheme and
//    its spaces or tabs removed, RFC 6750 §2.1);
//  - when simdjson refuses the line for its grammar, UTF-8 or escapes (errors that mean
//    "not RFC 8259 JSON"), the answer is not_object. Refusals that are simdjson's own
//    limits and not RFC 8259's (numbers out of double or 64-bit range, depth, capacity)
//    assert nothing: find_member accepts any number RFC 8259 allows, and its depth
//    bound is its own.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include <simdjson.h>

#include "json_member.hpp"
#include "json_member_reference.hpp"

namespace {

namespace cli = jwtbatch::cli;
using cli::member_lookup;

std::string_view g_input;
std::string_view g_path;

[[noreturn]] void fail(const char* what, member_lookup got, member_lookup want,
                       std::string_view ours = {}, std::string_view theirs = {}) {
  std::fprintf(stderr,
               "json_member_fuzzer: invariant violated: %s\npath: %.*s\ngot %.*s, reference "
               "%.*s\nvalue %zu bytes, reference value %zu bytes\n",
               what, static_cast<int>(g_path.size()), g_path.data(),
               static_cast<int>(cli::member_lookup_name(got).size()),
               cli::member_lookup_name(got).data(),
               static_cast<int>(cli::member_lookup_name(want).size()),
               cli::member_lookup_name(want).data(), ours.size(), theirs.size());
  std::fprintf(stderr, "input (%zu bytes):", g_input.size());
  for (const char c : g_input) std::fprintf(stderr, " %02x", static_cast<unsigned char>(c));
  std::fprintf(stderr, "\n");
  std::abort();
}

// RFC 6750 §2.1 / RFC 9110 §11.1, written out independently: "bearer" in any case, then
// at least one space or tab; all of those are removed.
void strip_bearer_reference(std::string& v) {
  if (v.size() < 7) return;
  for (std::size_t i = 0; i < 6; ++i) {
    const char c = v[i];
    if (c != "bearer"[i] && c != "BEARER"[i]) return;
  }
  if (v[6] != ' ' && v[6] != '\t') return;
  std::size_t end = 6;
  while (end < v.size() && (v[end] == ' ' || v[end] == '\t')) ++end;
  v.erase(0, end);
}

// A member name written in member_path's syntax: '.' and '\' get a '\' before them.
std::string escape_name(std::string_view name) {
  std::string out;
  for (const char c : name) {
    if (c == '.' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

// Grammar, UTF-8 and escape errors: the line is not RFC 8259 JSON.
bool refused_as_not_json(simdjson::error_code e) {
  switch (e) {
    case simdjson::TAPE_ERROR:
    case simdjson::STRING_ERROR:
    case simdjson::T_ATOM_ERROR:
    case simdjson::F_ATOM_ERROR:
    case simdjson::N_ATOM_ERROR:
    case simdjson::UTF8_ERROR:
    case simdjson::UNCLOSED_STRING:
    case simdjson::UNESCAPED_CHARS:
    case simdjson::EMPTY:
      return true;
    default:
      return false;
  }
}

void check_path(std::string_view line, const std::vector<std::string>& names, std::string_view text,
                const simdjson::dom::object* obj, simdjson::error_code parse_error) {
  static std::string ours;
  static std::string again;
  static std::string theirs;
  g_path = text;
  const cli::member_path path = cli::member_path::parse(text);
  if (path.names() != names) fail("member_path::parse gave other names", {}, {});
  ours = "leftover from an earlier line";
  const member_lookup got = cli::find_member(line, path, ours);
  if (static_cast<unsigned>(got) > static_cast<unsigned>(member_lookup::not_object)) {
    fail("an answer outside the enum", got, got);
  }
  if (got != member_lookup::found && !ours.empty()) fail("value not empty", got, got, ours);
  again.assign(3, 'x');
  if (cli::find_member(line, path, again) != got || again != ours) {
    fail("a second call differs", got, got, ours, again);
  }
  if (obj != nullptr) {
    member_lookup want = cli::reference::dom_lookup(*obj, names, theirs);
    if (want == member_lookup::found) strip_bearer_reference(theirs);
    if (got != want || ours != theirs) fail("differs from simdjson", got, want, ours, theirs);
  } else if (parse_error == simdjson::SUCCESS) {
    // simdjson parsed a document whose top level is not an object.
    if (got != member_lookup::not_object) {
      fail("top level is not an object", got, member_lookup::not_object);
    }
  } else if (refused_as_not_json(parse_error) && got != member_lookup::not_object) {
    fail("simdjson refused the line as not JSON", got, member_lookup::not_object);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view line(reinterpret_cast<const char*>(data), size);
  g_input = line;

  static simdjson::dom::parser parser;
  simdjson::dom::element doc;
  const simdjson::error_code parse_error = parser.parse(line.data(), line.size(), true).get(doc);
  simdjson::dom::object top;
  const bool is_object = parse_error == simdjson::SUCCESS && doc.get(top) == simdjson::SUCCESS;
  const simdjson::dom::object* obj = is_object ? &top : nullptr;

  struct fixed {
    std::string_view text;
    std::vector<std::string> names;
  };
  static const std::vector<fixed> paths = {
      {"token", {"token"}},
      {"jwt", {"jwt"}},
      {"a", {"a"}},
      {"a.b", {"a", "b"}},
      {"a.b.c", {"a", "b", "c"}},
      {"req.headers.authorization", {"req", "headers", "authorization"}},
      {"a\\.b", {"a.b"}},
      {"a\\\\b.c", {"a\\b", "c"}},
  };
  for (const fixed& p : paths) check_path(line, p.names, p.text, obj, parse_error);

  // Paths the line spells: the first and the last name at each level, while the value
  // is an object (at most 6 levels). Empty names cannot be written in a path.
  if (obj != nullptr) {
    for (const bool last : {false, true}) {
      std::vector<std::string> names;
      std::string text;
      simdjson::dom::object at = top;
      for (int level = 0; level < 6; ++level) {
        std::string_view key;
        simdjson::dom::element value;
        bool any = false;
        for (const auto field : at) {
          if (!any || last) {
            key = field.key;
            value = field.value;
          }
          any = true;
        }
        if (!any || key.empty()) break;
        names.emplace_back(key);
        if (!text.empty()) text += '.';
        text += escape_name(key);
        check_path(line, names, text, obj, parse_error);
        if (value.get(at) != simdjson::SUCCESS) break;
      }
    }
  }
  return 0;
}
