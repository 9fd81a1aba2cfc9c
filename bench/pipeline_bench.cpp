// verify_stream end to end from a file: tokens/s for threads 1 and 2, with verify_batch
// over the same tokens already in memory beside it, so the streaming overhead (reads,
// line cutting, chunk hand-over, the serial sink) is the ratio of the two.
//
// The input is written once per process to a temporary file (TMPDIR or /tmp): 4000
// distinct tokens repeated to 16 MiB, either all HS256 (where streaming overhead
// shows most) or the realistic mix of token_lines.hpp (half HS256, a quarter RS256, a
// quarter ES256). The file stays in the page cache, so this measures the engine, not
// the disk.
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "jwtbatch/batch.hpp"
#include "jwtbatch/pipeline.hpp"
#include "token_lines.hpp"

namespace jwtbatch {
namespace {

struct stream_file {
  std::string path;
  std::shared_ptr<const verifier> rules;
  std::vector<std::string> tokens;  // the file's lines, in order
  std::uint64_t lines = 0;
  std::uint64_t bytes = 0;
  ~stream_file() {
    if (!path.empty()) (void)std::remove(path.c_str());
  }
};

const stream_file& input(const std::string& kind) {
  static std::map<std::string, stream_file> files;
  auto [it, fresh] = files.try_emplace(kind);
  stream_file& f = it->second;
  if (!fresh) return f;
  bench::token_corpus corpus = bench::make_corpus(4000);
  if (kind == "HS256") {  // every other corpus token is HS256: keep those
    std::vector<std::string> hs;
    for (std::size_t i = 0; i < corpus.tokens.size(); i += 2) hs.push_back(corpus.tokens[i]);
    corpus.tokens = std::move(hs);
  }
  const char* dir = std::getenv("TMPDIR");
  f.path = std::string(dir != nullptr ? dir : "/tmp") + "/pipeline_bench_" + kind + "_" +
           std::to_string(::getpid()) + ".txt";
  f.lines = bench::write_lines(f.path, corpus.tokens, std::uint64_t{16} << 20);
  f.rules = bench::corpus_verifier(corpus.jwks);
  for (std::uint64_t i = 0; i < f.lines; ++i) {
    f.tokens.push_back(corpus.tokens[i % corpus.tokens.size()]);
    f.bytes += f.tokens.back().size() + 1;
  }
  return f;
}

void stream(benchmark::State& state, const std::string& kind) {
  const stream_file& f = input(kind);
  const batch_verifier engine(f.rules, batch_options{.threads = static_cast<int>(state.range(0))});
  std::uint64_t records = 0;
  for (auto _ : state) {
    const int fd = ::open(f.path.c_str(), O_RDONLY);
    if (fd < 0) {
      state.SkipWithError("cannot open the input file");
      return;
    }
    std::uint64_t ok = 0;
    const pipeline_stats stats =
        verify_stream(engine, fd, [&](std::uint64_t, std::string_view, const result& r) {
          ok += r.code == status::ok ? 1 : 0;
        });
    ::close(fd);
    if (stats.records != f.lines || ok != f.lines) state.SkipWithError("a token did not verify");
    records += stats.records;
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(records));
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(f.bytes));
}

// The same tokens as one in-memory batch: what streaming adds is the difference.
void batch(benchmark::State& state, const std::string& kind) {
  const stream_file& f = input(kind);
  const batch_verifier engine(f.rules, batch_options{.threads = static_cast<int>(state.range(0))});
  const std::vector<std::string_view> views(f.tokens.begin(), f.tokens.end());
  std::vector<result> results(views.size());
  for (auto _ : state) {
    engine.verify_batch(views, results);
    if (results.back().code != status::ok) state.SkipWithError("a token did not verify");
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(views.size()));
}

void threads(benchmark::internal::Benchmark* b) {
  b->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond);
}

BENCHMARK_CAPTURE(stream, HS256, std::string("HS256"))->Apply(threads);
BENCHMARK_CAPTURE(batch, HS256, std::string("HS256"))->Apply(threads);
BENCHMARK_CAPTURE(stream, mix, std::string("mix"))->Apply(threads);
BENCHMARK_CAPTURE(batch, mix, std::string("mix"))->Apply(threads);

}  // namespace
}  // namespace jwtbatch

BENCHMARK_MAIN();
