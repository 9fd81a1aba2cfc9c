// compact_fuzzer: split_compact (engine/src/compact.hpp; docs/SECURITY.md P2, P3) against a
// reference verdict computed here by counting bytes.
//
// For each of several size limits: the status is one value of the enum and equals the
// reference verdict (size limit first, then empty / leading '{' / dot count); on ok the
// four views are the right substrings of the input, at the right offsets, with no '.'
// inside a segment, and header '.' payload is exactly the signing input.
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "jose/compact.hpp"
#include "jwtbatch/status.hpp"

namespace {

namespace d = jwtbatch::detail;
using jwtbatch::status;

[[noreturn]] void fail(const char* what, std::string_view input, std::size_t max_bytes, status got,
                       status want) {
  std::fprintf(stderr,
               "compact_fuzzer: invariant violated: %s\nmax_token_bytes=%zu got=%.*s "
               "expected=%.*s\ninput (%zu bytes):",
               what, max_bytes, static_cast<int>(jwtbatch::status_name(got).size()),
               jwtbatch::status_name(got).data(),
               static_cast<int>(jwtbatch::status_name(want).size()),
               jwtbatch::status_name(want).data(), input.size());
  for (const char c : input) std::fprintf(stderr, " %02x", static_cast<unsigned char>(c));
  std::fprintf(stderr, "\n");
  std::abort();
}

#define JWTBATCH_FUZZ_CHECK(cond, what)                  \
  do {                                                   \
    if (!(cond)) fail(what, input, max_bytes, st, want); \
  } while (false)

// reference_split: the documented verdict, from a plain count of '.' bytes.
status reference_split(std::string_view token, std::size_t max_bytes) {
  if (token.size() > max_bytes) return status::token_too_large;
  if (token.empty()) return status::bad_segments;
  if (token.front() == '{') return status::unsupported_serialization;
  const auto dots = std::count(token.begin(), token.end(), '.');
  if (dots == 2) return status::ok;
  if (dots == 4) return status::unsupported_serialization;
  return status::bad_segments;
}

// offset_in returns where `view` starts inside `input`, or npos if it is not a view
// into `input` (pointer comparison through integers: the views may point anywhere).
std::size_t offset_in(std::string_view view, std::string_view input) {
  const auto base = reinterpret_cast<std::uintptr_t>(input.data());
  const auto p = reinterpret_cast<std::uintptr_t>(view.data());
  if (p < base || p - base > input.size() || view.size() > input.size() - (p - base)) {
    return std::string_view::npos;
  }
  return static_cast<std::size_t>(p - base);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::array<std::size_t, 6> limits = {
      d::k_default_max_token_bytes, size, size == 0 ? 0 : size - 1, 0, 16, 1024};

  for (const std::size_t max_bytes : limits) {
    d::compact_parts parts;
    const status st = d::split_compact(input, max_bytes, parts);
    const status want = reference_split(input, max_bytes);
    JWTBATCH_FUZZ_CHECK(jwtbatch::status_name(st) != "unknown", "status outside the enum");
    JWTBATCH_FUZZ_CHECK(st == want, "verdict differs from the reference");
    if (st != status::ok) continue;

    const std::size_t dot1 = input.find('.');
    const std::size_t dot2 = input.find('.', dot1 + 1);
    JWTBATCH_FUZZ_CHECK(offset_in(parts.header, input) == 0 && parts.header.size() == dot1,
                        "header is not input[0, dot1)");
    JWTBATCH_FUZZ_CHECK(
        offset_in(parts.payload, input) == dot1 + 1 && parts.payload.size() == dot2 - dot1 - 1,
        "payload is not input(dot1, dot2)");
    JWTBATCH_FUZZ_CHECK(
        offset_in(parts.signature, input) == dot2 + 1 && parts.signature.size() == size - dot2 - 1,
        "signature is not input(dot2, end)");
    JWTBATCH_FUZZ_CHECK(
        offset_in(parts.signing_input, input) == 0 && parts.signing_input.size() == dot2,
        "signing_input is not input[0, dot2)");
    for (const std::string_view segment : {parts.header, parts.payload, parts.signature}) {
      JWTBATCH_FUZZ_CHECK(segment.find('.') == std::string_view::npos, "'.' inside a segment");
    }
    std::string joined(parts.header);
    joined += '.';
    joined += parts.payload;
    JWTBATCH_FUZZ_CHECK(joined == parts.signing_input, "header '.' payload != signing_input");
  }
  return 0;
}
