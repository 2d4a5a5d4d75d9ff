/* SPDX-License-Identifier: MIT */
/*
 * admin: operations on the running server. POST /api/v1/admin/reload
 * re-indexes now and answers when it is done. When the server has a token
 * every request already needs it (http_serve); without one only a client
 * on loopback may ask (403 otherwise).
 */
#ifndef SKILLD_ADMIN_H
#define SKILLD_ADMIN_H

#include "skilld/request.h"

/* How long POST /api/v1/admin/reload waits for the re-indexing. */
#define ADMIN_RELOAD_TIMEOUT_MS 120000

/* "POST /api/v1/admin/reload" (ctx is a struct app *): 200 {"status":
 * "reloaded", "generation", "seconds"}; 403 from a remote client without a
 * token configured; 503 when the re-indexing fails (the previous index
 * stays) or does not finish in time. */
void admin_reload(void *ctx, struct request *req, struct response *res);

#endif
