/* SPDX-License-Identifier: MIT */
/*
 * Tests for http: what the transport itself does, over a real socket to
 * the whole server in process (127.0.0.1, port 0), each test with the
 * options it needs and its log in a file read back. Several requests on
 * one connection (keep-alive) each get their own state: a body, a refused
 * upload or a refused query does not leak into the next request; a
 * declared Content-Length over --max-body is refused before the body is
 * sent, a chunked body over it once it has ended; --max-query at its exact
 * bound; one access-log line per request with method, path, status and
 * bytes; HEAD sends headers only; absolute-form targets; the
 * X-Skilld-Generation header; If-None-Match answered 304 from the
 * prepared answers and with --cache-size 0. --max-query-args is tested in
 * check_hosts (test_many_query_args_answered_at_once). Only the socket is
 * used, never http.c's internals.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "fixture_skills.h"
#include "skilld/app/app.h"
#include "skilld/transport/http.h"
#include "skilld/base/util.h"
#include "testutil.h"

Suite *http_suite(void);

/* A server on the fixture skills with its log in tmp/log. */
struct srv {
	char *tmp;
	char *root;
	char *log_path;
	struct config cfg;
	struct app app;
	FILE *log;
	unsigned port;
};

static const char *no_env(const char *name)
{
	(void)name;
	return NULL;
}

/* Starts a server with the fixture options and extra (NULL terminated). */
static void srv_start(struct srv *s, const char *const *extra)
{
	char *argv[32], err[512], *db;
	int argc = 0;

	memset(s, 0, sizeof(*s));
	s->tmp = tu_mkdtemp();
	s->root = fx_write_skills(s->tmp);
	s->log_path = xasprintf("%s/log", s->tmp);
	db = xasprintf("%s/skilld.db", s->tmp);
	argv[argc++] = "skilld";
	argv[argc++] = "--skills";
	argv[argc++] = s->root;
	argv[argc++] = "--db";
	argv[argc++] = db;
	argv[argc++] = "--port";
	argv[argc++] = "0";
	argv[argc++] = "--threads";
	argv[argc++] = "2";
	for (size_t i = 0; extra && extra[i]; i++) {
		ck_assert_int_lt(argc, 31);
		argv[argc++] = (char *)extra[i];
	}
	argv[argc] = NULL;
	ck_assert_msg(config_parse(&s->cfg, argc, argv, no_env, err, sizeof(err)) == 0, "%s", err);
	s->log = fopen(s->log_path, "w");
	ck_assert_ptr_nonnull(s->log);
	ck_assert_msg(app_init(&s->app, &s->cfg, s->log, err, sizeof(err)) == 0, "%s", err);
	ck_assert_msg(http_start(&s->app, err, sizeof(err)) == 0, "%s", err);
	s->port = s->app.port;
	free(db);
}

static void srv_stop(struct srv *s)
{
	http_stop(&s->app);
	app_fini(&s->app);
	fclose(s->log);
	config_fini(&s->cfg);
	tu_rmtree(s->tmp);
	free(s->tmp);
	free(s->root);
	free(s->log_path);
}

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* ---- several answers on one connection ---- */

/* One response cut out of what a connection received. */
struct answer {
	int status;
	char *headers;   /* the header block, "\r\n" after each line */
	char *body;
	size_t body_len;
};

/* Splits all[0..len) into answers (at most max); a HEAD's answer (heads
 * says which, by position) has no body whatever its Content-Length says.
 * Returns how many; fails the test on bytes that are not a response. */
static size_t split_answers(const char *all, size_t len, const bool *heads, struct answer *out,
			    size_t max)
{
	size_t n = 0;
	const char *p = all, *end = all + len;

	while (p < end) {
		const char *hend = strstr(p, "\r\n\r\n");
		const char *cl;
		size_t body = 0;

		ck_assert_msg(n < max, "more than %zu answers:\n%s", max, all);
		ck_assert_msg(hend != NULL, "a response without its header end: %.200s", p);
		ck_assert_msg(sscanf(p, "HTTP/1.1 %d", &out[n].status) == 1, "not a status line: %.80s",
			      p);
		out[n].headers = xstrndup(p, (size_t)(hend - p) + 2);
		cl = strcasestr(out[n].headers, "\r\ncontent-length:");
		if (cl && !(heads && heads[n]))
			body = strtoul(cl + 17, NULL, 10);
		ck_assert_msg((size_t)(end - (hend + 4)) >= body, "a body cut short");
		out[n].body = xstrndup(hend + 4, body);
		out[n].body_len = body;
		p = hend + 4 + body;
		n++;
	}
	return n;
}

