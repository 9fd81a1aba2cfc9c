// bench_measure.hpp: what `jwtbatch bench` measures and how: the cases of --algs, keys
// made in-process, a fixture per case (a gen corpus, each thread's signing inputs, a
// batch verifier), and the figures (sign and verify ops/s on 1 thread and on all,
// whole tokens/s through verify_batch), each the median of its samples.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "jwtbatch/alg.hpp"
#include "jwtbatch/batch.hpp"
#include "jwtbatch/key_set.hpp"
#include "jwtbatch/primitives.hpp"

namespace jwtbatch::cli::bench_parts {

inline constexpr std::size_t k_corpus_lines = 4096;     // tokens of the largest batch
inline constexpr std::size_t k_inputs_per_thread = 64;  // distinct tokens a thread cycles through
inline constexpr double k_base_time = 1700000000;       // the corpus' first line, Unix seconds

// One case: an algorithm and its key.
struct bench_case {
  alg a{};
  unsigned rsa_bits = 0;  // RSA only
  std::string name;       // as --algs spells it: "RS256" (2048 bits), "RS256-4096"
  std::string key;        // "oct-256", "RSA-2048", "P-256", "Ed25519"
  unsigned key_bits = 0;
};

// is_rsa: RS256..PS512.
[[nodiscard]] bool is_rsa(alg a);

// parse_cases reads --algs (empty: every algorithm at RSA-2048, and RS256-3072/4096).
// Throws config_error naming --algs on an unknown, misspelt or repeated case.
[[nodiscard]] std::vector<bench_case> parse_cases(const std::vector<std::string>& algs);

// A thread's own tokens, split for the signature layer. One cache line apart from the
// next thread's, as each thread writes `next`.
struct alignas(64) signing_inputs {
  std::vector<std::string> inputs;  // "header.payload", the JWS signing input
  std::vector<std::vector<std::uint8_t>> signatures;
  std::vector<std::uint8_t> scratch;  // sign output, reused
  std::size_t next = 0;
  std::size_t take() noexcept {
    const std::size_t i = next;
    next = i + 1 == inputs.size() ? 0 : i + 1;
    return i;
  }
};

// Everything one case measures with.
struct fixture {
  std::shared_ptr<const key_set> keys;
  std::optional<key_handle> key;  // the case's one key, in `keys`
  std::vector<signing_inputs> per_thread;
  std::vector<std::string> lines;  // the corpus, valid tokens only
  std::vector<std::string_view> views;
  std::size_t distinct = 0;
  std::unique_ptr<batch_verifier> engine;
};

enum metric_id : std::uint8_t { sign_1t, sign_all, verify_1t, verify_all, batch_all, metric_count };
inline constexpr std::array<std::string_view, metric_count> k_metric_key = {
    "sign_1t", "sign_all", "verify_1t", "verify_all", "batch_all"};

struct metric {
  std::vector<double> samples;
  double median = 0;
};

struct case_result {
  bench_case c;
  std::array<metric, metric_count> m;
  std::size_t batch_tokens = 0;
  std::size_t distinct_tokens = 0;
};

// make_keys returns keys for every case, made in-process as keygen makes them, on
// `threads` threads (RSA generation dominates: largest first).
[[nodiscard]] std::vector<std::shared_ptr<const key_set>> make_keys(
    const std::vector<bench_case>& cases, unsigned threads);

// make_fixture builds the fixture of case `c` with its `keys`.
[[nodiscard]] fixture make_fixture(const bench_case& c, std::shared_ptr<const key_set> keys,
                                   unsigned threads, double time_per_case);

// measure takes `repetitions` samples of every figure of case `c`, `time_per_case`
// seconds in all. Throws std::runtime_error when an operation fails.
[[nodiscard]] case_result measure(const bench_case& c, fixture& f, unsigned threads,
                                  double time_per_case, int repetitions);

}  // namespace jwtbatch::cli::bench_parts
