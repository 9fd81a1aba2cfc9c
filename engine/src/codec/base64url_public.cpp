// The public base64url functions (jwtbatch/base64url.hpp): the codec's own decoder and
// encoder under their public names, so a program uses exactly the rules of verify.
#include "jwtbatch/base64url.hpp"

#include "codec/base64url.hpp"

namespace jwtbatch {

bool base64url_decode(std::string_view in, std::uint8_t* out, std::size_t* out_len) noexcept {
  return detail::base64url_decode(in, out, out_len);
}

std::optional<std::vector<std::uint8_t>> base64url_decode(std::string_view in) {
  std::vector<std::uint8_t> out(base64url_decoded_size(in.size()));
  std::size_t len = 0;
  if (!detail::base64url_decode(in, out.data(), &len)) return std::nullopt;
  out.resize(len);
  return out;
}

std::size_t base64url_encode(std::span<const std::uint8_t> in, char* out) noexcept {
  return detail::base64url_encode(in, out);
}

std::string base64url_encode(std::span<const std::uint8_t> in) {
  std::string out(base64url_encoded_size(in.size()), '\0');
  out.resize(detail::base64url_encode(in, out.data()));
  return out;
}

std::string base64url_encode(std::string_view in) {
  return detail::base64url_encode(in);
}

const char* base64url_simd_path() noexcept {
  return detail::base64url_avx2_available() ? "AVX2" : "scalar";
}

}  // namespace jwtbatch
