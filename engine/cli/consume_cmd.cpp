#include "consume_cmd.hpp"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <future>
#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>
#include <system_error>
#include <utility>

#include <fmt/core.h>
#include <librdkafka/rdkafka.h>
#include <oneapi/tbb/blocked_range.h>
#include <oneapi/tbb/parallel_for.h>

#include "extract.hpp"
#include "flags.hpp"
#include "input.hpp"
#include "jwtbatch/batch.hpp"
#include "jwtbatch/error.hpp"
#include "jwtbatch/pipeline.hpp"
#include "output.hpp"
#include "record.hpp"

namespace jwtbatch::cli {
namespace {

using clock = std::chrono::steady_clock;

// How long one blocking Kafka call (init, send offsets, commit, abort) may take before
// it is retried or given up: long enough for a broker to come back.
constexpr int k_call_ms = 30000;
// The consumer is polled at least this often, so a stop or a reload is never kept
// waiting on an idle topic.
constexpr int k_poll_ms = 100;

// ---- librdkafka handles and errors ----------------------------------------------------

struct handle_deleter {
  void operator()(rd_kafka_t* rk) const noexcept { rd_kafka_destroy(rk); }
};
using handle = std::unique_ptr<rd_kafka_t, handle_deleter>;
struct conf_deleter {
  void operator()(rd_kafka_conf_t* c) const noexcept { rd_kafka_conf_destroy(c); }
};
using conf_ptr = std::unique_ptr<rd_kafka_conf_t, conf_deleter>;
struct message_deleter {
  void operator()(rd_kafka_message_t* m) const noexcept { rd_kafka_message_destroy(m); }
};
using message_ptr = std::unique_ptr<rd_kafka_message_t, message_deleter>;
struct list_deleter {
  void operator()(rd_kafka_topic_partition_list_t* l) const noexcept {
    rd_kafka_topic_partition_list_destroy(l);
  }
};
using partition_list = std::unique_ptr<rd_kafka_topic_partition_list_t, list_deleter>;
struct error_deleter {
  void operator()(rd_kafka_error_t* e) const noexcept { rd_kafka_error_destroy(e); }
};
using error_ptr = std::unique_ptr<rd_kafka_error_t, error_deleter>;

// A Kafka error that ends the worker (exit 2): fencing, refused credentials...
class fatal_kafka : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// librdkafka's error predicates, as bools.
bool is_fatal(const error_ptr& e) {
  return rd_kafka_error_is_fatal(e.get()) != 0;
}
bool is_retriable(const error_ptr& e) {
  return rd_kafka_error_is_retriable(e.get()) != 0;
}
bool requires_abort(const error_ptr& e) {
  return rd_kafka_error_txn_requires_abort(e.get()) != 0;
}

std::string describe(const rd_kafka_error_t* e) {
  return fmt::format("{} ({})", rd_kafka_error_name(e), rd_kafka_error_string(e));
}

// Offsets by (topic, partition). A topic is rd_kafka_topic_name() of a message, a C
// string that lives as long as the message: the view ends at its terminating NUL.
using partition_offsets = std::map<std::pair<std::string_view, std::int32_t>, std::int64_t>;

// partition_list_of: `offsets` as librdkafka's partition list, each with its offset;
// with `only`, just the partitions that list holds too.
partition_list partition_list_of(const partition_offsets& offsets,
                                 const rd_kafka_topic_partition_list_t* only = nullptr) {
  partition_list list(rd_kafka_topic_partition_list_new(static_cast<int>(offsets.size())));
  for (const auto& [where, offset] : offsets) {
    const char* topic = where.first.data();  // NUL-terminated (partition_offsets)
    if (only != nullptr &&
        rd_kafka_topic_partition_list_find(only, topic, where.second) == nullptr) {
      continue;
    }
    rd_kafka_topic_partition_list_add(list.get(), topic, where.second)->offset = offset;
  }
  return list;
}

// set: one librdkafka property, refused as a configuration error naming `flag`.
void set(rd_kafka_conf_t* conf, const std::string& name, const std::string& value,
         std::string_view flag) {
  std::array<char, 512> why{};
  if (rd_kafka_conf_set(conf, name.c_str(), value.c_str(), why.data(), why.size()) !=
      RD_KAFKA_CONF_OK) {
    throw config_error(fmt::format("{} {}={}: {}", flag, name, value, why.data()));
  }
}

// ---- the worker ---------------------------------------------------------------------

// SIGHUP asks for a reload of the keys (hangup_reloader sets it; the worker reloads
// between batches, on its own thread).
std::atomic<bool> g_reload{false};

// What the worker counts, for its progress lines and its summary.
struct worker_counts {
  std::uint64_t messages = 0;
  std::uint64_t messages_without_token = 0;  // scan
  std::uint64_t transactions = 0;
  std::uint64_t transactions_aborted = 0;
  std::uint64_t messages_dropped = 0;  // read, then revoked before their transaction
  std::uint64_t rebalances = 0;
  std::uint64_t reloads = 0;
  std::uint64_t reloads_failed = 0;
};

// One batch of messages on its way: read, verified, then committed in one transaction.
struct batch {
  std::vector<message_ptr> messages;
  std::vector<std::string> records;  // per message: its records, '\n'-separated
  std::vector<std::size_t> record_counts;
  std::vector<result> verdicts;     // every record's verdict, in order
  std::uint64_t without_token = 0;  // scan: messages without a token
  [[nodiscard]] bool empty() const noexcept { return messages.empty(); }
  void clear() {
    messages.clear();
    verdicts.clear();
    without_token = 0;
  }
};

class worker {
 public:
  worker(const consume_options& o, std::FILE* out, std::FILE* err) : o_(o), out_(out), err_(err) {}

