// scan.cpp: tokens in log lines (rules documented in scan.hpp).
//
// Two stages, like simdjson's: a vectorised classifier (candidates(), SSE2 or AVX2)
// finds the few bytes at which a rule can start, and the exact rules (token_scanner)
// run only there. The candidate set is a superset of the rule triggers, and a rule tried
// at a byte that is not a trigger changes nothing, so the result is byte for byte that of
// visiting every byte (detail::find_tokens_bytewise, kept for the differential test).
#include "scan.hpp"

#include "log_text.hpp"

#include <array>
#include <cstdint>
#include <cstring>

#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>
#define JWTBATCH_SCAN_X86 1
#endif

namespace jwtbatch::cli {
namespace {

using namespace log_text;  // NOLINT(google-build-using-namespace): the byte classes

// Names whose value is a token by declaration (scan.hpp, "explicit contexts").
constexpr std::array<std::string_view, 3> k_token_names = {"access_token", "id_token", "token"};

// b64_value is the 6-bit value of a base64url character (RFC 4648 §5), for is_b64url(c).
constexpr unsigned b64_value(char c) noexcept {
  if (c >= 'A' && c <= 'Z') return static_cast<unsigned>(c - 'A');
  if (c >= 'a' && c <= 'z') return static_cast<unsigned>(c - 'a' + 26);
  if (c >= '0' && c <= '9') return static_cast<unsigned>(c - '0' + 52);
  return c == '-' ? 62U : 63U;
}

// header_start decides whether a segment's first base64url characters can encode the
// start of a JOSE header: a JSON object (RFC 7515 §4), so JSON whitespace (RFC 8259 §2:
// space, tab, LF, CR), '{', JSON whitespace, then '"' opening the first member name
// (the only other byte after '{', '}', makes "{}", which has no "alg" and no verifier
// accepts). After that '"' any byte may follow. Characters are fed one at a time; the
// decision needs at most k_window of them (12 bytes), so a check costs O(1).
//
// In base64url this is: "eyI" "eyJ" "eyK" "eyL" ('{' '"', then any byte), "eyA" ('{'
// and a space), "ewk" "ewo" "ew0" ('{' and tab, LF or CR); after "eyA" "ewk" "ewo"
// "ew0" the fourth character is one of "g" "J" "K" "N" "i" (space, tab, LF, CR, '"'
// again). Whitespace before '{' starts the header with 'I' (space), 'C' (tab, LF) or
// 'D' (CR) instead of 'e'; such a prefix must reach its '{' within the window, or fill
// the window with whitespace, so short words such as "Cg" are not headers.
class header_start {
 public:
  static constexpr std::size_t k_window = 16;

  // feed takes the next base64url character; it returns false when no more are needed
  // (decided either way).
  bool feed(char c) noexcept {
    bits_ = (bits_ << 6) | b64_value(c);
    nbits_ += 6;
    ++chars_;
    if (nbits_ >= 8) {
      nbits_ -= 8;
      const auto byte = static_cast<char>((bits_ >> nbits_) & 0xFFU);
      bits_ &= (1U << nbits_) - 1U;
      if (!step(byte)) {
        dead_ = true;
        return false;
      }
    }
    return state_ != k_member && chars_ < k_window;
  }

  // accepted: the characters fed so far (the whole segment when it was shorter than the
  // window) are a header start.
  [[nodiscard]] bool accepted() const noexcept {
    if (dead_) return false;
    if (state_ == k_member) return true;
    if (nbits_ > 0) {
      // The last character's bits begin the next byte: some allowed byte must begin so.
      bool any = false;
      for (const char b : {' ', '\t', '\n', '\r', state_ == k_before ? '{' : '"'}) {
        any =
            any || (static_cast<unsigned>(static_cast<unsigned char>(b)) >> (8 - nbits_)) == bits_;
      }
      if (!any) return false;
    }
    return state_ == k_object || chars_ >= k_window;
  }

 private:
  static constexpr int k_before = 0;  // JSON whitespace before '{'
  static constexpr int k_object = 1;  // after '{', whitespace before the first '"'
  static constexpr int k_member = 2;  // the first member name has started

  bool step(char byte) noexcept {
    if (is_json_space(byte)) return true;
    if (state_ == k_before && byte == '{') {
      state_ = k_object;
      return true;
    }
    if (state_ == k_object && byte == '"') {
      state_ = k_member;
      return true;
    }
    return false;
  }

