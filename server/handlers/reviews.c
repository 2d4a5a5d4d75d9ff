/* SPDX-License-Identifier: MIT */
/*
 * reviews: the review runs' API (see reviews.h). A handler reads the
 * checklist of the day through the store (the index), the review through
 * app->reviews (reviews.db), and joins them by item id.
 */
#include "skilld/handlers/reviews.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "skilld/app/app.h"
#include "skilld/base/cursor.h"
#include "skilld/base/hub.h"
#include "skilld/base/text.h"
#include "skilld/base/util.h"
#include "skilld/handlers/api.h"
#include "skilld/indexing/checklist.h"
#include "skilld/store/reviewdb.h"
#include "skilld/store/store.h"

/* ---- the checklist of the day ---- */

struct cl_item {
	const char *id, *ref, *title, *text;   /* point into cl->json */
	const char *html;                      /* text rendered at index time, or NULL */
	char ref_buf[24];                      /* "Item N" for an item without a ref */
	const cJSON *section;
};

struct checklist_view {
	cJSON *json;          /* the parsed checklist */
	struct cl_item *items;
	size_t n;
	char *path, *digest;
	const cJSON *severity; /* [{level, ...}] or NULL */
};

static void cl_fini(struct checklist_view *cl)
{
	cJSON_Delete(cl->json);
	free(cl->items);
	free(cl->path);
	free(cl->digest);
	memset(cl, 0, sizeof(*cl));
}

static void cl_add_items(struct checklist_view *cl, const cJSON *items, const cJSON *section,
			 size_t *cap)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, items) {
		struct cl_item *x;

		if (!jstr(it, "id"))
			continue;
		if (cl->n == *cap) {
			*cap = *cap ? *cap * 2 : 64;
			cl->items = xrealloc(cl->items, *cap * sizeof(*cl->items));
		}
		x = &cl->items[cl->n++];
		memset(x, 0, sizeof(*x));
		x->id = jstr(it, "id");
		x->title = jstr(it, "title");
		x->text = jstr(it, "text") ? jstr(it, "text") : "";
		x->html = jstr(it, "html");
		x->section = section;
		if (jstr(it, "ref")) {
			x->ref = jstr(it, "ref");
		} else {
			snprintf(x->ref_buf, sizeof(x->ref_buf), "Item %zu", cl->n);
			x->ref = x->ref_buf;
		}
	}
}

/* Flattens the parsed checklist's sections (items, then groups' items). */
static void cl_index(struct checklist_view *cl)
{
	const cJSON *s, *g;
	size_t cap = 0;

	cJSON_ArrayForEach(s, cJSON_GetObjectItem(cl->json, "sections")) {
		cl_add_items(cl, cJSON_GetObjectItem(s, "items"), s, &cap);
		cJSON_ArrayForEach(g, cJSON_GetObjectItem(s, "groups"))
			cl_add_items(cl, cJSON_GetObjectItem(g, "items"), s, &cap);
	}
	cl->severity = cJSON_GetObjectItem(cl->json, "severity");
	/* ref_buf moved with realloc: point each generated ref at its copy */
	for (size_t i = 0; i < cl->n; i++)
		if (cl->items[i].ref_buf[0])
			cl->items[i].ref = cl->items[i].ref_buf;
}

/*
 * Parsed checklists, a few per thread: parsing a checklist's JSON costs
 * more than the rest of a review request, and the same few checklists are
 * asked for again and again. An entry is good while the index names the
 * same digest for its skill and path (the parse depends on nothing else);
 * a thread's entries are its own, so nothing is locked, and they go when
 * the thread ends.
 */
#define CL_CACHE_SLOTS 8

struct cl_cache {
	struct checklist_view view[CL_CACHE_SLOTS];
	char *skill[CL_CACHE_SLOTS];
	unsigned next;          /* the slot the next miss replaces */
};

static pthread_key_t cl_key;
static pthread_once_t cl_once = PTHREAD_ONCE_INIT;

static void cl_cache_free(void *p)
{
	struct cl_cache *c = p;

	for (size_t i = 0; c && i < CL_CACHE_SLOTS; i++) {
		cl_fini(&c->view[i]);
		free(c->skill[i]);
	}
	free(c);
}

static void cl_key_make(void)
{
	pthread_key_create(&cl_key, cl_cache_free);
}

static struct cl_cache *cl_cache(void)
{
	struct cl_cache *c;

	pthread_once(&cl_once, cl_key_make);
	c = pthread_getspecific(cl_key);
	if (!c) {
		c = xcalloc(1, sizeof(*c));
		pthread_setspecific(cl_key, c);
	}
	return c;
}

/*
 * Skill slug's checklist at path (NULL: its primary one), parsed: borrowed
 * from the thread's cache, good until the thread's next CL_CACHE_SLOTS
 * misses. NULL with res filled: 404 (no skill, no such checklist), 503.
 */
static const struct checklist_view *cl_load(struct app *app, struct store_reader *r,
					    const char *slug, const char *path,
					    struct response *res)
{
	struct cl_cache *cache = cl_cache();
	struct checklist_view *cl;
	struct store_checklist c;
	struct store_skill sk;
	struct store_file f;
	unsigned slot;
	int rc;

	rc = store_checklist_get(r, slug, path, &c);
	if (rc < 0) {
		api_db_error(app, r, res, "reading a checklist");
		return NULL;
	}
	if (rc == 0) {
		rc = store_skill_get(r, slug, &sk);
		if (rc < 0)
			api_db_error(app, r, res, "looking a skill up");
		else if (rc == 0)
			response_error(res, 404, "skill_not_found", "no skill has the slug '%s'", slug);
		else if (path)
			response_error(res, 404, "checklist_not_found",
				       "skill '%s' has no review checklist at '%s'", slug, path);
		else
			response_error(res, 404, "checklist_not_found",
				       "skill '%s' has no review checklist", slug);
		return NULL;
	}
	for (size_t i = 0; i < CL_CACHE_SLOTS; i++)
		if (cache->skill[i] && !strcmp(cache->skill[i], slug) &&
		    !strcmp(cache->view[i].path, c.path) && !strcmp(cache->view[i].digest, c.digest))
			return &cache->view[i];
	slot = cache->next++ % CL_CACHE_SLOTS;
	cl = &cache->view[slot];
	cl_fini(cl);
	free(cache->skill[slot]);
	cache->skill[slot] = NULL;
	cl->path = xstrdup(c.path);
	cl->digest = xstrdup(c.digest);
	if (c.primary) {
		rc = store_skill_get(r, slug, &sk);
		if (rc == 1 && sk.checklist.p)
			cl->json = cJSON_ParseWithLength(sk.checklist.p, sk.checklist.len);
	} else {
		rc = store_file_get(r, slug, cl->path, &f);
		if (rc == 1 && f.content.p)
			cl->json = checklist_parse(f.content.p, f.content.len);
	}
	if (rc < 0) {
		api_db_error(app, r, res, "reading a checklist");
		cl_fini(cl);
		return NULL;
	}
	if (!cl->json) {
		response_error(res, 404, "checklist_not_stored", "the checklist '%s' of '%s' is not "
			       "stored (larger than --max-file-size)", cl->path, slug);
		cl_fini(cl);
		return NULL;
	}
	cl_index(cl);
	cache->skill[slot] = xstrdup(slug);
	return cl;
}

