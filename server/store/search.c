/* SPDX-License-Identifier: MIT */
/*
 * search: answers searches and task resolutions from the FTS5 table that
 * searchrows fills at index time (see search.h for the rows, the query
 * syntax and the answers), and makes the rows' URLs. User text only ever
 * reaches MATCH as double-quoted FTS5 strings. No globals; statements are
 * prepared per call, so any connection used by one thread at a time is
 * fine.
 */
#include "skilld/store/search.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "skilld/store/snippet.h"
#include "skilld/base/text.h"
#include "skilld/base/util.h"

#define RESOLVE_ROWS_MAX 5000   /* matching rows read to rank skills */
#define CURSOR_OFFSET_MAX 1000000L

/* ---- URLs ---- */

/* Appends s percent-encoded (keeping '/' when keep_slash) to b. */
static void put_encoded(struct buf *b, const char *s, bool keep_slash)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (isalnum(*p) || *p == '-' || *p == '.' || *p == '_' || *p == '~' ||
		    (keep_slash && *p == '/'))
			buf_putc(b, (char)*p);
		else
			buf_printf(b, "%%%02X", *p);
	}
}

char *search_url(const char *slug, const char *tail, const char *anchor)
{
	struct buf b;

	buf_init(&b);
	buf_puts(&b, "/skills/");
	put_encoded(&b, slug, false);
	if (tail) {
		buf_putc(&b, '/');
		put_encoded(&b, tail, true);
	}
	if (anchor && anchor[0]) {
		buf_putc(&b, '#');
		put_encoded(&b, anchor, false);
	}
	buf_putc(&b, '\0');
	return buf_detach(&b, NULL);
}

/* ---- query compilation ---- */

/* Appends s[0..n) as an FTS5 string, then '*' when prefix. */
static void put_quoted(struct buf *b, const char *s, size_t n, bool prefix)
{
	buf_putc(b, '"');
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '"')
			buf_putc(b, '"');
		buf_putc(b, s[i]);
	}
	buf_putc(b, '"');
	if (prefix)
		buf_putc(b, '*');
}

/* A query read into its terms, with the stop words that are left out. */
struct plan {
	struct text_query_term terms[SEARCH_MAX_TERMS];
	bool dropped[SEARCH_MAX_TERMS];
	size_t n;
	int n_pos, n_neg;       /* positive terms kept, exclusions */
};

/* A plain word (not quoted, no prefix, not excluded) that is a stop word. */
static bool droppable(const struct text_query_term *t)
{
	return !t->quoted && !t->prefix && !t->exclude && text_is_stop_word(t->s, t->n);
}

/* Reads q[0..len) into p. 0, or -1 with a message in err (the reasons of
 * search_compile_len). Stop words are dropped unless nothing else is left
 * to search for. */
static int plan_make(const char *q, size_t len, const char *what, struct plan *p, char *err,
		     size_t errlen)
{
	int n_plain = 0;

	memset(p, 0, sizeof(*p));
	if (!q) {
		snprintf(err, errlen, "%s is required", what);
		return -1;
	}
	if (len > SEARCH_MAX_QUERY) {
		snprintf(err, errlen, "%s is longer than %d bytes", what, SEARCH_MAX_QUERY);
		return -1;
	}
	if (memchr(q, '\0', len)) {
		snprintf(err, errlen, "%s contains a NUL byte", what);
		return -1;
	}
	if (!utf8_valid(q, len)) {
		snprintf(err, errlen, "%s is not valid UTF-8", what);
		return -1;
	}
	p->n = text_query_terms(q, len, p->terms, SEARCH_MAX_TERMS);
	if (p->n > SEARCH_MAX_TERMS) {
		snprintf(err, errlen, "%s has more than %d terms", what, SEARCH_MAX_TERMS);
		return -1;
	}
	if (p->n == 0) {
		snprintf(err, errlen, "%s has no search terms", what);
		return -1;
	}
	for (size_t k = 0; k < p->n; k++) {
		if (p->terms[k].exclude)
			p->n_neg++;
		else if (!droppable(&p->terms[k]))
			n_plain++;
	}
	for (size_t k = 0; k < p->n; k++) {
		p->dropped[k] = n_plain > 0 && droppable(&p->terms[k]);
		if (!p->terms[k].exclude && !p->dropped[k])
			p->n_pos++;
	}
	if (p->n_pos == 0) {
		snprintf(err, errlen, "%s has only excluded terms; add a word to search for", what);
		return -1;
	}
	return 0;
}

