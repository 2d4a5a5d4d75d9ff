/* SPDX-License-Identifier: MIT */
/*
 * searchrows: writes the rows of the FTS5 table `search` at index time, one
 * skill at a time (the rows and URLs search.h describes): the skill, the
 * sections of its reference files, its checklist items and its evals, with
 * the match markers U+E000 and U+E001 made spaces in all text, and the
 * skill's row of `search_head` (its name, description and headings, the
 * first pass of a top-k search: search.c). Each row's text goes into the
 * skill's search document (searchdoc.h, packed into search_docs), its
 * rowid into search_rows, and its words into the index of `search`, whose
 * external content those make (migration 0009). Runs on the writer connection
 * inside the index transaction (index.c); search (store) answers queries
 * from the rows. No globals; the statements are the caller's struct
 * searchrows, on the writer's thread.
 */
#include "skilld/indexing/searchrows.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "skilld/indexing/frontmatter.h"
#include "skilld/indexing/scan.h"
#include "skilld/store/search.h"
#include "skilld/base/text.h"
#include "skilld/base/util.h"
#include "skilld/store/pack.h"
#include "skilld/store/searchdoc.h"

#define MARKER_LEN (sizeof(SEARCH_MARK_OPEN) - 1)
#define TITLE_WORDS_MAX 60      /* bytes of text used as an untitled item's title */

/* A copy of s[0..n) with the snippet markers (SEARCH_MARK_OPEN and
 * SEARCH_MARK_CLOSE, U+E000 and U+E001) made spaces. */
static char *strip_markers(const char *s, size_t n)
{
	struct buf b;

	buf_init(&b);
	for (size_t i = 0; i < n; i++) {
		if (n - i >= MARKER_LEN && (memcmp(s + i, SEARCH_MARK_OPEN, MARKER_LEN) == 0 ||
					    memcmp(s + i, SEARCH_MARK_CLOSE, MARKER_LEN) == 0)) {
			buf_putc(&b, ' ');
			i += MARKER_LEN - 1;
			continue;
		}
		buf_putc(&b, s[i]);
	}
	buf_putc(&b, '\0');
	return buf_detach(&b, NULL);
}

enum sr_stmt {
	SR_ROW,          /* into search_rows */
	SR_INDEX,        /* into the index of search */
	SR_DOC,          /* into search_docs */
	SR_HEAD,         /* into search_head */
	SR_UNINDEX,      /* a skill's rows out of the index of search */
	SR_UNROW,        /* ... out of search_rows */
	SR_UNDOC,        /* ... out of search_docs */
	SR_UNHEAD,       /* ... out of search_head */
	SR_COUNT_
};

static const char *const sr_sql[SR_COUNT_] = {
	[SR_ROW] = "INSERT INTO search_rows (id) VALUES (?1)",
	[SR_INDEX] = "INSERT INTO search (kind, skill, skill_id, path, anchor, url, name, "
		     "description, headings, title, body, rowid) "
		     "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
	[SR_DOC] = "INSERT INTO search_docs (skill_id, doc) VALUES (?1, ?2)",
	[SR_HEAD] = "INSERT INTO search_head (rowid, name, description, headings) "
		    "VALUES (?1, ?2, ?3, ?4)",
	/* The index first: FTS5 reads what to take out of it from the
	 * content, search_rows, which must still hold the rows. */
	[SR_UNINDEX] = "DELETE FROM search WHERE rowid >= ?1 AND rowid < ?2",
	[SR_UNROW] = "DELETE FROM search_rows WHERE id >= ?1 AND id < ?2",
	[SR_UNDOC] = "DELETE FROM search_docs WHERE skill_id = ?1",
	[SR_UNHEAD] = "DELETE FROM search_head WHERE rowid = ?1",
};

struct searchrows {
	sqlite3 *db;
	sqlite3_stmt *st[SR_COUNT_];
	struct pack_ctx *pack;
	struct buf doc;          /* the skill's search document being made */
	struct buf packed;
};

struct searchrows *searchrows_new(sqlite3 *db)
{
	struct searchrows *w = xcalloc(1, sizeof(*w));

	w->db = db;
	w->pack = pack_ctx_new();
	buf_init(&w->doc);
	buf_init(&w->packed);
	return w;
}

