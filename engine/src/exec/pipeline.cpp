#include "jwtbatch/pipeline.hpp"
#include "core/access.hpp"

#include <poll.h>
#include <unistd.h>

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/parallel_pipeline.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <system_error>

#include "core/io.hpp"
#include "exec/stop_read.hpp"
#include "token/verify.hpp"

namespace jwtbatch {

// ---- sources ---------------------------------------------------------------------

std::ptrdiff_t fd_source::read(char* buf, std::size_t n) {
  const ssize_t got = detail::read_or_stop(fd_, buf, n, stop_fd_);
  if (got == detail::k_stopped) return stopped;
  if (got < 0) throw std::system_error(errno, std::generic_category(), "read");
  // The input may have ended because its writer stopped on the same request (a pipe
  // from a stopped process): its last line is not whole then either.
  if (got == 0 && detail::stop_pending(stop_fd_)) return stopped;
  return got;
}

bool fd_source::would_wait() const {
  pollfd p{fd_, POLLIN, 0};
  return detail::poll_some(&p, 1, 0) == 0;
}

std::ptrdiff_t memory_source::read(char* buf, std::size_t n) {
  const std::size_t k = std::min(n, rest_.size());
  std::memcpy(buf, rest_.data(), k);
  rest_.remove_prefix(k);
  return static_cast<std::ptrdiff_t>(k);
}

std::string_view time_source_name(time_source s) noexcept {
  switch (s) {
    case time_source::line:
      return "line";
    case time_source::flag:
      return "flag";
    case time_source::now:
      break;
  }
  return "now";
}

// ---- what an extractor reports -----------------------------------------------------

void line_tokens::add(std::string_view token, std::size_t offset, std::uint32_t tag) {
  // The token views into the line: its place in the chunk is kept, not its bytes.
  const auto begin = static_cast<std::size_t>(token.data() - line_.data());
  entries_.push_back({begin, token.size(), offset, tag, false, false, status::ok});
}

void line_tokens::add_copy(std::string_view bytes, std::size_t offset, std::uint32_t tag) {
  entries_.push_back({copies_.size(), bytes.size(), offset, tag, true, false, status::ok});
  copies_.append(bytes);
}

void line_tokens::add_verdict(status s, std::string_view shown, std::size_t offset,
                              std::uint32_t tag, std::string_view why) {
  entries_.push_back({copies_.size(), shown.size(), offset, tag, true, true, s, why});
  copies_.append(shown);
}

void line_tokens::set_time(double at, time_source source) noexcept {
  at_ = at;
  source_ = source;
}

void whole_line_extractor::extract(std::string_view line, bool cut, line_tokens& out,
                                   state* /*s*/) const noexcept {
  if (cut) {
    out.add_verdict(status::token_too_large, {}, 0);
  } else {
    out.add(line, 0);
  }
}

namespace detail {

// Lines of a chunk verified by one task: as for batches (exec/batch.cpp), enough to
// balance RSA-heavy chunks and cheap next to an HMAC.
constexpr std::size_t k_lines_per_task = 16;

// One line of a chunk: its bytes in chunk::data, and its tokens in the chunk's lists.
// (Named, not anonymous: line_tokens_access, a friend of a public class, uses them.)
struct stream_line {
  std::size_t begin = 0;
  std::size_t length = 0;
  bool cut_line = false;
  bool cut = false;
  std::size_t first_token = 0;
  std::size_t tokens = 0;
  double at = 0;
  time_source at_source = time_source::now;
  std::uint32_t marks = 0;
  std::size_t prepared_end = 0;  // its prepared bytes end here in stream_chunk::prepared
};

// A run of whole lines: their bytes as read (one buffer, no per-line copy), what the
// extractor found, and the verdicts. Chunks are reused, so every buffer keeps its
// capacity and the steady state allocates nothing.
struct stream_chunk {
  std::uint64_t first_line = 0;
  std::string data;
  std::vector<stream_line> lines;
  bool flush_after = false;  // the input paused after this chunk's last line
  double now = 0;            // the evaluation time of its lines without one of their own
  line_tokens found;
  std::vector<line_token> tokens;
  std::vector<result> results;
  std::string prepared;  // what line_consumer::prepare made of each line, one after another
  std::unique_ptr<line_extractor::state> state;
  bool has_state = false;
};

// The pipeline's side of line_tokens.
class line_tokens_access {
 public:
  // The i-th line of `c` as consumers see it.
  static line_result view(const stream_chunk& c, std::size_t i) {
    const stream_line& slot = c.lines[i];
    line_result out;
    out.number = c.first_line + i;
    out.text = std::string_view(c.data).substr(slot.begin, slot.length);
    out.cut_line = slot.cut_line;
    out.cut = slot.cut;
    out.at = slot.at;
    out.at_source = slot.at_source;
    out.marks = slot.marks;
    out.tokens = std::span<const line_token>(c.tokens).subspan(slot.first_token, slot.tokens);
    out.results = std::span<const result>(c.results).subspan(slot.first_token, slot.tokens);
    return out;
  }

