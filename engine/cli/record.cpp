#include "record.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>

#include "jwtbatch/json_text.hpp"

namespace jwtbatch::cli {
namespace {

using namespace std::string_view_literals;

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

void tsv_field(std::string& out, std::optional<std::string_view> value) {
  out += '\t';
  if (!value) {
    out += '-';
  } else if (*value == "-") {
    out += "\\-";
  } else {
    append_text(out, *value);
  }
}

}  // namespace

void append_tsv_header(std::string& out, std::span<const std::string> claim_names) {
  out += "line\tstatus\tclass\talg\tkid\tfp\tlabel\tfile\toffset\tiss\tsub\texp";
  for (const std::string& name : claim_names) {
    out += "\tclaim.";
    append_text(out, name);
  }
  out += "\tat\tat_source\tencoding\n";
}

void append_tsv(std::string& out, const record_origin& origin, const result& r,
                std::span<const std::string> claim_names) {
  fmt::format_to(std::back_inserter(out), "{}\t{}\t{}", origin.line, status_name(r.code),
                 class_name(r.code));
  tsv_field(out, r.algorithm ? std::optional(alg_name(*r.algorithm)) : std::nullopt);
  tsv_field(out, r.kid);
  tsv_field(out, r.fingerprint_hex());
  tsv_field(out, r.label == attack_label::none ? std::nullopt : std::optional(label_name(r.label)));
  tsv_field(out, origin.file.empty() ? std::nullopt : std::optional(origin.file));
  if (origin.offset) {
    fmt::format_to(std::back_inserter(out), "\t{}", *origin.offset);
  } else {
    out += "\t-";
  }
  // Claims only from a genuine token (record.hpp): nothing a forged token says is shown.
  const bool verified = r.signature_verified;
  tsv_field(out, verified ? r.iss : std::nullopt);
  tsv_field(out, verified ? r.sub : std::nullopt);
  if (verified && r.exp) {
    std::string exp;
    append_number_member(exp, "exp", *r.exp);  // ,"exp":N
    out += '\t';
    out.append(exp, exp.find(':') + 1);
  } else {
    out += "\t-";
  }
  std::string minified;
  for (const std::string& name : claim_names) {
    std::optional<std::string_view> value;
    if (verified) {
      for (const auto& [claim, json] : r.custom_claims) {
        if (claim == name) {
          minified.clear();
          append_minified(minified, json);
          value = minified;
          break;
        }
      }
    }
    tsv_field(out, value);
  }
  if (origin.at) {
    std::string at;
    append_number_member(at, "at", *origin.at);  // ,"at":N
    out += '\t';
    out.append(at, at.find(':') + 1);
  } else {
    out += "\t-";
  }
  tsv_field(out, origin.at_source.empty() ? std::nullopt : std::optional(origin.at_source));
  tsv_field(out, origin.percent_encoded ? std::optional("percent"sv) : std::nullopt);
  out += '\n';
}

void name_counts::add(std::string_view name) {
  ++records_;
  const std::string_view held = cut_text(name, max_name_bytes_);
  if (last_ == nullptr || last_->first != held) {
    const auto it = counts_.find(held);
    if (it == counts_.end()) {
      if (counts_.size() >= max_names_) {
        ++other_;
        return;
      }
      last_ = &*counts_.emplace(std::string(held), std::pair<std::uint64_t, bool>{0, false}).first;
    } else {
      last_ = &*it;
    }
  }
  ++last_->second.first;
  if (held.size() < name.size()) last_->second.second = true;
}

std::vector<name_counts::entry> name_counts::top(std::size_t limit) const {
  std::vector<entry> all;
  all.reserve(counts_.size());
  for (const auto& [name, count] : counts_) all.push_back({name, count.first, count.second});
  // Ties keep the map's order (by name), so the output is the same on every run.
  std::stable_sort(all.begin(), all.end(),
                   [](const entry& a, const entry& b) { return a.records > b.records; });
  if (all.size() > limit) all.resize(limit);
  return all;
}

void append_string_member(std::string& out, std::string_view name, std::string_view value) {
  out += ",\"";
  out += name;
  out += "\":";
  append_json_string(out, value);
}

void append_number_member(std::string& out, std::string_view name, double value) {
  if (value == static_cast<double>(static_cast<std::int64_t>(value))) {
    fmt::format_to(std::back_inserter(out), R"(,"{}":{})", name, static_cast<std::int64_t>(value));
  } else {
    fmt::format_to(std::back_inserter(out), R"(,"{}":{})", name, value);
  }
}

namespace {

// The members of a record after its place in the input (line, file), each with its
// leading comma.
void append_record_members(std::string& out, const record_origin& origin, const result& r) {
  if (origin.offset) fmt::format_to(std::back_inserter(out), R"(,"offset":{})", *origin.offset);
  if (origin.percent_encoded) out += R"(,"encoding":"percent")";
  add_number(out, "at", origin.at);
  if (!origin.at_source.empty()) append_string_member(out, "at_source", origin.at_source);
  if (origin.line_cut) out += R"(,"cut":true)";
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
        append_json_string(out, r.aud[i]);
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
        append_json_string(out, r.custom_claims[i].first);
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
}

}  // namespace

void append_record(std::string& out, const record_origin& origin, const result& r) {
  fmt::format_to(std::back_inserter(out), R"({{"line":{})", origin.line);
  if (!origin.file.empty()) append_string_member(out, "file", origin.file);
  append_record_members(out, origin, r);
  out += "}\n";
}

void append_record_object(std::string& out, const record_origin& origin, const result& r) {
  // The members all start with a comma; the object's first one must not.
  const std::size_t start = out.size();
  append_record_members(out, origin, r);
  out[start] = '{';
  out += '}';
}

void append_message_record(std::string& out, const message_place& place,
                           const record_origin& origin, const result& r) {
  out += R"({"topic":)";
  append_json_string(out, place.topic);
  fmt::format_to(std::back_inserter(out), R"(,"partition":{},"offset":{})", place.partition,
                 place.offset);
  if (origin.offset) {
    fmt::format_to(std::back_inserter(out), R"(,"token_offset":{})", *origin.offset);
  }
  record_origin rest = origin;
  rest.offset.reset();
  append_record_members(out, rest, r);
  out += '}';
}

}  // namespace jwtbatch::cli