static const struct cl_item *cl_find(const struct checklist_view *cl, const char *key)
{
	for (size_t i = 0; i < cl->n; i++)
		if (strcmp(cl->items[i].id, key) == 0)
			return &cl->items[i];
	/* an agent may name an item by its ref: "M1", "Item 17" */
	for (size_t i = 0; i < cl->n; i++)
		if (strcmp(cl->items[i].ref, key) == 0)
			return &cl->items[i];
	return NULL;
}

/* The checklist's own spelling of severity s (case-insensitive), or NULL. */
static const char *cl_severity(const struct checklist_view *cl, const char *s)
{
	const cJSON *lv;

	cJSON_ArrayForEach(lv, cl->severity)
		if (jstr(lv, "level") && strcasecmp(jstr(lv, "level"), s) == 0)
			return jstr(lv, "level");
	return NULL;
}

/* What an item of the checklist of the day was called at start. */
static cJSON *cl_start_items(const struct checklist_view *cl)
{
	cJSON *a = cJSON_CreateArray();

	for (size_t i = 0; i < cl->n; i++) {
		cJSON *o = cJSON_CreateObject();

		cJSON_AddStringToObject(o, "id", cl->items[i].id);
		cJSON_AddStringToObject(o, "ref", cl->items[i].ref);
		cJSON_AddStringToObject(o, "text", cl->items[i].title ? cl->items[i].title
								      : cl->items[i].text);
		jadd_str_or_null(o, "section", jstr(cl->items[i].section, "title"));
		cJSON_AddItemToArray(a, o);
	}
	return a;
}

/* ---- answers ---- */

static int64_t now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_REALTIME, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* A 400 naming the body field at fault. */
static void bad_field(struct response *res, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void bad_field(struct response *res, const char *field, const char *fmt, ...)
{
	cJSON *root = cJSON_CreateObject();
	cJSON *e = cJSON_AddObjectToObject(root, "error");
	struct buf msg;
	va_list ap;

	buf_init(&msg);
	va_start(ap, fmt);
	buf_vprintf(&msg, fmt, ap);
	va_end(ap);
	cJSON_AddStringToObject(e, "code", "bad_field");
	cJSON_AddStringToObject(e, "field", field);
	cJSON_AddStringToObject(e, "message", msg.data);
	buf_fini(&msg);
	response_json(res, 400, root);
	cJSON_Delete(root);
}

/* Answers a store's failure rc (REVIEWDB_ERROR, REVIEWDB_UNAVAILABLE or
 * REVIEWDB_IN_DOUBT) with 503, or 504 for a write that may have been
 * applied, logging err when there is one. A store that cannot be reached
 * now (PostgreSQL down or restarting) says when to try again. */
static void store_failed(struct app *app, struct response *res, int rc, const char *err)
{
	char after[16];

	if (err)
		log_msg(&app->log, LOG_ERROR, "%s", err);
	if (rc == REVIEWDB_IN_DOUBT) {
		response_error(res, 504, "unconfirmed", "the reviews store lost the connection "
			       "while committing this write and could not say whether it was "
			       "applied: read the review before sending it again");
		return;
	}
	if (rc != REVIEWDB_UNAVAILABLE) {
		response_error(res, 503, "unavailable", "the reviews database could not be written "
			       "or read");
		return;
	}
	response_error(res, 503, "unavailable", "the reviews store cannot be reached now: try "
		       "again in a moment");
	snprintf(after, sizeof(after), "%d", REVIEWDB_RETRY_AFTER);
	response_header(res, "Retry-After", after);
}

/* The request body as a JSON object, or NULL after a 400. */
static cJSON *body_object(const struct request *req, struct response *res)
{
	cJSON *o;

	if (!req->body || req->body_len == 0) {
		response_error(res, 400, "bad_body", "the body must be a JSON object");
		return NULL;
	}
	o = cJSON_ParseWithLength(req->body, req->body_len);
	if (!cJSON_IsObject(o)) {
		cJSON_Delete(o);
		response_error(res, 400, "bad_body", "the body must be a JSON object");
		return NULL;
	}
	return o;
}

/* Refuses members of o not in allowed (field is the path to o, "" at the
 * top). 0, or -1 after a 400. */
static int only_known(const cJSON *o, const char *const *allowed, const char *where,
		      struct response *res)
{
	const cJSON *m;

	cJSON_ArrayForEach(m, o) {
		bool known = false;

		for (size_t i = 0; allowed[i]; i++)
			known |= strcmp(m->string, allowed[i]) == 0;
		if (!known) {
			char field[160];

			snprintf(field, sizeof(field), "%s%s", where, m->string);
			bad_field(res, field, "unknown field '%s'", field);
			return -1;
		}
	}
	return 0;
}

/*
 * A string member: *out its value, NULL when absent (or null, when
 * may_be_null). 0, or -1 after a 400 naming where+key: not a string, empty
 * after trimming when required, longer than max bytes, not UTF-8, or
 * holding control characters other than newline and tab (when multiline).
 */
static int text_member(const cJSON *o, const char *key, const char *where, bool required,
		       bool may_be_null, size_t max, bool multiline, const char **out,
		       struct response *res)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	char field[160];
	const char *s;

	snprintf(field, sizeof(field), "%s%s", where, key);
	*out = NULL;
	if (!v || (may_be_null && cJSON_IsNull(v))) {
		if (required) {
			bad_field(res, field, "%s is required", field);
			return -1;
		}
		return 0;
	}
	if (!cJSON_IsString(v)) {
		bad_field(res, field, "%s must be a string%s", field, may_be_null ? " or null" : "");
		return -1;
	}
	s = v->valuestring;
	if (required && s[strspn(s, " \t\r\n")] == '\0') {
		bad_field(res, field, "%s must not be empty", field);
		return -1;
	}
	if (strlen(s) > max) {
		bad_field(res, field, "%s is longer than %zu bytes", field, max);
		return -1;
	}
	if (!utf8_valid(s, strlen(s))) {
		bad_field(res, field, "%s is not valid UTF-8", field);
		return -1;
	}
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if ((*p < 0x20 && !(multiline && (*p == '\n' || *p == '\t' || *p == '\r'))) ||
		    *p == 0x7f) {
			bad_field(res, field, "%s holds a control character", field);
			return -1;
		}
	*out = s;
	return 0;
}

static bool verdict_ok(const char *v)
{
	return !strcmp(v, "pass") || !strcmp(v, "fail") || !strcmp(v, "na");
}

