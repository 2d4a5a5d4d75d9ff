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
	}
	response_init(res);
	http_serve(app, &req, res);
	request_fini(&req);
	return res->status;
}
