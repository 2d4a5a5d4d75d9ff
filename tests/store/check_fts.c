/* SPDX-License-Identifier: MIT */
/*
 * Tests for the search table's FTS5 extensions (fts.c) on an in-memory
 * table of their own: the tokenizer "skilld" (C++, C#, F#, .NET and
 * Node.js one token each, everything else as porter over unicode61) and the
 * rank function skilld_rank (a name match is not drowned by a long body;
 * more of the query's words rank higher; column weights count).
 */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "skilld/store/fts.h"

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

Suite *fts_suite(void)
{
	Suite *s = suite_create("fts");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_tokenizer_keeps_names_whole);
	tcase_add_test(tc, test_rank);
	suite_add_tcase(s, tc);
	return s;
}
