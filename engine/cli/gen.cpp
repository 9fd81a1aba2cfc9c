#include "gen.hpp"

#include <openssl/base64.h>
#include <openssl/bn.h>
#include <openssl/bytestring.h>
#include <openssl/curve25519.h>
#include <openssl/ec.h>
#include <openssl/ec_key.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/mem.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <limits>
#include <optional>
#include <random>
#include <stdexcept>
#include <unordered_map>
#include <variant>

#include "codec/base64url.hpp"
#include "codec/json_out.hpp"
#include "core/access.hpp"
#include "crypto/signature.hpp"
#include "jwtbatch/sign.hpp"
#include "keys/store.hpp"

namespace jwtbatch::cli {
namespace {

// Repeats are shuffled within blocks of this many lines. A token's copies are
// contiguous before the shuffle, so with repeat <= k_block they land in at most two
// consecutive blocks: at most 2 * 2048 lines * 0.599 s = 2,453 s apart, inside the
// 3,300 s a valid token has left after its first line (see the time model).
constexpr std::size_t k_block = 2048;
constexpr std::int64_t k_max_gap_ms = 600;  // line gaps are 0..599 ms
constexpr std::int64_t k_lifetime_s = 3600;
constexpr std::int64_t k_max_issue_lag_s = 300;

// All randomness of the generator: std::mt19937_64 output is specified by the
// standard; the range reduction and shuffle are ours, so every library gives the same.
class prng {
 public:
  explicit prng(std::uint64_t seed) : engine_(seed) {}
  // below returns a uniform value in [0, n), n > 0 (rejection keeps it unbiased).
  std::uint64_t below(std::uint64_t n) {
    const std::uint64_t rem = (std::numeric_limits<std::uint64_t>::max() % n + 1) % n;
    for (;;) {
      const std::uint64_t x = engine_();
      if (rem == 0 || x < std::uint64_t{0} - rem) return x % n;
    }
  }
  template <class T>
  const T& pick(const std::vector<T>& v) {
    return v[below(v.size())];
  }
  template <class T, std::size_t N>
  const T& pick(const std::array<T, N>& v) {
    return v[below(N)];
  }
  template <class T>
  void shuffle(std::vector<T>& v) {  // Fisher-Yates
    for (std::size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[below(i)]);
  }
  std::vector<std::uint8_t> bytes(std::size_t n) {
    std::vector<std::uint8_t> out(n);
    for (auto& b : out) b = static_cast<std::uint8_t>(engine_() >> 56U);
    return out;
  }

