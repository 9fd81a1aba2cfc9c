// jwtbatch/pipeline.hpp: verifying a stream of tokens, one per line, in bounded memory.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string_view>

#include "jwtbatch/batch.hpp"
#include "jwtbatch/result.hpp"

namespace jwtbatch {

struct pipeline_options {
  // Bytes read at once, and about the most data a chunk of records holds (at least
  // 4096). Small chunks keep memory low and flat; 64 KiB streams as fast as 1 MiB.
  std::size_t chunk_bytes = std::size_t{64} << 10;
  // Records a chunk holds at most: bounds the results kept for very short lines.
  std::size_t max_records = 1024;
  // Chunks being read, verified or written at once; 0 = twice the thread count.
  // Memory in use is about chunks_in_flight x (chunk_bytes x 2 + max_records x 300
  // bytes) plus one line of the token limit, whatever the input size; chunks and their
  // results are reused, so the steady state allocates nothing.
  std::size_t chunks_in_flight = 0;
  // A descriptor that becomes readable to ask for a stop (the read end of a pipe a
  // signal handler writes to, an eventfd...), or -1. It is polled beside the input
  // before every read, so a stop is seen whether the input is idle or never pauses.
  // On a stop the reader ends the input there: every whole line already read still
  // gets its result and reaches the sink in order, a last line without its "\n" is
  // dropped (it is not whole), and nothing more is read. The descriptor is only
  // polled, never read: it stays readable, so other readers can wait on it too.
  int stop_fd = -1;
};

// Called once per input record, serially and in input order. `line` is 1-based;
// `token` is the record without its line terminator (valid during the call only;
// empty for a record longer than the token limit, which is never buffered whole).
using pipeline_sink =
    std::function<void(std::uint64_t line, std::string_view token, const result& r)>;

struct pipeline_stats {
  std::uint64_t records = 0;
  std::uint64_t ok = 0;
  bool stopped = false;  // ended by pipeline_options::stop_fd, not by the end of input
};

// verify_stream reads `fd` to its end: a serial in-order reader cuts chunks at line
// ends (the partial last line carried into the next chunk), the batch verifier's
// threads verify each chunk's lines in parallel, and a serial in-order writer hands
// every result to `sink`. Exactly one result per record, in input order: "\n" ends a
// record; a "\r" ending a record is dropped (also on a last line without "\n", which
// is a record too); an empty line is a record (bad_segments); a record longer than the
// policy's token limit gets token_too_large without being held in memory (fingerprint
// all '0').
// Evaluation time: the policy's fixed time, else the time the stream started.
// Throws std::system_error if reading fails; an exception from `sink` stops the run
// and propagates.
pipeline_stats verify_stream(const batch_verifier& engine, int fd, const pipeline_sink& sink,
                             pipeline_options options = {});

}  // namespace jwtbatch
