/* SPDX-License-Identifier: MIT */
/*
 * search: answers searches and task resolutions from the FTS5 table that
 * searchrows fills at index time (see search.h for the rows, the query
 * syntax and the answers), and makes the rows' URLs. User text only ever
 * reaches MATCH as double-quoted FTS5 strings. No globals; a search's
 * statements are the reader's (store_reader_stmt: prepared once per
 * connection), so each reader stays on its thread.
 */
#include "skilld/store/search.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "skilld/store/fts.h"
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
	if (sq->only)
		buf_printf(&b, "%c%s%c%s%c%d%c%d", 0, sq->only->root ? sq->only->root : "", 0,
			   sq->only->tier ? sq->only->tier : "", 0, sq->only->checklist, 0,
			   sq->only->evals);
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

/* ---- idf, counted once per index generation ---- */

/*
 * The idf of a phrase (fts.h) is a pass over its whole doclist: 4-8 ms for
 * a common word of 10,000 skills, once per search. A reader keeps what it
 * counted, by table and phrase, for the generation it counted it in
 * (store_reader_data): a new generation, whose rows may differ, starts
 * afresh. Exact: the numbers are those skilld_rank would count.
 */
#define IDF_CACHE_SLOTS 4096    /* a power of two; emptied when 3/4 full */

struct idf_entry {
	char *key;              /* a table's letter, then the FTS5 phrase */
	double idf;
};

struct idf_cache {
	int64_t generation;
	size_t n;
	struct idf_entry v[IDF_CACHE_SLOTS];
};

/* The cache's key in store_reader_data. */
static const char IDF_CACHE[] = "idf";

static void *idf_cache_new(void)
{
	struct idf_cache *c = xcalloc(1, sizeof(*c));

	c->generation = -1;
	return c;
}

static void idf_cache_clear(struct idf_cache *c)
{
	for (size_t i = 0; i < IDF_CACHE_SLOTS; i++) {
		free(c->v[i].key);
		c->v[i].key = NULL;
	}
	c->n = 0;
}

static void idf_cache_free(void *p)
{
	if (!p)
		return;
	idf_cache_clear(p);
	free(p);
}

/* The slot of key: its entry, or the empty slot it would take. */
static struct idf_entry *idf_slot(struct idf_cache *c, const char *key)
{
	size_t h = 5381;

	for (const unsigned char *p = (const unsigned char *)key; *p; p++)
		h = h * 33 + *p;
	for (size_t i = h & (IDF_CACHE_SLOTS - 1);; i = (i + 1) & (IDF_CACHE_SLOTS - 1))
		if (!c->v[i].key || !strcmp(c->v[i].key, key))
			return &c->v[i];
}

/* Where the idf of a table's phrases is counted: its SQL_IDF_*. */
struct idf_table {
	char letter;
	const char *sql;        /* ?1 one phrase, ?2 a struct fts_idf */
};

/* The statements that count one phrase's idf (fts.h: skilld_idf). */
static const char SQL_IDF_SEARCH[] = "SELECT skilld_idf(search, ?2) FROM search WHERE search "
				     "MATCH ?1 LIMIT 1";
static const char SQL_IDF_HEAD[] = "SELECT skilld_idf(search_head, ?2) FROM search_head WHERE "
				   "search_head MATCH ?1 LIMIT 1";
static const struct idf_table IDF_SEARCH = { 's', SQL_IDF_SEARCH };
static const struct idf_table IDF_HEAD = { 'h', SQL_IDF_HEAD };

/* The idf of phrase (an FTS5 string) on t into *idf, from the cache or
 * counted. A phrase no row holds gets 0: it adds to no row's rank. 0 or
 * -1 on an error. */
