// Round trips for every algorithm and key size: generate -> load -> sign -> verify,
// and every one-bit change anywhere in the token is rejected.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "jwtbatch/key_set.hpp"
#include "jwtbatch/sign.hpp"
#include "jwtbatch/verifier.hpp"
#include "test_support.hpp"

namespace jwtbatch {
namespace {

struct key_case {
  alg a;
  unsigned rsa_bits;
};

std::string case_name(const ::testing::TestParamInfo<key_case>& info) {
  std::string name(alg_name(info.param.a));
  if (info.param.rsa_bits != 0) name += "_" + std::to_string(info.param.rsa_bits);
  return name;
}

class SignVerify : public ::testing::TestWithParam<key_case> {};

std::shared_ptr<const key_set> load(const std::string& jwk, const char* source) {
  key_set_builder b;
  b.add_jwks(jwk, source);
  return b.build();
}

TEST_P(SignVerify, RoundTripAndEveryBitFlipIsRejected) {
  const key_case c = GetParam();
  const generated_key g = generate_key(c.a, "k1", c.rsa_bits == 0 ? 2048 : c.rsa_bits);
  const auto signing = load(g.private_jwk, "private");
  const auto checking = load(g.public_jwk, "public");
  const std::string token =
      sign_compact(*signing, "k1", c.a, R"({"sub":"user-1","iat":1700000000})");

  const verifier v(checking);
  ASSERT_EQ(v.verify_one(token), status::ok) << token;
  EXPECT_EQ(verifier(signing).verify_one(token), status::ok);

  // Flip each bit of each character (as base64url text stays in the alphabet only
  // for some flips, the status may be bad_base64, bad_json, ... but never ok).
  std::size_t flips = 0;
  const std::size_t step = token.size() > 600 ? 7 : 1;  // RSA-4096: sample positions
  for (std::size_t i = 0; i < token.size(); i += step) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string t = token;
      t[i] = static_cast<char>(t[i] ^ (1 << bit));
      ++flips;
      ASSERT_NE(v.verify_one(t), status::ok) << "position " << i << " bit " << bit;
    }
  }
  EXPECT_EQ(flips, 8 * ((token.size() + step - 1) / step));
}

INSTANTIATE_TEST_SUITE_P(AllAlgorithms, SignVerify,
                         ::testing::Values(key_case{alg::hs256, 0}, key_case{alg::hs384, 0},
                                           key_case{alg::hs512, 0}, key_case{alg::rs256, 2048},
                                           key_case{alg::rs384, 3072}, key_case{alg::rs512, 4096},
                                           key_case{alg::ps256, 2048}, key_case{alg::ps384, 3072},
                                           key_case{alg::ps512, 4096}, key_case{alg::es256, 0},
                                           key_case{alg::es384, 0}, key_case{alg::es512, 0},
                                           key_case{alg::eddsa, 0}),
                         case_name);

}  // namespace
}  // namespace jwtbatch

namespace jwtbatch {
namespace {

// The fingerprint is SHA-256(token)[0..16) in hex, or all '0' when the policy turns
// it off; the verdict is the same either way.
TEST(Fingerprint, IsTheTokenDigestOrZerosWhenOff) {
  key_set_builder b;
  b.add_secret(std::vector<std::uint8_t>(32, 9), "secret", "k", alg::hs256);
  const auto keys = b.build();
  // Token and digest computed independently with Python's hmac and hashlib.
  const std::string token = sign_compact(*keys, "k", alg::hs256, R"({"sub":"x"})",
                                         std::string_view(R"({"alg":"HS256"})"));
  ASSERT_EQ(token,
            "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.i9k6a_bBC8wvxlOfdMNoji4G9SO6WgSeLXp2N_T7my8");
  result on;
  verifier(keys).verify(token, on);
  EXPECT_EQ(on.code, status::ok);
  EXPECT_EQ(on.fingerprint_hex(), "9e268bdf488cdfd1803e63f8f89da9c9");
  policy p;
  p.fingerprint = false;
  result off;
  verifier(keys, p).verify(token, off);
  EXPECT_EQ(off.code, status::ok);
  EXPECT_EQ(off.fingerprint_hex(), std::string(32, '0'));
}

}  // namespace
}  // namespace jwtbatch
