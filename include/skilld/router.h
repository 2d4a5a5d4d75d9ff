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

#include "skilld/request.h"

typedef void (*route_handler)(void *ctx, struct request *req, struct response *res);

struct route {
	unsigned methods;       /* METHOD_* mask; METHOD_GET implies HEAD */
	const char *pattern;    /* e.g. "/api/v1/skills/{slug}/files/{*path}" */
	route_handler handler;
};

/* Finds the route for req, sets req->params and calls its handler with ctx,
 * or fills res with the 400/404/405 JSON error. Returns the matched route or
 * NULL. */
const struct route *router_dispatch(const struct route *table, size_t n, void *ctx,
				    struct request *req, struct response *res);

#endif
