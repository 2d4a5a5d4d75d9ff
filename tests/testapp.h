/* SPDX-License-Identifier: MIT */
/*
 * In-process requests for the suites that drive the whole server through
 * http_serve (api, web, agents, index, corpus): builds a struct request the
 * way http.c does, without a socket.
 */
#ifndef SKILLD_TESTAPP_H
#define SKILLD_TESTAPP_H

#include "skilld/app.h"
#include "skilld/request.h"

#include <stdbool.h>

/* Request headers of a test request; NULL members are absent. */
struct ta_headers {
	const char *accept;
	const char *user_agent;
	const char *if_none_match;
	const char *host;
	const char *authorization;
	const char *cookie;
};

/* Serves GET path (with an optional ?query) into res, which the caller
 * releases with response_fini; h may be NULL. Returns the status. */
int ta_get(struct app *app, const char *path, const struct ta_headers *h, struct response *res);

/* A request with any method, a body and the headers a POST needs; NULL
 * members are absent. */
struct ta_request {
	const char *method;        /* "POST", "GET", "DELETE", ...; NULL means GET */
	const char *path;          /* with an optional ?query */
	struct ta_headers h;
	const char *content_type;
	const char *origin;
	const char *mcp_session_id;
	const char *mcp_protocol_version;
	const char *body;          /* may hold NUL bytes: body_len counts */
	size_t body_len;
	bool remote;               /* the client is not on loopback (default: it is) */
};

/* Serves r into res (release with response_fini). Returns the status. */
int ta_send(struct app *app, const struct ta_request *r, struct response *res);

#endif
