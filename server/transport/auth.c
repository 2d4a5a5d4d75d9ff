/* SPDX-License-Identifier: MIT */
/*
 * auth: the token checks every request goes through (see auth.h); the
 * sign-in page and its form are the signin handlers'.
 */
#include "skilld/transport/auth.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "skilld/app/app.h"
#include "skilld/handlers/signin.h"
#include "skilld/store/session.h"
#include "skilld/base/util.h"

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
	request_cookie(req, SESSION_COOKIE, got, sizeof(got));
	return got[0] && session_valid(app->sessions, got, session_clock());
}

#define INSTALL_DIR "/i/"

int auth_install_unwrap(const struct app *app, struct request *req, struct response *res)
{
	const char *tok, *rest;
	char *given;
	bool ok;

	if (strncmp(req->path, INSTALL_DIR, strlen(INSTALL_DIR)) != 0)
		return 0;
	tok = req->path + strlen(INSTALL_DIR);
	rest = strchr(tok, '/');
	given = xstrndup(tok, rest ? (size_t)(rest - tok) : strlen(tok));
	/* ct_equal's time follows the secret's length, not the guess's */
	ok = app->install_token && rest && ct_equal(given, app->install_token);
	free(given);
	if (!ok) {
		response_error(res, 404, "not_found", "no such path here");
		return -1;
	}
	req->install_prefix = xstrndup(req->path, (size_t)(rest - req->path));
	memmove(req->path, rest, strlen(rest) + 1);
	return 0;
}

void auth_log_target(struct buf *out, const char *url)
{
	const char *rest;

	if (!url || strncmp(url, INSTALL_DIR, strlen(INSTALL_DIR)) != 0) {
		buf_puts(out, url ? url : "");
		return;
	}
	rest = url + strlen(INSTALL_DIR) + strcspn(url + strlen(INSTALL_DIR), "/?");
	buf_puts(out, INSTALL_DIR "***");
	buf_puts(out, rest);
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
		request_query_string(&next, req, NULL);
		signin_page(app, req, res, 401, next.data, NULL);
		buf_fini(&next);
		return;
	}
	response_error(res, 401, "unauthorized", "this server needs a token: send "
		       "Authorization: Bearer <token> (or sign in at /signin in a browser)");
}

