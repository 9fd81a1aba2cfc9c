// End-to-end tests of the jwtbatch program, run as a user would run it.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <simdjson.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "cli_support.hpp"
#include "codec/json_out.hpp"
#include "jwtbatch/key_set.hpp"
#include "jwtbatch/sign.hpp"

namespace jwtbatch {
namespace {

using test::lines;
using test::run;
using test::run_result;
using test::slurp;

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

// A JWKS file of two keys and a token file for the verify tests, in the test's temp dir.
struct verify_fixture {
  std::string dir = ::testing::TempDir();
  std::string jwks_path;
  std::shared_ptr<const key_set> keys;

  verify_fixture() {
    const generated_key hs = generate_key(alg::hs256, "hs-1");
    const generated_key ec = generate_key(alg::es256, "ec-1");
    key_set_builder b;
    b.allow_mixed_key_types();
    b.add_jwks(hs.private_jwk, "hs");
    b.add_jwks(ec.private_jwk, "ec");
    keys = b.build();
    jwks_path = write("keys.jwks", R"({"keys":[)" + hs.private_jwk + "," + ec.public_jwk + "]}");
  }
  std::string write(const std::string& name, const std::string& content) const {
    const std::string path = dir + "cli_test_" + std::to_string(::getpid()) + "_" + name;
    test::write_file(path, content);
    return path;
  }
  std::string token(alg a, const std::string& kid, const std::string& claims) const {
    return sign_compact(*keys, kid, a, claims);
  }
  std::string verify(const std::string& args) const {
    return "verify --jwks " + jwks_path + " --allow-mixed-keys " + args;
  }
};

// The value of `key` in an NDJSON record, as its JSON text ("" when absent).
std::string field(const std::string& record, const char* key) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(record).get(doc) != simdjson::SUCCESS) return "<not JSON>";
  simdjson::dom::element value;
  if (doc[key].get(value) != simdjson::SUCCESS) return "";
  return simdjson::minify(value);
}