/* The review's item as the API shows it: the stored state, or open. */
static cJSON *item_view(const struct cl_item *it, const cJSON *state)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "id", it->id);
	cJSON_AddStringToObject(o, "ref", it->ref);
	jadd_str_or_null(o, "title", it->title);
	cJSON_AddStringToObject(o, "text", it->text);
	if (it->html)
		cJSON_AddStringToObject(o, "html", it->html);
	jadd_str_or_null(o, "verdict", jstr(state, "verdict"));
	jadd_str_or_null(o, "severity", jstr(state, "severity"));
	jadd_str_or_null(o, "note", jstr(state, "note"));
	jadd_str_or_null(o, "evidence", jstr(state, "evidence"));
	jadd_str_or_null(o, "author", jstr(state, "author"));
	jadd_time(o, "updated_at", cJSON_GetNumberValue(cJSON_GetObjectItem(state, "updated_at")), true);
	cJSON_AddNumberToObject(o, "version",
				state ? cJSON_GetNumberValue(cJSON_GetObjectItem(state, "version")) : 0);
	return o;
}

struct counts {
	long pass, fail, na, open;
};

static void count(struct counts *c, const char *verdict)
{
	if (!verdict)
		c->open++;
	else if (!strcmp(verdict, "pass"))
		c->pass++;
	else if (!strcmp(verdict, "fail"))
		c->fail++;
	else
		c->na++;
}

static void add_counts(cJSON *o, const struct counts *c)
{
	cJSON *x = cJSON_AddObjectToObject(o, "counts");

	cJSON_AddNumberToObject(x, "pass", (double)c->pass);
	cJSON_AddNumberToObject(x, "fail", (double)c->fail);
	cJSON_AddNumberToObject(x, "na", (double)c->na);
	cJSON_AddNumberToObject(x, "open", (double)c->open);
}

static bool in_checklist(const struct checklist_view *cl, const char *id)
{
	for (size_t i = 0; i < cl->n; i++)
		if (strcmp(cl->items[i].id, id) == 0)
			return true;
	return false;
}

/* The review's header: what both the list and the view show. */
static void add_head(cJSON *o, const cJSON *stored)
{
	const char *id = jstr(stored, "id");
	char *url = xasprintf("/api/v1/reviews/%s", id), *page = xasprintf("/reviews/%s", id);

	cJSON_AddStringToObject(o, "id", id);
	cJSON_AddStringToObject(o, "url", url);
	cJSON_AddStringToObject(o, "page", page);
	cJSON_AddStringToObject(o, "skill", jstr(stored, "skill"));
	cJSON_AddStringToObject(o, "title", jstr(stored, "title"));
	jadd_str_or_null(o, "target", jstr(stored, "target"));
	jadd_str_or_null(o, "author", jstr(stored, "author"));
	cJSON_AddStringToObject(o, "status", jstr(stored, "status"));
	jadd_time(o, "created_at", cJSON_GetNumberValue(cJSON_GetObjectItem(stored, "created_at")), true);
	jadd_time(o, "updated_at", cJSON_GetNumberValue(cJSON_GetObjectItem(stored, "updated_at")), true);
	cJSON_AddNumberToObject(o, "seq", cJSON_GetNumberValue(cJSON_GetObjectItem(stored, "seq")));
	free(url);
	free(page);
}

/* The whole review against the checklist of the day. */
static cJSON *view_build(const cJSON *stored, const struct checklist_view *cl)
{
	const cJSON *states = cJSON_GetObjectItem(stored, "items");
	const cJSON *start = cJSON_GetObjectItem(stored, "start_items"), *x;
	cJSON *o = cJSON_CreateObject(), *c, *sections, *retired, *changes, *added, *removed, *lv;
	cJSON *sec = NULL;
	const cJSON *cur_section = NULL;
	struct counts all = { 0 }, in_sec = { 0 };

	add_head(o, stored);
	c = cJSON_AddObjectToObject(o, "checklist");
	cJSON_AddStringToObject(c, "path", jstr(stored, "checklist_path"));
	jadd_str_or_null(c, "title", jstr(cl->json, "title"));
	cJSON_AddStringToObject(c, "digest_at_start", jstr(stored, "checklist_digest"));
	cJSON_AddStringToObject(c, "digest", cl->digest);
	lv = cJSON_AddArrayToObject(o, "severity_levels");
	cJSON_ArrayForEach(x, cl->severity)
		if (jstr(x, "level"))
			cJSON_AddItemToArray(lv, cJSON_CreateString(jstr(x, "level")));
	sections = cJSON_AddArrayToObject(o, "sections");
	for (size_t i = 0; i < cl->n; i++) {
		const struct cl_item *it = &cl->items[i];
		const cJSON *st = cJSON_GetObjectItemCaseSensitive(states, it->id);

		if (it->section != cur_section || !sec) {
			if (sec)
				add_counts(sec, &in_sec);
			memset(&in_sec, 0, sizeof(in_sec));
			cur_section = it->section;
			sec = cJSON_CreateObject();
			jadd_str_or_null(sec, "id", jstr(it->section, "id"));
			if (cJSON_IsNumber(cJSON_GetObjectItem(it->section, "number")))
				cJSON_AddNumberToObject(sec, "number", cJSON_GetObjectItem(it->section,
											   "number")->valuedouble);
			else
				cJSON_AddNullToObject(sec, "number");
			jadd_str_or_null(sec, "title", jstr(it->section, "title"));
			cJSON_AddArrayToObject(sec, "items");
			cJSON_AddItemToArray(sections, sec);
		}
		cJSON_AddItemToArray(cJSON_GetObjectItem(sec, "items"), item_view(it, st));
		count(&all, jstr(st, "verdict"));
		count(&in_sec, jstr(st, "verdict"));
	}
	if (sec)
		add_counts(sec, &in_sec);
	/* counts go before the sections in the answer */
	{
		cJSON *tmp = cJSON_CreateObject();

		add_counts(tmp, &all);
		cJSON_AddItemToObject(o, "counts", cJSON_DetachItemFromObject(tmp, "counts"));
		cJSON_Delete(tmp);
	}
	/* retired: written or present at start, gone from the checklist now */
	retired = cJSON_AddArrayToObject(o, "retired");
	cJSON_ArrayForEach(x, states) {
		if (in_checklist(cl, x->string))
			continue;
		{
			cJSON *r = cJSON_Duplicate(x, true);

			jadd_time(r, "updated_at_iso", cJSON_GetNumberValue(cJSON_GetObjectItem(x, "updated_at")), true);
			cJSON_ReplaceItemInObject(r, "updated_at",
						  cJSON_DetachItemFromObject(r, "updated_at_iso"));
			cJSON_AddItemToArray(retired, r);
		}
	}
	cJSON_ArrayForEach(x, start) {
		const char *id = jstr(x, "id");
		cJSON *r;

		if (!id || in_checklist(cl, id) || cJSON_GetObjectItemCaseSensitive(states, id))
			continue;
		r = cJSON_CreateObject();
		cJSON_AddStringToObject(r, "id", id);
		jadd_str_or_null(r, "ref", jstr(x, "ref"));
		jadd_str_or_null(r, "text", jstr(x, "text"));
		jadd_str_or_null(r, "section", jstr(x, "section"));
		cJSON_AddNullToObject(r, "verdict");
		cJSON_AddItemToArray(retired, r);
	}
	changes = cJSON_AddObjectToObject(o, "checklist_changes");
	cJSON_AddBoolToObject(changes, "changed", strcmp(cl->digest, jstr(stored, "checklist_digest")) != 0);
	added = cJSON_AddArrayToObject(changes, "added");
	removed = cJSON_AddArrayToObject(changes, "removed");
	for (size_t i = 0; i < cl->n; i++) {
		bool was = false;

		cJSON_ArrayForEach(x, start)
			was |= jstr(x, "id") && strcmp(jstr(x, "id"), cl->items[i].id) == 0;
		if (!was)
			cJSON_AddItemToArray(added, cJSON_CreateString(cl->items[i].id));
	}
	cJSON_ArrayForEach(x, start)
		if (jstr(x, "id") && !in_checklist(cl, jstr(x, "id")))
			cJSON_AddItemToArray(removed, cJSON_CreateString(jstr(x, "id")));
	return o;
}