 private:
  std::mt19937_64 engine_;
};

std::string b64(std::span<const std::uint8_t> bytes) {
  std::string out(detail::base64url_encoded_size(bytes.size()), '\0');
  out.resize(detail::base64url_encode(bytes, out.data()));
  return out;
}

std::vector<std::uint8_t> unb64(std::string_view s) {
  std::vector<std::uint8_t> out(detail::base64url_decoded_size(s.size()));
  std::size_t len = 0;
  if (!detail::base64url_decode(s, out.data(), &len)) throw std::logic_error("gen: bad base64url");
  out.resize(len);
  return out;
}

std::string json_str(std::string_view s) {
  std::string out;
  detail::append_json_string(out, s);
  return out;
}

std::string hex(std::span<const std::uint8_t> bytes) {
  static constexpr char k_hex[] = "0123456789abcdef";
  std::string out;
  for (std::uint8_t b : bytes) {
    out += k_hex[b >> 4U];
    out += k_hex[b & 0xFU];
  }
  return out;
}

std::string hmac(alg a, std::span<const std::uint8_t> secret, std::string_view input) {
  const EVP_MD* md = a == alg::hs384 ? EVP_sha384() : a == alg::hs512 ? EVP_sha512() : EVP_sha256();
  std::array<std::uint8_t, EVP_MAX_MD_SIZE> mac{};
  unsigned len = 0;
  if (HMAC(md, secret.data(), secret.size(), reinterpret_cast<const std::uint8_t*>(input.data()),
           input.size(), mac.data(), &len) == nullptr) {
    throw std::runtime_error("gen: HMAC failed");
  }
  return b64(std::span(mac.data(), len));
}

std::span<const std::uint8_t> as_bytes(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

// A compact JWS from header JSON, payload JSON and an already encoded signature.
std::string compact(std::string_view header, std::string_view payload, std::string_view sig) {
  return detail::base64url_encode(header) + "." + detail::base64url_encode(payload) + "." +
         std::string(sig);
}

struct parts {
  std::string_view header, payload, signature;
};
parts split(std::string_view token) {
  const std::size_t a = token.find('.');
  const std::size_t b = token.find('.', a + 1);
  return {token.substr(0, a), token.substr(a + 1, b - a - 1), token.substr(b + 1)};
}

// ---------------------------------------------------------------------------------
// Keys

struct signing_key {
  alg a;
  std::string kid;  // empty: the key has none (it is then the only key for `a`)
  const detail::key* k;
};

class signer {
 public:
  signer(const key_set& keys, const std::vector<alg>& algs) : keys_(keys) {
    const auto& all = detail::access::key_store_of(keys).keys();
    for (alg a : algs) {
      std::size_t serving = 0;
      for (const auto& k : all) serving += detail::has_alg(k.algs, a) ? 1U : 0U;
      std::vector<signing_key> list;
      for (const auto& k : all) {
        if (!detail::has_alg(k.algs, a) || !k.can_sign()) continue;
        // A key without kid is only reachable when no other key serves its alg.
        if (!k.has_kid && serving != 1) continue;
        list.push_back({a, k.has_kid ? k.kid : std::string(), &k});
      }
      if (list.empty()) {
        throw config_error("gen: the key set has no private key usable with " +
                           std::string(alg_name(a)) + " (a key bound to it, with a kid)");
      }
      for (const auto& s : list) {
        if (!s.kid.empty()) targets_.push_back(s);
      }
      by_alg_.push_back(std::move(list));
    }
  }

  // The keys of the i-th requested alg.
  [[nodiscard]] const std::vector<signing_key>& keys_for(std::size_t i) const { return by_alg_[i]; }
  // Every signing key with a kid, in requested-alg order (hostile mode's targets).
  [[nodiscard]] const std::vector<signing_key>& targets() const { return targets_; }

  [[nodiscard]] std::string sign(const signing_key& s, std::string_view payload,
                                 std::optional<std::string_view> header = {}) const {
    return sign_compact(keys_, s.kid, s.a, payload, header);
  }

 private:
  const key_set& keys_;
  std::vector<std::vector<signing_key>> by_alg_;
  std::vector<signing_key> targets_;
};

std::string default_header(const signing_key& s) {
  std::string h = R"({"alg":")" + std::string(alg_name(s.a)) + R"(","typ":"JWT")";
  if (!s.kid.empty()) h += R"(,"kid":)" + json_str(s.kid);
  return h + "}";
}

// DER SubjectPublicKeyInfo of an asymmetric key (empty for HMAC keys).
std::vector<std::uint8_t> spki_der(const detail::key& k) {
  bssl::UniquePtr<EVP_PKEY> pkey;
  if (const auto* r = std::get_if<detail::rsa_material>(&k.material)) {
    pkey.reset(EVP_PKEY_new());
    if (!pkey || EVP_PKEY_set1_RSA(pkey.get(), r->rsa.get()) != 1) pkey.reset();
  } else if (const auto* e = std::get_if<detail::ec_material>(&k.material)) {
    pkey.reset(EVP_PKEY_new());
    if (!pkey || EVP_PKEY_set1_EC_KEY(pkey.get(), e->ec.get()) != 1) pkey.reset();
  } else if (const auto* d = std::get_if<detail::ed25519_material>(&k.material)) {
    pkey.reset(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, d->public_key.data(), 32));
  } else {
    return {};
  }
  bssl::ScopedCBB cbb;
  std::uint8_t* der = nullptr;
  std::size_t len = 0;
  if (!pkey || CBB_init(cbb.get(), 0) != 1 || EVP_marshal_public_key(cbb.get(), pkey.get()) != 1 ||
      CBB_finish(cbb.get(), &der, &len) != 1) {
    throw std::runtime_error("gen: cannot export a public key");
  }
  std::vector<std::uint8_t> out(der, der + len);
  OPENSSL_free(der);
  return out;
}

// The PEM text of a DER SPKI, 64 characters a line, with or without the final newline.
std::string spki_pem(std::span<const std::uint8_t> der, bool final_newline) {
  std::size_t need = 0;
  EVP_EncodedLength(&need, der.size());
  std::string body(need, '\0');
  body.resize(
      EVP_EncodeBlock(reinterpret_cast<std::uint8_t*>(body.data()), der.data(), der.size()));
  std::string pem = "-----BEGIN PUBLIC KEY-----\n";
  for (std::size_t i = 0; i < body.size(); i += 64) pem += body.substr(i, 64) + "\n";
  pem += "-----END PUBLIC KEY-----";
  if (final_newline) pem += "\n";
  return pem;
}

// ---------------------------------------------------------------------------------
// Claims

constexpr std::array<std::string_view, 6> k_scopes = {"orders:read",  "orders:read orders:write",
                                                      "profile:read", "profile:read email",
                                                      "reports:read", "orders:read payments:write"};
constexpr std::array<std::string_view, 4> k_clients = {"web-portal", "mobile-ios", "mobile-android",
                                                       "partner-sync"};
constexpr std::array<std::string_view, 4> k_roles = {R"(["viewer"])", R"(["viewer","editor"])",
                                                     R"(["editor"])", R"(["viewer","billing"])"};
constexpr std::size_t k_users = 5000;

struct claims {
  std::string sub, scope;
  std::int64_t iat = 0, nbf = 0, exp = 0;
  std::string jti, client, tenant, roles, sid;
  std::string extra;  // raw members appended at the end (hostile shapes), with comma

