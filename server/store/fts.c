/* SPDX-License-Identifier: MIT */
/*
 * fts: the tokenizer "skilld" and the rank function skilld_rank of the
 * search table (see fts.h). Registered per connection; the tokenizer's
 * instances and the rank function's per-statement data belong to the
 * statement's thread.
 */
#include "skilld/store/fts.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "skilld/base/text.h"
#include "skilld/base/util.h"
#include "skilld/store/pack.h"
#include "skilld/store/searchdoc.h"

#define RANK_K1 2.0
#define RANK_B 0.75

fts5_api *fts_api(sqlite3 *db)
{
	fts5_api *api = NULL;
	sqlite3_stmt *st = NULL;

	if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &st, NULL) != SQLITE_OK)
		return NULL;
	sqlite3_bind_pointer(st, 1, (void *)&api, "fts5_api_ptr", NULL);
	sqlite3_step(st);
	sqlite3_finalize(st);
	return api;
}

/* ---- the tokenizer ---- */

struct tok {
	fts5_tokenizer porter;  /* the methods of FTS5's porter tokenizer */
	Fts5Tokenizer *inner;   /* porter over unicode61, diacritics removed */
};

/* Where the tokens of a piece of text go: the caller's callback, with
 * offsets moved by shift, or all set to [start, end) for a whole term. */
struct tok_sink {
	void *ctx;
	int (*x_token)(void *, int, const char *, int, int, int);
	int shift;
	int start, end;         /* end > 0: a whole term's span */
};

static int tok_forward(void *ctx, int tflags, const char *token, int n, int start, int end)
{
	struct tok_sink *s = ctx;

	if (s->end > 0)
		return s->x_token(s->ctx, tflags, token, n, s->start, s->end);
	return s->x_token(s->ctx, tflags, token, n, start + s->shift, end + s->shift);
}

static int tok_create(void *ctx, const char **args, int n_args, Fts5Tokenizer **out)
{
	static const char *const defaults[] = { "unicode61", "remove_diacritics", "2" };
	fts5_api *api = ctx;
	struct tok *t = xcalloc(1, sizeof(*t));
	void *ud = NULL;
	int rc;

	if (n_args == 0) {
		args = (const char **)defaults;
		n_args = 3;
	}
	rc = api->xFindTokenizer(api, "porter", &ud, &t->porter);
	if (rc == SQLITE_OK)
		rc = t->porter.xCreate(ud, args, n_args, &t->inner);
	if (rc != SQLITE_OK) {
		free(t);
		return rc;
	}
	*out = (Fts5Tokenizer *)t;
	return SQLITE_OK;
}

static void tok_delete(Fts5Tokenizer *p)
{
	struct tok *t = (struct tok *)p;

	if (!t)
		return;
	t->porter.xDelete(t->inner);
	free(t);
}

/* Porter's tokens of text[from..to), offsets as in the whole text. */
static int tok_plain(struct tok *t, struct tok_sink *s, int flags, const char *text, int from, int to)
{
	if (to <= from)
		return SQLITE_OK;
	s->shift = from;
	s->end = 0;
	return t->porter.xTokenize(t->inner, s, flags, text + from, to - from, tok_forward);
}

static int tok_tokenize(Fts5Tokenizer *p, void *ctx, int flags, const char *text, int n,
			int (*x_token)(void *, int, const char *, int, int, int))
{
	struct tok *t = (struct tok *)p;
	struct tok_sink s = { .ctx = ctx, .x_token = x_token };
	int from = 0, rc = SQLITE_OK;

	for (int i = 0; i < n && rc == SQLITE_OK;) {
		size_t len;
		const char *token = text_whole_term(text, (size_t)n, (size_t)i, &len);

		if (!token) {
			i++;
			continue;
		}
		rc = tok_plain(t, &s, flags, text, from, i);
		if (rc != SQLITE_OK)
			break;
		s.start = i;
		s.end = i + (int)len;
		rc = t->porter.xTokenize(t->inner, &s, flags, token, (int)strlen(token), tok_forward);
		i += (int)len;
		from = i;
	}
	if (rc == SQLITE_OK)
		rc = tok_plain(t, &s, flags, text, from, n);
	return rc;
}