/* Reads review id (its head only when !full: skill, checklist path) and
 * its checklist of the day. 0 with *stored and *cl, or -1 with res filled. */
static int load(struct app *app, const char *id, bool full, cJSON **stored,
		const struct checklist_view **cl, struct response *res)
{
	struct store_reader *r;
	int rc;

	*stored = NULL;
	*cl = NULL;
	rc = full ? reviewdb_get(app->reviews, id, stored) : reviewdb_head(app->reviews, id, stored);
	if (rc == 0) {
		response_error(res, 404, "review_not_found", "no review has the id '%s'", id);
		return -1;
	}
	if (rc < 0) {
		store_failed(app, res, rc, NULL);
		return -1;
	}
	if (!(r = api_reader(app, res)) ||
	    !(*cl = cl_load(app, r, jstr(*stored, "skill"), jstr(*stored, "checklist_path"), res))) {
		cJSON_Delete(*stored);
		*stored = NULL;
		return -1;
	}
	return 0;
}

cJSON *reviews_view(struct app *app, const char *id, struct response *res)
{
	const struct checklist_view *cl;
	cJSON *stored, *v;

	if (load(app, id, true, &stored, &cl, res) != 0)
		return NULL;
	v = view_build(stored, cl);
	cJSON_Delete(stored);
	return v;
}

/* ---- the PR comment ---- */

/* Appends s on one line: newlines and tabs become spaces, and < > & their
 * entities, so that a note cannot open an HTML comment or close the
 * comment's <details> where it is pasted. */
static void one_line(struct buf *b, const char *s)
{
	for (; s && *s; s++) {
		if (*s == '\n' || *s == '\r' || *s == '\t')
			buf_putc(b, ' ');
		else if (*s == '<')
			buf_puts(b, "&lt;");
		else if (*s == '>')
			buf_puts(b, "&gt;");
		else if (*s == '&')
			buf_puts(b, "&amp;");
		else
			buf_putc(b, *s);
	}
}

/* Appends s on one line as it is (inside a code span, where nothing is
 * markup). */
static void one_line_raw(struct buf *b, const char *s)
{
	for (; s && *s; s++)
		buf_putc(b, *s == '\n' || *s == '\r' || *s == '\t' ? ' ' : *s);
}

/* Appends s as an inline code span (longer fences when it holds backticks). */
static void code_span(struct buf *b, const char *s)
{
	size_t run = 0, longest = 0;

	for (const char *p = s; *p; p++) {
		run = *p == '`' ? run + 1 : 0;
		if (run > longest)
			longest = run;
	}
	for (size_t i = 0; i <= longest; i++)
		buf_putc(b, '`');
	if (s[0] == '`')
		buf_putc(b, ' ');
	one_line_raw(b, s);
	if (*s && s[strlen(s) - 1] == '`')
		buf_putc(b, ' ');
	for (size_t i = 0; i <= longest; i++)
		buf_putc(b, '`');
}

/* "**M1** Owner documented": the ref and the title, or the text cut. */
static void item_label(struct buf *b, const cJSON *it)
{
	const char *t = jstr(it, "title") ? jstr(it, "title") : jstr(it, "text");
	size_t n = t ? strlen(t) : 0;

	buf_printf(b, "**%s** ", jstr(it, "ref") ? jstr(it, "ref") : jstr(it, "id"));
	if (n > 120) {
		char *cut = xstrndup(t, utf8_floor(t, 117));

		one_line(b, cut);
		buf_puts(b, "...");
		free(cut);
	} else {
		one_line(b, t);
	}
}

static void failing_item(struct buf *b, const cJSON *it)
{
	buf_puts(b, "- ");
	item_label(b, it);
	if (jstr(it, "note")) {
		buf_puts(b, ": ");
		one_line(b, jstr(it, "note"));
	}
	buf_putc(b, '\n');
	if (jstr(it, "evidence")) {
		buf_puts(b, "  Evidence: ");
		code_span(b, jstr(it, "evidence"));
		buf_putc(b, '\n');
	}
}

char *reviews_markdown(const cJSON *v, const char *base_url)
{
	const cJSON *counts = cJSON_GetObjectItem(v, "counts"), *c = cJSON_GetObjectItem(v, "checklist");
	const cJSON *s, *it, *lv;
	struct buf b;
	long pass = (long)cJSON_GetNumberValue(cJSON_GetObjectItem(counts, "pass"));
	long fail = (long)cJSON_GetNumberValue(cJSON_GetObjectItem(counts, "fail"));
	long na = (long)cJSON_GetNumberValue(cJSON_GetObjectItem(counts, "na"));
	long open = (long)cJSON_GetNumberValue(cJSON_GetObjectItem(counts, "open"));
	const char *digest = jstr(c, "digest");

	buf_init(&b);
	buf_puts(&b, "### Review: ");
	one_line(&b, jstr(v, "title"));
	buf_printf(&b, " (%ld pass · %ld fail · %ld n/a · %ld open)\n\n", pass, fail, na, open);
	buf_printf(&b, "- Checklist: %s / ", jstr(v, "skill"));
	code_span(&b, jstr(c, "path"));
	buf_printf(&b, " @ `%.12s`%s\n", digest,
		   strcmp(digest, jstr(c, "digest_at_start")) != 0 ? " (edited since the review started)" : "");
	buf_printf(&b, "- Review: %s%s\n", base_url, jstr(v, "page"));
	if (jstr(v, "target")) {
		buf_puts(&b, "- Target: ");
		one_line(&b, jstr(v, "target"));
		buf_putc(&b, '\n');
	}
	buf_printf(&b, "- Status: %s\n", jstr(v, "status"));
	if (fail > 0) {
		buf_puts(&b, "\n#### Failing items\n");
		/* by the checklist's severity levels, in its order, then the rest */
		cJSON_ArrayForEach(lv, cJSON_GetObjectItem(v, "severity_levels")) {
			bool head = false;

			cJSON_ArrayForEach(s, cJSON_GetObjectItem(v, "sections"))
				cJSON_ArrayForEach(it, cJSON_GetObjectItem(s, "items")) {
					if (!jstr(it, "verdict") || strcmp(jstr(it, "verdict"), "fail") ||
					    !jstr(it, "severity") || strcmp(jstr(it, "severity"), lv->valuestring))
						continue;
					if (!head)
						buf_printf(&b, "\n**%s**\n\n", lv->valuestring);
					head = true;
					failing_item(&b, it);
				}
		}
		{
			bool head = false;

			cJSON_ArrayForEach(s, cJSON_GetObjectItem(v, "sections"))
				cJSON_ArrayForEach(it, cJSON_GetObjectItem(s, "items")) {
					const char *sev = jstr(it, "severity");
					bool listed = false;

					if (!jstr(it, "verdict") || strcmp(jstr(it, "verdict"), "fail"))
						continue;
					cJSON_ArrayForEach(lv, cJSON_GetObjectItem(v, "severity_levels"))
						listed |= sev && !strcmp(sev, lv->valuestring);
					if (listed)
						continue;
					if (!head)
						buf_puts(&b, "\n**No severity given**\n\n");
					head = true;
					failing_item(&b, it);
				}
		}
	}
	buf_printf(&b, "\n<details>\n<summary>All %ld items</summary>\n\n", pass + fail + na + open);
	cJSON_ArrayForEach(s, cJSON_GetObjectItem(v, "sections")) {
		if (jstr(s, "title")) {
			buf_puts(&b, "**");
			one_line(&b, jstr(s, "title"));
			buf_puts(&b, "**\n\n");
		}
		cJSON_ArrayForEach(it, cJSON_GetObjectItem(s, "items")) {
			const char *vd = jstr(it, "verdict");

			buf_printf(&b, "- %s ", !vd ? "open" : !strcmp(vd, "na") ? "n/a" : vd);
			item_label(&b, it);
			buf_putc(&b, '\n');
		}
		buf_putc(&b, '\n');
	}
	buf_puts(&b, "</details>\n");
	return buf_detach(&b, NULL);
}

