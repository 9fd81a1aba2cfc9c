// jwtbatch: the command-line program. Argument wiring and output only; every verdict
// comes from the engine.
#include <cstdio>
#include <exception>
#include <string>

#include <fmt/core.h>
#include <CLI/CLI.hpp>

#include "demo.hpp"

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

  CLI11_PARSE(app, argc, argv);
  if (demo->parsed()) return jwtbatch::cli::run_demo(stdout, stderr);
  fmt::print(stderr, "jwtbatch: a subcommand is required (demo)\n{}", app.help());
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
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
