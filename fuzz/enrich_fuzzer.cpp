// enrich_fuzzer: record_writer::format_line with --format enrich (engine/cli/output.hpp),
// which copies an attacker-controlled NDJSON line into its output with a "jwt" member
// added, on arbitrary bytes.
//
// Input: the line is the bytes up to and including the first "\n" (the pipeline cuts
// lines there, so a line never holds another "\n"); the bytes after it, if any, choose
// the rest: flags (--emit-token, the tokens shape of scan, line_cut, percent-encoded),
// the status and attack label of a fixed fake result, the number of tokens, and text
// used as the kid and the token (any bytes, so escaping and U+FFFD are exercised). A
// seed that is just a log line takes defaults. No engine runs: the verdict is fixed.
//
// Invariants (output.hpp's contract for enrich):
//  - the output ends with "\n" and holds no other "\n": one line out per line in;
//  - it is wrapped exactly when find_member(line, "jwt") is not `missing` (not one
//    well-formed object, or one with a top-level "jwt" member);
//  - wrapped: the output is {"line":S,"jwt":J}: valid JSON (simdjson DOM) with exactly
//    those two members, S equal to the line without its "\n", bytes that are not UTF-8
//    as U+FFFD each (an independent RFC 3629 decoder here);
//  - extended: the output is the input line (without its "\n") with one insertion, just
//    before the object's closing '}' (only whitespace, '}', whitespace after it), of
//    `"jwt":J` (after a ',' unless the object is empty), so every byte of the input is
//    kept as it was; when simdjson accepts the input it accepts the output too (a
//    refusal for numbers out of range or depth is simdjson's own limit, and then the
//    output is only checked byte-wise), whose top-level members are the input's, in
//    order, then "jwt", once;
//  - J, record shape (verify --field): byte for byte what append_record_object makes
//    of the origin (token only with --emit-token, "cut" with line_cut) and the result;
//    tokens shape (scan): {"count":N,"ok":K,("cut":true,)"tokens":[...]} whose N, K,
//    cut and each element (append_record_object) agree with the inputs.
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <simdjson.h>

#include "core/access.hpp"
#include "json_member.hpp"
#include "jwtbatch/result.hpp"
#include "jwtbatch/status.hpp"
#include "output.hpp"
#include "record.hpp"

namespace {

namespace cli = jwtbatch::cli;
using jwtbatch::result;
using jwtbatch::status;

std::string_view g_input;
std::string_view g_output;

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "enrich_fuzzer: invariant violated: %s\n", what);
  std::fprintf(stderr, "output: %.*s\n", static_cast<int>(g_output.size()), g_output.data());
  std::fprintf(stderr, "input (%zu bytes):", g_input.size());
  for (const char c : g_input) std::fprintf(stderr, " %02x", static_cast<unsigned char>(c));
  std::fprintf(stderr, "\n");
  std::abort();
}

bool is_ws(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

// RFC 3629 §4, written out: the length of the well-formed UTF-8 sequence at s[i], or 0.
std::size_t utf8_sequence(std::string_view s, std::size_t i) {
  const auto at = [&](std::size_t k) -> unsigned {
    return i + k < s.size() ? static_cast<unsigned char>(s[i + k]) : 0x100U;
  };
  const auto in = [](unsigned c, unsigned lo, unsigned hi) { return c >= lo && c <= hi; };
  const unsigned c = at(0);
  if (c < 0x80U) return 1;
  if (in(c, 0xC2, 0xDF)) return in(at(1), 0x80, 0xBF) ? 2 : 0;
  unsigned lo = 0x80;
  unsigned hi = 0xBF;
  std::size_t n = 0;
  if (c == 0xE0) {
    lo = 0xA0, n = 3;
  } else if (in(c, 0xE1, 0xEC) || in(c, 0xEE, 0xEF)) {
    n = 3;
  } else if (c == 0xED) {
    hi = 0x9F, n = 3;
  } else if (c == 0xF0) {
    lo = 0x90, n = 4;
  } else if (in(c, 0xF1, 0xF3)) {
    n = 4;
  } else if (c == 0xF4) {
    hi = 0x8F, n = 4;
  } else {
    return 0;
  }
  if (!in(at(1), lo, hi)) return 0;
  for (std::size_t k = 2; k < n; ++k) {
    if (!in(at(k), 0x80, 0xBF)) return 0;
  }
  return n;
}

std::string with_replacement(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t n = utf8_sequence(s, i);
    if (n == 0) {
      out += "\xEF\xBF\xBD";  // U+FFFD
      ++i;
    } else {
      out.append(s.substr(i, n));
      i += n;
    }
  }
  return out;
}