/* ---- the rank function ---- */

/* What a statement computes once: the idf of each phrase and the average
 * length of each column (over all rows), plus room for one row's counts. */
struct rank_data {
	int n_phrase, n_col;
	double *idf;            /* [n_phrase] */
	double *avg;            /* [n_col] */
	double *tf;             /* [n_phrase * n_col], per row */
};

static void rank_data_free(void *p)
{
	struct rank_data *d = p;

	if (!d)
		return;
	free(d->idf);
	free(d->avg);
	free(d->tf);
	free(d);
}

static int count_row(const Fts5ExtensionApi *api, Fts5Context *fts, void *ctx)
{
	(void)api;
	(void)fts;
	(*(sqlite3_int64 *)ctx)++;
	return SQLITE_OK;
}

/* The statement's rank_data, made on the first row; NULL on an error. The
 * idf of each phrase comes from given when it is not NULL (and has them
 * all), else from counting each phrase's matches (a pass over its whole
 * doclist). */
static struct rank_data *rank_data_get(const Fts5ExtensionApi *api, Fts5Context *fts,
				       const struct fts_idf *given, int *rc)
{
	struct rank_data *d = api->xGetAuxdata(fts, 0);
	sqlite3_int64 rows = 0;

	if (d)
		return d;
	d = xcalloc(1, sizeof(*d));
	d->n_phrase = api->xPhraseCount(fts);
	d->n_col = api->xColumnCount(fts);
	d->idf = xcalloc((size_t)d->n_phrase + 1, sizeof(*d->idf));
	d->avg = xcalloc((size_t)d->n_col + 1, sizeof(*d->avg));
	d->tf = xcalloc((size_t)d->n_phrase * (size_t)d->n_col + 1, sizeof(*d->tf));
	*rc = api->xRowCount(fts, &rows);
	for (int c = 0; c < d->n_col && *rc == SQLITE_OK; c++) {
		sqlite3_int64 total = 0;

		*rc = api->xColumnTotalSize(fts, c, &total);
		d->avg[c] = rows > 0 ? (double)total / (double)rows : 0;
	}
	if (given && given->n_phrase != d->n_phrase)
		given = NULL;
	for (int p = 0; p < d->n_phrase && *rc == SQLITE_OK; p++) {
		sqlite3_int64 hits = 0;

		if (given) {
			d->idf[p] = given->idf[p];
			continue;
		}
		*rc = api->xQueryPhrase(fts, p, &hits, count_row);
		d->idf[p] = log(1.0 + ((double)rows - (double)hits + 0.5) / ((double)hits + 0.5));
	}
	if (*rc == SQLITE_OK)
		*rc = api->xSetAuxdata(fts, d, rank_data_free);
	else
		rank_data_free(d);
	return *rc == SQLITE_OK ? d : NULL;
}

/* ---- column sizes read once ---- */

void fts_sizes_fini(struct fts_sizes *s)
{
	free(s->rowid);
	free(s->size);
	memset(s, 0, sizeof(*s));
}

/* Reads one of FTS5's varints (SQLite's: 7 bits a byte, high bit set on
 * all but the last) at *i of p[0..n) into *v; 0, or -1 past the end. */
static int sizes_varint(const unsigned char *p, int n, int *i, int *v)
{
	unsigned int x = 0;

	for (int k = 0; k < 5; k++) {
		if (*i >= n)
			return -1;
		x = (x << 7) | (p[*i] & 0x7f);
		if (!(p[(*i)++] & 0x80)) {
			*v = (int)x;
			return 0;
		}
	}
	return -1;
}

