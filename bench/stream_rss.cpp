// stream_rss: verify_stream's memory against input size. Not a Google Benchmark: peak
// RSS is a per-process figure, so each measurement is one run of this program.
//
//   stream_rss generate PATH MB [tokens|blank]
//       writes PATH: MB MiB of token lines (a few thousand distinct HS256/RS256/ES256
//       tokens with ~300-byte claims, repeated), and the signing keys to PATH.jwks.
//       "blank" writes empty lines instead (the most records per byte).
//   stream_rss verify PATH [--threads N] [--chunk BYTES] [--in-flight N]
//       streams PATH through verify_stream with a sink that counts statuses, and prints
//       records, seconds, records/s and peak RSS (getrusage ru_maxrss), as one line of
//       key=value pairs followed by the status counts.
//
// Peak RSS of the verify run covers the whole process (key set, TBB, verifier scratch,
// chunks in flight); compare runs over inputs of different sizes with the same options.
#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "jwtbatch/batch.hpp"
#include "jwtbatch/pipeline.hpp"
#include "jwtbatch/status.hpp"
#include "token_lines.hpp"

namespace {

long peak_rss_kib() {
  rusage u{};
  if (getrusage(RUSAGE_SELF, &u) != 0) return -1;
  return u.ru_maxrss;  // KiB on Linux
}

int usage() {
  std::fprintf(stderr,
               "usage: stream_rss generate PATH MB [tokens|blank]\n"
               "       stream_rss verify PATH [--threads N] [--chunk BYTES] [--in-flight N]\n");
  return 2;
}

int generate(const std::string& path, std::uint64_t mib, const std::string& kind) {
  const auto start = std::chrono::steady_clock::now();
  const std::uint64_t bytes = mib << 20;
  std::uint64_t lines = 0;
  if (kind == "blank") {
    lines = jwtbatch::bench::write_lines(path, std::vector<std::string>(4096, ""), bytes);
    std::ofstream(path + ".jwks") << jwtbatch::bench::make_corpus(1).jwks;
  } else if (kind == "tokens") {
    const auto corpus = jwtbatch::bench::make_corpus(4000);
    lines = jwtbatch::bench::write_lines(path, corpus.tokens, bytes);
    std::ofstream(path + ".jwks") << corpus.jwks;
  } else {
    return usage();
  }
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("generated %s: %llu lines, %llu MiB, %.2f s\n", path.c_str(),
              static_cast<unsigned long long>(lines), static_cast<unsigned long long>(mib), s);
  return 0;
}

int verify(const std::string& path, int threads, std::size_t chunk, std::size_t in_flight) {
  std::ifstream keys_in(path + ".jwks");
  if (!keys_in) {
    std::fprintf(stderr, "stream_rss: cannot read %s.jwks\n", path.c_str());
    return 1;
  }
  std::stringstream keys;
  keys << keys_in.rdbuf();
  const jwtbatch::batch_verifier engine(jwtbatch::bench::corpus_verifier(keys.str()),
                                        jwtbatch::batch_options{.threads = threads});
  const int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0) {
    std::fprintf(stderr, "stream_rss: cannot open %s: %s\n", path.c_str(), std::strerror(errno));
    return 1;
  }
  const long rss_before = peak_rss_kib();
  std::vector<std::uint64_t> counts(jwtbatch::status_count);
  jwtbatch::pipeline_options options;
  if (chunk != 0) options.chunk_bytes = chunk;
  options.chunks_in_flight = in_flight;
  const auto start = std::chrono::steady_clock::now();
  const jwtbatch::pipeline_stats stats = jwtbatch::verify_stream(
      engine, fd,
      [&](std::uint64_t, std::string_view, const jwtbatch::result& r) {
        ++counts[static_cast<std::size_t>(r.code)];
      },
      options);
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ::close(fd);
  std::printf(
      "file=%s threads=%d chunk_bytes=%zu chunks_in_flight=%zu records=%llu ok=%llu "
      "seconds=%.3f records_per_s=%.0f peak_rss_kib_before_stream=%ld peak_rss_kib=%ld\n",
      path.c_str(), engine.threads(), options.chunk_bytes,
      in_flight != 0 ? in_flight : 2 * static_cast<std::size_t>(engine.threads()),
      static_cast<unsigned long long>(stats.records), static_cast<unsigned long long>(stats.ok), s,
      static_cast<double>(stats.records) / s, rss_before, peak_rss_kib());
  for (std::size_t i = 0; i < counts.size(); ++i) {
    if (counts[i] != 0) {
      std::printf("  %-24s %llu\n",
                  std::string(jwtbatch::status_name(static_cast<jwtbatch::status>(i))).c_str(),
                  static_cast<unsigned long long>(counts[i]));
    }
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  try {
    if (args.size() >= 3 && args[0] == "generate") {
      return generate(args[1], std::stoull(args[2]), args.size() > 3 ? args[3] : "tokens");
    }
    if (args.size() >= 2 && args[0] == "verify") {
      int threads = 0;
      std::size_t chunk = 0;
      std::size_t in_flight = 0;
      for (std::size_t i = 2; i + 1 < args.size(); i += 2) {
        if (args[i] == "--threads") {
          threads = std::stoi(args[i + 1]);
        } else if (args[i] == "--chunk") {
          chunk = std::stoull(args[i + 1]);
        } else if (args[i] == "--in-flight") {
          in_flight = std::stoull(args[i + 1]);
        } else {
          return usage();
        }
      }
      if (args.size() % 2 != 0) return usage();
      return verify(args[1], threads, chunk, in_flight);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "stream_rss: %s\n", e.what());
    return 1;
  }
  return usage();
}
