#include "token/verify.hpp"
#include "core/access.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "codec/base64url.hpp"
#include "crypto/fingerprint.hpp"
#include "crypto/signature.hpp"
#include "token/labels.hpp"

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
  token_fingerprint(token, out.fingerprint);
}

namespace {

// Policy checks on the header, after the header's own rules (docs/CHECKS.md#order).
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

status run(std::string_view token, const key_store& keys, const prepared_policy& pp, double now,
           verify_scratch& scratch, result& out, label_context& ctx) noexcept {
  const policy& p = pp.source;
  compact_parts& parts = scratch.parts;
  status st = split_compact(token, p.limits.max_token_bytes, parts);
  if (st != status::ok) return st;
  // RFC 7515 §2, §7.2: every segment is strict base64url. Payload and signature are
  // decoded here, before any header, key or signature work, so a byte outside the
  // alphabet (a space in the payload...) or another non-canonical spelling is a format
  // error, never a "forgery" found by an RSA or ECDSA operation. Decoding is not
  // reading: the payload's JSON is parsed only after the signature verified
  // (docs/SECURITY.md §0). The header segment is decoded as strictly by parse_header.
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
    if (scratch.jose->has_kid) out.kid = access::store(out, scratch.jose->kid);
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

  // Only now is the payload read (docs/SECURITY.md §0: never before the signature).
  return check_decoded_claims(payload_len, pp, now, scratch.claims, out, scratch.verdict);
}

}  // namespace

void verify_token(std::string_view token, const key_store& keys, const prepared_policy& pp,
                  double now, verify_scratch& scratch, result& out) noexcept {
  access::clear(out);
  scratch.signature_checked = false;
  if (pp.source.fingerprint) {
    set_fingerprint(token, out);
  } else {
    out.fingerprint.fill('0');
  }
  // Room for every string the result may keep: kid and claims come from decoded
  // segments, shorter than the token; the policy's names need pp.name_room.
  access::reserve(out, token.size() + pp.name_room);
  label_context ctx;
  ctx.st = run(token, keys, pp, now, scratch, out, ctx);
  out.code = ctx.st;
  if (ctx.st != status::ok) out.label = classify(ctx, keys, scratch);
}

}  // namespace jwtbatch::detail
