/* SPDX-License-Identifier: MIT */
/*
 * api: JSON API handlers. Most answers were built at index time and stored
 * as JSON text; a handler looks them up with the thread's prepared
 * statements and copies them into the response. Runs on worker threads;
 * each thread has its own reader connection (app_reader).
 */
#include "skilld/handlers/api.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "skilld/app/app.h"
#include "skilld/base/archive.h"
#include "skilld/base/assets.h"
#include "skilld/store/search.h"
#include "skilld/base/util.h"
#include "skilld/handlers/web.h"

#define LIST_DEFAULT_LIMIT 50
#define LIST_MAX_LIMIT 100

/* The thread's reader, or NULL after filling res with a 503. */
struct db_reader *api_reader(struct app *app, struct response *res)
{
	struct db_reader *r = app_reader(app);

	if (!r)
		response_error(res, 503, "unavailable", "the index database cannot be opened");
	return r;
}

void api_db_error(struct app *app, struct db_reader *r, struct response *res, const char *what)
{
	log_msg(&app->log, LOG_ERROR, "%s: %s", what, sqlite3_errmsg(r->db));
	response_error(res, 503, "unavailable", "the index could not be read");
}

static void respond_json_text(struct response *res, const char *text, size_t len)
{
	response_copy(res, 200, CT_JSON, text, len);
}

/* An ISO 8601 UTC time into o[key]. */
static void add_time(cJSON *o, const char *key, time_t t)
{
	char s[32];
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(s, sizeof(s), "%Y-%m-%dT%H:%M:%SZ", &tm);
	cJSON_AddStringToObject(o, key, s);
}

/* The index's state as /healthz and /api/v1/diagnostics show it. */
static void add_index_status(cJSON *o, const struct app_status *st)
{
	cJSON_AddNumberToObject(o, "generation", (double)st->stats.generation);
	add_time(o, "indexed_at", st->indexed_at);
	cJSON_AddNumberToObject(o, "index_seconds", st->index_seconds);
	cJSON_AddNumberToObject(o, "reloads", (double)st->reloads);
	cJSON_AddNumberToObject(o, "reload_failures", (double)st->failures);
	if (st->failed_at) {
		cJSON *f = cJSON_AddObjectToObject(o, "last_reload_error");

		add_time(f, "at", st->failed_at);
		cJSON_AddStringToObject(f, "message", st->error);
	} else {
		cJSON_AddNullToObject(o, "last_reload_error");
	}
}

void api_healthz(void *ctx, struct request *req, struct response *res)
{
	struct app *app = ctx;
	struct app_status st;
	cJSON *o = cJSON_CreateObject();

	(void)req;
	app_get_status(app, &st);
	cJSON_AddStringToObject(o, "status", "ok");
	cJSON_AddNumberToObject(o, "skills", (double)st.stats.skills);
	add_index_status(o, &st);
	response_json(res, 200, o);
	cJSON_Delete(o);
	res->dynamic = true;
	response_header(res, "Cache-Control", "no-cache");
}

/* The largest limit= a listing takes: its own maximum, or --max-results when
 * that is lower. */
static long max_limit(const struct app *app, long own)
{
	return (long)app->cfg->max_results < own ? (long)app->cfg->max_results : own;
}