TEST(CliVerify, OneRecordPerLineInOrderWithExactFieldsAndExitCode) {
  const verify_fixture fx;
  const std::string good = fx.token(alg::hs256, "hs-1",
                                    R"({"iss":"https://issuer.example","sub":"u1","aud":"api",)"
                                    R"("exp":2000000000,"scope":{"read" : [1, 2]}})");
  const std::string expired = fx.token(alg::es256, "ec-1", R"({"sub":"u2","exp":1000})");
  std::string forged = good;
  forged[forged.rfind('.') + 3] = forged[forged.rfind('.') + 3] == 'A' ? 'B' : 'A';
  const std::string input = good + std::string("\n\n\xff\x00junk\n", 9) + expired + "\r\n" + forged;
  const std::string path = fx.write("mixed.txt", input);
  const run_result r = run(fx.verify("--at 1700000000 --claims scope --threads 2 " + path));
  EXPECT_EQ(r.exit_code, 1) << r.err;
  const auto records = lines(r.out);
  ASSERT_EQ(records.size(), 5U) << r.out;
  for (std::size_t i = 0; i < records.size(); ++i) {
    EXPECT_EQ(field(records[i], "line"), std::to_string(i + 1)) << records[i];
  }
  EXPECT_EQ(field(records[0], "status"), R"("ok")");
  EXPECT_EQ(field(records[0], "iss"), R"("https://issuer.example")");
  EXPECT_EQ(field(records[0], "aud"), R"(["api"])");
  EXPECT_EQ(field(records[0], "claims"), R"({"scope":{"read":[1,2]}})");
  EXPECT_EQ(field(records[1], "status"), R"("bad_segments")");
  EXPECT_EQ(field(records[2], "status"), R"("bad_segments")");
  EXPECT_EQ(field(records[3], "status"), R"("expired")");
  EXPECT_EQ(field(records[3], "class"), R"("claims")");
  EXPECT_EQ(field(records[3], "sub"), R"("u2")");
  EXPECT_EQ(field(records[4], "status"), R"("bad_signature")");
  EXPECT_EQ(field(records[4], "iss"), "");  // nothing a forged token says is printed
  EXPECT_EQ(field(records[4], "token"), "");
  EXPECT_NE(r.err.find("5 records, 1 ok, 4 not ok"), std::string::npos) << r.err;
}

TEST(CliVerify, AllOkExitsZeroAndEvaluationTimeDecides) {
  const verify_fixture fx;
  const std::string t = fx.token(alg::hs256, "hs-1", R"({"exp":1700000100})");
  const std::string path = fx.write("one.txt", t + "\n" + t + "\n" + t + "\n");
  const run_result before = run(fx.verify("--at 1700000000 --threads 1 " + path));
  EXPECT_EQ(before.exit_code, 0) << before.err;
  EXPECT_EQ(lines(before.out).size(), 3U);
  // Stored at its second verification (the first is only noted), a hit at the third.
  EXPECT_NE(before.err.find("cache: 1 hits, 2 misses, 1 entries, 0 evictions, 1 seen once"),
            std::string::npos)
      << before.err;
  const run_result after = run(fx.verify("--at 2023-11-14T22:16:41Z " + path));  // +101 s
  EXPECT_EQ(after.exit_code, 1);
  EXPECT_EQ(field(lines(after.out)[0], "status"), R"("expired")");
  const run_result rfc_offset = run(fx.verify("--at 2023-11-14T23:13:20+01:00 " + path));
  EXPECT_EQ(rfc_offset.exit_code, 0) << rfc_offset.err;  // = 1700000000
}

TEST(CliVerify, ManyThreadsKeepInputOrder) {
  const verify_fixture fx;
  std::string input;
  for (int i = 0; i < 3000; ++i) {
    input += i % 3 == 0 ? std::string("not a token") + std::to_string(i)
                        : fx.token(alg::hs256, "hs-1", R"({"n":)" + std::to_string(i) + "}");
    input += "\n";
  }
  const std::string path = fx.write("many.txt", input);
  const run_result r = run(fx.verify("--threads 8 --cache-size 0 --emit-token " + path));
  EXPECT_EQ(r.exit_code, 1);
  const auto records = lines(r.out);
  ASSERT_EQ(records.size(), 3000U);
  for (std::size_t i = 0; i < records.size(); ++i) {
    ASSERT_EQ(field(records[i], "line"), std::to_string(i + 1));
    ASSERT_EQ(field(records[i], "status"), i % 3 == 0 ? R"("bad_segments")" : R"("ok")") << i;
  }
  EXPECT_EQ(field(records[2999], "token").find('"' + std::string("eyJ")), 0U) << records[2999];
  EXPECT_EQ(r.err.find("cache:"), std::string::npos) << r.err;  // --cache-size 0: no cache
}

TEST(CliVerify, GzipAndZstdInputsAreReadTransparentlyAndTruncationIsReported) {
  const verify_fixture fx;
  std::string input;
  for (int i = 0; i < 2000; ++i) {
    input += fx.token(alg::hs256, "hs-1", R"({"n":)" + std::to_string(i) + "}") + "\n";
  }
  const std::string path = fx.write("compressed.txt", input);
  ASSERT_EQ(
      std::system(("gzip -kf " + path + " && zstd -qf " + path + " -o " + path + ".zst").c_str()),
      0);
  const run_result plain = run(fx.verify("--format tsv " + path));
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  for (const std::string& compressed : {path + ".gz", path + ".zst"}) {
    const run_result r = run(fx.verify("--format tsv " + compressed));
    EXPECT_EQ(r.exit_code, 0) << compressed << "\n" << r.err;
    EXPECT_EQ(r.out, plain.out) << compressed;
    const run_result piped = run(fx.verify("--format tsv < " + compressed));
    EXPECT_EQ(piped.out, plain.out) << compressed << " from stdin";
  }
  // Cut the gzip file in the middle: the lines before the cut still give records, the
  // damage is named on stderr and fails the run with its own code, 3.
  ASSERT_EQ(std::system(("head -c 20000 " + path + ".gz > " + path + ".cut.gz").c_str()), 0);
  const run_result cut = run(fx.verify("--format tsv " + path + ".cut.gz"));
  EXPECT_EQ(cut.exit_code, 3);
  EXPECT_NE(cut.err.find(path + ".cut.gz: truncated gzip stream"), std::string::npos) << cut.err;
  const auto rows = lines(cut.out);  // the TSV header, then the records
  ASSERT_GT(rows.size(), 10U);
  ASSERT_LT(rows.size(), 2001U);
  for (std::size_t i = 1; i + 1 < rows.size(); ++i) {
    EXPECT_EQ(rows[i].rfind(std::to_string(i) + "\tok\t", 0), 0U) << rows[i];
  }
}

TEST(CliVerify, ProgressGoesToStderrOnlyAndOnlyWhenAsked) {
  const verify_fixture fx;
  std::string input;
  for (int i = 0; i < 200000; ++i) input += "x\n";
  const std::string path = fx.write("progress.txt", input);
  const run_result always = run(fx.verify("--progress always --format tsv " + path));
  const auto rows = lines(always.out);
  ASSERT_EQ(rows.size(), 200001U);  // the TSV header and one row per line
  for (const std::string& row : rows) ASSERT_EQ(row.find('\r'), std::string::npos) << row;
  EXPECT_NE(always.err.find("records/s, "), std::string::npos) << always.err.substr(0, 200);
  EXPECT_NE(always.err.find('\r'), std::string::npos);
  // auto: stderr is a file here, not a terminal: no progress line.
  const run_result automatic = run(fx.verify("--format tsv " + path));
  EXPECT_EQ(automatic.out, always.out);
  EXPECT_EQ(automatic.err.find('\r'), std::string::npos);
}

TEST(CliScan, FindsTokensInLogLinesWithLineAndOffsetAndJudgesAtLogTime) {
  const verify_fixture fx;
  // Valid from 2000-10-10T13:00:00Z for two hours; long expired today.
  const std::string t =
      fx.token(alg::hs256, "hs-1", R"({"sub":"alice","iat":971182800,"exp":971190000})");
  const std::string a =
      "203.0.113.7 - - [10/Oct/2000:13:55:36 +0000] \"GET /a HTTP/1.1\" 200 "
      "512 \"-\" \"curl/8\" \"Bearer " +
      t + "\"";
  const std::string b = R"({"time":"2000-10-10T16:00:00Z","msg":"retry","token":")" + t + "\"}";
  const std::string c = "no token on this line";
  const std::string d = "2000-10-10T13:30:00Z GET /cb?access_token=" + t + "&state=1 " + t;
  const std::string path = fx.write("access.log", a + "\n" + b + "\n" + c + "\n" + d + "\n");

  const run_result now = run(fx.verify("").replace(0, 6, "scan") + path);
  EXPECT_EQ(now.exit_code, 1) << now.err;
  const auto records = lines(now.out);
  ASSERT_EQ(records.size(), 4U) << now.out;
  const std::pair<int, std::size_t> expected[] = {
      {1, a.find("eyJ")}, {2, b.find("eyJ")}, {4, d.find("eyJ")}, {4, d.size() - t.size()}};
  for (std::size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(field(records[i], "line"), std::to_string(expected[i].first)) << records[i];
    EXPECT_EQ(field(records[i], "offset"), std::to_string(expected[i].second)) << records[i];
    EXPECT_EQ(field(records[i], "status"), R"("expired")") << records[i];
  }
  EXPECT_NE(now.err.find("4 lines, 1 without a token"), std::string::npos) << now.err;

  // As of each line's own time: lines 1 and 4 fall in the token's validity, line 2
  // (16:00) after it.
  const run_result logged = run(fx.verify("--at-log-time").replace(0, 6, "scan") + " " + path);
  const auto at_log = lines(logged.out);
  ASSERT_EQ(at_log.size(), 4U) << logged.out << logged.err;
  EXPECT_EQ(field(at_log[0], "status"), R"("ok")") << at_log[0];
  EXPECT_EQ(field(at_log[1], "status"), R"("expired")") << at_log[1];
  EXPECT_EQ(field(at_log[2], "status"), R"("ok")") << at_log[2];
  EXPECT_EQ(field(at_log[3], "status"), R"("ok")") << at_log[3];
  EXPECT_EQ(field(at_log[0], "sub"), R"("alice")");
}

