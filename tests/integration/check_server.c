/* SPDX-License-Identifier: MIT */
/*
 * Tests for http over a real socket: the daemon runs in-process on
 * 127.0.0.1, port 0, and the test speaks HTTP/1.1 to it.
 */
#include <check.h>
#include <stdint.h>
#include <zlib.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fixture_skills.h"
#include "skilld/app/app.h"
#include "skilld/transport/http.h"
#include "skilld/base/util.h"
#include "testutil.h"

Suite *server_suite(void);

static char *tmp;
static struct config cfg;
static struct app app;
static FILE *log_out;

static const char *no_env(const char *name)
{
	(void)name;
	return NULL;
}

static void setup(void)
{
	char err[512];
	char *root, *db;

	tmp = tu_mkdtemp();
	root = fx_write_skills(tmp);
	db = xasprintf("%s/skilld.db", tmp);
	char *argv[] = { "skilld", "--skills", root, "--db", db, "--port", "0", "--threads", "2", NULL };
	ck_assert_int_eq(config_parse(&cfg, 9, argv, no_env, err, sizeof(err)), 0);
	log_out = fopen("/dev/null", "w");
	ck_assert_msg(app_init(&app, &cfg, log_out, err, sizeof(err)) == 0, "%s", err);
	ck_assert_msg(http_start(&app, err, sizeof(err)) == 0, "%s", err);
	ck_assert_uint_gt(app.port, 0);
	free(root);
	free(db);
}

static void teardown(void)
{
	http_stop(&app);
	app_fini(&app);
	fclose(log_out);
	config_fini(&cfg);
	tu_rmtree(tmp);
	free(tmp);
}

