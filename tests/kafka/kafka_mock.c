/* kafka_mock: a standalone Kafka cluster for the Kafka tests, librdkafka's mock
 * cluster with Kafka's transactional semantics
 * (tests/kafka/mock/librdkafka-mock-transactions.patch, cmake/KafkaMock.cmake).
 * Clients in other processes connect to it over loopback.
 *
 *   kafka_mock [--brokers N] [--topic NAME:PARTITIONS]...
 *
 * Creates N brokers (default 3) and each topic with PARTITIONS partitions and
 * replication factor min(3, N), prints one line "bootstrap=<host:port,...>" on
 * stdout, then answers each command line on stdin with one line, "ok" or
 * "error: <why>":
 *   down ID                  broker ID stops serving (connections closed)
 *   up ID                    broker ID serves again
 *   topic NAME PARTITIONS    creates another topic
 *   quit                     exits
 * Exits 0 on quit, at the end of stdin, or on SIGTERM or SIGINT; 2 on a bad
 * argument (with a message on stderr); 1 if the cluster cannot be created.
 * KAFKA_MOCK_DEBUG=<librdkafka debug contexts> (e.g. "mock") logs to stderr. */

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

enum { max_topics = 64, max_line = 1024 };

struct topic_arg {
  const char* name;
  size_t name_len;
  int partitions;
};

/* parse_int parses all of |s| as a decimal int in [|lo|, |hi|] into |*out|;
 * returns 1 on success, 0 otherwise. */
static int parse_int(const char* s, int lo, int hi, int* out) {
  char* end = NULL;
  long v;
  if (*s == '\0') return 0;
  errno = 0;
  v = strtol(s, &end, 10);
  if (errno != 0 || *end != '\0' || v < lo || v > hi) return 0;
  *out = (int)v;
  return 1;
}

/* log_cb prints librdkafka's log lines but the notice that this handle, which only
 * hosts the cluster, has no bootstrap.servers. */
static void log_cb(const rd_kafka_t* rk, int level, const char* fac, const char* buf) {
  (void)rk;
  if (strcmp(fac, "CONFWARN") == 0 && strstr(buf, "bootstrap.servers") != NULL) return;
  fprintf(stderr, "%%%d|%s|%s\n", level, fac, buf);
}

static void usage_error(const char* why, const char* arg) {
  fprintf(stderr, "kafka_mock: %s%s%s\n", why, arg ? ": " : "", arg ? arg : "");
  fprintf(stderr, "usage: kafka_mock [--brokers N] [--topic NAME:PARTITIONS]...\n");
  exit(2);
}

/* reply answers a command: "ok" when |why| is NULL, else "error: <why><detail>". */
static void reply(const char* why, const char* detail) {
  if (why == NULL)
    printf("ok\n");
  else
    printf("error: %s%s\n", why, detail ? detail : "");
  (void)fflush(stdout); /* the other side waits for this line */
}

static int create_topic(rd_kafka_mock_cluster_t* mcluster, const char* name, int partitions,
                        int replication, const char** why) {
  rd_kafka_resp_err_t err = rd_kafka_mock_topic_create(mcluster, name, partitions, replication);
  *why = err ? rd_kafka_err2str(err) : NULL;
  return err == RD_KAFKA_RESP_ERR_NO_ERROR;
}

/* run_command runs one stdin command line; returns 0 on quit, 1 otherwise. */
static int run_command(rd_kafka_mock_cluster_t* mcluster, char* line, int replication) {
  char* save = NULL;
  const char* cmd = strtok_r(line, " \t\r", &save);
  const char* a1 = cmd ? strtok_r(NULL, " \t\r", &save) : NULL;
  const char* a2 = a1 ? strtok_r(NULL, " \t\r", &save) : NULL;
  const char* extra = a2 ? strtok_r(NULL, " \t\r", &save) : NULL;
  int id = 0;
  int partitions = 0;
  const char* why = NULL;

  if (cmd == NULL) {
    reply("empty command", NULL);
  } else if (strcmp(cmd, "quit") == 0 && a1 == NULL) {
    reply(NULL, NULL);
    return 0;
  } else if ((strcmp(cmd, "down") == 0 || strcmp(cmd, "up") == 0) && a1 && !a2) {
    rd_kafka_resp_err_t err;
    if (!parse_int(a1, 0, INT_MAX, &id)) {
      reply("bad broker id ", a1);
      return 1;
    }
    err = strcmp(cmd, "down") == 0 ? rd_kafka_mock_broker_set_down(mcluster, id)
                                   : rd_kafka_mock_broker_set_up(mcluster, id);
    if (err)
      reply(rd_kafka_err2str(err), NULL);
    else
      reply(NULL, NULL);
  } else if (strcmp(cmd, "topic") == 0 && a1 && a2 && !extra) {
    if (!parse_int(a2, 1, 100000, &partitions))
      reply("bad partition count ", a2);
    else if (!create_topic(mcluster, a1, partitions, replication, &why))
      reply(why, NULL);
    else
      reply(NULL, NULL);
  } else {
    reply("unknown command or wrong arguments: ", cmd);
  }
  return 1;
}

