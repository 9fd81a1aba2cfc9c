// RS256/384/512 (RSASSA-PKCS1-v1_5, RFC 7518 §3.3) and PS256/384/512 (RSASSA-PSS,
// §3.5: MGF1 with the message hash, salt length = hash length, nothing else).
#include <openssl/rsa.h>

#include "crypto/digest.hpp"
#include "crypto/signature.hpp"

namespace jwtbatch::detail {
namespace {

bool is_pss(alg a) {
  return a == alg::ps256 || a == alg::ps384 || a == alg::ps512;
}

}  // namespace

bool rsa_verify(const rsa_material& m, alg a, std::string_view input,
                std::span<const std::uint8_t> sig) noexcept {
  const sha2 h = alg_hash(a);
  const digest d = digest_of(h, input);
  if (is_pss(a)) {
    // Salt length fixed to the digest length: "auto" salt detection is refused.
    return RSA_verify_pss_mgf1(m.rsa.get(), d.bytes.data(), d.size, sha2_md(h), sha2_md(h),
                               static_cast<int>(d.size), sig.data(), sig.size()) == 1;
  }
  // RSA_verify rebuilds the expected DigestInfo encoding and compares it whole, so
  // lenient padding parses (Bleichenbacher'06, missing NULL) cannot pass (S9).
  return RSA_verify(sha2_nid(h), d.bytes.data(), d.size, sig.data(), sig.size(), m.rsa.get()) == 1;
}

bool rsa_sign(const rsa_material& m, alg a, std::string_view input,
              std::vector<std::uint8_t>& out) {
  if (!m.has_private) return false;
  const sha2 h = alg_hash(a);
  const digest d = digest_of(h, input);
  out.resize(RSA_size(m.rsa.get()));
  if (is_pss(a)) {
    std::size_t len = 0;
    if (RSA_sign_pss_mgf1(m.rsa.get(), &len, out.data(), out.size(), d.bytes.data(), d.size,
                          sha2_md(h), sha2_md(h), static_cast<int>(d.size)) != 1) {
      return false;
    }
    out.resize(len);
    return true;
  }
  unsigned len = 0;
  if (RSA_sign(sha2_nid(h), d.bytes.data(), static_cast<unsigned>(d.size), out.data(), &len,
               m.rsa.get()) != 1) {
    return false;
  }
  out.resize(len);
  return true;
}

}  // namespace jwtbatch::detail
