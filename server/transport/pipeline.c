/* SPDX-License-Identifier: MIT */
/*
 * pipeline: one request through every stage, in order: the Host check,
 * auth, the route (and the write check), the handler, the ?max_tokens part,
 * the error page, the ETag, the content coding (gzip) and the 304. Part of
 * the transport, but it never sees libmicrohttpd: http.c hands it a struct
 * request and sends what it leaves in the struct response (or memoises it
 * as a prepared answer), and tests call it without a socket, so every
 * answer is the same whichever way it was asked for. Runs on the worker
 * threads; a request reads one index generation (one read transaction on
 * the thread's reader).
 */
#include "skilld/transport/pipeline.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>
#include <zlib.h>

#include "skilld/app/app.h"
#include "skilld/transport/auth.h"
#include "skilld/transport/hosts.h"
#include "skilld/base/jsonrpc.h"
#include "skilld/transport/routes.h"
#include "skilld/base/tokens.h"
#include "skilld/base/util.h"
#include "skilld/handlers/web.h"

#define OFFSET_ALONE -2     /* ?offset without ?max_tokens */
#define GZIP_MIN 1024       /* smaller text is sent as it is */
#define GZIP_LEVEL 6

/* A state-changing route may run: the Bearer token, or (signed-in
 * browsers and servers without a token) a same-origin signal; without a
 * token also only from loopback. False after filling res with the 403. */
