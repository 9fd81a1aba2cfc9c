// history_cmd.hpp: `jwtbatch keys snapshot`: record which keys a JWK Set lists now (or at
// --at) in a key history file (jwtbatch/key_history.hpp), for verifying old logs with
// the keys of their time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>

namespace jwtbatch::cli {

// Every string flag refuses an empty value at parse time, so below, empty means absent.
struct snapshot_options {
  std::vector<std::string> jwks;          // --jwks: JWK Set files, one snapshot each
  std::vector<std::string> jwks_urls;     // --jwks-url: JWK Sets fetched, one snapshot each
  std::vector<std::string> oidc_issuers;  // --oidc-issuer: their discovered JWK Sets
  std::string jwks_ca;                    // --jwks-ca
  std::int64_t jwks_timeout = 10;         // --jwks-timeout
  std::string history;                    // --key-history: the history file, created if missing
  std::string at;                         // --at: Unix seconds or RFC 3339; empty = now
  std::string source;                     // --source: empty = the --jwks file name
  bool allow_mixed = false;               // --allow-mixed-keys, handed to key_history::parse
};

// setup_snapshot_command declares the flags of the subcommand `cmd` (made by the caller:
// the `keys` command group).
void setup_snapshot_command(CLI::App& sub, snapshot_options& o);

// What one snapshot did to the history, for the line on stderr.
struct snapshot_report {
  std::string source;
  double at = 0;
  std::size_t keys = 0;     // keys the source lists at `at` after recording
  std::size_t added = 0;    // of these, not listed by the source's previous snapshot
  std::size_t retired = 0;  // listed by the previous snapshot, not any more
  bool changed = false;     // the history's windows changed
};

// record_jwks_text returns `history_text` (the text of the history `history_name`, empty
// when there is none yet) with the keys of the JWK Set text `jwks_text` that `source`
// listed at `at` (record_snapshot), and fills `report`; the engine's warnings (keys
// skipped, not recorded) are appended to `warnings`. The JWK Set may come from any
// place (a file, a URL): the caller reads it. Throws config_error naming
// `history_name` for a bad history, `source` for a bad JWK Set.
std::string record_jwks_text(std::string_view history_text, const std::string& history_name,
                             std::string_view jwks_text, std::string_view source, double at,
                             bool allow_mixed, snapshot_report& report,
                             std::vector<std::string>& warnings);

// snapshot_line: "jwtbatch keys snapshot: <source> at <RFC 3339>: N keys, M new, K retired"
// or "...: unchanged", without the newline. The source is escaped (escape_text).
std::string snapshot_line(const snapshot_report& r);

// run_snapshot records each --jwks file (read with add_file's checks), then each
// --jwks-url and --oidc-issuer's JWK Set (fetched as verify fetches them), in
// --key-history, at --at or now (whole seconds), as --source or the file's name or URL, and
// replaces the history file atomically (replacing_file) when it changed; an unchanged history is
// not written. One snapshot_line per file, and each warning, on `err`; nothing on
// `out`. Returns 0. Throws config_error naming the flag and file, with nothing
// written, on any problem.
int run_snapshot(const snapshot_options& o, std::FILE* out, std::FILE* err);

}  // namespace jwtbatch::cli