int main(int argc, char** argv) {
  struct topic_arg topics[max_topics];
  int topic_cnt = 0;
  int brokers = 3;
  int replication;
  char errstr[512];
  rd_kafka_conf_t* conf;
  rd_kafka_t* rk;
  rd_kafka_mock_cluster_t* mcluster;
  sigset_t sigs;
  int sfd;
  char buf[max_line];
  size_t buf_len = 0;
  int running = 1;
  int i;

  for (i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--brokers") == 0 && i + 1 < argc) {
      if (!parse_int(argv[++i], 1, 100, &brokers)) usage_error("bad broker count", argv[i]);
    } else if (strcmp(argv[i], "--topic") == 0 && i + 1 < argc) {
      const char* arg = argv[++i];
      const char* colon = strrchr(arg, ':');
      if (topic_cnt == max_topics) usage_error("too many topics", NULL);
      if (colon == NULL || colon == arg) usage_error("expected NAME:PARTITIONS", arg);
      topics[topic_cnt].name = arg;
      topics[topic_cnt].name_len = (size_t)(colon - arg);
      if (!parse_int(colon + 1, 1, 100000, &topics[topic_cnt].partitions))
        usage_error("bad partition count", arg);
      topic_cnt++;
    } else {
      usage_error("bad argument", argv[i]);
    }
  }
  replication = brokers < 3 ? brokers : 3;

  /* SIGTERM and SIGINT are blocked before librdkafka starts its threads (they
   * inherit the mask) and read from a signalfd beside stdin. */
  sigemptyset(&sigs);
  sigaddset(&sigs, SIGTERM);
  sigaddset(&sigs, SIGINT);
  if (sigprocmask(SIG_BLOCK, &sigs, NULL) != 0 || (sfd = signalfd(-1, &sigs, SFD_CLOEXEC)) < 0) {
    perror("kafka_mock: signalfd");
    return 1;
  }

  conf = rd_kafka_conf_new();
  rd_kafka_conf_set_log_cb(conf, log_cb);
  if (getenv("KAFKA_MOCK_DEBUG") && rd_kafka_conf_set(conf, "debug", getenv("KAFKA_MOCK_DEBUG"),
                                                      errstr, sizeof(errstr)) != RD_KAFKA_CONF_OK) {
    fprintf(stderr, "kafka_mock: KAFKA_MOCK_DEBUG: %s\n", errstr);
    return 2;
  }
  rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
  if (rk == NULL) {
    fprintf(stderr, "kafka_mock: %s\n", errstr);
    return 1;
  }
  mcluster = rd_kafka_mock_cluster_new(rk, brokers);
  if (mcluster == NULL) {
    fprintf(stderr, "kafka_mock: cannot create the mock cluster\n");
    rd_kafka_destroy(rk);
    return 1;
  }
  for (i = 0; i < topic_cnt; i++) {
    char name[256];
    const char* why = NULL;
    if (topics[i].name_len >= sizeof(name)) usage_error("topic name too long", topics[i].name);
    memcpy(name, topics[i].name, topics[i].name_len);
    name[topics[i].name_len] = '\0';
    if (!create_topic(mcluster, name, topics[i].partitions, replication, &why)) {
      fprintf(stderr, "kafka_mock: topic %s: %s\n", name, why);
      return 2;
    }
  }

  printf("bootstrap=%s\n", rd_kafka_mock_cluster_bootstraps(mcluster));
  (void)fflush(stdout);

  while (running) {
    struct pollfd fds[2] = {{STDIN_FILENO, POLLIN, 0}, {sfd, POLLIN, 0}};
    ssize_t n;
    char* nl;
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      perror("kafka_mock: poll");
      break;
    }
    if (fds[1].revents) break; /* SIGTERM or SIGINT */
    if (!fds[0].revents) continue;
    n = read(STDIN_FILENO, buf + buf_len, sizeof(buf) - 1 - buf_len);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break; /* end of stdin */
    buf_len += (size_t)n;
    while (running && (nl = memchr(buf, '\n', buf_len)) != NULL) {
      size_t used = (size_t)(nl - buf) + 1;
      *nl = '\0';
      running = run_command(mcluster, buf, replication);
      memmove(buf, buf + used, buf_len - used);
      buf_len -= used;
    }
    if (buf_len == sizeof(buf) - 1) {
      reply("line too long", NULL);
      buf_len = 0;
    }
  }

  rd_kafka_mock_cluster_destroy(mcluster);
  rd_kafka_destroy(rk);
  close(sfd);
  return 0;
}
