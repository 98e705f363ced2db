/*
 * sb-broker: a Kafka-wire-protocol broker for development and tests.
 *
 * It runs librdkafka's mock cluster (real Kafka protocol: produce, fetch, consumer groups,
 * idempotent and transactional producers) in one process. The mock has no CreateTopics, so
 * every topic is created here from a file written from the topic catalog. A line-based TCP
 * control interface on 127.0.0.1 exposes the mock's fault injection to tests:
 *
 *   ping                          -> ok
 *   down <broker|-1>              broker stops accepting connections (-1 = all)
 *   up <broker|-1>                broker accepts connections again
 *   rtt <broker|-1> <ms>          adds round-trip latency
 *   errors <apikey> <err> [...]   the next requests of that API fail with these error codes
 *   clear <apikey>                forget pushed errors for that API
 *   topic <name> <partitions>     create a topic
 *   bootstrap                     -> ok <bootstrap servers>
 *
 * Every reply is one line: "ok[ detail]" or "err <reason>".
 *
 * SB_BROKER_DEBUG=<librdkafka debug contexts> (e.g. "mock") logs the mock's decisions to
 * stderr, such as every consumer group state change.
 *
 * librdkafka's mock is built with tools/stack/broker/librdkafka-mock.patch applied (see
 * stack.sh): its consumer group coordinator otherwise fails a follower whose SyncGroup comes
 * after the leader's, and can leave a connection blocked for good.
 */
#include <errno.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <unistd.h>

#include "rdkafka.h"
#include "rdkafka_mock.h"

#define MAX_CLIENTS 32
/* Kafka API keys (the protocol's numbers). */
#define API_LEAVE_GROUP 13
#define LINE_MAX_LEN 1024

static volatile sig_atomic_t running = 1;
static void on_signal(int sig) { (void)sig; running = 0; }

static void usage(void) {
  fprintf(stderr,
          "usage: sb-broker [--brokers N] [--topics FILE] [--control-port PORT]\n"
          "                 [--bootstrap-file FILE]\n");
  exit(2);
}

static int create_topics(rd_kafka_mock_cluster_t *mc, const char *path) {
  FILE *f = fopen(path, "r");
  if (!f) { fprintf(stderr, "sb-broker: cannot open %s: %s\n", path, strerror(errno)); return -1; }
  char line[LINE_MAX_LEN];
  int count = 0;
  while (fgets(line, sizeof line, f)) {
    char name[512];
    int partitions = 1;
    if (line[0] == '#' || sscanf(line, "%511s %d", name, &partitions) < 1) continue;
    rd_kafka_resp_err_t err = rd_kafka_mock_topic_create(mc, name, partitions, 1);
    if (err) { fprintf(stderr, "sb-broker: topic %s: %s\n", name, rd_kafka_err2str(err)); fclose(f); return -1; }
    count++;
  }
  fclose(f);
  return count;
}

static void reply(int fd, const char *fmt, const char *detail) {
  char out[LINE_MAX_LEN + 64];
  int n = snprintf(out, sizeof out, fmt, detail ? detail : "");
  if (write(fd, out, (size_t)n) < 0) { /* client went away; nothing to do */ }
}

