#include "input.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <system_error>
#include <vector>

#include "jwtbatch/key_set.hpp"

namespace jwtbatch::cli {
namespace {

constexpr std::size_t k_block = std::size_t{1} << 16;

// Reads up to n bytes (fewer only at the end of input); -1 on error.
ssize_t read_full(int fd, char* buf, std::size_t n) {
  std::size_t got = 0;
  while (got < n) {
    const ssize_t r = ::read(fd, buf + got, n - got);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return -1;
    if (r == 0) break;
    got += static_cast<std::size_t>(r);
  }
  return static_cast<ssize_t>(got);
}

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
    ::signal(sig, SIG_DFL);
    ::raise(sig);
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

bool is_gzip(std::string_view head) {
  return head.size() >= 2 && head[0] == '\x1f' && head[1] == '\x8b';
}
bool is_zstd(std::string_view head) {
  return head.size() >= 4 && head.substr(0, 4) == std::string_view("\x28\xb5\x2f\xfd", 4);
}

}  // namespace

bool write_full(int fd, const char* data, std::size_t n) noexcept {
  while (n > 0) {
    const ssize_t w = ::write(fd, data, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    data += w;
    n -= static_cast<std::size_t>(w);
  }
  return true;
}

stop_signals::stop_signals() {
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
    ::sigaction(k_stop_signals[i], &sa, &g_previous[i]);
  }
  armed_ = true;
}

stop_signals::~stop_signals() {
  if (armed_) {
    for (std::size_t i = 0; i < k_stop_signals.size(); ++i) {
      ::sigaction(k_stop_signals[i], &g_previous[i], nullptr);
    }
  }
  g_stop_write = -1;
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

std::unique_ptr<input_source> input_source::open(const std::string& path, int stop_fd) {
  std::unique_ptr<input_source> in(new input_source());
  in->stop_fd_ = stop_fd;
  in->name_ = path == "-" ? "(stdin)" : path;
  in->source_fd_ = path == "-" ? STDIN_FILENO : ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (in->source_fd_ < 0) {
    throw config_error(path + ": cannot open: " + std::generic_category().message(errno));
  }
  struct stat st {};
  const bool regular = ::fstat(in->source_fd_, &st) == 0 && S_ISREG(st.st_mode);
  if (regular) {
    in->size_ = static_cast<std::uint64_t>(st.st_size);
    in->file_id_ = std::pair{st.st_dev, st.st_ino};
  }
  if (::fstat(in->source_fd_, &st) == 0 && S_ISDIR(st.st_mode)) {
    if (in->source_fd_ != STDIN_FILENO) ::close(in->source_fd_);
    in->source_fd_ = -1;
    throw config_error(path + ": is a directory");
  }

  // The magic bytes decide. A regular plain file is read directly; anything else goes
  // through a pipe fed by a thread (which also carries the bytes already read).
  std::array<char, 4> head{};
  const ssize_t n = read_full(in->source_fd_, head.data(), head.size());
  if (n < 0) throw config_error(path + ": cannot read: " + std::generic_category().message(errno));
  const std::string prefix(head.data(), static_cast<std::size_t>(n));
  if (is_gzip(prefix)) in->compression_ = "gzip";
  if (is_zstd(prefix)) in->compression_ = "zstd";
  if (regular && in->compression_.empty() && ::lseek(in->source_fd_, 0, SEEK_SET) == 0) {
    in->read_fd_ = in->source_fd_;
    return in;
  }
  std::array<int, 2> fds{};
  if (::pipe2(fds.data(), O_CLOEXEC) != 0) {
    throw config_error(path + ": cannot create a pipe: " + std::generic_category().message(errno));
  }
  in->read_fd_ = fds[0];
  in->write_fd_ = fds[1];
  in->consumed_ = prefix.size();
  in->feeder_ = std::thread([raw = in.get(), prefix] { raw->feed(prefix); });
  return in;
}

input_source::~input_source() {
  // Closing the read end first makes a thread still writing fail with EPIPE and stop
  // (SIGPIPE is ignored by the program).
  if (read_fd_ >= 0 && read_fd_ != source_fd_) ::close(read_fd_);
  if (feeder_.joinable()) feeder_.join();
  if (source_fd_ > STDIN_FILENO) ::close(source_fd_);
}

std::uint64_t input_source::consumed() const noexcept {
  if (read_fd_ == source_fd_ && source_fd_ >= 0) {
    const off_t at = ::lseek(source_fd_, 0, SEEK_CUR);
    return at < 0 ? 0 : static_cast<std::uint64_t>(at);
  }
  return consumed_.load(std::memory_order_relaxed);
}

std::string input_source::finish() {
  // A feeder still writing (the consumer stopped early) gets EPIPE and ends.
  if (read_fd_ >= 0 && read_fd_ != source_fd_) {
    ::close(read_fd_);
    read_fd_ = -1;
  }
  if (feeder_.joinable()) feeder_.join();
  return problem_;
}

// The feeding thread: copies or decompresses the source into the pipe, then closes
// the pipe's write end (the consumer sees the end of input). Records what went wrong.
void input_source::feed(std::string prefix) noexcept {
  std::vector<char> in(k_block);
  std::vector<char> out(k_block);
  bool reader_gone = false;
  bool stopped = false;  // a signal asked the run to stop: no problem to report
  const auto emit = [&](const char* data, std::size_t len) {
    if (!reader_gone && !write_full(write_fd_, data, len)) reader_gone = true;
    return !reader_gone;
  };
  // Next input bytes: the prefix first, then the source.
  const auto next = [&](std::size_t* len) -> bool {
    if (!prefix.empty()) {
      std::memcpy(in.data(), prefix.data(), prefix.size());
      *len = prefix.size();
      prefix.clear();
      return true;
    }
    const ssize_t r = read_or_stop(source_fd_, in.data(), in.size(), stop_fd_);
    if (r == k_stopped) {
      stopped = true;
      return false;
    }
    if (r < 0) {
      problem_ = "read error: " + std::string(std::generic_category().message(errno));
      return false;
    }
    *len = static_cast<std::size_t>(r);
    consumed_.fetch_add(*len, std::memory_order_relaxed);
    return *len > 0;
  };

  std::size_t len = 0;
  if (compression_ == "gzip") {
    z_stream z{};
    if (inflateInit2(&z, 15 + 16) != Z_OK) {
      problem_ = "cannot start gzip decompression";
    } else {
      int rc = Z_OK;
      bool ended = false;  // the last member ended cleanly
      while (!reader_gone && next(&len)) {
        z.next_in = reinterpret_cast<Bytef*>(in.data());
        z.avail_in = static_cast<uInt>(len);
        while (z.avail_in > 0 && !reader_gone) {
          if (ended) {  // another gzip member follows (concatenated files)
            inflateReset(&z);
            ended = false;
          }
          z.next_out = reinterpret_cast<Bytef*>(out.data());
          z.avail_out = static_cast<uInt>(out.size());
          rc = inflate(&z, Z_NO_FLUSH);
          if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) break;
          emit(out.data(), out.size() - z.avail_out);
          if (rc == Z_STREAM_END) ended = true;
        }
        if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) {
          problem_ = std::string("corrupt gzip stream: ") + (z.msg != nullptr ? z.msg : "error");
          break;
        }
      }
      if (problem_.empty() && !ended && !reader_gone && !stopped)
        problem_ = "truncated gzip stream";
      inflateEnd(&z);
    }
  } else if (compression_ == "zstd") {
    ZSTD_DStream* z = ZSTD_createDStream();
    std::size_t last = 0;  // 0 when the last frame ended
    while (z != nullptr && !reader_gone && next(&len)) {
      ZSTD_inBuffer src{in.data(), len, 0};
      while (src.pos < src.size && !reader_gone) {
        ZSTD_outBuffer dst{out.data(), out.size(), 0};
        last = ZSTD_decompressStream(z, &dst, &src);
        if (ZSTD_isError(last) != 0) break;
        emit(out.data(), dst.pos);
      }
      if (ZSTD_isError(last) != 0) {
        problem_ = std::string("corrupt zstd stream: ") + ZSTD_getErrorName(last);
        break;
      }
    }
    if (z == nullptr) problem_ = "cannot start zstd decompression";
    if (problem_.empty() && last != 0 && !reader_gone && !stopped)
      problem_ = "truncated zstd stream";
    ZSTD_freeDStream(z);
  } else {
    while (!reader_gone && next(&len)) emit(in.data(), len);
  }
  ::close(write_fd_);
}

std::vector<std::unique_ptr<input_source>> open_inputs(const std::vector<std::string>& paths,
                                                       int stop_fd) {
  std::vector<std::unique_ptr<input_source>> inputs;
  for (const std::string& path : paths) inputs.push_back(input_source::open(path, stop_fd));
  if (inputs.empty()) inputs.push_back(input_source::open("-", stop_fd));
  return inputs;
}

bool finish_input(input_source& in, std::FILE* err) {
  const std::string problem = in.finish();
  if (!problem.empty()) std::fprintf(err, "jwtbatch: %s: %s\n", in.name().c_str(), problem.c_str());
  return !problem.empty();
}

}  // namespace jwtbatch::cli
