// bench_report.hpp: the three report formats of `jwtbatch bench`: the aligned table on
// stdout, the raw figures as JSON (--json) and the SVG bar chart (--chart).
#pragma once

#include <cstdio>
#include <string>
#include <vector>

#include "bench_measure.hpp"

namespace jwtbatch::cli::bench_parts {

// What the reports say about the run.
struct run_info {
  std::string date;  // RFC 3339, UTC
  std::string cpu;   // /proc/cpuinfo "model name", printable ASCII; may be empty
  unsigned cores = 0;
  unsigned threads = 0;
  double time_per_case = 0;
  int repetitions = 0;
  bool quick = false;
};

// utc_now: the current time as RFC 3339 UTC, to the second. cpu_model: /proc/cpuinfo's
// "model name", printable ASCII, or empty.
[[nodiscard]] std::string utc_now();
[[nodiscard]] std::string cpu_model();

// threads_label: "1 thread", "N threads".
[[nodiscard]] std::string threads_label(unsigned n);

// print_report writes the table and its legend to `out` and flushes it (std::system_error
// when the write fails). `fastest` is the largest verify/s 1T of `results`.
void print_report(std::FILE* out, const run_info& info, const std::vector<case_result>& results,
                  double fastest);

// report_json returns the --json document; report_svg the --chart image.
[[nodiscard]] std::string report_json(const run_info& info, const std::vector<case_result>& results,
                                      double fastest);
[[nodiscard]] std::string report_svg(const run_info& info, const std::vector<case_result>& results);

}  // namespace jwtbatch::cli::bench_parts
