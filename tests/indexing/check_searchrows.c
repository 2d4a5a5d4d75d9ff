/* SPDX-License-Identifier: MIT */
/*
 * Tests for searchrows: the rows a skill gets in the search table, read
 * back through search_run and straight from the table, on the index that
 * app_init builds of fixture_search.h's "gamma"; and searchrows_clear and
 * searchrows_optimize (segments merged into one) on that index and on a
 * database without the table.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <sqlite3.h>

#include "skilld/app/app.h"
#include "skilld/indexing/searchrows.h"
#include "skilld/store/fts.h"
#include "skilld/store/pack.h"
#include "skilld/store/searchdoc.h"
#include "skilld/store/search.h"
#include "skilld/base/util.h"
#include "fixture_search.h"
#include "testapp.h"
#include "testutil.h"

Suite *searchrows_suite(void);

static struct ta_app t;
static sqlite3 *db;     /* a reader of t's index */
static struct store_reader *rd;   /* the same reader, for the search calls */

static void setup(void)
{
	memset(&t, 0, sizeof(t));
	t.tmp = tu_mkdtemp();
	t.root = fx_write_gamma(t.tmp);
	ta_open(&t, NULL);
	rd = store_reader(t.app.store);
	db = store_reader_db(rd);
}

static void teardown(void)
{
	ta_close(&t);
	db = NULL;
}

/* Every row of the search table in insert order, one per line:
 * "kind|path|anchor|url|title" with "-" for NULL. free() it. */
static char *rows_of(sqlite3 *conn)
{
	sqlite3_stmt *st = NULL;
	struct buf b;

	ck_assert_int_eq(sqlite3_prepare_v2(conn, "SELECT kind, path, anchor, url, title FROM search "
					    "ORDER BY rowid", -1, &st, NULL), SQLITE_OK);
	buf_init(&b);
	while (sqlite3_step(st) == SQLITE_ROW) {
		for (int i = 0; i < 5; i++) {
			const char *v = (const char *)sqlite3_column_text(st, i);

			buf_printf(&b, "%s%s", i ? "|" : "", v ? v : "-");
		}
		buf_putc(&b, '\n');
	}
	sqlite3_finalize(st);
	buf_putc(&b, '\0');
	return buf_detach(&b, NULL);
}

static void expect_hit(const char *q, const char *kind, const char *path, const char *title,
		       const char *anchor, const char *url)
{
	cJSON *res;
	const cJSON *h = fx_only_hit(rd, q, &res);

	ck_assert_str_eq(jstr(res, "query"), q);
	ck_assert_str_eq(jstr(h, "kind"), kind);
	ck_assert_str_eq(jstr(h, "skill"), "gamma");
	ck_assert_str_eq(jstr(h, "path"), path);
	if (title)
		ck_assert_str_eq(jstr(h, "title"), title);
	else
		ck_assert(cJSON_IsNull(cJSON_GetObjectItem(h, "title")));
	if (anchor)
		ck_assert_str_eq(jstr(h, "anchor"), anchor);
	else
		ck_assert(cJSON_IsNull(cJSON_GetObjectItem(h, "anchor")));
	ck_assert_str_eq(jstr(h, "url"), url);
	ck_assert(cJSON_GetObjectItem(h, "score")->valuedouble > 0);
	cJSON_Delete(res);
}

START_TEST(gamma_rows)
{
	expect_hit("zebra", "skill", "SKILL.md", "gamma", NULL, "/skills/gamma");
	expect_hit("allergen", "skill", "SKILL.md", "gamma", NULL, "/skills/gamma");
	expect_hit("walrus", "reference", "references/notes.md", NULL, NULL,
		   "/skills/gamma/references/notes.md");
	expect_hit("penguin", "reference", "references/notes.md", "First part", "first-part",
		   "/skills/gamma/references/notes.md#first-part");
	/* a heading inside a fence and a setext heading do not split */
	expect_hit("capybara", "reference", "references/notes.md", "First part", "first-part",
		   "/skills/gamma/references/notes.md#first-part");
	expect_hit("ostrich", "reference", "references/notes.md", "First part", "first-part",
		   "/skills/gamma/references/notes.md#first-part");
	expect_hit("narwhal", "reference", "references/notes.md", "Second part", "second-part",
		   "/skills/gamma/references/notes.md#second-part");
	expect_hit("quokka", "checklist", "references/review-checklist.md", "G1 — Quokka check",
		   "1-g1-quokka-check", "/skills/gamma/checklist#1-g1-quokka-check");
	expect_hit("eucalyptus", "eval", "evals/evals.json", "eval-koala", "eval-koala",
		   "/skills/gamma/evals#eval-koala");
	expect_hit("koala enclosure", "eval", "evals/evals.json", "eval-koala", "eval-koala",
		   "/skills/gamma/evals#eval-koala");
}
END_TEST

