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
 * a token everything is open (and the sign-in page says so).
 *
 * The install token (--install-token-file, beside --token-file) is for
 * the `skills` installer CLI, which sends no header of its own: it is
 * accepted only as the path prefix /i/<token>/ in front of a ROUTE_INSTALL
 * route (the discovery indexes, artifacts and files, all GET), never as a
 * Bearer token, never for a page, the API or a write. Logs show such a
 * path with the token masked. Thread safe (the session store has its own
 * lock).
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
/* Takes the prefix "/i/<install token>" off the front of req->path, into
 * req->install_prefix. Returns 0 for a path not below /i/ (left as it
 * is) and for the install token's (the rest is then the path, "/" at
 * least); -1 after a 404 in res for any other path below /i/: no install
 * token set, a wrong one, nothing after it. The token is compared in
 * constant time in its content, and every refusal is the same 404. */
int auth_install_unwrap(const struct app *app, struct request *req, struct response *res);

/* Appends url (a request target) to out as a log may show it: a first
 * segment below /i/ (an install token, right or wrong) as "***". */
void auth_log_target(struct buf *out, const char *url);

/* Fills res with the 401 a client that did not sign in gets: the sign-in
 * page for a browser asking for a page, JSON for everything else, both
 * with WWW-Authenticate. */
void auth_refuse(struct app *app, struct request *req, struct response *res);

#endif
