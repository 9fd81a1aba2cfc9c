// --format enrich and the records of whole input lines (record_writer::add_line): the
// input's JSON object kept byte for byte with a "jwt" member added, a line that cannot
// take one wrapped, one output line per input line, in order; and the record fields
// at, at_source and encoding in NDJSON and TSV. Written against record_writer itself
// (into a temporary file), so the exact bytes are asserted.
#include <gtest/gtest.h>

#include <cstdio>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "jwtbatch/key_set.hpp"
#include "output.hpp"
#include "record.hpp"

namespace jwtbatch::cli {
namespace {

using namespace std::string_literals;

constexpr std::string_view k_fp = "00000000000000000000000000000000";

// What a record_writer wrote, read back from its temporary file.
class written {
 public:
  explicit written(std::string format, bool emit_token = false,
                   enrich_shape shape = enrich_shape::record)
      : file_(std::tmpfile(), &std::fclose) {
    options_.format = std::move(format);
    options_.emit_token = emit_token;
    writer_ =
        std::make_unique<record_writer>(options_, file_.get(), std::vector<std::string>{}, shape);
  }
  record_writer& writer() { return *writer_; }
  std::string text() {
    writer_->flush();
    std::string out;
    std::rewind(file_.get());
    char buf[4096];
    std::size_t n = 0;
    while ((n = std::fread(buf, 1, sizeof buf, file_.get())) > 0) out.append(buf, n);
    return out;
  }

 private:
  output_options options_;
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file_;
  std::unique_ptr<record_writer> writer_;
};

result verdict(status code) {
  result r;
  r.code = code;
  r.fingerprint.fill('0');
  return r;
}

record_origin at_line(std::uint64_t line) {
  record_origin o;
  o.line = line;
  o.file = "in.ndjson";
  o.token = "eyJ.tok.en";
  return o;
}

// One verify --field line: exactly one record.
std::string enrich_one(std::string_view line, status code = status::bad_signature,
                       bool emit_token = false) {
  written w("enrich", emit_token);
  const record_origin o = at_line(3);
  const result r = verdict(code);
  w.writer().add_line(line, {&o, 1}, {&r, 1});
  return w.text();
}

const std::string k_record =
    R"({"status":"bad_signature","class":"signature","fp":")"s + std::string(k_fp) + R"("})";

TEST(Enrich, MemberAddedBeforeTheClosingBraceBytesKept) {
  EXPECT_EQ(enrich_one(R"({"a":1,"msg":"x"})"), R"({"a":1,"msg":"x","jwt":)" + k_record + "}\n");
  // Whitespace, escapes and member order are the input's own; only the final "\n" is
  // the writer's.
  EXPECT_EQ(enrich_one("{ \"b\" : \"\\u0041\" ,\"a\":[1, 2] } \r\n"),
            "{ \"b\" : \"\\u0041\" ,\"a\":[1, 2] ,\"jwt\":" + k_record + "} \r\n");
  EXPECT_EQ(enrich_one(R"({"o":{}})"), R"({"o":{},"jwt":)" + k_record + "}\n");
  EXPECT_EQ(enrich_one(R"({"s":"{"})"), R"({"s":"{","jwt":)" + k_record + "}\n");
}

TEST(Enrich, EmptyObjectsGetNoComma) {
  EXPECT_EQ(enrich_one("{}"), R"({"jwt":)" + k_record + "}\n");
  EXPECT_EQ(enrich_one(" {\t\n} "), " {\t\n\"jwt\":" + k_record + "} \n");
}

TEST(Enrich, TheRecordHasNoLineNorFileButItsOtherMembers) {
  written w("enrich", true);
  record_origin o = at_line(9);
  o.offset = 12;
  o.percent_encoded = true;
  o.at = 1700000000;
  o.at_source = "line";
  const result r = verdict(status::expired);
  w.writer().add_line(R"({"m":1})", {&o, 1}, {&r, 1});
  EXPECT_EQ(w.text(),
            R"({"m":1,"jwt":{"offset":12,"encoding":"percent","at":1700000000,"at_source":"line",)"
            R"("status":"expired","class":"claims","fp":")" +
                std::string(k_fp) + R"(","token":"eyJ.tok.en"}})" + "\n");
}

TEST(Enrich, TheTokenOnlyWithEmitToken) {
  EXPECT_EQ(enrich_one("{}", status::bad_signature, true),
            R"({"jwt":{"status":"bad_signature","class":"signature","fp":")" + std::string(k_fp) +
                R"(","token":"eyJ.tok.en"}})" + "\n");
  EXPECT_EQ(enrich_one("{}", status::bad_signature, false), R"({"jwt":)" + k_record + "}\n");
}