/* The FTS5 expression of a plan: its positive terms joined by AND (all)
 * or OR (any), then NOT each exclusion. free() it. */
static char *plan_expr(const struct plan *p, enum search_match match)
{
	struct buf pos, neg;
	int n_pos = 0;
	char *res;

	buf_init(&pos);
	buf_init(&neg);
	for (size_t k = 0; k < p->n; k++) {
		const struct text_query_term *t = &p->terms[k];

		if (t->exclude) {
			buf_puts(&neg, " NOT ");
			put_quoted(&neg, t->s, t->n, t->prefix);
		} else if (!p->dropped[k]) {
			if (n_pos++)
				buf_puts(&pos, match == SEARCH_MATCH_ANY ? " OR " : " AND ");
			put_quoted(&pos, t->s, t->n, t->prefix);
		}
	}
	buf_putc(&pos, '\0');
	buf_putc(&neg, '\0');
	if (p->n_neg == 0)
		res = xstrdup(pos.data);
	else if (p->n_pos == 1)
		res = xasprintf("%s%s", pos.data, neg.data);
	else
		res = xasprintf("(%s)%s", pos.data, neg.data);
	buf_fini(&pos);
	buf_fini(&neg);
	return res;
}

char *search_compile_len(const char *q, size_t len, enum search_match match, char *err,
			 size_t errlen)
{
	struct plan p;

	if (plan_make(q, len, "q", &p, err, errlen) != 0)
		return NULL;
	return plan_expr(&p, match);
}

char *search_compile(const char *q, char *err, size_t errlen)
{
	return search_compile_len(q, q ? strlen(q) : 0, SEARCH_MATCH_ALL, err, errlen);
}

/* ---- cursors ---- */

/* Eight hex digits of the digest of the query, kind and skill. */
static void cursor_tag(const struct search_query *sq, char tag[9])
{
	struct buf b;
	char hex[SHA256_HEX_LEN + 1];
	size_t qlen = sq->q ? (sq->q_len ? sq->q_len : strlen(sq->q)) : 0;

	buf_init(&b);
	if (sq->q)
		buf_append(&b, sq->q, qlen);
	buf_printf(&b, "%c%s%c%s", 0, sq->kind ? sq->kind : "", 0, sq->skill ? sq->skill : "");
	sha256_hex(b.data, b.len, hex);
	buf_fini(&b);
	memcpy(tag, hex, 8);
	tag[8] = '\0';
}

char *search_cursor_encode(const struct search_query *sq, long offset)
{
	char tag[9];

	cursor_tag(sq, tag);
	return xasprintf("%ld.%s", offset, tag);
}

int search_cursor_decode(const struct search_query *sq, const char *cursor, long *offset)
{
	char tag[9];
	long v = 0;
	const char *p = cursor;

	if (!cursor || !isdigit((unsigned char)*p))
		return -1;
	for (; isdigit((unsigned char)*p); p++) {
		v = v * 10 + (*p - '0');
		if (v > CURSOR_OFFSET_MAX)
			return -1;
	}
	cursor_tag(sq, tag);
	if (*p != '.' || strcmp(p + 1, tag) != 0)
		return -1;
	*offset = v;
	return 0;
}

/* ---- running ---- */

static bool kind_valid(const char *k)
{
	return !strcmp(k, "skill") || !strcmp(k, "reference") || !strcmp(k, "checklist") ||
	       !strcmp(k, "eval");
}

static void add_text_or_null(cJSON *o, const char *key, const unsigned char *s)
{
	if (s)
		cJSON_AddStringToObject(o, key, (const char *)s);
	else
		cJSON_AddNullToObject(o, key);
}

/* The hit's snippet from its body, description, title and name (columns 5
 * and 7-9 of run_page's row statement), the body winning a tie. */
static void add_snippet(cJSON *o, const struct snippet_query *snip, sqlite3_stmt *st)
{
	static const int cols[] = { 5, 7, 8, 9 };
	const char *texts[4];
	char *s;

	if (!snip) {
		cJSON_AddNullToObject(o, "snippet");
		return;
	}
	for (size_t i = 0; i < 4; i++)
		texts[i] = (const char *)sqlite3_column_text(st, cols[i]);
	s = snippet_make(snip, texts, 4);
	add_text_or_null(o, "snippet", (const unsigned char *)s);
	free(s);
}