  unsigned bits_ = 0;
  unsigned nbits_ = 0;
  std::size_t chars_ = 0;
  int state_ = k_before;
  bool dead_ = false;
};

// keeps_value: a byte that a percent-escape may stand for without ending an unquoted
// value: base64url, '.', and '+' '/' '=' (not base64url, but kept so that a token
// spelled with them is still reported as bad_base64 instead of cut short).
constexpr bool keeps_value(char c) noexcept {
  return is_run_char(c) || c == '+' || c == '/' || c == '=';
}

// may_start: the bytes at which a rule can fire, given the byte before (0 at the start
// of the line): '=' (rule 2); '"' after ':', space or tab (rule 3: a value's opening
// quote follows the ':', perhaps after blanks); and, when not after a base64url
// character, 'B'/'b' (rule 1: "Bearer" after no word byte) and 'e' 'I' 'C' 'D' (rule 4:
// a run starts there, and a header's base64url starts with 'e' for '{', 'I' for a
// space, 'C' for tab or LF, 'D' for CR).
constexpr bool may_start(char c, char before) noexcept {
  if (c == '=') return true;
  if (c == '"') return before == ':' || before == ' ' || before == '\t';
  if (is_b64url(before)) return false;
  return c == 'B' || c == 'b' || c == 'e' || c == 'I' || c == 'C' || c == 'D';
}

bool is_candidate(std::string_view s, std::size_t i) noexcept {
  return may_start(s[i], i > 0 ? s[i - 1] : '\0');
}

#if JWTBATCH_SCAN_X86
// Vector forms of may_start over 16 or 32 bytes at p (p > line start: p[-1] is read).
// in_range uses the signed-compare trick: x + (128 - lo) maps [lo, hi] to the bottom of
// the signed byte range.
inline __m128i in_range16(__m128i x, char lo, char hi) noexcept {
  const __m128i shifted = _mm_add_epi8(x, _mm_set1_epi8(static_cast<char>(0x80 - lo)));
  return _mm_cmplt_epi8(shifted, _mm_set1_epi8(static_cast<char>(hi - lo + 1 - 0x80)));
}

inline unsigned mask16(const char* p) noexcept {
  const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  const __m128i pv = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p - 1));
  const __m128i word = _mm_or_si128(
      _mm_or_si128(in_range16(_mm_or_si128(pv, _mm_set1_epi8(0x20)), 'a', 'z'),
                   in_range16(pv, '0', '9')),
      _mm_or_si128(_mm_cmpeq_epi8(pv, _mm_set1_epi8('-')), _mm_cmpeq_epi8(pv, _mm_set1_epi8('_'))));
  const __m128i lower = _mm_or_si128(v, _mm_set1_epi8(0x20));
  const __m128i start =
      _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(lower, _mm_set1_epi8('b')),
                                _mm_cmpeq_epi8(v, _mm_set1_epi8('e'))),
                   _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('I')),
                                _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('C')),
                                             _mm_cmpeq_epi8(v, _mm_set1_epi8('D')))));
  const __m128i quote_after = _mm_or_si128(_mm_cmpeq_epi8(pv, _mm_set1_epi8(':')),
                                           _mm_or_si128(_mm_cmpeq_epi8(pv, _mm_set1_epi8(' ')),
                                                        _mm_cmpeq_epi8(pv, _mm_set1_epi8('\t'))));
  const __m128i always =
      _mm_or_si128(_mm_and_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')), quote_after),
                   _mm_cmpeq_epi8(v, _mm_set1_epi8('=')));
  return static_cast<unsigned>(
      _mm_movemask_epi8(_mm_or_si128(always, _mm_andnot_si128(word, start))));
}

__attribute__((target("avx2"))) inline __m256i in_range32(__m256i x, char lo, char hi) noexcept {
  const __m256i shifted = _mm256_add_epi8(x, _mm256_set1_epi8(static_cast<char>(0x80 - lo)));
  return _mm256_cmpgt_epi8(_mm256_set1_epi8(static_cast<char>(hi - lo + 1 - 0x80)), shifted);
}