TEST(CliScan, RequireLogTimeGivesNoLogTimeInsteadOfJudgingAtNow) {
  const verify_fixture fx;
  // Valid for two hours from 2000-10-10T13:00:00Z.
  const std::string t =
      fx.token(alg::hs256, "hs-1", R"({"sub":"alice","iat":971182800,"exp":971190000})");
  const std::string path =
      fx.write("times.log", "2000-10-10T13:30:00Z GET /?access_token=" + t +
                                "\nGET /no-time?access_token=" + t + "\nno token, no time\n");
  const std::string scan = fx.verify("--at-log-time ").replace(0, 6, "scan");
  const run_result judged_now = run(scan + path);
  auto records = lines(judged_now.out);
  ASSERT_EQ(records.size(), 2U) << judged_now.out;
  EXPECT_EQ(field(records[0], "status"), R"("ok")") << records[0];
  EXPECT_EQ(field(records[1], "status"), R"("expired")") << records[1];  // judged now
  EXPECT_NE(judged_now.err.find("3 lines, 1 without a token, 1 with a token but no timestamp"),
            std::string::npos)
      << judged_now.err;

  const run_result required = run(scan + "--require-log-time " + path);
  EXPECT_EQ(required.exit_code, 1);
  records = lines(required.out);
  ASSERT_EQ(records.size(), 2U) << required.out;
  EXPECT_EQ(field(records[0], "status"), R"("ok")") << records[0];
  EXPECT_EQ(field(records[1], "status"), R"("no_log_time")") << records[1];
  EXPECT_EQ(field(records[1], "class"), R"("claims")") << records[1];
  EXPECT_EQ(field(records[1], "sub"), "") << "never verified, so no claim is shown";
  // Its fingerprint is the token's, so it can be found again.
  EXPECT_EQ(field(records[1], "fp"), field(records[0], "fp"));

  const run_result alone = run(fx.verify("--require-log-time ").replace(0, 6, "scan") + path);
  EXPECT_EQ(alone.exit_code, 2);
  EXPECT_NE(alone.err.find("--require-log-time requires --at-log-time"), std::string::npos)
      << alone.err;
}

