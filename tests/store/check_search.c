/* SPDX-License-Identifier: MIT */
/*
 * Tests for search: the query compiler with exact outputs, and search_run /
 * search_resolve on real indexes built by app_init, one over a small skill
 * (fixture_search.h's "gamma"; the rows it gets are searchrows' tests) and
 * one over the bundled skills/ folder, with the expected first results of
 * tests/fixtures/search-relevance.json.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "skilld/app/app.h"
#include "skilld/store/db.h"
#include "skilld/store/search.h"
#include "skilld/base/util.h"
#include "fixture_search.h"
#include "testutil.h"

Suite *search_suite(void);

static char *tmp;
static struct config cfg;
static struct app app;
static sqlite3 *db;
static struct store_reader *rd;   /* the same reader, for the search calls */

static const char *no_env(const char *name)
{
	(void)name;
	return NULL;
}

/* Builds the index of root (through app_init) and sets db to a reader. */
static void open_index(const char *root)
{
	char err[512];
	char *dbp = xasprintf("%s/skilld.db", tmp);
	char *argv[] = { "skilld", "--skills", (char *)root, "--db", dbp, "--port", "0", NULL };
	FILE *devnull = fopen("/dev/null", "w");

	ck_assert_int_eq(config_parse(&cfg, 7, argv, no_env, err, sizeof(err)), 0);
	ck_assert_msg(app_init(&app, &cfg, devnull, err, sizeof(err)) == 0, "%s", err);
	rd = store_reader(app.store);
	db = store_reader_db(rd);
	free(dbp);
}

static void setup_gamma(void)
{
	char *root;

	tmp = tu_mkdtemp();
	root = fx_write_gamma(tmp);
	open_index(root);
	free(root);
}

/* Skills that name languages a word tokenizer would cut to letters. */
static void setup_languages(void)
{
	static const char *const skills[][2] = {
		{ "plain-c", "Review C programs that call calloc." },
		{ "cpp", "Templates and RAII in C++ (C++17 and later)." },
		{ "csharp", "Async and await in C# services." },
		{ "fsharp", "Records and unions in F#." },
		{ "dotnet", "Hosting ASP.NET Core apps on .NET 8." },
		{ "server-streams", "Streams in Node.js servers." },
		{ "other", "A node of a graph, a net, example.net, the letter c and a c-string." },
	};
	char *root;

	tmp = tu_mkdtemp();
	root = xasprintf("%s/skills", tmp);
	for (size_t i = 0; i < sizeof(skills) / sizeof(skills[0]); i++) {
		char *path = xasprintf("%s/SKILL.md", skills[i][0]);
		char *md = xasprintf("---\nname: %s\ndescription: %s\n---\n# %s\n\n%s\n",
				     skills[i][0], skills[i][1], skills[i][0], skills[i][1]);

		tu_write_str(root, path, md);
		free(path);
		free(md);
	}
	open_index(root);
	free(root);
}

/* MANY_SKILLS skills of MANY_SECTIONS reference sections that all say
 * "widget" (more rows than SEARCH_EXACT_MAX), one of them named for it. */
#define MANY_SKILLS 50
#define MANY_SECTIONS 30
static void setup_many(void)
{
	char *root;

	tmp = tu_mkdtemp();
	root = xasprintf("%s/skills", tmp);
	for (int i = 0; i < MANY_SKILLS; i++) {
		char *slug = i == 7 ? xstrdup("widget-care") : xasprintf("s-%02d", i);
		char *path = xasprintf("%s/SKILL.md", slug);
		char *md = xasprintf("---\nname: %s\ndescription: %s\n---\n# %s\n\nRead the notes.\n",
				     slug, i == 7 ? "Caring for a widget." : "Gears and levers.", slug);
		struct buf b;

		tu_write_str(root, path, md);
		buf_init(&b);
		for (int k = 0; k < MANY_SECTIONS; k++)
			buf_printf(&b, "## Part %d\n\nA widget, part %d of %d%s.\n\n", k, k, i,
				   k % 3 ? "" : ", and another widget");
		buf_putc(&b, '\0');
		free(path);
		path = xasprintf("%s/references/notes.md", slug);
		tu_write_str(root, path, b.data);
		buf_fini(&b);
		free(path);
		free(md);
		free(slug);
	}
	open_index(root);
	free(root);
}

static void setup_bundled(void)
{
	tmp = tu_mkdtemp();
	open_index("skills");
}

static void teardown(void)
{
	FILE *log = app.log.out;

	app_fini(&app);
	if (log)
		fclose(log);
	config_fini(&cfg);
	tu_rmtree(tmp);
	free(tmp);
}

/* ---- search_compile ---- */

static void compiles_to(const char *q, const char *want)
{
	char err[256] = "";
	char *got = search_compile(q, err, sizeof(err));

	ck_assert_msg(got != NULL, "'%s' failed: %s", q, err);
	ck_assert_str_eq(got, want);
	free(got);
}

static void rejects(const char *q, size_t len, const char *want_err)
{
	char err[256] = "";
	char *got = search_compile_len(q, len, SEARCH_MATCH_ALL, err, sizeof(err));

	ck_assert_msg(got == NULL, "'%s' compiled to %s", q, got);
	ck_assert_str_eq(err, want_err);
}