static int phrase_idf(struct store_reader *r, struct idf_cache *c, const struct idf_table *t,
		      const char *phrase, double *idf)
{
	char *key = xasprintf("%c%s", t->letter, phrase);
	struct idf_entry *e = idf_slot(c, key);
	struct fts_idf one = { .n_phrase = 0 };
	sqlite3_stmt *st;
	int s;

	if (e->key) {
		*idf = e->idf;
		free(key);
		return 0;
	}
	st = store_reader_stmt(r, t->sql);
	if (!st) {
		free(key);
		return -1;
	}
	sqlite3_bind_text(st, 1, phrase, -1, SQLITE_STATIC);
	sqlite3_bind_pointer(st, 2, &one, FTS_IDF_TYPE, NULL);
	s = sqlite3_step(st);
	sqlite3_reset(st);
	if ((s != SQLITE_ROW && s != SQLITE_DONE) || (s == SQLITE_ROW && one.n_phrase != 1)) {
		free(key);
		return -1;
	}
	*idf = s == SQLITE_ROW ? one.idf[0] : 0;
	if (c->n >= IDF_CACHE_SLOTS / 4 * 3) {
		idf_cache_clear(c);
		e = idf_slot(c, key);
	}
	e->key = key;
	e->idf = *idf;
	c->n++;
	return 0;
}

/* The idf of each phrase of plan_expr(p, ...) on t, in its order (the
 * kept terms, then the exclusions, which match no row that is ranked and
 * get 0), into out. 0, or -1 on an error. */
static int plan_idf(struct store_reader *r, const struct plan *p, const struct idf_table *t,
		    struct fts_idf *out)
{
	struct idf_cache *c = store_reader_data(r, IDF_CACHE, idf_cache_new, idf_cache_free);
	int64_t gen = store_reader_generation(r);
	struct buf b;
	int rc = 0;

	if (!c || gen < 0)
		return -1;
	if (c->generation != gen) {
		idf_cache_clear(c);
		c->generation = gen;
	}
	out->n_phrase = 0;
	out->sizes = NULL;
	buf_init(&b);
	for (size_t k = 0; k < p->n && rc == 0; k++) {
		const struct text_query_term *term = &p->terms[k];

		if (term->exclude || p->dropped[k])
			continue;
		b.len = 0;
		put_quoted(&b, term->s, term->n, term->prefix);
		buf_putc(&b, '\0');
		rc = phrase_idf(r, c, t, b.data, &out->idf[out->n_phrase++]);
	}
	for (size_t k = 0; k < p->n; k++)
		if (p->terms[k].exclude)
			out->idf[out->n_phrase++] = 0;
	buf_fini(&b);
	return rc;
}

/* ---- search_head's column sizes, read once per index generation ---- */

/* A reader's copy of search_head's column sizes (fts.h: fts_sizes) for
 * the generation it read them in: the head pass ranks up to every row of
 * search_head, and FTS5 would look each row's sizes up one statement at a
 * time. 12 bytes and a rowid a skill. */
struct head_sizes {
	int64_t generation;
	struct fts_sizes s;
};

/* The copy's key in store_reader_data. */
static const char HEAD_SIZES[] = "head sizes";

static void *head_sizes_new(void)
{
	struct head_sizes *h = xcalloc(1, sizeof(*h));

	h->generation = -1;
	return h;
}

static void head_sizes_free(void *p)
{
	struct head_sizes *h = p;

	if (!h)
		return;
	fts_sizes_fini(&h->s);
	free(h);
}

/* search_head's column sizes in r's snapshot, read when its generation
 * is not the one they were read in; NULL on an error. */
