/* SPDX-License-Identifier: MIT */
/* Tests for tokens: the estimate and the markdown cut behind ?max_tokens. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "skilld/base/text.h"
#include "skilld/base/tokens.h"
#include "skilld/base/util.h"

Suite *tokens_suite(void);

/* Cuts md to max tokens; returns the text (free()). */
static char *cut(const char *md, size_t max, bool *was_cut)
{
	size_t len;
	char *out = tokens_cut_markdown(md, strlen(md), max, "http://h/x.md", &len, was_cut);

	ck_assert_uint_eq(strlen(out), len);
	return out;
}

static const char doc[] =
	"---\n"
	"name: demo\n"
	"# a YAML comment, not a heading\n"
	"---\n"
	"# Title\n"
	"\n"
	"Intro paragraph that is here to take some room in the budget.\n"
	"\n"
	"## First\n"
	"\n"
	"First section text, long enough to matter: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.\n"
	"\n"
	"```sh\n"
	"# not a heading: inside a fence\n"
	"```\n"
	"\n"
	"## Second ##\n"
	"\n"
	"Second section text, long enough to matter: bbbbbbbbbbbbbbbbbbbbbbbbbbbbbb.\n"
	"\n"
	"### Third\n"
	"\n"
	"Third section text, long enough to matter: ccccccccccccccccccccccccccccccc.\n";

START_TEST(test_estimate_is_ceil_bytes_over_four)
{
	ck_assert_uint_eq(tokens_estimate(0), 0);
	ck_assert_uint_eq(tokens_estimate(1), 1);
	ck_assert_uint_eq(tokens_estimate(4), 1);
	ck_assert_uint_eq(tokens_estimate(5), 2);
	ck_assert_uint_eq(tokens_estimate(4000), 1000);
}
END_TEST

START_TEST(test_fits_whole_without_note)
{
	bool was_cut = true;
	char *out = cut(doc, tokens_estimate(strlen(doc)), &was_cut);

	ck_assert(!was_cut);
	ck_assert_str_eq(out, doc);
	free(out);
}
END_TEST

START_TEST(test_cuts_before_a_heading_within_budget)
{
	bool was_cut = false;
	/* Room for the frontmatter, title and First, not for Second. */
	size_t max = tokens_estimate(strlen(doc)) - 10;
	char *out;

	for (; max > 20; max -= 7) {
		const char *note;
		size_t body;

		out = cut(doc, max, &was_cut);
		ck_assert(was_cut);
		note = strstr(out, "\n\n---\n\n> **Cut to fit max_tokens=");
		if (!note) { /* only the note, which may be over a tiny budget */
			ck_assert_int_eq(strncmp(out, "---\n\n> **Cut", 12), 0);
			free(out);
			continue;
		}
		ck_assert_uint_le(tokens_estimate(strlen(out)), max);
		body = (size_t)(note - out);
		ck_assert_int_eq(strncmp(out, doc, body), 0);
		/* The shown part ends where the next part of doc is a heading or
		 * a blank line (a cut inside the first section). */
		ck_assert(strncmp(doc + body, "\n\n", 2) == 0 || doc[body] == '\n');
		ck_assert_ptr_nonnull(strstr(out, "The whole text: http://h/x.md"));
		ck_assert_ptr_null(strstr(out, "YAML comment\""));
		ck_assert_ptr_null(strstr(out, "not a heading: inside"));
		free(out);
	}
}
END_TEST

START_TEST(test_note_names_the_sections_left_out)
{
	bool was_cut;
	const char *second = strstr(doc, "## Second");
	/* Just enough for everything before "## Second" and the note. */
	char *out = NULL;
	size_t max;

	for (max = 1; max < 1000; max++) {
		out = cut(doc, max, &was_cut);
		if (strstr(out, "aaaa") && !strstr(out, "rest of this section"))
			break;
		free(out);
		out = NULL;
	}
	ck_assert_ptr_nonnull(out);
	ck_assert_ptr_null(strstr(out, "bbbb"));
	ck_assert_ptr_nonnull(strstr(out, "Left out: 2 sections: \"Second\", \"Third\"."));
	ck_assert_int_eq(strncmp(out, doc, (size_t)(second - doc) - 2), 0);
	free(out);
}
END_TEST

