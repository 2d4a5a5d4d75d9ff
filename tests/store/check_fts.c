/* SPDX-License-Identifier: MIT */
/*
 * Tests for the search table's FTS5 extensions (fts.c) on an in-memory
 * table of their own: the tokenizer "skilld" (C++, C#, F#, .NET and
 * Node.js one token each, everything else as porter over unicode61) and the
 * rank function skilld_rank (a name match is not drowned by a long body;
 * more of the query's words rank higher; column weights count), and
 * skilld_row over documents of a search_docs table.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "skilld/store/fts.h"
#include "skilld/store/pack.h"
#include "skilld/store/searchdoc.h"
#include "skilld/base/util.h"

Suite *fts_suite(void);

static sqlite3 *db;

static void setup(void)
{
	char err[256];

	ck_assert_int_eq(sqlite3_open(":memory:", &db), SQLITE_OK);
	ck_assert_msg(fts_register(db, err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(sqlite3_exec(db, "CREATE VIRTUAL TABLE t USING fts5(name, body, "
				      "tokenize = 'skilld'); CREATE VIRTUAL TABLE v USING "
				      "fts5vocab(t, 'row');", NULL, NULL, NULL), SQLITE_OK);
}

static void teardown(void)
{
	sqlite3_close(db);
}

static void add(long long rowid, const char *name, const char *body)
{
	sqlite3_stmt *st;

	ck_assert_int_eq(sqlite3_prepare_v2(db, "INSERT INTO t (rowid, name, body) VALUES (?1, ?2, ?3)",
					    -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_int64(st, 1, rowid);
	if (name)
		sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, body, -1, SQLITE_STATIC);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
}

/* The rowids that match q, best first by skilld_rank (name weight w), or
 * in rowid order when w is NULL, as "1 2 3". */
static const char *ranked(const char *q, const char *w)
{
	static char out[256];
	char sql[256];
	sqlite3_stmt *st;
	size_t len = 0;

	if (w)
		snprintf(sql, sizeof(sql), "SELECT rowid FROM t WHERE t MATCH ?1 ORDER BY "
			 "skilld_rank(t, %s, 1.0) DESC, rowid", w);
	else
		snprintf(sql, sizeof(sql), "SELECT rowid FROM t WHERE t MATCH ?1 ORDER BY rowid");
	ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_text(st, 1, q, -1, SQLITE_STATIC);
	out[0] = '\0';
	while (sqlite3_step(st) == SQLITE_ROW)
		len += (size_t)snprintf(out + len, sizeof(out) - len, "%s%lld", len ? " " : "",
					(long long)sqlite3_column_int64(st, 0));
	sqlite3_finalize(st);
	return out;
}

/* Is term a token of the table's vocabulary? */
static int has_token(const char *term)
{
	sqlite3_stmt *st;
	int found;

	ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT 1 FROM v WHERE term = ?1", -1, &st, NULL),
			 SQLITE_OK);
	sqlite3_bind_text(st, 1, term, -1, SQLITE_STATIC);
	found = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return found;
}

START_TEST(test_tokenizer_keeps_names_whole)
{
	add(1, "cpp", "Modern C++17 and C# on .NET with Node.js.");
	add(2, "c", "Plain C code, a net and a node.");
	add(3, "web", "ASP.NET pages; example.net is a domain.");
	/* the names are single tokens; their letters are not tokens of them */
	ck_assert(has_token("cplusplu"));  /* porter's stem of "cplusplus" */
	ck_assert(has_token("csharp"));
	ck_assert(has_token("dotnet"));
	ck_assert(has_token("nodej"));
	ck_assert_str_eq(ranked("\"C++\"", NULL), "1");
	ck_assert_str_eq(ranked("\"C#\"", NULL), "1");
	ck_assert_str_eq(ranked("\"Node.js\"", NULL), "1");
	ck_assert_str_eq(ranked("\".NET\"", NULL), "1 3");   /* ASP.NET holds .NET */
	ck_assert_str_eq(ranked("c", NULL), "2");           /* not C++ or C# */
	ck_assert_str_eq(ranked("net", NULL), "2 3");       /* example.net: net */
	ck_assert_str_eq(ranked("node", NULL), "2");
	/* porter still stems the rest */
	ck_assert_str_eq(ranked("pages", NULL), "3");
	ck_assert_str_eq(ranked("page", NULL), "3");
}
END_TEST

