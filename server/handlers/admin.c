/* SPDX-License-Identifier: MIT */
/*
 * admin: the admin endpoint (see admin.h). Runs on a worker thread, which
 * it holds while the reloader's thread re-indexes.
 */
#include "skilld/handlers/admin.h"

#include <stdint.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "skilld/app/app.h"
#include "skilld/indexing/reload.h"

void admin_reload(void *ctx, struct request *req, struct response *res)
{
	struct app *app = ctx;
	struct timespec t0, t1;
	char err[512];
	int64_t gen = 0;
	long full = 0;
	cJSON *o;
	int rc;

	if (request_query_long(req, "full", 0, 1, 0, &full) != 0) {
		response_error(res, 400, "bad_full", "full must be 0 (read only what changed, the "
			       "default) or 1 (read every skill again)");
		return;
	}
	if (full)
		reload_want_full(app->reloader);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = reload_now(app->reloader, "POST /api/v1/admin/reload", ADMIN_RELOAD_TIMEOUT_MS, &gen, err,
			sizeof(err));
	if (rc < 0) {
		response_error(res, 503, "reload_failed", "re-indexing failed, the previous index "
			       "is still served: %s", err);
		return;
	}
	res->dynamic = true;
	response_header(res, "Cache-Control", "no-store");
	if (rc == 1) {
		/* Another request already waits for a re-index that covers
		 * this one: answered at once, no thread held. */
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "status", "queued");
		cJSON_AddStringToObject(o, "message", "a re-index that covers this request is "
					"about to run or running; /healthz shows its generation");
		response_json(res, 202, o);
		cJSON_Delete(o);
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "status", "reloaded");
	cJSON_AddNumberToObject(o, "generation", (double)gen);
	cJSON_AddNumberToObject(o, "seconds", (double)(t1.tv_sec - t0.tv_sec) +
				(double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	response_json(res, 200, o);
	cJSON_Delete(o);
}
