// inspect_cmd.hpp: `jwtbatch inspect`, decoding one token's header and payload WITHOUT
// verifying it, and the JSON helper inspect and sign share (both read JSON with
// jwtbatch::read_json_text, the verifier's rules).
#pragma once

#include <cstdio>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>

#include "jwtbatch/json_text.hpp"

namespace jwtbatch::cli {

struct inspect_options {
  std::string token;     // the token, "-" or empty = first line of standard input
  bool compact = false;  // one line instead of indented JSON
};

// setup_inspect_command declares the flags of the subcommand `cmd` (made by commands.cpp).
void setup_inspect_command(CLI::App& cmd, inspect_options& o);

// run_inspect decodes the token's header and payload (strict base64url, then JSON read
// as strictly as the engine reads them: one text, no duplicate member names, bounded)
// and writes {"header":...,"payload":...,"signature_bytes":N} to `out`, with an
// "errors" list when a segment does not decode or parse. Always writes the NOT VERIFIED
// notice to `err`. Returns 0 when header and payload both decode and parse as JSON
// objects and the signature segment decodes, 1 otherwise. Throws config_error (nothing
// written to `out`) when there is no token to read.
int run_inspect(const inspect_options& o, std::FILE* out, std::FILE* err);

// pretty_json indents a minified JSON text by two spaces per level (jq style). The input
// must be valid minified JSON (jwtbatch::read_json_text's `minified`).
[[nodiscard]] std::string pretty_json(std::string_view minified);

}  // namespace jwtbatch::cli
