// The one home of each small helper (issue 17): interrupted system calls (the engine's
// core/io.hpp and the command line's io.hpp), hexadecimal (codec/hex.hpp), ASCII case
// (core/ascii.hpp), and the command line's readers of algorithm and time flags
// (engine_flags.hpp parse_alg, parse_time).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <pthread.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "codec/hex.hpp"
#include "codec/json_out.hpp"
#include "codec/text_escape.hpp"
#include "core/ascii.hpp"
#include "core/io.hpp"
#include "engine_flags.hpp"
#include "io.hpp"
#include "jwtbatch/key_set.hpp"
#include "jwtbatch/policy.hpp"

namespace jwtbatch {
namespace {

using namespace std::chrono_literals;

// ---- interrupted system calls ------------------------------------------------------

std::atomic<int> g_interruptions{0};
extern "C" void count_interruption(int /*sig*/) {
  g_interruptions.fetch_add(1);
}

// While it lives, SIGUSR1 runs a handler installed without SA_RESTART, so a blocking
// read, write or poll in progress fails with EINTR (signal(7)).
class eintr_signal {
 public:
  eintr_signal() {
    struct sigaction sa {};
    sa.sa_handler = count_interruption;
    sa.sa_flags = 0;  // no SA_RESTART
    sigemptyset(&sa.sa_mask);
    ::sigaction(SIGUSR1, &sa, &previous_);
    g_interruptions = 0;
  }
  ~eintr_signal() { ::sigaction(SIGUSR1, &previous_, nullptr); }
  eintr_signal(const eintr_signal&) = delete;
  eintr_signal& operator=(const eintr_signal&) = delete;