/* 400 when FTS5 rejected the expression, else 503; message in err. */
static int db_error(sqlite3 *db, char *err, size_t errlen)
{
	const char *msg = sqlite3_errmsg(db);

	if (str_has_prefix(msg, "fts5:")) {
		snprintf(err, errlen, "the query cannot be run: %s", msg);
		return SEARCH_BAD_REQUEST;
	}
	snprintf(err, errlen, "search: database error: %s", msg);
	return SEARCH_UNAVAILABLE;
}

#define RUN_FILTER "search MATCH ?1 AND (?2 IS NULL OR kind = ?2) AND (?3 IS NULL OR skill = ?3)"

/* A row's score: skilld_rank (fts.h: BM25F) with the weights of name,
 * description, headings, title and body, the located columns unweighted,
 * times the weight of the row's kind for resolve. */
#define RANK "skilld_rank(search, 0, 0, 0, 0, 0, 0, " \
	SEARCH_W_NAME ", " SEARCH_W_DESCRIPTION ", " SEARCH_W_HEADINGS ", " SEARCH_W_TITLE ", " \
	SEARCH_W_BODY ")"

/* A hit's score: its rank, times SEARCH_W_SKILL_ROW for a skill's own row
 * (whose several columns add up: a skill about the words in general should
 * not hide the item or section that answers them), plus SEARCH_W_LIFT
 * times the rank of its skill's own row: the rows of a skill whose name,
 * description or headings match come before those of a skill that only
 * mentions the words (a router's catalogue of every other skill). */
#define SEARCH_SCORE RANK " * (CASE WHEN " SEARCH_IS_OWN " THEN " SEARCH_W_SKILL_ROW " ELSE 1.0 " \
	"END) + " SEARCH_W_LIFT " * coalesce((SELECT r FROM own WHERE own.sid = " SEARCH_SKILL_OF "), 0)"
/* The skills' own rows that match, by skill: read off rowids, so neither
 * this nor the lookup above loads a row's text (search.h, Rowids). */
#define SEARCH_OWN "WITH own AS MATERIALIZED (SELECT " SEARCH_SKILL_OF " AS sid, " RANK " AS r " \
	"FROM search WHERE search MATCH ?1 AND " SEARCH_IS_OWN ") "

/* The page's hits in two steps: the ranked rowids first (FTS5 reads only
 * its index to rank, once per match), then the columns of those rows by
 * rowid; selecting them with the ranking made SQLite read the text of
 * every match into its sorter. */
static int run_page(sqlite3 *db, sqlite3_stmt *rank, cJSON *data, const struct snippet_query *snip,
		    long *n)
{
	sqlite3_stmt *row = NULL;
	int s;

	if (sqlite3_prepare_v2(db, "SELECT kind, skill, path, coalesce(title, name), anchor, body, "
			       "url, description, title, name FROM search WHERE rowid = ?1", -1,
			       &row, NULL) != SQLITE_OK)
		return -1;
	while ((s = sqlite3_step(rank)) == SQLITE_ROW) {
		cJSON *o;

		sqlite3_bind_int64(row, 1, sqlite3_column_int64(rank, 0));
		if (sqlite3_step(row) != SQLITE_ROW)
			break;
		o = cJSON_CreateObject();
		add_text_or_null(o, "kind", sqlite3_column_text(row, 0));
		add_text_or_null(o, "skill", sqlite3_column_text(row, 1));
		add_text_or_null(o, "path", sqlite3_column_text(row, 2));
		add_text_or_null(o, "title", sqlite3_column_text(row, 3));
		add_text_or_null(o, "anchor", sqlite3_column_text(row, 4));
		add_snippet(o, snip, row);
		cJSON_AddNumberToObject(o, "score", sqlite3_column_double(rank, 1));
		add_text_or_null(o, "url", sqlite3_column_text(row, 6));
		cJSON_AddItemToArray(data, o);
		sqlite3_reset(row);
		(*n)++;
	}
	sqlite3_finalize(row);
	return s == SQLITE_DONE ? 0 : -1;
}

