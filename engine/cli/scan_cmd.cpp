#include "scan_cmd.hpp"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <deque>
#include <memory>
#include <span>
#include <system_error>

#include <fmt/core.h>

#include "flags.hpp"
#include "input.hpp"
#include "jwtbatch/key_set.hpp"
#include "log_time.hpp"
#include "progress.hpp"
#include "record.hpp"
#include "rsyslog.hpp"
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
  // `stop_fd` (stop_signals::fd(), or -1): once readable, next() returns false without
  // reading more; a line not yet ended by its "\n" is dropped (it is not whole).
  explicit line_source(int fd, int stop_fd = -1) : fd_(fd), stop_fd_(stop_fd) {}
  [[nodiscard]] bool stopped() const noexcept { return stopped_; }
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
        if (buf_.empty() || stopped_) return false;
        line = buf_;
        pos_ = buf_.size();
        break;
      }
    }
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    return true;
  }

  // would_wait: whether next() would have to wait for the writer: no whole line is
  // buffered and the descriptor has nothing to read right now (a pipe or terminal
  // whose writer is slow; never a regular file). Callers answer what they have before
  // waiting, so a live stream's results are never held back by a half-full batch.
  [[nodiscard]] bool would_wait() const {
    const bool buffered = after_cut_ ? rest_.find('\n') != std::string::npos
                                     : buf_.find('\n', pos_) != std::string::npos;
    if (buffered) return false;
    pollfd p{fd_, POLLIN, 0};
    return ::poll(&p, 1, 0) == 0;
  }

 private:
  bool fill() {
    if (stopped_) return false;
    const std::size_t old = buf_.size();
    buf_.resize(old + (std::size_t{1} << 16));
    const ssize_t n = read_or_stop(fd_, buf_.data() + old, std::size_t{1} << 16, stop_fd_);
    if (n == k_stopped) {
      stopped_ = true;
      buf_.resize(old);
      return false;
    }
    if (n < 0) throw std::system_error(errno, std::generic_category(), "scan: read");
    buf_.resize(old + static_cast<std::size_t>(n));
    // The input may have ended because its writer stopped on the same request (the
    // decompressing thread): its last line is not whole then either.
    if (n == 0) stopped_ = stop_pending(stop_fd_);
    return n > 0;
  }
  // Reads and drops the rest of a cut line; what follows its newline is kept in rest_.
  void skip_to_newline() {
    after_cut_ = true;
    std::string scratch(std::size_t{1} << 16, '\0');
    while (true) {
      const ssize_t n = read_or_stop(fd_, scratch.data(), scratch.size(), stop_fd_);
      if (n == k_stopped) stopped_ = true;
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
  int stop_fd_;
  std::string buf_;
  std::size_t pos_ = 0;
  std::string rest_;  // bytes read past a cut line's end
  bool after_cut_ = false;
  bool stopped_ = false;
};

struct found_record {
  std::uint64_t line;
  std::size_t offset;
  std::string_view file;
};

// The tokens found so far, waiting to be verified together: each text that holds
// tokens is kept whole (the token views point into it), with one evaluation time per
// token. Reused batch after batch.
class token_batch {
 public:
  // add keeps `text` and queues its `found` tokens, each to be judged at `at`.
  void add(std::string_view text, const std::vector<found_token>& found, double at) {
    const std::string& copy = kept_.emplace_back(text);
    for (const found_token& f : found) {
      tokens_.push_back(std::string_view(copy).substr(f.offset, f.token.size()));
      times_.push_back(at);
    }
  }
  // verify judges every queued token; results()[i] is the i-th token's verdict.
  void verify(const batch_verifier& engine) {
    results_.resize(tokens_.size());
    if (!tokens_.empty()) engine.verify_batch_at(tokens_, times_, results_);
  }
  [[nodiscard]] std::span<const std::string_view> tokens() const { return tokens_; }
  [[nodiscard]] std::span<const result> results() const { return results_; }
  [[nodiscard]] std::size_t size() const { return tokens_.size(); }
  void clear() {
    kept_.clear();
    tokens_.clear();
    times_.clear();
  }

 private:
  std::deque<std::string> kept_;
  std::vector<std::string_view> tokens_;
  std::vector<double> times_;
  std::vector<result> results_;
};

// When tokens are judged: the evaluation time of lines without their own timestamp
// (--at, else now), and how to find a line's own (--at-log-time).
struct scan_clock {
  double default_time = 0;
  log_time_options times;
};

scan_clock make_clock(const scan_options& o, const policy& rules) {
  scan_clock c;
  c.default_time =
      rules.fixed_time
          ? *rules.fixed_time
          : std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch())
                .count();
  c.times.time_field = o.time_field;
  c.times.syslog_year =
      o.syslog_year != 0
          ? o.syslog_year
          : static_cast<int>(std::chrono::year_month_day(std::chrono::floor<std::chrono::days>(
                                                             std::chrono::system_clock::now()))
                                 .year());
  return c;
}

