/* kafka_mock_selftest KAFKA_MOCK: proves the transactional semantics of the patched
 * mock cluster (tests/kafka/mock/librdkafka-mock-transactions.patch) the way the
 * Kafka tests use it: kafka_mock runs as a separate process and real clients,
 * linked to Debian's librdkafka like jwtbatch, talk to it over loopback.
 *
 *  1. abort:   an aborted transaction is invisible to read_committed and visible to
 *              read_uncommitted; the markers take one offset each.
 *  2. offsets: send_offsets_to_transaction moves the group's committed offset only
 *              when the transaction commits; pending offsets are not visible before
 *              (read_committed consumers get UNSTABLE_OFFSET_COMMIT and retry).
 *     group:   a group member starts at the committed offset, and a member whose
 *              partition has a pending transactional offset waits for the commit;
 *              offsets sent with the group metadata of an older generation are
 *              refused (ILLEGAL_GENERATION), fencing a zombie after a rebalance.
 *  3. fence:   a second producer with the same transactional.id aborts the first
 *              one's open transaction (the LSO held back until then) and fences it.
 *  4. timeout: a producer killed with -9 in a transaction (transaction.timeout.ms
 *              5000) holds back the LSO until the mock aborts it; a read_committed
 *              reader waiting meanwhile then reads the next committed record.
 *  5. the stdin protocol: errors, topic creation, broker down and up, quit.
 * Exits 0 when everything holds, 1 naming the first difference otherwise.
 *
 * kafka_mock_selftest --zombie BOOTSTRAP is the producer of case 4 (run by case 4). */

#define _GNU_SOURCE
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>

extern char** environ;

static pid_t mock_pid = -1;
static char bootstrap[512];

static void fail(const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "kafka_mock_selftest: FAIL: ");
  vfprintf(stderr, fmt, ap);
  fprintf(stderr, "\n");
  va_end(ap);
  if (mock_pid > 0) kill(mock_pid, SIGKILL);
  exit(1);
}

static void expect_str(const char* what, const char* got, const char* want) {
  if (strcmp(got, want) != 0) fail("%s: got \"%s\", want \"%s\"", what, got, want);
  printf("ok: %s: %s\n", what, got);
}

