// bench_cmd.hpp: `jwtbatch bench`, the speed of every algorithm on this machine: sign
// and verify operations per second on one thread and on all, microseconds per
// operation, each case relative to the fastest, and whole tokens per second through
// verify_batch. A table on stdout; --json for the raw figures, --chart for an SVG.
#pragma once

#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace jwtbatch::cli {

struct bench_options {
  std::vector<std::string> algs;        // --algs: HS256, ..., RS256-4096 (RSA size suffix)
  std::optional<double> time_per_case;  // seconds measured per case; default 1.5, 0.12 with --quick
  bool quick = false;
  int repetitions = 3;  // samples per figure; the median is reported
  int threads = 0;      // "all threads": 0 = one per core
  std::string json;     // raw figures (samples, medians, machine) to this file
  std::string chart;    // SVG bar chart of verify ops/s to this file
};

// setup_bench_command declares the flags of the subcommand `cmd` (made by commands.cpp).
void setup_bench_command(CLI::App& cmd, bench_options& o);

// run_bench measures every case of --algs (default: every algorithm at RSA 2048, and
// RS256 at 3072 and 4096), with keys generated in-process, writes the table to `out`,
// the start line and file notes to `err`, and the --json / --chart files. Returns 0.
// Throws config_error naming the flag or file before anything is measured on a bad
// flag or an unwritable output, and std::runtime_error if a measured operation fails
// (a benchmark that stopped verifying would measure nothing).
int run_bench(const bench_options& o, std::FILE* out, std::FILE* err);

}  // namespace jwtbatch::cli