// Points descriptor 2 at `log_fd` while it lives; keep() makes that permanent. Used by
// the rsyslog plugin, whose stderr is read as replies.
class stderr_to_log {
 public:
  explicit stderr_to_log(int log_fd) {
    std::fflush(stderr);
    saved_ = ::fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
    if (saved_ < 0 || ::dup2(log_fd, STDERR_FILENO) < 0) {
      throw std::system_error(errno, std::generic_category(), "--rsyslog-log: redirecting stderr");
    }
  }
  ~stderr_to_log() {
    if (saved_ < 0) return;
    std::fflush(stderr);
    ::dup2(saved_, STDERR_FILENO);
    ::close(saved_);
  }
  stderr_to_log(const stderr_to_log&) = delete;
  stderr_to_log& operator=(const stderr_to_log&) = delete;
  void keep() {
    ::close(saved_);
    saved_ = -1;
  }

 private:
  int saved_ = -1;
};

// The rsyslog mmexternal plugin (scan_cmd.hpp). Messages are answered in batches of
// whatever has arrived: under load a batch spans many messages and every core; when
// rsyslog waits for each reply, a batch is that one message. Never blocks with a
// message unanswered, never reorders or drops one: one reply per input line, a cut
// line included.
int run_rsyslog(const scan_options& o, std::FILE* out) {
  // Replies are the only output: records to a file would leave rsyslog without one.
  if (!o.output.output.empty()) {
    throw config_error("--output: --rsyslog answers on stdout, one reply per message");
  }
  // Diagnostics never go to stderr (scan_cmd.hpp): to --rsyslog-log, or nowhere.
  const std::unique_ptr<std::FILE, int (*)(std::FILE*)> log(
      std::fopen(o.rsyslog_log.empty() ? "/dev/null" : o.rsyslog_log.c_str(), "a"), &std::fclose);
  if (!log) {
    throw config_error(fmt::format("--rsyslog-log {}: cannot open: {}", o.rsyslog_log,
                                   std::generic_category().message(errno)));
  }
  std::FILE* err = log.get();
  // Whatever a library prints on stderr (oneTBB's "TBB Warning: The number of workers is
  // currently limited...", written while the engine is built) goes to the log too,
  // never into the reply channel: descriptor 2 points at the log from here on. Only a
  // configuration error still reaches the real stderr (the guard puts it back for
  // main's message), as scan_cmd.hpp says.
  stderr_to_log guard(::fileno(err));
  const engine_setup setup = make_engine(o.engine, err);
  const scan_clock clock = make_clock(o, setup.engine->rules().rules());
  const bool fulljson = o.rsyslog_input == "fulljson";
  stop_signals stop;
  output_files files(o.output, {}, out);
  guard.keep();
  stop.arm();

  struct message {
    std::size_t first_token;
    std::size_t tokens;
    bool cut;
  };
  std::vector<message> messages;
  token_batch batch;
  std::vector<found_token> found;
  fulljson_reader reader;
  std::string replies;
  tally counts;
  std::uint64_t lines = 0, lines_without_token = 0, lines_not_json = 0, lines_cut = 0;
  const auto started = std::chrono::steady_clock::now();

  const auto answer = [&] {
    batch.verify(*setup.engine);
    for (const message& m : messages) {
      const auto verdicts = batch.results().subspan(m.first_token, m.tokens);
      for (const result& r : verdicts) counts.add(r);
      append_rsyslog_reply(replies, verdicts, m.cut);
    }
    write_all(out, replies);
    if (std::fflush(out) != 0) {
      throw std::system_error(errno, std::generic_category(), "writing the output");
    }
    messages.clear();
    batch.clear();
  };

  line_source source(STDIN_FILENO, stop.fd());
  std::string_view line;
  bool cut = false;
  while (source.next(line, cut)) {
    ++lines;
    if (cut) ++lines_cut;
    std::string_view text = line;  // where the tokens are
    std::string_view when = line;  // where the time is
    if (fulljson) {
      if (reader.read(line)) {
        text = reader.msg();
        when = reader.time();
      } else {
        ++lines_not_json;  // scanned as it is
      }
    }
    find_tokens(text, found);
    messages.push_back({batch.size(), found.size(), cut});
    if (found.empty()) {
      ++lines_without_token;
    } else {
      double at = clock.default_time;
      if (o.at_log_time) {
        if (const auto t = log_time(when, clock.times)) at = *t;
      }
      batch.add(text, found, at);
    }
    if (batch.size() >= k_batch_tokens || messages.size() >= k_batch_tokens ||
        source.would_wait()) {
      answer();
    }
  }
  answer();

  run_summary summary = run_summary::of("scan --rsyslog", counts, started, setup);
  summary.extra = {{"messages", lines},
                   {"messages_without_token", lines_without_token},
                   {"messages_not_fulljson", lines_not_json},
                   {"messages_cut", lines_cut}};
  // Every message read got its reply: only a signal changes the exit code here.
  summary.exit_code = stop_signals::exit_code();
  if (!o.output.quiet) {
    fmt::print(err, "jwtbatch scan --rsyslog: {} messages, {} without a token", lines,
               lines_without_token);
    if (fulljson) fmt::print(err, ", {} not fulljson (scanned as text)", lines_not_json);
    if (lines_cut > 0) fmt::print(err, ", {} cut at 16 MiB", lines_cut);
    fmt::print(err, "\n");
    print_summary(err, "tokens", summary);
  }
  std::fflush(err);
  files.finish(summary);
  return summary.exit_code;
}

}  // namespace

