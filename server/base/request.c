/* SPDX-License-Identifier: MIT */
/*
 * request: helpers for struct request and struct response, percent-decoding
 * and JSON error bodies. Each request is used by one thread.
 */
#include "skilld/base/request.h"

#include <stdarg.h>
#include <stdio.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "skilld/base/text.h"
#include "skilld/base/util.h"

enum http_method request_method(const char *m)
{
	static const struct {
		const char *name;
		enum http_method method;
	} methods[] = {
		{ "GET", METHOD_GET }, { "HEAD", METHOD_HEAD }, { "POST", METHOD_POST },
		{ "PUT", METHOD_PUT }, { "DELETE", METHOD_DELETE }, { "PATCH", METHOD_PATCH },
		{ "OPTIONS", METHOD_OPTIONS },
	};

	for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		if (strcmp(m, methods[i].name) == 0)
			return methods[i].method;
	return METHOD_OTHER;
}

/* Is ua a command-line HTTP client or library rather than a browser? */
static bool user_agent_is_cli(const char *ua)
{
	static const char *const prefixes[] = {
		"curl/", "Wget/", "HTTPie/", "xh/", "python-requests/", "Python-urllib/",
		"python-httpx/", "aiohttp/", "Go-http-client/", "libwww-perl/", "node-fetch",
		"undici", "axios/", "okhttp/", "Java-http-client/", "PowerShell/", "fetch/",
	};

	if (!ua || !*ua)
		return true;
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (strncasecmp(ua, prefixes[i], strlen(prefixes[i])) == 0)
			return true;
	return false;
}

struct accept_pick {
	double q;
	int rank;      /* 2 exact, 1 type/ *, 0 * / *, -1 not matched */
	int position;  /* order in the header */
};

/* Reads one element p[0..n) of a q-value list: its value (blanks around
 * it trimmed, parameters dropped) into value, and its q. */
static void qlist_element(const char *p, size_t n, char *value, size_t vsize, double *q)
{
	const char *semi = memchr(p, ';', n);
	size_t tlen = semi ? (size_t)(semi - p) : n;

	while (tlen > 0 && (p[tlen - 1] == ' ' || p[tlen - 1] == '\t'))
		tlen--;
	while (tlen > 0 && (*p == ' ' || *p == '\t')) {
		p++;
		n--;
		tlen--;
	}
	snprintf(value, vsize, "%.*s", (int)tlen, p);
	*q = 1.0;
	for (const char *s = semi; s && s < p + n; s = memchr(s + 1, ';', (size_t)(p + n - s - 1))) {
		const char *v = s + 1;

		while (*v == ' ')
			v++;
		if ((v[0] == 'q' || v[0] == 'Q') && v[1] == '=')
			*q = strtod(v + 2, NULL);
	}
	if (!(*q >= 0.0 && *q <= 1.0))
		*q = 0.0;
}

bool request_qlist_next(const char **cursor, char *value, size_t vsize, double *q)
{
	const char *p = *cursor;
	const char *comma;

	if (!p || !*p)
		return false;
	comma = strchr(p, ',');
	qlist_element(p, comma ? (size_t)(comma - p) : strlen(p), value, vsize, q);
	*cursor = comma ? comma + 1 : NULL;
	return true;
}

static void accept_consider(struct accept_pick *pick, const char *range, double q, int position,
			    const char *want)
{
	const char *slash = strchr(want, '/');
	int rank = -1;

	if (strcasecmp(range, want) == 0)
		rank = 2;
	else if (slash && strncasecmp(range, want, (size_t)(slash - want) + 1) == 0 &&
		 strcmp(range + (slash - want) + 1, "*") == 0)
		rank = 1;
	else if (strcmp(range, "*/*") == 0)
		rank = 0;
	if (rank > pick->rank) {
		pick->rank = rank;
		pick->q = q;
		pick->position = position;
	}
}

enum format request_negotiate(const struct request *req)
{
	static const char *const types[] = { "text/html", "application/json", "text/markdown",
					     "text/plain" };
	static const enum format formats[] = { FORMAT_HTML, FORMAT_JSON, FORMAT_MD, FORMAT_TEXT };
	struct accept_pick picks[4];
	const char *f = request_query(req, "format");
	const char *p = req->accept;
	char range[128];
	double q;
	int best = -1, position = 0;

