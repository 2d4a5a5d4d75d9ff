/* SPDX-License-Identifier: MIT */
/* In-process requests through http_serve; see testapp.h. */
#include "testapp.h"

#include <string.h>

#include "skilld/http.h"
#include "skilld/util.h"

int ta_get(struct app *app, const char *path, const struct ta_headers *h, struct response *res)
{
	struct request req;
	const char *q = strchr(path, '?');

	request_init(&req);
	req.method = METHOD_GET;
	req.method_name = "GET";
	req.path = q ? xstrndup(path, (size_t)(q - path)) : xstrdup(path);
	if (q)
		request_parse_query(&req, q + 1);
	if (h) {
		req.accept = h->accept;
		req.user_agent = h->user_agent;
		req.if_none_match = h->if_none_match;
		req.host = h->host;
		req.authorization = h->authorization;
		req.cookie = h->cookie;
	}
	response_init(res);
	req.peer_loopback = true;
	http_serve(app, &req, res);
	request_fini(&req);
	return res->status;
}

/* The method bit http.c would give a method name. */
static enum http_method ta_method(const char *m)
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

int ta_send(struct app *app, const struct ta_request *r, struct response *res)
{
	struct request req;
	const char *q = strchr(r->path, '?');

	request_init(&req);
	req.method_name = r->method ? r->method : "GET";
	req.method = ta_method(req.method_name);
	req.path = q ? xstrndup(r->path, (size_t)(q - r->path)) : xstrdup(r->path);
	if (q)
		request_parse_query(&req, q + 1);
	req.accept = r->h.accept;
	req.user_agent = r->h.user_agent;
	req.if_none_match = r->h.if_none_match;
	req.host = r->h.host;
	req.authorization = r->h.authorization;
	req.cookie = r->h.cookie;
	req.content_type = r->content_type;
	req.origin = r->origin;
	req.mcp_session_id = r->mcp_session_id;
	req.mcp_protocol_version = r->mcp_protocol_version;
	req.body = r->body;
	req.body_len = r->body_len;
	req.peer_loopback = !r->remote;
	response_init(res);
	http_serve(app, &req, res);
	request_fini(&req);
	return res->status;
}
