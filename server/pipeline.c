/* SPDX-License-Identifier: MIT */
/*
 * pipeline: one request through every stage, in order: the Host check,
 * auth, the route (and the write check), the handler, the ?max_tokens cut,
 * the error page, the ETag and the 304. Part of the transport, but it never
 * sees libmicrohttpd: http.c hands it a struct request and sends what it
 * leaves in the struct response, and tests call it without a socket. Runs
 * on the worker threads; a request reads one index generation (one read
 * transaction on the thread's reader).
 */
#include "skilld/pipeline.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "skilld/app.h"
#include "skilld/auth.h"
#include "skilld/hosts.h"
#include "skilld/jsonrpc.h"
#include "skilld/routes.h"
#include "skilld/tokens.h"
#include "skilld/util.h"
#include "skilld/web.h"

bool pipeline_etag_matches(const char *if_none_match, const char *etag)
{
	size_t n = strlen(etag);
	const char *p = if_none_match;

	while (*p) {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (*p == '*')
			return true;
		if (p[0] == 'W' && p[1] == '/')
			p += 2;
		if (strncmp(p, etag, n) == 0 && (p[n] == '\0' || p[n] == ',' || p[n] == ' ' || p[n] == '\t'))
			return true;
		while (*p && *p != ',')
			p++;
	}
	return false;
}

void pipeline_not_modified(struct response *res)
{
	res->status = 304;
	if (res->owns_body)
		free(res->body);
	res->body = NULL;
	res->body_len = 0;
	res->owns_body = false;
}

/* A state-changing route may run: the Bearer token, or (signed-in
 * browsers and servers without a token) a same-origin signal; without a
 * token also only from loopback. False after filling res with the 403. */
static bool write_allowed(struct app *app, const struct request *req, struct response *res)
{
	const char *why;

	if (app->token && req->authorization && app_token_ok(app, req->authorization))
		return true;
	if (!hosts_write_intent(app->cfg, req, &why)) {
		response_error(res, 403, "cross_site_write", "%s", why);
		return false;
	}
	if (!app->token && !req->peer_loopback) {
		response_error(res, 403, "forbidden", "without --token-file, writes are accepted "
			       "from loopback clients only");
		return false;
	}
	return true;
}

/* Page URLs answer errors in the negotiated format; the API (and /mcp) always in JSON. */
static bool is_api_path(const char *path)
{
	return strncmp(path, "/api/", 5) == 0 || strcmp(path, "/healthz") == 0 ||
	       strcmp(path, "/mcp") == 0 ||
	       strncmp(path, "/.well-known/", 13) == 0;
}

/* ?max_tokens=N: an integer from 1 to TOKENS_MAX_BUDGET; 0 when absent,
 * -1 when malformed. */
static long max_tokens_arg(const struct request *req)
{
	const char *s = request_query(req, "max_tokens");
	char *end;
	long v;

	if (!s)
		return 0;
	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < 1 || v > TOKENS_MAX_BUDGET)
		return -1;
	return v;
}

/* Cuts a markdown answer to ?max_tokens, with a note that points at the
 * whole text (this URL without max_tokens). The ETag is then recomputed. */
static void limit_tokens(struct app *app, struct request *req, struct response *res, long max)
{
	struct buf url;
	char *base, *text;
	size_t len;
	bool cut;

	buf_init(&url);
	base = web_base_url(app, req->host);
	buf_printf(&url, "%s%.*s", base, (int)strcspn(req->path, "?"), req->path);
	free(base);
	for (size_t i = 0, n = 0; i < req->n_query; i++) {
		if (strcmp(req->query[i].key, "max_tokens") == 0)
			continue;
		buf_putc(&url, n++ ? '&' : '?');
		url_encode_component(&url, req->query[i].key);
		buf_putc(&url, '=');
		url_encode_component(&url, req->query[i].value);
	}
	text = tokens_cut_markdown(res->body ? res->body : "", res->body_len, (size_t)max,
				   url.data, &len, &cut);
	buf_fini(&url);
	if (!cut) {
		free(text);
		return;
	}
	response_take(res, res->status, res->content_type, text, len);
	res->etag[0] = '\0';
	response_header(res, "X-Skilld-Cut", "max_tokens");
}

