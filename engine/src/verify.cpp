#include "verify.hpp"

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/sha.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <string>

#include "base64url.hpp"
#include "cache.hpp"
#include "crypto/signature.hpp"
#include "jwtbatch/verifier.hpp"

namespace jwtbatch::detail {
namespace {

// Strictly decodes `segment` into `buf` (grown as needed, never shrunk).
bool decode_into(std::string_view segment, std::vector<std::uint8_t>& buf, std::size_t* len) {
  const std::size_t need = base64url_decoded_size(segment.size());
  if (buf.size() < need) buf.resize(need);
  return base64url_decode(segment, buf.data(), len);
}

}  // namespace

void set_fingerprint(std::string_view token, result& out) noexcept {
  static constexpr char k_hex[] = "0123456789abcdef";
  std::array<std::uint8_t, SHA256_DIGEST_LENGTH> digest{};
  SHA256(reinterpret_cast<const std::uint8_t*>(token.data()), token.size(), digest.data());
  for (std::size_t i = 0; i < out.fingerprint.size() / 2; ++i) {
    out.fingerprint[2 * i] = k_hex[digest[i] >> 4U];
    out.fingerprint[2 * i + 1] = k_hex[digest[i] & 0xFU];
  }
}

namespace {

// Policy checks on the header, after the header's own rules (DESIGN.md order).
status check_header_policy(const jose_header& h, const policy& p) noexcept {
  if (!p.allowed_algs.contains(h.algorithm)) return status::alg_not_allowed;
  if (h.has_typ) {
    if (!p.accepted_typs.empty() &&
        std::none_of(p.accepted_typs.begin(), p.accepted_typs.end(),
                     [&](const std::string& t) { return is_media_type(h.typ, t); })) {
      return status::typ_mismatch;
    }
  } else if (p.typ_required) {
    return status::typ_mismatch;
  }
  if (p.reject_embedded_keys && h.has_key_parameters()) return status::embedded_key_rejected;
  return status::ok;
}

// [S4] path, quote or control characters in a kid no key has.
bool looks_injected(std::string_view kid) noexcept {
  if (kid.find("..") != std::string_view::npos) return true;
  return std::any_of(kid.begin(), kid.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u < 0x20U || u == 0x7FU || c == '/' || c == '\\' || c == '\'' || c == '"' || c == '`';
  });
}

// [S6] r or s outside [1, n-1].
bool psychic(const ec_material& m, std::span<const std::uint8_t> sig) noexcept {
  const BIGNUM* order = EC_GROUP_get0_order(EC_KEY_get0_group(m.ec.get()));
  bssl::UniquePtr<BIGNUM> r(BN_bin2bn(sig.data(), m.field_bytes, nullptr));
  bssl::UniquePtr<BIGNUM> s(BN_bin2bn(sig.data() + m.field_bytes, m.field_bytes, nullptr));
  if (!r || !s) return false;
  return BN_is_zero(r.get()) != 0 || BN_is_zero(s.get()) != 0 || BN_cmp(r.get(), order) >= 0 ||
         BN_cmp(s.get(), order) >= 0;
}

// What the engine knows when it labels a rejected token.
struct label_context {
  status st = status::ok;
  bool header_read = false;  // *scratch.jose is (partly) meaningful
  // What the header alone said, for a token refused for its payload's or signature's
  // encoding: a header attack shape (alg none, crit...) stays the label.
  status header_st = status::ok;
  const key* chosen = nullptr;
  std::span<const std::uint8_t> signature;  // decoded, when it decoded
};

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
      if (c.chosen != nullptr && c.signature.size() < signature_size(*c.chosen, h->algorithm)) {
        return attack_label::signature_stripped;
      }
      break;
    case status::bad_signature: {
      const auto* ec =
          c.chosen != nullptr ? std::get_if<ec_material>(&c.chosen->material) : nullptr;
      if (ec != nullptr && psychic(*ec, c.signature)) return attack_label::psychic_signature;
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

// parse_header, or the header kept from an earlier token with the same bytes (equal
// bytes parse equally). Points scratch.jose at the header read.
status parse_header_once(std::string_view segment, verify_scratch& scratch) noexcept {
  for (auto& h : scratch.headers) {
    if (h.valid && h.bytes == segment) {
      scratch.jose = &h.jose;
      return status::ok;
    }
  }
  auto& h = scratch.headers[scratch.next_header];
  scratch.next_header = (scratch.next_header + 1) % scratch.headers.size();
  h.valid = false;
  scratch.jose = &h.jose;
  const status st = parse_header(segment, h.scratch, h.jose);
  if (st == status::ok) {
    h.bytes.assign(segment);
    h.valid = true;
  }
  return st;
}

status run(std::string_view token, const key_store& keys, const policy& p, double now,
           verify_scratch& scratch, result& out, label_context& ctx) noexcept {
  compact_parts& parts = scratch.parts;
  status st = split_compact(token, p.limits.max_token_bytes, parts);
  if (st != status::ok) return st;
  // RFC 7515 §2, §7.2: every segment is strict base64url. Payload and signature are
  // decoded here, before any header, key or signature work, so a byte outside the
  // alphabet (a space in the payload...) or another non-canonical spelling is a format
  // error, never a "forgery" found by an RSA or ECDSA operation. Decoding is not
  // reading: the payload's JSON is parsed only after the signature verified
  // (SECURITY.md §0). The header segment is decoded as strictly by parse_header.
  std::size_t payload_len = 0;
  std::size_t sig_len = 0;
  const bool canonical =
      decode_payload(parts.payload, scratch.claims, &payload_len) == status::ok &&
      decode_into(parts.signature, scratch.signature, &sig_len);
  ctx.header_read = true;
  st = parse_header_once(parts.header, scratch);
  ctx.header_st = st;
  if (st == status::ok) {
    // Reported for a token refused for its payload's or signature's encoding too: the
    // audit of malformed tokens still sees which key they name.
    out.algorithm = scratch.jose->algorithm;
    if (scratch.jose->has_kid) out.kid = out.store(scratch.jose->kid);
  }
  if (!canonical) return status::bad_base64;
  if (st != status::ok) return st;
  const jose_header& header = *scratch.jose;
  ctx.signature = std::span(scratch.signature.data(), sig_len);

  st = check_header_policy(header, p);
  if (st != status::ok) return st;
  st = keys.select(header.algorithm, header.has_kid ? std::optional(header.kid) : std::nullopt,
                   p.require_kid, &ctx.chosen);
  if (st != status::ok) return st;

  // RFC 7515 §5.2 step 8: the signature covers the received ASCII "header.payload".
  st = verify_signature(*ctx.chosen, header.algorithm, parts.signing_input, ctx.signature);
  scratch.signature_checked = true;
  if (st != status::ok) {
    scratch.verdict = claims_verdict{.before_time = st};
    return st;
  }
  out.signature_verified = true;

  // Only now is the payload read (SECURITY.md §0: never before the signature).
  return check_decoded_claims(payload_len, p, now, scratch.claims, out, scratch.verdict);
}

}  // namespace

double unix_now() noexcept {
  const auto since_epoch = std::chrono::system_clock::now().time_since_epoch();
  return std::chrono::duration<double>(since_epoch).count();
}

void verify_token(std::string_view token, const key_store& keys, const policy& p, double now,
                  verify_scratch& scratch, result& out) noexcept {
  out.clear();
  scratch.signature_checked = false;
  if (p.fingerprint) {
    set_fingerprint(token, out);
  } else {
    out.fingerprint.fill('0');
  }
  // Room for every string the result may keep: kid and claims come from decoded
  // segments, shorter than the token; names of returned claims come from the policy,
  // and so does the name of a missing required claim (result::detail).
  std::size_t names = 0;
  for (const auto& n : p.returned_claims) names += n.size();
  std::size_t longest_required = 0;
  for (const auto& n : p.required_claims) longest_required = std::max(longest_required, n.size());
  names += longest_required;
  out.reserve(token.size() + names);
  label_context ctx;
  ctx.st = run(token, keys, p, now, scratch, out, ctx);
  out.code = ctx.st;
  if (ctx.st != status::ok) out.label = classify(ctx, keys, scratch);
}

}  // namespace jwtbatch::detail

