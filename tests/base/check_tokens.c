/* SPDX-License-Identifier: MIT */
/*
 * Tests for tokens: the estimate, the frontmatter's end, parts that fit a
 * budget (tokens_part) and whole answers with their note (tokens_answer).
 * The fixture tests/fixtures/tokens/budget-demo/SKILL.md (17 KB: headings,
 * long paragraphs, a 2.7 KB line, multibyte UTF-8, CRLF lines, a
 * frontmatter block, no final newline) is read part after part at several
 * budgets, and the parts must give back the file byte for byte.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "skilld/base/text.h"
#include "skilld/base/tokens.h"
#include "skilld/base/util.h"
#include "testutil.h"

Suite *tokens_suite(void);

#define FIXTURE "tests/fixtures/tokens/budget-demo/SKILL.md"

/* What following the parts of a text from offset 0 gave. */
struct walk {
	size_t parts;       /* answers read */
	size_t dropped;     /* the frontmatter's length when the first part left it out */
	size_t min_content; /* the smallest content of a part that is not the last */
};

/*
 * Reads md[0..len) at max_tokens part after part through tokens_answer
 * (the next offset taken from each note's "Next: offset=N" when the note
 * has one, else from the part), checking every answer: within the budget,
 * content first and exactly md's bytes there, valid UTF-8 when md is, no
 * frontmatter cut, nothing after a last part. Returns the reassembled text
 * (free()); a dropped frontmatter is put back from md.
 */
static char *walk_parts(const char *md, size_t len, size_t max_tokens, struct walk *w)
{
	size_t fm = tokens_frontmatter_end(md, len), offset = 0;
	bool valid = utf8_valid(md, len);
	struct buf got;

	memset(w, 0, sizeof(*w));
	w->min_content = (size_t)-1;
	buf_init(&got);
	for (;;) {
		struct tokens_part p;
		char *out, ref[64];
		size_t out_len, content;
		const char *next;

		ck_assert_int_eq(tokens_answer(md, len, offset, max_tokens, "offset=", &p, &out,
					       &out_len), TOKENS_OK);
		w->parts++;
		ck_assert_msg(w->parts <= len + 1, "the parts never end");
		if (p.whole) {
			ck_assert_ptr_null(out);
			ck_assert_uint_eq(offset, 0);
			ck_assert_uint_le(tokens_estimate(len), max_tokens);
			buf_append(&got, md, len);
			break;
		}
		ck_assert_ptr_nonnull(out);
		ck_assert_uint_le(tokens_estimate(out_len), max_tokens);
		content = p.end - p.start;
		ck_assert_uint_le(content, out_len);
		ck_assert_int_eq(memcmp(out, md + p.start, content), 0);
		if (valid)
			ck_assert(utf8_valid(out, content));
		/* never mid-CRLF */
		ck_assert(!(p.end > 0 && p.end < len && md[p.end - 1] == '\r' && md[p.end] == '\n'));
		/* the frontmatter: whole at the start of the first part, or left out */
		if (fm > 0 && offset == 0) {
			if (p.frontmatter_dropped) {
				ck_assert_uint_eq(p.start, fm);
				w->dropped = fm;
				buf_append(&got, md, fm);
				/* every note names it ("Frontmatter", "the frontmatter") */
				if (out_len > content)
					ck_assert_ptr_nonnull(strstr(out + content, "rontmatter"));
			} else {
				ck_assert_uint_eq(p.start, 0);
				ck_assert_uint_ge(p.end, fm);
			}
		} else {
			ck_assert_uint_eq(p.start, offset);
		}
		buf_append(&got, md + p.start, content);
		if (p.last) {
			ck_assert_uint_eq(p.end, len);
			ck_assert_ptr_null(strstr(out + content, "offset="));
			free(out);
			break;
		}
		ck_assert_uint_gt(content, 0);
		if (content < w->min_content)
			w->min_content = content;
		/* the note names the next offset, when there is a note */
		snprintf(ref, sizeof(ref), "offset=%zu\n", p.end);
		next = strstr(out + content, "offset=");
		if (next)
			ck_assert_str_eq(next, ref);
		else
			ck_assert_uint_eq(out_len, content); /* no note at all */
		offset = p.end;
		free(out);
	}
	return buf_detach(&got, NULL);
}

