#include "field.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <system_error>
#include <vector>

#include <simdjson.h>

#include "input.hpp"

namespace jwtbatch::cli {

field_extractor::field_extractor(int source, std::string name, int stop_fd)
    : source_(source), name_(std::move(name)), stop_fd_(stop_fd) {
  std::array<int, 2> fds{};
  if (::pipe2(fds.data(), O_CLOEXEC) != 0) {
    throw std::system_error(errno, std::generic_category(), "--field: pipe");
  }
  read_fd_ = fds[0];
  write_fd_ = fds[1];
  worker_ = std::thread([this] { run(); });
}

field_extractor::~field_extractor() {
  if (read_fd_ >= 0) ::close(read_fd_);  // a worker still writing gets EPIPE and stops
  if (worker_.joinable()) worker_.join();
}

std::uint64_t field_extractor::finish() {
  // The consumer has read to the end (or stopped early): a worker still writing gets
  // EPIPE and stops instead of waiting for a reader that is gone.
  ::close(read_fd_);
  read_fd_ = -1;
  if (worker_.joinable()) worker_.join();
  return missing_.load();
}

void field_extractor::run() noexcept {
  simdjson::ondemand::parser parser;
  std::string pending;  // input not yet cut into lines
  std::string json;     // one line, padded for simdjson
  std::string out;
  std::vector<char> block(std::size_t{1} << 16);
  bool eof = false;
  bool reader_gone = false;
  while (!eof && !reader_gone) {
    const ssize_t n = read_or_stop(source_, block.data(), block.size(), stop_fd_);
    if (n == k_stopped) break;  // what is pending is not a whole line
    eof = n <= 0;
    if (n > 0) pending.append(block.data(), static_cast<std::size_t>(n));
    std::size_t start = 0;
    while (true) {
      std::size_t nl = pending.find('\n', start);
      if (nl == std::string::npos) {
        if (!eof || start == pending.size()) break;
        nl = pending.size();  // a last line without "\n"
      }
      json.assign(pending, start, nl - start);
      const std::size_t len = json.size();
      json.append(simdjson::SIMDJSON_PADDING, '\0');
      std::string_view value;
      simdjson::ondemand::document doc;
      simdjson::ondemand::object obj;
      const bool found =
          parser.iterate(json.data(), len, json.size()).get(doc) == simdjson::SUCCESS &&
          doc.get_object().get(obj) == simdjson::SUCCESS &&
          obj.find_field_unordered(name_).get_string().get(value) == simdjson::SUCCESS;
      if (found) {
        // A decoded "\n" would split the record in two: one line in, one line out.
        const std::size_t at = out.size();
        out.append(value);
        for (std::size_t i = at; i < out.size(); ++i) {
          if (out[i] == '\n' || out[i] == '\r') out[i] = ' ';
        }
      } else {
        missing_.fetch_add(1, std::memory_order_relaxed);
      }
      out += '\n';
      start = nl + 1;
      if (start > pending.size()) break;
    }
    pending.erase(0, std::min(start, pending.size()));
    if (!write_full(write_fd_, out.data(), out.size())) reader_gone = true;
    out.clear();
  }
  ::close(write_fd_);
}

}  // namespace jwtbatch::cli