TEST(Enrich, ATokenWithANewlineKeepsTheRecordOnOneLine) {
  // --field decodes "\n" escapes into the token's bytes (json_member.hpp); printed with
  // --emit-token, they are escaped again.
  written w("enrich", true);
  record_origin o = at_line(1);
  o.token = "eyJ\n.a\r.b";
  const result r = verdict(status::bad_base64);
  w.writer().add_line(R"({"t":"eyJ\n.a\r.b"})", {&o, 1}, {&r, 1});
  EXPECT_EQ(w.text(), R"({"t":"eyJ\n.a\r.b","jwt":{"status":"bad_base64","class":"format","fp":")" +
                          std::string(k_fp) + R"(","token":"eyJ\u000a.a\u000d.b"}})" + "\n");
}

TEST(Enrich, LinesThatAreNotOneJsonObjectAreWrapped) {
  const std::string jwt = R"(,"jwt":)" + k_record + "}\n";
  EXPECT_EQ(enrich_one("plain text\ttoo"), R"({"line":"plain text\u0009too")" + jwt);
  EXPECT_EQ(enrich_one(""), R"({"line":"")" + jwt);
  EXPECT_EQ(enrich_one("[1]"), R"({"line":"[1]")" + jwt);
  // A second object after the first, an unclosed object, a bad escape.
  EXPECT_EQ(enrich_one(R"({"a":1} {"jwt":{"status":"ok"}})"),
            R"({"line":"{\"a\":1} {\"jwt\":{\"status\":\"ok\"}}")" + jwt);
  EXPECT_EQ(enrich_one(R"({"a":1)"), R"({"line":"{\"a\":1")" + jwt);
  EXPECT_EQ(enrich_one(R"({"a":"\q"})"), R"({"line":"{\"a\":\"\\q\"}")" + jwt);
  // Bytes that are not UTF-8 cannot be kept in a JSON string: U+FFFD (json_out.hpp).
  EXPECT_EQ(enrich_one("x\xff"), R"({"line":"x\ufffd")" + jwt);
}

TEST(Enrich, AnObjectWithItsOwnJwtMemberIsWrappedNotTrusted) {
  const std::string jwt = R"(,"jwt":)" + k_record + "}\n";
  EXPECT_EQ(enrich_one(R"({"jwt":{"status":"ok","class":"ok"}})"),
            R"({"line":"{\"jwt\":{\"status\":\"ok\",\"class\":\"ok\"}}")" + jwt);
  EXPECT_EQ(enrich_one(R"({"a":1,"\u006awt":"x"})"),
            R"({"line":"{\"a\":1,\"\\u006awt\":\"x\"}")" + jwt);
  EXPECT_EQ(enrich_one(R"({"jwt":1,"jwt":2})"), R"({"line":"{\"jwt\":1,\"jwt\":2}")" + jwt);
  // A "jwt" deeper down is the client's own business.
  EXPECT_EQ(enrich_one(R"({"req":{"jwt":"x"}})"),
            R"({"req":{"jwt":"x"},"jwt":)" + k_record + "}\n");
}

TEST(Enrich, ScanShapeCountsTheLinesTokens) {
  written w("enrich", false, enrich_shape::tokens);
  record_origin a = at_line(1);
  a.offset = 4;
  a.at = 1.5;
  a.at_source = "now";
  record_origin b = a;
  b.offset = 40;
  const std::vector<record_origin> origins{a, b};
  const std::vector<result> results{verdict(status::ok), verdict(status::expired)};
  w.writer().add_line(R"({"msg":"GET /?t=x"})", origins, results);
  w.writer().add_line("{}", {}, {});
  w.writer().add_line("no json", {}, {});
  const std::string fp(k_fp);
  EXPECT_EQ(w.text(),
            R"({"msg":"GET /?t=x","jwt":{"count":2,"ok":1,"tokens":[)"
            R"({"offset":4,"at":1.5,"at_source":"now","status":"ok","class":"ok","fp":")" +
                fp +
                R"("},)"
                R"({"offset":40,"at":1.5,"at_source":"now","status":"expired","class":"claims",)"
                R"("fp":")" +
                fp + R"("}]}})" + "\n" + R"({"jwt":{"count":0,"ok":0,"tokens":[]}})" + "\n" +
                R"({"line":"no json","jwt":{"count":0,"ok":0,"tokens":[]}})" + "\n");
  EXPECT_EQ(w.writer().lines_wrapped(), 1U);
  EXPECT_EQ(w.writer().counts().records, 2U);
  EXPECT_EQ(w.writer().counts().ok, 1U);
}

