// line_records.hpp: the pipeline's consumer for the record-writing commands (verify,
// scan): each line's records are formatted in the parallel stage (line_consumer::
// prepare) and counted and written in input order (consume).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "jwtbatch/pipeline.hpp"
#include "output.hpp"

namespace jwtbatch::cli {

class line_records final : public line_consumer {
 public:
  // `file`: the input's name in records when several are read (else empty). `scan`:
  // records say where in the line each token was and when it was judged (offset,
  // encoding, at, at_source). `on_line` runs serially after each line's records were
  // added (line counters, progress).
  line_records(record_writer& writer, std::string_view file, bool scan,
               std::function<void(const line_result&)> on_line);
  void prepare(const line_result& line, std::string& out) const noexcept override;
  void consume(const line_result& line, std::string_view prepared, bool flush) override;

 private:
  record_writer& writer_;
  std::string_view file_;
  bool scan_;
  std::function<void(const line_result&)> on_line_;
};

}  // namespace jwtbatch::cli
