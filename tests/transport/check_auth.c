/* SPDX-License-Identifier: MIT */
/*
 * Tests for auth: a server with --token-file through pipeline_serve.
 * Programs need the Bearer token (JSON 401 with WWW-Authenticate
 * otherwise); only the ROUTE_PUBLIC routes answer without it. The browser's
 * way in (the sign-in form, its session cookie) is check_signin's.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

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

Suite *auth_suite(void)
{
	Suite *s = suite_create("auth");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_programs_need_the_bearer_token);
	tcase_add_test(tc, test_public_routes);
	suite_add_tcase(s, tc);
	return s;
}