/* Answers a review view as JSON or, when asked, as the PR comment. */
/* Is ?format= absent, json or md? False after a 400 (checked before a
 * write, so that a bad query never follows a committed change). */
static bool format_ok(const struct request *req, struct response *res)
{
	const char *fmt = request_query(req, "format");

	if (fmt && strcmp(fmt, "md") != 0 && strcmp(fmt, "json") != 0) {
		response_error(res, 400, "bad_format", "format must be json or md");
		return false;
	}
	return true;
}

/* After a committed write whose review cannot be shown against its
 * checklist (gone from the index, or the index unreadable): still a
 * success, with what is known. */
static void answer_written(struct response *res, int status, const char *id)
{
	cJSON *o = cJSON_CreateObject();
	char *url = xasprintf("/api/v1/reviews/%s", id), *page = xasprintf("/reviews/%s", id);

	response_fini(res);
	response_init(res);
	cJSON_AddStringToObject(o, "id", id);
	cJSON_AddStringToObject(o, "url", url);
	cJSON_AddStringToObject(o, "page", page);
	cJSON_AddStringToObject(o, "note", "saved; the review cannot be shown now: its checklist is "
				"not in the index");
	response_json(res, status, o);
	res->dynamic = true;
	cJSON_Delete(o);
	free(url);
	free(page);
}

static void answer_view(struct app *app, struct request *req, struct response *res, cJSON *v,
			int status)
{
	const char *fmt = request_query(req, "format");
	bool md = fmt ? strcmp(fmt, "md") == 0 : false;

	if (!format_ok(req, res))
		return;
	if (!fmt && req->accept) {
		const char *p = req->accept;
		char type[64];
		double q, qmd = 0, qjson = 0;

		while (request_qlist_next(&p, type, sizeof(type), &q)) {
			if (!strcasecmp(type, "text/markdown") && q > qmd)
				qmd = q;
			else if (!strcasecmp(type, "application/json") && q > qjson)
				qjson = q;
		}
		md = qmd > qjson;
	}
	if (md) {
		char *base = request_base_url(req, app->cfg->bind, app->port);
		char *text = reviews_markdown(v, base);

		response_take(res, status, "text/markdown; charset=utf-8", text, strlen(text));
		free(base);
	} else {
		response_json(res, status, v);
	}
	response_vary(res, "Accept");
	res->dynamic = true;
	response_header(res, "Cache-Control", "no-cache");
}

/* ---- handlers ---- */

int reviews_start_from(struct app *app, const cJSON *body, char id[REVIEW_ID_LEN + 1],
		       struct response *res)
{
	static const char *const allowed[] = { "skill", "checklist", "title", "target", "author", NULL };
	const struct checklist_view *cl;
	struct review_start s = { 0 };
	struct store_reader *r;
	char err[256];
	cJSON *start;
	char *items;
	int rc;

	if (!cJSON_IsObject(body)) {
		response_error(res, 400, "bad_body", "the body must be a JSON object");
		return -1;
	}
	if (only_known(body, allowed, "", res) ||
	    text_member(body, "skill", "", true, false, 128, false, &s.skill, res) ||
	    text_member(body, "checklist", "", false, true, 1024, false, &s.checklist_path, res) ||
	    text_member(body, "title", "", true, false, REVIEW_TITLE_MAX, false, &s.title, res) ||
	    text_member(body, "target", "", false, true, REVIEW_TARGET_MAX, false, &s.target, res) ||
	    text_member(body, "author", "", false, true, REVIEW_AUTHOR_MAX, false, &s.author, res))
		return -1;
	if (!(r = api_reader(app, res)) || !(cl = cl_load(app, r, s.skill, s.checklist_path, res)))
		return -1;
	start = cl_start_items(cl);
	items = cJSON_PrintUnformatted(start);
	s.checklist_path = cl->path;
	s.checklist_digest = cl->digest;
	s.start_items = items;
	rc = reviewdb_create(app->reviews, &s, now_ms(), id, err, sizeof(err));
	if (rc != 0) {
		store_failed(app, res, rc, err);
		rc = -1;
	}
	free(items);
	cJSON_Delete(start);
	return rc;
}

void reviews_start(void *ctx, struct request *req, struct response *res)
{
	struct app *app = ctx;
	char id[REVIEW_ID_LEN + 1];
	cJSON *body, *v;
	char *loc;

	if (!format_ok(req, res) || !(body = body_object(req, res)))
		return;
	if (reviews_start_from(app, body, id, res) == 0) {
		v = reviews_view(app, id, res);
		if (v)
			answer_view(app, req, res, v, 201);
		else
			answer_written(res, 201, id);
		loc = xasprintf("/api/v1/reviews/%s", id);
		response_header(res, "Location", loc);
		free(loc);
		cJSON_Delete(v);
	}
	cJSON_Delete(body);
}

