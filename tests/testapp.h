/* SPDX-License-Identifier: MIT */
/*
 * The whole server in process for the suites that drive it through
 * pipeline_serve (api, web, agents, auth, discovery, mcp, reload, concurrency,
 * index, corpus): a struct ta_app set up on the fixture skills in a fresh
 * temporary directory, and requests built the way http.c builds them,
 * without a socket. A ta_app belongs to one test fixture; ta_get and ta_send
 * may run on several threads at once, as pipeline_serve does.
 */
#ifndef SKILLD_TESTAPP_H
#define SKILLD_TESTAPP_H

#include "skilld/app/app.h"
#include "skilld/base/request.h"

#include <stdbool.h>
#include <stdio.h>

/* A server on the fixture tree of fixture_skills.h, set up in two steps so
 * that a suite can write its own files in between:
 *
 *	ta_prepare(&t);                         t.tmp and the fixture skills
 *	tu_write_str(t.root, "x/SKILL.md", ...); the suite's own files
 *	ta_open(&t, extra_args);                config_parse and app_init
 *	...
 *	ta_close(&t);                           undoes both
 */
struct ta_app {
	char *tmp;          /* a fresh directory, removed by ta_close */
	char *root;         /* tmp/skills: the fixture skills, the only --skills root */
	struct config cfg;
	struct app app;
	FILE *log;          /* the app's log: /dev/null */
};

/* Makes t->tmp and writes the fixture skills under t->root. */
void ta_prepare(struct ta_app *t);
/* Parses "--skills ROOT --db TMP/skilld.db" followed by extra_args (NULL
 * terminated; NULL for none) with no environment, and runs app_init with
 * the log to /dev/null. Fails the test when either fails. */
void ta_open(struct ta_app *t, const char *const *extra_args);
/* ta_open with app_init_serving: the folders are watched from before the
 * startup index (stop t->app.watcher in the test). */
void ta_open_serving(struct ta_app *t, const char *const *extra_args);
/* app_fini, closes the log, config_fini, removes t->tmp and frees what
 * ta_prepare and ta_open allocated. Stop what the suite started on t->app
 * (reload_start, http_start, watch_start) first. */
void ta_close(struct ta_app *t);

/* Request headers of a test request; NULL members are absent. */
struct ta_headers {
	const char *accept;
	const char *user_agent;
	const char *if_none_match;
	const char *if_match;
	const char *last_event_id;
	const char *host;
	const char *authorization;
	const char *cookie;
	const char *accept_encoding;
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
	const char *sec_fetch_site;
	const char *forwarded_proto;
	const char *mcp_session_id;
	const char *mcp_protocol_version;
	const char *body;          /* may hold NUL bytes: body_len counts */
	size_t body_len;
	bool remote;               /* the client is not on loopback (default: it is) */
};

/* Serves r into res (release with response_fini). Returns the status. */
int ta_send(struct app *app, const struct ta_request *r, struct response *res);

#endif