__attribute__((target("avx2"))) inline unsigned mask32(const char* p) noexcept {
  const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
  const __m256i pv = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p - 1));
  const __m256i word = _mm256_or_si256(
      _mm256_or_si256(in_range32(_mm256_or_si256(pv, _mm256_set1_epi8(0x20)), 'a', 'z'),
                      in_range32(pv, '0', '9')),
      _mm256_or_si256(_mm256_cmpeq_epi8(pv, _mm256_set1_epi8('-')),
                      _mm256_cmpeq_epi8(pv, _mm256_set1_epi8('_'))));
  const __m256i lower = _mm256_or_si256(v, _mm256_set1_epi8(0x20));
  const __m256i start = _mm256_or_si256(
      _mm256_or_si256(_mm256_cmpeq_epi8(lower, _mm256_set1_epi8('b')),
                      _mm256_cmpeq_epi8(v, _mm256_set1_epi8('e'))),
      _mm256_or_si256(_mm256_cmpeq_epi8(v, _mm256_set1_epi8('I')),
                      _mm256_or_si256(_mm256_cmpeq_epi8(v, _mm256_set1_epi8('C')),
                                      _mm256_cmpeq_epi8(v, _mm256_set1_epi8('D')))));
  const __m256i quote_after =
      _mm256_or_si256(_mm256_cmpeq_epi8(pv, _mm256_set1_epi8(':')),
                      _mm256_or_si256(_mm256_cmpeq_epi8(pv, _mm256_set1_epi8(' ')),
                                      _mm256_cmpeq_epi8(pv, _mm256_set1_epi8('\t'))));
  const __m256i always =
      _mm256_or_si256(_mm256_and_si256(_mm256_cmpeq_epi8(v, _mm256_set1_epi8('"')), quote_after),
                      _mm256_cmpeq_epi8(v, _mm256_set1_epi8('=')));
  return static_cast<unsigned>(
      _mm256_movemask_epi8(_mm256_or_si256(always, _mm256_andnot_si256(word, start))));
}

// mask64_sse2/avx2: the candidate bits of the 64 bytes at p (p[-1] readable).
std::uint64_t mask64_sse2(const char* p) noexcept {
  return static_cast<std::uint64_t>(mask16(p)) |
         (static_cast<std::uint64_t>(mask16(p + 16)) << 16) |
         (static_cast<std::uint64_t>(mask16(p + 32)) << 32) |
         (static_cast<std::uint64_t>(mask16(p + 48)) << 48);
}

__attribute__((target("avx2"))) std::uint64_t mask64_avx2(const char* p) noexcept {
  return static_cast<std::uint64_t>(mask32(p)) | (static_cast<std::uint64_t>(mask32(p + 32)) << 32);
}

// Chosen once per process (CPU features do not change while it runs).
const bool g_has_avx2 = __builtin_cpu_supports("avx2") != 0;
#endif

// block_mask: bit k is set when byte b + k is a candidate, for the up to 64 bytes of the
// line from b. Vector loads stay inside the line: the first block is read from byte 1
// (byte 0 has no byte before it and is classified alone), the last one as the 64 bytes
// that end the line, shifted; only a line shorter than 65 bytes is copied, into a
// zero-padded buffer ('\0' is no candidate, and as the byte before the line's first it
// is no word byte, as is_candidate assumes).
std::uint64_t block_mask(std::string_view s, std::size_t b, detail::candidate_search how) noexcept {
  const std::size_t n = s.size();
#if JWTBATCH_SCAN_X86
  if (how != detail::candidate_search::bytewise) {
    const bool avx2 = how == detail::candidate_search::best && g_has_avx2;
    const auto mask64 = [avx2](const char* p) { return avx2 ? mask64_avx2(p) : mask64_sse2(p); };
    if (n >= 65) {
      if (b == 0) return (mask64(s.data() + 1) << 1) | (is_candidate(s, 0) ? 1U : 0U);
      if (n - b >= 64) return mask64(s.data() + b);
      const std::size_t p = n - 64;  // >= 1
      return mask64(s.data() + p) >> (b - p);
    }
    std::array<char, 65> buf{};
    const std::size_t len = n - b;
    buf[0] = b > 0 ? s[b - 1] : '\0';
    std::memcpy(buf.data() + 1, s.data() + b, len);
    const std::uint64_t m = mask64(buf.data() + 1);
    return len == 64 ? m : m & ((std::uint64_t{1} << len) - 1U);
  }
#else
  (void)how;
#endif
  std::uint64_t m = 0;
  const std::size_t end = n - b < 64 ? n : b + 64;
  for (std::size_t i = b; i < end; ++i) {
    if (is_candidate(s, i)) m |= std::uint64_t{1} << (i - b);
  }
  return m;
}

