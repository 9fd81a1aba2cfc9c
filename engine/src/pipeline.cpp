#include "jwtbatch/pipeline.hpp"

#include <tbb/parallel_pipeline.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

#include "verify.hpp"

namespace jwtbatch {
namespace {

struct record {
  std::size_t offset = 0;
  std::size_t len = 0;
  bool too_large = false;  // the bytes were dropped; only the verdict is reported
};

struct chunk {
  std::uint64_t first_line = 0;
  std::string data;
  std::vector<record> records;
  std::vector<result> results;
};

// The serial reader: owns the file descriptor and the partial line between chunks.
class line_reader {
 public:
  line_reader(int fd, std::size_t chunk_bytes, std::size_t max_line)
      : fd_(fd), chunk_bytes_(chunk_bytes), max_line_(max_line) {}

  // Fills `c` with at least one record, or returns false at the end of input.
  bool next(chunk& c) {
    c.data = std::move(carry_);
    carry_ = std::string();
    c.records.clear();
    c.first_line = next_line_;
    std::size_t scanned = 0;  // c.data[0, scanned) has been cut into records
    while (true) {
      // Cut complete lines out of what is buffered.
      std::size_t start = scanned;
      for (std::size_t nl = c.data.find('\n', start); nl != std::string::npos;
           nl = c.data.find('\n', start)) {
        emit(c, start, nl);
        start = nl + 1;
      }
      scanned = start;
      const std::size_t partial = c.data.size() - scanned;
      if (skipping_ || partial > max_line_ + 1) {
        // An oversize line: drop its bytes now, report it when its end is found.
        skipping_ = true;
        c.data.resize(scanned);
      }
      if (!c.records.empty() && !eof_) break;
      if (eof_) {
        if (skipping_) {
          c.records.push_back({0, 0, true});
          ++next_line_;
          skipping_ = false;
        } else if (c.data.size() > scanned) {
          emit(c, scanned, c.data.size());  // a last line without "\n"
        }
        return !c.records.empty();
      }
      fill(c.data);
    }
    carry_ = c.data.substr(scanned);  // the partial line goes into the next chunk
    c.data.resize(scanned);
    return true;
  }

 private:
  void emit(chunk& c, std::size_t begin, std::size_t newline) {
    if (skipping_) {  // the end of an oversize line
      skipping_ = false;
      c.records.push_back({0, 0, true});
    } else {
      std::size_t end = newline;
      if (end > begin && c.data[end - 1] == '\r') --end;
      c.records.push_back({begin, end - begin, false});
    }
    ++next_line_;
  }

  void fill(std::string& data) {
    const std::size_t old = data.size();
    data.resize(old + chunk_bytes_);
    ssize_t n = 0;
    do {
      n = ::read(fd_, data.data() + old, chunk_bytes_);
    } while (n < 0 && errno == EINTR);
    if (n < 0) throw std::system_error(errno, std::generic_category(), "verify_stream: read");
    data.resize(old + static_cast<std::size_t>(n));
    eof_ = n == 0;
  }

  int fd_;
  std::size_t chunk_bytes_;
  std::size_t max_line_;
  std::string carry_;
  std::uint64_t next_line_ = 1;
  bool skipping_ = false;
  bool eof_ = false;
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
                     p.limits.max_token_bytes);
  pipeline_stats stats;
  std::array<char, 32> zeros{};
  zeros.fill('0');

  engine.run_in_arena([&] {
    tbb::parallel_pipeline(
        in_flight,
        tbb::make_filter<void, chunk*>(tbb::filter_mode::serial_in_order,
                                       [&](tbb::flow_control& fc) -> chunk* {
                                         auto c = std::make_unique<chunk>();
                                         if (!reader.next(*c)) {
                                           fc.stop();
                                           return nullptr;
                                         }
                                         return c.release();
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
              const std::unique_ptr<chunk> owned(c);
              for (std::size_t i = 0; i < c->records.size(); ++i) {
                const record& rec = c->records[i];
                ++stats.records;
                if (c->results[i].code == status::ok) ++stats.ok;
                sink(c->first_line + i,
                     rec.too_large ? std::string_view()
                                   : std::string_view(c->data).substr(rec.offset, rec.len),
                     c->results[i]);
              }
            }));
  });
  return stats;
}

}  // namespace jwtbatch