  static void start_chunk(line_tokens& t, double at, time_source source) {
    t.entries_.clear();
    t.copies_.clear();
    t.default_at_ = at;
    t.default_source_ = source;
  }
  static void start_line(line_tokens& t, std::string_view line) {
    t.line_ = line;
    t.first_ = t.entries_.size();
    t.at_ = t.default_at_;
    t.source_ = t.default_source_;
    t.cut_ = false;
    t.marks_ = 0;
  }
  static void finish_line(const line_tokens& t, stream_line& slot) {
    slot.first_token = t.first_;
    slot.tokens = t.entries_.size() - t.first_;
    slot.at = t.at_;
    slot.at_source = t.source_;
    slot.cut = t.cut_;
    slot.marks = t.marks_;
  }
  // Verifies (or gives the extractor's verdict to) the i-th token of `c`.
  static void verify_entry(stream_chunk& c, const line_tokens::entry& e, double at,
                           const verifier& rules, bool fingerprints, std::size_t i) noexcept {
    const line_tokens& t = c.found;
    const std::string_view from = e.copied ? std::string_view(t.copies_) : c.data;
    const std::string_view bytes = from.substr(e.begin, e.length);
    c.tokens[i] = {bytes, e.offset, e.tag};
    result& r = c.results[i];
    if (!e.verdict_given) {
      rules.verify_at(bytes, at, r);
      return;
    }
    detail::access::clear(r);
    r.code = e.verdict;
    if (!e.why.empty()) r.detail = e.why;
    if (fingerprints && !bytes.empty()) {
      detail::set_fingerprint(bytes, r);
    } else {
      r.fingerprint.fill('0');
    }
  }

  // Following a key source: the tokens refused with key_not_found are verified again
  // when the source found newer keys for them (batch_verifier::fresher_after_unknown_kid).
  static void verify_unknown_again(stream_chunk& c, const batch_verifier& engine,
                                   const batch_verifier::snapshot& used, bool fingerprints) {
    const auto unknown = [](const result& r) { return r.code == status::key_not_found; };
    if (std::none_of(c.results.begin(), c.results.end(), unknown)) return;
    const std::optional<batch_verifier::snapshot> fresh = engine.fresher_after_unknown_kid(used);
    if (!fresh) return;
    for (const stream_line& slot : c.lines) {
      for (std::size_t i = slot.first_token; i < slot.first_token + slot.tokens; ++i) {
        if (unknown(c.results[i])) {
          verify_entry(c, c.found.entries_[i], slot.at, *fresh->rules, fingerprints, i);
        }
      }
    }
  }

