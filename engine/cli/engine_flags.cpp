#include "engine_flags.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <system_error>
#include <utility>

#include <fmt/core.h>
#include <fmt/format.h>

#include "flags.hpp"
#include "jwtbatch/key_history.hpp"
#include "jwtbatch/key_set.hpp"
#include "jwtbatch/policy.hpp"
#include "jwtbatch/verifier.hpp"
#include "log_time.hpp"

namespace jwtbatch::cli {
namespace {

// --key and --secret-file bind their key to the one algorithm --alg names.
alg bound_alg(const engine_options& o, std::string_view flag, std::optional<alg> fallback) {
  if (o.algs.size() == 1) return parse_alg(o.algs.front(), "--alg", alg_use::verify);
  if (o.algs.empty() && fallback) return *fallback;
  throw config_error(std::string(flag) + ": give exactly one --alg to bind the key to");
}

// add_local_keys adds the keys of --jwks, --key and --secret-file to `b` (read from
// their files each time: at start and on every reload).
void add_local_keys(const engine_options& o, key_set_builder& b) {
  for (const std::string& path : o.jwks) {
    try {
      b.add_file(path);
    } catch (const config_error& e) {
      rethrow_naming(e, "--jwks", path);
    }
  }
  if (!o.key_pem.empty()) {
    const alg bind = bound_alg(o, "--key " + o.key_pem, std::nullopt);
    try {
      b.add_file(o.key_pem, o.kid, bind);
    } catch (const config_error& e) {
      rethrow_naming(e, "--key", o.key_pem);
    }
  }
  if (!o.secret_file.empty()) {
    const alg bind = bound_alg(o, "--secret-file " + o.secret_file, alg::hs256);
    try {
      // Read with the key-file checks, refused when it is public-key material, wiped
      // after use (key_set_builder::add_secret_file).
      b.add_secret_file(o.secret_file, o.kid, bind);
    } catch (const config_error& e) {
      rethrow_naming(e, "--secret-file", o.secret_file);
    }
  }
}

// write_now writes `text` to `err` and flushes it, never throwing (a full disk under
// stderr must not end the run). Flushed at once: in scan --rsyslog, `err` is the
// --rsyslog-log file, read while the plugin runs.
void write_now(std::FILE* err, const std::string& text) noexcept {
  (void)std::fputs(text.c_str(), err);
  (void)std::fflush(err);
}

}  // namespace

std::shared_ptr<refreshing_key_source> load_key_source(const engine_options& o, std::FILE* err,
                                                       bool background) {
  if (!o.key_pem.empty() && !o.secret_file.empty()) {
    throw config_error("--key and --secret-file: give one of them (each takes --kid and --alg)");
  }
  if (o.jwks.empty() && o.key_pem.empty() && o.secret_file.empty() && o.jwks_urls.empty() &&
      o.oidc_issuers.empty()) {
    throw config_error(
        "no keys: give --jwks FILE, --key PEM_FILE, --secret-file FILE, --jwks-url URL, "
        "--oidc-issuer URL or --key-history FILE");
  }
  remote_key_options r;
  for (const std::string& url : o.jwks_urls) {
    r.sources.push_back({.url = url, .discovery = false, .name = "--jwks-url " + url});
  }
  for (const std::string& url : o.oidc_issuers) {
    r.sources.push_back({.url = url, .discovery = true, .name = "--oidc-issuer " + url});
  }
  if (!o.jwks_ca.empty()) {
    check_ca_file(o.jwks_ca);
    r.ca_file = o.jwks_ca;
  }
  r.refresh_seconds = static_cast<double>(o.jwks_refresh);
  r.cooldown_seconds = static_cast<double>(o.jwks_cooldown);
  r.timeout_seconds = static_cast<double>(o.jwks_timeout);
  r.allow_mixed_key_types = o.allow_mixed_keys;
  r.refresh_in_background = background;
  if (!o.jwks.empty() || !o.key_pem.empty() || !o.secret_file.empty()) {
    r.local_keys = [o](key_set_builder& b) { add_local_keys(o, b); };
  }
  r.log = [err](std::string_view line) { write_now(err, fmt::format("jwtbatch: {}\n", line)); };
  try {
    return std::make_shared<refreshing_key_source>(std::move(r));
  } catch (const mixed_key_set_error& e) {
    throw mixed_keys_error(e);
  }
}

namespace {

policy make_policy(const engine_options& o) {
  policy p;
  if (!o.algs.empty()) {
    p.allowed_algs = alg_set{};
    for (const std::string& a : o.algs) p.allowed_algs.add(parse_alg(a, "--alg", alg_use::verify));
  }
  p.issuers = o.issuers;
  p.audiences = o.audiences;
  p.required_claims = o.required;
  p.accepted_typs = o.typs;
  // RFC 8725 §3.11, RFC 9068 §4: a token type that is checked must be present, or
  // leaving it out would be a way around the check.
  p.typ_required = !o.typs.empty();
  p.returned_claims = o.claims;
  p.max_age_seconds = o.max_age;
  p.leeway_seconds = o.leeway;  // bounded by its flag (add_engine_flags)
  p.limits.max_token_bytes = o.max_token_bytes;
  if (!o.at.empty()) p.fixed_time = parse_time(o.at, "--at");
  return p;
}

}  // namespace

void add_engine_flags(CLI::App* cmd, engine_options& o) {
  add_key_flags(cmd, o);
  add_whole_flag(cmd, "--jwks-refresh", o.jwks_refresh, std::int64_t{1}, k_max_jwks_seconds,
                 "Fetch the JWK Sets again this often (sooner when the server's Cache-Control "
                 "max-age says so, never sooner than --jwks-cooldown)",
                 "seconds", "300");
  // At least 1: the kid is the token's, so with no cooldown anyone who can put a line in
  // the input could make a request per batch.
  add_whole_flag(cmd, "--jwks-cooldown", o.jwks_cooldown, std::int64_t{1}, k_max_jwks_seconds,
                 "A token with an unknown kid fetches the JWK Sets again at most this often",
                 "seconds", "30");
  add_policy_flags(cmd, o);
}

void add_key_flags(CLI::App* cmd, engine_options& o) {
  // File names may hold commas, so --jwks repeats but does not split.
  cmd->add_option("--jwks", o.jwks, "JWK Set (or JWK, or PEM) file of trusted keys; repeatable")
      ->type_name("FILE")
      ->expected(1)
      ->allow_extra_args(false)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
      ->check(non_empty());
  cmd->add_option("--key", o.key_pem, "PEM public key or certificate (with --kid, --alg)")
      ->type_name("FILE")
      ->check(non_empty());
  cmd->add_option("--secret-file", o.secret_file, "HMAC secret, raw bytes (with --kid, --alg)")
      ->type_name("FILE")
      ->check(non_empty());
  cmd->add_option("--kid", o.kid, "Key id of --key or --secret-file")
      ->type_name("KID")
      ->check(non_empty());
  cmd->add_flag("--allow-mixed-keys", o.allow_mixed_keys,
                "Allow HMAC secrets and public keys in one key set");
  cmd->add_option("--jwks-url", o.jwks_urls,
                  "JWK Set fetched over https and kept fresh (--jwks-refresh); repeatable")
      ->type_name("URL")
      ->expected(1)
      ->allow_extra_args(false)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
      ->check(https_url());
  cmd->add_option("--oidc-issuer", o.oidc_issuers,
                  "OpenID Provider whose discovery document (URL/.well-known/"
                  "openid-configuration) names the JWK Set; its issuer must be URL; repeatable")
      ->type_name("URL")
      ->expected(1)
      ->allow_extra_args(false)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
      ->check(https_url());
  cmd->add_option("--jwks-ca", o.jwks_ca,
                  "PEM CA bundle trusted for --jwks-url and --oidc-issuer instead of the system's")
      ->type_name("FILE")
      ->check(non_empty());
  cmd->add_option("--key-history", o.key_history,
                  "Key history (jwtbatch keys snapshot): each token is verified only with the "
                  "keys published at the time it is judged at (--at, --at-log-time); a kid "
                  "known at other times gets key_outside_window")
      ->type_name("FILE")
      ->check(non_empty());
  add_whole_flag(cmd, "--jwks-timeout", o.jwks_timeout, std::int64_t{1}, std::int64_t{600},
                 "Longest a fetch may take, connection and TLS included", "seconds", "10");
}

void add_policy_flags(CLI::App* cmd, engine_options& o) {
  add_list_flag(cmd, "--iss", o.issuers, "Accepted issuers (default: any)");
  add_list_flag(cmd, "--aud", o.audiences, "Accepted audiences (default: any)");
  add_list_flag(cmd, "--alg", o.algs,
                "Allowed algorithms (default: all); with --key or --secret-file, the one "
                "algorithm the key is bound to");
  add_list_flag(cmd, "--require", o.required, "Claims that must be present");
  add_list_flag(cmd, "--typ", o.typs,
                "Accepted typ header values; naming one makes typ required (RFC 8725 §3.11, "
                "RFC 9068 §4)");
  add_list_flag(cmd, "--claims", o.claims, "Custom claims to print in each record");
  add_whole_flag(cmd, "--max-age", o.max_age, std::int64_t{0}, k_max_age_seconds,
                 "Maximum age from iat; a token without iat then fails", "seconds", "no limit");
  add_whole_flag(cmd, "--leeway", o.leeway, std::int64_t{0}, max_leeway_seconds,
                 "Clock skew allowed on exp, nbf and iat", "seconds", "0");
  cmd->add_option("--at", o.at,
                  "Evaluation time: Unix seconds or an RFC 3339 date-time with its zone (Z or "
                  "+hh:mm), year 1970..9999 (default: now)")
      ->type_name("TIME")
      ->check(non_empty());
  add_whole_flag(cmd, "--max-token-bytes", o.max_token_bytes, std::size_t{1}, max_token_bytes_limit,
                 "Longest token accepted", "bytes", std::to_string(input_limits{}.max_token_bytes));
  add_whole_flag(cmd, "--threads", o.threads, 0, max_threads, "Worker threads", "",
                 "0 = one per core");
  add_whole_flag(cmd, "--cache-size", o.cache_size, std::size_t{0}, max_cache_entries,
                 "Verified-token cache entries; 0 turns the cache off", "",
                 std::to_string(cache_options{}.max_entries));
}

// The engine of --key-history: every token judged with the keys of its time.
engine_setup make_history_engine(const engine_options& o, std::FILE* err, policy p) {
  const std::shared_ptr<const key_history> history = load_key_history(o);
  for (const std::string& w : history->warnings()) fmt::print(err, "jwtbatch: warning: {}\n", w);
  engine_setup e;
  if (o.cache_size > 0) {
    e.cache = std::make_shared<token_cache>(cache_options{.max_entries = o.cache_size});
  }
  try {
    e.engine =
        std::make_unique<batch_verifier>(std::make_shared<verifier>(history, std::move(p), e.cache),
                                         batch_options{.threads = o.threads});
  } catch (const config_error& error) {
    rethrow_naming(error, "--key-history", o.key_history);
  }
  return e;
}

void check_ca_file(const std::string& path) {
  // Checked before any fetch, so that a wrong path is named as the flag's, not as a TLS
  // failure.
  if (::access(path.c_str(), R_OK) != 0) {
    throw config_error(
        fmt::format("--jwks-ca {}: cannot read: {}", path, std::generic_category().message(errno)));
  }
}

engine_setup make_engine(const engine_options& o, std::FILE* err, bool fingerprints) {
  if (!o.key_history.empty()) {
    policy p = make_policy(o);
    p.fingerprint = fingerprints;
    return make_history_engine(o, err, std::move(p));
  }
  engine_setup e;
  e.keys = load_key_source(o, err);
  e.remote = !o.jwks_urls.empty() || !o.oidc_issuers.empty();
  for (const std::string& w : e.keys->keys()->warnings()) {
    fmt::print(err, "jwtbatch: warning: {}\n", w);
  }
  if (o.cache_size > 0) {
    e.cache = std::make_shared<token_cache>(cache_options{.max_entries = o.cache_size});
  }
  policy p = make_policy(o);
  p.fingerprint = fingerprints;
  e.engine = std::make_unique<batch_verifier>(e.keys, std::move(p), e.cache,
                                              batch_options{.threads = o.threads});
  return e;
}

namespace {

// Reloads the keys; `said` gets the line that tells how it went.
bool reload(const engine_setup& setup, std::string& said) {
  constexpr std::string_view kept = "jwtbatch: SIGHUP: keys not reloaded, the previous ones stay: ";
  if (!setup.keys) {
    said = std::string(kept) + "a key history (--key-history) is read once, at start\n";
    return false;
  }
  try {
    try {
      setup.keys->reload();
    } catch (const mixed_key_set_error& e) {
      throw mixed_keys_error(e);
    }
    said = fmt::format("jwtbatch: SIGHUP: keys reloaded ({} keys)\n", setup.keys->keys()->size());
    return true;
  } catch (const std::exception& e) {  // config_error, or out of memory
    said = std::string(kept) + e.what() + "\n";
    return false;
  }
}

}  // namespace

std::shared_ptr<const key_history> load_key_history(const engine_options& o) {
  if (!o.jwks.empty() || !o.key_pem.empty() || !o.secret_file.empty() || !o.jwks_urls.empty() ||
      !o.oidc_issuers.empty()) {
    throw config_error(
        "--key-history: give it without other keys (--jwks, --key, --secret-file, --jwks-url, "
        "--oidc-issuer): a history holds the keys of every time");
  }
  try {
    return key_history::load(o.key_history, o.allow_mixed_keys);
  } catch (const config_error& e) {
    rethrow_naming(e, "--key-history", o.key_history);
  }
}

bool reload_keys(const engine_setup& setup, std::FILE* err) noexcept {
  std::string said;
  bool done = false;
  try {
    done = reload(setup, said);
  } catch (...) {  // composing a message ran out of memory: nothing to say
    return false;
  }
  write_now(err, said);
  return done;
}

}  // namespace jwtbatch::cli
