// End-to-end tests of the jwtbatch program, run as a user would run it.
#include <gtest/gtest.h>
#include <simdjson.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <string>
#include <vector>

#include "json_out.hpp"

namespace jwtbatch {
namespace {

struct run_result {
  int exit_code = -1;
  std::string out;  // stdout only; stderr goes to the file named in `err_path`
  std::string err;
};

std::string slurp(std::FILE* f) {
  std::string s;
  std::array<char, 4096> buf{};
  std::size_t n = 0;
  while ((n = std::fread(buf.data(), 1, buf.size(), f)) > 0) s.append(buf.data(), n);
  return s;
}

run_result run(const std::string& args) {
  // ctest runs tests of this binary in parallel processes: one stderr file each.
  static int calls = 0;
  const std::string err_path = ::testing::TempDir() + "cli_test_stderr." +
                               std::to_string(::getpid()) + "." + std::to_string(++calls);
  const std::string cmd = std::string(JWTBATCH_CLI_PATH) + " " + args + " 2>" + err_path;
  run_result r;
  std::FILE* p = ::popen(cmd.c_str(), "r");
  EXPECT_NE(p, nullptr) << cmd;
  if (p == nullptr) return r;
  r.out = slurp(p);
  const int status = ::pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  if (std::FILE* e = std::fopen(err_path.c_str(), "r")) {
    r.err = slurp(e);
    std::fclose(e);
  }
  std::remove(err_path.c_str());
  return r;
}

std::vector<std::string> lines(const std::string& s) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < s.size()) {
    const std::size_t nl = s.find('\n', start);
    out.push_back(s.substr(start, nl - start));
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
  return out;
}

TEST(Cli, DemoPrintsOneValidRecordPerTokenAndSucceeds) {
  const run_result r = run("demo");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  const auto records = lines(r.out);
  ASSERT_EQ(records.size(), 17U) << r.out;
  simdjson::dom::parser parser;
  for (std::size_t i = 0; i < records.size(); ++i) {
    simdjson::dom::element doc;
    ASSERT_EQ(parser.parse(records[i]).get(doc), simdjson::SUCCESS) << records[i];
    int64_t line = 0;
    ASSERT_EQ(doc["line"].get(line), simdjson::SUCCESS);
    EXPECT_EQ(line, static_cast<int64_t>(i + 1));  // input order
  }
  EXPECT_EQ(records[0],
            R"({"line":1,"name":"rfc7515-A.1","status":"ok","class":"ok","alg":"HS256",)"
            R"("iss":"joe","exp":1300819380,"fp":"8d4ef6536dc8895f256c1e0d95dcd197"})");
  EXPECT_EQ(records[3], R"({"line":4,"name":"rfc7515-A.4","status":"bad_json","class":"format",)"
                        R"("alg":"ES512","fp":"7d83035f19995fd60a18173229bc790c"})");
  EXPECT_EQ(records[4], R"({"line":5,"name":"rfc7515-A.5","status":"alg_none","class":"header",)"
                        R"("fp":"f7860a3af2a475db871b4be2add9b491","label":"alg_none"})");
  EXPECT_EQ(records[6],
            R"({"line":7,"name":"A.1-truncated-mac","status":"bad_signature_length",)"
            R"("class":"signature","alg":"HS256","fp":"f86db1120f18a176e4b57e6c0f153a51",)"
            R"("label":"signature_stripped"})");
  EXPECT_EQ(records[7],
            R"({"line":8,"name":"A.1-checked-a-day-later","status":"expired","class":"claims",)"
            R"("alg":"HS256","iss":"joe","exp":1300819380,)"
            R"("fp":"8d4ef6536dc8895f256c1e0d95dcd197"})");
  EXPECT_NE(r.err.find("every verdict as expected"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("17 tokens"), std::string::npos) << r.err;
}

TEST(Cli, VersionAndUsageErrors) {
  const run_result v = run("--version");
  EXPECT_EQ(v.exit_code, 0);
  EXPECT_EQ(v.out.rfind("jwtbatch ", 0), 0U) << v.out;

  const run_result none = run("");
  EXPECT_NE(none.exit_code, 0);
  EXPECT_NE(none.err.find("subcommand"), std::string::npos) << none.err;

  const run_result bad = run("no-such-command");
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE(bad.err.find("no-such-command"), std::string::npos) << bad.err;
}

TEST(JsonOut, EscapesAndRepairsBytes) {
  const auto esc = [](std::string_view s) {
    std::string out;
    detail::append_json_string(out, s);
    return out;
  };
  using namespace std::string_view_literals;
  EXPECT_EQ(esc("plain"), R"("plain")");
  EXPECT_EQ(esc("a\"b\\c"), R"("a\"b\\c")");
  EXPECT_EQ(esc("\n\t\x01\0"sv), R"("\u000a\u0009\u0001\u0000")");
  EXPECT_EQ(esc("caf\xC3\xA9 \xF0\x9F\x94\x91"), "\"caf\xC3\xA9 \xF0\x9F\x94\x91\"");
  EXPECT_EQ(esc("\xFF"), R"("\ufffd")");
  EXPECT_EQ(esc("\xC0\xAF"), R"("\ufffd\ufffd")");            // overlong '/'
  EXPECT_EQ(esc("\xED\xA0\x80"), R"("\ufffd\ufffd\ufffd")");  // surrogate
  EXPECT_EQ(esc("\xE2\x82"), R"("\ufffd\ufffd")");            // truncated
  // Every output must parse as JSON.
  simdjson::dom::parser parser;
  for (auto s : {"\xFF\xFE"sv, "\x7F"sv, "\xF4\x90\x80\x80"sv}) {
    simdjson::dom::element e;
    EXPECT_EQ(parser.parse(esc(s)).get(e), simdjson::SUCCESS) << esc(s);
  }
}

}  // namespace
}  // namespace jwtbatch
