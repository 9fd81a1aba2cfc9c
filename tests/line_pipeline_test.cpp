// The line pipeline's general form: verify_stream(engine, source, extractor, sink).
// What an extractor reports (tokens in the line, decoded copies, given verdicts, times,
// marks, cuts) reaches the sink line by line in input order, for every chunking and
// thread count; lines over the bound are cut to their head without being held; line
// assembly stays linear; the sink is told to flush when the input pauses; a source's
// stop ends the stream with whole lines only.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "jwtbatch/key_set.hpp"
#include "jwtbatch/pipeline.hpp"
#include "jwtbatch/sign.hpp"

namespace jwtbatch {
namespace {

constexpr double k_fixed = 1700000000;

std::shared_ptr<const verifier> make_rules() {
  key_set_builder b;
  b.add_secret(std::vector<std::uint8_t>(32, 9), "s", "k", alg::hs256);
  policy p;
  p.fixed_time = k_fixed;
  return std::make_shared<verifier>(b.build(), p);
}

// A test extractor with every kind of report. Per line "W1 W2 ...", each word:
//   t:<token>   a token in the line (its view)
//   r:<text>    a token made by the extractor (the text reversed: a copy)
//   v:<text>    a given verdict no_token, shown as <text>
//   @<secs>     the line's time (time_source::line)
//   !           the line is cut;  #  mark bit 4
class word_extractor final : public line_extractor {
 public:
  struct words : state {
    std::string reversed;
  };
  [[nodiscard]] std::unique_ptr<state> make_state() const override {
    return std::make_unique<words>();
  }
  void extract(std::string_view line, bool cut, line_tokens& out,
               state* s) const noexcept override {
    auto& st = static_cast<words&>(*s);
    if (cut) out.mark(8);
    std::size_t i = 0;
    while (i < line.size()) {
      std::size_t e = line.find(' ', i);
      if (e == std::string_view::npos) e = line.size();
      const std::string_view w = line.substr(i, e - i);
      if (w.substr(0, 2) == "t:") {
        out.add(w.substr(2), i + 2, 1);
      } else if (w.substr(0, 2) == "r:") {
        st.reversed.assign(w.rbegin(), w.rend() - 2);
        out.add_copy(st.reversed, i + 2, 2);
      } else if (w.substr(0, 2) == "v:") {
        out.add_verdict(status::no_token, w.substr(2), i + 2, 3);
      } else if (!w.empty() && w[0] == '@') {
        out.set_time(std::stod(std::string(w.substr(1))), time_source::line);
      } else if (w == "!") {
        out.set_cut();
      } else if (w == "#") {
        out.mark(4);
      }
      i = e + 1;
    }
  }
};

struct seen_line {
  std::uint64_t number = 0;
  std::string text;
  bool cut_line = false;
  bool cut = false;
  double at = 0;
  time_source source = time_source::now;
  std::uint32_t marks = 0;
  std::vector<std::string> tokens;
  std::vector<std::size_t> offsets;
  std::vector<std::uint32_t> tags;
  std::vector<status> codes;
  std::vector<std::string> fingerprints;
  bool operator==(const seen_line&) const = default;
};

std::vector<seen_line> stream(const std::shared_ptr<const verifier>& rules, byte_source& source,
                              const line_extractor& extractor, pipeline_options options,
                              int threads, pipeline_stats* stats = nullptr) {
  const batch_verifier engine(rules, batch_options{.threads = threads});
  std::vector<seen_line> out;
  const pipeline_stats s = verify_stream(
      engine, source, extractor,
      [&](const line_result& l, bool /*flush*/) {
        seen_line x{l.number, std::string(l.text), l.cut_line, l.cut, l.at, l.at_source, l.marks};
        EXPECT_EQ(l.tokens.size(), l.results.size());
        for (std::size_t i = 0; i < l.tokens.size(); ++i) {
          x.tokens.emplace_back(l.tokens[i].token);
          x.offsets.push_back(l.tokens[i].offset);
          x.tags.push_back(l.tokens[i].tag);
          x.codes.push_back(l.results[i].code);
          x.fingerprints.emplace_back(l.results[i].fingerprint_hex());
        }
        out.push_back(std::move(x));
      },
      options);
  if (stats != nullptr) *stats = s;
  return out;
}

TEST(LinePipeline, EveryReportReachesTheSinkInOrderWhateverTheChunkingAndThreads) {
  const auto rules = make_rules();
  const std::string good =
      sign_compact(rules->keys(), "k", alg::hs256, R"({"sub":"a","exp":1700000100})");
  std::string reversed_good(good.rbegin(), good.rend());
  std::string input;
  for (int i = 0; i < 3000; ++i) {
    switch (i % 6) {
      case 0:
        input += "t:" + good + " @" + std::to_string(i % 12 == 0 ? 1700000000 : 1700000200) + "\n";
        break;
      case 1:
        input += "r:" + reversed_good + " t:x.y.z #\n";
        break;
      case 2:
        input += "v:missing ! t:" + good + "\r\n";
        break;
      case 3:
        input += "\n";  // a line without tokens
        break;
      case 4:
        input += "plain words only\n";
        break;
      default:
        input += "t:" + good + " t:" + good + " t:" + good + "\n";
    }
  }
  input += "t:" + good;  // a last line without "\n"

  // The reference: each line's reports taken by hand, each token verified alone.
  std::vector<seen_line> expected;
  {
    std::size_t start = 0;
    std::uint64_t n = 0;
    while (start <= input.size()) {
      std::size_t nl = input.find('\n', start);
      if (nl == std::string::npos) nl = input.size();
      std::string text = input.substr(start, nl - start);
      if (!text.empty() && text.back() == '\r') text.pop_back();
      seen_line x;
      x.number = ++n;
      x.text = text;
      x.at = k_fixed;
      x.source = time_source::flag;
      std::size_t i = 0;
      while (i < text.size()) {
        std::size_t e = text.find(' ', i);
        if (e == std::string::npos) e = text.size();
        const std::string w = text.substr(i, e - i);
        std::string tok;
        std::uint32_t tag = 0;
        status given = status::ok;
        bool is_token = true;
        if (w.rfind("t:", 0) == 0) {
          tok = w.substr(2), tag = 1;
        } else if (w.rfind("r:", 0) == 0) {
          tok.assign(w.rbegin(), w.rend() - 2), tag = 2;
        } else if (w.rfind("v:", 0) == 0) {
          tok = w.substr(2), tag = 3, given = status::no_token;
        } else {
          is_token = false;
          if (w[0] == '@') x.at = std::stod(w.substr(1)), x.source = time_source::line;
          if (w == "!") x.cut = true;
          if (w == "#") x.marks |= 4;
        }
        if (is_token) {
          x.tokens.push_back(tok);
          x.offsets.push_back(i + 2);
          x.tags.push_back(tag);
        }
        i = e + 1;
        if (is_token && tag == 3) {
          result r;
          rules->verify_at(tok, k_fixed, r);  // for its fingerprint only
          x.codes.push_back(given);
          x.fingerprints.emplace_back(r.fingerprint_hex());
        } else if (is_token) {
          x.codes.push_back(status::ok);  // placeholder, filled below (needs the time)
          x.fingerprints.emplace_back();
        }
      }
      for (std::size_t k = 0; k < x.tokens.size(); ++k) {
        if (x.tags[k] == 3) continue;
        result r;
        rules->verify_at(x.tokens[k], x.at, r);
        x.codes[k] = r.code;
        x.fingerprints[k] = std::string(r.fingerprint_hex());
      }
      expected.push_back(std::move(x));
      start = nl + 1;
    }
  }
  ASSERT_EQ(expected.size(), 3001U);
  // The reference itself covers what the test is about.
  EXPECT_EQ(expected[0].codes, std::vector<status>{status::ok});
  EXPECT_EQ(expected[6].codes, std::vector<status>{status::expired});  // @1700000200
  EXPECT_EQ(expected[1].codes, (std::vector<status>{status::ok, status::bad_base64}));
  EXPECT_EQ(expected[2].codes, (std::vector<status>{status::no_token, status::ok}));
  EXPECT_EQ(expected[2].fingerprints[0], "ffa63583dfa6706b87d284b86b0d693a") << "sha256(missing)";

  const word_extractor words;
  for (const int threads : {1, 2, 8}) {
    for (const std::size_t chunk : {std::size_t{1}, std::size_t{4096}, std::size_t{1} << 20}) {
      for (const std::size_t max_records : {std::size_t{1}, std::size_t{7}, std::size_t{1024}}) {
        SCOPED_TRACE(std::to_string(threads) + " threads, chunk " + std::to_string(chunk) +
                     ", max_records " + std::to_string(max_records));
        memory_source source(input);
        pipeline_stats stats;
        const auto got = stream(rules, source, words,
                                pipeline_options{.chunk_bytes = chunk, .max_records = max_records},
                                threads, &stats);
        ASSERT_EQ(got.size(), expected.size());
        for (std::size_t i = 0; i < got.size(); ++i)
          ASSERT_EQ(got[i], expected[i]) << "line " << i + 1;
        EXPECT_EQ(stats.lines, 3001U);
        EXPECT_EQ(stats.records, 500U * (1 + 2 + 2 + 3) + 1);
        EXPECT_FALSE(stats.stopped);
      }
    }
  }
}

// A source that makes its bytes as it goes: a line of `long_line` bytes of 'a', then
// "tail\n", handed out `block` bytes per read.
class long_line_source final : public byte_source {
 public:
  long_line_source(std::size_t long_line, std::size_t block)
      : total_(long_line + 1 + 5), long_line_(long_line), block_(block) {}
  std::ptrdiff_t read(char* buf, std::size_t n) override {
    const std::size_t k = std::min({n, block_, total_ - at_});
    for (std::size_t i = 0; i < k; ++i, ++at_) {
      buf[i] = at_ < long_line_ ? 'a' : "\ntail\n"[at_ - long_line_];
    }
    return static_cast<std::ptrdiff_t>(k);
  }

