#include "jose/header.hpp"

#include <algorithm>
#include <array>
#include <cstring>

#include "codec/base64url.hpp"
#include "core/ascii.hpp"

namespace jwtbatch::detail {

namespace od = simdjson::ondemand;

namespace {

// Header parameters defined by RFC 7515 §4.1 and RFC 7518 §4.6-4.8 / RFC 7516 §4.1.
// RFC 7515 §4.1.11: crit must not name any of them.
constexpr std::array<std::string_view, 20> k_registered = {
    "alg",  "jku", "jwk", "kid", "x5u", "x5c", "x5t", "x5t#S256", "typ", "cty",
    "crit", "enc", "zip", "epk", "apu", "apv", "iv",  "tag",      "p2s", "p2c"};

bool is_registered(std::string_view name) {
  return std::find(k_registered.begin(), k_registered.end(), name) != k_registered.end();
}

}  // namespace

bool is_media_type(std::string_view value, std::string_view type) noexcept {
  constexpr std::string_view prefix = "application/";
  if (value.size() > prefix.size() && ascii_iequals(value.substr(0, prefix.size()), prefix)) {
    value.remove_prefix(prefix.size());
  }
  return ascii_iequals(value, type);
}

namespace {

// Reads a member that must be a string.
status read_string(od::value& v, std::string_view& out) noexcept {
  od::json_type type{};
  if (auto e = v.type().get(type)) return json_error_status(e);
  if (type != od::json_type::string) return status::bad_member_type;
  if (auto e = v.get_string().get(out)) return json_error_status(e);
  return out.size() > k_header_limits.max_string_bytes ? status::json_limit_exceeded : status::ok;
}

// Reads a member that must be of `expected` JSON type, validating all of it.
status read_typed(od::value& v, od::json_type expected, header_scratch& scratch) noexcept {
  od::json_type type{};
  if (auto e = v.type().get(type)) return json_error_status(e);
  if (type != expected) return status::bad_member_type;
  return validate_value(v, 2, k_header_limits, scratch.members);
}

// x5c: a non-empty array of strings (RFC 7515 §4.1.6). Read, never trusted.
status read_string_array(od::value& v, std::size_t& count) noexcept {
  od::json_type type{};
  if (auto e = v.type().get(type)) return json_error_status(e);
  if (type != od::json_type::array) return status::bad_member_type;
  od::array arr;
  if (auto e = v.get_array().get(arr)) return json_error_status(e);
  count = 0;
  for (auto element_result : arr) {
    od::value element;
    if (auto e = element_result.get(element)) return json_error_status(e);
    if (++count > k_header_limits.max_elements) return status::json_limit_exceeded;
    std::string_view s;
    const status st = read_string(element, s);
    if (st != status::ok) return st;
  }
  return status::ok;
}

// crit: a non-empty array of extension names, none of them registered (§4.1.11).
status read_crit(od::value v) noexcept {
  od::json_type type{};
  if (auto e = v.type().get(type)) return json_error_status(e);
  if (type != od::json_type::array) return status::bad_member_type;
  od::array arr;
  if (auto e = v.get_array().get(arr)) return json_error_status(e);
  std::size_t count = 0;
  bool names_registered = false;
  for (auto element_result : arr) {
    od::value element;
    if (auto e = element_result.get(element)) return json_error_status(e);
    if (++count > k_header_limits.max_elements) return status::json_limit_exceeded;
    std::string_view name;
    const status st = read_string(element, name);
    if (st != status::ok) return st;
    names_registered = names_registered || is_registered(name);
  }
  return (count == 0 || names_registered) ? status::bad_crit : status::ok;
}

// Everything the member loop learns before the semantic checks run.
struct header_facts {
  std::string_view alg;
  bool has_alg = false;
  bool has_crit = false;
  bool has_b64 = false;
  bool has_zip = false;
};

status read_member(std::string_view name, od::value& v, header_scratch& scratch, jose_header& out,
                   header_facts& facts) noexcept {
  if (name == "alg") {
    facts.has_alg = true;
    return read_string(v, facts.alg);
  }
  if (name == "kid") {
    out.has_kid = true;
    return read_string(v, out.kid);
  }
  if (name == "typ") {
    out.has_typ = true;
    return read_string(v, out.typ);
  }
  if (name == "cty") {
    out.has_cty = true;
    return read_string(v, out.cty);
  }
  if (name == "crit") {
    facts.has_crit = true;
    out.has_crit = true;
    const status st = read_crit(v);
    out.crit_failed = st != status::ok;
    return st;
  }
  if (name == "b64") {  // RFC 7797 §3: a boolean
    facts.has_b64 = true;
    out.has_b64 = true;
    return read_typed(v, od::json_type::boolean, scratch);
  }
  if (name == "zip") {
    facts.has_zip = true;
    std::string_view ignored;
    return read_string(v, ignored);
  }
  if (name == "jwk") {
    out.has_jwk = true;
    return read_typed(v, od::json_type::object, scratch);
  }
  if (name == "jku" || name == "x5u" || name == "x5t" || name == "x5t#S256") {
    out.has_jku = out.has_jku || name == "jku";
    out.has_x5u = out.has_x5u || name == "x5u";
    std::string_view ignored;
    return read_string(v, ignored);
  }
  if (name == "x5c") {
    out.has_x5c = true;
    std::size_t count = 0;
    const status st = read_string_array(v, count);
    return (st == status::ok && count == 0) ? status::bad_member_type : st;
  }
  return validate_value(v, 2, k_header_limits, scratch.members);
}

status check_semantics(const header_facts& facts, jose_header& out) noexcept {
  if (!facts.has_alg) return status::alg_missing;
  if (ascii_iequals(facts.alg, "none")) return status::alg_none;
  const auto a = alg_from_name(facts.alg);
  if (!a) return status::alg_unsupported;
  out.algorithm = *a;
  if (facts.has_crit) return status::crit_unsupported;  // no extension is understood
  if (facts.has_b64) return status::b64_unsupported;
  if (facts.has_zip) return status::zip_unsupported;
  if (out.has_cty && is_media_type(out.cty, "jwt")) return status::nested_jwt_unsupported;
  return status::ok;
}

}  // namespace

status parse_header(std::string_view segment, header_scratch& scratch, jose_header& out) noexcept {
  out = jose_header{};
  od::document doc;
  od::object root;
  if (const status st = open_segment_object(segment, scratch.parser, scratch.json, doc, root);
      st != status::ok) {
    return st;
  }

  scratch.members.clear();
  header_facts facts;
  const status st = walk_object(root, k_header_limits, scratch.members,
                                [&](std::string_view name, od::value& v) noexcept {
                                  return read_member(name, v, scratch, out, facts);
                                });
  if (st != status::ok) return st;
  if (const status end = check_document_end(doc); end != status::ok) return end;
  return check_semantics(facts, out);
}

}  // namespace jwtbatch::detail