static void expect_i64(const char* what, int64_t got, int64_t want) {
  if (got != want) fail("%s: got %lld, want %lld", what, (long long)got, (long long)want);
  printf("ok: %s: %lld\n", what, (long long)got);
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* new_client makes a producer or consumer of the mock; |kv| is a NULL-ended list of
 * property, value pairs. */
static rd_kafka_t* new_client(rd_kafka_type_t type, const char* const* kv) {
  char errstr[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_t* rk;
  if (rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap, errstr, sizeof(errstr)))
    fail("conf: %s", errstr);
  for (; kv && kv[0]; kv += 2)
    if (rd_kafka_conf_set(conf, kv[0], kv[1], errstr, sizeof(errstr)))
      fail("conf %s: %s", kv[0], errstr);
  rk = rd_kafka_new(type, conf, errstr, sizeof(errstr));
  if (rk == NULL) fail("rd_kafka_new: %s", errstr);
  return rk;
}

static rd_kafka_t* txn_producer(const char* txn_id, const char* timeout_ms) {
  const char* kv[] = {
      "transactional.id", txn_id, "transaction.timeout.ms", timeout_ms, "linger.ms", "0", NULL};
  return new_client(RD_KAFKA_PRODUCER, kv);
}

static void txn_ok(rd_kafka_error_t* error, const char* what) {
  if (error) fail("%s: %s", what, rd_kafka_error_string(error));
}

static void produce(rd_kafka_t* rk, const char* topic, const char* value) {
  rd_kafka_resp_err_t err =
      rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_PARTITION(0),
                        RD_KAFKA_V_VALUE((void*)(uintptr_t)value, strlen(value)),
                        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
  if (err) fail("produce %s to %s: %s", value, topic, rd_kafka_err2str(err));
}

/* flush waits until every produced record is acknowledged (written to the log). */
static void flush(rd_kafka_t* rk) {
  rd_kafka_resp_err_t err = rd_kafka_flush(rk, 10000);
  if (err) fail("flush: %s", rd_kafka_err2str(err));
}

static rd_kafka_t* reader(const char* isolation) {
  /* check.crcs: the mock's control batches carry a correct CRC32C too */
  const char* kv[] = {"group.id",
                      "selftest-reader",
                      "isolation.level",
                      isolation,
                      "enable.partition.eof",
                      "true",
                      "enable.auto.commit",
                      "false",
                      "auto.offset.reset",
                      "earliest",
                      "fetch.wait.max.ms",
                      "50",
                      "check.crcs",
                      "true",
                      NULL};
  return new_client(RD_KAFKA_CONSUMER, kv);
}

static void assign_from_start(rd_kafka_t* rk, const char* topic) {
  rd_kafka_topic_partition_list_t* parts = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(parts, topic, 0)->offset = RD_KAFKA_OFFSET_BEGINNING;
  if (rd_kafka_assign(rk, parts)) fail("assign %s", topic);
  rd_kafka_topic_partition_list_destroy(parts);
}

/* next_record appends "OFFSET:VALUE " of the next record to |out|; returns 0 at the
 * end of the partition (as the reader's isolation level sees it), 1 after a record. */
static int next_record(rd_kafka_t* rk, char* out, size_t out_size, double deadline) {
  while (now_s() < deadline) {
    rd_kafka_message_t* m = rd_kafka_consumer_poll(rk, 100);
    int got;
    if (m == NULL) continue;
    if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      rd_kafka_message_destroy(m);
      return 0;
    }
    if (m->err) fail("consume: %s", rd_kafka_message_errstr(m));
    got = snprintf(out + strlen(out), out_size - strlen(out), "%lld:%.*s ", (long long)m->offset,
                   (int)m->len, (const char*)m->payload);
    rd_kafka_message_destroy(m);
    if (got < 0) fail("record text");
    return 1;
  }
  fail("no record and no end of partition within the deadline");
  return 0;
}

/* read_all: every record of |topic| [0] an |isolation| reader sees, as
 * "OFFSET:VALUE ...". */
static void read_all(const char* topic, const char* isolation, char* out, size_t out_size) {
  rd_kafka_t* rk = reader(isolation);
  double deadline = now_s() + 20;
  out[0] = '\0';
  assign_from_start(rk, topic);
  while (next_record(rk, out, out_size, deadline)) {
  }
  if (out[0]) out[strlen(out) - 1] = '\0';
  rd_kafka_consumer_close(rk);
  rd_kafka_destroy(rk);
}

/* high_watermark: the end offset of |topic| [0] for an |isolation| reader (ListOffsets:
 * the LSO for read_committed). */
static int64_t high_watermark(const char* topic, const char* isolation) {
  rd_kafka_t* rk = reader(isolation);
  int64_t lo = -1, hi = -1;
  rd_kafka_resp_err_t err = rd_kafka_query_watermark_offsets(rk, topic, 0, &lo, &hi, 10000);
  if (err) fail("watermarks of %s: %s", topic, rd_kafka_err2str(err));
  rd_kafka_destroy(rk);
  return hi;
}

/* committed_as: the committed offset of |topic| [0] for |group|, as a consumer of
 * |isolation| level asks for it (read_committed asks for stable offsets, KIP-447),
 * or on failure the error's name. */
static void committed_as(const char* group, const char* topic, const char* isolation, char* out,
                         size_t out_size) {
  const char* kv[] = {"group.id", group, "isolation.level", isolation, NULL};
  rd_kafka_t* rk = new_client(RD_KAFKA_CONSUMER, kv);
  rd_kafka_topic_partition_list_t* parts = rd_kafka_topic_partition_list_new(1);
  rd_kafka_resp_err_t err;
  rd_kafka_topic_partition_list_add(parts, topic, 0);
  err = rd_kafka_committed(rk, parts, 2000);
  if (!err) err = parts->elems[0].err;
  if (err)
    snprintf(out, out_size, "%s", rd_kafka_err2name(err));
  else
    snprintf(out, out_size, "%lld", (long long)parts->elems[0].offset);
  rd_kafka_topic_partition_list_destroy(parts);
  rd_kafka_destroy(rk);
}

