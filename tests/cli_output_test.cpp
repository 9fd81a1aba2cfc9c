// What `verify` and `scan` write, end to end: escaping of every string a token
// carries, TSV columns, bounded tallies, -q / -o / --summary-json, stopping on a
// signal, exit codes, and --rsyslog's silent stderr. Unit tests of the pieces behind
// them (append_text, cut_text, name_counts) come first.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <simdjson.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "cli_support.hpp"
#include "jwtbatch/key_set.hpp"
#include "jwtbatch/sign.hpp"
#include "record.hpp"

namespace jwtbatch {
namespace {

using namespace std::string_view_literals;
using test::lines;
using test::read_file;
using test::run;
using test::run_result;

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out(1);
  for (const char c : s) {
    if (c == sep) {
      out.emplace_back();
    } else {
      out.back() += c;
    }
  }
  return out;
}

// Typed reads of a parsed JSON document (simdjson without exceptions).
template <class T>
T get(simdjson::simdjson_result<simdjson::dom::element> e) {
  T value{};
  EXPECT_EQ(e.get(value), simdjson::SUCCESS);
  return value;
}
std::string minified(simdjson::simdjson_result<simdjson::dom::element> e) {
  simdjson::dom::element value;
  if (e.get(value) != simdjson::SUCCESS) return "<absent>";
  return simdjson::minify(value);
}

// ---------------------------------------------------------------------------------
// The pieces.

TEST(TextEscape, EveryByteThatCouldActIsEscaped) {
  using cli::escape_text;
  EXPECT_EQ(escape_text("hs-1 caf\xC3\xA9 \xF0\x9F\x94\x91"), "hs-1 caf\xC3\xA9 \xF0\x9F\x94\x91");
  EXPECT_EQ(escape_text("a\\b"), R"(a\\b)");
  EXPECT_EQ(escape_text("a\tb\nc\rd"), R"(a\tb\nc\rd)");
  EXPECT_EQ(escape_text("\x1b[31m\x07\x7f"sv), R"(\x1b[31m\x07\x7f)");
  EXPECT_EQ(escape_text("\0x"sv), R"(\x00x)");
  // C1 controls as UTF-8 (U+009B is CSI to some terminals), separators, bidi controls.
  EXPECT_EQ(escape_text("\xC2\x9B"
                        "2J"),
            R"(\u009b2J)");
  EXPECT_EQ(escape_text("\xE2\x80\xA8|\xE2\x80\xAE|\xE2\x81\xA6|\xD8\x9C"),
            R"(\u2028|\u202e|\u2066|\u061c)");
  // Bytes that are not UTF-8: each shown as itself in hex.
  EXPECT_EQ(escape_text("\xFF\xFE"), R"(\xff\xfe)");
  EXPECT_EQ(escape_text("\xC0\xAF"), R"(\xc0\xaf)");          // overlong '/'
  EXPECT_EQ(escape_text("\xED\xA0\x80"), R"(\xed\xa0\x80)");  // surrogate
  EXPECT_EQ(escape_text("\xE2\x82"), R"(\xe2\x82)");          // truncated
  EXPECT_EQ(escape_text("\x80"), R"(\x80)");                  // stray continuation
  // Quoted: a quote inside cannot close the name early.
  EXPECT_EQ(escape_text(R"(a"b)", true), R"("a\"b")");
  EXPECT_EQ(escape_text(R"(a"b)"), R"(a"b)");
  // Whatever goes in, nothing below 0x20 and no DEL comes out.
  std::string all;
  for (int c = 0; c < 256; ++c) all += static_cast<char>(c);
  for (const char c : escape_text(all, true)) {
    EXPECT_GE(static_cast<unsigned char>(c), 0x20U);
    EXPECT_NE(c, '\x7f');
  }
}

TEST(TextEscape, CutTextKeepsWholeCharacters) {
  using cli::cut_text;
  EXPECT_EQ(cut_text("abcdef", 4), "abcd");
  EXPECT_EQ(cut_text("abc", 4), "abc");
  EXPECT_EQ(cut_text("ab\xC3\xA9", 3), "ab");            // é is not split
  EXPECT_EQ(cut_text("\xF0\x9F\x94\x91x", 3), "");       // nor a 4-byte character
  EXPECT_EQ(cut_text("a\xFF\xFF\xFF", 3), "a\xFF\xFF");  // invalid bytes count one each
}

TEST(NameCounts, HoldsAtMostItsBoundWhateverTheInput) {
  cli::name_counts counts(256, 64);
  const std::string base(4096, 'k');
  for (int i = 0; i < 200000; ++i) counts.add(std::to_string(i) + base);
  EXPECT_EQ(counts.names_held(), 256U);
  EXPECT_EQ(counts.records(), 200000U);
  EXPECT_EQ(counts.other(), 200000U - 256U);
  for (const auto& e : counts.top(1000)) {
    EXPECT_LE(e.name.size(), 64U);
    EXPECT_TRUE(e.name_cut);
    EXPECT_EQ(e.records, 1U);
  }
  // A name held before the table filled keeps counting; ties are ordered by name.
  counts.add("0" + base);
  counts.add("0" + base);
  const auto top = counts.top(2);
  ASSERT_EQ(top.size(), 2U);
  EXPECT_EQ(top[0].name, ("0" + base).substr(0, 64));
  EXPECT_EQ(top[0].records, 3U);
  EXPECT_EQ(top[1].name, ("100" + base).substr(0, 64));
  EXPECT_EQ(counts.other(), 200000U - 256U);
}

TEST(TsvRows, HeaderAndEveryColumn) {
  std::string out;
  const std::vector<std::string> claims{"scope", "t\tx"};
  cli::append_tsv_header(out, claims);
  EXPECT_EQ(out,
            "line\tstatus\tclass\talg\tkid\tfp\tlabel\tfile\toffset\tiss\tsub\texp\tclaim.scope"
            "\tclaim.t\\tx\tat\tat_source\tencoding\n");
  result r;
  r.code = status::bad_signature;
  r.kid = "-";
  r.fingerprint.fill('0');
  cli::record_origin origin;
  origin.line = 7;
  origin.offset = 12;
  out.clear();
  cli::append_tsv(out, origin, r, claims);
  EXPECT_EQ(out,
            "7\tbad_signature\tsignature\t-\t\\-\t00000000000000000000000000000000\t-\t-\t12"
            "\t-\t-\t-\t-\t-\t-\t-\t-\n");
  // New columns come last, so the claims keep their places.
  origin.at = 1700000000.5;
  origin.at_source = "now";
  origin.percent_encoded = true;
  out.clear();
  cli::append_tsv(out, origin, r, claims);
  EXPECT_EQ(out,
            "7\tbad_signature\tsignature\t-\t\\-\t00000000000000000000000000000000\t-\t-\t12"
            "\t-\t-\t-\t-\t-\t1700000000.5\tnow\tpercent\n");
}

TEST(NdjsonRecords, TimeSourceAndEncodingFollowTheOffset) {
  result r;
  r.code = status::expired;
  r.fingerprint.fill('0');
  cli::record_origin origin;
  origin.line = 2;
  origin.file = "a.log";
  origin.offset = 5;
  origin.name = "n";
  std::string out;
  cli::append_record(out, origin, r);
  EXPECT_EQ(out,
            R"({"line":2,"file":"a.log","offset":5,"name":"n","status":"expired","class":"claims",)"
            R"("fp":"00000000000000000000000000000000"})"
            "\n");
  origin.percent_encoded = true;
  origin.at = 1700000000;
  origin.at_source = "line";
  out.clear();
  cli::append_record(out, origin, r);
  EXPECT_EQ(out, R"({"line":2,"file":"a.log","offset":5,"encoding":"percent","at":1700000000,)"
                 R"("at_source":"line","name":"n","status":"expired","class":"claims",)"
                 R"("fp":"00000000000000000000000000000000"})"
                 "\n");
  out.clear();
  cli::append_record_object(out, origin, r);
  EXPECT_EQ(out, R"({"offset":5,"encoding":"percent","at":1700000000,)"
                 R"("at_source":"line","name":"n","status":"expired","class":"claims",)"
                 R"("fp":"00000000000000000000000000000000"})");
}

// ---------------------------------------------------------------------------------
// The program.

std::string b64url(std::string_view in) {
  static constexpr char k[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const auto v = (static_cast<unsigned>(static_cast<unsigned char>(in[i])) << 16U) |
                   (static_cast<unsigned>(static_cast<unsigned char>(in[i + 1])) << 8U) |
                   static_cast<unsigned char>(in[i + 2]);
    out += k[(v >> 18U) & 63U];
    out += k[(v >> 12U) & 63U];
    out += k[(v >> 6U) & 63U];
    out += k[v & 63U];
  }
  if (i + 1 == in.size()) {
    const auto v = static_cast<unsigned>(static_cast<unsigned char>(in[i])) << 16U;
    out += k[(v >> 18U) & 63U];
    out += k[(v >> 12U) & 63U];
  } else if (i + 2 == in.size()) {
    const auto v = (static_cast<unsigned>(static_cast<unsigned char>(in[i])) << 16U) |
                   (static_cast<unsigned>(static_cast<unsigned char>(in[i + 1])) << 8U);
    out += k[(v >> 18U) & 63U];
    out += k[(v >> 12U) & 63U];
    out += k[(v >> 6U) & 63U];
  }
  return out;
}

// A JSON string literal holding `s` (\uXXXX for control bytes).
std::string json_string(std::string_view s) {
  std::string out = "\"";
  for (const char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20U) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned char>(c));
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

struct fixture {
  std::shared_ptr<const key_set> keys;
  std::string jwks_path;
  std::string dir = ::testing::TempDir();

  fixture() {
    const generated_key hs = generate_key(alg::hs256, "hs-1");
    key_set_builder b;
    b.add_jwks(hs.private_jwk, "hs");
    keys = b.build();
    jwks_path = write("keys.jwks", R"({"keys":[)" + hs.private_jwk + "]}");
  }
  [[nodiscard]] std::string path(const std::string& name) const {
    return dir + "cli_output_" + std::to_string(::getpid()) + "_" + name;
  }
  std::string write(const std::string& name, const std::string& content) const {
    const std::string p = path(name);
    test::write_file(p, content);
    return p;
  }
  // A genuine token of hs-1.
  [[nodiscard]] std::string token(const std::string& claims) const {
    return sign_compact(*keys, "hs-1", alg::hs256, claims);
  }
  // A token signed with hs-1 whose header names another kid: nobody's (key_not_found).
  [[nodiscard]] std::string with_kid(std::string_view kid) const {
    return sign_compact(*keys, "hs-1", alg::hs256, R"({"sub":"x"})",
                        R"({"alg":"HS256","kid":)" + json_string(kid) + "}");
  }
  // A token no key signed (a made-up HS256 MAC) whose header carries `kid`.
  static std::string forged_with_kid(std::string_view kid) {
    return b64url(R"({"alg":"HS256","kid":)" + json_string(kid) + "}") + "." +
           b64url(R"({"sub":"admin"})") + "." + b64url(std::string(32, 'm'));
  }
  [[nodiscard]] std::string args(const std::string& command, const std::string& rest) const {
    return command + " --jwks " + jwks_path + " --at 1700000000 " + rest;
  }
};

bool has_raw_control(const std::string& text) {
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if ((u < 0x20U && c != '\n') || u == 0x7FU) return true;
  }
  return false;
}

TEST(CliOutputEscaping, TsvKidCannotInjectARow) {
  const fixture fx;
  // The kid tries to end the row and add a fake "ok" one.
  const std::string evil = "x\t-\t-\t-\t-\t-\t-\t-\t-\t-\n2\tok\tok\tHS256\ths-1";
  const std::string path = fx.write("inject.txt", fixture::forged_with_kid(evil) + "\n");
  const run_result r = run(fx.args("verify", "--format tsv " + path));
  EXPECT_EQ(r.exit_code, 1) << r.err;
  const auto rows = lines(r.out);
  ASSERT_EQ(rows.size(), 2U) << r.out;  // the header and one row
  const auto fields = split(rows[1], '\t');
  ASSERT_EQ(fields.size(), 15U) << rows[1];
  EXPECT_EQ(fields[0], "1");
  EXPECT_EQ(fields[1], "key_not_found");
  EXPECT_EQ(fields[4], R"(x\t-\t-\t-\t-\t-\t-\t-\t-\t-\n2\tok\tok\tHS256\ths-1)");
  EXPECT_EQ(fields[6], "kid_injection");  // the label
}

TEST(CliOutputEscaping, SummaryAndRsyslogLogShowKidsAndIssuersEscaped) {
  const fixture fx;
  const std::string esc_kid =
      "\x1b]0;owned\x07\x1b[2J\xC2\x9B"
      "31m";
  // A genuine token whose issuer is hostile too (issuers are shown for verified ones).
  const std::string input = fx.with_kid(esc_kid) + "\n" + fixture::forged_with_kid("a\nb") + "\n" +
                            fx.token(R"({"iss":"https://i.example/\u001b[5m"})") + "\n";
  const std::string path = fx.write("escape.txt", input);
  const run_result r = run(fx.args("verify", "--format summary " + path));
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_FALSE(has_raw_control(r.err)) << r.err;
  EXPECT_NE(r.err.find(R"("\x1b]0;owned\x07\x1b[2J\u009b31m")"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(R"("a\nb")"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(R"("https://i.example/\x1b[5m")"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("by kid (signature verified):\n  \"hs-1\""), std::string::npos) << r.err;

  const std::string log = fx.path("plugin.log");
  const run_result plugin = run(fx.args("scan", "--rsyslog --rsyslog-log " + log + " < " + path));
  EXPECT_EQ(plugin.exit_code, 0) << plugin.err;
  EXPECT_EQ(lines(plugin.out).size(), 3U);
  const std::string logged = read_file(log);
  EXPECT_FALSE(has_raw_control(logged)) << logged;
  EXPECT_NE(logged.find(R"("\x1b]0;owned\x07\x1b[2J\u009b31m")"), std::string::npos) << logged;
  std::remove(log.c_str());
}

TEST(CliOutputTsv, HeaderFileOffsetClaimsTellTwoTokensOnALineApart) {
  const fixture fx;
  const std::string t = fx.token(
      R"({"iss":"https://i.example","sub":"u\t1","exp":1800000000,"scope":"a b","n":[1, 2]})");
  std::string forged = t;
  forged[t.rfind('.') + 3] = forged[t.rfind('.') + 3] == 'A' ? 'B' : 'A';
  const std::string line = "GET /?access_token=" + t + " Bearer " + forged;
  const std::string a = fx.write("a.log", line + "\n");
  const std::string b = fx.write("b.log", "none here\n" + line + "\n");
  const run_result r = run(fx.args("scan", "--format tsv --claims scope,n,absent " + a + " " + b));
  EXPECT_EQ(r.exit_code, 1) << r.err;
  const auto rows = lines(r.out);
  ASSERT_EQ(rows.size(), 5U) << r.out;
  EXPECT_EQ(rows[0],
            "line\tstatus\tclass\talg\tkid\tfp\tlabel\tfile\toffset\tiss\tsub\texp\tclaim.scope\t"
            "claim.n\tclaim.absent\tat\tat_source\tencoding");
  const std::size_t first = line.find("eyJ");
  const std::size_t second = line.find("Bearer ") + 7;
  for (std::size_t i = 1; i <= 4; ++i) {
    const auto f = split(rows[i], '\t');
    ASSERT_EQ(f.size(), 18U) << rows[i];
    EXPECT_EQ(f[7], i <= 2 ? a : b);
    EXPECT_EQ(f[0], i <= 2 ? "1" : "2");
    EXPECT_EQ(f[8], std::to_string(i % 2 == 1 ? first : second));
    if (i % 2 == 1) {  // the genuine token: its claims
      EXPECT_EQ(f[1], "ok");
      EXPECT_EQ(f[9], "https://i.example");
      EXPECT_EQ(f[10], R"(u\t1)");
      EXPECT_EQ(f[11], "1800000000");
      EXPECT_EQ(f[12], R"("a b")");
      EXPECT_EQ(f[13], "[1,2]");
      EXPECT_EQ(f[14], "-");
    } else {  // the forged copy: nothing it says
      EXPECT_EQ(f[1], "bad_signature");
      for (std::size_t c = 9; c <= 14; ++c) EXPECT_EQ(f[c], "-") << c;
    }
  }
}

// One row of a summary table, as print_summary lays it out.
std::string summary_row(const std::string& name, std::uint64_t count) {
  std::string row = "  " + name;
  if (name.size() < 28) row.append(28 - name.size(), ' ');
  const std::string n = std::to_string(count);
  row += ' ';
  row.append(n.size() < 12 ? 12 - n.size() : 0, ' ');
  return row + n;
}

TEST(CliOutputTallies, FortyThousandDistinct4KbKidsStayBounded) {
  const fixture fx;
  // 40,000 distinct 4 KB kids (unverified), then genuine tokens: held names are
  // bounded, the real kid still has its row, and the summary says it was cut. The
  // same volume with one kid repeated is the baseline: memory must not grow with the
  // number of distinct kids (an absolute bound would not hold under ASan, whose
  // shadow memory and quarantine grow with what is allocated at all).
  const auto write_kids = [&](const std::string& path, bool distinct) {
    std::FILE* f = std::fopen(path.c_str(), "wb");
    ASSERT_NE(f, nullptr);
    const std::string pad(4096, 'k');
    for (int i = 0; i < 40000; ++i) {
      const std::string t = fixture::forged_with_kid(std::to_string(distinct ? i : 0) + pad) + "\n";
      std::fwrite(t.data(), 1, t.size(), f);
    }
    const std::string good = fx.token("{}") + "\n";
    for (int i = 0; i < 3; ++i) std::fwrite(good.data(), 1, good.size(), f);
    std::fclose(f);
  };
  // Runs verify over `in` with the summary in `json`; the child's peak RSS in KiB.
  const auto peak_rss = [&](const std::string& in, const std::string& json) -> long {
    const pid_t pid = ::fork();
    EXPECT_GE(pid, 0);
    if (pid == 0) {
      const int out = ::open("/dev/null", O_WRONLY);
      const std::string err_path = json + ".err";
      const int err = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      ::dup2(out, 1);
      ::dup2(err, 2);
      ::execl(JWTBATCH_CLI_PATH, JWTBATCH_CLI_PATH, "verify", "--jwks", fx.jwks_path.c_str(),
              "--format", "summary", "--cache-size", "0", "--summary-json", json.c_str(),
              in.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    int status = 0;
    rusage usage{};
    EXPECT_EQ(::wait4(pid, &status, 0, &usage), pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 1) << status;
    return usage.ru_maxrss;
  };
  const std::string in = fx.path("kids.txt");
  const std::string same = fx.path("same_kid.txt");
  write_kids(in, true);
  write_kids(same, false);
  const std::string json = fx.path("kids.json");
  const long distinct_rss = peak_rss(in, json);
  const long baseline_rss = peak_rss(same, fx.path("same_kid.json"));
  // 40,000 x 4 KB of kids held would be over 160 MB more than the baseline.
  EXPECT_LT(distinct_rss, baseline_rss + 40L * 1024)
      << "max RSS in KiB: " << distinct_rss << " distinct kids, " << baseline_rss << " one kid";
  const std::string err = read_file(json + ".err");
  EXPECT_NE(err.find("by kid (signature verified):\n" + summary_row("\"hs-1\"", 3) + "\n"),
            std::string::npos)
      << err.substr(0, 2000);
  EXPECT_NE(err.find(summary_row("(other)", 39980) +
                     "  (cut: 256 names held at most, 39744 more records under other names)\n"),
            std::string::npos)
      << err.substr(0, 4000);
  // The first kid held, cut to 64 bytes, the mark outside its quotes.
  EXPECT_NE(err.find(summary_row("\"0" + std::string(63, 'k') + "\"...", 1)), std::string::npos)
      << err.substr(0, 4000);
  EXPECT_LT(err.size(), 8000U);

  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  const std::string text = read_file(json);
  ASSERT_EQ(parser.parse(text).get(doc), simdjson::SUCCESS) << text.substr(0, 300);
  EXPECT_EQ(get<std::uint64_t>(doc["records"]), 40003U);
  EXPECT_EQ(get<std::uint64_t>(doc["ok"]), 3U);
  EXPECT_EQ(get<bool>(doc["by_kid"]["not_verified"]["cut"]), true);
  EXPECT_EQ(get<std::uint64_t>(doc["by_kid"]["not_verified"]["other_records"]), 39744U);
  EXPECT_EQ(get<simdjson::dom::array>(doc["by_kid"]["not_verified"]["names"]).size(), 256U);
  EXPECT_EQ(get<bool>(doc["by_kid"]["verified"]["cut"]), false);
  EXPECT_EQ(minified(doc["by_kid"]["verified"]["names"]), R"([{"name":"hs-1","records":3}])");
  std::remove(in.c_str());
  std::remove(json.c_str());
  std::remove((json + ".err").c_str());
}

TEST(CliOutputFlags, QuietOutputFileAndSummaryJson) {
  const fixture fx;
  const std::string good = fx.token(R"({"iss":"https://i.example"})");
  const std::string path = fx.write("flags.txt", good + "\nnot a token\n");
  const std::string out = fx.path("records.ndjson");
  const std::string json = fx.path("summary.json");

  const run_result q = run(fx.args("verify", "-q " + path));
  EXPECT_EQ(q.exit_code, 1);
  EXPECT_EQ(lines(q.out).size(), 2U);
  EXPECT_EQ(q.err, "");

  const run_result o =
      run(fx.args("verify", "-o " + out + " --summary-json " + json + " --threads 2 " + path));
  EXPECT_EQ(o.exit_code, 1) << o.err;
  EXPECT_EQ(o.out, "");
  EXPECT_NE(o.err.find("2 records, 1 ok, 1 not ok"), std::string::npos) << o.err;
  const auto records = lines(read_file(out));
  ASSERT_EQ(records.size(), 2U);
  EXPECT_EQ(records[0].rfind(R"({"line":1,"status":"ok","class":"ok","alg":"HS256",)", 0), 0U);

  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  const std::string text = read_file(json);
  ASSERT_EQ(parser.parse(text).get(doc), simdjson::SUCCESS) << text;
  EXPECT_EQ(get<std::string_view>(doc["command"]), "verify");
  EXPECT_EQ(get<std::uint64_t>(doc["records"]), 2U);
  EXPECT_EQ(get<std::uint64_t>(doc["ok"]), 1U);
  EXPECT_EQ(get<std::uint64_t>(doc["not_ok"]), 1U);
  EXPECT_EQ(get<std::int64_t>(doc["exit_code"]), 1);
  EXPECT_EQ(get<std::int64_t>(doc["threads"]), 2);
  EXPECT_EQ(minified(doc["stopped_by"]), "null");
  EXPECT_EQ(minified(doc["by_status"]), R"({"bad_segments":1,"ok":1})");
  EXPECT_EQ(minified(doc["by_class"]), R"({"format":1,"ok":1})");
  EXPECT_EQ(minified(doc["by_issuer"]),
            R"({"names":[{"name":"https://i.example","records":1}],"other_records":0,)"
            R"("cut":false})");
  EXPECT_EQ(minified(doc["cache"]),
            R"({"hits":0,"misses":2,"entries":0,"evictions":0,"seen_once":1})");
  EXPECT_EQ(lines(text).size(), 1U);

  // -o through a symlink writes the file it points to; the link stays a link.
  const std::string link = fx.path("link.ndjson");
  std::remove(link.c_str());
  ASSERT_EQ(::symlink(out.c_str(), link.c_str()), 0);
  const run_result via = run(fx.args("verify", "-q --format tsv -o " + link + " " + path));
  EXPECT_EQ(via.exit_code, 1) << via.err;
  struct stat st {};
  ASSERT_EQ(::lstat(link.c_str(), &st), 0);
  EXPECT_TRUE(S_ISLNK(st.st_mode));
  EXPECT_EQ(lines(read_file(out)).size(), 3U);  // header and two rows

  // An output that is an input (by any spelling) or the other output: refused, the
  // input untouched.
  const std::string before = read_file(path);
  const std::string dir_spelling = fx.dir + "./" + path.substr(fx.dir.size());
  for (const auto& [flags, message] : std::vector<std::pair<std::string, std::string>>{
           {"-o " + dir_spelling, "--output " + dir_spelling + ": is also an input"},
           {"--summary-json " + path, "--summary-json " + path + ": is also an input"},
           {"-o " + out + " --summary-json " + link, "is the same file as --output"},
           {"-o " + fx.dir, "--output " + fx.dir + ": "},
           {"-o /nonexistent-dir/x", "--output /nonexistent-dir/x: cannot open"},
           {"--output=", "--output"},
           {"--summary-json ''", "--summary-json"}}) {
    const run_result bad = run(fx.args("verify", flags + " " + path));
    EXPECT_EQ(bad.exit_code, 2) << flags << "\n" << bad.err;
    EXPECT_EQ(bad.out, "") << flags;
    EXPECT_NE(bad.err.find(message), std::string::npos) << flags << "\n" << bad.err;
    EXPECT_EQ(read_file(path), before) << flags;
  }
  const run_result rs = run(fx.args("scan", "--rsyslog -o " + out));
  EXPECT_EQ(rs.exit_code, 2);
  EXPECT_NE(rs.err.find("--output"), std::string::npos) << rs.err;
  std::remove(link.c_str());
  std::remove(out.c_str());
  std::remove(json.c_str());
}

TEST(CliOutputExitCodes, NothingFailedIsZeroAndATruncatedInputIsThree) {
  const fixture fx;
  const std::string none = fx.write("no-token.log", "GET / 200\nPOST /x 500\n");
  const std::string empty = fx.write("empty.log", "");
  for (const std::string cmd : {"scan", "verify"}) {
    const run_result e = run(fx.args(cmd, empty));
    EXPECT_EQ(e.exit_code, 0) << cmd << "\n" << e.err;
    EXPECT_EQ(e.out, "") << cmd;
  }
  const run_result s = run(fx.args("scan", none));
  EXPECT_EQ(s.exit_code, 0) << s.err;
  EXPECT_NE(s.err.find("2 lines, 2 without a token"), std::string::npos) << s.err;
  const run_result stdin_empty = run(fx.args("scan", "--format tsv"));
  EXPECT_EQ(stdin_empty.exit_code, 0) << stdin_empty.err;
  EXPECT_EQ(stdin_empty.out,
            "line\tstatus\tclass\talg\tkid\tfp\tlabel\tfile\toffset\tiss\tsub\texp\tat\tat_source\t"
            "encoding\n");

  std::string input;
  for (int i = 0; i < 2000; ++i) input += fx.token(R"({"n":)" + std::to_string(i) + "}") + "\n";
  const std::string path = fx.write("cut.txt", input);
  ASSERT_EQ(std::system(("gzip -kf " + path + " && zstd -qf " + path + " -o " + path +
                         ".zst && head -c 20000 " + path + ".gz > " + path + ".cut.gz && head -c " +
                         "-1000 " + path + ".zst > " + path + ".cut.zst")
                            .c_str()),
            0);
  for (const std::string cmd : {"verify", "scan"}) {
    for (const auto& [file, message] : std::vector<std::pair<std::string, std::string>>{
             {path + ".cut.gz", "truncated gzip stream"},
             {path + ".cut.zst", "truncated zstd stream"}}) {
      const run_result r =
          run(fx.args(cmd, "--format tsv --summary-json " + path + ".json " + file));
      EXPECT_EQ(r.exit_code, 3) << cmd << " " << file << "\n" << r.err;
      EXPECT_NE(r.err.find(file + ": " + message), std::string::npos) << r.err;
      const auto rows = lines(r.out);
      EXPECT_GT(rows.size(), 10U) << cmd << " " << file;
      const std::string json = read_file(path + ".json");
      EXPECT_NE(json.find(R"("exit_code":3,"stopped_by":null,"inputs_damaged":1)"),
                std::string::npos)
          << json.substr(0, 300);
    }
  }
  for (const char* suffix : {".gz", ".zst", ".cut.gz", ".cut.zst", ".json"}) {
    std::remove((path + suffix).c_str());
  }
}

// ---------------------------------------------------------------------------------
// Signals: the program reads from a FIFO the test writes to, then gets a signal.

struct running {
  pid_t pid = -1;
  std::string out_path, err_path;
};

// Starts the program with `args`; its stdin is `stdin_path` (opened by the child, so
// a FIFO's open waits for the test's writer), stdout and stderr go to files.
running start(const fixture& fx, const std::string& name, const std::vector<std::string>& args,
              const std::string& stdin_path, int stdout_fd = -1) {
  running r;
  r.out_path = fx.path(name + ".out");
  r.err_path = fx.path(name + ".err");
  std::vector<std::string> all{JWTBATCH_CLI_PATH};
  all.insert(all.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& a : all) argv.push_back(a.data());
  argv.push_back(nullptr);
  r.pid = ::fork();
  if (r.pid == 0) {
    const int in = ::open(stdin_path.c_str(), O_RDONLY);
    const int out =
        stdout_fd >= 0 ? stdout_fd : ::open(r.out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const int err = ::open(r.err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (in < 0 || out < 0 || err < 0) ::_exit(126);
    ::dup2(in, 0);
    ::dup2(out, 1);
    ::dup2(err, 2);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  return r;
}

int wait_exit(pid_t pid) {
  int status = 0;
  if (::waitpid(pid, &status, 0) != pid) return -1000;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
}

// Waits until `path` has at least `bytes` bytes (or a few seconds have passed).
void wait_for_size(const std::string& path, off_t bytes) {
  for (int i = 0; i < 1000; ++i) {
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0 && st.st_size >= bytes) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

// Waits until `path` has not grown for half a second: what the program had read is
// answered (and what it holds back is less than one block).
void wait_until_still(const std::string& path) {
  off_t last = -1;
  for (int still = 0, i = 0; still < 5 && i < 100; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    struct stat st {};
    const off_t now = ::stat(path.c_str(), &st) == 0 ? st.st_size : -1;
    still = now == last ? still + 1 : 0;
    last = now;
  }
}

struct signal_case {
  std::string name;
  std::vector<std::string> args;
  bool file_argument;  // the FIFO is a FILE argument (else stdin)
  int signal;
  int exit_code;
  const char* summary;  // where the summary goes: "err" or a log file
};

class CliOutputSignals : public ::testing::TestWithParam<int> {};

TEST_P(CliOutputSignals, StopWithWholeRecordsASummaryAndOneTwentyEightPlusTheSignal) {
  const fixture fx;
  const std::string fifo = fx.path("fifo" + std::to_string(GetParam()));
  std::remove(fifo.c_str());
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  const std::string log = fx.path("signal.log");
  std::remove(log.c_str());
  const std::string jwks = fx.jwks_path;
  const std::vector<signal_case> cases{
      {"verify-int",
       {"verify", "--jwks", jwks, "--threads", "2", fifo},
       true,
       SIGINT,
       130,
       "jwtbatch verify: "},
      {"verify-field-term",
       {"verify", "--jwks", jwks, "--field", "jwt", "--summary-json", fifo + ".json", fifo},
       true,
       SIGTERM,
       143,
       "jwtbatch verify: "},
      // SIGHUP reloads the keys of a scan reading a pipe (tests/keys/remote_keys_test.py,
      // reload), so SIGINT here.
      {"scan-int", {"scan", "--jwks", jwks, "--format", "tsv"}, false, SIGINT, 130, "tokens: "},
      {"rsyslog-term",
       {"scan", "--rsyslog", "--jwks", jwks, "--rsyslog-log", log},
       false,
       SIGTERM,
       143,
       "tokens: "},
  };
  const signal_case& c = cases.at(static_cast<std::size_t>(GetParam()));
  const bool field = c.name.find("field") != std::string::npos;
  const bool rsyslog = c.name.find("rsyslog") != std::string::npos;
  const running proc = start(fx, c.name, c.args, c.file_argument ? "/dev/null" : fifo);
  // Open the FIFO's writing end once the program has opened its reading end; a
  // program that ended before (a usage error) is a failure, not a hang.
  int w = -1;
  for (int i = 0; i < 1000 && w < 0; ++i) {
    w = ::open(fifo.c_str(), O_WRONLY | O_NONBLOCK);
    if (w >= 0) break;
    int status = 0;
    ASSERT_EQ(::waitpid(proc.pid, &status, WNOHANG), 0) << c.name << " ended early:\n"
                                                        << read_file(proc.err_path);
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_GE(w, 0);
  ASSERT_EQ(::fcntl(w, F_SETFL, 0), 0);  // blocking writes from here on
  // 3000 whole lines, then half a token without its end: it must not become a record.
  const std::string t = fx.token(R"({"sub":"s"})");
  std::string data;
  for (int i = 0; i < 3000; ++i) {
    data += field ? R"({"jwt":")" + t + "\"}\n"
                  : (rsyslog || c.name == "scan-int" ? "Bearer " : "") + t + "\n";
  }
  data += field ? R"({"jwt":")" + t.substr(0, 20) : t.substr(0, t.size() / 2);
  for (std::size_t done = 0; done < data.size();) {
    const ssize_t n = ::write(w, data.data() + done, data.size() - done);
    ASSERT_GT(n, 0);
    done += static_cast<std::size_t>(n);
  }
  // Everything whole has been read and answered once the output holds 3000 records.
  const std::size_t record_bytes = c.name == "scan-int" ? 3000 * 60 : 3000 * (rsyslog ? 40 : 90);
  wait_for_size(proc.out_path, static_cast<off_t>(record_bytes / 4));
  wait_until_still(proc.out_path);
  // What was written before the signal is a floor: a stop never takes records back.
  const std::string before = read_file(proc.out_path);
  const auto written_before = static_cast<std::size_t>(
      std::count(before.begin(), before.end(), '\n') - (c.name == "scan-int" ? 1 : 0));
  ASSERT_EQ(::kill(proc.pid, c.signal), 0);
  const int code = wait_exit(proc.pid);
  ::close(w);
  EXPECT_EQ(code, c.exit_code) << c.name << "\n" << read_file(proc.err_path);

  const std::string out = read_file(proc.out_path);
  ASSERT_FALSE(out.empty());
  EXPECT_EQ(out.back(), '\n') << c.name << ": the last record is torn";
  auto records = lines(out);
  if (c.name == "scan-int") records.erase(records.begin());  // the TSV header
  simdjson::dom::parser parser;
  for (std::size_t i = 0; i < records.size(); ++i) {
    if (c.name == "scan-int") {
      ASSERT_EQ(records[i].rfind(std::to_string(i + 1) + "\tok\t", 0), 0U) << records[i];
      continue;
    }
    simdjson::dom::element doc;
    ASSERT_EQ(parser.parse(records[i]).get(doc), simdjson::SUCCESS) << records[i];
    if (!rsyslog) {
      EXPECT_EQ(get<std::uint64_t>(doc["line"]), i + 1);
      ASSERT_EQ(get<std::string_view>(doc["status"]), "ok") << records[i];
    }
  }
  // Every whole line read before the signal has its record (all of them, once the
  // output stood still; on a loaded machine the program may not have read the last
  // ones yet), the unfinished line none: records are consecutive and all ok above.
  EXPECT_GE(records.size(), written_before) << c.name;
  EXPECT_GT(records.size(), 0U) << c.name;
  EXPECT_LE(records.size(), 3000U) << c.name;
  const std::string summary = rsyslog ? read_file(log) : read_file(proc.err_path);
  EXPECT_NE(summary.find(c.summary + std::to_string(records.size()) + " records, " +
                         std::to_string(records.size()) + " ok, 0 not ok"),
            std::string::npos)
      << summary;
  const char* name = c.signal == SIGINT ? "SIGINT" : c.signal == SIGTERM ? "SIGTERM" : "SIGHUP";
  EXPECT_NE(summary.find(std::string("stopped by ") + name +
                         ": input not read to its end; exit "
                         "code " +
                         std::to_string(c.exit_code)),
            std::string::npos)
      << summary;
  if (rsyslog) {
    EXPECT_EQ(read_file(proc.err_path), "");
  }
  if (field) {
    const std::string json = read_file(fifo + ".json");
    EXPECT_NE(json.find(R"("exit_code":143,"stopped_by":"SIGTERM")"), std::string::npos) << json;
    std::remove((fifo + ".json").c_str());
  }
  std::remove(fifo.c_str());
  std::remove(log.c_str());
  std::remove(proc.out_path.c_str());
  std::remove(proc.err_path.c_str());
}

INSTANTIATE_TEST_SUITE_P(Cases, CliOutputSignals, ::testing::Values(0, 1, 2, 3));

// A program stuck writing to a reader that does not read cannot finish its stop: a
// second signal ends it at once, by that signal.
TEST(CliOutputSignalsTwice, ASecondSignalEndsAtOnce) {
  const fixture fx;
  std::string input;
  const std::string t = fx.token("{}");
  for (int i = 0; i < 20000; ++i) input += t + "\n";  // far more records than a pipe holds
  const std::string path = fx.write("twice.txt", input);
  int out[2] = {-1, -1};
  ASSERT_EQ(::pipe(out), 0);
  const running proc =
      start(fx, "twice", {"verify", "--jwks", fx.jwks_path, path}, "/dev/null", out[1]);
  ::close(out[1]);
  // The program fills the pipe and blocks; the first signal asks it to stop, but the
  // records it holds cannot be written while nobody reads.
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  ASSERT_EQ(::kill(proc.pid, SIGINT), 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  int status = 0;
  EXPECT_EQ(::waitpid(proc.pid, &status, WNOHANG), 0) << "ended without its records written";
  ASSERT_EQ(::kill(proc.pid, SIGINT), 0);
  EXPECT_EQ(wait_exit(proc.pid), -SIGINT);
  ::close(out[0]);
  std::remove(path.c_str());
  std::remove(proc.err_path.c_str());
}

TEST(CliOutputRsyslog, NothingReachesStderrNotEvenTheLibrarys) {
  const fixture fx;
  const std::string log = fx.path("quiet.log");
  const std::string input = fx.write("quiet.txt", "Bearer " + fx.token("{}") + "\nnone\n");
  // oneTBB warns on stderr when asked for more workers than it allows.
  const run_result r =
      run(fx.args("scan", "--rsyslog --threads 1000 --rsyslog-log " + log + " < " + input));
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.err, "");
  EXPECT_EQ(lines(r.out).size(), 2U);
  EXPECT_NE(read_file(log).find("jwtbatch scan --rsyslog: 2 messages"), std::string::npos);
  // Without --rsyslog-log: nowhere.
  const run_result none = run(fx.args("scan", "--rsyslog --threads 1000 < " + input));
  EXPECT_EQ(none.err, "");
  // A configuration error still reaches stderr: it is how rsyslog reports it.
  const run_result bad = run("scan --rsyslog --jwks /nonexistent.jwks < " + input);
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("jwtbatch: "), std::string::npos);
  std::remove(log.c_str());
}

}  // namespace
}  // namespace jwtbatch
