// cli_support.hpp: running the jwtbatch program from end-to-end tests as a user would.
#pragma once

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <string>
#include <vector>

namespace jwtbatch::test {

struct run_result {
  int exit_code = -1;
  std::string out;  // stdout
  std::string err;  // stderr
};

inline std::string slurp(std::FILE* f) {
  std::string s;
  std::array<char, 4096> buf{};
  std::size_t n = 0;
  while ((n = std::fread(buf.data(), 1, buf.size(), f)) > 0) s.append(buf.data(), n);
  return s;
}

// A path unique to this process (ctest runs the tests of a binary in parallel).
inline std::string cli_temp_path(const std::string& name) {
  return ::testing::TempDir() + "cli_" + std::to_string(::getpid()) + "_" + name;
}

// run_command runs the shell command `cmd`, whose stderr must go to `err_path` (and
// whose stdin is the caller's to redirect): stdout through a pipe, stderr read back
// from the file, which is then removed. A command ended by signal N gives 128 + N.
inline run_result run_command(const std::string& cmd, const std::string& err_path) {
  run_result r;
  std::FILE* p = ::popen(cmd.c_str(), "r");
  EXPECT_NE(p, nullptr) << cmd;
  if (p == nullptr) return r;
  r.out = slurp(p);
  const int status = ::pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  if (std::FILE* e = std::fopen(err_path.c_str(), "r")) {
    r.err = slurp(e);
    std::fclose(e);
  }
  std::remove(err_path.c_str());
  return r;
}

// run: `jwtbatch <args>` through the shell; stdin is empty unless `args` redirects it.
// With `timeout_seconds`, the program is killed (SIGKILL, exit code 137) when it runs
// longer, so a test of something that could block (a FIFO) fails instead of hanging.
inline run_result run(const std::string& args, int timeout_seconds = 0) {
  static int calls = 0;
  const std::string err_path = cli_temp_path("stderr." + std::to_string(++calls));
  const bool own_stdin = args.find('<') != std::string::npos;
  const std::string bound =
      timeout_seconds > 0 ? "timeout -s KILL " + std::to_string(timeout_seconds) + " " : "";
  return run_command(
      bound + JWTBATCH_CLI_PATH + " " + args + " 2>" + err_path + (own_stdin ? "" : " </dev/null"),
      err_path);
}

// write_file writes `content` to `path` whole (replacing it), failing the test if it
// cannot be created.
inline void write_file(const std::string& path, const std::string& content) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  EXPECT_NE(f, nullptr) << path;
  if (f == nullptr) return;
  EXPECT_EQ(std::fwrite(content.data(), 1, content.size(), f), content.size()) << path;
  std::fclose(f);
}

// read_file returns the whole file at `path`, or "<missing>" when it cannot be opened
// (so a test can assert that a file was not written).
inline std::string read_file(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return "<missing>";
  std::string s = slurp(f);
  std::fclose(f);
  return s;
}

// file_mode: the permission bits of `path` (0600...), failing the test if it is missing.
inline unsigned file_mode(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 0777U;
}

// The lines of `s`, without their "\n".
inline std::vector<std::string> lines(const std::string& s) {
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

}  // namespace jwtbatch::test