  int run();

  // librdkafka's callbacks (served on the worker's thread, from poll calls).
  void on_rebalance(rd_kafka_t* rk, rd_kafka_resp_err_t why,
                    rd_kafka_topic_partition_list_t* parts);
  // `rk`: the client the error is about.
  void on_error(rd_kafka_t* rk, int code, const char* reason);
  void on_delivery(const rd_kafka_message_t* m);
  void on_log(int level, const char* facility, const char* text) const;

 private:
  conf_ptr make_conf(std::string_view side,
                     std::initializer_list<std::pair<const char*, std::string>> defaults,
                     std::initializer_list<std::pair<const char*, std::string>> required);
  void make_clients();
  std::int32_t out_partitions();
  void init_transactions();
  bool collect();  // false: stop
  void process();
  void verify_messages();
  // format_verdict: the record of message i (thread-safe for distinct i).
  void format_verdict(std::size_t i, std::size_t limit);
  void scan_messages();
  // commit_batch: `b`'s records and offsets in one transaction (on the committing
  // thread). Returns false when it was aborted.
  bool commit_batch(batch& b, const rd_kafka_consumer_group_metadata_t* group);
  void start_commit();
  // finish_commit waits for the transaction in flight, if any, and counts it; when it
  // was aborted, the batch read meanwhile is dropped and both are read again.
  void finish_commit();
  void rewind(const std::vector<const batch*>& batches);
  void reload();
  // progress writes the progress line when --progress-interval has passed since the last.
  void progress(clock::time_point now);
  // The lag of the assigned partitions (messages not read yet) and how many there are.
  [[nodiscard]] std::pair<std::int64_t, int> measure_lag() const;
  void check_fatal() const;
  void set_fatal(std::string why);
  // Milliseconds from the first message to the last commit: the time the worker had
  // work (its throughput is messages / active_ms), without joining or idling.
  [[nodiscard]] std::uint64_t active_ms() const {
    if (!first_message_ || last_commit_ < *first_message_) return 0;
    return static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::milliseconds>(last_commit_ - *first_message_)
            .count());
  }

  const consume_options& o_;
  std::FILE* out_;
  std::FILE* err_;
  engine_setup setup_;
  handle consumer_;
  handle producer_;
  std::string transactional_id_;
  std::int32_t out_partitions_ = 1;
  // The batch being read and verified, and the one before it, whose transaction is
  // being committed meanwhile on a thread of its own (committing_).
  batch batch_;
  batch committed_;
  std::future<bool> committing_;
  std::vector<std::string_view> tokens_;
  std::vector<double> times_;
  tally counts_;
  worker_counts wc_;
  // Written by librdkafka's callbacks, which the committing thread serves too.
  mutable std::mutex callbacks_;
  std::string fatal_;
  std::string delivery_error_;
  rd_kafka_resp_err_t last_error_ = RD_KAFKA_RESP_ERR_NO_ERROR;
  clock::time_point last_error_at_{};
  clock::time_point started_ = clock::now();
  clock::time_point last_progress_ = clock::now();
  std::uint64_t progress_messages_ = 0;
  clock::time_point idle_since_ = clock::now();
  bool assigned_ = false;                           // partitions were assigned at least once
  std::optional<clock::time_point> first_message_;  // the run's first message came
  clock::time_point last_commit_{};                 // the last transaction committed
};

extern "C" void rebalance_trampoline(rd_kafka_t* rk, rd_kafka_resp_err_t why,
                                     rd_kafka_topic_partition_list_t* parts, void* opaque) {
  static_cast<worker*>(opaque)->on_rebalance(rk, why, parts);
}
extern "C" void error_trampoline(rd_kafka_t* rk, int code, const char* reason, void* opaque) {
  static_cast<worker*>(opaque)->on_error(rk, code, reason);
}
extern "C" void delivery_trampoline(rd_kafka_t* /*rk*/, const rd_kafka_message_t* m, void* opaque) {
  static_cast<worker*>(opaque)->on_delivery(m);
}
extern "C" void log_trampoline(const rd_kafka_t* rk, int level, const char* facility,
                               const char* text) {
  static_cast<const worker*>(rd_kafka_opaque(rk))->on_log(level, facility, text);
}

// make_conf: one client's configuration: `defaults` first, then every -X (the user's
// word wins), then `required` (what exactly-once rests on: never overridden).
conf_ptr worker::make_conf(std::string_view side,
                           std::initializer_list<std::pair<const char*, std::string>> defaults,
                           std::initializer_list<std::pair<const char*, std::string>> required) {
  conf_ptr conf(rd_kafka_conf_new());
  set(conf.get(), "bootstrap.servers", o_.brokers, "--brokers");
  set(conf.get(), "client.id", fmt::format("jwtbatch-{}", side), "client.id");
  for (const auto& [name, value] : defaults) set(conf.get(), name, value, name);
  for (const std::string& kv : o_.settings) {
    const auto eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) {
      throw config_error(fmt::format("-X {}: expected KEY=VALUE", kv));
    }
    set(conf.get(), kv.substr(0, eq), kv.substr(eq + 1), "-X");
  }
  for (const auto& setting : required) {
    const auto& [name, value] = setting;
    if (std::any_of(o_.settings.begin(), o_.settings.end(), [&setting](const std::string& kv) {
          return kv.rfind(std::string(setting.first) + "=", 0) == 0 &&
                 kv.substr(kv.find('=') + 1) != setting.second;
        })) {
      throw config_error(
          fmt::format("-X {}: jwtbatch consume needs {}={} (exactly once)", name, name, value));
    }
    set(conf.get(), name, value, name);
  }
  rd_kafka_conf_set_opaque(conf.get(), this);
  rd_kafka_conf_set_error_cb(conf.get(), error_trampoline);
  rd_kafka_conf_set_log_cb(conf.get(), log_trampoline);
  return conf;
}

