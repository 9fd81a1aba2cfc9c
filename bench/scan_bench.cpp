// scan_bench: find_tokens (engine/cli/scan.hpp), the token finder of `jwtbatch scan`, in
// bytes/s over three deterministic line sets generated here (no files):
//  - sparse: combined-format access log lines, 2% of them with a token (a Bearer field
//    or an access_token query parameter), the case `scan` meets most;
//  - dense: every line an access log line with a Bearer token;
//  - json: JSON log lines of about 300 bytes, one in four with a "token" member.
// Each set is run through:
//  - find_tokens (AVX2 candidate search when the CPU has it);
//  - the portable SSE2 candidate search (detail::candidate_search::portable_simd);
//  - the byte-by-byte reference (detail::find_tokens_bytewise): same rules, no search;
//  - old_find_tokens: the finder as it was before issue 16 (rules of that time, every
//    byte visited), kept here verbatim so before/after come from one run.
// Items are lines.
#include <benchmark/benchmark.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "log_text.hpp"
#include "scan.hpp"

namespace jwtbatch::cli {
namespace old_finder {
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
void old_find_tokens(std::string_view line, std::vector<found_token>& out) noexcept {
  out.clear();
  token_scanner(line, out).run();
}
}  // namespace old_finder

namespace {

// A fixed linear congruential generator: the same lines on every run.
struct lcg {
  std::uint64_t state;
  std::size_t operator()(std::size_t bound) {
    state = state * 6364136223846793005U + 1442695040888963407U;
    return static_cast<std::size_t>(state >> 33) % bound;
  }
};

constexpr std::array<std::string_view, 4> k_tokens = {
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
    "eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ."
    "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
    "eyJhbGciOiJFUzI1NiIsImtpZCI6ImsxIn0."
    "eyJpc3MiOiJodHRwczovL2lkcC5leGFtcGxlLmNvbSIsInN1YiI6ImFsaWNlIiwiZXhwIjoxNzAwMDAwMDAwfQ."
    "MEUCIQDa1b2c3d4e5f6g7h8i9j0kLmNoPqRsTuVwXyZ-_AbCdEfGhIjKlMnOpQrStUvWxYz0123",
    "ewogICJhbGciOiAiUlMyNTYiLAogICJraWQiOiAiazIiCn0.eyJzdWIiOiJib2IiLCJhdWQiOiJhcGkifQ."
    "c2lnbmF0dXJlLXBsYWNlaG9sZGVyLWZvci1iZW5jaG1hcmtpbmctb25seQ",
    "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJjYXJvbCIsInNjb3BlIjoicmVhZCB3cml0ZSJ9."
    "dBjftJeZ4CVPmB92K27uhbUJU1p1r_wW1gFWFOEjXk"};

constexpr std::array<std::string_view, 6> k_paths = {"/api/v1/items/12345?page=2&sort=desc",
                                                     "/static/js/app.3f9c2b.min.js",
                                                     "/index.html",
                                                     "/api/v2/users/me/preferences",
                                                     "/search?q=winter+boots&lang=en-US",
                                                     "/images/products/large/8812-a.webp"};

constexpr std::array<std::string_view, 4> k_agents = {
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/119.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Version/17.1 Safari/605.1.15",
    "curl/8.4.0", "Go-http-client/1.1"};

std::string access_line(lcg& rng, bool with_token) {
  std::string l = "203.0.113." + std::to_string(rng(250)) +
                  " - - [10/Oct/2023:13:55:" + std::to_string(10 + rng(50)) + " +0000] \"GET ";
  const std::size_t where = with_token ? rng(2) : 2;
  l += k_paths[rng(k_paths.size())];
  if (where == 0) {
    l += l.find('?') == std::string::npos ? "?access_token=" : "&access_token=";
    l += k_tokens[rng(k_tokens.size())];
  }
  l += " HTTP/1.1\" " + std::to_string(200 + rng(4)) + " " + std::to_string(rng(90000)) +
       " \"https://www.example.com/shop/list\" \"";
  l += k_agents[rng(k_agents.size())];
  l += "\"";
  if (where == 1) {
    l += " \"Bearer ";
    l += k_tokens[rng(k_tokens.size())];
    l += "\"";
  } else {
    l += " \"-\"";
  }
  return l;
}

std::string json_line(lcg& rng, bool with_token) {
  std::string l = R"({"ts":"2023-10-10T13:55:)" + std::to_string(10 + rng(50)) +
                  R"(.123Z","level":"info","logger":"http.access","msg":"request completed",)"
                  R"("method":"GET","path":")";
  l += k_paths[rng(k_paths.size())];
  l += R"(","status":)" + std::to_string(200 + rng(4)) +
       R"(,"duration_ms":12.5,"remote_addr":"198.51.100.)" + std::to_string(rng(250)) +
       R"(","user_agent":")";
  l += k_agents[rng(k_agents.size())];
  l += "\"";
  if (with_token) {
    l += R"(,"token":")";
    l += k_tokens[rng(k_tokens.size())];
    l += "\"";
  }
  l += "}";
  return l;
}