int fts_sizes_load(sqlite3 *db, const char *table, int n_col, struct fts_sizes *s)
{
	char *sql = xasprintf("SELECT id, sz FROM \"%s_docsize\" ORDER BY id", table);
	sqlite3_stmt *st = NULL;
	size_t cap = 0;
	int rc = -1, step;

	memset(s, 0, sizeof(*s));
	s->n_col = n_col;
	if (n_col < 1 || sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		goto out;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		const unsigned char *p = sqlite3_column_blob(st, 1);
		int len = sqlite3_column_bytes(st, 1), at = 0;

		if (s->n == cap) {
			cap = cap ? cap * 2 : 1024;
			s->rowid = xrealloc(s->rowid, cap * sizeof(*s->rowid));
			s->size = xrealloc(s->size, cap * (size_t)n_col * sizeof(*s->size));
		}
		s->rowid[s->n] = sqlite3_column_int64(st, 0);
		for (int c = 0; c < n_col; c++)
			if (sizes_varint(p, len, &at, &s->size[s->n * (size_t)n_col + (size_t)c]) != 0)
				goto out;
		s->n++;
	}
	rc = step == SQLITE_DONE ? 0 : -1;
out:
	sqlite3_finalize(st);
	free(sql);
	if (rc != 0)
		fts_sizes_fini(s);
	return rc;
}

const int *fts_sizes_row(const struct fts_sizes *s, sqlite3_int64 rowid)
{
	size_t lo = 0, hi = s->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->rowid[mid] < rowid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < s->n && s->rowid[lo] == rowid ? &s->size[lo * (size_t)s->n_col] : NULL;
}

/* skilld_rank on the current row, the idf from given (or counted when
 * NULL), its column sizes from given->sizes when that holds the row, the
 * weights val[0..n_val). */
static void rank_row(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *ctx,
		     const struct fts_idf *given, int n_val, sqlite3_value **val)
{
	int rc = SQLITE_OK, n_inst = 0, matched = 0;
	struct rank_data *d = rank_data_get(api, fts, given, &rc);
	double score = 0, row_len = 0, avg_len = 0, norm;
	const int *sizes = NULL;

	if (!d) {
		sqlite3_result_error_code(ctx, rc);
		return;
	}
	if (given && given->sizes && given->sizes->n_col == d->n_col)
		sizes = fts_sizes_row(given->sizes, api->xRowid(fts));
	memset(d->tf, 0, (size_t)d->n_phrase * (size_t)d->n_col * sizeof(*d->tf));
	rc = api->xInstCount(fts, &n_inst);
	for (int i = 0; i < n_inst && rc == SQLITE_OK; i++) {
		int p, c, off;

		rc = api->xInst(fts, i, &p, &c, &off);
		if (rc == SQLITE_OK && p >= 0 && p < d->n_phrase && c >= 0 && c < d->n_col)
			d->tf[p * d->n_col + c] += 1;
	}
	/* The columns most rows have share one length, as in bm25: a
	 * section's short title and long body are one text. */
	for (int c = 0; c < d->n_col && rc == SQLITE_OK; c++) {
		int len = 0;

		if (d->avg[c] < 1.0)
			continue;
		if (sizes)
			len = sizes[c];
		else
			rc = api->xColumnSize(fts, c, &len);
		row_len += len;
		avg_len += d->avg[c];
	}
	norm = avg_len > 0 ? 1.0 - RANK_B + RANK_B * row_len / avg_len : 1.0;
	for (int p = 0; p < d->n_phrase && rc == SQLITE_OK; p++) {
		double tf = 0;

		for (int c = 0; c < d->n_col; c++) {
			double w = c < n_val ? sqlite3_value_double(val[c]) : 1.0;

			if (d->tf[p * d->n_col + c] == 0 || w == 0)
				continue;
			tf += w * d->tf[p * d->n_col + c] / (d->avg[c] < 1.0 ? 1.0 : norm);
		}
		if (tf > 0) {
			matched++;
			score += d->idf[p] * tf * (RANK_K1 + 1.0) / (tf + RANK_K1);
		}
	}
	if (rc != SQLITE_OK) {
		sqlite3_result_error_code(ctx, rc);
		return;
	}
	sqlite3_result_double(ctx, d->n_phrase ? score * matched / d->n_phrase : 0);
}

