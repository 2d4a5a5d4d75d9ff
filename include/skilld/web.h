/* SPDX-License-Identifier: MIT */
/*
 * web: the portal's page handlers and their route table. Each page URL
 * answers HTML (page.h), the API's JSON, or markdown, as request_negotiate
 * decides; assets are served from the binary. Handlers never see
 * libmicrohttpd; they run on worker threads with the thread's reader.
 */
#ifndef SKILLD_WEB_H
#define SKILLD_WEB_H

#include <stddef.h>

#include "skilld/request.h"
#include "skilld/router.h"

struct app;

/* The route table of the pages (ctx is a struct app *). */
const struct route *web_routes(size_t *n);

/* "http://" plus the request's Host header when it is a plain host[:port],
 * else the address the server is bound to; the caller frees it. */
char *web_base_url(const struct app *app, const char *host);

/* Turns a JSON error of a page URL into the negotiated form: an HTML error
 * page, or a one-line text; JSON stays as it is. */
void web_error_page(struct app *app, struct request *req, struct response *res);

/* Adds the headers every negotiated page answer carries (Vary, and for
 * HTML the Content-Security-Policy and Referrer-Policy). */
void web_page_headers(struct response *res, bool html);

#endif
