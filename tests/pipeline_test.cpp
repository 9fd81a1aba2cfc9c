// The streaming pipeline: one result per record, in input order, across chunk
// boundaries, with empty, CRLF, oversize and unterminated lines.
#include "jwtbatch/pipeline.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>
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

  // Writes `content` to a file and streams it through verify_stream.
  std::vector<seen> run(const std::string& content, int threads, std::size_t chunk) {
    const std::string path = ::testing::TempDir() + "pipeline_test_input";
    std::ofstream(path, std::ios::binary) << content;
    const int fd = ::open(path.c_str(), O_RDONLY);
    EXPECT_GE(fd, 0);
    std::vector<seen> out;
    const batch_verifier engine(rules_, batch_options{.threads = threads});
    const pipeline_stats stats = verify_stream(
        engine, fd,
        [&](std::uint64_t line, std::string_view t, const result& r) {
          out.push_back({line, std::string(t), r.code, std::string(r.fingerprint_hex())});
        },
        pipeline_options{.chunk_bytes = chunk, .chunks_in_flight = 3});
    ::close(fd);
    std::remove(path.c_str());
    EXPECT_EQ(stats.records, out.size());
    return out;
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

TEST_F(PipelineTest, ReadErrorsAreReported) {
  const batch_verifier engine(rules_);
  EXPECT_THROW(verify_stream(engine, -1, [](std::uint64_t, std::string_view, const result&) {}),
               std::system_error);
}

}  // namespace
}  // namespace jwtbatch
