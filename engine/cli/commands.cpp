#include "commands.hpp"

#include "demo.hpp"

namespace jwtbatch::cli {

std::vector<command> command_table(command_options& o) {
  return {
      {"demo",
       "Check a built-in set of RFC 7515 and hostile tokens; NDJSON on stdout, summary on "
       "stderr. Exit 0 when every verdict is the expected one.",
       [](CLI::App&) {}, [](std::FILE* out, std::FILE* err) { return run_demo(out, err); }},
      {"verify",
       "Verify one compact token per line of each FILE (or standard input): one NDJSON record "
       "per line on stdout, in input order; summary on stderr.",
       [&o](CLI::App& cmd) { setup_verify_command(cmd, o.verify); },
       [&o](std::FILE* out, std::FILE* err) { return run_verify(o.verify, out, err); }},
      {"scan",
       "Find and verify the tokens inside arbitrary log lines (Authorization: Bearer, "
       "access_token=, cookies, JSON values, bare eyJ... tokens): one NDJSON record per token, "
       "in input order, with its line and byte offset; summary on stderr.",
       [&o](CLI::App& cmd) { setup_scan_command(cmd, o.scan); },
       [&o](std::FILE* out, std::FILE* err) { return run_scan(o.scan, out, err); }},
      {"consume",
       "Run as a Kafka consumer-group worker: verify the tokens (or scan the log lines) of "
       "topic IN on every core and produce one record per verdict to OUT, exactly once (one "
       "transaction per batch with its offsets). Runs until SIGINT or SIGTERM; SIGHUP "
       "reloads the keys.",
       [&o](CLI::App& cmd) { setup_consume_command(cmd, o.consume); },
       [&o](std::FILE* out, std::FILE* err) { return run_consume(o.consume, out, err); }},
      {"gen",
       "Generate a corpus: token lines, access-log or JSON-log lines with valid, expired, "
       "forged and malformed tokens (or, with --hostile, the attack shapes), signed with the "
       "private keys of --jwks; deterministic with --seed.",
       [&o](CLI::App& cmd) { setup_gen_command(cmd, o.gen); },
       [&o](std::FILE* out, std::FILE* err) { return run_gen(o.gen, out, err); }},
      {"keygen",
       "Generate one signing key per --alg: the private JWK Set on stdout (or --out, mode "
       "0600), the public JWK Set with --public-out (HMAC secrets are never put in it). "
       "Exit 0, or 2 on a usage or write error.",
       [&o](CLI::App& cmd) { setup_keygen_command(cmd, o.keygen); },
       [&o](std::FILE* out, std::FILE* err) { return run_keygen(o.keygen, out, err); }},
      {"sign",
       "Sign claims with one key of a private JWK Set or a private PEM key: one compact token "
       "and a newline on stdout. Exit 0, or 2 on a usage, key or input error.",
       [&o](CLI::App& cmd) { setup_sign_command(cmd, o.sign); },
       [&o](std::FILE* out, std::FILE* err) { return run_sign(o.sign, out, err); }},
      {"keys",
       "Work with keys: `keys list` shows the keys of --jwks, --key and --secret-file as "
       "verify loads them (kid, algorithms, size, RFC 7638 thumbprint); `keys convert` turns "
       "a PEM key into a JWK and a JWK into PEM.",
       [&o](CLI::App& cmd) { setup_keys_command(cmd, o.keys); },
       [&o](std::FILE* out, std::FILE* err) { return run_keys(o.keys, out, err); }},
      {"inspect",
       "Decode a token's header and payload WITHOUT verifying it: JSON on stdout, a NOT "
       "VERIFIED notice on stderr. Exit 0 when header and payload are JSON objects and the "
       "signature segment decodes, 1 when not, 2 when there is no token.",
       [&o](CLI::App& cmd) { setup_inspect_command(cmd, o.inspect); },
       [&o](std::FILE* out, std::FILE* err) { return run_inspect(o.inspect, out, err); }},
      {"bench",
       "Measure every algorithm on this machine with keys generated in-process: sign and "
       "verify ops/s on 1 thread and on all, µs per op, relative speed, and whole tokens/s "
       "through verify_batch. A table on stdout; --json and --chart write files. Exit 0, or 2 "
       "on a usage error.",
       [&o](CLI::App& cmd) { setup_bench_command(cmd, o.bench); },
       [&o](std::FILE* out, std::FILE* err) { return run_bench(o.bench, out, err); }},
  };
}

}  // namespace jwtbatch::cli
