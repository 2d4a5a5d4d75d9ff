/* SPDX-License-Identifier: MIT */
/*
 * signin: the browser's way in when the server has a token (auth.h).
 * POST /signin with the token starts a session (session.h) and sets its
 * cookie: HttpOnly, SameSite=Strict, Secure behind an HTTPS proxy that
 * sends X-Forwarded-Proto: https, and never the token itself. POST
 * /signout ends the session on the server and clears the cookie. Without
 * a token everything is open, and the page says so. The routes are
 * ROUTE_PUBLIC, like the assets the form needs: they answer without the
 * token.
 */
#ifndef SKILLD_SIGNIN_H
#define SKILLD_SIGNIN_H

#include "skilld/base/request.h"

struct app;

/* Fills res with the sign-in page: status, the local path to go back to
 * after signing in (anything else becomes "/") and an error line (NULL:
 * none). Never prepared ahead (Cache-Control: no-store). */
void signin_page(struct app *app, struct request *req, struct response *res, int status,
		 const char *next, const char *error);

/* GET /signin, POST /signin (form: token, next), POST /signout (ctx is a
 * struct app *). */
void signin_form(void *ctx, struct request *req, struct response *res);
void signin_submit(void *ctx, struct request *req, struct response *res);
void signin_signout(void *ctx, struct request *req, struct response *res);

#endif
