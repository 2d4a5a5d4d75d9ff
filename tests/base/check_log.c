/* SPDX-License-Identifier: MIT */
/*
 * Tests for log: the escaper on hostile strings (line injection, terminal
 * escapes, invalid UTF-8, quotes), exact text lines, level filtering, JSON
 * lines read back with cJSON, and many threads writing whole lines; the
 * batches: every line once, whole and in its thread's order, written by the
 * timer, by log_flush and log_fini, levelled lines at once, and far fewer
 * writes than lines.
 */
#include <check.h>
#include <fcntl.h>
#include <poll.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "skilld/base/log.h"
#include "skilld/base/text.h"
#include "skilld/base/util.h"
#include "testutil.h"

Suite *log_suite(void);

/* A logger writing into memory. */
struct capture {
	struct logger lg;
	FILE *f;
	char *data;
	size_t len;
};

static void capture_open(struct capture *c, enum log_format fmt, enum log_level min)
{
	c->data = NULL;
	c->len = 0;
	c->f = open_memstream(&c->data, &c->len);
	ck_assert_ptr_nonnull(c->f);
	log_init(&c->lg, c->f, fmt, min);
}

/* Closes the stream and returns everything written (free()). */
static char *capture_close(struct capture *c)
{
	log_fini(&c->lg);
	fclose(c->f);
	return c->data;
}

/* Checks that p starts with an ISO 8601 UTC time within a minute of now,
 * with milliseconds or without; returns the length of the timestamp. */
static size_t assert_timestamp(const char *p, int millis)
{
	struct tm tm;
	const char *end;
	time_t t;
	size_t n = millis ? 24 : 20;

	memset(&tm, 0, sizeof(tm));
	end = strptime(p, "%Y-%m-%dT%H:%M:%S", &tm);
	ck_assert_msg(end == p + 19, "bad timestamp in '%.40s'", p);
	if (millis) {
		ck_assert_msg(end[0] == '.' && end[1] >= '0' && end[1] <= '9' &&
			      end[2] >= '0' && end[2] <= '9' && end[3] >= '0' && end[3] <= '9',
			      "no milliseconds in '%.40s'", p);
		end += 4;
	}
	ck_assert_int_eq(*end, 'Z');
	t = timegm(&tm);
	ck_assert_msg(llabs((long long)(t - time(NULL))) < 60, "timestamp is not UTC now: %.30s", p);
	return n;
}

struct esc_case {
	const char *in;
	const char *out;
};

static const struct esc_case esc_cases[] = {
	{ "plain text /api/v1", "plain text /api/v1" },
	{ "", "" },
	{ "a\nb", "a\\nb" },
	{ "x\r\n2026-01-01T00:00:00Z ERROR forged", "x\\r\\n2026-01-01T00:00:00Z ERROR forged" },
	{ "\x1b[31mred\x1b[0m", "\\u001b[31mred\\u001b[0m" },
	{ "\x1b]0;title\x07", "\\u001b]0;title\\u0007" },
	{ "say \"hi\"", "say \\\"hi\\\"" },
	{ "back\\slash\\x41", "back\\\\slash\\\\x41" },
	{ "\t\b\f\x01\x1f", "\\t\\b\\f\\u0001\\u001f" },
	{ "del\x7f", "del\\u007f" },
	{ "caf\xc3\xa9 \xe2\x80\x94 \xf0\x9f\x98\x80", "caf\xc3\xa9 \xe2\x80\x94 \xf0\x9f\x98\x80" },
	{ "nbsp\xc2\xa0", "nbsp\xc2\xa0" },
	{ "csi\xc2\x9b" "2J", "csi\\u009b2J" },        /* C1 control in UTF-8 */
	{ "nel\xc2\x85", "nel\\u0085" },
	{ "\xff\xfe", "\\xFF\\xFE" },
	{ "\x9b" "2J", "\\x9B2J" },                     /* raw C1 byte: invalid UTF-8 */
	{ "\xc0\xaf", "\\xC0\\xAF" },                   /* overlong '/' */
	{ "\xed\xa0\x80", "\\xED\\xA0\\x80" },          /* surrogate */
	{ "\xe2\x82", "\\xE2\\x82" },                   /* truncated at the end */
	{ "\xe2\x82x\xc3", "\\xE2\\x82x\\xC3" },        /* truncated before text */
	{ "\xf5\x80\x80\x80", "\\xF5\\x80\\x80\\x80" }, /* above U+10FFFF */
};

