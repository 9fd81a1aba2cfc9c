// result_compare.hpp: asserting that two results say exactly the same thing.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "jwtbatch/result.hpp"
#include "test_support.hpp"

namespace jwtbatch::test {

// Every field of the verdict, compared by value (views by the text they show).
inline void expect_same_result(const result& a, const result& b, const std::string& where) {
  SCOPED_TRACE(where);
  EXPECT_EQ(a.code, b.code);
  EXPECT_EQ(a.label, b.label);
  EXPECT_EQ(a.signature_verified, b.signature_verified);
  EXPECT_EQ(a.algorithm, b.algorithm);
  EXPECT_EQ(a.kid, b.kid);
  EXPECT_EQ(a.iss, b.iss);
  EXPECT_EQ(a.sub, b.sub);
  EXPECT_EQ(a.jti, b.jti);
  EXPECT_EQ(a.aud, b.aud);
  EXPECT_EQ(a.has_aud, b.has_aud);
  EXPECT_EQ(a.exp, b.exp);
  EXPECT_EQ(a.nbf, b.nbf);
  EXPECT_EQ(a.iat, b.iat);
  EXPECT_EQ(a.custom_claims, b.custom_claims);
  EXPECT_EQ(a.detail, b.detail);
  EXPECT_EQ(a.fingerprint_hex(), b.fingerprint_hex());
}

}  // namespace jwtbatch::test
