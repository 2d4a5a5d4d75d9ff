/* SPDX-License-Identifier: MIT */
/*
 * api: JSON API handlers. Most answers were built at index time and stored
 * as JSON text; a handler looks them up with the thread's prepared
 * statements and copies them into the response. Runs on worker threads;
 * each thread has its own reader connection (store_reader).
 */
#include "skilld/handlers/api.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "skilld/app/app.h"
#include "skilld/base/archive.h"
#include "skilld/base/assets.h"
#include "skilld/base/cursor.h"
#include "skilld/store/reviewdb.h"
#include "skilld/store/search.h"
#include "skilld/store/store.h"
#include "skilld/base/util.h"
#include "skilld/handlers/web.h"

#define LIST_DEFAULT_LIMIT 50
#define LIST_MAX_LIMIT 100

/* The thread's reader, or NULL after filling res with a 503. */
struct store_reader *api_reader(struct app *app, struct response *res)
{
	struct store_reader *r = store_reader(app->store);

	if (!r)
		response_error(res, 503, "unavailable", "the index database cannot be opened");
	return r;
}

void api_db_error(struct app *app, struct store_reader *r, struct response *res, const char *what)
{
	log_msg(&app->log, LOG_ERROR, "%s: %s", what, store_errmsg(r));
	response_error(res, 503, "unavailable", "the index could not be read");
}

static void respond_json_text(struct response *res, const char *text, size_t len)
{
	response_copy(res, 200, CT_JSON, text, len);
}

/* The index's state as /healthz and /api/v1/diagnostics show it. */
static void add_index_status(cJSON *o, const struct index_status *st)
{
	cJSON_AddNumberToObject(o, "generation", (double)st->stats.generation);
	jadd_time(o, "indexed_at", (double)st->indexed_at * 1000, false);
	cJSON_AddNumberToObject(o, "index_seconds", st->index_seconds);
	cJSON_AddNumberToObject(o, "reloads", (double)st->reloads);
	cJSON_AddNumberToObject(o, "reload_failures", (double)st->failures);
	if (st->failed_at) {
		cJSON *f = cJSON_AddObjectToObject(o, "last_reload_error");

		jadd_time(f, "at", (double)st->failed_at * 1000, false);
		cJSON_AddStringToObject(f, "message", st->error);
	} else {
		cJSON_AddNullToObject(o, "last_reload_error");
	}
}

