// header_fuzzer: parse_header (engine/src/header.hpp; docs/SECURITY.md J1-J4, H1-H5) against a
// reference model built on the simdjson DOM parser, a different parser from the
// engine's On-Demand walk.
//
// The input is raw header JSON. It is base64url-encoded and parsed twice, with two
// reused scratches whose buffers hold different leftovers (zeros, then JSON-looking
// junk) past the decoded bytes: the results must be identical (no state leaks between
// tokens, docs/SECURITY.md R3). Then:
//  - the status is one value of the enum;
//  - a UTF-8 BOM gives bad_json;
//  - JSON the DOM rejects never gets past the format checks (class_of == format), and
//    in particular is never ok;
//  - for JSON the DOM accepts, a model of the documented rules predicts the verdict:
//    every structural problem in the document (duplicate names after unescaping at any
//    depth, limits, member types, bad crit) is collected, and the engine must report one
//    of them; with none, the semantic checks (alg, crit, b64, zip, cty) decide exactly,
//    and on ok the header fields must equal the DOM's values.
// Numbers near or beyond the double range are judged differently by the DOM and by
// On-Demand; see "Numbers" below for how the model copes.
// Finally the raw input is parsed as a base64url segment itself: bad_base64 exactly when
// the strict decoder rejects it, otherwise the same verdict as its decoded bytes.
#include <algorithm>
#include <bitset>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <simdjson.h>

#include "codec/base64url.hpp"
#include "jose/header.hpp"
#include "jwtbatch/alg.hpp"
#include "jwtbatch/status.hpp"

namespace {

namespace d = jwtbatch::detail;
namespace dom = simdjson::dom;
using jwtbatch::status;

std::string_view g_input;  // the fuzz input, for failure reports

// fail reports a violated invariant: the engine's status, the expected one when known
// (for the scratch-history check: the result with a fresh, zero-padded scratch).
[[noreturn]] void fail(const char* what, status got, std::string_view expected = {}) {
  const std::string_view name = jwtbatch::status_name(got);
  std::fprintf(stderr, "header_fuzzer: invariant violated: %s\nengine status: %.*s\n", what,
               static_cast<int>(name.size()), name.data());
  if (!expected.empty()) {
    std::fprintf(stderr, "expected: %.*s\n", static_cast<int>(expected.size()), expected.data());
  }
  std::fprintf(stderr, "input (%zu bytes):", g_input.size());
  for (const char c : g_input) std::fprintf(stderr, " %02x", static_cast<unsigned char>(c));
  std::fprintf(stderr, "\n");
  std::abort();
}

#define JWTBATCH_FUZZ_CHECK(cond, what, got) \
  do {                                       \
    if (!(cond)) fail(what, got);            \
  } while (false)

// ---------------------------------------------------------------------------------------
// Running the engine.

// What one parse_header call produced, copied out of the scratch (its views die with
// the next call).
struct header_result {
  status st = status::ok;
  jwtbatch::alg algorithm = jwtbatch::alg::hs256;
  std::optional<std::string> kid, typ, cty;
  bool has_jwk = false, has_jku = false, has_x5u = false, has_x5c = false;