cJSON *reviews_list_from(struct app *app, const char *skill, const char *status, long limit,
			 const char *cursor, struct response *res)
{
	struct review_filter f = { 0 };
	char *after_time = NULL, *after_id = NULL;
	struct store_reader *r;
	cJSON *list = NULL, *root = NULL, *data, *x;
	int more;

	f.skill = skill;
	if (status && strcmp(status, "open") != 0 && strcmp(status, "closed") != 0) {
		response_error(res, 400, "bad_status", "status must be open or closed");
		return NULL;
	}
	f.status = status;
	f.limit = limit;
	if (cursor) {
		char *end;

		if (cursor_read(cursor, 'v', &after_time, &after_id) != 0 ||
		    (errno = 0, f.after_created = strtoll(after_time, &end, 10), errno || *end ||
		     strlen(after_id) != REVIEW_ID_LEN)) {
			free(after_time);
			free(after_id);
			response_error(res, 400, "bad_cursor",
				       "cursor is not one this server gave out (use next_cursor as it is)");
			return NULL;
		}
		f.after_id = after_id;
	}
	more = reviewdb_list(app->reviews, &f, &list);
	if (more < 0 || !(r = api_reader(app, res))) {
		if (more < 0)
			store_failed(app, res, more, NULL);
		goto out;
	}
	root = cJSON_CreateObject();
	data = cJSON_AddArrayToObject(root, "data");
	cJSON_ArrayForEach(x, list) {
		const struct checklist_view *cl;
		struct response ignored;
		cJSON *o = cJSON_CreateObject();
		struct counts c = { 0 };
		const cJSON *states = cJSON_GetObjectItem(x, "items");

		add_head(o, x);
		response_init(&ignored);
		/* counts against the checklist of the day; null when it is gone */
		if ((cl = cl_load(app, r, jstr(x, "skill"), jstr(x, "checklist_path"), &ignored))) {
			for (size_t i = 0; i < cl->n; i++)
				count(&c, jstr(cJSON_GetObjectItemCaseSensitive(states, cl->items[i].id),
					       "verdict"));
			add_counts(o, &c);
		} else {
			cJSON_AddNullToObject(o, "counts");
		}
		response_fini(&ignored);
		cJSON_AddItemToArray(data, o);
	}
	if (more && cJSON_GetArraySize(list) > 0) {
		const cJSON *last = cJSON_GetArrayItem(list, cJSON_GetArraySize(list) - 1);
		char t[32], *next;

		snprintf(t, sizeof(t), "%lld",
			 (long long)cJSON_GetNumberValue(cJSON_GetObjectItem(last, "created_at")));
		next = cursor_make('v', t, jstr(last, "id"));
		cJSON_AddStringToObject(root, "next_cursor", next);
		free(next);
	} else {
		cJSON_AddNullToObject(root, "next_cursor");
	}
out:
	cJSON_Delete(list);
	free(after_time);
	free(after_id);
	return root;
}

void reviews_index(void *ctx, struct request *req, struct response *res)
{
	struct app *app = ctx;
	cJSON *root;
	long limit;

	if (request_query_long(req, "limit", 1, REVIEW_PAGE_MAX, REVIEW_PAGE_DEFAULT, &limit) != 0) {
		response_error(res, 400, "bad_limit", "limit must be an integer from 1 to %d",
			       REVIEW_PAGE_MAX);
		return;
	}
	root = reviews_list_from(app, request_query(req, "skill"), request_query(req, "status"),
				 limit, request_query(req, "cursor"), res);
	if (!root)
		return;
	response_json(res, 200, root);
	res->dynamic = true;
	response_header(res, "Cache-Control", "no-cache");
	cJSON_Delete(root);
}

void reviews_show(void *ctx, struct request *req, struct response *res)
{
	struct app *app = ctx;
	cJSON *v = reviews_view(app, request_param(req, "id"), res);

	if (!v)
		return;
	answer_view(app, req, res, v, 200);
	cJSON_Delete(v);
}

void reviews_change(void *ctx, struct request *req, struct response *res)
{
	static const char *const allowed[] = { "title", "target", "status", "author", NULL };
	struct app *app = ctx;
	struct review_edit e = { 0 };
	const char *id = request_param(req, "id");
	char err[256];
	cJSON *body, *v;
	int rc;

	if (!format_ok(req, res) || !(body = body_object(req, res)))
		return;
	if (only_known(body, allowed, "", res) ||
	    text_member(body, "title", "", false, false, REVIEW_TITLE_MAX, false, &e.title, res) ||
	    text_member(body, "target", "", false, true, REVIEW_TARGET_MAX, false, &e.target, res) ||
	    text_member(body, "status", "", false, false, 16, false, &e.status, res) ||
	    text_member(body, "author", "", false, true, REVIEW_AUTHOR_MAX, false, &e.author, res))
		goto out;
	if (e.title && e.title[strspn(e.title, " \t\r\n")] == '\0') {
		bad_field(res, "title", "title must not be empty");
		goto out;
	}
	if (e.status && strcmp(e.status, "open") != 0 && strcmp(e.status, "closed") != 0) {
		bad_field(res, "status", "status must be open or closed");
		goto out;
	}
	e.clear_target = cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(body, "target"));
	rc = reviewdb_edit(app->reviews, id, &e, now_ms(), err, sizeof(err));
	if (rc == 0)
		hub_notify(app->hub, id);
	if (rc == REVIEWDB_NOT_FOUND)
		response_error(res, 404, "review_not_found", "no review has the id '%s'", id);
	else if (rc != 0)
		store_failed(app, res, rc, err);
	else if ((v = reviews_view(app, id, res)) != NULL) {
		answer_view(app, req, res, v, 200);
		cJSON_Delete(v);
	} else {
		answer_written(res, 200, id);
	}
out:
	cJSON_Delete(body);
}

void reviews_remove(void *ctx, struct request *req, struct response *res)
{
	struct app *app = ctx;
	const char *id = request_param(req, "id");
	char err[256];
	int rc = reviewdb_delete(app->reviews, id, err, sizeof(err));

	if (rc == 0)
		hub_notify(app->hub, id);   /* its streams end */

	if (rc == REVIEWDB_NOT_FOUND) {
		response_error(res, 404, "review_not_found", "no review has the id '%s'", id);
	} else if (rc != 0) {
		store_failed(app, res, rc, err);
	} else {
		response_copy(res, 204, "text/plain; charset=utf-8", "", 0);
		res->dynamic = true;
	}
}

/*
 * Reads one item write from o (where: the field path for errors) against
 * the checklist: 0 with *w filled (pointing into o and cl), or -1 after a
 * 400. with_item: o names its item ("item"); else item_key does.
 */
static int item_write_read(struct app *app, const cJSON *o, const char *where,
			   const struct checklist_view *cl, const char *item_key,
			   struct item_write *w, struct response *res)
{
	static const char *const in_batch[] = { "item", "verdict", "severity", "note", "evidence",
						"version", NULL };
	static const char *const alone[] = { "verdict", "severity", "note", "evidence", "author",
					     NULL };
	const struct cl_item *it;
	const cJSON *v;
	const char *sev;
	char field[160];

