#include "jwtbatch/alg.hpp"

namespace jwtbatch {
namespace {

constexpr std::array<std::string_view, alg_count> k_names = {
    "HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "PS256",
    "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"};

constexpr std::array<alg, alg_count> k_algs = {
    alg::hs256, alg::hs384, alg::hs512, alg::rs256, alg::rs384, alg::rs512, alg::ps256,
    alg::ps384, alg::ps512, alg::es256, alg::es384, alg::es512, alg::eddsa};

}  // namespace

std::string_view alg_name(alg a) noexcept {
  const auto i = static_cast<std::size_t>(a);
  return i < alg_count ? k_names[i] : std::string_view("unknown");
}

std::optional<alg> alg_from_name(std::string_view name) noexcept {
  for (std::size_t i = 0; i < alg_count; ++i) {
    if (k_names[i] == name) return k_algs[i];
  }
  return std::nullopt;
}

const std::array<alg, alg_count>& all_algs() noexcept {
  return k_algs;
}

}  // namespace jwtbatch
