/* SPDX-License-Identifier: MIT */
/*
 * reviews: review runs of a checklist over the API (docs/reviews.md). A
 * review is stored in reviews.db (store/reviewdb.h) and shown against the
 * checklist of the day: items are matched by id, so an edited checklist
 * keeps every verdict on items that still exist, new items appear open and
 * the items that went away are listed as retired with their last text and
 * verdict. Writes are ROUTE_WRITE routes (the token, or same-origin
 * intent); every body field is checked and a bad one is named in the 400.
 */
#ifndef SKILLD_HANDLERS_REVIEWS_H
#define SKILLD_HANDLERS_REVIEWS_H

#include <stddef.h>

#include "skilld/base/request.h"
#include "skilld/store/reviewdb.h"

struct cJSON;
struct app;

/* Longest title, target and author a review takes (characters are
 * bytes here: UTF-8 is checked, lengths are in bytes). */
#define REVIEW_TITLE_MAX 200
#define REVIEW_TARGET_MAX 2048
#define REVIEW_AUTHOR_MAX 100
/* Most verdicts one POST .../verdicts may carry. */
#define REVIEW_BATCH_MAX 1000
/* Reviews per page of GET /api/v1/reviews: default and most. */
#define REVIEW_PAGE_DEFAULT 20
#define REVIEW_PAGE_MAX 100

/* The handlers (ctx is a struct app *). */
/* POST /api/v1/reviews {"skill", "checklist"?, "title", "target"?, "author"?} */
void reviews_start(void *ctx, struct request *req, struct response *res);
/* GET /api/v1/reviews?skill=&status=&limit=&cursor= */
void reviews_index(void *ctx, struct request *req, struct response *res);
/* GET /api/v1/reviews/{id}: JSON, or the PR comment as markdown. */
void reviews_show(void *ctx, struct request *req, struct response *res);
/* PATCH /api/v1/reviews/{id}: title, target, status. */
void reviews_change(void *ctx, struct request *req, struct response *res);
/* DELETE /api/v1/reviews/{id} */
void reviews_remove(void *ctx, struct request *req, struct response *res);
/* PATCH /api/v1/reviews/{id}/items/{item} (If-Match: "<version>" optional) */
void reviews_item(void *ctx, struct request *req, struct response *res);
/* POST /api/v1/reviews/{id}/verdicts {"verdicts": [...], "author"?}: all or none. */
void reviews_verdicts(void *ctx, struct request *req, struct response *res);

/* GET /api/v1/reviews/{id}/events: Server-Sent Events, one "change" event
 * per change after Last-Event-ID (or ?after=; from now by default), with
 * the event's seq as its id; "deleted" when the review goes; a ": ping"
 * comment after REVIEW_STREAM_PING seconds of silence. */
void reviews_events(void *ctx, struct request *req, struct response *res);
#define REVIEW_STREAM_PING 10

/* The review id as the API shows it, against the checklist of the day
 * (cJSON_Delete), or NULL with res filled (404, 503). The MCP tools and
 * the pages share it. */
struct cJSON *reviews_view(struct app *app, const char *id, struct response *res);

/* The bodies of the handlers, for the MCP tools: each takes what the
 * request would carry and answers through res like the handler (the error
 * answers are the same); a success is the return value (the first two) or
 * res's 200 (the verdicts). */
/* POST /api/v1/reviews's body: 0 with the new id in id, or -1. */
int reviews_start_from(struct app *app, const struct cJSON *body, char id[REVIEW_ID_LEN + 1],
		       struct response *res);
/* GET /api/v1/reviews's answer (cJSON_Delete), or NULL. */
struct cJSON *reviews_list_from(struct app *app, const char *skill, const char *status,
				long limit, const char *cursor, struct response *res);
/* POST /api/v1/reviews/{id}/verdicts's body into res. */
void reviews_verdicts_from(struct app *app, const char *id, const struct cJSON *body,
			   struct response *res);

/* The PR comment of a review view: markdown (free()). base_url is this
 * server's, for the review's link. */
char *reviews_markdown(const struct cJSON *view, const char *base_url);

#endif
