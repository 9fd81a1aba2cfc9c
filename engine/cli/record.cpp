#include "record.hpp"

#include <fmt/format.h>

#include <iterator>

#include "json_out.hpp"

namespace jwtbatch::cli {
namespace {

void add_string(std::string& out, std::string_view name,
                const std::optional<std::string_view>& value) {
  if (value) append_string_member(out, name, *value);
}

void add_number(std::string& out, std::string_view name, const std::optional<double>& value) {
  if (value) append_number_member(out, name, *value);
}

// Valid JSON text without its insignificant whitespace: a claim value spread over
// lines in the payload must not break the one-record-per-line output.
void append_minified(std::string& out, std::string_view json) {
  bool in_string = false;
  bool escaped = false;
  for (const char c : json) {
    if (in_string) {
      out += c;
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
      out += c;
    } else if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
      out += c;
    }
  }
}

}  // namespace

void append_string_member(std::string& out, std::string_view name, std::string_view value) {
  out += ",\"";
  out += name;
  out += "\":";
  detail::append_json_string(out, value);
}

void append_number_member(std::string& out, std::string_view name, double value) {
  if (value == static_cast<double>(static_cast<std::int64_t>(value))) {
    fmt::format_to(std::back_inserter(out), R"(,"{}":{})", name, static_cast<std::int64_t>(value));
  } else {
    fmt::format_to(std::back_inserter(out), R"(,"{}":{})", name, value);
  }
}

void append_record(std::string& out, const record_origin& origin, const result& r) {
  fmt::format_to(std::back_inserter(out), R"({{"line":{})", origin.line);
  if (!origin.file.empty()) append_string_member(out, "file", origin.file);
  if (origin.offset) fmt::format_to(std::back_inserter(out), R"(,"offset":{})", *origin.offset);
  if (!origin.name.empty()) append_string_member(out, "name", origin.name);
  fmt::format_to(std::back_inserter(out), R"(,"status":"{}","class":"{}")", status_name(r.code),
                 class_name(r.code));
  add_string(out, "detail", r.detail);  // the claim missing_claim / bad_claim_type names
  if (r.algorithm)
    fmt::format_to(std::back_inserter(out), R"(,"alg":"{}")", alg_name(*r.algorithm));
  add_string(out, "kid", r.kid);
  if (r.signature_verified) {
    add_string(out, "iss", r.iss);
    add_string(out, "sub", r.sub);
    if (r.has_aud) {
      out += R"(,"aud":[)";
      for (std::size_t i = 0; i < r.aud.size(); ++i) {
        if (i != 0) out += ',';
        detail::append_json_string(out, r.aud[i]);
      }
      out += ']';
    }
    add_number(out, "exp", r.exp);
    add_number(out, "nbf", r.nbf);
    add_number(out, "iat", r.iat);
    add_string(out, "jti", r.jti);
    if (!r.custom_claims.empty()) {
      out += R"(,"claims":{)";
      for (std::size_t i = 0; i < r.custom_claims.size(); ++i) {
        if (i != 0) out += ',';
        detail::append_json_string(out, r.custom_claims[i].first);
        out += ':';
        append_minified(out, r.custom_claims[i].second);  // validated by the payload parser
      }
      out += '}';
    }
  }
  fmt::format_to(std::back_inserter(out), R"(,"fp":"{}")", r.fingerprint_hex());
  if (r.label != attack_label::none) {
    fmt::format_to(std::back_inserter(out), R"(,"label":"{}")", label_name(r.label));
  }
  if (origin.token) append_string_member(out, "token", *origin.token);
  out += "}\n";
}

}  // namespace jwtbatch::cli
