// The public per-key primitives (jwtbatch/primitives.hpp): thin forwards to the crypto
// layer's signature functions, so that what bench times is what verify and
// sign_compact run.
#include "jwtbatch/primitives.hpp"

#include <string>
#include <type_traits>
#include <variant>

#include "core/access.hpp"
#include "crypto/pem.hpp"
#include "crypto/signature.hpp"
#include "keys/store.hpp"

namespace jwtbatch {

std::string_view key_handle::kid() const noexcept {
  return key_->kid;
}

bool key_handle::has_kid() const noexcept {
  return key_->has_kid;
}

key_kind key_handle::kind() const noexcept {
  return detail::visit_material(key_->material, [](const auto& m) noexcept {
    using material = std::decay_t<decltype(m)>;
    if constexpr (std::is_same_v<material, detail::hmac_material>) return key_kind::oct;
    if constexpr (std::is_same_v<material, detail::rsa_material>) return key_kind::rsa;
    if constexpr (std::is_same_v<material, detail::ec_material>) return key_kind::ec;
    return key_kind::okp;
  });
}

bool key_handle::allows(alg a) const noexcept {
  return detail::has_alg(key_->algs, a);
}

bool key_handle::can_sign() const noexcept {
  return key_->can_sign();
}

std::size_t key_handle::signature_size(alg a) const noexcept {
  return allows(a) ? detail::signature_size(*key_, a) : 0;
}

bool key_handle::sign(alg a, std::string_view signing_input, std::vector<std::uint8_t>& out) const {
  // sign_signature's contract: the key serves `a` (its material matches the family).
  return allows(a) && detail::sign_signature(*key_, a, signing_input, out);
}

status key_handle::verify(alg a, std::string_view signing_input,
                          std::span<const std::uint8_t> signature) const noexcept {
  // verify_signature's caller guarantees has_alg(k.algs, a), as key selection does.
  if (!allows(a)) return status::alg_key_mismatch;
  return detail::verify_signature(*key_, a, signing_input, signature);
}

std::vector<std::uint8_t> key_handle::public_spki_der() const {
  if (std::holds_alternative<detail::hmac_material>(key_->material)) return {};
  std::vector<std::uint8_t> der = detail::public_key_spki(*key_);
  if (der.empty()) throw config_error(key_->origin + ": cannot export the public key");
  return der;
}

std::span<const std::uint8_t> key_handle::hmac_secret() const noexcept {
  if (const auto* h = std::get_if<detail::hmac_material>(&key_->material)) return h->secret;
  return {};
}

key_handle key_at(const key_set& keys, std::size_t index) {
  const std::vector<detail::key>& all = detail::access::key_store_of(keys).keys();
  if (index >= all.size()) {
    throw config_error("key_at: no key " + std::to_string(index) + " in a set of " +
                       std::to_string(all.size()));
  }
  return key_handle(&all[index]);
}

}  // namespace jwtbatch