	if (f) {
		if (strcmp(f, "html") == 0)
			return FORMAT_HTML;
		if (strcmp(f, "json") == 0)
			return FORMAT_JSON;
		if (strcmp(f, "md") == 0 || strcmp(f, "markdown") == 0)
			return FORMAT_MD;
		if (strcmp(f, "txt") == 0 || strcmp(f, "text") == 0)
			return FORMAT_TEXT;
		return FORMAT_BAD;
	}
	for (int i = 0; i < 4; i++)
		picks[i] = (struct accept_pick){ 0.0, -1, 0 };
	while (request_qlist_next(&p, range, sizeof(range), &q)) {
		for (int i = 0; i < 4; i++)
			accept_consider(&picks[i], range, q, position, types[i]);
		position++;
	}
	for (int i = 0; i < 4; i++) {
		if (picks[i].rank < 1 || picks[i].q <= 0.0)
			continue;
		if (best < 0 || picks[i].q > picks[best].q ||
		    (picks[i].q == picks[best].q && picks[i].rank > picks[best].rank) ||
		    (picks[i].q == picks[best].q && picks[i].rank == picks[best].rank &&
		     picks[i].position < picks[best].position))
			best = i;
	}
	if (best >= 0)
		return formats[best];
	return user_agent_is_cli(req->user_agent) ? FORMAT_TEXT : FORMAT_HTML;
}

const char *format_content_type(enum format f)
{
	switch (f) {
	case FORMAT_HTML:
		return "text/html; charset=utf-8";
	case FORMAT_JSON:
		return CT_JSON;
	case FORMAT_MD:
		return "text/markdown; charset=utf-8";
	case FORMAT_TEXT:
	case FORMAT_BAD:
		break;
	}
	return CT_TEXT;
}

void request_init(struct request *req)
{
	memset(req, 0, sizeof(*req));
}

static void kv_free(struct kv *items, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(items[i].key);
		free(items[i].value);
	}
}

void request_fini(struct request *req)
{
	free(req->path);
	free(req->install_prefix);
	kv_free(req->query, req->n_query);
	free(req->query);
	kv_free(req->params, req->n_params);
	request_init(req);
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

char *url_decode(const char *src, size_t n, bool plus_space)
{
	char *out = xmalloc(n + 1);
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		char c = src[i];

		if (c == '%') {
			int hi = i + 2 < n ? hexval(src[i + 1]) : -1;
			int lo = i + 2 < n ? hexval(src[i + 2]) : -1;

			if (hi < 0 || lo < 0)
				goto bad;
			c = (char)(hi << 4 | lo);
			i += 2;
		} else if (c == '+' && plus_space) {
			c = ' ';
		}
		if (c == '\0')
			goto bad;
		out[o++] = c;
	}
	out[o] = '\0';
	if (!utf8_valid(out, o))
		goto bad;
	return out;
bad:
	free(out);
	return NULL;
}

void request_add_query(struct request *req, const char *key, size_t klen,
		       const char *value, size_t vlen)
{
	char *k, *v;

	if (req->n_query == REQUEST_MAX_QUERY) {
		req->query_bad = true;
		return;
	}
	k = url_decode(key, klen, true);
	v = url_decode(value ? value : "", value ? vlen : 0, true);
	if (!k || !v) {
		req->query_bad = true;
		free(k);
		free(v);
		return;
	}
	if (req->n_query == req->cap_query) {
		req->cap_query = req->cap_query ? req->cap_query * 2 : 8;
		req->query = xrealloc(req->query, req->cap_query * sizeof(*req->query));
	}
	req->query[req->n_query++] = (struct kv){ k, v };
}

void request_parse_query(struct request *req, const char *raw)
{
	const char *p = raw;

	while (p && *p) {
		const char *amp = strchr(p, '&');
		size_t len = amp ? (size_t)(amp - p) : strlen(p);
		const char *eq = memchr(p, '=', len);
		size_t klen = eq ? (size_t)(eq - p) : len;

		if (len > 0)
			request_add_query(req, p, klen, eq ? eq + 1 : NULL, eq ? len - klen - 1 : 0);
		p = amp ? amp + 1 : NULL;
	}
}

const char *request_query(const struct request *req, const char *key)
{
	for (size_t i = 0; i < req->n_query; i++)
		if (strcmp(req->query[i].key, key) == 0)
			return req->query[i].value;
	return NULL;
}

void request_clear_params(struct request *req)
{
	kv_free(req->params, req->n_params);
	req->n_params = 0;
}

const char *request_param(const struct request *req, const char *key)
{
	for (size_t i = 0; i < req->n_params; i++)
		if (strcmp(req->params[i].key, key) == 0)
			return req->params[i].value;
	return NULL;
}

void url_encode(struct buf *b, const char *s, const char *keep)
{
	static const char hex[] = "0123456789ABCDEF";

	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    *p == '-' || *p == '.' || *p == '_' || *p == '~' || strchr(keep, *p)) {
			buf_putc(b, (char)*p);
		} else {
			buf_putc(b, '%');
			buf_putc(b, hex[*p >> 4]);
			buf_putc(b, hex[*p & 15]);
		}
	}
}

void url_encode_component(struct buf *b, const char *s)
{
	url_encode(b, s, "");
}

