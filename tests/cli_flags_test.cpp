// End-to-end tests of how the jwtbatch program reads its flags (ranges, lists, empty
// values), what its help and --version say, and how it ends when an output fails
// (closed stderr, closed stdout, full file, a target that is not a regular file).
//
// The program under test is JWTBATCH_CLI_PATH, or $JWTBATCH_TEST_CLI when set (to run
// these tests against another build, e.g. the one before a fix).
#include <gtest/gtest.h>
#include <sched.h>
#include <simdjson.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "cli_support.hpp"
#include "codec/base64url.hpp"
#include "jwtbatch/key_set.hpp"
#include "jwtbatch/sign.hpp"

namespace jwtbatch {
namespace {

using test::lines;
using test::read_file;
using test::run_result;
using test::slurp;
using test::write_file;

std::string cli() {
  const char* other = std::getenv("JWTBATCH_TEST_CLI");
  return other != nullptr && *other != '\0' ? other : JWTBATCH_CLI_PATH;
}

// A directory of its own for each test (ctest runs tests in parallel).
std::string fresh_dir(const std::string& name) {
  const std::string dir =
      ::testing::TempDir() + "cli_flags_" + std::to_string(::getpid()) + "_" + name + "/";
  std::system(("rm -rf '" + dir + "' && mkdir -p '" + dir + "'").c_str());
  return dir;
}

// The names in `dir`, sorted, one per line.
std::string listing(const std::string& dir) {
  std::FILE* p = ::popen(("ls -A '" + dir + "'").c_str(), "r");
  std::string s = slurp(p);
  ::pclose(p);
  return s;
}

// run_sh runs a shell script in which every "JWTBATCH" names the program. stdout is
// captured through a pipe, stderr through a file unless the script redirects it, and
// stdin is empty unless the script redirects it.
run_result run_sh(std::string script, const std::string& dir) {
  for (std::size_t at = script.find("JWTBATCH"); at != std::string::npos;
       at = script.find("JWTBATCH", at)) {
    script.replace(at, 8, cli());
  }
  const std::string err_path = dir + "stderr.txt";
  const std::string quoted = "'" + script + "'";  // scripts here hold no single quote
  return test::run_command("sh -c " + quoted + " 2>" + err_path + " </dev/null", err_path);
}

run_result run(const std::string& args, const std::string& dir) {
  return run_sh("JWTBATCH " + args, dir);
}

// Keys (an HMAC secret and an ES256 private key, as keygen writes them) and tokens.
struct fixture {
  std::string dir;
  std::string jwks;         // private set: gen signs with it
  std::string verify_jwks;  // the secret and the EC public key: verify with --allow-mixed-keys
  std::shared_ptr<const key_set> keys;

