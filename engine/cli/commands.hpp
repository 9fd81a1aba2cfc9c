// commands.hpp: the program's command table: every command's name, one-line help, the
// function that declares its flags and the one that runs it. main.cpp makes one
// subcommand per entry, in this order, and dispatches to the one that was parsed.
#pragma once

#include <cstdio>
#include <functional>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>

#include "bench_cmd.hpp"
#include "consume_cmd.hpp"
#include "gen_cmd.hpp"
#include "inspect_cmd.hpp"
#include "keys_cmd.hpp"
#include "keys_tool_cmd.hpp"
#include "scan_cmd.hpp"
#include "verify_cmd.hpp"

namespace jwtbatch::cli {

// The options every command parses into; one per command, alive from the parse to the
// end of the run.
struct command_options {
  verify_options verify;
  scan_options scan;
  gen_cmd_options gen;
  keygen_options keygen;
  sign_options sign;
  keys_options keys;
  inspect_options inspect;
  bench_options bench;
  consume_options consume;
};

struct command {
  std::string_view name;  // the word on the command line
  std::string_view help;  // its line in `jwtbatch --help`
  // setup declares the command's flags on its subcommand (options parsed into `o`).
  std::function<void(CLI::App& cmd)> setup;
  // run runs the parsed command: records or results on `out`, diagnostics on `err`, and
  // returns the exit code. A config_error it throws is reported by main as
  // "jwtbatch: <message>" with exit code 2.
  std::function<int(std::FILE* out, std::FILE* err)> run;
};

// command_table returns every command, in the order of the help; its functions refer
// to `o`, which must outlive them.
[[nodiscard]] std::vector<command> command_table(command_options& o);

}  // namespace jwtbatch::cli