static void rank_fn(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *ctx,
		    int n_val, sqlite3_value **val)
{
	rank_row(api, fts, ctx, NULL, n_val, val);
}

/* skilld_rank_idf(search, idf, w0, w1...): idf a struct fts_idf bound as a
 * pointer; without one (NULL, or another pointer type) the phrases are
 * counted as skilld_rank counts them. */
static void rank_idf_fn(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *ctx,
			int n_val, sqlite3_value **val)
{
	const struct fts_idf *given = n_val > 0 ? sqlite3_value_pointer(val[0], FTS_IDF_TYPE) : NULL;

	rank_row(api, fts, ctx, given, n_val > 0 ? n_val - 1 : 0, n_val > 0 ? val + 1 : val);
}

/* skilld_idf(search, idf): fills the struct fts_idf bound as a pointer with
 * the idf of each phrase of the query, counted on the row's table (the
 * same numbers skilld_rank uses), and returns the number of phrases; -1
 * when the query has more than FTS_IDF_MAX. Called for one matching row. */
static void idf_fn(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *ctx,
		   int n_val, sqlite3_value **val)
{
	struct fts_idf *out = n_val > 0 ? sqlite3_value_pointer(val[0], FTS_IDF_TYPE) : NULL;
	int rc = SQLITE_OK;
	struct rank_data *d;

	if (!out) {
		sqlite3_result_error(ctx, "skilld_idf: no idf pointer", -1);
		return;
	}
	d = rank_data_get(api, fts, NULL, &rc);
	if (!d) {
		sqlite3_result_error_code(ctx, rc);
		return;
	}
	if (d->n_phrase > FTS_IDF_MAX) {
		out->n_phrase = -1;
		sqlite3_result_int(ctx, -1);
		return;
	}
	out->n_phrase = d->n_phrase;
	memcpy(out->idf, d->idf, (size_t)d->n_phrase * sizeof(*d->idf));
	sqlite3_result_int(ctx, d->n_phrase);
}

/* ---- skilld_row(doc, row, field): the search table's content ---- */

/* A document a connection keeps: its id in search_docs (never used again
 * for another, so what an id names never changes), it unpacked, and
 * parsed. */
struct memo_doc {
	sqlite3_int64 id;
	uint64_t used;          /* the memo's clock at its last use; 0: empty */
	struct buf doc;
	struct searchdoc parsed;
};

/* One connection's last documents, up to FTS_DOC_MEMO_DOCS and
 * FTS_DOC_MEMO_BYTES unpacked, the least recently used given up first:
 * the fields of a row and the rows of a skill come one after the other,
 * and a search's hits come back to the same few skills (unpacking a
 * skill's document was half of a search's time on booklib-head). A
 * function's calls on a connection never run at once. */
struct doc_memo {
	struct pack_ctx *ctx;
	uint64_t clock;
	size_t bytes;           /* kept: the documents' buffers */
	struct memo_doc *last;
	struct memo_doc d[FTS_DOC_MEMO_DOCS];
};

static void memo_doc_drop(struct doc_memo *m, struct memo_doc *d)
{
	m->bytes -= d->doc.cap;
	buf_fini(&d->doc);
	searchdoc_fini(&d->parsed);
	d->used = 0;
	if (m->last == d)
		m->last = NULL;
}

static void doc_memo_free(void *p)
{
	struct doc_memo *m = p;

	pack_ctx_free(m->ctx);
	for (int i = 0; i < FTS_DOC_MEMO_DOCS; i++)
		memo_doc_drop(m, &m->d[i]);
	free(m);
}

/* The least recently used document of m other than keep, or NULL when
 * none is kept; an empty slot counts as the least used. */
