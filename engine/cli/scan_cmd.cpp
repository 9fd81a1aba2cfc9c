#include "scan_cmd.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <memory>
#include <optional>
#include <system_error>

#include <fmt/core.h>

#include "extract.hpp"
#include "flags.hpp"
#include "input.hpp"
#include "jwtbatch/key_set.hpp"
#include "jwtbatch/pipeline.hpp"
#include "line_records.hpp"
#include "progress.hpp"
#include "record.hpp"
#include "rsyslog.hpp"

namespace jwtbatch::cli {
namespace {

// Replies held before they are written when rsyslog does not wait for each one.
constexpr std::size_t k_reply_block = std::size_t{64} << 10;

// Points descriptor 2 at `log_fd` while it lives; keep() makes that permanent. Used by
// the rsyslog plugin, whose stderr is read as replies.
class stderr_to_log {
 public:
  explicit stderr_to_log(int log_fd) {
    (void)std::fflush(stderr);  // what is already buffered goes to the old stderr
    saved_ = ::fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
    if (saved_ < 0 || ::dup2(log_fd, STDERR_FILENO) < 0) {
      throw std::system_error(errno, std::generic_category(), "--rsyslog-log: redirecting stderr");
    }
  }
  ~stderr_to_log() {
    if (saved_ < 0) return;
    (void)std::fflush(stderr);  // a destructor has no one to report a failed flush to
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
  // rsyslog's msg is the sender's text from end to end: no time in it is the time the
  // message was logged (fulljson's timegenerated is).
  if (o.times.at_log_time && o.rsyslog_input != "fulljson") {
    throw config_error(
        "--at-log-time: with --rsyslog-input msg the message carries no time of its own; use "
        "--rsyslog-input fulljson (the time rsyslog received it, timegenerated)");
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
  const engine_setup setup = make_engine(o.engine, err, true);  // every reply has "fp"
  const bool fulljson = o.rsyslog_input == "fulljson";
  stop_signals stop(false);  // SIGHUP reloads the keys (below)
  output_files files(o.output, {}, out);
  guard.keep();
  stop.arm();
  const hangup_reloader hangup([&setup, err] { (void)reload_keys(setup, err); });

  const rsyslog_extractor extractor(fulljson, make_scan_times(o.times, std::nullopt));
  std::string replies;
  tally counts;
  std::uint64_t lines = 0;
  std::uint64_t lines_without_token = 0;
  std::uint64_t lines_not_json = 0;
  std::uint64_t lines_cut = 0;
  const auto started = std::chrono::steady_clock::now();
  // Replies are written whenever rsyslog waits for them (the input pauses), and in
  // blocks under load, so memory stays bounded.
  const auto write_replies = [&] {
    write_all(out, replies);
    if (std::fflush(out) != 0) {
      throw std::system_error(errno, std::generic_category(), "writing the output");
    }
  };
  fd_source source(STDIN_FILENO, stop.fd());
  pipeline_options options;
  options.max_line_bytes = k_max_log_line;
  verify_stream(
      *setup.engine, source, extractor,
      [&](const line_result& line, bool flush) {
        ++lines;
        const bool cut = line.cut_line || line.cut;
        if (cut) ++lines_cut;
        if (line.tokens.empty()) ++lines_without_token;
        if ((line.marks & k_mark_not_fulljson) != 0) ++lines_not_json;
        for (const result& r : line.results) counts.add(r);
        append_rsyslog_reply(replies, line.results, cut);
        if (flush || replies.size() >= k_reply_block) write_replies();
      },
      options);
  write_replies();

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
    if (lines_cut > 0) fmt::print(err, ", {} cut (over 16 MiB or 64 tokens)", lines_cut);
    fmt::print(err, "\n");
    print_summary(err, "tokens", summary);
  }
  (void)std::fflush(err);  // the log's own errors cannot be logged; the replies are done
  files.finish(summary);
  return summary.exit_code;
}

}  // namespace

scan_time_options make_scan_times(const scan_time_flags& o, std::optional<double> reference) {
  scan_time_options t;
  t.at_log_time = o.at_log_time;
  t.require_log_time = o.require_log_time;
  t.times.time_field = o.time_field;
  set_syslog_year(t.times, o.syslog_year, reference);
  return t;
}

void add_scan_time_flags(CLI::App* cmd, scan_time_flags& o, std::string_view syslog_default) {
  cmd->add_flag("--at-log-time", o.at_log_time,
                "Judge each token at its line's own time field: a JSON line's top-level ts, "
                "time, timestamp or @timestamp (or --time-field), a syslog header, a combined "
                "log's [time], an RFC 3339 time opening the line; never other text");
  cmd->add_flag("--require-log-time", o.require_log_time,
                "With --at-log-time, a token on a line without a time of its own gets status "
                "no_log_time instead of being judged at --at or now")
      ->needs("--at-log-time");
  cmd->add_option("--time-field", o.time_field, "JSON member holding each line's time")
      ->type_name("NAME")
      ->check(non_empty());
  add_whole_flag(cmd, "--syslog-year", o.syslog_year, 1970, 9999,
                 "Year of syslog timestamps, which carry none", "", syslog_default);
}

void setup_scan_command(CLI::App& command, scan_options& o) {
  CLI::App* cmd = &command;
  cmd->add_option("files", o.inputs, "Log files; none or - reads standard input")
      ->type_name("FILE");
  add_engine_flags(cmd, o.engine);
  add_scan_time_flags(cmd, o.times, "from the file's modification time");
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
}

int run_scan(const scan_options& o, std::FILE* out, std::FILE* err) {
  if (o.rsyslog) return run_rsyslog(o, out);
  const engine_setup setup = make_engine(o.engine, err, o.output.writes_records());
  stop_signals stop;  // its descriptor first: every reader of the run waits on it
  const auto inputs = open_inputs(o.inputs, stop.fd());
  output_files files(o.output, inputs, out);
  // Reading a pipe (a stream with no end in sight), SIGHUP reloads the keys instead.
  const bool streaming = std::any_of(inputs.begin(), inputs.end(),
                                     [](const auto& in) { return !in->size().has_value(); });
  if (streaming) stop.leave_hangup();
  stop.arm();  // from here on, a signal ends the run with whole records and a summary
  std::optional<hangup_reloader> hangup;
  if (streaming) hangup.emplace([&setup, err] { (void)reload_keys(setup, err); });

  record_writer records(o.output, files.records(), setup.engine->policy().returned_claims,
                        enrich_shape::tokens);
  std::uint64_t lines = 0;
  std::uint64_t lines_without_token = 0;
  std::uint64_t lines_without_time = 0;
  std::uint64_t lines_cut = 0;
  progress_meter meter(err, o.output.progress_mode());
  const auto started = std::chrono::steady_clock::now();
  pipeline_options options;
  options.max_line_bytes = k_max_log_line;

  std::uint64_t damaged = 0;
  std::uint64_t finished_lines = 0;  // lines of the inputs already read whole
  const bool name_files = inputs.size() > 1;
  for (const auto& in : inputs) {
    if (stop_signals::caught() != 0) break;
    const std::string_view file = name_files ? std::string_view(in->name()) : std::string_view();
    const scan_extractor extractor(make_scan_times(o.times, in->modified()));
    line_records sink(records, file, true, [&](const line_result& line) {
      if (line.cut_line || line.cut) ++lines_cut;
      if (line.tokens.empty()) {
        ++lines_without_token;
      } else if (o.times.at_log_time && line.at_source != time_source::line) {
        ++lines_without_time;
      }
      if (meter.due()) meter.show(finished_lines + line.number, in->consumed(), in->size());
    });
    const pipeline_stats stats = verify_stream(*setup.engine, *in, extractor, sink, options);
    finished_lines += stats.lines;
    lines += stats.lines;
    if (finish_input(*in, err)) ++damaged;
  }
  records.flush();
  meter.finish();

  run_summary summary = run_summary::of("scan", records.counts(), started, setup);
  summary.extra = {{"lines", lines}, {"lines_without_token", lines_without_token}};
  if (o.times.at_log_time) summary.extra.emplace_back("lines_without_time", lines_without_time);
  summary.extra.emplace_back("lines_cut", lines_cut);
  summary.inputs_damaged = damaged;
  // "Nothing failed" is 0, also when no token was found at all (as verify on no input).
  summary.exit_code = exit_code(records.counts(), damaged > 0);
  if (!o.output.quiet) {
    fmt::print(err, "jwtbatch scan: {} lines, {} without a token", lines, lines_without_token);
    if (o.times.at_log_time)
      fmt::print(err, ", {} with a token but no timestamp", lines_without_time);
    if (lines_cut > 0) fmt::print(err, ", {} cut (over 16 MiB or 64 tokens)", lines_cut);
    fmt::print(err, "\n");
    print_summary(err, "tokens", summary);
  }
  files.finish(summary);
  return summary.exit_code;
}

}  // namespace jwtbatch::cli