void api_healthz(void *ctx, struct request *req, struct response *res)
{
	struct app *app = ctx;
	struct index_status st;
	cJSON *o = cJSON_CreateObject(), *store;

	(void)req;
	status_get(&app->status, &st);
	cJSON_AddStringToObject(o, "status", "ok");
	cJSON_AddNumberToObject(o, "skills", (double)st.stats.skills);
	add_index_status(o, &st);
	/* where reviews and their history are written, and whether it can be
	 * reached now (skills are served either way) */
	store = cJSON_AddObjectToObject(o, "store");
	cJSON_AddStringToObject(store, "backend", reviewdb_backend(app->reviews));
	cJSON_AddBoolToObject(store, "up", reviewdb_up(app->reviews));
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

/* The slug a cursor of the skill list names; NULL when it is not one this
 * listing made (cursor.h), or the slug could not be one. */
static char *cursor_slug(const char *c)
{
	char *slug;

	if (cursor_read(c, 'c', &slug, NULL) != 0)
		return NULL;
	if (strlen(slug) > 128 || strspn(slug, "abcdefghijklmnopqrstuvwxyz0123456789-") != strlen(slug)) {
		free(slug);
		return NULL;
	}
	return slug;
}

/* Appends one summary per skill to a JSON array being written. */
struct list_page {
	struct buf b;
	char *last;      /* the last slug written (free()) */
	int rows;
};

static int list_add(void *ctx, const char *slug, struct store_bytes summary)
{
	struct list_page *lp = ctx;

	if (lp->rows++)
		buf_putc(&lp->b, ',');
	buf_append(&lp->b, summary.p, summary.len);
	free(lp->last);
	lp->last = xstrdup(slug);
	return 0;
}

void api_skill_list(void *ctx, struct request *req, struct response *res)
{
	struct app *app = ctx;
	struct store_reader *r = api_reader(app, res);
	const char *cursor = request_query(req, "cursor");
	struct list_page lp = { .last = NULL };
	char *after = NULL;
	long limit;
	int more;

	if (!r)
		return;
	if (request_query_long(req, "limit", 1, max_limit(app, LIST_MAX_LIMIT),
		      LIST_DEFAULT_LIMIT > max_limit(app, LIST_MAX_LIMIT) ?
		      max_limit(app, LIST_MAX_LIMIT) : LIST_DEFAULT_LIMIT, &limit) != 0) {
		response_error(res, 400, "bad_limit", "limit must be an integer from 1 to %ld",
			       max_limit(app, LIST_MAX_LIMIT));
		return;
	}
	if (cursor && !(after = cursor_slug(cursor))) {
		response_error(res, 400, "bad_cursor",
			       "cursor is not one this server gave out (use next_cursor as it is)");
		return;
	}
	buf_init(&lp.b);
	buf_puts(&lp.b, "{\"data\":[");
	more = store_skills_page(r, after, limit, list_add, &lp);
	free(after);
	if (more < 0) {
		buf_fini(&lp.b);
		free(lp.last);
		api_db_error(app, r, res, "listing skills");
		return;
	}
	buf_puts(&lp.b, "],\"next_cursor\":");
	if (more && lp.last) {
		char *next = cursor_make('c', lp.last, NULL);
		buf_printf(&lp.b, "\"%s\"}", next);
		free(next);
	} else {
		buf_puts(&lp.b, "null}");
	}
	free(lp.last);
	{
		size_t len;
		char *body = buf_detach(&lp.b, &len);
		response_take(res, 200, CT_JSON, body, len);
	}
}

/* Answers with one prebuilt JSON part of the skill named by {slug}: the
 * member of struct store_skill at offset part. */
static void skill_part(struct app *app, struct request *req, struct response *res,
		       size_t part, const char *missing)
{
	struct store_reader *r = api_reader(app, res);
	const char *slug = request_param(req, "slug");
	struct store_skill sk;
	const struct store_bytes *v;
	int rc;

	if (!r)
		return;
	rc = store_skill_get(r, slug, &sk);
	v = (const struct store_bytes *)((const char *)&sk + part);
	if (rc == 0)
		response_error(res, 404, "skill_not_found", "no skill has the slug '%s'", slug);
	else if (rc < 0)
		api_db_error(app, r, res, "reading a skill");
	else if (!v->p)
		response_error(res, 404, "not_found", "skill '%s' has %s", slug, missing);
	else
		respond_json_text(res, v->p, v->len);
}

void api_skill(void *ctx, struct request *req, struct response *res)
{
	skill_part(ctx, req, res, offsetof(struct store_skill, detail), "no detail");
}

void api_skill_files(void *ctx, struct request *req, struct response *res)
{
	skill_part(ctx, req, res, offsetof(struct store_skill, files), "no files");
}

void api_skill_checklist(void *ctx, struct request *req, struct response *res)
{
	skill_part(ctx, req, res, offsetof(struct store_skill, checklist), "no review checklist");
}

void api_skill_evals(void *ctx, struct request *req, struct response *res)
{
	skill_part(ctx, req, res, offsetof(struct store_skill, evals), "no valid evals/evals.json");
}

void api_skill_check(void *ctx, struct request *req, struct response *res)
{
	skill_part(ctx, req, res, offsetof(struct store_skill, check), "no check result");
}

void api_skill_file(void *ctx, struct request *req, struct response *res)
{
	struct app *app = ctx;
	struct store_reader *r = api_reader(app, res);
	const char *slug = request_param(req, "slug");
	const char *path = request_param(req, "path");
	struct store_file f;
	struct store_skill sk;
	int rc;

	if (!r)
		return;
	rc = store_file_get(r, slug, path, &f);
	if (rc == 1 && f.content.p) {
		response_copy(res, 200, "application/octet-stream", f.content.p, f.content.len);
		response_set_type(res, f.mime.p);
		res->markdown = strncmp(res->content_type, "text/markdown", 13) == 0;
		/* A skill's bytes are third-party content: an .html or .svg file
		 * must never run script in this origin. */
		response_header(res, "Content-Security-Policy", "default-src 'none'; sandbox");
		response_etag_hex(res, f.digest.p);
	} else if (rc == 1) {
		response_error(res, 404, "not_stored",
			       "'%s' (%lld bytes) is larger than the server's --max-file-size and "
			       "its bytes are not served", path, (long long)f.size);
	} else if (rc == 0) {
		rc = store_skill_get(r, slug, &sk);
		if (rc == 0)
			response_error(res, 404, "skill_not_found", "no skill has the slug '%s'", slug);
		else if (rc == 1)
			response_error(res, 404, "file_not_found", "skill '%s' has no file '%s'", slug, path);
		else
			api_db_error(app, r, res, "looking a skill up");
	} else {
		api_db_error(app, r, res, "reading a file");
	}
}

struct checklist_list {
	cJSON *data;
	long total;
};

static int checklist_add(void *ctx, const struct store_checklist *c)
{
	struct checklist_list *cl = ctx;
	cJSON *o = cJSON_CreateObject();
	char *url;

	cJSON_AddStringToObject(o, "skill", c->slug);
	jadd_str_or_null(o, "name", c->name);
	cJSON_AddStringToObject(o, "path", c->path);
	jadd_str_or_null(o, "title", c->title);
	cJSON_AddNumberToObject(o, "items", c->items);
	cJSON_AddStringToObject(o, "digest", c->digest);
	cJSON_AddBoolToObject(o, "primary", c->primary);
	/* Only the primary checklist has a structured route; the others are
	 * served as files. */
	url = c->primary ? xasprintf("/api/v1/skills/%s/checklist", c->slug)
			 : xasprintf("/api/v1/skills/%s/files/%s", c->slug, c->path);
	cJSON_AddStringToObject(o, "url", url);
	free(url);
	cl->total += c->items;
	cJSON_AddItemToArray(cl->data, o);
	return 0;
}

cJSON *api_checklists_json(struct app *app, struct response *res)
{
	struct store_reader *r = api_reader(app, res);
	struct checklist_list cl = { NULL, 0 };
	cJSON *root;

	if (!r)
		return NULL;
	root = cJSON_CreateObject();
	cl.data = cJSON_AddArrayToObject(root, "data");
	if (store_checklists(r, checklist_add, &cl) != 0) {
		cJSON_Delete(root);
		api_db_error(app, r, res, "listing checklists");
		return NULL;
	}
	cJSON_AddNumberToObject(root, "total_items", (double)cl.total);
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

int api_summary_add(void *ctx, const char *slug, struct store_bytes summary)
{
	cJSON *o = cJSON_ParseWithLength(summary.p, summary.len);

	(void)slug;
	if (o)
		cJSON_AddItemToArray(ctx, o);
	return 0;
}

cJSON *api_all_skills_json(struct app *app, struct response *res)
{
	struct store_reader *r = api_reader(app, res);
	cJSON *data;

	if (!r)
		return NULL;
	data = cJSON_CreateArray();
	if (store_skills_page(r, NULL, -1, api_summary_add, data) < 0) {
		cJSON_Delete(data);
		api_db_error(app, r, res, "listing skills");
		return NULL;
	}
	return data;
}

struct diagnostic_list {
	const char *severity;   /* the one asked for, or NULL */
	long counts[3];         /* error, warning, info */
	cJSON *data;
};

static int diagnostic_add(void *ctx, const struct store_diagnostic *d)
{
	struct diagnostic_list *dl = ctx;
	cJSON *o;

	dl->counts[d->severity[0] == 'e' ? 0 : d->severity[0] == 'w' ? 1 : 2]++;
	if (dl->severity && strcmp(dl->severity, d->severity) != 0)
		return 0;
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "severity", d->severity);
	jadd_str_or_null(o, "code", d->code);
	jadd_str_or_null(o, "message", d->message);
	jadd_str_or_null(o, "root", d->root);
	jadd_str_or_null(o, "path", d->path);
	cJSON_AddNumberToObject(o, "line", d->line);
	cJSON_AddNumberToObject(o, "column", d->column);
	jadd_str_or_null(o, "skill", d->skill);
	cJSON_AddItemToArray(dl->data, o);
	return 0;
}

void api_diagnostics(void *ctx, struct request *req, struct response *res)
{
	struct app *app = ctx;
	struct store_reader *r = api_reader(app, res);
	const char *severity = request_query(req, "severity");
	struct diagnostic_list dl = { .severity = severity };
	struct index_status status;
	cJSON *root, *c;

	if (!r)
		return;
	if (severity && strcmp(severity, "error") != 0 && strcmp(severity, "warning") != 0 &&
	    strcmp(severity, "info") != 0) {
		response_error(res, 400, "bad_severity", "severity must be error, warning or info");
		return;
	}
	root = cJSON_CreateObject();
	dl.data = cJSON_AddArrayToObject(root, "data");
	if (store_diagnostics(r, diagnostic_add, &dl) != 0) {
		cJSON_Delete(root);
		api_db_error(app, r, res, "listing diagnostics");
		return;
	}
	c = cJSON_AddObjectToObject(root, "counts");
	cJSON_AddNumberToObject(c, "error", (double)dl.counts[0]);
	cJSON_AddNumberToObject(c, "warning", (double)dl.counts[1]);
	cJSON_AddNumberToObject(c, "info", (double)dl.counts[2]);
	/* A failed reload leaves no diagnostics rows (the old index stays):
	 * it is told here. */
	status_get(&app->status, &status);
	add_index_status(cJSON_AddObjectToObject(root, "index"), &status);
	response_json(res, 200, root);
	res->dynamic = true;
	cJSON_Delete(root);
}

/* Collects a skill's files for an archive (copies: the values die at the
 * next row). */
struct archive_files {
	struct archive_entry_in *files;
	size_t n, cap;
	bool missing;   /* a file over --max-file-size */
};

static int archive_add(void *ctx, const char *slug, const struct store_file *f)
{
	struct archive_files *af = ctx;

	(void)slug;
	if (!f->content.p) {
		af->missing = true;
		return 0;
	}
	if (af->n == af->cap) {
		af->cap = af->cap ? af->cap * 2 : 16;
		af->files = xrealloc(af->files, af->cap * sizeof(*af->files));
	}
	af->files[af->n].path = xstrndup(f->path.p, f->path.len);
	af->files[af->n].len = f->content.len;
	af->files[af->n].data = xstrndup(f->content.p, f->content.len);
	af->n++;
	return 0;
}

int api_archive_bytes(struct app *app, struct store_reader *r, const char *slug,
		      enum archive_format fmt, const char *top, char **out, size_t *out_len,
		      struct response *res)
{
	struct archive_files af = { NULL, 0, 0, false };
	struct store_skill sk;
	char err[256];
	int rc, ret = -1;

	*out = NULL;
	rc = store_skill_get(r, slug, &sk);
	if (rc != 1) {
		if (rc == 0)
			response_error(res, 404, "skill_not_found", "no skill has the slug '%s'", slug);
		else
			api_db_error(app, r, res, "looking a skill up");
		return -1;
	}
	if (store_skill_files(r, slug, archive_add, &af) != 0)
		api_db_error(app, r, res, "reading a skill's files");
	else if (af.missing)
		response_error(res, 404, "not_stored", "skill '%s' has files over the server's "
			       "--max-file-size, so no complete archive can be made", slug);
	else if (archive_build(fmt, top, af.files, af.n, out, out_len, err, sizeof(err)) != 0)
		response_error(res, 404, "not_archivable", "skill '%s' cannot be archived: %s", slug, err);
	else
		ret = 0;
	for (size_t i = 0; i < af.n; i++) {
		free((char *)af.files[i].path);
		free((void *)af.files[i].data);
	}
	free(af.files);
	return ret;
}

/* The whole skill as an archive with one top folder named after the slug:
 * deterministic bytes (archive.c), so its ETag is stable. */
static void skill_archive(struct app *app, struct request *req, struct response *res,
			  enum archive_format fmt)
{
	struct store_reader *r = api_reader(app, res);
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

void api_search_answer(struct app *app, struct response *res, int rc, cJSON *out,
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
	struct store_reader *r = api_reader(app, res);
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
	if (request_query_long(req, "limit", 1, max_limit(app, SEARCH_MAX_LIMIT),
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
	rc = search_run(r, &sq, &out, err, sizeof(err));
	api_search_answer(app, res, rc, out, err);
}

void api_resolve(void *ctx, struct request *req, struct response *res)
{
	struct app *app = ctx;
	struct store_reader *r = api_reader(app, res);
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
	if (request_query_long(req, "k", 1, RESOLVE_MAX_K, RESOLVE_DEFAULT_K, &k) != 0) {
		response_error(res, 400, "bad_limit", "k must be an integer from 1 to %d", RESOLVE_MAX_K);
		return;
	}
	rc = search_resolve(r, task, (int)k, &out, err, sizeof(err));
	api_search_answer(app, res, rc, out, err);
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
