/* SPDX-License-Identifier: MIT */
/*
 * router: matches a raw request path against a route table, segment by
 * segment, decoding each segment itself so that an encoded slash can never
 * change the shape of a path. The table is read only; thread safe.
 */
#include "skilld/transport/router.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "skilld/base/util.h"

enum match {
	MATCH_NO,
	MATCH_YES,
};

#define MAX_SEGMENTS 64

struct segments {
	char *seg[MAX_SEGMENTS];   /* decoded, owned */
	size_t n;
	bool bad;
	bool too_many;
};

static void segments_fini(struct segments *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->seg[i]);
	s->n = 0;
}

/* Splits "/a/b%20c" into decoded segments. "/" is zero segments; a trailing
 * slash or an empty segment leaves an empty string (which no route accepts
 * except as a literal). */
static void segments_split(const char *path, struct segments *s)
{
	const char *p = path;

	memset(s, 0, sizeof(*s));
	if (*p != '/') {
		s->bad = true;
		return;
	}
	p++;
	if (*p == '\0')
		return;
	for (;;) {
		const char *slash = strchr(p, '/');
		size_t len = slash ? (size_t)(slash - p) : strlen(p);
		char *seg;

		if (s->n == MAX_SEGMENTS) {
			s->too_many = true;
			return;
		}
		seg = url_decode(p, len, false);
		if (!seg || strchr(seg, '/') || strcmp(seg, ".") == 0 || strcmp(seg, "..") == 0) {
			free(seg);
			s->bad = true;
			return;
		}
		s->seg[s->n++] = seg;
		if (!slash)
			return;
		p = slash + 1;
	}
}

/* Matches the segments against a pattern; fills req->params on success. */
static enum match route_match(const char *pattern, const struct segments *s, struct request *req)
{
	const char *p = pattern + 1;
	size_t i = 0;

	req->n_params = 0;
	while (*p) {
		const char *slash = strchr(p, '/');
		size_t len = slash ? (size_t)(slash - p) : strlen(p);

		if (len >= 3 && p[0] == '{' && p[1] == '*') {
			struct buf rest;

			if (i >= s->n)
				return MATCH_NO;
			buf_init(&rest);
			for (size_t k = i; k < s->n; k++) {
				if (s->seg[k][0] == '\0') {
					buf_fini(&rest);
					return MATCH_NO;
				}
				if (k > i)
					buf_putc(&rest, '/');
				buf_puts(&rest, s->seg[k]);
			}
			req->params[req->n_params++] = (struct kv){ xstrndup(p + 2, len - 3),
								    buf_detach(&rest, NULL) };
			return MATCH_YES;
		}
		if (i >= s->n)
			return MATCH_NO;
		if (len >= 2 && p[0] == '{') {
			if (s->seg[i][0] == '\0' || req->n_params == REQUEST_MAX_PARAMS)
				return MATCH_NO;
			req->params[req->n_params++] = (struct kv){ xstrndup(p + 1, len - 2),
								    xstrdup(s->seg[i]) };
		} else if (strlen(s->seg[i]) != len || memcmp(s->seg[i], p, len) != 0) {
			return MATCH_NO;
		}
		i++;
		if (!slash)
			break;
		p = slash + 1;
	}
	return i == s->n ? MATCH_YES : MATCH_NO;
}

static void allow_append(struct buf *allow, unsigned methods)
{
	static const struct {
		unsigned bit;
		const char *name;
	} names[] = {
		{ METHOD_GET, "GET, HEAD" }, { METHOD_POST, "POST" }, { METHOD_PUT, "PUT" },
		{ METHOD_DELETE, "DELETE" }, { METHOD_PATCH, "PATCH" }, { METHOD_OPTIONS, "OPTIONS" },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!(methods & names[i].bit) || strstr(allow->data, names[i].name))
			continue;
		if (allow->len)
			buf_puts(allow, ", ");
		buf_puts(allow, names[i].name);
	}
}

const struct route *router_find(const struct route *table, size_t n, struct request *req,
				struct response *res, unsigned *path_flags)
{
	struct segments s;
	unsigned want = req->method == METHOD_HEAD ? METHOD_GET : req->method;
	unsigned allowed = 0, common = ~0u;
	const struct route *found = NULL;

	*path_flags = 0;
	segments_split(req->path, &s);
	if (s.bad || s.too_many) {
		segments_fini(&s);
		response_error(res, 400, "bad_path", "the request path is malformed "
			       "(bad percent-encoding, an encoded slash or NUL, a '.' or '..' "
			       "segment, invalid UTF-8 or too many segments)");
		return NULL;
	}
	for (size_t i = 0; i < n && !found; i++) {
		if (route_match(table[i].pattern, &s, req) != MATCH_YES) {
			request_clear_params(req);
			continue;
		}
		if (table[i].methods & want) {
			found = &table[i];
			break;
		}
		allowed |= table[i].methods;
		common &= table[i].flags;
		request_clear_params(req);
	}
	segments_fini(&s);
	if (found) {
		*path_flags = found->flags;
		return found;
	}
	if (allowed) {
		*path_flags = common;
		struct buf allow;

		buf_init(&allow);
		allow_append(&allow, allowed);
		response_error(res, 405, "method_not_allowed", "%s is not allowed here; use %s",
			       req->method_name ? req->method_name : "this method", allow.data);
		response_header(res, "Allow", allow.data);
		buf_fini(&allow);
		return NULL;
	}
	response_error(res, 404, "not_found", "no such resource");
	return NULL;
}

const struct route *router_match(const struct route *table, size_t n, struct request *req,
				 struct response *res)
{
	unsigned path_flags;

	return router_find(table, n, req, res, &path_flags);
}

const struct route *router_dispatch(const struct route *table, size_t n, void *ctx,
				    struct request *req, struct response *res)
{
	const struct route *found = router_match(table, n, req, res);

	if (found)
		found->handler(ctx, req, res);
	return found;
}