/* Parses an integer query argument in [lo, hi]; def when absent. -1 on a bad value. */
static int query_int(const struct request *req, const char *key, long lo, long hi, long def,
		     long *out)
{
	const char *s = request_query(req, key);
	char *end;
	long v;

	if (!s) {
		*out = def;
		return 0;
	}
	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

static char *cursor_encode(const char *slug)
{
	static const char hex[] = "0123456789abcdef";
	struct buf b;

	buf_init(&b);
	buf_putc(&b, 'c');
	for (const unsigned char *p = (const unsigned char *)slug; *p; p++) {
		buf_putc(&b, hex[*p >> 4]);
		buf_putc(&b, hex[*p & 15]);
	}
	return buf_detach(&b, NULL);
}

/* Decodes a cursor into the slug it names; NULL when malformed. */
static char *cursor_decode(const char *c)
{
	size_t n = strlen(c);
	char *slug;

	if (n < 3 || c[0] != 'c' || (n - 1) % 2 != 0 || n > 1 + 2 * 128)
		return NULL;
	slug = xmalloc((n - 1) / 2 + 1);
	for (size_t i = 0; i < (n - 1) / 2; i++) {
		char pair[3] = { c[1 + 2 * i], c[2 + 2 * i], '\0' };
		char *end;
		long v = strtol(pair, &end, 16);

		if (*end || !((v >= 'a' && v <= 'z') || (v >= '0' && v <= '9') || v == '-')) {
			free(slug);
			return NULL;
		}
		slug[i] = (char)v;
	}
	slug[(n - 1) / 2] = '\0';
	return slug;
}

void api_skill_list(void *ctx, struct request *req, struct response *res)
{
	struct app *app = ctx;
	struct db_reader *r = api_reader(app, res);
	const char *cursor = request_query(req, "cursor");
	char *after = NULL;
	char *last = NULL;
	sqlite3_stmt *st;
	struct buf b;
	long limit;
	int rc, rows = 0;

	if (!r)
		return;
	if (query_int(req, "limit", 1, max_limit(app, LIST_MAX_LIMIT),
		      LIST_DEFAULT_LIMIT > max_limit(app, LIST_MAX_LIMIT) ?
		      max_limit(app, LIST_MAX_LIMIT) : LIST_DEFAULT_LIMIT, &limit) != 0) {
		response_error(res, 400, "bad_limit", "limit must be an integer from 1 to %ld",
			       max_limit(app, LIST_MAX_LIMIT));
		return;
	}
	if (cursor && !(after = cursor_decode(cursor))) {
		response_error(res, 400, "bad_cursor",
			       "cursor is not one this server gave out (use next_cursor as it is)");
		return;
	}
	st = db_reader_stmt(r, STMT_SKILL_LIST);
	sqlite3_bind_text(st, 1, after ? after : "", -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 2, (int)limit + 1);
	free(after);
	buf_init(&b);
	buf_puts(&b, "{\"data\":[");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (rows == limit)
			break;
		if (rows++)
			buf_putc(&b, ',');
		buf_append(&b, sqlite3_column_text(st, 0), (size_t)sqlite3_column_bytes(st, 0));
		free(last);
		last = xstrdup((const char *)sqlite3_column_text(st, 1));
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		sqlite3_reset(st);
		buf_fini(&b);
		free(last);
		api_db_error(app, r, res, "listing skills");
		return;
	}
	buf_puts(&b, "],\"next_cursor\":");
	if (rc == SQLITE_ROW && last) {
		char *next = cursor_encode(last);
		buf_printf(&b, "\"%s\"}", next);
		free(next);
	} else {
		buf_puts(&b, "null}");
	}
	sqlite3_reset(st);
	free(last);
	{
		size_t len;
		char *body = buf_detach(&b, &len);
		response_take(res, 200, CT_JSON, body, len);
	}
}

enum skill_column {
	COL_DETAIL,
	COL_FILES,
	COL_CHECKLIST,
	COL_EVALS,
	COL_CHECK,
};

/* Answers with one prebuilt JSON column of the skill named by {slug}. */
static void skill_column(struct app *app, struct request *req, struct response *res,
			 enum skill_column col, const char *missing)
{
	struct db_reader *r = api_reader(app, res);
	const char *slug = request_param(req, "slug");
	sqlite3_stmt *st;
	int rc;

	if (!r)
		return;
	st = db_reader_stmt(r, STMT_SKILL_COLUMNS);
	sqlite3_bind_text(st, 1, slug, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		response_error(res, 404, "skill_not_found", "no skill has the slug '%s'", slug);
	} else if (rc != SQLITE_ROW) {
		api_db_error(app, r, res, "reading a skill");
	} else if (sqlite3_column_type(st, (int)col) == SQLITE_NULL) {
		response_error(res, 404, "not_found", "skill '%s' has %s", slug, missing);
	} else {
		respond_json_text(res, (const char *)sqlite3_column_text(st, (int)col),
				  (size_t)sqlite3_column_bytes(st, (int)col));
	}
	sqlite3_reset(st);
}

void api_skill(void *ctx, struct request *req, struct response *res)
{
	skill_column(ctx, req, res, COL_DETAIL, "no detail");
}

void api_skill_files(void *ctx, struct request *req, struct response *res)
{
	skill_column(ctx, req, res, COL_FILES, "no files");
}

void api_skill_checklist(void *ctx, struct request *req, struct response *res)
{
	skill_column(ctx, req, res, COL_CHECKLIST, "no review checklist");
}