static int64_t committed(const char* group, const char* topic) {
  const char* kv[] = {"group.id", group, NULL};
  rd_kafka_t* rk = new_client(RD_KAFKA_CONSUMER, kv);
  rd_kafka_topic_partition_list_t* parts = rd_kafka_topic_partition_list_new(1);
  int64_t offset;
  rd_kafka_topic_partition_list_add(parts, topic, 0);
  if (rd_kafka_committed(rk, parts, 10000) || parts->elems[0].err)
    fail("committed offset of %s for %s", topic, group);
  offset = parts->elems[0].offset;
  rd_kafka_topic_partition_list_destroy(parts);
  rd_kafka_destroy(rk);
  return offset;
}

static void send_offset(rd_kafka_t* producer, const char* group, const char* topic,
                        int64_t offset) {
  rd_kafka_topic_partition_list_t* parts = rd_kafka_topic_partition_list_new(1);
  rd_kafka_consumer_group_metadata_t* cgmd = rd_kafka_consumer_group_metadata_new(group);
  rd_kafka_topic_partition_list_add(parts, topic, 0)->offset = offset;
  txn_ok(rd_kafka_send_offsets_to_transaction(producer, parts, cgmd, 10000),
         "send_offsets_to_transaction");
  rd_kafka_consumer_group_metadata_destroy(cgmd);
  rd_kafka_topic_partition_list_destroy(parts);
}

static void case_abort(void) {
  char got[1024];
  rd_kafka_t* p = txn_producer("selftest-abort", "60000");
  txn_ok(rd_kafka_init_transactions(p, 10000), "init_transactions");
  txn_ok(rd_kafka_begin_transaction(p), "begin");
  produce(p, "t_abort", "a0");
  produce(p, "t_abort", "a1");
  produce(p, "t_abort", "a2");
  flush(p);
  txn_ok(rd_kafka_abort_transaction(p, 10000), "abort");
  txn_ok(rd_kafka_begin_transaction(p), "begin");
  produce(p, "t_abort", "c0");
  produce(p, "t_abort", "c1");
  txn_ok(rd_kafka_commit_transaction(p, 10000), "commit");
  rd_kafka_destroy(p);

  /* a0..a2 at 0..2, ABORT marker 3, c0 c1 at 4 5, COMMIT marker 6 */
  read_all("t_abort", "read_committed", got, sizeof(got));
  expect_str("abort: read_committed sees", got, "4:c0 5:c1");
  read_all("t_abort", "read_uncommitted", got, sizeof(got));
  expect_str("abort: read_uncommitted sees", got, "0:a0 1:a1 2:a2 4:c0 5:c1");
  expect_i64("abort: high watermark", high_watermark("t_abort", "read_uncommitted"), 7);
  expect_i64("abort: LSO", high_watermark("t_abort", "read_committed"), 7);
}