CLI::App* add_scan_command(CLI::App& app, scan_options& o) {
  CLI::App* cmd = app.add_subcommand(
      "scan",
      "Find and verify the tokens inside arbitrary log lines (Authorization: Bearer, "
      "access_token=, cookies, JSON values, bare eyJ... tokens): one NDJSON record per token, "
      "in input order, with its line and byte offset; summary on stderr.");
  cmd->add_option("files", o.inputs, "Log files; none or - reads standard input")
      ->type_name("FILE");
  add_engine_flags(cmd, o.engine);
  cmd->add_flag("--at-log-time", o.at_log_time,
                "Judge each token at its line's own timestamp (RFC 3339 / ISO 8601, Common Log "
                "Format, syslog, or epoch seconds in --time-field)");
  cmd->add_option("--time-field", o.time_field, "JSON member holding each line's time")
      ->type_name("NAME")
      ->check(non_empty());
  add_whole_flag(cmd, "--syslog-year", o.syslog_year, 1970, 9999,
                 "Year of syslog timestamps, which carry none", "", "this year");
  add_output_flags(cmd, o.output);
  cmd->add_flag("--rsyslog", o.rsyslog,
                "Run as an rsyslog mmexternal plugin: read messages on standard input, write "
                "one JSON reply per message setting $!jwt (status, class, alg, kid, iss, sub, "
                "exp, fp, label), flushed")
      ->excludes("files")
      ->excludes("--format")
      ->excludes("--emit-token")
      ->excludes("--progress");
  cmd->add_option("--rsyslog-input", o.rsyslog_input,
                  "What rsyslog writes (mmexternal interface.input): msg or fulljson")
      ->type_name("INPUT")
      ->check(CLI::IsMember({"msg", "fulljson"}))
      ->needs("--rsyslog")
      ->capture_default_str();
  cmd->add_option("--rsyslog-log", o.rsyslog_log,
                  "File the plugin appends its warnings and run summary to (rsyslog reads "
                  "stderr as replies, so nothing is written there)")
      ->type_name("FILE")
      ->check(non_empty())
      ->needs("--rsyslog");
  cmd->footer(k_verify_exit_codes);
  return cmd;
}

