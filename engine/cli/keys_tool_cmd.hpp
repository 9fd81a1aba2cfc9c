// keys_tool_cmd.hpp: `jwtbatch keys`, one command with nested subcommands about keys:
// `keys list` shows the keys a configuration names as verify would load them (or the
// windows of a key history), `keys convert` moves a key between PEM and JWK, `keys
// snapshot` records a JWK Set in a key history (history_cmd.hpp). Exactly one
// subcommand is given.
#pragma once

#include <cstdio>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>

#include "engine_flags.hpp"

namespace jwtbatch::cli {

// ---- keys list ------------------------------------------------------------------------

struct keys_list_options {
  // Only the key flags of verify are declared (add_key_flags, and --alg), into the struct
  // verify loads its keys from.
  engine_options keys;
  bool json = false;  // --json: NDJSON instead of the table
};

void setup_keys_list_command(CLI::App& sub, keys_list_options& o);

// run_keys_list loads the keys as verify does (a --jwks-url or --oidc-issuer fetched
// once) and writes one row per key, in the set's order; with --key-history, one row per
// window of the history (sorted by source, then start). A table with a header line
// (columns KID, ALGS, KTY, BITS, THUMBPRINT, WINDOW, SOURCE; WINDOW is
// "FROM..UNTIL" in RFC 3339, "FROM.." while listed, "-" outside a history), or with
// --json one NDJSON object per key
// {"kid","algs":[...],"kty","bits","thumbprint","window":{"from","until"},"source"}
// ("kid":null when the key has none, "window":null outside a history, "until":null while
// listed; times in Unix seconds). The loader's warnings go to `err`. Returns 0. Throws
// config_error naming the flag or file before anything is written.
int run_keys_list(const keys_list_options& o, std::FILE* out, std::FILE* err);

// ---- keys convert ---------------------------------------------------------------------

// Every string flag refuses an empty value at parse time, so below, empty means absent.
struct keys_convert_options {
  std::string in;            // --in: PEM, JWK or JWK Set file
  std::string to;            // --to: jwk, jwks or pem; default jwk for PEM input, else pem
  std::string kid;           // --kid: the kid of a PEM input's key
  std::string alg;           // --alg: the algorithm a PEM input's key is bound to
  std::string out;           // --out: file; empty or - = stdout
  bool private_key = false;  // --private: write the private JWK
  bool force = false;        // --force: replace an existing --out
};

void setup_keys_convert_command(CLI::App& sub, keys_convert_options& o);

// run_keys_convert reads --in (a PEM public key, certificate or private key, or a JWK
// or JWK Set) and writes its keys as --to says: the public JWK (one key), a JWK Set, or
// one "PUBLIC KEY" PEM block per key; with --private the private JWKs (--out then gets
// mode 0600). Keys keep the input's order; output is deterministic. Returns 0. Throws
// config_error naming the flag and file, before anything is written, on any problem;
// an HMAC secret (oct) is never written without --private, and never as PEM.
int run_keys_convert(const keys_convert_options& o, std::FILE* out, std::FILE* err);

// ---- the keys command -----------------------------------------------------------------

// What setup_keys_command leaves for run_keys: each nested subcommand and its run
// function (whose options it owns).
struct keys_options {
  std::vector<std::pair<const CLI::App*, std::function<int(std::FILE*, std::FILE*)>>> nested;
};

// setup_keys_command makes the nested subcommands of `cmd` (the `keys` command made by
// commands.cpp) from the table in keys_tool_cmd.cpp, and requires exactly one of them.
void setup_keys_command(CLI::App& cmd, keys_options& o);

// run_keys runs the nested subcommand that was parsed and returns its exit code.
int run_keys(const keys_options& o, std::FILE* out, std::FILE* err);

}  // namespace jwtbatch::cli
