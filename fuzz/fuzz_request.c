/* SPDX-License-Identifier: MIT */
/*
 * fuzz_request: libFuzzer target for the request path without a socket or a
 * database. The input is "path?query": the path goes through router_dispatch
 * (segment splitting and percent-decoding, path parameters, 400/404/405) and
 * the query through request_parse_query, against a copy of the route
 * patterns of the API rows of server/routes.c whose handlers only read
 * what the router set.
 * Single threaded; the route table is read only.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "skilld/base/request.h"
#include "skilld/transport/router.h"
#include "skilld/base/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Aborts with msg when a documented contract of the target does not hold;
 * libFuzzer and the replay driver both report the abort as a crash. */
static void fuzz_require(int cond, const char *msg)
{
	if (!cond) {
		fprintf(stderr, "contract violated: %s\n", msg);
		abort();
	}
}

/* Stands in for every api.c handler: reads each path parameter and query
 * argument the real handlers read and echoes them in a 200 body, so ASan
 * checks the strings the router and the query parser built. */
static void fuzz_handler(void *ctx, struct request *req, struct response *res)
{
	static const char *const params[] = { "slug", "path", "name" };
	static const char *const queries[] = { "limit", "cursor", "severity" };
	struct buf body;

	(void)ctx;
	buf_init(&body);
	for (size_t i = 0; i < sizeof(params) / sizeof(params[0]); i++) {
		const char *v = request_param(req, params[i]);

		if (v) {
			fuzz_require(v[0] != '\0', "empty path parameter");
			buf_printf(&body, "%s=%s\n", params[i], v);
		}
	}
	for (size_t i = 0; i < sizeof(queries) / sizeof(queries[0]); i++) {
		const char *v = request_query(req, queries[i]);

		if (v)
			buf_printf(&body, "%s=%s\n", queries[i], v);
	}
	for (size_t i = 0; i < req->n_query; i++)
		buf_printf(&body, "%s:%s\n", req->query[i].key, req->query[i].value);
	response_copy(res, 200, CT_TEXT, body.data, body.len);
	response_header(res, "X-Fuzz", "1");
	buf_fini(&body);
}

/* The patterns of the API rows of server/routes.c, in their order, plus one. */
static const struct route fuzz_routes[] = {
	{ METHOD_GET, "/healthz", fuzz_handler, 0 },
	{ METHOD_GET, "/api/v1/skills", fuzz_handler, 0 },
	{ METHOD_GET, "/api/v1/skills/{slug}", fuzz_handler, 0 },
	{ METHOD_GET, "/api/v1/skills/{slug}/files", fuzz_handler, 0 },
	{ METHOD_GET, "/api/v1/skills/{slug}/files/{*path}", fuzz_handler, 0 },
	{ METHOD_GET, "/api/v1/skills/{slug}/checklist", fuzz_handler, 0 },
	{ METHOD_GET, "/api/v1/skills/{slug}/evals", fuzz_handler, 0 },
	{ METHOD_GET, "/api/v1/skills/{slug}/check", fuzz_handler, 0 },
	{ METHOD_GET, "/api/v1/checklists", fuzz_handler, 0 },
	{ METHOD_GET, "/api/v1/diagnostics", fuzz_handler, 0 },
	/* Not in routes.c: a POST-only route, so that a GET reaches the 405 path. */
	{ METHOD_POST, "/api/v1/{name}/reindex", fuzz_handler, 0 },
};

/* Splits data at the first '?', routes the path (a leading '/' added when
 * missing; a path holding NUL is dropped, as no HTTP server delivers one)
 * and parses the query (up to its first NUL, as a C string). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in = (const char *)data;
	const char *qmark = memchr(in, '?', size);
	size_t path_len = qmark ? (size_t)(qmark - in) : size;
	struct request req;
	struct response res;
	const struct route *route;
	struct buf path;
	char *query;

	if (memchr(in, '\0', path_len))
		return 0;
	request_init(&req);
	response_init(&res);
	req.method = METHOD_GET;
	req.method_name = "GET";
	buf_init(&path);
	if (path_len == 0 || in[0] != '/')
		buf_putc(&path, '/');
	buf_append(&path, in, path_len);
	req.path = buf_detach(&path, NULL);
	query = qmark ? xstrndup(qmark + 1, size - path_len - 1) : xstrdup("");
	request_parse_query(&req, query);
	fuzz_require(req.n_query <= REQUEST_MAX_QUERY, "too many query arguments kept");

	route = router_dispatch(fuzz_routes, sizeof(fuzz_routes) / sizeof(fuzz_routes[0]),
				NULL, &req, &res);
	if (route)
		fuzz_require(res.status == 200, "matched route without the handler's answer");
	else
		fuzz_require(res.status == 400 || res.status == 404 || res.status == 405,
			     "unmatched request without a 400, 404 or 405");
	fuzz_require(res.body != NULL && res.body_len == strlen(res.body), "body is not one string");

	free(query);
	response_fini(&res);
	request_fini(&req);
	return 0;
}