START_TEST(compile_syntax)
{
	compiles_to("use after free", "\"use\" AND \"after\" AND \"free\"");
	compiles_to("  \"use after\"  free ", "\"use after\" AND \"free\"");
	compiles_to("idempot*", "\"idempot\"*");
	compiles_to("\"keys for\"* post", "\"keys for\"* AND \"post\"");
	compiles_to("memory -leak", "\"memory\" NOT \"leak\"");
	compiles_to("x b -c -\"d e\"", "(\"x\" AND \"b\") NOT \"c\" NOT \"d e\"");
	compiles_to("free \"use after", "\"free\" AND \"use after\"");
	compiles_to("NEAR(a b)", "\"NEAR(a\" AND \"b\"");
	compiles_to("a:b", "\"a:b\"");
	compiles_to("AND OR NOT", "\"AND\" AND \"OR\" AND \"NOT\"");
	compiles_to("^x", "\"^x\"");
	compiles_to("say\"hi\"", "\"say\"\"hi\"");
	compiles_to("x * - \"\" ( )", "\"x\"");
	compiles_to("café", "\"café\"");
	compiles_to("x\tb\nc", "\"x\" AND \"b\" AND \"c\"");
}
END_TEST

/* Any-mode expressions, of a plan's terms. */
static void compiles_any_to(const char *q, const char *want)
{
	char err[256] = "";
	char *got = search_compile_len(q, strlen(q), SEARCH_MATCH_ANY, err, sizeof(err));

	ck_assert_msg(got != NULL, "'%s': %s", q, err);
	ck_assert_str_eq(got, want);
	free(got);
}

START_TEST(compile_natural_language)
{
	/* plain stop words are left out, sentence marks taken off */
	compiles_to("review my Java builder class for mistakes.",
		    "\"review\" AND \"Java\" AND \"builder\" AND \"class\" AND \"mistakes\"");
	compiles_to("make my C++ code memory safe", "\"make\" AND \"C++\" AND \"code\" AND "
		    "\"memory\" AND \"safe\"");
	compiles_to("what is .NET, or Node.js?", "\".NET\" AND \"Node.js\"");
	/* quoted, prefix and excluded stop words are what was asked for */
	compiles_to("\"for\" loops", "\"for\" AND \"loops\"");
	compiles_to("the* end", "\"the\"* AND \"end\"");
	compiles_to("cats -the", "\"cats\" NOT \"the\"");
	/* nothing but stop words: they are the query */
	compiles_to("the and of", "\"the\" AND \"and\" AND \"of\"");
	/* any: OR, the exclusions still apply */
	compiles_any_to("java builder for -kotlin", "(\"java\" OR \"builder\") NOT \"kotlin\"");
	compiles_any_to("one", "\"one\"");
	compiles_any_to("\"a phrase\" word*", "\"a phrase\" OR \"word\"*");
}
END_TEST

START_TEST(compile_rejects)
{
	char big[10 * 1024 + 1];
	char many[200] = "";

	rejects("", 0, "q has no search terms");
	rejects("   \t", 4, "q has no search terms");
	rejects("\"", 1, "q has no search terms");
	rejects("*", 1, "q has no search terms");
	rejects("-", 1, "q has no search terms");
	rejects("-free -leak", 11, "q has only excluded terms; add a word to search for");
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	rejects(big, strlen(big), "q is longer than 1000 bytes");
	rejects("a\0b", 3, "q contains a NUL byte");
	rejects("caf\xe9", 4, "q is not valid UTF-8");
	rejects("\xc3", 1, "q is not valid UTF-8");
	for (int i = 0; i < 33; i++)
		strcat(many, "ab ");
	rejects(many, strlen(many), "q has more than 32 terms");
	many[3 * 32] = '\0';
	char *ok = search_compile(many, many, sizeof(many));
	ck_assert_ptr_nonnull(ok);
	free(ok);
	ck_assert_ptr_null(search_compile(NULL, big, sizeof(big)));
}
END_TEST

/* ---- search_run on gamma ---- */

/* Runs a search; returns the status and *out. */
static int run(const char *q, const char *kind, const char *skill, int limit, const char *cursor,
	       cJSON **out, char *err, size_t errlen)
{
	struct search_query sq = { .q = q, .kind = kind, .skill = skill, .limit = limit,
				   .cursor = cursor };

	return search_run(rd, &sq, out, err, errlen);
}

static int jint(const cJSON *o, const char *key)
{
	return cJSON_GetObjectItemCaseSensitive(o, key)->valueint;
}

START_TEST(gamma_snippet_and_markers)
{
	cJSON *res;
	const cJSON *h = fx_only_hit(rd, "zebra", &res);

	/* one line of plain text: the heading's marker and the line breaks go */
	ck_assert_str_eq(jstr(h, "snippet"), "Gamma Body text mentions " SEARCH_MARK_OPEN "zebra"
			 SEARCH_MARK_CLOSE " near marker characters.");
	cJSON_Delete(res);
	/* the stored markers were removed, so they cannot fake a match */
	h = fx_only_hit(rd, "marker", &res);
	ck_assert_ptr_nonnull(strstr(jstr(h, "snippet"), SEARCH_MARK_OPEN "marker" SEARCH_MARK_CLOSE));
	cJSON_Delete(res);
}
END_TEST

