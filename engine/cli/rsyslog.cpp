#include "rsyslog.hpp"

#include <fmt/format.h>

#include <iterator>

#include "record.hpp"

namespace jwtbatch::cli {
namespace {

// The verdict of one token, as the members of an object ("status" first).
void append_verdict(std::string& out, const result& r) {
  fmt::format_to(std::back_inserter(out), R"("status":"{}","class":"{}")", status_name(r.code),
                 class_name(r.code));
  if (r.algorithm) append_string_member(out, "alg", alg_name(*r.algorithm));
  if (r.kid) append_string_member(out, "kid", *r.kid);
  if (r.signature_verified) {
    if (r.iss) append_string_member(out, "iss", *r.iss);
    if (r.sub) append_string_member(out, "sub", *r.sub);
    if (r.exp) append_number_member(out, "exp", *r.exp);
  }
  fmt::format_to(std::back_inserter(out), R"(,"fp":"{}")", r.fingerprint_hex());
  if (r.label != attack_label::none) append_string_member(out, "label", label_name(r.label));
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
  // One pass over the members: rsyslog writes "msg" first and "timegenerated" later,
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
    } else if (key == "timegenerated") {
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
