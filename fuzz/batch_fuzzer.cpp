// batch_fuzzer: the parallel engine against one-by-one verification (docs/CHECKS.md#batch;
// docs/SECURITY.md R1, R2, §4).
//
// The input is cut into records at '\n' (a '\r' ending a record dropped), as the
// streaming pipeline cuts a file; at most k_max_records are used. Invariants:
//  - verify_batch on 1 thread, on 2 threads with one token per task, and on 2 threads
//    through a verifier with a token_cache (repeated tokens in one batch race for the
//    same cache entry) give, slot for slot, the facts verifier::verify_at gives for each
//    token alone, and every result passes verify_fixture.hpp's check_result;
//  - verify_batch_at with a different time per token equals verify_at at that time;
//  - verify_stream over the same bytes (from a memfd, 4 KiB chunks of at most 3
//    records, 2 threads) hands the sink every record once, lines 1..N in order, each
//    with the token a reader would cut and the facts verify_at gives for it.
#include <sys/mman.h>
#include <unistd.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string_view>
#include <vector>

#include "jwtbatch/batch.hpp"
#include "jwtbatch/pipeline.hpp"
#include "jwtbatch/result.hpp"
#include "verify_fixture.hpp"

namespace {

using namespace fuzz_verify;

constexpr std::size_t k_max_records = 64;

struct engines {
  jwtbatch::batch_verifier one_thread;
  jwtbatch::batch_verifier two_threads;
  jwtbatch::batch_verifier two_cached;
};

jwtbatch::batch_options threads(int n, std::size_t grain) {
  jwtbatch::batch_options o;
  o.threads = n;
  o.grain = grain;
  return o;
}

const engines& the_engines() {
  static const engines e{{the_fixture().verifier, threads(1, 32)},
                         {the_fixture().verifier, threads(2, 1)},
                         {the_fixture().cached, threads(2, 1)}};
  return e;
}

// Records as the pipeline cuts them: '\n' ends one, a '\r' ending one is dropped
// (also on a last record without '\n', which counts), nothing after a final '\n' is a
// record.
std::vector<std::string_view> records_of(std::string_view in) {
  std::vector<std::string_view> out;
  while (!in.empty()) {
    const std::size_t nl = in.find('\n');
    std::string_view rec = in.substr(0, nl);
    if (!rec.empty() && rec.back() == '\r') rec.remove_suffix(1);
    out.push_back(rec);
    if (nl == std::string_view::npos) break;
    in.remove_prefix(nl + 1);
  }
  return out;
}

void expect_batch(const jwtbatch::batch_verifier& engine,
                  const std::vector<std::string_view>& tokens, const std::vector<facts>& alone,
                  const char* what) {
  std::vector<jwtbatch::result> results(tokens.size());
  engine.verify_batch(tokens, results);
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    check(facts_of(results[i]) == alone[i], what, results[i].code);
  }
}

// verify_stream over `bytes` written to an anonymous in-memory file.
void expect_stream(std::string_view bytes, const std::vector<std::string_view>& tokens,
                   const std::vector<facts>& alone) {
  const int fd = memfd_create("batch_fuzzer", 0);
  if (fd < 0) std::abort();
  for (std::size_t done = 0; done < bytes.size();) {
    const ssize_t n = write(fd, bytes.data() + done, bytes.size() - done);
    if (n <= 0) std::abort();
    done += static_cast<std::size_t>(n);
  }
  if (lseek(fd, 0, SEEK_SET) != 0) std::abort();
  jwtbatch::pipeline_options o;
  o.chunk_bytes = 4096;
  o.max_records = 3;
  std::uint64_t next = 1;
  const jwtbatch::pipeline_stats stats = jwtbatch::verify_stream(
      the_engines().two_threads, fd,
      [&](std::uint64_t line, std::string_view token, const jwtbatch::result& r) {
        check(line == next, "stream line numbers out of order", r.code);
        check(line <= tokens.size(), "stream returned more records than the input has", r.code);
        check(token == tokens[line - 1], "stream cut a record differently", r.code);
        check(facts_of(r) == alone[line - 1], "stream result differs from verify_at", r.code);
        ++next;
      },
      o);
  close(fd);
  check(stats.records == tokens.size() && next == tokens.size() + 1, "stream lost or added records",
        jwtbatch::status::ok);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  g_fuzzer = "batch_fuzzer";
  g_input = input;
  const fixture& f = the_fixture();
  const engines& e = the_engines();

  std::vector<std::string_view> tokens = records_of(input);
  if (tokens.size() > k_max_records) {
    tokens.resize(k_max_records);
    // The stream reads the same records: cut the input after the last one kept and its
    // "\n" (there is one, since records follow it).
    const std::string_view& last = tokens.back();
    const auto end = static_cast<std::size_t>(last.data() + last.size() - input.data());
    input = input.substr(0, input.find('\n', end) + 1);
  }

  std::vector<facts> alone;
  alone.reserve(tokens.size());
  for (const std::string_view t : tokens) {
    jwtbatch::result r;
    f.verifier->verify_at(t, k_now, r);
    check_result(f, t, r);
    alone.push_back(facts_of(r));
  }
  expect_batch(e.one_thread, tokens, alone, "1-thread batch differs from verify_at");
  expect_batch(e.two_threads, tokens, alone, "2-thread batch differs from verify_at");
  expect_batch(e.two_cached, tokens, alone, "cached 2-thread batch differs from verify_at");

  // A different evaluation time per token.
  constexpr std::array<double, 4> k_offsets = {0.0, -3600.0, 7200.0, 61.0};
  std::vector<double> times(tokens.size());
  for (std::size_t i = 0; i < times.size(); ++i) times[i] = k_now + k_offsets[i % 4];
  std::vector<jwtbatch::result> at(tokens.size());
  e.two_threads.verify_batch_at(tokens, times, at);
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    jwtbatch::result r;
    f.verifier->verify_at(tokens[i], times[i], r);
    check(facts_of(at[i]) == facts_of(r), "verify_batch_at differs from verify_at", at[i].code);
  }

  expect_stream(input, tokens, alone);
  return 0;
}