  // Runs the extractor on every line of `c`, then verifies every token.
  static void work(stream_chunk& c, const line_extractor& extractor, const batch_verifier& engine,
                   double default_at, time_source default_source, const line_consumer& consumer) {
    // The newest keys, once per chunk (an engine that follows a key source).
    const batch_verifier::snapshot used = engine.current();
    const verifier& rules = *used.rules;
    line_tokens& t = c.found;
    start_chunk(t, default_at, default_source);
    if (!c.has_state) {
      c.state = extractor.make_state();
      c.has_state = true;
    }
    for (stream_line& slot : c.lines) {
      const std::string_view text = std::string_view(c.data).substr(slot.begin, slot.length);
      start_line(t, text);
      extractor.extract(text, slot.cut_line, t, c.state.get());
      // Offsets of in-line tokens were taken against the line; make them chunk-relative.
      for (std::size_t i = t.first_; i < t.entries_.size(); ++i) {
        if (!t.entries_[i].copied) t.entries_[i].begin += slot.begin;
      }
      finish_line(t, slot);
    }
    const std::size_t n = t.entries_.size();
    c.tokens.resize(n);
    c.results.resize(n);
    // The lines' tokens are verified in blocks any thread of the arena may take, not
    // chunk by chunk: a thread that would wait for the in-order stages helps with the
    // chunk in hand instead (streams then scale with threads as batches do).
    const bool fingerprints = rules.policy().fingerprint;
    tbb::parallel_for(tbb::blocked_range<std::size_t>(0, c.lines.size(), k_lines_per_task),
                      [&](const tbb::blocked_range<std::size_t>& lines) {
                        for (std::size_t l = lines.begin(); l != lines.end(); ++l) {
                          const stream_line& slot = c.lines[l];
                          for (std::size_t i = slot.first_token; i < slot.first_token + slot.tokens;
                               ++i) {
                            verify_entry(c, t.entries_[i], slot.at, rules, fingerprints, i);
                          }
                        }
                      });
    if (engine.source() != nullptr) verify_unknown_again(c, engine, used, fingerprints);
    c.prepared.clear();
    for (std::size_t i = 0; i < c.lines.size(); ++i) {
      consumer.prepare(view(c, i), c.prepared);
      c.lines[i].prepared_end = c.prepared.size();
    }
  }
};

}  // namespace detail

namespace {

using detail::line_tokens_access;
using detail::stream_chunk;
using detail::stream_line;

// Owns every chunk of one stream (so none leaks if the sink throws mid-way); chunks go
// from the reader to the writer and back. The two serial stages may run at the same
// time on different threads, hence the lock (taken once per chunk).
class chunk_pool {
 public:
  stream_chunk* take() {
    const std::lock_guard lock(mu_);
    if (free_.empty()) return all_.emplace_back(std::make_unique<stream_chunk>()).get();
    stream_chunk* c = free_.back();
    free_.pop_back();
    return c;
  }
  void give(stream_chunk* c) {
    const std::lock_guard lock(mu_);
    free_.push_back(c);
  }

 private:
  std::mutex mu_;
  std::vector<std::unique_ptr<stream_chunk>> all_;
  std::vector<stream_chunk*> free_;
};

// The serial reader. It reads straight into the chunk being filled and cuts lines
// there; only the partial line at a chunk's end is copied, once, to the start of the
// next chunk. '\n' is searched for in each byte once, so assembling a line is linear
// in its length whatever the bounds. A line longer than max_line keeps its head and the
// rest is dropped as it arrives.
class line_reader {
 public:
  line_reader(byte_source& source, std::size_t read_bytes, std::size_t max_records,
              std::size_t max_line)
      : source_(source), read_bytes_(read_bytes), max_records_(max_records), max_line_(max_line) {}

  [[nodiscard]] bool stopped() const noexcept { return stopped_; }

