#include "output.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <iterator>
#include <stdexcept>
#include <system_error>
#include <utility>
#include <vector>

#include <fmt/core.h>
#include <fmt/format.h>

#include "flags.hpp"
#include "json_member.hpp"
#include "jwtbatch/json_text.hpp"
#include "jwtbatch/key_set.hpp"

namespace jwtbatch::cli {
namespace {

// Counts of names from the engine's own vocabulary (statuses, classes, labels).
void print_counts(std::FILE* err, const char* title,
                  const std::map<std::string_view, std::uint64_t>& counts) {
  if (counts.empty()) return;
  std::vector<std::pair<std::string_view, std::uint64_t>> sorted(counts.begin(), counts.end());
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  fmt::print(err, "{}:\n", title);
  for (const auto& [name, count] : sorted) fmt::print(err, "  {:<28} {:>12}\n", name, count);
}

// Counts of names from tokens: each quoted and escaped (a name cannot add a line, a
// column or a terminal command), at most tally::k_shown_names rows, and a last row for
// the records of the names not shown, which says why they are not.
void print_names(std::FILE* err, const char* title, const name_counts& counts) {
  if (counts.empty()) return;
  const auto shown = counts.top(tally::k_shown_names);
  fmt::print(err, "{}:\n", title);
  std::uint64_t shown_records = 0;
  std::string name;
  for (const name_counts::entry& e : shown) {
    name.clear();
    append_text(name, e.name, true);
    if (e.name_cut) name += "...";  // outside the quotes: cannot be part of a name
    fmt::print(err, "  {:<28} {:>12}\n", name, e.records);
    shown_records += e.records;
  }
  const std::uint64_t rest = counts.records() - shown_records;
  if (rest == 0) return;
  if (counts.other() > 0) {
    fmt::print(err,
               "  {:<28} {:>12}  (cut: {} names held at most, {} more records under other "
               "names)\n",
               "(other)", rest, counts.max_names(), counts.other());
  } else {
    fmt::print(err, "  {:<28} {:>12}  ({} more names)\n", "(other)", rest,
               counts.names_held() - shown.size());
  }
}

void append_names_json(std::string& out, const name_counts& counts) {
  out += R"({"names":[)";
  const auto all = counts.top(counts.max_names());
  for (std::size_t i = 0; i < all.size(); ++i) {
    out += i == 0 ? R"({"name":)" : R"(,{"name":)";
    append_json_string(out, all[i].name);
    fmt::format_to(std::back_inserter(out), R"(,"records":{})", all[i].records);
    if (all[i].name_cut) out += R"(,"name_cut":true)";
    out += '}';
  }
  fmt::format_to(std::back_inserter(out), R"(],"other_records":{},"cut":{}}})", counts.other(),
                 counts.other() > 0);
}

void append_counts_json(std::string& out, const std::map<std::string_view, std::uint64_t>& m) {
  out += '{';
  bool first = true;
  for (const auto& [name, count] : m) {
    if (!first) out += ',';
    first = false;
    append_json_string(out, name);
    fmt::format_to(std::back_inserter(out), ":{}", count);
  }
  out += '}';
}

using file_ptr = std::unique_ptr<std::FILE, int (*)(std::FILE*)>;

// Opens `path` for writing in place (O_CREAT without O_TRUNC, then ftruncate once it is
// known not to be one of the inputs), so nothing is renamed and an input is never
// emptied before it is read.
file_ptr open_output(const std::string& path, std::string_view flag,
                     const std::vector<std::unique_ptr<input_source>>& inputs,
                     std::optional<std::pair<dev_t, ino_t>>* id) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | O_NOCTTY, 0666);
  if (fd < 0) {
    throw config_error(
        fmt::format("{} {}: cannot open: {}", flag, path, std::generic_category().message(errno)));
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    const int e = errno;
    ::close(fd);
    throw config_error(fmt::format("{} {}: {}", flag, path, std::generic_category().message(e)));
  }
  if (S_ISDIR(st.st_mode)) {
    ::close(fd);
    throw config_error(fmt::format("{} {}: is a directory", flag, path));
  }
  if (S_ISREG(st.st_mode)) {
    *id = std::pair{st.st_dev, st.st_ino};
    for (const auto& in : inputs) {
      if (in->file_id() == *id) {
        ::close(fd);
        throw config_error(
            fmt::format("{} {}: is also an input ({}); writing it would destroy what is read", flag,
                        path, in->name()));
      }
    }
    if (::ftruncate(fd, 0) != 0) {
      const int e = errno;
      ::close(fd);
      throw config_error(fmt::format("{} {}: cannot truncate: {}", flag, path,
                                     std::generic_category().message(e)));
    }
  }
  std::FILE* f = ::fdopen(fd, "w");
  if (f == nullptr) {
    const int e = errno;
    ::close(fd);
    throw config_error(fmt::format("{} {}: {}", flag, path, std::generic_category().message(e)));
  }
  return {f, &std::fclose};
}

}  // namespace

