// verify_cmd.hpp: `jwtbatch verify`, one compact token per input line.
#pragma once

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "output.hpp"

namespace jwtbatch::cli {

struct verify_options {
  engine_options engine;            // keys, policy, threads, cache
  std::vector<std::string> inputs;  // files; none or "-" = standard input
  std::string field;                // NDJSON input: the member holding the token
  output_options output;            // --format, --emit-token, --progress
};

// setup_verify_command declares the flags of the subcommand `command` (made by
// commands.cpp).
void setup_verify_command(CLI::App& command, verify_options& o);

// run_verify verifies every line of every input, writes one record per line to `out`
// (or -o FILE) in input order and the summary to `err` (unless -q) and --summary-json.
// Returns the exit code (output.hpp exit_code): 0 when every record is ok (or there is
// none), 1 when at least one is not, 3 when an input ended early, 128 + the signal when
// SIGINT, SIGTERM or SIGHUP stopped it (whole records and the summary are written
// first). Configuration problems (keys, flags, unreadable input, an output that is
// also an input) throw config_error before anything is written to `out`.
int run_verify(const verify_options& o, std::FILE* out, std::FILE* err);

}  // namespace jwtbatch::cli