  // Fills `c` with at least one line, or returns false at the end of input. A chunk
  // ends at max_records lines, or at about read_bytes of data, or where the input
  // pauses with whole lines in hand (they are handed on rather than held back).
  bool next(stream_chunk& c) {
    c.lines.clear();
    c.flush_after = false;
    c.first_line = next_line_;
    c.data.swap(carry_);  // the partial line left by the previous chunk, if any
    carry_.clear();
    std::size_t start = 0;                 // where the next line starts
    std::size_t scanned = carry_scanned_;  // bytes before it were searched for '\n'
    while (true) {
      while (c.lines.size() < max_records_) {
        const std::size_t at = std::string_view(c.data).find('\n', scanned);
        if (at == std::string_view::npos) {
          scanned = c.data.size();
          break;
        }
        if (skipping_) {
          skipping_ = false;  // the end of a cut line: its tail is dropped
        } else {
          take(c, start, at);
        }
        start = scanned = at + 1;
      }
      // Full: max_records lines, or whole lines and about one read of bytes (a chunk
      // twice that size halves the chunks in flight, and two threads then wait on the
      // reader: measured 8% slower on HS256).
      if (c.lines.size() >= max_records_ || (!c.lines.empty() && c.data.size() >= read_bytes_)) {
        break;
      }
      // No whole line is left in [start, size).
      if (skipping_) {
        c.data.resize(start);  // the tail of a cut line is never held
        scanned = start;
      } else if (c.data.size() - start > max_line_ + 1) {  // +1: a '\r' before its "\n"
        take_cut(c, start);
        start = scanned = c.data.size();
        continue;
      }
      if (ended_) {
        if (!skipping_ && !stopped_ && start < c.data.size()) take(c, start, c.data.size());
        skipping_ = false;
        start = c.data.size();
        break;
      }
      if (!c.lines.empty() && source_.would_wait()) {
        c.flush_after = true;
        break;
      }
      fill(c.data);
    }
    // A chunk that ended full may still be the last the input holds for now: when no
    // whole line is left and the source would wait, the sink must flush after it. (The
    // bytes searched here are not searched again: carry_scanned_.)
    if (!c.lines.empty() && !c.flush_after && !ended_) {
      if (std::string_view(c.data).find('\n', scanned) == std::string_view::npos) {
        scanned = c.data.size();
        c.flush_after = source_.would_wait();
      }
    }
    if (start < c.data.size()) carry_.assign(c.data, start);
    carry_scanned_ = start < c.data.size() && scanned > start ? scanned - start : 0;
    return !c.lines.empty();
  }

 private:
  // Cuts the line data[begin, end) (end: its "\n", or the end of input).
  void take(stream_chunk& c, std::size_t begin, std::size_t end) {
    if (end > begin && c.data[end - 1] == '\r') --end;
    stream_line slot;
    slot.begin = begin;
    slot.length = end - begin;
    if (slot.length > max_line_) {
      slot.length = max_line_;
      slot.cut_line = true;
    }
    c.lines.push_back(slot);
    ++next_line_;
  }

  // The line from `begin` has grown past max_line without its end: its head becomes
  // the line and the rest is skipped up to its "\n".
  void take_cut(stream_chunk& c, std::size_t begin) {
    stream_line slot;
    slot.begin = begin;
    slot.length = max_line_;
    slot.cut_line = true;
    c.lines.push_back(slot);
    ++next_line_;
    c.data.resize(begin + max_line_);
    skipping_ = true;
  }

  void fill(std::string& data) {
    const std::size_t old = data.size();
    data.resize(old + read_bytes_);
    const std::ptrdiff_t n = source_.read(data.data() + old, read_bytes_);
    if (n == byte_source::stopped) {
      data.resize(old);
      stopped_ = ended_ = true;
      return;
    }
    data.resize(old + static_cast<std::size_t>(std::max<std::ptrdiff_t>(n, 0)));
    ended_ = n <= 0;
  }

