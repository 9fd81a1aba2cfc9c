// output.hpp: what the commands that verify (verify, scan) write: records (NDJSON or
// TSV, to stdout or -o FILE), the counts behind the run summary, the summary itself
// (text on stderr, JSON with --summary-json) and the program's exit code.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>

#include "engine_flags.hpp"
#include "input.hpp"
#include "jwtbatch/result.hpp"
#include "record.hpp"

namespace jwtbatch::cli {

// The counts the summary shows, in bounded memory whatever the input: statuses,
// classes and labels are names from the engine's fixed vocabulary; kids and issuers
// come from tokens, so each is a name_counts table that holds at most k_max_names
// names of at most k_max_kid_bytes / k_max_issuer_bytes bytes and counts the rest as
// "other". Kids of tokens whose signature verified (the key set's own) and kids of the
// rest (anyone's) are counted apart, so a flood of invented kids cannot push the real
// ones out of the table. Issuers are counted only when the signature verified.
struct tally {
  static constexpr std::size_t k_max_names = 256;
  static constexpr std::size_t k_max_kid_bytes = 64;
  static constexpr std::size_t k_max_issuer_bytes = 128;
  // Rows of each name table shown in the text summary (the JSON summary has them all).
  static constexpr std::size_t k_shown_names = 20;

  std::uint64_t records = 0;
  std::uint64_t ok = 0;
  name_counts kids_verified{k_max_names, k_max_kid_bytes};
  name_counts kids_not_verified{k_max_names, k_max_kid_bytes};
  name_counts issuers{k_max_names, k_max_issuer_bytes};
  // On the pipeline's serial stage, once per record: array increments, no lookup.
  void add(const result& r);
  // Records by status, class and attack label name (only names with records).
  [[nodiscard]] std::map<std::string_view, std::uint64_t> by_status() const;
  [[nodiscard]] std::map<std::string_view, std::uint64_t> by_class() const;
  [[nodiscard]] std::map<std::string_view, std::uint64_t> by_label() const;

 private:
  // Indexed by the enums' values (std::uint8_t): every value has its slot.
  std::array<std::uint64_t, 256> statuses_{};
  std::array<std::uint64_t, 256> labels_{};
};

// Everything a run's summary says.
struct run_summary {
  std::string command;  // "verify", "scan", "scan --rsyslog"
  const tally* counts = nullptr;
  double seconds = 0;
  int threads = 0;
  std::optional<cache_stats> cache;
  std::optional<key_source_stats> keys;  // with --jwks-url or --oidc-issuer
  // Command-specific counts, in order (scan: "lines", "lines_without_token", ...).
  std::vector<std::pair<std::string, std::uint64_t>> extra;
  std::uint64_t inputs_damaged = 0;  // inputs that ended early (finish_input)
  int exit_code = 0;

  // of: what every run's summary says: its command, its counts (kept by reference), the
  // seconds since `started`, the engine's threads and the cache's figures.
  static run_summary of(std::string command, const tally& counts,
                        std::chrono::steady_clock::time_point started, const engine_setup& setup);
};

// exit_code is the program's exit code for a run (README, "Exit codes"): 128 + the
// signal when one stopped it, else 3 when an input ended early (truncated or corrupt
// compressed data, or a read error reported by finish_input), else 1 when a record is
// not ok, else 0 (also with no record at all). A read error on a plain file read
// directly is thrown (std::system_error) and ends the program with 2 instead.
[[nodiscard]] int exit_code(const tally& t, bool input_damaged) noexcept;

// print_summary writes the run's summary: "<headline>: N records, ..." then counts by
// class, status, attack label, kid and issuer (each name escaped and quoted with
// append_text; a table that was cut says so), the cache's figures, and a last line
// when a signal stopped the run.
void print_summary(std::FILE* err, std::string_view headline, const run_summary& s);

// append_summary_json appends the summary as one JSON object and a newline:
//   {"command":..,"records":N,"ok":N,"not_ok":N,"seconds":S,"threads":N,"exit_code":N,
//    "stopped_by":"SIGINT"|null,"inputs_damaged":N,<extra counts>,
//    "by_class":{..},"by_status":{..},"by_label":{..},
//    "by_kid":{"verified":T,"not_verified":T},"by_issuer":T,"cache":{..}|null}
// where each T is {"names":[{"name":..,"records":N[,"name_cut":true]}...],
// "other_records":N,"cut":bool}: "cut" is true when names were left out
// (other_records of them), "name_cut" when a name was shortened.
void append_summary_json(std::string& out, const run_summary& s);

// How records are written (verify, scan).
struct output_options {
  // ndjson, tsv, enrich (each NDJSON input line with a "jwt" member added) or summary
  // (no records).
  std::string format = "ndjson";
  bool emit_token = false;
  std::string progress = "auto";
  bool quiet = false;        // -q: no summary on stderr (and no progress unless "always")
  std::string output;        // -o FILE: records there instead of stdout
  std::string summary_json;  // --summary-json FILE