static void answers_fini(struct answer *a, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(a[i].headers);
		free(a[i].body);
	}
}

/* A header of an answer (case-insensitive name), newly allocated, or NULL. */
static char *answer_header(const struct answer *a, const char *name)
{
	struct tu_response r = { .headers = a->headers };

	return tu_header(&r, name);
}

/* The error code of a JSON error answer (free()), or NULL. */
static char *error_code(const char *body)
{
	const char *p = strstr(body, "\"code\":\"");
	const char *q;

	if (!p)
		return NULL;
	p += 8;
	q = strchr(p, '"');
	return q ? xstrndup(p, (size_t)(q - p)) : NULL;
}

#define INIT_BODY "{\"jsonrpc\":\"2.0\",\"id\":%d,\"method\":\"initialize\",\"params\":" \
	"{\"protocolVersion\":\"2025-06-18\",\"capabilities\":{}," \
	"\"clientInfo\":{\"name\":\"%s\",\"version\":\"1\"}}}"

/* Appends a POST /mcp initialize with id and client name to raw. */
static void add_initialize(struct buf *raw, int id, const char *name)
{
	char *body = xasprintf(INIT_BODY, id, name);

	buf_printf(raw, "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
		   "Accept: application/json, text/event-stream\r\nContent-Length: %zu\r\n\r\n%s",
		   strlen(body), body);
	free(body);
}

/* On one connection: a body, a query refused for too many arguments, a
 * GET with arguments, another body, a HEAD, a GET. Each request sees only
 * its own state: the second body is not appended to the first, the 414's
 * flag is gone for the next request, and every answer is in order. */