  bool operator==(const header_result& o) const {
    if (st != o.st) return false;
    if (st != status::ok) return true;  // `out` is only meaningful on ok
    return algorithm == o.algorithm && kid == o.kid && typ == o.typ && cty == o.cty &&
           has_jwk == o.has_jwk && has_jku == o.has_jku && has_x5u == o.has_x5u &&
           has_x5c == o.has_x5c;
  }
};

std::optional<std::string> copy_if(bool has, std::string_view v) {
  return has ? std::optional<std::string>(v) : std::nullopt;
}

// run_engine parses `segment` with `scratch`, whose JSON buffer is first filled with
// `junk` (repeated, starting right after the decoded header) to stand for what a
// previous, longer token left there.
header_result run_engine(std::string_view segment, d::header_scratch& scratch,
                         std::string_view junk) {
  const std::size_t len = d::base64url_decoded_size(segment.size());
  if (scratch.json.size() < len + simdjson::SIMDJSON_PADDING) {
    scratch.json.resize(len + simdjson::SIMDJSON_PADDING);
  }
  for (std::size_t i = 0; i < scratch.json.size(); ++i) {
    const std::size_t k = i >= len ? i - len : i;
    scratch.json[i] = static_cast<std::uint8_t>(junk[k % junk.size()]);
  }
  d::jose_header out;  // stale values parse_header must reset
  out.algorithm = jwtbatch::alg::eddsa;
  out.kid = out.typ = out.cty = "stale";
  out.has_kid = out.has_typ = out.has_cty = out.has_jwk = out.has_jku = out.has_x5u = out.has_x5c =
      true;

  header_result r;
  r.st = d::parse_header(segment, scratch, out);
  JWTBATCH_FUZZ_CHECK(jwtbatch::status_name(r.st) != "unknown", "status outside the enum", r.st);
  r.algorithm = out.algorithm;
  r.kid = copy_if(out.has_kid, out.kid);
  r.typ = copy_if(out.has_typ, out.typ);
  r.cty = copy_if(out.has_cty, out.cty);
  r.has_jwk = out.has_jwk;
  r.has_jku = out.has_jku;
  r.has_x5u = out.has_x5u;
  r.has_x5c = out.has_x5c;
  return r;
}

// parse_twice runs the engine with two reused scratches, one zero-filled after the
// header (as a fresh scratch is), one holding JSON-looking junk whose first byte is '}'
// (the one padding byte simdjson On-Demand inspects: simdjson issue #1834), and
// requires the same result from both: a verdict must not depend on the previous token.
header_result parse_twice(std::string_view segment) {
  static d::header_scratch zeroed;
  static d::header_scratch dirty;
  const header_result a = run_engine(segment, zeroed, std::string_view("\0", 1));
  const header_result b = run_engine(segment, dirty, "}1\"],\\e0:{[ ");
  if (!(a == b)) {
    const bool same_class = (a.st == status::ok) == (b.st == status::ok) &&
                            jwtbatch::class_of(a.st) == jwtbatch::class_of(b.st);
    fail(same_class ? "status depends on the bytes after the header (scratch history)"
                    : "verdict class depends on the bytes after the header (scratch history)",
         b.st, jwtbatch::status_name(a.st));
  }
  return a;
}

// ---------------------------------------------------------------------------------------
// The reference model, on a document the DOM accepted.

// The documented limits (header.hpp k_header_limits), restated.
constexpr std::size_t k_max_depth = 8;
constexpr std::size_t k_max_members = 64;
constexpr std::size_t k_max_elements = 64;
constexpr std::size_t k_max_string = 16 * 1024;

struct model {
  std::bitset<256> structural;  // bit per status value: every format problem in the document
  std::optional<std::string_view> alg, kid, typ, cty;
  bool has_crit = false, has_b64 = false, has_zip = false;
  bool has_jwk = false, has_jku = false, has_x5u = false, has_x5c = false;

