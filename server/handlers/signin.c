/* SPDX-License-Identifier: MIT */
/*
 * signin: the browser's way in when the server has a token (see
 * signin.h): the page, the form's POST, which starts a session and sets
 * its cookie, and the sign-out, which ends it.
 */
#include "skilld/handlers/signin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "skilld/app/app.h"
#include "skilld/handlers/page.h"
#include "skilld/handlers/web.h"
#include "skilld/store/session.h"
#include "skilld/base/util.h"

/* Is next a path of this server (so a redirect cannot leave it)? */
static bool local_path(const char *next)
{
	if (!next || next[0] != '/' || next[1] == '/' || next[1] == '\\')
		return false;
	for (const char *p = next; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f || *p == '\\')
			return false;
	return strlen(next) < 2048;
}

/* The sign-in page with status, next and an error. */
void signin_page(struct app *app, struct request *req, struct response *res, int status,
			const char *next, const char *error)
{
	struct page_ctx ctx = { 0 };
	char *base = request_base_url(req, app->cfg->bind, app->port), *html;
	size_t len;

	ctx.base_url = base;
	html = page_signin(&ctx, local_path(next) ? next : "/", error, &len);
	response_take(res, status, "text/html; charset=utf-8", html, len);
	web_page_headers(res, true);
	response_header(res, "Cache-Control", "no-store");
	res->dynamic = true;
	free(base);
}

void signin_form(void *ctx, struct request *req, struct response *res)
{
	struct app *app = ctx;

	signin_page(app, req, res, 200, request_query(req, "next"),
		    app->token ? NULL : "This server has no token: every page is open.");
}

void signin_submit(void *ctx, struct request *req, struct response *res)
{
	struct app *app = ctx;
	struct request form;
	const char *token, *next;
	char id[SESSION_ID_LEN + 1], *raw, *cookie;

	request_init(&form);
	raw = xstrndup(req->body ? req->body : "", req->body_len);
	request_parse_query(&form, raw);
	free(raw);
	token = request_query(&form, "token");
	next = request_query(&form, "next");
	if (!next || !local_path(next))
		next = "/";
	if (!app->token) {
		response_copy(res, 303, "text/plain; charset=utf-8", "", 0);
		response_header(res, "Location", next);
	} else if (form.query_bad || !token || !ct_equal(token, app->token)) {
		signin_page(app, req, res, 401, next, "That is not this server's token.");
		response_header(res, "WWW-Authenticate", "Bearer realm=\"skilld\"");
	} else if (!app->sessions || session_create(app->sessions, session_clock(), id) != 0) {
		response_error(res, 503, "no_session", "a session cannot be made now (no random "
			       "bytes, or the store cannot be reached); try again");
	} else {
		cookie = xasprintf(SESSION_COOKIE "=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%u%s",
				   id, app->cfg->session_ttl, request_via_https(req) ? "; Secure" : "");
		response_copy(res, 303, "text/plain; charset=utf-8", "", 0);
		response_header(res, "Location", next);
		response_header(res, "Set-Cookie", cookie);
		response_header(res, "Cache-Control", "no-store");
		free(cookie);
	}
	request_fini(&form);
}

void signin_signout(void *ctx, struct request *req, struct response *res)
{
	struct app *app = ctx;
	char got[SESSION_ID_LEN + 8];

	/* The session ends on the server: a copy of the cookie kept anywhere
	 * no longer opens anything. */
	if (app->sessions && req->cookie) {
		request_cookie(req, SESSION_COOKIE, got, sizeof(got));
		if (got[0])
			session_delete(app->sessions, got);
	}
	response_copy(res, 303, "text/plain; charset=utf-8", "", 0);
	response_header(res, "Location", "/signin");
	response_header(res, "Set-Cookie", request_via_https(req)
			? SESSION_COOKIE "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0; Secure"
			: SESSION_COOKIE "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
	response_header(res, "Cache-Control", "no-store");
}