TEST(CliScan, SyslogYearComesFromTheFilesModificationTimeOrTheFlag) {
  const verify_fixture fx;
  // Valid for the last hour of 2023 (2023-12-31T23:00:00Z .. 2024-01-01T00:00:00Z).
  const std::string t =
      fx.token(alg::hs256, "hs-1", R"({"sub":"eve","nbf":1704063600,"exp":1704067200})");
  const std::string path =
      fx.write("syslog.log", "Dec 31 23:30:00 host app[1]: GET /?access_token=" + t + "\n");
  // Written on 2 January 2024: December lines are from 2023 (the rollover).
  const struct timespec times[2] = {{1704153600, 0}, {1704153600, 0}};
  ASSERT_EQ(::utimensat(AT_FDCWD, path.c_str(), times, 0), 0);
  const std::string scan = fx.verify("--at-log-time ").replace(0, 6, "scan");
  const run_result from_mtime = run(scan + path);
  auto records = lines(from_mtime.out);
  ASSERT_EQ(records.size(), 1U) << from_mtime.err;
  EXPECT_EQ(field(records[0], "status"), R"("ok")") << records[0];
  // --syslog-year overrides: in 2024 the token had long expired.
  const run_result flagged = run(scan + "--syslog-year 2024 " + path);
  records = lines(flagged.out);
  ASSERT_EQ(records.size(), 1U) << flagged.err;
  EXPECT_EQ(field(records[0], "status"), R"("expired")") << records[0];
}

TEST(CliScan, ALineOfTinyTokensIsCutAtSixtyFourAndTheNextLineIsRead) {
  const verify_fixture fx;
  std::string line;
  while (line.size() < (std::size_t{16} << 20) - 16) line += "eyJ.eyJ.x ";
  const std::string t = fx.token(alg::hs256, "hs-1", R"({"sub":"bob"})");
  const std::string path = fx.write("tiny.log", line + "\nBearer " + t + "\n");
  const run_result r = run(fx.verify("--format tsv ").replace(0, 6, "scan") + path);
  const auto rows = lines(r.out);
  ASSERT_EQ(rows.size(), 1U + 64 + 1) << r.err;  // the header, 64 cut tokens, the next line
  EXPECT_EQ(rows[64].rfind("1\tbad_", 0), 0U) << rows[64];
  EXPECT_EQ(rows[65].rfind("2\tok\t", 0), 0U) << rows[65];
  EXPECT_NE(r.err.find("2 lines, 0 without a token, 1 cut (over 16 MiB or 64 tokens)"),
            std::string::npos)
      << r.err;
}