 private:
  std::size_t total_;
  std::size_t long_line_;
  std::size_t block_;
  std::size_t at_ = 0;
};

// Each line's length and whether it was cut, nothing else (the lines are big).
struct length_extractor final : line_extractor {
  void extract(std::string_view line, bool cut, line_tokens& out,
               state* /*s*/) const noexcept override {
    out.add_verdict(cut ? status::token_too_large : status::no_token, {}, line.size());
  }
};

TEST(LinePipeline, AssemblingALongLineIsLinear) {
  // 64 MiB arriving 4 KiB at a time under a 128 MiB bound: 16384 reads. Searching the
  // whole buffered line again after each read would be 2^39 byte comparisons and never
  // finish; each byte is searched once.
  const auto rules = make_rules();
  const length_extractor lengths;
  long_line_source source(std::size_t{64} << 20, 4096);
  const auto t0 = std::chrono::steady_clock::now();
  const auto got =
      stream(rules, source, lengths, pipeline_options{.max_line_bytes = std::size_t{128} << 20}, 2);
  ASSERT_EQ(got.size(), 2U);
  EXPECT_EQ(got[0].offsets, std::vector<std::size_t>{std::size_t{64} << 20});
  EXPECT_FALSE(got[0].cut_line);
  EXPECT_EQ(got[1].text, "tail");
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(60));
}

TEST(LinePipeline, ALineOverTheBoundIsCutToItsHeadAndTheNextLineIsWhole) {
  const auto rules = make_rules();
  const length_extractor lengths;
  for (const std::size_t block : {std::size_t{1000}, std::size_t{65536}}) {
    // 3 MiB + 7 over a 1 MiB bound; 1 MiB exactly is not cut.
    for (const std::size_t len : {(std::size_t{3} << 20) + 7, std::size_t{1} << 20}) {
      long_line_source source(len, block);
      const auto got = stream(rules, source, lengths,
                              pipeline_options{.max_line_bytes = std::size_t{1} << 20}, 2);
      ASSERT_EQ(got.size(), 2U);
      const bool over = len > (std::size_t{1} << 20);
      EXPECT_EQ(got[0].cut_line, over);
      EXPECT_EQ(got[0].text.size(), std::size_t{1} << 20);
      EXPECT_EQ(got[0].codes,
                std::vector<status>{over ? status::token_too_large : status::no_token});
      EXPECT_EQ(got[1].text, "tail");
      EXPECT_EQ(got[1].number, 2U);
    }
  }
}

// Stops after its bytes, as a signal would.
class stopping_source final : public byte_source {
 public:
  explicit stopping_source(std::string bytes) : bytes_(std::move(bytes)) {}
  std::ptrdiff_t read(char* buf, std::size_t n) override {
    if (done_) return stopped;
    const std::size_t k = std::min(n, bytes_.size());
    std::memcpy(buf, bytes_.data(), k);
    done_ = true;
    return static_cast<std::ptrdiff_t>(k);
  }