int run_scan(const scan_options& o, std::FILE* out, std::FILE* err) {
  if (o.rsyslog) return run_rsyslog(o, out);
  const engine_setup setup = make_engine(o.engine, err);
  stop_signals stop;  // its descriptor first: every reader of the run waits on it
  const auto inputs = open_inputs(o.inputs, stop.fd());
  output_files files(o.output, inputs, out);
  const scan_clock clock = make_clock(o, setup.engine->rules().rules());
  stop.arm();  // from here on, a signal ends the run with whole records and a summary

  // One batch: the lines that hold tokens (kept whole, so token views stay valid),
  // the tokens, their evaluation times and where they were found.
  token_batch batch;
  std::vector<found_record> where;  // where batch's tokens were found
  std::vector<found_token> found;

  record_writer records(o.output, files.records(), setup.engine->rules().rules().returned_claims);
  std::uint64_t lines = 0, lines_without_token = 0, lines_without_time = 0, lines_cut = 0;
  progress_meter meter(err, o.output.progress_mode());
  const auto started = std::chrono::steady_clock::now();

  const auto flush = [&] {
    batch.verify(*setup.engine);
    for (std::size_t i = 0; i < batch.size(); ++i) {
      records.add(where[i].line, where[i].file, where[i].offset, batch.tokens()[i],
                  batch.results()[i]);
    }
    batch.clear();
    where.clear();
  };

  std::uint64_t damaged = 0;
  const bool name_files = inputs.size() > 1;
  for (const auto& in : inputs) {
    if (stop_signals::caught() != 0) break;
    const std::string_view file = name_files ? std::string_view(in->name()) : std::string_view();
    line_source source(in->fd(), stop.fd());
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
        double at = clock.default_time;
        if (o.at_log_time) {
          if (const auto t = log_time(line, clock.times)) {
            at = *t;
          } else {
            ++lines_without_time;
          }
        }
        batch.add(line, found, at);
        for (const found_token& f : found) where.push_back({number, f.offset, file});
        if (batch.size() >= k_batch_tokens) flush();
      }
      if (source.would_wait()) {  // a live stream pauses: show what it has brought so far
        flush();
        records.flush();
      }
      if (meter.due()) meter.show(lines, in->consumed(), in->size());
    }
    flush();
    if (finish_input(*in, err)) ++damaged;
  }
  records.flush();
  meter.finish();

  run_summary summary = run_summary::of("scan", records.counts(), started, setup);
  summary.extra = {{"lines", lines}, {"lines_without_token", lines_without_token}};
  if (o.at_log_time) summary.extra.emplace_back("lines_without_time", lines_without_time);
  summary.extra.emplace_back("lines_cut", lines_cut);
  summary.inputs_damaged = damaged;
  // "Nothing failed" is 0, also when no token was found at all (as verify on no input).
  summary.exit_code = exit_code(records.counts(), damaged > 0);
  if (!o.output.quiet) {
    fmt::print(err, "jwtbatch scan: {} lines, {} without a token", lines, lines_without_token);
    if (o.at_log_time) fmt::print(err, ", {} with a token but no timestamp", lines_without_time);
    if (lines_cut > 0) fmt::print(err, ", {} cut at 16 MiB", lines_cut);
    fmt::print(err, "\n");
    print_summary(err, "tokens", summary);
  }
  files.finish(summary);
  return summary.exit_code;
}

}  // namespace jwtbatch::cli
