// keys_cmd.hpp: `jwtbatch keygen` (new keys as JWK Sets) and `jwtbatch sign` (one
// compact token from a private JWK Set or a private PEM key).
#pragma once

#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace jwtbatch::cli {

struct keygen_options {
  std::vector<std::string> algs;  // --alg, repeatable or comma-separated
  std::vector<std::string> kids;  // --kid: none, or one per algorithm, in order
  std::optional<long long> bits;  // --bits: RSA modulus size (default 2048)
  std::string out = "-";          // private set; - = stdout
  std::string public_out;         // public set; empty = not written
  bool force = false;             // --force: replace existing files
};

// The range of keygen --bits: RFC 7518 §3.3's floor, BoringSSL's ceiling, in the
// 128-bit steps BoringSSL generates (it rounds other sizes down without a word).
inline constexpr long long k_min_rsa_bits = 2048;
inline constexpr long long k_max_rsa_bits = 16384;
inline constexpr long long k_rsa_bits_step = 128;

// setup_keygen_command declares the flags of the subcommand `cmd` (made by commands.cpp).
void setup_keygen_command(CLI::App& sub, keygen_options& o);

// run_keygen makes one key per --alg with generate_key() and writes the private JWK Set
// to --out (file mode 0600, written whole then renamed into place) or `out`, and with
// --public-out the public set (mode 0666 less the umask), which never holds HMAC
// secrets (said on `err`). A target must be absent, or a regular file and --force
// given (lstat: a symlink, FIFO, device or directory is never replaced); the two
// targets must not be one file (device and inode of the file or of its directory).
// Returns 0. Throws config_error naming the flag or file, before anything is written,
// on a bad flag.
int run_keygen(const keygen_options& o, std::FILE* out, std::FILE* err);

// Every string flag of keygen and sign refuses an empty value at parse time (CLI11
// otherwise reads `--iat ""` as "not given"), so below, empty means absent.
struct sign_options {
  std::string jwks;    // private JWK Set (key_set_builder::add_file)
  std::string key;     // or a private PEM key (PKCS#8, PKCS#1, SEC 1), with --alg
  std::string kid;     // key to sign with
  std::string alg;     // empty = the algorithm the key is bound to (required with --key)
  std::string claims;  // JSON object, or @file (@- = stdin); empty = {}
  std::string exp_in;  // 0s..(2^53 - iat) seconds: 90s, 30m, 1h, 2d; exp = iat + duration
  std::string iat;     // now, whole Unix seconds or RFC 3339, years 1970..9999
  std::string header;  // JSON object (or @file) of extra header members
};

// setup_sign_command declares the flags of the subcommand `cmd` (made by commands.cpp).
void setup_sign_command(CLI::App& sub, sign_options& o);

// run_sign writes one compact token and a newline to `out`. Returns 0. Throws
// config_error naming the flag or file (nothing written to `out`) on any problem.
int run_sign(const sign_options& o, std::FILE* out, std::FILE* err);

}  // namespace jwtbatch::cli
