#include "log_time.hpp"

#include <gtest/gtest.h>

#include <cstddef>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

#include "test_support.hpp"

namespace jwtbatch::cli {
namespace {

using test::kMiB;
using test::repeat;

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

// A syslog line's time with the year inferred from `reference` (the file's mtime).
std::optional<double> at_ref(std::string_view line, double reference) {
  log_time_options o;
  o.syslog_reference = reference;
  return log_time(line, o);
}

TEST(LogTime, Rfc3339) {
  EXPECT_EQ(at("2023-10-10T13:55:36Z GET /"), 1696946136.0);
  EXPECT_EQ(at("2023-10-10t13:55:36z x"), 1696946136.0);
  EXPECT_EQ(at("2023-10-10T13:55:36+02:00"), 1696938936.0);
  EXPECT_EQ(at("2023-10-10T13:55:36+0530"), 1696926336.0);
  EXPECT_EQ(at("2023-10-10 13:55:36.5-07:00 ok"), 1696971336.5);
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
  // A line whose own time is invalid has none: no other timestamp in it stands in.
  EXPECT_EQ(at("2023-13-01T00:00:00Z 2023-10-10T13:55:36Z"), std::nullopt);
}

// The calendar (std::chrono since issue 17, hand-made before): the same days at the
// edges of its range and of its rules.
TEST(LogTime, CalendarEdges) {
  EXPECT_EQ(at("1970-01-01T00:00:00Z"), 0.0);
  EXPECT_EQ(at("2000-02-29T00:00:00Z"), 951782400.0);
  EXPECT_EQ(at("2100-02-28T23:59:59Z"), 4107542399.0);
  EXPECT_EQ(at("2100-03-01T00:00:00Z"), 4107542400.0);  // 2100 has no 29 February
  EXPECT_EQ(at("2100-02-29T00:00:00Z"), std::nullopt);
  EXPECT_EQ(at("1600-02-29T12:00:00Z"), -11670955200.0);
  EXPECT_EQ(at("9999-12-31T23:59:59Z"), 253402300799.0);
  EXPECT_EQ(at("0000-01-01T00:00:00Z"), -62167219200.0);
  EXPECT_EQ(at("0000-02-29T00:00:00Z"), -62162121600.0);  // year 0 is a leap year
  // The fields are what is checked: a zone may carry the time past the last year.
  EXPECT_EQ(at("9999-12-31T23:59:59-00:01"), 253402300859.0);
  EXPECT_EQ(at("0000-01-01T00:00:00+00:01"), -62167219260.0);
  // Syslog stamps get their year from the reference, at both ends of the range too.
  EXPECT_EQ(at_ref("Dec 31 23:59:59 host app: x", 253402300799.0), 253402300799.0);
  EXPECT_EQ(at_ref("Jan  1 00:00:00 host app: x", -62167219200.0), -62167219200.0);
  EXPECT_EQ(at_ref("Feb 29 12:00:00 host app: x", 951868800.0), 951825600.0);  // ref 2000-03-01
  // 2100 and 2099 have no 29 February.
  EXPECT_EQ(at_ref("Feb 29 12:00:00 host app: x", 4107542400.0), std::nullopt);
}

// read_rfc3339: one date-time, all of the text, the zone reported.
TEST(ReadRfc3339, ReadsWhatLogTimestampsAreAndSaysWhetherItNamedAZone) {
  const auto read = [](std::string_view text) { return read_rfc3339(text); };
  struct zoned_case {
    std::string_view text;
    double seconds;
  };
  for (const zoned_case& c : {zoned_case{"2024-01-01T00:00:00Z", 1704067200.0},
                              zoned_case{"2024-01-01t00:00:00z", 1704067200.0},
                              zoned_case{"2024-01-01 00:00:00Z", 1704067200.0},
                              zoned_case{"2024-01-01T02:00:00+02:00", 1704067200.0},
                              zoned_case{"2024-01-01T02:00:00+0200", 1704067200.0},
                              zoned_case{"2023-12-31T19:00:00-05:00", 1704067200.0},
                              zoned_case{"2024-01-01T00:00:00.5Z", 1704067200.5},
                              zoned_case{"2016-12-31T23:59:60Z", 1483228800.0},
                              zoned_case{"9999-12-31T23:59:59Z", 253402300799.0},
                              zoned_case{"0000-01-01T00:00:00Z", -62167219200.0}}) {
    const auto r = read(c.text);
    ASSERT_TRUE(r.has_value()) << c.text;
    EXPECT_EQ(r->seconds, c.seconds) << c.text;
    EXPECT_TRUE(r->zoned) << c.text;
  }
  for (const std::string_view text :
       {"2024-01-01T00:00:00", "2024-01-01 00:00:00", "2024-01-01T00:00:00.25"}) {
    const auto r = read(text);
    ASSERT_TRUE(r.has_value()) << text;
    EXPECT_FALSE(r->zoned) << text;
  }
  EXPECT_EQ(read("2024-01-01T00:00:00.25")->seconds, 1704067200.25);
  // Anything more or less than one date-time is none.
  for (const std::string_view bad : {"",
                                     "2024-01-01",
                                     "2024-01-01T00:00Z",
                                     " 2024-01-01T00:00:00Z",
                                     "2024-01-01T00:00:00Z ",
                                     "2024-01-01T00:00:00Zx",
                                     "2024-01-01T00:00:00+02",
                                     "2024-01-01T00:00:00+02:00:00",
                                     "2024-01-01T00:00:00-",
                                     "2024-01-01T00:00:00.Z",
                                     "2024-1-01T00:00:00Z",
                                     "2024-01-01T0:00:00Z",
                                     "2024-01-01T00:00:00+24:00",
                                     "2024-01-01T00:00:00+99:99",
                                     "2023-02-29T00:00:00Z",
                                     "2100-02-29T00:00:00Z",
                                     "2024-04-31T00:00:00Z",
                                     "2024-00-01T00:00:00Z",
                                     "2024-01-00T00:00:00Z",
                                     "2024-01-01T24:00:00Z",
                                     "1704067200",
                                     "[2024-01-01T00:00:00Z]",
                                     "20240101T000000Z"}) {
    EXPECT_EQ(read(bad), std::nullopt) << bad;
  }
}

TEST(LogTime, CommonLogFormat) {
  EXPECT_EQ(at(R"(127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0")"),
            971211336.0);
  EXPECT_EQ(at(R"(::1 - - [10/oct/2000:20:55:36 +0000] "GET / HTTP/1.1" 200 2)"), 971211336.0);
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

TEST(LogTime, TheHeaderTimeNotOneInTheMessage) {
  // The syslog header, not the RFC 3339 time inside the message.
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
  EXPECT_EQ(at(R"({"req":{"x":1}, "time" : "2023-10-10T13:55:36Z"})", "time"), 1696946136.0);
  // Only the named field counts, even when another timestamp is in the line.
  EXPECT_EQ(at(R"({"when":"2023-10-10T13:55:36Z"})", "ts"), std::nullopt);
  // A string equal to the name, or the name inside an escaped string, is no member.
  EXPECT_EQ(at(R"({"k":"ts","msg":"\"ts\":5","ts":7})", "ts"), 7.0);
  // Unreadable values give nullopt, never a fallback to another member.
  EXPECT_EQ(at(R"({"ts":"yesterday","time":7})", "ts"), std::nullopt);
  for (const char* bad :
       {R"({"ts":true})", R"({"ts":"2023-02-29T00:00:00Z"})",
        R"({"ts":"2023-10-10T13:55:36Z trailing"})", R"({"ts":"-5"})", R"({"ts":1e999})",
        R"({"ts":"1.5e9"})", R"({"ts":-})", R"({"ts":)", R"({"ts":"unterminated)"}) {
    EXPECT_EQ(at(bad, "ts"), std::nullopt) << bad;
  }
}

// ---- issue 16: the line's own time field only ----------------------------------
// Each attack below is text a client controls that used to set the time at which an
// expired token was judged (the leftmost timestamp-looking text in the line won).

TEST(LogTime, CombinedLogTimeIsTheBracketAfterTheFirstThreeFields) {
  const std::string_view real = R"([10/Oct/2000:13:55:36 -0700] "GET /a HTTP/1.1" 200 5)";
  EXPECT_EQ(at(std::string("1.2.3.4 - frank ").append(real)), 971211336.0);
  // A timestamp as the remote user (HTTP Basic user name, chosen by the client).
  EXPECT_EQ(at(std::string("1.2.3.4 - 2030-01-01T00:00:00Z ").append(real)), 971211336.0);
  EXPECT_EQ(at(std::string("1.2.3.4 - Jan 01 00:00:00 ").append(real), {}, 2030), std::nullopt);
  // A user name with spaces that holds a bracketed time shifts the fields: the field
  // after the third is then the client's bracket, which is not followed by the quoted
  // request (servers escape '"' in the user field), so the line has no time.
  EXPECT_EQ(at(std::string("1.2.3.4 - x [01/Jan/2030:00:00:00 +0000] ").append(real)),
            std::nullopt);
  EXPECT_EQ(at(std::string(R"(1.2.3.4 - x [01/Jan/2030:00:00:00 +0000] \" )").append(real)),
            std::nullopt);
  EXPECT_EQ(at(std::string("1.2.3.4 - [01/Jan/2030:00:00:00 +0000] ").append(real)), std::nullopt);
  // A user name with a space and no bracket: the fourth field is no time, nor is any later.
  EXPECT_EQ(at(std::string("1.2.3.4 - a b ").append(real)), std::nullopt);
  // Common Log Format (no referer, agent) and an IPv6 client.
  EXPECT_EQ(at(R"(2001:db8::1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 2326)"),
            971211336.0);
  // vhost_combined puts a fourth field first: not this shape, no time.
  EXPECT_EQ(at(std::string("example.com:443 1.2.3.4 - - ").append(real)), std::nullopt);
  // Empty fields (two spaces) are not fields.
  EXPECT_EQ(at(std::string("1.2.3.4  - ").append(real)), std::nullopt);
}

TEST(LogTime, AQueryParameterBeforeTheTimeIsNotTheTime) {
  EXPECT_EQ(at("GET /cb?exp=2030-01-01T00:00:00Z at 2023-10-10T13:55:36Z"), std::nullopt);
  EXPECT_EQ(
      at(R"(1.2.3.4 - - "GET /?t=[01/Jan/2030:00:00:00 +0000]" [10/Oct/2000:13:55:36 -0700])"),
      std::nullopt);
  EXPECT_EQ(at("level=info path=/?t=2030-01-01T00:00:00Z ts=2023-10-10T13:55:36Z"), std::nullopt);
  EXPECT_EQ(at("INFO 2030-01-01T00:00:00Z"), std::nullopt);
  EXPECT_EQ(at("Oct 10 13:55:36"), std::nullopt);  // no year source: not recognised
}

TEST(LogTime, JsonLinesUseATopLevelTimeMember) {
  // A member before "ts" whose value looks like a time.
  EXPECT_EQ(at(R"({"q":"2030-01-01T00:00:00Z","ts":"2023-10-10T13:55:36Z"})"), 1696946136.0);
  EXPECT_EQ(at(R"({"path":"/?t=1893456000","time":1696946136})"), 1696946136.0);
  EXPECT_EQ(at(R"( 	{ "timestamp" : "2023-10-10T13:55:36.123+02:00" } )"), 1696938936.123);
  EXPECT_EQ(at(R"({"@timestamp":"2023-10-10T13:55:36Z","msg":"x"})"), 1696946136.0);
  EXPECT_EQ(at("{\"ts\":1696946136}\r"), 1696946136.0);
  // Nested members of a default name never count, nor do string values equal to one.
  EXPECT_EQ(at(R"({"req":{"ts":1893456000},"time":"ts","msg":"x"})"), std::nullopt);
  EXPECT_EQ(at(R"({"a":[{"ts":1893456000}],"ts":1696946136})"), 1696946136.0);
  EXPECT_EQ(at(R"({"a":"{\"ts\":1893456000}","ts":1696946136})"), 1696946136.0);
  // No member of these names: no time, whatever else the line holds.
  EXPECT_EQ(at(R"({"when":"2023-10-10T13:55:36Z"})"), std::nullopt);
  EXPECT_EQ(at(R"({})"), std::nullopt);
  // More than one candidate member, equal or not: no time.
  EXPECT_EQ(at(R"({"ts":1696946136,"ts":1893456000})"), std::nullopt);
  EXPECT_EQ(at(R"({"ts":1696946136,"ts":1696946136})"), std::nullopt);
  EXPECT_EQ(at(R"({"ts":1696946136,"msg":"x","time":"2030-01-01T00:00:00Z"})"), std::nullopt);
  // Member names are compared after unescaping (RFC 8259 §7), as any JSON reader does.
  EXPECT_EQ(at(R"({"t\u0073":1696946136})"), 1696946136.0);
  EXPECT_EQ(at(R"({"ts":1696946136,"t\u0073":1893456000})"), std::nullopt);
  EXPECT_EQ(at(R"({"\u0074ime":1.5,"ts\u0000":9})"), 1.5);
  // String values are unescaped too.
  EXPECT_EQ(at(R"({"ts":"2023-10-10T13:55:36\u005a"})"), 1696946136.0);
  EXPECT_EQ(at(R"({"ts":"2023-10-10T13:55:36\/"})"), std::nullopt);
  // Not well-formed enough to tell the top level: no time.
  for (const char* bad :
       {R"({"ts":1696946136)", R"({"ts":1696946136,})", R"({"ts":1696946136} x)",
        R"({"ts":1696946136}{"ts":1})", R"({"a":[1},"ts":1696946136})",
        R"({"a":{"b":1]},"ts":1696946136})", R"({"a":,"ts":1696946136})",
        R"({"a" 1,"ts":1696946136})", R"({a:1,"ts":1696946136})", R"({"ts":1696946136 "a":1})",
        R"({"a":"x,"ts":1696946136})", R"({"a":1,,"ts":1696946136})", R"({"ts\u12":1696946136})",
        R"({"t\ud800s":1696946136})", R"(["ts",1696946136])"}) {
    EXPECT_EQ(at(bad), std::nullopt) << bad;
  }
  // Deeper than 1024 levels is refused rather than tracked.
  const std::string deep = std::string(R"({"a":)") + std::string(1024, '[') +
                           std::string(1024, ']') + R"(,"ts":1696946136})";
  EXPECT_EQ(at(deep), std::nullopt);
  const std::string ok_deep = std::string(R"({"a":)") + std::string(1023, '[') +
                              std::string(1023, ']') + R"(,"ts":1696946136})";
  EXPECT_EQ(at(ok_deep), 1696946136.0);
}

TEST(LogTime, TimeFieldIsTopLevelOnly) {
  EXPECT_EQ(at(R"({"req":{"ts":1893456000},"ts":1696946136})", "ts"), 1696946136.0);
  EXPECT_EQ(at(R"({"req":{"time":"2030-01-01T00:00:00Z"}})", "time"), std::nullopt);
  // With --time-field, only that name is a candidate: other default names are data.
  EXPECT_EQ(at(R"({"time":"2030-01-01T00:00:00Z","ts":1696946136})", "ts"), 1696946136.0);
  EXPECT_EQ(at(R"({"ts":1696946136})", "when"), std::nullopt);
  EXPECT_EQ(at(R"({"when":1696946136,"when":1696946136})", "when"), std::nullopt);
  EXPECT_EQ(at(R"({"a.b":1696946136})", "a.b"), 1696946136.0);
}

TEST(LogTime, SyslogUsesTheHeaderOnly) {
  // RFC 5424 §6.5 example 1 (PRI, VERSION, TIMESTAMP).
  EXPECT_EQ(at("<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - 'su root' "
               "failed for lonvick on /dev/pts/8"),
            1065910455.003);
  EXPECT_EQ(at("<165>1 2003-10-11T22:14:15.003Z host app 1 - [x@32473 iut=\"3\"] msg"),
            1065910455.003);
  // NILVALUE: the sender had no time; one in the message never stands in.
  EXPECT_EQ(at("<165>1 - host app - - - exp 2030-01-01T00:00:00Z"), std::nullopt);
  // RFC 5424 §6.2.3: "T" and the offset are required; a space ends the stamp.
  EXPECT_EQ(at("<165>1 2003-10-11 22:14:15Z host app - - - x"), std::nullopt);
  EXPECT_EQ(at("<165>1 2003-10-11T22:14:15 host app - - - x"), std::nullopt);
  EXPECT_EQ(at("<165>1 2003-10-11T22:14:15Zhost app - - - x"), std::nullopt);
  // RFC 3164 with PRI (§5.4 example), and rsyslog's forwarding format (PRI then RFC 3339).
  EXPECT_EQ(at("<34>Oct 11 22:14:15 mymachine su: 'su root' failed", {}, 2003), 1065910455.0);
  EXPECT_EQ(at("<13>2023-10-10T13:55:36.123+02:00 host app: x"), 1696938936.123);
  // A bad PRI is no syslog header.
  EXPECT_EQ(at("<192>Oct 11 22:14:15 host su: x", {}, 2003), std::nullopt);
  EXPECT_EQ(at("<3a>Oct 11 22:14:15 host su: x", {}, 2003), std::nullopt);
  EXPECT_EQ(at("<>Oct 11 22:14:15 host su: x", {}, 2003), std::nullopt);
  // The stamp is followed by a space (then the host).
  EXPECT_EQ(at("Oct 11 22:14:15x host su: x", {}, 2003), std::nullopt);
  // A message after a 3164 header whose year cannot be known has no time at all.
  EXPECT_EQ(at("Oct 10 13:55:36 host app: exp=2030-01-01T00:00:00Z"), std::nullopt);
  EXPECT_EQ(at("<13>Oct 10 13:55:36 host app: exp=2030-01-01T00:00:00Z"), std::nullopt);
}

TEST(LogTime, SyslogYearFromTheFilesModificationTime) {
  const double jan2 = 1704153600.0;  // 2024-01-02T00:00:00Z
  // December lines in a file written in January are from the year before.
  EXPECT_EQ(at_ref("Dec 31 23:59:59 host app: x", jan2), 1704067199.0);
  EXPECT_EQ(at_ref("Jan  1 00:00:01 host app: x", jan2), 1704067201.0);
  // Up to 31 days after the reference (clock skew, zones: stamps are local time read as
  // UTC) is still the reference's year; later is the year before.
  EXPECT_EQ(at_ref("Jan 20 12:00:00 host app: x", jan2), 1705752000.0);
  EXPECT_EQ(at_ref("Feb  2 00:00:00 host app: x", jan2), 1706832000.0);
  EXPECT_EQ(at_ref("Feb  2 00:00:01 host app: x", jan2), 1675296001.0);
  EXPECT_EQ(at_ref("Mar  1 10:00:00 host app: x", jan2), 1677664800.0);
  EXPECT_EQ(at_ref("Mar  1 10:00:00 host app: x", 1709287200.0), 1709287200.0);
  // 29 February that is no date of the reference's year is from the year before, if it is one.
  EXPECT_EQ(at_ref("Feb 29 08:00:01 host app: x", 1736467200.0), 1709193601.0);  // ref 2025
  EXPECT_EQ(at_ref("Feb 29 08:00:01 host app: x", 1704153600.0 - 86400 * 365),
            std::nullopt);  // ref 2023: 2023 and 2022 have none
  // --syslog-year overrides the reference.
  log_time_options o;
  o.syslog_year = 2023;
  o.syslog_reference = jan2;
  EXPECT_EQ(log_time("Oct 10 13:55:36 host app: x", o), 1696946136.0);
  // A reference outside years 0-9999 or not finite: no year, no time.
  for (const double bad : {std::numeric_limits<double>::quiet_NaN(),
                           std::numeric_limits<double>::infinity(), -1e300, 1e300}) {
    EXPECT_EQ(at_ref("Oct 10 13:55:36 host app: x", bad), std::nullopt) << bad;
  }
  // Year 0's reference has no year before it: a late stamp has no time.
  EXPECT_EQ(at_ref("Dec 31 23:59:59 host app: x", -62167219200.0), std::nullopt);
}

TEST(LogTime, PlainLogsStartWithTheirTime) {
  EXPECT_EQ(at("2023-10-10T13:55:36Z INFO GET /cb?exp=2030-01-01T00:00:00Z"), 1696946136.0);
  // Python logging's default asctime: the milliseconds after a comma are not read.
  EXPECT_EQ(at("2023-10-10 13:55:36,123 INFO x"), 1696946136.0);
  // Monolog and Laravel write "[time] channel.LEVEL: ...".
  EXPECT_EQ(at("[2023-10-10T13:55:36.500000+00:00] app.INFO: x"), 1696946136.5);
  EXPECT_EQ(at("[2023-10-10 13:55:36] local.ERROR: x"), 1696946136.0);
  EXPECT_EQ(at("[2023-10-10 13:55:36 local.ERROR: x"), std::nullopt);
  // logfmt (go-kit, Prometheus, logrus' text format) whose first pair is the time.
  EXPECT_EQ(at("ts=2023-10-10T13:55:36.123Z caller=main.go:1 msg=x"), 1696946136.123);
  EXPECT_EQ(at(R"(time="2023-10-10T13:55:36Z" level=info msg="x")"), 1696946136.0);
  EXPECT_EQ(at("timestamp=1696946136 msg=x"), 1696946136.0);
  EXPECT_EQ(at("when=1696946136 msg=x", "when"), 1696946136.0);
  EXPECT_EQ(at("ts=1696946136 msg=x", "when"), std::nullopt);
  EXPECT_EQ(at(R"(time="2023-10-10T13:55:36Z level=info)"), std::nullopt);
  EXPECT_EQ(at("ts=2023-10-10T13:55:36Zx msg=x"), std::nullopt);
  // Anything else has no time.
  EXPECT_EQ(at(" 2023-10-10T13:55:36Z x"), std::nullopt);
  EXPECT_EQ(at("2023-10-10T13:55:36Zx"), std::nullopt);
  EXPECT_EQ(at("x"), std::nullopt);
}

TEST(LogTime, ALineOfTwoShapesHasNoTime) {
  // Read as a plain log, then as a combined log with a client-chosen fourth field.
  EXPECT_EQ(at(R"(2023-10-10T13:55:36Z GET /x [01/Jan/2030:00:00:00 +0000] "y")"), std::nullopt);
  EXPECT_EQ(at(R"([2023-10-10T13:55:36Z] app.INFO: x [01/Jan/2030:00:00:00 +0000] "y")"),
            std::nullopt);
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
  o.syslog_reference = 1704153600.0;
  for (const std::string_view unit :
       {std::string_view("{"), std::string_view("["), std::string_view("{\"a\":"),
        std::string_view("\\"), std::string_view("\\u"), std::string_view(" "),
        std::string_view("<1>"), std::string_view("ts="), std::string_view("[2023-10-10 "),
        std::string_view("\"ts\":1,")}) {
    EXPECT_EQ(log_time(repeat(unit, kMiB), o), std::nullopt) << "unit " << unit;
    EXPECT_EQ(log_time(std::string("{\"a\":").append(repeat(unit, kMiB)), o), std::nullopt)
        << "unit " << unit;
    EXPECT_EQ(log_time(std::string("{\"a\":\"").append(repeat(unit, kMiB)), o), std::nullopt)
        << "unit " << unit;
  }
  // A long well-formed line: one walk, the time at its end.
  std::string long_line = "{";
  long_line.append(repeat("\"a\":[{\"ts\":1}],", kMiB)).append("\"ts\":1696946136}");
  EXPECT_EQ(log_time(long_line, o), 1696946136.0);
  o.time_field = "ts";
  EXPECT_EQ(log_time(repeat("\"ts\",", kMiB), o), std::nullopt);
  EXPECT_EQ(log_time(repeat("\"", kMiB), o), std::nullopt);
}

}  // namespace
}  // namespace jwtbatch::cli