TEST(Enrich, OneLineOutPerLineInInOrderAcrossBufferWrites) {
  written w("enrich", false, enrich_shape::tokens);
  std::string expected;
  const std::string big(1000, 'x');
  for (int i = 0; i < 500; ++i) {  // ~500 KB: several of the writer's 64 KiB blocks
    const std::string line = R"({"i":)" + std::to_string(i) + R"(,"p":")" + big + R"("})";
    w.writer().add_line(line, {}, {});
    expected += R"({"i":)" + std::to_string(i) + R"(,"p":")" + big +
                R"(","jwt":{"count":0,"ok":0,"tokens":[]}})" + "\n";
  }
  EXPECT_EQ(w.text(), expected);
  EXPECT_EQ(w.writer().lines_wrapped(), 0U);
}

TEST(Enrich, ACutLineSaysSoOnceInEachShape) {
  const std::string fp(k_fp);
  {
    written w("enrich", false, enrich_shape::tokens);
    record_origin o = at_line(1);
    o.offset = 2;
    const result r = verdict(status::ok);
    w.writer().add_line(R"({"m":"x"})", {&o, 1}, {&r, 1}, true);
    w.writer().add_line("{}", {}, {}, true);
    EXPECT_EQ(w.text(), R"({"m":"x","jwt":{"count":1,"ok":1,"cut":true,"tokens":[)"
                        R"({"offset":2,"status":"ok","class":"ok","fp":")" +
                            fp + R"("}]}})" + "\n" +
                            R"({"jwt":{"count":0,"ok":0,"cut":true,"tokens":[]}})" + "\n");
  }
  {
    written w("enrich");  // verify --field: a line over the bound
    const record_origin o = at_line(1);
    const result r = verdict(status::token_too_large);
    w.writer().add_line(R"({"m":"x"})", {&o, 1}, {&r, 1}, true);
    EXPECT_EQ(w.text(), R"({"m":"x","jwt":{"cut":true,"status":"token_too_large","class":"format",)"
                        R"("fp":")" +
                            fp + R"("}})" + "\n");
  }
  {
    written w("ndjson");
    record_origin o = at_line(4);
    o.at = 5;
    o.at_source = "line";
    const std::vector<record_origin> origins{o, o};
    const std::vector<result> results{verdict(status::ok), verdict(status::ok)};
    w.writer().add_line("", origins, results, true);
    const std::string record = R"({"line":4,"file":"in.ndjson","at":5,"at_source":"line",)"
                               R"("cut":true,"status":"ok","class":"ok","fp":")" +
                               fp + "\"}\n";
    EXPECT_EQ(w.text(), record + record);
  }
}

TEST(Enrich, FormatLineThenAddFormattedIsAddLine) {
  // The pipeline formats in its parallel stage and adds in order: the same bytes, counts
  // and wrapped lines as add_line.
  for (const char* format : {"enrich", "ndjson", "tsv", "summary"}) {
    SCOPED_TRACE(format);
    written one_step(format, true, enrich_shape::tokens);
    written two_steps(format, true, enrich_shape::tokens);
    record_origin o = at_line(7);
    o.offset = 3;
    const std::vector<record_origin> origins{o, o};
    const std::vector<result> results{verdict(status::ok), verdict(status::expired)};
    std::string formatted;
    for (const std::string_view line : {R"({"a":1})", "not json", R"({"jwt":0})", "{}"}) {
      one_step.writer().add_line(line, origins, results, line == "{}");
      formatted.clear();
      const bool wrapped =
          two_steps.writer().format_line(line, origins, results, line == "{}", formatted);
      two_steps.writer().add_formatted(formatted, results, wrapped);
    }
    EXPECT_EQ(two_steps.text(), one_step.text());
    EXPECT_EQ(two_steps.writer().lines_wrapped(), one_step.writer().lines_wrapped());
    EXPECT_EQ(two_steps.writer().lines_wrapped(), std::string_view(format) == "enrich" ? 2U : 0U);
    EXPECT_EQ(two_steps.writer().counts().records, 8U);
    EXPECT_EQ(two_steps.writer().counts().ok, 4U);
  }
}

