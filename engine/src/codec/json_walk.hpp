// json_walk.hpp: strict, bounded reading of untrusted JSON with simdjson On-Demand.
//
// simdjson validates UTF-8 and string escapes, but On-Demand is lazy: it neither
// detects duplicate member names nor looks inside values nobody asks for. Header and
// payload are security decisions, so the engine reads every value it is handed:
//  - every object's member names are checked for duplicates after unescaping
//    (RFC 7515 §4, RFC 8725 §2.6, docs/SECURITY.md J1), in linear time;
//  - depth, member count, array length and string length are bounded (J4);
//  - every scalar is fully checked, so "tru", "01" or a bad escape anywhere fails
//    (numbers by the grammar of RFC 8259 §6, not by whether a double holds them).
// Recursion depth is capped by json_limits::max_depth, never by the input.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include <simdjson.h>

#include "jwtbatch/status.hpp"

namespace jwtbatch::detail {

// Bounds applied to one JSON document (header or payload).
struct json_limits {
  std::size_t max_depth = 16;       // nesting of objects/arrays; the root object is 1
  std::size_t max_members = 4096;   // members of one object
  std::size_t max_elements = 4096;  // elements of one array
  std::size_t max_string_bytes = std::size_t{16} * 1024;  // one string or member name
};

// member_set detects duplicate member names across nested objects. Names are views
// into the simdjson parser's string buffer, valid for the current document. Small
// objects are checked by a linear scan, an object growing past k_linear_max members
// gets a hash index, so 3,000 members cost 3,000 probes rather than 4.5 million
// comparisons. Capacity is kept between documents: no allocation in steady state.
class member_set {
 public:
  // open_object starts a new scope (an object nested in the current one).
  void open_object();
  // close_object drops the innermost scope.
  void close_object() noexcept;
  // insert adds `name` to the innermost scope; false if it was already there.
  [[nodiscard]] bool insert(std::string_view name);
  // clear forgets everything (start of a document); keeps capacity.
  void clear() noexcept;

 private:
  static constexpr std::size_t k_linear_max = 16;
  struct scope {
    std::size_t begin = 0;             // first index into names_
    std::vector<std::uint32_t> slots;  // open addressing: name index + 1, 0 = empty
    bool hashed = false;
    // While linear: bit (tag's hash mod 64) of every name held, so most new names
    // skip the scan.
    std::uint64_t seen = 0;
  };
  static std::uint64_t tag_bit(std::uint64_t tag) noexcept {
    return std::uint64_t{1} << ((tag * 0x9E3779B97F4A7C15ULL) >> 58U);
  }
  void build_index(scope& s);
  [[nodiscard]] bool insert_hashed(scope& s, std::string_view name, std::uint64_t tag,
                                   std::uint32_t index);

  // A name's length and first seven bytes: names of up to seven bytes are equal
  // exactly when their tags are, longer ones are compared in full when tags match.
  static std::uint64_t tag_of(std::string_view name) noexcept;
  [[nodiscard]] bool same(std::size_t i, std::uint64_t tag, std::string_view name) const noexcept {
    return tags_[i] == tag && (name.size() < 8 || names_[i] == name);
  }