TEST(CliVerify, FieldLineOfAGzipBombIsCutNotHeldAndTheNextLineIsRead) {
  const verify_fixture fx;
  const std::string t = fx.token(alg::hs256, "hs-1", R"({"sub":"bob"})");
  // 64 MiB in one NDJSON line, then a good one; compressed it is a few hundred KiB.
  std::string big = R"({"pad":")" + std::string(std::size_t{64} << 20, 'a') + R"(","jwt":")" + t +
                    "\"}\n" + R"({"jwt":")" + t + "\"}\n";
  const std::string path = fx.write("bomb.ndjson", big);
  big.clear();
  big.shrink_to_fit();
  ASSERT_EQ(std::system(("gzip -f " + path).c_str()), 0);
  const run_result r = run(fx.verify("--field jwt --format tsv ") + path + ".gz", 120);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  const auto rows = lines(r.out);
  ASSERT_EQ(rows.size(), 3U) << r.out << r.err;
  EXPECT_EQ(rows[1].rfind("1\ttoken_too_large\t", 0), 0U) << rows[1];
  EXPECT_EQ(rows[2].rfind("2\tok\t", 0), 0U) << rows[2];
  const run_result json = run(fx.verify("--field jwt ") + path + ".gz", 120);
  EXPECT_NE(json.out.find(R"("status":"token_too_large","class":"format",)"
                          R"("detail":"line longer than 16 MiB")"),
            std::string::npos)
      << json.out.substr(0, 300);
}

TEST(CliGen, SeedDeterminesTheCorpusAndScanGivesTheMixAtLogTime) {
  const verify_fixture fx;  // an HS256 private key and an ES256 public key
  const std::string base = "gen --jwks " + fx.jwks_path + " --algs HS256 --count 2000 " +
                           "--repeat 4 --base-time 2024-03-01T00:00:00Z ";
  const run_result a = run(base + "--seed 7 --format json-log");
  const run_result b = run(base + "--seed 7 --format json-log");
  const run_result c = run(base + "--seed 8 --format json-log");
  ASSERT_EQ(a.exit_code, 0) << a.err;
  EXPECT_EQ(lines(a.out).size(), 2000U);
  EXPECT_EQ(a.out, b.out);
  EXPECT_NE(a.out, c.out);
  EXPECT_NE(a.err.find("2000 lines, 500 distinct tokens: 1800 valid, 100 expired, 60 forged, "
                       "40 malformed"),
            std::string::npos)
      << a.err;
  const std::string path = fx.write("gen.log", a.out);
  const run_result scanned = run("scan --jwks " + fx.jwks_path +
                                 " --allow-mixed-keys --at-log-time --time-field time "
                                 "--format summary " +
                                 path);
  EXPECT_EQ(scanned.exit_code, 1);
  EXPECT_NE(scanned.err.find("2000 records, 1800 ok, 200 not ok"), std::string::npos)
      << scanned.err;
  EXPECT_NE(scanned.err.find("expired                               100"), std::string::npos)
      << scanned.err;
}

TEST(CliGen, HostileShapesWithAnAnswerKeyAndBadOptions) {
  const verify_fixture fx;
  const std::string answers = fx.write("answers.ndjson", "");
  const run_result h = run("gen --jwks " + fx.jwks_path +
                           " --algs HS256 --hostile --count 100 "
                           "--answers " +
                           answers);
  ASSERT_EQ(h.exit_code, 0) << h.err;
  const std::string key = [&] {
    std::FILE* f = std::fopen(answers.c_str(), "r");
    std::string text = f != nullptr ? slurp(f) : "";
    if (f != nullptr) std::fclose(f);
    return text;
  }();
  EXPECT_EQ(lines(key).size(), lines(h.out).size());
  EXPECT_NE(key.find(R"("kind":"hostile","shape":"alg_none","label":"alg_none")"),
            std::string::npos)
      << key.substr(0, 300);
  const std::string path = fx.write("hostile.txt", h.out);
  const run_result v = run(fx.verify("--format summary " + path));
  EXPECT_EQ(v.exit_code, 1);
  EXPECT_NE(v.err.find(" 0 ok, "), std::string::npos) << v.err;  // every shape refused
  for (const auto& [args, message] : std::vector<std::pair<std::string, std::string>>{
           {"--mix valid=50,expired=10", "sum"},
           {"--mix valid=90,stale=10", "--mix: unknown kind \"stale\""},
           {"--algs RS256", "RS256"},
           {"--format xml", "--format"}}) {
    const run_result bad = run("gen --jwks " + fx.jwks_path + " --count 10 " + args);
    EXPECT_EQ(bad.exit_code, 2) << args << "\n" << bad.err;
    EXPECT_TRUE(bad.out.empty()) << args;
    EXPECT_NE(bad.err.find(message), std::string::npos) << args << "\n" << bad.err;
  }
}

