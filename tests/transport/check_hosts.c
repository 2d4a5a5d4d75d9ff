/* SPDX-License-Identifier: MIT */
/*
 * Tests for hosts (which Host and Origin values name this server, CORS,
 * write intent) and for what the pipeline does with them over a real
 * socket: a page rebound to 127.0.0.1 (DNS rebinding) is refused on every
 * kind of route, the loopback names and --allowed-host are answered,
 * only --cors-origin origins get Access-Control-Allow-Origin, and a query
 * with thousands of arguments is refused at once.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fixture_skills.h"
#include "skilld/app/app.h"
#include "skilld/base/config.h"
#include "skilld/transport/hosts.h"
#include "skilld/transport/http.h"
#include "skilld/base/util.h"
#include "testutil.h"

Suite *hosts_suite(void);

static const char *no_env(const char *name)
{
	(void)name;
	return NULL;
}

/* A configuration from the arguments after "skilld" (NULL terminated). */
static void parse(struct config *c, const char *const *args)
{
	char *argv[32] = { "skilld" };
	char err[512];
	int argc = 1;

	while (*args && argc < 31)
		argv[argc++] = (char *)*args++;
	argv[argc] = NULL;
	ck_assert_msg(config_parse(c, argc, argv, no_env, err, sizeof(err)) == 0, "%s", err);
}

START_TEST(test_host_names)
{
	static const struct {
		const char *host;
		bool ok;
	} cases[] = {
		{ "localhost", true },
		{ "LocalHost:8080", true },
		{ "127.0.0.1", true },
		{ "127.0.0.1:1", true },
		{ "[::1]", true },
		{ "[::1]:8080", true },
		{ "[0:0:0:0:0:0:0:1]:80", true },
		{ NULL, true },                     /* HTTP/1.0: no Host */
		{ "evil.example.com", false },
		{ "evil.example.com:8080", false },
		{ "localhost.evil.example", false },
		{ "localhost.", false },
		{ "127.0.0.2", false },             /* only the names the issue lists */
		{ "127.0.0.1.nip.io", false },
		{ "10.0.0.5", false },              /* another address: not bound to it */
		{ "::1", false },                   /* IPv6 needs brackets in Host */
		{ "[::1", false },
		{ "", false },
		{ ":8080", false },
		{ "localhost:80x", false },
		{ "localhost:123456", false },
		{ "local host", false },
		{ "localhost/x", false },
	};
	struct config c;

	parse(&c, (const char *const[]){ NULL });
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		ck_assert_msg(hosts_host_ok(&c, cases[i].host) == cases[i].ok, "%s",
			      cases[i].host ? cases[i].host : "(none)");
	config_fini(&c);
}
END_TEST

START_TEST(test_allowed_hosts_and_bind)
{
	struct config c;

	parse(&c, (const char *const[]){ "--allowed-host", "Skills.Example.com", "--allowed-host",
					 "[2001:db8::1]", "--bind", "192.0.2.7", NULL });
	ck_assert(hosts_host_ok(&c, "skills.example.com"));
	ck_assert(hosts_host_ok(&c, "skills.example.com:443"));
	ck_assert(hosts_host_ok(&c, "[2001:db8::1]:8080"));
	ck_assert(hosts_host_ok(&c, "192.0.2.7:8080"));
	ck_assert(hosts_host_ok(&c, "localhost"));
	ck_assert(!hosts_host_ok(&c, "example.com"));
	ck_assert(!hosts_host_ok(&c, "x.skills.example.com"));
	ck_assert(!hosts_host_ok(&c, "192.0.2.8"));
	config_fini(&c);

	/* bound to every address: any IP literal, never a name */
	parse(&c, (const char *const[]){ "--bind", "0.0.0.0", NULL });
	ck_assert(hosts_host_ok(&c, "192.0.2.8:8080"));
	ck_assert(hosts_host_ok(&c, "[2001:db8::9]"));
	ck_assert(!hosts_host_ok(&c, "rebind.attacker.example"));
	config_fini(&c);
	parse(&c, (const char *const[]){ "--bind", "::", NULL });
	ck_assert(hosts_host_ok(&c, "10.1.2.3"));
	ck_assert(!hosts_host_ok(&c, "intranet"));
	config_fini(&c);
}
END_TEST