static const struct fts_sizes *head_sizes(struct store_reader *r)
{
	struct head_sizes *h = store_reader_data(r, HEAD_SIZES, head_sizes_new, head_sizes_free);
	int64_t gen = store_reader_generation(r);

	if (!h || gen < 0)
		return NULL;
	if (h->generation != gen) {
		fts_sizes_fini(&h->s);
		h->generation = -1;
		if (fts_sizes_load(store_reader_db(r), "search_head", 3, &h->s) != 0)
			return NULL;
		h->generation = gen;
	}
	return &h->s;
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

/* The skill whose id is id passes sq->only (bind_only: ?6 is NULL when
 * there is no such filter; the rest are store_browse's, as its page reads
 * them). */
#define SKILL_PASSES(id) "(?6 IS NULL OR " id " IN (SELECT id FROM skills WHERE " \
	"(?7 IS NULL OR root = ?7) AND (?8 IS NULL OR coalesce(tier, 'none') = ?8) AND " \
	"(?9 < 0 OR has_checklist = ?9) AND (?10 < 0 OR has_evals = ?10)))"
#define RUN_FILTER "search MATCH ?1 AND (?2 IS NULL OR kind = ?2) AND (?3 IS NULL OR skill = ?3) " \
	"AND " SKILL_PASSES(SEARCH_SKILL_OF)

/* A row's score: skilld_rank (fts.h: BM25F) with the weights of name,
 * description, headings, title and body, the located columns unweighted,
 * times the weight of the row's kind for resolve. */
#define RANK_WEIGHTS "0, 0, 0, 0, 0, 0, " \
	SEARCH_W_NAME ", " SEARCH_W_DESCRIPTION ", " SEARCH_W_HEADINGS ", " SEARCH_W_TITLE ", " \
	SEARCH_W_BODY
#define RANK "skilld_rank(search, " RANK_WEIGHTS ")"
/* The same, with the idf given (?11, a struct fts_idf: plan_idf; ?6..?10
 * are SKILL_PASSES'). */
#define RANK_IDF "skilld_rank_idf(search, ?11, " RANK_WEIGHTS ")"

/* A hit's score: its rank, times SEARCH_W_SKILL_ROW for a skill's own row
 * (whose several columns add up: a skill about the words in general should
 * not hide the item or section that answers them), plus SEARCH_W_LIFT
 * times the rank of its skill's own row: the rows of a skill whose name,
 * description or headings match come before those of a skill that only
 * mentions the words (a router's catalogue of every other skill). */
#define SEARCH_SCORE RANK_IDF " * (CASE WHEN " SEARCH_IS_OWN " THEN " SEARCH_W_SKILL_ROW " ELSE 1.0 " \
	"END) + " SEARCH_W_LIFT " * coalesce((SELECT r FROM own WHERE own.sid = " SEARCH_SKILL_OF "), 0)"
/* The skills' own rows that match, by skill: read off rowids, so neither
 * this nor the lookup above loads a row's text (search.h, Rowids). */
#define SEARCH_OWN "WITH own AS MATERIALIZED (SELECT " SEARCH_SKILL_OF " AS sid, " RANK_IDF " AS r " \
	"FROM search WHERE search MATCH ?1 AND " SEARCH_IS_OWN ") "

/* The statements of a search, prepared once per reader
 * (store_reader_stmt): their addresses are the keys. */
/* How many rows match, counting no further than ?4. */
static const char SQL_COUNT[] = "SELECT count(*) FROM (SELECT 1 FROM search WHERE " RUN_FILTER
				" LIMIT ?4)";
/* Every match ranked: the exhaustive path (?11 the idf). */
static const char SQL_RANKED[] = SEARCH_OWN "SELECT rowid, " SEARCH_SCORE " FROM search WHERE "
				 RUN_FILTER " ORDER BY 2 DESC, 1 LIMIT ?4 OFFSET ?5";
/* One hit's columns, by rowid ?1 (?2: its skill's id, for its root). */
static const char SQL_ROW[] = "SELECT kind, skill, path, coalesce(title, name), anchor, body, "
			      "url, description, title, name, (SELECT root FROM skills WHERE id = ?2) "
			      "FROM search WHERE rowid = ?1";
/* Top-k, first pass: the skills whose name, description or headings hold
 * the words and pass sq->only, best first (?3 the idf on search_head). */
static const char SQL_HEAD[] = "SELECT rowid FROM search_head WHERE search_head MATCH ?1 AND "
			       SKILL_PASSES("rowid") " ORDER BY "
			       "skilld_rank_idf(search_head, ?3, " SEARCH_W_NAME ", " SEARCH_W_DESCRIPTION ", "
			       SEARCH_W_HEADINGS ") DESC, rowid LIMIT ?2";
/* Top-k, when search_head holds too few of the words: the first skills
 * with a match that pass sq->only, in the index's order (?1 the search's
 * expression). */
static const char SQL_FILL[] = "SELECT DISTINCT " SEARCH_SKILL_OF " FROM search WHERE search "
			       "MATCH ?1 AND " SKILL_PASSES(SEARCH_SKILL_OF) " LIMIT ?2";
/* Top-k: a skill's id by slug (a search within one skill). */
static const char SQL_SKILL_ID[] = "SELECT id FROM skills WHERE slug = ?1 AND " SKILL_PASSES("id");
/* The cells (store.h) of the skills holding a match, under the kind and
 * skill filters but not sq->only: the search page's facets. */
static const char SQL_CELLS[] = "SELECT root_index, root, tier, has_checklist, has_evals, count(*) "
				"FROM skills WHERE id IN (SELECT " SEARCH_SKILL_OF " FROM search "
				"WHERE search MATCH ?1 AND (?2 IS NULL OR kind = ?2) AND "
				"(?3 IS NULL OR skill = ?3)) "
				"GROUP BY root_index, root, tier, has_checklist, has_evals "
				"ORDER BY root_index, root, tier, has_checklist, has_evals";
/* Top-k, second pass: the matches of one skill's rows (rowids ?2..?3, its
 * own row first) with their rank, the kind filter ?4 sparing the own row,
 * whose rank lifts the others. */
static const char SQL_SKILL_ROWS[] = "SELECT rowid, skilld_rank_idf(search, ?5, " RANK_WEIGHTS ") "
				     "FROM search WHERE search MATCH ?1 AND rowid BETWEEN ?2 AND ?3 "
				     "AND (?4 IS NULL OR rowid = ?2 OR kind = ?4)";

/* Appends the hit of the row at rowid (row: SQL_ROW) with its score to
 * data. 0, 1 when the row is gone, -1 on an error. */
static int add_hit(sqlite3_stmt *row, sqlite3_int64 rowid, double score, cJSON *data,
		   const struct snippet_query *snip)
{
	cJSON *o;
	int s;

	sqlite3_reset(row);
	sqlite3_bind_int64(row, 1, rowid);
	sqlite3_bind_int64(row, 2, rowid >> SEARCH_ROW_BITS);
	s = sqlite3_step(row);
	if (s != SQLITE_ROW)
		return s == SQLITE_DONE ? 1 : -1;
	o = cJSON_CreateObject();
	add_text_or_null(o, "kind", sqlite3_column_text(row, 0));
	add_text_or_null(o, "skill", sqlite3_column_text(row, 1));
	add_text_or_null(o, "root", sqlite3_column_text(row, 10));
	add_text_or_null(o, "path", sqlite3_column_text(row, 2));
	add_text_or_null(o, "title", sqlite3_column_text(row, 3));
	add_text_or_null(o, "anchor", sqlite3_column_text(row, 4));
	add_snippet(o, snip, row);
	cJSON_AddNumberToObject(o, "score", score);
	add_text_or_null(o, "url", sqlite3_column_text(row, 6));
	cJSON_AddItemToArray(data, o);
	sqlite3_reset(row);
	return 0;
}

/* The page's hits in two steps: the ranked rowids first (FTS5 reads only
 * its index to rank, once per match), then the columns of those rows by
 * rowid; selecting them with the ranking made SQLite read the text of
 * every match into its sorter. */
static int run_page(sqlite3_stmt *rank, sqlite3_stmt *row, cJSON *data,
		    const struct snippet_query *snip, long *n)
{
	int s;

	while ((s = sqlite3_step(rank)) == SQLITE_ROW) {
		int h = add_hit(row, sqlite3_column_int64(rank, 0), sqlite3_column_double(rank, 1), data,
				snip);

		if (h != 0) {
			s = h > 0 ? SQLITE_DONE : SQLITE_ERROR;
			break;
		}
		(*n)++;
	}
	return s == SQLITE_DONE ? 0 : -1;
}

/* Binds sq->only to ?6..?10 of a statement using SKILL_PASSES. */
static void bind_only(sqlite3_stmt *st, const struct search_query *sq)
{
	const struct store_browse *f = sq->only;
	bool any = f && (f->root || f->tier || f->checklist >= 0 || f->evals >= 0);

	if (any) {
		sqlite3_bind_int(st, 6, 1);
		sqlite3_bind_text(st, 7, f->root, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 8, f->tier, -1, SQLITE_STATIC);
	} else {
		sqlite3_bind_null(st, 6);
		sqlite3_bind_null(st, 7);
		sqlite3_bind_null(st, 8);
	}
	sqlite3_bind_int(st, 9, any ? f->checklist : -1);
	sqlite3_bind_int(st, 10, any ? f->evals : -1);
}

/* Binds the expression, kind, skill and sq->only of a search statement. */
static void bind_filter(sqlite3_stmt *st, const char *expr, const struct search_query *sq)
{
	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, expr, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, sq->kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, sq->skill, -1, SQLITE_STATIC);
	bind_only(st, sq);
}

