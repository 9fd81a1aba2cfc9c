#include "json_member.hpp"

#include <simdjson.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <array>
#include <cstdint>
#include <cstring>

#include <fmt/format.h>

#include "jwtbatch/key_set.hpp"
#include "log_text.hpp"

namespace jwtbatch::cli {
namespace {

// The shared byte classes (log_text.hpp), on this reader's unsigned bytes.
bool is_ws(unsigned char c) noexcept {
  return log_text::is_json_space(static_cast<char>(c));
}
bool is_digit(unsigned char c) noexcept {
  return log_text::is_digit(static_cast<char>(c));
}

// What a string's decoded bytes are for: nothing (only checked), compared with a
// member name of the path, or kept as the value looked for.
class string_sink {
 public:
  static string_sink check() noexcept { return {}; }
  static string_sink compare(std::string_view name) noexcept {
    string_sink s;
    s.compare_ = true;
    s.name_ = name;
    return s;
  }
  static string_sink keep(std::string& out) noexcept {
    string_sink s;
    s.out_ = &out;
    return s;
  }
  void put(char c) {
    if (out_ != nullptr) {
      *out_ += c;
    } else if (compare_ && equal_) {
      equal_ = at_ < name_.size() && name_[at_] == c;
      ++at_;
    }
  }
  // A run of bytes that need no decoding.
  void put(std::string_view run) {
    if (out_ != nullptr) {
      out_->append(run);
    } else if (compare_ && equal_) {
      equal_ = name_.size() - at_ >= run.size() && name_.substr(at_, run.size()) == run;
      at_ += run.size();
    }
  }
  [[nodiscard]] bool equal() const noexcept { return compare_ && equal_ && at_ == name_.size(); }

