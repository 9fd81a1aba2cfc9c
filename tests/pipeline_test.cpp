// The streaming pipeline: one result per record, in input order, across chunk
// boundaries, with empty, CRLF, oversize, binary and unterminated lines, from a file
// and from a pipe, with 1, 2 and 8 threads.
#include "jwtbatch/pipeline.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <malloc.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define JWTBATCH_TEST_SANITIZER_HEAP 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define JWTBATCH_TEST_SANITIZER_HEAP 1
#endif
#endif
#ifndef JWTBATCH_TEST_SANITIZER_HEAP
#define JWTBATCH_TEST_SANITIZER_HEAP 0
#endif
#if JWTBATCH_TEST_SANITIZER_HEAP
// From the sanitizer runtime (<sanitizer/allocator_interface.h>, which GCC does not
// install).
extern "C" std::size_t __sanitizer_get_current_allocated_bytes();
#endif

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <functional>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "jwtbatch/key_set.hpp"
#include "jwtbatch/sign.hpp"
#include "test_support.hpp"

namespace jwtbatch {
namespace {

struct seen {
  std::uint64_t line;
  std::string token;
  status code;
  std::string fingerprint;
  std::string sub;  // the verified sub claim, to tie a result to its record
};

class PipelineTest : public ::testing::Test {
 protected:
  PipelineTest() {
    key_set_builder b;
    b.add_secret(std::vector<std::uint8_t>(32, 3), "s", "k", alg::hs256);
    policy p;
    p.fixed_time = 1700000000;
    rules_ = std::make_shared<verifier>(b.build(), p);
  }

  std::string token(int i) const {
    return sign_compact(rules_->keys(), "k", alg::hs256,
                        R"({"sub":"u)" + std::to_string(i) + R"(","exp":)" +
                            std::to_string(i % 5 == 0 ? 1 : 1800000000) + "}");
  }

  // A file name of this test's own: ctest runs the tests of this file in parallel.
  static std::string temp_path() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    return ::testing::TempDir() + "pipeline_test_" + info->test_suite_name() + "_" + info->name() +
           "_" + std::to_string(::getpid());
  }

  // Writes `content` to a file and streams it through verify_stream.
  std::vector<seen> run(const std::string& content, int threads, std::size_t chunk) {
    const std::string path = temp_path();
    std::ofstream(path, std::ios::binary) << content;
    const int fd = ::open(path.c_str(), O_RDONLY);
    EXPECT_GE(fd, 0);
    std::vector<seen> out;
    const batch_verifier engine(rules_, batch_options{.threads = threads});
    const pipeline_stats stats = verify_stream(
        engine, fd,
        [&](std::uint64_t line, std::string_view t, const result& r) {
          out.push_back({line, std::string(t), r.code, std::string(r.fingerprint_hex()), ""});
        },
        pipeline_options{.chunk_bytes = chunk, .chunks_in_flight = 3});
    ::close(fd);
    std::remove(path.c_str());
    EXPECT_EQ(stats.records, out.size());
    return out;
  }

  // Streams `fd` with the default number of chunks in flight (twice the threads).
  std::vector<seen> run_fd(int fd, int threads, std::size_t chunk) const {
    std::vector<seen> out;
    const batch_verifier engine(rules_, batch_options{.threads = threads});
    std::uint64_t ok = 0;
    const pipeline_stats stats = verify_stream(
        engine, fd,
        [&](std::uint64_t line, std::string_view t, const result& r) {
          out.push_back({line, std::string(t), r.code, std::string(r.fingerprint_hex()),
                         std::string(r.sub.value_or(""))});
          ok += r.code == status::ok ? 1 : 0;
        },
        pipeline_options{.chunk_bytes = chunk});
    EXPECT_EQ(stats.records, out.size());
    EXPECT_EQ(stats.ok, ok);
    return out;
  }

  std::vector<seen> run_file(const std::string& content, int threads, std::size_t chunk) const {
    const std::string path = temp_path();
    std::ofstream(path, std::ios::binary) << content;
    const int fd = ::open(path.c_str(), O_RDONLY);
    EXPECT_GE(fd, 0);
    auto out = run_fd(fd, threads, chunk);
    ::close(fd);
    std::remove(path.c_str());
    return out;
  }

