/* SPDX-License-Identifier: MIT */
/*
 * searchrows: writes the rows of the FTS5 table `search` at index time, one
 * skill at a time (the rows and URLs search.h describes): the skill, the
 * sections of its reference files, its checklist items and its evals, with
 * the match markers U+E000 and U+E001 made spaces in all text, and the
 * skill's row of `search_head` (its name, description and headings, the
 * first pass of a top-k search: search.c). Runs on the
 * writer connection inside the index transaction (index.c); search (store)
 * answers queries from the rows. No globals; the insert statement is the
 * caller's, on the writer's thread.
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

struct row_writer {
	sqlite3 *db;
	sqlite3_stmt *st;
	sqlite3_int64 skill_id;
	sqlite3_int64 n;        /* rows written for the skill */
	const struct skill_record *r;
};

/* Binds s (marker characters removed) or NULL to parameter i. */
static void bind_clean(sqlite3_stmt *st, int i, const char *s, size_t n)
{
	if (!s) {
		sqlite3_bind_null(st, i);
		return;
	}
	sqlite3_bind_text(st, i, strip_markers(s, n), -1, free);
}

static void bind_str(sqlite3_stmt *st, int i, const char *s)
{
	bind_clean(st, i, s, s ? strlen(s) : 0);
}

/* Inserts one row; body is body[0..body_len), headings a skill's (else
 * NULL). 0 or -1. */
static int put_row(struct row_writer *w, const char *kind, const char *path, const char *anchor,
		   const char *url, const char *name, const char *description, const char *headings,
		   const char *title, const char *body, size_t body_len)
{
	sqlite3_stmt *st = w->st;
	int rc;

	if (w->n >= ((sqlite3_int64)1 << SEARCH_ROW_BITS))
		return 0;  /* 16 million rows of one skill: the rest are not searchable */
	sqlite3_bind_int64(st, 12, (w->skill_id << SEARCH_ROW_BITS) + w->n++);
	sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, w->r->slug, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, w->skill_id);
	bind_str(st, 4, path);
	bind_str(st, 5, anchor);
	sqlite3_bind_text(st, 6, url, -1, SQLITE_STATIC);
	bind_str(st, 7, name);
	bind_str(st, 8, description);
	bind_str(st, 9, headings);
	bind_str(st, 10, title);
	bind_clean(st, 11, body, body_len);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc == SQLITE_DONE ? 0 : -1;
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

int searchrows_clear(sqlite3 *db, char *err, size_t errlen)
{
	if (recreate(db, "search", err, errlen) != 0 || recreate(db, "search_head", err, errlen) != 0)
		return -1;
	return 0;
}

/* The skill's row of search_head (migration 0008): its name, description
 * and headings again, rowid its id. 0 or -1. */
static int put_head(sqlite3 *db, sqlite3_int64 skill_id, const char *name, const char *description,
		    const char *headings)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (sqlite3_prepare_v3(db, "INSERT INTO search_head (rowid, name, description, headings) "
			       "VALUES (?1, ?2, ?3, ?4)", -1, SQLITE_PREPARE_PERSISTENT, &st,
			       NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(st, 1, skill_id);
	bind_str(st, 2, name);
	bind_str(st, 3, description);
	bind_str(st, 4, headings);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

int searchrows_add_skill(sqlite3 *db, sqlite3_stmt **insert, sqlite3_int64 skill_id,
			 const struct skill_record *r, char *err, size_t errlen)
{
	struct row_writer w = { .db = db, .skill_id = skill_id, .r = r };
	const struct skill_checklist *primary = skill_primary_checklist(r);
	const char *name = frontmatter_string(&r->fm, "name");
	char *url = search_url(r->slug, NULL, NULL);
	char *headings = body_headings(r->body);
	int rc = -1;

	if (!*insert &&
	    sqlite3_prepare_v2(db, "INSERT INTO search (kind, skill, skill_id, path, anchor, url, "
			       "name, description, headings, title, body, rowid) "
			       "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)", -1, insert,
			       NULL) != SQLITE_OK)
		goto out;
	w.st = *insert;
	if (put_row(&w, "skill", r->skill_md ? r->skill_md->path : "SKILL.md", NULL, url,
		    name ? name : r->slug, frontmatter_string(&r->fm, "description"), headings,
		    NULL, r->body, strlen(r->body)) != 0 ||
	    put_head(db, skill_id, name ? name : r->slug, frontmatter_string(&r->fm, "description"),
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
	rc = 0;
out:
	if (rc != 0)
		snprintf(err, errlen, "search: indexing '%s': %s", r->slug, sqlite3_errmsg(db));
	free(url);
	free(headings);
	return rc;
}

int searchrows_remove_skill(sqlite3 *db, sqlite3_stmt **remove, sqlite3_int64 skill_id,
			    char *err, size_t errlen)
{
	int rc;

	if (!*remove &&
	    sqlite3_prepare_v2(db, "DELETE FROM search WHERE rowid >= ?1 AND rowid < ?2", -1, remove,
			       NULL) != SQLITE_OK) {
		snprintf(err, errlen, "search: preparing a removal: %s", sqlite3_errmsg(db));
		return -1;
	}
	sqlite3_bind_int64(*remove, 1, skill_id << SEARCH_ROW_BITS);
	sqlite3_bind_int64(*remove, 2, (skill_id + 1) << SEARCH_ROW_BITS);
	rc = sqlite3_step(*remove);
	sqlite3_reset(*remove);
	if (rc == SQLITE_DONE) {
		/* and its row of search_head (a run removes few skills) */
		sqlite3_stmt *head = NULL;

		rc = sqlite3_prepare_v2(db, "DELETE FROM search_head WHERE rowid = ?1", -1, &head,
					NULL);
		if (rc == SQLITE_OK) {
			sqlite3_bind_int64(head, 1, skill_id);
			rc = sqlite3_step(head);
		}
		sqlite3_finalize(head);
	}
	if (rc != SQLITE_DONE) {
		snprintf(err, errlen, "search: removing the rows of skill %lld: %s",
			 (long long)skill_id, sqlite3_errmsg(db));
		return -1;
	}
	return 0;
}