static bool write_allowed(struct app *app, const struct request *req, struct response *res)
{
	const char *why;

	if (app->token && req->authorization && auth_bearer_ok(app->token, req->authorization))
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

/* ?offset=N: the byte offset a part starts at, an integer from 0; 0 when
 * absent, -1 when malformed. */
static long offset_arg(const struct request *req)
{
	long v;

	if (request_query_long(req, "offset", 0, LONG_MAX, 0, &v) < 0)
		return -1;
	return v;
}

/* Answers the part of a markdown answer at ?offset that fits ?max_tokens
 * (tokens_answer), with a note, Link: <...>; rel="next" to the next part
 * (this URL with offset moved on) unless it is the last, X-Skilld-Range
 * (the part's bytes of the whole, as Content-Range writes them) and
 * X-Skilld-Cut; the ETag is then recomputed. A text that fits from offset
 * 0 is left whole. An offset that cannot start a part is a 416 (at or past
 * the end) or a 400. */
static void limit_tokens(struct app *app, struct request *req, struct response *res, long max,
			 long offset)
{
	const char *md = res->body ? res->body : "";
	size_t md_len = res->body_len, len;
	struct tokens_part part;
	enum tokens_status st;
	struct buf url;
	char *base, *text, range[80];

	buf_init(&url);
	base = request_base_url(req, app->cfg->bind, app->port);
	buf_printf(&url, "%s%.*s", base, (int)strcspn(req->path, "?"), req->path);
	free(base);
	/* max_tokens is there, so the query is never empty. */
	request_query_string(&url, req, "offset");
	buf_puts(&url, "&offset=");
	st = tokens_answer(md, md_len, (size_t)offset, (size_t)max, url.data, &part, &text, &len);
	switch (st) {
	case TOKENS_OK:
		break;
	case TOKENS_PAST_END:
		snprintf(range, sizeof(range), "bytes */%zu", md_len);
		response_fini(res);
		response_error(res, 416, "offset_out_of_range", "offset %ld is at or past the end of "
			       "this text (%zu bytes); the last part has no next offset", offset, md_len);
		response_header(res, "Content-Range", range);
		goto done;
	case TOKENS_MID_CHARACTER:
		response_fini(res);
		response_error(res, 400, "bad_offset", "offset %ld is inside a UTF-8 character or "
			       "a CRLF line end; continue at the offset a part's Link rel=\"next\" "
			       "gives", offset);
		goto done;
	case TOKENS_IN_FRONTMATTER:
		len = tokens_frontmatter_end(md, md_len);
		response_fini(res);
		response_error(res, 400, "bad_offset", "offset %ld is inside the frontmatter (bytes "
			       "0-%zu), which is never cut; start at 0 or at %zu", offset, len - 1, len);
		goto done;
	default: /* TOKENS_NO_ROOM: tokens_answer always leaves room for its note */
		response_fini(res);
		response_error(res, 500, "internal", "the text could not be cut");
		goto done;
	}
	if (part.whole)
		goto done;
	if (part.end > part.start)
		snprintf(range, sizeof(range), "bytes %zu-%zu/%zu", part.start, part.end - 1, md_len);
	else
		snprintf(range, sizeof(range), "bytes */%zu", md_len);
	response_take(res, res->status, res->content_type, text, len);
	res->etag[0] = '\0';
	response_header(res, "X-Skilld-Cut", "max_tokens");
	response_header(res, "X-Skilld-Range", range);
	if (!part.last) {
		struct buf link;

		buf_printf(&url, "%zu", part.end); /* after "&offset=" */
		buf_init(&link);
		buf_printf(&link, "<%s>; rel=\"next\"", url.data);
		response_header(res, "Link", link.data);
		buf_fini(&link);
	}
done:
	buf_fini(&url);
}

/* The gates between the Host check and the handler, in order: the token
 * (unless the path's route is ROUTE_PUBLIC), the query, ?max_tokens (into
 * *max_tokens) and ?offset (into *offset, checked beside max_tokens;
 * OFFSET_ALONE without it), the route and, for a ROUTE_WRITE route, the write check.
 * The route to run, or NULL with res filled. */
static const struct route *route_request(struct app *app, struct request *req,
					 struct response *res, const struct route *route,
					 unsigned flags, long *max_tokens, long *offset)
{
	/* The route was matched first, so that whether a path needs the
	 * token is its route's flag; a client without the token gets the
	 * 401 whatever the router said. Below the install token's prefix,
	 * only an installer's route, and the same 404 as a wrong token. */
	if (req->install_prefix && !(flags & ROUTE_INSTALL)) {
		response_fini(res);
		response_error(res, 404, "not_found", "no such path here");
		return NULL;
	}
	if (!(flags & ROUTE_PUBLIC) && !req->install_prefix && !auth_ok(app, req)) {
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
	/* offset is checked beside max_tokens only: other answers take it
	 * as any argument they do not know (and a markdown answer refuses
	 * it alone, after the handler). */
	*offset = 0;
	if (*max_tokens && (*offset = offset_arg(req)) < 0) {
		response_fini(res);
		response_error(res, 400, "bad_offset", "offset must be a byte offset: an integer "
			       "from 0");
		return NULL;
	}
	if (!*max_tokens && request_query(req, "offset"))
		*offset = OFFSET_ALONE;
	if (route && (route->flags & ROUTE_WRITE) && !write_allowed(app, req, res))
		return NULL;
	return route;
}

/* The value of a header of res, or NULL. */
static const char *header_value(const struct response *res, const char *name)
{
	for (size_t i = 0; i < res->n_headers; i++)
		if (strcasecmp(res->headers[i].key, name) == 0)
			return res->headers[i].value;
	return NULL;
}

bool pipeline_wants_gzip(const char *accept_encoding)
{
	const char *p = accept_encoding;
	char coding[32];
	double q, gzip = -1.0, any = -1.0;

	while (request_qlist_next(&p, coding, sizeof(coding), &q)) {
		if (strcasecmp(coding, "gzip") == 0 || strcasecmp(coding, "x-gzip") == 0)
			gzip = q > gzip ? q : gzip;
		else if (strcmp(coding, "*") == 0)
			any = q > any ? q : any;
	}
	/* Named, gzip's own q counts; otherwise "*" stands for it. */
	return gzip >= 0.0 ? gzip > 0.0 : any > 0.0;
}

/* Is a content type worth compressing? */
static bool compressible(const char *ct)
{
	return ct && (strncmp(ct, "text/", 5) == 0 || strncmp(ct, "application/json", 16) == 0 ||
		      strncmp(ct, "application/javascript", 22) == 0 ||
		      strstr(ct, "+json") || strstr(ct, "+xml") || strstr(ct, "/xml"));
}

/* gzip of p[0..n) (free()), or NULL. */
static char *gzip_bytes(const char *p, size_t n, size_t *out_len)
{
	z_stream z;
	size_t cap;
	char *out;

	memset(&z, 0, sizeof(z));
	if (deflateInit2(&z, GZIP_LEVEL, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return NULL;
	cap = deflateBound(&z, (uLong)n) + 64;
	out = xmalloc(cap);
	z.next_in = (Bytef *)(uintptr_t)p;
	z.avail_in = (uInt)n;
	z.next_out = (Bytef *)out;
	z.avail_out = (uInt)cap;
	if (deflate(&z, Z_FINISH) != Z_STREAM_END) {
		deflateEnd(&z);
		free(out);
		return NULL;
	}
	*out_len = z.total_out;
	deflateEnd(&z);
	return out;
}

/* The content coding stage, for a 200 to a GET or HEAD: clients may keep
 * the answer but must ask again (Cache-Control: no-cache, unless the
 * handler chose), a compressible one varies by Accept-Encoding, and one
 * of GZIP_MIN bytes or more goes out gzip when the client takes it, under
 * its own strong ETag (the identity one with -gz). */
static void encode(const struct request *req, struct response *res)
{
	size_t n = strlen(res->etag), zlen;
	char *z;

	if (res->status != 200 || (req->method != METHOD_GET && req->method != METHOD_HEAD))
		return;
	if (!header_value(res, "Cache-Control"))
		response_header(res, "Cache-Control", "no-cache");
	if (!compressible(res->content_type))
		return;
	response_vary(res, "Accept-Encoding");
	/* gzip only with room for its headers and its ETag. */
	if (res->body_len < GZIP_MIN || !pipeline_wants_gzip(req->accept_encoding) ||
	    !header_value(res, "Vary") || res->n_headers == RESPONSE_MAX_HEADERS ||
	    n < 2 || res->etag[n - 1] != '"' || n + 3 >= sizeof(res->etag) ||
	    !(z = gzip_bytes(res->body, res->body_len, &zlen)))
		return;
	response_take(res, 200, res->content_type, z, zlen);
	response_header(res, "Content-Encoding", "gzip");
	snprintf(res->etag + n - 1, sizeof(res->etag) - (n - 1), "-gz\"");
}

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
	/* The 200's headers, but no body to decode. */
	for (size_t i = 0; i < res->n_headers; i++) {
		if (strcasecmp(res->headers[i].key, "Content-Encoding") != 0)
			continue;
		free(res->headers[i].key);
		free(res->headers[i].value);
		memmove(&res->headers[i], &res->headers[i + 1],
			(res->n_headers - i - 1) * sizeof(res->headers[0]));
		res->n_headers--;
		break;
	}
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

/* Fills res with a refusal of a request from the wrong place: JSON-RPC's
 * error shape on a ROUTE_JSONRPC route, the API's elsewhere. */
static void refuse_foreign(struct response *res, unsigned flags, int status, const char *code,
			   const char *msg)
{
	if (flags & ROUTE_JSONRPC) {
		cJSON *e = jsonrpc_error(NULL, JSONRPC_INVALID_REQUEST, msg, NULL);

		response_json(res, status, e);
		cJSON_Delete(e);
	} else {
		response_error(res, status, code, "%s", msg);
	}
}

void pipeline_serve(struct app *app, struct request *req, struct response *res)
{
	struct store_reader *reader = store_reader(app->store);
	bool snapshot = false;
	int64_t gen = 0;
	const struct route *table, *route = NULL;
	unsigned flags = 0;
	bool unwrapped;
	size_t n;
	long max_tokens = 0, offset = 0;

	/* One read transaction per request: it sees one index generation
	 * from its first statement to its last, whatever a reload commits. */
	if (reader && store_reader_begin(reader, &gen) == 0) {
		snapshot = true;
		req->generation = gen;
	}

	table = routes_table(&n);
	unwrapped = auth_install_unwrap(app, req, res) == 0;
	if (unwrapped)
		route = router_find(table, n, req, res, &flags);
	if (!hosts_host_ok(app->cfg, req->host)) {
		/* DNS rebinding: a page whose name now points here. MCP's
		 * transport rules ask for 403; 421 says it best elsewhere. */
		response_fini(res);
		refuse_foreign(res, flags, flags & ROUTE_JSONRPC ? 403 : 421, "host_not_allowed",
			       "this server does not answer to that Host name; if it is really "
			       "this server's, start it with --allowed-host NAME");
	} else if ((flags & ROUTE_JSONRPC) && req->origin && !hosts_origin_ok(app->cfg, req->origin)) {
		/* The Host may be right and the page still another site's. */
		response_fini(res);
		refuse_foreign(res, flags, 403, "origin_not_allowed", "Forbidden: the Origin header "
			       "names a site that is not this server");
	} else if (!unwrapped) {
		/* the 404 of a path below /i/ without the install token */
	} else if ((route = route_request(app, req, res, route, flags, &max_tokens, &offset)) != NULL) {
		route->handler(app, req, res);
		if (res->status == 200 && res->markdown && max_tokens > 0) {
			limit_tokens(app, req, res, max_tokens, offset);
		} else if (res->status == 200 && res->markdown && offset == OFFSET_ALONE) {
			response_fini(res);
			response_error(res, 400, "bad_offset", "offset names a part of a text cut by "
				       "max_tokens; give max_tokens too");
		}
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
		store_reader_end(reader);
	if (req->generation > 0) {
		char g[24];

		snprintf(g, sizeof(g), "%lld", req->generation);
		response_header(res, "X-Skilld-Generation", g);
	}
	/* A stream is made while it is sent: no ETag, no coding, no 304. */
	if (res->stream)
		return;
	if (res->status == 200 && res->etag[0] == '\0') {
		char hex[SHA256_HEX_LEN + 1];

		sha256_hex(res->body ? res->body : "", res->body_len, hex);
		response_etag_hex(res, hex);
	}
	encode(req, res);
	pipeline_revalidate(req, res);
}