 private:
  struct sigaction previous_ {};
};

// interrupt_then starts a thread that sends SIGUSR1 to the calling thread every 5 ms
// for 100 ms (by then the caller is blocked in the call under test, which each signal
// interrupts), then runs `unblock` to let the call finish.
std::thread interrupt_then(std::function<void()> unblock) {
  const pthread_t target = ::pthread_self();
  return std::thread([target, unblock = std::move(unblock)] {
    for (int i = 0; i < 20; ++i) {
      std::this_thread::sleep_for(5ms);
      ::pthread_kill(target, SIGUSR1);
    }
    unblock();
  });
}

struct pipe_pair {
  std::array<int, 2> fd{-1, -1};
  pipe_pair() { EXPECT_EQ(::pipe2(fd.data(), O_CLOEXEC), 0); }
  ~pipe_pair() {
    for (const int f : fd) {
      if (f >= 0) ::close(f);
    }
  }
  pipe_pair(const pipe_pair&) = delete;
  pipe_pair& operator=(const pipe_pair&) = delete;
  [[nodiscard]] int in() const { return fd[0]; }
  [[nodiscard]] int out() const { return fd[1]; }
};

// The setup is sound: a bare read(2) blocked on an empty pipe fails with EINTR.
TEST(InterruptedCalls, ABareReadFailsWithEintrUnderTheTestSignal) {
  const eintr_signal handler;
  const pipe_pair p;
  std::thread t = interrupt_then([&] { EXPECT_EQ(::write(p.out(), "x", 1), 1); });
  std::array<char, 8> buf{};
  const ssize_t r = ::read(p.in(), buf.data(), buf.size());
  const int e = errno;
  t.join();
  EXPECT_EQ(r, -1);
  EXPECT_EQ(e, EINTR);
}

TEST(InterruptedCalls, EngineReadSomeRetriesUntilTheBytesCome) {
  const eintr_signal handler;
  const pipe_pair p;
  std::thread t = interrupt_then([&] { EXPECT_EQ(::write(p.out(), "abc", 3), 3); });
  std::array<char, 16> buf{};
  const ssize_t r = detail::read_some(p.in(), buf.data(), buf.size());
  t.join();
  EXPECT_GE(g_interruptions.load(), 1);
  ASSERT_EQ(r, 3);
  EXPECT_EQ(std::string_view(buf.data(), 3), "abc");
  // The end of the input is 0, an error -1 with errno.
  ::close(p.out());
  const_cast<pipe_pair&>(p).fd[1] = -1;
  EXPECT_EQ(detail::read_some(p.in(), buf.data(), buf.size()), 0);
  errno = 0;
  EXPECT_EQ(detail::read_some(-1, buf.data(), buf.size()), -1);
  EXPECT_EQ(errno, EBADF);
}

TEST(InterruptedCalls, EnginePollSomeRetriesUntilAnEvent) {
  const eintr_signal handler;
  const pipe_pair p;
  // Nothing to read: poll without waiting says so.
  pollfd ready{p.in(), POLLIN, 0};
  EXPECT_EQ(detail::poll_some(&ready, 1, 0), 0);
  std::thread t = interrupt_then([&] { EXPECT_EQ(::write(p.out(), "x", 1), 1); });
  pollfd wait{p.in(), POLLIN, 0};
  const int r = detail::poll_some(&wait, 1, -1);
  t.join();
  EXPECT_GE(g_interruptions.load(), 1);
  EXPECT_EQ(r, 1);
  EXPECT_NE(wait.revents & POLLIN, 0);
}

TEST(InterruptedCalls, CliReadSomeAndReadFullRetry) {
  const eintr_signal handler;
  {
    const pipe_pair p;
    std::thread t = interrupt_then([&] { EXPECT_EQ(::write(p.out(), "abc", 3), 3); });
    std::array<char, 16> buf{};
    const ssize_t r = cli::io::read_some(p.in(), buf.data(), buf.size());
    t.join();
    ASSERT_EQ(r, 3);
    EXPECT_EQ(std::string_view(buf.data(), 3), "abc");
  }
  {
    // read_full waits for all it asked for, across interruptions and short reads, and
    // gives fewer bytes only at the end of the input.
    pipe_pair p;
    std::thread t = interrupt_then([&] {
      EXPECT_EQ(::write(p.out(), "ab", 2), 2);
      std::this_thread::sleep_for(20ms);
      EXPECT_EQ(::write(p.out(), "cdef", 4), 4);
      std::this_thread::sleep_for(20ms);
      EXPECT_EQ(::write(p.out(), "g", 1), 1);
      ::close(p.out());
      p.fd[1] = -1;
    });
    std::array<char, 4> four{};
    EXPECT_EQ(cli::io::read_full(p.in(), four.data(), four.size()), 4);
    EXPECT_EQ(std::string_view(four.data(), 4), "abcd");
    std::array<char, 8> rest{};
    EXPECT_EQ(cli::io::read_full(p.in(), rest.data(), rest.size()), 3);
    EXPECT_EQ(std::string_view(rest.data(), 3), "efg");
    t.join();
    EXPECT_GE(g_interruptions.load(), 1);
    EXPECT_EQ(cli::io::read_full(-1, rest.data(), rest.size()), -1);
  }
}

TEST(InterruptedCalls, CliWriteAllWritesEveryByteAcrossInterruptionsAndShortWrites) {
  const eintr_signal handler;
  const pipe_pair p;
  // More than a pipe holds (64 KiB on Linux): the write blocks until the reader drains.
  std::string data(1 << 20, '\0');
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>('a' + i % 26);
  std::string drained;
  std::thread t = interrupt_then([&] {
    std::array<char, 4096> buf{};
    while (drained.size() < data.size()) {
      const ssize_t r = ::read(p.in(), buf.data(), buf.size());
      if (r <= 0) break;
      drained.append(buf.data(), static_cast<std::size_t>(r));
    }
  });
  EXPECT_TRUE(cli::io::write_all(p.out(), data));
  t.join();
  EXPECT_GE(g_interruptions.load(), 1);
  EXPECT_EQ(drained.size(), data.size());
  EXPECT_TRUE(drained == data);
  EXPECT_TRUE(cli::io::write_all(p.out(), ""));
  // A reader that has gone: false (EPIPE; SIGPIPE ignored here as the program does).
  const pipe_pair gone;
  ::close(gone.in());
  const_cast<pipe_pair&>(gone).fd[0] = -1;
  struct sigaction ignore {};
  struct sigaction previous {};
  ignore.sa_handler = SIG_IGN;
  ::sigaction(SIGPIPE, &ignore, &previous);
  errno = 0;
  EXPECT_FALSE(cli::io::write_all(gone.out(), "x"));
  EXPECT_EQ(errno, EPIPE);
  ::sigaction(SIGPIPE, &previous, nullptr);
}

// ---- hexadecimal -------------------------------------------------------------------

TEST(Hex, DigitsAreLowercaseAndZeroPadded) {
  EXPECT_EQ(detail::hex_digit(0), '0');
  EXPECT_EQ(detail::hex_digit(9), '9');
  EXPECT_EQ(detail::hex_digit(10), 'a');
  EXPECT_EQ(detail::hex_digit(15), 'f');
  EXPECT_EQ(detail::hex_digit(0x1234), '4');  // the low four bits only
  std::string out = "x";
  detail::append_hex(out, 0x7F, 2);
  detail::append_hex(out, 0x0, 2);
  detail::append_hex(out, 0x2028, 4);
  detail::append_hex(out, 0xABCDEF, 4);  // the low digits
  detail::append_hex(out, 0xDEADBEEF, 8);
  detail::append_hex(out, 0xFF, 0);
  EXPECT_EQ(out, "x7f002028cdefdeadbeef");
}

TEST(Hex, EncodesBytes) {
  // The first 16 bytes of SHA-256(""): the fingerprint of an empty token.
  constexpr std::array<std::uint8_t, 16> digest = {0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14,
                                                   0x9a, 0xfb, 0xf4, 0xc8, 0x99, 0x6f, 0xb9, 0x24};
  std::array<char, 33> text{};
  text.fill('#');
  detail::hex_encode(digest, text.data());
  EXPECT_EQ(std::string_view(text.data(), 32), "e3b0c44298fc1c149afbf4c8996fb924");
  EXPECT_EQ(text[32], '#');  // no terminator written
  detail::hex_encode({}, text.data());
  EXPECT_EQ(text[0], 'e');
}

TEST(Hex, TheEscapesUseIt) {
  std::string json;
  detail::append_json_string(json, std::string_view("a\x01\x1f\"\\", 5));
  EXPECT_EQ(json, R"("a\u0001\u001f\"\\")");
  EXPECT_EQ(detail::escape_text(std::string_view("\x1b\x7f\x00", 3)), R"(\x1b\x7f\x00)");
  EXPECT_EQ(detail::escape_text("\xff"), R"(\xff)");  // not UTF-8
  EXPECT_EQ(detail::escape_text("\xE2\x80\xAE"
                                "a"),
            R"(\u202ea)");                                  // U+202E
  EXPECT_EQ(detail::escape_text("\xC2\x85"), R"(\u0085)");  // U+0085 (NEL)
}

// ---- ASCII case --------------------------------------------------------------------

TEST(Ascii, FoldsOnlyAsciiLetters) {
  EXPECT_EQ(detail::ascii_lower('A'), 'a');
  EXPECT_EQ(detail::ascii_lower('Z'), 'z');
  EXPECT_EQ(detail::ascii_lower('a'), 'a');
  EXPECT_EQ(detail::ascii_lower('@'), '@');        // 'A' - 1
  EXPECT_EQ(detail::ascii_lower('['), '[');        // 'Z' + 1
  EXPECT_EQ(detail::ascii_lower('\xC9'), '\xC9');  // É in Latin-1: not ASCII
  EXPECT_TRUE(detail::ascii_iequals("NoNe", "none"));
  EXPECT_TRUE(detail::ascii_iequals("none", "NONE"));
  EXPECT_TRUE(detail::ascii_iequals("Application/JWT", "application/jwt"));
  EXPECT_TRUE(detail::ascii_iequals("", ""));
  EXPECT_FALSE(detail::ascii_iequals("none", "non"));
  EXPECT_FALSE(detail::ascii_iequals("none", "nonf"));
  EXPECT_FALSE(detail::ascii_iequals("@", "`"));  // 0x40 and 0x60 differ by the case bit only
  EXPECT_FALSE(detail::ascii_iequals("[", "{"));
  static_assert(detail::ascii_iequals("JWT", "jwt"));
}

// ---- the command line's algorithm and time flags -----------------------------------

// The config_error message parse_alg throws, or "" when it returns `expected`.
std::string alg_refusal(std::string_view name, cli::alg_use use, alg expected = alg::hs256) {
  try {
    EXPECT_EQ(cli::parse_alg(name, "--alg", use), expected) << name;
    return "";
  } catch (const config_error& e) {
    return e.what();
  }
}

TEST(CliParseAlg, ExactJwsNamesAndARefusalNamingTheFlag) {
  EXPECT_EQ(alg_refusal("HS256", cli::alg_use::verify), "");
  EXPECT_EQ(alg_refusal("EdDSA", cli::alg_use::sign, alg::eddsa), "");
  EXPECT_EQ(alg_refusal("PS384", cli::alg_use::verify, alg::ps384), "");
  const std::string names = "(HS256/384/512, RS256/384/512, PS256/384/512, ES256/384/512, EdDSA)";
  EXPECT_EQ(alg_refusal("hs256", cli::alg_use::verify),
            "--alg: unknown algorithm \"hs256\" " + names);
  EXPECT_EQ(alg_refusal("HS999", cli::alg_use::sign),
            "--alg: unknown algorithm \"HS999\" " + names);
  EXPECT_EQ(alg_refusal("", cli::alg_use::verify), "--alg: unknown algorithm \"\" " + names);
  for (const std::string_view none : {"none", "NONE", "None"}) {
    EXPECT_EQ(alg_refusal(none, cli::alg_use::verify),
              "--alg: \"none\" is never accepted (unsigned tokens)");
    EXPECT_EQ(alg_refusal(none, cli::alg_use::sign),
              "--alg: \"none\" is not a signing algorithm (unsigned tokens)");
  }
}

// The config_error message parse_time throws, or "" when it returns `expected`.
std::string time_refusal(const std::string& text, double expected = 0) {
  try {
    EXPECT_EQ(cli::parse_time(text, "--at"), expected) << text;
    return "";
  } catch (const config_error& e) {
    return e.what();
  }
}

TEST(CliParseTime, UnixSecondsOrAZonedRfc3339DateTime) {
  EXPECT_EQ(time_refusal("0", 0.0), "");
  EXPECT_EQ(time_refusal("1704067200", 1704067200.0), "");
  EXPECT_EQ(time_refusal("1704067200.25", 1704067200.25), "");
  EXPECT_EQ(time_refusal("253402300799", 253402300799.0), "");
  EXPECT_EQ(time_refusal("1970-01-01T00:00:00Z", 0.0), "");
  EXPECT_EQ(time_refusal("2000-02-29T00:00:00Z", 951782400.0), "");
  EXPECT_EQ(time_refusal("2100-03-01T00:00:00Z", 4107542400.0), "");
  EXPECT_EQ(time_refusal("9999-12-31T23:59:59Z", 253402300799.0), "");
  EXPECT_EQ(time_refusal("2024-01-01T02:00:00+02:00", 1704067200.0), "");
  EXPECT_EQ(time_refusal("2024-01-01T02:00:00+0200", 1704067200.0), "");
  EXPECT_EQ(time_refusal("2023-12-31T19:00:00-05:00", 1704067200.0), "");
  EXPECT_EQ(time_refusal("2024-01-01T00:00:00.5Z", 1704067200.5), "");
  EXPECT_EQ(time_refusal("2016-12-31T23:59:60Z", 1483228800.0), "");  // leap second
  EXPECT_EQ(
      time_refusal("2024-01-01T00:00:00"),
      R"(--at "2024-01-01T00:00:00": an RFC 3339 date-time needs its zone (Z for UTC, or an offset such as +02:00))");
  const std::string not_a_time = ": expected Unix seconds or an RFC 3339 date-time";
  for (const std::string bad :
       {"", "nan", "inf", "1e9", "0x10", "-5", "+5", " 1", "1.", ".5", "2100-02-29T00:00:00Z",
        "2024-01-01", "2024-01-01T00:00Z", "2024-01-01T00:00:00+24:00", "2024-01-01T00:00:00Z "}) {
    EXPECT_EQ(time_refusal(bad), "--at \"" + bad + "\"" + not_a_time) << bad;
  }
  const std::string range = ": out of range (expected a time from 1970 to 9999)";
  for (const std::string far : {"253402300800", "1969-12-31T23:59:59Z", "0000-01-01T00:00:00Z",
                                "9999-12-31T23:59:59-00:01"}) {
    EXPECT_EQ(time_refusal(far), "--at \"" + far + "\"" + range) << far;
  }
}

// The command line's defaults are the engine's, not copies of them.
TEST(CliDefaults, TokenBytesAndCacheEntriesAreTheEngines) {
  const cli::engine_options o;
  EXPECT_EQ(o.max_token_bytes, input_limits{}.max_token_bytes);
  EXPECT_EQ(o.max_token_bytes, std::size_t{65536});
  EXPECT_EQ(o.cache_size, cache_options{}.max_entries);
  EXPECT_EQ(cli::k_max_unix_time, 253402300799.0);
}

}  // namespace
}  // namespace jwtbatch