/* Calls sq->cells with the cells of the skills holding a match of expr;
 * 0, or -1 on an error. */
static int run_cells(struct store_reader *r, const char *expr, const struct search_query *sq)
{
	sqlite3_stmt *st = store_reader_stmt(r, SQL_CELLS);
	int s;

	if (!st)
		return -1;
	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, expr, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, sq->kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, sq->skill, -1, SQLITE_STATIC);
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_browse_cell c = {
			.root_index = sqlite3_column_int(st, 0),
			.root = (const char *)sqlite3_column_text(st, 1),
			.tier = (const char *)sqlite3_column_text(st, 2),
			.checklist = sqlite3_column_int(st, 3) != 0,
			.evals = sqlite3_column_int(st, 4) != 0,
			.count = (long)sqlite3_column_int64(st, 5),
		};

		if (sq->cells(sq->cells_ctx, &c) != 0)
			break;
	}
	sqlite3_reset(st);
	return s == SQLITE_ROW || s == SQLITE_DONE ? 0 : -1;
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

/* How many rows match expr (with sq's filters), counting no further than
 * max; -1 on an error. */
static long count_matches(struct store_reader *r, const char *expr, const struct search_query *sq,
			  long max)
{
	sqlite3_stmt *st = store_reader_stmt(r, SQL_COUNT);
	long n;

	if (!st)
		return -1;
	bind_filter(st, expr, sq);
	sqlite3_bind_int64(st, 4, max);
	if (sqlite3_step(st) != SQLITE_ROW)
		return -1;
	n = (long)sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return n;
}

