/* SPDX-License-Identifier: MIT */
/*
 * Review runs under load and under a crash: 32 writers on 32 items at once
 * (nothing lost), two writers on one item with If-Match (one 412), and the
 * daemon killed with SIGKILL in the middle of a stream of writes: after a
 * restart every write that was answered 2xx is there.
 */
#include <check.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "skilld/base/util.h"
#include "skilld/store/reviewdb.h"
#include "testapp.h"
#include "testutil.h"

Suite *review_runs_suite(void);

#define ITEMS 40

/* A skill whose checklist has ITEMS items, R1..R40. */
static void write_big_checklist(const char *root)
{
	struct buf b;

	buf_init(&b);
	buf_puts(&b, "# Big — Review Checklist\n\n## 1. All\n\n");
	for (int i = 1; i <= ITEMS; i++)
		buf_printf(&b, "- [ ] **R%d — Thing %d** — Is thing %d right?\n", i, i, i);
	tu_write_str(root, "big/SKILL.md", "---\nname: big\ndescription: A big checklist. Use when "
		     "testing reviews.\n---\n# Big\n");
	tu_write_str(root, "big/references/review-checklist.md", b.data);
	buf_fini(&b);
}

/* ---- in process: concurrent writers ---- */

static struct ta_app ta;
static char review[REVIEW_ID_LEN + 1];
static pthread_barrier_t gate;

static int patch(const char *item, const char *body, const char *if_match)
{
	char path[128];
	struct ta_request r = { .method = "PATCH", .content_type = "application/json",
				.sec_fetch_site = "same-origin", .body = body, .body_len = strlen(body) };
	struct response res;
	int status;

	snprintf(path, sizeof(path), "/api/v1/reviews/%s/items/%s", review, item);
	r.path = path;
	r.h.if_match = if_match;
	status = ta_send(&ta.app, &r, &res);
	response_fini(&res);
	return status;
}

static void setup(void)
{
	struct ta_request r = { .method = "POST", .path = "/api/v1/reviews",
				.content_type = "application/json", .sec_fetch_site = "same-origin",
				.body = "{\"skill\":\"big\",\"title\":\"load\"}" };
	struct response res;
	cJSON *j;

	ta_prepare(&ta);
	write_big_checklist(ta.root);
	ta_open(&ta, NULL);
	r.body_len = strlen(r.body);
	ck_assert_int_eq(ta_send(&ta.app, &r, &res), 201);
	j = cJSON_ParseWithLength(res.body, res.body_len);
	snprintf(review, sizeof(review), "%s", jstr(j, "id"));
	cJSON_Delete(j);
	response_fini(&res);
}

static void teardown(void)
{
	ta_close(&ta);
}

struct writer {
	char item[16];
	const char *if_match;
	int status;
};

static void *writer_main(void *p)
{
	struct writer *w = p;
	char body[96];

	snprintf(body, sizeof(body), "{\"verdict\":\"fail\",\"note\":\"from %s\",\"author\":\"t\"}",
		 w->item);
	pthread_barrier_wait(&gate);
	w->status = patch(w->item, body, w->if_match);
	return NULL;
}

START_TEST(test_32_writers_nothing_lost)
{
	struct writer w[32];
	pthread_t t[32];
	char path[64];
	struct response res;
	cJSON *v;
	const cJSON *it;
	int decided = 0;

	pthread_barrier_init(&gate, NULL, 32);
	for (int i = 0; i < 32; i++) {
		w[i] = (struct writer){ .status = 0 };
		snprintf(w[i].item, sizeof(w[i].item), "R%d", i + 1);
		ck_assert_int_eq(pthread_create(&t[i], NULL, writer_main, &w[i]), 0);
	}
	for (int i = 0; i < 32; i++) {
		pthread_join(t[i], NULL);
		ck_assert_int_eq(w[i].status, 200);
	}
	pthread_barrier_destroy(&gate);
	snprintf(path, sizeof(path), "/api/v1/reviews/%s", review);
	ck_assert_int_eq(ta_get(&ta.app, path, &(struct ta_headers){ .accept = "application/json" },
				&res), 200);
	v = cJSON_ParseWithLength(res.body, res.body_len);
	response_fini(&res);
	cJSON_ArrayForEach(it, cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(v, "sections"),
								       0), "items")) {
		char want[32];

		if (!jstr(it, "verdict"))
			continue;
		decided++;
		snprintf(want, sizeof(want), "from %s", jstr(it, "ref"));
		ck_assert_str_eq(jstr(it, "note"), want);
		ck_assert_int_eq(cJSON_GetNumberValue(cJSON_GetObjectItem(it, "version")), 1);
	}
	ck_assert_int_eq(decided, 32);
	ck_assert_int_eq(cJSON_GetNumberValue(cJSON_GetObjectItem(v, "seq")), 33);
	cJSON_Delete(v);
}
END_TEST