START_TEST(test_origins_and_cors)
{
	struct config c;

	parse(&c, (const char *const[]){ "--cors-origin", "https://app.example.com", "--cors-origin",
					 "http://localhost:3000", NULL });
	ck_assert(hosts_origin_ok(&c, "http://127.0.0.1:8080"));
	ck_assert(hosts_origin_ok(&c, "https://localhost"));
	ck_assert(hosts_origin_ok(&c, "http://[::1]:9"));
	ck_assert(!hosts_origin_ok(&c, NULL));
	ck_assert(!hosts_origin_ok(&c, "null"));
	ck_assert(!hosts_origin_ok(&c, "http://evil.example.com"));
	ck_assert(!hosts_origin_ok(&c, "file://localhost"));
	ck_assert(!hosts_origin_ok(&c, "http://localhost.evil.example"));
	ck_assert(!hosts_origin_ok(&c, "http://127.0.0.1:8080.evil.example"));
	/* CORS: exact origins only */
	ck_assert(hosts_cors_ok(&c, "https://app.example.com"));
	ck_assert(hosts_cors_ok(&c, "HTTPS://APP.EXAMPLE.COM"));
	ck_assert(hosts_cors_ok(&c, "http://localhost:3000"));
	ck_assert(!hosts_cors_ok(&c, "http://app.example.com"));
	ck_assert(!hosts_cors_ok(&c, "https://app.example.com:8443"));
	ck_assert(!hosts_cors_ok(&c, "http://localhost:3001"));
	ck_assert(!hosts_cors_ok(&c, NULL));
	config_fini(&c);
}
END_TEST

START_TEST(test_write_intent)
{
	static const struct {
		const char *ct, *origin, *site;
		bool ok;
	} cases[] = {
		{ "application/json", NULL, NULL, true },
		{ "application/json;charset=utf-8", "http://localhost:8080", "same-origin", true },
		{ " Application/JSON", NULL, "none", true },
		{ "application/json", "http://evil.example", NULL, false },
		{ "application/json", "null", NULL, false },
		{ "application/json", NULL, "cross-site", false },
		{ "application/json", NULL, "same-site", false },
		{ "application/json", "http://127.0.0.1:8080", "cross-site", false },
		{ NULL, NULL, NULL, false },
		{ "text/plain", NULL, NULL, false },
		{ "application/x-www-form-urlencoded", "http://127.0.0.1", "same-origin", false },
		{ "application/jsonp", NULL, NULL, false },
	};
	struct config c;

	parse(&c, (const char *const[]){ NULL });
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct request req;
		const char *why = NULL;

		request_init(&req);
		req.content_type = cases[i].ct;
		req.origin = cases[i].origin;
		req.sec_fetch_site = cases[i].site;
		ck_assert_msg(hosts_write_intent(&c, &req, &why) == cases[i].ok, "case %zu", i);
		if (!cases[i].ok)
			ck_assert_ptr_nonnull(why);
	}
	config_fini(&c);
}
END_TEST

/* ---- over a socket ---- */

static char *tmp;
static struct config cfg;
static struct app app;
static FILE *log_out;

