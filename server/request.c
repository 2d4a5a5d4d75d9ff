/* SPDX-License-Identifier: MIT */
/*
 * request: helpers for struct request and struct response, percent-decoding
 * and JSON error bodies. Each request is used by one thread.
 */
#include "skilld/request.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "skilld/util.h"

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
	kv_free(req->query, req->n_query);
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
	kv_free(res->headers, res->n_headers);
	response_init(res);
}

void response_header(struct response *res, const char *name, const char *value)
{
	if (res->n_headers == RESPONSE_MAX_HEADERS)
		return;
	res->headers[res->n_headers++] = (struct kv){ xstrdup(name), xstrdup(value) };
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