// candidate_cursor walks the candidates of a line in order: next(i) is the first
// candidate at or after i, or the line's size. It keeps the last 64-byte block's mask,
// so the rules' many short hops cost a shift and a count, and a block is classified
// again only when the rules jump past it. (detail::candidate_search::bytewise classifies
// each block byte by byte with is_candidate: the reference.)
class candidate_cursor {
 public:
  candidate_cursor(std::string_view s, detail::candidate_search how) noexcept : s_(s), how_(how) {}

  std::size_t next(std::size_t i) noexcept {
    while (i < s_.size()) {
      if (!valid_ || i < base_ || i - base_ >= 64) {
        base_ = i;
        mask_ = block_mask(s_, i, how_);
        valid_ = true;
      }
      const std::uint64_t m = mask_ >> (i - base_);
      if (m != 0) return i + static_cast<std::size_t>(__builtin_ctzll(m));
      i = base_ + 64;
    }
    return s_.size();
  }

 private:
  std::string_view s_;
  detail::candidate_search how_;
  bool valid_ = false;
  std::size_t base_ = 0;
  std::uint64_t mask_ = 0;
};

// k_value_byte classifies bytes for the forward search of an unquoted value's end:
// 0 never ends it, 1 always does, 2 ends it in context ('\\' before '"', '%' of an
// escape of a byte keeps_value refuses). A table walk instead of a chain of compares:
// token bytes go by at about one a cycle.
constexpr std::array<std::uint8_t, 256> k_value_byte = [] {
  std::array<std::uint8_t, 256> t{};
  for (const char c : std::string_view(" \t\n\r\v\f\"'&;,#|<>()")) {
    t[static_cast<unsigned char>(c)] = 1;
  }
  t[static_cast<unsigned char>('\\')] = 2;
  t[static_cast<unsigned char>('%')] = 2;
  return t;
}();

// forward_memo remembers one forward search: no match lies in [from, at), and `at` is
// a match (or the end of the line). Every query from a start in [from, at] is answered
// without reading; rules query from starts that only move forward, so each search
// family reads each byte O(1) times and the whole line costs O(line.size()).
struct forward_memo {
  bool valid = false;
  std::size_t from = 0;
  std::size_t at = 0;
};

// token_scanner reads one line once, left to right (rules in scan.hpp), jumping between
// the candidate bytes that `how` finds.
class token_scanner {
 public:
  token_scanner(std::string_view line, std::vector<found_token>& out, std::size_t max_tokens,
                detail::candidate_search how) noexcept
      : s_(line), out_(out), max_(max_tokens), cursor_(line, how) {}

  bool run() noexcept {
    const std::size_t n = s_.size();
    std::size_t i = 0;
    while (!cut_) {
      i = cursor_.next(i);
      if (i >= n) break;
      const char c = s_[i];
      std::size_t next = k_none;
      if (c == '"') {
        next = try_json_value(i);
      } else if (c == '=') {
        next = try_parameter(i);
      } else if (is_run_char(c)) {
        next = try_bearer(i);
        if (next == k_none) next = try_bare(i);
      }
      i = next == k_none ? i + 1 : next;
    }
    return cut_;
  }

 private:
  void emit(std::size_t begin, std::size_t end, bool encoded) noexcept {
    if (out_.size() >= max_) {
      cut_ = true;  // one token more than the cap: the line is cut
      return;
    }
    out_.push_back(found_token{begin, s_.substr(begin, end - begin), encoded});
  }

  // An unquoted value ends at ASCII whitespace, '"' '\'' '&' ';' ',' '#' '|' '<' '>'
  // '(' ')', a backslash before '"', or a percent-escape of a byte keeps_value refuses.
  [[nodiscard]] bool is_unquoted_delim(std::size_t i) const noexcept {
    switch (s_[i]) {
      case ' ':
      case '\t':
      case '\n':
      case '\r':
      case '\v':
      case '\f':
      case '"':
      case '\'':
      case '&':
      case ';':
      case ',':
      case '#':
      case '|':
      case '<':
      case '>':
      case '(':
      case ')':
        return true;
      case '\\':
        return i + 1 < s_.size() && s_[i + 1] == '"';
      case '%':
        return is_escape(s_, i) && !keeps_value(escape_value(s_, i));
      default:
        return false;
    }
  }

