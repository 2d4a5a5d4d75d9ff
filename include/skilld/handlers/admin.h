/* SPDX-License-Identifier: MIT */
/*
 * admin: operations on the running server. POST /api/v1/admin/reload
 * re-indexes now and answers when it is done. Its route is a write
 * (ROUTE_WRITE): the pipeline lets it run only with the token, or with a
 * same-origin signal and a JSON content type (and, without a token, from
 * loopback only); see hosts_write_intent.
 */
#ifndef SKILLD_ADMIN_H
#define SKILLD_ADMIN_H

#include "skilld/base/request.h"

/* How long POST /api/v1/admin/reload waits for the re-indexing. */
#define ADMIN_RELOAD_TIMEOUT_MS 120000

/* "POST /api/v1/admin/reload" (ctx is a struct app *): 200 {"status":
 * "reloaded", "generation", "seconds"}; 202 {"status":"queued"} at once
 * when another request already waits for a re-index (it covers this one);
 * 503 when the re-indexing fails (the previous index stays) or does not
 * finish in time. */
void admin_reload(void *ctx, struct request *req, struct response *res);

#endif