/* Every match ranked, the page [offset, offset + limit) into data. */
static int run_exhaustive(struct store_reader *r, const char *expr, struct fts_idf *idf,
			  const struct search_query *sq, int limit, long offset, cJSON *data,
			  const struct snippet_query *snip, long *n)
{
	sqlite3_stmt *st = store_reader_stmt(r, SQL_RANKED), *row;

	if (!st)
		return -1;
	bind_filter(st, expr, sq);
	sqlite3_bind_int(st, 4, limit);
	sqlite3_bind_int64(st, 5, offset);
	sqlite3_bind_pointer(st, 11, idf, FTS_IDF_TYPE, NULL);
	row = store_reader_stmt(r, SQL_ROW);
	if (!row)
		return -1;
	if (run_page(st, row, data, snip, n) != 0)
		return -1;
	sqlite3_reset(st);
	return 0;
}

/* A candidate of a top-k search. */
struct cand {
	sqlite3_int64 rowid;
	double score;
};

/* Best first; ties by row order, as the exhaustive ranking's ORDER BY. */
static int cand_cmp(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;

	if (x->score != y->score)
		return x->score < y->score ? 1 : -1;
	return (x->rowid > y->rowid) - (x->rowid < y->rowid);
}

/* The skills whose rows a top-k search ranks into ids (at most
 * SEARCH_TOPK_SKILLS): sq->skill alone, else the best of search_head for
 * expr_any (the query's words, any of them), then, when it holds fewer
 * (a word no skill's name, description or headings has), the first
 * skills with a match of expr in the index's order: found without
 * ranking, their rows ranked as any. How many, or -1. */