static void handle_command(rd_kafka_mock_cluster_t *mc, int fd, char *line) {
  char cmd[32] = {0};
  int off = 0;
  if (sscanf(line, "%31s%n", cmd, &off) != 1) { reply(fd, "err empty command\n", NULL); return; }
  char *args = line + off;
  int a = 0, b = 0;
  rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;

  if (!strcmp(cmd, "ping")) {
    reply(fd, "ok\n", NULL);
  } else if (!strcmp(cmd, "bootstrap")) {
    reply(fd, "ok %s\n", rd_kafka_mock_cluster_bootstraps(mc));
  } else if (!strcmp(cmd, "down") && sscanf(args, "%d", &a) == 1) {
    err = rd_kafka_mock_broker_set_down(mc, a);
    if (err) reply(fd, "err %s\n", rd_kafka_err2str(err)); else reply(fd, "ok\n", NULL);
  } else if (!strcmp(cmd, "up") && sscanf(args, "%d", &a) == 1) {
    err = rd_kafka_mock_broker_set_up(mc, a);
    if (err) reply(fd, "err %s\n", rd_kafka_err2str(err)); else reply(fd, "ok\n", NULL);
  } else if (!strcmp(cmd, "rtt") && sscanf(args, "%d %d", &a, &b) == 2) {
    err = rd_kafka_mock_broker_set_rtt(mc, a, b);
    if (err) reply(fd, "err %s\n", rd_kafka_err2str(err)); else reply(fd, "ok\n", NULL);
  } else if (!strcmp(cmd, "errors")) {
    rd_kafka_resp_err_t codes[64];
    size_t cnt = 0;
    char *tok = strtok(args, " \t\r\n");
    if (!tok) { reply(fd, "err usage: errors <apikey> <err> [...]\n", NULL); return; }
    int apikey = atoi(tok);
    while ((tok = strtok(NULL, " \t\r\n")) && cnt < 64) codes[cnt++] = (rd_kafka_resp_err_t)atoi(tok);
    if (cnt == 0) { reply(fd, "err usage: errors <apikey> <err> [...]\n", NULL); return; }
    rd_kafka_mock_push_request_errors_array(mc, (int16_t)apikey, cnt, codes);
    reply(fd, "ok\n", NULL);
  } else if (!strcmp(cmd, "clear") && sscanf(args, "%d", &a) == 1) {
    rd_kafka_mock_clear_request_errors(mc, (int16_t)a);
    reply(fd, "ok\n", NULL);
  } else if (!strcmp(cmd, "topic")) {
    char name[512];
    if (sscanf(args, "%511s %d", name, &a) != 2 || a < 1) { reply(fd, "err usage: topic <name> <partitions>\n", NULL); return; }
    err = rd_kafka_mock_topic_create(mc, name, a, 1);
    if (err) reply(fd, "err %s\n", rd_kafka_err2str(err)); else reply(fd, "ok\n", NULL);
  } else {
    reply(fd, "err unknown or malformed command: %s\n", cmd);
  }
}

