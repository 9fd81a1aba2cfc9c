#include "bench_report.hpp"

#include <array>
#include <cerrno>
#include <cmath>
#include <ctime>
#include <fstream>
#include <system_error>

#include <fmt/core.h>
#include <fmt/format.h>

#include "jwtbatch/json_text.hpp"
#include "svg_chart.hpp"

#ifndef JWTBATCH_VERSION
#define JWTBATCH_VERSION "unknown"
#endif

namespace jwtbatch::cli::bench_parts {
namespace {

std::string group_digits(std::uint64_t v) {
  std::string digits = std::to_string(v);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string format_rate(double v) {
  return group_digits(static_cast<std::uint64_t>(std::llround(v)));
}

std::string format_micros(double us) {
  if (us < 1) return fmt::format("{:.3f}", us);
  if (us < 10) return fmt::format("{:.2f}", us);
  if (us < 100) return fmt::format("{:.1f}", us);
  return format_rate(us);
}

// A share of the fastest, two significant digits at least: 100%, 45%, 1.8%, 0.018%.
std::string format_share(double fraction) {
  const double pct = fraction * 100;
  if (pct >= 9.95) return fmt::format("{:.0f}%", pct);
  if (pct >= 0.995) return fmt::format("{:.1f}%", pct);
  if (pct >= 0.0995) return fmt::format("{:.2f}%", pct);
  return fmt::format("{:.3f}%", pct);
}

std::size_t display_width(std::string_view s) {
  std::size_t n = 0;
  for (const char c : s) n += (static_cast<unsigned char>(c) & 0xC0U) != 0x80U ? 1U : 0U;
  return n;
}

// print_table writes rows (the first one is the header) in aligned columns: the first
// `text_columns` left-aligned, the others right-aligned.
void print_table(std::FILE* out, const std::vector<std::vector<std::string>>& rows,
                 std::size_t text_columns) {
  std::vector<std::size_t> width(rows.front().size(), 0);
  for (const auto& row : rows) {
    for (std::size_t i = 0; i < row.size(); ++i)
      width[i] = std::max(width[i], display_width(row[i]));
  }
  std::string text;
  for (const auto& row : rows) {
    std::string line;
    for (std::size_t i = 0; i < row.size(); ++i) {
      const std::string pad(width[i] - display_width(row[i]), ' ');
      line += i == 0 ? "" : "  ";
      line += i < text_columns ? row[i] + pad : pad + row[i];
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    text += line + "\n";
  }
  fmt::print(out, "{}", text);
}

const char* k_method_sign =
    "key_handle::sign (jwtbatch/primitives.hpp: the signature sign_compact makes) over the "
    "signing input of a generated "
    "token, key parsed once; each thread signs its own tokens";
const char* k_method_verify =
    "key_handle::verify (the signature check verifier::verify makes after parsing) over the same "
    "inputs; each thread verifies its own tokens";
const char* k_method_batch =
    "batch_verifier::verify_batch on a gen corpus of valid tokens (signature, alg allow-list, "
    "iss, aud, exp required and checked; no cache), on all threads";

void append_metric(std::string& j, const metric& m, std::string_view unit, unsigned threads) {
  j += fmt::format(R"({{"unit":"{}","threads":{},"samples":[)", unit, threads);
  for (std::size_t i = 0; i < m.samples.size(); ++i) {
    j += fmt::format("{}{}", i == 0 ? "" : ",", m.samples[i]);
  }
  j += fmt::format(R"(],"median":{}}})", m.median);
}

std::string json_string(std::string_view s) {
  std::string out;
  append_json_string(out, s);
  return out;
}

// An output file, opened before anything is measured so that a bad path fails at

}  // namespace

std::string utc_now() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  std::array<char, 32> buf{};
  const std::size_t n = std::strftime(buf.data(), buf.size(), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return {buf.data(), n};
}

std::string cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("model name", 0) != 0) continue;
    const std::size_t colon = line.find(':');
    if (colon == std::string::npos) break;
    std::string model;
    for (const char c : line.substr(colon + 1)) {
      if (c >= 0x20 && c < 0x7F && !(model.empty() && c == ' ')) model += c;
    }
    while (!model.empty() && model.back() == ' ') model.pop_back();
    return model;
  }
  return {};
}

std::string threads_label(unsigned n) {
  return n == 1 ? "1 thread" : fmt::format("{} threads", n);
}

