/* SPDX-License-Identifier: MIT */
/*
 * Tests for snippet: which words are marked (FTS5's porter tokenizer
 * decides), the window and its ellipses, the text chosen among a hit's
 * columns, hostile text, and time linear in the hits.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <cmark-gfm.h>
#include <sqlite3.h>

#include "skilld/store/search.h"
#include "skilld/store/fts.h"
#include "skilld/store/snippet.h"
#include "skilld/base/util.h"

Suite *snippet_suite(void);

#define O SEARCH_MARK_OPEN
#define C SEARCH_MARK_CLOSE
#define ELL "\xe2\x80\xa6"

static sqlite3 *db;

static void setup(void)
{
	char err[256];

	ck_assert_int_eq(sqlite3_open(":memory:", &db), SQLITE_OK);
	ck_assert_msg(fts_register(db, err, sizeof(err)) == 0, "%s", err);
}

static void teardown(void)
{
	sqlite3_close(db);
}

/* The snippet of one text for query q (free()). */
static char *snip1(const char *q, const char *text)
{
	struct snippet_query *sq = snippet_query_new(db, q, strlen(q));
	const char *texts[] = { text };
	char *s;

	ck_assert_ptr_nonnull(sq);
	s = snippet_make(sq, texts, 1);
	snippet_query_free(sq);
	return s;
}

static void expect(const char *q, const char *text, const char *want)
{
	char *got = snip1(q, text);

	ck_assert_msg(strcmp(got, want) == 0, "q=%s\n got: %s\nwant: %s", q, got, want);
	free(got);
}

START_TEST(marks_what_fts5_matches)
{
	/* stems, case, diacritics; a short text comes whole */
	expect("testing", "# Tests\n\nWe Tested it; tester? No.\n",
	       O "Tests" C " We " O "Tested" C " it; tester? No.");
	expect("cafe", "Le Café ouvre.", "Le " O "Café" C " ouvre.");
	expect("zebra", "no match here", "no match here");
	/* snake_case and dashes split words as unicode61 does */
	expect("pool", "thread_pool — pool-size", "thread_" O "pool" C " — " O "pool" C "-size");
	/* a prefix, stemmed as FTS5 stems it */
	expect("refactor*", "Refactoring refactored prefactor", O "Refactoring" C " " O "refactored" C " prefactor");
	/* an excluded term is not marked */
	expect("lock -mutex", "a lock and a mutex", "a " O "lock" C " and a mutex");
}
END_TEST

START_TEST(phrases_are_marked_whole)
{
	expect("\"thread pool\"", "a thread pool, a pool of thread, thread  pools",
	       "a " O "thread pool" C ", a pool of thread, " O "thread pools" C);
	/* words of the phrase apart do not match */
	expect("\"thread pool\"", "thread and pool", "thread and pool");
}
END_TEST

START_TEST(window_of_words_with_ellipses)
{
	struct buf b;
	char *got;

	buf_init(&b);
	for (int i = 0; i < 100; i++)
		buf_printf(&b, "w%d ", i);
	buf_puts(&b, "needle ");
	for (int i = 100; i < 200; i++)
		buf_printf(&b, "w%d ", i);
	buf_putc(&b, '\0');
	got = snip1("needle", b.data);
	ck_assert_str_eq(got, ELL "w98 w99 " O "needle" C " w100 w101 w102 w103 w104 w105 w106 w107 "
			 "w108 w109 w110 w111 w112 w113 w114 w115 w116 w117 w118 w119 w120" ELL);
	free(got);
	/* a match at the very start: no leading ellipsis, leading text kept */
	got = snip1("w0", b.data);
	ck_assert(strncmp(got, O "w0" C " w1 ", strlen(O "w0" C " w1 ")) == 0);
	ck_assert(strstr(got, ELL) == got + strlen(got) - strlen(ELL));
	free(got);
	/* a match at the very end: the window ends with the text */
	got = snip1("w199", b.data);
	ck_assert(strncmp(got, ELL "w176 ", strlen(ELL "w176 ")) == 0);
	ck_assert_str_eq(got + strlen(got) - strlen(" " O "w199" C), " " O "w199" C);
	free(got);
	/* the window holding both terms wins over the first match; near the
	 * end it is filled from before */
	buf_fini(&b);
	buf_init(&b);
	buf_puts(&b, "alpha ");
	for (int i = 0; i < 60; i++)
		buf_printf(&b, "x%d ", i);
	buf_puts(&b, "alpha beta end");
	buf_putc(&b, '\0');
	got = snip1("alpha beta", b.data);
	buf_fini(&b);
	buf_init(&b);
	buf_puts(&b, ELL);
	for (int i = 39; i < 60; i++)
		buf_printf(&b, "x%d ", i);
	buf_puts(&b, O "alpha" C " " O "beta" C " end");
	buf_putc(&b, '\0');
	ck_assert_str_eq(got, b.data);
	free(got);
	buf_fini(&b);
}
END_TEST