/* Binds the expression, kind and skill of a search statement. */
static void bind_filter(sqlite3_stmt *st, const char *expr, const struct search_query *sq)
{
	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, expr, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, sq->kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, sq->skill, -1, SQLITE_STATIC);
}

/* The snippet matcher of the terms a plan searches for. */
static struct snippet_query *plan_snippet_query(sqlite3 *db, const struct plan *p)
{
	struct text_query_term kept[SEARCH_MAX_TERMS];
	size_t n = 0;

	for (size_t k = 0; k < p->n; k++)
		if (!p->terms[k].exclude && !p->dropped[k])
			kept[n++] = p->terms[k];
	return snippet_query_new_terms(db, kept, n);
}

/* The stop words of p left out of the search, as an array. */
static cJSON *ignored_terms(const struct plan *p)
{
	cJSON *a = cJSON_CreateArray();

	for (size_t k = 0; k < p->n; k++) {
		if (p->dropped[k]) {
			char *w = xstrndup(p->terms[k].s, p->terms[k].n);

			cJSON_AddItemToArray(a, cJSON_CreateString(w));
			free(w);
		}
	}
	return a;
}

int search_run(struct store_reader *r, const struct search_query *sq, cJSON **out, char *err, size_t errlen)
{
	sqlite3 *db = store_reader_db(r);
	sqlite3_stmt *count = NULL, *st = NULL;
	struct snippet_query *snip = NULL;
	struct plan plan;
	enum search_match match = SEARCH_MATCH_ALL;
	char *expr = NULL;
	long offset = 0;
	int limit = sq->limit ? sq->limit : SEARCH_DEFAULT_LIMIT;
	long total = 0, n = 0;
	size_t q_len;
	cJSON *res = NULL, *data;
	int rc = SEARCH_BAD_REQUEST;

	*out = NULL;
	if (!sq->q) {
		snprintf(err, errlen, "q is required");
		return SEARCH_BAD_REQUEST;
	}
	q_len = sq->q_len ? sq->q_len : strlen(sq->q);
	if (sq->kind && !kind_valid(sq->kind)) {
		snprintf(err, errlen, "kind must be skill, reference, checklist or eval");
		return SEARCH_BAD_REQUEST;
	}
	if (limit < 1 || limit > SEARCH_MAX_LIMIT) {
		snprintf(err, errlen, "limit must be between 1 and %d", SEARCH_MAX_LIMIT);
		return SEARCH_BAD_REQUEST;
	}
	if (sq->cursor && search_cursor_decode(sq, sq->cursor, &offset) != 0) {
		snprintf(err, errlen, "cursor is not valid for this search");
		return SEARCH_BAD_REQUEST;
	}
	if (plan_make(sq->q, q_len, "q", &plan, err, errlen) != 0)
		return SEARCH_BAD_REQUEST;
	snip = plan_snippet_query(db, &plan);
	if (sqlite3_prepare_v2(db, "SELECT count(*) FROM search WHERE " RUN_FILTER, -1, &count,
			       NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, SEARCH_OWN "SELECT rowid, " SEARCH_SCORE " FROM search WHERE " RUN_FILTER
			       " ORDER BY 2 DESC, 1 LIMIT ?4 OFFSET ?5", -1, &st, NULL) != SQLITE_OK) {
		rc = db_error(db, err, errlen);
		goto out;
	}
	/* Every word when some row has them all; else any of them, the rows
	 * with more of the words first (skilld_rank's share of phrases). */
	for (;;) {
		expr = plan_expr(&plan, match);
		bind_filter(count, expr, sq);
		if (sqlite3_step(count) != SQLITE_ROW) {
			rc = db_error(db, err, errlen);
			goto out;
		}
		total = (long)sqlite3_column_int64(count, 0);
		if (total > 0 || match == SEARCH_MATCH_ANY || plan.n_pos < 2)
			break;
		match = SEARCH_MATCH_ANY;
		free(expr);
	}
	bind_filter(st, expr, sq);
	sqlite3_bind_int(st, 4, limit);
	sqlite3_bind_int64(st, 5, offset);
	res = cJSON_CreateObject();
	cJSON_AddStringToObject(res, "query", sq->q);
	cJSON_AddStringToObject(res, "match", match == SEARCH_MATCH_ALL ? "all" : "any");
	cJSON_AddItemToObject(res, "ignored", ignored_terms(&plan));
	cJSON_AddNumberToObject(res, "total", (double)total);
	data = cJSON_AddArrayToObject(res, "data");
	if (run_page(db, st, data, snip, &n) != 0) {
		rc = db_error(db, err, errlen);
		goto out;
	}
	if (offset + n < total) {
		char *c = search_cursor_encode(sq, offset + n);

		cJSON_AddStringToObject(res, "next_cursor", c);
		free(c);
	} else {
		cJSON_AddNullToObject(res, "next_cursor");
	}
	*out = res;
	res = NULL;
	rc = 0;
out:
	cJSON_Delete(res);
	sqlite3_finalize(count);
	sqlite3_finalize(st);
	snippet_query_free(snip);
	free(expr);
	return rc;
}

