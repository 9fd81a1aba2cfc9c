#include "bench_measure.hpp"

#include <algorithm>
#include <atomic>
#include <bit>
#include <charconv>
#include <chrono>
#include <exception>
#include <functional>
#include <latch>
#include <numeric>
#include <span>
#include <stdexcept>
#include <system_error>
#include <thread>
#include <unordered_set>

#include <fmt/core.h>

#include "gen.hpp"
#include "jwtbatch/base64url.hpp"
#include "jwtbatch/sign.hpp"
#include "jwtbatch/verifier.hpp"

namespace jwtbatch::cli::bench_parts {
namespace {

using steady = std::chrono::steady_clock;

// run_on_threads runs f(0) ... f(n-1) on n threads at once and joins them.
void run_on_threads(unsigned n, const std::function<void(unsigned)>& f) {
  std::vector<std::jthread> pool;
  pool.reserve(n);
  for (unsigned t = 0; t < n; ++t) pool.emplace_back(f, t);
}

// work(thread, n) performs n operations on that thread's own inputs; false on failure.
using work_fn = std::function<bool(unsigned thread, std::uint64_t n)>;

// ops_per_second runs `work` on `threads` threads at once for `seconds` each, in chunks
// that double until one takes about a millisecond (so reading the clock costs nothing),
// and returns all their operations over the wall time from the first thread's start to
// the last one's end. nullopt when an operation failed.
std::optional<double> ops_per_second(unsigned threads, double seconds, const work_fn& work) {
  struct alignas(64) tally {  // one cache line each: no false sharing between threads
    std::uint64_t ops = 0;
    steady::time_point start, end;
    bool ok = true;
  };
  std::vector<tally> tallies(threads);
  std::latch ready(threads);
  const auto budget =
      std::chrono::duration_cast<steady::duration>(std::chrono::duration<double>(seconds));
  const steady::duration chunk_time =
      std::min<steady::duration>(std::chrono::milliseconds(1), budget / 50);
  run_on_threads(threads, [&](unsigned t) {
    tally& mine = tallies[t];
    ready.arrive_and_wait();
    mine.start = steady::now();
    const steady::time_point deadline = mine.start + budget;
    std::uint64_t chunk = 1;
    try {  // sign_signature may throw (allocation): a failure, never a crash
      for (;;) {
        const steady::time_point t0 = steady::now();
        if (!work(t, chunk)) {
          mine.ok = false;
          break;
        }
        mine.ops += chunk;
        const steady::time_point t1 = steady::now();
        if (t1 >= deadline) break;
        if (t1 - t0 < chunk_time) chunk *= 2;
      }
    } catch (...) {
      mine.ok = false;
    }
    mine.end = steady::now();
  });
  std::uint64_t ops = 0;
  steady::time_point first = tallies.front().start;
  steady::time_point last = tallies.front().end;
  for (const tally& t : tallies) {
    if (!t.ok) return std::nullopt;
    ops += t.ops;
    first = std::min(first, t.start);
    last = std::max(last, t.end);
  }
  return static_cast<double>(ops) / std::chrono::duration<double>(last - first).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

// The fastest of three signatures of a token-sized input, in seconds.
double seconds_per_signature(const key_handle& k, alg a) {
  const std::string input(480, 'e');
  std::vector<std::uint8_t> sig;
  double best = 1;
  for (int i = 0; i < 3; ++i) {
    const steady::time_point t0 = steady::now();
    if (!k.sign(a, input, sig)) {
      throw std::runtime_error("bench: the generated key cannot sign");
    }
    best = std::min(best, std::chrono::duration<double>(steady::now() - t0).count());
  }
  return std::max(best, 1e-9);
}

// Every token of the last batch must have verified: a benchmark of failures measures
// nothing.
void check_batch(const bench_case& c, std::span<const result> results) {
  for (std::size_t i = 0; i < results.size(); ++i) {
    if (results[i].code != status::ok) {
      throw std::runtime_error(fmt::format("bench {}: batch token {} verified as {}", c.name, i,
                                           status_name(results[i].code)));
    }
  }
}

}  // namespace

bool is_rsa(alg a) {
  return a >= alg::rs256 && a <= alg::ps512;
}

namespace {

bench_case make_case(alg a, unsigned rsa_bits) {
  bench_case c;
  c.a = a;
  c.name = alg_name(a);
  switch (a) {
    case alg::hs256:
    case alg::hs384:
    case alg::hs512:  // keygen's secrets have the hash's output size
      c.key_bits = a == alg::hs256 ? 256 : a == alg::hs384 ? 384 : 512;
      c.key = "oct-" + std::to_string(c.key_bits);
      break;
    case alg::es256:
      c.key_bits = 256;
      c.key = "P-256";
      break;
    case alg::es384:
      c.key_bits = 384;
      c.key = "P-384";
      break;
    case alg::es512:
      c.key_bits = 521;
      c.key = "P-521";
      break;
    case alg::eddsa:
      c.key_bits = 256;
      c.key = "Ed25519";
      break;
    default:  // RSA
      c.rsa_bits = c.key_bits = rsa_bits;
      c.key = "RSA-" + std::to_string(rsa_bits);
      if (rsa_bits != 2048) c.name += "-" + std::to_string(rsa_bits);
  }
  return c;
}

// One --algs item: an algorithm name, for RSA optionally "-BITS".
bench_case parse_case(std::string_view item) {
  while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
  while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
  const std::size_t dash = item.find('-');
  const std::string_view name = item.substr(0, dash);
  const auto a = alg_from_name(name);
  if (!a) {
    throw config_error(fmt::format(
        "--algs: unknown algorithm \"{}\" (HS256/384/512, RS256/384/512, PS256/384/512 with "
        "an optional RSA size as in RS256-4096, ES256/384/512, EdDSA)",
        item));
  }
  unsigned bits = 2048;
  if (dash != std::string_view::npos) {
    const std::string_view size = item.substr(dash + 1);
    if (!is_rsa(*a)) {
      throw config_error(fmt::format(
          "--algs {}: only RSA algorithms (RS*, PS*) take a key size; {} has a fixed key", item,
          name));
    }
    const auto [ptr, ec] = std::from_chars(size.data(), size.data() + size.size(), bits);
    if (ec != std::errc() || ptr != size.data() + size.size() || bits < 2048 || bits > 16384) {
      throw config_error(
          fmt::format("--algs {}: RSA key size must be 2048..16384 bits (RFC 7518 §3.3)", item));
    }
  }
  return make_case(*a, bits);
}

}  // namespace

std::vector<bench_case> parse_cases(const std::vector<std::string>& algs) {
  static const std::vector<std::string> k_default = {
      "HS256", "HS384", "HS512", "RS256", "RS256-3072", "RS256-4096", "RS384", "RS512",
      "PS256", "PS384", "PS512", "ES256", "ES384",      "ES512",      "EdDSA"};
  std::vector<bench_case> cases;
  for (const std::string& item : algs.empty() ? k_default : algs) {
    bench_case c = parse_case(item);
    if (std::any_of(cases.begin(), cases.end(),
                    [&](const bench_case& seen) { return seen.name == c.name; })) {
      throw config_error("--algs: \"" + c.name + "\" is given twice");
    }
    cases.push_back(std::move(c));
  }
  if (cases.empty()) throw config_error("--algs: no algorithm given");
  return cases;
}

// Keys for every case, made in-process as keygen makes them, on `threads` threads
// (RSA generation dominates: largest first).
std::vector<std::shared_ptr<const key_set>> make_keys(const std::vector<bench_case>& cases,
                                                      unsigned threads) {
  std::vector<std::shared_ptr<const key_set>> keys(cases.size());
  std::vector<std::exception_ptr> errors(cases.size());
  std::vector<std::size_t> order(cases.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t x, std::size_t y) {
    return cases[x].rsa_bits > cases[y].rsa_bits;
  });
  std::atomic<std::size_t> next{0};
  run_on_threads(std::min<unsigned>(threads, static_cast<unsigned>(cases.size())), [&](unsigned) {
    for (std::size_t i = next++; i < order.size(); i = next++) {
      const bench_case& c = cases[order[i]];
      try {
        const generated_key g = generate_key(c.a, "bench", is_rsa(c.a) ? c.rsa_bits : 2048);
        key_set_builder b;
        b.add_jwks(g.private_jwk, "bench " + c.name);
        keys[order[i]] = b.build();
      } catch (...) {
        errors[order[i]] = std::current_exception();
      }
    }
  });
  for (const std::exception_ptr& e : errors) {
    if (e) std::rethrow_exception(e);
  }
  return keys;
}

fixture make_fixture(const bench_case& c, std::shared_ptr<const key_set> keys, unsigned threads,
                     double time_per_case) {
  fixture f;
  f.keys = std::move(keys);
  f.key = key_at(*f.keys, 0);

  // The corpus: k_corpus_lines valid tokens from `gen` (realistic claims), made of as
  // many distinct tokens as a tenth of the case's time can sign (at least 16, and two
  // per thread), each repeated to fill the lines.
  const double can_sign = std::max(0.02, time_per_case / 10) / seconds_per_signature(*f.key, c.a);
  const std::size_t min_distinct =
      std::max<std::size_t>(16, std::bit_ceil(2 * std::size_t{threads}));
  f.distinct = can_sign >= static_cast<double>(k_corpus_lines)
                   ? k_corpus_lines
                   : std::bit_floor(static_cast<std::size_t>(can_sign));
  f.distinct = std::clamp(f.distinct, min_distinct, k_corpus_lines);
  gen_options g;
  g.count = k_corpus_lines;
  g.algs = {c.a};
  g.base_time = k_base_time;
  g.repeat = k_corpus_lines / f.distinct;
  g.mix = gen_mix{100, 0, 0, 0};
  g.seed = 1;
  std::vector<std::string> distinct;
  const gen_stats st = generate(
      *f.keys, g, [&](std::string_view line) { f.lines.emplace_back(line); },
      [&](const gen_line_info& line) {
        if (line.occurrence == 0) distinct.emplace_back(line.token);
      });
  f.views.assign(f.lines.begin(), f.lines.end());

  // Thread t signs and verifies distinct tokens t, t + threads, ...
  f.per_thread.resize(threads);
  for (std::size_t i = 0; i < distinct.size(); ++i) {
    signing_inputs& in = f.per_thread[i % threads];
    if (in.inputs.size() == k_inputs_per_thread) continue;
    const std::string_view token = distinct[i];
    const std::size_t dot = token.rfind('.');
    const std::string_view sig = token.substr(dot + 1);
    std::optional<std::vector<std::uint8_t>> bytes = base64url_decode(sig);
    if (!bytes) throw std::runtime_error("bench: a generated token does not decode");
    in.inputs.emplace_back(token.substr(0, dot));
    in.signatures.push_back(std::move(*bytes));
  }

  // Whole tokens: signature, then iss, aud and exp (required), as a deployment checks
  // them. gen.hpp's time model puts every token's window [iat, iat + 3600) around its
  // line: iat <= last line's time and exp >= first line's time + 3300, so the middle
  // of that span is inside every token's window.
  policy p;
  p.allowed_algs = alg_set{c.a};
  p.fixed_time = (st.first_time + st.last_time + 3300) / 2;
  p.issuers = {g.issuer};
  p.audiences = {g.audience};
  p.required_claims = {"exp"};
  f.engine = std::make_unique<batch_verifier>(std::make_shared<verifier>(f.keys, p),
                                              batch_options{.threads = static_cast<int>(threads)});
  return f;
}

case_result measure(const bench_case& c, fixture& f, unsigned threads, double time_per_case,
                    int repetitions) {
  const double t = time_per_case / (metric_count * repetitions);  // one sample
  const work_fn sign = [&](unsigned th, std::uint64_t n) {
    signing_inputs& in = f.per_thread[th];
    bool ok = true;
    for (std::uint64_t i = 0; i < n; ++i) {
      ok &= f.key->sign(c.a, in.inputs[in.take()], in.scratch);
    }
    return ok;
  };
  const work_fn verify = [&](unsigned th, std::uint64_t n) {
    signing_inputs& in = f.per_thread[th];
    bool ok = true;
    for (std::uint64_t i = 0; i < n; ++i) {
      const std::size_t j = in.take();
      ok &= f.key->verify(c.a, in.inputs[j], in.signatures[j]) == status::ok;
    }
    return ok;
  };
  const auto ops = [&](unsigned n_threads, const work_fn& work, std::string_view what) {
    const std::optional<double> r = ops_per_second(n_threads, t, work);
    if (!r) throw std::runtime_error(fmt::format("bench {}: {} failed", c.name, what));
    return *r;
  };

  // Warm-up (not recorded), which also sizes the batch: a few calls per sample.
  ops(1, sign, "sign");
  const double rate = ops(threads, verify, "verify");
  const std::size_t floor_tokens = std::min<std::size_t>(32 * std::size_t{threads}, k_corpus_lines);
  const double fits = std::max(1.0, rate * t / 4);
  const std::size_t batch = std::clamp(fits >= static_cast<double>(k_corpus_lines)
                                           ? k_corpus_lines
                                           : std::bit_floor(static_cast<std::size_t>(fits)),
                                       floor_tokens, k_corpus_lines);
  const std::span<const std::string_view> tokens(f.views.data(), batch);
  std::vector<result> results(batch);
  f.engine->verify_batch(tokens, results);
  check_batch(c, results);

  case_result r;
  r.c = c;
  r.batch_tokens = batch;
  r.distinct_tokens = std::unordered_set<std::string_view>(tokens.begin(), tokens.end()).size();
  // Repetitions alternate the figures, so a slow spell of a shared machine spreads over
  // them instead of hitting one figure's every sample.
  for (int rep = 0; rep < repetitions; ++rep) {
    r.m[sign_1t].samples.push_back(ops(1, sign, "sign"));
    r.m[sign_all].samples.push_back(ops(threads, sign, "sign"));
    r.m[verify_1t].samples.push_back(ops(1, verify, "verify"));
    r.m[verify_all].samples.push_back(ops(threads, verify, "verify"));
    const steady::time_point start = steady::now();
    std::uint64_t calls = 0;
    steady::time_point end;
    do {
      f.engine->verify_batch(tokens, results);
      ++calls;
      end = steady::now();
    } while (std::chrono::duration<double>(end - start).count() < t);
    check_batch(c, results);
    r.m[batch_all].samples.push_back(static_cast<double>(calls * batch) /
                                     std::chrono::duration<double>(end - start).count());
  }
  for (metric& m : r.m) m.median = median(m.samples);
  return r;
}

}  // namespace jwtbatch::cli::bench_parts
