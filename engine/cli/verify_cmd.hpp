// verify_cmd.hpp: `jwtbatch verify`, one compact token per input line.
#pragma once

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace jwtbatch::cli {

struct verify_options {
  std::vector<std::string> inputs;  // files; none or "-" = standard input
  // Keys.
  std::vector<std::string> jwks;
  std::string key_pem;
  std::string secret_file;
  std::string kid;
  bool allow_mixed_keys = false;
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
  std::size_t max_token_bytes = std::size_t{64} * 1024;
  // Engine and output.
  int threads = 0;
  std::size_t cache_size = 65536;
  std::string format = "ndjson";
  bool emit_token = false;
  std::string progress = "auto";
};

// add_verify_command declares the subcommand and its flags on `app`.
CLI::App* add_verify_command(CLI::App& app, verify_options& o);

// run_verify verifies every line of every input, writes one record per line to `out`
// in input order and the summary to `err`. Returns the exit code: 0 when every record
// is ok, 1 when at least one is not. Configuration problems (keys, flags, unreadable
// input) throw config_error before anything is written to `out`.
int run_verify(const verify_options& o, std::FILE* out, std::FILE* err);

}  // namespace jwtbatch::cli
