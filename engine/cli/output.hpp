// output.hpp: what the commands that verify (verify, scan) write: records (NDJSON or
// TSV), the counts behind the run summary, and the summary itself.
#pragma once

#include <cstdint>
#include <cstdio>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include <CLI/CLI.hpp>

#include "engine_flags.hpp"
#include "jwtbatch/result.hpp"

namespace jwtbatch::cli {

// The counts the summary shows.
struct tally {
  std::uint64_t records = 0;
  std::uint64_t ok = 0;
  std::map<std::string_view, std::uint64_t> by_status, by_class, by_label;
  std::map<std::string, std::uint64_t> by_kid, by_issuer;
  void add(const result& r);
};

// print_summary writes the run's summary: "<command>: N records, ..." then counts by
// class, status, attack label, kid and issuer, and the cache's figures.
void print_summary(std::FILE* err, std::string_view headline, const tally& t, double seconds,
                   const engine_setup& e);

// How records are written (verify, scan).
struct output_options {
  std::string format = "ndjson";  // ndjson, tsv or summary (no records)
  bool emit_token = false;
  std::string progress = "auto";
};

// add_output_flags declares --format, --emit-token and --progress on `cmd`.
void add_output_flags(CLI::App* cmd, output_options& o);

// record_writer buffers the records of one run and writes them to `out` in blocks,
// counting each verdict for the summary.
class record_writer {
 public:
  record_writer(const output_options& o, std::FILE* out) : options_(o), out_(out) {}
  // add counts `r` and appends its record (the token is kept only with --emit-token).
  void add(std::uint64_t line, std::string_view file, std::optional<std::size_t> offset,
           std::string_view token, const result& r);
  // flush writes what is buffered and flushes `out` (at the end of a run, and whenever
  // the input pauses, so a live stream's records are not held back).
  void flush();
  [[nodiscard]] const tally& counts() const noexcept { return counts_; }

 private:
  const output_options& options_;
  std::FILE* out_;
  std::string buf_;
  tally counts_;
};

// One record as a tab-separated line: line, status, class, alg, kid, fingerprint, label.
void append_tsv(std::string& out, std::uint64_t line, const result& r);

// write_all writes and empties `buf`; throws std::system_error when stdout is gone.
void write_all(std::FILE* out, std::string& buf);

}  // namespace jwtbatch::cli
