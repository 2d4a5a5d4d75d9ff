/* SPDX-License-Identifier: MIT */
/*
 * router: a table of routes (method mask + path pattern → handler) and the
 * dispatch that matches a request path against it. Patterns are literal
 * segments, `{name}` (one segment) and a final `{*name}` (the rest, at least
 * one segment). Segments are percent-decoded one by one; an encoded '/',
 * NUL, invalid escape or invalid UTF-8 in a segment is a 400, a `.` or `..`
 * segment a 400 too. No match is 404, a path that matches with another
 * method 405 with Allow. HEAD is served by GET routes. Thread safe: the
 * table is read only.
 */
#ifndef SKILLD_ROUTER_H
#define SKILLD_ROUTER_H

#include <stddef.h>

#include "skilld/base/request.h"

typedef void (*route_handler)(void *ctx, struct request *req, struct response *res);

/* What a route needs beyond a match (struct route.flags). */
enum route_flag {
	ROUTE_WRITE = 1 << 0,   /* changes state: the pipeline asks for the
				 * token or a same-origin signal first */
	ROUTE_PUBLIC = 1 << 1,  /* answers without the token (--token-file):
				 * the sign-in form and its assets */
	ROUTE_JSONRPC = 1 << 2, /* a JSON-RPC endpoint reached by programs and,
				 * through DNS rebinding, by pages (/mcp): an
				 * Origin, when sent, must name this server, and
				 * the pipeline's refusals are JSON-RPC errors */
	ROUTE_INSTALL = 1 << 3, /* a discovery URL the skills installer reads:
				 * answers a path below /i/<install token>/
				 * without the token (auth.h) */
};

struct route {
	unsigned methods;       /* METHOD_* mask; METHOD_GET implies HEAD */
	const char *pattern;    /* e.g. "/api/v1/skills/{slug}/files/{*path}" */
	route_handler handler;
	unsigned flags;         /* ROUTE_* */
};

/* Finds the route for req and sets req->params, or fills res with the
 * 400/404/405 JSON error and returns NULL. The handler is not called. */
const struct route *router_match(const struct route *table, size_t n, struct request *req,
				 struct response *res);

/* router_match that also tells what holds for the path whatever the
 * method: *path_flags gets the matched route's flags, on a 405 the flags
 * every route matching the path has, and 0 on a 400 or 404. */
const struct route *router_find(const struct route *table, size_t n, struct request *req,
				struct response *res, unsigned *path_flags);

/* router_match, then the route's handler with ctx. Returns the matched
 * route or NULL. */
const struct route *router_dispatch(const struct route *table, size_t n, void *ctx,
				    struct request *req, struct response *res);

#endif
