/* SPDX-License-Identifier: MIT */
/*
 * auth: the access token (--token-file). With a token set, every request
 * needs either "Authorization: Bearer <token>" (programs) or the session
 * cookie a browser gets by signing in once at /signin (HttpOnly,
 * SameSite=Strict, 30 days). The cookie holds an HMAC-SHA256 of a fixed
 * text keyed with the token, never the token itself; changing the token
 * (and restarting) signs every browser out. Comparisons take constant time
 * in the secret's content. Without a token everything is open (and the
 * sign-in page says so). Pure functions of the app's read-only token:
 * thread safe.
 */
#ifndef SKILLD_AUTH_H
#define SKILLD_AUTH_H

#include <stdbool.h>

#include "skilld/request.h"

#define AUTH_COOKIE "skilld_session"
#define AUTH_COOKIE_MAX_AGE (30 * 24 * 3600)

struct app;

/* May this request go on: no token set, a matching Bearer token, or a
 * matching session cookie? */
bool auth_ok(const struct app *app, const struct request *req);
/* Paths that answer without a token: the sign-in form and its assets. */
bool auth_public_path(const char *path);
/* Fills res with the 401 a client that did not sign in gets: the sign-in
 * page for a browser asking for a page, JSON for everything else, both
 * with WWW-Authenticate. */
void auth_refuse(struct app *app, struct request *req, struct response *res);

/* GET /signin, POST /signin (form: token, next), POST /signout
 * (ctx is a struct app *). */
void auth_signin_form(void *ctx, struct request *req, struct response *res);
void auth_signin(void *ctx, struct request *req, struct response *res);
void auth_signout(void *ctx, struct request *req, struct response *res);

#endif
