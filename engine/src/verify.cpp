#include "verify.hpp"

#include "base64url.hpp"
#include "crypto/signature.hpp"

namespace jwtbatch::detail {
namespace {

// Strictly decodes `segment` into `buf` (grown as needed, never shrunk).
bool decode_into(std::string_view segment, std::vector<std::uint8_t>& buf, std::size_t* len) {
  const std::size_t need = base64url_decoded_size(segment.size());
  if (buf.size() < need) buf.resize(need);
  return base64url_decode(segment, buf.data(), len);
}

}  // namespace

status verify_token(std::string_view token, const key_store& keys, const verify_options& options,
                    verify_scratch& scratch, token_view& out) noexcept {
  out = token_view{};
  status st = split_compact(token, options.max_token_bytes, out.parts);
  if (st != status::ok) return st;
  st = parse_header(out.parts.header, scratch.header, out.header);
  if (st != status::ok) return st;

  const jose_header& h = out.header;
  st = keys.select(h.algorithm, h.has_kid ? std::optional(h.kid) : std::nullopt,
                   options.require_kid, &out.chosen_key);
  if (st != status::ok) return st;

  std::size_t sig_len = 0;
  if (!decode_into(out.parts.signature, scratch.signature, &sig_len)) return status::bad_base64;
  // RFC 7515 §5.2 step 8: the signature covers the received ASCII "header.payload".
  st = verify_signature(*out.chosen_key, h.algorithm, out.parts.signing_input,
                        std::span(scratch.signature.data(), sig_len));
  if (st != status::ok) return st;

  // Only now is the payload looked at (SECURITY.md §0: never before the signature).
  std::size_t payload_len = 0;
  if (!decode_into(out.parts.payload, scratch.payload, &payload_len)) return status::bad_base64;
  return status::ok;
}

}  // namespace jwtbatch::detail

namespace jwtbatch {

verifier::verifier(std::shared_ptr<const key_set> keys, verify_options options)
    : keys_(std::move(keys)), options_(options) {
  if (!keys_) throw config_error("verifier: no key set");
}

status verifier::verify_one(std::string_view token) const noexcept {
  thread_local detail::verify_scratch scratch;
  detail::token_view view;
  return detail::verify_token(token, keys_->store(), options_, scratch, view);
}

}  // namespace jwtbatch
