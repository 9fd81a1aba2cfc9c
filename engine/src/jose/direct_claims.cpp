#include "jose/direct_claims.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <optional>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace jwtbatch::detail {
namespace {

// The bytes a plain string holds: ASCII from the space up, but the quote and the
// backslash. An escape, a control byte or UTF-8 sends the payload to the general
// walk, which validates them.
constexpr std::array<bool, 256> k_plain = [] {
  std::array<bool, 256> t{};
  for (std::size_t c = 0x20; c < 0x80; ++c) t[c] = c != '"' && c != '\\';
  return t;
}();

// The first byte at or after `at` that is not plain (k_plain), or `end`.
const char* plain_run_end(const char* at, const char* end) noexcept {
#if defined(__SSE2__)
  // 16 bytes at a time: a signed compare below 0x20 also catches 0x80-0xFF.
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i backslash = _mm_set1_epi8('\\');
  const __m128i space = _mm_set1_epi8(0x20);
  while (end - at >= 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(at));
    const __m128i stop =
        _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)),
                     _mm_cmplt_epi8(v, space));
    if (const int mask = _mm_movemask_epi8(stop); mask != 0) {
      return at + __builtin_ctz(static_cast<unsigned>(mask));
    }
    at += 16;
  }
#endif
  while (at != end && k_plain[static_cast<unsigned char>(*at)]) ++at;
  return at;
}

// The bytes a number may be spelled with (RFC 8259 §6); is_json_number judges the run.
constexpr std::array<bool, 256> k_number = [] {
  std::array<bool, 256> t{};
  for (std::size_t c = '0'; c <= '9'; ++c) t[c] = true;
  for (const char c : {'-', '+', '.', 'e', 'E'}) t[static_cast<unsigned char>(c)] = true;
  return t;
}();

// The most digits of a NumericDate read here: 10^15 - 1 < 2^53, so the value is
// exact as a double and within k_max_numeric_date.
constexpr std::size_t k_max_date_digits = 15;

class reader {
 public:
  reader(std::string_view json, const json_limits& limits, member_set& members) noexcept
      : at_(json.data()), end_(json.data() + json.size()), limits_(limits), members_(members) {}

  // Skips whitespace; true (and past it) when the next byte is `c`.
  bool eat(char c) noexcept {
    if (!next_is(c)) return false;
    ++at_;
    return true;
  }
  // Skips whitespace; true when the next byte is `c` (not consumed).
  bool next_is(char c) noexcept {
    skip_space();
    return at_ != end_ && *at_ == c;
  }
  [[nodiscard]] bool at_end() noexcept {
    skip_space();
    return at_ == end_;
  }

  // A plain string at the next byte, its text between the quotes in `out`.
  bool string(std::string_view& out) noexcept {
    if (!next_is('"')) return false;
    const char* start = ++at_;
    at_ = plain_run_end(at_, end_);
    if (at_ == end_ || *at_ != '"') return false;
    out = std::string_view(start, static_cast<std::size_t>(at_ - start));
    ++at_;
    return out.size() <= limits_.max_string_bytes;
  }

  // A string claim: a plain string at the next byte.
  bool string(std::optional<std::string_view>& out) noexcept {
    std::string_view s;
    if (!string(s)) return false;
    out = s;
    return true;
  }

  // A member name, admitted by the general walk's rules (count, length, duplicates).
  bool name(std::size_t count, std::string_view& out) noexcept {
    return string(out) && admit_member(out, count, limits_, members_) == status::ok;
  }

  // A NumericDate of the common shape: [1-9][0-9]{0,14} or 0.
  bool date(std::optional<double>& out) noexcept {
    skip_space();
    const char* start = at_;
    std::uint64_t value = 0;
    while (at_ != end_ && *at_ >= '0' && *at_ <= '9') {
      value = value * 10 + static_cast<std::uint64_t>(*at_ - '0');
      ++at_;
    }
    const auto digits = static_cast<std::size_t>(at_ - start);
    if (digits == 0 || digits > k_max_date_digits || (*start == '0' && digits > 1)) return false;
    if (at_ != end_ && k_number[static_cast<unsigned char>(*at_)]) return false;  // 1.5, 1e9
    out = static_cast<double>(value);
    return true;
  }