START_TEST(gamma_diacritics)
{
	cJSON *res;

	ck_assert_str_eq(jstr(fx_only_hit(rd, "cafe", &res), "kind"), "skill");
	cJSON_Delete(res);
	ck_assert_str_eq(jstr(fx_only_hit(rd, "café", &res), "kind"), "skill");
	cJSON_Delete(res);
	ck_assert_str_eq(jstr(fx_only_hit(rd, "CAFÉ", &res), "kind"), "skill");
	cJSON_Delete(res);
}
END_TEST

START_TEST(gamma_syntax_semantics)
{
	char err[256];
	cJSON *res;

	/* AND: both words in the same row; when no row has both, any of
	 * them, and the answer says so */
	ck_assert_int_eq(run("quokka koala", NULL, NULL, 0, NULL, &res, err, sizeof(err)), 0);
	ck_assert_str_eq(jstr(res, "match"), "any");
	ck_assert_int_eq(jint(res, "total"), 2);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(res, "data")), 2);
	cJSON_Delete(res);
	ck_assert_int_eq(run("quokka fed", NULL, NULL, 0, NULL, &res, err, sizeof(err)), 0);
	ck_assert_str_eq(jstr(res, "match"), "all");
	ck_assert_int_eq(jint(res, "total"), 1);
	cJSON_Delete(res);
	/* the words of one row come before a row with fewer of them */
	ck_assert_int_eq(run("quokka fed walrus", NULL, NULL, 0, NULL, &res, err, sizeof(err)), 0);
	ck_assert_str_eq(jstr(res, "match"), "any");
	ck_assert_int_eq(jint(res, "total"), 2);
	ck_assert_str_eq(jstr(cJSON_GetArrayItem(cJSON_GetObjectItem(res, "data"), 0), "anchor"),
			 "1-g1-quokka-check");
	cJSON_Delete(res);
	/* a stop word is no reason for a miss, and the answer names it */
	ck_assert_int_eq(run("is the quokka fed", NULL, NULL, 0, NULL, &res, err, sizeof(err)), 0);
	ck_assert_str_eq(jstr(res, "match"), "all");
	ck_assert_int_eq(jint(res, "total"), 1);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(res, "ignored")), 2);
	ck_assert_str_eq(cJSON_GetArrayItem(cJSON_GetObjectItem(res, "ignored"), 0)->valuestring, "is");
	cJSON_Delete(res);
	/* one word that matches nothing stays a miss */
	ck_assert_int_eq(run("zzzqqq", NULL, NULL, 0, NULL, &res, err, sizeof(err)), 0);
	ck_assert_str_eq(jstr(res, "match"), "all");
	ck_assert_int_eq(jint(res, "total"), 0);
	cJSON_Delete(res);
	/* exclusion */
	ck_assert_int_eq(run("text -penguin", NULL, NULL, 0, NULL, &res, err, sizeof(err)), 0);
	ck_assert_int_eq(jint(res, "total"), 2);
	cJSON_Delete(res);
	ck_assert_int_eq(run("text", NULL, NULL, 0, NULL, &res, err, sizeof(err)), 0);
	ck_assert_int_eq(jint(res, "total"), 3);
	cJSON_Delete(res);
	/* phrase: order matters */
	ck_assert_int_eq(run("\"quokka check\"", NULL, NULL, 0, NULL, &res, err, sizeof(err)), 0);
	ck_assert_int_eq(jint(res, "total"), 1);
	cJSON_Delete(res);
	ck_assert_int_eq(run("\"check quokka\"", NULL, NULL, 0, NULL, &res, err, sizeof(err)), 0);
	ck_assert_int_eq(jint(res, "total"), 0);
	cJSON_Delete(res);
	/* prefix */
	ck_assert_int_eq(run("narwh*", NULL, NULL, 0, NULL, &res, err, sizeof(err)), 0);
	ck_assert_int_eq(jint(res, "total"), 1);
	cJSON_Delete(res);
	ck_assert_int_eq(run("narwh", NULL, NULL, 0, NULL, &res, err, sizeof(err)), 0);
	ck_assert_int_eq(jint(res, "total"), 0);
	cJSON_Delete(res);
}
END_TEST

START_TEST(gamma_bad_input)
{
	char err[256];
	cJSON *res = (cJSON *)1;

	ck_assert_int_eq(run("", NULL, NULL, 0, NULL, &res, err, sizeof(err)), 400);
	ck_assert_str_eq(err, "q has no search terms");
	ck_assert_ptr_null(res);
	ck_assert_int_eq(run("x", "skills", NULL, 0, NULL, &res, err, sizeof(err)), 400);
	ck_assert_str_eq(err, "kind must be skill, reference, checklist or eval");
	ck_assert_int_eq(run("x", NULL, NULL, 51, NULL, &res, err, sizeof(err)), 400);
	ck_assert_str_eq(err, "limit must be between 1 and 50");
	ck_assert_int_eq(run("x", NULL, NULL, -1, NULL, &res, err, sizeof(err)), 400);
	ck_assert_int_eq(run("x", NULL, NULL, 0, "garbage", &res, err, sizeof(err)), 400);
	ck_assert_str_eq(err, "cursor is not valid for this search");
	ck_assert_int_eq(run(NULL, NULL, NULL, 0, NULL, &res, err, sizeof(err)), 400);
	ck_assert_str_eq(err, "q is required");
}
END_TEST

