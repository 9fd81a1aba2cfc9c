#include "codec/json_walk.hpp"

#include <algorithm>
#include <cstring>
#include <functional>

#include "codec/base64url.hpp"

namespace jwtbatch::detail {

namespace od = simdjson::ondemand;

std::uint64_t member_set::tag_of(std::string_view name) noexcept {
  // Byte i of the name in bits 8(i+1)..8(i+1)+7 (on a little-endian machine; in another
  // fixed order elsewhere, which keeps "equal tags" meaning "equal heads").
  std::uint64_t head = 0;
  if (name.size() >= 8) {
    std::memcpy(&head, name.data(), 8);
    head &= 0x00FFFFFFFFFFFFFFULL;
  } else {
    for (std::size_t i = 0; i < name.size(); ++i) {
      head |= std::uint64_t{static_cast<unsigned char>(name[i])} << (8 * i);
    }
  }
  return std::min<std::size_t>(name.size(), 0xFF) | (head << 8U);
}

void member_set::clear() noexcept {
  names_.clear();
  tags_.clear();
  depth_ = 0;
}

void member_set::open_object() {
  if (depth_ == scopes_.size()) scopes_.emplace_back();
  scope& s = scopes_[depth_++];
  s.begin = names_.size();
  s.hashed = false;
  s.seen = 0;
}

void member_set::close_object() noexcept {
  if (depth_ == 0) return;
  names_.resize(scopes_[--depth_].begin);
  tags_.resize(names_.size());
}

void member_set::build_index(scope& s) {
  const std::size_t count = names_.size() - s.begin;
  std::size_t size = 64;
  while (size < 4 * count) size *= 2;  // load factor <= 1/4 when built, <= 1/2 at most
  s.slots.assign(size, 0);
  for (std::size_t i = s.begin; i < names_.size(); ++i) {
    (void)insert_hashed(s, names_[i], tags_[i], static_cast<std::uint32_t>(i));
  }
  s.hashed = true;
}

bool member_set::insert_hashed(scope& s, std::string_view name, std::uint64_t tag,
                               std::uint32_t index) {
  const std::size_t mask = s.slots.size() - 1;
  std::size_t pos = std::hash<std::string_view>{}(name)&mask;
  while (s.slots[pos] != 0) {
    if (same(s.slots[pos] - 1, tag, name)) return false;
    pos = (pos + 1) & mask;
  }
  s.slots[pos] = index + 1;
  return true;
}

bool member_set::insert(std::string_view name) {
  scope& s = scopes_[depth_ - 1];
  const std::size_t count = names_.size() - s.begin;
  const std::uint64_t tag = tag_of(name);
  if (!s.hashed) {
    const std::uint64_t bit = tag_bit(tag);
    if ((s.seen & bit) != 0) {
      for (std::size_t i = s.begin; i < names_.size(); ++i) {
        if (same(i, tag, name)) return false;
      }
    }
    s.seen |= bit;
    names_.push_back(name);
    tags_.push_back(tag);
    if (count + 1 > k_linear_max) build_index(s);
    return true;
  }
  if (2 * (count + 1) > s.slots.size()) build_index(s);  // keep load factor <= 1/2
  const auto index = static_cast<std::uint32_t>(names_.size());
  if (!insert_hashed(s, name, tag, index)) return false;
  names_.push_back(name);
  tags_.push_back(tag);
  return true;
}

bool is_json_number(std::string_view text) noexcept {
  std::size_t i = 0;
  const std::size_t n = text.size();
  const auto digit = [&](std::size_t at) { return at < n && text[at] >= '0' && text[at] <= '9'; };
  const auto digits = [&] {  // 1*DIGIT; false when there is none
    if (!digit(i)) return false;
    while (digit(i)) ++i;
    return true;
  };
  if (i < n && text[i] == '-') ++i;
  if (i < n && text[i] == '0') {
    ++i;  // int = zero / ( digit1-9 *DIGIT ): no leading zeros
  } else if (!digits()) {
    return false;
  }
  if (i < n && text[i] == '.') {
    ++i;
    if (!digits()) return false;
  }
  if (i < n && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    if (i < n && (text[i] == '+' || text[i] == '-')) ++i;
    if (!digits()) return false;
  }
  return i == n;
}

std::string_view scalar_text(od::value& v) noexcept {
  // The token's text runs to the next structural character: drop the JSON whitespace
  // (RFC 8259 §2) after it.
  std::string_view text = v.raw_json_token();
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\n' ||
                           text.back() == '\r')) {
    text.remove_suffix(1);
  }
  return text;
}

bool number_is_grammatical(od::value& v) noexcept {
  return is_json_number(scalar_text(v));
}

status json_error_status(simdjson::error_code e) noexcept {
  return e == simdjson::DEPTH_ERROR ? status::json_limit_exceeded : status::bad_json;
}

