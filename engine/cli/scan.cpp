// scan.cpp: tokens in log lines (rules documented in scan.hpp).
#include "scan.hpp"

#include "log_text.hpp"

#include <array>
#include <cstdint>

namespace jwtbatch::cli {
namespace {

using namespace log_text;  // NOLINT(google-build-using-namespace): the byte classes

// Names whose value is a token by declaration (scan.hpp, "explicit contexts").
constexpr std::array<std::string_view, 3> k_token_names = {"access_token", "id_token", "token"};

// token_scanner reads one line once, left to right. Each rule looks forward from a
// trigger byte to the end of a value; the two forward searches that could be repeated
// from nearby starts (end of an unquoted value, next '.') are memoised, and each only
// moves forward, so the whole line costs O(line.size()) however the triggers overlap.
class token_scanner {
 public:
  token_scanner(std::string_view line, std::vector<found_token>& out) noexcept
      : s_(line), out_(out) {}

  void run() noexcept {
    const std::size_t n = s_.size();
    std::size_t i = 0;
    while (i < n) {
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
  }

 private:
  void emit(std::size_t begin, std::size_t end) noexcept {
    out_.push_back(found_token{begin, s_.substr(begin, end - begin)});
  }

  [[nodiscard]] bool is_unquoted_delim(std::size_t i) const noexcept {
    const char c = s_[i];
    if (is_space(c) || c == '"' || c == '\'' || c == '&' || c == ';' || c == ',') return true;
    return c == '\\' && i + 1 < s_.size() && s_[i + 1] == '"';
  }

  // unquoted_end returns the end of the unquoted value starting at p. Memoised: no
  // delimiter lies in [ue_from_, ue_at_), so any p in that range ends at ue_at_.
  std::size_t unquoted_end(std::size_t p) noexcept {
    if (ue_valid_ && p >= ue_from_ && p <= ue_at_) return ue_at_;
    std::size_t i = p;
    while (i < s_.size() && !is_unquoted_delim(i)) ++i;
    ue_valid_ = true;
    ue_from_ = p;
    ue_at_ = i;
    return i;
  }

  // has_dot tells whether [b, e) holds a '.', through the memoised next '.' after b.
  bool has_dot(std::size_t b, std::size_t e) noexcept {
    if (!dot_valid_ || b < dot_from_ || b > dot_at_) {
      std::size_t i = b;
      while (i < s_.size() && s_[i] != '.') ++i;
      dot_valid_ = true;
      dot_from_ = b;
      dot_at_ = i;
    }
    return dot_at_ < e;
  }

  // acceptable applies the explicit-context filter: named contexts (Bearer, token
  // names) take a value with a '.' or an "ey" start; any other needs both.
  bool acceptable(std::size_t b, std::size_t e, bool named) noexcept {
    if (b >= e) return false;
    const bool ey = starts_with_ey(s_.substr(b, e - b));
    if (named && ey) return true;
    if (!named && !ey) return false;
    return has_dot(b, e);
  }

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
    emit(v, e);
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
    emit(v, e);
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
    emit(v, e);
    return e + 1;
  }

  // Rule 4: a bare token, tried where a run of base64url characters and dots starts.
  std::size_t try_bare(std::size_t i) noexcept {
    if (i > 0 && is_run_char(s_[i - 1])) return k_none;  // not the start of a run
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
    if (dots < 2 || dots > 3 || first_dot - i < 2 || s_[i] != 'e' || s_[i + 1] != 'y') {
      return k_none;
    }
    if (dots == 3) {
      if (s_[e - 1] != '.') return k_none;
      emit(i, e - 1);  // sentence punctuation after the token
      return e;
    }
    emit(i, e);
    return e;
  }

  std::string_view s_;
  std::vector<found_token>& out_;
  std::size_t json_min_ = 0;
  bool ue_valid_ = false;
  std::size_t ue_from_ = 0;
  std::size_t ue_at_ = 0;
  bool dot_valid_ = false;
  std::size_t dot_from_ = 0;
  std::size_t dot_at_ = 0;
};

}  // namespace

bool find_tokens(std::string_view line, std::vector<found_token>& out,
                 std::size_t max_tokens) noexcept {
  out.clear();
  token_scanner(line, out).run();
  if (out.size() <= max_tokens) return false;
  out.resize(max_tokens);
  return true;
}

void percent_decode(std::string_view text, std::string& out) {
  const auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && hex(text[i + 1]) >= 0 && hex(text[i + 2]) >= 0) {
      out += static_cast<char>(hex(text[i + 1]) * 16 + hex(text[i + 2]));
      i += 2;
    } else {
      out += text[i];
    }
  }
}

}  // namespace jwtbatch::cli
