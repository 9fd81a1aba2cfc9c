// HMAC secrets (key_set_builder::add_secret, a JWK's "k"): what a secret must not be.
// RFC 8725 §2.1: an HMAC keyed with public-key bytes can be computed by anyone who has
// the public key, so tokens MACed with it would verify. Public-key material comes in a
// few shapes; each one recognised here is refused as a secret.
#include <simdjson.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "codec/base64url.hpp"
#include "crypto/pem.hpp"
#include "keys/loaders.hpp"

namespace jwtbatch::detail {
namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

// The bytes that base64 or base64url `text` (whitespace, line breaks and padding
// allowed, as in a PEM body) stands for, or nullopt when it is not such text.
std::optional<std::vector<std::uint8_t>> base64_text(std::string_view text) {
  std::string url;
  for (const char c : text) {
    if (is_space(c)) continue;
    if (c == '=') {
      url += c;
      continue;
    }
    if (!url.empty() && url.back() == '=') return std::nullopt;  // '=' only at the end
    const bool alpha = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (alpha || c == '-' || c == '_') {
      url += c;
    } else if (c == '+' || c == '/') {
      url += c == '+' ? '-' : '_';
    } else {
      return std::nullopt;
    }
  }
  while (!url.empty() && url.back() == '=') url.pop_back();
  if (url.empty()) return std::nullopt;
  std::vector<std::uint8_t> out(base64url_decoded_size(url.size()));
  std::size_t len = 0;
  if (!base64url_decode(url, out.data(), &len)) return std::nullopt;
  out.resize(len);
  return out;
}

}  // namespace

std::string public_key_material(std::span<const std::uint8_t> secret) {
  const std::string_view text(reinterpret_cast<const char*>(secret.data()), secret.size());
  if (text.find("-----BEGIN") != std::string_view::npos) {
    return "a PEM block (-----BEGIN ...): key material in text form, not a secret";
  }
  std::size_t first = 0;
  while (first < text.size() && is_space(text[first])) ++first;
  if (first < text.size() && (text[first] == '{' || text[first] == '[')) {
    // A JWK or JWK Set's text: its public members are public whatever the rest is.
    const simdjson::padded_string padded(text);
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    if (parser.parse(padded).get(root) == simdjson::SUCCESS) {
      return "a JSON document (a JWK or JWK Set's text: load it as a key set instead)";
    }
  }
  if (std::string what = public_key_der(secret); !what.empty()) return what;
  // A PEM body without its armour, or DER or a point in base64url: the same key in text.
  if (const auto decoded = base64_text(text)) {
    if (std::string what = public_key_der(*decoded); !what.empty()) {
      return "the base64 text of " + what;
    }
  }
  return {};
}

key_or_error make_hmac_key(std::span<const std::uint8_t> secret, std::optional<alg> bind) {
  return make_hmac_key(secret, bind, public_key_material(secret));
}

}  // namespace jwtbatch::detail
