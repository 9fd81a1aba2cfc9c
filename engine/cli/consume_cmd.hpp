// consume_cmd.hpp: `jwtbatch consume`, a Kafka consumer-group worker: tokens (or log
// lines) from one topic, one verdict record per token to another, exactly once.
#pragma once

#include <cstdio>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "engine_flags.hpp"
#include "scan_cmd.hpp"

namespace jwtbatch::cli {

struct consume_options {
  engine_options engine;              // keys, policy, threads, cache
  std::string brokers;                // bootstrap.servers
  std::string topic;                  // IN
  std::string group;                  // group.id
  std::string out_topic;              // OUT
  std::string mode = "verify";        // verify: a message is one token; scan: a log line
  std::vector<std::string> settings;  // -X key=value, librdkafka properties for both clients
  std::string transactional_id;       // empty: jwtbatch-<group>-<host>-<pid>
  std::size_t batch = 10000;          // messages per transaction, at most
  int batch_ms = 100;                 // the longest a batch waits to fill, once started
  bool at_message_time = false;       // verify: judge each token at its message's timestamp
  scan_time_flags times;              // scan: --at-log-time...
  bool emit_token = false;            // records carry the token
  int progress_seconds = 10;          // a progress line every N seconds on stderr; 0: none
  int exit_idle_ms = 0;               // stop after this long with nothing to consume; 0: never
  bool quiet = false;                 // -q: no progress and no summary on stderr
  std::string summary_json;           // --summary-json FILE
};

void setup_consume_command(CLI::App& command, consume_options& o);

// run_consume joins consumer group `group` on topic IN and, for every batch of messages
// it is given, verifies them on all of the engine's threads and, in one Kafka
// transaction, produces one record per verdict to OUT (append_message_record: the record
// verify or scan prints, with the message's topic, partition and offset) and commits the
// batch's offsets with the group's metadata (KIP-447), so that a read_committed reader
// of OUT sees each message's verdicts exactly once whatever fails (README, "Kafka
// workers"). Verdicts of input partition P go to OUT partition P mod OUT's partition
// count, in offset order, keyed by the input message's key.
//
// SIGHUP reloads the key files (a set that does not load keeps the previous one, with a
// message); SIGINT or SIGTERM ends the run after the open transaction is committed (or
// aborted when it cannot be), then the worker leaves the group. Returns 128 + the
// signal then, 0 when --exit-idle stopped it, and 2 (after a message naming the error)
// on a fatal Kafka error: fenced by a newer worker, refused credentials, a transaction
// that can neither commit nor abort. Configuration problems (flags, keys, an -X property
// librdkafka refuses) throw config_error before joining the group.
int run_consume(const consume_options& o, std::FILE* out, std::FILE* err);

}  // namespace jwtbatch::cli