  // Streams what `write_all` writes into a pipe (as from stdin): a writer thread feeds
  // the write end and closes it; verify_stream reads the other end.
  std::vector<seen> run_pipe(const std::function<void(int)>& write_all, int threads,
                             std::size_t chunk) const {
    int fds[2] = {-1, -1};
    EXPECT_EQ(::pipe(fds), 0);
    std::thread writer([&] {
      write_all(fds[1]);
      ::close(fds[1]);
    });
    auto out = run_fd(fds[0], threads, chunk);
    writer.join();
    ::close(fds[0]);
    return out;
  }

  std::string signed_token(const std::string& payload,
                           std::optional<std::string_view> header = {}) const {
    return sign_compact(rules_->keys(), "k", alg::hs256, payload, header);
  }

  std::shared_ptr<const verifier> rules_;
};

TEST_F(PipelineTest, OneResultPerRecordInOrderAcrossChunks) {
  std::string content;
  std::vector<std::string> records;
  for (int i = 0; i < 400; ++i) {
    std::string rec = token(i);
    if (i % 37 == 0) rec.clear();          // empty line: a record too
    if (i % 41 == 0) rec = "not.a.token";  // malformed
    records.push_back(rec);
    content += rec + (i % 3 == 0 ? "\r\n" : "\n");  // CRLF and LF mixed
  }
  records.push_back(token(1000));
  content += records.back();  // a last line without "\n"

  for (int threads : {1, 2}) {
    for (std::size_t chunk : {std::size_t{4096}, std::size_t{1} << 20}) {
      const auto out = run(content, threads, chunk);
      ASSERT_EQ(out.size(), records.size()) << threads << " " << chunk;
      result expected;
      for (std::size_t i = 0; i < out.size(); ++i) {
        EXPECT_EQ(out[i].line, i + 1);
        EXPECT_EQ(out[i].token, records[i]) << i;
        rules_->verify_at(records[i], 1700000000, expected);
        EXPECT_EQ(out[i].code, expected.code) << i;
        EXPECT_EQ(out[i].fingerprint, expected.fingerprint_hex()) << i;
      }
    }
  }
}

TEST_F(PipelineTest, OversizeLinesAreReportedNotBuffered) {
  const std::string good = token(1);
  const std::string huge(200000, 'a');  // spans many 4 KiB chunks
  const std::string at_limit(65536, 'b');
  const std::string content =
      good + "\n" + huge + "\n" + good + "\n" + at_limit + "\n" + huge;  // huge, unterminated
  const auto out = run(content, 2, 4096);
  ASSERT_EQ(out.size(), 5U);
  EXPECT_EQ(out[0].code, status::ok);
  EXPECT_EQ(out[1].code, status::token_too_large);
  EXPECT_EQ(out[1].token, "");
  EXPECT_EQ(out[1].fingerprint, std::string(32, '0'));
  EXPECT_EQ(out[2].code, status::ok);
  EXPECT_EQ(out[2].line, 3U);
  EXPECT_EQ(out[3].code, status::bad_segments);  // at the limit: read and judged
  EXPECT_EQ(out[3].token.size(), 65536U);
  EXPECT_EQ(out[4].code, status::token_too_large);
  EXPECT_EQ(out[4].line, 5U);
}

TEST_F(PipelineTest, EmptyInputAndOnlyNewlines) {
  EXPECT_TRUE(run("", 2, 4096).empty());
  const auto out = run("\n\n\r\n", 1, 4096);
  ASSERT_EQ(out.size(), 3U);
  for (const auto& s : out) EXPECT_EQ(s.code, status::bad_segments);
}

// A chunk holds at most max_records records, so a file of short lines is cut into
// many chunks (bounded results) and still gives one record per line, in order.
TEST_F(PipelineTest, ManyShortLinesAreCutIntoBoundedChunks) {
  std::string content(30000, '\n');
  content += token(1) + "\n" + std::string(20000, '\n') + token(2);
  const std::string path = temp_path();
  std::ofstream(path, std::ios::binary) << content;
  for (const std::size_t max_records : {std::size_t{1}, std::size_t{7}, std::size_t{1024}}) {
    const int fd = ::open(path.c_str(), O_RDONLY);
    ASSERT_GE(fd, 0);
    std::uint64_t expected_line = 1;
    std::uint64_t ok = 0;
    const batch_verifier engine(rules_, batch_options{.threads = 2});
    const pipeline_stats stats = verify_stream(
        engine, fd,
        [&](std::uint64_t line, std::string_view t, const result& r) {
          EXPECT_EQ(line, expected_line++);
          const bool is_token = line == 30001 || line == 50002;
          EXPECT_EQ(r.code, is_token ? status::ok : status::bad_segments) << line;
          EXPECT_EQ(t.empty(), !is_token) << line;
          ok += r.code == status::ok ? 1 : 0;
        },
        pipeline_options{.max_records = max_records});
    ::close(fd);
    EXPECT_EQ(stats.records, 50002U) << max_records;
    EXPECT_EQ(expected_line, 50003U) << max_records;
    EXPECT_EQ(ok, 2U) << max_records;
  }
  std::remove(path.c_str());
}

// Writes all of `data`, in pieces of the given sizes in turn (short writes retried).
void write_pieces(int fd, std::string_view data, const std::vector<std::size_t>& pieces) {
  std::size_t next = 0;
  while (!data.empty()) {
    const std::size_t n = std::min(data.size(), pieces[next++ % pieces.size()]);
    const ssize_t w = ::write(fd, data.data(), n);
    ASSERT_GT(w, 0);
    data.remove_prefix(static_cast<std::size_t>(w));
  }
}

// One input record: its bytes, how it ends, and the verdict it must get.
struct line_case {
  std::string bytes;
  std::string terminator;  // "\n", "\r\n", or "" for a last line without one
  status expect;
  std::string sub;  // the sub claim the result must carry ("" when none is reported)
};

class PipelineLinesTest : public PipelineTest {
 protected:
  // A stream of good tokens between empty lines, binary junk (NUL, 0xFF, invalid
  // UTF-8, lone CR), tokens larger than the smallest chunk, CRLF and LF, and a last
  // line without a newline. Each expected status is the one the verify path gives
  // those bytes on their own (cross-checked in the test against verify_at).
  std::vector<line_case> cases() const {
    const std::string pad(6000, 'p');  // a token longer than a 4 KiB chunk
    std::vector<line_case> c;
    const auto good = [&](int i) {
      const std::string sub = "u" + std::to_string(i);
      return line_case{signed_token(R"({"sub":")" + sub + R"(","exp":1800000000})"), "\n",
                       status::ok, sub};
    };
    for (int round = 0; round < 6; ++round) {
      const int b = round * 100;
      c.push_back(good(b + 1));
      c.push_back({"", "\n", status::bad_segments, ""});
      c.push_back({std::string("\0\0\0", 3), "\n", status::bad_segments, ""});
      c.push_back({std::string("\0.\0.\0", 5), "\n", status::bad_base64, ""});
      c.push_back(good(b + 2));
      c.push_back({good(b + 3).bytes + std::string(1, '\0'), "\n", status::bad_base64, ""});
      c.push_back({"\xff\xff\xff\xff", "\r\n", status::bad_segments, ""});
      c.push_back({"\xff.\xff.\xff", "\n", status::bad_base64, ""});
      c.push_back({"\xc3\x28" + good(b + 4).bytes, "\n", status::bad_base64, ""});
      // Well signed, but the header's JSON holds invalid UTF-8 (RFC 8259 §8.1).
      c.push_back(
          {signed_token(R"({"sub":"x"})", "{\"alg\":\"HS256\",\"kid\":\"k\",\"x\":\"\xc3\x28\"}"),
           "\n", status::bad_json, ""});
      // Well signed, but the claims hold invalid UTF-8: the signature verified first.
      c.push_back({signed_token("{\"sub\":\"\xff\"}"), "\r\n", status::bad_json, ""});
      c.push_back(good(b + 5));
      // Lone CRs are bytes, not line ends: only a CR right before LF is dropped.
      c.push_back({good(b + 6).bytes + "\r" + good(b + 7).bytes, "\n",
                   status::unsupported_serialization, ""});
      c.push_back({"abc\rdef", "\n", status::bad_segments, ""});
      c.push_back({"\r", "\r\n", status::bad_segments, ""});  // "\r\r\n": one CR left
      c.push_back({good(b + 8).bytes + "\r", "\r\n", status::bad_base64, ""});
      c.push_back({"", "\r\n", status::bad_segments, ""});
      c.push_back({signed_token(R"({"sub":"big)" + std::to_string(b) + R"(","pad":")" + pad +
                                R"(","exp":1800000000})"),
                   "\r\n", status::ok, "big" + std::to_string(b)});
      // Genuine but expired: the claims are still reported (audit use).
      c.push_back(
          {signed_token(R"({"sub":"old","exp":1600000000})"), "\n", status::expired, "old"});
      c.push_back(good(b + 9));
    }
    line_case last = good(999);
    last.terminator = "";  // a last line without "\n"
    c.push_back(last);
    return c;
  }

  static std::string join(const std::vector<line_case>& cases) {
    std::string content;
    for (const line_case& l : cases) content += l.bytes + l.terminator;
    return content;
  }

  // Every record once, in order, with its line number, bytes and exact verdict.
  void expect_records(const std::vector<seen>& out, const std::vector<line_case>& cases,
                      const std::string& where) const {
    SCOPED_TRACE(where);
    ASSERT_EQ(out.size(), cases.size());
    result expected;
    for (std::size_t i = 0; i < out.size(); ++i) {
      EXPECT_EQ(out[i].line, i + 1) << i;
      EXPECT_EQ(out[i].token, cases[i].bytes) << "line " << i + 1;
      EXPECT_EQ(out[i].code, cases[i].expect) << "line " << i + 1;
      EXPECT_EQ(out[i].sub, cases[i].sub) << "line " << i + 1;
      rules_->verify_at(cases[i].bytes, 1700000000, expected);
      EXPECT_EQ(out[i].code, expected.code) << "line " << i + 1;
      EXPECT_EQ(out[i].fingerprint, expected.fingerprint_hex()) << "line " << i + 1;
    }
  }
};

