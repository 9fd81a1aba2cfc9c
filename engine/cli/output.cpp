#include "output.hpp"

#include <algorithm>
#include <cerrno>
#include <system_error>
#include <utility>
#include <vector>

#include <fmt/core.h>
#include <fmt/format.h>

#include "record.hpp"

namespace jwtbatch::cli {
namespace {

template <class Map>
void print_counts(std::FILE* err, const char* title, const Map& counts) {
  if (counts.empty()) return;
  std::vector<std::pair<std::string_view, std::uint64_t>> sorted(counts.begin(), counts.end());
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  fmt::print(err, "{}:\n", title);
  for (const auto& [name, count] : sorted) fmt::print(err, "  {:<28} {:>12}\n", name, count);
}

}  // namespace

void tally::add(const result& r) {
  ++records;
  if (r.code == status::ok) ++ok;
  ++by_status[status_name(r.code)];
  ++by_class[class_name(r.code)];
  if (r.label != attack_label::none) ++by_label[label_name(r.label)];
  if (r.kid) ++by_kid[std::string(*r.kid)];
  if (r.signature_verified && r.iss) ++by_issuer[std::string(*r.iss)];
}

void print_summary(std::FILE* err, std::string_view headline, const tally& t, double seconds,
                   const engine_setup& e) {
  fmt::print(err, "{}: {} records, {} ok, {} not ok, {:.3f} s, {:.0f} records/s, {} threads\n",
             headline, t.records, t.ok, t.records - t.ok, seconds,
             seconds > 0 ? static_cast<double>(t.records) / seconds : 0.0, e.engine->threads());
  print_counts(err, "by class", t.by_class);
  print_counts(err, "by status", t.by_status);
  print_counts(err, "attack labels", t.by_label);
  print_counts(err, "by kid", t.by_kid);
  print_counts(err, "by issuer (signature verified)", t.by_issuer);
  if (e.cache) {
    const cache_stats s = e.cache->stats();
    fmt::print(err, "cache: {} hits, {} misses, {} entries, {} evictions, {} seen once\n", s.hits,
               s.misses, s.entries, s.evictions, s.first_sightings);
  }
}

void append_tsv(std::string& out, std::uint64_t line, const result& r) {
  fmt::format_to(std::back_inserter(out), "{}\t{}\t{}\t{}\t{}\t{}\t{}\n", line, status_name(r.code),
                 class_name(r.code), r.algorithm ? alg_name(*r.algorithm) : std::string_view("-"),
                 r.kid ? *r.kid : std::string_view("-"), r.fingerprint_hex(),
                 r.label == attack_label::none ? std::string_view("-") : label_name(r.label));
}

void write_all(std::FILE* out, std::string& buf) {
  if (!buf.empty() && std::fwrite(buf.data(), 1, buf.size(), out) != buf.size()) {
    throw std::system_error(errno, std::generic_category(), "writing the output");
  }
  buf.clear();
}

void add_output_flags(CLI::App* cmd, output_options& o) {
  cmd->add_option("--format", o.format, "ndjson, tsv or summary")
      ->check(CLI::IsMember({"ndjson", "tsv", "summary"}));
  cmd->add_flag("--emit-token", o.emit_token, "Include each token in its record");
  cmd->add_option("--progress", o.progress,
                  "Progress on stderr: auto (when stderr is a terminal), always or never")
      ->check(CLI::IsMember({"auto", "always", "never"}));
}

void record_writer::add(std::uint64_t line, std::string_view file,
                        std::optional<std::size_t> offset, std::string_view token,
                        const result& r) {
  counts_.add(r);
  if (options_.format == "ndjson") {
    record_origin origin;
    origin.line = line;
    origin.file = file;
    origin.offset = offset;
    if (options_.emit_token) origin.token = token;
    append_record(buf_, origin, r);
  } else if (options_.format == "tsv") {
    append_tsv(buf_, line, r);
  }
  if (buf_.size() >= std::size_t{1} << 16) write_all(out_, buf_);
}

void record_writer::flush() {
  write_all(out_, buf_);
  if (std::fflush(out_) != 0) {
    throw std::system_error(errno, std::generic_category(), "writing the output");
  }
}

}  // namespace jwtbatch::cli
