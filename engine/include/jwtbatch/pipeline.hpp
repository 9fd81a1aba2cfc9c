// jwtbatch/pipeline.hpp: verifying the tokens of a stream of lines, in bounded memory.
//
// One pipeline serves every line-oriented input: a byte source (a descriptor, memory, a
// decompressor...), an extractor that says which tokens a line holds and when they are
// judged (the whole line, a member of an NDJSON line, the tokens of a log line...), and
// an in-order sink. A serial reader cuts the bytes into chunks of whole lines without
// copying them line by line; the batch verifier's threads run the extractor and verify
// each chunk's tokens in parallel; a serial writer hands every line to the sink, in
// input order.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "jwtbatch/batch.hpp"
#include "jwtbatch/result.hpp"
#include "jwtbatch/status.hpp"

namespace jwtbatch {

namespace detail {
class line_tokens_access;
}  // namespace detail

// A stream of bytes, read by the pipeline's serial reader (one thread at a time).
class byte_source {
 public:
  virtual ~byte_source() = default;
  // Returned by read() when the stream was asked to stop (pipeline_options::stop_fd,
  // or the source's own stop): the input ends there, and a last line not ended by its
  // "\n" is dropped, since it is not whole.
  static constexpr std::ptrdiff_t stopped = -1;
  // read copies up to `n` bytes (n > 0) to `buf` and returns how many: 0 only at the end
  // of the input, or `stopped`. Throws std::system_error when reading fails.
  virtual std::ptrdiff_t read(char* buf, std::size_t n) = 0;
  // would_wait: whether a read now would wait for a writer (an idle pipe or terminal).
  // The reader then hands on the whole lines it holds and the sink is told to flush,
  // so a live stream's results are never held back. Default: never (files, memory).
  [[nodiscard]] virtual bool would_wait() const { return false; }
};

// Reads a descriptor (not owned). With `stop_fd` >= 0, that descriptor becoming
// readable (a self-pipe a signal handler writes to, an eventfd...) stops the stream; it
// is polled beside the input, never read, so it stays readable for other readers.
class fd_source final : public byte_source {
 public:
  explicit fd_source(int fd, int stop_fd = -1) noexcept : fd_(fd), stop_fd_(stop_fd) {}
  std::ptrdiff_t read(char* buf, std::size_t n) override;
  [[nodiscard]] bool would_wait() const override;

 private:
  int fd_;
  int stop_fd_;
};

// Reads bytes held in memory (not owned; they must outlive the source).
class memory_source final : public byte_source {
 public:
  explicit memory_source(std::string_view bytes) noexcept : rest_(bytes) {}
  std::ptrdiff_t read(char* buf, std::size_t n) override;

 private:
  std::string_view rest_;
};

// Where a line's evaluation time came from: its own time field, the fixed time of the
// policy (the CLI's --at), or the time its chunk was read. Names: "line", "flag", "now".
enum class time_source : std::uint8_t { now, flag, line };
[[nodiscard]] std::string_view time_source_name(time_source s) noexcept;

// One token of a line, as the sink sees it.
struct line_token {
  std::string_view token;  // the bytes verified (into the line, or decoded by the extractor)
  std::size_t offset = 0;  // where its text starts in the line
  std::uint32_t tag = 0;   // the extractor's own marks (e.g. "was percent-encoded")
};

// What the extractor tells the pipeline about one line. Filled in the parallel stage,
// one line at a time; `line` is the line's bytes without its terminator (its head when
// the line was cut at pipeline_options::max_line_bytes).
class line_tokens {
 public:
  // A token whose bytes are in the line: `token` must view into it.
  void add(std::string_view token, std::size_t offset, std::uint32_t tag = 0);
  // A token whose bytes the extractor made (decoded): they are copied.
  void add_copy(std::string_view bytes, std::size_t offset, std::uint32_t tag = 0);
  // A verdict that needs no verification (no_token, token_too_large...): `shown` is
  // what the sink sees as the token (may be empty); its fingerprint is that of `shown`
  // (all '0' when empty or when the policy turns fingerprints off). `why` becomes
  // result::detail: it must view static storage (a string literal).
  void add_verdict(status s, std::string_view shown, std::size_t offset, std::uint32_t tag = 0,
                   std::string_view why = {});
  // The time every token of the line is judged at, and where it came from. Unset:
  // the stream's default (the policy's fixed time, else the time its chunk was read).
  void set_time(double at, time_source source) noexcept;
  // Marks the line as holding more than it reports (tokens beyond a cap...).
  void set_cut() noexcept { cut_ = true; }
  // The extractor's own marks about the line (line_result::marks), ORed together.
  void mark(std::uint32_t bits) noexcept { marks_ |= bits; }
  [[nodiscard]] double default_time() const noexcept { return default_at_; }
  [[nodiscard]] time_source default_source() const noexcept { return default_source_; }
  [[nodiscard]] std::size_t size() const noexcept { return entries_.size() - first_; }