static void case_offsets(void) {
  char got[1024];
  rd_kafka_t* p = txn_producer("selftest-offsets", "60000");
  txn_ok(rd_kafka_init_transactions(p, 10000), "init_transactions");
  expect_i64("offsets: committed before", committed("g", "in"), RD_KAFKA_OFFSET_INVALID);

  txn_ok(rd_kafka_begin_transaction(p), "begin");
  produce(p, "t_out", "o0");
  send_offset(p, "g", "in", 5);
  flush(p);
  committed_as("g", "in", "read_uncommitted", got, sizeof(got));
  expect_str("offsets: pending commit not applied (read_uncommitted)", got, "-1001");
  committed_as("g", "in", "read_committed", got, sizeof(got));
  /* UNSTABLE_OFFSET_COMMIT: librdkafka retries until the transaction ends, here until
   * rd_kafka_committed's 2 s timeout. */
  expect_str("offsets: pending commit unstable (read_committed)", got, "_TIMED_OUT");
  txn_ok(rd_kafka_commit_transaction(p, 10000), "commit");
  expect_i64("offsets: after commit", committed("g", "in"), 5);

  txn_ok(rd_kafka_begin_transaction(p), "begin");
  produce(p, "t_out", "o1");
  send_offset(p, "g", "in", 9);
  txn_ok(rd_kafka_abort_transaction(p, 10000), "abort");
  expect_i64("offsets: after abort", committed("g", "in"), 5);

  /* Offsets alone, no record: still applied on commit only. */
  txn_ok(rd_kafka_begin_transaction(p), "begin");
  send_offset(p, "g", "in", 7);
  txn_ok(rd_kafka_commit_transaction(p, 10000), "commit");
  expect_i64("offsets: offsets-only transaction", committed("g", "in"), 7);
  expect_i64("offsets: other group untouched", committed("h", "in"), RD_KAFKA_OFFSET_INVALID);
  rd_kafka_destroy(p);

  /* o0 at 0, COMMIT 1, o1 at 2, ABORT 3 */
  read_all("t_out", "read_committed", got, sizeof(got));
  expect_str("offsets: read_committed sees", got, "0:o0");
}

/* first_offset_of_p0: the offset of the first record of partition 0 that |member| gets
 * within |seconds| of being assigned its partitions, or -1. */
static int64_t first_offset_of_p0(rd_kafka_t* member, double seconds) {
  double deadline = now_s() + 30; /* for the group to assign the partitions */
  int assigned = 0;
  while (now_s() < deadline) {
    rd_kafka_message_t* m = rd_kafka_consumer_poll(member, 100);
    int64_t offset = -1;
    if (!assigned) {
      rd_kafka_topic_partition_list_t* parts = NULL;
      if (!rd_kafka_assignment(member, &parts) && parts->cnt > 0) {
        assigned = 1;
        deadline = now_s() + seconds;
      }
      if (parts) rd_kafka_topic_partition_list_destroy(parts);
    }
    if (m == NULL) continue;
    if (!m->err && m->partition == 0) offset = m->offset;
    rd_kafka_message_destroy(m);
    if (offset >= 0) return offset;
  }
  if (!assigned) fail("the group member got no partitions");
  return -1;
}

static rd_kafka_t* new_member(const char* group, const char* topic) {
  const char* kv[] = {"group.id",
                      group,
                      "auto.offset.reset",
                      "earliest",
                      "enable.auto.commit",
                      "false",
                      "session.timeout.ms",
                      "6000",
                      NULL};
  rd_kafka_t* rk = new_client(RD_KAFKA_CONSUMER, kv);
  rd_kafka_topic_partition_list_t* topics = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(topics, topic, RD_KAFKA_PARTITION_UA);
  if (rd_kafka_subscribe(rk, topics)) fail("subscribe %s", topic);
  rd_kafka_topic_partition_list_destroy(topics);
  return rk;
}

static void poll_and_drop(rd_kafka_t* rk) {
  rd_kafka_message_t* m = rd_kafka_consumer_poll(rk, 100);
  if (m) rd_kafka_message_destroy(m);
}

static int assigned(rd_kafka_t* member) {
  rd_kafka_topic_partition_list_t* parts = NULL;
  int cnt = 0;
  if (!rd_kafka_assignment(member, &parts)) cnt = parts->cnt;
  if (parts) rd_kafka_topic_partition_list_destroy(parts);
  return cnt;
}