  void add(status s) { structural.set(static_cast<std::size_t>(s)); }
  [[nodiscard]] bool allows(status s) const { return structural.test(static_cast<std::size_t>(s)); }
};

// Unwrapping DOM values whose type was checked first. (Not `.value_unsafe()` in a
// range-for: that would iterate a reference into a destroyed temporary.)
dom::object as_object(dom::element v) {
  dom::object o;
  if (v.get_object().get(o) != simdjson::SUCCESS)
    fail("DOM value of an unexpected type", status::ok);
  return o;
}
dom::array as_array(dom::element v) {
  dom::array a;
  if (v.get_array().get(a) != simdjson::SUCCESS)
    fail("DOM value of an unexpected type", status::ok);
  return a;
}
std::string_view as_string(dom::element v) {
  std::string_view s;
  if (v.get_string().get(s) != simdjson::SUCCESS)
    fail("DOM value of an unexpected type", status::ok);
  return s;
}

void check_value(dom::element v, std::size_t depth, model& m);
void check_member(std::string_view name, dom::element v, model& m);

// check_object: member count, name length and duplicate names (compared after
// unescaping: the DOM's keys are unescaped), then each value. The root object's
// members (depth 1) get the registered-parameter rules.
void check_object(dom::object obj, std::size_t depth, model& m) {
  std::set<std::string_view> names;
  std::size_t count = 0;
  for (const dom::key_value_pair field : obj) {
    if (++count > k_max_members || field.key.size() > k_max_string) {
      m.add(status::json_limit_exceeded);
    }
    if (!names.insert(field.key).second) m.add(status::duplicate_member);
    if (depth == 1) {
      check_member(field.key, field.value, m);
    } else {
      check_value(field.value, depth + 1, m);
    }
  }
}

void check_value(dom::element v, std::size_t depth, model& m) {
  switch (v.type()) {
    case dom::element_type::OBJECT:
    case dom::element_type::ARRAY:
      if (depth > k_max_depth) {
        m.add(status::json_limit_exceeded);
      } else if (v.is_object()) {
        check_object(as_object(v), depth, m);
      } else {
        std::size_t count = 0;
        for (const dom::element e : as_array(v)) {
          if (++count > k_max_elements) m.add(status::json_limit_exceeded);
          check_value(e, depth + 1, m);
        }
      }
      return;
    case dom::element_type::STRING:
      if (as_string(v).size() > k_max_string) {
        m.add(status::json_limit_exceeded);
      }
      return;
    default:
      return;  // numbers, booleans, null: nothing to limit
  }
}

// A registered member that must be a string: records its value.
std::optional<std::string_view> check_string(dom::element v, model& m) {
  if (!v.is_string()) {
    m.add(status::bad_member_type);
    return std::nullopt;
  }
  const std::string_view s = as_string(v);
  if (s.size() > k_max_string) m.add(status::json_limit_exceeded);
  return s;
}

// An array of strings (crit, x5c); returns the strings.
std::vector<std::string_view> check_string_array(dom::element v, model& m) {
  std::vector<std::string_view> out;
  if (!v.is_array()) {
    m.add(status::bad_member_type);
    return out;
  }
  for (const dom::element e : as_array(v)) {
    if (out.size() + 1 > k_max_elements) m.add(status::json_limit_exceeded);
    if (const auto s = check_string(e, m)) out.push_back(*s);
  }
  return out;
}

// RFC 7515 §4.1 / RFC 7518 §4.6-4.8 / RFC 7516 §4.1 parameter names: `crit` must not
// list any of them (RFC 7515 §4.1.11).
bool is_registered(std::string_view name) {
  static const std::set<std::string_view> names = {
      "alg",  "jku", "jwk", "kid", "x5u", "x5c", "x5t", "x5t#S256", "typ", "cty",
      "crit", "enc", "zip", "epk", "apu", "apv", "iv",  "tag",      "p2s", "p2c"};
  return names.count(name) != 0;
}

std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

void check_member(std::string_view name, dom::element v, model& m) {
  if (name == "alg") {
    m.alg = check_string(v, m);
  } else if (name == "kid") {
    m.kid = check_string(v, m);
  } else if (name == "typ") {
    m.typ = check_string(v, m);
  } else if (name == "cty") {
    m.cty = check_string(v, m);
  } else if (name == "zip") {
    m.has_zip = true;
    (void)check_string(v, m);
  } else if (name == "jku" || name == "x5u" || name == "x5t" || name == "x5t#S256") {
    m.has_jku = m.has_jku || name == "jku";
    m.has_x5u = m.has_x5u || name == "x5u";
    (void)check_string(v, m);
  } else if (name == "crit") {
    m.has_crit = true;
    const auto names = check_string_array(v, m);
    if (v.is_array() && (names.empty() || std::any_of(names.begin(), names.end(), is_registered))) {
      m.add(status::bad_crit);
    }
  } else if (name == "b64") {  // RFC 7797 §3: a boolean
    m.has_b64 = true;
    if (!v.is_bool()) m.add(status::bad_member_type);
  } else if (name == "jwk") {
    m.has_jwk = true;
    if (!v.is_object()) {
      m.add(status::bad_member_type);
    } else {
      check_value(v, 2, m);
    }
  } else if (name == "x5c") {  // RFC 7515 §4.1.6: a non-empty array of strings
    m.has_x5c = true;
    if (v.is_array() && as_array(v).size() == 0) m.add(status::bad_member_type);
    (void)check_string_array(v, m);
  } else {
    check_value(v, 2, m);
  }
}

// The semantic verdict once the document has no structural problem (header.hpp 3-5).
status semantic_verdict(const model& m) {
  if (!m.alg) return status::alg_missing;
  if (ascii_lower(*m.alg) == "none") return status::alg_none;
  if (!jwtbatch::alg_from_name(*m.alg)) return status::alg_unsupported;
  if (m.has_crit) return status::crit_unsupported;
  if (m.has_b64) return status::b64_unsupported;
  if (m.has_zip) return status::zip_unsupported;
  if (m.cty) {
    const std::string cty = ascii_lower(*m.cty);
    if (cty == "jwt" || cty == "application/jwt") return status::nested_jwt_unsupported;
  }
  return status::ok;
}

// check_against_model: `root` is the DOM of the header JSON (numbers possibly replaced
// by 0). The engine judges numbers by RFC 8259 §6's grammar only (json_walk.hpp), so an
// extreme but grammatical number is never a reason for bad_json.
void check_against_model(dom::element root, const header_result& r) {
  if (!root.is_object()) {
    JWTBATCH_FUZZ_CHECK(r.st == status::bad_json, "non-object header not bad_json", r.st);
    return;
  }
  model m;
  check_object(as_object(root), 1, m);
  if (m.structural.any()) {
    JWTBATCH_FUZZ_CHECK(m.allows(r.st),
                        "status is none of the document's structural problems (or ok)", r.st);
    return;
  }
  const status want = semantic_verdict(m);
  if (r.st != want) {
    fail("semantic verdict differs from the model", r.st, jwtbatch::status_name(want));
  }
  if (want != status::ok) return;
  JWTBATCH_FUZZ_CHECK(jwtbatch::alg_from_name(*m.alg) == r.algorithm, "wrong algorithm", r.st);
  const auto to_owned = [](const std::optional<std::string_view>& v) {
    return v ? std::optional<std::string>(*v) : std::nullopt;
  };
  JWTBATCH_FUZZ_CHECK(to_owned(m.kid) == r.kid, "kid differs from the DOM's", r.st);
  JWTBATCH_FUZZ_CHECK(to_owned(m.typ) == r.typ, "typ differs from the DOM's", r.st);
  JWTBATCH_FUZZ_CHECK(to_owned(m.cty) == r.cty, "cty differs from the DOM's", r.st);
  JWTBATCH_FUZZ_CHECK(m.has_jwk == r.has_jwk && m.has_jku == r.has_jku && m.has_x5u == r.has_x5u &&
                          m.has_x5c == r.has_x5c,
                      "key-carrying member flags differ", r.st);
}

// ---------------------------------------------------------------------------------------
// Numbers. The engine's rule is RFC 8259 §6's grammar, whatever the magnitude; the DOM
// parser of the model limits the range (1e400, integers beyond 64 bits: NUMBER_ERROR) and
// its own way (it accepts "0e00000000000000000000"). So when the DOM stops at a number of
// a grammatical document, the model runs on a copy with every number replaced by 0 (a
// header member's verdict never depends on a number's value).

enum class number_kind { invalid, plain, extreme };

// classify_number: RFC 8259 §6 grammar. Extreme: more than 19 integer digits, an
// exponent of 20 or more digits (On-Demand rejects those even for 0.0), or an exponent
// beyond +-280 (near the ends of the double range).
number_kind classify_number(std::string_view s) {
  std::size_t i = 0;
  const auto digits = [&] {
    const std::size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    return i - start;
  };
  if (i < s.size() && s[i] == '-') ++i;
  std::size_t int_digits = 0;
  if (i < s.size() && s[i] == '0') {
    ++i;
    int_digits = 1;
  } else if (i >= s.size() || s[i] < '1' || s[i] > '9' || (int_digits = digits()) == 0) {
    return number_kind::invalid;
  }
  if (i < s.size() && s[i] == '.' && (++i, digits() == 0)) return number_kind::invalid;
  std::size_t exp_digits = 0;
  std::size_t exponent = 0;  // magnitude, saturated
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    const std::size_t start = i;
    exp_digits = digits();
    if (exp_digits == 0) return number_kind::invalid;
    for (std::size_t k = start; k < i; ++k) {
      exponent =
          std::min<std::size_t>(exponent * 10 + static_cast<std::size_t>(s[k] - '0'), 100000);
    }
  }
  if (i != s.size()) return number_kind::invalid;
  return int_digits > 19 || exp_digits >= 20 || exponent > 280 ? number_kind::extreme
                                                               : number_kind::plain;
}

