/* SPDX-License-Identifier: MIT */
/*
 * Tests for auth: a server with --token-file through pipeline_serve.
 * Programs need the Bearer token (JSON 401 with WWW-Authenticate
 * otherwise); only the ROUTE_PUBLIC routes answer without it. The browser's
 * way in (the sign-in form, its session cookie) is check_signin's. The
 * install token opens the discovery URLs below /i/<token>/ only.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "skilld/app/app.h"
#include "skilld/transport/auth.h"
#include "skilld/transport/http.h"
#include "skilld/store/session.h"
#include "fixture_token.h"

Suite *auth_suite(void);

static struct ta_app ta;

static void setup(void)
{
	fx_token_open(&ta);
}

static void teardown(void)
{
	ta_close(&ta);
}

START_TEST(test_programs_need_the_bearer_token)
{
	struct response res;

	ck_assert_int_eq(fx_get(&ta, "/api/v1/skills", "application/json", NULL, NULL, &res), 401);
	ck_assert_str_eq(res.content_type, "application/json; charset=utf-8");
	ck_assert_str_eq(fx_header(&res, "WWW-Authenticate"), "Bearer realm=\"skilld\"");
	response_fini(&res);
	ck_assert_int_eq(fx_get(&ta, "/api/v1/skills", NULL, "Bearer wrong-token-0123456789", NULL, &res), 401);
	response_fini(&res);
	ck_assert_int_eq(fx_get(&ta, "/api/v1/skills", NULL, "Bearer " TOKEN, NULL, &res), 200);
	response_fini(&res);
	ck_assert_int_eq(fx_get(&ta, "/skills/alpha/SKILL.md", "*/*", "Bearer " TOKEN, NULL, &res), 200);
	response_fini(&res);
	/* the token as a cookie value is not a session */
	ck_assert_int_eq(fx_get(&ta, "/api/v1/skills", NULL, NULL, "skilld_session=" TOKEN, &res), 401);
	response_fini(&res);
}
END_TEST

/* Only the routes flagged ROUTE_PUBLIC answer without the token: the
 * sign-in form (a wrong method there is still a 405, not a 401) and the
 * assets; every other path, known or not, is a 401. */