  std::vector<std::string_view> names_;
  std::vector<std::uint64_t> tags_;  // tag_of(names_[i])
  std::vector<scope> scopes_;
  std::size_t depth_ = 0;
};

// json_error_status maps a simdjson error to the engine's status: depth errors are a
// limit, everything else is malformed JSON.
[[nodiscard]] status json_error_status(simdjson::error_code e) noexcept;

// is_json_number: `text` is exactly one number of RFC 8259 §6's grammar
// ([-] (0 | [1-9][0-9]*) [. [0-9]+] [(e|E) [+|-] [0-9]+]), whatever its magnitude.
[[nodiscard]] bool is_json_number(std::string_view text) noexcept;

// scalar_text: the text of the scalar value `v` (a number, true, false or null) as
// it is in the document, without the whitespace after it. Reads nothing else.
[[nodiscard]] std::string_view scalar_text(simdjson::ondemand::value& v) noexcept;

// number_is_grammatical: the number value `v` (of json_type number) is spelled as
// RFC 8259 §6 requires. It reads the token's text only, so a number no double holds
// (1e400) is grammatical. The engine's one rule for numbers: the grammar decides
// bad_json; magnitude is for a registered claim's own rule (NumericDate) to judge.
[[nodiscard]] bool number_is_grammatical(simdjson::ondemand::value& v) noexcept;
// A DOM tape only holds documents that parsed, so any number in it is grammatical.
[[nodiscard]] inline bool number_is_grammatical(const simdjson::dom::element& /*unused*/) noexcept {
  return true;
}

// validate_value reads `v` completely (see the header comment) at nesting `depth`
// (the value's own depth, root object = 1). Returns ok or the first failure.
[[nodiscard]] status validate_value(simdjson::ondemand::value& v, std::size_t depth,
                                    const json_limits& limits, member_set& members) noexcept;

// admit_member applies to the `count`-th member's name the checks every name passes
// before its value is read: member count, name length, duplicates.
[[nodiscard]] inline status admit_member(std::string_view name, std::size_t count,
                                         const json_limits& limits, member_set& members) {
  if (count > limits.max_members || name.size() > limits.max_string_bytes) {
    return status::json_limit_exceeded;
  }
  return members.insert(name) ? status::ok : status::duplicate_member;
}

// walk_object reads the members of `obj` (an object at nesting `depth`): it enforces
// the member-count and name-length limits, rejects duplicate names, and hands each
// member to `on_member(name, value) -> status`, stopping at the first failure.
template <class OnMember>
[[nodiscard]] status walk_object(simdjson::ondemand::object obj, const json_limits& limits,
                                 member_set& members, OnMember&& on_member) noexcept {
  members.open_object();
  std::size_t count = 0;
  for (auto field_result : obj) {
    simdjson::ondemand::field field;
    if (auto e = std::move(field_result).get(field)) return json_error_status(e);
    std::string_view name;
    if (auto e = field.unescaped_key().get(name)) return json_error_status(e);
    if (const status st = admit_member(name, ++count, limits, members); st != status::ok) {
      return st;
    }
    simdjson::ondemand::value value = field.value();
    const status st = on_member(name, value);
    if (st != status::ok) return st;
  }
  members.close_object();
  return status::ok;
}

// The same rules over a simdjson DOM tape (a document that parsed, so every scalar is
// already valid): duplicate names, depth, member, element and string limits, in
// document order, with the same statuses as the On-Demand functions above.
[[nodiscard]] inline simdjson::ondemand::json_type json_type_of(
    const simdjson::dom::element& v) noexcept {
  using simdjson::dom::element_type;
  switch (v.type()) {
    case element_type::OBJECT:
      return simdjson::ondemand::json_type::object;
    case element_type::ARRAY:
      return simdjson::ondemand::json_type::array;
    case element_type::STRING:
      return simdjson::ondemand::json_type::string;
    case element_type::BOOL:
      return simdjson::ondemand::json_type::boolean;
    case element_type::NULL_VALUE:
      return simdjson::ondemand::json_type::null;
    case element_type::INT64:
    case element_type::UINT64:
    case element_type::DOUBLE:
      break;
  }
  return simdjson::ondemand::json_type::number;
}
[[nodiscard]] status validate_value(simdjson::dom::element& v, std::size_t depth,
                                    const json_limits& limits, member_set& members) noexcept;

template <class OnMember>
[[nodiscard]] status walk_object(simdjson::dom::object obj, const json_limits& limits,
                                 member_set& members, OnMember&& on_member) noexcept {
  members.open_object();
  std::size_t count = 0;
  for (simdjson::dom::key_value_pair member : obj) {
    if (const status st = admit_member(member.key, ++count, limits, members); st != status::ok) {
      return st;
    }
    const status st = on_member(member.key, member.value);
    if (st != status::ok) return st;
  }
  members.close_object();
  return status::ok;
}

// check_document_end returns ok when nothing but whitespace follows the root value
// (RFC 8259 §2: one JSON text), bad_json otherwise.
[[nodiscard]] status check_document_end(simdjson::ondemand::document& doc) noexcept;

// decode_padded_segment strictly base64url-decodes `segment` into `buf` (grown, never
// shrunk) followed by SIMDJSON_PADDING zero bytes: bad_base64, else ok and the
// decoded length in *len. It does not look at the decoded bytes.
[[nodiscard]] status decode_padded_segment(std::string_view segment, std::vector<std::uint8_t>& buf,
                                           std::size_t* len) noexcept;

// decode_json_segment is decode_padded_segment, then bad_json for a byte-order mark.
[[nodiscard]] status decode_json_segment(std::string_view segment, std::vector<std::uint8_t>& buf,
                                         std::size_t* len) noexcept;

// open_segment_object strictly base64url-decodes `segment` into `buf` (grown, never
// shrunk), and starts reading the decoded bytes as one JSON object with `parser`:
// bad_base64, bad_json (a byte-order mark, not an object, ...), or ok with `doc` and
// `root` ready. The padding after the text is zeroed: simdjson 3.0 On-Demand looks at
// the first padding byte (a '}' there triggers its balance check), so bytes left by an
// earlier, longer document would make a token's status depend on thread history.
[[nodiscard]] status open_segment_object(std::string_view segment,
                                         simdjson::ondemand::parser& parser,
                                         std::vector<std::uint8_t>& buf,
                                         simdjson::ondemand::document& doc,
                                         simdjson::ondemand::object& root) noexcept;

// has_byte_order_mark: a UTF-8 BOM is not JSON text (RFC 8259 §8.1).
[[nodiscard]] inline bool has_byte_order_mark(std::string_view json) noexcept {
  return json.size() >= 3 && json[0] == '\xEF' && json[1] == '\xBB' && json[2] == '\xBF';
}

}  // namespace jwtbatch::detail