START_TEST(test_estimate_is_ceil_bytes_over_four)
{
	ck_assert_uint_eq(tokens_estimate(0), 0);
	ck_assert_uint_eq(tokens_estimate(1), 1);
	ck_assert_uint_eq(tokens_estimate(4), 1);
	ck_assert_uint_eq(tokens_estimate(5), 2);
	ck_assert_uint_eq(tokens_estimate(4000), 1000);
}
END_TEST

START_TEST(test_frontmatter_end)
{
	static const struct {
		const char *text;
		size_t end;
	} cases[] = {
		{ "", 0 },
		{ "# no frontmatter\n", 0 },
		{ "---\nname: x\n---\nbody\n", 16 },
		{ "---\r\nname: x\r\n---\r\nbody\r\n", 19 },
		{ "\xEF\xBB\xBF---\nname: x\n---\n", 19 },
		{ "--- \t\nname: x\n---  \nb", 20 },
		{ "---\nname: x\n---", 15 },       /* closed at the end, no newline */
		{ "---\n---\n", 8 },               /* empty */
		{ "---\nname: x\n...\nb\n", 0 },   /* the indexer closes with --- only */
		{ "---\nname: x\nno end\n", 0 },   /* unclosed: no frontmatter */
		{ "----\nname: x\n---\n", 0 },
		{ " ---\nname: x\n---\n", 0 },
		{ "---", 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		ck_assert_msg(tokens_frontmatter_end(cases[i].text, strlen(cases[i].text)) ==
			      cases[i].end, "case %zu", i);
}
END_TEST

/* The fixture at 50, 200, 500 and 2000 tokens (and a few tiny budgets):
 * every part within its budget, the parts give back the exact file. */
START_TEST(test_fixture_reassembles_at_every_budget)
{
	static const size_t budgets[] = { 50, 200, 500, 2000, 1, 2, 7, 33, 4420, 4421, 100000 };
	size_t len, fm;
	char *md = tu_read(FIXTURE, &len);

	fm = tokens_frontmatter_end(md, len);
	ck_assert_uint_gt(len, 16000);
	ck_assert_uint_gt(fm, 400);
	ck_assert_ptr_nonnull(memchr(md, '\r', len));
	for (size_t i = 0; i < sizeof(budgets) / sizeof(budgets[0]); i++) {
		struct walk w;
		char *got = walk_parts(md, len, budgets[i], &w);

		ck_assert_msg(memcmp(got, md, len) == 0 && strlen(got) == len,
			      "max_tokens=%zu: the parts are not the file", budgets[i]);
		/* a part that is not the last fills at least half its room:
		 * more than a quarter of the budget at these sizes */
		if (budgets[i] >= 50 && w.parts > 1)
			ck_assert_msg(w.min_content * 4 >= budgets[i] * TOKENS_BYTES_PER_TOKEN,
				      "max_tokens=%zu: a part of %zu bytes", budgets[i], w.min_content);
		/* the frontmatter (about 116 tokens) is kept from 200 on */
		ck_assert_msg((w.dropped != 0) == (budgets[i] <= 50), "max_tokens=%zu: dropped %zu",
			      budgets[i], w.dropped);
		if (budgets[i] >= tokens_estimate(len))
			ck_assert_uint_eq(w.parts, 1);
		else
			ck_assert_uint_ge(w.parts, tokens_estimate(len) / budgets[i]);
		free(got);
	}
	free(md);
}
END_TEST

/* What the issue saw: 300 tokens of a 7,485-token file gave only the note
 * and was over budget. A like text (a long first section, many headings,
 * a long URL) now gives a first part of real content, within budget. */
START_TEST(test_small_budget_gets_content_not_only_a_note)
{
	static const char ref[] = "http://127.0.0.1:8080/skills/effective-java/references/"
				  "items-catalog.md?max_tokens=300&offset=";
	struct tokens_part p;
	struct buf b;
	char *out;
	size_t len;

	buf_init(&b);
	buf_puts(&b, "# Effective Java Items Catalog\n\n");
	for (int i = 1; i <= 90; i++)
		buf_printf(&b, "## Item %d: a rule with a long enough title to fill a line\n\n"
			   "A paragraph of explanation for item %d, long enough to matter in a "
			   "budget of a few hundred tokens, written out in full.\n\n"
			   "```java\n// code for item %d\n```\n\n---\n\n", i, i, i);
	ck_assert_int_eq(tokens_answer(b.data, b.len, 0, 300, ref, &p, &out, &len), TOKENS_OK);
	ck_assert(!p.whole && !p.last);
	ck_assert_uint_le(len, 1200);
	ck_assert_uint_ge(p.end - p.start, 600);
	ck_assert_int_eq(memcmp(out, b.data, p.end), 0);
	ck_assert_int_eq(p.cut, TOKENS_CUT_HEADING);
	ck_assert_int_eq(strncmp(b.data + p.end, "## Item ", 8), 0);
	ck_assert_ptr_nonnull(strstr(out, ref));
	free(out);
	buf_fini(&b);
}
END_TEST

/* The note's forms: full (sections named) at a large budget, one line at a
 * middle one, the bare reference at a tiny one, none below that. */
START_TEST(test_note_shrinks_with_the_budget)
{
	static const char ref[] = "http://127.0.0.1:8080/skills/budget-demo/SKILL.md?max_tokens=N&offset=";
	struct tokens_part p;
	size_t len, out_len;
	char *md = tu_read(FIXTURE, &len), *out;

	ck_assert_int_eq(tokens_answer(md, len, 0, 2000, ref, &p, &out, &out_len), TOKENS_OK);
	ck_assert(!p.frontmatter_dropped);
	ck_assert_ptr_nonnull(strstr(out, "\n\n---\n\n> **Cut to fit max_tokens=2000:** bytes 0-"));
	ck_assert_ptr_nonnull(strstr(out, " sections, from \""));
	ck_assert_ptr_nonnull(strstr(out, "\n> Next part: http://"));
	free(out);

	ck_assert_int_eq(tokens_answer(md, len, 0, 200, ref, &p, &out, &out_len), TOKENS_OK);
	ck_assert(!p.frontmatter_dropped);
	ck_assert_ptr_nonnull(strstr(out, "\n\n---\n\n> Cut to fit max_tokens=200: bytes 0-"));
	ck_assert_ptr_null(strstr(out, "sections, from"));
	free(out);

	/* 50 tokens: the frontmatter (116) cannot fit; the note is the bare
	 * reference, the content still gets most of the 200 bytes */
	ck_assert_int_eq(tokens_answer(md, len, 0, 50, ref, &p, &out, &out_len), TOKENS_OK);
	ck_assert(p.frontmatter_dropped);
	ck_assert_uint_eq(p.start, tokens_frontmatter_end(md, len));
	ck_assert_ptr_nonnull(strstr(out, "\n\n(frontmatter left out) Next: http://"));
	ck_assert_uint_le(out_len, 200);
	ck_assert_uint_ge(p.end - p.start, 40);
	ck_assert_int_eq(strncmp(out, "# Budget demo\n", 14), 0);
	free(out);

	/* 20 tokens: no room for the reference; content only */
	ck_assert_int_eq(tokens_answer(md, len, 2000, 20, ref, &p, &out, &out_len), TOKENS_OK);
	ck_assert_uint_eq(out_len, p.end - p.start);
	ck_assert_uint_le(out_len, 80);
	ck_assert_uint_ge(out_len, 40);
	free(out);

	/* the last part says so */
	ck_assert_int_eq(tokens_answer(md, len, len - 100, 2000, ref, &p, &out, &out_len), TOKENS_OK);
	ck_assert(p.last);
	ck_assert_ptr_nonnull(strstr(out, "> **Last part** (max_tokens=2000): bytes "));
	ck_assert_ptr_nonnull(strstr(out, "Nothing follows."));
	ck_assert_ptr_null(strstr(out, "offset="));
	free(out);
	free(md);
}
END_TEST

/* Offsets a part cannot start at. */
START_TEST(test_bad_offsets_are_refused)
{
	static const char md[] = "---\nname: x\n---\n# T\r\n\r\ncaf\xC3\xA9 \xF0\x9F\x99\x82 end\n";
	size_t len = sizeof(md) - 1, fm = tokens_frontmatter_end(md, len);
	const char *e = strstr(md, "\xC3\xA9"), *smile = strstr(md, "\xF0\x9F"), *cr = strchr(md, '\r');
	struct tokens_part p;
	char *out;
	size_t out_len;

	ck_assert_uint_eq(fm, 16);
	ck_assert_int_eq(tokens_part(md, len, len, 5, 0, &p), TOKENS_PAST_END);
	ck_assert_int_eq(tokens_part(md, len, len + 1, 5, 0, &p), TOKENS_PAST_END);
	ck_assert_int_eq(tokens_part("", 0, 1, 5, 0, &p), TOKENS_PAST_END);
	ck_assert_int_eq(tokens_part(md, len, (size_t)(e - md) + 1, 5, 0, &p), TOKENS_MID_CHARACTER);
	for (size_t k = 1; k < 4; k++)
		ck_assert_int_eq(tokens_part(md, len, (size_t)(smile - md) + k, 5, 0, &p),
				 TOKENS_MID_CHARACTER);
	ck_assert_int_eq(tokens_part(md, len, (size_t)(cr - md) + 1, 5, 0, &p), TOKENS_MID_CHARACTER);
	for (size_t o = 1; o < fm; o++)
		ck_assert_int_eq(tokens_part(md, len, o, 5, 0, &p), TOKENS_IN_FRONTMATTER);
	ck_assert_int_eq(tokens_part(md, len, 5, 2, 5, &p), TOKENS_IN_FRONTMATTER);
	/* no room for content beside the note */
	ck_assert_int_eq(tokens_part(md, len, fm, 2, 5, &p), TOKENS_NO_ROOM);
	ck_assert_int_eq(tokens_part(md, len, fm, 2, 4, &p), TOKENS_OK);
	/* good ones */
	ck_assert_int_eq(tokens_part(md, len, (size_t)(e - md), 1, 0, &p), TOKENS_OK);
	ck_assert_uint_eq(p.end - p.start, 3); /* "é ", not the first byte of the 🙂 */
	ck_assert_int_eq(tokens_part(md, len, (size_t)(smile - md), 1, 0, &p), TOKENS_OK);
	ck_assert_uint_eq(p.end - p.start, 4);
	ck_assert_int_eq(tokens_part(md, len, fm, 100, 0, &p), TOKENS_OK);
	ck_assert(p.last && !p.whole);
	ck_assert_int_eq(tokens_part("", 0, 0, 1, 0, &p), TOKENS_OK);
	ck_assert(p.whole && p.last);
	/* tokens_answer refuses the same, with nothing to free */
	ck_assert_int_eq(tokens_answer(md, len, 3, 5, NULL, &p, &out, &out_len),
			 TOKENS_IN_FRONTMATTER);
	ck_assert_ptr_null(out);
	ck_assert_int_eq(tokens_answer(md, len, len, 5, NULL, &p, &out, &out_len), TOKENS_PAST_END);
	ck_assert_ptr_null(out);
}
END_TEST

/* Where parts end: a heading when one is in the second half of the room,
 * else a blank line, else a line end, else a character boundary that is
 * not inside \r\n. */
START_TEST(test_cut_points_in_order_of_preference)
{
	struct tokens_part p;
	const char *t;

	/* heading at 30 of a 40-byte room, a blank line at 36: the heading */
	t = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n## H\n\nbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
	ck_assert_int_eq(tokens_part(t, strlen(t), 0, 10, 0, &p), TOKENS_OK);
	ck_assert_int_eq(p.cut, TOKENS_CUT_HEADING);
	ck_assert_uint_eq(p.end, 30);
	/* a heading in the first half only: the later blank line wins */
	t = "aaaa\n## H\nbbbbbbbbbbbbbbbbbbbbbbb\n\ncccccccccc\ndddddddddddddddddddddddddddddddd";
	ck_assert_int_eq(tokens_part(t, strlen(t), 0, 10, 0, &p), TOKENS_OK);
	ck_assert_int_eq(p.cut, TOKENS_CUT_PARAGRAPH);
	ck_assert_uint_eq(p.end, 35);
	/* a # inside a fence is not a heading; the line end is taken */
	t = "```\naaaaaaaaaaaaaaaaaaaaaaaa\n# no\naaaaaaaaaa\n```\nzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz";
	ck_assert_int_eq(tokens_part(t, strlen(t), 0, 10, 0, &p), TOKENS_OK);
	ck_assert_int_eq(p.cut, TOKENS_CUT_LINE);
	ck_assert_uint_eq(p.end, 34);
	/* after a closing fence counts as a paragraph break */
	t = "```\naaaaaaaaaaaaaaaaaaaaaaaaaaa\n```\nzz\nzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz";
	ck_assert_int_eq(tokens_part(t, strlen(t), 0, 10, 0, &p), TOKENS_OK);
	ck_assert_int_eq(p.cut, TOKENS_CUT_PARAGRAPH);
	ck_assert_uint_eq(p.end, 36);
	/* no line end in reach: the last character boundary */
	t = "abcde\xC3\xA9\xC3\xA9\xC3\xA9xyzzzzzzzz";
	ck_assert_int_eq(tokens_part(t, strlen(t), 0, 2, 0, &p), TOKENS_OK);
	ck_assert_int_eq(p.cut, TOKENS_CUT_CHARACTER);
	ck_assert_uint_eq(p.end, 7); /* 8 would split the second é */
	ck_assert_int_eq(tokens_part(t, strlen(t), 7, 1, 0, &p), TOKENS_OK);
	ck_assert_uint_eq(p.end, 11);
	/* nor between \r and \n */
	t = "abcdefg\r\nhijklmnopqrstuvwxyz";
	ck_assert_int_eq(tokens_part(t, strlen(t), 0, 2, 0, &p), TOKENS_OK);
	ck_assert_int_eq(p.cut, TOKENS_CUT_CHARACTER);
	ck_assert_uint_eq(p.end, 7);
	ck_assert_int_eq(tokens_part(t, strlen(t), 7, 1, 0, &p), TOKENS_OK);
	ck_assert_uint_eq(p.end, 9); /* after the \r\n: the next line's start */
	ck_assert_int_eq(p.cut, TOKENS_CUT_LINE);
}
END_TEST

/* A frontmatter is kept whole or dropped, never cut; a text that is only
 * a frontmatter too big for the budget gives one empty last part. */
START_TEST(test_frontmatter_kept_or_dropped)
{
	static const char md[] = "---\nname: demo\ndescription: a description of some length\n---\n"
				 "# Title\n\nbody text that goes on for a while, and on, and on.\n";
	size_t len = sizeof(md) - 1, fm = tokens_frontmatter_end(md, len);
	struct tokens_part p;
	char *out;
	size_t out_len;

	ck_assert_uint_eq(fm, 61);
	/* room for it: kept, the cut after it at the earliest (here before
	 * # Title, which follows it) */
	ck_assert_int_eq(tokens_part(md, len, 0, 16, 0, &p), TOKENS_OK);
	ck_assert(!p.frontmatter_dropped);
	ck_assert_uint_eq(p.start, 0);
	ck_assert_uint_eq(p.end, fm);
	ck_assert_int_eq(p.cut, TOKENS_CUT_HEADING);
	/* 4 bytes short of it: the part would have to cut it */
	ck_assert_int_eq(tokens_part(md, len, 0, 16, 4, &p), TOKENS_OK);
	ck_assert(p.frontmatter_dropped);
	/* no room: dropped, the part starts after it */
	ck_assert_int_eq(tokens_part(md, len, 0, 14, 0, &p), TOKENS_OK);
	ck_assert(p.frontmatter_dropped);
	ck_assert_uint_eq(p.start, fm);
	ck_assert_int_eq(tokens_answer(md, len, 0, 14, "o=", &p, &out, &out_len), TOKENS_OK);
	ck_assert(p.frontmatter_dropped);
	ck_assert_uint_le(out_len, 56);
	ck_assert_uint_eq(p.end, 70); /* after the blank line that follows # Title */
	ck_assert_int_eq(strncmp(out, "# Title\n\n(frontmatter left out) Next: o=70\n", 42), 0);
	free(out);
	/* only a frontmatter */
	ck_assert_int_eq(tokens_answer(md, fm, 0, 3, "o=", &p, &out, &out_len), TOKENS_OK);
	ck_assert(p.frontmatter_dropped && p.last);
	ck_assert_uint_eq(p.start, p.end);
	ck_assert_uint_le(out_len, 12);
	free(out);
}
END_TEST

/* Hostile shapes: unterminated fences and frontmatter, only #s, CRLF,
 * lone \r, invalid UTF-8, empty text: at every small budget the parts stay
 * within it and give the text back. */
START_TEST(test_hostile_shapes)
{
	static const char *const inputs[] = {
		"", "#", "######", "####### seven", "```\n# a\n## b\n", "---\nname: x\n# c\n",
		"# a\r\n\r\ntext\r\n## b\r\n\r\nmore text here\r\n", "\n\n\n\n\n\n\n\n\n\n\n\n",
		"# a\n# b\n# c\n# d\n# e\n# f\n# g\n# h\n# i\n# j\n# k\n# l\n# m\n",
		"~~~~\n# x\n~~~\n# y\n~~~~\n# z\n", "a\rb\rc\r\rd\r\n\r\ne\r",
		"\x80\x80\x80\x80\x80\x80\x80\x80\x80\xC3\xF0\x9F\x99\xFF\xFE\xE2\x82",
		"---\r\n---\r\n\r\n\r\n", "\xEF\xBB\xBF---\nn: 1\n---\nbody\n",
		"\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n", "\xF0\x9F\x99\x82\xF0\x9F\x99\x82\xF0\x9F\x99\x82",
	};

	for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
		for (size_t max = 1; max < 40; max++) {
			size_t in = strlen(inputs[i]);
			struct walk w;
			char *got = walk_parts(inputs[i], in, max, &w);

			ck_assert_msg(strlen(got) == in && memcmp(got, inputs[i], in) == 0,
				      "input %zu at %zu", i, max);
			free(got);
		}
	}
}
END_TEST

Suite *tokens_suite(void)
{
	Suite *s = suite_create("tokens");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_estimate_is_ceil_bytes_over_four);
	tcase_add_test(tc, test_frontmatter_end);
	tcase_add_test(tc, test_fixture_reassembles_at_every_budget);
	tcase_add_test(tc, test_small_budget_gets_content_not_only_a_note);
	tcase_add_test(tc, test_note_shrinks_with_the_budget);
	tcase_add_test(tc, test_bad_offsets_are_refused);
	tcase_add_test(tc, test_cut_points_in_order_of_preference);
	tcase_add_test(tc, test_frontmatter_kept_or_dropped);
	tcase_add_test(tc, test_hostile_shapes);
	suite_add_tcase(s, tc);
	return s;
}
