/* SPDX-License-Identifier: MIT */
/*
 * Requests to /mcp for the suites of mcp and mcpskills, in-process through
 * pipeline_serve: a well-behaved client's POST, initialize, a method call
 * and a tool call, and reading their answers. Each suite has its own static
 * struct ta_app ta and passes it.
 */
#ifndef SKILLD_FIXTURE_MCP_H
#define SKILLD_FIXTURE_MCP_H

#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "skilld/base/util.h"
#include "skilld/handlers/mcp.h"
#include "testapp.h"
#include "testutil.h"

#define ACCEPT_BOTH "application/json, text/event-stream"

/* A POST /mcp template with every header a well-behaved client sends. */
static inline struct ta_request mcp_req(const char *session)
{
	struct ta_request r = { .method = "POST", .path = "/mcp" };

	r.h.accept = ACCEPT_BOTH;
	r.h.host = "127.0.0.1:8080";
	r.content_type = "application/json";
	r.mcp_session_id = session;
	return r;
}

/* Sends r with body; returns the status, the parsed body in *json (NULL
 * when empty or not JSON). */
static inline int fx_send(struct ta_app *ta, struct ta_request r, const char *body, struct response *res, cJSON **json)
{
	r.body = body;
	r.body_len = body ? strlen(body) : 0;
	ta_send(&ta->app, &r, res);
	if (json)
		*json = res->body_len ? cJSON_ParseWithLength(res->body, res->body_len) : NULL;
	return res->status;
}

/* The value of a response header, or NULL. */
static inline const char *res_header(const struct response *res, const char *name)
{
	for (size_t i = 0; i < res->n_headers; i++)
		if (strcasecmp(res->headers[i].key, name) == 0)
			return res->headers[i].value;
	return NULL;
}

static inline const cJSON *jget(const cJSON *o, const char *key)
{
	return cJSON_GetObjectItemCaseSensitive(o, key);
}

/* initialize with version; the session id goes to sid (may be NULL).
 * Returns the result object's protocolVersion (static). */
static inline const char *fx_initialize(struct ta_app *ta, const char *version, char sid[MCP_SESSION_ID_LEN + 1])
{
	static char negotiated[32];
	struct response res;
	cJSON *j;
	char *body = xasprintf("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":"
			       "{\"protocolVersion\":\"%s\",\"capabilities\":{},\"clientInfo\":"
			       "{\"name\":\"check\",\"version\":\"1\"}}}", version);

	ck_assert_int_eq(fx_send(ta, mcp_req(NULL), body, &res, &j), 200);
	ck_assert_ptr_nonnull(res_header(&res, "Mcp-Session-Id"));
	if (sid)
		snprintf(sid, MCP_SESSION_ID_LEN + 1, "%s", res_header(&res, "Mcp-Session-Id"));
	snprintf(negotiated, sizeof(negotiated), "%s",
		 jstr(jget(j, "result"), "protocolVersion"));
	cJSON_Delete(j);
	response_fini(&res);
	free(body);
	return negotiated;
}

/* Calls method with params (JSON text or NULL) in session sid; returns the
 * whole response object (cJSON_Delete) after checking HTTP 200. */
static inline cJSON *fx_call(struct ta_app *ta, const char *sid, const char *method, const char *params)
{
	struct response res;
	cJSON *j;
	char *body = xasprintf("{\"jsonrpc\":\"2.0\",\"id\":\"c1\",\"method\":\"%s\"%s%s}", method,
			       params ? ",\"params\":" : "", params ? params : "");

	ck_assert_msg(fx_send(ta, mcp_req(sid), body, &res, &j) == 200, "%s: %d %.*s", body,
		      res.status, (int)res.body_len, res.body);
	ck_assert_ptr_nonnull(j);
	ck_assert_str_eq(jstr(j, "jsonrpc"), "2.0");
	ck_assert_str_eq(jstr(j, "id"), "c1");
	ck_assert_str_eq(res_header(&res, "Cache-Control"), "no-store");
	response_fini(&res);
	free(body);
	return j;
}

/* The error code of a response object, 0 when it is a result. */
static inline int error_code(const cJSON *j)
{
	const cJSON *e = jget(j, "error");

	return e ? (int)cJSON_GetNumberValue(jget(e, "code")) : 0;
}

/* tools/call name with arguments (JSON text); returns the response object. */
static inline cJSON *fx_tool(struct ta_app *ta, const char *sid, const char *name, const char *args)
{
	char *params = xasprintf("{\"name\":\"%s\",\"arguments\":%s}", name, args);
	cJSON *j = fx_call(ta, sid, "tools/call", params);

	free(params);
	return j;
}

/* The first content item's text of a tool result. */
static inline const char *tool_text(const cJSON *j)
{
	return jstr(cJSON_GetArrayItem(jget(jget(j, "result"), "content"), 0), "text");
}

static inline bool tool_is_error(const cJSON *j)
{
	return cJSON_IsTrue(jget(jget(j, "result"), "isError"));
}

#endif