namespace {

status validate_object(od::object obj, std::size_t depth, const json_limits& limits,
                       member_set& members) noexcept {
  return walk_object(obj, limits, members, [&](std::string_view, od::value& v) noexcept {
    return validate_value(v, depth + 1, limits, members);
  });
}

status validate_array(od::array arr, std::size_t depth, const json_limits& limits,
                      member_set& members) noexcept {
  std::size_t count = 0;
  for (auto element_result : arr) {
    od::value element;
    if (auto e = element_result.get(element)) return json_error_status(e);
    if (++count > limits.max_elements) return status::json_limit_exceeded;
    const status st = validate_value(element, depth + 1, limits, members);
    if (st != status::ok) return st;
  }
  return status::ok;
}

}  // namespace

status validate_value(od::value& v, std::size_t depth, const json_limits& limits,
                      member_set& members) noexcept {
  od::json_type type{};
  if (auto e = v.type().get(type)) return json_error_status(e);
  switch (type) {
    case od::json_type::object: {
      if (depth > limits.max_depth) return status::json_limit_exceeded;
      od::object obj;
      if (auto e = v.get_object().get(obj)) return json_error_status(e);
      return validate_object(obj, depth, limits, members);
    }
    case od::json_type::array: {
      if (depth > limits.max_depth) return status::json_limit_exceeded;
      od::array arr;
      if (auto e = v.get_array().get(arr)) return json_error_status(e);
      return validate_array(arr, depth, limits, members);
    }
    case od::json_type::string: {
      std::string_view s;
      if (auto e = v.get_string().get(s)) return json_error_status(e);
      return s.size() > limits.max_string_bytes ? status::json_limit_exceeded : status::ok;
    }
    case od::json_type::number:
      // RFC 8259 §6 has no range: 1e400 is JSON, 01 is not (number_is_grammatical).
      return number_is_grammatical(v) ? status::ok : status::bad_json;
    case od::json_type::boolean: {
      bool b = false;
      if (auto e = v.get_bool().get(b)) return json_error_status(e);
      return status::ok;
    }
    case od::json_type::null: {
      bool is_null = false;
      if (auto e = v.is_null().get(is_null)) return json_error_status(e);
      return is_null ? status::ok : status::bad_json;
    }
  }
  return status::bad_json;
}

status decode_padded_segment(std::string_view segment, std::vector<std::uint8_t>& buf,
                             std::size_t* len) noexcept {
  const std::size_t max_len = base64url_decoded_size(segment.size());
  // The buffer only grows: after warm-up this is a size check, not an allocation.
  if (buf.size() < max_len + simdjson::SIMDJSON_PADDING) {
    buf.resize(max_len + simdjson::SIMDJSON_PADDING);
  }
  if (!base64url_decode(segment, buf.data(), len)) return status::bad_base64;
  std::memset(buf.data() + *len, 0, simdjson::SIMDJSON_PADDING);
  return status::ok;
}

status decode_json_segment(std::string_view segment, std::vector<std::uint8_t>& buf,
                           std::size_t* len) noexcept {
  if (const status st = decode_padded_segment(segment, buf, len); st != status::ok) return st;
  if (has_byte_order_mark(std::string_view(reinterpret_cast<const char*>(buf.data()), *len))) {
    return status::bad_json;
  }
  return status::ok;
}

status open_segment_object(std::string_view segment, od::parser& parser,
                           std::vector<std::uint8_t>& buf, od::document& doc,
                           od::object& root) noexcept {
  std::size_t len = 0;
  if (const status st = decode_json_segment(segment, buf, &len); st != status::ok) return st;
  if (auto e = parser.iterate(buf.data(), len, buf.size()).get(doc)) return json_error_status(e);
  if (auto e = doc.get_object().get(root)) return json_error_status(e);
  return status::ok;
}

status validate_value(simdjson::dom::element& v, std::size_t depth, const json_limits& limits,
                      member_set& members) noexcept {
  switch (json_type_of(v)) {
    case od::json_type::object: {
      if (depth > limits.max_depth) return status::json_limit_exceeded;
      simdjson::dom::object obj;
      if (auto e = v.get_object().get(obj)) return json_error_status(e);
      return walk_object(obj, limits, members,
                         [&](std::string_view, simdjson::dom::element& member) noexcept {
                           return validate_value(member, depth + 1, limits, members);
                         });
    }
    case od::json_type::array: {
      if (depth > limits.max_depth) return status::json_limit_exceeded;
      simdjson::dom::array arr;
      if (auto e = v.get_array().get(arr)) return json_error_status(e);
      std::size_t count = 0;
      for (simdjson::dom::element element : arr) {
        if (++count > limits.max_elements) return status::json_limit_exceeded;
        const status st = validate_value(element, depth + 1, limits, members);
        if (st != status::ok) return st;
      }
      return status::ok;
    }
    case od::json_type::string: {
      std::string_view text;
      if (auto e = v.get_string().get(text)) return json_error_status(e);
      return text.size() > limits.max_string_bytes ? status::json_limit_exceeded : status::ok;
    }
    default:
      return status::ok;  // scalars were validated when the tape was built
  }
}

status check_document_end(od::document& doc) noexcept {
  const char* location = nullptr;
  // OUT_OF_BOUNDS means the iterator stands at the end of the input: nothing follows.
  const auto e = doc.current_location().get(location);
  return e == simdjson::OUT_OF_BOUNDS ? status::ok : status::bad_json;
}

}  // namespace jwtbatch::detail
