// End-to-end checks of what a record says about a verdict: the claim a missing_claim
// or bad_claim_type is about (the record's "detail"), and a token with a byte outside
// the base64url alphabet reported as a format error, not as a forgery.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "cli_support.hpp"
#include "jwtbatch/key_set.hpp"
#include "jwtbatch/sign.hpp"

namespace jwtbatch {
namespace {

using test::cli_temp_path;
using test::lines;
using test::run;
using test::run_result;

// A 32-byte HMAC secret in a file, the key set it makes, and files of token lines.
struct hmac_fixture {
  std::string secret_path = cli_temp_path("verdict.secret");
  std::vector<std::string> written{secret_path};
  std::shared_ptr<const key_set> keys;

  hmac_fixture() {
    const std::string secret(32, 'k');
    std::ofstream(secret_path, std::ios::binary) << secret;
    key_set_builder b;
    b.add_secret(std::vector<std::uint8_t>(secret.begin(), secret.end()), "test", "k", alg::hs256);
    keys = b.build();
  }
  ~hmac_fixture() {
    for (const std::string& p : written) std::remove(p.c_str());
  }
  hmac_fixture(const hmac_fixture&) = delete;
  hmac_fixture& operator=(const hmac_fixture&) = delete;

  [[nodiscard]] std::string token(std::string_view claims) const {
    return sign_compact(*keys, "k", alg::hs256, claims);
  }
  std::string write(const std::string& name, const std::vector<std::string>& tokens) {
    const std::string path = cli_temp_path(name);
    std::ofstream out(path, std::ios::binary);
    for (const std::string& t : tokens) out << t << '\n';
    written.push_back(path);
    return path;
  }
  [[nodiscard]] std::string verify(const std::string& args) const {
    return "verify --secret-file " + secret_path + " --kid k --alg HS256 --at 1700000000 " + args;
  }
};

TEST(CliVerdict, MissingClaimRecordsNameTheClaim) {
  hmac_fixture fx;
  const std::string path = fx.write(
      "missing.txt", {fx.token(R"({"iss":"https://i.example","sub":"a","tenant":"t"})"),
                      fx.token(R"({"iss":"https://i.example","sub":"a"})"),
                      fx.token(R"({"sub":"a","tenant":"t"})"),
                      fx.token(R"({"iss":"https://i.example","tenant":"t","exp":"soon"})")});
  const run_result r =
      run(fx.verify("--iss https://i.example --require tenant --format ndjson " + path));
  EXPECT_EQ(r.exit_code, 1) << r.err;
  const auto records = lines(r.out);
  ASSERT_EQ(records.size(), 4U) << r.out;
  EXPECT_EQ(records[0].find("\"detail\""), std::string::npos) << records[0];
  EXPECT_NE(records[1].find(R"("status":"missing_claim","class":"claims","detail":"tenant",)"),
            std::string::npos)
      << records[1];
  EXPECT_NE(records[2].find(R"("status":"missing_claim","class":"claims","detail":"iss",)"),
            std::string::npos)
      << records[2];
  EXPECT_NE(records[3].find(R"("status":"bad_claim_type","class":"claims","detail":"exp",)"),
            std::string::npos)
      << records[3];
}

TEST(CliVerdict, ByteOutsideTheAlphabetIsAFormatErrorNotAForgery) {
  hmac_fixture fx;
  std::string spaced = fx.token(R"({"sub":"a"})");
  spaced[spaced.find('.') + 3] = ' ';  // in the payload
  std::string plus = fx.token(R"({"sub":"b"})");
  plus[plus.rfind('.') + 2] = '+';
  const run_result r = run(fx.verify("--format ndjson " + fx.write("spaced.txt", {spaced, plus})));
  EXPECT_EQ(r.exit_code, 1) << r.err;
  const auto records = lines(r.out);
  ASSERT_EQ(records.size(), 2U) << r.out;
  for (const std::string& rec : records) {
    EXPECT_NE(rec.find(R"("status":"bad_base64","class":"format","alg":"HS256","kid":"k",)"),
              std::string::npos)
        << rec;
    EXPECT_NE(rec.find(R"("label":"non_canonical_encoding")"), std::string::npos) << rec;
  }
}

// Nothing of the library's reaches stderr uninvited (in `scan --rsyslog` stderr is the
// reply channel): no accepted --threads makes TBB print a warning, and the summary
// says how many threads really ran (TBB runs no more than the process may use).
TEST(CliVerdict, NoAcceptedThreadCountMakesTbbWriteToStderr) {
  hmac_fixture fx;
  std::vector<std::string> tokens;
  for (int i = 0; i < 200; ++i) tokens.push_back(fx.token(R"({"n":)" + std::to_string(i) + "}"));
  const std::string path = fx.write("threads.txt", tokens);
  for (const char* threads : {"0", "1", "1024", "1023"}) {
    const run_result r = run(fx.verify(std::string("--threads ") + threads + " " + path));
    EXPECT_EQ(r.exit_code, 0) << threads << "\n" << r.err;
    EXPECT_EQ(lines(r.out).size(), 200U) << threads;
    EXPECT_EQ(r.err.find("TBB"), std::string::npos) << threads << "\n" << r.err;
    EXPECT_EQ(r.err.find("orkers"), std::string::npos) << threads << "\n" << r.err;
  }
}

}  // namespace
}  // namespace jwtbatch