namespace jwtbatch {

verifier::verifier(std::shared_ptr<const key_set> keys, policy p,
                   std::shared_ptr<token_cache> cache)
    : keys_(std::move(keys)), policy_(std::move(p)), cache_(std::move(cache)) {
  if (!keys_) throw config_error("verifier: no key set");
  // The bounds of policy.hpp: a derived fact of the configuration is checked once, here.
  if (policy_.leeway_seconds < 0 || policy_.leeway_seconds > max_leeway_seconds) {
    // More than a day would turn expired tokens into valid ones.
    throw config_error("policy: leeway_seconds must be 0 to " + std::to_string(max_leeway_seconds) +
                       " (one day), got " + std::to_string(policy_.leeway_seconds));
  }
  if (policy_.limits.max_token_bytes == 0 ||
      policy_.limits.max_token_bytes > max_token_bytes_limit) {
    throw config_error("policy: limits.max_token_bytes must be 1 to " +
                       std::to_string(max_token_bytes_limit) + ", got " +
                       std::to_string(policy_.limits.max_token_bytes));
  }
  if (policy_.max_age_seconds && *policy_.max_age_seconds < 0) {
    throw config_error("policy: max_age_seconds must be >= 0, got " +
                       std::to_string(*policy_.max_age_seconds));
  }
  if (policy_.fixed_time && !std::isfinite(*policy_.fixed_time)) {
    // NaN would make every time comparison false: nothing would ever expire.
    throw config_error("policy: fixed_time must be a finite Unix time");
  }
  if (policy_.required_claims.size() > 64) {
    throw config_error("policy: at most 64 required claims");
  }
  if (cache_) {
    static std::atomic<std::uint64_t> next_tag{1};
    cache_tag_ = next_tag.fetch_add(1, std::memory_order_relaxed);
    cache_->shards().adopt(cache_tag_);
  }
}

void verifier::verify(std::string_view token, result& out) const noexcept {
  verify_at(token, policy_.fixed_time ? *policy_.fixed_time : detail::unix_now(), out);
}

void verifier::verify_at(std::string_view token, double at, result& out) const noexcept {
  thread_local detail::verify_scratch scratch;
  detail::cache_shards* cache = cache_ ? &cache_->shards() : nullptr;
  std::uint64_t key = 0;  // the token's hash, computed once for lookup and insert
  if (cache != nullptr && cache->lookup(token, cache_tag_, out, scratch.verdict, key)) {
    out.code = detail::judge_claims(policy_, at, scratch.verdict, out);
    return;
  }
  detail::verify_token(token, keys_->store(), policy_, at, scratch, out);
  if (cache != nullptr && scratch.signature_checked &&
      (out.signature_verified || cache_->options().keep_forgeries)) {
    cache->insert(token, key, cache_tag_, out, scratch.verdict);
  }
}

status verifier::verify_one(std::string_view token) const noexcept {
  thread_local result out;
  verify(token, out);
  return out.code;
}

}  // namespace jwtbatch
