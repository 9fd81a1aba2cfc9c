// scan_cmd.hpp: `jwtbatch scan`, tokens found inside arbitrary log lines.
#pragma once

#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>

#include "extract.hpp"
#include "output.hpp"

namespace jwtbatch::cli {

// When scan judges each token (its time flags; consume --mode scan has them too).
struct scan_time_flags {
  bool at_log_time = false;       // judge each token at its line's own timestamp
  bool require_log_time = false;  // no own timestamp: status no_log_time
  std::string time_field;         // JSON member holding the time (epoch or RFC 3339)
  int syslog_year = 0;            // year of syslog timestamps; 0 = from the file's mtime
};

// add_scan_time_flags declares --at-log-time, --require-log-time, --time-field and
// --syslog-year on `cmd`; `syslog_default` says where the year comes from without it.
void add_scan_time_flags(CLI::App* cmd, scan_time_flags& o, std::string_view syslog_default);

// make_scan_times: when tokens are judged (scan_extractor): at --at, else now; with
// --at-log-time at the line's own time, the syslog year coming from --syslog-year, else
// from `reference` (Unix seconds: the input file's modification time), else now.
scan_time_options make_scan_times(const scan_time_flags& o, std::optional<double> reference);

struct scan_options {
  engine_options engine;
  std::vector<std::string> inputs;    // files; none or "-" = standard input
  scan_time_flags times;              // --at-log-time, --time-field...
  output_options output;              // --format, --emit-token, --progress
  bool rsyslog = false;               // rsyslog mmexternal plugin mode
  std::string rsyslog_input = "msg";  // mmexternal interface.input: msg or fulljson
  std::string rsyslog_log;            // where the plugin's warnings and summary go
};

void setup_scan_command(CLI::App& command, scan_options& o);

// run_scan writes one record per token found (with its line and byte offset), in
// input order, to `out` (or -o FILE), and the summary to `err` (unless -q) and
// --summary-json, including lines without a token. Returns the exit code as verify
// does (output.hpp exit_code): 0 when every token found is ok, also when none was
// found; 1 when one is not; 3 when an input ended early; 128 + the signal on SIGINT,
// SIGTERM or SIGHUP, after whole records and the summary.
//
// With o.rsyslog it is an rsyslog mmexternal plugin instead: it reads messages from
// standard input and writes exactly one reply line per message (rsyslog.hpp), in
// order, flushed as soon as the messages read so far are answered, so rsyslog, which
// waits for each reply, is never kept waiting. Returns 0 at the end of the input, or
// 128 + the signal when SIGINT, SIGTERM or SIGHUP stopped it (every message read by
// then is answered first).
// mmexternal reads the plugin's stderr through the same pipe as its stdout, so any
// diagnostic there would be taken for a reply and shift every later one: key-set
// warnings and the run summary go to o.rsyslog_log (appended) or nowhere. Only a
// fatal configuration error is printed (by main, to stderr): rsyslog logs it as an
// invalid reply, which is how it reaches the administrator. Once the configuration is
// accepted, descriptor 2 itself is pointed at the log (or /dev/null), so nothing a
// library prints can reach the reply channel either.
int run_scan(const scan_options& o, std::FILE* out, std::FILE* err);

}  // namespace jwtbatch::cli