START_TEST(test_escape_hostile_strings)
{
	const struct esc_case *ec = &esc_cases[_i];
	struct buf b;

	buf_init(&b);
	buf_puts(&b, "<");
	log_escape(&b, ec->in);
	buf_puts(&b, ">");
	ck_assert_uint_eq(b.len, strlen(ec->out) + 2);
	ck_assert_int_eq(memcmp(b.data + 1, ec->out, strlen(ec->out)), 0);
	ck_assert_int_eq(b.data[b.len - 1], '>');
	buf_fini(&b);
}
END_TEST

START_TEST(test_escape_null_appends_nothing)
{
	struct buf b;

	buf_init(&b);
	buf_puts(&b, "keep");
	log_escape(&b, NULL);
	ck_assert_str_eq(b.data, "keep");
	buf_fini(&b);
}
END_TEST

START_TEST(test_text_message_line)
{
	struct capture c;
	char *out;
	size_t ts;

	capture_open(&c, LOG_FORMAT_TEXT, LOG_INFO);
	log_msg(&c.lg, LOG_INFO, "indexed %d skills from %s", 18, "booklib");
	out = capture_close(&c);
	ts = assert_timestamp(out, 0);
	ck_assert_str_eq(out + ts, " INFO indexed 18 skills from booklib\n");
	free(out);
}
END_TEST

START_TEST(test_text_message_cannot_forge_lines)
{
	struct capture c;
	char *out;
	size_t ts;

	capture_open(&c, LOG_FORMAT_TEXT, LOG_DEBUG);
	log_msg(&c.lg, LOG_WARN, "bad name '%s'",
		"x\n2026-01-01T00:00:00Z ERROR forged \x1b[2J\xff\"");
	out = capture_close(&c);
	ts = assert_timestamp(out, 0);
	ck_assert_str_eq(out + ts, " WARN bad name 'x\\n2026-01-01T00:00:00Z ERROR forged "
			 "\\u001b[2J\\xFF\\\"'\n");
	ck_assert_ptr_eq(strchr(out, '\n'), out + strlen(out) - 1);
	free(out);
}
END_TEST

START_TEST(test_level_filtering)
{
	struct capture c;
	char *out, *second;

	capture_open(&c, LOG_FORMAT_TEXT, LOG_WARN);
	log_msg(&c.lg, LOG_DEBUG, "d");
	log_msg(&c.lg, LOG_INFO, "i");
	log_access(&c.lg, "GET", "/", 200, 1, 1.0, "ua"); /* access lines are INFO */
	log_msg(&c.lg, LOG_WARN, "w");
	log_msg(&c.lg, LOG_ERROR, "e");
	out = capture_close(&c);
	ck_assert_uint_eq(text_count_lines(out, strlen(out)), 2);
	second = strchr(out, '\n') + 1;
	ck_assert_str_eq(second + assert_timestamp(second, 0), " ERROR e\n");
	second[0] = '\0';
	ck_assert_str_eq(out + assert_timestamp(out, 0), " WARN w\n");
	free(out);

	capture_open(&c, LOG_FORMAT_TEXT, LOG_DEBUG);
	log_msg(&c.lg, LOG_DEBUG, "d");
	out = capture_close(&c);
	ck_assert_str_eq(out + assert_timestamp(out, 0), " DEBUG d\n");
	free(out);
}
END_TEST

START_TEST(test_text_access_line)
{
	struct capture c;
	char *out;

	capture_open(&c, LOG_FORMAT_TEXT, LOG_INFO);
	log_access(&c.lg, "GET", "/api/v1/skills", 200, 1234, 0.42, "curl/8.0");
	out = capture_close(&c);
	ck_assert_str_eq(out + assert_timestamp(out, 1),
			 " GET \"/api/v1/skills\" 200 1234B 0.42ms \"curl/8.0\"\n");
	free(out);
}
END_TEST