void worker::make_clients() {
  std::array<char, 512> why{};
  // A group seen for the first time starts at the oldest message, so every token gets
  // a verdict (-X auto.offset.reset=latest says otherwise). Offsets are committed only
  // inside transactions, and only committed input is read.
  conf_ptr cc = make_conf("consumer", {{"auto.offset.reset", "earliest"}},
                          {{"group.id", o_.group},
                           {"enable.auto.commit", "false"},
                           {"isolation.level", "read_committed"},
                           {"enable.partition.eof", "false"}});
  rd_kafka_conf_set_rebalance_cb(cc.get(), rebalance_trampoline);
  rd_kafka_t* c = rd_kafka_new(RD_KAFKA_CONSUMER, cc.get(), why.data(), why.size());
  if (c == nullptr) throw config_error(fmt::format("kafka consumer: {}", why.data()));
  (void)cc.release();  // rd_kafka_new took it
  consumer_.reset(c);
  rd_kafka_poll_set_consumer(c);

  // Records waiting to be sent are bounded as prefetched input is (librdkafka's producer
  // default is 1 GiB): a slow OUT makes the worker wait, not grow.
  conf_ptr pc = make_conf("producer", {{"queue.buffering.max.kbytes", "65536"}},
                          {{"transactional.id", transactional_id_}});
  rd_kafka_conf_set_dr_msg_cb(pc.get(), delivery_trampoline);
  rd_kafka_t* p = rd_kafka_new(RD_KAFKA_PRODUCER, pc.get(), why.data(), why.size());
  if (p == nullptr) throw config_error(fmt::format("kafka producer: {}", why.data()));
  (void)pc.release();
  producer_.reset(p);
}

void worker::on_rebalance(rd_kafka_t* rk, rd_kafka_resp_err_t why,
                          rd_kafka_topic_partition_list_t* parts) {
  ++wc_.rebalances;
  const bool cooperative = std::string_view(rd_kafka_rebalance_protocol(rk)) == "COOPERATIVE";
  if (why == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
    idle_since_ = clock::now();  // --exit-idle counts from the moment there is work
    assigned_ = true;
    if (cooperative) {
      error_ptr e(rd_kafka_incremental_assign(rk, parts));
      if (e) set_fatal("assigning partitions: " + describe(e.get()));
    } else {
      rd_kafka_assign(rk, parts);
    }
    return;
  }
  // Revoked (or lost): messages of those partitions read but not yet verified are
  // dropped; the new owner reads them from the last committed offset. The transaction
  // in flight, if any, ends first: the group's new generation begins only once this
  // callback returns, so its offsets still count (or it is aborted, and then the rest
  // is read again from where it began).
  const auto revoked = [&](const rd_kafka_message_t* m) {
    for (int i = 0; i < parts->cnt; ++i) {
      if (parts->elems[i].partition == m->partition &&
          std::strcmp(parts->elems[i].topic, rd_kafka_topic_name(m->rkt)) == 0) {
        return true;
      }
    }
    return false;
  };
  std::vector<message_ptr>& pending = batch_.messages;
  const auto kept = std::stable_partition(pending.begin(), pending.end(),
                                          [&](const message_ptr& m) { return !revoked(m.get()); });
  wc_.messages_dropped += static_cast<std::uint64_t>(pending.end() - kept);
  pending.erase(kept, pending.end());
  if (cooperative) {
    error_ptr e(rd_kafka_incremental_unassign(rk, parts));
    if (e) set_fatal("revoking partitions: " + describe(e.get()));
  } else {
    rd_kafka_assign(rk, nullptr);
  }
  try {  // nothing may be thrown through librdkafka
    finish_commit();
  } catch (const std::exception& e) {
    set_fatal(e.what());
  }
}

void worker::on_error(rd_kafka_t* rk, int code, const char* reason) {
  const auto err = static_cast<rd_kafka_resp_err_t>(code);
  if (err == RD_KAFKA_RESP_ERR__FATAL) {
    // The underlying error is the client's own: the producer's (fenced) or the
    // consumer's (a static member fenced by another with its group.instance.id).
    std::array<char, 512> why{};
    const rd_kafka_resp_err_t orig =
        rk != nullptr ? rd_kafka_fatal_error(rk, why.data(), why.size()) : err;
    set_fatal(fmt::format("{} ({})", rd_kafka_err2name(orig), why.data()));
    return;
  }
  if (err == RD_KAFKA_RESP_ERR__AUTHENTICATION ||
      err == RD_KAFKA_RESP_ERR_SASL_AUTHENTICATION_FAILED ||
      err == RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED ||
      err == RD_KAFKA_RESP_ERR_GROUP_AUTHORIZATION_FAILED ||
      err == RD_KAFKA_RESP_ERR_TRANSACTIONAL_ID_AUTHORIZATION_FAILED) {
    set_fatal(fmt::format("{} ({})", rd_kafka_err2name(err), reason));
    return;
  }
  // Transient (a broker down, a connection refused): librdkafka retries. Said by name,
  // once per kind of error per 10 s, so an outage does not flood the log.
  const auto now = clock::now();
  const std::lock_guard<std::mutex> hold(callbacks_);
  if (err != last_error_ || now - last_error_at_ > std::chrono::seconds(10)) {
    fmt::print(err_, "jwtbatch consume: kafka: {}: {}\n", rd_kafka_err2name(err), reason);
    last_error_ = err;
    last_error_at_ = now;
  }
}