static int topk_skills(struct store_reader *r, const struct search_query *sq, const struct plan *p,
		       const char *expr, const char *expr_any, sqlite3_int64 *ids)
{
	struct fts_idf idf;
	sqlite3_stmt *st;
	int n = 0, s;

	if (sq->skill) {
		st = store_reader_stmt(r, SQL_SKILL_ID);
		if (!st)
			return -1;
		sqlite3_bind_text(st, 1, sq->skill, -1, SQLITE_STATIC);
		bind_only(st, sq);
		s = sqlite3_step(st);
		if (s == SQLITE_ROW)
			ids[n++] = sqlite3_column_int64(st, 0);
		sqlite3_reset(st);
		return s == SQLITE_ROW || s == SQLITE_DONE ? n : -1;
	}
	if (plan_idf(r, p, &IDF_HEAD, &idf) != 0)
		return -1;
	idf.sizes = head_sizes(r);
	if (!idf.sizes)
		return -1;
	st = store_reader_stmt(r, SQL_HEAD);
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, expr_any, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, SEARCH_TOPK_SKILLS);
	sqlite3_bind_pointer(st, 3, &idf, FTS_IDF_TYPE, NULL);
	bind_only(st, sq);
	while ((s = sqlite3_step(st)) == SQLITE_ROW && n < SEARCH_TOPK_SKILLS)
		ids[n++] = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if ((s != SQLITE_ROW && s != SQLITE_DONE) || n == SEARCH_TOPK_SKILLS)
		return s == SQLITE_ROW || s == SQLITE_DONE ? n : -1;
	st = store_reader_stmt(r, SQL_FILL);
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, expr, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, 2 * SEARCH_TOPK_SKILLS);
	bind_only(st, sq);
	while (n < SEARCH_TOPK_SKILLS && (s = sqlite3_step(st)) == SQLITE_ROW) {
		sqlite3_int64 id = sqlite3_column_int64(st, 0);
		int k = 0;

		while (k < n && ids[k] != id)
			k++;
		if (k == n)
			ids[n++] = id;
	}
	sqlite3_reset(st);
	return s == SQLITE_ROW || s == SQLITE_DONE ? n : -1;
}

/*
 * Top-k: ranks only the rows of the skills topk_skills picks (those
 * search_head puts first, or sq->skill), each scored as the exhaustive ranking scores it (the
 * same rank and idf, the lift of its skill's own row), and answers the
 * page [offset, offset + limit) from them. 0 with the page in data, 1 when
 * those skills hold fewer than offset + limit matches (the caller ranks
 * every match instead), -1 on an error.
 */
static int run_topk(struct store_reader *r, const struct plan *p, const char *expr,
		    const char *expr_any, struct fts_idf *idf, const struct search_query *sq, int limit,
		    long offset, cJSON *data, const struct snippet_query *snip, long *n)
{
	sqlite3_int64 ids[SEARCH_TOPK_SKILLS];
	struct cand *c = NULL;
	size_t n_c = 0, cap = 0;
	sqlite3_stmt *st, *row;
	int n_ids, s, rc = -1;

	n_ids = topk_skills(r, sq, p, expr, expr_any, ids);
	if (n_ids < 0)
		return -1;
	if (n_ids == 0)
		return 1;
	st = store_reader_stmt(r, SQL_SKILL_ROWS);
	if (!st)
		return -1;
	for (int i = 0; i < n_ids; i++) {
		sqlite3_int64 lo = ids[i] << SEARCH_ROW_BITS;
		double own = 0;

		sqlite3_reset(st);
		sqlite3_bind_text(st, 1, expr, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, lo);
		sqlite3_bind_int64(st, 3, lo + ((sqlite3_int64)1 << SEARCH_ROW_BITS) - 1);
		sqlite3_bind_text(st, 4, sq->kind, -1, SQLITE_STATIC);
		sqlite3_bind_pointer(st, 5, idf, FTS_IDF_TYPE, NULL);
		/* rowid order: the skill's own row, whose rank lifts the
		 * others, comes first when it matches */
		while ((s = sqlite3_step(st)) == SQLITE_ROW) {
			sqlite3_int64 rowid = sqlite3_column_int64(st, 0);
			double rank = sqlite3_column_double(st, 1);
			bool is_own = rowid == lo;

			if (is_own)
				own = rank;
			if (is_own && sq->kind && strcmp(sq->kind, "skill") != 0)
				continue;
			if (n_c == cap) {
				cap = cap ? cap * 2 : 256;
				c = xrealloc(c, cap * sizeof(*c));
			}
			c[n_c++] = (struct cand){ rowid, rank * (is_own ? SEARCH_SKILL_ROW : 1.0) +
						  SEARCH_LIFT * own };
		}
		if (s != SQLITE_DONE)
			goto out;
	}
	sqlite3_reset(st);
	if (n_c < (size_t)offset + (size_t)limit) {
		rc = 1;
		goto out;
	}
	qsort(c, n_c, sizeof(*c), cand_cmp);
	row = store_reader_stmt(r, SQL_ROW);
	if (!row)
		goto out;
	for (size_t i = (size_t)offset; i < n_c && i < (size_t)offset + (size_t)limit; i++) {
		int h = add_hit(row, c[i].rowid, c[i].score, data, snip);

		if (h < 0)
			goto out;
		*n += h == 0;
	}
	rc = 0;
out:
	sqlite3_reset(st);
	free(c);
	return rc;
}