/* case_group_generation: KIP-447 zombie fencing by the group's generation. */
static void case_group_generation(rd_kafka_t* p) {
  rd_kafka_t* m1 = new_member("gz", "in");
  rd_kafka_t* m2;
  rd_kafka_consumer_group_metadata_t* cgmd;
  rd_kafka_topic_partition_list_t* parts;
  rd_kafka_error_t* error;
  double deadline = now_s() + 30;
  while (assigned(m1) != 2 && now_s() < deadline) poll_and_drop(m1);
  if (assigned(m1) != 2) fail("group: the first member got no partitions");
  cgmd = rd_kafka_consumer_group_metadata(m1);

  txn_ok(rd_kafka_begin_transaction(p), "begin");
  parts = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(parts, "in", 0)->offset = 3;
  txn_ok(rd_kafka_send_offsets_to_transaction(p, parts, cgmd, 10000),
         "send_offsets_to_transaction (current generation)");
  txn_ok(rd_kafka_commit_transaction(p, 10000), "commit");
  expect_i64("group: offsets of the current generation", committed("gz", "in"), 3);

  /* A second member: the group rebalances, m1's metadata is now an old generation */
  m2 = new_member("gz", "in");
  deadline = now_s() + 30;
  while ((assigned(m2) != 1 || assigned(m1) != 1) && now_s() < deadline) {
    poll_and_drop(m1);
    poll_and_drop(m2);
  }
  if (assigned(m2) != 1 || assigned(m1) != 1) fail("group: no rebalance to two members");

  txn_ok(rd_kafka_begin_transaction(p), "begin");
  parts->elems[0].offset = 6;
  error = rd_kafka_send_offsets_to_transaction(p, parts, cgmd, 10000);
  if (error == NULL) fail("group: offsets of an old generation were accepted");
  expect_str("group: offsets of an old generation", rd_kafka_err2name(rd_kafka_error_code(error)),
             "ILLEGAL_GENERATION");
  rd_kafka_error_destroy(error);
  txn_ok(rd_kafka_abort_transaction(p, 10000), "abort");
  expect_i64("group: committed offset unchanged", committed("gz", "in"), 3);

  rd_kafka_topic_partition_list_destroy(parts);
  rd_kafka_consumer_group_metadata_destroy(cgmd);
  rd_kafka_consumer_close(m2);
  rd_kafka_destroy(m2);
  rd_kafka_consumer_close(m1);
  rd_kafka_destroy(m1);
}

static void case_group(void) {
  rd_kafka_t* member;
  rd_kafka_t* p = txn_producer("selftest-group", "60000");
  int i;
  txn_ok(rd_kafka_init_transactions(p, 10000), "init_transactions");
  txn_ok(rd_kafka_begin_transaction(p), "begin");
  for (i = 0; i < 10; i++) produce(p, "in", "r");
  txn_ok(rd_kafka_commit_transaction(p, 10000), "commit");
  /* records at 0..9, COMMIT marker 10; group g committed 7 in case_offsets */
  member = new_member("g", "in");
  expect_i64("group: a member starts at the committed offset", first_offset_of_p0(member, 20), 7);
  rd_kafka_consumer_close(member);
  rd_kafka_destroy(member);

  txn_ok(rd_kafka_begin_transaction(p), "begin");
  send_offset(p, "g2", "in", 8);
  member = new_member("g2", "in");
  expect_i64("group: no record while the group's offset is pending", first_offset_of_p0(member, 3),
             -1);
  txn_ok(rd_kafka_commit_transaction(p, 10000), "commit");
  expect_i64("group: then the transaction's offset", first_offset_of_p0(member, 20), 8);
  rd_kafka_consumer_close(member);
  rd_kafka_destroy(member);
  case_group_generation(p);
  rd_kafka_destroy(p);
}