START_TEST(test_public_routes)
{
	static const struct {
		const char *method;
		const char *path;
		int status;
	} cases[] = {
		{ "GET", "/signin", 200 },
		{ "PUT", "/signin", 405 },
		{ "GET", "/signout", 405 },
		{ "GET", "/assets/style.css", 200 },
		{ "GET", "/assets/nope.css", 404 },
		{ "GET", "/", 401 },
		{ "GET", "/healthz", 401 },
		{ "GET", "/llms.txt", 401 },
		{ "GET", "/nothing/here", 401 },
		{ "POST", "/api/v1/admin/reload", 401 },
		{ "POST", "/mcp", 401 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ta_request r = { .method = cases[i].method, .path = cases[i].path };
		struct response res;

		r.h.accept = "application/json";
		r.h.host = "127.0.0.1:8080";
		ck_assert_msg(ta_send(&ta.app, &r, &res) == cases[i].status, "%s %s: %d",
			      cases[i].method, cases[i].path, res.status);
		response_fini(&res);
	}
}
END_TEST

/* ---- the install token (--install-token-file) ---- */

#define INSTALL "inst-0123456789abcdef"

static void setup_install(void)
{
	char *tok, *inst;

	ta_prepare(&ta);
	tu_write_str(ta.tmp, "token", TOKEN "\n");
	tu_write_str(ta.tmp, "install", INSTALL "\n");
	tok = xasprintf("%s/token", ta.tmp);
	inst = xasprintf("%s/install", ta.tmp);
	ta_open(&ta, (const char *const[]){ "--token-file", tok, "--install-token-file", inst, NULL });
	free(tok);
	free(inst);
}

/* The install token opens the discovery URLs below /i/<token>/, and
 * nothing else: not a page, not the API, not MCP, not a write, not as a
 * Bearer token; the main token is no prefix. Every refusal below /i/ is
 * the same 404, right token or wrong. */
START_TEST(test_install_token_opens_discovery_only)
{
	static const struct {
		const char *method;
		const char *path;
		const char *authz;
		int status;
	} cases[] = {
		{ "GET", "/i/" INSTALL "/.well-known/agent-skills/index.json", NULL, 200 },
		{ "GET", "/i/" INSTALL "/.well-known/agent-skills/alpha.tar.gz", NULL, 200 },
		{ "GET", "/i/" INSTALL "/.well-known/agent-skills/alpha/SKILL.md", NULL, 200 },
		{ "GET", "/i/" INSTALL "/.well-known/skills/index.json", NULL, 200 },
		{ "GET", "/i/" INSTALL "/.well-known/skills/alpha/references/guide.md", NULL, 200 },
		{ "GET", "/i/" INSTALL "/@alpha/.well-known/agent-skills/index.json", NULL, 200 },
		{ "GET", "/i/" INSTALL "/@alpha/.well-known/skills/index.json", NULL, 200 },
		{ "GET", "/i/" INSTALL "/@alpha/.well-known/skills/alpha/SKILL.md", NULL, 200 },
		{ "HEAD", "/i/" INSTALL "/.well-known/skills/index.json", NULL, 200 },
		/* without the prefix, the install token is nothing */
		{ "GET", "/.well-known/skills/index.json", NULL, 401 },
		{ "GET", "/.well-known/skills/index.json", "Bearer " INSTALL, 401 },
		{ "GET", "/api/v1/skills", "Bearer " INSTALL, 401 },
		/* wrong tokens, and the right one in front of anything else */
		{ "GET", "/i/inst-0123456789abcdeF/.well-known/skills/index.json", NULL, 404 },
		{ "GET", "/i/inst/.well-known/skills/index.json", NULL, 404 },
		{ "GET", "/i/" INSTALL "x/.well-known/skills/index.json", NULL, 404 },
		{ "GET", "/i//.well-known/skills/index.json", NULL, 404 },
		{ "GET", "/i/" TOKEN "/.well-known/skills/index.json", NULL, 404 },
		{ "GET", "/i/" INSTALL, NULL, 404 },
		{ "GET", "/i/" INSTALL "/", NULL, 404 },
		{ "GET", "/i/" INSTALL "/skills/alpha", NULL, 404 },
		{ "GET", "/i/" INSTALL "/skills/alpha/SKILL.md", NULL, 404 },
		{ "GET", "/i/" INSTALL "/api/v1/skills", NULL, 404 },
		{ "GET", "/i/" INSTALL "/api/v1/skills/alpha/archive.tar.gz", NULL, 404 },
		{ "GET", "/i/" INSTALL "/api/search?q=widget", NULL, 404 },
		{ "GET", "/i/" INSTALL "/healthz", NULL, 404 },
		{ "GET", "/i/" INSTALL "/llms.txt", NULL, 404 },
		{ "POST", "/i/" INSTALL "/api/v1/admin/reload", NULL, 404 },
		{ "POST", "/i/" INSTALL "/api/v1/reviews", NULL, 404 },
		{ "POST", "/i/" INSTALL "/mcp", NULL, 404 },
		{ "POST", "/i/" INSTALL "/.well-known/skills/index.json", NULL, 405 },
		{ "GET", "/i/" INSTALL "/i/" INSTALL "/.well-known/skills/index.json", NULL, 404 },
	};
	char *refused = NULL;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ta_request r = { .method = cases[i].method, .path = cases[i].path };
		struct response res;

		r.h.accept = "application/json";
		r.h.host = "127.0.0.1:8080";
		r.h.authorization = cases[i].authz;
		ck_assert_msg(ta_send(&ta.app, &r, &res) == cases[i].status, "%s %s: %d",
			      cases[i].method, cases[i].path, res.status);
		/* one refusal for all: nothing tells a right token from a wrong one */
		if (res.status == 404) {
			if (!refused)
				refused = xstrndup(res.body, res.body_len);
			ck_assert_msg(res.body_len == strlen(refused) &&
				      memcmp(res.body, refused, res.body_len) == 0,
				      "%s: %.*s", cases[i].path, (int)res.body_len, res.body);
		}
		response_fini(&res);
	}
	free(refused);
}
END_TEST

/* Below the prefix, the 0.2.0 indexes point at artifacts below it too
 * (the CLI resolves their URLs against the index's, and would lose the
 * token with an absolute path); without it, as before. */