void tally::add(const result& r) {
  ++records;
  if (r.code == status::ok) ++ok;
  ++statuses_[static_cast<std::uint8_t>(r.code)];
  if (r.label != attack_label::none) ++labels_[static_cast<std::uint8_t>(r.label)];
  if (r.kid) (r.signature_verified ? kids_verified : kids_not_verified).add(*r.kid);
  if (r.signature_verified && r.iss) issuers.add(*r.iss);
}

std::map<std::string_view, std::uint64_t> tally::by_status() const {
  std::map<std::string_view, std::uint64_t> m;
  for (std::size_t i = 0; i < statuses_.size(); ++i) {
    if (statuses_[i] != 0) m[status_name(static_cast<status>(i))] += statuses_[i];
  }
  return m;
}

std::map<std::string_view, std::uint64_t> tally::by_class() const {
  std::map<std::string_view, std::uint64_t> m;
  for (std::size_t i = 0; i < statuses_.size(); ++i) {
    if (statuses_[i] != 0) m[class_name(static_cast<status>(i))] += statuses_[i];
  }
  return m;
}

std::map<std::string_view, std::uint64_t> tally::by_label() const {
  std::map<std::string_view, std::uint64_t> m;
  for (std::size_t i = 0; i < labels_.size(); ++i) {
    if (labels_[i] != 0) m[label_name(static_cast<attack_label>(i))] += labels_[i];
  }
  return m;
}

run_summary run_summary::of(std::string command, const tally& counts,
                            std::chrono::steady_clock::time_point started,
                            const engine_setup& setup) {
  run_summary s;
  s.command = std::move(command);
  s.counts = &counts;
  s.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  s.threads = setup.engine->threads();
  if (setup.cache) s.cache = setup.cache->stats();
  if (setup.remote) s.keys = setup.keys->stats();
  return s;
}

int exit_code(const tally& t, bool input_damaged) noexcept {
  if (const int signal_code = stop_signals::exit_code(); signal_code != 0) return signal_code;
  if (input_damaged) return 3;
  return t.ok == t.records ? 0 : 1;
}

void print_summary(std::FILE* err, std::string_view headline, const run_summary& s) {
  const tally& t = *s.counts;
  fmt::print(err, "{}: {} records, {} ok, {} not ok, {:.3f} s, {:.0f} records/s, {} threads\n",
             headline, t.records, t.ok, t.records - t.ok, s.seconds,
             s.seconds > 0 ? static_cast<double>(t.records) / s.seconds : 0.0, s.threads);
  print_counts(err, "by class", t.by_class());
  print_counts(err, "by status", t.by_status());
  print_counts(err, "attack labels", t.by_label());
  print_names(err, "by kid (signature verified)", t.kids_verified);
  print_names(err, "by kid (not verified)", t.kids_not_verified);
  print_names(err, "by issuer (signature verified)", t.issuers);
  if (s.cache) {
    fmt::print(err, "cache: {} hits, {} misses, {} entries, {} evictions, {} seen once\n",
               s.cache->hits, s.cache->misses, s.cache->entries, s.cache->evictions,
               s.cache->first_sightings);
  }
  if (s.keys) {
    fmt::print(err, "keys: {} fetches, {} failed, {} updates\n", s.keys->fetches,
               s.keys->fetch_failures, s.keys->updates);
  }
  if (stop_signals::caught() != 0) {
    fmt::print(err, "stopped by {}: input not read to its end; exit code {}\n",
               stop_signals::name(), stop_signals::exit_code());
  }
}