TEST_F(PipelineLinesTest, BinaryJunkEmptyAndCrlfLinesOneResultEachFromAFile) {
  const auto cases = this->cases();
  const std::string content = join(cases);
  ASSERT_EQ(std::count(content.begin(), content.end(), '\n') + 1,
            static_cast<std::ptrdiff_t>(cases.size()));
  std::size_t ok = 0;
  for (const line_case& l : cases) ok += l.expect == status::ok ? 1 : 0;
  EXPECT_EQ(ok, 6U * 5U + 1U);
  // chunk_bytes below 4096 is raised to 4096; 4096 and 5000 are smaller than the
  // 8 KiB tokens, so those tokens always span chunks.
  for (int threads : {1, 2, 8}) {
    for (std::size_t chunk : {std::size_t{1}, std::size_t{100}, std::size_t{4096},
                              std::size_t{5000}, std::size_t{65536}, std::size_t{1} << 20}) {
      expect_records(run_file(content, threads, chunk), cases,
                     "threads " + std::to_string(threads) + " chunk " + std::to_string(chunk));
    }
  }
}

TEST_F(PipelineLinesTest, FromAPipeInOddSizedWrites) {
  // Users stream from stdin: reads return whatever the writer has written so far, so
  // records are cut across short reads, not only across full chunks.
  const auto cases = this->cases();
  const std::string content = join(cases);
  for (int threads : {1, 2, 8}) {
    for (std::size_t chunk : {std::size_t{4096}, std::size_t{1} << 20}) {
      const auto out = run_pipe(
          [&](int fd) {
            write_pieces(fd, content, {1, 7, 333, 4097, 65536, 2});
          },
          threads, chunk);
      expect_records(out, cases,
                     "pipe threads " + std::to_string(threads) + " chunk " + std::to_string(chunk));
    }
  }
}