  std::size_t unquoted_end(std::size_t p) noexcept {
    if (ue_.valid && p >= ue_.from && p <= ue_.at) return ue_.at;
    std::size_t i = p;
    for (; i < s_.size(); ++i) {
      const std::uint8_t k = k_value_byte[static_cast<unsigned char>(s_[i])];
      if (k == 1 || (k == 2 && is_unquoted_delim(i))) break;
    }
    ue_ = forward_memo{true, p, i};
    return i;
  }

  // find_byte: the first `c` in [i, end), or end (memchr: vectorised).
  [[nodiscard]] std::size_t find_byte(char c, std::size_t i, std::size_t end) const noexcept {
    if (i >= end) return end;
    const void* hit = std::memchr(s_.data() + i, c, end - i);
    return hit == nullptr ? end
                          : static_cast<std::size_t>(static_cast<const char*>(hit) - s_.data());
  }

  // next_escape: the first percent-escape in [i, end), or end. Searches stop at `end`
  // so that every search of a memoised family reads only bytes the memo then covers.
  [[nodiscard]] std::size_t next_escape(std::size_t i, std::size_t end) const noexcept {
    for (i = find_byte('%', i, end); i < end && !is_escape(s_, i); i = find_byte('%', i + 1, end)) {
    }
    return i;
  }

  // has_dot: [b, e) holds a '.' or its escape "%2E".
  bool has_dot(std::size_t b, std::size_t e) noexcept {
    if (!dot_.valid || b < dot_.from || b > dot_.at) {
      // The raw '.' search has its own memo: a "%2E" may come long before the next '.'.
      if (!raw_dot_.valid || b < raw_dot_.from || b > raw_dot_.at) {
        raw_dot_ = forward_memo{true, b, find_byte('.', b, s_.size())};
      }
      const std::size_t dot = raw_dot_.at;
      std::size_t esc = next_escape(b, dot);
      while (esc < dot && escape_value(s_, esc) != '.') esc = next_escape(esc + 1, dot);
      dot_ = forward_memo{true, b, esc};  // esc == dot when no "%2E" comes first
    }
    return dot_.at < e;
  }

  // has_escape: [b, e) holds a percent-escape (the value is percent-encoded).
  bool has_escape(std::size_t b, std::size_t e) noexcept {
    if (!esc_.valid || b < esc_.from || b > esc_.at) {
      esc_ = forward_memo{true, b, next_escape(b, s_.size())};
    }
    return esc_.at < e;
  }

  // header_at: the value [b, e), percent-decoded, starts like a JOSE header; its first
  // segment ends at '.', at any byte that is not base64url, or at e.
  [[nodiscard]] bool header_at(std::size_t b, std::size_t e) const noexcept {
    header_start h;
    std::size_t i = b;
    while (i < e) {
      char c = s_[i];
      if (c == '%' && i + 2 < e && is_escape(s_, i)) {
        c = escape_value(s_, i);
        i += 3;
      } else {
        ++i;
      }
      if (!is_b64url(c) || !h.feed(c)) break;
    }
    return h.accepted();
  }

  // acceptable applies the explicit-context filter: named contexts (Bearer, token
  // names) take a value with a '.' or a header start; any other needs both.
  bool acceptable(std::size_t b, std::size_t e, bool named) noexcept {
    if (b >= e) return false;
    const bool header = header_at(b, e);
    if (named && header) return true;
    if (!named && !header) return false;
    return has_dot(b, e);
  }

  void emit_value(std::size_t b, std::size_t e) noexcept { emit(b, e, has_escape(b, e)); }

  // Rule 1: "Bearer" + blanks + unquoted value.
  std::size_t try_bearer(std::size_t i) noexcept {
    constexpr std::string_view k_bearer = "bearer";
    if (to_lower(s_[i]) != 'b' || (i > 0 && is_word(s_[i - 1]))) return k_none;
    if (s_.size() - i <= k_bearer.size() || !iequals(s_.substr(i, k_bearer.size()), k_bearer) ||
        !is_blank(s_[i + k_bearer.size()])) {
      return k_none;
    }
    std::size_t v = i + k_bearer.size();
    while (v < s_.size() && is_blank(s_[v])) ++v;
    const std::size_t e = unquoted_end(v);
    if (!acceptable(v, e, true)) return k_none;
    emit_value(v, e);
    return e;
  }