void print_report(std::FILE* out, const run_info& info, const std::vector<case_result>& results,
                  double fastest) {
  const std::string all = fmt::format("{}T", info.threads);
  std::vector<std::vector<std::string>> rows = {{"alg", "key", "sign/s 1T", "sign/s " + all,
                                                 "µs/sign", "verify/s 1T", "verify/s " + all,
                                                 "µs/verify", "vs fastest", "batch tok/s " + all}};
  for (const case_result& r : results) {
    rows.push_back({std::string(alg_name(r.c.a)), r.c.key, format_rate(r.m[sign_1t].median),
                    format_rate(r.m[sign_all].median), format_micros(1e6 / r.m[sign_1t].median),
                    format_rate(r.m[verify_1t].median), format_rate(r.m[verify_all].median),
                    format_micros(1e6 / r.m[verify_1t].median),
                    format_share(r.m[verify_1t].median / fastest),
                    format_rate(r.m[batch_all].median)});
  }
  fmt::print(out,
             "jwtbatch {} bench, {}, {}{} cores: 1T = 1 thread, {} = {}; median of {}, {} s per "
             "case\n\n",
             JWTBATCH_VERSION, info.date, info.cpu.empty() ? "" : info.cpu + ", ", info.cores, all,
             threads_label(info.threads), info.repetitions, info.time_per_case);
  print_table(out, rows, 2);
  fmt::print(out,
             "\nsign/s, verify/s: signatures made or checked per second by the engine's signature "
             "layer, key parsed\n  once, each thread on its own tokens. µs/sign, µs/verify: on 1T. "
             "vs fastest: verify/s 1T against the\n  fastest case's. batch tok/s: whole tokens per "
             "second through verify_batch on {}: signature, iss,\n  aud and exp (required) checked "
             "on realistic claims from gen; no cache.\n",
             all);
  if (std::fflush(out) != 0) {  // main ends quietly on EPIPE (a closed pipe), else reports
    throw std::system_error(errno, std::generic_category(), "standard output: write failed");
  }
}

std::string report_json(const run_info& info, const std::vector<case_result>& results,
                        double fastest) {
  std::string j = "{\n";
  j += R"(  "tool": "jwtbatch bench",)"
       "\n";
  j += "  \"version\": " + json_string(JWTBATCH_VERSION) + ",\n";
  j += "  \"date\": " + json_string(info.date) + ",\n";
  j += fmt::format("  \"machine\": {{\"cores\": {}, \"cpu\": {}}},\n", info.cores,
                   json_string(info.cpu));
  j += fmt::format("  \"threads\": {},\n", info.threads);
  j += fmt::format(R"(  "settings": {{"time_per_case_s": {}, "repetitions": {}, "quick": {}}},)"
                   "\n",
                   info.time_per_case, info.repetitions, info.quick);
  j += fmt::format(R"(  "method": {{"sign": {},)"
                   "\n"
                   R"(             "verify": {},)"
                   "\n"
                   R"(             "batch": {}}},)"
                   "\n",
                   json_string(k_method_sign), json_string(k_method_verify),
                   json_string(k_method_batch));
  j += "  \"cases\": [";
  for (std::size_t i = 0; i < results.size(); ++i) {
    const case_result& r = results[i];
    j += i == 0 ? "\n    {" : ",\n    {";
    j += fmt::format(R"("case":{},"alg":{},"key":{},"key_bits":{},)", json_string(r.c.name),
                     json_string(alg_name(r.c.a)), json_string(r.c.key), r.c.key_bits);
    for (std::size_t m = 0; m < metric_count; ++m) {
      const bool one = m == sign_1t || m == verify_1t;
      j += fmt::format("\n     \"{}\":", k_metric_key[m]);
      append_metric(j, r.m[m], m == batch_all ? "tokens/s" : "ops/s", one ? 1 : info.threads);
      j += ",";
    }
    j += fmt::format(
        "\n     \"batch_tokens\":{},\"distinct_tokens\":{},\"us_per_sign_1t\":{},"
        "\"us_per_verify_1t\":{},\"verify_1t_vs_fastest\":{}}}",
        r.batch_tokens, r.distinct_tokens, 1e6 / r.m[sign_1t].median, 1e6 / r.m[verify_1t].median,
        r.m[verify_1t].median / fastest);
  }
  j += "\n  ]\n}\n";
  return j;
}

std::string report_svg(const run_info& info, const std::vector<case_result>& results) {
  bar_chart chart;
  chart.title = "jwtbatch bench: signature verifications per second";
  chart.subtitle = fmt::format("jwtbatch {} · {} {} UTC · {}{} cores · median of {}, {} s per case",
                               JWTBATCH_VERSION, info.date.substr(0, 10), info.date.substr(11, 5),
                               info.cpu.empty() ? "" : info.cpu + ", ", info.cores,
                               info.repetitions, info.time_per_case);
  chart.axis_label = "verify operations per second (log scale), key parsed once";
  chart.series = {{"1 thread", "#4e79a7"}, {threads_label(info.threads), "#f28e2b"}};
  for (const case_result& r : results) {
    const double one = r.m[verify_1t].median;
    const double all = r.m[verify_all].median;
    chart.groups.push_back(
        {std::string(alg_name(r.c.a)), r.c.key, {one, all}, {format_rate(one), format_rate(all)}});
  }
  return render_svg(chart);
}

}  // namespace jwtbatch::cli::bench_parts
