// jwtbatch: the command-line program. Argument wiring and output only; every verdict
// comes from the engine.
#include <csignal>
#include <cstdio>
#include <exception>
#include <string>

#include <fmt/core.h>
#include <CLI/CLI.hpp>

#include "bench_cmd.hpp"
#include "demo.hpp"
#include "gen_cmd.hpp"
#include "jwtbatch/key_set.hpp"
#include "keys_cmd.hpp"
#include "scan_cmd.hpp"
#include "verify_cmd.hpp"

#ifndef JWTBATCH_VERSION
#define JWTBATCH_VERSION "unknown"
#endif

namespace {

int run(int argc, char** argv) {
  CLI::App app{"jwtbatch: verify JSON Web Tokens in bulk", "jwtbatch"};
  app.set_version_flag("--version", std::string("jwtbatch ") + JWTBATCH_VERSION);
  // At most one command; an unknown word is reported by name ("not expected: X").
  app.require_subcommand(0, 1);

  auto* demo =
      app.add_subcommand("demo",
                         "Check a built-in set of RFC 7515 and hostile tokens; NDJSON on stdout, "
                         "summary on stderr. Exit 0 when every verdict is the expected one.");

  jwtbatch::cli::verify_options verify_opts;
  auto* verify = jwtbatch::cli::add_verify_command(app, verify_opts);
  jwtbatch::cli::scan_options scan_opts;
  auto* scan = jwtbatch::cli::add_scan_command(app, scan_opts);
  jwtbatch::cli::gen_cmd_options gen_opts;
  auto* gen = jwtbatch::cli::add_gen_command(app, gen_opts);
  jwtbatch::cli::key_commands key_cmds;  // keygen, sign, inspect
  jwtbatch::cli::add_key_commands(app, key_cmds);
  jwtbatch::cli::bench_options bench_opts;
  auto* bench = jwtbatch::cli::add_bench_command(app, bench_opts);
  app.footer(
      "Exit codes: 0 every record verified; 1 at least one record did not; 2 usage, input or "
      "key-set error (the message names the flag or file).");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);  // prints the message naming the flag
    return 2;
  }
  try {
    if (demo->parsed()) return jwtbatch::cli::run_demo(stdout, stderr);
    if (verify->parsed()) return jwtbatch::cli::run_verify(verify_opts, stdout, stderr);
    if (scan->parsed()) return jwtbatch::cli::run_scan(scan_opts, stdout, stderr);
    if (gen->parsed()) return jwtbatch::cli::run_gen(gen_opts, stdout, stderr);
    if (auto rc = jwtbatch::cli::run_key_commands(key_cmds, stdout, stderr)) return *rc;
    if (bench->parsed()) return jwtbatch::cli::run_bench(bench_opts, stdout, stderr);
  } catch (const jwtbatch::config_error& e) {
    fmt::print(stderr, "jwtbatch: {}\n", e.what());
    return 2;
  }
  fmt::print(stderr,
             "jwtbatch: a subcommand is required (verify, scan, gen, keygen, sign, inspect, bench, "
             "demo)\n{}",
             app.help());
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  // A closed stdout (`| head`) or a reader gone from an input pipe shows up as EPIPE
  // on the write, handled where it happens, instead of killing the process.
  std::signal(SIGPIPE, SIG_IGN);
  // Exceptions are for configuration errors only; none may end the program unexplained.
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    fmt::print(stderr, "jwtbatch: {}\n", e.what());
  } catch (...) {
    fmt::print(stderr, "jwtbatch: unexpected error\n");
  }
  return 2;
}