  explicit fixture(const std::string& name) : dir(fresh_dir(name)) {
    const generated_key hs = generate_key(alg::hs256, "hs-1");
    const generated_key ec = generate_key(alg::es256, "ec-1");
    key_set_builder b;
    b.allow_mixed_key_types();
    b.add_jwks(hs.private_jwk, "hs");
    b.add_jwks(ec.private_jwk, "ec");
    keys = b.build();
    jwks = dir + "keys.jwks";
    write_file(jwks, R"({"keys":[)" + hs.private_jwk + "," + ec.private_jwk + "]}");
    verify_jwks = dir + "verify.jwks";
    write_file(verify_jwks, R"({"keys":[)" + hs.private_jwk + "," + ec.public_jwk + "]}");
  }
  [[nodiscard]] std::string token(const std::string& claims,
                                  std::optional<std::string_view> header = {}) const {
    return sign_compact(*keys, "hs-1", alg::hs256, claims, header);
  }
  // A file of `tokens`, one per line.
  [[nodiscard]] std::string tokens_file(const std::string& name,
                                        const std::vector<std::string>& tokens) const {
    std::string text;
    for (const std::string& t : tokens) text += t + "\n";
    write_file(dir + name, text);
    return dir + name;
  }
  [[nodiscard]] std::string verify(const std::string& args) const {
    return "verify --jwks " + verify_jwks + " --allow-mixed-keys " + args;
  }
};

const char* const k_claims =
    R"({"iss":"https://i2.example","sub":"u1","client_id":"c1","aud":"api","iat":1700000000,)"
    R"("exp":4000000000})";

// ---- item 1: list flags ------------------------------------------------------------

TEST(CliFlags, EmptyInlineValueIsRefusedByNameAndNeverTakesTheNextArgument) {
  const fixture fx("empty_inline");
  const std::string file = fx.tokens_file("t.txt", {fx.token(k_claims)});
  for (const std::string flag : {"--iss", "--aud", "--alg", "--require", "--typ", "--claims",
                                 "--jwks", "--at", "--threads", "--leeway", "--cache-size"}) {
    const run_result r = run(
        "verify --jwks " + fx.verify_jwks + " --allow-mixed-keys " + flag + "= " + file, fx.dir);
    EXPECT_EQ(r.exit_code, 2) << flag << r.err;
    EXPECT_EQ(r.out, "") << flag;
    EXPECT_EQ(lines(r.err).at(0).rfind("jwtbatch: " + flag + ": empty value", 0), 0U)
        << flag << "\n"
        << r.err;
  }
  // An empty item is as empty as an empty value; CLI11 used to drop it and then take
  // the file as the flag's value.
  for (const std::string value : {",", "a,,b", "a,"}) {
    const run_result r = run(fx.verify("--iss " + value + " " + file), fx.dir);
    EXPECT_EQ(r.exit_code, 2) << value << r.err;
    EXPECT_EQ(lines(r.err).at(0), "jwtbatch: --iss: \"" + value + "\" has an empty item") << r.err;
  }
}

TEST(CliFlags, EveryListFlagTakesCommasAndRepeatsAndNoPositional) {
  const fixture fx("lists");
  const std::string file = fx.tokens_file("t.txt", {fx.token(k_claims)});
  const auto status_of = [&](const std::string& args) {
    const run_result r = run(fx.verify(args + " " + file), fx.dir);
    const auto records = lines(r.out);
    if (records.size() != 1) return "<" + std::to_string(records.size()) + " records> " + r.err;
    simdjson::dom::parser parser;
    std::string_view s;
    if (parser.parse(records[0])["status"].get(s) != simdjson::SUCCESS) return records[0];
    return std::string(s);
  };
  EXPECT_EQ(status_of("--require sub,client_id"), "ok");
  EXPECT_EQ(status_of("--require sub --require client_id"), "ok");
  EXPECT_EQ(status_of("--require sub,scope"), "missing_claim");
  EXPECT_EQ(status_of("--iss https://i1.example,https://i2.example"), "ok");
  EXPECT_EQ(status_of("--iss https://i1.example --iss https://i2.example"), "ok");
  EXPECT_EQ(status_of("--iss https://i1.example"), "issuer_mismatch");
  EXPECT_EQ(status_of("--aud web,api"), "ok");
  EXPECT_EQ(status_of("--aud web --aud api"), "ok");
  EXPECT_EQ(status_of("--aud web,mobile"), "audience_mismatch");
  EXPECT_EQ(status_of("--typ at+jwt,JWT"), "ok");
  EXPECT_EQ(status_of("--typ at+jwt --typ JWT"), "ok");
  EXPECT_EQ(status_of("--alg ES256,HS256"), "ok");
  EXPECT_EQ(status_of("--alg ES256 --alg HS256"), "ok");
  EXPECT_EQ(status_of("--alg ES256"), "alg_not_allowed");
  // One value per occurrence: the word after it is an input file, not a second issuer.
  const run_result r = run(fx.verify("--iss https://i2.example " + file + " " + file), fx.dir);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(lines(r.out).size(), 2U) << r.out;
  // gen's and bench's lists too.
  const run_result g =
      run("gen --jwks " + fx.jwks + " --count 4 --algs HS256,ES256 --algs ES256", fx.dir);
  EXPECT_EQ(g.exit_code, 0) << g.err;
  EXPECT_EQ(lines(g.out).size(), 4U);
  const run_result g2 = run("gen --jwks " + fx.jwks + " --count 4 --algs HS256, ", fx.dir);
  EXPECT_EQ(g2.exit_code, 2);
  EXPECT_EQ(lines(g2.err).at(0), "jwtbatch: --algs: \"HS256,\" has an empty item") << g2.err;
  const run_result b = run("bench --algs HS256,,ES256", fx.dir);
  EXPECT_EQ(b.exit_code, 2);
  EXPECT_EQ(lines(b.err).at(0), "jwtbatch: --algs: \"HS256,,ES256\" has an empty item") << b.err;
}

// ---- item 2: numbers ---------------------------------------------------------------

TEST(CliFlags, EveryNumberIsDecimalAndInsideItsRangeOrRefusedByName) {
  const fixture fx("numbers");
  const std::string file = fx.tokens_file("t.txt", {fx.token(k_claims)});
  struct refusal {
    std::string args;
    std::string first_line;  // of stderr
  };
  const std::string gen = "gen --jwks " + fx.jwks + " ";
  const std::vector<refusal> refusals = {
      {fx.verify("--threads 10000000 " + file),
       R"(jwtbatch: --threads: "10000000" is out of range (expected a whole number, 0..1024))"},
      {fx.verify("--threads 1025 " + file),
       R"(jwtbatch: --threads: "1025" is out of range (expected a whole number, 0..1024))"},
      {fx.verify("--threads 0x10 " + file),
       R"(jwtbatch: --threads: "0x10" is not a decimal whole number (expected a whole number, 0..1024))"},
      {fx.verify("--threads -1 " + file),
       R"(jwtbatch: --threads: "-1" is out of range (expected a whole number, 0..1024))"},
      {fx.verify("--threads \"\" " + file),
       R"(jwtbatch: --threads: empty value (expected a whole number, 0..1024))"},
      {fx.verify("--cache-size 4294967296 " + file),
       R"(jwtbatch: --cache-size: "4294967296" is out of range (expected a whole number, 0..16777216))"},
      {fx.verify("--cache-size -1 " + file),
       R"(jwtbatch: --cache-size: "-1" is out of range (expected a whole number, 0..16777216))"},
      {fx.verify("--cache-size \"\" " + file),
       R"(jwtbatch: --cache-size: empty value (expected a whole number, 0..16777216))"},
      {fx.verify("--leeway 99999999999999999999 " + file),
       R"(jwtbatch: --leeway: "99999999999999999999" is out of range (expected a whole number, 0..86400))"},
      {fx.verify("--leeway 86401 " + file),
       R"(jwtbatch: --leeway: "86401" is out of range (expected a whole number, 0..86400))"},
      {fx.verify("--leeway \"\" " + file),
       R"(jwtbatch: --leeway: empty value (expected a whole number, 0..86400))"},
      {fx.verify("--leeway +5 " + file),
       R"(jwtbatch: --leeway: "+5" is not a decimal whole number (expected a whole number, 0..86400))"},
      {fx.verify("--max-token-bytes -1 " + file),
       R"(jwtbatch: --max-token-bytes: "-1" is out of range (expected a whole number, 1..16777216))"},
      {fx.verify("--max-token-bytes 0 " + file),
       R"(jwtbatch: --max-token-bytes: "0" is out of range (expected a whole number, 1..16777216))"},
      {fx.verify("--max-age 1e3 " + file),
       R"(jwtbatch: --max-age: "1e3" is not a decimal whole number (expected a whole number, 0..3155760000))"},
      {fx.verify("--at \"\" " + file), "jwtbatch: --at: empty value"},
      {fx.verify("--at nan " + file),
       R"(jwtbatch: --at "nan": expected Unix seconds or an RFC 3339 date-time)"},
      {fx.verify("--at 1e9 " + file),
       R"(jwtbatch: --at "1e9": expected Unix seconds or an RFC 3339 date-time)"},
      {fx.verify("--at 99999999999999 " + file),
       R"(jwtbatch: --at "99999999999999": out of range (expected a time from 1970 to 9999))"},
      {"scan --jwks " + fx.verify_jwks + " --allow-mixed-keys --syslog-year 0x7e8 " + file,
       R"(jwtbatch: --syslog-year: "0x7e8" is not a decimal whole number (expected a whole number, 1970..9999))"},
      {"scan --jwks " + fx.verify_jwks + " --allow-mixed-keys --syslog-year 24 " + file,
       R"(jwtbatch: --syslog-year: "24" is out of range (expected a whole number, 1970..9999))"},
      {"scan --jwks " + fx.verify_jwks + " --allow-mixed-keys --threads 10000000 " + file,
       R"(jwtbatch: --threads: "10000000" is out of range (expected a whole number, 0..1024))"},
      {gen + "--count 0",
       R"(jwtbatch: --count: "0" is out of range (expected a whole number, 1..1000000000000))"},
      {gen + "--count 1e3",
       R"(jwtbatch: --count: "1e3" is not a decimal whole number (expected a whole number, 1..1000000000000))"},
      {gen + "--repeat 4096",
       R"(jwtbatch: --repeat: "4096" is out of range (expected a whole number, 1..2048))"},
      {gen + "--seed -1",
       R"(jwtbatch: --seed: "-1" is out of range (expected a whole number, 0..18446744073709551615))"},
      {gen + "--mix valid=200",
       R"(jwtbatch: --mix "valid=200": valid is out of range (expected a percentage, 0..100))"},
      {gen + "--base-time nan",
       R"(jwtbatch: --base-time "nan": expected Unix seconds or an RFC 3339 date-time)"},
      {"bench --time-per-case nan",
       R"(jwtbatch: --time-per-case: "nan" is not a decimal number (expected a decimal number, 0.001..3600))"},
      {"bench --time-per-case 1e-3",
       R"(jwtbatch: --time-per-case: "1e-3" is not a decimal number (expected a decimal number, 0.001..3600))"},
      {"bench --time-per-case 0",
       R"(jwtbatch: --time-per-case: "0" is out of range (expected a decimal number, 0.001..3600))"},
      {"bench --repetitions 0",
       R"(jwtbatch: --repetitions: "0" is out of range (expected a whole number, 1..99))"},
      {"bench --threads 2000",
       R"(jwtbatch: --threads: "2000" is out of range (expected a whole number, 0..1024))"},
  };
  for (const refusal& c : refusals) {
    const run_result r = run(c.args, fx.dir);
    EXPECT_EQ(r.exit_code, 2) << c.args << "\n" << r.err;
    EXPECT_EQ(r.out, "") << c.args;
    EXPECT_EQ(lines(r.err).empty() ? "" : lines(r.err)[0], c.first_line) << c.args;
  }
  // The bounds themselves are accepted; leading zeros are still decimal.
  const run_result edge =
      run(fx.verify("--threads 09 --leeway 86400 --cache-size 16777216 --max-token-bytes 16777216 "
                    "--max-age 3155760000 " +
                    file),
          fx.dir);
  EXPECT_EQ(edge.exit_code, 0) << edge.err;
  // "09" is nine (an octal reading would refuse it); the summary says how many threads
  // run: at most what this process may use (batch.hpp), as TBB counts it.
  cpu_set_t cpus;
  CPU_ZERO(&cpus);
  ASSERT_EQ(::sched_getaffinity(0, sizeof cpus, &cpus), 0);
  const int running = std::min(9, CPU_COUNT(&cpus));
  EXPECT_NE(edge.err.find(", " + std::to_string(running) + " threads\n"), std::string::npos)
      << edge.err;
}

// ---- one RFC 3339 parser: --at reads date-times as log timestamps are read ----------

TEST(CliFlags, AtReadsRfc3339LikeLogTimesAndRefusesATimeWithoutAZone) {
  const fixture fx("at_rfc3339");
  // Valid during exactly one second: nbf 2024-01-01T00:00:00Z, exp one second later
  // (RFC 7519 §4.1.4: expired at exp itself).
  const std::string file =
      fx.tokens_file("t.txt", {fx.token(R"({"nbf":1704067200,"exp":1704067201})")});
  const auto status_at = [&](const std::string& at) {
    const run_result r = run(fx.verify("--at \"" + at + "\" -q " + file), fx.dir);
    const auto records = lines(r.out);
    if (records.size() != 1) return "<exit " + std::to_string(r.exit_code) + "> " + r.err;
    simdjson::dom::parser parser;
    std::string_view s;
    if (parser.parse(records[0])["status"].get(s) != simdjson::SUCCESS) return records[0];
    return std::string(s);
  };
  // Unix seconds and zoned date-times read exactly as before.
  for (const std::string at :
       {"1704067200", "1704067200.5", "2024-01-01T00:00:00Z", "2024-01-01t00:00:00z",
        "2024-01-01 00:00:00Z", "2024-01-01T00:00:00.999Z", "2024-01-01T02:00:00+02:00",
        "2023-12-31T19:00:00-05:00", "2024-01-01T05:30:00.25+05:30"}) {
    EXPECT_EQ(status_at(at), "ok") << at;
  }
  EXPECT_EQ(status_at("1704067199.999"), "not_yet_valid");
  EXPECT_EQ(status_at("2023-12-31T23:59:59Z"), "not_yet_valid");
  EXPECT_EQ(status_at("2024-01-01T00:00:01Z"), "expired");
  EXPECT_EQ(status_at("2024-01-01T00:00:00-00:01"), "expired");
  EXPECT_EQ(status_at("2024-01-01T00:00:00+00:01"), "not_yet_valid");
  // The log parser's spellings of an offset: +hhmm too.
  EXPECT_EQ(status_at("2024-01-01T02:00:00+0200"), "ok");

  struct refusal {
    std::string args;
    std::string message;  // all of stderr
  };
  const std::string no_zone =
      R"(: an RFC 3339 date-time needs its zone (Z for UTC, or an offset such as +02:00))";
  const std::string not_a_time = R"(: expected Unix seconds or an RFC 3339 date-time)";
  const std::vector<refusal> refusals = {
      // A time without a zone is not silently read as UTC.
      {fx.verify("--at 2024-01-01T00:00:00 " + file),
       R"(jwtbatch: --at "2024-01-01T00:00:00")" + no_zone},
      {fx.verify("--at \"2024-01-01 00:00:00.5\" " + file),
       R"(jwtbatch: --at "2024-01-01 00:00:00.5")" + no_zone},
      {"gen --jwks " + fx.jwks + " --count 1 --base-time 2024-03-01T00:00:00",
       R"(jwtbatch: --base-time "2024-03-01T00:00:00")" + no_zone},
      // What log timestamps refuse, --at refuses: one-digit fields, offsets of 24 hours
      // or more, a '.' without digits, a day the month does not have, text around it.
      {fx.verify("--at 2024-1-1T0:0:0Z " + file),
       R"(jwtbatch: --at "2024-1-1T0:0:0Z")" + not_a_time},
      {fx.verify("--at 2024-01-01T00:00:00+99:99 " + file),
       R"(jwtbatch: --at "2024-01-01T00:00:00+99:99")" + not_a_time},
      {fx.verify("--at 2024-01-01T00:00:00.Z " + file),
       R"(jwtbatch: --at "2024-01-01T00:00:00.Z")" + not_a_time},
      {fx.verify("--at 2023-02-29T00:00:00Z " + file),
       R"(jwtbatch: --at "2023-02-29T00:00:00Z")" + not_a_time},
      {fx.verify("--at 2024-01-01T00:00:00Zx " + file),
       R"(jwtbatch: --at "2024-01-01T00:00:00Zx")" + not_a_time},
      {fx.verify("--at \" 2024-01-01T00:00:00Z\" " + file),
       R"(jwtbatch: --at " 2024-01-01T00:00:00Z")" + not_a_time},
      // The range is the flag's: 1970..9999.
      {fx.verify("--at 1969-12-31T23:59:59Z " + file),
       R"(jwtbatch: --at "1969-12-31T23:59:59Z": out of range (expected a time from 1970 to 9999))"},
  };
  for (const refusal& c : refusals) {
    const run_result r = run(c.args, fx.dir);
    EXPECT_EQ(r.exit_code, 2) << c.args << "\n" << r.err;
    EXPECT_EQ(r.out, "") << c.args;
    EXPECT_EQ(r.err, c.message + "\n") << c.args;
  }
  // sign's --iat too (its runner's prefix, "jwtbatch sign: ", is not this test's matter).
  const run_result iat =
      run("sign --jwks " + fx.jwks + " --kid hs-1 --iat 2023-11-14T22:13:20", fx.dir);
  EXPECT_EQ(iat.exit_code, 2) << iat.err;
  EXPECT_EQ(iat.out, "");
  const std::string iat_message = R"(--iat "2023-11-14T22:13:20")" + no_zone + "\n";
  EXPECT_TRUE(iat.err.starts_with("jwtbatch") && iat.err.ends_with(": " + iat_message)) << iat.err;
  // The help says what is taken.
  const run_result help = run("verify --help", fx.dir);
  EXPECT_NE(help.out.find("  --at TIME                   Evaluation time: Unix seconds or an RFC "
                          "3339 date-time with its zone (Z or +hh:mm), year 1970..9999 "
                          "(default: now)\n"),
            std::string::npos)
      << help.out;
}

// ---- item 3: --typ -------------------------------------------------------------------

TEST(CliFlags, NamingATypMakesTheTypRequired) {
  const fixture fx("typ");
  const std::string with_typ = fx.token(k_claims, R"({"alg":"HS256","typ":"at+jwt","kid":"hs-1"})");
  const std::string without_typ = fx.token(k_claims, R"({"alg":"HS256","kid":"hs-1"})");
  const std::string file = fx.tokens_file("t.txt", {with_typ, without_typ});
  const run_result r = run(fx.verify("--typ at+jwt " + file), fx.dir);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  const auto records = lines(r.out);
  ASSERT_EQ(records.size(), 2U) << r.out;
  EXPECT_NE(records[0].find(R"("status":"ok")"), std::string::npos) << records[0];
  // RFC 9068 §4, RFC 8725 §3.11: a type that is checked must be there.
  EXPECT_NE(records[1].find(R"("status":"typ_mismatch")"), std::string::npos) << records[1];
  // Without --typ a token needs no typ.
  const run_result any = run(fx.verify(file), fx.dir);
  EXPECT_EQ(any.exit_code, 0) << any.err;
}

// ---- item 4: help and version ------------------------------------------------------

TEST(CliFlags, HelpShowsLabelsRangesDefaultsAndExitCodes) {
  const std::string dir = fresh_dir("help");
  for (const std::string command : {"verify", "scan"}) {
    const run_result r = run(command + " --help", dir);
    EXPECT_EQ(r.exit_code, 0);
    const std::string& h = r.out;
    for (const std::string line : {
             "  --threads N                 Worker threads (0..1024; default 0 = one per core)\n",
             "  --cache-size N              Verified-token cache entries; 0 turns the cache off "
             "(0..16777216; default 65536)\n",
             "  --leeway N                  Clock skew allowed on exp, nbf and iat (0..86400 "
             "seconds; default 0)\n",
             "  --max-token-bytes N         Longest token accepted (1..16777216 bytes; default "
             "65536)\n",
             "  --format TEXT               ndjson, tsv, enrich (NDJSON in: each line with a "
             "\"jwt\" member added) or summary (default: ndjson)",
             "  --iss LIST                  Accepted issuers (default: any); repeat or "
             "comma-separate\n",
             "Exit codes:\n  0    nothing failed (also: no record at all, empty input)\n"
             "  1    at least one record is not ok\n",
             "  3    an input ended early (truncated or corrupt gzip or zstd)",
             "  129, 130, 143\n",
         }) {
      EXPECT_NE(h.find(line), std::string::npos) << command << " lacks:\n" << line << "\n" << h;
    }
    // CLI11's raw notes are gone: no C++ type names, no validator names, no DBL_MAX.
    for (const std::string noise : {" INT", "UINT", "NONNEGATIVE", "179769", "TEXT:{"}) {
      EXPECT_EQ(h.find(noise), std::string::npos) << command << " shows " << noise << "\n" << h;
    }
  }
  const run_result scan = run("scan --help", dir);
  EXPECT_NE(scan.out.find("  --syslog-year N             Year of syslog timestamps, which carry "
                          "none (1970..9999; default from the file's modification time)\n"),
            std::string::npos)
      << scan.out;
  const run_result gen = run("gen --help", dir);
  for (const std::string line :
       {"  --count N                   Output lines; a multiple of --repeat (1..1000000000000; "
        "default 1000)\n",
        "(default: valid=90,expired=5,forged=3,malformed=2)\n",
        "  --seed N                    Random seed (0..18446744073709551615; default 1)\n",
        "  --format FORMAT             tokens, access-log or json-log (default: tokens)\n"}) {
    EXPECT_NE(gen.out.find(line), std::string::npos) << line << "\n" << gen.out;
  }
  const run_result bench = run("bench --help", dir);
  EXPECT_NE(bench.out.find("  --threads N                 Threads of the \"all threads\" figures "
                           "(0..1024; default 0 = one per core)\n"),
            std::string::npos)
      << bench.out;
  EXPECT_EQ(bench.out.find("179769"), std::string::npos) << bench.out;
}

TEST(CliFlags, HelpCommandPrintsTheHelpOfTheProgramOrOfACommand) {
  const std::string dir = fresh_dir("help_command");
  const run_result all = run("help", dir);
  EXPECT_EQ(all.exit_code, 0) << all.err;
  EXPECT_EQ(all.out, run("--help", dir).out);
  EXPECT_EQ(all.out.rfind("jwtbatch: verify JSON Web Tokens in bulk\nUsage: jwtbatch ", 0), 0U)
      << all.out;
  for (const std::string command : {"verify", "scan", "gen", "bench", "keygen", "demo"}) {
    const run_result one = run("help " + command, dir);
    EXPECT_EQ(one.exit_code, 0) << command << one.err;
    EXPECT_EQ(one.out, run(command + " --help", dir).out) << command;
  }
  const run_result unknown = run("help nope", dir);
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_EQ(unknown.err, "jwtbatch: help: no command \"nope\" (see `jwtbatch help`)\n");
}

TEST(CliFlags, ParseErrorsCarryThePrefixAndExit2) {
  const std::string dir = fresh_dir("parse_errors");
  const run_result flag = run("verify --no-such-flag", dir);
  EXPECT_EQ(flag.exit_code, 2);
  EXPECT_EQ(flag.err,
            "jwtbatch: The following argument was not expected: --no-such-flag\n"
            "Run with --help for more information.\n");
  const run_result missing = run("gen --count 5", dir);
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_EQ(lines(missing.err).at(0), "jwtbatch: --jwks is required") << missing.err;
  const run_result twice = run("verify --threads 1 --threads 2", dir);
  EXPECT_EQ(twice.exit_code, 2);
  EXPECT_EQ(twice.err.rfind("jwtbatch: ", 0), 0U) << twice.err;
}

TEST(CliFlags, VersionNamesBoringSslBuildTypeAndSimdPaths) {
  const std::string dir = fresh_dir("version");
  const run_result r = run("--version", dir);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  const auto l = lines(r.out);
  ASSERT_EQ(l.size(), 5U) << r.out;
  EXPECT_EQ(l[0], "jwtbatch 0.1.0 (" JWTBATCH_TEST_BUILD_TYPE " build)");
  EXPECT_EQ(l[1], "BoringSSL: Debian android-platform-external-boringssl " JWTBATCH_TEST_BORINGSSL
                  ", built into the program");
  const simdjson::implementation* json = simdjson::get_active_implementation();
  EXPECT_EQ(l[2], "simdjson " + std::string(l[2].substr(9, l[2].find(':') - 9)) + ": " +
                      json->name() + " implementation (" + json->description() + ")");
  EXPECT_EQ(l[3], std::string("base64url: ") +
                      (detail::base64url_avx2_available() ? "AVX2" : "scalar") + " decoder");
  EXPECT_EQ(l[4].rfind("oneTBB ", 0), 0U) << l[4];
}

// ---- item 5: ending well -------------------------------------------------------------

TEST(CliFlags, ClosedStderrNeitherAbortsNorLeaksIntoAFile) {
  const fixture fx("closed_stderr");
  const std::string file = fx.tokens_file("t.txt", {fx.token(k_claims)});
  // An error whose message cannot be written: exit 2, not an abort (134).
  const run_result bad = run_sh("JWTBATCH verify --jwks " + fx.dir + "missing.jwks 2>&-", fx.dir);
  EXPECT_EQ(bad.exit_code, 2);
  // A run that succeeds keeps its exit code although its summary goes nowhere.
  const run_result ok = run_sh("JWTBATCH " + fx.verify(file) + " 2>&-", fx.dir);
  EXPECT_EQ(ok.exit_code, 0);
  EXPECT_EQ(lines(ok.out).size(), 1U) << ok.out;
  // With descriptor 2 closed, the first file opened would get it: gen's summary went
  // into its own output file.
  const run_result g = run_sh(
      "JWTBATCH gen --jwks " + fx.jwks + " --count 3 --out " + fx.dir + "c.txt 2>&-", fx.dir);
  EXPECT_EQ(g.exit_code, 0);
  const std::string corpus = read_file(fx.dir + "c.txt");
  EXPECT_EQ(lines(corpus).size(), 3U) << corpus;
  EXPECT_EQ(corpus.find("jwtbatch"), std::string::npos) << corpus;
}

TEST(CliFlags, BrokenStdoutEndsQuietlyWithExit0) {
  const fixture fx("broken_stdout");
  const std::vector<std::string> many(20000, fx.token(k_claims));
  const std::string file = fx.tokens_file("many.txt", many);
  for (const std::string& command : std::vector<std::string>{
           fx.verify(file), "scan --jwks " + fx.verify_jwks + " --allow-mixed-keys " + file,
           "gen --jwks " + fx.jwks + " --count 20000 --algs HS256", std::string("demo")}) {
    const std::string rc = fx.dir + "rc.txt";
    const std::string err = fx.dir + "err.txt";
    const run_result r = run_sh(
        "{ JWTBATCH " + command + " 2>" + err + "; echo $? >" + rc + "; } | head -c 1 >/dev/null",
        fx.dir);
    EXPECT_EQ(read_file(rc), "0\n") << command << "\n" << read_file(err);
    if (command == "demo") {  // its output may fit in the pipe: then it ends normally
      EXPECT_EQ(read_file(err).find("write"), std::string::npos) << read_file(err);
    } else {
      EXPECT_EQ(read_file(err), "") << command;
    }
  }
}

// `ulimit -f 1` with SIGXFSZ ignored: a write past the limit fails with EFBIG, as on a
// full disk, without any device node.
const char* const k_small_files = "trap \"\" XFSZ; ulimit -f 1; ";

TEST(CliFlags, DemoReportsAFailedWrite) {
  const std::string dir = fresh_dir("demo_write");
  const run_result r =
      run_sh(std::string(k_small_files) + "JWTBATCH demo >" + dir + "out.ndjson", dir);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_EQ(r.err, "jwtbatch: standard output: write failed: File too large\n");
}

TEST(CliFlags, GenReportsAFailedWriteAndLeavesNoFileBehind) {
  const fixture fx("gen_write");
  const std::string out_dir = fx.dir + "out/";
  ASSERT_EQ(::mkdir(out_dir.c_str(), 0755), 0);
  // --answers: the corpus goes to stdout (a pipe, not limited), the answer key fails.
  const run_result answers = run_sh(std::string(k_small_files) + "JWTBATCH gen --jwks " + fx.jwks +
                                        " --count 200 --answers " + out_dir + "a.ndjson",
                                    fx.dir);
  EXPECT_EQ(answers.exit_code, 2);
  EXPECT_EQ(answers.err,
            "jwtbatch: --answers " + out_dir + "a.ndjson: write failed: File too large\n");
  EXPECT_EQ(listing(out_dir), "");  // neither the file nor a temporary one
  // --out: no empty or partial corpus.
  const run_result corpus = run_sh(std::string(k_small_files) + "JWTBATCH gen --jwks " + fx.jwks +
                                       " --count 200 --out " + out_dir + "c.txt",
                                   fx.dir);
  EXPECT_EQ(corpus.exit_code, 2);
  EXPECT_EQ(corpus.err, "jwtbatch: --out " + out_dir + "c.txt: write failed: File too large\n");
  EXPECT_EQ(listing(out_dir), "");
  // An existing corpus is left as it was when the new one fails.
  write_file(out_dir + "c.txt", "previous\n");
  const run_result again = run_sh(std::string(k_small_files) + "JWTBATCH gen --jwks " + fx.jwks +
                                      " --count 200 --out " + out_dir + "c.txt",
                                  fx.dir);
  EXPECT_EQ(again.exit_code, 2);
  EXPECT_EQ(read_file(out_dir + "c.txt"), "previous\n");
  EXPECT_EQ(listing(out_dir), "c.txt\n");
  // Success replaces it whole.
  const run_result fine =
      run("gen --jwks " + fx.jwks + " --count 5 --out " + out_dir + "c.txt", fx.dir);
  EXPECT_EQ(fine.exit_code, 0) << fine.err;
  EXPECT_EQ(lines(read_file(out_dir + "c.txt")).size(), 5U);
  EXPECT_EQ(listing(out_dir), "c.txt\n");
}

TEST(CliFlags, GenAndBenchRefuseATargetThatIsNotARegularFile) {
  const fixture fx("not_regular");
  write_file(fx.dir + "precious.txt", "keep me\n");
  ASSERT_EQ(::symlink((fx.dir + "precious.txt").c_str(), (fx.dir + "link").c_str()), 0);
  ASSERT_EQ(::mkfifo((fx.dir + "fifo").c_str(), 0600), 0);
  for (const std::string target : {"link", "fifo"}) {
    const std::string path = fx.dir + target;
    // timeout: opening a FIFO for writing used to wait for a reader forever.
    const run_result g =
        run_sh("timeout 20 JWTBATCH gen --jwks " + fx.jwks + " --count 5 --out " + path, fx.dir);
    EXPECT_EQ(g.exit_code, 2) << target << g.err;
    EXPECT_EQ(g.err,
              "jwtbatch: --out " + path + ": exists and is not a regular file; not replaced\n");
    const run_result a = run_sh(
        "timeout 20 JWTBATCH gen --jwks " + fx.jwks + " --count 5 --answers " + path, fx.dir);
    EXPECT_EQ(a.exit_code, 2) << target << a.err;
    EXPECT_EQ(a.err,
              "jwtbatch: --answers " + path + ": exists and is not a regular file; not replaced\n");
    const run_result b = run_sh("timeout 20 JWTBATCH bench --algs HS256 --json " + path, fx.dir);
    EXPECT_EQ(b.exit_code, 2) << target << b.err;
    EXPECT_EQ(b.err,
              "jwtbatch: --json " + path + ": exists and is not a regular file; not replaced\n");
  }
  EXPECT_EQ(read_file(fx.dir + "precious.txt"), "keep me\n");
  struct stat st {};
  ASSERT_EQ(::lstat((fx.dir + "link").c_str(), &st), 0);
  EXPECT_TRUE(S_ISLNK(st.st_mode));
  // --out and --answers naming one file would lose one of them.
  const run_result same = run("gen --jwks " + fx.jwks + " --count 5 --out " + fx.dir +
                                  "x.txt --answers " + fx.dir + "./x.txt",
                              fx.dir);
  EXPECT_EQ(same.exit_code, 2);
  EXPECT_EQ(same.err, "jwtbatch: --answers " + fx.dir + "./x.txt: the same file as --out\n");
}

TEST(CliFlags, BenchJsonFailureLeavesNoFileBehind) {
  const std::string dir = fresh_dir("bench_json");
  const std::string out_dir = dir + "out/";
  ASSERT_EQ(::mkdir(out_dir.c_str(), 0755), 0);
  const run_result r = run_sh(std::string(k_small_files) +
                                  "JWTBATCH bench --algs HS256 --time-per-case 0.001 "
                                  "--repetitions 1 --threads 1 --json " +
                                  out_dir + "b.json",
                              dir);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_EQ(lines(r.err).back(),
            "jwtbatch: --json " + out_dir + "b.json: write failed: File too large")
      << r.err;
  EXPECT_EQ(listing(out_dir), "");
}

}  // namespace
}  // namespace jwtbatch