/* The gates between the Host check and the handler, in order: the token
 * (unless the path's route is ROUTE_PUBLIC), the query, ?max_tokens (into
 * *max_tokens), the route and, for a ROUTE_WRITE route, the write check.
 * The route to run, or NULL with res filled. */
static const struct route *route_request(struct app *app, struct request *req,
					 struct response *res, long *max_tokens)
{
	size_t n;
	const struct route *table = routes_table(&n);
	const struct route *route;
	unsigned flags;

	/* Matched first, so that whether a path needs the token is its
	 * route's flag; a client without the token gets the 401 whatever
	 * the router said. */
	route = router_find(table, n, req, res, &flags);
	if (!(flags & ROUTE_PUBLIC) && !auth_ok(app, req)) {
		response_fini(res);
		auth_refuse(app, req, res);
		return NULL;
	}
	if (req->query_bad) {
		response_fini(res);
		response_error(res, 400, "bad_query", "a query argument is not valid "
			       "percent-encoded UTF-8 (or there are more than %u of them)",
			       REQUEST_MAX_QUERY);
		return NULL;
	}
	if ((*max_tokens = max_tokens_arg(req)) < 0) {
		response_fini(res);
		response_error(res, 400, "bad_max_tokens", "max_tokens must be an integer from 1 "
			       "to %ld", TOKENS_MAX_BUDGET);
		return NULL;
	}
	if (route && (route->flags & ROUTE_WRITE) && !write_allowed(app, req, res))
		return NULL;
	return route;
}

bool pipeline_revalidate(const struct request *req, struct response *res)
{
	if (res->status != 200 || !req->if_none_match || !res->etag[0] ||
	    (req->method != METHOD_GET && req->method != METHOD_HEAD) ||
	    !pipeline_etag_matches(req->if_none_match, res->etag))
		return false;
	pipeline_not_modified(res);
	return true;
}

void pipeline_serve(struct app *app, struct request *req, struct response *res)
{
	struct db_reader *reader = app_reader(app);
	bool snapshot = false;
	int64_t gen = 0;
	const struct route *route;
	long max_tokens = 0;

	/* One read transaction per request: it sees one index generation
	 * from its first statement to its last, whatever a reload commits. */
	if (reader && db_reader_begin(reader, &gen) == 0) {
		snapshot = true;
		req->generation = gen;
	}

	if (!hosts_host_ok(app->cfg, req->host)) {
		/* DNS rebinding: a page whose name now points here. MCP's
		 * transport rules ask for 403; 421 says it best elsewhere. */
		static const char msg[] = "this server does not answer to that Host name; if it "
					  "is really this server's, start it with --allowed-host NAME";

		if (strcmp(req->path, "/mcp") == 0) {
			cJSON *e = jsonrpc_error(NULL, JSONRPC_INVALID_REQUEST, msg, NULL);

			response_json(res, 403, e);
			cJSON_Delete(e);
		} else {
			response_error(res, 421, "host_not_allowed", "%s", msg);
		}
	} else if ((route = route_request(app, req, res, &max_tokens)) != NULL) {
		route->handler(app, req, res);
		if (res->status == 200 && res->markdown && max_tokens > 0)
			limit_tokens(app, req, res, max_tokens);
	}
	/* Cross-origin reads only for the origins --cors-origin names. */
	if (req->origin && hosts_cors_ok(app->cfg, req->origin)) {
		response_header(res, "Access-Control-Allow-Origin", req->origin);
		response_vary(res, "Origin");
	}
	if (res->status >= 400 && res->status != 401 && res->status != 421 &&
	    !is_api_path(req->path))
		web_error_page(app, req, res);
	if (snapshot)
		db_reader_end(reader);
	if (req->generation > 0) {
		char g[24];

		snprintf(g, sizeof(g), "%lld", req->generation);
		response_header(res, "X-Skilld-Generation", g);
	}
	if (res->status == 200 && res->etag[0] == '\0') {
		char hex[SHA256_HEX_LEN + 1];

		sha256_hex(res->body ? res->body : "", res->body_len, hex);
		response_etag_hex(res, hex);
	}
	pipeline_revalidate(req, res);
}

