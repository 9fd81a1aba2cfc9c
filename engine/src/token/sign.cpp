#include "jwtbatch/sign.hpp"
#include "core/access.hpp"

#include <vector>

#include "codec/base64url.hpp"
#include "codec/json_out.hpp"
#include "crypto/keygen.hpp"
#include "crypto/memory.hpp"
#include "crypto/random.hpp"
#include "crypto/sha2.hpp"
#include "crypto/signature.hpp"
#include "keys/store.hpp"

namespace jwtbatch {
namespace {

std::string b64(std::span<const std::uint8_t> bytes) {
  std::string out(detail::base64url_encoded_size(bytes.size()), '\0');
  out.resize(detail::base64url_encode(bytes, out.data()));
  return out;
}

// Builds {"kty":..., <members>, "kid":..., "use":"sig", "alg":...} in a fixed order.
class jwk_writer {
 public:
  jwk_writer(std::string_view kty) { member("kty", kty); }
  void member(std::string_view name, std::string_view value) {
    text_ += text_.empty() ? "{" : ",";
    detail::append_json_string(text_, name);
    text_ += ':';
    detail::append_json_string(text_, value);
  }
  std::string finish(std::string_view kid, alg a) {
    if (!kid.empty()) member("kid", kid);
    member("use", "sig");
    member("alg", alg_name(a));
    return text_ + "}";
  }

 private:
  std::string text_;
};

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
  generated_key out;
  switch (a) {
    case alg::hs256:
    case alg::hs384:
    case alg::hs512: {
      detail::secret_bytes secret;
      secret.bytes.resize(detail::sha2_size(detail::alg_hash(a)));
      detail::random_bytes(secret.bytes);
      jwk_writer w("oct");
      w.member("k", b64(secret.bytes));
      out.private_jwk = w.finish(kid, a);
      out.public_jwk = out.private_jwk;
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
      jwk_writer pub("RSA");
      pub.member("n", b64(m.n.bytes));
      pub.member("e", b64(m.e.bytes));
      jwk_writer priv = pub;
      priv.member("d", b64(m.d.bytes));
      priv.member("p", b64(m.p.bytes));
      priv.member("q", b64(m.q.bytes));
      priv.member("dp", b64(m.dp.bytes));
      priv.member("dq", b64(m.dq.bytes));
      priv.member("qi", b64(m.qi.bytes));
      out.public_jwk = pub.finish(kid, a);
      out.private_jwk = priv.finish(kid, a);
      return out;
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
      jwk_writer pub("EC");
      pub.member("crv", detail::ec_curve_name(curve));
      pub.member("x", b64(m.x.bytes));
      pub.member("y", b64(m.y.bytes));
      jwk_writer priv = pub;
      priv.member("d", b64(m.d.bytes));
      out.public_jwk = pub.finish(kid, a);
      out.private_jwk = priv.finish(kid, a);
      return out;
    }
    case alg::eddsa: {
      detail::ed25519_key_members m;
      detail::generate_ed25519_key(m);
      jwk_writer pub("OKP");
      pub.member("crv", "Ed25519");
      pub.member("x", b64(m.x.bytes));
      jwk_writer priv = pub;
      priv.member("d", b64(m.d.bytes));  // the seed (RFC 8037 §2)
      out.public_jwk = pub.finish(kid, a);
      out.private_jwk = priv.finish(kid, a);
      return out;
    }
  }
  throw config_error("generate_key: unknown algorithm");
}

}  // namespace jwtbatch
