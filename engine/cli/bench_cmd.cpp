#include "bench_cmd.hpp"

#include <unistd.h>

#include <algorithm>
#include <memory>
#include <system_error>
#include <thread>

#include <fmt/core.h>

#include "bench_measure.hpp"
#include "bench_report.hpp"
#include "flags.hpp"
#include "jwtbatch/batch.hpp"
#include "jwtbatch/key_set.hpp"
#include "replacing_file.hpp"

// The command in parts: bench_measure (cases, keys, fixtures, figures), bench_report
// (table, JSON, SVG); this file holds the flags and the run.
namespace jwtbatch::cli {
namespace {

using namespace bench_parts;

constexpr double k_default_time_per_case = 1.5;
constexpr double k_quick_time_per_case = 0.12;

// once, and written whole or not at all (replacing_file): a failed run leaves no
// empty file behind.
std::unique_ptr<replacing_file> open_output(const std::string& path, const char* flag) {
  if (path.empty()) return nullptr;
  return std::make_unique<replacing_file>(path, flag);
}

void write_output(std::unique_ptr<replacing_file>& f, const std::string& text, std::FILE* err) {
  if (!f) return;
  f->write(text);
  f->commit();
  fmt::print(err, "jwtbatch bench: wrote {}\n", f->path());
  f.reset();
}

}  // namespace

void setup_bench_command(CLI::App& sub, bench_options& o) {
  CLI::App* cmd = &sub;
  add_list_flag(cmd, "--algs", o.algs,
                "Cases: HS256, ..., EdDSA; RSA at another size as RS256-4096 (default: every "
                "algorithm at RSA-2048, and RS256-3072, RS256-4096)");
  cmd->add_option("--time-per-case",
                  "Seconds measured per case, over all its figures and "
                  "repetitions (0.001..3600; default 1.5, 0.12 with --quick)")
      ->type_name("SECONDS")
      ->expected(1)
      ->allow_extra_args(false)
      ->each(
          [&o](const std::string& text) { o.time_per_case = parse_decimal(text, 0.001, 3600.0); });
  cmd->add_flag("--quick", o.quick, "A few seconds in all: 0.12 s per case");
  add_whole_flag(cmd, "--repetitions", o.repetitions, 1, 99,
                 "Samples per figure; the median is reported", "", "3");
  add_whole_flag(cmd, "--threads", o.threads, 0, max_threads,
                 "Threads of the \"all threads\" figures", "", "0 = one per core");
  cmd->add_option("--json", o.json, "Write the raw figures (samples, medians, machine) as JSON")
      ->type_name("FILE")
      ->check(non_empty());
  cmd->add_option("--chart", o.chart, "Write a bar chart of verify ops/s as SVG")
      ->type_name("FILE")
      ->check(non_empty());
}

int run_bench(const bench_options& o, std::FILE* out, std::FILE* err) {
  // Flags and output files first: a mistake costs nothing.
  const std::vector<bench_case> cases = parse_cases(o.algs);
  if (!o.json.empty() && o.json == o.chart) {
    throw config_error("--chart " + o.chart + ": the same file as --json");
  }
  std::unique_ptr<replacing_file> json_file = open_output(o.json, "--json");
  std::unique_ptr<replacing_file> chart_file = open_output(o.chart, "--chart");

  run_info info;
  info.date = utc_now();
  info.cpu = cpu_model();
  info.cores = std::max(1U, std::thread::hardware_concurrency());
  info.threads = o.threads > 0 ? static_cast<unsigned>(o.threads) : info.cores;
  info.quick = o.quick;
  info.time_per_case =
      o.time_per_case.value_or(o.quick ? k_quick_time_per_case : k_default_time_per_case);
  info.repetitions = o.repetitions;

  fmt::print(err, "jwtbatch bench: {} case(s), {} s each, median of {}, {}; generating keys\n",
             cases.size(), info.time_per_case, info.repetitions, threads_label(info.threads));
  const bool progress = ::isatty(::fileno(err)) == 1;
  const std::vector<std::shared_ptr<const key_set>> keys = make_keys(cases, info.threads);

  std::vector<case_result> results;
  for (std::size_t i = 0; i < cases.size(); ++i) {
    if (progress)
      fmt::print(err, "jwtbatch bench: [{}/{}] {}\n", i + 1, cases.size(), cases[i].name);
    fixture f = make_fixture(cases[i], keys[i], info.threads, info.time_per_case);
    results.push_back(measure(cases[i], f, info.threads, info.time_per_case, info.repetitions));
  }
  double fastest = 0;
  for (const case_result& r : results) fastest = std::max(fastest, r.m[verify_1t].median);

  try {
    print_report(out, info, results, fastest);
  } catch (const std::system_error& e) {  // fmt's message would not say which stream
    throw std::system_error(e.code(), "standard output: write failed");
  }
  write_output(json_file, report_json(info, results, fastest), err);
  write_output(chart_file, report_svg(info, results), err);
  return 0;
}

}  // namespace jwtbatch::cli