 private:
  std::string bytes_;
  bool done_ = false;
};

TEST(LinePipeline, AStopEndsTheStreamWithWholeLinesOnly) {
  const auto rules = make_rules();
  const word_extractor words;
  stopping_source source("t:a.b.c\nt:d.e.f\nt:partial");
  pipeline_stats stats;
  const auto got = stream(rules, source, words, {}, 2, &stats);
  ASSERT_EQ(got.size(), 2U);
  EXPECT_EQ(got[1].tokens, std::vector<std::string>{"d.e.f"});
  EXPECT_TRUE(stats.stopped);
  EXPECT_EQ(stats.lines, 2U);
}

TEST(LinePipeline, TheSinkIsToldToFlushWhenTheInputPauses) {
  const auto rules = make_rules();
  const word_extractor words;
  int fds[2] = {-1, -1};
  ASSERT_EQ(::pipe(fds), 0);
  std::atomic<int> lines_seen{0};
  std::vector<bool> flushes;
  std::thread writer([&] {
    const std::string first = "t:a.b.c\nt:d.e.f\n";
    EXPECT_EQ(::write(fds[1], first.data(), first.size()), static_cast<ssize_t>(first.size()));
    // The writer pauses until both lines came out: the reader must not wait for more.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (lines_seen.load() < 2 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    EXPECT_EQ(lines_seen.load(), 2);
    const std::string second = "t:g.h.i\n";
    EXPECT_EQ(::write(fds[1], second.data(), second.size()), static_cast<ssize_t>(second.size()));
    ::close(fds[1]);
  });
  fd_source source(fds[0]);
  const batch_verifier engine(rules, batch_options{.threads = 2});
  verify_stream(engine, source, words,
                [&](const line_result& /*l*/, bool flush) {
                  flushes.push_back(flush);
                  ++lines_seen;
                },
                {});
  writer.join();
  ::close(fds[0]);
  // The pause after line 2 flushes; line 1 had line 2 behind it. Whether line 3 is
  // followed by a pause or by the end depends on when the writer closes: not asserted.
  ASSERT_EQ(flushes.size(), 3U);
  EXPECT_FALSE(flushes[0]);
  EXPECT_TRUE(flushes[1]);
}

TEST(LinePipeline, TheSinkIsToldToFlushAfterALineLongerThanAChunk) {
  // A 100 KB line fills its chunk past chunk_bytes: the chunk ends full, and the input
  // pausing after it must still flush (rsyslog waits for the reply to this very line).
  const auto rules = make_rules();
  const word_extractor words;
  for (const std::size_t len : {std::size_t{70000}, std::size_t{100000}, std::size_t{1} << 20}) {
    int fds[2] = {-1, -1};
    ASSERT_EQ(::pipe(fds), 0);
    std::atomic<int> lines_seen{0};
    std::vector<bool> flushes;
    std::thread writer([&] {
      const std::string line = "t:a.b.c " + std::string(len, 'x') + "\n";
      std::size_t at = 0;
      while (at < line.size()) {
        const ssize_t w = ::write(fds[1], line.data() + at, line.size() - at);
        if (w <= 0) break;
        at += static_cast<std::size_t>(w);
      }
      const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
      while (lines_seen.load() < 1 && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
      }
      EXPECT_EQ(lines_seen.load(), 1) << len;
      ::close(fds[1]);
    });
    fd_source source(fds[0]);
    const batch_verifier engine(rules, batch_options{.threads = 2});
    verify_stream(
        engine, source, words,
        [&](const line_result& /*l*/, bool flush) {
          flushes.push_back(flush);
          ++lines_seen;
        },
        pipeline_options{.max_line_bytes = std::size_t{4} << 20});
    writer.join();
    ::close(fds[0]);
    EXPECT_EQ(flushes, std::vector<bool>{true}) << len;
  }
}

}  // namespace
}  // namespace jwtbatch