START_TEST(test_rank)
{
	static char body[8192];

	/* 1: the word in the name, a long body; 2: the word once in a short
	 * body; 3: both words in the body. Only a skill's own row has a name
	 * (as in the search table), so names are not length-normalised. */
	memset(body, 0, sizeof(body));
	for (size_t i = 0; i + 6 < sizeof(body) - 1; i += 6)
		memcpy(body + i, "words ", 6);
	add(1, "kotlin", body);
	add(2, NULL, "kotlin is mentioned here");
	add(3, NULL, "kotlin coroutines in depth");
	add(4, NULL, "nothing about it");
	/* the name weighs: the long body does not drown it */
	ck_assert_str_eq(ranked("kotlin", "10.0"), "1 2 3");
	/* without the name's weight, a long row ranks below the short ones */
	ck_assert_str_eq(ranked("kotlin", "0.0"), "2 3 1");
	/* any word may match: the row with more of them first (then, at name
	 * weight 1, the short body before the name of a long row) */
	ck_assert_str_eq(ranked("kotlin OR coroutines", "1.0"), "3 2 1");
}
END_TEST

/* The scores of t's rows matching q by skilld_rank_idf (idf given as
 * 1.0, weights 1, 1), sizes from sz when not NULL, as "rowid:score"... */
static const char *scored(const char *q, const struct fts_sizes *sz)
{
	static char out[256];
	struct fts_idf idf = { .n_phrase = 1, .idf = { 1.0 }, .sizes = sz };
	sqlite3_stmt *st;
	size_t len = 0;

	ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT rowid, skilld_rank_idf(t, ?2, 1.0, 1.0) FROM t "
					    "WHERE t MATCH ?1 ORDER BY rowid", -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_text(st, 1, q, -1, SQLITE_STATIC);
	sqlite3_bind_pointer(st, 2, &idf, FTS_IDF_TYPE, NULL);
	out[0] = '\0';
	while (sqlite3_step(st) == SQLITE_ROW)
		len += (size_t)snprintf(out + len, sizeof(out) - len, "%s%lld:%.6f", len ? " " : "",
					(long long)sqlite3_column_int64(st, 0), sqlite3_column_double(st, 1));
	sqlite3_finalize(st);
	return out;
}

START_TEST(test_sizes)
{
	struct fts_sizes sz;
	char plain[256];
	const int *row;

	add(1, "kotlin", "one two three four five six seven eight");
	add(2, NULL, "kotlin is mentioned here");
	add(7, "kotlin flows", "kotlin");
	ck_assert_int_eq(fts_sizes_load(db, "t", 2, &sz), 0);
	ck_assert_uint_eq(sz.n, 3);
	ck_assert_int_eq(sz.rowid[0], 1);
	ck_assert_int_eq(sz.rowid[2], 7);
	row = fts_sizes_row(&sz, 1);
	ck_assert(row && row[0] == 1 && row[1] == 8);
	row = fts_sizes_row(&sz, 2);
	ck_assert(row && row[0] == 0 && row[1] == 4);
	row = fts_sizes_row(&sz, 7);
	ck_assert(row && row[0] == 2 && row[1] == 1);
	ck_assert_ptr_null(fts_sizes_row(&sz, 3));
	ck_assert_ptr_null(fts_sizes_row(&sz, 8));
	/* the sizes read once rank as FTS5's own */
	snprintf(plain, sizeof(plain), "%s", scored("kotlin", NULL));
	ck_assert_str_eq(scored("kotlin", &sz), plain);
	/* and they are the ones read: a longer body ranks row 2 lower */
	sz.size[1 * 2 + 1] = 40;
	ck_assert_str_ne(scored("kotlin", &sz), plain);
	fts_sizes_fini(&sz);
	ck_assert_uint_eq(sz.n, 0);
	fts_sizes_fini(&sz);
	/* no such table: nothing read */
	ck_assert_int_eq(fts_sizes_load(db, "nope", 2, &sz), -1);
	ck_assert_uint_eq(sz.n, 0);
}
END_TEST

/* Document id of search_docs: slug "s<id>", rows rows whose body is "b<id>.<row>"
 * then pad bytes of 'x' (packed: zstd makes them small). */
