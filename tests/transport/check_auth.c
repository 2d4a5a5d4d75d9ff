/* SPDX-License-Identifier: MIT */
/*
 * Tests for auth: a server with --token-file through pipeline_serve. Programs
 * need the Bearer token (JSON 401 with WWW-Authenticate otherwise); a
 * browser asking for a page gets the sign-in form with 401, signs in with
 * the token (303, an HttpOnly SameSite=Strict cookie that is not the
 * token), and the cookie then opens every page; a wrong token, a forged
 * cookie and an off-site next are refused; sign-out clears the cookie.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "skilld/app/app.h"
#include "skilld/transport/auth.h"
#include "skilld/transport/http.h"
#include "skilld/transport/session.h"
#include "skilld/base/util.h"
#include "testapp.h"
#include "testutil.h"

Suite *auth_suite(void);

#define TOKEN "s3cret-token-0123456789"
#define BROWSER_ACCEPT "text/html,application/xhtml+xml,*/*;q=0.8"

static struct ta_app ta;

static void setup(void)
{
	char *tok;

	ta_prepare(&ta);
	tu_write_str(ta.tmp, "token", TOKEN "\n");
	tok = xasprintf("%s/token", ta.tmp);
	const char *const args[] = { "--token-file", tok, NULL };
	ta_open(&ta, args);
	free(tok);
}

static void teardown(void)
{
	ta_close(&ta);
}

static const char *header(const struct response *res, const char *name)
{
	for (size_t i = 0; i < res->n_headers; i++)
		if (strcasecmp(res->headers[i].key, name) == 0)
			return res->headers[i].value;
	return NULL;
}

static int get(const char *path, const char *accept, const char *authz, const char *cookie,
	       struct response *res)
{
	struct ta_headers h = { .accept = accept, .user_agent = "Mozilla/5.0", .host = "127.0.0.1:8080",
				.authorization = authz, .cookie = cookie };

	return ta_get(&ta.app, path, &h, res);
}

static int post_signin(const char *body, struct response *res)
{
	struct ta_request r = { .method = "POST", .path = "/signin",
				.content_type = "application/x-www-form-urlencoded",
				.body = body, .body_len = strlen(body) };

	r.h.accept = BROWSER_ACCEPT;
	r.h.host = "127.0.0.1:8080";
	return ta_send(&ta.app, &r, res);
}

START_TEST(test_programs_need_the_bearer_token)
{
	struct response res;

	ck_assert_int_eq(get("/api/v1/skills", "application/json", NULL, NULL, &res), 401);
	ck_assert_str_eq(res.content_type, "application/json; charset=utf-8");
	ck_assert_str_eq(header(&res, "WWW-Authenticate"), "Bearer realm=\"skilld\"");
	response_fini(&res);
	ck_assert_int_eq(get("/api/v1/skills", NULL, "Bearer wrong-token-0123456789", NULL, &res), 401);
	response_fini(&res);
	ck_assert_int_eq(get("/api/v1/skills", NULL, "Bearer " TOKEN, NULL, &res), 200);
	response_fini(&res);
	ck_assert_int_eq(get("/skills/alpha/SKILL.md", "*/*", "Bearer " TOKEN, NULL, &res), 200);
	response_fini(&res);
	/* the token as a cookie value is not a session */
	ck_assert_int_eq(get("/api/v1/skills", NULL, NULL, "skilld_session=" TOKEN, &res), 401);
	response_fini(&res);
}
END_TEST

