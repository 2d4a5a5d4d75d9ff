/* SPDX-License-Identifier: MIT */
/*
 * api: the JSON API handlers of DESIGN.md §4 (their routes are in
 * routes.c). Every handler reads the index through the calling thread's reader connection and
 * fills a struct response; none touches libmicrohttpd.
 */
#ifndef SKILLD_API_H
#define SKILLD_API_H

#include <stddef.h>

#include "skilld/base/archive.h"
#include "skilld/store/store.h"
#include "skilld/transport/router.h"

struct app;
struct store_reader;
struct cJSON;

/* The handlers (ctx is a struct app *); {name} is a path parameter. */
/* GET /healthz: status, skill count and the index status; never prepared ahead. */
void api_healthz(void *ctx, struct request *req, struct response *res);
/* GET /api/v1/skills: summaries by slug, ?limit and ?cursor pages. */
void api_skill_list(void *ctx, struct request *req, struct response *res);
/* GET /api/v1/skills/{slug}: the detail built at index time. */
void api_skill(void *ctx, struct request *req, struct response *res);
/* GET /api/v1/skills/{slug}/files: the file list built at index time. */
void api_skill_files(void *ctx, struct request *req, struct response *res);
/* Serves the bytes of the file {path} of skill {slug} (path parameters). */
void api_skill_file(void *ctx, struct request *req, struct response *res);
/* GET /api/v1/skills/{slug}/checklist: the parsed review checklist. */
void api_skill_checklist(void *ctx, struct request *req, struct response *res);
/* GET /api/v1/skills/{slug}/evals: the normalised evals. */
void api_skill_evals(void *ctx, struct request *req, struct response *res);
/* GET /api/v1/skills/{slug}/check: the validation result and tier. */
void api_skill_check(void *ctx, struct request *req, struct response *res);
/* GET /api/v1/skills/{slug}/archive.tar.gz: every file of the skill. */
void api_archive_tgz(void *ctx, struct request *req, struct response *res);
/* GET /api/v1/skills/{slug}/archive.zip: every file of the skill. */
void api_archive_zip(void *ctx, struct request *req, struct response *res);
/* GET /api/v1/checklists: every skill's checklist summary. */
void api_checklists(void *ctx, struct request *req, struct response *res);
/* GET /api/v1/diagnostics: every diagnostic, ?severity, and the index status. */
void api_diagnostics(void *ctx, struct request *req, struct response *res);
/* GET /api/v1/search: full-text search with ?q, ?limit, ?skill, ?cursor. */
void api_search(void *ctx, struct request *req, struct response *res);
/* GET /api/v1/resolve: the ?k skills that fit ?task best. */
void api_resolve(void *ctx, struct request *req, struct response *res);
/* GET /api/v1/openapi.json: docs/openapi.json, built into the binary. */
void api_openapi(void *ctx, struct request *req, struct response *res);

/* Answers a search module result (search_run, search_resolve): rc 0 →
 * out as JSON (taken over), else 400 with err or 503. */
void api_search_answer(struct app *app, struct response *res, int rc, struct cJSON *out,
		       const char *err);

/* The calling thread's reader, or NULL after filling res with a 503. */
struct store_reader *api_reader(struct app *app, struct response *res);
/* Logs the reader's last SQLite error (what: the operation) and fills res
 * with a 503 — the index could not be read; never the client's fault. */
void api_db_error(struct app *app, struct store_reader *r, struct response *res, const char *what);

/* The archive of every stored file of skill slug in fmt, under the folder
 * top (NULL: files at the archive root): 0 with *out (free()) and
 * *out_len, or -1 with res filled (404 unknown skill, a file over
 * --max-file-size or not archivable; 503). */
int api_archive_bytes(struct app *app, struct store_reader *r, const char *slug,
		      enum archive_format fmt, const char *top, char **out, size_t *out_len,
		      struct response *res);

/* /api/v1/checklists as an object (cJSON_Delete), or NULL with res filled. */
struct cJSON *api_checklists_json(struct app *app, struct response *res);
/* A store_skill_fn that appends the summary, parsed, to the cJSON array
 * ctx (a summary that does not parse is left out). */
int api_summary_add(void *ctx, const char *slug, struct store_bytes summary);
/* Every skill summary, ordered by slug (cJSON_Delete), or NULL with res filled. */
struct cJSON *api_all_skills_json(struct app *app, struct response *res);

#endif