TEST_F(PipelineLinesTest, NoTrailingNewlineOnEveryKindOfLastLine) {
  // The last record ends at end of input, whatever it holds; a final lone CR is
  // dropped like the CR of a CRLF.
  const std::string tok = signed_token(R"({"sub":"last","exp":1800000000})");
  const std::vector<std::pair<std::string, std::vector<status>>> inputs = {
      {"x", {status::bad_segments}},
      {tok, {status::ok}},
      {tok + "\r", {status::ok}},
      {tok + "\n" + std::string("\0", 1), {status::ok, status::bad_segments}},
      {"\n" + tok, {status::bad_segments, status::ok}},
      {tok + "\r\n\xff", {status::ok, status::bad_segments}},
  };
  for (const auto& [content, want] : inputs) {
    for (int threads : {1, 2, 8}) {
      const auto out = run_file(content, threads, 4096);
      ASSERT_EQ(out.size(), want.size()) << threads;
      for (std::size_t i = 0; i < want.size(); ++i) {
        EXPECT_EQ(out[i].line, i + 1);
        EXPECT_EQ(out[i].code, want[i]) << "record " << i << " threads " << threads;
      }
    }
  }
}

TEST_F(PipelineLinesTest, TenMegabyteLinesAreOneTooLargeRecordEach) {
  const std::string ten_mb(std::size_t{10} << 20, 'a');
  std::string junk_mb(std::size_t{10} << 20, 'z');
  for (std::size_t i = 0; i < junk_mb.size(); i += 4093) junk_mb[i] = i % 2 ? '\0' : '\r';
  const std::string a = signed_token(R"({"sub":"a","exp":1800000000})");
  const std::string b = signed_token(R"({"sub":"b","exp":1800000000})");
  const std::string c = signed_token(R"({"sub":"c","exp":1600000000})");
  // line: 1 a, 2 ten_mb, 3 b, 4 empty, 5 junk_mb (CRLF), 6 c (expired), 7 ten_mb (last,
  // no newline).
  const std::string content =
      a + "\n" + ten_mb + "\n" + b + "\r\n" + "\n" + junk_mb + "\r\n" + c + "\n" + ten_mb;
  const std::vector<status> want = {status::ok,
                                    status::token_too_large,
                                    status::ok,
                                    status::bad_segments,
                                    status::token_too_large,
                                    status::expired,
                                    status::token_too_large};
  const std::vector<std::string> tokens = {a, "", b, "", "", c, ""};
  for (int threads : {1, 2, 8}) {
    for (std::size_t chunk : {std::size_t{4096}, std::size_t{65536}, std::size_t{1} << 20}) {
      SCOPED_TRACE("threads " + std::to_string(threads) + " chunk " + std::to_string(chunk));
      const auto out = run_file(content, threads, chunk);
      ASSERT_EQ(out.size(), want.size());
      for (std::size_t i = 0; i < want.size(); ++i) {
        EXPECT_EQ(out[i].line, i + 1);
        EXPECT_EQ(out[i].code, want[i]) << "line " << i + 1;
        EXPECT_EQ(out[i].token, tokens[i]) << "line " << i + 1;
        if (want[i] == status::token_too_large) {
          EXPECT_EQ(out[i].fingerprint, std::string(32, '0')) << "line " << i + 1;
        }
      }
      EXPECT_EQ(out[0].sub, "a");
      EXPECT_EQ(out[2].sub, "b");
    }
  }
}