void api_skill_evals(void *ctx, struct request *req, struct response *res)
{
	skill_column(ctx, req, res, COL_EVALS, "no valid evals/evals.json");
}

void api_skill_check(void *ctx, struct request *req, struct response *res)
{
	skill_column(ctx, req, res, COL_CHECK, "no check result");
}

/* SQLITE_ROW when the skill exists, SQLITE_DONE when not, else the error. */
static int skill_lookup(struct db_reader *r, const char *slug)
{
	sqlite3_stmt *st = db_reader_stmt(r, STMT_SKILL_COLUMNS);
	int rc;

	sqlite3_bind_text(st, 1, slug, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc;
}

void api_skill_file(void *ctx, struct request *req, struct response *res)
{
	struct app *app = ctx;
	struct db_reader *r = api_reader(app, res);
	const char *slug = request_param(req, "slug");
	const char *path = request_param(req, "path");
	sqlite3_stmt *st;
	int rc;

	if (!r)
		return;
	st = db_reader_stmt(r, STMT_FILE_GET);
	sqlite3_bind_text(st, 1, slug, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, path, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_type(st, 1) != SQLITE_NULL) {
		response_copy(res, 200, "application/octet-stream",
			      (const char *)sqlite3_column_blob(st, 1),
			      (size_t)sqlite3_column_bytes(st, 1));
		response_set_type(res, (const char *)sqlite3_column_text(st, 0));
		res->markdown = strncmp(res->content_type, "text/markdown", 13) == 0;
		/* A skill's bytes are third-party content: an .html or .svg file
		 * must never run script in this origin. */
		response_header(res, "Content-Security-Policy", "default-src 'none'; sandbox");
		response_etag_hex(res, (const char *)sqlite3_column_text(st, 2));
	} else if (rc == SQLITE_ROW) {
		response_error(res, 404, "not_stored",
			       "'%s' (%lld bytes) is larger than the server's --max-file-size and "
			       "its bytes are not served", path, (long long)sqlite3_column_int64(st, 3));
	} else if (rc == SQLITE_DONE) {
		sqlite3_reset(st);
		rc = skill_lookup(r, slug);
		if (rc == SQLITE_DONE)
			response_error(res, 404, "skill_not_found", "no skill has the slug '%s'", slug);
		else if (rc == SQLITE_ROW)
			response_error(res, 404, "file_not_found", "skill '%s' has no file '%s'", slug, path);
		else
			api_db_error(app, r, res, "looking a skill up");
		return;
	} else {
		api_db_error(app, r, res, "reading a file");
	}
	sqlite3_reset(st);
}

cJSON *api_checklists_json(struct app *app, struct response *res)
{
	struct db_reader *r = api_reader(app, res);
	cJSON *root, *data;
	sqlite3_stmt *st;
	long total = 0;
	int rc;

	if (!r)
		return NULL;
	root = cJSON_CreateObject();
	data = cJSON_AddArrayToObject(root, "data");
	st = db_reader_stmt(r, STMT_CHECKLIST_LIST);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		cJSON *o = cJSON_CreateObject();
		const char *slug = (const char *)sqlite3_column_text(st, 0);
		char *url = xasprintf("/api/v1/skills/%s/checklist", slug);

		cJSON_AddStringToObject(o, "skill", slug);
		if (sqlite3_column_type(st, 1) == SQLITE_NULL)
			cJSON_AddNullToObject(o, "name");
		else
			cJSON_AddStringToObject(o, "name", (const char *)sqlite3_column_text(st, 1));
		cJSON_AddStringToObject(o, "path", (const char *)sqlite3_column_text(st, 2));
		if (sqlite3_column_type(st, 3) == SQLITE_NULL)
			cJSON_AddNullToObject(o, "title");
		else
			cJSON_AddStringToObject(o, "title", (const char *)sqlite3_column_text(st, 3));
		cJSON_AddNumberToObject(o, "items", sqlite3_column_int(st, 4));
		cJSON_AddStringToObject(o, "digest", (const char *)sqlite3_column_text(st, 5));
		cJSON_AddBoolToObject(o, "primary", sqlite3_column_int(st, 6));
		if (!sqlite3_column_int(st, 6)) {
			/* Only the primary checklist has a structured route; the
			 * others are served as files. */
			free(url);
			url = xasprintf("/api/v1/skills/%s/files/%s", slug,
					(const char *)sqlite3_column_text(st, 2));
		}
		cJSON_AddStringToObject(o, "url", url);
		free(url);
		total += sqlite3_column_int(st, 4);
		cJSON_AddItemToArray(data, o);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		cJSON_Delete(root);
		api_db_error(app, r, res, "listing checklists");
		return NULL;
	}
	cJSON_AddNumberToObject(root, "total_items", (double)total);
	return root;
}

