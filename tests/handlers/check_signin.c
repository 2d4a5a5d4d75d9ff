/* SPDX-License-Identifier: MIT */
/*
 * Tests for signin: with --token-file, a browser asking for a page gets the
 * sign-in form with 401, signs in with the token (303, an HttpOnly
 * SameSite=Strict cookie that is not the token), and the cookie then opens
 * every page; a wrong token, a forged cookie and an off-site next are
 * refused; sign-out ends the session and clears the cookie.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "skilld/app/app.h"
#include "skilld/handlers/signin.h"
#include "skilld/store/session.h"
#include "fixture_token.h"
#include "pgtest.h"

Suite *signin_suite(void);

static struct ta_app ta;

static void setup(void)
{
	fx_token_open(&ta);
}

static char *pg_uri;    /* the postgresql case's database */

static void setup_pg(void)
{
	pg_uri = pgtest_case_database();
	fx_token_open_on(&ta, pg_uri);
}

static void teardown(void)
{
	ta_close(&ta);
}

START_TEST(test_browser_signs_in_once)
{
	struct response res;
	const char *set, *loc;
	char cookie[160];

	/* a page: the sign-in form, 401, with where to go next */
	ck_assert_int_eq(fx_get(&ta, "/skills/alpha?x=1", BROWSER_ACCEPT, NULL, NULL, &res), 401);
	ck_assert_str_eq(res.content_type, "text/html; charset=utf-8");
	ck_assert_ptr_nonnull(strstr(res.body, "<form method=\"post\" action=\"/signin\">"));
	ck_assert_ptr_nonnull(strstr(res.body, "name=\"next\" value=\"/skills/alpha?x=1\""));
	ck_assert_ptr_nonnull(fx_header(&res, "Content-Security-Policy"));
	response_fini(&res);
	/* the form's assets are public */
	ck_assert_int_eq(fx_get(&ta, "/assets/style.css", "text/css", NULL, NULL, &res), 200);
	response_fini(&res);
	ck_assert_int_eq(fx_get(&ta, "/signin", BROWSER_ACCEPT, NULL, NULL, &res), 200);
	response_fini(&res);
	/* a wrong token: the form again with a message */
	ck_assert_int_eq(fx_post_signin(&ta, "token=nope&next=%2Fskills%2Falpha", &res), 401);
	ck_assert_ptr_nonnull(strstr(res.body, "That is not this server&#39;s token."));
	response_fini(&res);
	/* the right one: 303 to next with the session cookie */
	ck_assert_int_eq(fx_post_signin(&ta, "token=" TOKEN "&next=%2Fskills%2Falpha", &res), 303);
	loc = fx_header(&res, "Location");
	ck_assert_str_eq(loc, "/skills/alpha");
	set = fx_header(&res, "Set-Cookie");
	ck_assert_ptr_nonnull(set);
	ck_assert_ptr_nonnull(strstr(set, "HttpOnly"));
	ck_assert_ptr_nonnull(strstr(set, "SameSite=Strict"));
	ck_assert_ptr_nonnull(strstr(set, "Path=/"));
	ck_assert_ptr_null(strstr(set, TOKEN));
	ck_assert_uint_lt(strcspn(set, ";"), sizeof(cookie));
	snprintf(cookie, sizeof(cookie), "other=1; %.*s", (int)strcspn(set, ";"), set);
	response_fini(&res);
	/* the cookie opens pages and the API */
	ck_assert_int_eq(fx_get(&ta, "/skills/alpha", BROWSER_ACCEPT, NULL, cookie, &res), 200);
	response_fini(&res);
	ck_assert_int_eq(fx_get(&ta, "/api/v1/skills", NULL, NULL, cookie, &res), 200);
	response_fini(&res);
	/* a forged or truncated cookie does not */
	cookie[strlen(cookie) - 1] ^= 1;
	ck_assert_int_eq(fx_get(&ta, "/skills/alpha", BROWSER_ACCEPT, NULL, cookie, &res), 401);
	response_fini(&res);
	cookie[strlen(cookie) - 5] = '\0';
	ck_assert_int_eq(fx_get(&ta, "/skills/alpha", BROWSER_ACCEPT, NULL, cookie, &res), 401);
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

		ck_assert_int_eq(fx_post_signin(&ta, body, &res), 303);
		ck_assert_str_eq(fx_header(&res, "Location"), "/");
		response_fini(&res);
		free(body);
	}
}
END_TEST

/* Signs in (optionally through an HTTPS proxy) and copies the session
 * cookie ("skilld_session=...") into OUT: cookie; returns Set-Cookie's
 * attributes in OUT: attrs. */