static void case_fence(void) {
  char got[1024];
  rd_kafka_error_t* error;
  rd_kafka_t* zombie = txn_producer("selftest-fence", "60000");
  rd_kafka_t* p;
  txn_ok(rd_kafka_init_transactions(zombie, 10000), "init_transactions");
  txn_ok(rd_kafka_begin_transaction(zombie), "begin");
  produce(zombie, "t_fence", "z0");
  produce(zombie, "t_fence", "z1");
  flush(zombie);
  expect_i64("fence: LSO held by the open transaction", high_watermark("t_fence", "read_committed"),
             0);
  expect_i64("fence: high watermark", high_watermark("t_fence", "read_uncommitted"), 2);

  p = txn_producer("selftest-fence", "60000");
  txn_ok(rd_kafka_init_transactions(p, 10000), "init_transactions (new instance)");
  /* z0 z1 at 0 1, ABORT marker 2 */
  expect_i64("fence: LSO after the new instance", high_watermark("t_fence", "read_committed"), 3);

  produce(zombie, "t_fence", "z2");
  error = rd_kafka_commit_transaction(zombie, 10000);
  if (error == NULL) fail("fence: the fenced producer committed");
  printf("ok: fence: the old instance cannot commit: %s%s\n", rd_kafka_error_string(error),
         rd_kafka_error_is_fatal(error) ? " (fatal)" : "");
  rd_kafka_error_destroy(error);
  rd_kafka_destroy(zombie);

  txn_ok(rd_kafka_begin_transaction(p), "begin");
  produce(p, "t_fence", "f0");
  txn_ok(rd_kafka_commit_transaction(p, 10000), "commit");
  rd_kafka_destroy(p);

  /* f0 at 3, COMMIT 4; z2 never written */
  read_all("t_fence", "read_committed", got, sizeof(got));
  expect_str("fence: read_committed sees", got, "3:f0");
  read_all("t_fence", "read_uncommitted", got, sizeof(got));
  expect_str("fence: read_uncommitted sees", got, "0:z0 1:z1 3:f0");
}

/* The producer of case_timeout, in its own process so that it can be killed -9 in
 * the middle of its transaction. */
static int zombie_main(void) {
  rd_kafka_t* p = txn_producer("selftest-timeout", "5000");
  txn_ok(rd_kafka_init_transactions(p, 10000), "init_transactions");
  txn_ok(rd_kafka_begin_transaction(p), "begin");
  produce(p, "t_timeout", "k0");
  produce(p, "t_timeout", "k1");
  flush(p);
  printf("ready\n");
  (void)fflush(stdout);
  for (;;) pause(); /* until case_timeout kills it */
  return 0;
}

static void case_timeout(void) {
  char got[1024] = "";
  char line[64];
  char* argv[] = {"kafka_mock_selftest", "--zombie", bootstrap, NULL};
  posix_spawn_file_actions_t fa;
  int out[2];
  pid_t zombie;
  FILE* zout;
  rd_kafka_t* waiting;
  rd_kafka_t* p;
  double t0;
  int64_t lso = 0;

  if (pipe(out) != 0) fail("pipe");
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, out[1], STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&fa, out[0]);
  if (posix_spawn(&zombie, "/proc/self/exe", &fa, NULL, argv, environ) != 0)
    fail("spawn the zombie producer");
  posix_spawn_file_actions_destroy(&fa);
  close(out[1]);
  zout = fdopen(out[0], "r");
  if (zout == NULL || fgets(line, sizeof(line), zout) == NULL || strcmp(line, "ready\n") != 0)
    fail("the zombie producer did not get ready");
  kill(zombie, SIGKILL);
  waitpid(zombie, NULL, 0);
  fclose(zout);
  t0 = now_s();
  printf("ok: timeout: producer killed -9 inside its transaction\n");

  /* k0 k1 at 0 1, held back until the transaction times out */
  expect_i64("timeout: LSO held by the dead producer",
             high_watermark("t_timeout", "read_committed"), 0);
  waiting = reader("read_committed");
  assign_from_start(waiting, "t_timeout");
  if (next_record(waiting, got, sizeof(got), now_s() + 10) != 0)
    fail("timeout: a record before the end: %s", got);

  while (now_s() < t0 + 15 && (lso = high_watermark("t_timeout", "read_committed")) != 3)
    usleep(200 * 1000);
  /* ABORT marker at 2 */
  expect_i64("timeout: LSO once the mock aborted it", lso, 3);
  printf("ok: timeout: aborted %.1f s after the kill (transaction.timeout.ms 5000)\n",
         now_s() - t0);

  p = txn_producer("selftest-timeout-next", "60000");
  txn_ok(rd_kafka_init_transactions(p, 10000), "init_transactions");
  txn_ok(rd_kafka_begin_transaction(p), "begin");
  produce(p, "t_timeout", "m0");
  txn_ok(rd_kafka_commit_transaction(p, 10000), "commit");
  rd_kafka_destroy(p);

  /* m0 at 3: the reader that waited meanwhile gets it, and nothing of k0 k1 */
  while (next_record(waiting, got, sizeof(got), now_s() + 20) == 0) {
  }
  expect_str("timeout: the waiting read_committed reader gets", got, "3:m0 ");
  rd_kafka_consumer_close(waiting);
  rd_kafka_destroy(waiting);
  read_all("t_timeout", "read_uncommitted", got, sizeof(got));
  expect_str("timeout: read_uncommitted sees", got, "0:k0 1:k1 3:m0");

  /* The dead producer's transactional.id starts again at a new epoch. */
  p = txn_producer("selftest-timeout", "60000");
  txn_ok(rd_kafka_init_transactions(p, 10000), "init_transactions after the timeout");
  rd_kafka_destroy(p);
}