void searchrows_free(struct searchrows *w)
{
	if (!w)
		return;
	for (int i = 0; i < SR_COUNT_; i++)
		sqlite3_finalize(w->st[i]);
	pack_ctx_free(w->pack);
	buf_fini(&w->doc);
	buf_fini(&w->packed);
	free(w);
}

void searchrows_use(struct searchrows *w, const struct pack_dict *d)
{
	pack_ctx_use(w->pack, d);
}

/* Statement i, reset, prepared on first use; NULL on an error. */
static sqlite3_stmt *sr_stmt(struct searchrows *w, enum sr_stmt i)
{
	if (!w->st[i] && sqlite3_prepare_v3(w->db, sr_sql[i], -1, SQLITE_PREPARE_PERSISTENT,
					    &w->st[i], NULL) != SQLITE_OK)
		return NULL;
	return w->st[i];
}

/* Steps st and makes it ready for the next use: 0 when it ran to its
 * end, -1 when not. */
static int sr_step(sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

struct row_writer {
	struct searchrows *w;
	sqlite3_int64 skill_id;
	sqlite3_int64 n;        /* rows written for the skill */
	const struct skill_record *r;
};

/* s with the marker characters removed, or NULL. */
static char *clean_or_null(const char *s, size_t n)
{
	return s ? strip_markers(s, n) : NULL;
}

/* Binds s (text, the caller's until the statement is stepped) or NULL. */
static void bind_text_or_null(sqlite3_stmt *st, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

/* Adds one row: its text to the skill's document, its rowid to
 * search_rows, its words to the index of search; body is
 * body[0..body_len), headings a skill's (else NULL). 0 or -1. */
static int put_row(struct row_writer *rw, const char *kind, const char *path, const char *anchor,
		   const char *url, const char *name, const char *description, const char *headings,
		   const char *title, const char *body, size_t body_len)
{
	struct searchrows *w = rw->w;
	sqlite3_stmt *row = sr_stmt(w, SR_ROW), *index = sr_stmt(w, SR_INDEX);
	const char *from[SD_FIELDS] = { kind, path, anchor, url, name, description, headings, title,
					body };
	char *col[SD_FIELDS];
	/* the index's parameters of the fields (kind and url are bound as
	 * they are, without looking for markers: they are ours) */
	static const int param[SD_FIELDS] = { 1, 4, 5, 6, 7, 8, 9, 10, 11 };
	sqlite3_int64 rowid;
	int rc = -1;

	if (!row || !index)
		return -1;
	if (rw->n >= ((sqlite3_int64)1 << SEARCH_ROW_BITS))
		return 0;  /* 16 million rows of one skill: the rest are not searchable */
	rowid = (rw->skill_id << SEARCH_ROW_BITS) + rw->n++;
	for (int f = 0; f < SD_FIELDS; f++)
		col[f] = f == SD_KIND || f == SD_URL || !from[f] ? NULL
			 : strip_markers(from[f], f == SD_BODY ? body_len : strlen(from[f]));
	col[SD_KIND] = xstrdup(kind);
	col[SD_URL] = xstrdup(url);
	searchdoc_row(&w->doc, (const char *const *)col);
	sqlite3_bind_int64(row, 1, rowid);
	sqlite3_bind_text(index, 2, rw->r->slug, -1, SQLITE_STATIC);
	sqlite3_bind_int64(index, 3, rw->skill_id);
	for (int f = 0; f < SD_FIELDS; f++)
		bind_text_or_null(index, param[f], col[f]);
	sqlite3_bind_int64(index, 12, rowid);
	if (sr_step(row) == 0 && sr_step(index) == 0) {
		rc = 0;
	} else {
		sqlite3_reset(index);
		sqlite3_clear_bindings(index);
	}
	for (int f = 0; f < SD_FIELDS; f++)
		free(col[f]);
	return rc;
}

static bool toc_level_is(const cJSON *e, int level)
{
	const cJSON *lv = cJSON_GetObjectItemCaseSensitive(e, "level");

	return cJSON_IsNumber(lv) && lv->valueint == level;
}

/*
 * The TOC entry of a heading (level, raw text) found after the entry *pos-1:
 * the next one of that level with the same text, else the next one of that
 * level (rendering changes text with inline markup); advances *pos. NULL if
 * none. Headings the splitter does not see (setext) are skipped this way.
 */
static const cJSON *toc_next(const cJSON *toc, int *pos, int level, const char *text)
{
	int n = cJSON_GetArraySize(toc);

	for (int pass = 0; pass < 2; pass++) {
		for (int i = *pos; i < n; i++) {
			const cJSON *e = cJSON_GetArrayItem(toc, i);
			const cJSON *t = cJSON_GetObjectItemCaseSensitive(e, "text");

			if (!toc_level_is(e, level))
				continue;
			if (pass == 0 && !(cJSON_IsString(t) && strcmp(t->valuestring, text) == 0))
				continue;
			*pos = i + 1;
			return e;
		}
	}
	return NULL;
}

/* Writes one reference section; skips it when title and body are blank. */
static int put_section(struct row_writer *w, const struct skill_file *f, const char *title,
		       const char *anchor, const char *body, size_t len)
{
	bool blank = true;
	char *url;
	int rc;

	for (size_t i = 0; i < len && blank; i++)
		blank = isspace((unsigned char)body[i]) != 0;
	if (blank && !title)
		return 0;
	url = search_url(w->r->slug, f->path, anchor);
	rc = put_row(w, "reference", f->path, anchor, url, NULL, NULL, NULL, title, body, len);
	free(url);
	return rc;
}

/* Splits a reference file into sections at ATX headings outside fences
 * (text_fence_step and text_atx_heading, the rules checklist and tokens
 * read lines by). */
static int index_reference(struct row_writer *w, const struct skill_file *f, const cJSON *toc)
{
	const char *md = f->content;
	size_t len = f->content_len, sec_start = 0, next;
	char *title = NULL, *anchor = NULL;
	struct text_fence fence = { 0 };
	int toc_pos = 0, rc = 0;

	for (size_t i = 0; i < len && rc == 0; i = next) {
		size_t n = text_line(md, len, i, &next);
		const char *t;
		size_t tn;
		int level;

		if (text_fence_step(&fence, md + i, n) != TEXT_FENCE_NONE)
			continue;
		if ((level = text_atx_heading(md + i, n, &t, &tn)) > 0) {
			char *text = xstrndup(t, tn);
			const cJSON *e = toc_next(toc, &toc_pos, level, text);
			const char *toc_text = jstr(e, "text");

			rc = put_section(w, f, title, anchor, md + sec_start, i - sec_start);
			free(title);
			free(anchor);
			title = xstrdup(toc_text ? toc_text : text);
			free(text);
			anchor = jstr(e, "id") ? xstrdup(jstr(e, "id")) : NULL;
			sec_start = next;
		}
	}
	if (rc == 0)
		rc = put_section(w, f, title, anchor, md + sec_start, len - sec_start);
	free(title);
	free(anchor);
	return rc;
}

/* The display title of a checklist item (free()). */
static char *item_title(const cJSON *item)
{
	const char *ref = jstr(item, "ref"), *title = jstr(item, "title");
	const char *text = jstr(item, "text");
	size_t n;

	if (ref && title)
		return xasprintf("%s — %s", ref, title);
	if (ref || title)
		return xstrdup(ref ? ref : title);
	if (!text)
		return NULL;
	n = strlen(text);
	if (n <= TITLE_WORDS_MAX)
		return xstrdup(text);
	n = TITLE_WORDS_MAX;
	while (n > 0 && text[n] != ' ')
		n--;
	if (n == 0)
		n = utf8_floor(text, TITLE_WORDS_MAX);
	char *cut = xstrndup(text, n);
	char *res = xasprintf("%s…", cut);
	free(cut);
	return res;
}

static int index_items(struct row_writer *w, const struct skill_checklist *cl, bool primary,
		       const cJSON *items)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, items) {
		const char *id = jstr(it, "id"), *text = jstr(it, "text");
		char *title = item_title(it);
		char *url = primary ? search_url(w->r->slug, "checklist", id)
				    : search_url(w->r->slug, cl->file->path, id);
		int rc = put_row(w, "checklist", cl->file->path, id, url, NULL, NULL, NULL, title,
				 text, text ? strlen(text) : 0);

		free(title);
		free(url);
		if (rc != 0)
			return -1;
	}
	return 0;
}

