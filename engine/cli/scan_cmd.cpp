#include "scan_cmd.hpp"

#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <deque>
#include <memory>
#include <system_error>

#include <fmt/core.h>

#include "input.hpp"
#include "jwtbatch/key_set.hpp"
#include "progress.hpp"
#include "record.hpp"
#include "scan.hpp"

namespace jwtbatch::cli {
namespace {

// Tokens verified together: enough to keep every core busy, few enough to bound memory.
constexpr std::size_t k_batch_tokens = 4096;
// Longer lines are cut: the rest of the line is skipped (and counted).
constexpr std::size_t k_max_line = std::size_t{16} << 20;

// Reads lines from a descriptor; a line's view is valid until the next call.
class line_source {
 public:
  explicit line_source(int fd) : fd_(fd) {}
  // next: the next line without its terminator ("\r\n" or "\n"), or false at the end.
  bool next(std::string_view& line, bool& cut) {
    if (after_cut_) {  // the bytes read past a cut line's end come next
      buf_ = std::move(rest_);
      rest_.clear();
      after_cut_ = false;
    } else {
      buf_.erase(0, pos_);
    }
    pos_ = 0;
    cut = false;
    std::size_t scanned = 0;
    while (true) {
      const std::size_t nl = buf_.find('\n', scanned);
      if (nl != std::string::npos) {
        line = std::string_view(buf_).substr(0, nl);
        pos_ = nl + 1;
        break;
      }
      scanned = buf_.size();
      if (buf_.size() > k_max_line) {  // keep the head of the line, drop the rest
        cut = true;
        buf_.resize(k_max_line);
        skip_to_newline();
        line = buf_;
        pos_ = buf_.size();
        break;
      }
      if (!fill()) {
        if (buf_.empty()) return false;
        line = buf_;
        pos_ = buf_.size();
        break;
      }
    }
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    return true;
  }

 private:
  bool fill() {
    const std::size_t old = buf_.size();
    buf_.resize(old + (std::size_t{1} << 16));
    ssize_t n = 0;
    do {
      n = ::read(fd_, buf_.data() + old, std::size_t{1} << 16);
    } while (n < 0 && errno == EINTR);
    if (n < 0) throw std::system_error(errno, std::generic_category(), "scan: read");
    buf_.resize(old + static_cast<std::size_t>(n));
    return n > 0;
  }
  // Reads and drops the rest of a cut line; what follows its newline is kept in rest_.
  void skip_to_newline() {
    after_cut_ = true;
    std::string scratch(std::size_t{1} << 16, '\0');
    while (true) {
      ssize_t n = 0;
      do {
        n = ::read(fd_, scratch.data(), scratch.size());
      } while (n < 0 && errno == EINTR);
      if (n <= 0) return;
      const auto* nl =
          static_cast<const char*>(std::memchr(scratch.data(), '\n', static_cast<std::size_t>(n)));
      if (nl != nullptr) {
        rest_.assign(nl + 1, static_cast<std::size_t>(scratch.data() + n - (nl + 1)));
        return;
      }
    }
  }