START_TEST(gamma_hostile_queries)
{
	static const char *const qs[] = {
		"\"", "\"\"", "\"\"\"", "*", "**", "-", "--", "-*", "NEAR(", "NEAR(a b, 2)",
		"a:b", "name:x", "{name title}: x", "^x", "+", "a OR", "OR", "AND", "NOT x",
		"(", ")", "((a))", "a\"b", "x\"*", "\"a\" \"b", "-\"", "é*", "'", "\\", ";",
		"DROP TABLE search", "a -a", "\x01\x02", "\xef\xbf\xbd", SEARCH_MARK_OPEN,
		"\xe2\x80\x94", "zebra*-", "a*b", "*a", "-\"x\"*", "\"\xee\x80\x81\"",
	};
	char err[256];

	for (size_t i = 0; i < sizeof(qs) / sizeof(qs[0]); i++) {
		cJSON *res = NULL;
		int rc = run(qs[i], NULL, NULL, 0, NULL, &res, err, sizeof(err));

		ck_assert_msg(rc == 0 || rc == 400, "'%s' gave %d: %s", qs[i], rc, err);
		ck_assert_msg((rc == 0) == (res != NULL), "'%s'", qs[i]);
		cJSON_Delete(res);
	}
}
END_TEST

START_TEST(gamma_cursor)
{
	struct search_query a = { .q = "text" }, b = { .q = "text", .kind = "reference" };
	long off = -1;
	char *c = search_cursor_encode(&a, 20);

	ck_assert_int_eq(search_cursor_decode(&a, c, &off), 0);
	ck_assert_int_eq(off, 20);
	ck_assert_int_eq(search_cursor_decode(&b, c, &off), -1);
	free(c);
	ck_assert_int_eq(search_cursor_decode(&a, "", &off), -1);
	ck_assert_int_eq(search_cursor_decode(&a, "-1.00000000", &off), -1);
	ck_assert_int_eq(search_cursor_decode(&a, "99999999999999999999.x", &off), -1);
	ck_assert_int_eq(search_cursor_decode(&a, NULL, &off), -1);
}
END_TEST

/* ---- the bundled skills ---- */

START_TEST(bundled_relevance)
{
	size_t len;
	char *text = tu_read("tests/fixtures/search-relevance.json", &len);
	cJSON *doc, *cases;
	const cJSON *c;
	int n = 0;

	ck_assert_ptr_nonnull(text);
	doc = cJSON_ParseWithLength(text, len);
	cases = cJSON_GetObjectItem(doc, "cases");
	ck_assert_int_eq(cJSON_GetArraySize(cases), 24);
	cJSON_ArrayForEach(c, cases) {
		char err[256] = "";
		cJSON *res = NULL;
		const cJSON *top;

		ck_assert_msg(run(jstr(c, "q"), NULL, NULL, 0, NULL, &res, err, sizeof(err)) == 0,
			      "%s: %s", jstr(c, "q"), err);
		top = cJSON_GetArrayItem(cJSON_GetObjectItem(res, "data"), 0);
		ck_assert_msg(top != NULL, "%s: no result", jstr(c, "q"));
		ck_assert_msg(!strcmp(jstr(top, "kind"), jstr(c, "kind")) &&
			      !strcmp(jstr(top, "skill"), jstr(c, "skill")) &&
			      !strcmp(jstr(top, "anchor"), jstr(c, "anchor")),
			      "%s: got %s %s %s", jstr(c, "q"), jstr(top, "kind"), jstr(top, "skill"),
			      jstr(top, "anchor"));
		cJSON_Delete(res);
		n++;
	}
	ck_assert_int_eq(n, 24);
	cJSON_Delete(doc);
	free(text);
}
END_TEST

START_TEST(bundled_counts_and_filters)
{
	char err[256];
	cJSON *res;
	const cJSON *h;

	/* one skill row per skill, all three descriptions say "review" */
	ck_assert_int_eq(run("review", "skill", NULL, 0, NULL, &res, err, sizeof(err)), 0);
	ck_assert_int_eq(jint(res, "total"), 3);
	cJSON_Delete(res);
	ck_assert_int_eq(run("review", "eval", "http-api-review", 50, NULL, &res, err, sizeof(err)), 0);
	/* eval-01 and eval-03 of its four say "review" */
	ck_assert_int_eq(jint(res, "total"), 2);
	cJSON_ArrayForEach(h, cJSON_GetObjectItem(res, "data")) {
		ck_assert_str_eq(jstr(h, "kind"), "eval");
		ck_assert_str_eq(jstr(h, "skill"), "http-api-review");
	}
	cJSON_Delete(res);
	ck_assert_int_eq(run("idempotency", NULL, "no-such-skill", 0, NULL, &res, err, sizeof(err)), 0);
	ck_assert_int_eq(jint(res, "total"), 0);
	cJSON_Delete(res);
	/* 12 evals in all: each eval row holds "review" or not; kind eval alone */
	ck_assert_int_eq(run("the", "eval", NULL, 50, NULL, &res, err, sizeof(err)), 0);
	ck_assert_int_eq(jint(res, "total"), 12);
	cJSON_Delete(res);
}
END_TEST