static void command(FILE* to, FILE* from, const char* cmd, const char* want_prefix) {
  char line[512];
  fprintf(to, "%s\n", cmd);
  (void)fflush(to);
  if (fgets(line, sizeof(line), from) == NULL) fail("kafka_mock: no answer to %s", cmd);
  line[strcspn(line, "\n")] = '\0';
  if (strncmp(line, want_prefix, strlen(want_prefix)) != 0)
    fail("kafka_mock: \"%s\" answered \"%s\", want \"%s...\"", cmd, line, want_prefix);
  printf("ok: protocol: %s -> %s\n", cmd, line);
}

int main(int argc, char** argv) {
  char* mock_argv[] = {NULL,        "--brokers", "3",           "--topic", "t_abort:1",
                       "--topic",   "t_out:1",   "--topic",     "in:2",    "--topic",
                       "t_fence:1", "--topic",   "t_timeout:1", NULL};
  posix_spawn_file_actions_t fa;
  int in[2], out[2];
  FILE *to, *from;
  char line[sizeof(bootstrap)];
  int status = 0;

  if (argc == 3 && strcmp(argv[1], "--zombie") == 0) {
    snprintf(bootstrap, sizeof(bootstrap), "%s", argv[2]);
    return zombie_main();
  }
  if (argc != 2) {
    fprintf(stderr, "usage: kafka_mock_selftest KAFKA_MOCK\n");
    return 2;
  }
  signal(SIGPIPE, SIG_IGN);
  mock_argv[0] = argv[1];
  if (pipe(in) != 0 || pipe(out) != 0) fail("pipe");
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, in[0], STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&fa, out[1], STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&fa, in[1]);
  posix_spawn_file_actions_addclose(&fa, out[0]);
  if (posix_spawn(&mock_pid, argv[1], &fa, NULL, mock_argv, environ) != 0)
    fail("cannot run %s", argv[1]);
  posix_spawn_file_actions_destroy(&fa);
  close(in[0]);
  close(out[1]);
  to = fdopen(in[1], "w");
  from = fdopen(out[0], "r");
  if (to == NULL || from == NULL || fgets(line, sizeof(line), from) == NULL ||
      strncmp(line, "bootstrap=", 10) != 0)
    fail("kafka_mock printed no bootstrap line");
  line[strcspn(line, "\n")] = '\0';
  snprintf(bootstrap, sizeof(bootstrap), "%s", line + 10);
  printf("ok: kafka_mock: bootstrap=%s\n", bootstrap);

  case_abort();
  case_offsets();
  case_group();
  case_fence();
  case_timeout();

  command(to, from, "bogus", "error: ");
  command(to, from, "down x", "error: ");
  command(to, from, "topic t_abort 1", "error: ");
  command(to, from, "topic more 2", "ok");
  command(to, from, "down 2", "ok");
  command(to, from, "up 2", "ok");
  command(to, from, "quit", "ok");
  if (waitpid(mock_pid, &status, 0) != mock_pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
    fail("kafka_mock did not exit 0 on quit (status %d)", status);
  mock_pid = -1;
  printf("ok: kafka_mock exited 0 on quit\n");
  printf("kafka_mock_selftest: all checks passed\n");
  return 0;
}