START_TEST(test_browser_signs_in_once)
{
	struct response res;
	const char *set, *loc;
	char cookie[160];

	/* a page: the sign-in form, 401, with where to go next */
	ck_assert_int_eq(get("/skills/alpha?x=1", BROWSER_ACCEPT, NULL, NULL, &res), 401);
	ck_assert_str_eq(res.content_type, "text/html; charset=utf-8");
	ck_assert_ptr_nonnull(strstr(res.body, "<form method=\"post\" action=\"/signin\">"));
	ck_assert_ptr_nonnull(strstr(res.body, "name=\"next\" value=\"/skills/alpha?x=1\""));
	ck_assert_ptr_nonnull(header(&res, "Content-Security-Policy"));
	response_fini(&res);
	/* the form's assets are public */
	ck_assert_int_eq(get("/assets/style.css", "text/css", NULL, NULL, &res), 200);
	response_fini(&res);
	ck_assert_int_eq(get("/signin", BROWSER_ACCEPT, NULL, NULL, &res), 200);
	response_fini(&res);
	/* a wrong token: the form again with a message */
	ck_assert_int_eq(post_signin("token=nope&next=%2Fskills%2Falpha", &res), 401);
	ck_assert_ptr_nonnull(strstr(res.body, "That is not this server&#39;s token."));
	response_fini(&res);
	/* the right one: 303 to next with the session cookie */
	ck_assert_int_eq(post_signin("token=" TOKEN "&next=%2Fskills%2Falpha", &res), 303);
	loc = header(&res, "Location");
	ck_assert_str_eq(loc, "/skills/alpha");
	set = header(&res, "Set-Cookie");
	ck_assert_ptr_nonnull(set);
	ck_assert_ptr_nonnull(strstr(set, "HttpOnly"));
	ck_assert_ptr_nonnull(strstr(set, "SameSite=Strict"));
	ck_assert_ptr_nonnull(strstr(set, "Path=/"));
	ck_assert_ptr_null(strstr(set, TOKEN));
	ck_assert_uint_lt(strcspn(set, ";"), sizeof(cookie));
	snprintf(cookie, sizeof(cookie), "other=1; %.*s", (int)strcspn(set, ";"), set);
	response_fini(&res);
	/* the cookie opens pages and the API */
	ck_assert_int_eq(get("/skills/alpha", BROWSER_ACCEPT, NULL, cookie, &res), 200);
	response_fini(&res);
	ck_assert_int_eq(get("/api/v1/skills", NULL, NULL, cookie, &res), 200);
	response_fini(&res);
	/* a forged or truncated cookie does not */
	cookie[strlen(cookie) - 1] ^= 1;
	ck_assert_int_eq(get("/skills/alpha", BROWSER_ACCEPT, NULL, cookie, &res), 401);
	response_fini(&res);
	cookie[strlen(cookie) - 5] = '\0';
	ck_assert_int_eq(get("/skills/alpha", BROWSER_ACCEPT, NULL, cookie, &res), 401);
	response_fini(&res);
}
END_TEST

/* next never leads off the server. */
START_TEST(test_next_stays_local)
{
	static const char *const bad[] = {
		"%2F%2Fevil.example%2F", "https%3A%2F%2Fevil.example%2F", "%2F%5Cevil.example",
		"evil", "%2Fa%0D%0ASet-Cookie%3A+x%3D1", "",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct response res;
		char *body = xasprintf("token=" TOKEN "&next=%s", bad[i]);

		ck_assert_int_eq(post_signin(body, &res), 303);
		ck_assert_str_eq(header(&res, "Location"), "/");
		response_fini(&res);
		free(body);
	}
}
END_TEST

/* Signs in (optionally through an HTTPS proxy) and copies the session
 * cookie ("skilld_session=...") into OUT: cookie; returns Set-Cookie's
 * attributes in OUT: attrs. */
static void sign_in(const char *proto, char cookie[160], char attrs[256])
{
	struct ta_request r = { .method = "POST", .path = "/signin",
				.content_type = "application/x-www-form-urlencoded",
				.body = "token=" TOKEN, .body_len = strlen("token=" TOKEN),
				.forwarded_proto = proto };
	struct response res;
	const char *set;

	r.h.accept = BROWSER_ACCEPT;
	r.h.host = "127.0.0.1:8080";
	ck_assert_int_eq(ta_send(&ta.app, &r, &res), 303);
	set = header(&res, "Set-Cookie");
	ck_assert_ptr_nonnull(set);
	ck_assert_uint_lt(strcspn(set, ";"), 160);
	snprintf(cookie, 160, "%.*s", (int)strcspn(set, ";"), set);
	snprintf(attrs, 256, "%s", set + strcspn(set, ";"));
	response_fini(&res);
}

