#include "line_records.hpp"

#include <vector>

#include "extract.hpp"

namespace jwtbatch::cli {

line_records::line_records(record_writer& writer, std::string_view file, bool scan,
                           std::function<void(const line_result&)> on_line)
    : writer_(writer), file_(file), scan_(scan), on_line_(std::move(on_line)) {}

void line_records::prepare(const line_result& line, std::string& out) const noexcept {
  // One origin per token; the vector is the thread's own and keeps its capacity.
  thread_local std::vector<record_origin> origins;
  origins.resize(line.tokens.size());
  for (std::size_t i = 0; i < line.tokens.size(); ++i) {
    const line_token& t = line.tokens[i];
    record_origin& o = origins[i];
    o = record_origin{};
    o.line = line.number;
    o.file = file_;
    o.token = t.token;
    if (scan_) {
      o.offset = t.offset;
      o.percent_encoded = (t.tag & k_tag_percent_encoded) != 0;
      o.at = line.at;
      o.at_source = time_source_name(line.at_source);
    }
  }
  // The first byte says whether enrich wrapped the line; the records follow.
  const std::size_t flag = out.size();
  out += '0';
  if (writer_.format_line(line.text, origins, line.results, line.cut_line || line.cut, out)) {
    out[flag] = '1';
  }
}

void line_records::consume(const line_result& line, std::string_view prepared, bool flush) {
  writer_.add_formatted(prepared.substr(1), line.results, prepared.front() == '1');
  if (on_line_) on_line_(line);
  if (flush) writer_.flush();
}

}  // namespace jwtbatch::cli