  // Rule 2: name=value; `eq` is the '=' position.
  std::size_t try_parameter(std::size_t eq) noexcept {
    if (eq == 0) return k_none;
    const char before = s_[eq - 1];
    if (!is_word(before) && before != '.') return k_none;
    bool named = false;
    for (const std::string_view name : k_token_names) {
      if (eq >= name.size() && iequals(s_.substr(eq - name.size(), name.size()), name) &&
          (eq == name.size() || !is_word(s_[eq - name.size() - 1]))) {
        named = true;
        break;
      }
    }
    const std::size_t v = eq + 1;
    const std::size_t e = unquoted_end(v);
    if (!acceptable(v, e, named)) return k_none;
    emit_value(v, e);
    return e;
  }

  // Rule 3: "name" : "value"; `q` is the quote that may open the value.
  std::size_t try_json_value(std::size_t q) noexcept {
    // A quote inside (or closing) a string already read cannot open a value; this also
    // keeps every string scanned at most once.
    if (q < json_min_) return k_none;
    std::size_t j = q;
    while (j > 0 && is_blank(s_[j - 1])) --j;
    if (j == 0 || s_[j - 1] != ':') return k_none;
    --j;
    while (j > 0 && is_blank(s_[j - 1])) --j;
    if (j == 0 || s_[j - 1] != '"') return k_none;
    const std::size_t key_close = j - 1;

    const std::size_t v = q + 1;
    const std::size_t e = json_string_end(s_, v);
    if (e == k_none) {
      json_min_ = s_.size();
      return k_none;
    }
    json_min_ = e + 1;
    const std::string_view value = s_.substr(v, e - v);
    if (value.size() > 6 && iequals(value.substr(0, 6), "bearer") && is_blank(value[6])) {
      return k_none;  // rule 1 reads it
    }
    bool named = false;
    for (const std::string_view name : k_token_names) {
      if (key_close >= name.size() + 1 && s_[key_close - name.size() - 1] == '"' &&
          iequals(s_.substr(key_close - name.size(), name.size()), name)) {
        named = true;
        break;
      }
    }
    if (!acceptable(v, e, named)) return k_none;
    emit_value(v, e);
    return e + 1;
  }

  // Rule 4: a bare token, tried where a run of base64url characters and dots starts.
  std::size_t try_bare(std::size_t i) noexcept {
    if (i > 0 && is_run_char(s_[i - 1])) return k_none;  // not the start of a run
    const char c = s_[i];
    if (c != 'e' && c != 'I' && c != 'C' && c != 'D') return k_none;  // header_start's
    std::size_t e = i;
    std::size_t dots = 0;
    std::size_t first_dot = k_none;
    while (e < s_.size() && is_run_char(s_[e])) {
      if (s_[e] == '.') {
        if (dots == 0) first_dot = e;
        ++dots;
      }
      ++e;
    }
    if (dots < 2 || dots > 3) return k_none;
    header_start h;
    for (std::size_t k = i; k < first_dot && h.feed(s_[k]); ++k) {
    }
    if (!h.accepted()) return k_none;
    if (dots == 3) {
      if (s_[e - 1] != '.') return k_none;
      emit(i, e - 1, false);  // sentence punctuation after the token
      return e;
    }
    emit(i, e, false);
    return e;
  }

  std::string_view s_;
  std::vector<found_token>& out_;
  std::size_t max_;
  candidate_cursor cursor_;
  bool cut_ = false;
  std::size_t json_min_ = 0;
  forward_memo ue_;
  forward_memo dot_;
  forward_memo raw_dot_;
  forward_memo esc_;
};

}  // namespace

bool find_tokens(std::string_view line, std::vector<found_token>& out,
                 std::size_t max_tokens) noexcept {
  out.clear();
  return token_scanner(line, out, max_tokens, detail::candidate_search::best).run();
}

namespace detail {
bool find_tokens_using(candidate_search how, std::string_view line, std::vector<found_token>& out,
                       std::size_t max_tokens) noexcept {
  out.clear();
  return token_scanner(line, out, max_tokens, how).run();
}
bool find_tokens_bytewise(std::string_view line, std::vector<found_token>& out,
                          std::size_t max_tokens) noexcept {
  return find_tokens_using(candidate_search::bytewise, line, out, max_tokens);
}
}  // namespace detail

void percent_decode(std::string_view text, std::string& out) {
  out.reserve(out.size() + text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    if (is_escape(text, i)) {
      out += escape_value(text, i);
      i += 3;
    } else {
      out += text[i];
      ++i;
    }
  }
}

}  // namespace jwtbatch::cli