// pipeline.hpp: a record longer than the token limit is reported with an empty token
// and an all-'0' fingerprint, whether it arrived whole within one read or across
// many (a reader that only dropped lines still unterminated after a read once gave
// different results for different chunk sizes).
TEST_F(PipelineLinesTest, OversizeLineIsReportedTheSameWhateverTheChunking) {
  const std::string a = signed_token(R"({"sub":"a","exp":1800000000})");
  for (std::size_t len : {std::size_t{65537}, std::size_t{65538}, std::size_t{70000}}) {
    const std::string content = a + "\n" + std::string(len, 'q') + "\n" + a + "\n";
    for (std::size_t chunk : {std::size_t{4096}, std::size_t{1} << 20}) {
      for (int threads : {1, 2}) {
        SCOPED_TRACE("length " + std::to_string(len) + " chunk " + std::to_string(chunk) +
                     " threads " + std::to_string(threads));
        const auto out = run_file(content, threads, chunk);
        ASSERT_EQ(out.size(), 3U);
        EXPECT_EQ(out[1].code, status::token_too_large);
        EXPECT_EQ(out[1].token.size(), 0U);
        EXPECT_EQ(out[1].fingerprint, std::string(32, '0'));
        EXPECT_EQ(out[2].code, status::ok);
      }
    }
  }
}

// Heap bytes in use: the sanitizer allocator's count when ASan or TSan replaces
// malloc (glibc's figures would stand still), else glibc's, over all malloc arenas,
// mmapped blocks included.
std::size_t heap_in_use() {
#if JWTBATCH_TEST_SANITIZER_HEAP
  return __sanitizer_get_current_allocated_bytes();
#else
  const struct mallinfo2 m = ::mallinfo2();
  return m.uordblks + m.hblkhd;
#endif
}