void api_checklists(void *ctx, struct request *req, struct response *res)
{
	cJSON *root = api_checklists_json(ctx, res);

	(void)req;
	if (!root)
		return;
	response_json(res, 200, root);
	cJSON_Delete(root);
}

cJSON *api_all_skills_json(struct app *app, struct response *res)
{
	struct db_reader *r = api_reader(app, res);
	sqlite3_stmt *st;
	cJSON *data;
	int rc;

	if (!r)
		return NULL;
	data = cJSON_CreateArray();
	st = db_reader_stmt(r, STMT_SKILL_LIST);
	sqlite3_bind_text(st, 1, "", -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, -1);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		cJSON *o = cJSON_ParseWithLength((const char *)sqlite3_column_text(st, 0),
						 (size_t)sqlite3_column_bytes(st, 0));
		if (o)
			cJSON_AddItemToArray(data, o);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		cJSON_Delete(data);
		api_db_error(app, r, res, "listing skills");
		return NULL;
	}
	return data;
}

static void add_text_column(cJSON *o, const char *key, sqlite3_stmt *st, int col)
{
	if (sqlite3_column_type(st, col) == SQLITE_NULL)
		cJSON_AddNullToObject(o, key);
	else
		cJSON_AddStringToObject(o, key, (const char *)sqlite3_column_text(st, col));
}

void api_diagnostics(void *ctx, struct request *req, struct response *res)
{
	struct app *app = ctx;
	struct db_reader *r = api_reader(app, res);
	const char *severity = request_query(req, "severity");
	long counts[3] = { 0, 0, 0 };
	struct app_status status;
	cJSON *root, *data, *c;
	sqlite3_stmt *st;
	int rc;

	if (!r)
		return;
	if (severity && strcmp(severity, "error") != 0 && strcmp(severity, "warning") != 0 &&
	    strcmp(severity, "info") != 0) {
		response_error(res, 400, "bad_severity", "severity must be error, warning or info");
		return;
	}
	root = cJSON_CreateObject();
	data = cJSON_AddArrayToObject(root, "data");
	st = db_reader_stmt(r, STMT_DIAGNOSTICS);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *sev = (const char *)sqlite3_column_text(st, 0);
		cJSON *o;

		counts[sev[0] == 'e' ? 0 : sev[0] == 'w' ? 1 : 2]++;
		if (severity && strcmp(severity, sev) != 0)
			continue;
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "severity", sev);
		add_text_column(o, "code", st, 1);
		add_text_column(o, "message", st, 2);
		add_text_column(o, "root", st, 3);
		add_text_column(o, "path", st, 4);
		cJSON_AddNumberToObject(o, "line", sqlite3_column_int(st, 5));
		cJSON_AddNumberToObject(o, "column", sqlite3_column_int(st, 6));
		add_text_column(o, "skill", st, 7);
		cJSON_AddItemToArray(data, o);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		cJSON_Delete(root);
		api_db_error(app, r, res, "listing diagnostics");
		return;
	}
	c = cJSON_AddObjectToObject(root, "counts");
	cJSON_AddNumberToObject(c, "error", (double)counts[0]);
	cJSON_AddNumberToObject(c, "warning", (double)counts[1]);
	cJSON_AddNumberToObject(c, "info", (double)counts[2]);
	/* A failed reload leaves no diagnostics rows (the old index stays):
	 * it is told here. */
	app_get_status(app, &status);
	add_index_status(cJSON_AddObjectToObject(root, "index"), &status);
	response_json(res, 200, root);
	res->dynamic = true;
	cJSON_Delete(root);
}

int api_archive_bytes(struct app *app, struct db_reader *r, const char *slug,
		      enum archive_format fmt, const char *top, char **out, size_t *out_len,
		      struct response *res)
{
	struct archive_entry_in *files = NULL;
	size_t n = 0, cap = 0;
	sqlite3_stmt *st;
	char err[256];
	bool missing = false;
	int rc, ret = -1;

