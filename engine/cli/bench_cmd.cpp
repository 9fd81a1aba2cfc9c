#include "bench_cmd.hpp"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <ctime>
#include <exception>
#include <fstream>
#include <functional>
#include <latch>
#include <memory>
#include <numeric>
#include <span>
#include <stdexcept>
#include <string_view>
#include <system_error>
#include <thread>
#include <unordered_set>

#include <fmt/core.h>
#include <fmt/format.h>

#include "codec/base64url.hpp"
#include "codec/json_out.hpp"
#include "core/access.hpp"
#include "crypto/signature.hpp"
#include "flags.hpp"
#include "gen.hpp"
#include "jwtbatch/batch.hpp"
#include "jwtbatch/key_set.hpp"
#include "jwtbatch/sign.hpp"
#include "jwtbatch/verifier.hpp"
#include "keys/store.hpp"
#include "replacing_file.hpp"
#include "svg_chart.hpp"

#ifndef JWTBATCH_VERSION
#define JWTBATCH_VERSION "unknown"
#endif

namespace jwtbatch::cli {
namespace {

using steady = std::chrono::steady_clock;

constexpr double k_default_time_per_case = 1.5;
constexpr double k_quick_time_per_case = 0.12;
constexpr std::size_t k_corpus_lines = 4096;     // tokens of the largest batch
constexpr std::size_t k_inputs_per_thread = 64;  // distinct tokens a thread cycles through
constexpr double k_base_time = 1700000000;       // the corpus' first line, Unix seconds

// ---- cases ----------------------------------------------------------------------------

struct bench_case {
  alg a{};
  unsigned rsa_bits = 0;  // RSA only
  std::string name;       // as --algs spells it: "RS256" (2048 bits), "RS256-4096"
  std::string key;        // "oct-256", "RSA-2048", "P-256", "Ed25519"
  unsigned key_bits = 0;
};

bool is_rsa(alg a) {
  return a >= alg::rs256 && a <= alg::ps512;
}

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

// ---- threads and clocks ---------------------------------------------------------------

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

// ---- what is measured -----------------------------------------------------------------

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

struct fixture {
  std::shared_ptr<const key_set> keys;
  const detail::key* key = nullptr;
  std::vector<signing_inputs> per_thread;
  std::vector<std::string> lines;  // the corpus, valid tokens only
  std::vector<std::string_view> views;
  std::size_t distinct = 0;
  std::unique_ptr<batch_verifier> engine;
};

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

// The fastest of three signatures of a token-sized input, in seconds.
double seconds_per_signature(const detail::key& k, alg a) {
  const std::string input(480, 'e');
  std::vector<std::uint8_t> sig;
  double best = 1;
  for (int i = 0; i < 3; ++i) {
    const steady::time_point t0 = steady::now();
    if (!detail::sign_signature(k, a, input, sig)) {
      throw std::runtime_error("bench: the generated key cannot sign");
    }
    best = std::min(best, std::chrono::duration<double>(steady::now() - t0).count());
  }
  return std::max(best, 1e-9);
}

fixture make_fixture(const bench_case& c, std::shared_ptr<const key_set> keys, unsigned threads,
                     double time_per_case) {
  fixture f;
  f.keys = std::move(keys);
  f.key = &detail::access::key_store_of(*f.keys).keys().front();

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
    std::vector<std::uint8_t> bytes(detail::base64url_decoded_size(sig.size()));
    std::size_t len = 0;
    if (!detail::base64url_decode(sig, bytes.data(), &len)) {
      throw std::runtime_error("bench: a generated token does not decode");
    }
    bytes.resize(len);
    in.inputs.emplace_back(token.substr(0, dot));
    in.signatures.push_back(std::move(bytes));
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

enum metric_id : std::uint8_t { sign_1t, sign_all, verify_1t, verify_all, batch_all, metric_count };
constexpr std::array<std::string_view, metric_count> k_metric_key = {
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

case_result measure(const bench_case& c, fixture& f, unsigned threads, double time_per_case,
                    int repetitions) {
  const double t = time_per_case / (metric_count * repetitions);  // one sample
  const work_fn sign = [&](unsigned th, std::uint64_t n) {
    signing_inputs& in = f.per_thread[th];
    bool ok = true;
    for (std::uint64_t i = 0; i < n; ++i) {
      ok &= detail::sign_signature(*f.key, c.a, in.inputs[in.take()], in.scratch);
    }
    return ok;
  };
  const work_fn verify = [&](unsigned th, std::uint64_t n) {
    signing_inputs& in = f.per_thread[th];
    bool ok = true;
    for (std::uint64_t i = 0; i < n; ++i) {
      const std::size_t j = in.take();
      ok &= detail::verify_signature(*f.key, c.a, in.inputs[j], in.signatures[j]) == status::ok;
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

// ---- output ---------------------------------------------------------------------------

std::string group_digits(std::uint64_t v) {
  std::string digits = std::to_string(v);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string format_rate(double v) {
  return group_digits(static_cast<std::uint64_t>(std::llround(v)));
}

std::string format_micros(double us) {
  if (us < 1) return fmt::format("{:.3f}", us);
  if (us < 10) return fmt::format("{:.2f}", us);
  if (us < 100) return fmt::format("{:.1f}", us);
  return format_rate(us);
}

// A share of the fastest, two significant digits at least: 100%, 45%, 1.8%, 0.018%.
std::string format_share(double fraction) {
  const double pct = fraction * 100;
  if (pct >= 9.95) return fmt::format("{:.0f}%", pct);
  if (pct >= 0.995) return fmt::format("{:.1f}%", pct);
  if (pct >= 0.0995) return fmt::format("{:.2f}%", pct);
  return fmt::format("{:.3f}%", pct);
}

std::size_t display_width(std::string_view s) {
  std::size_t n = 0;
  for (const char c : s) n += (static_cast<unsigned char>(c) & 0xC0U) != 0x80U ? 1U : 0U;
  return n;
}

// print_table writes rows (the first one is the header) in aligned columns: the first
// `text_columns` left-aligned, the others right-aligned.
void print_table(std::FILE* out, const std::vector<std::vector<std::string>>& rows,
                 std::size_t text_columns) {
  std::vector<std::size_t> width(rows.front().size(), 0);
  for (const auto& row : rows) {
    for (std::size_t i = 0; i < row.size(); ++i)
      width[i] = std::max(width[i], display_width(row[i]));
  }
  std::string text;
  for (const auto& row : rows) {
    std::string line;
    for (std::size_t i = 0; i < row.size(); ++i) {
      const std::string pad(width[i] - display_width(row[i]), ' ');
      line += i == 0 ? "" : "  ";
      line += i < text_columns ? row[i] + pad : pad + row[i];
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    text += line + "\n";
  }
  fmt::print(out, "{}", text);
}

struct run_info {
  std::string date;  // RFC 3339, UTC
  std::string cpu;   // /proc/cpuinfo "model name", printable ASCII; may be empty
  unsigned cores = 0;
  unsigned threads = 0;
  double time_per_case = 0;
  int repetitions = 0;
  bool quick = false;
};

std::string utc_now() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  std::array<char, 32> buf{};
  const std::size_t n = std::strftime(buf.data(), buf.size(), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return {buf.data(), n};
}

std::string cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("model name", 0) != 0) continue;
    const std::size_t colon = line.find(':');
    if (colon == std::string::npos) break;
    std::string model;
    for (const char c : line.substr(colon + 1)) {
      if (c >= 0x20 && c < 0x7F && !(model.empty() && c == ' ')) model += c;
    }
    while (!model.empty() && model.back() == ' ') model.pop_back();
    return model;
  }
  return {};
}

const char* k_method_sign =
    "detail::sign_signature (what sign_compact calls) over the signing input of a generated "
    "token, key parsed once; each thread signs its own tokens";
const char* k_method_verify =
    "detail::verify_signature (what verifier::verify calls after parsing) over the same "
    "inputs; each thread verifies its own tokens";
const char* k_method_batch =
    "batch_verifier::verify_batch on a gen corpus of valid tokens (signature, alg allow-list, "
    "iss, aud, exp required and checked; no cache), on all threads";

std::string threads_label(unsigned n) {
  return n == 1 ? "1 thread" : fmt::format("{} threads", n);
}

void print_report(std::FILE* out, const run_info& info, const std::vector<case_result>& results,
                  double fastest) {
  const std::string all = fmt::format("{}T", info.threads);
  std::vector<std::vector<std::string>> rows = {{"alg", "key", "sign/s 1T", "sign/s " + all,
                                                 "µs/sign", "verify/s 1T", "verify/s " + all,
                                                 "µs/verify", "vs fastest", "batch tok/s " + all}};
  for (const case_result& r : results) {
    rows.push_back({std::string(alg_name(r.c.a)), r.c.key, format_rate(r.m[sign_1t].median),
                    format_rate(r.m[sign_all].median), format_micros(1e6 / r.m[sign_1t].median),
                    format_rate(r.m[verify_1t].median), format_rate(r.m[verify_all].median),
                    format_micros(1e6 / r.m[verify_1t].median),
                    format_share(r.m[verify_1t].median / fastest),
                    format_rate(r.m[batch_all].median)});
  }
  fmt::print(out,
             "jwtbatch {} bench, {}, {}{} cores: 1T = 1 thread, {} = {}; median of {}, {} s per "
             "case\n\n",
             JWTBATCH_VERSION, info.date, info.cpu.empty() ? "" : info.cpu + ", ", info.cores, all,
             threads_label(info.threads), info.repetitions, info.time_per_case);
  print_table(out, rows, 2);
  fmt::print(out,
             "\nsign/s, verify/s: signatures made or checked per second by the engine's signature "
             "layer, key parsed\n  once, each thread on its own tokens. µs/sign, µs/verify: on 1T. "
             "vs fastest: verify/s 1T against the\n  fastest case's. batch tok/s: whole tokens per "
             "second through verify_batch on {}: signature, iss,\n  aud and exp (required) checked "
             "on realistic claims from gen; no cache.\n",
             all);
  if (std::fflush(out) != 0) {  // main ends quietly on EPIPE (a closed pipe), else reports
    throw std::system_error(errno, std::generic_category(), "standard output: write failed");
  }
}

void append_metric(std::string& j, const metric& m, std::string_view unit, unsigned threads) {
  j += fmt::format(R"({{"unit":"{}","threads":{},"samples":[)", unit, threads);
  for (std::size_t i = 0; i < m.samples.size(); ++i) {
    j += fmt::format("{}{}", i == 0 ? "" : ",", m.samples[i]);
  }
  j += fmt::format(R"(],"median":{}}})", m.median);
}

std::string json_string(std::string_view s) {
  std::string out;
  detail::append_json_string(out, s);
  return out;
}

std::string report_json(const run_info& info, const std::vector<case_result>& results,
                        double fastest) {
  std::string j = "{\n";
  j += R"(  "tool": "jwtbatch bench",)"
       "\n";
  j += "  \"version\": " + json_string(JWTBATCH_VERSION) + ",\n";
  j += "  \"date\": " + json_string(info.date) + ",\n";
  j += fmt::format("  \"machine\": {{\"cores\": {}, \"cpu\": {}}},\n", info.cores,
                   json_string(info.cpu));
  j += fmt::format("  \"threads\": {},\n", info.threads);
  j += fmt::format(R"(  "settings": {{"time_per_case_s": {}, "repetitions": {}, "quick": {}}},)"
                   "\n",
                   info.time_per_case, info.repetitions, info.quick);
  j += fmt::format(R"(  "method": {{"sign": {},)"
                   "\n"
                   R"(             "verify": {},)"
                   "\n"
                   R"(             "batch": {}}},)"
                   "\n",
                   json_string(k_method_sign), json_string(k_method_verify),
                   json_string(k_method_batch));
  j += "  \"cases\": [";
  for (std::size_t i = 0; i < results.size(); ++i) {
    const case_result& r = results[i];
    j += i == 0 ? "\n    {" : ",\n    {";
    j += fmt::format(R"("case":{},"alg":{},"key":{},"key_bits":{},)", json_string(r.c.name),
                     json_string(alg_name(r.c.a)), json_string(r.c.key), r.c.key_bits);
    for (std::size_t m = 0; m < metric_count; ++m) {
      const bool one = m == sign_1t || m == verify_1t;
      j += fmt::format("\n     \"{}\":", k_metric_key[m]);
      append_metric(j, r.m[m], m == batch_all ? "tokens/s" : "ops/s", one ? 1 : info.threads);
      j += ",";
    }
    j += fmt::format(
        "\n     \"batch_tokens\":{},\"distinct_tokens\":{},\"us_per_sign_1t\":{},"
        "\"us_per_verify_1t\":{},\"verify_1t_vs_fastest\":{}}}",
        r.batch_tokens, r.distinct_tokens, 1e6 / r.m[sign_1t].median, 1e6 / r.m[verify_1t].median,
        r.m[verify_1t].median / fastest);
  }
  j += "\n  ]\n}\n";
  return j;
}

std::string report_svg(const run_info& info, const std::vector<case_result>& results) {
  bar_chart chart;
  chart.title = "jwtbatch bench: signature verifications per second";
  chart.subtitle = fmt::format("jwtbatch {} · {} {} UTC · {}{} cores · median of {}, {} s per case",
                               JWTBATCH_VERSION, info.date.substr(0, 10), info.date.substr(11, 5),
                               info.cpu.empty() ? "" : info.cpu + ", ", info.cores,
                               info.repetitions, info.time_per_case);
  chart.axis_label = "verify operations per second (log scale), key parsed once";
  chart.series = {{"1 thread", "#4e79a7"}, {threads_label(info.threads), "#f28e2b"}};
  for (const case_result& r : results) {
    const double one = r.m[verify_1t].median;
    const double all = r.m[verify_all].median;
    chart.groups.push_back(
        {std::string(alg_name(r.c.a)), r.c.key, {one, all}, {format_rate(one), format_rate(all)}});
  }
  return render_svg(chart);
}

// An output file, opened before anything is measured so that a bad path fails at
// once, and written whole or not at all (replacing_file): a failed run leaves no
// empty file behind.
std::unique_ptr<replacing_file> open_output(const std::string& path, const char* flag) {
  if (path.empty()) return nullptr;
  return std::make_unique<replacing_file>(path, flag);
}

void write_output(std::unique_ptr<replacing_file>& f, const std::string& text, std::FILE* err) {
  if (!f) return;
  f->write(text);
  f->commit();
  fmt::print(err, "jwtbatch bench: wrote {}\n", f->path());
  f.reset();
}

}  // namespace

CLI::App* add_bench_command(CLI::App& app, bench_options& o) {
  CLI::App* cmd = app.add_subcommand(
      "bench",
      "Measure every algorithm on this machine with keys generated in-process: sign and "
      "verify ops/s on 1 thread and on all, µs per op, relative speed, and whole tokens/s "
      "through verify_batch. A table on stdout; --json and --chart write files. Exit 0, or 2 "
      "on a usage error.");
  add_list_flag(cmd, "--algs", o.algs,
                "Cases: HS256, ..., EdDSA; RSA at another size as RS256-4096 (default: every "
                "algorithm at RSA-2048, and RS256-3072, RS256-4096)");
  cmd->add_option("--time-per-case",
                  "Seconds measured per case, over all its figures and "
                  "repetitions (0.001..3600; default 1.5, 0.12 with --quick)")
      ->type_name("SECONDS")
      ->expected(1)
      ->allow_extra_args(false)
      ->each(
          [&o](const std::string& text) { o.time_per_case = parse_decimal(text, 0.001, 3600.0); });
  cmd->add_flag("--quick", o.quick, "A few seconds in all: 0.12 s per case");
  add_whole_flag(cmd, "--repetitions", o.repetitions, 1, 99,
                 "Samples per figure; the median is reported", "", "3");
  add_whole_flag(cmd, "--threads", o.threads, 0, max_threads,
                 "Threads of the \"all threads\" figures", "", "0 = one per core");
  cmd->add_option("--json", o.json, "Write the raw figures (samples, medians, machine) as JSON")
      ->type_name("FILE")
      ->check(non_empty());
  cmd->add_option("--chart", o.chart, "Write a bar chart of verify ops/s as SVG")
      ->type_name("FILE")
      ->check(non_empty());
  return cmd;
}

int run_bench(const bench_options& o, std::FILE* out, std::FILE* err) {
  // Flags and output files first: a mistake costs nothing.
  const std::vector<bench_case> cases = parse_cases(o.algs);
  if (!o.json.empty() && o.json == o.chart) {
    throw config_error("--chart " + o.chart + ": the same file as --json");
  }
  std::unique_ptr<replacing_file> json_file = open_output(o.json, "--json");
  std::unique_ptr<replacing_file> chart_file = open_output(o.chart, "--chart");

  run_info info;
  info.date = utc_now();
  info.cpu = cpu_model();
  info.cores = std::max(1U, std::thread::hardware_concurrency());
  info.threads = o.threads > 0 ? static_cast<unsigned>(o.threads) : info.cores;
  info.quick = o.quick;
  info.time_per_case =
      o.time_per_case.value_or(o.quick ? k_quick_time_per_case : k_default_time_per_case);
  info.repetitions = o.repetitions;

  fmt::print(err, "jwtbatch bench: {} case(s), {} s each, median of {}, {}; generating keys\n",
             cases.size(), info.time_per_case, info.repetitions, threads_label(info.threads));
  const bool progress = ::isatty(::fileno(err)) == 1;
  const std::vector<std::shared_ptr<const key_set>> keys = make_keys(cases, info.threads);

  std::vector<case_result> results;
  for (std::size_t i = 0; i < cases.size(); ++i) {
    if (progress)
      fmt::print(err, "jwtbatch bench: [{}/{}] {}\n", i + 1, cases.size(), cases[i].name);
    fixture f = make_fixture(cases[i], keys[i], info.threads, info.time_per_case);
    results.push_back(measure(cases[i], f, info.threads, info.time_per_case, info.repetitions));
  }
  double fastest = 0;
  for (const case_result& r : results) fastest = std::max(fastest, r.m[verify_1t].median);

  try {
    print_report(out, info, results, fastest);
  } catch (const std::system_error& e) {  // fmt's message would not say which stream
    throw std::system_error(e.code(), "standard output: write failed");
  }
  write_output(json_file, report_json(info, results, fastest), err);
  write_output(chart_file, report_svg(info, results), err);
  return 0;
}

}  // namespace jwtbatch::cli
