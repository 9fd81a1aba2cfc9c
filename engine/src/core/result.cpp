#include "jwtbatch/result.hpp"

#include <cstdint>

namespace jwtbatch {

std::string_view label_name(attack_label l) noexcept {
  switch (l) {
    case attack_label::none:
      return "";
    case attack_label::alg_none:
      return "alg_none";
    case attack_label::key_confusion:
      return "key_confusion";
    case attack_label::embedded_key:
      return "embedded_key";
    case attack_label::psychic_signature:
      return "psychic_signature";
    case attack_label::signature_stripped:
      return "signature_stripped";
    case attack_label::kid_injection:
      return "kid_injection";
    case attack_label::non_canonical_encoding:
      return "non_canonical_encoding";
    case attack_label::duplicate_member:
      return "duplicate_member";
    case attack_label::crit_bypass:
      return "crit_bypass";
  }
  return "";
}

void result::clear() noexcept {
  code = status::ok;
  label = attack_label::none;
  signature_verified = false;
  algorithm.reset();
  kid.reset();
  iss.reset();
  sub.reset();
  jti.reset();
  aud.clear();
  has_aud = false;
  exp.reset();
  nbf.reset();
  iat.reset();
  custom_claims.clear();
  detail.reset();
  storage_.clear();
}

void result::reserve(std::size_t bytes) {
  storage_.reserve(storage_.size() + bytes);
}

std::string_view result::store(std::string_view s) {
  const std::size_t at = storage_.size();
  storage_.append(s);
  return {storage_.data() + at, s.size()};
}

namespace {

// Maps a view into [from, from + n) onto the same offset of `to`; other views are
// left alone (they do not point into a result's buffer).
std::string_view rebased(std::string_view v, const char* from, std::size_t n, const char* to) {
  const auto p = reinterpret_cast<std::uintptr_t>(v.data());
  const auto base = reinterpret_cast<std::uintptr_t>(from);
  if (v.data() == nullptr || p < base || p - base + v.size() > n) return v;
  return {to + (p - base), v.size()};
}

}  // namespace

// Everything but the buffer and the lists (views are copied as they are).
void result::copy_facts(const result& o) noexcept {
  code = o.code;
  label = o.label;
  signature_verified = o.signature_verified;
  algorithm = o.algorithm;
  kid = o.kid;
  iss = o.iss;
  sub = o.sub;
  jti = o.jti;
  has_aud = o.has_aud;
  exp = o.exp;
  nbf = o.nbf;
  iat = o.iat;
  detail = o.detail;
  fingerprint = o.fingerprint;
}

// Points every view that pointed into [from, from + n) at the same bytes of storage_.
void result::rebase_views(const char* from, std::size_t n) noexcept {
  const char* to = storage_.data();
  for (auto* v : {&kid, &iss, &sub, &jti, &detail}) {
    if (*v) *v = rebased(**v, from, n, to);
  }
  for (std::string_view& a : aud) a = rebased(a, from, n, to);
  for (auto& [name, value] : custom_claims) {
    name = rebased(name, from, n, to);
    value = rebased(value, from, n, to);
  }
}

result::result(const result& o) {
  *this = o;
}

// Copying into a result that already has the capacity allocates nothing (the
// verified-token cache relies on it).
result& result::operator=(const result& o) {
  if (this == &o) return *this;
  copy_facts(o);
  aud.assign(o.aud.begin(), o.aud.end());
  custom_claims.assign(o.custom_claims.begin(), o.custom_claims.end());
  storage_.assign(o.storage_);
  rebase_views(o.storage_.data(), o.storage_.size());
  return *this;
}

result::result(result&& o) noexcept {
  *this = std::move(o);
}

// A short buffer lives inside the string object and moves by copy: views follow the
// bytes to wherever they now are.
result& result::operator=(result&& o) noexcept {
  if (this == &o) return *this;
  copy_facts(o);
  aud = std::move(o.aud);
  custom_claims = std::move(o.custom_claims);
  const char* from = o.storage_.data();
  const std::size_t n = o.storage_.size();
  storage_ = std::move(o.storage_);
  // `from` is only compared with the views' addresses, never read through.
  rebase_views(from, n);  // NOLINT(clang-analyzer-cplusplus.InnerPointer)
  o.clear();
  return *this;
}

std::size_t result::owned_bytes() const noexcept {
  return sizeof(result) + storage_.capacity() + aud.capacity() * sizeof(std::string_view) +
         custom_claims.capacity() * sizeof(custom_claims[0]);
}

}  // namespace jwtbatch
