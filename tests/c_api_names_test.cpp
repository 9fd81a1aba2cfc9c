// c_api_names_test.cpp: the C ABI's vocabulary is the C++ one. Every status, class,
// algorithm and label name the C functions return equals the C++ name, and every
// constant jwtbatch.h defines (read from the header's text) has the C++ enum's number
// for the name it spells, with none missing on either side.
#include "jwtbatch/jwtbatch.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "jwtbatch/alg.hpp"
#include "jwtbatch/result.hpp"
#include "jwtbatch/status.hpp"
#include "test_support.hpp"

namespace jwtbatch {
namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::string source(const std::string& relative) {
  return test::read_file(std::string(JWTBATCH_SOURCE_DIR) + "/" + relative);
}

// lines() splits a text at '\n'.
std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// The constants of one enum of jwtbatch.h, lines "  JWTBATCH_<family>_<NAME> = <n>,", as
// lowercase name -> number.
std::map<std::string, int> header_constants(const std::string& family) {
  static const std::string header = source("engine/include/jwtbatch/jwtbatch.h");
  const std::string prefix = "  JWTBATCH_" + family + "_";
  std::map<std::string, int> out;
  for (const std::string& line : lines(header)) {
    const auto eq = line.find(" = ");
    if (line.rfind(prefix, 0) != 0 || eq == std::string::npos) continue;
    const std::string name = line.substr(prefix.size(), eq - prefix.size());
    EXPECT_TRUE(out.emplace(lower(name), std::stoi(line.substr(eq + 3))).second) << line;
  }
  return out;
}

TEST(CApiNames, StatusNamesAndClassesAreTheCppOnes) {
  ASSERT_EQ(std::size_t{JWTBATCH_NUM_STATUSES}, status_count);
  for (const status s : all_statuses()) {
    const int i = static_cast<int>(s);
    SCOPED_TRACE(status_name(s));
    EXPECT_EQ(std::string_view(jwtbatch_status_name(i)), status_name(s));
    EXPECT_EQ(jwtbatch_status_class(i), static_cast<int>(class_of(s)));
    EXPECT_EQ(jwtbatch_status_from_name(status_name(s).data(), status_name(s).size()), i);
    // Static storage: the same pointer every time.
    EXPECT_EQ(jwtbatch_status_name(i), jwtbatch_status_name(i));
  }
  EXPECT_STREQ(jwtbatch_status_name(JWTBATCH_NUM_STATUSES), "unknown");
  EXPECT_EQ(jwtbatch_status_class(JWTBATCH_NUM_STATUSES), JWTBATCH_CLASS_FORMAT);
  for (int c = 0; c < JWTBATCH_NUM_CLASSES; ++c) {
    EXPECT_EQ(std::string_view(jwtbatch_class_name(c)), class_name(static_cast<status_class>(c)));
  }
  EXPECT_STREQ(jwtbatch_class_name(JWTBATCH_NUM_CLASSES), "unknown");
}

TEST(CApiNames, AlgAndLabelNamesAreTheCppOnes) {
  ASSERT_EQ(std::size_t{JWTBATCH_NUM_ALGS}, alg_count);
  for (const alg a : all_algs()) {
    const int i = static_cast<int>(a);
    EXPECT_EQ(std::string_view(jwtbatch_alg_name(i)), alg_name(a));
    EXPECT_EQ(jwtbatch_alg_from_name(alg_name(a).data(), alg_name(a).size()), i);
  }
  EXPECT_STREQ(jwtbatch_alg_name(JWTBATCH_NUM_ALGS), "unknown");
  EXPECT_EQ(jwtbatch_alg_from_name("none", JWTBATCH_NTS), -1);
  for (int l = 0; l < JWTBATCH_NUM_LABELS; ++l) {
    EXPECT_EQ(std::string_view(jwtbatch_label_name(l)), label_name(static_cast<attack_label>(l)));
  }
  EXPECT_STREQ(jwtbatch_label_name(JWTBATCH_NUM_LABELS), "unknown");
}

TEST(CApiNames, HeaderStatusConstantsAreTheCppStatuses) {
  const auto constants = header_constants("STATUS");
  EXPECT_EQ(constants.size(), status_count);
  for (const auto& [name, number] : constants) {
    EXPECT_EQ(status_from_name(name), std::optional<status>(static_cast<status>(number)))
        << "JWTBATCH_STATUS_" << name << " = " << number;
  }
}

TEST(CApiNames, HeaderClassAlgLabelConstantsAreTheCppOnes) {
  const auto classes = header_constants("CLASS");
  EXPECT_EQ(classes.size(), std::size_t{JWTBATCH_NUM_CLASSES});
  for (const auto& [name, number] : classes) {
    EXPECT_EQ(name, class_name(static_cast<status_class>(number)));
  }
  const auto algs = header_constants("ALG");
  EXPECT_EQ(algs.size(), alg_count);
  for (const auto& [name, number] : algs) {
    EXPECT_EQ(name, lower(std::string(alg_name(static_cast<alg>(number)))));
  }
  // attack_label has no count in C++: count its enumerators in result.hpp, so a label
  // appended there without a C constant fails here.
  std::size_t cpp_labels = 0;
  bool in_enum = false;
  for (const std::string& line : lines(source("engine/include/jwtbatch/result.hpp"))) {
    if (line.rfind("enum class attack_label", 0) == 0) {
      in_enum = true;
    } else if (in_enum && line.rfind("};", 0) == 0) {
      break;
    } else if (in_enum && line.size() > 2 && line.rfind("  ", 0) == 0 &&
               std::islower(static_cast<unsigned char>(line[2])) != 0) {
      ++cpp_labels;  // "  name,  // comment"
    }
  }
  const auto labels = header_constants("LABEL");
  EXPECT_EQ(labels.size(), cpp_labels);
  EXPECT_EQ(labels.size(), std::size_t{JWTBATCH_NUM_LABELS});
  for (const auto& [name, number] : labels) {
    const std::string_view cpp = label_name(static_cast<attack_label>(number));
    EXPECT_EQ(name, cpp.empty() ? "none" : cpp);
  }
}

TEST(CApiNames, CodeNames) {
  EXPECT_STREQ(jwtbatch_code_name(JWTBATCH_OK), "ok");
  EXPECT_STREQ(jwtbatch_code_name(JWTBATCH_ERR_ARGUMENT), "argument");
  EXPECT_STREQ(jwtbatch_code_name(JWTBATCH_ERR_CONFIG), "config");
  EXPECT_STREQ(jwtbatch_code_name(JWTBATCH_ERR_NO_MEMORY), "no_memory");
  EXPECT_STREQ(jwtbatch_code_name(JWTBATCH_ERR_CRYPTO_CLASH), "crypto_clash");
  EXPECT_STREQ(jwtbatch_code_name(JWTBATCH_ERR_INTERNAL), "internal");
  EXPECT_STREQ(jwtbatch_code_name(-1), "unknown");
  EXPECT_STREQ(jwtbatch_code_name(JWTBATCH_ERR_INTERNAL + 1), "unknown");
}

}  // namespace
}  // namespace jwtbatch