TEST(Enrich, MisuseIsRefused) {
  written w("enrich");
  const record_origin o = at_line(1);
  const result r = verdict(status::ok);
  // The record shape is one record per line.
  EXPECT_THROW(w.writer().add_line("{}", {}, {}), std::invalid_argument);
  const std::vector<record_origin> two{o, o};
  const std::vector<result> results{r, r};
  EXPECT_THROW(w.writer().add_line("{}", two, results), std::invalid_argument);
  EXPECT_THROW(w.writer().add_line("{}", two, {&r, 1}), std::invalid_argument);
  // A single record has no input line to add to.
  try {
    w.writer().add(o, r);
    FAIL();
  } catch (const config_error& e) {
    EXPECT_EQ(std::string(e.what()),
              "--format enrich: needs NDJSON input lines to add a \"jwt\" member to; use it with "
              "verify --field or scan");
  }
  EXPECT_EQ(w.text(), "");
}

// The other formats: add_line appends each record of the line.
TEST(AddLine, NdjsonRecordsWithTimeAndEncoding) {
  written w("ndjson");
  record_origin a = at_line(5);
  a.offset = 7;
  a.percent_encoded = true;
  a.at = 1700000000;
  a.at_source = "flag";
  record_origin b = at_line(5);
  b.offset = 90;
  b.at = 1700000000.25;
  b.at_source = "line";
  const std::vector<record_origin> origins{a, b};
  const std::vector<result> results{verdict(status::ok), verdict(status::bad_signature)};
  w.writer().add_line("ignored", origins, results);
  const std::string fp(k_fp);
  EXPECT_EQ(w.text(),
            R"({"line":5,"file":"in.ndjson","offset":7,"encoding":"percent","at":1700000000,)"
            R"("at_source":"flag","status":"ok","class":"ok","fp":")" +
                fp + "\"}\n" +
                R"({"line":5,"file":"in.ndjson","offset":90,"at":1700000000.25,"at_source":"line",)"
                R"("status":"bad_signature","class":"signature","fp":")" +
                fp + "\"}\n");
  EXPECT_EQ(w.writer().counts().records, 2U);
}

TEST(AddLine, TsvRowsEndWithTimeSourceAndEncoding) {
  written w("tsv");
  record_origin a = at_line(5);
  a.offset = 7;
  a.percent_encoded = true;
  a.at = 1700000000;
  a.at_source = "line";
  record_origin b = at_line(6);  // verify: no time, no encoding
  const std::vector<record_origin> origins{a, b};
  const std::vector<result> results{verdict(status::ok), verdict(status::bad_signature)};
  w.writer().add_line("ignored", origins, results);
  const std::string fp(k_fp);
  EXPECT_EQ(w.text(),
            "line\tstatus\tclass\talg\tkid\tfp\tlabel\tfile\toffset\tiss\tsub\texp\tat\tat_source\t"
            "encoding\n"
            "5\tok\tok\t-\t-\t" +
                fp + "\t-\tin.ndjson\t7\t-\t-\t-\t1700000000\tline\tpercent\n" +
                "6\tbad_signature\tsignature\t-\t-\t" + fp +
                "\t-\tin.ndjson\t-\t-\t-\t-\t-\t-\t-\n");
}

TEST(AddLine, SummaryFormatOnlyCounts) {
  written w("summary");
  const record_origin o = at_line(1);
  const result r = verdict(status::expired);
  w.writer().add_line("{}", {&o, 1}, {&r, 1});
  w.writer().add(o, r);
  EXPECT_EQ(w.text(), "");
  EXPECT_EQ(w.writer().counts().records, 2U);
  EXPECT_EQ(w.writer().counts().ok, 0U);
}

}  // namespace
}  // namespace jwtbatch::cli
