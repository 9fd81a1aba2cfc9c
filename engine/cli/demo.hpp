// demo.hpp: `jwtbatch demo`, the built-in example run by the README's first command.
#pragma once

#include <cstdio>

namespace jwtbatch::cli {

// run_demo checks a built-in set of tokens (the RFC 7515 appendix examples and a few
// hostile ones built at run time) through the stages the engine has today, writes
// one NDJSON record per token to `out` and a summary to `summary`. Returns the
// process exit code: 0 when every token got exactly its expected status.
int run_demo(std::FILE* out, std::FILE* summary);

}  // namespace jwtbatch::cli