/* Signs in to app t; OUT: cookie "name=value", attrs what follows it. */
static void sign_in_to(struct ta_app *t, const char *proto, char cookie[160], char attrs[256])
{
	struct ta_request r = { .method = "POST", .path = "/signin",
				.content_type = "application/x-www-form-urlencoded",
				.body = "token=" TOKEN, .body_len = strlen("token=" TOKEN),
				.forwarded_proto = proto };
	struct response res;
	const char *set;

	r.h.accept = BROWSER_ACCEPT;
	r.h.host = "127.0.0.1:8080";
	ck_assert_int_eq(ta_send(&t->app, &r, &res), 303);
	set = fx_header(&res, "Set-Cookie");
	ck_assert_ptr_nonnull(set);
	ck_assert_uint_lt(strcspn(set, ";"), 160);
	snprintf(cookie, 160, "%.*s", (int)strcspn(set, ";"), set);
	snprintf(attrs, 256, "%s", set + strcspn(set, ";"));
	response_fini(&res);
}

static void sign_in(const char *proto, char cookie[160], char attrs[256])
{
	sign_in_to(&ta, proto, cookie, attrs);
}

static int sign_out_of(struct ta_app *t, const char *cookie, struct response *res)
{
	struct ta_request r = { .method = "POST", .path = "/signout" };

	r.h.cookie = cookie;
	r.h.host = "127.0.0.1:8080";
	return ta_send(&t->app, &r, res);
}

static int sign_out(const char *cookie, struct response *res)
{
	return sign_out_of(&ta, cookie, res);
}

START_TEST(test_signout_ends_the_session)
{
	char one[160], two[160], attrs[256], *kept;
	struct response res;

	sign_in(NULL, one, attrs);
	sign_in(NULL, two, attrs);
	/* every sign-in is a session of its own, not a value derived from the token */
	ck_assert_str_ne(one, two);
	ck_assert_uint_eq(strlen(one), strlen(SESSION_COOKIE "=") + SESSION_ID_LEN);
	ck_assert_uint_eq(session_count(ta.app.sessions), 2);
	ck_assert_ptr_nonnull(strstr(attrs, "; Max-Age=43200"));
	ck_assert_ptr_null(strstr(attrs, "Secure"));
	ck_assert_int_eq(fx_get(&ta, "/skills/alpha", BROWSER_ACCEPT, NULL, one, &res), 200);
	response_fini(&res);
	/* sign-out: the browser's copy is cleared, and a copy kept elsewhere
	 * (a stolen cookie) no longer opens anything */
	kept = xstrdup(one);
	ck_assert_int_eq(sign_out(one, &res), 303);
	ck_assert_str_eq(fx_header(&res, "Location"), "/signin");
	ck_assert_ptr_nonnull(strstr(fx_header(&res, "Set-Cookie"), "Max-Age=0"));
	response_fini(&res);
	ck_assert_int_eq(fx_get(&ta, "/skills/alpha", BROWSER_ACCEPT, NULL, kept, &res), 401);
	response_fini(&res);
	ck_assert_int_eq(fx_get(&ta, "/api/v1/skills", NULL, NULL, kept, &res), 401);
	response_fini(&res);
	/* the other session goes on */
	ck_assert_int_eq(fx_get(&ta, "/api/v1/skills", NULL, NULL, two, &res), 200);
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
	ck_assert_ptr_nonnull(strstr(fx_header(&res, "Set-Cookie"), "; Secure"));
	response_fini(&res);
}
END_TEST

/* Two replicas on one PostgreSQL store: a sign-in on one opens the other,
 * a sign-out on the other ends it on both. */
START_TEST(test_replicas_share_sessions)
{
	struct ta_app other = { 0 };
	char cookie[160], attrs[256];
	struct response res;

	fx_token_open_on(&other, pg_uri);
	sign_in(NULL, cookie, attrs);
	ck_assert_uint_eq(session_count(other.app.sessions), 1);
	ck_assert_int_eq(fx_get(&other, "/api/v1/skills", NULL, NULL, cookie, &res), 200);
	response_fini(&res);
	ck_assert_int_eq(sign_out_of(&other, cookie, &res), 303);
	response_fini(&res);
	ck_assert_int_eq(fx_get(&ta, "/api/v1/skills", NULL, NULL, cookie, &res), 401);
	response_fini(&res);
	ck_assert_int_eq(fx_get(&other, "/api/v1/skills", NULL, NULL, cookie, &res), 401);
	response_fini(&res);
	ck_assert_uint_eq(session_count(ta.app.sessions), 0);
	ta_close(&other);
}
END_TEST

/* The tests that run on every store. */
static void add_common(TCase *tc)
{
	tcase_add_test(tc, test_browser_signs_in_once);
	tcase_add_test(tc, test_next_stays_local);
	tcase_add_test(tc, test_signout_ends_the_session);
	tcase_add_test(tc, test_cookie_secure_behind_https_proxy);
}

static void teardown_pg(void)
{
	teardown();
	free(pg_uri);
}

Suite *signin_suite(void)
{
	TCase *sqlite, *pg;
	Suite *s = pgtest_two_stores("signin", add_common, setup, teardown, setup_pg, teardown_pg,
				     &sqlite, &pg);

	if (pg)
		tcase_add_test(pg, test_replicas_share_sessions);
	return s;
}
