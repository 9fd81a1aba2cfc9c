#include "crypto/self_check.hpp"

#include <dlfcn.h>
#include <openssl/bn.h>
#include <openssl/curve25519.h>
#include <openssl/digest.h>
#include <openssl/ec_key.h>
#include <openssl/ecdsa.h>
#include <openssl/hmac.h>
#include <openssl/mem.h>
#include <openssl/rsa.h>

#include <array>
#include <string_view>

namespace jwtbatch::detail {
namespace {

struct entry_point {
  std::string_view name;
  const void* address;
};

// Where an address lives: the object's load address and path, or null.
const void* home_of(const void* address, const char** path) noexcept {
  Dl_info info{};
  if (dladdr(address, &info) == 0) return nullptr;
  *path = info.dli_fname != nullptr ? info.dli_fname : "?";
  return info.dli_fbase;
}

crypto_binding_report check() {
  // One entry point per family the engine uses (digests, HMAC, RSA, ECDSA, Ed25519,
  // big numbers, the constant-time compare). Taking the address goes through the same
  // GOT slot a call would if the symbol were interposable.
  const std::array<entry_point, 8> used{{
      {"EVP_sha256", reinterpret_cast<const void*>(&EVP_sha256)},
      {"HMAC_Init_ex", reinterpret_cast<const void*>(&HMAC_Init_ex)},
      {"RSA_verify_pss_mgf1", reinterpret_cast<const void*>(&RSA_verify_pss_mgf1)},
      {"RSA_verify", reinterpret_cast<const void*>(&RSA_verify)},
      {"ECDSA_do_verify", reinterpret_cast<const void*>(&ECDSA_do_verify)},
      {"ED25519_verify", reinterpret_cast<const void*>(&ED25519_verify)},
      {"BN_bin2bn", reinterpret_cast<const void*>(&BN_bin2bn)},
      {"CRYPTO_memcmp", reinterpret_cast<const void*>(&CRYPTO_memcmp)},
  }};
  const char* own_path = "?";
  const void* own = home_of(reinterpret_cast<const void*>(&crypto_binding_check), &own_path);
  crypto_binding_report report;
  for (const entry_point& e : used) {
    const char* path = "?";
    if (home_of(e.address, &path) == own) continue;
    report.ok = false;
    report.message = std::string("jwtbatch: ") + std::string(e.name) + " resolves to " + path +
                     ", not to the BoringSSL inside " + own_path +
                     ": this libjwtbatch was linked with exported crypto symbols; rebuild it "
                     "with cmake/BoringSSL.cmake (static, hidden)";
    break;
  }
  return report;
}

}  // namespace

const crypto_binding_report& crypto_binding_check() {
  static const crypto_binding_report report = check();
  return report;
}

}  // namespace jwtbatch::detail