START_TEST(bundled_pagination)
{
	char err[256];
	cJSON *first, *res;
	char *cursor = NULL;
	int total, seen = 0, pages = 0;

	ck_assert_int_eq(run("review", NULL, NULL, 50, NULL, &first, err, sizeof(err)), 0);
	total = jint(first, "total");
	/* every row of the bundled skills that says "review" (skills,
	 * sections, items, evals): more than two pages of 7 */
	ck_assert_int_eq(total, 17);
	do {
		const cJSON *h;
		int i = 0;

		ck_assert_msg(run("review", NULL, NULL, 7, cursor, &res, err, sizeof(err)) == 0, "%s", err);
		ck_assert_int_eq(jint(res, "total"), total);
		cJSON_ArrayForEach(h, cJSON_GetObjectItem(res, "data")) {
			/* the same order as one big page */
			const cJSON *same = cJSON_GetArrayItem(cJSON_GetObjectItem(first, "data"), seen + i);

			if (same)
				ck_assert_str_eq(jstr(h, "url"), jstr(same, "url"));
			i++;
		}
		seen += i;
		pages++;
		free(cursor);
		cursor = jstr(res, "next_cursor") ? xstrdup(jstr(res, "next_cursor")) : NULL;
		cJSON_Delete(res);
	} while (cursor);
	ck_assert_int_eq(seen, total);
	ck_assert_int_eq(pages, (total + 6) / 7);
	/* a cursor of another search is refused */
	ck_assert_int_eq(run("review", NULL, NULL, 7, NULL, &res, err, sizeof(err)), 0);
	cursor = xstrdup(jstr(res, "next_cursor"));
	cJSON_Delete(res);
	ck_assert_int_eq(run("memory", NULL, NULL, 7, cursor, &res, err, sizeof(err)), 400);
	ck_assert_int_eq(run("review", "checklist", NULL, 7, cursor, &res, err, sizeof(err)), 400);
	free(cursor);
	cJSON_Delete(first);
}
END_TEST

START_TEST(bundled_resolve)
{
	char err[256];
	cJSON *res;
	const cJSON *top, *m;
	char matched[256] = "";

	ck_assert_msg(search_resolve(rd, "Please review my SQL migration: add foreign key indexes", 0,
				     &res, err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(res, "data")), 3);
	top = cJSON_GetArrayItem(cJSON_GetObjectItem(res, "data"), 0);
	ck_assert_str_eq(jstr(top, "slug"), "sql-schema-review");
	ck_assert_str_eq(jstr(top, "name"), "sql-schema-review");
	ck_assert_str_eq(jstr(top, "url"), "/skills/sql-schema-review");
	ck_assert_str_eq(jstr(top, "checklist_url"), "/skills/sql-schema-review/checklist");
	cJSON_ArrayForEach(m, cJSON_GetObjectItem(res, "terms")) {
		strcat(matched, m->valuestring);
		strcat(matched, ",");
	}
	ck_assert_str_eq(matched, "review,sql,migration,add,foreign,key,indexes,");
	matched[0] = '\0';
	cJSON_ArrayForEach(m, cJSON_GetObjectItem(top, "matched")) {
		strcat(matched, m->valuestring);
		strcat(matched, ",");
	}
	ck_assert_str_eq(matched, "review,sql,migration,add,foreign,key,indexes,");
	cJSON_Delete(res);

	ck_assert_int_eq(search_resolve(rd, "find a use after free in my C parser", 1, &res, err,
					sizeof(err)), 0);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(res, "data")), 1);
	ck_assert_str_eq(jstr(cJSON_GetArrayItem(cJSON_GetObjectItem(res, "data"), 0), "slug"),
			 "c-memory-safety-review");
	cJSON_Delete(res);
	ck_assert_int_eq(search_resolve(rd, "design the retry policy of an HTTP client", 5, &res, err,
					sizeof(err)), 0);
	ck_assert_str_eq(jstr(cJSON_GetArrayItem(cJSON_GetObjectItem(res, "data"), 0), "slug"),
			 "http-api-review");
	cJSON_Delete(res);

	ck_assert_int_eq(search_resolve(rd, "", 5, &res, err, sizeof(err)), 400);
	ck_assert_str_eq(err, "task is required");
	ck_assert_int_eq(search_resolve(rd, "the and of", 5, &res, err, sizeof(err)), 400);
	ck_assert_str_eq(err, "task has no words to search for");
	ck_assert_int_eq(search_resolve(rd, "x", 21, &res, err, sizeof(err)), 400);
	ck_assert_str_eq(err, "k must be between 1 and 20");
	ck_assert_int_eq(search_resolve(rd, "caf\xe9", 5, &res, err, sizeof(err)), 400);
	ck_assert_int_eq(search_resolve(rd, "( \" OR * - the", 5, &res, err, sizeof(err)), 400);
	ck_assert_int_eq(search_resolve(rd, "zzzzqqq xyzzyplugh", 5, &res, err, sizeof(err)), 0);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(res, "data")), 0);
	cJSON_Delete(res);
}
END_TEST

/* The skills a query finds, in slug order, joined by ','. */
static void finds(const char *q, const char *want)
{
	struct search_query sq = { .q = q, .kind = "skill", .limit = SEARCH_MAX_LIMIT };
	char err[256] = "", got[256] = "";
	const char *slugs[16];
	int n = 0;
	cJSON *res = NULL;
	const cJSON *h;

	ck_assert_msg(search_run(rd, &sq, &res, err, sizeof(err)) == 0, "%s: %s", q, err);
	ck_assert_str_eq(jstr(res, "match"), "all");
	cJSON_ArrayForEach(h, cJSON_GetObjectItem(res, "data"))
		if (n < 16)
			slugs[n++] = jstr(h, "skill");
	for (int i = 0; i < n; i++)       /* a few: insertion sort */
		for (int k = i; k > 0 && strcmp(slugs[k - 1], slugs[k]) > 0; k--) {
			const char *t = slugs[k];

			slugs[k] = slugs[k - 1];
			slugs[k - 1] = t;
		}
	for (int i = 0; i < n; i++)
		snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%s", i ? "," : "", slugs[i]);
	ck_assert_msg(strcmp(got, want) == 0, "%s: got %s, want %s", q, got, want);
	cJSON_Delete(res);
}

