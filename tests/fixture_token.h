/* SPDX-License-Identifier: MIT */
/*
 * A server with --token-file (TOKEN) for the suites of auth and signin,
 * and the requests they send: a program's GET and a browser's sign-in
 * form. Each suite has its own static struct ta_app ta and passes it.
 */
#ifndef SKILLD_FIXTURE_TOKEN_H
#define SKILLD_FIXTURE_TOKEN_H

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "skilld/base/util.h"
#include "testapp.h"
#include "testutil.h"

#define TOKEN "s3cret-token-0123456789"
#define BROWSER_ACCEPT "text/html,application/xhtml+xml,*/*;q=0.8"

/* The app with a token, its reviews and sessions in store (--store), or
 * in the default reviews.db when store is NULL. */
static inline void fx_token_open_on(struct ta_app *ta, const char *store)
{
	char *tok;

	ta_prepare(ta);
	tu_write_str(ta->tmp, "token", TOKEN "\n");
	tok = xasprintf("%s/token", ta->tmp);
	const char *const args[] = { "--token-file", tok, store ? "--store" : NULL, store, NULL };
	ta_open(ta, args);
	free(tok);
}

static inline void fx_token_open(struct ta_app *ta)
{
	fx_token_open_on(ta, NULL);
}

static inline const char *fx_header(const struct response *res, const char *name)
{
	for (size_t i = 0; i < res->n_headers; i++)
		if (strcasecmp(res->headers[i].key, name) == 0)
			return res->headers[i].value;
	return NULL;
}

static inline int fx_get(struct ta_app *ta, const char *path, const char *accept,
			 const char *authz, const char *cookie, struct response *res)
{
	struct ta_headers h = { .accept = accept, .user_agent = "Mozilla/5.0", .host = "127.0.0.1:8080",
				.authorization = authz, .cookie = cookie };

	return ta_get(&ta->app, path, &h, res);
}

static inline int fx_post_signin(struct ta_app *ta, const char *body, struct response *res)
{
	struct ta_request r = { .method = "POST", .path = "/signin",
				.content_type = "application/x-www-form-urlencoded",
				.body = body, .body_len = strlen(body) };

	r.h.accept = BROWSER_ACCEPT;
	r.h.host = "127.0.0.1:8080";
	return ta_send(&ta->app, &r, res);
}

#endif