START_TEST(test_text_access_line_hostile)
{
	struct capture c;
	char *out, *line2;

	capture_open(&c, LOG_FORMAT_TEXT, LOG_INFO);
	log_access(&c.lg, "G T\n", "/a\"b\n 200 1B\r\x1b[1A/\xff", 404, 0, 12.3456,
		   "\x1b]0;pwn\x07\\");
	log_access(&c.lg, NULL, NULL, 500, 7, NAN, NULL);
	out = capture_close(&c);
	ck_assert_uint_eq(text_count_lines(out, strlen(out)), 2);
	line2 = strchr(out, '\n') + 1;
	*strchr(out, '\n') = '\0';
	ck_assert_str_eq(out + assert_timestamp(out, 1),
			 " G\\u0020T\\n \"/a\\\"b\\n 200 1B\\r\\u001b[1A/\\xFF\" 404 0B 12.35ms "
			 "\"\\u001b]0;pwn\\u0007\\\\\"");
	ck_assert_str_eq(line2 + assert_timestamp(line2, 1), " - \"-\" 500 7B 0.00ms \"-\"\n");
	free(out);
}
END_TEST

/* The numbers of an access line are what printf's %d, %zu, %.2f and %.3f
 * make of them, ties and the largest values included. */
START_TEST(test_access_line_numbers)
{
	static const double ms[] = { 0.125, 0.375, 2.675, 1.005, 0.0005, 0.0015, 999.995,
				     12.3456, 1e11 + 0.125, 3e12, 0.0 };
	static const int statuses[] = { 200, -1, 0, 999, 2147483647 };
	struct capture c;
	char *out, *line, *save = NULL, want[160];
	size_t n = sizeof(ms) / sizeof(ms[0]), i = 0;

	for (int fmt = 0; fmt < 2; fmt++) {
		capture_open(&c, fmt ? LOG_FORMAT_JSON : LOG_FORMAT_TEXT, LOG_INFO);
		for (size_t k = 0; k < n; k++)
			log_access(&c.lg, "GET", "/n", statuses[k % 5], k ? SIZE_MAX - k : 0, ms[k], "u");
		out = capture_close(&c);
		i = 0;
		for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save), i++) {
			ck_assert_uint_lt(i, n);
			if (fmt)
				snprintf(want, sizeof(want), "\"path\":\"/n\",\"status\":%d,\"bytes\":%zu,"
					 "\"ms\":%.3f,\"ua\":\"u\"}", statuses[i % 5],
					 i ? SIZE_MAX - i : 0, ms[i]);
			else
				snprintf(want, sizeof(want), " GET \"/n\" %d %zuB %.2fms \"u\"",
					 statuses[i % 5], i ? SIZE_MAX - i : 0, ms[i]);
			ck_assert_msg(strstr(line, want), "'%s' lacks '%s'", line, want);
		}
		ck_assert_uint_eq(i, n);
		free(out);
	}
}
END_TEST

/* Parses one JSON line (without its newline) and returns the object. */
static cJSON *parse_line(const char *line, size_t len)
{
	cJSON *j = cJSON_ParseWithLength(line, len);

	ck_assert_msg(j != NULL, "not JSON: %.*s", (int)len, line);
	ck_assert(cJSON_IsObject(j));
	return j;
}

static const char *json_str(const cJSON *j, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, key);

	ck_assert_msg(cJSON_IsString(v), "%s is not a string", key);
	return v->valuestring;
}

static int json_count(const cJSON *j)
{
	return cJSON_GetArraySize(j);
}

