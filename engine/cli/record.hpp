// record.hpp: one verdict as one NDJSON line, the output shape every command shares.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "jwtbatch/json_text.hpp"
#include "jwtbatch/result.hpp"

namespace jwtbatch::cli {

// Where a verdict comes from: its input line (1-based) and, optionally, the input
// file, the byte offset of the token in the line (scan), whether the token was
// percent-encoded there (scan), the time it was judged at and where that time came
// from (scan), a name (demo), the token. Views are the caller's, read only while the
// record is appended.
struct record_origin {
  std::uint64_t line = 0;
  std::string_view file;              // omitted when empty
  std::optional<std::size_t> offset;  // omitted when unset
  // The token was percent-encoded in the line (RFC 3986 §2.1) and decoded before it
  // was verified: "encoding":"percent"; omitted when false.
  bool percent_encoded = false;
  // The evaluation time used for exp / nbf / iat (seconds since the epoch, printed as
  // a NumericDate) and where it came from: "line" (the line's own time field), "flag"
  // (--at) or "now" (the clock). Each omitted when unset / empty; scan sets both.
  std::optional<double> at;
  std::string_view at_source;
  // The line holds more than its records say (cut at the line bound, or more tokens
  // than the cap): "cut":true; omitted when false.
  bool line_cut = false;
  std::string_view name;                  // omitted when empty
  std::optional<std::string_view> token;  // --emit-token only
};

// JSON members for records, each with its leading comma: ,"name":"value" (escaped)
// and ,"name":number (a NumericDate as an integer when it is one, else in full).
void append_string_member(std::string& out, std::string_view name, std::string_view value);
void append_number_member(std::string& out, std::string_view name, double value);

// append_record appends {"line":N,"file":..,"offset":N,"encoding":"percent","at":T,
// "at_source":..,"cut":true,"name":..,"status":..,"class":..,"detail":..,"alg":..,"kid":..,
// claims...,"fp":..,"label":..,"token":..} and a newline to `out`, each optional
// member only when it applies. Claims (iss, sub, aud, exp, nbf, iat, jti, custom
// "claims") appear only when the signature verified: nothing a forged token says is
// ever printed as a claim. Every string is escaped, so the line is valid JSON whatever
// the token contained.
void append_record(std::string& out, const record_origin& origin, const result& r);

// append_record_object appends the same record as one JSON object without its place
// in the input ("line" and "file") and without a newline: the "jwt" member of
// --format enrich, which sits inside the input's own line.
void append_record_object(std::string& out, const record_origin& origin, const result& r);

// Where a verdict comes from when its token came in a Kafka message (consume): the
// message's topic, partition and offset. `topic` is the caller's, read only while the
// record is appended.
struct message_place {
  std::string_view topic;
  std::int32_t partition = 0;
  std::int64_t offset = 0;
};

// append_message_record appends the record of a token read from a Kafka message, as one
// JSON object without a newline (one message per record):
//   {"topic":..,"partition":N,"offset":N,"token_offset":N,...}
// "topic", "partition" and "offset" say which message; the rest is what
// append_record_object writes for `origin` (no "line" or "file"), except that the
// token's byte offset in the message (scan, origin.offset) is "token_offset", since
// "offset" is the message's.
void append_message_record(std::string& out, const message_place& place,
                           const record_origin& origin, const result& r);

// Untrusted text (kids, issuers, claims) in TSV fields and summaries is escaped with
// append_text (jwtbatch/json_text.hpp), long names cut with cut_text.
using jwtbatch::append_text;
using jwtbatch::cut_text;
using jwtbatch::escape_text;

// TSV records (--format tsv): a header row, then one row per record. Columns, in this
// order (the first seven keep their meaning from earlier versions, and columns are
// only ever added at the end):
//   line status class alg kid fp label file offset iss sub exp claim.<name>...
//   at at_source encoding
// with one claim.<name> column per --claims name, in the flag's order; at is the
// evaluation time as a NumericDate, at_source "line", "flag" or "now", encoding
// "percent" for a percent-encoded token (record_origin). A field that
// does not apply is "-" (a value that is exactly "-" is written "\-"); every field is
// escaped with append_text, so a tab or line feed inside a value can never add a
// column or a row. iss, sub, exp and the claims are filled only when the signature
// verified, as in NDJSON records; a claim is its JSON text without whitespace.
void append_tsv_header(std::string& out, std::span<const std::string> claim_names);
void append_tsv(std::string& out, const record_origin& origin, const result& r,
                std::span<const std::string> claim_names);

// name_counts counts records by a name that may come from an attacker (a kid, an issuer)
// in bounded memory, however many distinct names the input holds: at most
// `max_names` names are held, each cut to `max_name_bytes` (cut_text); a record whose
// name is new once the table is full is counted in other() instead. Names are held in
// the order first seen, so what is held is deterministic. Memory: at most about
// max_names x (max_name_bytes + 64) bytes. Not thread-safe.
class name_counts {
 public:
  struct entry {
    std::string_view name;  // valid while the name_counts lives
    std::uint64_t records;
    bool name_cut;  // the name was longer than max_name_bytes and is shown cut
  };
  name_counts(std::size_t max_names, std::size_t max_name_bytes)
      : max_names_(max_names), max_name_bytes_(max_name_bytes) {}
  // A move keeps the map's entries where they are (last_ stays valid); a copy would not.
  name_counts(const name_counts&) = delete;
  name_counts& operator=(const name_counts&) = delete;
  name_counts(name_counts&&) noexcept = default;
  name_counts& operator=(name_counts&&) noexcept = default;
  ~name_counts() = default;
  void add(std::string_view name);
  // The names held, most records first (ties: by name), at most `limit` of them.
  [[nodiscard]] std::vector<entry> top(std::size_t limit) const;
  [[nodiscard]] std::size_t names_held() const noexcept { return counts_.size(); }
  // Records whose name was not held because the table was full.
  [[nodiscard]] std::uint64_t other() const noexcept { return other_; }
  [[nodiscard]] std::uint64_t records() const noexcept { return records_; }
  [[nodiscard]] std::size_t max_names() const noexcept { return max_names_; }
  [[nodiscard]] std::size_t max_name_bytes() const noexcept { return max_name_bytes_; }
  [[nodiscard]] bool empty() const noexcept { return records_ == 0; }

 private:
  std::size_t max_names_;
  std::size_t max_name_bytes_;
  // name (cut) -> (records, the name was cut)
  using table = std::map<std::string, std::pair<std::uint64_t, bool>, std::less<>>;
  table counts_;
  // The entry the last add counted (map entries stay put): logs name one kid or
  // issuer many times running, and then a record costs one comparison.
  table::value_type* last_ = nullptr;
  std::uint64_t other_ = 0;
  std::uint64_t records_ = 0;
};

}  // namespace jwtbatch::cli