	memset(w, 0, sizeof(*w));
	w->if_version = -1;
	if (!cJSON_IsObject(o)) {
		bad_field(res, where[0] ? where : "body", "%s must be an object",
			  where[0] ? where : "the body");
		return -1;
	}
	if (only_known(o, item_key ? alone : in_batch, where, res))
		return -1;
	if (!item_key && text_member(o, "item", where, true, false, 256, false, &item_key, res))
		return -1;
	it = cl_find(cl, item_key);
	if (!it) {
		snprintf(field, sizeof(field), "%sitem", where);
		if (where[0])
			bad_field(res, field, "the checklist has no item '%s' (an id or a ref such as M1)",
				  item_key);
		else
			response_error(res, 404, "item_not_found", "the checklist has no item '%s' "
				       "(an id or a ref such as M1)", item_key);
		return -1;
	}
	w->item_id = it->id;
	w->ref = it->ref;
	w->text = it->title ? it->title : it->text;
	w->section = jstr(it->section, "title");
	snprintf(field, sizeof(field), "%sverdict", where);
	v = cJSON_GetObjectItemCaseSensitive(o, "verdict");
	if (!v) {
		bad_field(res, field, "%s is required: pass, fail, na or null", field);
		return -1;
	}
	if (!cJSON_IsNull(v) && (!cJSON_IsString(v) || !verdict_ok(v->valuestring))) {
		bad_field(res, field, "%s must be pass, fail, na or null", field);
		return -1;
	}
	w->set = ITEM_SET_VERDICT;
	w->verdict = cJSON_IsString(v) ? v->valuestring : NULL;
	if (text_member(o, "severity", where, false, true, 64, false, &sev, res))
		return -1;
	if (cJSON_GetObjectItemCaseSensitive(o, "severity")) {
		snprintf(field, sizeof(field), "%sseverity", where);
		if (sev && (!w->verdict || strcmp(w->verdict, "fail") != 0)) {
			bad_field(res, field, "%s goes with a fail verdict only", field);
			return -1;
		}
		if (sev && cJSON_GetArraySize(cl->severity) > 0 && !(sev = cl_severity(cl, sev))) {
			struct buf levels;
			const cJSON *lv;

			buf_init(&levels);
			cJSON_ArrayForEach(lv, cl->severity)
				if (jstr(lv, "level"))
					buf_printf(&levels, "%s%s", levels.len ? ", " : "", jstr(lv, "level"));
			bad_field(res, field, "%s must be one of the checklist's levels: %s", field,
				  levels.data);
			buf_fini(&levels);
			return -1;
		}
		w->set |= ITEM_SET_SEVERITY;
		w->severity = sev;
	}
	if (text_member(o, "note", where, false, true, app->cfg->max_review_text, true, &w->note, res) ||
	    text_member(o, "evidence", where, false, true, app->cfg->max_review_text, true,
			&w->evidence, res))
		return -1;
	if (cJSON_GetObjectItemCaseSensitive(o, "note"))
		w->set |= ITEM_SET_NOTE;
	if (cJSON_GetObjectItemCaseSensitive(o, "evidence"))
		w->set |= ITEM_SET_EVIDENCE;
	v = cJSON_GetObjectItemCaseSensitive(o, "version");
	if (v) {
		snprintf(field, sizeof(field), "%sversion", where);
		if (!cJSON_IsNumber(v) || v->valuedouble < 0 || v->valuedouble > 1e15 ||
		    v->valuedouble != (double)(int64_t)v->valuedouble) {
			bad_field(res, field, "%s must be a whole number from 0", field);
			return -1;
		}
		w->if_version = (int64_t)v->valuedouble;
	}
	return 0;
}

/* The item view of a stored item state, matched to the checklist. */
static cJSON *result_item(const struct checklist_view *cl, const cJSON *state)
{
	const struct cl_item *it = cl_find(cl, jstr(state, "id"));

	return it ? item_view(it, state) : cJSON_Duplicate(state, true);
}

/* Answers a write's outcome. */
static void write_outcome(struct app *app, struct response *res, int rc, cJSON *results,
			  size_t failed, const char *review_id, const struct checklist_view *cl,
			  const char *err, bool batch)
{
	cJSON *root, *x;

	if (rc == REVIEWDB_NOT_FOUND) {
		response_error(res, 404, "review_not_found", "no review has the id '%s'", review_id);
	} else if (rc == REVIEWDB_CLOSED) {
		response_error(res, 409, "review_closed", "the review is closed: reopen it "
			       "(PATCH /api/v1/reviews/%s {\"status\":\"open\"}) to change it", review_id);
	} else if (rc == REVIEWDB_STALE) {
		root = cJSON_CreateObject();
		x = cJSON_AddObjectToObject(root, "error");
		cJSON_AddStringToObject(x, "code", "stale_version");
		cJSON_AddStringToObject(x, "message", "the item changed since that version: here it "
					"is as it is now; nothing was written");
		if (batch)
			cJSON_AddNumberToObject(x, "index", (double)failed);
		cJSON_AddItemToObject(root, "item", result_item(cl, cJSON_GetArrayItem(results, 0)));
		response_json(res, 412, root);
		cJSON_Delete(root);
	} else if (rc != 0) {
		store_failed(app, res, rc, err);
	} else if (!batch) {
		x = result_item(cl, cJSON_GetArrayItem(results, 0));
		response_json(res, 200, x);
		cJSON_Delete(x);
	} else {
		const cJSON *s;

		root = cJSON_CreateObject();
		x = cJSON_AddArrayToObject(root, "results");
		cJSON_ArrayForEach(s, results)
			cJSON_AddItemToArray(x, result_item(cl, s));
		response_json(res, 200, root);
		cJSON_Delete(root);
	}
	res->dynamic = true;
}

/* If-Match: "<version>" (or a bare number) into *out; -1 when absent or
 * "*" (any version: RFC 9110). 0, or -1 after a 400. */
static int if_match_version(const struct request *req, int64_t *out, struct response *res)
{
	const char *p = req->if_match;
	bool quoted;
	char *end;

	*out = -1;
	if (!p)
		return 0;
	p += strspn(p, " \t");
	if (!strcmp(p, "*"))
		return 0;
	quoted = *p == '"';
	if (quoted)
		p++;
	errno = 0;
	*out = strtoll(p, &end, 10);
	if (p == end || *p < '0' || *p > '9' || errno || *out < 0 ||
	    strcmp(end, quoted ? "\"" : "") != 0) {
		response_error(res, 400, "bad_if_match", "If-Match must be the item's version "
			       "in quotes, e.g. \"3\" (or *)");
		return -1;
	}
	return 0;
}

void reviews_item(void *ctx, struct request *req, struct response *res)
{
	struct app *app = ctx;
	const char *id = request_param(req, "id");
	const struct checklist_view *cl;
	struct item_write w;
	char err[256] = "";
	cJSON *stored = NULL, *body, *results = NULL;
	int64_t version;
	size_t failed = 0;
	int rc;

	if (!(body = body_object(req, res)))
		return;
	if (if_match_version(req, &version, res) != 0 || load(app, id, false, &stored, &cl, res) != 0)
		goto out;
	if (item_write_read(app, body, "", cl, request_param(req, "item"), &w, res) == 0 &&
	    text_member(body, "author", "", false, true, REVIEW_AUTHOR_MAX, false, &w.author, res) == 0) {
		w.if_version = version;
		rc = reviewdb_write_items(app->reviews, id, &w, 1, now_ms(), &results, &failed, err,
					 sizeof(err));
		if (rc == 0)
			hub_notify(app->hub, id);
		write_outcome(app, res, rc, results, failed, id, cl, err, false);
	}
out:
	cJSON_Delete(results);
	cJSON_Delete(stored);
	cJSON_Delete(body);
}

