#include "rsyslog.hpp"

#include <fmt/format.h>

#include <cstdint>
#include <iterator>
#include <optional>

#include "json_out.hpp"

namespace jwtbatch::cli {
namespace {

void add_string(std::string& out, std::string_view name, std::string_view value) {
  fmt::format_to(std::back_inserter(out), R"(,"{}":)", name);
  detail::append_json_string(out, value);
}

// The verdict of one token, as the members of an object ("status" first).
void append_verdict(std::string& out, const result& r) {
  fmt::format_to(std::back_inserter(out), R"("status":"{}","class":"{}")", status_name(r.code),
                 class_name(r.code));
  if (r.algorithm) add_string(out, "alg", alg_name(*r.algorithm));
  if (r.kid) add_string(out, "kid", *r.kid);
  if (r.signature_verified) {
    if (r.iss) add_string(out, "iss", *r.iss);
    if (r.sub) add_string(out, "sub", *r.sub);
    if (r.exp) {
      const double v = *r.exp;
      if (v == static_cast<double>(static_cast<std::int64_t>(v))) {
        fmt::format_to(std::back_inserter(out), R"(,"exp":{})", static_cast<std::int64_t>(v));
      } else {
        fmt::format_to(std::back_inserter(out), R"(,"exp":{})", v);
      }
    }
  }
  fmt::format_to(std::back_inserter(out), R"(,"fp":"{}")", r.fingerprint_hex());
  if (r.label != attack_label::none) add_string(out, "label", label_name(r.label));
}

}  // namespace

bool fulljson_reader::read(std::string_view line) {
  padded_.assign(line);
  padded_.append(simdjson::SIMDJSON_PADDING, '\0');
  msg_.clear();
  time_.clear();
  simdjson::ondemand::document doc;
  simdjson::ondemand::object obj;
  if (parser_.iterate(padded_.data(), line.size(), padded_.size()).get(doc) != simdjson::SUCCESS ||
      doc.get_object().get(obj) != simdjson::SUCCESS) {
    return false;
  }
  // One pass over the members: rsyslog writes "msg" first and "timereported" later,
  // but any order is read.
  bool have_msg = false;
  for (auto field : obj) {
    std::string_view key;
    if (field.unescaped_key().get(key) != simdjson::SUCCESS) return false;
    std::string_view value;
    if (key == "msg") {
      if (field.value().get_string().get(value) != simdjson::SUCCESS) return false;
      msg_.assign(value);
      have_msg = true;
    } else if (key == "timereported") {
      if (field.value().get_string().get(value) == simdjson::SUCCESS) time_.assign(value);
    }
  }
  return have_msg;
}

void append_rsyslog_reply(std::string& out, std::span<const result> tokens, bool cut) {
  std::size_t ok = 0;
  for (const result& r : tokens) ok += r.code == status::ok ? 1 : 0;
  fmt::format_to(std::back_inserter(out), R"({{"$!":{{"jwt":{{"count":{},"ok":{})", tokens.size(),
                 ok);
  if (!tokens.empty()) {
    out += ',';
    append_verdict(out, tokens.front());
  }
  if (tokens.size() > 1) {
    out += R"(,"tokens":[)";
    for (std::size_t i = 0; i < tokens.size(); ++i) {
      out += i == 0 ? "{" : ",{";
      append_verdict(out, tokens[i]);
      out += '}';
    }
    out += ']';
  }
  if (cut) out += R"(,"cut":true)";
  out += "}}}\n";
}

}  // namespace jwtbatch::cli
