// rsyslog_test: `jwtbatch scan --rsyslog`, the rsyslog mmexternal plugin: the reply
// format and the fulljson reader (rsyslog.hpp), then the program itself over pipes as
// rsyslog drives it: one reply per message, in order, each before the next message is
// sent, with an empty environment, through garbage and a line over the 16 MiB cut.
// (tests/rsyslog/rsyslog_integration.sh runs it under a real rsyslogd.)
#include "rsyslog.hpp"

#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <simdjson.h>

#include "cli_support.hpp"
#include "jwtbatch/key_set.hpp"
#include "jwtbatch/policy.hpp"
#include "jwtbatch/sign.hpp"
#include "jwtbatch/verifier.hpp"

namespace jwtbatch::cli {
namespace {

using test::cli_temp_path;
using test::lines;

constexpr double k_now = 1700000000;

// One HS256 key, its JWKS file, and tokens signed with it.
struct keys_fixture {
  std::shared_ptr<const key_set> keys;
  std::string jwks_path = cli_temp_path("rsyslog.jwks");
  keys_fixture() {
    const generated_key hs = generate_key(alg::hs256, "k\"1");  // a quote to escape
    key_set_builder b;
    b.add_jwks(hs.private_jwk, "test");
    keys = b.build();
    std::FILE* f = std::fopen(jwks_path.c_str(), "wb");
    EXPECT_NE(f, nullptr);
    if (f != nullptr) {
      std::fwrite(hs.private_jwk.data(), 1, hs.private_jwk.size(), f);
      std::fclose(f);
    }
  }
  ~keys_fixture() { std::remove(jwks_path.c_str()); }
  keys_fixture(const keys_fixture&) = delete;
  keys_fixture& operator=(const keys_fixture&) = delete;

  [[nodiscard]] std::string token(const std::string& claims) const {
    return sign_compact(*keys, "k\"1", alg::hs256, claims);
  }
  [[nodiscard]] result verify(std::string_view token) const {
    policy p;
    p.fixed_time = k_now;
    const verifier v(keys, p);
    result r;
    v.verify_at(token, k_now, r);
    return r;
  }
};

std::string reply(std::span<const result> tokens, bool cut = false) {
  std::string out;
  append_rsyslog_reply(out, tokens, cut);
  return out;
}

TEST(RsyslogReply, MessageWithoutTokenSetsCountZero) {
  EXPECT_EQ(reply({}), "{\"$!\":{\"jwt\":{\"count\":0,\"ok\":0}}}\n");
  EXPECT_EQ(reply({}, true), "{\"$!\":{\"jwt\":{\"count\":0,\"ok\":0,\"cut\":true}}}\n");
}

TEST(RsyslogReply, OneTokenCarriesItsVerdictAndClaims) {
  const keys_fixture fx;
  const result r = fx.verify(fx.token(R"({"iss":"i\n1","sub":"u1","exp":1700003600})"));
  ASSERT_EQ(r.code, status::ok);
  EXPECT_EQ(
      reply(std::span(&r, 1)),
      std::string(R"({"$!":{"jwt":{"count":1,"ok":1,"status":"ok","class":"ok",)") +
          R"("alg":"HS256","kid":"k\"1","iss":"i\u000a1","sub":"u1","exp":1700003600,"fp":")" +
          std::string(r.fingerprint_hex()) + "\"}}}\n");
}

TEST(RsyslogReply, SeveralTokensListEveryVerdictAndForgeriesShowNoClaims) {
  const keys_fixture fx;
  const std::string good = fx.token(R"({"sub":"u1","exp":1700003600.5})");
  std::string forged = fx.token(R"({"sub":"u2"})");
  forged.back() = forged.back() == 'A' ? 'Q' : 'A';
  const std::vector<result> rs = {fx.verify(forged), fx.verify(good)};
  ASSERT_EQ(rs[0].code, status::bad_signature);
  const std::string fp0(rs[0].fingerprint_hex());
  const std::string fp1(rs[1].fingerprint_hex());
  const std::string first = R"("status":"bad_signature","class":"signature","alg":"HS256",)"
                            R"("kid":"k\"1","fp":")" +
                            fp0 + "\"";
  const std::string second = R"("status":"ok","class":"ok","alg":"HS256","kid":"k\"1",)"
                             R"("sub":"u1","exp":1700003600.5,"fp":")" +
                             fp1 + "\"";
  EXPECT_EQ(reply(rs), R"({"$!":{"jwt":{"count":2,"ok":1,)" + first + R"(,"tokens":[{)" + first +
                           "},{" + second + "}]}}}\n");
}

