// engine_flags.hpp: the key, policy and engine flags of the commands that verify
// (verify, scan), and building the engine they describe.
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>

#include "config_words.hpp"
#include "jwtbatch/alg.hpp"
#include "jwtbatch/batch.hpp"
#include "jwtbatch/cache.hpp"
#include "jwtbatch/key_history.hpp"
#include "jwtbatch/key_set.hpp"
#include "jwtbatch/policy.hpp"
#include "jwtbatch/remote_keys.hpp"
#include "log_time.hpp"

namespace jwtbatch::cli {

// --jwks-refresh and --jwks-cooldown: at most a week (the library's bound).
inline constexpr auto k_max_jwks_seconds = static_cast<std::int64_t>(max_refresh_seconds);

struct engine_options {
  // Keys.
  std::vector<std::string> jwks;
  std::string key_pem;
  std::string secret_file;
  std::string kid;
  bool allow_mixed_keys = false;
  // Remote keys (jwtbatch/remote_keys.hpp).
  std::vector<std::string> jwks_urls;
  std::vector<std::string> oidc_issuers;
  std::string jwks_ca;
  std::int64_t jwks_refresh = 300;
  std::int64_t jwks_cooldown = 30;
  std::int64_t jwks_timeout = 10;
  std::string key_history;  // --key-history FILE (jwtbatch/key_history.hpp)
  // Policy.
  std::vector<std::string> issuers;
  std::vector<std::string> audiences;
  std::vector<std::string> algs;
  std::vector<std::string> required;
  std::vector<std::string> typs;
  std::vector<std::string> claims;
  std::optional<std::int64_t> max_age;
  std::int64_t leeway = 0;
  std::string at;
  std::size_t max_token_bytes = input_limits{}.max_token_bytes;  // the engine's default
  // Engine.
  int threads = 0;
  std::size_t cache_size = cache_options{}.max_entries;  // the engine's default
};

// add_engine_flags declares --jwks, --key, --secret-file, --kid, --allow-mixed-keys,
// --jwks-url, --oidc-issuer, --jwks-ca, --jwks-refresh, --jwks-cooldown, --jwks-timeout,
// --key-history,
// --iss, --aud, --alg, --require, --typ, --claims, --max-age, --leeway, --at,
// --max-token-bytes, --threads and --cache-size on `cmd`.
void add_engine_flags(CLI::App* cmd, engine_options& o);
// add_key_flags declares the flags that say where keys come from: --jwks, --key,
// --secret-file, --kid, --allow-mixed-keys, --jwks-url, --oidc-issuer, --jwks-ca,
// --jwks-timeout and --key-history (add_engine_flags declares them too), for commands
// that read keys without verifying (keys list).
void add_key_flags(CLI::App* cmd, engine_options& o);

// add_policy_flags declares --iss, --aud, --alg, --require, --typ, --claims, --max-age,
// --leeway, --at, --max-token-bytes, --threads and --cache-size (add_engine_flags
// declares them too).
void add_policy_flags(CLI::App* cmd, engine_options& o);

// load_key_history: the --key-history file, refused beside any other key flag (a history
// holds the keys of every time). Throws config_error naming --key-history and the file.
std::shared_ptr<const key_history> load_key_history(const engine_options& o);

// load_key_source: the keys of the flags (files, and URLs kept fresh by a thread when
// `background`) as a key source; without --key-history. Throws config_error naming the
// flag, file or URL. The source's messages go to `err` as "jwtbatch: ..." lines.
std::shared_ptr<refreshing_key_source> load_key_source(const engine_options& o, std::FILE* err,
                                                       bool background = true);

// The engine the flags describe. Throws config_error naming the flag or file (a URL
// whose first fetch fails included). `fingerprints`: the command prints each token's
// fingerprint (result::fingerprint, a SHA-256 of the token, as costly as an HS256
// check); without it none is computed. The engine follows `keys`: reload() reads every
// key file and URL again (SIGHUP), and with URLs a thread keeps them fresh. Messages
// of the key source (a refresh that failed, keys updated) go to `err` as
// "jwtbatch: ..." lines.
struct engine_setup {
  std::shared_ptr<token_cache> cache;           // null with --cache-size 0
  std::shared_ptr<refreshing_key_source> keys;  // null with --key-history
  bool remote = false;                          // keys come from --jwks-url or --oidc-issuer too
  std::unique_ptr<batch_verifier> engine;
};
engine_setup make_engine(const engine_options& o, std::FILE* err, bool fingerprints);

// check_ca_file: --jwks-ca's file can be read; config_error "--jwks-ca FILE: cannot
// read: <why>" otherwise.
void check_ca_file(const std::string& path);

// reload_keys: SIGHUP's reload of every key file and URL of `setup`, said on `err` as
// "jwtbatch: SIGHUP: keys reloaded" or "jwtbatch: SIGHUP: keys not reloaded, the
// previous ones stay: <why>". Returns whether it worked. Thread-safe; never throws.
bool reload_keys(const engine_setup& setup, std::FILE* err) noexcept;

}  // namespace jwtbatch::cli