	*out = NULL;
	rc = skill_lookup(r, slug);
	if (rc != SQLITE_ROW) {
		if (rc == SQLITE_DONE)
			response_error(res, 404, "skill_not_found", "no skill has the slug '%s'", slug);
		else
			api_db_error(app, r, res, "looking a skill up");
		return -1;
	}
	st = db_reader_stmt(r, STMT_SKILL_FILES_ALL);
	sqlite3_bind_text(st, 1, slug, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (sqlite3_column_type(st, 1) == SQLITE_NULL) {
			missing = true;
			continue;
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			files = xrealloc(files, cap * sizeof(*files));
		}
		/* Copies: the column pointers die at the next step. */
		files[n].path = xstrdup((const char *)sqlite3_column_text(st, 0));
		files[n].len = (size_t)sqlite3_column_bytes(st, 1);
		files[n].data = xstrndup(sqlite3_column_blob(st, 1) ? sqlite3_column_blob(st, 1) : "",
					 files[n].len);
		n++;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		api_db_error(app, r, res, "reading a skill's files");
	else if (missing)
		response_error(res, 404, "not_stored", "skill '%s' has files over the server's "
			       "--max-file-size, so no complete archive can be made", slug);
	else if (archive_build(fmt, top, files, n, out, out_len, err, sizeof(err)) != 0)
		response_error(res, 404, "not_archivable", "skill '%s' cannot be archived: %s", slug, err);
	else
		ret = 0;
	for (size_t i = 0; i < n; i++) {
		free((char *)files[i].path);
		free((void *)files[i].data);
	}
	free(files);
	return ret;
}

/* The whole skill as an archive with one top folder named after the slug:
 * deterministic bytes (archive.c), so its ETag is stable. */
static void skill_archive(struct app *app, struct request *req, struct response *res,
			  enum archive_format fmt)
{
	struct db_reader *r = api_reader(app, res);
	const char *slug = request_param(req, "slug");
	char *out, *disp;
	size_t len;

