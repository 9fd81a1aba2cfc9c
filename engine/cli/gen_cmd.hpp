// gen_cmd.hpp: `jwtbatch gen`, corpora of tokens and logs for demos, benchmarks, fuzzing.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace jwtbatch::cli {

struct gen_cmd_options {
  std::string jwks;  // private keys (keygen's output)
  std::size_t count = 1000;
  std::vector<std::string> algs;
  std::size_t repeat = 1;
  std::string mix = "valid=90,expired=5,forged=3,malformed=2";
  std::string format = "tokens";
  std::uint64_t seed = 1;
  bool hostile = false;
  std::string base_time;  // Unix seconds or RFC 3339; default now
  std::string issuer = "https://issuer.example";
  std::string audience = "api.example";
  std::string out;      // default stdout
  std::string answers;  // optional NDJSON answer key: one line per output line
};

void setup_gen_command(CLI::App& sub, gen_cmd_options& o);
int run_gen(const gen_cmd_options& o, std::FILE* out, std::FILE* err);

}  // namespace jwtbatch::cli
