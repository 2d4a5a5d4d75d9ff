/* SPDX-License-Identifier: MIT */
/* The fixture server and in-process requests through pipeline_serve; see testapp.h. */
#include "testapp.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "fixture_skills.h"
#include "skilld/transport/pipeline.h"
#include "skilld/base/util.h"
#include "testutil.h"

/* The environment of a test server: empty, so the host's SKILLD_* do not leak in. */
static const char *ta_no_env(const char *name)
{
	(void)name;
	return NULL;
}

void ta_prepare(struct ta_app *t)
{
	memset(t, 0, sizeof(*t));
	t->tmp = tu_mkdtemp();
	t->root = fx_write_skills(t->tmp);
}

static void open_app(struct ta_app *t, const char *const *extra_args, bool serving)
{
	enum { BASE_ARGS = 5, MAX_ARGS = 32 };
	char err[512];
	char *db = xasprintf("%s/skilld.db", t->tmp);
	char *argv[MAX_ARGS + 1] = { "skilld", "--skills", t->root, "--db", db };
	int argc = BASE_ARGS;

	for (size_t i = 0; extra_args && extra_args[i]; i++) {
		ck_assert_int_lt(argc, MAX_ARGS);
		argv[argc++] = (char *)extra_args[i]; /* config_parse only reads the strings */
	}
	ck_assert_int_eq(config_parse(&t->cfg, argc, argv, ta_no_env, err, sizeof(err)), 0);
	t->log = fopen("/dev/null", "w");
	ck_assert_ptr_nonnull(t->log);
	ck_assert_msg((serving ? app_init_serving : app_init)(&t->app, &t->cfg, t->log, err,
							     sizeof(err)) == 0, "%s", err);
	free(db);
}

void ta_open(struct ta_app *t, const char *const *extra_args)
{
	open_app(t, extra_args, false);
}

void ta_open_serving(struct ta_app *t, const char *const *extra_args)
{
	open_app(t, extra_args, true);
}

void ta_close(struct ta_app *t)
{
	app_fini(&t->app);
	if (t->log)
		fclose(t->log);
	config_fini(&t->cfg);
	tu_rmtree(t->tmp);
	free(t->tmp);
	free(t->root);
	memset(t, 0, sizeof(*t));
}

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
		req.if_match = h->if_match;
		req.last_event_id = h->last_event_id;
		req.host = h->host;
		req.authorization = h->authorization;
		req.cookie = h->cookie;
		req.accept_encoding = h->accept_encoding;
	}
	response_init(res);
	req.peer_loopback = true;
	pipeline_serve(app, &req, res);
	request_fini(&req);
	return res->status;
}

int ta_send(struct app *app, const struct ta_request *r, struct response *res)
{
	struct request req;
	const char *q = strchr(r->path, '?');

	request_init(&req);
	req.method_name = r->method ? r->method : "GET";
	req.method = request_method(req.method_name);
	req.path = q ? xstrndup(r->path, (size_t)(q - r->path)) : xstrdup(r->path);
	if (q)
		request_parse_query(&req, q + 1);
	req.accept = r->h.accept;
	req.user_agent = r->h.user_agent;
	req.if_none_match = r->h.if_none_match;
	req.if_match = r->h.if_match;
	req.last_event_id = r->h.last_event_id;
	req.host = r->h.host;
	req.authorization = r->h.authorization;
	req.cookie = r->h.cookie;
	req.accept_encoding = r->h.accept_encoding;
	req.content_type = r->content_type;
	req.origin = r->origin;
	req.sec_fetch_site = r->sec_fetch_site;
	req.forwarded_proto = r->forwarded_proto;
	req.mcp_session_id = r->mcp_session_id;
	req.mcp_protocol_version = r->mcp_protocol_version;
	req.body = r->body;
	req.body_len = r->body_len;
	req.peer_loopback = !r->remote;
	response_init(res);
	pipeline_serve(app, &req, res);
	request_fini(&req);
	return res->status;
}