 private:
  friend class detail::line_tokens_access;  // the pipeline's side (exec/pipeline.cpp)
  struct entry {
    std::size_t begin = 0;  // in the line (copied == false) or in copies_
    std::size_t length = 0;
    std::size_t offset = 0;
    std::uint32_t tag = 0;
    bool copied = false;
    bool verdict_given = false;
    status verdict = status::ok;
    std::string_view why;
  };
  std::string_view line_;
  std::vector<entry> entries_;  // every line of the chunk; this line's from first_
  std::size_t first_ = 0;
  std::string copies_;
  double default_at_ = 0;
  time_source default_source_ = time_source::now;
  double at_ = 0;
  time_source source_ = time_source::now;
  bool cut_ = false;
  std::uint32_t marks_ = 0;
};

// Decides which tokens a line holds. Called from several threads at once, each with
// its own state (make_state, one per chunk buffer, reused): extract must be thread-safe
// on `this` and must not throw.
class line_extractor {
 public:
  struct state {
    virtual ~state() = default;
  };
  virtual ~line_extractor() = default;
  [[nodiscard]] virtual std::unique_ptr<state> make_state() const { return nullptr; }
  // `cut`: the line was longer than pipeline_options::max_line_bytes and `line` is its
  // head only.
  virtual void extract(std::string_view line, bool cut, line_tokens& out,
                       state* s) const noexcept = 0;
};

// The extractor of `verify`: the whole line is one token. A line cut at the line bound
// gets token_too_large without being verified (max_line_bytes is set to the token
// limit for it).
class whole_line_extractor final : public line_extractor {
 public:
  void extract(std::string_view line, bool cut, line_tokens& out, state* s) const noexcept override;
};

// One line and its verdicts, handed to the sink (views valid during the call only).
struct line_result {
  std::uint64_t number = 0;  // 1-based line number in the stream
  std::string_view text;     // the line without its terminator (its head when cut_line)
  bool cut_line = false;     // longer than max_line_bytes: the rest was not read
  bool cut = false;          // the extractor reported less than the line holds
  double at = 0;             // the evaluation time of its tokens
  time_source at_source = time_source::now;
  std::uint32_t marks = 0;  // line_tokens::mark
  std::span<const line_token> tokens;
  std::span<const result> results;  // results[i] is tokens[i]'s verdict
};

struct pipeline_options {
  // Bytes read at once, and about the most data a chunk of lines holds (at least
  // 4096). Small chunks keep memory low and flat; 64 KiB streams as fast as 1 MiB.
  std::size_t chunk_bytes = std::size_t{64} << 10;
  // Lines a chunk holds at most: bounds the results kept for very short lines.
  std::size_t max_records = 1024;
  // Chunks being read, verified or written at once; 0 = twice the thread count.
  // Memory in use is about chunks_in_flight x (chunk_bytes + max_records x 300 bytes
  // per token), whatever the input size; a chunk that held a long line keeps its
  // buffer, so after one, add up to chunks_in_flight + 1 times the longest line (at
  // most max_line_bytes). Chunks and their results are reused: the steady state
  // allocates nothing.
  std::size_t chunks_in_flight = 0;
  // Lines longer than this are cut: the extractor sees their first max_line_bytes
  // bytes (line_result::cut_line) and the rest is skipped as it is read, never held.
  // 0: the policy's token limit (the whole-line extractor then reports token_too_large).
  std::size_t max_line_bytes = 0;
  // For the descriptor form of verify_stream: a descriptor that becomes readable to
  // ask for a stop, or -1 (fd_source). On a stop every whole line already read still
  // gets its results, in order; a last line without its "\n" is dropped, and nothing
  // more is read. Other sources stop by returning byte_source::stopped.
  int stop_fd = -1;
};

// Where the lines go. prepare() runs in the parallel stage, right after the line's
// tokens were verified, and may append bytes for the line to `out` (its record, say),
// so that formatting runs on every core; it must be thread-safe and not throw.
// consume() is called once per line, serially and in input order, with those bytes.
// `flush` is true when the input has paused (byte_source::would_wait) after this
// line: write out what is buffered.
class line_consumer {
 public:
  virtual ~line_consumer() = default;
  virtual void prepare(const line_result& /*line*/, std::string& /*out*/) const noexcept {}
  virtual void consume(const line_result& line, std::string_view prepared, bool flush) = 0;
};

// A consumer with nothing to prepare: called once per line, serially, in input order.
using line_sink = std::function<void(const line_result& line, bool flush)>;

struct pipeline_stats {
  std::uint64_t lines = 0;
  std::uint64_t records = 0;  // verdicts handed to the sink (tokens and given verdicts)
  std::uint64_t ok = 0;
  bool stopped = false;  // ended by a stop, not by the end of input
};

// verify_stream reads `source` to its end and hands every line, with the verdicts of
// the tokens `extractor` finds in it, to `consumer` (or `sink`): exactly one call per
// line, in input order. "\n" ends a line; a "\r" ending a line is dropped (also on a last line
// without "\n", which is a line too); an empty line is a line. Line assembly is linear
// in the input whatever max_line_bytes is, and no line is copied on its way to the
// extractor. Evaluation time: per line_tokens::set_time, else the policy's fixed
// time, else the time its chunk of lines was read (a stream may run for days). Throws
// std::system_error if reading fails;
// an exception from `sink` stops the run and propagates.
pipeline_stats verify_stream(const batch_verifier& engine, byte_source& source,
                             const line_extractor& extractor, line_consumer& consumer,
                             pipeline_options options = {});
pipeline_stats verify_stream(const batch_verifier& engine, byte_source& source,
                             const line_extractor& extractor, const line_sink& sink,
                             pipeline_options options = {});

// The one-token-per-line form: `fd` read with fd_source(fd, options.stop_fd) and the
// whole_line_extractor. `line` is 1-based; `token` is the line without its terminator
// (empty for a line longer than the token limit, which gets token_too_large without
// being held in memory; its fingerprint is all '0'). An empty line is bad_segments.
using pipeline_sink =
    std::function<void(std::uint64_t line, std::string_view token, const result& r)>;
pipeline_stats verify_stream(const batch_verifier& engine, int fd, const pipeline_sink& sink,
                             pipeline_options options = {});

}  // namespace jwtbatch
