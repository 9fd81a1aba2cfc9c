#include "token/labels.hpp"

#include <algorithm>

#include "crypto/signature.hpp"

namespace jwtbatch::detail {
namespace {

// [S4] path, quote or control characters in a kid no key has.
bool looks_injected(std::string_view kid) noexcept {
  if (kid.find("..") != std::string_view::npos) return true;
  return std::any_of(kid.begin(), kid.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u < 0x20U || u == 0x7FU || c == '/' || c == '\\' || c == '\'' || c == '"' || c == '`';
  });
}

}  // namespace

attack_label classify(const label_context& c, const key_store& keys,
                      verify_scratch& scratch) noexcept {
  const jose_header* h = c.header_read ? scratch.jose : nullptr;
  switch (c.st) {
    case status::alg_none:
      return attack_label::alg_none;
    case status::alg_key_mismatch:
      return attack_label::key_confusion;
    case status::alg_not_allowed: {
      // Refused by the allow-list first, but the kid names a key bound to another
      // algorithm (PS256 on an RS256 key, ES384 on a P-256 key): a confusion attempt.
      const key* k = nullptr;
      if (h != nullptr && h->has_kid &&
          keys.select(h->algorithm, h->kid, false, &k) == status::alg_key_mismatch) {
        return attack_label::key_confusion;
      }
      break;
    }
    case status::duplicate_member:
      return attack_label::duplicate_member;
    case status::crit_unsupported:
    case status::bad_crit:
    case status::b64_unsupported:
      return attack_label::crit_bypass;
    case status::bad_member_type:
      if (h != nullptr && h->crit_failed) return attack_label::crit_bypass;
      break;
    case status::bad_base64:
      // An RFC 7797 unencoded payload (b64 false, in crit) is not base64url by design:
      // its shape is the crit bypass. Other header shapes likewise keep their label.
      if (c.header_st != status::ok && c.header_st != status::bad_base64) {
        label_context header_only = c;
        header_only.st = c.header_st;
        header_only.header_st = status::ok;
        if (const attack_label l = classify(header_only, keys, scratch); l != attack_label::none) {
          return l;
        }
      }
      return attack_label::non_canonical_encoding;
    case status::key_not_found:
      if (h != nullptr && h->has_kid && looks_injected(h->kid)) return attack_label::kid_injection;
      break;
    case status::bad_signature_length:
      // A key is chosen only after the header was read: h is set whenever chosen is.
      if (c.chosen != nullptr && h != nullptr &&
          c.signature.size() < signature_size(*c.chosen, h->algorithm)) {
        return attack_label::signature_stripped;
      }
      break;
    case status::bad_signature: {
      const auto* ec =
          c.chosen != nullptr ? std::get_if<ec_material>(&c.chosen->material) : nullptr;
      // [S6] r or s outside [1, n-1].
      if (ec != nullptr && ecdsa_rs_out_of_range(*ec, c.signature)) {
        return attack_label::psychic_signature;
      }
      break;
    }
    default:
      break;
  }
  if (c.st != status::ok && h != nullptr && h->has_key_parameters()) {
    return attack_label::embedded_key;
  }
  return attack_label::none;
}

}  // namespace jwtbatch::detail
