#include "input.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <system_error>
#include <vector>

#include "io.hpp"
#include "jwtbatch/key_set.hpp"

namespace jwtbatch::cli {
namespace {

constexpr std::size_t k_block = std::size_t{1} << 16;

// The signals stop_signals handles, and what the handler needs (async-signal-safe:
// a lock-free atomic and write(2)).
constexpr std::array<int, 3> k_stop_signals{SIGINT, SIGTERM, SIGHUP};
std::atomic<int> g_caught{0};
std::atomic<int> g_stop_write{-1};
std::array<struct sigaction, k_stop_signals.size()> g_previous{};
static_assert(std::atomic<int>::is_always_lock_free);

extern "C" void on_stop_signal(int sig) {
  const int saved_errno = errno;
  int none = 0;
  if (!g_caught.compare_exchange_strong(none, sig)) {
    // A second signal while stopping: the user insists, end now as the default does.
    (void)::signal(sig, SIG_DFL);  // a handler has no one to report a failure to
    (void)::raise(sig);
  } else {
    const char byte = 1;
    const int fd = g_stop_write.load();
    if (fd >= 0) {
      const ssize_t w = ::write(fd, &byte, 1);  // the pipe is empty: it cannot block
      (void)w;
    }
  }
  errno = saved_errno;
}

// hangup_reloader's pipe (its writing end), for the handler.
std::atomic<int> g_hangup_write{-1};

extern "C" void on_hangup_signal(int /*sig*/) {
  const int saved_errno = errno;
  const char byte = 1;
  const int fd = g_hangup_write.load();
  if (fd >= 0) {
    // Non-blocking: when the pipe is full, reloads are already waiting.
    const ssize_t w = ::write(fd, &byte, 1);
    (void)w;
  }
  errno = saved_errno;
}

bool is_gzip(std::string_view head) {
  return head.size() >= 2 && head[0] == '\x1f' && head[1] == '\x8b';
}
bool is_zstd(std::string_view head) {
  return head.size() >= 4 && head.substr(0, 4) == std::string_view("\x28\xb5\x2f\xfd", 4);
}

}  // namespace

stop_signals::stop_signals(bool hangup_stops) : hangup_stops_(hangup_stops) {
  std::array<int, 2> fds{};
  if (::pipe2(fds.data(), O_CLOEXEC | O_NONBLOCK) != 0) {
    throw std::system_error(errno, std::generic_category(), "signal pipe");
  }
  read_fd_ = fds[0];
  write_fd_ = fds[1];
  g_caught = 0;
  g_stop_write = write_fd_;
}

void stop_signals::arm() {
  if (armed_) return;
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sa.sa_flags = SA_RESTART;
  sigemptyset(&sa.sa_mask);
  for (std::size_t i = 0; i < k_stop_signals.size(); ++i) {
    if (k_stop_signals[i] == SIGHUP && !hangup_stops_) continue;
    ::sigaction(k_stop_signals[i], &sa, &g_previous[i]);
  }
  armed_ = true;
}

stop_signals::~stop_signals() {
  if (armed_) {
    for (std::size_t i = 0; i < k_stop_signals.size(); ++i) {
      if (k_stop_signals[i] == SIGHUP && !hangup_stops_) continue;
      ::sigaction(k_stop_signals[i], &g_previous[i], nullptr);
    }
  }
  g_stop_write = -1;
  ::close(write_fd_);
  ::close(read_fd_);
}

hangup_reloader::hangup_reloader(std::function<void()> reload) {
  std::array<int, 2> fds{};
  if (::pipe2(fds.data(), O_CLOEXEC | O_NONBLOCK) != 0) {
    throw std::system_error(errno, std::generic_category(), "SIGHUP pipe");
  }
  read_fd_ = fds[0];
  write_fd_ = fds[1];
  thread_ = std::thread([fd = read_fd_, reload = std::move(reload)] {
    for (;;) {
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, -1) < 0) {
        if (errno == EINTR) continue;
        return;
      }
      char bytes[64];
      const ssize_t n = ::read(fd, bytes, sizeof bytes);
      if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      if (n <= 0) return;
      // A 0 byte is the destructor's: stop. Several SIGHUPs waiting make one reload.
      if (std::memchr(bytes, 0, static_cast<std::size_t>(n)) != nullptr) return;
      try {
        reload();
      } catch (...) {
        // A reload says how it went itself; one that throws must not end the program.
      }
    }
  });
  g_hangup_write = write_fd_;
  struct sigaction sa {};
  sa.sa_handler = on_hangup_signal;
  sa.sa_flags = SA_RESTART;
  sigemptyset(&sa.sa_mask);
  ::sigaction(SIGHUP, &sa, &previous_);
}

