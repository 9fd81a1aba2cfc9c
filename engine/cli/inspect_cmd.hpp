// inspect_cmd.hpp: `jwtbatch inspect`, decoding one token's header and payload WITHOUT
// verifying it, and the JSON helpers inspect and sign share.
#pragma once

#include <cstdio>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>

namespace jwtbatch::cli {

struct inspect_options {
  std::string token;     // the token, "-" or empty = first line of standard input
  bool compact = false;  // one line instead of indented JSON
};

// add_inspect_command declares the subcommand and its flags on `app`.
CLI::App* add_inspect_command(CLI::App& app, inspect_options& o);

// run_inspect decodes the token's header and payload (strict base64url, then JSON read
// as strictly as the engine reads them: one text, no duplicate member names, bounded)
// and writes {"header":...,"payload":...,"signature_bytes":N} to `out`, with an
// "errors" list when a segment does not decode or parse. Always writes the NOT VERIFIED
// notice to `err`. Returns 0 when header and payload both decode and parse as JSON
// objects and the signature segment decodes, 1 otherwise. Throws config_error (nothing
// written to `out`) when there is no token to read.
int run_inspect(const inspect_options& o, std::FILE* out, std::FILE* err);

// A JSON text read the way the engine reads a header or payload.
struct json_text {
  bool ok = false;         // one valid JSON text, no BOM, limits kept, no duplicate names
  bool is_object = false;  // ... and its root is an object
  std::string minified;    // when ok: the text without insignificant whitespace, bytes kept
  std::string problem;     // when !ok: why, for messages
  std::vector<std::pair<std::string, std::string>> members;  // root object's (name, value
                                                             // as minified JSON), in order
};

// read_json_text checks `text` and fills a json_text. Allocates; never throws on bad
// input (the verdict is in the result).
[[nodiscard]] json_text read_json_text(std::string_view text);

// pretty_json indents a minified JSON text by two spaces per level (jq style). The input
// must be valid minified JSON (read_json_text's `minified`).
[[nodiscard]] std::string pretty_json(std::string_view minified);

}  // namespace jwtbatch::cli