START_TEST(source_markup_is_taken_out)
{
	/* the source's emphasis around a match: no "****idempotency** keys**" */
	expect("idempotency", "Use **idempotency keys** at the edge.",
	       "Use " O "idempotency" C " keys at the edge.");
	expect("idempotency", "Use ****idempotency** keys** at", "Use " O "idempotency" C " keys at");
	expect("keys", "- [ ] **Item 3 — Use `Idempotency-Key`** — on *every* POST",
	       "Item 3 — Use Idempotency-" O "Key" C " — on every POST");
	expect("guide", "See [the guide](https://x.example/guide), ![logo](a.png) and <b>bold</b>",
	       "See the " O "guide" C ", logo and bold");
	expect("ref", "> quoted [ref][1] text\n\n## Next\n1. first", "quoted " O "ref" C " text Next first");
	/* literal characters stay: escapes, a star between blanks, '_' in a word */
	expect("star", "a \\* star, 2 * 3, snake_case, __init__, ~5 ms, ~~old~~",
	       "a * " O "star" C ", 2 * 3, snake_case, init, ~5 ms, old");
	/* a phrase whose words were split by markup is one match */
	expect("\"use after\"", "**use** after", O "use after" C);
}
END_TEST

/* True when md, rendered by cmark-gfm, has n strong runs and no other
 * emphasis, and no '*' left as text. */
static void markdown_valid(const char *md, int n_strong)
{
	char *html = cmark_markdown_to_html(md, strlen(md), CMARK_OPT_DEFAULT);
	int strong = 0;

	for (const char *p = html; (p = strstr(p, "<strong>")); p++)
		strong++;
	ck_assert_msg(strong == n_strong, "%s -> %s", md, html);
	ck_assert_msg(strstr(html, "<em>") == NULL && strstr(html, "<code>") == NULL &&
		      strstr(html, "<a ") == NULL && strstr(html, "<h") == NULL &&
		      strstr(html, "<ol") == NULL && strstr(html, "<ul") == NULL,
		      "%s -> %s", md, html);
	free(html);
}