struct line_set {
  std::vector<std::string> lines;
  std::size_t bytes = 0;
};

line_set make_set(int kind) {
  lcg rng{0x5EED0000U + static_cast<std::uint64_t>(kind)};
  line_set s;
  for (int i = 0; i < 20000; ++i) {
    switch (kind) {
      case 0:
        s.lines.push_back(access_line(rng, i % 50 == 0));
        break;  // 2%
      case 1: {
        std::string l = access_line(rng, false);
        l.resize(l.size() - 5);  // drop the " \"-\"" field
        l += " \"Bearer ";
        l += k_tokens[rng(k_tokens.size())];
        l += "\"";
        s.lines.push_back(std::move(l));
        break;
      }
      default:
        s.lines.push_back(json_line(rng, i % 4 == 0));
        break;
    }
    s.bytes += s.lines.back().size() + 1;  // with its newline, as in the file
  }
  return s;
}

const line_set& set(int kind) {
  static const std::array<line_set, 3> sets = {make_set(0), make_set(1), make_set(2)};
  return sets[static_cast<std::size_t>(kind)];
}

// run times one finder over a whole set; the "tokens" counter is the count it found per
// pass, so finders that disagree show it (the old finder misses the "ewo" header, a
// `{\n` header, in the JSON set: the bug issue 16 fixes).
template <class Find>
void run(benchmark::State& state, Find find) {
  const line_set& s = set(static_cast<int>(state.range(0)));
  std::vector<found_token> out;
  std::size_t found = 0;
  for (auto _ : state) {
    found = 0;
    for (const std::string& l : s.lines) {
      find(l, out);
      found += out.size();
    }
    benchmark::DoNotOptimize(found);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(s.bytes));
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(s.lines.size()));
  state.counters["tokens"] = static_cast<double>(found);
}

void BM_find_tokens(benchmark::State& state) {
  run(state, [](std::string_view l, std::vector<found_token>& out) { find_tokens(l, out); });
}
void BM_find_tokens_sse2(benchmark::State& state) {
  run(state, [](std::string_view l, std::vector<found_token>& out) {
    detail::find_tokens_using(detail::candidate_search::portable_simd, l, out);
  });
}
void BM_find_tokens_bytewise(benchmark::State& state) {
  run(state, [](std::string_view l, std::vector<found_token>& out) {
    detail::find_tokens_bytewise(l, out);
  });
}
void BM_old_find_tokens(benchmark::State& state) {
  run(state, [](std::string_view l, std::vector<found_token>& out) {
    old_finder::old_find_tokens(l, out);
  });
}

// Argument: 0 sparse, 1 dense, 2 json.
BENCHMARK(BM_find_tokens)->ArgName("set")->DenseRange(0, 2);
BENCHMARK(BM_find_tokens_sse2)->ArgName("set")->DenseRange(0, 2);
BENCHMARK(BM_find_tokens_bytewise)->ArgName("set")->DenseRange(0, 2);
BENCHMARK(BM_old_find_tokens)->ArgName("set")->DenseRange(0, 2);

}  // namespace
}  // namespace jwtbatch::cli