START_TEST(test_json_message_line)
{
	struct capture c;
	char *out;
	cJSON *j;
	const char *hostile = "line\nfeed \x1b[31m \"q\" back\\ caf\xc3\xa9 \x7f";

	capture_open(&c, LOG_FORMAT_JSON, LOG_INFO);
	log_msg(&c.lg, LOG_ERROR, "open %s: %s", hostile, "\xff\xfe");
	out = capture_close(&c);
	ck_assert_uint_eq(text_count_lines(out, strlen(out)), 1);
	ck_assert_int_eq(out[strlen(out) - 1], '\n');
	j = parse_line(out, strlen(out) - 1);
	ck_assert_int_eq(json_count(j), 3);
	assert_timestamp(json_str(j, "ts"), 1);
	ck_assert_str_eq(json_str(j, "level"), "error");
	/* what a reader decodes: the original text, invalid bytes as \xNN */
	ck_assert_str_eq(json_str(j, "msg"),
			 "open line\nfeed \x1b[31m \"q\" back\\ caf\xc3\xa9 \x7f: \\xFF\\xFE");
	cJSON_Delete(j);
	free(out);
}
END_TEST

START_TEST(test_json_access_line)
{
	struct capture c;
	char *out, *nl;
	cJSON *j;

	capture_open(&c, LOG_FORMAT_JSON, LOG_DEBUG);
	log_access(&c.lg, "GET", "/api/v1/skills", 200, 1234, 0.42, "curl/8.0");
	log_access(&c.lg, "P\"OST", "/x\n{\"forged\":1}\xc3", 404, 0, INFINITY, NULL);
	out = capture_close(&c);
	ck_assert_uint_eq(text_count_lines(out, strlen(out)), 2);
	nl = strchr(out, '\n');

	j = parse_line(out, (size_t)(nl - out));
	ck_assert_int_eq(json_count(j), 7);
	assert_timestamp(json_str(j, "ts"), 1);
	ck_assert_str_eq(json_str(j, "method"), "GET");
	ck_assert_str_eq(json_str(j, "path"), "/api/v1/skills");
	ck_assert_int_eq(cJSON_GetObjectItemCaseSensitive(j, "status")->valueint, 200);
	ck_assert_int_eq(cJSON_GetObjectItemCaseSensitive(j, "bytes")->valueint, 1234);
	ck_assert_double_eq_tol(cJSON_GetObjectItemCaseSensitive(j, "ms")->valuedouble, 0.42, 1e-9);
	ck_assert_str_eq(json_str(j, "ua"), "curl/8.0");
	cJSON_Delete(j);

	j = parse_line(nl + 1, strlen(nl + 1) - 1);
	ck_assert_int_eq(json_count(j), 7);
	ck_assert_str_eq(json_str(j, "method"), "P\"OST");
	ck_assert_str_eq(json_str(j, "path"), "/x\n{\"forged\":1}\\xC3");
	ck_assert_int_eq(cJSON_GetObjectItemCaseSensitive(j, "status")->valueint, 404);
	ck_assert_double_eq(cJSON_GetObjectItemCaseSensitive(j, "ms")->valuedouble, 0);
	ck_assert(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(j, "ua")));
	cJSON_Delete(j);
	free(out);
}
END_TEST

/* Standard output and error, sent to a temporary file while a test runs
 * code that must not write to them. */
struct std_capture {
	int saved_out, saved_err;
	FILE *f;
};

static void std_capture_start(struct std_capture *c)
{
	fflush(stdout);
	fflush(stderr);
	c->f = tmpfile();
	ck_assert_ptr_nonnull(c->f);
	c->saved_out = dup(STDOUT_FILENO);
	c->saved_err = dup(STDERR_FILENO);
	ck_assert_int_ge(c->saved_out, 0);
	ck_assert_int_ge(c->saved_err, 0);
	ck_assert_int_eq(dup2(fileno(c->f), STDOUT_FILENO), STDOUT_FILENO);
	ck_assert_int_eq(dup2(fileno(c->f), STDERR_FILENO), STDERR_FILENO);
}

/* Restores both and returns how many bytes they received. */
static long std_capture_end(struct std_capture *c)
{
	long n;

	fflush(stdout);
	fflush(stderr);
	dup2(c->saved_out, STDOUT_FILENO);
	dup2(c->saved_err, STDERR_FILENO);
	close(c->saved_out);
	close(c->saved_err);
	fseek(c->f, 0, SEEK_END);
	n = ftell(c->f);
	fclose(c->f);
	return n;
}