static struct memo_doc *memo_lru(struct doc_memo *m, const struct memo_doc *keep)
{
	struct memo_doc *lru = NULL;

	for (int i = 0; i < FTS_DOC_MEMO_DOCS; i++) {
		struct memo_doc *d = &m->d[i];

		if (d != keep && (!lru || d->used < lru->used))
			lru = d;
	}
	return lru;
}

int fts_read_dict(sqlite3_stmt *st, uint32_t id, struct buf *out)
{
	int rc = -1;

	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, (sqlite3_int64)id - PACK_DICT_ID_BASE);
	if (sqlite3_step(st) == SQLITE_ROW) {
		out->len = 0;
		buf_append(out, sqlite3_column_blob(st, 0), (size_t)sqlite3_column_bytes(st, 0));
		rc = 0;
	}
	sqlite3_reset(st);
	return rc;
}

/* The packing dictionary of id (pack.h's pack_dict_fn) from db, the
 * calling statement's connection: read in its snapshot. */
static int conn_dict(void *arg, uint32_t id, struct buf *out)
{
	sqlite3_stmt *st = NULL;
	int rc = -1;

	if (sqlite3_prepare_v2(arg, FTS_DICT_SQL, -1, &st, NULL) == SQLITE_OK)
		rc = fts_read_dict(st, id, out);
	sqlite3_finalize(st);
	return rc;
}

/* Document id, from the memo or read (on the calling statement's own
 * connection, in its snapshot) and unpacked into it, in the place of the
 * least recently used one; then others are given up while the memo is
 * over FTS_DOC_MEMO_BYTES. The document, or NULL with a message in err
 * when there is no such document or it is not one. */
static struct memo_doc *doc_load(struct doc_memo *m, sqlite3 *db, sqlite3_int64 id,
				 const char **err)
{
	sqlite3_stmt *st = NULL;
	struct memo_doc *d = m->last;
	int rc = -1;

	if (!d || d->id != id || !d->used) {
		d = NULL;
		for (int i = 0; i < FTS_DOC_MEMO_DOCS && !d; i++)
			if (m->d[i].used && m->d[i].id == id)
				d = &m->d[i];
	}
	if (d) {
		d->used = ++m->clock;
		m->last = d;
		return d;
	}
	d = memo_lru(m, NULL);
	m->bytes -= d->doc.cap;
	d->used = 0;
	pack_ctx_dicts(m->ctx, conn_dict, db);
	*err = "skilld_row: no such search document (a corrupt index?)";
	if (sqlite3_prepare_v2(db, "SELECT doc FROM search_docs WHERE id = ?1", -1, &st, NULL) ==
	    SQLITE_OK) {
		sqlite3_bind_int64(st, 1, id);
		if (sqlite3_step(st) == SQLITE_ROW) {
			*err = "skilld_row: not a search document (a corrupt index?)";
			if (unpack_bytes(m->ctx, sqlite3_column_blob(st, 0),
					 (size_t)sqlite3_column_bytes(st, 0), &d->doc) == 0 &&
			    searchdoc_parse(&d->parsed, d->doc.data, d->doc.len) == 0)
				rc = 0;
		}
	}
	sqlite3_finalize(st);
	m->bytes += d->doc.cap;
	if (rc != 0) {
		memo_doc_drop(m, d);
		return NULL;
	}
	d->id = id;
	d->used = ++m->clock;
	m->last = d;
	while (m->bytes > FTS_DOC_MEMO_BYTES) {
		struct memo_doc *lru = memo_lru(m, d);

		if (!lru || !lru->doc.cap)
			break;
		memo_doc_drop(m, lru);
	}
	return d;
}