START_TEST(test_two_writers_one_item_if_match)
{
	struct writer w[2] = { { "R7", "\"0\"", 0 }, { "R7", "\"0\"", 0 } };
	pthread_t t[2];

	pthread_barrier_init(&gate, NULL, 2);
	for (int i = 0; i < 2; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, writer_main, &w[i]), 0);
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	pthread_barrier_destroy(&gate);
	/* both asked for version 0: one wrote it, the other found version 1 */
	ck_assert_int_eq(w[0].status + w[1].status, 200 + 412);
}
END_TEST

/* ---- a real daemon, killed ---- */

static const char *bin(void)
{
	const char *b = getenv("SKILLD_BIN");
	return b && *b ? b : "build/skilld";
}

static pid_t spawn(const char *root, const char *db, unsigned port, const char *log)
{
	char portstr[16];
	pid_t pid;
	struct tu_response r;

	snprintf(portstr, sizeof(portstr), "%u", port);
	pid = fork();
	if (pid == 0) {
		char *args[] = { (char *)bin(), "--skills", (char *)root, "--db", (char *)db,
				 "--port", portstr, "--no-watch", "--no-access-log", NULL };

		if (!freopen(log, "a", stderr))
			_exit(127);
		execv(args[0], args);
		_exit(127);
	}
	for (int tries = 0; tries < 200; tries++) {
		if (tu_get(port, "/healthz", NULL, &r) == 0) {
			tu_response_fini(&r);
			return pid;
		}
		usleep(50 * 1000);
	}
	ck_abort_msg("skilld did not start");
	return -1;
}

/* One PATCH over its own connection; the status, or -1 when the server
 * was gone. */
static int http_patch(unsigned port, const char *id, int item, const char *note)
{
	char *raw, body[128];
	struct tu_response r;
	int status;

	snprintf(body, sizeof(body), "{\"verdict\":\"pass\",\"note\":\"%s\"}", note);
	raw = xasprintf("PATCH /api/v1/reviews/%s/items/R%d HTTP/1.1\r\nHost: 127.0.0.1:%u\r\n"
			"Content-Type: application/json\r\nContent-Length: %zu\r\n"
			"Connection: close\r\n\r\n%s", id, item, port, strlen(body), body);
	status = tu_http(port, raw, &r) == 0 ? r.status : -1;
	if (status >= 0)
		tu_response_fini(&r);
	free(raw);
	return status;
}

struct stream {
	unsigned port;
	const char *id;
	int sent;                  /* writes sent */
	atomic_int ok;             /* answered 2xx (read by the test while written) */
	char last_ok[ITEMS + 1][32];  /* per item: the note of its last 2xx write */
	char last_sent[ITEMS + 1][32];
};

static void *stream_main(void *p)
{
	struct stream *s = p;

	for (int n = 0; n < 100000; n++) {
		int item = n % ITEMS + 1, st;
		char note[32];

		snprintf(note, sizeof(note), "w%d", n);
		snprintf(s->last_sent[item], sizeof(s->last_sent[item]), "%s", note);
		s->sent++;
		st = http_patch(s->port, s->id, item, note);
		if (st < 0)
			break;
		if (st >= 200 && st < 300) {
			s->ok++;
			snprintf(s->last_ok[item], sizeof(s->last_ok[item]), "%s", note);
		}
	}
	return NULL;
}