/* A NULL logger, a logger without a stream and a finished logger write
 * nothing anywhere: not to their stream, not to stdout or stderr as a
 * fallback; and log_fini forgets the stream. */
START_TEST(test_null_logger_and_stream_are_noops)
{
	struct std_capture cap;
	struct capture c;
	struct logger lg;
	char *out;

	std_capture_start(&cap);
	log_msg(NULL, LOG_ERROR, "nobody hears %s", "this");
	log_access(NULL, "GET", "/", 200, 0, 0.0, "ua");
	log_fini(NULL);
	log_init(&lg, NULL, LOG_FORMAT_TEXT, LOG_DEBUG);
	log_msg(&lg, LOG_ERROR, "discarded");
	log_access(&lg, "GET", "/", 200, 0, 0.0, "ua");
	log_fini(&lg);
	log_init(&lg, NULL, LOG_FORMAT_JSON, LOG_DEBUG);
	log_msg(&lg, LOG_ERROR, "discarded");
	log_access(&lg, "GET", "/", 200, 0, 0.0, "ua");
	log_fini(&lg);
	ck_assert_int_eq(std_capture_end(&cap), 0);

	/* one line, then log_fini: the stream gets nothing more */
	capture_open(&c, LOG_FORMAT_TEXT, LOG_DEBUG);
	log_msg(&c.lg, LOG_INFO, "before fini");
	log_fini(&c.lg);
	ck_assert_ptr_null(c.lg.out);
	log_msg(&c.lg, LOG_ERROR, "after fini");
	log_access(&c.lg, "GET", "/after", 200, 1, 1.0, "ua");
	fclose(c.f);
	out = c.data;
	ck_assert_uint_eq(text_count_lines(out, strlen(out)), 1);
	ck_assert_ptr_nonnull(strstr(out, " INFO before fini\n"));
	ck_assert_ptr_null(strstr(out, "after"));
	free(out);
}
END_TEST

START_TEST(test_long_message_stays_one_line)
{
	struct capture c;
	char *out, *big = xmalloc(100001);
	size_t ts;

	for (size_t i = 0; i < 100000; i++)
		big[i] = i % 1000 == 999 ? '\n' : 'a';
	big[100000] = '\0';
	capture_open(&c, LOG_FORMAT_TEXT, LOG_INFO);
	log_msg(&c.lg, LOG_INFO, "%s", big);
	out = capture_close(&c);
	ts = assert_timestamp(out, 0);
	ck_assert_uint_eq(strlen(out), ts + strlen(" INFO ") + 100000 + 100 + 1);
	ck_assert_uint_eq(text_count_lines(out, strlen(out)), 1);
	free(out);
	free(big);
}
END_TEST

#define N_THREADS 8
#define N_LINES 400

struct writer {
	struct logger *lg;
	int id;
	int msg_every; /* (batches) a message every that many lines; 0: none */
};

static void *writer_run(void *arg)
{
	const struct writer *w = arg;

	for (int i = 0; i < N_LINES; i++) {
		if (i % 2)
			log_msg(w->lg, LOG_INFO, "thread %d line %d %s", w->id, i,
				"padding padding padding padding padding padding");
		else
			log_access(w->lg, "GET", "/t", w->id, (size_t)i, 1.0, "ua");
	}
	return NULL;
}

