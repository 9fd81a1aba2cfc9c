// config_words.hpp: how the program reads and refuses the values of its configuration
// flags (times, algorithms, key files, bounds), with the messages it prints. Pure code
// over the public API, in the library the Python module shares (jwtbatch_cli_shared,
// engine/CMakeLists.txt), so that both refuse a configuration in the same words.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "jwtbatch/alg.hpp"
#include "jwtbatch/error.hpp"
#include "jwtbatch/key_set.hpp"
#include "log_time.hpp"

namespace jwtbatch::cli {

// --max-age's bound: 100 years of 365.25 days, far beyond any token's life yet small
// enough that iat + max age + leeway never overflows.
inline constexpr std::int64_t k_max_age_seconds = std::int64_t{3155760000};
// --at and gen's --base-time: 1970-01-01T00:00:00Z .. 9999-12-31T23:59:59Z, the years an
// RFC 3339 date-time can spell.
inline constexpr double k_max_unix_time = k_last_timestamp;
// The JWS algorithms jwtbatch implements, as messages list them.
inline constexpr std::string_view k_alg_names =
    "HS256/384/512, RS256/384/512, PS256/384/512, ES256/384/512, EdDSA";

// What an algorithm flag is for: "none" is refused either way, with the reason that fits.
enum class alg_use { verify, sign };

// parse_alg: the algorithm `name` (its JWS spelling, alg_from_name) of `flag`, the one
// reader of algorithm flags (verify's and scan's --alg here, keygen's and sign's). Throws
// config_error naming the flag: `FLAG: unknown algorithm "X" (HS256/384/512, ...)`, or
// for "none", "NONE" and "None" `FLAG: "none" is never accepted (unsigned tokens)`
// (verify) or `... is not a signing algorithm (unsigned tokens)` (sign).
alg parse_alg(std::string_view name, std::string_view flag, alg_use use);

// rethrow_naming throws `e` again as "FLAG PATH: why" (an engine message that already
// starts with "PATH: " keeps its own wording after the flag).
[[noreturn]] void rethrow_naming(const config_error& e, std::string_view flag,
                                 const std::string& path);

// parse_time: decimal Unix seconds (a fraction allowed) or an RFC 3339 date-time with its
// zone (read_rfc3339: the parser of log timestamps), from 1970 to year 9999;
// config_error naming `flag` and what is wrong otherwise (empty, "nan", "1e9", "-5", a
// date-time without a zone).
double parse_time(const std::string& text, std::string_view flag);

// mixed_keys_error: the refusal of a key set that mixes HMAC secrets and key pairs
// without --allow-mixed-keys, saying why and what to do.
config_error mixed_keys_error(const mixed_key_set_error& e);

}  // namespace jwtbatch::cli