void worker::on_delivery(const rd_kafka_message_t* m) {
  const std::lock_guard<std::mutex> hold(callbacks_);
  if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR && delivery_error_.empty()) {
    delivery_error_ = fmt::format("{} ({})", rd_kafka_err2name(m->err), rd_kafka_err2str(m->err));
  }
}

void worker::on_log(int level, const char* facility, const char* text) const {
  // Warnings and worse only; connection failures (FAIL) come through on_error already.
  if (level > 4 || std::string_view(facility) == "FAIL") return;
  // -X goes to both clients by design: each ignores the other's properties, unsaid.
  if (std::string_view(facility) == "CONFWARN" &&
      (std::strstr(text, "is a consumer property and will be ignored by this producer") !=
           nullptr ||
       std::strstr(text, "is a producer property and will be ignored by this consumer") !=
           nullptr)) {
    return;
  }
  fmt::print(err_, "jwtbatch consume: kafka {}: {}\n", facility, text);
}

void worker::set_fatal(std::string why) {
  const std::lock_guard<std::mutex> hold(callbacks_);
  if (fatal_.empty()) fatal_ = std::move(why);  // the first one is the cause
}

void worker::check_fatal() const {
  const std::lock_guard<std::mutex> hold(callbacks_);
  if (!fatal_.empty()) throw fatal_kafka(fatal_);
}

// out_partitions: OUT's partition count, from the cluster's metadata (waits for a broker).
std::int32_t worker::out_partitions() {
  const std::unique_ptr<rd_kafka_topic_t, void (*)(rd_kafka_topic_t*)> topic(
      rd_kafka_topic_new(producer_.get(), o_.out_topic.c_str(), nullptr), rd_kafka_topic_destroy);
  for (;;) {
    check_fatal();
    if (stop_signals::caught() != 0) return 1;
    const rd_kafka_metadata_t* md = nullptr;
    const rd_kafka_resp_err_t e = rd_kafka_metadata(producer_.get(), 0, topic.get(), &md, 5000);
    if (e == RD_KAFKA_RESP_ERR_NO_ERROR) {
      const std::unique_ptr<const rd_kafka_metadata_t, void (*)(const rd_kafka_metadata_t*)> hold(
          md, rd_kafka_metadata_destroy);
      if (md->topic_cnt == 1 && md->topics[0].err == RD_KAFKA_RESP_ERR_NO_ERROR &&
          md->topics[0].partition_cnt > 0) {
        return md->topics[0].partition_cnt;
      }
      if (md->topic_cnt == 1 && md->topics[0].err != RD_KAFKA_RESP_ERR__TRANSPORT &&
          md->topics[0].err != RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE) {
        throw fatal_kafka(
            fmt::format("--out-topic {}: {}", o_.out_topic, rd_kafka_err2name(md->topics[0].err)));
      }
    }
    fmt::print(err_, "jwtbatch consume: waiting for the cluster's metadata of {}: {}\n",
               o_.out_topic, rd_kafka_err2name(e));
    rd_kafka_poll(producer_.get(), k_poll_ms);
  }
}

void worker::init_transactions() {
  for (;;) {
    check_fatal();
    if (stop_signals::caught() != 0) return;
    error_ptr e(rd_kafka_init_transactions(producer_.get(), k_call_ms));
    if (!e) return;
    if (is_fatal(e) || !is_retriable(e)) {
      throw fatal_kafka("initialising transactions: " + describe(e.get()));
    }
    fmt::print(err_, "jwtbatch consume: initialising transactions: {}; retrying\n",
               describe(e.get()));
  }
}

// collect: up to --batch messages, waiting at most --batch-ms once the first came.
// Returns false when the run should end (a signal, --exit-idle).
bool worker::collect() {
  clock::time_point deadline{};
  std::vector<message_ptr>& pending = batch_.messages;
  while (pending.size() < o_.batch) {
    check_fatal();
    if (stop_signals::caught() != 0) return false;
    if (g_reload.exchange(false)) reload();
    const auto now = clock::now();  // one clock read per message
    progress(now);
    int wait = k_poll_ms;
    if (!pending.empty()) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count();
      if (left <= 0) break;
      wait = static_cast<int>(std::min<std::int64_t>(left, k_poll_ms));
    }
    message_ptr m(rd_kafka_consumer_poll(consumer_.get(), wait));
    if (!m) {
      // The input paused: serve the producer's callbacks (errors) meanwhile. While
      // messages flow, each commit does (commit_transaction flushes, which polls).
      rd_kafka_poll(producer_.get(), 0);
      if (pending.empty() && committing_.valid()) return true;  // nothing new: end that one
      if (pending.empty() && assigned_ && o_.exit_idle_ms > 0 &&
          now - idle_since_ > std::chrono::milliseconds(o_.exit_idle_ms)) {
        return false;
      }
      continue;
    }
    if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      // Not a message: an event of the consumer (a topic that does not exist...).
      on_error(consumer_.get(), m->err, rd_kafka_message_errstr(m.get()));
      continue;
    }
    if (pending.empty()) deadline = clock::now() + std::chrono::milliseconds(o_.batch_ms);
    if (!first_message_) first_message_ = clock::now();
    pending.push_back(std::move(m));
  }
  return true;
}