TEST(RsyslogFulljson, ReadsMsgAndTimegeneratedDecoded) {
  fulljson_reader r;
  // timereported is the sender's header, which it chooses: never the time.
  ASSERT_TRUE(r.read(R"({"timereported":"2030-01-01T00:00:00Z",)"
                     R"("timegenerated":"2023-11-14T22:13:20+00:00","hostname":"h",)"
                     R"("msg":" a\nb \"Bearer x\" \u00e9","$!":{"x":1}})"));
  EXPECT_EQ(r.msg(), " a\nb \"Bearer x\" \xc3\xa9");
  EXPECT_EQ(r.time(), "2023-11-14T22:13:20+00:00");
  ASSERT_TRUE(r.read(R"({"msg":""})"));
  EXPECT_EQ(r.msg(), "");
  EXPECT_EQ(r.time(), "");  // the previous message's time is not kept
}

TEST(RsyslogFulljson, RefusesWhatIsNotAMessageObject) {
  fulljson_reader r;
  for (const std::string_view bad :
       {std::string_view(""), std::string_view("msg"), std::string_view("[]"),
        std::string_view(R"({"msg":1})"), std::string_view(R"({"rawmsg":"x"})"),
        std::string_view(R"({"msg":"x")"), std::string_view(R"({"msg":"\ud800"})"),
        std::string_view("{\"msg\":\"\xff\"}"), std::string_view(R"({"msg":"a"} trailing)")}) {
    EXPECT_FALSE(r.read(bad)) << bad;
  }
}