START_TEST(gamma_untitled_item)
{
	cJSON *res;
	const cJSON *h = fx_only_hit(rd, "wombat", &res);

	ck_assert_str_eq(jstr(h, "kind"), "checklist");
	ck_assert_str_eq(jstr(h, "title"), "plain item about a wombat without any title that goes on for…");
	cJSON_Delete(res);
}
END_TEST

START_TEST(gamma_table)
{
	char *rows = rows_of(db);
	sqlite3_stmt *st = NULL;

	/* every row, in the order written: the skill, the sections of notes.md
	 * (the text before the first heading has no title or anchor; "Notes"
	 * has a blank body but a title, so it is kept), the checklist's items,
	 * the eval */
	ck_assert_str_eq(rows,
			 "skill|SKILL.md|-|/skills/gamma|-\n"
			 "reference|references/notes.md|-|/skills/gamma/references/notes.md|-\n"
			 "reference|references/notes.md|notes|/skills/gamma/references/notes.md#notes|Notes\n"
			 "reference|references/notes.md|first-part|"
			 "/skills/gamma/references/notes.md#first-part|First part\n"
			 "reference|references/notes.md|second-part|"
			 "/skills/gamma/references/notes.md#second-part|Second part\n"
			 "checklist|references/review-checklist.md|1-g1-quokka-check|"
			 "/skills/gamma/checklist#1-g1-quokka-check|G1 — Quokka check\n"
			 "checklist|references/review-checklist.md|1-plain-item-about-a-wombat-without-any-title-that|"
			 "/skills/gamma/checklist#1-plain-item-about-a-wombat-without-any-title-that|"
			 "plain item about a wombat without any title that goes on for…\n"
			 "eval|evals/evals.json|eval-koala|/skills/gamma/evals#eval-koala|eval-koala\n");
	free(rows);
	/* the skill row: name and description from the frontmatter, the body
	 * after it, the markers made spaces */
	ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT name, description, body, skill_id FROM search "
					    "WHERE kind = 'skill'", -1, &st, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	ck_assert_str_eq((const char *)sqlite3_column_text(st, 0), "gamma");
	ck_assert_str_eq((const char *)sqlite3_column_text(st, 1),
			 "Checks café menus for allergen labelling.");
	ck_assert_str_eq((const char *)sqlite3_column_text(st, 2),
			 "# Gamma\n\nBody text mentions zebra near  marker  characters.\n");
	ck_assert_int_eq(sqlite3_column_int64(st, 3), 1);
	sqlite3_finalize(st);
}
END_TEST

/* A writer connection to t's index (*w, closed by the caller) and its
 * searchrows (searchrows_free). */
static struct searchrows *writer_open(sqlite3 **w)
{
	char *path = xasprintf("%s/skilld.db", t.tmp);
	char err[256] = "";

	ck_assert_int_eq(sqlite3_open(path, w), SQLITE_OK);
	ck_assert_msg(fts_register(*w, err, sizeof(err)) == 0, "%s", err);
	free(path);
	return searchrows_new(*w);
}