// The records of the batch, one per message.
void worker::verify_messages() {
  const batch_verifier& engine = *setup_.engine;
  const std::size_t limit = engine.policy().limits.max_token_bytes;
  const std::size_t n = batch_.messages.size();
  tokens_.resize(n);
  batch_.verdicts.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    const rd_kafka_message_t* m = batch_.messages[i].get();
    const std::string_view value(static_cast<const char*>(m->payload),
                                 m->payload == nullptr ? 0 : m->len);
    // Beyond the limit the verdict is token_too_large, decided before anything else is
    // read: only the first limit + 1 bytes are handed over (as verify never holds such
    // a line).
    tokens_[i] = value.substr(0, limit + 1);
  }
  if (o_.at_message_time) {
    times_.resize(n);
    const double now =
        std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
    for (std::size_t i = 0; i < n; ++i) {
      rd_kafka_timestamp_type_t type{};
      const std::int64_t ms = rd_kafka_message_timestamp(batch_.messages[i].get(), &type);
      times_[i] = ms >= 0 ? static_cast<double>(ms) / 1000.0 : now;
    }
    engine.verify_batch_at(tokens_, times_, batch_.verdicts);
  } else {
    engine.verify_batch(tokens_, batch_.verdicts);
  }
  // The records are made on the engine's threads too: for HMAC tokens, formatting costs
  // about as much as verifying.
  engine.run_in_arena([&] {
    tbb::parallel_for(tbb::blocked_range<std::size_t>(0, n, 256),
                      [&](const tbb::blocked_range<std::size_t>& range) {
                        for (std::size_t i = range.begin(); i != range.end(); ++i) {
                          format_verdict(i, limit);
                        }
                      });
  });
}

void worker::format_verdict(std::size_t i, std::size_t limit) {
  const rd_kafka_message_t* m = batch_.messages[i].get();
  result& r = batch_.verdicts[i];
  record_origin origin;
  if (tokens_[i].size() > limit) {
    // As verify says of such a line: cut, never held, never hashed.
    origin.line_cut = true;
    r.fingerprint.fill('0');
  } else if (o_.emit_token) {
    origin.token = tokens_[i];
  }
  if (o_.at_message_time) {
    origin.at = times_[i];
    origin.at_source = "message";
  }
  batch_.records[i].clear();
  append_message_record(batch_.records[i], {rd_kafka_topic_name(m->rkt), m->partition, m->offset},
                        origin, r);
  batch_.record_counts[i] = 1;
}

// Each message is one log line for scan's extractor: the messages are laid end to end,
// each a line, its own line breaks turned into spaces (a token never holds one, and
// a space separates as a line break does), so the pipeline sees exactly one line per
// message, in order.
void worker::scan_messages() {
  std::string text;
  for (const message_ptr& m : batch_.messages) {
    const std::size_t at = text.size();
    text.append(static_cast<const char*>(m->payload), m->payload == nullptr ? 0 : m->len);
    std::replace_if(
        text.begin() + static_cast<std::ptrdiff_t>(at), text.end(),
        [](char c) { return c == '\n' || c == '\r'; }, ' ');
    text += '\n';
  }
  batch_.verdicts.clear();  // every token's verdict, in order
  batch_.without_token = 0;
  const scan_extractor extractor(make_scan_times(o_.times, std::nullopt));
  memory_source source(text);
  pipeline_options options;
  options.max_line_bytes = k_max_log_line;
  verify_stream(
      *setup_.engine, source, extractor,
      [&](const line_result& line, bool /*flush*/) {
        const std::size_t i = line.number - 1;
        const rd_kafka_message_t* m = batch_.messages[i].get();
        std::string& records = batch_.records[i];
        records.clear();
        batch_.record_counts[i] = line.tokens.size();
        if (line.tokens.empty()) ++batch_.without_token;
        for (std::size_t t = 0; t < line.tokens.size(); ++t) {
          const line_token& tok = line.tokens[t];
          record_origin origin;
          origin.offset = tok.offset;
          origin.percent_encoded = (tok.tag & k_tag_percent_encoded) != 0;
          origin.at = line.at;
          origin.at_source = time_source_name(line.at_source);
          origin.line_cut = line.cut_line || line.cut;
          if (o_.emit_token) origin.token = tok.token;
          if (t != 0) records += '\n';
          append_message_record(records, {rd_kafka_topic_name(m->rkt), m->partition, m->offset},
                                origin, line.results[t]);
          batch_.verdicts.push_back(line.results[t]);
        }
      },
      options);
}