START_TEST(test_kill_9_keeps_answered_writes)
{
	char *dir = tu_mkdtemp(), *root = xasprintf("%s/skills", dir);
	char *db = xasprintf("%s/skilld.db", dir), *log = xasprintf("%s/log", dir);
	unsigned port = tu_free_port();
	struct stream *s = xcalloc(1, sizeof(*s));
	struct tu_response r;
	pthread_t t;
	pid_t pid;
	cJSON *v, *j;
	const cJSON *it;
	char *raw, path[64];
	int status;

	write_big_checklist(root);
	pid = spawn(root, db, port, log);
	raw = xasprintf("POST /api/v1/reviews HTTP/1.1\r\nHost: 127.0.0.1:%u\r\n"
			"Content-Type: application/json\r\nContent-Length: 30\r\nConnection: close\r\n\r\n"
			"{\"skill\":\"big\",\"title\":\"kill\"}", port);
	ck_assert_int_eq(tu_http(port, raw, &r), 0);
	free(raw);
	ck_assert_int_eq(r.status, 201);
	j = cJSON_ParseWithLength(r.body, r.body_len);
	tu_response_fini(&r);
	s->port = port;
	s->id = xstrdup(jstr(j, "id"));
	cJSON_Delete(j);

	ck_assert_int_eq(pthread_create(&t, NULL, stream_main, s), 0);
	while (s->ok < 200)
		usleep(1000);
	ck_assert_int_eq(kill(pid, SIGKILL), 0);
	waitpid(pid, &status, 0);
	ck_assert(WIFSIGNALED(status));
	pthread_join(t, NULL);

	/* restarted on the same files: every 2xx write is there */
	pid = spawn(root, db, port, log);
	snprintf(path, sizeof(path), "/api/v1/reviews/%s", s->id);
	ck_assert_int_eq(tu_get(port, path, "Accept: application/json\r\n", &r), 0);
	ck_assert_int_eq(r.status, 200);
	v = cJSON_ParseWithLength(r.body, r.body_len);
	tu_response_fini(&r);
	/* each 2xx write made one change (notes never repeat): seq counts them
	 * all, plus the start, plus at most the one write in flight */
	ck_assert_int_ge(cJSON_GetNumberValue(cJSON_GetObjectItem(v, "seq")), 1 + s->ok);
	ck_assert_int_le(cJSON_GetNumberValue(cJSON_GetObjectItem(v, "seq")), 1 + s->ok + 1);
	cJSON_ArrayForEach(it, cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(v, "sections"),
								       0), "items")) {
		int item = atoi(jstr(it, "ref") + 1);
		const char *note = jstr(it, "note");

		if (!s->last_ok[item][0])
			continue;
		/* the last answered write, or the one in flight after it */
		ck_assert_msg(note && (!strcmp(note, s->last_ok[item]) || !strcmp(note, s->last_sent[item])),
			      "R%d: %s, answered %s", item, note ? note : "(none)", s->last_ok[item]);
	}
	cJSON_Delete(v);
	kill(pid, SIGTERM);
	waitpid(pid, &status, 0);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	free((char *)s->id);
	free(s);
	tu_rmtree(dir);
	free(dir);
	free(root);
	free(db);
	free(log);
}
END_TEST

/* Reads from fd into b until it holds needle or ms pass: true when found. */
static bool read_until(int fd, struct buf *b, const char *needle, int ms)
{
	struct timespec t0, t;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		struct pollfd pfd = { fd, POLLIN, 0 };
		char chunk[2048];
		long el;

		if (b->data && strstr(b->data, needle))
			return true;
		clock_gettime(CLOCK_MONOTONIC, &t);
		el = (t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000;
		if (el >= ms || poll(&pfd, 1, (int)(ms - el)) <= 0)
			return b->data && strstr(b->data, needle);
		ssize_t n = read(fd, chunk, sizeof(chunk));
		if (n <= 0)
			return b->data && strstr(b->data, needle);
		buf_append(b, chunk, (size_t)n);
	}
}