static int listen_control(int port) {
  int s = socket(AF_INET, SOCK_STREAM, 0);
  if (s < 0) return -1;
  int one = 1;
  setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in addr = {0};
  addr.sin_family = AF_INET;
  addr.sin_port = htons((uint16_t)port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(s, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(s, 16) < 0) { close(s); return -1; }
  return s;
}

int main(int argc, char **argv) {
  int brokers = 1, control_port = 0;
  const char *topics = NULL, *bootstrap_file = NULL;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--brokers") && i + 1 < argc) brokers = atoi(argv[++i]);
    else if (!strcmp(argv[i], "--topics") && i + 1 < argc) topics = argv[++i];
    else if (!strcmp(argv[i], "--control-port") && i + 1 < argc) control_port = atoi(argv[++i]);
    else if (!strcmp(argv[i], "--bootstrap-file") && i + 1 < argc) bootstrap_file = argv[++i];
    else usage();
  }
  if (brokers < 1) usage();

  char errstr[512];
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  const char *debug = getenv("SB_BROKER_DEBUG");
  rd_kafka_conf_set(conf, "log_level", debug && *debug ? "7" : "3", errstr, sizeof errstr);
  if (debug && *debug && rd_kafka_conf_set(conf, "debug", debug, errstr, sizeof errstr)) {
    fprintf(stderr, "sb-broker: SB_BROKER_DEBUG: %s\n", errstr);
    return 2;
  }
  rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
  if (!rk) { fprintf(stderr, "sb-broker: %s\n", errstr); return 1; }

  rd_kafka_mock_cluster_t *mc = rd_kafka_mock_cluster_new(rk, brokers);
  if (!mc) { fprintf(stderr, "sb-broker: cannot create the mock cluster\n"); return 1; }
  /* A controller id makes kafkajs' idempotent/transactional producers find a broker. */
  rd_kafka_mock_set_controller_id(mc, 1);
  /* Tests start and stop consumer groups all the time: no join delay. */
  rd_kafka_mock_group_initial_rebalance_delay_ms(mc, 0);
  /* LeaveGroup v3+ takes a batch of members and answers per member, but the mock reads every
   * version as v0-v2 (one member id) and answers without the members array: the member never
   * left and kafkajs, which uses v3 when offered, failed to decode the answer ("offset out of
   * range" on every consumer stop). Offered v0-v2, kafkajs uses v2, which both read alike. */
  rd_kafka_mock_set_apiversion(mc, API_LEAVE_GROUP, 0, 2);

  int created = topics ? create_topics(mc, topics) : 0;
  if (created < 0) return 1;

  int ls = listen_control(control_port);
  if (ls < 0) { fprintf(stderr, "sb-broker: cannot listen on 127.0.0.1:%d: %s\n", control_port, strerror(errno)); return 1; }
  struct sockaddr_in bound; socklen_t blen = sizeof bound;
  getsockname(ls, (struct sockaddr *)&bound, &blen);

  const char *bootstraps = rd_kafka_mock_cluster_bootstraps(mc);
  if (bootstrap_file) {
    FILE *bf = fopen(bootstrap_file, "w");
    if (!bf) { fprintf(stderr, "sb-broker: cannot write %s\n", bootstrap_file); return 1; }
    fprintf(bf, "KAFKA_BROKERS=%s\nKAFKA_CONTROL=127.0.0.1:%d\n", bootstraps, ntohs(bound.sin_port));
    fclose(bf);
  }
  printf("sb-broker: %d broker(s) at %s, %d topic(s), control 127.0.0.1:%d\n", brokers, bootstraps,
         created, ntohs(bound.sin_port));
  fflush(stdout);

  signal(SIGINT, on_signal);
  signal(SIGTERM, on_signal);
  signal(SIGPIPE, SIG_IGN);

  int clients[MAX_CLIENTS];
  char bufs[MAX_CLIENTS][LINE_MAX_LEN];
  size_t lens[MAX_CLIENTS];
  for (int i = 0; i < MAX_CLIENTS; i++) clients[i] = -1;

  while (running) {
    fd_set rfds; FD_ZERO(&rfds); FD_SET(ls, &rfds);
    int maxfd = ls;
    for (int i = 0; i < MAX_CLIENTS; i++)
      if (clients[i] >= 0) { FD_SET(clients[i], &rfds); if (clients[i] > maxfd) maxfd = clients[i]; }
    struct timeval tv = {0, 200000};
    int n = select(maxfd + 1, &rfds, NULL, NULL, &tv);
    if (n < 0) { if (errno == EINTR) continue; break; }
    if (FD_ISSET(ls, &rfds)) {
      int c = accept(ls, NULL, NULL);
      int slot = -1;
      for (int i = 0; i < MAX_CLIENTS && c >= 0; i++) if (clients[i] < 0) { slot = i; break; }
      if (slot >= 0) { clients[slot] = c; lens[slot] = 0; }
      else if (c >= 0) { reply(c, "err too many control clients\n", NULL); close(c); }
    }
    for (int i = 0; i < MAX_CLIENTS; i++) {
      if (clients[i] < 0 || !FD_ISSET(clients[i], &rfds)) continue;
      ssize_t r = read(clients[i], bufs[i] + lens[i], LINE_MAX_LEN - 1 - lens[i]);
      if (r <= 0) { close(clients[i]); clients[i] = -1; continue; }
      lens[i] += (size_t)r;
      bufs[i][lens[i]] = 0;
      char *nl;
      while ((nl = strchr(bufs[i], '\n'))) {
        *nl = 0;
        handle_command(mc, clients[i], bufs[i]);
        size_t rest = lens[i] - (size_t)(nl + 1 - bufs[i]);
        memmove(bufs[i], nl + 1, rest);
        lens[i] = rest;
        bufs[i][lens[i]] = 0;
      }
      if (lens[i] >= LINE_MAX_LEN - 1) { reply(clients[i], "err line too long\n", NULL); lens[i] = 0; }
    }
  }

  rd_kafka_mock_cluster_destroy(mc);
  rd_kafka_destroy(rk);
  return 0;
}