START_TEST(test_threads_write_whole_lines)
{
	struct capture c;
	pthread_t tids[N_THREADS];
	struct writer ws[N_THREADS];
	int msgs[N_THREADS] = { 0 }, access[N_THREADS] = { 0 };
	char *out, *line, *save = NULL;

	capture_open(&c, LOG_FORMAT_TEXT, LOG_INFO);
	for (int t = 0; t < N_THREADS; t++) {
		ws[t] = (struct writer){ &c.lg, t, 0 };
		ck_assert_int_eq(pthread_create(&tids[t], NULL, writer_run, &ws[t]), 0);
	}
	for (int t = 0; t < N_THREADS; t++)
		pthread_join(tids[t], NULL);
	out = capture_close(&c);
	ck_assert_uint_eq(text_count_lines(out, strlen(out)), N_THREADS * N_LINES);
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		int t, i, n = 0;

		if (sscanf(line + 20, " INFO thread %d line %d padding padding padding padding "
			   "padding padding%n", &t, &i, &n) == 2 && line[20 + n] == '\0') {
			ck_assert(t >= 0 && t < N_THREADS);
			msgs[t]++;
		} else if (sscanf(line + 24, " GET \"/t\" %d %dB 1.00ms \"ua\"%n", &t, &i, &n) == 2 &&
			   line[24 + n] == '\0') {
			ck_assert(t >= 0 && t < N_THREADS);
			access[t]++;
		} else {
			ck_abort_msg("mangled line: %.100s", line);
		}
	}
	for (int t = 0; t < N_THREADS; t++) {
		ck_assert_int_eq(msgs[t], N_LINES / 2);
		ck_assert_int_eq(access[t], N_LINES / 2);
	}
	free(out);
}
END_TEST

/* ---- batches ---- */

/* A stream that keeps every write it is given (unbuffered, so one fwrite is
 * one write). With stall set, its first write waits (at most 10 s) until
 * the logger's batch is full: the writer has fallen behind. */
struct sink {
	struct buf data;
	size_t writes;        /* calls of the write function */
	size_t torn;          /* writes that did not end with a newline */
	size_t largest;       /* bytes of the largest write */
	struct logger *stall; /* NULL, or the logger whose batch to wait for */
};

static ssize_t sink_write(void *cookie, const char *p, size_t n)
{
	struct sink *k = cookie;

	/* called under write_lock, so lock may be taken (the logger's order) */
	for (int ms = 0; k->stall && k->writes == 0 && ms < 10000; ms++) {
		size_t pending;

		pthread_mutex_lock(&k->stall->lock);
		pending = k->stall->batch.len;
		pthread_mutex_unlock(&k->stall->lock);
		if (pending > LOG_BATCH_MAX - 1024)
			break;
		usleep(1000);
	}
	buf_append(&k->data, p, n);
	k->writes++;
	if (n == 0 || p[n - 1] != '\n')
		k->torn++;
	if (n > k->largest)
		k->largest = n;
	return (ssize_t)n;
}

static FILE *sink_open(struct sink *k, struct logger *stall)
{
	cookie_io_functions_t io = { .write = sink_write };
	FILE *f;

	memset(k, 0, sizeof(*k));
	buf_init(&k->data);
	k->stall = stall;
	f = fopencookie(k, "w", io);
	ck_assert_ptr_nonnull(f);
	setvbuf(f, NULL, _IONBF, 0);
	return f;
}

#define B_THREADS 8
#define B_LINES 5000

/* Access lines whose status is the thread and whose byte count is the
 * line's number, with a message every msg_every lines. */
static void *bwriter_run(void *arg)
{
	const struct writer *w = arg;

	for (int i = 0; i < B_LINES; i++) {
		if (w->msg_every && i % w->msg_every == w->msg_every - 1)
			log_msg(w->lg, LOG_WARN, "thread %d line %d", w->id, i);
		else
			log_access(w->lg, "GET", "/batch/path/of/some/length", w->id, (size_t)i, 0.5,
				   "bench/1.0");
	}
	return NULL;
}

/* Every line of every thread once and whole, each thread's in its order. */
static void assert_every_line_once(char *out)
{
	int next[B_THREADS] = { 0 };
	char *line, *save = NULL;
	size_t n = 0;

	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save), n++) {
		int t, i, len = 0;

		if (sscanf(line + 20, " WARN thread %d line %d%n", &t, &i, &len) == 2 &&
		    line[20 + len] == '\0') {
			ck_assert(t >= 0 && t < B_THREADS);
		} else if (sscanf(line + 24, " GET \"/batch/path/of/some/length\" %d %dB 0.50ms "
				  "\"bench/1.0\"%n", &t, &i, &len) == 2 && line[24 + len] == '\0') {
			ck_assert(t >= 0 && t < B_THREADS);
		} else {
			ck_abort_msg("mangled line: %.100s", line);
		}
		ck_assert_msg(i == next[t], "thread %d: line %d where %d was due", t, i, next[t]);
		next[t] = i + 1;
	}
	ck_assert_uint_eq(n, B_THREADS * B_LINES);
	for (int t = 0; t < B_THREADS; t++)
		ck_assert_int_eq(next[t], B_LINES);
}