void append_summary_json(std::string& out, const run_summary& s) {
  const tally& t = *s.counts;
  out += R"({"command":)";
  append_json_string(out, s.command);
  fmt::format_to(std::back_inserter(out),
                 R"(,"records":{},"ok":{},"not_ok":{},"seconds":{:.6f},"threads":{},)"
                 R"("exit_code":{},"stopped_by":)",
                 t.records, t.ok, t.records - t.ok, s.seconds, s.threads, s.exit_code);
  if (stop_signals::caught() != 0) {
    append_json_string(out, stop_signals::name());
  } else {
    out += "null";
  }
  fmt::format_to(std::back_inserter(out), R"(,"inputs_damaged":{})", s.inputs_damaged);
  for (const auto& [name, count] : s.extra) {
    out += ',';
    append_json_string(out, name);
    fmt::format_to(std::back_inserter(out), ":{}", count);
  }
  out += R"(,"by_class":)";
  append_counts_json(out, t.by_class());
  out += R"(,"by_status":)";
  append_counts_json(out, t.by_status());
  out += R"(,"by_label":)";
  append_counts_json(out, t.by_label());
  out += R"(,"by_kid":{"verified":)";
  append_names_json(out, t.kids_verified);
  out += R"(,"not_verified":)";
  append_names_json(out, t.kids_not_verified);
  out += R"(},"by_issuer":)";
  append_names_json(out, t.issuers);
  out += R"(,"cache":)";
  if (s.cache) {
    fmt::format_to(std::back_inserter(out),
                   R"({{"hits":{},"misses":{},"entries":{},"evictions":{},"seen_once":{}}})",
                   s.cache->hits, s.cache->misses, s.cache->entries, s.cache->evictions,
                   s.cache->first_sightings);
  } else {
    out += "null";
  }
  if (s.keys) {
    fmt::format_to(std::back_inserter(out),
                   R"(,"keys":{{"fetches":{},"fetch_failures":{},"updates":{}}})", s.keys->fetches,
                   s.keys->fetch_failures, s.keys->updates);
  }
  out += "}\n";
}

void write_all(std::FILE* out, std::string& buf) {
  if (!buf.empty() && std::fwrite(buf.data(), 1, buf.size(), out) != buf.size()) {
    throw std::system_error(errno, std::generic_category(), "writing the output");
  }
  buf.clear();
}

void add_output_flags(CLI::App* cmd, output_options& o) {
  cmd->add_option(
         "--format", o.format,
         "ndjson, tsv, enrich (NDJSON in: each line with a \"jwt\" member added) or summary")
      ->check(CLI::IsMember({"ndjson", "tsv", "enrich", "summary"}))
      ->capture_default_str();
  cmd->add_flag("--emit-token", o.emit_token, "Include each token in its record");
  cmd->add_option("--progress", o.progress,
                  "Progress on stderr: auto (when stderr is a terminal), always or never")
      ->check(CLI::IsMember({"auto", "always", "never"}))
      ->capture_default_str();
  cmd->add_flag("-q,--quiet", o.quiet, "No summary on stderr (messages about errors remain)");
  // An empty FILE would silently mean "not given" (records on stdout): refused by name.
  cmd->add_option("-o,--output", o.output,
                  "Write the records to FILE (opened in place, truncated) instead of stdout")
      ->type_name("FILE")
      ->check(non_empty());
  cmd->add_option("--summary-json", o.summary_json,
                  "Also write the summary to FILE as one JSON object, for monitoring")
      ->type_name("FILE")
      ->check(non_empty());
}

output_files::output_files(const output_options& o,
                           const std::vector<std::unique_ptr<input_source>>& inputs,
                           std::FILE* stdout_)
    : out_(stdout_), summary_path_(o.summary_json) {
  std::optional<std::pair<dev_t, ino_t>> records_id;
  std::optional<std::pair<dev_t, ino_t>> summary_id;
  if (!o.output.empty()) records_ = open_output(o.output, "--output", inputs, &records_id);
  if (!o.summary_json.empty()) {
    summary_ = open_output(o.summary_json, "--summary-json", inputs, &summary_id);
    if (summary_id && summary_id == records_id) {
      throw config_error(fmt::format("--summary-json {}: is the same file as --output {}",
                                     o.summary_json, o.output));
    }
  }
}

void output_files::finish(const run_summary& s) {
  if (records_ && std::fflush(records_.get()) != 0) {
    throw std::system_error(errno, std::generic_category(), "writing the output");
  }
  if (summary_) {
    std::string json;
    append_summary_json(json, s);
    write_all(summary_.get(), json);
    if (std::fflush(summary_.get()) != 0) {
      throw std::system_error(errno, std::generic_category(), "--summary-json " + summary_path_);
    }
  }
}

record_writer::record_writer(const output_options& o, std::FILE* out,
                             std::vector<std::string> claim_names, enrich_shape shape)
    : options_(o), out_(out), claim_names_(std::move(claim_names)), shape_(shape) {
  if (options_.format == "tsv") append_tsv_header(buf_, claim_names_);
}

void record_writer::append_one(const record_origin& origin, const result& r,
                               std::string& out) const {
  record_origin o = origin;
  if (!options_.emit_token) o.token.reset();
  if (options_.format == "ndjson") {
    append_record(out, o, r);
  } else {
    append_tsv(out, o, r, claim_names_);
  }
}

void record_writer::maybe_write() {
  if (buf_.size() >= std::size_t{1} << 16) write_all(out_, buf_);
}