/* ---- resolve ---- */

/* Does the plan search for something besides stop words? A task of only
 * stop words says nothing about what it needs. */
static bool plan_has_content(const struct plan *p)
{
	for (size_t k = 0; k < p->n; k++) {
		const char *s = p->terms[k].s, *end = s + p->terms[k].n;

		if (p->terms[k].exclude)
			continue;
		/* each word of the term (a phrase has several) */
		while (s < end) {
			const char *w;

			while (s < end && !isalnum((unsigned char)*s) && (unsigned char)*s < 0x80)
				s++;
			for (w = s; s < end && (isalnum((unsigned char)*s) || (unsigned char)*s >= 0x80); s++)
				;
			if (s > w && !text_is_stop_word(w, (size_t)(s - w)))
				return true;
		}
	}
	return false;
}

/* The plan's searched terms, lowercased (ASCII) and without repeats. */
static cJSON *plan_terms(const struct plan *p)
{
	cJSON *terms = cJSON_CreateArray();

	for (size_t k = 0; k < p->n; k++) {
		const cJSON *t;
		bool dup = false;
		char *w;

		if (p->terms[k].exclude || p->dropped[k])
			continue;
		w = xstrndup(p->terms[k].s, p->terms[k].n);
		for (char *c = w; *c; c++)
			*c = (char)tolower((unsigned char)*c);
		cJSON_ArrayForEach(t, terms)
			dup = dup || !strcmp(t->valuestring, w);
		if (!dup)
			cJSON_AddItemToArray(terms, cJSON_CreateString(w));
		free(w);
	}
	return terms;
}

/* The "matched" terms of one skill; -1 on a database error. */
static int matched_terms(sqlite3 *db, const char *slug, const cJSON *terms, cJSON *into)
{
	sqlite3_stmt *st = NULL;
	const cJSON *t;
	int rc = 0;

	if (sqlite3_prepare_v2(db, "SELECT 1 FROM search WHERE search MATCH ?1 AND skill = ?2 LIMIT 1",
			       -1, &st, NULL) != SQLITE_OK)
		return -1;
	cJSON_ArrayForEach(t, terms) {
		struct buf q;
		int s;

		buf_init(&q);
		put_quoted(&q, t->valuestring, strlen(t->valuestring), false);
		buf_putc(&q, '\0');
		sqlite3_bind_text(st, 1, q.data, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 2, slug, -1, SQLITE_STATIC);
		s = sqlite3_step(st);
		buf_fini(&q);
		sqlite3_reset(st);
		if (s == SQLITE_ROW)
			cJSON_AddItemToArray(into, cJSON_CreateString(t->valuestring));
		else if (s != SQLITE_DONE)
			rc = -1;
	}
	sqlite3_finalize(st);
	return rc;
}
/* Adds name, description and URLs of slug to o. -1 on a database error. */
static int skill_facts(sqlite3 *db, const char *slug, cJSON *o)
{
	sqlite3_stmt *st = NULL;
	char *url = search_url(slug, NULL, NULL);
	int rc = -1;

	if (sqlite3_prepare_v2(db, "SELECT name, description, EXISTS (SELECT 1 FROM checklists c "
			       "WHERE c.skill_id = s.id AND c.is_primary = 1) FROM skills s WHERE slug = ?1",
			       -1, &st, NULL) != SQLITE_OK)
		goto out;
	sqlite3_bind_text(st, 1, slug, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW)
		goto out;
	add_text_or_null(o, "name", sqlite3_column_text(st, 0));
	add_text_or_null(o, "description", sqlite3_column_text(st, 1));
	cJSON_AddStringToObject(o, "url", url);
	if (sqlite3_column_int(st, 2)) {
		char *cl = search_url(slug, "checklist", NULL);

		cJSON_AddStringToObject(o, "checklist_url", cl);
		free(cl);
	} else {
		cJSON_AddNullToObject(o, "checklist_url");
	}
	rc = 0;
out:
	sqlite3_finalize(st);
	free(url);
	return rc;
}