static void setup(void)
{
	char err[512];
	char *root, *db;

	tmp = tu_mkdtemp();
	root = fx_write_skills(tmp);
	db = xasprintf("%s/skilld.db", tmp);
	parse(&cfg, (const char *const[]){ "--skills", root, "--db", db, "--port", "0",
					   "--threads", "2", "--allowed-host", "skills.example.com",
					   "--cors-origin", "https://app.example.com", NULL });
	log_out = fopen("/dev/null", "w");
	ck_assert_msg(app_init(&app, &cfg, log_out, err, sizeof(err)) == 0, "%s", err);
	ck_assert_msg(http_start(&app, err, sizeof(err)) == 0, "%s", err);
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

/* GET (or POST to /mcp) path with Host host and an optional Origin;
 * the status. */
static int send_as(const char *method, const char *path, const char *host, const char *origin,
		   struct tu_response *r)
{
	struct buf raw;
	int rc;

	buf_init(&raw);
	buf_printf(&raw, "%s %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n", method, path, host);
	if (origin)
		buf_printf(&raw, "Origin: %s\r\n", origin);
	if (strcmp(method, "POST") == 0) {
		const char *init = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":"
				   "{\"protocolVersion\":\"2025-06-18\",\"capabilities\":{},"
				   "\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}";

		buf_printf(&raw, "Content-Type: application/json\r\nAccept: application/json, "
			   "text/event-stream\r\nContent-Length: %zu\r\n\r\n%s", strlen(init), init);
	} else {
		buf_puts(&raw, "\r\n");
	}
	ck_assert_int_eq(tu_http(app.port, raw.data, r), 0);
	rc = r->status;
	buf_fini(&raw);
	return rc;
}

/* Every kind of route: pages, the API, raw files, the discovery index and
 * its files, llms.txt, /mcp. */
static const struct {
	const char *method, *path;
} routes[] = {
	{ "GET", "/" },
	{ "GET", "/skills/alpha" },
	{ "GET", "/skills/alpha/SKILL.md" },
	{ "GET", "/healthz" },
	{ "GET", "/api/v1/skills" },
	{ "GET", "/api/v1/skills/alpha/files/SKILL.md" },
	{ "GET", "/api/v1/skills/alpha/archive.tar.gz" },
	{ "GET", "/.well-known/agent-skills/index.json" },
	{ "GET", "/.well-known/skills/index.json" },
	{ "GET", "/.well-known/skills/alpha/SKILL.md" },
	{ "GET", "/llms.txt" },
	{ "GET", "/signin" },
	{ "GET", "/assets/style.css" },
	{ "POST", "/mcp" },
};

START_TEST(test_rebinding_refused_everywhere)
{
	struct tu_response r;

	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		const char *m = routes[i].method, *p = routes[i].path;
		int refused = strcmp(p, "/mcp") == 0 ? 403 : 421;

		/* the server's own names: answered (twice: the second may come
		 * from the prepared-answer cache) */
		for (int k = 0; k < 2; k++) {
			ck_assert_msg(send_as(m, p, "127.0.0.1", NULL, &r) == 200, "%s: %d", p, r.status);
			tu_response_fini(&r);
		}
		ck_assert_msg(send_as(m, p, "localhost:8080", "http://localhost:8080", &r) == 200,
			      "%s", p);
		tu_response_fini(&r);
		ck_assert_msg(send_as(m, p, "skills.example.com", NULL, &r) == 200, "%s", p);
		tu_response_fini(&r);
		/* a rebound name, with and without its matching Origin, after
		 * the answer was prepared for a good Host */
		ck_assert_msg(send_as(m, p, "evil.example.com", "http://evil.example.com", &r) ==
			      refused, "%s: %d", p, r.status);
		ck_assert(strstr(r.body, "--allowed-host") != NULL);
		ck_assert_ptr_null(strstr(r.body, "alpha"));
		tu_response_fini(&r);
		ck_assert_msg(send_as(m, p, "rebind.attacker.example:8080", NULL, &r) == refused,
			      "%s", p);
		tu_response_fini(&r);
	}
	/* /mcp: a good Host with a foreign Origin */
	ck_assert_int_eq(send_as("POST", "/mcp", "127.0.0.1", "http://evil.example.com", &r), 403);
	tu_response_fini(&r);
}
END_TEST

