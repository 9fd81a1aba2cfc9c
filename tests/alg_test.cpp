#include "jwtbatch/alg.hpp"

#include <gtest/gtest.h>

namespace jwtbatch {
namespace {

TEST(Alg, NamesRoundTrip) {
  const char* names[] = {"HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "PS256",
                         "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"};
  ASSERT_EQ(std::size(names), alg_count);
  for (std::size_t i = 0; i < alg_count; ++i) {
    const alg a = all_algs()[i];
    EXPECT_EQ(static_cast<std::size_t>(a), i);
    EXPECT_EQ(alg_name(a), names[i]);
    EXPECT_EQ(alg_from_name(names[i]), a);
  }
}

TEST(Alg, MatchIsExactBytesAndLength) {
  using namespace std::string_view_literals;
  for (auto bad : {"none"sv, "None"sv, "hs256"sv, "HS256 "sv, " HS256"sv, "HS256\0"sv, "HS25"sv,
                   ""sv, "EDDSA"sv, "Ed25519"sv, "ES256K"sv, "RSA1_5"sv}) {
    EXPECT_EQ(alg_from_name(bad), std::nullopt) << bad;
  }
}

}  // namespace
}  // namespace jwtbatch