START_TEST(languages_kept_whole)
{
	cJSON *res = NULL;
	char err[256];

	finds("C++", "cpp");
	finds("c++17", "cpp");
	finds("C#", "csharp");
	finds("F#", "fsharp");
	finds(".NET", "dotnet");
	finds("asp.net", "dotnet");
	finds("Node.js", "server-streams");
	finds("nodejs", "server-streams");
	/* the letters and words they are not */
	finds("c", "other,plain-c");
	finds("net", "other");
	finds("node", "other");
	/* in a sentence, with its marks */
	finds("hosting on .NET?", "dotnet");
	/* resolve reads them the same way */
	ck_assert_int_eq(search_resolve(rd, "make my C++ code memory safe", 5, &res, err, sizeof(err)), 0);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(res, "data")), 1);
	ck_assert_str_eq(jstr(cJSON_GetArrayItem(cJSON_GetObjectItem(res, "data"), 0), "slug"), "cpp");
	ck_assert_str_eq(cJSON_GetArrayItem(cJSON_GetObjectItem(res, "terms"), 1)->valuestring, "c++");
	cJSON_Delete(res);
	/* the snippet marks the name whole */
	ck_assert_ptr_nonnull(strstr(jstr(fx_only_hit(rd, "C#", &res), "snippet"),
				     SEARCH_MARK_OPEN "C#" SEARCH_MARK_CLOSE));
	cJSON_Delete(res);
}
END_TEST

/* The answer of sq, which must succeed. */
static cJSON *run_ok(const struct search_query *sq)
{
	char err[256];
	cJSON *res = NULL;

	ck_assert_msg(search_run(rd, sq, &res, err, sizeof(err)) == 0, "%s", err);
	return res;
}

/* Do a and b list the same hits (URL and score) in the same order? */
static void same_hits(const cJSON *a, const cJSON *b)
{
	const cJSON *da = cJSON_GetObjectItem(a, "data"), *db_ = cJSON_GetObjectItem(b, "data");

	ck_assert_int_eq(cJSON_GetArraySize(da), cJSON_GetArraySize(db_));
	for (int i = 0; i < cJSON_GetArraySize(da); i++) {
		const cJSON *x = cJSON_GetArrayItem(da, i), *y = cJSON_GetArrayItem(db_, i);

		ck_assert_str_eq(jstr(x, "url"), jstr(y, "url"));
		ck_assert_double_eq_tol(cJSON_GetObjectItem(x, "score")->valuedouble,
					cJSON_GetObjectItem(y, "score")->valuedouble, 1e-9);
	}
}

START_TEST(many_topk)
{
	struct search_query sq = { .q = "widget", .limit = 10 };
	struct search_query one = { .q = "widget", .skill = "s-03", .limit = 20 };
	cJSON *topk, *all;

	/* past SEARCH_EXACT_MAX: the top-k answer, a lower bound for total */
	topk = run_ok(&sq);
	ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(topk, "total_exact")));
	ck_assert_int_eq(jint(topk, "total"), SEARCH_EXACT_MAX);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(topk, "data")), 10);
	ck_assert(jstr(topk, "next_cursor") != NULL);
	sq.exhaustive = true;
	all = run_ok(&sq);
	ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(all, "total_exact")));
	ck_assert_int_eq(jint(all, "total"), MANY_SKILLS * MANY_SECTIONS + 1);
	/* the skill named for the word leads both, with the same hits */
	ck_assert_str_eq(jstr(cJSON_GetArrayItem(cJSON_GetObjectItem(topk, "data"), 0), "skill"),
			 "widget-care");
	same_hits(topk, all);
	cJSON_Delete(topk);
	cJSON_Delete(all);
	/* within one skill every row is ranked: the same as ranking all */
	topk = run_ok(&one);
	one.exhaustive = true;
	all = run_ok(&one);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(topk, "data")), 20);
	same_hits(topk, all);
	cJSON_Delete(topk);
	cJSON_Delete(all);
	/* a kind filter keeps the lift of the skill's own row */
	sq.exhaustive = false;
	sq.kind = "reference";
	topk = run_ok(&sq);
	sq.exhaustive = true;
	all = run_ok(&sq);
	same_hits(topk, all);
	cJSON_Delete(topk);
	cJSON_Delete(all);
}
END_TEST

/* The answer of sq on a reader of its own, opened now: nothing counted
 * before. */
static cJSON *run_fresh(const struct search_query *sq)
{
	char err[256], *path = xasprintf("%s/skilld.db", tmp);
	struct store_reader *fresh = store_reader_open(path, err, sizeof(err));
	cJSON *res = NULL;

	ck_assert_msg(fresh != NULL, "%s", err);
	ck_assert_msg(search_run(fresh, sq, &res, err, sizeof(err)) == 0, "%s", err);
	store_reader_close(fresh);
	free(path);
	return res;
}

