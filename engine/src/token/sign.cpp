#include "jwtbatch/sign.hpp"
#include "core/access.hpp"

#include <initializer_list>
#include <utility>
#include <variant>
#include <vector>

#include "codec/base64url.hpp"
#include "codec/json_out.hpp"
#include "crypto/key_export.hpp"
#include "crypto/keygen.hpp"
#include "crypto/memory.hpp"
#include "crypto/pem.hpp"
#include "crypto/random.hpp"
#include "crypto/sha2.hpp"
#include "crypto/signature.hpp"
#include "keys/jwk_out.hpp"
#include "keys/store.hpp"

namespace jwtbatch {
namespace {

std::string b64(std::span<const std::uint8_t> bytes) {
  std::string out(detail::base64url_encoded_size(bytes.size()), '\0');
  out.resize(detail::base64url_encode(bytes, out.data()));
  return out;
}

// A member of a generated key, moved into the form the JWK writer takes.
detail::jwk_member member(std::string_view name, detail::secret_bytes& value) {
  return {name, std::move(value)};
}

// The private and public JWK of `m` (keys/jwk_out.hpp, the one JWK writer), with
// "use":"sig" and "alg" set, in the layout keygen has always written.
generated_key write_generated(const detail::key_members& m, std::string_view kid, alg a) {
  detail::jwk_labels labels;
  if (!kid.empty()) labels.kid = kid;
  labels.bound = a;
  labels.use_sig = true;
  return {detail::write_jwk(m, detail::jwk_part::private_key, labels, detail::jwk_layout::keygen),
          detail::write_jwk(m, detail::jwk_part::public_key, labels, detail::jwk_layout::keygen)};
}

const detail::key& key_of(const key_set& keys, std::size_t index) {
  const std::vector<detail::key>& all = detail::access::key_store_of(keys).keys();
  if (index >= all.size()) {
    throw config_error("no key " + std::to_string(index) + " in a set of " +
                       std::to_string(all.size()));
  }
  return all[index];
}

}  // namespace

std::string sign_compact(const key_set& keys, std::string_view kid, alg a, std::string_view payload,
                         std::optional<std::string_view> header_json) {
  const detail::key* k = nullptr;
  const status st = detail::access::key_store_of(keys).select(
      a, kid.empty() ? std::nullopt : std::optional(kid), false, &k);
  if (st != status::ok) {
    throw config_error("sign: no key for kid \"" + std::string(kid) + "\" and " +
                       std::string(alg_name(a)) + " (" + std::string(status_name(st)) + ")");
  }
  std::string header;
  if (header_json) {
    header = std::string(*header_json);
  } else {
    header = R"({"alg":")" + std::string(alg_name(a)) + R"(","typ":"JWT")";
    if (!kid.empty()) {
      header += R"(,"kid":)";
      detail::append_json_string(header, kid);
    }
    header += "}";
  }
  std::string token = detail::base64url_encode(header) + "." + detail::base64url_encode(payload);
  std::vector<std::uint8_t> sig;
  if (!detail::sign_signature(*k, a, token, sig)) {
    throw config_error("sign: key " + k->origin + " cannot sign (no private part?)");
  }
  token += ".";
  token += b64(sig);
  return token;
}

generated_key generate_key(alg a, std::string_view kid, unsigned rsa_bits) {
  detail::key_members km;
  switch (a) {
    case alg::hs256:
    case alg::hs384:
    case alg::hs512: {
      detail::secret_bytes secret;
      secret.bytes.resize(detail::sha2_size(detail::alg_hash(a)));
      detail::random_bytes(secret.bytes);
      km.kty = "oct";
      km.required.push_back(member("k", secret));
      generated_key out = write_generated(km, kid, a);
      out.public_jwk = out.private_jwk;  // an oct key is its secret
      return out;
    }
    case alg::rs256:
    case alg::rs384:
    case alg::rs512:
    case alg::ps256:
    case alg::ps384:
    case alg::ps512: {
      if (rsa_bits < 2048 || rsa_bits > 16384) {
        throw config_error("RSA key size must be 2048..16384 bits, not " +
                           std::to_string(rsa_bits));
      }
      detail::rsa_key_members m;
      if (std::string error = detail::generate_rsa_key(rsa_bits, m); !error.empty()) {
        throw config_error(error);
      }
      km.kty = "RSA";
      km.required.push_back(member("n", m.n));
      km.required.push_back(member("e", m.e));
      const std::initializer_list<std::pair<std::string_view, detail::secret_bytes*>> rest = {
          {"d", &m.d}, {"p", &m.p}, {"q", &m.q}, {"dp", &m.dp}, {"dq", &m.dq}, {"qi", &m.qi}};
      for (const auto& [name, value] : rest) km.private_part.push_back(member(name, *value));
      return write_generated(km, kid, a);
    }
    case alg::es256:
    case alg::es384:
    case alg::es512: {
      const detail::ec_curve curve = a == alg::es256   ? detail::ec_curve::p256
                                     : a == alg::es384 ? detail::ec_curve::p384
                                                       : detail::ec_curve::p521;
      detail::ec_key_members m;
      if (std::string error = detail::generate_ec_key(curve, m); !error.empty()) {
        throw config_error(error);
      }
      km.kty = "EC";
      km.crv = detail::ec_curve_name(curve);
      km.required.push_back(member("x", m.x));
      km.required.push_back(member("y", m.y));
      km.private_part.push_back(member("d", m.d));
      return write_generated(km, kid, a);
    }
    case alg::eddsa: {
      detail::ed25519_key_members m;
      detail::generate_ed25519_key(m);
      km.kty = "OKP";
      km.crv = "Ed25519";
      km.required.push_back(member("x", m.x));
      km.private_part.push_back(member("d", m.d));  // the seed (RFC 8037 §2)
      return write_generated(km, kid, a);
    }
  }
  throw config_error("generate_key: unknown algorithm");
}

std::string export_private_jwk(const key_set& keys, std::size_t index) {
  const detail::key& k = key_of(keys, index);
  if (!k.can_sign()) throw config_error(k.origin + ": no private key to export");
  detail::key_members m;
  if (std::string error = detail::export_key_members(k, true, m); !error.empty()) {
    throw config_error(k.origin + ": " + error);
  }
  return detail::write_jwk(m, detail::jwk_part::private_key, detail::labels_of(k));
}

std::string export_public_pem(const key_set& keys, std::size_t index) {
  const detail::key& k = key_of(keys, index);
  if (std::holds_alternative<detail::hmac_material>(k.material)) {
    throw config_error(k.origin + ": an HMAC secret (kty oct) has no public key");
  }
  const std::vector<std::uint8_t> der = detail::public_key_spki(k);
  if (der.empty()) throw config_error(k.origin + ": cannot export the public key");
  // RFC 7468 §2: standard base64 (RFC 4648 §4), lines of 64 characters. base64url with
  // its two letters swapped and the padding put back is exactly that.
  std::string text = b64(der);
  for (char& c : text) c = c == '-' ? '+' : c == '_' ? '/' : c;
  text.append((4 - text.size() % 4) % 4, '=');
  std::string pem = "-----BEGIN PUBLIC KEY-----\n";
  for (std::size_t at = 0; at < text.size(); at += 64) {
    pem.append(text, at, 64);
    pem += '\n';
  }
  return pem + "-----END PUBLIC KEY-----\n";
}

}  // namespace jwtbatch