  [[nodiscard]] std::string json(const gen_options& o) const {
    std::string s = R"({"iss":)" + json_str(o.issuer) + R"(,"sub":)" + json_str(sub) +
                    R"(,"aud":)" + json_str(o.audience) + R"(,"exp":)" + std::to_string(exp) +
                    R"(,"nbf":)" + std::to_string(nbf) + R"(,"iat":)" + std::to_string(iat) +
                    R"(,"jti":)" + json_str(jti) + R"(,"scope":)" + json_str(scope) +
                    R"(,"client_id":)" + json_str(client) + R"(,"tenant":)" + json_str(tenant) +
                    R"(,"roles":)" + roles + R"(,"sid":)" + json_str(sid) +
                    R"(,"email_verified":true,"amr":["pwd","otp"])";
    return s + extra + "}";
  }
};

// A realistic claims set (about 330 bytes): issued 1..300 s before `now_s`, valid for
// an hour; `expired` moves the whole window 1 s..1 day before now_s.
claims make_claims(prng& rng, std::size_t user, std::int64_t now_s, bool expired) {
  claims c;
  char buf[32];
  std::snprintf(buf, sizeof buf, "user-%05zu", user);
  c.sub = buf;
  if (expired) {
    c.exp = now_s - 1 - static_cast<std::int64_t>(rng.below(86400));
    c.iat = c.exp - k_lifetime_s;
  } else {
    c.iat = now_s - 1 - static_cast<std::int64_t>(rng.below(k_max_issue_lag_s));
    c.exp = c.iat + k_lifetime_s;
  }
  c.nbf = c.iat;
  c.jti = b64(rng.bytes(16));
  c.scope = std::string(rng.pick(k_scopes));
  c.client = std::string(rng.pick(k_clients));
  std::snprintf(buf, sizeof buf, "t-%04zu", user % 97);
  c.tenant = buf;
  c.roles = std::string(rng.pick(k_roles));
  c.sid = hex(rng.bytes(8));
  return c;
}

// ---------------------------------------------------------------------------------
// Mix kinds

std::string forge(prng& rng, const signer& sg, const signing_key& s, const claims& c,
                  const gen_options& o) {
  const std::string token = sg.sign(s, c.json(o));
  const parts p = split(token);
  if (rng.below(2) == 0) {
    // Change one signature byte (away from the edges: for ECDSA it stays inside R
    // and below the group order, for RSA below the modulus).
    std::vector<std::uint8_t> sig = unb64(p.signature);
    const std::size_t quarter = std::max<std::size_t>(1, sig.size() / 4);
    sig[quarter + rng.below(quarter)] ^= static_cast<std::uint8_t>(1 + rng.below(255));
    return std::string(p.header) + "." + std::string(p.payload) + "." + b64(sig);
  }
  // Swap the payload for an escalated one, keeping the genuine signature.
  claims t = c;
  t.sub = "admin";
  t.scope = "admin:all orders:write payments:write";
  t.roles = R"(["admin"])";
  return std::string(p.header) + "." + detail::base64url_encode(t.json(o)) + "." +
         std::string(p.signature);
}

std::string malform(prng& rng, const std::string& token) {
  const parts p = split(token);
  switch (rng.below(5)) {
    case 0: {  // a character outside the base64url alphabet in the header
      constexpr std::array<char, 4> bad = {'+', '/', '*', '='};
      std::string h(p.header);
      h[rng.below(h.size())] = rng.pick(bad);
      return h + "." + std::string(p.payload) + "." + std::string(p.signature);
    }
    case 1:  // signature segment dropped
      return std::string(p.header) + "." + std::string(p.payload);
    case 2:  // one segment too many
      return token + "." + std::string(p.signature.substr(0, 8));
    case 3:  // truncated inside the payload
      return token.substr(0, p.header.size() + 1 + rng.below(p.payload.size()));
    default:  // header is not JSON (cut in the middle of the object)
      return detail::base64url_encode(R"({"alg":"HS256","typ":)") + "." + std::string(p.payload) +
             "." + std::string(p.signature);
  }
}

// ---------------------------------------------------------------------------------
// Hostile shapes (SECURITY.md §2)

struct shape_context {
  prng& rng;
  const signer& sg;
  const gen_options& o;
  const claims& c;
  std::size_t variant;
  // A target key, rotated over every kid'd signing key.
  const signing_key& target;
};

struct shape {
  std::string_view name;
  attack_label expected;
  std::size_t variants;
  std::string (*build)(shape_context&);
  std::vector<signing_key> keys = {};  // shape-specific targets, when it needs a kind of key
  bool available = true;
};

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
  if (std::holds_alternative<detail::hmac_material>(k.k->material)) {
    // No asymmetric key: another HMAC hash on a key bound to one.
    const auto& secret = std::get<detail::hmac_material>(k.k->material).secret;
    alg other = alg::hs256;
    for (alg a : {alg::hs256, alg::hs384, alg::hs512}) {
      if (!detail::has_alg(k.k->algs, a)) other = a;
    }
    const std::string header = R"({"alg":")" + std::string(alg_name(other)) +
                               R"(","typ":"JWT","kid":)" + json_str(k.kid) + "}";
    const std::string input =
        detail::base64url_encode(header) + "." + detail::base64url_encode(x.c.json(x.o));
    return input + "." + hmac(other, secret, input);
  }
  const std::vector<std::uint8_t> der = spki_der(*k.k);
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
  const std::string input =
      detail::base64url_encode(header) + "." + detail::base64url_encode(x.c.json(x.o));
  return input + "." + hmac(alg::hs256, as_bytes(secret), input);
}