 private:
  bool compare_ = false;
  bool equal_ = true;
  std::size_t at_ = 0;
  std::string_view name_;
  std::string* out_ = nullptr;
};

void put_utf8(string_sink& sink, std::uint32_t cp) {
  if (cp < 0x80) {
    sink.put(static_cast<char>(cp));
  } else if (cp < 0x800) {
    sink.put(static_cast<char>(0xC0 | (cp >> 6)));
    sink.put(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    sink.put(static_cast<char>(0xE0 | (cp >> 12)));
    sink.put(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    sink.put(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    sink.put(static_cast<char>(0xF0 | (cp >> 18)));
    sink.put(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    sink.put(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    sink.put(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// Bytes that end a run of plain string content: '"', '\\' and the control characters.
bool is_special(unsigned char c) noexcept {
  return c == '"' || c == '\\' || c < 0x20;
}

std::uint64_t load8(const unsigned char* p) noexcept {
  std::uint64_t v = 0;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// Whether any of the 8 bytes of `v` is_special (SWAR, "Bit Twiddling Hacks": a byte is
// zero / less than n). Exact as a yes/no answer for the whole word.
bool has_special(std::uint64_t v) noexcept {
  constexpr std::uint64_t ones = 0x0101010101010101ULL;
  constexpr std::uint64_t highs = 0x8080808080808080ULL;
  const auto has_zero = [](std::uint64_t x) { return (x - ones) & ~x & highs; };
  const std::uint64_t below_space = (v - ones * 0x20) & ~v & highs;
  return (has_zero(v ^ (ones * '"')) | has_zero(v ^ (ones * '\\')) | below_space) != 0;
}

#if defined(__SSE2__)
// One bit per byte of the 16 at `p` that is_special (SSE2, in every x86-64 CPU).
int special_mask16(const unsigned char* p) noexcept {
  const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  const __m128i quote = _mm_cmpeq_epi8(v, _mm_set1_epi8('"'));
  const __m128i backslash = _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'));
  // Unsigned c < 0x20 exactly when min(c, 0x1F) == c.
  const __m128i control = _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(0x1F)), v);
  return _mm_movemask_epi8(_mm_or_si128(_mm_or_si128(quote, backslash), control));
}
#endif

// A cursor over the line whose only moves are checked (BoringSSL's CBS, in spirit).
class cursor {
 public:
  explicit cursor(std::string_view s) noexcept
      : p_(reinterpret_cast<const unsigned char*>(s.data())), end_(p_ + s.size()) {}
  [[nodiscard]] bool at_end() const noexcept { return p_ == end_; }
  [[nodiscard]] unsigned char peek() const noexcept { return *p_; }
  void skip_ws() noexcept {
    while (p_ != end_ && is_ws(*p_)) ++p_;
  }
  // skip_ws, then true with the byte consumed when it is `c`.
  bool take(unsigned char c) noexcept {
    skip_ws();
    if (p_ != end_ && *p_ == c) {
      ++p_;
      return true;
    }
    return false;
  }

  // A string whose opening quote is the next byte (RFC 8259 §7); its decoded bytes go
  // to `sink`. False when it is not well-formed. The line's UTF-8 is checked as a
  // whole beforehand, so raw bytes pass through as they are.
  bool string(string_sink& sink) {
    ++p_;  // the opening quote
    while (p_ != end_) {
      // The bytes up to the next quote, backslash or control character are the
      // string's own: one run, found 8 bytes at a time (most of a line is strings).
      const unsigned char* run = p_;
#if defined(__SSE2__)
      while (end_ - p_ >= 16) {
        const int special = special_mask16(p_);
        if (special != 0) {
          p_ += __builtin_ctz(static_cast<unsigned>(special));
          break;
        }
        p_ += 16;
      }
#endif
      while (end_ - p_ >= 8 && !has_special(load8(p_))) p_ += 8;
      while (p_ != end_ && !is_special(*p_)) ++p_;
      if (p_ != run) {
        sink.put(std::string_view(reinterpret_cast<const char*>(run),
                                  static_cast<std::size_t>(p_ - run)));
      }
      if (p_ == end_) return false;
      const unsigned char c = *p_++;
      if (c == '"') return true;
      if (c < 0x20) return false;  // control characters must be escaped
      if (p_ == end_) return false;
      switch (*p_++) {
        case '"':
          sink.put('"');
          break;
        case '\\':
          sink.put('\\');
          break;
        case '/':
          sink.put('/');
          break;
        case 'b':
          sink.put('\b');
          break;
        case 'f':
          sink.put('\f');
          break;
        case 'n':
          sink.put('\n');
          break;
        case 'r':
          sink.put('\r');
          break;
        case 't':
          sink.put('\t');
          break;
        case 'u': {
          std::uint32_t cp = 0;
          if (!hex4(cp)) return false;
          if (cp >= 0xDC00 && cp <= 0xDFFF) return false;  // a low surrogate alone
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            // A high surrogate must be followed by a low one (RFC 8259 §7); a lone one
            // spells no character, so it has no bytes to compare or verify.
            std::uint32_t low = 0;
            if (end_ - p_ < 2 || p_[0] != '\\' || p_[1] != 'u') return false;
            p_ += 2;
            if (!hex4(low) || low < 0xDC00 || low > 0xDFFF) return false;
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          }
          put_utf8(sink, cp);
          break;
        }
        default:
          return false;
      }
    }
    return false;
  }

  // number: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? (RFC 8259 §6).
  bool number() noexcept {
    if (p_ != end_ && *p_ == '-') ++p_;
    if (p_ == end_ || !is_digit(*p_)) return false;
    if (*p_ == '0') {
      ++p_;
    } else {
      while (p_ != end_ && is_digit(*p_)) ++p_;
    }
    if (p_ != end_ && *p_ == '.') {
      ++p_;
      if (p_ == end_ || !is_digit(*p_)) return false;
      while (p_ != end_ && is_digit(*p_)) ++p_;
    }
    if (p_ != end_ && (*p_ == 'e' || *p_ == 'E')) {
      ++p_;
      if (p_ != end_ && (*p_ == '+' || *p_ == '-')) ++p_;
      if (p_ == end_ || !is_digit(*p_)) return false;
      while (p_ != end_ && is_digit(*p_)) ++p_;
    }
    return true;
  }

  bool literal(std::string_view word) noexcept {
    if (static_cast<std::size_t>(end_ - p_) < word.size()) return false;
    if (std::string_view(reinterpret_cast<const char*>(p_), word.size()) != word) return false;
    p_ += word.size();
    return true;
  }

 private:
  bool hex4(std::uint32_t& out) noexcept {
    if (end_ - p_ < 4) return false;
    out = 0;
    for (int i = 0; i < 4; ++i) {
      const auto c = static_cast<char>(*p_++);
      if (!log_text::is_hex(c)) return false;
      out = (out << 4) | log_text::hex_value(c);
    }
    return true;
  }

  const unsigned char* p_;
  const unsigned char* end_;
};

// The open containers, innermost last: one bit each (object or array), so the depth
// bound costs 128 bytes of stack and nothing recurses.
class container_stack {
 public:
  [[nodiscard]] std::size_t depth() const noexcept { return depth_; }
  bool push(bool object) noexcept {
    if (depth_ == k_max_depth) return false;
    const std::uint64_t bit = std::uint64_t{1} << (depth_ % 64);
    if (object) {
      bits_[depth_ / 64] |= bit;
    } else {
      bits_[depth_ / 64] &= ~bit;
    }
    ++depth_;
    return true;
  }
  void pop() noexcept { --depth_; }
  [[nodiscard]] bool top_is_object() const noexcept {
    const std::size_t i = depth_ - 1;
    return ((bits_[i / 64] >> (i % 64)) & 1U) != 0;
  }

 private:
  std::array<std::uint64_t, k_max_depth / 64> bits_{};
  std::size_t depth_ = 0;
};

// A leading "Bearer" scheme and its spaces or tabs (RFC 6750 §2.1; RFC 9110 §11.1:
// the scheme name is case-insensitive). "Bearer" without a space after it is kept.
void strip_bearer(std::string& value) {
  constexpr std::string_view scheme = "bearer";
  if (value.size() <= scheme.size() ||
      !log_text::iequals(std::string_view(value).substr(0, scheme.size()), scheme)) {
    return;
  }
  std::size_t end = scheme.size();
  while (end < value.size() && (value[end] == ' ' || value[end] == '\t')) ++end;
  if (end == scheme.size()) return;
  value.erase(0, end);
}

enum class target_kind { none, string, other };

}  // namespace

std::string_view member_lookup_name(member_lookup r) noexcept {
  switch (r) {
    case member_lookup::found:
      return "found";
    case member_lookup::missing:
      return "missing";
    case member_lookup::not_string:
      return "not_string";
    case member_lookup::duplicate:
      return "duplicate";
    case member_lookup::not_object:
      return "not_object";
  }
  return "unknown";
}

member_path member_path::parse(std::string_view flag_value) {
  const auto refuse = [&](std::string_view why) {
    return config_error(fmt::format("--field {}: {}", flag_value, why));
  };
  if (flag_value.empty()) throw refuse("empty member path");
  member_path path;
  std::string name;
  for (std::size_t i = 0; i < flag_value.size(); ++i) {
    const char c = flag_value[i];
    if (c == '\\') {
      if (i + 1 == flag_value.size() || (flag_value[i + 1] != '.' && flag_value[i + 1] != '\\')) {
        throw refuse(
            R"(a '\' must be followed by '.' or '\' (write "a\.b" for a member named "a.b"))");
      }
      name += flag_value[++i];
    } else if (c == '.') {
      if (name.empty()) throw refuse("empty member name in the path");
      path.names_.push_back(std::move(name));
      name.clear();
    } else {
      name += c;
    }
  }
  if (name.empty()) throw refuse("empty member name in the path");
  path.names_.push_back(std::move(name));
  if (path.names_.size() > k_max_names) {
    throw refuse(fmt::format("more than {} member names in the path", k_max_names));
  }
  return path;
}

namespace {

member_lookup lookup(std::string_view line, const member_path& path, std::string& value) {
  const std::vector<std::string>& names = path.names();
  // RFC 8259 §8.1: JSON text is UTF-8; checked once for the whole line (SIMD).
  if (!simdjson::validate_utf8(line.data(), line.size())) return member_lookup::not_object;

  cursor in(line);
  container_stack open;
  // The open objects on the path form a chain from the top level: objects
  // 1..on_path deep, where the object `d` deep looks up names[d - 1].
  std::size_t on_path = 0;
  std::array<std::uint32_t, member_path::k_max_names> seen{};  // per level, in its object
  bool duplicate = false;
  target_kind target = target_kind::none;

  if (!in.take('{')) return member_lookup::not_object;
  open.push(true);
  on_path = names.empty() ? 0 : 1;
  bool first = true;  // no member / element yet in the innermost container

  while (open.depth() != 0) {
    const bool object = open.top_is_object();
    const unsigned char close = object ? '}' : ']';
    // Close the container, or a comma before the next member / element.
    in.skip_ws();
    if (in.at_end()) return member_lookup::not_object;
    if (in.peek() == close) {
      in.take(close);
      if (on_path == open.depth()) --on_path;
      open.pop();
      first = false;
      continue;
    }
    if (!first && !in.take(',')) return member_lookup::not_object;
    first = false;

    // A member's name (objects only), then the value.
    std::size_t level = 0;  // names[level] is looked up here (when matched)
    bool matched = false;   // this member is on the path
    if (object) {
      in.skip_ws();
      if (in.at_end() || in.peek() != '"') return member_lookup::not_object;
      const bool here_on_path = on_path == open.depth();
      string_sink key =
          here_on_path ? string_sink::compare(names[open.depth() - 1]) : string_sink::check();
      if (!in.string(key)) return member_lookup::not_object;
      if (!in.take(':')) return member_lookup::not_object;
      if (key.equal()) {
        matched = true;
        level = open.depth() - 1;
        if (++seen[level] > 1) duplicate = true;
      }
    }
    const bool last = matched && level + 1 == names.size();

    in.skip_ws();
    if (in.at_end()) return member_lookup::not_object;
    const unsigned char c = in.peek();
    if (c == '{' || c == '[') {
      in.take(c);
      if (!open.push(c == '{')) return member_lookup::not_object;
      if (last) {
        target = target_kind::other;
      } else if (matched && c == '{') {
        ++on_path;  // the next object of the path's chain
        seen[level + 1] = 0;
      }
      first = true;
      continue;
    }
    if (c == '"') {
      string_sink sink =
          last && target == target_kind::none ? string_sink::keep(value) : string_sink::check();
      if (!in.string(sink)) return member_lookup::not_object;
      if (last && target == target_kind::none) target = target_kind::string;
      continue;
    }
    bool ok = false;
    if (c == 't') {
      ok = in.literal("true");
    } else if (c == 'f') {
      ok = in.literal("false");
    } else if (c == 'n') {
      ok = in.literal("null");
    } else {
      ok = in.number();
    }
    if (!ok) return member_lookup::not_object;
    if (last && target == target_kind::none) target = target_kind::other;
  }
  // Only whitespace may follow the top-level object: a second object after it could
  // say something else to whoever reads the line next.
  in.skip_ws();
  if (!in.at_end()) return member_lookup::not_object;
  if (duplicate) return member_lookup::duplicate;
  if (target == target_kind::string) return member_lookup::found;
  return target == target_kind::other ? member_lookup::not_string : member_lookup::missing;
}

}  // namespace

member_lookup find_member(std::string_view line, const member_path& path, std::string& value) {
  value.clear();
  const member_lookup r = lookup(line, path, value);
  if (r == member_lookup::found) {
    strip_bearer(value);
  } else {
    value.clear();  // a first value of a duplicate, or of a line found broken after it
  }
  return r;
}

}  // namespace jwtbatch::cli