  byte_source& source_;
  std::size_t read_bytes_;
  std::size_t max_records_;
  std::size_t max_line_;
  std::string carry_;
  std::size_t carry_scanned_ = 0;  // carry_'s first bytes known to hold no '\n'
  std::uint64_t next_line_ = 1;
  bool skipping_ = false;
  bool ended_ = false;
  bool stopped_ = false;
};

}  // namespace

pipeline_stats verify_stream(const batch_verifier& engine, byte_source& source,
                             const line_extractor& extractor, line_consumer& consumer,
                             pipeline_options options) {
  const verifier& rules = engine.verifier();
  const policy& p = rules.policy();
  const time_source now_source = p.fixed_time ? time_source::flag : time_source::now;
  const std::size_t in_flight = options.chunks_in_flight != 0
                                    ? options.chunks_in_flight
                                    : 2 * static_cast<std::size_t>(engine.threads());
  const std::size_t max_line =
      options.max_line_bytes != 0 ? options.max_line_bytes : p.limits.max_token_bytes;
  line_reader reader(source, std::max<std::size_t>(options.chunk_bytes, 4096),
                     std::max<std::size_t>(options.max_records, 1), max_line);
  chunk_pool pool;
  pipeline_stats stats;

  engine.run_in_arena([&] {
    tbb::parallel_pipeline(
        in_flight,
        tbb::make_filter<void, stream_chunk*>(tbb::filter_mode::serial_in_order,
                                              [&](tbb::flow_control& fc) -> stream_chunk* {
                                                stream_chunk* c = pool.take();
                                                if (!reader.next(*c)) {
                                                  pool.give(c);
                                                  fc.stop();
                                                  return nullptr;
                                                }
                                                // "Now" is when the chunk was read: a
                                                // stream from a pipe may run for days.
                                                c->now = rules.evaluation_time();
                                                return c;
                                              }) &
            tbb::make_filter<stream_chunk*, stream_chunk*>(
                tbb::filter_mode::parallel,
                [&](stream_chunk* c) {
                  line_tokens_access::work(*c, extractor, engine, c->now, now_source, consumer);
                  return c;
                }) &
            tbb::make_filter<stream_chunk*, void>(
                tbb::filter_mode::serial_in_order, [&](stream_chunk* c) {
                  std::size_t prepared_from = 0;
                  for (std::size_t i = 0; i < c->lines.size(); ++i) {
                    const line_result line = line_tokens_access::view(*c, i);
                    const std::size_t prepared_to = c->lines[i].prepared_end;
                    ++stats.lines;
                    stats.records += line.results.size();
                    for (const result& r : line.results) stats.ok += r.code == status::ok ? 1 : 0;
                    consumer.consume(line,
                                     std::string_view(c->prepared)
                                         .substr(prepared_from, prepared_to - prepared_from),
                                     c->flush_after && i + 1 == c->lines.size());
                    prepared_from = prepared_to;
                  }
                  pool.give(c);
                }));
  });
  stats.stopped = reader.stopped();
  return stats;
}

namespace {

// A line_sink as a consumer with nothing to prepare.
class sink_consumer final : public line_consumer {
 public:
  explicit sink_consumer(const line_sink& sink) : sink_(sink) {}
  void consume(const line_result& line, std::string_view /*prepared*/, bool flush) override {
    sink_(line, flush);
  }

 private:
  const line_sink& sink_;
};

}  // namespace

pipeline_stats verify_stream(const batch_verifier& engine, byte_source& source,
                             const line_extractor& extractor, const line_sink& sink,
                             pipeline_options options) {
  sink_consumer consumer(sink);
  return verify_stream(engine, source, extractor, consumer, options);
}

pipeline_stats verify_stream(const batch_verifier& engine, int fd, const pipeline_sink& sink,
                             pipeline_options options) {
  fd_source source(fd, options.stop_fd);
  const whole_line_extractor whole;
  return verify_stream(
      engine, source, whole,
      [&](const line_result& line, bool /*flush*/) {
        for (std::size_t i = 0; i < line.results.size(); ++i) {
          sink(line.number, line.tokens[i].token, line.results[i]);
        }
      },
      options);
}

}  // namespace jwtbatch