START_TEST(test_get_json)
{
	struct tu_response r;
	char *ct, *etag, *nosniff;

	ck_assert_int_eq(tu_get(app.port, "/healthz", NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_int_eq(strncmp(r.body, "{\"status\":\"ok\",\"skills\":4,\"generation\":1,", 41), 0);
	ct = tu_header(&r, "Content-Type");
	ck_assert_str_eq(ct, "application/json; charset=utf-8");
	free(ct);
	tu_response_fini(&r);

	ck_assert_int_eq(tu_get(app.port, "/api/v1/skills/alpha/files/SKILL.md", NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert(strncmp(r.body, "---\nname: alpha\n", 16) == 0);
	ct = tu_header(&r, "Content-Type");
	etag = tu_header(&r, "ETag");
	nosniff = tu_header(&r, "X-Content-Type-Options");
	ck_assert_str_eq(ct, "text/markdown; charset=utf-8");
	ck_assert_str_eq(nosniff, "nosniff");
	ck_assert_ptr_nonnull(etag);
	tu_response_fini(&r);

	char extra[128];
	snprintf(extra, sizeof(extra), "If-None-Match: %s\r\n", etag);
	ck_assert_int_eq(tu_get(app.port, "/api/v1/skills/alpha/files/SKILL.md", extra, &r), 0);
	ck_assert_int_eq(r.status, 304);
	ck_assert_uint_eq(r.body_len, 0);
	tu_response_fini(&r);
	free(ct);
	free(etag);
	free(nosniff);
}
END_TEST

START_TEST(test_head_and_errors)
{
	struct tu_response r, g;
	char *len_head, *len_get, *allow;

	ck_assert_int_eq(tu_http(app.port, "HEAD /api/v1/skills HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", &r), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_uint_eq(r.body_len, 0);
	ck_assert_int_eq(tu_get(app.port, "/api/v1/skills", NULL, &g), 0);
	len_head = tu_header(&r, "Content-Length");
	len_get = tu_header(&g, "Content-Length");
	ck_assert_str_eq(len_head, len_get);
	ck_assert_uint_eq(strtoul(len_get, NULL, 10), g.body_len);
	free(len_head);
	free(len_get);
	tu_response_fini(&r);
	tu_response_fini(&g);

	ck_assert_int_eq(tu_http(app.port, "DELETE /api/v1/skills/alpha HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", &r), 0);
	ck_assert_int_eq(r.status, 405);
	allow = tu_header(&r, "Allow");
	ck_assert_str_eq(allow, "GET, HEAD");
	free(allow);
	ck_assert(strstr(r.body, "\"method_not_allowed\"") != NULL);
	tu_response_fini(&r);

	ck_assert_int_eq(tu_get(app.port, "/api/v1/skills/alpha/files/a%00b", NULL, &r), 0);
	ck_assert_int_eq(r.status, 400);
	tu_response_fini(&r);
	ck_assert_int_eq(tu_get(app.port, "/api/v1/skills/%2e%2e/files/x", NULL, &r), 0);
	ck_assert_int_eq(r.status, 400);
	tu_response_fini(&r);
	/* outside /api/ an error is negotiated: a client without a
	 * User-Agent gets text, JSON when it asks for it */
	ck_assert_int_eq(tu_get(app.port, "/nothing/here", NULL, &r), 0);
	ck_assert_int_eq(r.status, 404);
	ck_assert_str_eq(r.body, "Error 404: no such resource\n");
	tu_response_fini(&r);
	ck_assert_int_eq(tu_get(app.port, "/nothing/here", "Accept: application/json\r\n", &r), 0);
	ck_assert_int_eq(r.status, 404);
	ck_assert(strstr(r.body, "\"not_found\"") != NULL);
	tu_response_fini(&r);

	ck_assert_int_eq(tu_http(app.port, "POST /api/v1/skills HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
				 "Content-Length: 5\r\n\r\nhello", &r), 0);
	ck_assert_int_eq(r.status, 405);
	tu_response_fini(&r);
}
END_TEST

START_TEST(test_absolute_form_csp_and_large_body)
{
	struct tu_response r;
	char *csp;
	char *big;
	size_t n = (2u << 20) + 100;

	ck_assert_int_eq(tu_http(app.port, "GET http://127.0.0.1/healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n"
				 "Connection: close\r\n\r\n", &r), 0);
	ck_assert_int_eq(r.status, 200);
	tu_response_fini(&r);

	ck_assert_int_eq(tu_get(app.port, "/api/v1/skills/alpha/files/scripts/run.sh", NULL, &r), 0);
	csp = tu_header(&r, "Content-Security-Policy");
	ck_assert_str_eq(csp, "default-src 'none'; sandbox");
	free(csp);
	tu_response_fini(&r);

	/* A declared body over 1 MiB is refused with 413 before it is sent. */
	big = xasprintf("POST /api/v1/skills HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: %zu\r\n"
			"Expect: 100-continue\r\n\r\n", n);
	ck_assert_int_eq(tu_http(app.port, big, &r), 0);
	ck_assert_int_eq(r.status, 413);
	ck_assert(strstr(r.body, "\"too_large\"") != NULL);
	tu_response_fini(&r);
	free(big);
}
END_TEST

/* Query arguments over --max-query (default 16K) get 414. */
START_TEST(test_query_too_long)
{
	struct tu_response r;
	char *path = xmalloc(20000 + 64);

	strcpy(path, "/api/v1/search?q=");
	memset(path + strlen(path), 'a', 17000);
	path[17 + 17000] = '\0';
	ck_assert_int_eq(tu_get(app.port, path, NULL, &r), 0);
	ck_assert_int_eq(r.status, 414);
	ck_assert(strstr(r.body, "\"query_too_long\"") != NULL);
	tu_response_fini(&r);
	path[17 + 900] = '\0';
	ck_assert_int_eq(tu_get(app.port, path, NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	tu_response_fini(&r);
	free(path);
}
END_TEST

/* Prepared answers: gzip when asked for (a different strong ETag), the
 * identity form otherwise, 304 for either ETag, Vary: Accept-Encoding,
 * Cache-Control: no-cache; small answers are never compressed; a new
 * index generation is served at once, and /healthz is never kept. */
START_TEST(test_prepared_answers_and_gzip)
{
	const char *gz = "Accept-Encoding: gzip, deflate\r\n";
	struct tu_response plain, z, r;
	char *etag, *zetag, *h, *body, *extra, err[256];

	for (int round = 0; round < 2; round++) { /* built, then from the cache */
		ck_assert_int_eq(tu_get(app.port, "/api/v1/skills/alpha", NULL, &plain), 0);
		ck_assert_int_eq(tu_get(app.port, "/api/v1/skills/alpha", gz, &z), 0);
		ck_assert_int_eq(plain.status, 200);
		ck_assert_int_eq(z.status, 200);
		ck_assert_ptr_null(tu_header(&plain, "Content-Encoding"));
		h = tu_header(&z, "Content-Encoding");
		ck_assert_str_eq(h, "gzip");
		free(h);
		body = tu_gunzip(z.body, z.body_len, NULL);
		ck_assert_str_eq(body, plain.body);
		ck_assert_uint_lt(z.body_len, plain.body_len);
		free(body);
		etag = tu_header(&plain, "ETag");
		zetag = tu_header(&z, "ETag");
		ck_assert_str_ne(etag, zetag);
		h = tu_header(&z, "Vary");
		ck_assert_ptr_nonnull(strstr(h, "Accept-Encoding"));
		free(h);
		h = tu_header(&plain, "Cache-Control");
		ck_assert_str_eq(h, "no-cache");
		free(h);
		/* each ETag revalidates its own form */
		extra = xasprintf("If-None-Match: %s\r\n%s", zetag, gz);
		ck_assert_int_eq(tu_get(app.port, "/api/v1/skills/alpha", extra, &r), 0);
		ck_assert_int_eq(r.status, 304);
		ck_assert_uint_eq(r.body_len, 0);
		tu_response_fini(&r);
		free(extra);
		extra = xasprintf("If-None-Match: %s\r\n", etag);
		ck_assert_int_eq(tu_get(app.port, "/api/v1/skills/alpha", extra, &r), 0);
		ck_assert_int_eq(r.status, 304);
		tu_response_fini(&r);
		free(extra);
		free(etag);
		free(zetag);
		tu_response_fini(&plain);
		tu_response_fini(&z);
	}
	/* small: not compressed; gzip;q=0: not compressed */
	ck_assert_int_eq(tu_get(app.port, "/api/v1/skills/alpha/evals", gz, &r), 0);
	if (r.body_len < 1024)
		ck_assert_ptr_null(tu_header(&r, "Content-Encoding"));
	tu_response_fini(&r);
	ck_assert_int_eq(tu_get(app.port, "/api/v1/skills/alpha", "Accept-Encoding: gzip;q=0\r\n", &r), 0);
	ck_assert_ptr_null(tu_header(&r, "Content-Encoding"));
	tu_response_fini(&r);

	/* a new generation is served at once, although the old answer was kept */
	for (int i = 0; i < 2; i++) {
		ck_assert_int_eq(tu_get(app.port, "/api/v1/skills/alpha/files/references/guide.md",
					NULL, &r), 0);
		ck_assert_str_eq(r.body, "# Guide\n\nText.\n");
		tu_response_fini(&r);
	}
	tu_write_str(cfg.skills[0], "alpha/references/guide.md", "# Guide\n\nChanged text.\n");
	ck_assert_int_eq(app_reindex(&app, "test", false, err, sizeof(err)), 0);
	ck_assert_int_eq(tu_get(app.port, "/api/v1/skills/alpha/files/references/guide.md", NULL, &r), 0);
	ck_assert_str_eq(r.body, "# Guide\n\nChanged text.\n");
	h = tu_header(&r, "X-Skilld-Generation");
	ck_assert_str_eq(h, "2");
	free(h);
	tu_response_fini(&r);
	ck_assert_int_eq(tu_get(app.port, "/healthz", NULL, &r), 0);
	ck_assert_ptr_nonnull(strstr(r.body, "\"generation\":2,"));
	tu_response_fini(&r);
}
END_TEST

START_TEST(test_keep_alive)
{
	struct tu_response r;
	const char *two = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
			  "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
	char *conn;

	/* Two pipelined requests on one connection: the first answer must not
	 * close it (libmicrohttpd closes when a response is queued too early). */
	ck_assert_int_eq(tu_http(app.port, two, &r), 0);
	ck_assert_int_eq(r.status, 200);
	conn = tu_header(&r, "Connection");
	ck_assert_msg(conn == NULL || strcasecmp(conn, "close") != 0, "first response closed the connection");
	free(conn);
	tu_response_fini(&r);
}
END_TEST

/* Requests with bodies, one after the other on one connection: each gets
 * its own body (the connection's request state is reused, its upload
 * buffer emptied between them), then a GET. */
START_TEST(test_bodies_on_one_connection)
{
	static const char *const ids[] = { "7", "8" };
	struct buf raw;
	char *all, *p;
	int answers = 0;

	buf_init(&raw);
	for (int i = 0; i < 2; i++) {
		char *body = xasprintf("{\"jsonrpc\":\"2.0\",\"id\":%s,\"method\":\"initialize\",\"params\":"
				       "{\"protocolVersion\":\"2025-06-18\",\"capabilities\":{},"
				       "\"clientInfo\":{\"name\":\"t%s\",\"version\":\"1\"}}}",
				       ids[i], i ? "-longer-name" : "");

		buf_printf(&raw, "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
			   "Accept: application/json, text/event-stream\r\nContent-Length: %zu\r\n\r\n%s",
			   strlen(body), body);
		free(body);
	}
	buf_puts(&raw, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
	buf_putc(&raw, '\0');
	all = tu_http_all(app.port, raw.data, NULL);
	ck_assert_ptr_nonnull(all);
	for (p = all; (p = strstr(p, "HTTP/1.1 200")) != NULL; p++)
		answers++;
	ck_assert_msg(answers == 3, "%d answers of 200:\n%.2000s", answers, all);
	ck_assert_ptr_nonnull(strstr(all, "\"id\":7"));
	ck_assert_ptr_nonnull(strstr(all, "\"id\":8"));
	ck_assert_ptr_nonnull(strstr(all, "\"status\":\"ok\""));
	free(all);
	buf_fini(&raw);
}
END_TEST

Suite *server_suite(void)
{
	Suite *s = suite_create("server");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_get_json);
	tcase_add_test(tc, test_head_and_errors);
	tcase_add_test(tc, test_keep_alive);
	tcase_add_test(tc, test_bodies_on_one_connection);
	tcase_add_test(tc, test_prepared_answers_and_gzip);
	tcase_add_test(tc, test_query_too_long);
	tcase_add_test(tc, test_absolute_form_csp_and_large_body);
	suite_add_tcase(s, tc);
	return s;
}