bool worker::commit_batch(batch& b, const rd_kafka_consumer_group_metadata_t* group) {
  rd_kafka_t* p = producer_.get();
  if (error_ptr e(rd_kafka_begin_transaction(p)); e) {
    throw fatal_kafka("beginning a transaction: " + describe(e.get()));
  }
  {
    const std::lock_guard<std::mutex> hold(callbacks_);
    delivery_error_.clear();
  }
  partition_offsets next;  // what the batch commits: each partition's last offset + 1
  for (std::size_t i = 0; i < b.messages.size(); ++i) {
    const rd_kafka_message_t* m = b.messages[i].get();
    next[{rd_kafka_topic_name(m->rkt), m->partition}] = m->offset + 1;
    const std::int32_t partition = m->partition % out_partitions_;
    std::string_view rest = b.records[i];
    for (std::size_t k = 0; k < b.record_counts[i]; ++k) {
      const std::size_t end = std::min(rest.find('\n'), rest.size());
      const std::string_view record = rest.substr(0, end);
      rest.remove_prefix(std::min(end + 1, rest.size()));
      // NOLINTNEXTLINE(cppcoreguidelines-pro-type-const-cast): librdkafka copies (F_COPY)
      void* value = const_cast<char*>(record.data());
      std::array<rd_kafka_vu_t, 5> fields{};
      fields[0].vtype = RD_KAFKA_VTYPE_TOPIC;
      fields[0].u.cstr = o_.out_topic.c_str();
      fields[1].vtype = RD_KAFKA_VTYPE_PARTITION;
      fields[1].u.i32 = partition;
      fields[2].vtype = RD_KAFKA_VTYPE_KEY;
      fields[2].u.mem = {m->key, m->key_len};
      fields[3].vtype = RD_KAFKA_VTYPE_VALUE;
      fields[3].u.mem = {value, record.size()};
      fields[4].vtype = RD_KAFKA_VTYPE_MSGFLAGS;
      fields[4].u.i = RD_KAFKA_MSG_F_COPY;
      for (;;) {
        const error_ptr e(rd_kafka_produceva(p, fields.data(), fields.size()));
        if (!e) break;
        if (rd_kafka_error_code(e.get()) != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
          // Not transient (a record over message.max.bytes, OUT gone): reading the batch
          // again would fail again.
          const error_ptr aborted(rd_kafka_abort_transaction(p, k_call_ms));  // ends anyway
          throw fatal_kafka(fmt::format("producing to {}: {}", o_.out_topic, describe(e.get())));
        }
        // Back-pressure: OUT is slower than the engine. Wait for deliveries to free
        // the producer's bounded queue instead of growing memory.
        rd_kafka_poll(p, k_poll_ms);
        check_fatal();
      }
    }
  }
  const partition_list offsets = partition_list_of(next);
  // A retriable error (a timeout, a coordinator moving) repeats the same call, unless
  // the worker is asked to stop: then the transaction is aborted instead.
  const auto stopping = [] { return stop_signals::caught() != 0; };
  const auto retrying = [&](const char* what, const error_ptr& e) {
    if (!is_retriable(e) || stopping()) return false;
    fmt::print(err_, "jwtbatch consume: {}: {}; retrying\n", what, describe(e.get()));
    return true;
  };
  error_ptr e;
  do {
    e.reset(rd_kafka_send_offsets_to_transaction(p, offsets.get(), group, k_call_ms));
  } while (e && retrying("sending the offsets", e));
  if (!e) {
    do {
      e.reset(rd_kafka_commit_transaction(p, k_call_ms));
      if (!e) return true;
    } while (retrying("committing a transaction", e));
  }
  if (is_fatal(e) || !(requires_abort(e) || (stopping() && is_retriable(e)))) {
    throw fatal_kafka("committing a transaction: " + describe(e.get()));
  }
  std::string delivery;
  {
    const std::lock_guard<std::mutex> hold(callbacks_);
    if (!delivery_error_.empty()) delivery = "; delivery: " + delivery_error_;
  }
  fmt::print(err_, "jwtbatch consume: transaction aborted, its {} messages are read again: {}{}\n",
             b.messages.size(), describe(e.get()), delivery);
  for (;;) {
    error_ptr a(rd_kafka_abort_transaction(p, k_call_ms));
    if (!a) return false;
    if (is_fatal(a) || !is_retriable(a) || stopping()) {
      // Left open, the coordinator aborts it after transaction.timeout.ms.
      throw fatal_kafka("aborting a transaction: " + describe(a.get()));
    }
  }
}

void worker::start_commit() {
  std::swap(committed_, batch_);
  batch_.clear();
  std::shared_ptr<rd_kafka_consumer_group_metadata_t> group(
      rd_kafka_consumer_group_metadata(consumer_.get()), rd_kafka_consumer_group_metadata_destroy);
  committing_ = std::async(std::launch::async,
                           [this, group] { return commit_batch(committed_, group.get()); });
}

void worker::finish_commit() {
  if (!committing_.valid()) return;
  if (committing_.get()) {  // rethrows what the committing thread threw
    ++wc_.transactions;
    wc_.messages += committed_.messages.size();
    wc_.messages_without_token += committed_.without_token;
    for (const result& r : committed_.verdicts) counts_.add(r);
    last_commit_ = clock::now();
    idle_since_ = last_commit_;
  } else {
    // Its verdicts are given when it is read again, and so are those of the batch read
    // meanwhile, which must not be committed past the gap.
    ++wc_.transactions_aborted;
    rewind({&committed_, &batch_});
    batch_.clear();
  }
  committed_.clear();
}

