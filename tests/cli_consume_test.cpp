// `jwtbatch consume` without a Kafka cluster: the record of a token read from a message
// (record.hpp, append_message_record) and the configuration errors the command reports
// before it connects to anything. Its behaviour against a cluster is tests/kafka.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "cli_support.hpp"
#include "record.hpp"

namespace jwtbatch {
namespace {

using test::cli_temp_path;
using test::run;
using test::run_result;

TEST(ConsumeRecord, SaysWhichMessageThenWhatVerifySays) {
  result r;
  r.code = status::bad_segments;
  r.fingerprint.fill('0');
  std::string out;
  cli::append_message_record(out, {"tokens", 3, 81234}, cli::record_origin{}, r);
  EXPECT_EQ(out, R"({"topic":"tokens","partition":3,"offset":81234,"status":"bad_segments",)"
                 R"("class":"format","fp":"00000000000000000000000000000000"})");
}

TEST(ConsumeRecord, ScanTokenOffsetIsNotTheMessageOffset) {
  result r;
  r.code = status::bad_segments;
  r.fingerprint.fill('a');
  cli::record_origin origin;
  origin.offset = 17;
  origin.at = 1700000000;
  origin.at_source = "line";
  std::string out;
  cli::append_message_record(out, {"logs", 0, 5}, origin, r);
  EXPECT_EQ(out, R"({"topic":"logs","partition":0,"offset":5,"token_offset":17,"at":1700000000,)"
                 R"("at_source":"line","status":"bad_segments","class":"format",)"
                 R"("fp":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"})");
}

// A secret file, for the commands below (which stop before connecting to a broker).
class ConsumeFlags : public ::testing::Test {
 protected:
  void SetUp() override { std::ofstream(secret_, std::ios::binary) << std::string(32, 'k'); }
  void TearDown() override { std::remove(secret_.c_str()); }
  // Port 1 of the loopback: nothing listens there, and no test gets that far.
  [[nodiscard]] run_result consume(const std::string& args) const {
    return run("consume --brokers 127.0.0.1:1 --group g --secret-file " + secret_ +
                   " --kid k --alg HS256 " + args,
               30);
  }
  std::string secret_ = cli_temp_path("consume.secret");
};

TEST_F(ConsumeFlags, OutputTopicMustNotBeTheInput) {
  const run_result r = consume("--topic t --out-topic t");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "jwtbatch: --out-topic t: is also --topic\n");
}

TEST_F(ConsumeFlags, UnknownKafkaPropertyIsNamed) {
  const run_result r = consume("--topic a --out-topic b -X no.such.property=1");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err.rfind("jwtbatch: -X no.such.property=1: No such configuration property", 0), 0U)
      << r.err;
}

TEST_F(ConsumeFlags, PropertyWithoutValueIsRefused) {
  const run_result r = consume("--topic a --out-topic b -X linger.ms");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "jwtbatch: -X linger.ms: expected KEY=VALUE\n");
}

TEST_F(ConsumeFlags, ExactlyOnceSettingsCannotBeOverridden) {
  const run_result r = consume("--topic a --out-topic b -X isolation.level=read_uncommitted");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err,
            "jwtbatch: -X isolation.level: jwtbatch consume needs "
            "isolation.level=read_committed (exactly once)\n");
  const run_result auto_commit = consume("--topic a --out-topic b -X enable.auto.commit=true");
  EXPECT_EQ(auto_commit.exit_code, 2);
  EXPECT_EQ(auto_commit.err,
            "jwtbatch: -X enable.auto.commit: jwtbatch consume needs "
            "enable.auto.commit=false (exactly once)\n");
}

TEST_F(ConsumeFlags, ScanTimeFlagsNeedScanMode) {
  const run_result r = consume("--topic a --out-topic b --at-log-time");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "jwtbatch: --at-log-time, --time-field, --syslog-year: need --mode scan\n");
  const run_result m = consume("--topic a --out-topic b --mode scan --at-message-time");
  EXPECT_EQ(m.exit_code, 2);
  EXPECT_EQ(m.err,
            "jwtbatch: --at-message-time: needs --mode verify (scan judges at "
            "--at-log-time)\n");
}

TEST_F(ConsumeFlags, RequiredFlagsAreNamed) {
  const run_result r = run("consume --brokers 127.0.0.1:1 --topic a --out-topic b", 30);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--group is required"), std::string::npos) << r.err;
}

TEST_F(ConsumeFlags, BadKeyFileIsAConfigurationError) {
  const run_result r = run(
      "consume --brokers 127.0.0.1:1 --group g --topic a --out-topic b --jwks /nonexistent.jwks",
      30);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("/nonexistent.jwks"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace jwtbatch