// `jwtbatch scan --rsyslog <args>` (or, with rsyslog false, `jwtbatch scan <args>`),
// driven over pipes as rsyslog drives its plugins.
class plugin {
 public:
  explicit plugin(const std::vector<std::string>& args, bool rsyslog = true) {
    int in[2];
    int out[2];
    if (::pipe(in) != 0 || ::pipe(out) != 0) return;
    std::vector<std::string> argv_s = {JWTBATCH_CLI_PATH, "scan"};
    if (rsyslog) argv_s.emplace_back("--rsyslog");
    argv_s.insert(argv_s.end(), args.begin(), args.end());
    pid_ = ::fork();
    if (pid_ == 0) {
      ::dup2(in[0], 0);
      ::dup2(out[1], 1);
      ::dup2(out[1], 2);  // as mmexternal does: stderr lands among the replies
      ::close(in[0]);
      ::close(in[1]);
      ::close(out[0]);
      ::close(out[1]);
      std::vector<char*> argv;
      for (std::string& a : argv_s) argv.push_back(a.data());
      argv.push_back(nullptr);
      char* empty_env[] = {nullptr};  // rsyslog starts its plugins with no environment
      ::execve(argv[0], argv.data(), empty_env);
      ::_exit(127);
    }
    ::close(in[0]);
    ::close(out[1]);
    to_ = in[1];
    from_ = out[0];
  }
  ~plugin() {
    close_input();
    if (from_ >= 0) ::close(from_);
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  plugin(const plugin&) = delete;
  plugin& operator=(const plugin&) = delete;

  bool send(std::string_view bytes) const {
    while (!bytes.empty()) {
      const ssize_t n = ::write(to_, bytes.data(), bytes.size());
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }
  // Reads until `count` whole lines arrived or `seconds` passed without output.
  std::vector<std::string> read_lines(std::size_t count, int seconds = 20) {
    while (true) {
      std::vector<std::string> got = lines(buffer_);
      if (!buffer_.empty() && buffer_.back() != '\n') got.pop_back();
      if (got.size() >= count) {
        std::size_t cut = 0;
        for (std::size_t i = 0; i < count; ++i) cut = buffer_.find('\n', cut) + 1;
        buffer_.erase(0, cut);
        got.resize(count);
        return got;
      }
      pollfd p{from_, POLLIN, 0};
      if (::poll(&p, 1, seconds * 1000) <= 0) return got;
      char block[65536];
      const ssize_t n = ::read(from_, block, sizeof block);
      if (n <= 0) return got;
      buffer_.append(block, static_cast<std::size_t>(n));
    }
  }
  void close_input() {
    if (to_ >= 0) ::close(to_);
    to_ = -1;
  }
  int wait_exit() {
    close_input();
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

 private:
  pid_t pid_ = -1;
  int to_ = -1;
  int from_ = -1;
  std::string buffer_;
};

std::string member(const std::string& reply, const char* name) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(reply).get(doc) != simdjson::SUCCESS) return "<not JSON>";
  simdjson::dom::element v;
  if (doc["$!"]["jwt"][name].get(v) != simdjson::SUCCESS) return "";
  return simdjson::minify(v);
}

TEST(RsyslogPlugin, AnswersEachMessageBeforeTheNextArrives) {
  const keys_fixture fx;
  plugin p({"--jwks", fx.jwks_path, "--at", "1700000000"});
  for (int i = 0; i < 20; ++i) {
    const std::string sub = std::string("u").append(std::to_string(i));
    const std::string msg =
        i % 3 == 2 ? " no token here\n"
                   : " GET /x?access_token=" + fx.token(R"({"sub":")" + sub + R"("})") + "\n";
    ASSERT_TRUE(p.send(msg));
    const auto got = p.read_lines(1);
    ASSERT_EQ(got.size(), 1U) << "no reply to message " << i << " while rsyslog waits";
    if (i % 3 == 2) {
      EXPECT_EQ(got[0], R"({"$!":{"jwt":{"count":0,"ok":0}}})");
    } else {
      EXPECT_EQ(member(got[0], "status"), "\"ok\"") << got[0];
      EXPECT_EQ(member(got[0], "sub"), "\"" + sub + "\"") << got[0];
    }
  }
  EXPECT_EQ(p.wait_exit(), 0);
}

TEST(RsyslogPlugin, OneReplyPerLineInOrderThroughGarbageAndAHugeLine) {
  const keys_fixture fx;
  plugin p({"--jwks", fx.jwks_path, "--at", "1700000000", "--threads", "2"});
  // Written from a thread of its own: the plugin answers while it is being fed.
  std::string input;
  std::vector<std::string> expect_sub;  // "" = no token expected
  for (int i = 0; i < 3000; ++i) {
    const std::string sub = std::string("u").append(std::to_string(i));
    switch (i % 5) {
      case 0:
        input += "Authorization: Bearer " + fx.token(R"({"sub":")" + sub + R"("})") + "\n";
        expect_sub.push_back(sub);
        break;
      case 1:
        input += std::string("\xff\xfe\x00 garbage \x01\r\n", 15);
        expect_sub.emplace_back();
        break;
      case 2:
        input += "\n";
        expect_sub.emplace_back();
        break;
      case 3:
        input += R"({"jwt":")" + fx.token(R"({"sub":")" + sub + R"("})") + "\"}\n";
        expect_sub.push_back(sub);
        break;
      default:
        if (i == 1504) {  // a line over the 16 MiB cut, its token at the head
          input += "token=" + fx.token(R"({"sub":")" + sub + R"("})") + " " +
                   std::string((std::size_t{17} << 20), 'x') + "\n";
          expect_sub.push_back(sub);
        } else {
          input += "plain text eyJ not a token\n";
          expect_sub.emplace_back();
        }
    }
  }
  std::thread feeder([&] {
    p.send(input);
    p.close_input();
  });
  const auto got = p.read_lines(expect_sub.size(), 60);
  feeder.join();
  ASSERT_EQ(got.size(), expect_sub.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    SCOPED_TRACE("message " + std::to_string(i));
    if (expect_sub[i].empty()) {
      EXPECT_EQ(member(got[i], "count"), "0") << got[i];
    } else {
      EXPECT_EQ(member(got[i], "count"), "1") << got[i];
      EXPECT_EQ(member(got[i], "sub"), "\"" + expect_sub[i] + "\"") << got[i];
    }
    EXPECT_EQ(member(got[i], "cut"), i == 1504 ? "true" : "") << got[i];
  }
  EXPECT_TRUE(p.read_lines(1, 5).empty()) << "a reply too many";
  EXPECT_EQ(p.wait_exit(), 0);
}

