// consumer.cpp: a C++17 program built against an installed jwtbatch (find_package or
// pkg-config), holding the C handles in std::unique_ptr. Verifies two tokens of a
// secret it loads itself; exit status 0 when the verdicts are right.
#include <jwtbatch/jwtbatch.h>

#include <array>
#include <cstdio>
#include <memory>
#include <string_view>

namespace {

template <class T, void (*Free)(T*)>
struct deleter {
  void operator()(T* p) const noexcept { Free(p); }
};
using builder_ptr =
    std::unique_ptr<jwtbatch_key_set_builder,
                    deleter<jwtbatch_key_set_builder, jwtbatch_key_set_builder_free>>;
using keys_ptr =
    std::unique_ptr<jwtbatch_key_set, deleter<jwtbatch_key_set, jwtbatch_key_set_free>>;
using policy_ptr = std::unique_ptr<jwtbatch_policy, deleter<jwtbatch_policy, jwtbatch_policy_free>>;
using verifier_ptr =
    std::unique_ptr<jwtbatch_verifier, deleter<jwtbatch_verifier, jwtbatch_verifier_free>>;
using results_ptr =
    std::unique_ptr<jwtbatch_results, deleter<jwtbatch_results, jwtbatch_results_free>>;

// RFC 7515 Appendix A.1: the HS256 key (as a JWK) and token; its exp is 1300819380.
constexpr std::string_view k_jwk =
    R"({"kty":"oct","alg":"HS256","k":"AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow"})";
constexpr std::string_view k_token =
    "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9."
    "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ"
    "."
    "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

}  // namespace

int main() {
  jwtbatch_error err{};
  jwtbatch_key_set_builder* raw_builder = nullptr;
  jwtbatch_key_set* raw_keys = nullptr;
  jwtbatch_verifier* raw_verifier = nullptr;
  if (jwtbatch_key_set_builder_new(&raw_builder, &err) != JWTBATCH_OK) {
    std::fprintf(stderr, "consumer_cxx: %s\n", err.message);
    return 1;
  }
  const builder_ptr builder(raw_builder);
  if (jwtbatch_key_set_builder_add_jwks(builder.get(), k_jwk.data(), k_jwk.size(), "A.1", &err) !=
          JWTBATCH_OK ||
      jwtbatch_key_set_builder_build(builder.get(), &raw_keys, &err) != JWTBATCH_OK) {
    std::fprintf(stderr, "consumer_cxx: %s\n", err.message);
    return 1;
  }
  const keys_ptr keys(raw_keys);
  const policy_ptr policy(jwtbatch_policy_new());
  if (!policy || jwtbatch_policy_add_issuer(policy.get(), "joe", 3) != JWTBATCH_OK ||
      jwtbatch_verifier_new(&raw_verifier, keys.get(), policy.get(), nullptr, &err) !=
          JWTBATCH_OK) {
    std::fprintf(stderr, "consumer_cxx: %s\n", err.message);
    return 1;
  }
  const verifier_ptr verifier(raw_verifier);
  const results_ptr results(jwtbatch_results_new());
  const std::array<const char*, 2> tokens = {k_token.data(), k_token.data()};
  const std::array<std::size_t, 2> lens = {k_token.size(), k_token.size()};
  const std::array<double, 2> times = {1300819379, 1300819380};  // exp - 1, exp
  if (!results || jwtbatch_verify_batch_at(verifier.get(), results.get(), tokens.data(),
                                           lens.data(), times.data(), 2) != JWTBATCH_OK) {
    return 1;
  }
  const int before = jwtbatch_results_get(results.get(), 0)->status;
  const int at_exp = jwtbatch_results_get(results.get(), 1)->status;
  std::printf("consumer_cxx: RFC 7515 A.1 token: %s one second before exp, %s at exp\n",
              jwtbatch_status_name(before), jwtbatch_status_name(at_exp));
  return before == JWTBATCH_STATUS_OK && at_exp == JWTBATCH_STATUS_EXPIRED ? 0 : 1;
}
