#include "verify_cmd.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <utility>

#include <fmt/core.h>
#include <fmt/format.h>

#include "extract.hpp"
#include "flags.hpp"
#include "input.hpp"
#include "jwtbatch/batch.hpp"
#include "jwtbatch/cache.hpp"
#include "jwtbatch/key_set.hpp"
#include "jwtbatch/pipeline.hpp"
#include "line_records.hpp"
#include "progress.hpp"
#include "record.hpp"

namespace jwtbatch::cli {

void setup_verify_command(CLI::App& command, verify_options& o) {
  CLI::App* cmd = &command;
  cmd->add_option("files", o.inputs, "Input files; none or - reads standard input")
      ->type_name("FILE");
  add_engine_flags(cmd, o.engine);
  cmd->add_option("--field", o.field,
                  "Input is NDJSON: the token is the string member NAME of each line (a line "
                  "without it: status no_token)")
      ->type_name("NAME")
      ->check(non_empty());
  add_output_flags(cmd, o.output);
  cmd->footer(k_verify_exit_codes);
}

int run_verify(const verify_options& o, std::FILE* out, std::FILE* err) {
  if (o.output.format == "enrich" && o.field.empty()) {
    throw config_error(
        "--format enrich: adds a \"jwt\" member to each NDJSON input line: needs --field PATH "
        "(the member holding the token)");
  }
  const engine_setup setup = make_engine(o.engine, err, o.output.writes_records());
  const batch_verifier& engine = *setup.engine;

  stop_signals stop;  // its descriptor first: every reader of the run waits on it
  const auto inputs = open_inputs(o.inputs, stop.fd());
  output_files files(o.output, inputs, out);
  stop.arm();  // from here on, a signal ends the run with whole records and a summary

  std::optional<std::uint64_t> total = 0;
  for (const auto& in : inputs) {
    if (!in->size()) total.reset();
    if (total) *total += *in->size();
  }
  progress_meter meter(err, o.output.progress_mode());
  std::uint64_t finished_bytes = 0;  // inputs already read whole

  record_writer records(o.output, files.records(), engine.policy().returned_claims);
  std::uint64_t damaged = 0;
  const bool name_files = inputs.size() > 1;
  const auto started = std::chrono::steady_clock::now();
  const whole_line_extractor whole;
  const std::unique_ptr<field_extractor> field =
      o.field.empty() ? nullptr : std::make_unique<field_extractor>(o.field);
  const line_extractor& extractor = field ? static_cast<const line_extractor&>(*field) : whole;
  pipeline_options options;
  // A whole line is a token: one longer than the token limit is never held. An NDJSON
  // line holds other members too: it is cut at the log-line bound.
  if (!o.field.empty()) options.max_line_bytes = k_max_log_line;
  for (const auto& in : inputs) {
    if (stop_signals::caught() != 0) break;
    const std::string_view file = name_files ? std::string_view(in->name()) : std::string_view();
    line_records sink(records, file, false, [&](const line_result& /*line*/) {
      if (meter.due()) {
        meter.show(records.counts().records, finished_bytes + in->consumed(), total);
      }
    });
    verify_stream(engine, *in, extractor, sink, options);
    finished_bytes += in->size().value_or(0);
    if (finish_input(*in, err)) ++damaged;
  }
  records.flush();
  meter.finish();

  run_summary summary = run_summary::of("verify", records.counts(), started, setup);
  summary.inputs_damaged = damaged;
  summary.exit_code = exit_code(records.counts(), damaged > 0);
  if (!o.output.quiet) print_summary(err, "jwtbatch verify", summary);
  files.finish(summary);
  return summary.exit_code;
}

}  // namespace jwtbatch::cli
