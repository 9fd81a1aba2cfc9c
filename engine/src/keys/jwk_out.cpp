#include "keys/jwk_out.hpp"

#include <algorithm>
#include <bit>
#include <utility>
#include <vector>

#include "codec/base64url.hpp"
#include "codec/json_out.hpp"
#include "crypto/digest.hpp"

namespace jwtbatch::detail {
namespace {

std::string b64(std::span<const std::uint8_t> bytes) {
  std::string out(base64url_encoded_size(bytes.size()), '\0');
  out.resize(base64url_encode(bytes, out.data()));
  return out;
}

// The members of one JWK as (name, value) text, written in the order they were added or
// sorted by name. Every value is a JSON string: no JWK member written here is anything
// else.
class member_list {
 public:
  void add(std::string_view name, std::string value) {
    members_.emplace_back(name, std::move(value));
  }
  void add_bytes(const std::vector<jwk_member>& from) {
    for (const jwk_member& m : from) add(m.name, b64(m.value.bytes));
  }
  // Sorted: RFC 7638 §3.3, the lexicographic order of the member names' code points (all
  // ASCII here, so byte order). No whitespace either way.
  std::string finish(jwk_layout layout) {
    if (layout == jwk_layout::sorted) {
      std::sort(members_.begin(), members_.end(),
                [](const auto& a, const auto& b) { return a.first < b.first; });
    }
    std::string text;
    for (const auto& [name, value] : members_) {
      text += text.empty() ? "{" : ",";
      append_json_string(text, name);
      text += ':';
      append_json_string(text, value);
    }
    return text + "}";
  }
  ~member_list() {
    // The values may be secrets (d, k): wiped before their memory is given back.
    for (auto& [name, value] : members_) cleanse(value.data(), value.size());
  }

 private:
  std::vector<std::pair<std::string_view, std::string>> members_;
};

void add_required(member_list& l, const key_members& m) {
  l.add("kty", std::string(m.kty));
  if (!m.crv.empty()) l.add("crv", std::string(m.crv));
  l.add_bytes(m.required);
}

}  // namespace

jwk_labels labels_of(const key& k) {
  jwk_labels labels;
  if (k.has_kid) labels.kid = k.kid;
  if (std::has_single_bit(static_cast<unsigned>(k.algs))) {
    labels.bound = static_cast<alg>(std::countr_zero(static_cast<unsigned>(k.algs)));
  }
  return labels;
}

std::string write_jwk(const key_members& m, jwk_part part, const jwk_labels& labels,
                      jwk_layout layout) {
  member_list l;
  add_required(l, m);
  if (part == jwk_part::private_key) l.add_bytes(m.private_part);
  if (labels.kid) l.add("kid", std::string(*labels.kid));
  if (labels.use_sig) l.add("use", "sig");
  if (labels.bound) l.add("alg", std::string(alg_name(*labels.bound)));
  return l.finish(layout);
}

std::string jwk_thumbprint(const key_members& m) {
  member_list l;
  add_required(l, m);
  std::string canonical = l.finish(jwk_layout::sorted);
  const digest d = digest_of(sha2::sha256, canonical);
  cleanse(canonical.data(), canonical.size());  // an oct key's thumbprint input holds k
  return b64(std::span(d.bytes.data(), d.size));
}

}  // namespace jwtbatch::detail