  // Any value at nesting `depth` (its own: a member of the root object is at 2), read
  // completely; its text in `text`.
  bool value(std::size_t depth, std::string_view& text) noexcept {
    skip_space();
    if (at_ == end_) return false;
    const char* start = at_;
    bool ok = false;
    switch (*at_) {
      case '"': {
        std::string_view s;
        ok = string(s);
        break;
      }
      case '{':
        ok = nest_ok(depth) && object(depth);
        break;
      case '[':
        ok = nest_ok(depth) && array(depth);
        break;
      case 't':
        ok = literal("true");
        break;
      case 'f':
        ok = literal("false");
        break;
      case 'n':
        ok = literal("null");
        break;
      default:
        while (at_ != end_ && k_number[static_cast<unsigned char>(*at_)]) ++at_;
        ok = is_json_number(std::string_view(start, static_cast<std::size_t>(at_ - start)));
        break;
    }
    text = std::string_view(start, static_cast<std::size_t>(at_ - start));
    return ok;
  }

  // The elements of an array the next byte opens, each read by `element()`.
  template <class Element>
  bool elements(Element&& element) noexcept {
    if (!eat('[')) return false;
    if (eat(']')) return true;
    std::size_t count = 0;
    do {
      if (++count > limits_.max_elements || !element()) return false;
    } while (eat(','));
    return eat(']');
  }

 private:
  void skip_space() noexcept {
    while (at_ != end_ && (*at_ == ' ' || *at_ == '\n' || *at_ == '\r' || *at_ == '\t')) ++at_;
  }

  bool literal(std::string_view word) noexcept {
    if (static_cast<std::size_t>(end_ - at_) < word.size() ||
        std::memcmp(at_, word.data(), word.size()) != 0) {
      return false;
    }
    at_ += word.size();
    return true;
  }

  // The general walk's depth rule (validate_value), and this reader's own bound.
  [[nodiscard]] bool nest_ok(std::size_t depth) const noexcept {
    return depth <= limits_.max_depth && depth <= k_direct_max_depth;
  }

  bool object(std::size_t depth) noexcept {
    ++at_;  // '{'
    members_.open_object();
    if (!eat('}')) {
      std::size_t count = 0;
      do {
        std::string_view key;
        std::string_view text;
        if (!name(++count, key) || !eat(':') || !value(depth + 1, text)) return false;
      } while (eat(','));
      if (!eat('}')) return false;
    }
    members_.close_object();
    return true;
  }

  bool array(std::size_t depth) noexcept {
    std::string_view text;
    return elements([&] { return value(depth + 1, text); });
  }

  const char* at_;
  const char* end_;
  const json_limits& limits_;
  member_set& members_;
};

// One member of the root object, its name read: a registered claim of its type, or
// any value (kept when the policy requests it).
bool read_member(reader& r, std::string_view name, const policy& p, claims_scratch& scratch,
                 payload_facts& f) noexcept {
  switch (registered_claim_of(name)) {
    case registered_claim::iss:
      return r.string(f.iss);
    case registered_claim::sub:
      return r.string(f.sub);
    case registered_claim::jti:
      return r.string(f.jti);
    case registered_claim::aud: {
      // A string or an array of strings. Like read_audience, the array is not held
      // to the depth limit: it is a claim, not nesting.
      f.has_aud = true;
      const auto one = [&] {
        std::string_view s;
        if (!r.string(s)) return false;
        f.aud->push_back(s);
        return true;
      };
      return r.next_is('[') ? r.elements(one) : one();
    }
    case registered_claim::exp:
      return r.date(f.exp);
    case registered_claim::nbf:
      return r.date(f.nbf);
    case registered_claim::iat:
      return r.date(f.iat);
    case registered_claim::none:
      break;
  }
  std::string_view text;
  if (!r.value(2, text)) return false;
  const auto wanted = std::find(p.returned_claims.begin(), p.returned_claims.end(), name);
  if (wanted != p.returned_claims.end()) {
    scratch.custom.emplace_back(static_cast<std::size_t>(wanted - p.returned_claims.begin()), text);
  }
  return true;
}

}  // namespace

bool read_claims_direct(std::string_view json, const policy& p, const json_limits& limits,
                        claims_scratch& scratch, payload_facts& f) noexcept {
  reader r(json, limits, scratch.members);
  if (!r.eat('{')) return false;
  scratch.members.open_object();
  if (!r.eat('}')) {
    std::size_t count = 0;
    do {
      std::string_view name;
      if (!r.name(++count, name) || !r.eat(':')) return false;
      mark_required(name, p, f);
      if (!read_member(r, name, p, scratch, f)) return false;
    } while (r.eat(','));
    if (!r.eat('}')) return false;
  }
  scratch.members.close_object();
  return r.at_end();
}

}  // namespace jwtbatch::detail