TEST(RsyslogPlugin, FulljsonJudgesAtTimegeneratedNeverAtTheSendersTime) {
  const keys_fixture fx;
  plugin p({"--jwks", fx.jwks_path, "--rsyslog-input", "fulljson", "--at-log-time"});
  const std::string t = fx.token(R"({"sub":"u1","exp":1700000100})");
  // exp is 100 s after k_now: valid when received at k_now, expired an hour later.
  ASSERT_TRUE(p.send(R"({"msg":"a\nBearer )" + t +
                     R"(","timegenerated":"2023-11-14T22:13:20+00:00"})"
                     "\n"));
  ASSERT_TRUE(p.send(R"({"msg":"Bearer )" + t +
                     R"(","timegenerated":"2023-11-14T23:13:20Z"})"
                     "\n"));
  // The sender's header time and a time in its text do not count.
  ASSERT_TRUE(p.send(R"({"msg":"2023-11-14T22:13:20Z Bearer )" + t +
                     R"(","timereported":"2023-11-14T22:13:20Z",)"
                     R"("timegenerated":"2023-11-14T23:13:20Z"})"
                     "\n"));
  // Not rsyslog's object: scanned as text, with no time of its own (judged now).
  ASSERT_TRUE(p.send("2023-11-14T22:13:20Z Bearer " + t + " not json\n"));
  const auto got = p.read_lines(4);
  ASSERT_EQ(got.size(), 4U);
  EXPECT_EQ(member(got[0], "status"), "\"ok\"") << got[0];
  EXPECT_EQ(member(got[1], "status"), "\"expired\"") << got[1];
  EXPECT_EQ(member(got[2], "status"), "\"expired\"") << got[2];
  EXPECT_EQ(member(got[3], "count"), "1") << got[3];
  EXPECT_EQ(member(got[3], "status"), "\"expired\"") << got[3];
  EXPECT_EQ(p.wait_exit(), 0);
}

TEST(RsyslogPlugin, AtLogTimeNeedsFulljsonSinceMsgIsTheSendersText) {
  const keys_fixture fx;
  const test::run_result r = test::run("scan --rsyslog --jwks " + fx.jwks_path + " --at-log-time");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(r.out.empty()) << r.out;
  EXPECT_NE(r.err.find("--at-log-time: with --rsyslog-input msg the message carries no time of "
                       "its own"),
            std::string::npos)
      << r.err;
}

