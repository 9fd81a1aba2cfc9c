#include "crypto/signature.hpp"

#include <openssl/err.h>
#include <openssl/rsa.h>

#include "crypto/digest.hpp"

namespace jwtbatch::detail {
namespace {

const hmac_key* hmac_for(const hmac_material& m, alg a) noexcept {
  switch (alg_hash(a)) {
    case sha2::sha256:
      return m.sha256 ? &*m.sha256 : nullptr;
    case sha2::sha384:
      return m.sha384 ? &*m.sha384 : nullptr;
    case sha2::sha512:
      return m.sha512 ? &*m.sha512 : nullptr;
  }
  return nullptr;
}

template <class... Fs>
struct overloaded : Fs... {
  using Fs::operator()...;
};
template <class... Fs>
overloaded(Fs...) -> overloaded<Fs...>;  // clang 14 needs the guide for aggregates

}  // namespace

std::size_t signature_size(const key& k, alg a) noexcept {
  return visit_material(
      k.material,
      overloaded{
          [&](const hmac_material&) { return sha2_size(alg_hash(a)); },
          [](const rsa_material& m) { return static_cast<std::size_t>(RSA_size(m.rsa.get())); },
          [](const ec_material& m) { return 2 * m.field_bytes; },
          [](const ed25519_material&) { return std::size_t{64}; },
      });
}

status verify_signature(const key& k, alg a, std::string_view signing_input,
                        std::span<const std::uint8_t> sig) noexcept {
  // RFC 7518: every algorithm has one exact signature length. Checking it first means
  // truncated MACs, DER-encoded ECDSA and padded RSA values never reach the crypto.
  if (sig.size() != signature_size(k, a)) return status::bad_signature_length;
  const bool good = visit_material(
      k.material,
      overloaded{
          [&](const hmac_material& m) {
            const hmac_key* h = hmac_for(m, a);
            return h != nullptr && h->verify(signing_input, sig);
          },
          [&](const rsa_material& m) { return rsa_verify(m, a, signing_input, sig); },
          [&](const ec_material& m) { return ecdsa_verify(m, a, signing_input, sig); },
          [&](const ed25519_material& m) { return eddsa_verify(m, signing_input, sig); },
      });
  if (!good) {
    ERR_clear_error();  // nothing of this token may be seen by the next one (R1)
    return status::bad_signature;
  }
  return status::ok;
}

bool sign_signature(const key& k, alg a, std::string_view signing_input,
                    std::vector<std::uint8_t>& out) {
  const bool done = visit_material(
      k.material, overloaded{
                      [&](const hmac_material& m) {
                        const hmac_key* h = hmac_for(m, a);
                        if (h == nullptr) return false;
                        out.resize(sha2_size(h->hash()));
                        h->mac(signing_input, out.data());
                        return true;
                      },
                      [&](const rsa_material& m) { return rsa_sign(m, a, signing_input, out); },
                      [&](const ec_material& m) { return ecdsa_sign(m, a, signing_input, out); },
                      [&](const ed25519_material& m) { return eddsa_sign(m, signing_input, out); },
                  });
  if (!done) ERR_clear_error();
  return done;
}

}  // namespace jwtbatch::detail