int search_run(struct store_reader *r, const struct search_query *sq, cJSON **out, char *err, size_t errlen)
{
	sqlite3 *db = store_reader_db(r);
	struct snippet_query *snip = NULL;
	struct plan plan;
	struct fts_idf idf;
	enum search_match match = SEARCH_MATCH_ALL;
	char *expr = NULL, *expr_any = NULL;
	long offset = 0;
	int limit = sq->limit ? sq->limit : SEARCH_DEFAULT_LIMIT;
	long total = 0, n = 0;
	bool exact = true;
	size_t q_len;
	cJSON *res = NULL, *data, *j_total, *j_exact;
	int rc = SEARCH_BAD_REQUEST, topk = 1;

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
	/* Every word when some row has them all; else any of them, the rows
	 * with more of the words first (skilld_rank's share of phrases).
	 * Counted up to SEARCH_EXACT_MAX + 1: no more are ranked one by one. */
	for (;;) {
		expr = plan_expr(&plan, match);
		total = count_matches(r, expr, sq, SEARCH_EXACT_MAX + 1);
		if (total < 0) {
			rc = db_error(db, err, errlen);
			goto out;
		}
		if (total > 0 || match == SEARCH_MATCH_ANY || plan.n_pos < 2)
			break;
		match = SEARCH_MATCH_ANY;
		free(expr);
	}
	expr_any = plan_expr(&plan, SEARCH_MATCH_ANY);
	if (plan_idf(r, &plan, &IDF_SEARCH, &idf) != 0 ||
	    (sq->cells && run_cells(r, expr, sq) != 0)) {
		rc = db_error(db, err, errlen);
		goto out;
	}
	res = cJSON_CreateObject();
	cJSON_AddStringToObject(res, "query", sq->q);
	cJSON_AddStringToObject(res, "match", match == SEARCH_MATCH_ALL ? "all" : "any");
	cJSON_AddItemToObject(res, "ignored", ignored_terms(&plan));
	j_total = cJSON_AddNumberToObject(res, "total", 0);
	j_exact = cJSON_AddTrueToObject(res, "total_exact");
	data = cJSON_AddArrayToObject(res, "data");
	if (total > SEARCH_EXACT_MAX && !sq->exhaustive && offset + limit <= SEARCH_TOPK_DEPTH) {
		topk = run_topk(r, &plan, expr, expr_any, &idf, sq, limit, offset, data, snip, &n);
		if (topk < 0) {
			rc = db_error(db, err, errlen);
			goto out;
		}
		exact = topk != 0;
	}
	if (topk != 0) {
		/* every match ranked: counted in full too */
		if (total > SEARCH_EXACT_MAX)
			total = count_matches(r, expr, sq, -1);
		if (total < 0 || run_exhaustive(r, expr, &idf, sq, limit, offset, data, snip, &n) != 0) {
			rc = db_error(db, err, errlen);
			goto out;
		}
	}
	cJSON_SetNumberValue(j_total, (double)(exact ? total : SEARCH_EXACT_MAX));
	if (!exact)
		j_exact->type = cJSON_False;
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
	snippet_query_free(snip);
	free(expr);
	free(expr_any);
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