// `scan --format enrich` as a log shipper's co-process: one line out per line in, each
// written as soon as the input pauses (the shipper waits for it before sending more).
TEST(ScanEnrich, AnswersEachLineBeforeTheNextArrives) {
  const keys_fixture fx;
  plugin p({"--jwks", fx.jwks_path, "--format", "enrich", "-q", "--at", "1700000000"}, false);
  const std::string t = fx.token(R"({"sub":"u1","exp":1700000100})");
  ASSERT_TRUE(p.send(R"({"host":"a","message":"GET /?access_token=)" + t + "\"}\n"));
  auto got = p.read_lines(1);
  ASSERT_EQ(got.size(), 1U);
  EXPECT_EQ(got[0].rfind(R"({"host":"a","message":"GET /?access_token=)" + t +
                             R"(","jwt":{"count":1,"ok":1,"tokens":[{"offset":)",
                         0),
            0U)
      << got[0];
  EXPECT_NE(got[0].find(R"("status":"ok")"), std::string::npos) << got[0];
  ASSERT_TRUE(p.send(R"({"message":"nothing here"})"
                     "\n"));
  got = p.read_lines(1);
  ASSERT_EQ(got.size(), 1U);
  EXPECT_EQ(got[0], R"({"message":"nothing here","jwt":{"count":0,"ok":0,"tokens":[]}})");
  // A client's own "jwt" member cannot pass for the verdict: the line is wrapped.
  ASSERT_TRUE(p.send(R"({"jwt":{"count":1,"ok":1}})"
                     "\n"));
  got = p.read_lines(1);
  ASSERT_EQ(got.size(), 1U);
  EXPECT_EQ(got[0].rfind(R"({"line":"{\"jwt\":)", 0), 0U) << got[0];
  EXPECT_EQ(p.wait_exit(), 0);
}

TEST(RsyslogPlugin, WarningsAndSummaryGoToTheLogNeverAmongTheReplies) {
  const keys_fixture fx;
  // A key set document with an unusable key beside the good one: a warning.
  const std::string jwks = cli_temp_path("rsyslog-warn.jwks");
  const std::string log = cli_temp_path("rsyslog.log");
  std::FILE* f = std::fopen(fx.jwks_path.c_str(), "rb");
  ASSERT_NE(f, nullptr);
  const std::string good = test::slurp(f);
  std::fclose(f);
  f = std::fopen(jwks.c_str(), "wb");
  ASSERT_NE(f, nullptr);
  const std::string doc = R"({"keys":[)" + good + R"(,{"kty":"RSA","kid":"bad","n":"AQAB"}]})";
  std::fwrite(doc.data(), 1, doc.size(), f);
  std::fclose(f);
  {
    plugin p({"--jwks", jwks, "--at", "1700000000", "--rsyslog-log", log});
    ASSERT_TRUE(p.send("Bearer " + fx.token(R"({"sub":"u1"})") + "\n"));
    const auto got = p.read_lines(1);
    ASSERT_EQ(got.size(), 1U);
    EXPECT_EQ(member(got[0], "status"), "\"ok\"") << got[0];
    EXPECT_EQ(p.wait_exit(), 0);
    EXPECT_TRUE(p.read_lines(1, 1).empty()) << "output after the replies";
  }
  f = std::fopen(log.c_str(), "rb");
  ASSERT_NE(f, nullptr);
  const std::string logged = test::slurp(f);
  std::fclose(f);
  EXPECT_NE(logged.find("\"bad\""), std::string::npos) << logged;
  EXPECT_NE(logged.find("jwtbatch scan --rsyslog: 1 messages, 0 without a token"),
            std::string::npos)
      << logged;
  std::remove(jwks.c_str());
  std::remove(log.c_str());
}

// Plain scan on a live stream: what has arrived is written as soon as the input pauses,
// not held back until a batch fills or the input ends.
TEST(ScanLive, RecordsOfAPausedStreamAreWrittenAtOnce) {
  const keys_fixture fx;
  plugin p({"--jwks", fx.jwks_path, "--at", "1700000000", "--progress", "never"}, false);
  for (int i = 0; i < 3; ++i) {
    const std::string sub = std::string("u").append(std::to_string(i));
    ASSERT_TRUE(p.send("no token\nBearer " + fx.token(R"({"sub":")" + sub + R"("})") + "\n"));
    const auto got = p.read_lines(1);
    ASSERT_EQ(got.size(), 1U) << "record " << i << " held back";
    EXPECT_NE(got[0].find(R"("line":)" + std::to_string(2 * i + 2) + ","), std::string::npos)
        << got[0];
    EXPECT_NE(got[0].find(R"("sub":")" + sub + "\""), std::string::npos) << got[0];
  }
  p.close_input();
  const auto summary = p.read_lines(1);  // stderr shares the pipe here
  ASSERT_EQ(summary.size(), 1U);
  EXPECT_EQ(summary[0], "jwtbatch scan: 6 lines, 3 without a token");
  EXPECT_EQ(p.wait_exit(), 0);
}

TEST(RsyslogPlugin, FlagMistakesAreUsageErrors) {
  const keys_fixture fx;
  const auto bad = [&](const std::string& args, const char* named) {
    const test::run_result r = test::run("scan --jwks " + fx.jwks_path + " " + args);
    EXPECT_EQ(r.exit_code, 2) << args << "\n" << r.err;
    EXPECT_NE(r.err.find(named), std::string::npos) << args << "\n" << r.err;
  };
  bad("--rsyslog some-file.log", "files");
  bad("--rsyslog --format tsv", "--format");
  bad("--rsyslog --rsyslog-input rawmsg", "rawmsg");
  bad("--rsyslog-input msg", "--rsyslog");
  bad("--rsyslog --rsyslog-log /nonexistent-dir/x.log", "/nonexistent-dir/x.log");
}

}  // namespace
}  // namespace jwtbatch::cli
