#include "log_time.hpp"

#include <gtest/gtest.h>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace jwtbatch::cli {
namespace {

std::string repeat(std::string_view unit, std::size_t bytes) {
  std::string s;
  s.reserve(bytes + unit.size());
  while (s.size() < bytes) s += unit;
  return s;
}

constexpr std::size_t kMiB = std::size_t{1} << 20;

// ---- log_time ---------------------------------------------------------------------
// Expected values computed independently with Python's datetime, e.g.
// datetime(2023,10,10,13,55,36,tzinfo=timezone(timedelta(hours=2))).timestamp().

std::optional<double> at(std::string_view line, std::string_view field = {},
                         std::optional<int> year = std::nullopt) {
  log_time_options o;
  o.time_field = field;
  o.syslog_year = year;
  return log_time(line, o);
}

TEST(LogTime, Rfc3339) {
  EXPECT_EQ(at("2023-10-10T13:55:36Z GET /"), 1696946136.0);
  EXPECT_EQ(at("x 2023-10-10t13:55:36z"), 1696946136.0);
  EXPECT_EQ(at("2023-10-10T13:55:36+02:00"), 1696938936.0);
  EXPECT_EQ(at("2023-10-10T13:55:36+0530"), 1696926336.0);
  EXPECT_EQ(at("at 2023-10-10 13:55:36.5-07:00 ok"), 1696971336.5);
  EXPECT_DOUBLE_EQ(*at("2023-10-10T13:55:36.123456Z"), 1696946136.123456);
  // Fraction digits beyond nanoseconds are ignored.
  EXPECT_EQ(at("2023-10-10T13:55:36.2500000000001Z"), 1696946136.25);
  // No zone: UTC.
  EXPECT_EQ(at("2023-10-10T13:55:36 level=info"), 1696946136.0);
  EXPECT_EQ(at("1969-12-31T23:59:59Z"), -1.0);
  EXPECT_EQ(at("0001-01-01T00:00:00Z"), -62135596800.0);
  EXPECT_EQ(at("9999-12-31T23:59:59Z"), 253402300799.0);
  // A leap second reads as the first second of the next minute.
  EXPECT_EQ(at("2016-12-31T23:59:60Z"), 1483228800.0);
}

TEST(LogTime, LeapDays) {
  EXPECT_EQ(at("2024-02-29T12:00:00Z"), 1709208000.0);
  EXPECT_EQ(at("2000-02-29T00:00:00Z"), 951782400.0);  // divisible by 400
  EXPECT_EQ(at("2023-02-29T00:00:00Z"), std::nullopt);
  EXPECT_EQ(at("1900-02-29T00:00:00Z"), std::nullopt);  // divisible by 100
}

TEST(LogTime, InvalidFieldsAreRejected) {
  for (const char* bad : {"2023-13-01T00:00:00Z",
                          "2023-00-10T00:00:00Z",
                          "2023-04-31T00:00:00Z",
                          "2023-01-32T00:00:00Z",
                          "2023-01-00T00:00:00Z",
                          "2023-10-10T24:00:00Z",
                          "2023-10-10T13:60:00Z",
                          "2023-10-10T13:55:61Z",
                          "2023-10-10T13:55:36+24:00",
                          "2023-10-10T13:55:36+02:60",
                          "2023-10-10T13:55Z",
                          "2023-10-10",
                          "20231010T135536Z",
                          "2023-10-10T13:55:367",
                          "2023-10-10X13:55:36Z",
                          "2023-1-10T13:55:36Z",
                          "",
                          "2023-",
                          "[10/Foo/2000:13:55:36 -0700]",
                          "[10/Oct/2000:13:55:36]",
                          "[31/Jun/2000:13:55:36 +0000]",
                          "[10/Oct/2000:13:55:36 -0700",
                          "Oct 32 13:55:36",
                          "Oct 10 25:00:00"}) {
    EXPECT_EQ(at(bad, {}, 2023), std::nullopt) << bad;
  }
  // A rejected candidate does not hide a valid timestamp after it.
  EXPECT_EQ(at("v2023-13-01T00:00:00Z 2023-10-10T13:55:36Z"), 1696946136.0);
}

TEST(LogTime, CommonLogFormat) {
  EXPECT_EQ(at(R"(127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0")"),
            971211336.0);
  EXPECT_EQ(at("[10/oct/2000:20:55:36 +0000]"), 971211336.0);
}

TEST(LogTime, Syslog) {
  EXPECT_EQ(at("Oct 10 13:55:36 host sshd[42]: accepted", {}, 2023), 1696946136.0);
  EXPECT_EQ(at("Oct  1 13:55:36 host app: x", {}, 2023), 1696168536.0);
  EXPECT_EQ(at("Feb 29 08:00:01 host app: x", {}, 2024), 1709193601.0);
  EXPECT_EQ(at("Feb 29 08:00:01 host app: x", {}, 2023), std::nullopt);
  // Without a year, syslog timestamps are not recognised.
  EXPECT_EQ(at("Oct 10 13:55:36 host app: x"), std::nullopt);
  // Month names as RFC 3164 writes them only (prose is not a timestamp).
  EXPECT_EQ(at("oct 10 13:55:36 host", {}, 2023), std::nullopt);
}

TEST(LogTime, LeftmostTimestampWins) {
  // The syslog prefix, not the RFC 3339 time inside the message.
  EXPECT_EQ(at("Oct 10 13:55:36 host app: issued 2020-01-01T00:00:00Z", {}, 2023), 1696946136.0);
  EXPECT_EQ(at(R"(1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET /?since=2023-10-10T13:55:36Z")"),
            971211336.0);
}

TEST(LogTime, JsonTimeField) {
  EXPECT_EQ(at(R"({"ts":1696946136.25,"msg":"x"})", "ts"), 1696946136.25);
  EXPECT_EQ(at(R"({"ts": 1696946136})", "ts"), 1696946136.0);
  EXPECT_EQ(at(R"({"ts":1.696946136e9})", "ts"), 1696946136.0);
  EXPECT_EQ(at(R"({"ts":"1696946136"})", "ts"), 1696946136.0);
  // Past year 9999 as seconds: milliseconds (found by scan_fuzzer); past that, no time.
  EXPECT_EQ(at(R"({"ts":1696946136325})", "ts"), 1696946136.325);
  EXPECT_EQ(at(R"({"ts":"1696946136000"})", "ts"), 1696946136.0);
  EXPECT_EQ(at(R"({"ts":253402300799})", "ts"), 253402300799.0);  // 9999-12-31T23:59:59Z
  EXPECT_EQ(at(R"({"ts":"99999999999999999999999"})", "ts"), std::nullopt);
  EXPECT_EQ(at(R"({"ts":-1e20})", "ts"), std::nullopt);
  EXPECT_EQ(at(R"({"@timestamp":"2023-10-10T13:55:36+02:00"})", "@timestamp"), 1696938936.0);
  EXPECT_EQ(at(R"({"req":{"time" : "2023-10-10T13:55:36Z"}})", "time"), 1696946136.0);
  // Only the named field counts, even when another timestamp is in the line.
  EXPECT_EQ(at(R"({"when":"2023-10-10T13:55:36Z"})", "ts"), std::nullopt);
  // A string equal to the name, or the name inside an escaped string, is no member.
  EXPECT_EQ(at(R"({"k":"ts","msg":"\"ts\":5","ts":7})", "ts"), 7.0);
  // The first member of that name decides; unreadable values give nullopt.
  EXPECT_EQ(at(R"({"ts":"yesterday","ts":7})", "ts"), std::nullopt);
  for (const char* bad :
       {R"({"ts":true})", R"({"ts":"2023-02-29T00:00:00Z"})",
        R"({"ts":"2023-10-10T13:55:36Z trailing"})", R"({"ts":"-5"})", R"({"ts":1e999})",
        R"({"ts":"1.5e9"})", R"({"ts":-})", R"({"ts":)", R"({"ts":"unterminated)"}) {
    EXPECT_EQ(at(bad, "ts"), std::nullopt) << bad;
  }
}

TEST(LogTime, LinearOnAdversarialLines) {
  log_time_options o;
  o.syslog_year = 2023;
  for (const std::string_view unit :
       {std::string_view("1"), std::string_view("2023-10-10T13:55:"), std::string_view("[10/Oct/"),
        std::string_view("Oct 10 "), std::string_view("2023-10-10T13:55:36+1"),
        std::string_view("\"ts\"")}) {
    const std::string line = repeat(unit, kMiB);
    EXPECT_EQ(log_time(line, o), std::nullopt) << "unit " << unit;
  }
  o.time_field = "ts";
  EXPECT_EQ(log_time(repeat("\"ts\",", kMiB), o), std::nullopt);
  EXPECT_EQ(log_time(repeat("\"", kMiB), o), std::nullopt);
}

}  // namespace
}  // namespace jwtbatch::cli