// rewind: after an aborted transaction, each assigned partition of `batches` is read
// again from its first message there.
void worker::rewind(const std::vector<const batch*>& batches) {
  partition_offsets first;
  for (const batch* b : batches) {
    for (const message_ptr& m : b->messages) {
      first.try_emplace({rd_kafka_topic_name(m->rkt), m->partition}, m->offset);
    }
  }
  rd_kafka_topic_partition_list_t* raw = nullptr;
  if (rd_kafka_assignment(consumer_.get(), &raw) != RD_KAFKA_RESP_ERR_NO_ERROR) return;
  const partition_list assigned(raw);
  // A partition revoked meanwhile is read again by its new owner, from the commit.
  const partition_list parts = partition_list_of(first, assigned.get());
  if (parts->cnt == 0) return;
  if (error_ptr e(rd_kafka_seek_partitions(consumer_.get(), parts.get(), k_call_ms)); e) {
    throw fatal_kafka("rewinding after an aborted transaction: " + describe(e.get()));
  }
}

// One round: the batch read is verified while the previous one's transaction commits.
void worker::process() {
  batch_.records.resize(batch_.messages.size());
  batch_.record_counts.resize(batch_.messages.size());
  if (o_.mode == "scan") {
    scan_messages();
  } else {
    verify_messages();
  }
}

void worker::reload() {
  if (reload_keys(setup_, err_)) {
    ++wc_.reloads;
  } else {
    ++wc_.reloads_failed;
  }
}

std::pair<std::int64_t, int> worker::measure_lag() const {
  // What the assigned partitions hold beyond this worker's position (the high
  // watermarks librdkafka last saw: no request is made for them).
  std::int64_t lag = 0;
  rd_kafka_topic_partition_list_t* raw = nullptr;
  if (!consumer_ || rd_kafka_assignment(consumer_.get(), &raw) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return {0, 0};
  }
  const partition_list parts(raw);
  rd_kafka_position(consumer_.get(), parts.get());
  for (int i = 0; i < parts->cnt; ++i) {
    std::int64_t low = 0;
    std::int64_t high = 0;
    const auto& tp = parts->elems[i];
    if (rd_kafka_get_watermark_offsets(consumer_.get(), tp.topic, tp.partition, &low, &high) ==
            RD_KAFKA_RESP_ERR_NO_ERROR &&
        high >= 0) {
      lag += std::max<std::int64_t>(0, high - (tp.offset >= 0 ? tp.offset : low));
    }
  }
  return {lag, parts->cnt};
}

void worker::progress(clock::time_point now) {
  if (o_.quiet || o_.progress_seconds == 0) return;
  const double seconds = std::chrono::duration<double>(now - last_progress_).count();
  if (seconds < o_.progress_seconds) return;
  const auto [lag, assigned] = measure_lag();
  fmt::print(err_,
             "jwtbatch consume: {} messages ({:.0f}/s), {} records, {} ok, {} transactions ({} "
             "aborted), lag {} on {} partitions\n",
             wc_.messages,
             seconds > 0 ? static_cast<double>(wc_.messages - progress_messages_) / seconds : 0.0,
             counts_.records, counts_.ok, wc_.transactions, wc_.transactions_aborted, lag,
             assigned);
  last_progress_ = now;
  progress_messages_ = wc_.messages;
}

int worker::run() {
  setup_ = make_engine(o_.engine, err_, true);  // every record has "fp"
  if (o_.transactional_id.empty()) {
    std::array<char, 256> host{};
    if (::gethostname(host.data(), host.size() - 1) != 0) host[0] = '\0';
    transactional_id_ = fmt::format("jwtbatch-{}-{}-{}", o_.group, host.data(), ::getpid());
  } else {
    transactional_id_ = o_.transactional_id;
  }
  output_options summary_out;
  summary_out.summary_json = o_.summary_json;
  output_files files(summary_out, {}, out_);
  make_clients();

  int code = 0;
  std::string why;
  try {
    out_partitions_ = out_partitions();
    init_transactions();
    const partition_list topics(rd_kafka_topic_partition_list_new(1));
    rd_kafka_topic_partition_list_add(topics.get(), o_.topic.c_str(), RD_KAFKA_PARTITION_UA);
    if (const rd_kafka_resp_err_t e = rd_kafka_subscribe(consumer_.get(), topics.get()); e) {
      throw fatal_kafka(fmt::format("--topic {}: {}", o_.topic, rd_kafka_err2name(e)));
    }
    if (!o_.quiet) {
      fmt::print(err_,
                 "jwtbatch consume: group {} on {} -> {} ({} partitions), transactional id {}, "
                 "{} threads\n",
                 o_.group, o_.topic, o_.out_topic, out_partitions_, transactional_id_,
                 setup_.engine->threads());
    }
    idle_since_ = clock::now();
    for (;;) {
      const bool more = collect();
      if (!batch_.empty()) process();  // while the previous batch commits
      finish_commit();
      if (!batch_.empty()) start_commit();
      if (!more) break;
    }
    finish_commit();
  } catch (const fatal_kafka& e) {
    code = 2;
    why = e.what();
  }
  if (committing_.valid()) committing_.wait();  // the clients outlive its transaction
  const std::int64_t lag_at_end = measure_lag().first;
  // Leave the group (the partitions go to the other workers at once) and close.
  if (code == 0) {
    if (const rd_kafka_resp_err_t e = rd_kafka_consumer_close(consumer_.get()); e) {
      fmt::print(err_, "jwtbatch consume: leaving the group: {}\n", rd_kafka_err2name(e));
    }
  }
  consumer_.reset();
  producer_.reset();

  run_summary summary = run_summary::of("consume", counts_, started_, setup_);
  summary.extra = {{"messages", wc_.messages},
                   {"transactions", wc_.transactions},
                   {"transactions_aborted", wc_.transactions_aborted},
                   {"messages_dropped", wc_.messages_dropped},
                   {"rebalances", wc_.rebalances},
                   {"reloads", wc_.reloads},
                   {"reloads_failed", wc_.reloads_failed},
                   {"active_ms", active_ms()},
                   {"lag", static_cast<std::uint64_t>(lag_at_end)}};
  if (o_.mode == "scan") {
    summary.extra.emplace_back("messages_without_token", wc_.messages_without_token);
  }
  summary.exit_code = code != 0 ? code : stop_signals::exit_code();
  if (!o_.quiet) print_summary(err_, "jwtbatch consume", summary);
  files.finish(summary);
  if (code != 0) fmt::print(err_, "jwtbatch: consume: {}\n", why);
  return summary.exit_code;
}

}  // namespace