  // The progress mode in effect: -q turns "auto" into "never"; "always" stays.
  [[nodiscard]] std::string progress_mode() const {
    return quiet && progress == "auto" ? "never" : progress;
  }
  // Whether records (which carry each token's fingerprint) are written at all.
  [[nodiscard]] bool writes_records() const { return format != "summary"; }
};

// add_output_flags declares --format, --emit-token, --progress, -q/--quiet,
// -o/--output and --summary-json on `cmd`.
void add_output_flags(CLI::App* cmd, output_options& o);

// output_files opens the files of -o and --summary-json before anything is read, so
// a bad path is a configuration error (exit 2, naming the flag) with nothing written.
// Each is opened in place (created with mode 0666 & ~umask, or truncated), never
// renamed over, so a symlink, a FIFO or /dev/null given as the target is written
// through, not replaced. A file that is one of `inputs`, or both outputs being the
// same file (same device and inode, whatever the spelling), is refused before
// anything is truncated.
class output_files {
 public:
  output_files(const output_options& o, const std::vector<std::unique_ptr<input_source>>& inputs,
               std::FILE* stdout_);
  // Where records go: the -o file, else the stdout given.
  [[nodiscard]] std::FILE* records() const noexcept { return records_ ? records_.get() : out_; }
  // finish flushes the records and writes the JSON summary (when asked for). Throws
  // std::system_error when writing fails.
  void finish(const run_summary& s);

 private:
  using file_ptr = std::unique_ptr<std::FILE, int (*)(std::FILE*)>;
  std::FILE* out_;
  file_ptr records_{nullptr, &std::fclose};
  file_ptr summary_{nullptr, &std::fclose};
  std::string summary_path_;
};

// What the "jwt" member of --format enrich holds for one input line: the line's one
// record (verify --field), or the tokens found in it (scan):
//   {"count":N,"ok":K,"tokens":[record,...]}
// with the same shape for every line, also one with no token ("tokens":[]).
enum class enrich_shape { record, tokens };

// record_writer buffers the records of one run and writes them to `out` in blocks,
// counting each verdict for the summary. With --format tsv the header row comes first.
// Not thread-safe: the pipeline's serial, in-order stage owns it.
//
// --format enrich (add_line) writes one line per input line, in order: the input's
// JSON object with a member "jwt" added before its final '}' (after a ',' unless
// the object is empty), whose value is the record without "line" and "file"
// (append_record_object) or the tokens object (enrich_shape). The input's bytes are
// kept as they are (never parsed and re-written); only a trailing "\n" is replaced by
// the output's own. The line is checked to be one well-formed JSON object first
// (find_member's rules); a line that is not one, or whose object already has a
// top-level "jwt" member (however its name is escaped, duplicates too), is wrapped
// instead:
//   {"line":"<the input line as a JSON string>","jwt":...}
// so a client cannot forge the verdict member, a malformed line cannot make the output
// malformed, and the input is still there (bytes that are not UTF-8 as U+FFFD,
// json_out.hpp). lines_wrapped() counts those.
class record_writer {
 public:
  record_writer(const output_options& o, std::FILE* out, std::vector<std::string> claim_names,
                enrich_shape shape = enrich_shape::record);
  // add_line counts results[i] and appends the records of one input line, origins[i]
  // with results[i] (the spans have the same size); with --format enrich, the line's
  // one output line. `input_line` is read only with --format enrich. Each origin's token
  // is printed only with --emit-token. `line_cut`: the line holds more than its records
  // say (cut at the line bound or at the cap on tokens): each record says "cut":true,
  // and so does enrich's tokens object. With enrich_shape::record there must be
  // exactly one origin. Throws std::invalid_argument when the spans do not fit.
  void add_line(std::string_view input_line, std::span<const record_origin> origins,
                std::span<const result> results, bool line_cut = false);
  // The same in two steps, so the bytes can be made on every core: format_line appends
  // to `out` what add_line would write (thread-safe: reads only the writer's settings;
  // the spans must fit as above) and returns true when enrich wrapped the line;
  // add_formatted then counts `results` and appends those bytes, in input order.
  bool format_line(std::string_view input_line, std::span<const record_origin> origins,
                   std::span<const result> results, bool line_cut, std::string& out) const;
  void add_formatted(std::string_view formatted, std::span<const result> results, bool wrapped);
  // add counts `r` and appends its record (the token is kept only with --emit-token).
  // --format enrich has no input line here: config_error (it needs add_line).
  void add(const record_origin& origin, const result& r);
  void add(std::uint64_t line, std::string_view file, std::optional<std::size_t> offset,
           std::string_view token, const result& r);
  // flush writes what is buffered and flushes `out` (at the end of a run, and whenever
  // the input pauses, so a live stream's records are not held back).
  void flush();
  [[nodiscard]] const tally& counts() const noexcept { return counts_; }
  // Input lines --format enrich wrapped (not one JSON object, or one with "jwt").
  [[nodiscard]] std::uint64_t lines_wrapped() const noexcept { return lines_wrapped_; }

 private:
  void append_one(const record_origin& origin, const result& r, std::string& out) const;
  bool append_enriched(std::string_view input_line, std::span<const record_origin> origins,
                       std::span<const result> results, bool line_cut, std::string& out) const;
  void append_jwt(std::span<const record_origin> origins, std::span<const result> results,
                  bool line_cut, std::string& out) const;
  void maybe_write();

  const output_options& options_;
  std::FILE* out_;
  std::vector<std::string> claim_names_;
  enrich_shape shape_;
  std::string buf_;
  tally counts_;
  std::uint64_t lines_wrapped_ = 0;
};

// write_all writes and empties `buf`; throws std::system_error when the output is gone.
void write_all(std::FILE* out, std::string& buf);

}  // namespace jwtbatch::cli