// simdjson's own limits, not RFC 8259's: the line may still be JSON (3.0 gives
// NUMBER_ERROR also for numbers out of double or 64-bit integer range).
bool simdjson_limit(simdjson::error_code e) {
  return e == simdjson::NUMBER_ERROR || e == simdjson::DEPTH_ERROR || e == simdjson::CAPACITY;
}

std::string minified(simdjson::dom::element e) {
  return simdjson::to_string(e);
}

// The jwt value against what the writer was given.
void check_jwt(simdjson::dom::element jwt, bool tokens_shape, bool line_cut,
               const std::vector<std::string>& objects, std::span<const result> results) {
  static simdjson::dom::parser want_parser;
  if (!tokens_shape) {
    if (objects.size() != 1) fail("fixture: record shape needs one origin");
    simdjson::dom::element want;
    if (want_parser.parse(objects[0]).get(want) != simdjson::SUCCESS) {
      fail("append_record_object made invalid JSON");
    }
    if (minified(jwt) != minified(want)) fail("jwt is not the record");
    return;
  }
  simdjson::dom::object o;
  if (jwt.get(o) != simdjson::SUCCESS) fail("jwt (tokens shape) is not an object");
  std::uint64_t count = 0;
  std::uint64_t ok = 0;
  if (o["count"].get(count) != simdjson::SUCCESS || count != results.size()) fail("bad count");
  std::uint64_t want_ok = 0;
  for (const result& r : results) want_ok += r.code == status::ok ? 1 : 0;
  if (o["ok"].get(ok) != simdjson::SUCCESS || ok != want_ok) fail("bad ok");
  bool cut = false;
  const auto cut_error = o["cut"].get(cut);
  if (line_cut ? (cut_error != simdjson::SUCCESS || !cut) : cut_error != simdjson::NO_SUCH_FIELD) {
    fail("cut does not say line_cut");
  }
  simdjson::dom::array tokens;
  if (o["tokens"].get(tokens) != simdjson::SUCCESS || tokens.size() != objects.size()) {
    fail("bad tokens array");
  }
  std::size_t i = 0;
  for (const simdjson::dom::element t : tokens) {
    simdjson::dom::element want;
    if (want_parser.parse(objects[i]).get(want) != simdjson::SUCCESS) {
      fail("append_record_object made invalid JSON");
    }
    if (minified(t) != minified(want)) fail("a token's record differs");
    ++i;
  }
  std::size_t members = 0;
  for (const auto field : o) {
    (void)field;
    ++members;
  }
  if (members != (line_cut ? 4U : 3U)) fail("tokens object has other members");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  g_input = input;
  g_output = {};
  const std::size_t nl = input.find('\n');
  const std::string_view line = nl == std::string_view::npos ? input : input.substr(0, nl + 1);
  std::string_view params =
      nl == std::string_view::npos ? std::string_view{} : input.substr(nl + 1);
  const auto take = [&]() -> unsigned {
    if (params.empty()) return 0;
    const auto c = static_cast<unsigned char>(params[0]);
    params.remove_prefix(1);
    return c;
  };
  const unsigned flags = take();
  const unsigned code = take();
  const unsigned label = take();
  const unsigned token_count = take() % 4;
  const std::string_view text = params;  // the kid and the token
  const bool emit_token = (flags & 1U) != 0;
  const bool tokens_shape = (flags & 2U) != 0;
  const bool line_cut = (flags & 4U) != 0;
  const bool percent_encoded = (flags & 8U) != 0;
  const bool with_offset = (flags & 16U) != 0;
  const bool with_at = (flags & 32U) != 0;

  static constexpr std::array<double, 6> k_ats = {
      0.0, 1700000000.0, 1700000000.25, -62167219200.0, 253402300799.0, -1.5};
  static cli::output_options options;
  options.format = "enrich";
  options.emit_token = emit_token;
  const cli::record_writer writer(
      options, nullptr, {}, tokens_shape ? cli::enrich_shape::tokens : cli::enrich_shape::record);

  const std::size_t n = tokens_shape ? token_count : 1;
  std::vector<cli::record_origin> origins(n);
  std::vector<result> results(n);
  for (std::size_t i = 0; i < n; ++i) {
    cli::record_origin& o = origins[i];
    o.line = 1 + i;
    o.file = "access.log";
    if (with_offset) o.offset = 3 * i;
    o.percent_encoded = percent_encoded;
    if (with_at) {
      o.at = k_ats[(flags >> 6U) + i < k_ats.size() ? (flags >> 6U) + i : 0];
      o.at_source = "line";
    }
    o.token = text;
    result& r = results[i];
    r.code = static_cast<status>((code + i) % jwtbatch::status_count);
    r.label = static_cast<jwtbatch::attack_label>(label % 10);
    jwtbatch::detail::access::reserve(r, text.size());
    if (!text.empty()) r.kid = jwtbatch::detail::access::store(r, text);
    for (std::size_t k = 0; k < r.fingerprint.size(); ++k) {
      r.fingerprint[k] = "0123456789abcdef"[(k * 7 + code + i) % 16];
    }
  }

  std::string out = "kept";  // format_line appends
  const bool wrapped = writer.format_line(line, origins, results, line_cut, out);
  if (out.compare(0, 4, "kept") != 0) fail("format_line did not append");
  out.erase(0, 4);
  g_output = out;
  if (out.empty() || out.back() != '\n') fail("output does not end with a newline");
  const std::string_view body = std::string_view(out).substr(0, out.size() - 1);
  if (body.find('\n') != std::string_view::npos) fail("output holds more than one line");

  std::string_view in = line;
  if (!in.empty() && in.back() == '\n') in.remove_suffix(1);
  static const cli::member_path jwt_path = cli::member_path::parse("jwt");
  std::string value;
  if (wrapped != (cli::find_member(in, jwt_path, value) != cli::member_lookup::missing)) {
    fail("wrapped does not match find_member's answer for \"jwt\"");
  }

  // The records the writer should hold, made by hand from the origins.
  std::vector<std::string> objects;
  for (std::size_t i = 0; i < n; ++i) {
    cli::record_origin o = origins[i];
    if (!emit_token) o.token.reset();
    if (!tokens_shape) o.line_cut = o.line_cut || line_cut;
    objects.emplace_back();
    cli::append_record_object(objects.back(), o, results[i]);
  }

  static simdjson::dom::parser parser;
  simdjson::dom::element doc;
  simdjson::dom::object obj;
  if (wrapped) {
    if (parser.parse(body.data(), body.size(), true).get(doc) != simdjson::SUCCESS ||
        doc.get(obj) != simdjson::SUCCESS) {
      fail("wrapped output is not a JSON object");
    }
    std::size_t i = 0;
    for (const auto field : obj) {
      if (i == 0) {
        std::string_view s;
        if (field.key != "line" || field.value.get(s) != simdjson::SUCCESS) {
          fail("wrapped output's first member is not the line string");
        }
        if (s != with_replacement(in)) fail("wrapped line is not the input line");
      } else if (i == 1) {
        if (field.key != "jwt") fail("wrapped output's second member is not jwt");
        check_jwt(field.value, tokens_shape, line_cut, objects, results);
      } else {
        fail("wrapped output has more than two members");
      }
      ++i;
    }
    if (i != 2) fail("wrapped output has fewer than two members");
    if (body.substr(0, 8) != R"({"line":)") fail("wrapped output does not start with line");
    if (!tokens_shape) {
      const std::string tail = R"(,"jwt":)" + objects[0] + "}";
      if (body.size() < tail.size() || body.substr(body.size() - tail.size()) != tail) {
        fail("wrapped output does not end with the record's bytes");
      }
    }
    return 0;
  }

  // Extended: the input with one insertion just before the object's closing '}'.
  if (body.size() <= in.size()) fail("extended output is not longer than the input");
  const std::size_t added = body.size() - in.size();
  std::size_t prefix = 0;
  while (prefix < in.size() && body[prefix] == in[prefix]) ++prefix;
  std::size_t suffix = 0;
  while (suffix < in.size() && body[body.size() - 1 - suffix] == in[in.size() - 1 - suffix]) {
    ++suffix;
  }
  // The insertion point k: the tail in[k..] is whitespace, '}', whitespace.
  std::size_t k = in.size();
  while (k > 0 && is_ws(in[k - 1])) --k;
  if (k == 0 || in[k - 1] != '}') fail("extended a line that does not end with '}'");
  --k;
  if (prefix < k || suffix < in.size() - k)
    fail("the input's bytes are not kept around the insertion");
  std::size_t before = k;
  while (before > 0 && is_ws(in[before - 1])) --before;
  const bool empty_object = before > 0 && in[before - 1] == '{';
  const std::string_view inserted = body.substr(k, added);
  const std::string_view head = empty_object ? R"("jwt":)" : R"(,"jwt":)";
  if (inserted.substr(0, head.size()) != head) fail("the insertion is not [,]\"jwt\":");
  const std::string_view jwt_text = inserted.substr(head.size());
  if (!tokens_shape && jwt_text != objects[0]) fail("jwt is not append_record_object's bytes");

  simdjson::dom::element in_doc;
  static simdjson::dom::parser in_parser;
  const simdjson::error_code in_error = in_parser.parse(in.data(), in.size(), true).get(in_doc);
  if (in_error != simdjson::SUCCESS) {
    if (!simdjson_limit(in_error)) fail("extended a line simdjson refuses as not JSON");
    // Still: the inserted value on its own must be valid JSON.
    if (parser.parse(jwt_text.data(), jwt_text.size(), true).get(doc) != simdjson::SUCCESS) {
      fail("the jwt value is not valid JSON");
    }
    check_jwt(doc, tokens_shape, line_cut, objects, results);
    return 0;
  }
  simdjson::dom::object in_obj;
  if (in_doc.get(in_obj) != simdjson::SUCCESS) fail("extended a line that is not an object");
  if (parser.parse(body.data(), body.size(), true).get(doc) != simdjson::SUCCESS ||
      doc.get(obj) != simdjson::SUCCESS) {
    fail("extended output is not a JSON object");
  }
  auto in_field = in_obj.begin();
  std::size_t jwt_members = 0;
  bool jwt_last = false;
  for (const auto field : obj) {
    jwt_last = false;
    if (field.key == "jwt") {
      ++jwt_members;
      jwt_last = true;
      check_jwt(field.value, tokens_shape, line_cut, objects, results);
      continue;
    }
    if (in_field == in_obj.end()) fail("extended output has a member the input lacks");
    const auto want = *in_field;
    if (field.key != want.key || minified(field.value) != minified(want.value)) {
      fail("a member of the input changed");
    }
    ++in_field;
  }
  if (in_field != in_obj.end()) fail("a member of the input is gone");
  if (jwt_members != 1 || !jwt_last) fail("jwt is not the last member, once");
  return 0;
}