	if (!r || api_archive_bytes(app, r, slug, fmt, slug, &out, &len, res) != 0)
		return;
	disp = xasprintf("attachment; filename=\"%s.%s\"", slug,
			 fmt == SKILLD_ARCHIVE_TGZ ? "tar.gz" : "zip");
	response_take(res, 200, fmt == SKILLD_ARCHIVE_TGZ ? "application/gzip" : "application/zip",
		      out, len);
	response_header(res, "Content-Disposition", disp);
	free(disp);
}

void api_archive_tgz(void *ctx, struct request *req, struct response *res)
{
	skill_archive(ctx, req, res, SKILLD_ARCHIVE_TGZ);
}

void api_archive_zip(void *ctx, struct request *req, struct response *res)
{
	skill_archive(ctx, req, res, SKILLD_ARCHIVE_ZIP);
}

/* Answers a search module result: 0 → the JSON, else 400 or 503. */
static void search_answer(struct app *app, struct response *res, int rc, cJSON *out,
			  const char *err)
{
	if (rc == 0) {
		response_json(res, 200, out);
		cJSON_Delete(out);
	} else if (rc == SEARCH_BAD_REQUEST) {
		response_error(res, 400, "bad_query", "%s", err);
	} else {
		log_msg(&app->log, LOG_ERROR, "search: %s", err);
		response_error(res, 503, "unavailable", "the search index could not be read");
	}
}

void api_search(void *ctx, struct request *req, struct response *res)
{
	struct app *app = ctx;
	struct db_reader *r = api_reader(app, res);
	struct search_query sq = { 0 };
	cJSON *out = NULL;
	char err[256] = "";
	long limit;
	int rc;

	if (!r)
		return;
	sq.q = request_query(req, "q");
	if (!sq.q || !*sq.q) {
		response_error(res, 400, "bad_query", "q is required: the words to search for");
		return;
	}
	if (query_int(req, "limit", 1, max_limit(app, SEARCH_MAX_LIMIT),
		      SEARCH_DEFAULT_LIMIT > max_limit(app, SEARCH_MAX_LIMIT) ?
		      max_limit(app, SEARCH_MAX_LIMIT) : SEARCH_DEFAULT_LIMIT, &limit) != 0) {
		response_error(res, 400, "bad_limit", "limit must be an integer from 1 to %ld",
			       max_limit(app, SEARCH_MAX_LIMIT));
		return;
	}
	sq.limit = (int)limit;
	sq.kind = request_query(req, "kind");
	sq.skill = request_query(req, "skill");
	sq.cursor = request_query(req, "cursor");
	rc = search_run(r->db, &sq, &out, err, sizeof(err));
	search_answer(app, res, rc, out, err);
}

void api_resolve(void *ctx, struct request *req, struct response *res)
{
	struct app *app = ctx;
	struct db_reader *r = api_reader(app, res);
	const char *task = request_query(req, "task");
	cJSON *out = NULL;
	char err[256] = "";
	long k;
	int rc;

	if (!r)
		return;
	if (!task || !*task) {
		response_error(res, 400, "bad_query", "task is required: the task in plain words");
		return;
	}
	if (query_int(req, "k", 1, RESOLVE_MAX_K, RESOLVE_DEFAULT_K, &k) != 0) {
		response_error(res, 400, "bad_limit", "k must be an integer from 1 to %d", RESOLVE_MAX_K);
		return;
	}
	rc = search_resolve(r->db, task, (int)k, &out, err, sizeof(err));
	search_answer(app, res, rc, out, err);
}

/* /api/search?q=&limit= in the shape the `skills` installer CLI's `find`
 * reads: {"skills":[{"id","name","source","installs"}]}. The skills that fit
 * the query best (search_resolve); source is this server's base URL, which
 * is what `skills add` takes; installs are not counted here: 0. A limit
 * over RESOLVE_MAX_K is lowered to it (the CLI asks for 20). */
void api_search_compat(void *ctx, struct request *req, struct response *res)
{
	struct app *app = ctx;
	struct db_reader *r = api_reader(app, res);
	const char *q = request_query(req, "q");
	cJSON *out = NULL, *root, *skills, *hit;
	char err[256] = "", *base;
	long limit;
	int rc;

	if (!r)
		return;
	if (!q || !*q) {
		response_error(res, 400, "bad_query", "q is required: the words to look for");
		return;
	}
	if (query_int(req, "limit", 1, 1000, RESOLVE_MAX_K, &limit) != 0) {
		response_error(res, 400, "bad_limit", "limit must be an integer from 1 to 1000");
		return;
	}
	rc = search_resolve(r->db, q, limit > RESOLVE_MAX_K ? RESOLVE_MAX_K : (int)limit, &out,
			    err, sizeof(err));
	if (rc != 0) {
		search_answer(app, res, rc, out, err);
		return;
	}
	base = request_base_url(req, app->cfg->bind, app->port);
	root = cJSON_CreateObject();
	skills = cJSON_AddArrayToObject(root, "skills");
	cJSON_ArrayForEach(hit, cJSON_GetObjectItem(out, "data")) {
		cJSON *o = cJSON_CreateObject();
		const cJSON *v;

		v = cJSON_GetObjectItem(hit, "slug");
		cJSON_AddStringToObject(o, "id", cJSON_IsString(v) ? v->valuestring : "");
		v = cJSON_GetObjectItem(hit, "name");
		cJSON_AddStringToObject(o, "name", cJSON_IsString(v) ? v->valuestring : "");
		cJSON_AddStringToObject(o, "source", base);
		cJSON_AddNumberToObject(o, "installs", 0);
		v = cJSON_GetObjectItem(hit, "description");
		if (cJSON_IsString(v))
			cJSON_AddStringToObject(o, "description", v->valuestring);
		cJSON_AddItemToArray(skills, o);
	}
	response_json(res, 200, root);
	cJSON_Delete(root);
	cJSON_Delete(out);
	free(base);
}

/* This API described in OpenAPI 3.1: docs/openapi.json, built into the
 * binary (static bytes, ETag computed at build time). */
void api_openapi(void *ctx, struct request *req, struct response *res)
{
	const struct asset *a = assets_doc("openapi.json");

	(void)ctx;
	(void)req;
	if (!a) {
		response_error(res, 503, "unavailable", "this build has no API description");
		return;
	}
	res->status = 200;
	res->content_type = CT_JSON;
	res->body = (char *)(uintptr_t)a->data;
	res->body_len = a->len;
	res->owns_body = false;
	snprintf(res->etag, sizeof(res->etag), "%s", a->etag);
	response_header(res, "Cache-Control", "no-cache");
}
