#include "gen_signers.hpp"

#include <openssl/base64.h>
#include <openssl/digest.h>
#include <openssl/hmac.h>

#include <array>
#include <stdexcept>

#include "jwtbatch/base64url.hpp"
#include "jwtbatch/json_text.hpp"
#include "jwtbatch/sign.hpp"

namespace jwtbatch::cli::gen_parts {

std::string b64(std::span<const std::uint8_t> bytes) {
  return base64url_encode(bytes);
}

std::vector<std::uint8_t> unb64(std::string_view s) {
  std::optional<std::vector<std::uint8_t>> out = base64url_decode(s);
  if (!out) throw std::logic_error("gen: bad base64url");
  return std::move(*out);
}

std::string json_str(std::string_view s) {
  std::string out;
  append_json_string(out, s);
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

std::span<const std::uint8_t> as_bytes(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
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

std::string compact(std::string_view header, std::string_view payload, std::string_view sig) {
  return base64url_encode(header) + "." + base64url_encode(payload) + "." + std::string(sig);
}

parts split(std::string_view token) {
  const std::size_t a = token.find('.');
  const std::size_t b = token.find('.', a + 1);
  return {token.substr(0, a), token.substr(a + 1, b - a - 1), token.substr(b + 1)};
}

signer::signer(const key_set& keys, const std::vector<alg>& algs) : keys_(keys) {
  std::vector<key_handle> all;
  for (std::size_t i = 0; i < keys.size(); ++i) all.push_back(key_at(keys, i));
  for (alg a : algs) {
    std::size_t serving = 0;
    for (const key_handle& k : all) serving += k.allows(a) ? 1U : 0U;
    std::vector<signing_key> list;
    for (const key_handle& k : all) {
      if (!k.allows(a) || !k.can_sign()) continue;
      // A key without kid is only reachable when no other key serves its alg.
      if (!k.has_kid() && serving != 1) continue;
      list.push_back({a, k.has_kid() ? std::string(k.kid()) : std::string(), k});
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

std::string signer::sign(const signing_key& s, std::string_view payload,
                         std::optional<std::string_view> header) const {
  return sign_compact(keys_, s.kid, s.a, payload, header);
}

std::string default_header(const signing_key& s) {
  std::string h = R"({"alg":")" + std::string(alg_name(s.a)) + R"(","typ":"JWT")";
  if (!s.kid.empty()) h += R"(,"kid":)" + json_str(s.kid);
  return h + "}";
}

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

}  // namespace jwtbatch::cli::gen_parts
