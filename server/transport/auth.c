/* SPDX-License-Identifier: MIT */
/*
 * auth: token checks, the session cookie and the sign-in handlers (see
 * auth.h).
 */
#include "skilld/transport/auth.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "skilld/app/app.h"
#include "skilld/handlers/page.h"
#include "skilld/transport/session.h"
#include "skilld/base/util.h"
#include "skilld/handlers/web.h"

/* Seconds on a clock that never goes back and counts suspend: a session
 * lives no longer than its ttl whatever happens to the wall clock. */
static time_t clock_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_BOOTTIME, &t);
	return t.tv_sec;
}

/* Did the request reach us over HTTPS through a proxy (X-Forwarded-Proto:
 * https, its first value)? Then the cookie is marked Secure. A client
 * that sends it falsely only keeps its own cookie from plain HTTP. */
static bool via_https(const struct request *req)
{
	const char *p = req->forwarded_proto;

	if (!p)
		return false;
	p += strspn(p, " \t");
	return strncasecmp(p, "https", 5) == 0 && (p[5] == '\0' || strchr(" \t,", p[5]));
}

/* The value of cookie name in a Cookie header, copied into out (empty when
 * absent or too long). */
static void cookie_get(const char *header, const char *name, char *out, size_t outlen)
{
	size_t n = strlen(name);

	out[0] = '\0';
	for (const char *p = header; p && *p;) {
		size_t len;

		while (*p == ' ' || *p == ';')
			p++;
		len = strcspn(p, ";");
		if (len > n && strncmp(p, name, n) == 0 && p[n] == '=') {
			if (len - n - 1 < outlen) {
				memcpy(out, p + n + 1, len - n - 1);
				out[len - n - 1] = '\0';
			}
			return;
		}
		p += len;
	}
}

bool auth_bearer_ok(const char *token, const char *authorization)
{
	if (!token)
		return true;
	if (!authorization || strncasecmp(authorization, "Bearer ", 7) != 0)
		return false;
	authorization += 7;
	while (*authorization == ' ')
		authorization++;
	return ct_equal(authorization, token);
}

bool auth_ok(const struct app *app, const struct request *req)
{
	char got[SESSION_ID_LEN + 8];

	if (!app->token)
		return true;
	if (req->authorization && auth_bearer_ok(app->token, req->authorization))
		return true;
	if (!req->cookie || !app->sessions)
		return false;
	cookie_get(req->cookie, AUTH_COOKIE, got, sizeof(got));
	return got[0] && session_valid(app->sessions, got, clock_now());
}

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
static void signin_page(struct app *app, struct request *req, struct response *res, int status,
			const char *next, const char *error)
{
	struct page_ctx ctx = { NULL, NULL };
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

void auth_refuse(struct app *app, struct request *req, struct response *res)
{
	response_header(res, "WWW-Authenticate", "Bearer realm=\"skilld\"");
	if (request_negotiate(req) == FORMAT_HTML && strncmp(req->path, "/api/", 5) != 0 &&
	    strcmp(req->path, "/healthz") != 0 &&
	    strcmp(req->path, "/mcp") != 0 && strncmp(req->path, "/.well-known/", 13) != 0) {
		struct buf next;

		buf_init(&next);
		buf_puts(&next, req->path);
		for (size_t i = 0; i < req->n_query; i++) {
			buf_putc(&next, i ? '&' : '?');
			url_encode_component(&next, req->query[i].key);
			buf_putc(&next, '=');
			url_encode_component(&next, req->query[i].value);
		}
		signin_page(app, req, res, 401, next.data, NULL);
		buf_fini(&next);
		return;
	}
	response_error(res, 401, "unauthorized", "this server needs a token: send "
		       "Authorization: Bearer <token> (or sign in at /signin in a browser)");
}

void auth_signin_form(void *ctx, struct request *req, struct response *res)
{
	struct app *app = ctx;

	signin_page(app, req, res, 200, request_query(req, "next"),
		    app->token ? NULL : "This server has no token: every page is open.");
}

void auth_signin(void *ctx, struct request *req, struct response *res)
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
	} else if (!app->sessions || session_create(app->sessions, clock_now(), id) != 0) {
		response_error(res, 503, "no_session", "a session cannot be made now (no random "
			       "bytes); try again");
	} else {
		cookie = xasprintf(AUTH_COOKIE "=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%u%s",
				   id, app->cfg->session_ttl, via_https(req) ? "; Secure" : "");
		response_copy(res, 303, "text/plain; charset=utf-8", "", 0);
		response_header(res, "Location", next);
		response_header(res, "Set-Cookie", cookie);
		response_header(res, "Cache-Control", "no-store");
		free(cookie);
	}
	request_fini(&form);
}

void auth_signout(void *ctx, struct request *req, struct response *res)
{
	struct app *app = ctx;
	char got[SESSION_ID_LEN + 8];

	/* The session ends on the server: a copy of the cookie kept anywhere
	 * no longer opens anything. */
	if (app->sessions && req->cookie) {
		cookie_get(req->cookie, AUTH_COOKIE, got, sizeof(got));
		if (got[0])
			session_delete(app->sessions, got);
	}
	response_copy(res, 303, "text/plain; charset=utf-8", "", 0);
	response_header(res, "Location", "/signin");
	response_header(res, "Set-Cookie", via_https(req)
			? AUTH_COOKIE "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0; Secure"
			: AUTH_COOKIE "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
	response_header(res, "Cache-Control", "no-store");
}
