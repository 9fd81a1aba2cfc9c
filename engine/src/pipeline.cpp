#include "jwtbatch/pipeline.hpp"

#include <tbb/parallel_pipeline.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <memory>
#include <mutex>
#include <string>
#include <system_error>
#include <vector>

#include "stop_read.hpp"
#include "verify.hpp"

namespace jwtbatch {
namespace {

struct record {
  std::size_t offset = 0;
  std::size_t len = 0;
  bool too_large = false;  // the bytes were dropped; only the verdict is reported
};

// A run of whole records: their bytes (line terminators removed) copied together, and
// their results. Chunks are reused, so their buffers keep their capacity.
struct chunk {
  std::uint64_t first_line = 0;
  std::string data;
  std::vector<record> records;
  std::vector<result> results;
};

// Owns every chunk of one stream (so none leaks if the sink throws mid-way); chunks go
// from the reader to the writer and back. The two serial stages may run at the same
// time on different threads, hence the lock (taken once per chunk).
class chunk_pool {
 public:
  chunk* take() {
    const std::lock_guard lock(mu_);
    if (free_.empty()) return all_.emplace_back(std::make_unique<chunk>()).get();
    chunk* c = free_.back();
    free_.pop_back();
    return c;
  }
  void give(chunk* c) {
    const std::lock_guard lock(mu_);
    free_.push_back(c);
  }

 private:
  std::mutex mu_;
  std::vector<std::unique_ptr<chunk>> all_;
  std::vector<chunk*> free_;
};

// The serial reader: owns the file descriptor and a buffer of what was read but not
// yet cut into records (at most one read plus one line of the token limit).
class line_reader {
 public:
  line_reader(int fd, std::size_t read_bytes, std::size_t max_records, std::size_t max_line,
              int stop_fd)
      : fd_(fd),
        read_bytes_(read_bytes),
        max_records_(max_records),
        max_line_(max_line),
        stop_fd_(stop_fd) {}

  [[nodiscard]] bool stopped() const noexcept { return stopped_; }

  // Fills `c` with at least one record, or returns false at the end of input. A chunk
  // ends at max_records records, or at about read_bytes of data, or where the buffer
  // runs out of whole lines (it is handed on rather than waiting on a slow pipe).
  bool next(chunk& c) {
    c.data.clear();
    c.records.clear();
    c.first_line = next_line_;
    while (c.records.size() < max_records_ && c.data.size() < read_bytes_) {
      const std::size_t nl = buf_.find('\n', pos_);
      if (nl != std::string::npos) {
        take(c, pos_, nl);
        pos_ = nl + 1;
        continue;
      }
      // No whole line is buffered. An oversize line's bytes are dropped as they
      // come; it is reported when its end is found.
      if (skipping_ || buf_.size() - pos_ > max_line_ + 1) {
        skipping_ = true;
        buf_.clear();
        pos_ = 0;
      }
      if (stopped_) {  // pipeline_options::stop_fd: a partial last line is not whole
        buf_.clear();
        pos_ = 0;
        break;
      }
      if (eof_) {
        if (skipping_ || pos_ < buf_.size()) take(c, pos_, buf_.size());  // no final "\n"
        buf_.clear();
        pos_ = 0;
        break;
      }
      if (!c.records.empty()) break;
      fill();
    }
    return !c.records.empty();
  }

 private:
  // Cuts the line buf_[begin, end) (end: its "\n", or the end of input) into `c`.
  void take(chunk& c, std::size_t begin, std::size_t end) {
    if (end > begin && buf_[end - 1] == '\r') --end;
    const std::size_t len = end - begin;
    if (skipping_ || len > max_line_) {
      skipping_ = false;
      c.records.push_back({0, 0, true});
    } else {
      c.records.push_back({c.data.size(), len, false});
      c.data.append(buf_, begin, len);
    }
    ++next_line_;
  }

  void fill() {
    buf_.erase(0, pos_);  // keeps only the partial line
    pos_ = 0;
    const std::size_t old = buf_.size();
    buf_.resize(old + read_bytes_);
    const ssize_t n = detail::read_or_stop(fd_, buf_.data() + old, read_bytes_, stop_fd_);
    if (n == detail::k_stopped) {  // pipeline_options::stop_fd
      buf_.resize(old);
      stopped_ = eof_ = true;
      return;
    }
    if (n < 0) {
      buf_.resize(old);
      throw std::system_error(errno, std::generic_category(), "verify_stream: read");
    }
    buf_.resize(old + static_cast<std::size_t>(n));
    eof_ = n == 0;
    // The input may have ended because its writer stopped on the same request (a
    // decompressing thread, a pipe from a stopped process): its last line is not
    // whole then either.
    if (eof_ && detail::stop_pending(stop_fd_)) stopped_ = true;
  }

  int fd_;
  std::size_t read_bytes_;
  std::size_t max_records_;
  std::size_t max_line_;
  int stop_fd_;
  std::string buf_;
  std::size_t pos_ = 0;  // buf_[0, pos_) is cut already
  std::uint64_t next_line_ = 1;
  bool skipping_ = false;
  bool eof_ = false;
  bool stopped_ = false;
};

}  // namespace

pipeline_stats verify_stream(const batch_verifier& engine, int fd, const pipeline_sink& sink,
                             pipeline_options options) {
  const policy& p = engine.rules().rules();
  const double now = p.fixed_time ? *p.fixed_time : detail::unix_now();
  const std::size_t in_flight = options.chunks_in_flight != 0
                                    ? options.chunks_in_flight
                                    : 2 * static_cast<std::size_t>(engine.threads());
  line_reader reader(fd, std::max<std::size_t>(options.chunk_bytes, 4096),
                     std::max<std::size_t>(options.max_records, 1), p.limits.max_token_bytes,
                     options.stop_fd);
  chunk_pool pool;
  pipeline_stats stats;
  std::array<char, 32> zeros{};
  zeros.fill('0');

  engine.run_in_arena([&] {
    tbb::parallel_pipeline(
        in_flight,
        tbb::make_filter<void, chunk*>(tbb::filter_mode::serial_in_order,
                                       [&](tbb::flow_control& fc) -> chunk* {
                                         chunk* c = pool.take();
                                         if (!reader.next(*c)) {
                                           pool.give(c);
                                           fc.stop();
                                           return nullptr;
                                         }
                                         return c;
                                       }) &
            tbb::make_filter<chunk*, chunk*>(
                tbb::filter_mode::parallel,
                [&](chunk* c) {
                  c->results.resize(c->records.size());
                  for (std::size_t i = 0; i < c->records.size(); ++i) {
                    const record& rec = c->records[i];
                    result& r = c->results[i];
                    if (rec.too_large) {
                      r.clear();
                      r.code = status::token_too_large;
                      r.fingerprint = zeros;
                    } else {
                      engine.rules().verify_at(
                          std::string_view(c->data).substr(rec.offset, rec.len), now, r);
                    }
                  }
                  return c;
                }) &
            tbb::make_filter<chunk*, void>(tbb::filter_mode::serial_in_order, [&](chunk* c) {
              for (std::size_t i = 0; i < c->records.size(); ++i) {
                const record& rec = c->records[i];
                ++stats.records;
                if (c->results[i].code == status::ok) ++stats.ok;
                sink(c->first_line + i,
                     rec.too_large ? std::string_view()
                                   : std::string_view(c->data).substr(rec.offset, rec.len),
                     c->results[i]);
              }
              pool.give(c);
            }));
  });
  stats.stopped = reader.stopped();
  return stats;
}

}  // namespace jwtbatch