static void row_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	struct doc_memo *m = sqlite3_user_data(ctx);
	sqlite3_int64 row = sqlite3_value_int64(argv[1]);
	int field = sqlite3_value_int(argv[2]);
	const char *s, *err = NULL;
	struct memo_doc *d;
	size_t n;

	(void)argc;
	if (sqlite3_value_type(argv[0]) == SQLITE_NULL)
		return;
	d = doc_load(m, sqlite3_context_db_handle(ctx), sqlite3_value_int64(argv[0]), &err);
	if (!d) {
		sqlite3_result_error(ctx, err, -1);
		return;
	}
	if (field == -1) {
		s = d->parsed.slug;
		n = d->parsed.slug_len;
	} else if (field < 0 || field >= SD_FIELDS || row < 0 ||
		   !searchdoc_get(&d->parsed, d->doc.data, (size_t)row, (enum searchdoc_field)field,
				  &s, &n)) {
		return;   /* NULL */
	}
	sqlite3_result_text64(ctx, s, n, SQLITE_TRANSIENT, SQLITE_UTF8);
}

/* ---- skilld_unpack(packed): a packed value as text (tests, tools) ---- */

struct unpacker {
	struct pack_ctx *ctx;
	struct buf out;
};

static void unpacker_free(void *p)
{
	struct unpacker *u = p;

	pack_ctx_free(u->ctx);
	buf_fini(&u->out);
	free(u);
}

static void unpack_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	struct unpacker *u = sqlite3_user_data(ctx);

	(void)argc;
	if (sqlite3_value_type(argv[0]) == SQLITE_NULL)
		return;
	pack_ctx_dicts(u->ctx, conn_dict, sqlite3_context_db_handle(ctx));
	if (unpack_bytes(u->ctx, sqlite3_value_blob(argv[0]), (size_t)sqlite3_value_bytes(argv[0]),
			 &u->out) != 0) {
		sqlite3_result_error(ctx, "skilld_unpack: not a packed value (a corrupt index?)", -1);
		return;
	}
	sqlite3_result_blob64(ctx, u->out.data, u->out.len, SQLITE_TRANSIENT);
}

int fts_register(sqlite3 *db, char *err, size_t errlen)
{
	static const fts5_tokenizer methods = { tok_create, tok_delete, tok_tokenize };
	fts5_api *api = fts_api(db);
	struct doc_memo *m;
	struct unpacker *u;

	if (!api || api->iVersion < 2) {
		snprintf(err, errlen, "this SQLite has no FTS5");
		return -1;
	}
	m = xcalloc(1, sizeof(*m));
	m->ctx = pack_ctx_new();
	for (int i = 0; i < FTS_DOC_MEMO_DOCS; i++)
		searchdoc_init(&m->d[i].parsed);
	/* freed by SQLite with the connection, or at once when this fails */
	if (sqlite3_create_function_v2(db, "skilld_row", 3,
				       SQLITE_UTF8 | SQLITE_INNOCUOUS, m, row_fn, NULL, NULL, doc_memo_free) != SQLITE_OK) {
		snprintf(err, errlen, "registering skilld_row: %s", sqlite3_errmsg(db));
		return -1;
	}
	u = xcalloc(1, sizeof(*u));
	u->ctx = pack_ctx_new();
	if (sqlite3_create_function_v2(db, "skilld_unpack", 1, SQLITE_UTF8 | SQLITE_INNOCUOUS, u,
				       unpack_fn, NULL, NULL, unpacker_free) != SQLITE_OK) {
		snprintf(err, errlen, "registering skilld_unpack: %s", sqlite3_errmsg(db));
		return -1;
	}
	if (api->xCreateTokenizer(api, FTS_TOKENIZER, api, (fts5_tokenizer *)&methods, NULL) != SQLITE_OK ||
	    api->xCreateFunction(api, "skilld_rank", NULL, rank_fn, NULL) != SQLITE_OK ||
	    api->xCreateFunction(api, "skilld_rank_idf", NULL, rank_idf_fn, NULL) != SQLITE_OK ||
	    api->xCreateFunction(api, "skilld_idf", NULL, idf_fn, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "registering the search extensions: %s", sqlite3_errmsg(db));
		return -1;
	}
	return 0;
}
