// gen_formats.hpp: the lines of `jwtbatch gen`: a bare token, or a request around it in
// the combined access-log format or as a JSON log object (RFC 3339 times, UTC, ms).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "gen.hpp"
#include "gen_random.hpp"

namespace jwtbatch::cli::gen_parts {

// An HTTP request a token came with.
struct request {
  std::string_view method, path;
  std::string query;
  unsigned status;
  std::size_t bytes;
  std::string_view referer, agent;
};

// make_request draws a request; a token that is not `accepted` gets a 401.
[[nodiscard]] request make_request(prng& rng, bool accepted);

// format_line writes into `out` the line of format `f` for `token`, sent by `user` at
// `ms` (Unix milliseconds) with request `r` (unused for gen_format::tokens).
void format_line(std::string& out, gen_format f, std::int64_t ms, const request& r,
                 std::size_t user, std::string_view token);

}  // namespace jwtbatch::cli::gen_parts