/* A live stream over a real socket: the event of a write made on another
 * connection arrives at once, the server uses no CPU while the stream
 * waits, and SIGTERM with the stream open still stops it cleanly. */
START_TEST(test_live_stream_over_a_socket)
{
	char *dir = tu_mkdtemp(), *root = xasprintf("%s/skills", dir);
	char *db = xasprintf("%s/skilld.db", dir), *log = xasprintf("%s/log", dir);
	unsigned port = tu_free_port();
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	struct tu_response r;
	struct buf got;
	char *raw, stat_path[64], line[512];
	unsigned long ticks0 = 0, ticks1 = 0;
	cJSON *j;
	pid_t pid;
	int fd, status;
	FILE *f;

	write_big_checklist(root);
	pid = spawn(root, db, port, log);
	raw = xasprintf("POST /api/v1/reviews HTTP/1.1\r\nHost: 127.0.0.1:%u\r\n"
			"Content-Type: application/json\r\nContent-Length: 30\r\nConnection: close\r\n\r\n"
			"{\"skill\":\"big\",\"title\":\"live\"}", port);
	ck_assert_int_eq(tu_http(port, raw, &r), 0);
	free(raw);
	j = cJSON_ParseWithLength(r.body, r.body_len);
	tu_response_fini(&r);

	fd = socket(AF_INET, SOCK_STREAM, 0);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	raw = xasprintf("GET /api/v1/reviews/%s/events HTTP/1.1\r\nHost: 127.0.0.1:%u\r\n"
			"Accept: text/event-stream\r\n\r\n", jstr(j, "id"), port);
	ck_assert_int_eq(write(fd, raw, strlen(raw)), (ssize_t)strlen(raw));
	free(raw);
	buf_init(&got);
	ck_assert(read_until(fd, &got, "retry: 2000", 2000));
	ck_assert_ptr_nonnull(strstr(got.data, "text/event-stream"));

	/* waiting costs nothing: no CPU over a second */
	snprintf(stat_path, sizeof(stat_path), "/proc/%d/stat", (int)pid);
	for (int k = 0; k < 2; k++) {
		f = fopen(stat_path, "r");
		ck_assert_ptr_nonnull(f);
		ck_assert_ptr_nonnull(fgets(line, sizeof(line), f));
		fclose(f);
		{
			/* utime and stime: fields 14 and 15, after the ")" of comm */
			const char *p = strrchr(line, ')');
			unsigned long u = 0, st = 0;

			ck_assert_int_eq(sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu",
						&u, &st), 2);
			*(k ? &ticks1 : &ticks0) = u + st;
		}
		if (!k)
			sleep(1);
	}
	ck_assert_uint_le(ticks1 - ticks0, 5);   /* clock ticks: 1/100 s each */

	ck_assert_int_eq(http_patch(port, jstr(j, "id"), 3, "live note"), 200);
	ck_assert(read_until(fd, &got, "live note", 1000));
	ck_assert_ptr_nonnull(strstr(got.data, "event: change"));

	/* stopping with the stream open */
	ck_assert_int_eq(kill(pid, SIGTERM), 0);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	close(fd);
	buf_fini(&got);
	cJSON_Delete(j);
	tu_rmtree(dir);
	free(dir);
	free(root);
	free(db);
	free(log);
}
END_TEST

Suite *review_runs_suite(void)
{
	Suite *s = suite_create("review_runs");
	TCase *tc = tcase_create("core");
	TCase *crash = tcase_create("crash");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_32_writers_nothing_lost);
	tcase_add_test(tc, test_two_writers_one_item_if_match);
	suite_add_tcase(s, tc);
	tcase_set_timeout(crash, 120);
	tcase_add_test(crash, test_kill_9_keeps_answered_writes);
	tcase_add_test(crash, test_live_stream_over_a_socket);
	suite_add_tcase(s, crash);
	return s;
}
