/* SPDX-License-Identifier: MIT */
/*
 * api: the JSON API handlers of DESIGN.md §4 and their route table. Every
 * handler reads the index through the calling thread's reader connection and
 * fills a struct response; none touches libmicrohttpd.
 */
#ifndef SKILLD_API_H
#define SKILLD_API_H

#include <stddef.h>

#include "skilld/archive.h"
#include "skilld/router.h"

struct app;
struct db_reader;
struct cJSON;

/* The route table (ctx is a struct app *). */
const struct route *api_routes(size_t *n);

/* Serves the bytes of the file {path} of skill {slug} (path parameters). */
void api_skill_file(void *ctx, struct request *req, struct response *res);

/* The calling thread's reader, or NULL after filling res with a 503. */
struct db_reader *api_reader(struct app *app, struct response *res);
/* Logs the reader's last SQLite error (what: the operation) and fills res
 * with a 503 — the index could not be read; never the client's fault. */
void api_db_error(struct app *app, struct db_reader *r, struct response *res, const char *what);

/* The archive of every stored file of skill slug in fmt, under the folder
 * top (NULL: files at the archive root): 0 with *out (free()) and
 * *out_len, or -1 with res filled (404 unknown skill, a file over
 * --max-file-size or not archivable; 503). */
int api_archive_bytes(struct app *app, struct db_reader *r, const char *slug,
		      enum archive_format fmt, const char *top, char **out, size_t *out_len,
		      struct response *res);

/* /api/v1/checklists as an object (cJSON_Delete), or NULL with res filled. */
struct cJSON *api_checklists_json(struct app *app, struct response *res);
/* Every skill summary, ordered by slug (cJSON_Delete), or NULL with res filled. */
struct cJSON *api_all_skills_json(struct app *app, struct response *res);

#endif