void reviews_verdicts_from(struct app *app, const char *id, const cJSON *body,
			   struct response *res)
{
	static const char *const allowed[] = { "verdicts", "author", NULL };
	const char *author;
	const struct checklist_view *cl;
	struct item_write *w = NULL;
	char err[256] = "";
	cJSON *stored = NULL, *results = NULL;
	const cJSON *list, *o;
	size_t n = 0, failed = 0;
	int rc;

	if (!cJSON_IsObject(body)) {
		response_error(res, 400, "bad_body", "the body must be a JSON object");
		return;
	}
	if (only_known(body, allowed, "", res) ||
	    text_member(body, "author", "", false, true, REVIEW_AUTHOR_MAX, false, &author, res))
		goto out;
	list = cJSON_GetObjectItemCaseSensitive(body, "verdicts");
	if (!cJSON_IsArray(list) || cJSON_GetArraySize(list) == 0) {
		bad_field(res, "verdicts", "verdicts must be a non-empty array");
		goto out;
	}
	if (cJSON_GetArraySize(list) > REVIEW_BATCH_MAX) {
		bad_field(res, "verdicts", "at most %d verdicts per call (%d given)", REVIEW_BATCH_MAX,
			  cJSON_GetArraySize(list));
		goto out;
	}
	if (load(app, id, false, &stored, &cl, res) != 0)
		goto out;
	w = xcalloc((size_t)cJSON_GetArraySize(list), sizeof(*w));
	cJSON_ArrayForEach(o, list) {
		char where[48];

		snprintf(where, sizeof(where), "verdicts[%zu].", n);
		if (item_write_read(app, o, where, cl, NULL, &w[n], res) != 0)
			goto out;
		for (size_t k = 0; k < n; k++)
			if (strcmp(w[k].item_id, w[n].item_id) == 0) {
				char field[64];

				snprintf(field, sizeof(field), "verdicts[%zu].item", n);
				bad_field(res, field, "item '%s' is given twice (also at verdicts[%zu])",
					  w[n].item_id, k);
				goto out;
			}
		w[n++].author = author;
	}
	rc = reviewdb_write_items(app->reviews, id, w, n, now_ms(), &results, &failed, err,
				 sizeof(err));
	if (rc == 0)
		hub_notify(app->hub, id);
	write_outcome(app, res, rc, results, failed, id, cl, err, true);
out:
	free(w);
	cJSON_Delete(results);
	cJSON_Delete(stored);
}

void reviews_verdicts(void *ctx, struct request *req, struct response *res)
{
	cJSON *body = body_object(req, res);

	if (!body)
		return;
	reviews_verdicts_from(ctx, request_param(req, "id"), body, res);
	cJSON_Delete(body);
}

/* ---- the live event stream ---- */

/* One stream's state: what it sent up to, and the bytes not sent yet. */
struct events {
	struct app *app;
	char id[REVIEW_ID_LEN + 1];
	int64_t after;          /* the last seq sent */
	struct buf out;         /* made, not all sent yet */
	size_t sent;            /* of out */
	time_t last;            /* when something was last sent (monotonic) */
	bool started, gone;
};

static time_t mono_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec;
}

/* Fills e->out with what there is to send: the opening comment, the
 * review's new events, the end when it was deleted, or a heartbeat when
 * nothing was sent for a while. A store away for now (PostgreSQL
 * restarting) does not end the stream: it sends what it missed once the
 * store is back, when a write or the store's listener coming back (which
 * wakes every stream) or the heartbeat asks again. */
static void events_make(struct events *e)
{
	cJSON *list = NULL;
	const cJSON *ev;
	int rc;

	buf_fini(&e->out);
	buf_init(&e->out);
	e->sent = 0;
	if (!e->started) {
		e->started = true;
		buf_printf(&e->out, "retry: 2000\n: review %s, events after %lld\n\n", e->id,
			   (long long)e->after);
		return;
	}
	rc = reviewdb_events(e->app->reviews, e->id, e->after, 100, &list);
	if (rc == 0) {
		buf_puts(&e->out, "event: deleted\ndata: {}\n\n");
		e->gone = true;
		return;
	}
	if (rc < 0 && rc != REVIEWDB_UNAVAILABLE) {
		e->gone = true;
		return;
	}
	cJSON_ArrayForEach(ev, list) {
		char *data = cJSON_PrintUnformatted(ev);

		e->after = (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItem(ev, "seq"));
		buf_printf(&e->out, "id: %lld\nevent: change\ndata: %s\n\n", (long long)e->after, data);
		free(data);
	}
	cJSON_Delete(list);
	if (e->out.len == 0 && mono_now() - e->last >= REVIEW_STREAM_PING)
		buf_puts(&e->out, ": ping\n\n");
}

static long events_read(void *ctx, char *buf, size_t max)
{
	struct events *e = ctx;
	size_t n;

	if (e->sent >= e->out.len) {
		if (e->gone)
			return -1;
		events_make(e);
		if (e->out.len == 0)
			return e->gone ? -1 : 0;
	}
	n = e->out.len - e->sent < max ? e->out.len - e->sent : max;
	memcpy(buf, e->out.data + e->sent, n);
	e->sent += n;
	e->last = mono_now();
	return (long)n;
}

static void events_free(void *ctx)
{
	struct events *e = ctx;

	buf_fini(&e->out);
	free(e);
}

void reviews_events(void *ctx, struct request *req, struct response *res)
{
	struct app *app = ctx;
	const char *id = request_param(req, "id");
	const char *from = req->last_event_id ? req->last_event_id : request_query(req, "after");
	struct events *e;
	cJSON *head = NULL;
	long long after = -1;
	int rc;

	if (from) {
		char *end;

		errno = 0;
		after = strtoll(from, &end, 10);
		if (*from < '0' || *from > '9' || errno || *end || after < 0) {
			response_error(res, 400, "bad_after", "Last-Event-ID (or after=) must be an "
				       "event id: a whole number");
			return;
		}
	}
	rc = reviewdb_head(app->reviews, id, &head);
	if (rc == 0) {
		response_error(res, 404, "review_not_found", "no review has the id '%s'", id);
		return;
	}
	if (rc < 0) {
		store_failed(app, res, rc, NULL);
		return;
	}
	e = xcalloc(1, sizeof(*e));
	e->app = app;
	snprintf(e->id, sizeof(e->id), "%s", id);
	/* from now on, unless the client says where it was */
	e->after = after >= 0 ? after : (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItem(head, "seq"));
	e->last = mono_now();
	buf_init(&e->out);
	cJSON_Delete(head);
	res->stream = xcalloc(1, sizeof(*res->stream));
	res->stream->ctx = e;
	res->stream->read = events_read;
	res->stream->free = events_free;
	snprintf(res->stream->topic, sizeof(res->stream->topic), "%s", id);
	res->status = 200;
	res->content_type = "text/event-stream; charset=utf-8";
	res->dynamic = true;
	response_header(res, "Cache-Control", "no-store");
	response_header(res, "X-Accel-Buffering", "no");
}