START_TEST(test_cors_only_for_named_origins)
{
	struct tu_response r;
	char *h;

	for (int k = 0; k < 2; k++) {
		ck_assert_int_eq(send_as("GET", "/.well-known/agent-skills/index.json", "127.0.0.1",
					 "https://app.example.com", &r), 200);
		h = tu_header(&r, "Access-Control-Allow-Origin");
		ck_assert_ptr_nonnull(h);
		ck_assert_str_eq(h, "https://app.example.com");
		free(h);
		h = tu_header(&r, "Vary");
		ck_assert_ptr_nonnull(strstr(h, "Origin"));
		free(h);
		tu_response_fini(&r);
	}
	static const char *const others[] = { NULL, "https://evil.example", "null",
					       "http://app.example.com" };
	for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
		for (int k = 0; k < 2; k++) {
			ck_assert_int_eq(send_as("GET", "/.well-known/agent-skills/index.json",
						 "127.0.0.1", others[i], &r), 200);
			ck_assert_ptr_null(tu_header(&r, "Access-Control-Allow-Origin"));
			tu_response_fini(&r);
			ck_assert_int_eq(send_as("GET", "/.well-known/skills/alpha/SKILL.md",
						 "127.0.0.1", others[i], &r), 200);
			ck_assert_ptr_null(tu_header(&r, "Access-Control-Allow-Origin"));
			tu_response_fini(&r);
		}
	}
}
END_TEST

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* libmicrohttpd 0.9.75 stalls (no answer until --timeout, 30 s here) on
 * about 950 arguments; each count here is answered at once. */
START_TEST(test_many_query_args_answered_at_once)
{
	static const size_t counts[] = { 33, 800, 950, 5000, 20000 };
	struct tu_response r;

	for (size_t i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
		struct buf raw;
		double t0 = now_s();

		buf_init(&raw);
		buf_puts(&raw, "GET /healthz?a");
		for (size_t k = 1; k < counts[i]; k++)
			buf_puts(&raw, "&a");
		buf_puts(&raw, " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
		ck_assert_int_eq(tu_http(app.port, raw.data, &r), 0);
		ck_assert_msg(r.status == 414, "%zu arguments: %d", counts[i], r.status);
		if (raw.len < 32768) /* longer lines get libmicrohttpd's own 414 */
			ck_assert_ptr_nonnull(strstr(r.body, "too_many_query_args"));
		ck_assert_msg(now_s() - t0 < 2.0, "%zu arguments took %.1f s", counts[i], now_s() - t0);
		tu_response_fini(&r);
		buf_fini(&raw);
	}
	/* 32 (the default limit) still pass; the cache path cannot be fooled
	 * by the emptied query */
	{
		struct buf raw;

		buf_init(&raw);
		buf_puts(&raw, "GET /api/v1/skills?limit=1");
		for (size_t k = 1; k < 32; k++)
			buf_puts(&raw, "&x=1");
		buf_puts(&raw, " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
		ck_assert_int_eq(tu_http(app.port, raw.data, &r), 0);
		ck_assert_int_eq(r.status, 200);
		tu_response_fini(&r);
		buf_fini(&raw);
	}
	ck_assert_int_eq(tu_get(app.port, "/healthz", NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	tu_response_fini(&r);
	ck_assert_int_eq(tu_get(app.port, "/healthz?a&a&a&a&a&a&a&a&a&a&a&a&a&a&a&a&a&a&a&a&a&a&a&a&a"
				"&a&a&a&a&a&a&a&a", NULL, &r), 0);
	ck_assert_int_eq(r.status, 414);
	tu_response_fini(&r);
}
END_TEST

Suite *hosts_suite(void)
{
	Suite *s = suite_create("hosts");
	TCase *tc = tcase_create("core");
	TCase *net = tcase_create("socket");

	tcase_add_test(tc, test_host_names);
	tcase_add_test(tc, test_allowed_hosts_and_bind);
	tcase_add_test(tc, test_origins_and_cors);
	tcase_add_test(tc, test_write_intent);
	suite_add_tcase(s, tc);
	tcase_add_checked_fixture(net, setup, teardown);
	tcase_set_timeout(net, 60);
	tcase_add_test(net, test_rebinding_refused_everywhere);
	tcase_add_test(net, test_cors_only_for_named_origins);
	tcase_add_test(net, test_many_query_args_answered_at_once);
	suite_add_tcase(s, net);
	return s;
}