void setup_consume_command(CLI::App& command, consume_options& o) {
  CLI::App* cmd = &command;
  cmd->add_option("--brokers", o.brokers, "Bootstrap brokers, host:port[,host:port...]")
      ->type_name("LIST")
      ->required()
      ->check(non_empty());
  cmd->add_option("--topic", o.topic, "Topic the tokens (or log lines) are read from")
      ->type_name("IN")
      ->required()
      ->check(non_empty());
  cmd->add_option("--group", o.group, "Consumer group: workers of one group share IN's partitions")
      ->type_name("ID")
      ->required()
      ->check(non_empty());
  cmd->add_option("--out-topic", o.out_topic, "Topic each verdict record is produced to")
      ->type_name("OUT")
      ->required()
      ->check(non_empty());
  cmd->add_option("--mode", o.mode,
                  "verify: a message's value is one token (one record per message); scan: a "
                  "log line (one record per token found)")
      ->type_name("MODE")
      ->check(CLI::IsMember({"verify", "scan"}))
      ->capture_default_str();
  cmd->add_option("-X", o.settings,
                  "A librdkafka property for both clients, as kcat takes it (security.protocol, "
                  "sasl.*, ssl.*, session.timeout.ms...); repeatable")
      ->type_name("KEY=VALUE")
      ->allow_extra_args(false);
  cmd->add_option("--transactional-id", o.transactional_id,
                  "The producer's transactional.id; a worker restarted with the same id fences "
                  "its predecessor at once (default: jwtbatch-GROUP-HOST-PID)")
      ->type_name("ID")
      ->check(non_empty());
  add_whole_flag(cmd, "--batch", o.batch, std::size_t{1}, std::size_t{1000000},
                 "Messages per transaction, at most", "", "10000");
  add_whole_flag(cmd, "--batch-ms", o.batch_ms, 1, 60000,
                 "The longest a batch waits to fill once its first message came", "ms", "100");
  add_engine_flags(cmd, o.engine);
  cmd->add_flag("--at-message-time", o.at_message_time,
                "Judge each token at its message's Kafka timestamp (--mode verify)");
  add_scan_time_flags(cmd, o.times, "from the current date");
  cmd->add_flag("--emit-token", o.emit_token, "Records carry the token");
  add_whole_flag(cmd, "--progress-interval", o.progress_seconds, 0, 86400,
                 "A progress line (messages, rate, lag) on stderr every N seconds; 0: none", "s",
                 "10");
  add_whole_flag(cmd, "--exit-idle", o.exit_idle_ms, 0, 86400000,
                 "Stop (exit 0) once nothing came for this long; 0: run until a signal", "ms", "0");
  cmd->add_flag("-q,--quiet", o.quiet, "No progress lines and no summary on stderr");
  cmd->add_option("--summary-json", o.summary_json, "Write the run's summary as JSON to FILE")
      ->type_name("FILE")
      ->check(non_empty());
  cmd->footer(
      "Exit codes:\n"
      "  0    stopped by --exit-idle\n"
      "  2    usage, configuration or key error, or a fatal Kafka error (fenced by a newer\n"
      "       worker, refused credentials): the message names it\n"
      "  130, 143\n"
      "       stopped by SIGINT or SIGTERM (128 + signal), after the open transaction\n"
      "SIGHUP reloads the key files and URLs.");
}

int run_consume(const consume_options& o, std::FILE* out, std::FILE* err) {
  if (o.mode != "scan" &&
      (o.times.at_log_time || !o.times.time_field.empty() || o.times.syslog_year != 0)) {
    throw config_error("--at-log-time, --time-field, --syslog-year: need --mode scan");
  }
  if (o.mode == "scan" && o.at_message_time) {
    throw config_error("--at-message-time: needs --mode verify (scan judges at --at-log-time)");
  }
  if (o.topic == o.out_topic) {
    throw config_error(fmt::format("--out-topic {}: is also --topic", o.out_topic));
  }
  stop_signals stop(false);  // SIGINT, SIGTERM: stop; SIGHUP: reload (below)
  stop.arm();
  g_reload = false;
  const hangup_reloader hangup([] { g_reload = true; });
  worker w(o, out, err);
  return w.run();
}

}  // namespace jwtbatch::cli