/* A row's part in its skill's fit: the rank of the row times its kind's
 * weight, so a skill's own name, description, headings and body count
 * more than a reference, a checklist item or an eval that mentions the
 * words (a router's catalogue of every other skill is references). */
#define RESOLVE_SCORE RANK " * (CASE WHEN " SEARCH_IS_OWN " THEN 1.0 ELSE " SEARCH_W_OTHER_ROWS " END)"

int search_resolve(struct store_reader *r, const char *task, int k, cJSON **out, char *err, size_t errlen)
{
	sqlite3 *db = store_reader_db(r);
	sqlite3_stmt *st = NULL;
	cJSON *terms = NULL, *res = NULL, *data;
	struct plan plan;
	char *expr = NULL;
	int rc = SEARCH_BAD_REQUEST, s, rows = 0;

	*out = NULL;
	if (k == 0)
		k = RESOLVE_DEFAULT_K;
	if (k < 1 || k > RESOLVE_MAX_K) {
		snprintf(err, errlen, "k must be between 1 and %d", RESOLVE_MAX_K);
		goto out;
	}
	if (!task || !task[0]) {
		snprintf(err, errlen, "task is required");
		goto out;
	}
	if (plan_make(task, strlen(task), "task", &plan, err, errlen) != 0)
		goto out;
	if (!plan_has_content(&plan)) {
		snprintf(err, errlen, "task has no words to search for");
		goto out;
	}
	terms = plan_terms(&plan);
	expr = plan_expr(&plan, SEARCH_MATCH_ANY);
	/* Ranked on rowids alone (no row's text loaded); the slug of the
	 * few at the top is looked up by skill id. */
	if (sqlite3_prepare_v2(db, "SELECT (SELECT slug FROM skills WHERE id = sid), score FROM "
			       "(SELECT rowid AS r, " SEARCH_SKILL_OF " AS sid, " RESOLVE_SCORE " AS score "
			       "FROM search WHERE search MATCH ?1 ORDER BY 3 DESC, 1 LIMIT ?2) "
			       "ORDER BY score DESC, r", -1, &st, NULL) != SQLITE_OK) {
		rc = db_error(db, err, errlen);
		goto out;
	}
	sqlite3_bind_text(st, 1, expr, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, RESOLVE_ROWS_MAX);
	res = cJSON_CreateObject();
	cJSON_AddStringToObject(res, "task", task);
	cJSON_AddItemToObject(res, "terms", cJSON_Duplicate(terms, true));
	data = cJSON_AddArrayToObject(res, "data");
	while ((s = sqlite3_step(st)) == SQLITE_ROW && rows < k) {
		const char *slug = (const char *)sqlite3_column_text(st, 0);
		const cJSON *o;
		bool seen = false;

		if (!slug)
			continue;  /* a row of no skill: cannot happen in one snapshot */
		cJSON_ArrayForEach(o, data)
			seen = seen || !strcmp(cJSON_GetObjectItemCaseSensitive(o, "slug")->valuestring, slug);
		if (seen)
			continue;
		cJSON *item = cJSON_CreateObject();

		cJSON_AddStringToObject(item, "slug", slug);
		cJSON_AddItemToArray(data, item);
		cJSON_AddNumberToObject(item, "score", sqlite3_column_double(st, 1));
		if (skill_facts(db, slug, item) != 0 ||
		    matched_terms(db, slug, terms, cJSON_AddArrayToObject(item, "matched")) != 0) {
			rc = db_error(db, err, errlen);
			goto out;
		}
		rows++;
	}
	if (s != SQLITE_DONE && s != SQLITE_ROW) {
		rc = db_error(db, err, errlen);
		goto out;
	}
	*out = res;
	res = NULL;
	rc = 0;
out:
	sqlite3_finalize(st);
	cJSON_Delete(res);
	cJSON_Delete(terms);
	free(expr);
	return rc;
}