START_TEST(clear_empties_and_keeps_the_table)
{
	char err[256] = "";
	sqlite3 *w = NULL;
	sqlite3_stmt *st = NULL;
	struct searchrows *sr = writer_open(&w);
	char *rows;

	ck_assert_int_eq(sqlite3_exec(w, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
	ck_assert_msg(searchrows_clear(sr, err, sizeof(err)) == 0, "%s", err);
	rows = rows_of(w);
	ck_assert_str_eq(rows, "");
	free(rows);
	ck_assert_int_eq(sqlite3_prepare_v2(w, "SELECT (SELECT count(*) FROM search_rows) + "
					    "(SELECT count(*) FROM search_docs) + "
					    "(SELECT count(*) FROM search_head)", -1, &st, NULL),
			 SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	ck_assert_int_eq(sqlite3_column_int(st, 0), 0);
	sqlite3_finalize(st);
	/* created again from its own definition: still FTS5 over its content,
	 * still searchable, the text read back out of the packed document */
	{
		const char *row[SD_FIELDS] = { "skill", "SKILL.md", NULL, "/skills/x", "x", NULL, NULL,
					       NULL, "a walrus" };
		struct pack_ctx *pc = pack_ctx_new();
		struct buf doc, packed;
		sqlite3_stmt *ins = NULL;

		buf_init(&doc);
		buf_init(&packed);
		searchdoc_begin(&doc, "x");
		searchdoc_row(&doc, row);
		pack_bytes(pc, doc.data, doc.len, &packed);
		ck_assert_int_eq(sqlite3_prepare_v2(w, "INSERT INTO search_docs (skill_id, doc) "
						    "VALUES (7, ?1)", -1, &ins, NULL), SQLITE_OK);
		sqlite3_bind_blob(ins, 1, packed.data, (int)packed.len, SQLITE_STATIC);
		ck_assert_int_eq(sqlite3_step(ins), SQLITE_DONE);
		sqlite3_finalize(ins);
		buf_fini(&doc);
		buf_fini(&packed);
		pack_ctx_free(pc);
	}
	ck_assert_int_eq(sqlite3_exec(w, "INSERT INTO search_rows (id) VALUES (7 << 24); "
				      "INSERT INTO search (rowid, kind, skill, url, body) "
				      "VALUES (7 << 24, 'skill', 'x', '/skills/x', 'a walrus')", NULL, NULL,
				      NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(w, "SELECT count(*), max(body), max(skill), "
					    "max(skill_id), max(url), max(anchor) IS NULL FROM search "
					    "WHERE search MATCH 'walrus'", -1, &st, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	ck_assert_int_eq(sqlite3_column_int(st, 0), 1);
	ck_assert_str_eq((const char *)sqlite3_column_text(st, 1), "a walrus");
	ck_assert_str_eq((const char *)sqlite3_column_text(st, 2), "x");
	ck_assert_int_eq(sqlite3_column_int(st, 3), 7);
	ck_assert_str_eq((const char *)sqlite3_column_text(st, 4), "/skills/x");
	ck_assert_int_eq(sqlite3_column_int(st, 5), 1);
	sqlite3_finalize(st);
	ck_assert_int_eq(sqlite3_exec(w, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
	searchrows_free(sr);
	sqlite3_close(w);
}
END_TEST

/* How many segments table's FTS5 index has. */
static int segments_of(sqlite3 *conn, const char *table)
{
	char *sql = xasprintf("SELECT count(DISTINCT segid) FROM %s_idx", table);
	sqlite3_stmt *st = NULL;
	int n;

	ck_assert_int_eq(sqlite3_prepare_v2(conn, sql, -1, &st, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	free(sql);
	return n;
}

START_TEST(optimize_merges_segments)
{
	char err[256] = "";
	sqlite3 *w = NULL;
	sqlite3_stmt *st = NULL;
	struct searchrows *sr = writer_open(&w);

	/* a segment per transaction, none merged by FTS5 itself */
	ck_assert_int_eq(sqlite3_exec(w, "INSERT INTO search (search, rank) VALUES ('automerge', 0); "
				      "INSERT INTO search_head (search_head, rank) VALUES ('automerge', 0)",
				      NULL, NULL, NULL), SQLITE_OK);
	for (int i = 1; i <= 3; i++) {
		char *sql = xasprintf("INSERT INTO search (rowid, kind, skill, url, body) VALUES "
				      "((100 + %d) << 24, 'skill', 'x', '/skills/x', 'a aardvark'); "
				      "INSERT INTO search_head (rowid, name) VALUES (100 + %d, 'aardvark')",
				      i, i);

		ck_assert_int_eq(sqlite3_exec(w, sql, NULL, NULL, NULL), SQLITE_OK);
		free(sql);
	}
	ck_assert_int_ge(segments_of(w, "search"), 4);
	ck_assert_int_ge(segments_of(w, "search_head"), 4);
	ck_assert_int_eq(sqlite3_exec(w, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
	ck_assert_msg(searchrows_optimize(sr, err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(sqlite3_exec(w, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
	ck_assert_int_eq(segments_of(w, "search"), 1);
	ck_assert_int_eq(segments_of(w, "search_head"), 1);
	/* the same rows found: the fixture's, the ones added */
	expect_hit("zebra", "skill", "SKILL.md", "gamma", NULL, "/skills/gamma");
	ck_assert_int_eq(sqlite3_prepare_v2(w, "SELECT (SELECT count(*) FROM search WHERE search "
					    "MATCH 'aardvark'), (SELECT count(*) FROM search_head WHERE "
					    "search_head MATCH 'aardvark')", -1, &st, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	ck_assert_int_eq(sqlite3_column_int(st, 0), 3);
	ck_assert_int_eq(sqlite3_column_int(st, 1), 3);
	sqlite3_finalize(st);
	searchrows_free(sr);
	sqlite3_close(w);
}
END_TEST

START_TEST(without_the_table)
{
	char err[256] = "";
	sqlite3 *w = NULL;
	struct searchrows *sr;

	ck_assert_int_eq(sqlite3_open(":memory:", &w), SQLITE_OK);
	sr = searchrows_new(w);
	ck_assert_int_eq(searchrows_clear(sr, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "search: clearing the table: no table 'search' in the schema");
	ck_assert_int_eq(searchrows_optimize(sr, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "search: merging the index's segments: no such table: search");
	searchrows_free(sr);
	sqlite3_close(w);
}
END_TEST

Suite *searchrows_suite(void)
{
	Suite *s = suite_create("searchrows");
	TCase *gamma = tcase_create("gamma");
	TCase *clear = tcase_create("clear");

	tcase_add_checked_fixture(gamma, setup, teardown);
	tcase_add_test(gamma, gamma_rows);
	tcase_add_test(gamma, gamma_untitled_item);
	tcase_add_test(gamma, gamma_table);
	suite_add_tcase(s, gamma);
	tcase_add_checked_fixture(clear, setup, teardown);
	tcase_add_test(clear, clear_empties_and_keeps_the_table);
	tcase_add_test(clear, without_the_table);
	tcase_add_test(clear, optimize_merges_segments);
	suite_add_tcase(s, clear);
	return s;
}