TEST_F(PipelineLinesTest, TenMegabyteLineIsNeverBufferedWhole) {
  // The line comes through a pipe and is never held by the test: each write returns
  // once the reader has taken all but a pipe buffer of it, so if the reader kept the
  // line, the heap would grow by ~10 MB while it is written. A reader that drops an
  // oversize line's bytes stays within a few chunks.
  constexpr std::size_t k_line = std::size_t{10} << 20;
  const std::string a = signed_token(R"({"sub":"a","exp":1800000000})");
  const std::string b = signed_token(R"({"sub":"b","exp":1800000000})");
  for (std::size_t chunk : {std::size_t{4096}, std::size_t{65536}}) {
    for (int threads : {1, 2, 8}) {
      SCOPED_TRACE("threads " + std::to_string(threads) + " chunk " + std::to_string(chunk));
      std::size_t baseline = 0;
      std::size_t peak = 0;
      const auto out = run_pipe(
          [&](int fd) {
            write_pieces(fd, a + "\n", {4096});
            const std::string piece(65536, 'a');
            for (std::size_t sent = 0; sent < k_line; sent += piece.size()) {
              write_pieces(fd, piece, {piece.size()});
              // After the first MiB the reader's buffers and the workers' scratch are
              // in place: measure growth from there.
              if (sent == std::size_t{1} << 20) baseline = heap_in_use();
              if (sent > std::size_t{1} << 20) peak = std::max(peak, heap_in_use());
            }
            write_pieces(fd, "\n" + b + "\n", {4096});
          },
          threads, chunk);
      ASSERT_EQ(out.size(), 3U);
      EXPECT_EQ(out[0].code, status::ok);
      EXPECT_EQ(out[1].code, status::token_too_large);
      EXPECT_EQ(out[1].line, 2U);
      EXPECT_EQ(out[2].code, status::ok);
      EXPECT_EQ(out[2].sub, "b");
      EXPECT_LT(peak - std::min(peak, baseline), k_line / 4)
          << "heap grew by " << peak - std::min(peak, baseline) << " bytes";
    }
  }
}

// pipeline_options::stop_fd: a stop asked for while the input is idle (a pipe whose
// writer is silent) ends the stream with every whole line's result and without the
// unfinished last line; one asked for while the input never pauses (a large file)
// ends it too, with whole records in order.
TEST_F(PipelineTest, StopFdEndsAnIdlePipeWithWholeLinesOnly) {
  int data[2] = {-1, -1};
  int stop[2] = {-1, -1};
  ASSERT_EQ(::pipe(data), 0);
  ASSERT_EQ(::pipe(stop), 0);
  std::string content;
  for (int i = 0; i < 5; ++i) content += token(i + 1) + "\n";
  content += token(99).substr(0, 30);  // the writer has not finished this line
  ASSERT_EQ(::write(data[1], content.data(), content.size()), static_cast<ssize_t>(content.size()));
  for (int threads : {1, 2}) {
    if (threads == 2) {  // again, with the stop already asked for: nothing is read
      const batch_verifier engine(rules_, batch_options{.threads = threads});
      std::uint64_t records = 0;
      const pipeline_stats stats = verify_stream(
          engine, data[0], [&](std::uint64_t, std::string_view, const result&) { ++records; },
          pipeline_options{.stop_fd = stop[0]});
      EXPECT_TRUE(stats.stopped);
      EXPECT_EQ(records, 0U);
      EXPECT_EQ(stats.records, 0U);
      continue;
    }
    const batch_verifier engine(rules_, batch_options{.threads = threads});
    std::vector<seen> out;
    const pipeline_stats stats = verify_stream(
        engine, data[0],
        [&](std::uint64_t line, std::string_view t, const result& r) {
          out.push_back({line, std::string(t), r.code, "", std::string(r.sub.value_or(""))});
          if (line == 5) {  // everything whole has its result: now the stop comes
            ASSERT_EQ(::write(stop[1], "x", 1), 1);
          }
        },
        pipeline_options{.stop_fd = stop[0]});
    EXPECT_TRUE(stats.stopped);
    ASSERT_EQ(out.size(), 5U);
    EXPECT_EQ(stats.records, 5U);
    for (std::size_t i = 0; i < out.size(); ++i) {
      EXPECT_EQ(out[i].line, i + 1);
      EXPECT_EQ(out[i].sub, "u" + std::to_string(i + 1));
    }
  }
  for (const int fd : {data[0], data[1], stop[0], stop[1]}) ::close(fd);
}