TEST(CliVerify, FieldTakesTheTokenFromEachNdjsonLine) {
  const verify_fixture fx;
  const std::string t = fx.token(alg::hs256, "hs-1", R"({"sub":"bob"})");
  const std::string input = R"({"ts":1,"jwt":")" + t + R"("})" + "\n" +  // ok
                            R"({"ts":2})" + "\n" +                       // no member
                            "not json\n" +                               // not an object
                            R"({"jwt":"a\nb"})" + "\n" +                 // decoded newline
                            R"({"jwt":")" + t + R"(","x":[1]})";         // last, no newline
  const std::string path = fx.write("field.ndjson", input);
  const run_result r = run(fx.verify("--field jwt --format tsv " + path));
  EXPECT_EQ(r.exit_code, 1);
  const auto rows = lines(r.out);
  ASSERT_EQ(rows.size(), 6U) << r.out;  // the TSV header and five rows
  // A line without the member is no token at all (no_token), not a malformed one; a
  // member whose decoded value holds a newline is a token with a newline in it.
  const char* expected[] = {"line\t",        "1\tok\t",           "2\tno_token\t",
                            "3\tno_token\t", "4\tbad_segments\t", "5\tok\t"};
  for (std::size_t i = 0; i < 6; ++i) EXPECT_EQ(rows[i].rfind(expected[i], 0), 0U) << rows[i];
  EXPECT_NE(r.err.find("  no_token                                2\n"), std::string::npos)
      << r.err;
}

TEST(CliVerify, TsvAndSummaryFormatsAndStdin) {
  const verify_fixture fx;
  const std::string t = fx.token(alg::hs256, "hs-1", "{}");
  const std::string path = fx.write("stdin.txt", t + "\nx\n");
  const run_result tsv = run(fx.verify("--format tsv - < " + path));
  const auto rows = lines(tsv.out);
  ASSERT_EQ(rows.size(), 3U) << tsv.out;  // the TSV header and two rows
  EXPECT_EQ(rows[0].rfind("line\tstatus\tclass\talg\tkid\tfp\tlabel\t", 0), 0U) << rows[0];
  EXPECT_EQ(rows[1].rfind("1\tok\tok\tHS256\ths-1\t", 0), 0U) << rows[1];
  EXPECT_EQ(rows[2].rfind("2\tbad_segments\tformat\t-\t-\t", 0), 0U) << rows[2];
  const run_result summary = run(fx.verify("--format summary < " + path));
  EXPECT_TRUE(summary.out.empty());
  EXPECT_EQ(summary.exit_code, 1);
  EXPECT_NE(summary.err.find("bad_segments"), std::string::npos) << summary.err;
}

TEST(CliVerify, ConfigurationErrorsNameTheFlagOrFileAndWriteNothing) {
  const verify_fixture fx;
  const std::string path = fx.write("ok.txt", fx.token(alg::hs256, "hs-1", "{}") + "\n");
  const struct {
    std::string args;
    std::string message;
  } cases[] = {
      {"verify " + path, "no keys"},
      {"verify --jwks /nonexistent/keys.jwks " + path, "/nonexistent/keys.jwks"},
      {fx.verify("--alg HS999 " + path), "--alg: unknown algorithm \"HS999\""},
      {fx.verify("--alg none " + path), "--alg: \"none\" is never accepted"},
      {fx.verify("/nonexistent/tokens.txt"), "/nonexistent/tokens.txt: cannot open"},
      {fx.verify("--at yesterday " + path), "--at \"yesterday\""},
      {fx.verify("--format xml " + path), "--format"},
      {fx.verify("--threads -1 " + path), "--threads"},
      {"verify --secret-file " + path + " --alg HS256,HS384 " + path, "exactly one --alg"},
  };
  for (const auto& c : cases) {
    const run_result r = run(c.args);
    EXPECT_EQ(r.exit_code, 2) << c.args << "\n" << r.err;
    EXPECT_TRUE(r.out.empty()) << c.args;
    EXPECT_NE(r.err.find(c.message), std::string::npos) << c.args << "\n" << r.err;
  }
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