static void add_doc(struct pack_ctx *pc, long long id, int rows, size_t pad)
{
	struct buf doc, packed;
	sqlite3_stmt *st;
	char slug[32];

	buf_init(&doc);
	buf_init(&packed);
	snprintf(slug, sizeof(slug), "s%lld", id);
	searchdoc_begin(&doc, slug);
	for (int r = 0; r < rows; r++) {
		char *body = xasprintf("b%lld.%d", id, r);
		char *big = xmalloc(strlen(body) + pad + 1);
		const char *f[SD_FIELDS] = { "skill", NULL, NULL, NULL, NULL, NULL, NULL, NULL, big };

		memcpy(big, body, strlen(body));
		memset(big + strlen(body), 'x', pad);
		big[strlen(body) + pad] = '\0';
		searchdoc_row(&doc, f);
		free(big);
		free(body);
	}
	pack_bytes(pc, doc.data, doc.len, &packed);
	ck_assert_int_eq(sqlite3_prepare_v2(db, "INSERT INTO search_docs (id, doc) VALUES (?1, ?2)",
					    -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_blob(st, 2, packed.data, (int)packed.len, SQLITE_STATIC);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
	buf_fini(&doc);
	buf_fini(&packed);
}

/* skilld_row(id, row, field) as text ("NULL" for NULL, "ERROR: ..." for an
 * error), its first 31 bytes. */
static const char *row_of(long long id, int row, int field)
{
	static char out[64];
	sqlite3_stmt *st;
	int s;

	ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT skilld_row(?1, ?2, ?3)", -1, &st, NULL),
			 SQLITE_OK);
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int(st, 2, row);
	sqlite3_bind_int(st, 3, field);
	s = sqlite3_step(st);
	if (s != SQLITE_ROW)
		snprintf(out, sizeof(out), "ERROR: %.50s", sqlite3_errmsg(db));
	else if (sqlite3_column_type(st, 0) == SQLITE_NULL)
		snprintf(out, sizeof(out), "NULL");
	else
		snprintf(out, sizeof(out), "%.31s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return out;
}

START_TEST(test_row_documents)
{
	struct pack_ctx *pc = pack_ctx_new();
	const int n_docs = FTS_DOC_MEMO_DOCS + 8;
	/* the big ones: three fill the memo's bytes */
	const size_t big = FTS_DOC_MEMO_BYTES / 3 + 1;
	char want[64];

	ck_assert_int_eq(sqlite3_exec(db, "CREATE TABLE search_docs (id INTEGER PRIMARY KEY, doc BLOB)",
				      NULL, NULL, NULL), SQLITE_OK);
	for (int i = 1; i <= n_docs; i++)
		add_doc(pc, i, 3, i % 10 == 0 ? big : 8);
	/* more documents than the memo keeps, one after the other, back and
	 * forth, and by turns: each field is its own document's */
	for (int pass = 0; pass < 3; pass++) {
		for (int k = 0; k < n_docs; k++) {
			int i = pass == 1 ? n_docs - k : pass == 2 ? 1 + (k * 7) % n_docs : k + 1;

			snprintf(want, sizeof(want), "s%d", i);
			ck_assert_str_eq(row_of(i, 0, -1), want);
			snprintf(want, sizeof(want), "b%d.2xxxxxxxx", i);
			ck_assert_int_eq(strncmp(row_of(i, 2, SD_BODY), want, strlen(want)), 0);
			ck_assert_uint_eq(strlen(row_of(i, 2, SD_BODY)), i % 10 ? strlen(want) : 31);
			ck_assert_str_eq(row_of(i, 1, SD_KIND), "skill");
			ck_assert_str_eq(row_of(i, 3, SD_BODY), "NULL");     /* past its rows */
			ck_assert_str_eq(row_of(i, 0, SD_TITLE), "NULL");
		}
	}
	/* a big document is whole after the others were read */
	ck_assert_int_eq(strlen(row_of(10, 1, SD_BODY)), 31);
	/* no such document: an error, and the memo still answers */
	ck_assert_str_eq(row_of(n_docs + 1, 0, -1), "ERROR: skilld_row: no such search document (a corrupt ind");
	ck_assert_str_eq(row_of(3, 0, -1), "s3");
	/* a document's id is never used again; one that is gone is an error */
	ck_assert_str_eq(row_of(5, 0, -1), "s5");
	ck_assert_int_eq(sqlite3_exec(db, "DELETE FROM search_docs WHERE id = 5", NULL, NULL, NULL),
			 SQLITE_OK);
	ck_assert_str_eq(row_of(5, 0, -1), "s5");   /* kept: the same bytes */
	for (int i = 1; i <= n_docs; i++)
		if (i != 5)
			row_of(i, 0, -1);
	ck_assert_str_eq(row_of(5, 0, -1), "ERROR: skilld_row: no such search document (a corrupt ind");
	pack_ctx_free(pc);
}
END_TEST

Suite *fts_suite(void)
{
	Suite *s = suite_create("fts");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_tokenizer_keeps_names_whole);
	tcase_add_test(tc, test_rank);
	tcase_add_test(tc, test_sizes);
	tcase_add_test(tc, test_row_documents);
	suite_add_tcase(s, tc);
	return s;
}