  int fd_;
  std::string buf_;
  std::size_t pos_ = 0;
  std::string rest_;  // bytes read past a cut line's end
  bool after_cut_ = false;
};

struct found_record {
  std::uint64_t line;
  std::size_t offset;
  std::string_view file;
};

}  // namespace

CLI::App* add_scan_command(CLI::App& app, scan_options& o) {
  CLI::App* cmd = app.add_subcommand(
      "scan",
      "Find and verify the tokens inside arbitrary log lines (Authorization: Bearer, "
      "access_token=, cookies, JSON values, bare eyJ... tokens): one NDJSON record per token, "
      "in input order, with its line and byte offset; summary on stderr.");
  cmd->add_option("files", o.inputs, "Log files; none or - reads standard input");
  add_engine_flags(cmd, o.engine);
  cmd->add_flag("--at-log-time", o.at_log_time,
                "Judge each token at its line's own timestamp (RFC 3339 / ISO 8601, Common Log "
                "Format, syslog, or epoch seconds in --time-field)");
  cmd->add_option("--time-field", o.time_field, "JSON member holding each line's time");
  cmd->add_option("--syslog-year", o.syslog_year, "Year of syslog timestamps (default: this year)");
  add_output_flags(cmd, o.output);
  return cmd;
}

int run_scan(const scan_options& o, std::FILE* out, std::FILE* err) {
  const engine_setup setup = make_engine(o.engine, err);
  const auto inputs = open_inputs(o.inputs);

  const policy& rules = setup.engine->rules().rules();
  const double default_time =
      rules.fixed_time
          ? *rules.fixed_time
          : std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch())
                .count();
  log_time_options times;
  times.time_field = o.time_field;
  times.syslog_year =
      o.syslog_year != 0
          ? o.syslog_year
          : static_cast<int>(std::chrono::year_month_day(std::chrono::floor<std::chrono::days>(
                                                             std::chrono::system_clock::now()))
                                 .year());

  // One batch: the lines that hold tokens (kept whole, so token views stay valid),
  // the tokens, their evaluation times and where they were found.
  std::deque<std::string> kept_lines;
  std::vector<std::string_view> tokens;
  std::vector<double> token_times;
  std::vector<found_record> where;
  std::vector<result> results;
  std::vector<found_token> found;

  record_writer records(o.output, out);
  std::uint64_t lines = 0, lines_without_token = 0, lines_without_time = 0, lines_cut = 0;
  progress_meter meter(err, o.output.progress);
  const auto started = std::chrono::steady_clock::now();

  const auto flush = [&] {
    results.resize(tokens.size());
    setup.engine->verify_batch_at(tokens, token_times, results);
    for (std::size_t i = 0; i < tokens.size(); ++i) {
      records.add(where[i].line, where[i].file, where[i].offset, tokens[i], results[i]);
    }
    kept_lines.clear();
    tokens.clear();
    token_times.clear();
    where.clear();
  };

  bool input_problem = false;
  const bool name_files = inputs.size() > 1;
  for (const auto& in : inputs) {
    const std::string_view file = name_files ? std::string_view(in->name()) : std::string_view();
    line_source source(in->fd());
    std::string_view line;
    bool cut = false;
    std::uint64_t number = 0;
    while (source.next(line, cut)) {
      ++number;
      ++lines;
      if (cut) ++lines_cut;
      found.clear();
      find_tokens(line, found);
      if (found.empty()) {
        ++lines_without_token;
      } else {
        double at = default_time;
        if (o.at_log_time) {
          if (const auto t = log_time(line, times)) {
            at = *t;
          } else {
            ++lines_without_time;
          }
        }
        const std::string& copy = kept_lines.emplace_back(line);
        for (const found_token& f : found) {
          tokens.push_back(std::string_view(copy).substr(f.offset, f.token.size()));
          token_times.push_back(at);
          where.push_back({number, f.offset, file});
        }
        if (tokens.size() >= k_batch_tokens) flush();
      }
      if (meter.due()) meter.show(lines, in->consumed(), in->size());
    }
    flush();
    if (finish_input(*in, err)) input_problem = true;  // fails the run
  }
  records.finish();
  meter.finish();

  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  fmt::print(err, "jwtbatch scan: {} lines, {} without a token", lines, lines_without_token);
  if (o.at_log_time) fmt::print(err, ", {} with a token but no timestamp", lines_without_time);
  if (lines_cut > 0) fmt::print(err, ", {} cut at 16 MiB", lines_cut);
  fmt::print(err, "\n");
  print_summary(err, "tokens", records.counts(), seconds, setup);
  const tally& counts = records.counts();
  return counts.records > 0 && counts.ok == counts.records && !input_problem ? 0 : 1;
}

}  // namespace jwtbatch::cli