std::string build_psychic(shape_context& x, const signing_key& k) {
  // S6 (CVE-2022-21449): r = s = 0, or r = s = n.
  const auto& ec = std::get<detail::ec_material>(k.k->material);
  std::vector<std::uint8_t> sig(2 * ec.field_bytes, 0);
  if (x.variant % 2 == 1) {
    const BIGNUM* order = EC_GROUP_get0_order(EC_KEY_get0_group(ec.ec.get()));
    if (BN_bn2bin_padded(sig.data(), ec.field_bytes, order) != 1 ||
        BN_bn2bin_padded(sig.data() + ec.field_bytes, ec.field_bytes, order) != 1) {
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
    const std::string input =
        detail::base64url_encode(header) + "." + detail::base64url_encode(claims_json);
    std::array<std::uint8_t, 64> sig{};
    ED25519_sign(sig.data(), reinterpret_cast<const std::uint8_t*>(input.data()), input.size(),
                 priv.data());
    return input + "." + b64(sig);
  }
  if (k.a == alg::hs256 || k.a == alg::hs384 || k.a == alg::hs512) {
    const std::vector<std::uint8_t> secret = x.rng.bytes(64);
    const std::string header = prefix + R"(,"jwk":{"kty":"oct","k":")" + b64(secret) + R"("}})";
    const std::string input =
        detail::base64url_encode(header) + "." + detail::base64url_encode(claims_json);
    return input + "." + hmac(k.a, secret, input);
  }
  // RSA/EC: the attacker's keys sit behind a URL the verifier must never fetch; the
  // signature is theirs (random bytes of the right length to us). ECDSA halves get
  // a zero top byte so they stay below the group order (not a psychic signature).
  const std::string header =
      prefix + (x.variant % 2 == 0 ? R"(,"jku":"https://attacker.example/.well-known/jwks.json"})"
                                   : R"(,"x5u":"https://attacker.example/cert.pem"})");
  std::vector<std::uint8_t> sig = x.rng.bytes(detail::signature_size(*k.k, k.a));
  if (const auto* ec = std::get_if<detail::ec_material>(&k.k->material)) {
    sig[0] = 0;
    sig[ec->field_bytes] = 0;
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
  const std::string head = std::string(p.header) + "." + std::string(p.payload) + ".";
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
      const std::string input =
          detail::base64url_encode(header) + "." + detail::base64url_encode(payload);
      return input + "." + hmac(alg::hs256, {}, input);
    }
    case 1: {  // the query returns the attacker's chosen key
      const std::string header =
          R"({"alg":"HS256","typ":"JWT","kid":"x' UNION SELECT 'attacker-secret' -- "})";
      const std::string input =
          detail::base64url_encode(header) + "." + detail::base64url_encode(payload);
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

std::vector<shape> hostile_shapes(const signer& sg) {
  const auto& targets = sg.targets();
  std::vector<signing_key> asym, hmac_bound, ec;
  for (const auto& t : targets) {
    if (std::holds_alternative<detail::hmac_material>(t.k->material)) {
      // An HMAC key bound to fewer than all three hashes can be confused with another.
      if ((t.k->algs & detail::k_hmac_algs) != detail::k_hmac_algs) hmac_bound.push_back(t);
    } else {
      asym.push_back(t);
    }
    if (std::holds_alternative<detail::ec_material>(t.k->material)) ec.push_back(t);
  }
  // RSA first: the classic form of the attack.
  std::stable_partition(asym.begin(), asym.end(), [](const signing_key& s) {
    return std::holds_alternative<detail::rsa_material>(s.k->material);
  });
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

// ---------------------------------------------------------------------------------
// Lines

// Days since 1970-01-01 to a civil date (H. Hinnant's algorithm; no time zone).
struct civil {
  int year;
  unsigned month, day, hour, minute, second, millis;
};
civil to_civil(std::int64_t ms) {
  const std::int64_t secs = ms / 1000;
  std::int64_t z = secs / 86400 + 719468;
  const std::int64_t era = z / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  const auto y = static_cast<int>(yoe + era * 400 + (m <= 2 ? 1 : 0));
  const auto sod = static_cast<unsigned>(secs % 86400);
  return {y, m, d, sod / 3600, sod / 60 % 60, sod % 60, static_cast<unsigned>(ms % 1000)};
}

struct request {
  std::string_view method, path;
  std::string query;
  unsigned status;
  std::size_t bytes;
  std::string_view referer, agent;
};

constexpr std::array<std::string_view, 5> k_agents = {
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.4 Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0", "okhttp/4.12.0",
    "python-requests/2.31.0"};
constexpr std::array<std::string_view, 4> k_referers = {"-", "https://app.example/dashboard",
                                                        "https://app.example/orders", "-"};

request make_request(prng& rng, bool accepted) {
  request r{};
  char buf[64];
  switch (rng.below(8)) {
    case 0:
      r = {"GET", "/api/v1/orders", {}, 200, 0, {}, {}};
      std::snprintf(buf, sizeof buf, "?page=%u&limit=50", static_cast<unsigned>(rng.below(40) + 1));
      r.query = buf;
      break;
    case 1:
      r = {"GET", "/api/v1/orders/", {}, 200, 0, {}, {}};
      r.query = std::to_string(100000 + rng.below(900000));  // an order id, as a path suffix
      break;
    case 2:
      r = {"POST", "/api/v1/orders", {}, 201, 0, {}, {}};
      break;
    case 3:
      r = {"GET", "/api/v1/users/me", {}, 200, 0, {}, {}};
      break;
    case 4:
      r = {"PUT", "/api/v1/users/me/preferences", {}, 200, 0, {}, {}};
      break;
    case 5:
      r = {"DELETE", "/api/v1/sessions/current", {}, 204, 0, {}, {}};
      break;
    case 6: {
      constexpr std::array<std::string_view, 4> words = {"shoes", "invoice+2024", "blue%20mug",
                                                         "refund"};
      r = {"GET", "/api/v1/search", {}, 200, 0, {}, {}};
      r.query = "?q=" + std::string(rng.pick(words)) + "&sort=recent";
      break;
    }
    default:
      r = {"GET", "/api/v1/reports/daily", {}, 200, 0, {}, {}};
      r.query = "?format=csv";
      break;
  }
  if (!accepted) {
    r.status = 401;
    r.bytes = 60 + rng.below(40);
  } else if (r.status == 200 && r.method == "GET" && rng.below(10) == 0) {
    r.status = 304;
  } else {
    r.bytes = r.status == 204 ? 0 : r.status == 201 ? 120 + rng.below(400) : 200 + rng.below(24000);
  }
  r.referer = rng.pick(k_referers);
  r.agent = rng.pick(k_agents);
  return r;
}

std::string client_ip(std::size_t user) {
  // Documentation ranges (RFC 5737), one address per user.
  constexpr std::array<std::string_view, 3> nets = {"192.0.2.", "198.51.100.", "203.0.113."};
  return std::string(nets[user % 3]) + std::to_string(1 + (user / 3) % 254);
}

void format_line(std::string& out, gen_format f, std::int64_t ms, const request& r,
                 std::size_t user, std::string_view token) {
  out.clear();
  if (f == gen_format::tokens) {
    out.assign(token);
    return;
  }
  const civil c = to_civil(ms);
  // A "/orders/" path carries its id in `query` (see make_request).
  const bool id_suffix = !r.query.empty() && r.query[0] != '?';
  const std::string path = id_suffix ? std::string(r.path) + r.query : std::string(r.path);
  const std::string query = id_suffix || r.query.empty() ? std::string() : r.query.substr(1);
  char buf[64];
  if (f == gen_format::access_log) {
    static constexpr std::array<std::string_view, 12> months = {
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    std::snprintf(buf, sizeof buf, "%02u/%.3s/%04d:%02u:%02u:%02u +0000", c.day,
                  months[c.month - 1].data(), c.year, c.hour, c.minute, c.second);
    out += client_ip(user) + " - - [" + buf + "] \"" + std::string(r.method) + " " + path +
           (query.empty() ? "" : "?" + query) + " HTTP/1.1\" " + std::to_string(r.status) + " " +
           std::to_string(r.bytes) + " \"" + std::string(r.referer) + "\" \"" +
           std::string(r.agent) + "\" \"Authorization: Bearer " + std::string(token) + "\"";
    return;
  }
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02u:%02u:%02u.%03uZ", c.year, c.month, c.day,
                c.hour, c.minute, c.second, c.millis);
  out += R"({"time":")" + std::string(buf) + R"(","client":")" + client_ip(user) +
         R"(","method":")" + std::string(r.method) + R"(","path":)" + json_str(path) +
         R"(,"query":)" + json_str(query) + R"(,"status":)" + std::to_string(r.status) +
         R"(,"bytes":)" + std::to_string(r.bytes) + R"(,"referer":)" + json_str(r.referer) +
         R"(,"user_agent":)" + json_str(r.agent) + R"(,"authorization":)" +
         json_str("Bearer " + std::string(token)) + "}";
}

// Distinct-token counts per kind by the largest-remainder method (exact, ties to the
// kind listed first).
std::array<std::size_t, 4> split_counts(std::size_t distinct, const gen_mix& m) {
  const std::array<unsigned, 4> pct = {m.valid, m.expired, m.forged, m.malformed};
  std::array<std::size_t, 4> n{};
  std::array<std::size_t, 4> rem{};
  std::size_t given = 0;
  for (std::size_t i = 0; i < 4; ++i) {
    n[i] = distinct * pct[i] / 100;
    rem[i] = distinct * pct[i] % 100;
    given += n[i];
  }
  while (given < distinct) {
    std::size_t best = 0;
    for (std::size_t i = 1; i < 4; ++i) {
      if (rem[i] > rem[best]) best = i;
    }
    ++n[best];
    rem[best] = 0;
    ++given;
  }
  return n;
}

void validate(const gen_options& o) {
  if (o.count == 0) throw config_error("gen: count must be at least 1");
  if (o.repeat == 0 || o.repeat > k_block) {
    throw config_error("gen: repeat must be 1.." + std::to_string(k_block));
  }
  if (o.count % o.repeat != 0) {
    throw config_error("gen: count (" + std::to_string(o.count) +
                       ") must be a multiple of repeat (" + std::to_string(o.repeat) + ")");
  }
  if (o.algs.empty()) throw config_error("gen: no algorithm requested");
  const gen_mix& m = o.mix;
  if (!o.hostile && std::uint64_t{m.valid} + m.expired + m.forged + m.malformed != 100) {
    throw config_error("gen: the mix percentages must sum to 100");
  }
  // Up to year 9000, so that every time written (and exp) has a 4-digit year.
  if (!std::isfinite(o.base_time) || o.base_time < 0 || o.base_time > 221845392000.0) {
    throw config_error("gen: base time must be a Unix time between 1970 and 9000");
  }
  if (o.issuer.empty() || o.audience.empty()) {
    throw config_error("gen: issuer and audience must not be empty");
  }
}

struct live_token {
  std::string token;
  gen_kind kind = gen_kind::valid;
  std::size_t id = 0;  // first-use order
  std::size_t used = 0;
  std::size_t user = 0;
  std::int64_t iat = 0, exp = 0;
  const shape* shape_of = nullptr;
};

}  // namespace

std::string_view gen_kind_name(gen_kind k) noexcept {
  switch (k) {
    case gen_kind::valid:
      return "valid";
    case gen_kind::expired:
      return "expired";
    case gen_kind::forged:
      return "forged";
    case gen_kind::malformed:
      return "malformed";
    case gen_kind::hostile:
      return "hostile";
  }
  return "unknown";
}

gen_stats generate(const key_set& private_keys, const gen_options& o,
                   const std::function<void(std::string_view line)>& emit,
                   const std::function<void(const gen_line_info&)>& describe) {
  validate(o);
  const signer sg(private_keys, o.algs);
  std::vector<shape> shapes;
  if (o.hostile) {
    if (sg.targets().empty())
      throw config_error("gen: hostile mode needs a signing key with a kid");
    shapes = hostile_shapes(sg);
  }

  prng rng(o.seed);
  const std::size_t distinct = o.count / o.repeat;
  std::array<std::size_t, 4> left = split_counts(distinct, o.mix);  // kinds still to hand out
  std::size_t left_total = distinct;

  gen_stats st;
  st.distinct = distinct;
  if (o.hostile) {
    for (const auto& s : shapes) st.by_shape.emplace_back(std::string(s.name), 0);
  }
  std::unordered_map<std::size_t, live_token> live;  // by copy-list index, at most 2 blocks
  std::size_t next_id = 0;
  auto ms = static_cast<std::int64_t>(std::llround(o.base_time * 1000.0));
  std::string line;
  std::vector<std::size_t> block;

  for (std::size_t start = 0; start < o.count; start += k_block) {
    const std::size_t end = std::min(o.count, start + k_block);
    block.resize(end - start);
    for (std::size_t i = start; i < end; ++i) block[i - start] = i / o.repeat;
    if (o.repeat > 1) rng.shuffle(block);

    for (std::size_t slot : block) {
      const std::size_t index = st.lines;
      if (index > 0) ms += static_cast<std::int64_t>(rng.below(k_max_gap_ms));
      const std::int64_t now_s = ms / 1000;
      auto [it, fresh] = live.try_emplace(slot);
      live_token& t = it->second;
      if (fresh) {
        t.id = next_id++;
        t.user = rng.below(k_users);
        if (o.hostile) {
          t.kind = gen_kind::hostile;
          t.shape_of = &shapes[t.id % shapes.size()];
        } else {
          std::uint64_t u = rng.below(left_total);
          std::size_t k = 0;
          while (u >= left[k]) u -= left[k++];
          --left[k];
          --left_total;
          t.kind = static_cast<gen_kind>(k);
        }
        const std::size_t a = rng.below(o.algs.size());
        const signing_key& key = rng.pick(sg.keys_for(a));
        const claims c = make_claims(rng, t.user, now_s, t.kind == gen_kind::expired);
        t.iat = c.iat;
        t.exp = c.exp;
        switch (t.kind) {
          case gen_kind::valid:
          case gen_kind::expired:
            t.token = sg.sign(key, c.json(o));
            break;
          case gen_kind::forged:
            t.token = forge(rng, sg, key, c, o);
            break;
          case gen_kind::malformed:
            t.token = malform(rng, sg.sign(key, c.json(o)));
            break;
          case gen_kind::hostile: {
            const std::size_t n = shapes.size();
            const shape& s = *t.shape_of;
            shape_context x{rng,
                            sg,
                            o,
                            c,
                            (t.id / n) % s.variants,
                            sg.targets()[(t.id / n) % sg.targets().size()]};
            t.token = build_shape(s, x);
            break;
          }
        }
      }
      // The time model's promise, checked rather than assumed.
      const std::int64_t ceil_s = (ms + 999) / 1000;
      if ((t.kind == gen_kind::valid && (now_s < t.iat || ceil_s >= t.exp)) ||
          (t.kind == gen_kind::expired && now_s < t.exp)) {
        throw std::logic_error("gen: a repeat fell outside its token's validity window");
      }

      const bool accepted = t.kind == gen_kind::valid;
      const request req = o.format == gen_format::tokens ? request{} : make_request(rng, accepted);
      format_line(line, o.format, ms, req, t.user, t.token);
      emit(line);

      ++st.lines;
      switch (t.kind) {
        case gen_kind::valid:
          ++st.valid;
          break;
        case gen_kind::expired:
          ++st.expired;
          break;
        case gen_kind::forged:
          ++st.forged;
          break;
        case gen_kind::malformed:
          ++st.malformed;
          break;
        case gen_kind::hostile:
          ++st.hostile;
          ++st.by_shape[static_cast<std::size_t>(t.shape_of - shapes.data())].second;
          break;
      }
      if (index == 0) st.first_time = static_cast<double>(ms) / 1000.0;
      st.last_time = static_cast<double>(ms) / 1000.0;
      if (describe) {
        gen_line_info info;
        info.index = index;
        info.line = line;
        info.token = t.token;
        info.time = static_cast<double>(ms) / 1000.0;
        info.kind = t.kind;
        info.token_id = t.id;
        info.occurrence = t.used;
        if (t.shape_of != nullptr) {
          info.shape = t.shape_of->name;
          info.expected_label = t.shape_of->expected;
        }
        describe(info);
      }
      if (++t.used == o.repeat) live.erase(it);
    }
  }
  return st;
}

}  // namespace jwtbatch::cli