static int index_checklist(struct row_writer *w, const struct skill_checklist *cl, bool primary)
{
	const cJSON *sec, *grp;

	cJSON_ArrayForEach(sec, cJSON_GetObjectItemCaseSensitive(cl->parsed, "sections")) {
		if (index_items(w, cl, primary, cJSON_GetObjectItemCaseSensitive(sec, "items")) != 0)
			return -1;
		cJSON_ArrayForEach(grp, cJSON_GetObjectItemCaseSensitive(sec, "groups")) {
			if (index_items(w, cl, primary,
					cJSON_GetObjectItemCaseSensitive(grp, "items")) != 0)
				return -1;
		}
	}
	return 0;
}

static int index_evals(struct row_writer *w)
{
	const cJSON *ev, *x;

	cJSON_ArrayForEach(ev, cJSON_GetObjectItemCaseSensitive(w->r->evals, "evals")) {
		const cJSON *idv = cJSON_GetObjectItemCaseSensitive(ev, "id");
		char *id = cJSON_IsString(idv) ? xstrdup(idv->valuestring)
			 : cJSON_IsNumber(idv) ? xasprintf("%d", idv->valueint) : NULL;
		const char *prompt = jstr(ev, "prompt");
		struct buf body;
		char *url;
		int rc;

		buf_init(&body);
		buf_puts(&body, prompt ? prompt : "");
		cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(ev, "expectations")) {
			if (cJSON_IsString(x)) {
				buf_putc(&body, '\n');
				buf_puts(&body, x->valuestring);
			}
		}
		url = search_url(w->r->slug, "evals", id);
		rc = put_row(w, "eval", "evals/evals.json", id, url, NULL, NULL, NULL, id,
			     body.data ? body.data : "", body.len);
		free(url);
		free(id);
		buf_fini(&body);
		if (rc != 0)
			return -1;
	}
	return 0;
}