/* B_THREADS writers (a message every msg_every lines) to a sink, stalled
 * or not, to the end and log_fini: every line once, whole, in its thread's
 * order, and no write with part of a line. The caller frees k->data. */
static void run_bwriters(struct sink *k, bool stall, int msg_every)
{
	pthread_t tids[B_THREADS];
	struct writer ws[B_THREADS];
	struct logger lg;
	FILE *f = sink_open(k, stall ? &lg : NULL);

	log_init(&lg, f, LOG_FORMAT_TEXT, LOG_INFO);
	for (int t = 0; t < B_THREADS; t++) {
		ws[t] = (struct writer){ &lg, t, msg_every };
		ck_assert_int_eq(pthread_create(&tids[t], NULL, bwriter_run, &ws[t]), 0);
	}
	for (int t = 0; t < B_THREADS; t++)
		pthread_join(tids[t], NULL);
	log_fini(&lg);
	fclose(f);
	ck_assert_uint_eq(k->torn, 0);
	assert_every_line_once(k->data.data);
}

/* 40,000 lines from 8 threads (2.6 MB, past LOG_BATCH_WAKE many times),
 * in far fewer writes than lines. */
START_TEST(test_batches_keep_every_line)
{
	struct sink k;

	run_bwriters(&k, false, 1000);
	/* the 40 messages write the batch each; the rest go 64K at a time */
	ck_assert_msg(k.writes < 200, "%zu writes for %d lines", k.writes, B_THREADS * B_LINES);
	buf_fini(&k.data);
}
END_TEST

/* The stream stalls until the batch is full: callers then write it
 * themselves, waiting for the stream, and nothing is lost; a write is one
 * full batch, no more. */
START_TEST(test_batches_back_pressure)
{
	struct sink k;

	run_bwriters(&k, true, 0);
	ck_assert_uint_gt(k.largest, LOG_BATCH_MAX - 1024);
	ck_assert_uint_le(k.largest, LOG_BATCH_MAX);
	buf_fini(&k.data);
}
END_TEST

/* Lines written to a pipe, read at the other end. */
struct piped {
	struct logger lg;
	FILE *w;
	int rfd;
};

static void piped_open(struct piped *p)
{
	int fds[2];

	ck_assert_int_eq(pipe2(fds, O_CLOEXEC), 0);
	ck_assert_int_eq(fcntl(fds[0], F_SETFL, O_NONBLOCK), 0);
	fcntl(fds[1], F_SETPIPE_SZ, 1 << 20);
	p->rfd = fds[0];
	p->w = fdopen(fds[1], "w");
	ck_assert_ptr_nonnull(p->w);
	log_init(&p->lg, p->w, LOG_FORMAT_TEXT, LOG_INFO);
}

/* Appends what the pipe holds now to b, waiting at most wait_ms for the
 * first bytes; returns how many came. */
static size_t piped_read(struct piped *p, struct buf *b, int wait_ms)
{
	struct pollfd pfd = { .fd = p->rfd, .events = POLLIN };
	char chunk[4096];
	size_t got = 0;
	ssize_t n;

	if (poll(&pfd, 1, wait_ms) <= 0)
		return 0;
	while ((n = read(p->rfd, chunk, sizeof(chunk))) > 0) {
		buf_append(b, chunk, (size_t)n);
		got += (size_t)n;
	}
	return got;
}

static void piped_close(struct piped *p)
{
	log_fini(&p->lg);
	fclose(p->w);
	close(p->rfd);
}

/* Without log_fini or log_flush, the timer writes an access line within a
 * second. */
