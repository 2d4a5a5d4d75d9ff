/* SPDX-License-Identifier: MIT */
/*
 * auth: the access token (--token-file). With a token set, every request
 * needs either "Authorization: Bearer <token>" (programs) or the session
 * cookie a browser gets by signing in at /signin (signin.h; HttpOnly,
 * SameSite=Strict, Secure behind an HTTPS proxy that sends
 * X-Forwarded-Proto: https). The cookie holds a random session id that
 * the server keeps (session.h) until it expires (--session-ttl, 12 h by
 * default) or /signout ends it; never the token itself. Sessions live in
 * memory, so a restart (which changing the token needs) ends them all.
 * Token comparisons take constant time in the secret's content. Without
 * a token everything is open (and the sign-in page says so). Thread safe
 * (the session store has its own lock).
 */
#ifndef SKILLD_AUTH_H
#define SKILLD_AUTH_H

#include <stdbool.h>

#include "skilld/base/request.h"

struct app;

/* May this request go on: no token set, a matching Bearer token, or a
 * matching session cookie? */
bool auth_ok(const struct app *app, const struct request *req);

/* Does an Authorization header value ("Bearer TOKEN") carry token? Always
 * true when token is NULL (none set); compared in constant time. */
bool auth_bearer_ok(const char *token, const char *authorization);
/* Fills res with the 401 a client that did not sign in gets: the sign-in
 * page for a browser asking for a page, JSON for everything else, both
 * with WWW-Authenticate. */
void auth_refuse(struct app *app, struct request *req, struct response *res);

#endif
