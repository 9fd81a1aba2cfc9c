// scan_cmd.hpp: `jwtbatch scan`, tokens found inside arbitrary log lines.
#pragma once

#include <cstdio>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "common.hpp"

namespace jwtbatch::cli {

struct scan_options {
  engine_options engine;
  std::vector<std::string> inputs;  // files; none or "-" = standard input
  bool at_log_time = false;         // judge each token at its line's own timestamp
  std::string time_field;           // JSON member holding the time (epoch or RFC 3339)
  int syslog_year = 0;              // year of syslog timestamps; 0 = this year
  output_options output;            // --format, --emit-token, --progress
};

CLI::App* add_scan_command(CLI::App& app, scan_options& o);

// run_scan writes one record per token found (with its line and byte offset), in
// input order, and the summary to `err`, including lines without a token. Returns 0
// when every token found is ok, 1 otherwise (also when no token was found at all).
int run_scan(const scan_options& o, std::FILE* out, std::FILE* err);

}  // namespace jwtbatch::cli
