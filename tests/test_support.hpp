// test_support.hpp: shared helpers for the test suites: readable status values in
// failure messages, and the third-party vectors read in place from ../shared/vectors.
#pragma once

#include <fstream>
#include <ostream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "jwtbatch/status.hpp"

namespace jwtbatch {
// GoogleTest prints statuses by name ("bad_base64"), not as bytes.
inline void PrintTo(status s, std::ostream* os) {
  *os << status_name(s);
}
}  // namespace jwtbatch

namespace jwtbatch::test {

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