bool is_number_char(char c) {
  return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E';
}

// scan_numbers copies `text` to `out` with every number token outside strings replaced
// by 0, and sets `extreme` if one of them is extreme. Returns false if a token breaks
// the grammar (then the text is not JSON at all).
bool scan_numbers(std::string_view text, std::string& out, bool& extreme) {
  out.clear();
  extreme = false;
  std::size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (c == '"') {  // copy a string, escapes included, up to its closing quote
      std::size_t j = i + 1;
      while (j < text.size() && text[j] != '"')
        j += text[j] == '\\' ? std::size_t{2} : std::size_t{1};
      j = std::min(j + 1, text.size());
      out.append(text.substr(i, j - i));
      i = j;
    } else if (c == '-' || (c >= '0' && c <= '9')) {
      std::size_t j = i;
      while (j < text.size() && is_number_char(text[j])) ++j;
      const number_kind kind = classify_number(text.substr(i, j - i));
      if (kind == number_kind::invalid) return false;
      extreme = extreme || kind == number_kind::extreme;
      out += '0';
      i = j;
    } else {
      out += c;
      ++i;
    }
  }
  return true;
}

// ---------------------------------------------------------------------------------------

// check_json: the engine's verdict on header JSON `json` (raw bytes), checked.
header_result check_json(std::string_view json) {
  const std::string segment = d::base64url_encode(json);
  const header_result r = parse_twice(segment);

  if (d::has_byte_order_mark(json)) {  // RFC 8259 §8.1
    JWTBATCH_FUZZ_CHECK(r.st == status::bad_json, "BOM not rejected as bad_json", r.st);
    return r;
  }
  static dom::parser parser;
  dom::element root;
  // No DOM call for empty text: simdjson would memcpy from a null pointer.
  auto error =
      json.empty()
          ? simdjson::EMPTY
          : parser.parse(reinterpret_cast<const std::uint8_t*>(json.data()), json.size()).get(root);
  static std::string replaced;
  bool extreme = false;
  const bool grammatical = scan_numbers(json, replaced, extreme);
  if (error == simdjson::NUMBER_ERROR && grammatical) error = parser.parse(replaced).get(root);
  if (error != simdjson::SUCCESS) {
    JWTBATCH_FUZZ_CHECK(jwtbatch::class_of(r.st) == jwtbatch::status_class::format,
                        "JSON the DOM rejects got past the format checks", r.st);
    return r;
  }
  check_against_model(root, r);
  return r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  g_input = input;

  // 1. The input as header JSON.
  (void)check_json(input);

  // 2. The input as a base64url header segment.
  std::vector<std::uint8_t> decoded(d::base64url_decoded_size(size));
  std::size_t len = 0;
  if (!d::base64url_decode_scalar(input, decoded.data(), &len)) {
    const header_result r = parse_twice(input);
    JWTBATCH_FUZZ_CHECK(r.st == status::bad_base64, "invalid base64url not bad_base64", r.st);
    return 0;
  }
  const std::string_view json(reinterpret_cast<const char*>(decoded.data()), len);
  JWTBATCH_FUZZ_CHECK(d::base64url_encode(json) == input, "segment has a second spelling",
                      status::ok);
  (void)check_json(json);  // parses encode(json), i.e. the input itself
  return 0;
}