START_TEST(snippet_markdown_is_valid)
{
	static const struct {
		const char *snippet, *md;
		int strong;
	} cases[] = {
		{ "Use " O "idempotency" C " keys", "Use **idempotency** keys", 1 },
		{ O "use" C " " O "after" C " free", "**use after** free", 1 },
		/* a match that ends in punctuation before a digit: the bold run
		 * takes the whole word, so it can close */
		{ "with " O "C++" C "17 and " O ".NET" C ", ASP" O ".NET" C " too",
		  "with **C++17** and **.NET, ASP.NET** too", 2 },
		{ "a * b_c [x] <y> `z` ~w~ a|b &amp; \\", "a \\* b\\_c \\[x\\] \\<y\\> \\`z\\` \\~w\\~ a\\|b \\&amp; \\\\", 0 },
		{ "# not a heading", "\\# not a heading", 0 },
		{ "12. not a list " O "item" C, "12\\. not a list **item**", 1 },
		{ "- not a list", "\\- not a list", 0 },
		{ O "x" C "*" O "y" C, "**x\\*y**", 1 },
		{ "stray " C "close and " O "open", "stray close and **open**", 1 },
		{ "", "", 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *md = snippet_markdown(cases[i].snippet);

		ck_assert_msg(strcmp(md, cases[i].md) == 0, "%s\n got: %s\nwant: %s",
			      cases[i].snippet, md, cases[i].md);
		ck_assert_msg(strstr(md, "****") == NULL, "%s", md);
		markdown_valid(md, cases[i].strong);
		free(md);
	}
	free(snippet_markdown(NULL));
}
END_TEST

START_TEST(whole_terms_are_words)
{
	expect("C++", "C, C++ and C# differ; c++17 too", "C, " O "C++" C " and C# differ; " O "c++" C "17 too");
	expect("c", "C, C++ and C# differ", O "C" C ", C++ and C# differ");
	expect("C#", "C# or F# on .NET", O "C#" C " or F# on .NET");
	expect(".NET", "ASP.NET Core, .net and example.net", "ASP" O ".NET" C " Core, " O ".net" C " and example.net");
	expect("node.js", "Node.js, nodejs and node", O "Node.js" C ", " O "nodejs" C " and node");
}
END_TEST

START_TEST(best_text_of_the_row)
{
	struct snippet_query *sq = snippet_query_new(db, "widget gear", strlen("widget gear"));
	const char *texts[] = { "body without it", NULL, "Widget", "the widget gear" };
	const char *tie[] = { "a widget", "another widget" };
	const char *none[] = { NULL, NULL };
	const char *both[] = { "a widget here", "the widget gear" };
	char *s;

	s = snippet_make(sq, texts, 4);
	ck_assert_str_eq(s, "the " O "widget" C " " O "gear" C);
	free(s);
	s = snippet_make(sq, tie, 2);
	ck_assert_str_eq(s, "a " O "widget" C);
	free(s);
	/* nothing matches: the first text */
	s = snippet_make(sq, texts, 2);
	ck_assert_str_eq(s, "body without it");
	free(s);
	ck_assert_ptr_null(snippet_make(sq, none, 2));
	snippet_query_free(sq);
	/* a word that is a term and starts a phrase counts for both, and the
	 * phrase is marked whole */
	sq = snippet_query_new(db, "widget \"widget gear\"", strlen("widget \"widget gear\""));
	s = snippet_make(sq, both, 2);
	ck_assert_str_eq(s, "the " O "widget gear" C);
	free(s);
	snippet_query_free(sq);
}
END_TEST

START_TEST(hostile_text)
{
	struct buf b;
	char *got;

	expect("abc", "", "");
	expect("abc", "!!! ??? ---", "!!! ??? ---");
	/* invalid UTF-8 is copied, never split inside a marked word */
	expect("abc", "\xff\xfe abc \xc3", "\xff\xfe " O "abc" C " \xc3");
	expect("abc", "abc\xe2\x80", O "abc" C "\xe2\x80");
	/* one huge word */
	buf_init(&b);
	for (int i = 0; i < 100000; i++)
		buf_putc(&b, 'a');
	buf_putc(&b, '\0');
	got = snip1("abc", b.data);
	ck_assert_str_eq(got, b.data);
	free(got);
	buf_fini(&b);
	/* a query of only excluded or empty terms marks nothing */
	expect("-abc", "abc", "abc");
	expect("\"\xe2\x80\x94\"", "a \xe2\x80\x94 b", "a \xe2\x80\x94 b");
}
END_TEST

/* Every word a hit, the window with both terms at the very end: each
 * window once counted every hit before it, quadratic in the hits (a
 * minute for these 600,000; the case's timeout fails it). */
START_TEST(many_hits_stay_linear)
{
	enum { N = 600000 };
	struct buf b, want;
	char *got;

	buf_init(&b);
	for (int i = 0; i < N; i++)
		buf_puts(&b, "a ");
	buf_puts(&b, "b");
	buf_putc(&b, '\0');
	buf_init(&want);
	buf_puts(&want, ELL);
	for (int i = 0; i < SNIPPET_WORDS - 1; i++)
		buf_puts(&want, O "a" C " ");
	buf_puts(&want, O "b" C);
	buf_putc(&want, '\0');
	got = snip1("a b", b.data);
	ck_assert_str_eq(got, want.data);
	free(got);
	buf_fini(&want);
	buf_fini(&b);
}
END_TEST

Suite *snippet_suite(void)
{
	Suite *s = suite_create("snippet");
	TCase *tc = tcase_create("snippet");
	TCase *big = tcase_create("big");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, marks_what_fts5_matches);
	tcase_add_test(tc, phrases_are_marked_whole);
	tcase_add_test(tc, window_of_words_with_ellipses);
	tcase_add_test(tc, source_markup_is_taken_out);
	tcase_add_test(tc, snippet_markdown_is_valid);
	tcase_add_test(tc, whole_terms_are_words);
	tcase_add_test(tc, best_text_of_the_row);
	tcase_add_test(tc, hostile_text);
	suite_add_tcase(s, tc);

	/* generous limit: a quadratic step would take minutes here */
	tcase_add_checked_fixture(big, setup, teardown);
	tcase_set_timeout(big, 20);
	tcase_add_test(big, many_hits_stay_linear);
	suite_add_tcase(s, big);
	return s;
}
