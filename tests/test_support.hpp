// test_support.hpp: shared helpers for the test suites: readable status values in
// failure messages, and the third-party vectors read in place from ../shared/vectors.
#pragma once

#include <fstream>
#include <initializer_list>
#include <ostream>
#include <sstream>
#include <string>
#include <string_view>

#include <gtest/gtest.h>

#include "jwtbatch/status.hpp"

namespace jwtbatch {
// GoogleTest prints statuses by name ("bad_base64"), not as bytes.
inline void PrintTo(status s, std::ostream* os) {
  *os << status_name(s);
}
}  // namespace jwtbatch

namespace jwtbatch::test {

// repeat returns `unit` repeated up to at least `bytes` bytes: the adversarial lines of
// the linear-time tests.
inline std::string repeat(std::string_view unit, std::size_t bytes) {
  std::string s;
  s.reserve(bytes + unit.size());
  while (s.size() < bytes) s += unit;
  return s;
}
inline constexpr std::size_t kMiB = std::size_t{1} << 20;

// cat joins its parts (GCC 12's -Wrestrict misfires on "literal" + std::string).
inline std::string cat(std::initializer_list<std::string_view> parts) {
  std::string out;
  for (const std::string_view part : parts) out.append(part);
  return out;
}

// vector_path returns the absolute path of `name` inside the shared vectors folder.
inline std::string vector_path(const std::string& name) {
  return std::string(JWTBATCH_VECTORS_DIR) + "/" + name;
}

// read_file returns the whole file, failing the current test (not crashing) if it is
// missing: the vectors are a required input of the suite.
inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot read " << path
                         << " (set -DJWTBATCH_VECTORS_DIR to the shared/vectors folder)";
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace jwtbatch::test