/* The score of a's first hit. */
static double first_score(const cJSON *a)
{
	return cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(a, "data"), 0), "score")
		->valuedouble;
}

START_TEST(many_topk_no_head)
{
	struct search_query sq = { .q = "part", .limit = 10 };
	const cJSON *h;
	cJSON *topk;

	/* "part" is in 1,500 sections and in no skill's name, description or
	 * headings: the first skills with a match have their rows ranked,
	 * not every match */
	topk = run_ok(&sq);
	ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(topk, "total_exact")));
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(topk, "data")), 10);
	/* each hit scored as ranking every row of its skill scores it */
	cJSON_ArrayForEach(h, cJSON_GetObjectItem(topk, "data")) {
		struct search_query one = { .q = "part", .skill = jstr(h, "skill"), .limit = 50 };
		cJSON *all = run_ok(&one);
		const cJSON *x;
		bool found = false;

		ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(all, "total_exact")));
		cJSON_ArrayForEach(x, cJSON_GetObjectItem(all, "data")) {
			if (strcmp(jstr(x, "url"), jstr(h, "url")) != 0)
				continue;
			found = true;
			ck_assert_double_eq_tol(cJSON_GetObjectItem(x, "score")->valuedouble,
						cJSON_GetObjectItem(h, "score")->valuedouble, 1e-9);
		}
		ck_assert_msg(found, "%s not found in its skill", jstr(h, "url"));
		cJSON_Delete(all);
	}
	cJSON_Delete(topk);
}
END_TEST

START_TEST(many_idf_per_generation)
{
	struct search_query sq = { .q = "widget", .limit = 10 };
	struct search_query ex = { .q = "widget", .limit = 10, .exhaustive = true };
	struct search_query two = { .q = "widget levers", .limit = 10 };
	char err[256], *root = xasprintf("%s/skills", tmp);
	cJSON *before, *after, *fresh;
	double was;

	/* counted once, then read back: the same answer as a new reader's */
	before = run_ok(&sq);
	cJSON_Delete(run_ok(&two));
	fresh = run_fresh(&sq);
	same_hits(before, fresh);
	cJSON_Delete(fresh);
	was = first_score(before);
	cJSON_Delete(before);
	/* a new generation where "widget" is in fewer rows (its idf is
	 * higher), as many rows as before: the reader counts again, for both
	 * passes and both paths */
	for (int i = MANY_SKILLS - 10; i < MANY_SKILLS; i++) {
		char *path = xasprintf("s-%02d/references/notes.md", i);
		struct buf b;

		buf_init(&b);
		for (int k = 0; k < MANY_SECTIONS; k++)
			buf_printf(&b, "## Part %d\n\nA gadget, part %d of %d%s.\n\n", k, k, i,
				   k % 3 ? "" : ", and another gadget");
		buf_putc(&b, '\0');
		tu_write_str(root, path, b.data);
		buf_fini(&b);
		free(path);
	}
	ck_assert_msg(app_reindex(&app, "test", false, err, sizeof(err)) == 0, "%s", err);
	after = run_ok(&sq);
	ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(after, "total_exact")));
	ck_assert_msg(first_score(after) > was, "score %f, was %f", first_score(after), was);
	fresh = run_fresh(&sq);
	same_hits(after, fresh);
	cJSON_Delete(fresh);
	cJSON_Delete(after);
	after = run_ok(&ex);
	fresh = run_fresh(&ex);
	same_hits(after, fresh);
	cJSON_Delete(fresh);
	cJSON_Delete(after);
	after = run_ok(&two);
	fresh = run_fresh(&two);
	same_hits(after, fresh);
	cJSON_Delete(fresh);
	cJSON_Delete(after);
	free(root);
}
END_TEST

START_TEST(many_head_sizes_per_generation)
{
	struct search_query sq = { .q = "widget levers", .limit = 10 };
	struct search_query ex = { .q = "widget levers", .limit = 10, .exhaustive = true };
	char err[256], *root = xasprintf("%s/skills", tmp);
	cJSON *topk, *all, *fresh;

	/* no row has both words: any of them, past SEARCH_EXACT_MAX (top-k),
	 * the head pass ranking 50 heads by their lengths, read once */
	topk = run_ok(&sq);
	ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(topk, "total_exact")));
	ck_assert_str_eq(jstr(cJSON_GetArrayItem(cJSON_GetObjectItem(topk, "data"), 0), "skill"),
			 "s-00");
	cJSON_Delete(topk);
	/* a new generation where the first ten skills' descriptions are
	 * longer: their heads rank last, for this reader (which reads the
	 * lengths again) as for a new one */
	for (int i = 0; i < 10; i++) {
		char *path = xasprintf("s-%02d/SKILL.md", i);
		char *md = xasprintf("---\nname: s-%02d\ndescription: Gears and levers, with a great "
				     "many other words about cogs, belts, pulleys and springs.\n---\n"
				     "# s-%02d\n\nRead the notes.\n", i, i);

		tu_write_str(root, path, md);
		free(md);
		free(path);
	}
	ck_assert_msg(app_reindex(&app, "test", false, err, sizeof(err)) == 0, "%s", err);
	topk = run_ok(&sq);
	all = run_ok(&ex);
	fresh = run_fresh(&sq);
	ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(topk, "total_exact")));
	ck_assert_str_eq(jstr(cJSON_GetArrayItem(cJSON_GetObjectItem(topk, "data"), 0), "skill"),
			 "s-10");
	same_hits(topk, fresh);
	/* (ranking every match puts s-00 first: in `search` a description
	 * is not length-normalised, in search_head it is) */
	ck_assert_str_eq(jstr(cJSON_GetArrayItem(cJSON_GetObjectItem(all, "data"), 0), "skill"),
			 "s-00");
	cJSON_Delete(topk);
	cJSON_Delete(all);
	cJSON_Delete(fresh);
	free(root);
}
END_TEST