START_TEST(test_first_section_too_big_cuts_inside_it)
{
	struct buf b;
	bool was_cut;
	char *out;

	buf_init(&b);
	buf_puts(&b, "# Big\n\n");
	for (int i = 0; i < 200; i++)
		buf_printf(&b, "Paragraph %d of a long first section.\n\n", i);
	buf_puts(&b, "## Later\n\nend\n");
	out = cut(b.data, 400, &was_cut);
	ck_assert(was_cut);
	ck_assert_uint_le(tokens_estimate(strlen(out)), 400);
	ck_assert_ptr_nonnull(strstr(out, "Paragraph 10 of"));
	ck_assert_ptr_nonnull(strstr(out, "the rest of this section and 1 section: \"Later\"."));
	ck_assert_ptr_null(strstr(out, "Paragraph 199"));
	free(out);
	buf_fini(&b);
}
END_TEST

START_TEST(test_one_long_line_cuts_at_a_character_boundary)
{
	struct buf b;
	bool was_cut;
	char *out;
	size_t len;

	buf_init(&b);
	for (int i = 0; i < 5000; i++)
		buf_puts(&b, "é€"); /* 2 + 3 bytes */
	out = tokens_cut_markdown(b.data, b.len, 300, NULL, &len, &was_cut);
	ck_assert(was_cut);
	ck_assert(utf8_valid(out, len));
	ck_assert_uint_le(tokens_estimate(len), 300);
	ck_assert_ptr_null(strstr(out, "The whole text"));
	free(out);
	buf_fini(&b);
}
END_TEST

START_TEST(test_tiny_budget_gives_only_the_note)
{
	bool was_cut;
	char *out = cut(doc, 1, &was_cut);

	ck_assert(was_cut);
	ck_assert_int_eq(strncmp(out, "---\n\n> **Cut to fit max_tokens=1:** about 0 of", 46), 0);
	ck_assert_ptr_nonnull(strstr(out, "\"Title\", \"First\", \"Second\", \"Third\""));
	free(out);
}
END_TEST

START_TEST(test_many_headings_are_counted_after_twenty)
{
	struct buf b;
	bool was_cut;
	char *out;

	buf_init(&b);
	for (int i = 0; i < 60; i++)
		buf_printf(&b, "## H%d\n\ntext text text text text text text\n\n", i);
	out = cut(b.data, 200, &was_cut);
	ck_assert_ptr_nonnull(strstr(out, " and "));
	ck_assert_ptr_nonnull(strstr(out, " more."));
	ck_assert_uint_le(tokens_estimate(strlen(out)), 200);
	free(out);
	buf_fini(&b);
}
END_TEST

/* Hostile shapes: unterminated fence and frontmatter, only #s, CRLF,
 * empty text; every cut stays in budget and valid UTF-8. */
START_TEST(test_hostile_shapes)
{
	static const char *const inputs[] = {
		"", "#", "######", "####### seven", "```\n# a\n## b\n", "---\nname: x\n# c\n",
		"# a\r\n\r\ntext\r\n## b\r\n\r\nmore text here\r\n", "\n\n\n\n\n\n\n\n\n\n\n\n",
		"# a\n# b\n# c\n# d\n# e\n# f\n# g\n# h\n# i\n# j\n# k\n# l\n# m\n",
		"~~~~\n# x\n~~~\n# y\n~~~~\n# z\n",
	};

	for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
		for (size_t max = 1; max < 40; max++) {
			bool was_cut;
			size_t len, in = strlen(inputs[i]);
			char *out = tokens_cut_markdown(inputs[i], in, max, "u", &len, &was_cut);

			ck_assert(utf8_valid(out, len));
			ck_assert(was_cut == (tokens_estimate(in) > max));
			if (!was_cut)
				ck_assert_str_eq(out, inputs[i]);
			free(out);
		}
	}
}
END_TEST

Suite *tokens_suite(void)
{
	Suite *s = suite_create("tokens");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_estimate_is_ceil_bytes_over_four);
	tcase_add_test(tc, test_fits_whole_without_note);
	tcase_add_test(tc, test_cuts_before_a_heading_within_budget);
	tcase_add_test(tc, test_note_names_the_sections_left_out);
	tcase_add_test(tc, test_first_section_too_big_cuts_inside_it);
	tcase_add_test(tc, test_one_long_line_cuts_at_a_character_boundary);
	tcase_add_test(tc, test_tiny_budget_gives_only_the_note);
	tcase_add_test(tc, test_many_headings_are_counted_after_twenty);
	tcase_add_test(tc, test_hostile_shapes);
	suite_add_tcase(s, tc);
	return s;
}