START_TEST(test_keep_alive_state_per_request)
{
	const char *const args = "?a=1&a=2&a=3&a=4"; /* --max-query-args 3 */
	static const bool heads[] = { false, false, false, false, true, false };
	struct srv s;
	struct buf raw;
	struct answer a[8];
	char *all, *h, *code;
	size_t len, n;

	srv_start(&s, (const char *const[]){ "--max-query-args", "3", NULL });
	buf_init(&raw);
	add_initialize(&raw, 41, "first-client-with-a-long-name");
	buf_printf(&raw, "GET /api/v1/skills%s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", args);
	buf_puts(&raw, "GET /api/v1/skills?limit=1&offset=0 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
	add_initialize(&raw, 42, "b");
	buf_puts(&raw, "HEAD /api/v1/skills/alpha HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
	buf_puts(&raw, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
	all = tu_http_all(s.port, raw.data, &len);
	ck_assert_ptr_nonnull(all);
	n = split_answers(all, len, heads, a, 8);
	ck_assert_uint_eq(n, 6);

	ck_assert_int_eq(a[0].status, 200);
	ck_assert_ptr_nonnull(strstr(a[0].body, "\"id\":41"));
	ck_assert_int_eq(a[1].status, 414);
	code = error_code(a[1].body);
	ck_assert_str_eq(code, "too_many_query_args");
	free(code);
	ck_assert_int_eq(a[2].status, 200);
	ck_assert_ptr_nonnull(strstr(a[2].body, "\"data\":[{\"slug\":\"alpha\""));
	/* the second body alone: 42, not 41 with 42 appended */
	ck_assert_int_eq(a[3].status, 200);
	ck_assert_ptr_nonnull(strstr(a[3].body, "\"id\":42"));
	ck_assert_ptr_null(strstr(a[3].body, "\"id\":41"));
	ck_assert_int_eq(a[4].status, 200);
	ck_assert_uint_eq(a[4].body_len, 0);
	ck_assert_int_eq(a[5].status, 200);
	ck_assert_ptr_nonnull(strstr(a[5].body, "\"status\":\"ok\""));
	/* none but the last closed the connection */
	for (size_t i = 0; i + 1 < n; i++) {
		h = answer_header(&a[i], "Connection");
		ck_assert_msg(h == NULL || strcasecmp(h, "close") != 0, "answer %zu closed it", i);
		free(h);
	}
	answers_fini(a, n);
	free(all);
	buf_fini(&raw);
	srv_stop(&s);
}
END_TEST

/* ---- bodies over --max-body ---- */

/* A declared Content-Length over --max-body: 413 as soon as the headers
 * are in, the body never sent; the connection is closed after it. One
 * byte less is read and handed on. */
START_TEST(test_declared_body_over_the_limit)
{
	struct srv s;
	struct tu_response r;
	char *raw, *code, *all;
	double t0;
	size_t len;

	srv_start(&s, (const char *const[]){ "--max-body", "1000", NULL });
	/* headers only: had the server waited for the body, this would wait
	 * for the 10 s receive timeout of tu_http */
	t0 = now_s();
	ck_assert_int_eq(tu_http(s.port, "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\n"
				 "Content-Type: application/json\r\nContent-Length: 1001\r\n\r\n", &r), 0);
	ck_assert_msg(now_s() - t0 < 5.0, "the 413 took %.1f s", now_s() - t0);
	ck_assert_int_eq(r.status, 413);
	code = error_code(r.body);
	ck_assert_str_eq(code, "too_large");
	free(code);
	ck_assert_ptr_nonnull(strstr(r.body, "over 1000 bytes (--max-body)"));
	tu_response_fini(&r);

	/* the connection is closed after the 413 (at once: were it kept, the
	 * server would wait for the 5000 bytes until tu_http_all's 10 s
	 * timeout): a request behind the declared body gets no answer */
	t0 = now_s();
	all = tu_http_all(s.port, "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5000\r\n\r\n"
			  "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", &len);
	ck_assert_ptr_nonnull(all);
	ck_assert_int_eq(strncmp(all, "HTTP/1.1 413 ", 13), 0);
	ck_assert_ptr_null(strstr(all + 13, "HTTP/1.1 "));
	ck_assert_msg(now_s() - t0 < 5.0, "the connection stayed open %.1f s", now_s() - t0);
	free(all);

	/* exactly 1000 bytes: the handler reads them (a JSON-RPC parse error,
	 * which /mcp answers 200 with a JSON-RPC error) */
	raw = xmalloc(2000);
	len = (size_t)snprintf(raw, 2000, "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
			       "Content-Type: application/json\r\nAccept: application/json, "
			       "text/event-stream\r\nContent-Length: 1000\r\n\r\n");
	memset(raw + len, ' ', 1000);
	raw[len + 1000] = '\0';
	raw[len] = '[';
	ck_assert_int_eq(tu_http(s.port, raw, &r), 0);
	ck_assert_int_ne(r.status, 413);
	ck_assert_ptr_null(strstr(r.body, "too_large"));
	tu_response_fini(&r);
	free(raw);
	srv_stop(&s);
}
END_TEST

/* Appends a chunked body of total bytes in chunks of at most chunk. */
static void add_chunked(struct buf *raw, const char *data, size_t total, size_t chunk)
{
	for (size_t off = 0; off < total; off += chunk) {
		size_t n = total - off < chunk ? total - off : chunk;

		buf_printf(raw, "%zx\r\n", n);
		buf_append(raw, data + off, n);
		buf_puts(raw, "\r\n");
	}
	buf_puts(raw, "0\r\n\r\n");
}

/* A chunked body (no declared length) is assembled whole when it fits;
 * over --max-body the rest is read and dropped and 413 goes out when it
 * has ended, and the next request on the connection is served. */
START_TEST(test_chunked_bodies)
{
	static const char head[] = "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\n"
				   "Content-Type: application/json\r\n"
				   "Accept: application/json, text/event-stream\r\n"
				   "Transfer-Encoding: chunked\r\n\r\n";
	struct srv s;
	struct buf raw;
	struct answer a[4];
	char *body = xasprintf(INIT_BODY, 7, "chunked-client"), *big, *all, *code;
	size_t len, n;

	srv_start(&s, (const char *const[]){ "--max-body", "1000", NULL });
	buf_init(&raw);
	buf_puts(&raw, head);
	add_chunked(&raw, body, strlen(body), 16);
	/* 1001 bytes in chunks of 100: over the limit on the last chunk */
	big = xmalloc(1001);
	memset(big, ' ', 1001);
	buf_puts(&raw, head);
	add_chunked(&raw, big, 1001, 100);
	buf_puts(&raw, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
	all = tu_http_all(s.port, raw.data, &len);
	ck_assert_ptr_nonnull(all);
	n = split_answers(all, len, NULL, a, 4);
	ck_assert_uint_eq(n, 3);
	ck_assert_int_eq(a[0].status, 200);
	ck_assert_ptr_nonnull(strstr(a[0].body, "\"id\":7"));
	ck_assert_int_eq(a[1].status, 413);
	code = error_code(a[1].body);
	ck_assert_str_eq(code, "too_large");
	free(code);
	ck_assert_int_eq(a[2].status, 200);
	ck_assert_ptr_nonnull(strstr(a[2].body, "\"status\":\"ok\""));
	answers_fini(a, n);
	free(all);
	free(big);
	free(body);
	buf_fini(&raw);
	srv_stop(&s);
}
END_TEST

/* ---- --max-query ---- */

/* The query's bytes count key=value& per argument: 256 pass, 257 get 414. */
START_TEST(test_max_query_bound)
{
	struct srv s;
	struct tu_response r;
	char path[512], *code;

	srv_start(&s, (const char *const[]){ "--max-query", "256", NULL });
	/* "pad" + 251 bytes + 2 = 256 */
	strcpy(path, "/healthz?pad=");
	memset(path + strlen(path), 'v', 251);
	path[13 + 251] = '\0';
	ck_assert_int_eq(tu_get(s.port, path, NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	tu_response_fini(&r);
	strcat(path, "v");
	ck_assert_int_eq(tu_get(s.port, path, NULL, &r), 0);
	ck_assert_int_eq(r.status, 414);
	code = error_code(r.body);
	ck_assert_str_eq(code, "query_too_long");
	free(code);
	ck_assert_ptr_nonnull(strstr(r.body, "over 256 bytes (--max-query)"));
	tu_response_fini(&r);
	/* two arguments: (1+123+2) + (1+127+2) = 256, then one more byte */
	snprintf(path, sizeof(path), "/healthz?a=%0123d&b=%0127d", 0, 0);
	ck_assert_int_eq(tu_get(s.port, path, NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	tu_response_fini(&r);
	snprintf(path, sizeof(path), "/healthz?a=%0124d&b=%0127d", 0, 0);
	ck_assert_int_eq(tu_get(s.port, path, NULL, &r), 0);
	ck_assert_int_eq(r.status, 414);
	tu_response_fini(&r);
	srv_stop(&s);
}
END_TEST

/* ---- the access log ---- */

/* One parsed access-log line. */
struct access {
	char method[16];
	char path[512];
	int status;
	size_t bytes;
	char ua[128];
};

/* The access lines of the log (text format: the only lines whose
 * timestamp has milliseconds), parsed into out; returns how many. */
static size_t access_lines(const char *log, struct access *out, size_t max)
{
	size_t n = 0;

	for (const char *p = log; *p; ) {
		const char *nl = strchr(p, '\n');

		ck_assert_ptr_nonnull(nl);
		if (nl - p > 24 && p[19] == '.' && p[23] == 'Z' && p[24] == ' ') {
			double ms;

			ck_assert_uint_lt(n, max);
			ck_assert_msg(sscanf(p + 25, "%15s \"%511[^\"]\" %d %zuB %lfms \"%127[^\"]\"",
					     out[n].method, out[n].path, &out[n].status, &out[n].bytes,
					     &ms, out[n].ua) == 6, "not an access line: %.*s",
				      (int)(nl - p), p);
			n++;
		}
		p = nl + 1;
	}
	return n;
}

/* Every request leaves one line: method, the target as requested (query
 * left out), status, the body bytes sent, the user agent; refused requests
 * too, and requests answered from the prepared answers. */
START_TEST(test_access_log_line_per_request)
{
	struct srv s;
	struct tu_response r;
	struct access l[16];
	size_t skill_len, n;
	char *log, *raw, *etag, *extra;

	srv_start(&s, (const char *const[]){ "--max-body", "100", NULL });
	ck_assert_int_eq(tu_get(s.port, "/api/v1/skills/alpha", "User-Agent: agent/1.0\r\n", &r), 0);
	ck_assert_int_eq(r.status, 200);
	skill_len = r.body_len;
	etag = tu_header(&r, "ETag");
	tu_response_fini(&r);
	/* the same, from the prepared answers */
	ck_assert_int_eq(tu_get(s.port, "/api/v1/skills/alpha", "User-Agent: agent/1.0\r\n", &r), 0);
	ck_assert_uint_eq(r.body_len, skill_len);
	tu_response_fini(&r);
	extra = xasprintf("If-None-Match: %s\r\nUser-Agent: agent/1.0\r\n", etag);
	ck_assert_int_eq(tu_get(s.port, "/api/v1/skills/alpha", extra, &r), 0);
	ck_assert_int_eq(r.status, 304);
	tu_response_fini(&r);
	free(extra);
	ck_assert_int_eq(tu_get(s.port, "/api/v1/skills/nope?x=1", NULL, &r), 0);
	ck_assert_int_eq(r.status, 404);
	n = r.body_len;
	tu_response_fini(&r);
	ck_assert_int_eq(tu_http(s.port, "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\n"
				 "Content-Length: 101\r\n\r\n", &r), 0);
	ck_assert_int_eq(r.status, 413);
	raw = xasprintf("%zu", r.body_len);
	tu_response_fini(&r);
	ck_assert_int_eq(tu_http(s.port, "DELETE /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n"
				 "Connection: close\r\n\r\n", &r), 0);
	ck_assert_int_eq(r.status, 405);
	tu_response_fini(&r);
	ck_assert_int_eq(tu_http(s.port, "HEAD /api/v1/skills/beta HTTP/1.1\r\nHost: 127.0.0.1\r\n"
				 "Connection: close\r\n\r\n", &r), 0);
	tu_response_fini(&r);
	ck_assert_int_eq(tu_http(s.port, "GET http://127.0.0.1/healthz?z=1 HTTP/1.1\r\nHost: 127.0.0.1\r\n"
				 "Connection: close\r\n\r\n", &r), 0);
	tu_response_fini(&r);

	log_flush(&s.app.log); /* access lines are written in batches */
	log = tu_read(s.log_path, NULL);
	ck_assert_uint_eq(access_lines(log, l, 16), 8);
	ck_assert_str_eq(l[0].method, "GET");
	ck_assert_str_eq(l[0].path, "/api/v1/skills/alpha");
	ck_assert_int_eq(l[0].status, 200);
	ck_assert_uint_eq(l[0].bytes, skill_len);
	ck_assert_str_eq(l[0].ua, "agent/1.0");
	ck_assert_str_eq(l[1].path, "/api/v1/skills/alpha");
	ck_assert_int_eq(l[1].status, 200);
	ck_assert_uint_eq(l[1].bytes, skill_len);
	ck_assert_str_eq(l[1].ua, "agent/1.0");
	ck_assert_int_eq(l[2].status, 304);
	ck_assert_uint_eq(l[2].bytes, 0);
	ck_assert_str_eq(l[3].path, "/api/v1/skills/nope");
	ck_assert_int_eq(l[3].status, 404);
	ck_assert_uint_eq(l[3].bytes, n);
	ck_assert_str_eq(l[3].ua, "-");
	ck_assert_str_eq(l[4].method, "POST");
	ck_assert_str_eq(l[4].path, "/mcp");
	ck_assert_int_eq(l[4].status, 413);
	ck_assert_uint_eq(l[4].bytes, strtoul(raw, NULL, 10));
	ck_assert_str_eq(l[5].method, "DELETE");
	ck_assert_int_eq(l[5].status, 405);
	/* (the bytes of a HEAD: see test_access_log_known_bugs) */
	ck_assert_str_eq(l[6].method, "HEAD");
	ck_assert_str_eq(l[6].path, "/api/v1/skills/beta");
	ck_assert_int_eq(l[6].status, 200);
	/* an absolute-form target is logged as it was sent */
	ck_assert_str_eq(l[7].path, "http://127.0.0.1/healthz");
	ck_assert_int_eq(l[7].status, 200);
	free(log);
	free(raw);
	free(etag);
	srv_stop(&s);
}
END_TEST

/* An install token (--install-token-file) never reaches the log: the
 * access line shows the path with it masked, right or wrong, in the
 * origin form and the absolute form, answered or from the prepared
 * answers. */
START_TEST(test_access_log_masks_the_install_token)
{
	static const char *const install = "inst-0123456789abcdef";
	struct srv s;
	struct tu_response r;
	struct access l[8];
	char *tmp = tu_mkdtemp(), *tok = xasprintf("%s/token", tmp), *inst = xasprintf("%s/install", tmp);
	char *log, *path, *raw;

	tu_write_str(tmp, "token", "s3cret-token-0123456789\n");
	tu_write_str(tmp, "install", install);
	srv_start(&s, (const char *const[]){ "--token-file", tok, "--install-token-file", inst, NULL });
	path = xasprintf("/i/%s/.well-known/skills/index.json", install);
	for (int i = 0; i < 2; i++) {
		ck_assert_int_eq(tu_get(s.port, path, NULL, &r), 0);
		ck_assert_int_eq(r.status, 200);
		tu_response_fini(&r);
	}
	ck_assert_int_eq(tu_get(s.port, "/i/inst-0123456789abcdeX/.well-known/skills/index.json", NULL,
				&r), 0);
	ck_assert_int_eq(r.status, 404);
	tu_response_fini(&r);
	raw = xasprintf("GET http://127.0.0.1%s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
			path);
	ck_assert_int_eq(tu_http(s.port, raw, &r), 0);
	ck_assert_int_eq(r.status, 200);
	tu_response_fini(&r);

	log_flush(&s.app.log);
	log = tu_read(s.log_path, NULL);
	ck_assert_uint_eq(access_lines(log, l, 8), 4);
	ck_assert_str_eq(l[0].path, "/i/***/.well-known/skills/index.json");
	ck_assert_str_eq(l[1].path, "/i/***/.well-known/skills/index.json");
	ck_assert_str_eq(l[2].path, "/i/***/.well-known/skills/index.json");
	ck_assert_int_eq(l[2].status, 404);
	ck_assert_str_eq(l[3].path, "http://127.0.0.1/i/***/.well-known/skills/index.json");
	ck_assert_msg(!strstr(log, install) && !strstr(log, "inst-0123456789abcdeX"), "%s", log);
	free(log);
	free(raw);
	free(path);
	srv_stop(&s);
	tu_rmtree(tmp);
	free(tmp);
	free(tok);
	free(inst);
}
END_TEST

/* --no-access-log: not one access line, the other lines still written. */
START_TEST(test_no_access_log)
{
	struct srv s;
	struct tu_response r;
	struct access l[4];
	char *log;

	srv_start(&s, (const char *const[]){ "--no-access-log", NULL });
	ck_assert_int_eq(tu_get(s.port, "/healthz", NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	tu_response_fini(&r);
	log_flush(&s.app.log); /* access lines are written in batches */
	log = tu_read(s.log_path, NULL);
	ck_assert_uint_eq(access_lines(log, l, 4), 0);
	ck_assert_ptr_nonnull(strstr(log, " INFO "));
	free(log);
	srv_stop(&s);
}
END_TEST

/* ---- HEAD ---- */

/* HEAD: the GET's status and headers (Content-Length included), not one
 * byte of body: on a kept-alive connection the next answer starts right
 * after the HEAD's header block, for a fresh answer, a prepared one, a
 * page and an error. */
START_TEST(test_head_sends_no_body)
{
	static const char *const paths[] = { "/api/v1/skills/alpha", "/api/v1/skills/alpha",
					     "/skills/alpha", "/api/v1/skills/nope" };
	static const bool heads[] = { true, false };
	struct srv s;

	srv_start(&s, NULL);
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		char *raw = xasprintf("HEAD %s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
				      "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
				      paths[i], paths[i]);
		struct answer a[2];
		char *hl, *gl, *all;
		size_t len;

		all = tu_http_all(s.port, raw, &len);
		ck_assert_ptr_nonnull(all);
		ck_assert_uint_eq(split_answers(all, len, heads, a, 2), 2);
		ck_assert_int_eq(a[0].status, a[1].status);
		ck_assert_uint_eq(a[0].body_len, 0);
		hl = answer_header(&a[0], "Content-Length");
		gl = answer_header(&a[1], "Content-Length");
		ck_assert_ptr_nonnull(hl);
		ck_assert_str_eq(hl, gl);
		ck_assert_uint_eq(strtoul(gl, NULL, 10), a[1].body_len);
		ck_assert_uint_gt(a[1].body_len, 0); /* so that a body would show */
		free(hl);
		free(gl);
		hl = answer_header(&a[0], "Content-Type");
		gl = answer_header(&a[1], "Content-Type");
		ck_assert_str_eq(hl, gl);
		free(hl);
		free(gl);
		answers_fini(a, 2);
		free(all);
		free(raw);
	}
	srv_stop(&s);
}
END_TEST

/* ---- absolute-form targets ---- */

/* "GET http://host/path?query" is served as /path?query, any scheme
 * case, https too; a target with no path is "/". */
START_TEST(test_absolute_form_targets)
{
	static const struct {
		const char *absolute, *origin;
	} cases[] = {
		{ "http://127.0.0.1/api/v1/skills/alpha", "/api/v1/skills/alpha" },
		{ "HTTP://127.0.0.1:8080/api/v1/skills/alpha/files/SKILL.md",
		  "/api/v1/skills/alpha/files/SKILL.md" },
		{ "https://localhost/api/v1/search?q=widget&limit=2", "/api/v1/search?q=widget&limit=2" },
		{ "http://127.0.0.1", "/" },
		{ "http://127.0.0.1/nope", "/nope" },
	};
	struct srv s;

	srv_start(&s, NULL);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct tu_response a, o;

		/* absolute first, so it is not served what the origin form
		 * prepared */
		ck_assert_int_eq(tu_get(s.port, cases[i].absolute, "Accept: application/json\r\n", &a), 0);
		ck_assert_int_eq(tu_get(s.port, cases[i].origin, "Accept: application/json\r\n", &o), 0);
		ck_assert_msg(a.status == o.status, "%s: %d, %s: %d", cases[i].absolute, a.status,
			      cases[i].origin, o.status);
		ck_assert_uint_eq(a.body_len, o.body_len);
		ck_assert_int_eq(memcmp(a.body, o.body, o.body_len), 0);
		tu_response_fini(&a);
		tu_response_fini(&o);
	}
	srv_stop(&s);
}
END_TEST

/* ---- X-Skilld-Generation ---- */

/* Every answer that read the index names its generation: fresh and
 * prepared 200s, 304s and 404s; after a re-index the next answer names
 * the new one. */
START_TEST(test_generation_header)
{
	struct srv s;
	struct tu_response r;
	char *h, *etag, *extra, err[256];

	srv_start(&s, NULL);
	for (int k = 0; k < 2; k++) { /* fresh, then prepared */
		ck_assert_int_eq(tu_get(s.port, "/api/v1/skills/alpha", NULL, &r), 0);
		ck_assert_int_eq(r.status, 200);
		h = tu_header(&r, "X-Skilld-Generation");
		ck_assert_str_eq(h, "1");
		free(h);
		etag = tu_header(&r, "ETag");
		tu_response_fini(&r);
		extra = xasprintf("If-None-Match: %s\r\n", etag);
		ck_assert_int_eq(tu_get(s.port, "/api/v1/skills/alpha", extra, &r), 0);
		ck_assert_int_eq(r.status, 304);
		h = tu_header(&r, "X-Skilld-Generation");
		ck_assert_str_eq(h, "1");
		free(h);
		tu_response_fini(&r);
		free(extra);
		free(etag);
	}
	ck_assert_int_eq(tu_get(s.port, "/api/v1/skills/nope", NULL, &r), 0);
	ck_assert_int_eq(r.status, 404);
	h = tu_header(&r, "X-Skilld-Generation");
	ck_assert_str_eq(h, "1");
	free(h);
	tu_response_fini(&r);

	tu_write_str(s.root, "alpha/references/edit.md", "# Edit\n");
	ck_assert_msg(app_reindex(&s.app, "test", false, err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(tu_get(s.port, "/api/v1/skills/alpha", NULL, &r), 0);
	h = tu_header(&r, "X-Skilld-Generation");
	ck_assert_str_eq(h, "2");
	free(h);
	tu_response_fini(&r);
	srv_stop(&s);
}
END_TEST

/* ---- If-None-Match ---- */

/* The ETag of a 200 revalidates to 304 (no body, the same ETag), weak or
 * in a list or as "*"; another tag gets the whole 200; HEAD too. Run
 * with the prepared answers (the default) and without (--cache-size 0). */
static void check_revalidation(const char *const *extra_args)
{
	struct srv s;
	struct tu_response r;
	char *etag, *h, *hdrs;
	size_t full;

	srv_start(&s, extra_args);
	ck_assert_int_eq(tu_get(s.port, "/api/v1/skills/alpha/files/references/guide.md", NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(r.body, "# Guide\n\nText.\n");
	etag = tu_header(&r, "ETag");
	ck_assert_ptr_nonnull(etag);
	ck_assert_uint_eq(strlen(etag), 34); /* a quoted 32-hex digest */
	full = r.body_len;
	tu_response_fini(&r);
	{
		/* the tag alone, weak, in a list, and "*" */
		static const struct {
			const char *before;
			bool tag;
		} forms[] = { { "", true }, { "W/", true }, { "\"other\", ", true }, { "*", false } };

		for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
			hdrs = xasprintf("If-None-Match: %s%s\r\n", forms[i].before,
					 forms[i].tag ? etag : "");
			ck_assert_int_eq(tu_get(s.port, "/api/v1/skills/alpha/files/references/guide.md",
						hdrs, &r), 0);
			ck_assert_msg(r.status == 304, "%s: %d", hdrs, r.status);
			ck_assert_uint_eq(r.body_len, 0);
			h = tu_header(&r, "ETag");
			ck_assert_str_eq(h, etag);
			free(h);
			tu_response_fini(&r);
			free(hdrs);
		}
	}
	ck_assert_int_eq(tu_get(s.port, "/api/v1/skills/alpha/files/references/guide.md",
				"If-None-Match: \"0000000000000000000000000000000\"\r\n", &r), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_uint_eq(r.body_len, full);
	tu_response_fini(&r);
	hdrs = xasprintf("HEAD /api/v1/skills/alpha/files/references/guide.md HTTP/1.1\r\n"
			 "Host: 127.0.0.1\r\nConnection: close\r\nIf-None-Match: %s\r\n\r\n", etag);
	ck_assert_int_eq(tu_http(s.port, hdrs, &r), 0);
	ck_assert_int_eq(r.status, 304);
	tu_response_fini(&r);
	free(hdrs);
	free(etag);
	srv_stop(&s);
}

START_TEST(test_304_from_prepared_answers)
{
	check_revalidation(NULL);
}
END_TEST

START_TEST(test_304_without_cache)
{
	check_revalidation((const char *const[]){ "--cache-size", "0", NULL });
}
END_TEST

/* The access line of a HEAD counts the body bytes sent (none; it counted
 * what a GET would get), and the line of a request refused before routing
 * (413, 414 for too many arguments) names the user agent the request sent
 * (it said "-"). */
START_TEST(test_access_log_head_and_refused)
{
	struct srv s;
	struct tu_response r;
	struct access l[4];
	char *log;

	srv_start(&s, (const char *const[]){ "--max-body", "100", NULL });
	ck_assert_int_eq(tu_http(s.port, "HEAD /api/v1/skills/beta HTTP/1.1\r\nHost: 127.0.0.1\r\n"
				 "Connection: close\r\n\r\n", &r), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_uint_eq(r.body_len, 0);
	tu_response_fini(&r);
	ck_assert_int_eq(tu_http(s.port, "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\n"
				 "User-Agent: agent/2.0\r\nContent-Length: 101\r\n\r\n", &r), 0);
	ck_assert_int_eq(r.status, 413);
	tu_response_fini(&r);
	log_flush(&s.app.log); /* access lines are written in batches */
	log = tu_read(s.log_path, NULL);
	ck_assert_uint_eq(access_lines(log, l, 4), 2);
	ck_assert_msg(l[0].bytes == 0 && strcmp(l[1].ua, "agent/2.0") == 0,
		      "the HEAD logged %zuB (0 sent); the 413 logged user agent \"%s\" (agent/2.0 sent)",
		      l[0].bytes, l[1].ua);
	free(log);
	srv_stop(&s);
}
END_TEST

Suite *http_suite(void)
{
	Suite *s = suite_create("http");
	TCase *tc = tcase_create("socket");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_keep_alive_state_per_request);
	tcase_add_test(tc, test_declared_body_over_the_limit);
	tcase_add_test(tc, test_chunked_bodies);
	tcase_add_test(tc, test_max_query_bound);
	tcase_add_test(tc, test_access_log_line_per_request);
	tcase_add_test(tc, test_access_log_masks_the_install_token);
	tcase_add_test(tc, test_no_access_log);
	tcase_add_test(tc, test_head_sends_no_body);
	tcase_add_test(tc, test_absolute_form_targets);
	tcase_add_test(tc, test_generation_header);
	tcase_add_test(tc, test_304_from_prepared_answers);
	tcase_add_test(tc, test_304_without_cache);
	tcase_add_test(tc, test_access_log_head_and_refused);
	suite_add_tcase(s, tc);
	return s;
}