/* Sums the cells search_run reports into a long[2]: cells, skills. */
static int count_cells(void *ctx, const struct store_browse_cell *c)
{
	long *n = ctx;

	ck_assert_str_eq(c->root, "skills");
	n[0]++;
	n[1] += c->count;
	return 0;
}

/* The facet filters (store_browse): on the top-k path, within one skill
 * and on the exhaustive path, hits only of skills that pass them; the
 * cells of every skill holding a match, whatever they say; a cursor of
 * one filter refused by another. */
START_TEST(many_topk_filtered)
{
	struct store_browse any = { .tier = "none", .checklist = -1, .evals = -1 };
	struct store_browse none = { .checklist = 1, .evals = -1 };
	struct store_browse other = { .root = "other", .checklist = -1, .evals = -1 };
	long cells[2] = { 0, 0 };
	struct search_query sq = { .q = "widget", .limit = 10 };
	struct search_query f = { .q = "widget", .limit = 10, .only = &any, .cells = count_cells,
				  .cells_ctx = cells };
	char err[256], *c;
	long offset;
	cJSON *plain, *filtered;

	/* a filter every skill passes: the same answer, top-k */
	plain = run_ok(&sq);
	filtered = run_ok(&f);
	ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(filtered, "total_exact")));
	same_hits(plain, filtered);
	ck_assert_str_eq(jstr(cJSON_GetArrayItem(cJSON_GetObjectItem(filtered, "data"), 0), "root"),
			 "skills");
	/* one cell (one root, no tier, no checklist, no evals): every skill */
	ck_assert_int_eq(cells[0], 1);
	ck_assert_int_eq(cells[1], MANY_SKILLS);
	/* its cursor is not the unfiltered search's */
	c = search_cursor_encode(&f, 10);
	ck_assert_int_eq(search_cursor_decode(&f, c, &offset), 0);
	ck_assert_int_ne(search_cursor_decode(&sq, c, &offset), 0);
	free(c);
	cJSON_Delete(plain);
	cJSON_Delete(filtered);
	/* filters no skill passes: nothing, top-k, in one skill, exhaustive;
	 * the cells still count every skill holding a match */
	for (int i = 0; i < 3; i++) {
		f.only = i == 1 ? &other : &none;
		f.skill = i == 2 ? "s-03" : NULL;
		f.exhaustive = i == 2;
		cells[0] = cells[1] = 0;
		ck_assert_int_eq(search_run(rd, &f, &filtered, err, sizeof(err)), 0);
		ck_assert_int_eq(jint(filtered, "total"), 0);
		ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(filtered, "data")), 0);
		ck_assert_int_eq(cells[1], i == 2 ? 1 : MANY_SKILLS);
		cJSON_Delete(filtered);
	}
}
END_TEST

Suite *search_suite(void)
{
	Suite *s = suite_create("search");
	TCase *unit = tcase_create("compile");
	TCase *gamma = tcase_create("gamma");
	TCase *bundled = tcase_create("bundled");
	TCase *languages = tcase_create("languages");
	TCase *many = tcase_create("many");

	tcase_add_test(unit, compile_syntax);
	tcase_add_test(unit, compile_natural_language);
	tcase_add_test(unit, compile_rejects);
	suite_add_tcase(s, unit);
	tcase_add_checked_fixture(gamma, setup_gamma, teardown);
	tcase_add_test(gamma, gamma_snippet_and_markers);
	tcase_add_test(gamma, gamma_diacritics);
	tcase_add_test(gamma, gamma_syntax_semantics);
	tcase_add_test(gamma, gamma_bad_input);
	tcase_add_test(gamma, gamma_hostile_queries);
	tcase_add_test(gamma, gamma_cursor);
	suite_add_tcase(s, gamma);
	tcase_add_checked_fixture(languages, setup_languages, teardown);
	tcase_add_test(languages, languages_kept_whole);
	suite_add_tcase(s, languages);
	tcase_add_checked_fixture(many, setup_many, teardown);
	tcase_set_timeout(many, 30);
	tcase_add_test(many, many_topk);
	tcase_add_test(many, many_topk_no_head);
	tcase_add_test(many, many_idf_per_generation);
	tcase_add_test(many, many_head_sizes_per_generation);
	tcase_add_test(many, many_topk_filtered);
	suite_add_tcase(s, many);
	tcase_add_checked_fixture(bundled, setup_bundled, teardown);
	tcase_set_timeout(bundled, 30);
	tcase_add_test(bundled, bundled_relevance);
	tcase_add_test(bundled, bundled_counts_and_filters);
	tcase_add_test(bundled, bundled_pagination);
	tcase_add_test(bundled, bundled_resolve);
	suite_add_tcase(s, bundled);
	return s;
}