void record_writer::append_jwt(std::span<const record_origin> origins,
                               std::span<const result> results, bool line_cut,
                               std::string& out) const {
  const auto append_object = [&](std::size_t i, bool cut) {
    record_origin o = origins[i];
    if (!options_.emit_token) o.token.reset();
    o.line_cut = o.line_cut || cut;
    append_record_object(out, o, results[i]);
  };
  if (shape_ == enrich_shape::record) {
    append_object(0, line_cut);
    return;
  }
  std::size_t ok = 0;
  for (const result& r : results) ok += r.code == status::ok ? 1 : 0;
  fmt::format_to(std::back_inserter(out), R"({{"count":{},"ok":{},)", results.size(), ok);
  if (line_cut) out += R"("cut":true,)";  // said once for the line, not per token
  out += R"("tokens":[)";
  for (std::size_t i = 0; i < origins.size(); ++i) {
    if (i != 0) out += ',';
    append_object(i, false);
  }
  out += "]}";
}

bool record_writer::append_enriched(std::string_view input_line,
                                    std::span<const record_origin> origins,
                                    std::span<const result> results, bool line_cut,
                                    std::string& out) const {
  if (!input_line.empty() && input_line.back() == '\n') input_line.remove_suffix(1);
  // Is the line one JSON object without a member "jwt" of its own? (find_member: the
  // whole line is checked, and "\u006awt" is "jwt" too.)
  static const member_path jwt_name = member_path::parse("jwt");
  std::string value;  // stays empty (no allocation) unless the line has a "jwt" string
  if (find_member(input_line, jwt_name, value) != member_lookup::missing) {
    out += R"({"line":)";
    append_json_string(out, input_line);
    out += R"(,"jwt":)";
    append_jwt(origins, results, line_cut, out);
    out += "}\n";
    return true;
  }
  // A well-formed object: its last byte other than JSON whitespace is its closing '}',
  // and the object is empty exactly when the byte before that (again skipping
  // whitespace) is its opening '{' (inside a well-formed object, a '{' just before the
  // closing '}' can only be the object's own).
  const auto is_ws = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  std::size_t close = input_line.size();
  while (is_ws(input_line[close - 1])) --close;
  --close;  // input_line[close] == '}'
  std::size_t before = close;
  while (is_ws(input_line[before - 1])) --before;
  const bool empty = input_line[before - 1] == '{';
  out.append(input_line.substr(0, close));
  out += empty ? R"("jwt":)" : R"(,"jwt":)";
  append_jwt(origins, results, line_cut, out);
  out.append(input_line.substr(close));
  out += '\n';
  return false;
}

bool record_writer::format_line(std::string_view input_line, std::span<const record_origin> origins,
                                std::span<const result> results, bool line_cut,
                                std::string& out) const {
  if (options_.format == "summary") return false;
  if (options_.format == "enrich") {
    return append_enriched(input_line, origins, results, line_cut, out);
  }
  for (std::size_t i = 0; i < origins.size(); ++i) {
    if (line_cut) {
      record_origin o = origins[i];
      o.line_cut = true;
      append_one(o, results[i], out);
    } else {
      append_one(origins[i], results[i], out);
    }
  }
  return false;
}

void record_writer::add_formatted(std::string_view formatted, std::span<const result> results,
                                  bool wrapped) {
  for (const result& r : results) counts_.add(r);
  if (wrapped) ++lines_wrapped_;
  buf_.append(formatted);
  maybe_write();
}

void record_writer::add_line(std::string_view input_line, std::span<const record_origin> origins,
                             std::span<const result> results, bool line_cut) {
  if (origins.size() != results.size()) {
    throw std::invalid_argument("record_writer::add_line: origins and results differ in size");
  }
  if (options_.format == "enrich" && shape_ == enrich_shape::record && origins.size() != 1) {
    throw std::invalid_argument("record_writer::add_line: enrich_shape::record needs one record");
  }
  for (const result& r : results) counts_.add(r);
  if (format_line(input_line, origins, results, line_cut, buf_)) ++lines_wrapped_;
  maybe_write();
}

void record_writer::add(const record_origin& origin, const result& r) {
  if (options_.format == "enrich") {
    throw config_error(
        "--format enrich: needs NDJSON input lines to add a \"jwt\" member to; use it with "
        "verify --field or scan");
  }
  counts_.add(r);
  if (options_.format == "summary") return;
  append_one(origin, r, buf_);
  maybe_write();
}

void record_writer::add(std::uint64_t line, std::string_view file,
                        std::optional<std::size_t> offset, std::string_view token,
                        const result& r) {
  record_origin origin;
  origin.line = line;
  origin.file = file;
  origin.offset = offset;
  origin.token = token;
  add(origin, r);
}

void record_writer::flush() {
  write_all(out_, buf_);
  if (std::fflush(out_) != 0) {
    throw std::system_error(errno, std::generic_category(), "writing the output");
  }
}

}  // namespace jwtbatch::cli