static int sign_out(const char *cookie, struct response *res)
{
	struct ta_request r = { .method = "POST", .path = "/signout" };

	r.h.cookie = cookie;
	r.h.host = "127.0.0.1:8080";
	return ta_send(&ta.app, &r, res);
}

START_TEST(test_signout_ends_the_session)
{
	char one[160], two[160], attrs[256], *kept;
	struct response res;

	sign_in(NULL, one, attrs);
	sign_in(NULL, two, attrs);
	/* every sign-in is a session of its own, not a value derived from the token */
	ck_assert_str_ne(one, two);
	ck_assert_uint_eq(strlen(one), strlen(AUTH_COOKIE "=") + SESSION_ID_LEN);
	ck_assert_uint_eq(session_count(ta.app.sessions), 2);
	ck_assert_ptr_nonnull(strstr(attrs, "; Max-Age=43200"));
	ck_assert_ptr_null(strstr(attrs, "Secure"));
	ck_assert_int_eq(get("/skills/alpha", BROWSER_ACCEPT, NULL, one, &res), 200);
	response_fini(&res);
	/* sign-out: the browser's copy is cleared, and a copy kept elsewhere
	 * (a stolen cookie) no longer opens anything */
	kept = xstrdup(one);
	ck_assert_int_eq(sign_out(one, &res), 303);
	ck_assert_str_eq(header(&res, "Location"), "/signin");
	ck_assert_ptr_nonnull(strstr(header(&res, "Set-Cookie"), "Max-Age=0"));
	response_fini(&res);
	ck_assert_int_eq(get("/skills/alpha", BROWSER_ACCEPT, NULL, kept, &res), 401);
	response_fini(&res);
	ck_assert_int_eq(get("/api/v1/skills", NULL, NULL, kept, &res), 401);
	response_fini(&res);
	/* the other session goes on */
	ck_assert_int_eq(get("/api/v1/skills", NULL, NULL, two, &res), 200);
	response_fini(&res);
	ck_assert_uint_eq(session_count(ta.app.sessions), 1);
	/* signing out without a cookie, or twice, is harmless */
	ck_assert_int_eq(sign_out(NULL, &res), 303);
	response_fini(&res);
	ck_assert_int_eq(sign_out(kept, &res), 303);
	response_fini(&res);
	free(kept);
}
END_TEST

START_TEST(test_cookie_secure_behind_https_proxy)
{
	char cookie[160], attrs[256];
	struct response res;
	struct ta_request r = { .method = "POST", .path = "/signout", .forwarded_proto = "https" };

	sign_in("https", cookie, attrs);
	ck_assert_ptr_nonnull(strstr(attrs, "; Secure"));
	ck_assert_ptr_nonnull(strstr(attrs, "HttpOnly"));
	ck_assert_ptr_nonnull(strstr(attrs, "SameSite=Strict"));
	sign_in("HTTPS, http", cookie, attrs);
	ck_assert_ptr_nonnull(strstr(attrs, "; Secure"));
	sign_in("http", cookie, attrs);
	ck_assert_ptr_null(strstr(attrs, "Secure"));
	sign_in("httpsx", cookie, attrs);
	ck_assert_ptr_null(strstr(attrs, "Secure"));
	ck_assert_int_eq(ta_send(&ta.app, &r, &res), 303);
	ck_assert_ptr_nonnull(strstr(header(&res, "Set-Cookie"), "; Secure"));
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
	tcase_add_test(tc, test_browser_signs_in_once);
	tcase_add_test(tc, test_next_stays_local);
	tcase_add_test(tc, test_signout_ends_the_session);
	tcase_add_test(tc, test_cookie_secure_behind_https_proxy);
	tcase_add_test(tc, test_public_routes);
	suite_add_tcase(s, tc);
	return s;
}