TEST_F(PipelineTest, StopFdEndsAFileThatNeverPauses) {
  std::string content;
  std::vector<std::string> records;
  for (int i = 0; i < 20000; ++i) {
    records.push_back(token(i % 50));
    content += records.back() + "\n";
  }
  const std::string path = temp_path();
  std::ofstream(path, std::ios::binary) << content;
  int stop[2] = {-1, -1};
  ASSERT_EQ(::pipe(stop), 0);
  const int fd = ::open(path.c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  const batch_verifier engine(rules_, batch_options{.threads = 2});
  std::vector<std::string> out;
  const pipeline_stats stats = verify_stream(
      engine, fd,
      [&](std::uint64_t line, std::string_view t, const result&) {
        EXPECT_EQ(line, out.size() + 1);
        out.emplace_back(t);
        if (line == 100) {
          ASSERT_EQ(::write(stop[1], "x", 1), 1);
        }
      },
      pipeline_options{.chunk_bytes = 4096, .stop_fd = stop[0]});
  EXPECT_TRUE(stats.stopped);
  EXPECT_GE(out.size(), 100U);
  EXPECT_LT(out.size(), records.size());
  for (std::size_t i = 0; i < out.size(); ++i) ASSERT_EQ(out[i], records[i]) << i;
  // Without a stop, the same file is read to its end.
  ASSERT_EQ(::lseek(fd, 0, SEEK_SET), 0);
  const pipeline_stats all =
      verify_stream(engine, fd, [](std::uint64_t, std::string_view, const result&) {});
  EXPECT_FALSE(all.stopped);
  EXPECT_EQ(all.records, records.size());
  ::close(fd);
  for (const int f : {stop[0], stop[1]}) ::close(f);
  std::remove(path.c_str());
}

// A stream from a pipe may run for days: each chunk is judged at the time it was read,
// not at the start of the stream. The same token, valid when its first line is read,
// is expired on a line written after its exp (and the verified-token cache does not
// carry the first verdict over).
TEST_F(PipelineTest, EachChunkIsJudgedWhenItIsRead) {
  key_set_builder b;
  b.add_secret(std::vector<std::uint8_t>(32, 3), "s", "k", alg::hs256);
  const auto clock_rules = std::make_shared<verifier>(b.build(), policy{});  // no fixed time
  const batch_verifier engine(clock_rules, batch_options{.threads = 2});
  const auto exp = static_cast<std::int64_t>(std::time(nullptr)) + 2;
  const std::string line = sign_compact(clock_rules->keys(), "k", alg::hs256,
                                        R"({"sub":"u","exp":)" + std::to_string(exp) + "}") +
                           "\n";
  int fds[2] = {-1, -1};
  ASSERT_EQ(::pipe(fds), 0);
  std::thread writer([&] {
    EXPECT_EQ(::write(fds[1], line.data(), line.size()), static_cast<ssize_t>(line.size()));
    while (std::time(nullptr) <= exp) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    EXPECT_EQ(::write(fds[1], line.data(), line.size()), static_cast<ssize_t>(line.size()));
    ::close(fds[1]);
  });
  std::vector<status> codes;
  const pipeline_stats stats = verify_stream(
      engine, fds[0],
      [&](std::uint64_t, std::string_view, const result& r) { codes.push_back(r.code); });
  writer.join();
  ::close(fds[0]);
  EXPECT_EQ(stats.records, 2U);
  EXPECT_EQ(codes, (std::vector<status>{status::ok, status::expired}));
}

TEST_F(PipelineTest, ReadErrorsAreReported) {
  const batch_verifier engine(rules_);
  EXPECT_THROW(verify_stream(engine, -1, [](std::uint64_t, std::string_view, const result&) {}),
               std::system_error);
  // Also with a stop descriptor to wait on beside the input: no wait on a bad input.
  int stop[2] = {-1, -1};
  ASSERT_EQ(::pipe(stop), 0);
  EXPECT_THROW(verify_stream(
                   engine, -1, [](std::uint64_t, std::string_view, const result&) {},
                   pipeline_options{.stop_fd = stop[0]}),
               std::system_error);
  for (const int fd : stop) ::close(fd);
}

}  // namespace
}  // namespace jwtbatch
