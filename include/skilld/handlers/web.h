/* SPDX-License-Identifier: MIT */
/*
 * web: the portal's page handlers (their routes are in routes.c). Each page URL
 * answers HTML (page.h), the API's JSON, or markdown, as request_negotiate
 * decides; assets are served from the binary. Handlers never see
 * libmicrohttpd; they run on worker threads with the thread's reader.
 */
#ifndef SKILLD_WEB_H
#define SKILLD_WEB_H

#include <stddef.h>

#include "skilld/base/request.h"
#include "skilld/transport/router.h"

struct app;

/* The page handlers (ctx is a struct app *); {name} is a path parameter. */
/* GET /: the skill list. */
void web_index(void *ctx, struct request *req, struct response *res);
/* GET /checklists: every skill's review checklist summary. */
void web_checklists(void *ctx, struct request *req, struct response *res);
/* GET /search: the search page (?q). */
void web_search(void *ctx, struct request *req, struct response *res);
/* GET /opensearch.xml: the OpenSearch description of /search. */
void web_opensearch(void *ctx, struct request *req, struct response *res);
/* GET /assets/{name}: a stylesheet, script or icon built into the binary. */
void web_asset(void *ctx, struct request *req, struct response *res);
/* GET /skills/{slug}: a skill's page. */
void web_skill(void *ctx, struct request *req, struct response *res);
/* GET /skills/{slug}/checklist: a skill's review checklist. */
void web_checklist(void *ctx, struct request *req, struct response *res);
/* GET /skills/{slug}/evals: a skill's evals. */
void web_evals(void *ctx, struct request *req, struct response *res);
/* GET /skills/{slug}/references/{*file}: a reference document, rendered. */
void web_reference(void *ctx, struct request *req, struct response *res);
/* GET /skills/{slug}/examples: a skill's examples, rendered; a before and
 * an after side by side. */
void web_examples(void *ctx, struct request *req, struct response *res);
/* GET /skills/{slug}/{*path}: any other file of a skill: a markdown file's
 * rendered page for a browser, else the file's bytes. */
void web_raw_file(void *ctx, struct request *req, struct response *res);

/* Turns a JSON error of a page URL into the negotiated form: an HTML error
 * page, or a one-line text; JSON stays as it is. */
void web_error_page(struct app *app, struct request *req, struct response *res);

/* Adds the headers every negotiated page answer carries (Vary, and for
 * HTML the Content-Security-Policy and Referrer-Policy). */
void web_page_headers(struct response *res, bool html);

/* GET /reviews (?skill, ?status, ?cursor) and GET /reviews/{id}: the review
 * runs' pages (HTML, JSON, or the PR comment as markdown). */
void web_reviews(void *ctx, struct request *req, struct response *res);
void web_review(void *ctx, struct request *req, struct response *res);

#endif