void request_query_string(struct buf *b, const struct request *req, const char *skip)
{
	for (size_t i = 0, n = 0; i < req->n_query; i++) {
		if (skip && strcmp(req->query[i].key, skip) == 0)
			continue;
		buf_putc(b, n++ ? '&' : '?');
		url_encode_component(b, req->query[i].key);
		buf_putc(b, '=');
		url_encode_component(b, req->query[i].value);
	}
}

void response_init(struct response *res)
{
	memset(res, 0, sizeof(*res));
	res->status = 200;
	res->content_type = CT_JSON;
}

void response_fini(struct response *res)
{
	if (res->owns_body)
		free(res->body);
	if (res->stream) {
		res->stream->free(res->stream->ctx);
		free(res->stream);
	}
	kv_free(res->headers, res->n_headers);
	response_init(res);
}

void response_header(struct response *res, const char *name, const char *value)
{
	if (res->n_headers == RESPONSE_MAX_HEADERS)
		return;
	res->headers[res->n_headers++] = (struct kv){ xstrdup(name), xstrdup(value) };
}

void response_vary(struct response *res, const char *field)
{
	for (size_t i = 0; i < res->n_headers; i++) {
		char *v;

		if (strcasecmp(res->headers[i].key, "Vary") != 0)
			continue;
		v = xasprintf("%s, %s", res->headers[i].value, field);
		free(res->headers[i].value);
		res->headers[i].value = v;
		return;
	}
	response_header(res, "Vary", field);
}

void response_take(struct response *res, int status, const char *content_type, char *body, size_t len)
{
	if (res->owns_body)
		free(res->body);
	res->status = status;
	res->content_type = content_type;
	res->body = body;
	res->body_len = len;
	res->owns_body = true;
}

void response_copy(struct response *res, int status, const char *content_type, const char *body, size_t len)
{
	response_take(res, status, content_type, xstrndup(body ? body : "", len), len);
}

void response_json(struct response *res, int status, const cJSON *json)
{
	char *text = cJSON_PrintUnformatted(json);
	size_t len;
	char *body = utf8_repair(text, strlen(text), &len);

	cJSON_free(text);
	response_take(res, status, CT_JSON, body, len);
}

void response_set_type(struct response *res, const char *content_type)
{
	snprintf(res->ctype, sizeof(res->ctype), "%s", content_type);
	res->content_type = res->ctype;
}

void response_error(struct response *res, int status, const char *code, const char *fmt, ...)
{
	cJSON *root = cJSON_CreateObject();
	cJSON *err = cJSON_AddObjectToObject(root, "error");
	struct buf msg;
	va_list ap;

	buf_init(&msg);
	va_start(ap, fmt);
	buf_vprintf(&msg, fmt, ap);
	va_end(ap);
	cJSON_AddStringToObject(err, "code", code);
	cJSON_AddStringToObject(err, "message", msg.data);
	buf_fini(&msg);
	res->etag[0] = '\0';
	response_json(res, status, root);
	cJSON_Delete(root);
}

void response_etag_hex(struct response *res, const char *hex)
{
	snprintf(res->etag, sizeof(res->etag), "\"%.32s\"", hex);
}

/* A Host header we are willing to echo into links and copyable commands. */
static bool base_host_ok(const char *h)
{
	if (!h || !*h || strlen(h) > 255)
		return false;
	for (const char *p = h; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		      strchr(".-:[]", *p)))
			return false;
	return true;
}

char *request_base_url(const struct request *req, const char *bind, unsigned port)
{
	if (base_host_ok(req->host))
		return xasprintf("http://%s", req->host);
	return xasprintf("http://%s:%u", bind, port);
}

bool request_via_https(const struct request *req)
{
	const char *p = req->forwarded_proto;

	if (!p)
		return false;
	p += strspn(p, " \t");
	return strncasecmp(p, "https", 5) == 0 && (p[5] == '\0' || strchr(" \t,", p[5]));
}

void request_cookie(const struct request *req, const char *name, char *out, size_t outlen)
{
	size_t n = strlen(name);

	out[0] = '\0';
	for (const char *p = req->cookie; p && *p;) {
		size_t len;

		while (*p == ' ' || *p == ';')
			p++;
		len = strcspn(p, ";");
		if (len > n && strncmp(p, name, n) == 0 && p[n] == '=') {
			if (len - n - 1 < outlen) {
				memcpy(out, p + n + 1, len - n - 1);
				out[len - n - 1] = '\0';
			}
			return;
		}
		p += len;
	}
}

int request_query_long(const struct request *req, const char *key, long lo, long hi, long def,
		       long *out)
{
	const char *s = request_query(req, key);
	char *end;
	long v;

	if (!s) {
		*out = def;
		return 0;
	}
	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}