START_TEST(test_timer_writes_access_lines)
{
	struct piped p;
	struct buf b;
	double t0, t1;
	struct timespec ts;

	buf_init(&b);
	piped_open(&p);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	t0 = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
	log_access(&p.lg, "GET", "/timer", 200, 1, 1.0, "ua");
	while (!strstr(b.data, "/timer")) {
		clock_gettime(CLOCK_MONOTONIC, &ts);
		t1 = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
		ck_assert_msg(t1 - t0 < 1.0, "the access line was not written within 1 s");
		piped_read(&p, &b, 50);
	}
	ck_assert_uint_eq(text_count_lines(b.data, b.len), 1);
	/* and again once the writer has gone back to sleep */
	log_access(&p.lg, "GET", "/again", 200, 1, 1.0, "ua");
	for (int i = 0; i < 20 && !strstr(b.data, "/again"); i++)
		piped_read(&p, &b, 50);
	ck_assert_ptr_nonnull(strstr(b.data, "/again"));
	piped_close(&p);
	buf_fini(&b);
}
END_TEST

/* A levelled line is on the stream when log_msg returns, after the access
 * lines logged before it; log_flush writes the access lines at once. */
START_TEST(test_messages_and_flush_write_at_once)
{
	struct piped p;
	struct buf b;
	const char *a, *m;

	buf_init(&b);
	piped_open(&p);
	log_access(&p.lg, "GET", "/first", 200, 1, 1.0, "ua");
	log_msg(&p.lg, LOG_ERROR, "about to abort");
	ck_assert_uint_gt(piped_read(&p, &b, 0), 0);
	a = strstr(b.data, "/first");
	m = strstr(b.data, " ERROR about to abort\n");
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(m);
	ck_assert(a < m);
	ck_assert_uint_eq(text_count_lines(b.data, b.len), 2);

	log_access(&p.lg, "GET", "/flushed", 200, 1, 1.0, "ua");
	log_flush(&p.lg);
	ck_assert_uint_gt(piped_read(&p, &b, 0), 0);
	ck_assert_ptr_nonnull(strstr(b.data, "/flushed"));
	piped_close(&p);
	buf_fini(&b);
}
END_TEST

/* Every line logged before log_fini is written by it, the timer not yet
 * run out. */
START_TEST(test_fini_writes_every_line)
{
	struct piped p;
	struct buf b;

	buf_init(&b);
	piped_open(&p);
	for (int i = 0; i < 1000; i++)
		log_access(&p.lg, "GET", "/fini", i, 1, 1.0, "ua");
	log_fini(&p.lg);
	piped_read(&p, &b, 0);
	ck_assert_uint_eq(text_count_lines(b.data, b.len), 1000);
	for (int i = 0; i < 1000; i++) {
		char want[32];

		snprintf(want, sizeof(want), "\"/fini\" %d 1B", i);
		ck_assert_msg(strstr(b.data, want), "line %d missing", i);
	}
	fclose(p.w);
	close(p.rfd);
	buf_fini(&b);
}
END_TEST

Suite *log_suite(void)
{
	Suite *s = suite_create("log");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_escape_hostile_strings, 0,
			    (int)(sizeof(esc_cases) / sizeof(esc_cases[0])));
	tcase_add_test(tc, test_escape_null_appends_nothing);
	tcase_add_test(tc, test_text_message_line);
	tcase_add_test(tc, test_text_message_cannot_forge_lines);
	tcase_add_test(tc, test_level_filtering);
	tcase_add_test(tc, test_text_access_line);
	tcase_add_test(tc, test_text_access_line_hostile);
	tcase_add_test(tc, test_access_line_numbers);
	tcase_add_test(tc, test_json_message_line);
	tcase_add_test(tc, test_json_access_line);
	tcase_add_test(tc, test_null_logger_and_stream_are_noops);
	tcase_add_test(tc, test_long_message_stays_one_line);
	tcase_add_test(tc, test_threads_write_whole_lines);
	tcase_add_test(tc, test_batches_keep_every_line);
	tcase_add_test(tc, test_batches_back_pressure);
	tcase_add_test(tc, test_timer_writes_access_lines);
	tcase_add_test(tc, test_messages_and_flush_write_at_once);
	tcase_add_test(tc, test_fini_writes_every_line);
	suite_add_tcase(s, tc);
	return s;
}