/* The ATX headings of a SKILL.md body outside code fences, one a line
 * (free()); NULL when there is none. */
static char *body_headings(const char *md)
{
	struct text_fence fence = { 0 };
	size_t len = strlen(md), next;
	struct buf b;

	buf_init(&b);
	for (size_t i = 0; i < len; i = next) {
		size_t n = text_line(md, len, i, &next);
		const char *t;
		size_t tn;

		if (text_fence_step(&fence, md + i, n) != TEXT_FENCE_NONE)
			continue;
		if (text_atx_heading(md + i, n, &t, &tn) > 0 && tn > 0) {
			if (b.len)
				buf_putc(&b, '\n');
			buf_append(&b, t, tn);
		}
	}
	if (b.len == 0) {
		buf_fini(&b);
		return NULL;
	}
	buf_putc(&b, '\0');
	return buf_detach(&b, NULL);
}

/* Drops the FTS5 table `name` and creates it again from its own definition
 * in the schema. 0, or -1 with a message in err. */
static int recreate(sqlite3 *db, const char *name, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	char *sql = NULL, *drop = xasprintf("DROP TABLE %s", name);
	int rc = -1;

	if (sqlite3_prepare_v2(db, "SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = ?1",
			       -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		sql = xstrdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	if (sql && sqlite3_exec(db, drop, NULL, NULL, NULL) == SQLITE_OK &&
	    sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK)
		rc = 0;
	else if (sql)
		snprintf(err, errlen, "search: clearing the table %s: %s", name, sqlite3_errmsg(db));
	else
		snprintf(err, errlen, "search: clearing the table: no table '%s' in the schema", name);
	free(sql);
	free(drop);
	return rc;
}

int searchrows_clear(struct searchrows *w, char *err, size_t errlen)
{
	if (recreate(w->db, "search", err, errlen) != 0 ||
	    recreate(w->db, "search_head", err, errlen) != 0)
		return -1;
	if (sqlite3_exec(w->db, "DELETE FROM search_rows; DELETE FROM search_docs", NULL, NULL,
			 NULL) != SQLITE_OK) {
		snprintf(err, errlen, "search: clearing search_rows: %s", sqlite3_errmsg(w->db));
		return -1;
	}
	return 0;
}

int searchrows_optimize(struct searchrows *w, char *err, size_t errlen)
{
	if (sqlite3_exec(w->db, "INSERT INTO search (search) VALUES ('optimize'); "
			 "INSERT INTO search_head (search_head) VALUES ('optimize')", NULL, NULL,
			 NULL) != SQLITE_OK) {
		snprintf(err, errlen, "search: merging the index's segments: %s", sqlite3_errmsg(w->db));
		return -1;
	}
	return 0;
}

/* The skill's row of search_head (migration 0008): its name, description
 * and headings again, rowid its id. 0 or -1. */
static int put_head(struct searchrows *w, sqlite3_int64 skill_id, const char *name,
		    const char *description, const char *headings)
{
	sqlite3_stmt *st = sr_stmt(w, SR_HEAD);
	char *col[3] = { clean_or_null(name, name ? strlen(name) : 0),
			 clean_or_null(description, description ? strlen(description) : 0),
			 clean_or_null(headings, headings ? strlen(headings) : 0) };
	int rc = -1;

	if (st) {
		sqlite3_bind_int64(st, 1, skill_id);
		for (int i = 0; i < 3; i++)
			bind_text_or_null(st, 2 + i, col[i]);
		rc = sr_step(st);
	}
	for (int i = 0; i < 3; i++)
		free(col[i]);
	return rc;
}

int searchrows_add_skill(struct searchrows *sw, sqlite3_int64 skill_id,
			 const struct skill_record *r, char *err, size_t errlen)
{
	struct row_writer w = { .w = sw, .skill_id = skill_id, .r = r };
	const struct skill_checklist *primary = skill_primary_checklist(r);
	const char *name = frontmatter_string(&r->fm, "name");
	char *url = search_url(r->slug, NULL, NULL);
	char *headings = body_headings(r->body);
	sqlite3_stmt *doc = sr_stmt(sw, SR_DOC);
	int rc = -1;

	searchdoc_begin(&sw->doc, r->slug);
	if (!doc)
		goto out;
	if (put_row(&w, "skill", r->skill_md ? r->skill_md->path : "SKILL.md", NULL, url,
		    name ? name : r->slug, frontmatter_string(&r->fm, "description"), headings,
		    NULL, r->body, strlen(r->body)) != 0 ||
	    put_head(sw, skill_id, name ? name : r->slug, frontmatter_string(&r->fm, "description"),
		     headings) != 0)
		goto out;
	for (size_t i = 0; i < r->files.len; i++) {
		const struct skill_file *f = &r->files.items[i];

		if (f->kind == FILE_REFERENCE && f->text && f->content && str_has_suffix(f->path, ".md") &&
		    index_reference(&w, f, r->file_html ? r->file_html[i].toc : NULL) != 0)
			goto out;
	}
	for (size_t i = 0; i < r->n_checklists; i++)
		if (index_checklist(&w, &r->checklists[i], &r->checklists[i] == primary) != 0)
			goto out;
	if (index_evals(&w) != 0)
		goto out;
	pack_bytes(sw->pack, sw->doc.data, sw->doc.len, &sw->packed);
	sqlite3_bind_int64(doc, 1, skill_id);
	sqlite3_bind_blob(doc, 2, sw->packed.data, (int)sw->packed.len, SQLITE_STATIC);
	rc = sr_step(doc);
out:
	if (rc != 0)
		snprintf(err, errlen, "search: indexing '%s': %s", r->slug, sqlite3_errmsg(sw->db));
	free(url);
	free(headings);
	return rc;
}

int searchrows_remove_skill(struct searchrows *w, sqlite3_int64 skill_id, char *err,
			    size_t errlen)
{
	static const enum sr_stmt order[] = { SR_UNINDEX, SR_UNROW, SR_UNDOC, SR_UNHEAD };

	for (size_t i = 0; i < sizeof(order) / sizeof(*order); i++) {
		sqlite3_stmt *st = sr_stmt(w, order[i]);

		if (!st) {
			snprintf(err, errlen, "search: preparing a removal: %s", sqlite3_errmsg(w->db));
			return -1;
		}
		if (order[i] == SR_UNDOC || order[i] == SR_UNHEAD) {
			sqlite3_bind_int64(st, 1, skill_id);
		} else {
			sqlite3_bind_int64(st, 1, skill_id << SEARCH_ROW_BITS);
			sqlite3_bind_int64(st, 2, (skill_id + 1) << SEARCH_ROW_BITS);
		}
		if (sr_step(st) != 0) {
			snprintf(err, errlen, "search: removing the rows of skill %lld: %s",
				 (long long)skill_id, sqlite3_errmsg(w->db));
			return -1;
		}
	}
	return 0;
}