START_TEST(test_install_token_index_urls)
{
	struct response res;
	cJSON *v2;

	ck_assert_int_eq(fx_get(&ta, "/i/" INSTALL "/@alpha/.well-known/agent-skills/index.json",
				NULL, NULL, NULL, &res), 200);
	v2 = cJSON_ParseWithLength(res.body, res.body_len);
	ck_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(v2, "skills"), 0),
					     "url")->valuestring,
			 "/i/" INSTALL "/.well-known/agent-skills/alpha.tar.gz");
	cJSON_Delete(v2);
	response_fini(&res);
	/* twice: the second from the cached index */
	for (int i = 0; i < 2; i++) {
		ck_assert_int_eq(fx_get(&ta, "/i/" INSTALL "/.well-known/agent-skills/index.json", NULL,
					NULL, NULL, &res), 200);
		ck_assert_ptr_nonnull(strstr(res.body, "\"url\":\"/i/" INSTALL
						       "/.well-known/agent-skills/alpha.tar.gz\""));
		response_fini(&res);
		ck_assert_int_eq(fx_get(&ta, "/.well-known/agent-skills/index.json", NULL,
					"Bearer " TOKEN, NULL, &res), 200);
		ck_assert_ptr_nonnull(strstr(res.body, "\"url\":\"/.well-known/agent-skills/alpha.tar.gz\""));
		ck_assert_ptr_null(strstr(res.body, INSTALL));
		response_fini(&res);
	}
	/* a signed-in page shows the line with the install token */
	ck_assert_int_eq(fx_get(&ta, "/skills/alpha", BROWSER_ACCEPT, "Bearer " TOKEN, NULL, &res), 200);
	ck_assert_ptr_nonnull(strstr(res.body, "npx skills add http://127.0.0.1:8080/<wbr>i/<wbr>"
					       "<span class=\"nobr\">" INSTALL "/</span><wbr>@alpha</code>"));
	ck_assert_ptr_null(strstr(res.body, TOKEN));
	response_fini(&res);
}
END_TEST

/* The log's view of a target: an install token, right or wrong, masked. */
START_TEST(test_install_token_masked_for_logs)
{
	static const char *const cases[][2] = {
		{ "/i/" INSTALL "/.well-known/skills/index.json", "/i/***/.well-known/skills/index.json" },
		{ "/i/" INSTALL, "/i/***" },
		{ "/i/wrong?x=1", "/i/***?x=1" },
		{ "/i/", "/i/***" },
		{ "/skills/alpha", "/skills/alpha" },
		{ "/index/i/x", "/index/i/x" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct buf b;

		buf_init(&b);
		auth_log_target(&b, cases[i][0]);
		ck_assert_str_eq(b.data, cases[i][1]);
		buf_fini(&b);
	}
}
END_TEST

static const char *no_env(const char *name)
{
	(void)name;
	return NULL;
}

/* --install-token-file needs --token-file, a token of URL characters,
 * and one that is not --token-file's. */
START_TEST(test_install_token_refused_at_startup)
{
	static const struct {
		const char *token, *install, *why;
	} cases[] = {
		{ NULL, INSTALL, "--install-token-file needs --token-file" },
		{ TOKEN, TOKEN, "must differ from --token-file's" },
		{ TOKEN, "inst/0123456789abcdef", "may only hold A-Z a-z 0-9 . _ ~ -" },
		{ TOKEN, "inst%20123456789abcdef", "may only hold A-Z a-z 0-9 . _ ~ -" },
		{ TOKEN, "short", "16 to 512 characters" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *tmp = tu_mkdtemp(), *tok = xasprintf("%s/token", tmp);
		char *inst = xasprintf("%s/install", tmp), *db = xasprintf("%s/db", tmp);
		const char *argv[] = { "skilld", "--skills", tmp, "--db", db, "--install-token-file", inst,
				       "--token-file", tok, NULL };
		struct config cfg;
		struct app app;
		char err[512];
		FILE *log = fopen("/dev/null", "w");

		tu_write_str(tmp, "install", cases[i].install);
		if (cases[i].token)
			tu_write_str(tmp, "token", cases[i].token);
		ck_assert_int_eq(config_parse(&cfg, cases[i].token ? 9 : 7, (char **)argv, no_env, err,
					      sizeof(err)), 0);
		ck_assert_int_ne(app_init(&app, &cfg, log, err, sizeof(err)), 0);
		ck_assert_msg(strstr(err, cases[i].why), "%s", err);
		app_fini(&app);
		config_fini(&cfg);
		fclose(log);
		tu_rmtree(tmp);
		free(tmp);
		free(tok);
		free(inst);
		free(db);
	}
}
END_TEST

Suite *auth_suite(void)
{
	Suite *s = suite_create("auth");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_programs_need_the_bearer_token);
	tcase_add_test(tc, test_public_routes);
	suite_add_tcase(s, tc);
	tc = tcase_create("install");
	tcase_add_checked_fixture(tc, setup_install, teardown);
	tcase_add_test(tc, test_install_token_opens_discovery_only);
	tcase_add_test(tc, test_install_token_index_urls);
	tcase_add_test(tc, test_install_token_masked_for_logs);
	suite_add_tcase(s, tc);
	tc = tcase_create("install-startup");
	tcase_add_test(tc, test_install_token_refused_at_startup);
	suite_add_tcase(s, tc);
	return s;
}