hangup_reloader::~hangup_reloader() {
  ::sigaction(SIGHUP, &previous_, nullptr);
  g_hangup_write = -1;
  const char stop = 0;
  // The pipe may be full of SIGHUP bytes: then wait until the thread drains it.
  while (::write(write_fd_, &stop, 1) < 0 && (errno == EAGAIN || errno == EINTR)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  thread_.join();
  ::close(write_fd_);
  ::close(read_fd_);
}

int stop_signals::caught() noexcept {
  return g_caught.load();
}
int stop_signals::exit_code() noexcept {
  return caught() == 0 ? 0 : 128 + caught();
}
const char* stop_signals::name() noexcept {
  switch (caught()) {
    case SIGINT:
      return "SIGINT";
    case SIGTERM:
      return "SIGTERM";
    case SIGHUP:
      return "SIGHUP";
    default:
      return "";
  }
}

// The decompressor of a compressed input: the raw bytes read and not yet decoded, and
// the library's stream state.
struct input_source::decoder {
  std::vector<char> in = std::vector<char>(k_block);
  std::size_t in_pos = 0;
  std::size_t in_len = 0;
  bool raw_ended = false;       // the file has no more raw bytes
  bool frame_ended = true;      // the last gzip member / zstd frame ended cleanly
  bool output_pending = false;  // the last call filled its output: more may be ready
  z_stream z{};
  bool z_ready = false;
  ZSTD_DStream* zstd = nullptr;

  decoder() = default;
  decoder(const decoder&) = delete;
  decoder& operator=(const decoder&) = delete;
  ~decoder() {
    if (z_ready) inflateEnd(&z);
    ZSTD_freeDStream(zstd);
  }
};

input_source::input_source() = default;

std::unique_ptr<input_source> input_source::open(const std::string& path, int stop_fd) {
  std::unique_ptr<input_source> in(new input_source());
  in->name_ = path == "-" ? "(stdin)" : path;
  in->fd_ = path == "-" ? STDIN_FILENO : ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (in->fd_ < 0) {
    throw config_error(path + ": cannot open: " + std::generic_category().message(errno));
  }
  in->raw_ = fd_source(in->fd_, stop_fd);
  struct stat st {};
  if (::fstat(in->fd_, &st) == 0) {
    if (S_ISDIR(st.st_mode)) throw config_error(path + ": is a directory");
    if (S_ISREG(st.st_mode)) {
      in->size_ = static_cast<std::uint64_t>(st.st_size);
      in->file_id_ = std::pair{st.st_dev, st.st_ino};
      in->modified_ =
          static_cast<double>(st.st_mtim.tv_sec) + static_cast<double>(st.st_mtim.tv_nsec) / 1e9;
    }
  }
  // The magic bytes decide; they are handed on first (nothing is read twice, so a
  // pipe works as well as a file).
  std::array<char, 4> head{};
  const ssize_t n = io::read_full(in->fd_, head.data(), head.size());
  if (n < 0) throw config_error(path + ": cannot read: " + std::generic_category().message(errno));
  in->prefix_.assign(head.data(), static_cast<std::size_t>(n));
  in->consumed_ = in->prefix_.size();
  if (is_gzip(in->prefix_)) {
    in->compression_ = "gzip";
    in->decoder_ = std::make_unique<decoder>();
    if (inflateInit2(&in->decoder_->z, 15 + 16) != Z_OK) {
      throw config_error(path + ": cannot start gzip decompression");
    }
    in->decoder_->z_ready = true;
  } else if (is_zstd(in->prefix_)) {
    in->compression_ = "zstd";
    in->decoder_ = std::make_unique<decoder>();
    in->decoder_->zstd = ZSTD_createDStream();
    if (in->decoder_->zstd == nullptr) {
      throw config_error(path + ": cannot start zstd decompression");
    }
  }
  return in;
}

input_source::~input_source() {
  if (fd_ > STDIN_FILENO) ::close(fd_);
}

std::ptrdiff_t input_source::read_raw(char* buf, std::size_t n) {
  if (!prefix_.empty()) {
    const std::size_t k = std::min(n, prefix_.size());
    std::memcpy(buf, prefix_.data(), k);
    prefix_.erase(0, k);
    return static_cast<std::ptrdiff_t>(k);
  }
  // The descriptor's own reading, stop included (fd_source); a read error ends the
  // input and is reported by finish().
  std::ptrdiff_t r = 0;
  try {
    r = raw_.read(buf, n);
  } catch (const std::system_error& e) {
    problem_ = "read error: " + e.code().message();
    return 0;
  }
  if (r > 0) consumed_.fetch_add(static_cast<std::uint64_t>(r), std::memory_order_relaxed);
  return r;
}

std::ptrdiff_t input_source::read(char* buf, std::size_t n) {
  if (ended_) return 0;
  if (!decoder_) {
    const std::ptrdiff_t r = read_raw(buf, n);
    ended_ = r <= 0;
    return r;
  }
  decoder& d = *decoder_;
  while (true) {
    if (d.in_pos == d.in_len && !d.raw_ended) {
      const std::ptrdiff_t r = read_raw(d.in.data(), d.in.size());
      if (r == stopped) {
        ended_ = true;
        return stopped;
      }
      d.in_pos = 0;
      d.in_len = static_cast<std::size_t>(std::max<std::ptrdiff_t>(r, 0));
      d.raw_ended = r <= 0;
    }
    if (d.in_pos == d.in_len && !d.output_pending) {  // every raw byte is decoded
      if (problem_.empty() && !d.frame_ended) problem_ = "truncated " + compression_ + " stream";
      ended_ = true;
      return 0;
    }
    std::size_t produced = 0;
    if (d.z_ready) {
      if (d.frame_ended && d.in_pos < d.in_len) {  // a member follows (concatenated files)
        inflateReset(&d.z);
      }
      d.z.next_in = reinterpret_cast<Bytef*>(d.in.data() + d.in_pos);
      d.z.avail_in = static_cast<uInt>(d.in_len - d.in_pos);
      d.z.next_out = reinterpret_cast<Bytef*>(buf);
      d.z.avail_out = static_cast<uInt>(std::min<std::size_t>(n, k_block));
      const uInt out_room = d.z.avail_out;
      const int rc = inflate(&d.z, Z_NO_FLUSH);
      d.in_pos = d.in_len - d.z.avail_in;
      produced = out_room - d.z.avail_out;
      if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) {
        problem_ = std::string("corrupt gzip stream: ") + (d.z.msg != nullptr ? d.z.msg : "error");
        ended_ = true;
        return static_cast<std::ptrdiff_t>(produced);
      }
      d.frame_ended = rc == Z_STREAM_END;
      d.output_pending = d.z.avail_out == 0;
    } else {
      ZSTD_inBuffer src{d.in.data(), d.in_len, d.in_pos};
      ZSTD_outBuffer dst{buf, n, 0};
      const std::size_t rc = ZSTD_decompressStream(d.zstd, &dst, &src);
      d.in_pos = src.pos;
      produced = dst.pos;
      if (ZSTD_isError(rc) != 0) {
        problem_ = std::string("corrupt zstd stream: ") + ZSTD_getErrorName(rc);
        ended_ = true;
        return static_cast<std::ptrdiff_t>(produced);
      }
      d.frame_ended = rc == 0;
      d.output_pending = dst.pos == dst.size;
    }
    if (produced > 0) return static_cast<std::ptrdiff_t>(produced);
    if (d.in_pos == d.in_len && d.raw_ended) d.output_pending = false;
  }
}

bool input_source::would_wait() const {
  if (ended_ || !prefix_.empty()) return false;
  if (decoder_ && (decoder_->in_pos < decoder_->in_len || decoder_->output_pending)) return false;
  return raw_.would_wait();
}

std::vector<std::unique_ptr<input_source>> open_inputs(const std::vector<std::string>& paths,
                                                       int stop_fd) {
  std::vector<std::unique_ptr<input_source>> inputs;
  inputs.reserve(paths.size());
  for (const std::string& path : paths) inputs.push_back(input_source::open(path, stop_fd));
  if (inputs.empty()) inputs.push_back(input_source::open("-", stop_fd));
  return inputs;
}

bool finish_input(input_source& in, std::FILE* err) {
  const std::string problem = in.finish();
  if (!problem.empty()) {
    (void)std::fprintf(err, "jwtbatch: %s: %s\n", in.name().c_str(),
                       problem.c_str());  // best effort
  }
  return !problem.empty();
}

}  // namespace jwtbatch::cli
