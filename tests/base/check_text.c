/* SPDX-License-Identifier: MIT */
/*
 * Tests for text: every UTF-8 helper with exact bytes (and against a slow
 * reference decoder), line splitting and positions, the one fence rule and
 * ATX headings at their edges, the unique-id set; and the three readers of
 * markdown lines (the checklist parser, the search indexer, the token
 * cutter) agreeing on one document with a 4-space and a 3-space fence.
 */
#include <check.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <sqlite3.h>

#include "skilld/app/app.h"
#include "skilld/indexing/checklist.h"
#include "skilld/base/config.h"
#include "skilld/store/db.h"
#include "skilld/indexing/render.h"
#include "skilld/base/text.h"
#include "skilld/base/tokens.h"
#include "skilld/base/util.h"
#include "testutil.h"

Suite *text_suite(void);

/* ---- UTF-8 ---- */

START_TEST(test_utf8_seq_len)
{
	static const struct { unsigned char lead; size_t len; } cases[] = {
		{ 0x00, 1 }, { 'a', 1 }, { 0x7F, 1 }, { 0x80, 0 }, { 0xBF, 0 }, { 0xC0, 0 },
		{ 0xC1, 0 }, { 0xC2, 2 }, { 0xDF, 2 }, { 0xE0, 3 }, { 0xED, 3 }, { 0xEF, 3 },
		{ 0xF0, 4 }, { 0xF4, 4 }, { 0xF5, 0 }, { 0xFF, 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		ck_assert_msg(utf8_seq_len(cases[i].lead) == cases[i].len, "lead 0x%02X",
			      cases[i].lead);
}
END_TEST

/* utf8_decode of s[0..n) gives want_len and, when not 0, want_cp. */
static void decodes(const char *s, size_t n, size_t want_len, uint32_t want_cp)
{
	uint32_t cp = 42;
	size_t len = utf8_decode(s, n, &cp);

	ck_assert_msg(len == want_len, "length %zu, want %zu (first byte 0x%02X)", len, want_len,
		      n ? (unsigned char)s[0] : 0);
	ck_assert_msg(cp == (want_len ? want_cp : 0xFFFD), "U+%04X", (unsigned)cp);
}

START_TEST(test_utf8_decode)
{
	decodes("a", 1, 1, 'a');
	decodes("\0", 1, 1, 0);
	decodes("", 0, 0, 0);
	decodes("\xC3\xA9", 2, 2, 0xE9);
	decodes("\xC3\xA9x", 3, 2, 0xE9);
	decodes("\xC2\x80", 2, 2, 0x80);
	decodes("\xE2\x82\xAC", 3, 3, 0x20AC);
	decodes("\xEF\xBF\xBD", 3, 3, 0xFFFD);
	decodes("\xF0\x9F\x98\x80", 4, 4, 0x1F600);
	decodes("\xF4\x8F\xBF\xBF", 4, 4, 0x10FFFF);
	decodes("\xC0\xAF", 2, 0, 0);         /* overlong '/' */
	decodes("\xC1\xBF", 2, 0, 0);         /* overlong DEL */
	decodes("\xE0\x80\xAF", 3, 0, 0);     /* overlong, 3 bytes */
	decodes("\xE0\x9F\xBF", 3, 0, 0);     /* overlong U+07FF */
	decodes("\xF0\x80\x80\xAF", 4, 0, 0); /* overlong, 4 bytes */
	decodes("\xF0\x8F\xBF\xBF", 4, 0, 0); /* overlong U+FFFF */
	decodes("\xED\xA0\x80", 3, 0, 0);     /* surrogate U+D800 */
	decodes("\xED\xBF\xBF", 3, 0, 0);     /* surrogate U+DFFF */
	decodes("\xED\x9F\xBF", 3, 3, 0xD7FF);
	decodes("\xF4\x90\x80\x80", 4, 0, 0); /* U+110000 */
	decodes("\xF5\x80\x80\x80", 4, 0, 0);
	decodes("\xE2\x82", 2, 0, 0);         /* cut short by the text */
	decodes("\xE2\x82\xAC", 2, 0, 0);     /* cut short by n */
	decodes("\xE2\x28\xA1", 3, 0, 0);     /* not a continuation byte */
	decodes("\xE2\x82\x00", 3, 0, 0);
	decodes("\x80", 1, 0, 0);
	decodes("\xFF", 1, 0, 0);
}
END_TEST

START_TEST(test_utf8_put)
{
	static const uint32_t cps[] = { 0, 'A', 0x7F, 0x80, 0xE9, 0x7FF, 0x800, 0x20AC,
					0xD7FF, 0xE000, 0xFFFD, 0xFFFF, 0x10000, 0x1F600, 0x10FFFF };
	struct buf b;

	buf_init(&b);
	utf8_put(&b, 'A');
	utf8_put(&b, 0xE9);
	utf8_put(&b, 0x20AC);
	utf8_put(&b, 0x1F600);
	ck_assert_uint_eq(b.len, 10);
	ck_assert_mem_eq(b.data, "A\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80", 10);
	for (size_t i = 0; i < sizeof(cps) / sizeof(cps[0]); i++) {
		uint32_t cp;

		buf_reset(&b);
		utf8_put(&b, cps[i]);
		ck_assert_uint_eq(utf8_decode(b.data, b.len, &cp), b.len);
		ck_assert_uint_eq(cp, cps[i]);
	}
	buf_fini(&b);
}
END_TEST

START_TEST(test_utf8_validation)
{
	ck_assert(utf8_valid("plain", 5));
	ck_assert(utf8_valid("caf\xc3\xa9", 5));
	ck_assert(!utf8_valid("\xc0\xaf", 2));          /* overlong '/' */
	ck_assert(!utf8_valid("\xed\xa0\x80", 3));      /* surrogate */
	ck_assert(!utf8_valid("\xe2\x82", 2));          /* truncated */
	ck_assert(!utf8_valid("\xff", 1));
	ck_assert_uint_eq(utf8_length("caf\xc3\xa9"), 4);
	ck_assert_uint_eq(utf8_length("\xe2\x80\x94"), 1);
}
END_TEST

START_TEST(test_utf8_repair)
{
	size_t n;
	char *s = utf8_repair("ok\xff\xc3\xa9\xe2\x82x\0y", 10, &n);

	ck_assert_str_eq(s, "ok\xef\xbf\xbd\xc3\xa9\xef\xbf\xbd\xef\xbf\xbdx\xef\xbf\xbdy");
	ck_assert_uint_eq(n, strlen(s));
	ck_assert(utf8_valid(s, n));
	free(s);
	s = utf8_repair("", 0, &n);
	ck_assert_str_eq(s, "");
	free(s);
}
END_TEST

/* A slow, obviously right decoder: the length of the valid UTF-8
 * sequence at s[0..n) (NUL counts as valid here) and its code point in
 * *out, else 0. */
static size_t ref_seq(const unsigned char *s, size_t n, uint32_t *out)
{
	uint32_t cp;
	size_t len;

	if (s[0] < 0x80) {
		*out = s[0];
		return 1;
	}
	if ((s[0] & 0xe0) == 0xc0)
		len = 2, cp = s[0] & 0x1fu;
	else if ((s[0] & 0xf0) == 0xe0)
		len = 3, cp = s[0] & 0x0fu;
	else if ((s[0] & 0xf8) == 0xf0)
		len = 4, cp = s[0] & 0x07u;
	else
		return 0;
	if (len > n)
		return 0;
	for (size_t k = 1; k < len; k++) {
		if ((s[k] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[k] & 0x3fu);
	}
	if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	*out = cp;
	return len;
}

/* True when utf8_decode and the reference agree on s[0..n) (length, and
 * code point when well formed). */
static bool decode_agrees(const unsigned char *s, size_t n)
{
	uint32_t cp, want = 0;
	size_t len = ref_seq(s, n, &want);

	return utf8_decode((const char *)s, n, &cp) == len && (len == 0 || cp == want);
}

/* utf8_decode agrees with the reference on every 1-, 2- and 3-byte input
 * that starts with a 3-byte lead, on every 2-byte input, and on every
 * 4-byte lead with a spread of second bytes. Mismatches are collected
 * first: a Check assertion per input would take seconds. */
START_TEST(test_utf8_decode_against_reference)
{
	unsigned char s[4], bad[4] = { 0 };
	size_t wrong = 0;

	for (unsigned a = 0; a < 256; a++) {
		for (unsigned b = 0; b < 256; b++) {
			for (unsigned c = 0; c < 256; c += (a >= 0xE0 && a <= 0xEF) ? 1 : 255) {
				s[0] = (unsigned char)a;
				s[1] = (unsigned char)b;
				s[2] = (unsigned char)c;
				if ((!decode_agrees(s, 3) || !decode_agrees(s, 2) ||
				     !decode_agrees(s, 1)) && wrong++ == 0)
					memcpy(bad, s, 3);
			}
		}
	}
	for (unsigned a = 0xF0; a < 0x100; a++) {
		for (unsigned b = 0x70; b < 0xC8; b++) {
			s[0] = (unsigned char)a;
			s[1] = (unsigned char)b;
			s[2] = (unsigned char)(0x80 | (b & 0x3f));
			s[3] = 0xBF;
			if ((!decode_agrees(s, 4) || !decode_agrees(s, 3)) && wrong++ == 0)
				memcpy(bad, s, 4);
		}
	}
	ck_assert_msg(wrong == 0, "%zu inputs differ, the first %02X %02X %02X %02X", wrong,
		      bad[0], bad[1], bad[2], bad[3]);
}
END_TEST

/* utf8_valid and utf8_repair (which copy runs of ASCII eight bytes at a
 * time) agree with the byte-by-byte reference on random text of every
 * length and alignment: mostly ASCII, some multi-byte sequences, bad bytes,
 * NULs. */
START_TEST(test_utf8_against_reference)
{
	static const char *const pieces[] = { "\xc3\xa9", "\xe2\x80\x94", "\xf0\x9f\x98\x80",
					      "\xff", "\xc3", "\xed\xa0\x80", "\xe2\x82", "\x80",
					      "\xf4\x90\x80\x80", "\xc0\xaf" };
	uint32_t seed = 12345;

	for (int round = 0; round < 4000; round++) {
		unsigned char text[400];
		size_t n = 0, i = 0, out_len;
		struct buf want;
		bool valid = true;
		char *got;
		int count;

		seed = seed * 1103515245u + 12345u;
		count = (int)((seed >> 16) % 40);
		for (int k = 0; k < count; k++) {
			seed = seed * 1103515245u + 12345u;
			switch ((seed >> 16) % 8) {
			case 0: {
				const char *p = pieces[(seed >> 20) % 10];

				memcpy(text + n, p, strlen(p));
				n += strlen(p);
				break;
			}
			case 1:
				text[n++] = '\0';
				break;
			default:  /* 1 to 9 ASCII letters */
				for (uint32_t j = 0; j <= (seed >> 20) % 9; j++)
					text[n++] = (unsigned char)('a' + j);
			}
		}
		buf_init(&want);
		while (i < n) {
			uint32_t cp;
			size_t len = text[i] ? ref_seq(text + i, n - i, &cp) : 0;

			if (ref_seq(text + i, n - i, &cp) == 0)
				valid = false;
			if (len == 0) {
				buf_append(&want, "\xef\xbf\xbd", 3);
				i++;
			} else {
				buf_append(&want, text + i, len);
				i += len;
			}
		}
		ck_assert_msg(utf8_valid((const char *)text, n) == valid, "round %d", round);
		got = utf8_repair((const char *)text, n, &out_len);
		ck_assert_uint_eq(out_len, want.len);
		ck_assert_msg(memcmp(got, want.data ? want.data : "", want.len) == 0, "round %d", round);
		free(got);
		buf_fini(&want);
	}
}
END_TEST

START_TEST(test_utf8_floor)
{
	const char *s = "a\xC3\xA9" "b\xE2\x82\xAC" "c";

	ck_assert_uint_eq(utf8_floor(s, 0), 0);
	ck_assert_uint_eq(utf8_floor(s, 1), 1);
	ck_assert_uint_eq(utf8_floor(s, 2), 1);  /* inside é */
	ck_assert_uint_eq(utf8_floor(s, 3), 3);
	ck_assert_uint_eq(utf8_floor(s, 5), 4);  /* inside € */
	ck_assert_uint_eq(utf8_floor(s, 6), 4);
	ck_assert_uint_eq(utf8_floor(s, 7), 7);
	ck_assert_uint_eq(utf8_floor(s, 8), 8);  /* the NUL */
	ck_assert_uint_eq(utf8_floor("\x80\x80", 1), 0);
}
END_TEST

/* ---- lines and positions ---- */

START_TEST(test_line_counting)
{
	ck_assert_uint_eq(text_count_lines("", 0), 0);
	ck_assert_uint_eq(text_count_lines("a", 1), 1);
	ck_assert_uint_eq(text_count_lines("a\n", 2), 1);
	ck_assert_uint_eq(text_count_lines("a\nb", 3), 2);
	ck_assert_uint_eq(text_count_lines("a\r\nb\r\n", 6), 2);
}
END_TEST

/* The lines of s as "[line]" pieces, the way text_line splits them. */
static char *lines_of(const char *s)
{
	size_t len = strlen(s), next;
	struct buf b;

	buf_init(&b);
	for (size_t i = 0; i < len; i = next) {
		size_t n = text_line(s, len, i, &next);

		ck_assert_uint_gt(next, i);
		buf_printf(&b, "[%.*s]", (int)n, s + i);
	}
	buf_putc(&b, '\0');
	return buf_detach(&b, NULL);
}

static void splits_as(const char *s, const char *want)
{
	char *got = lines_of(s);

	ck_assert_str_eq(got, want);
	free(got);
}

START_TEST(test_text_line)
{
	splits_as("", "");
	splits_as("a", "[a]");
	splits_as("a\n", "[a]");
	splits_as("a\nb\r\nc\rd", "[a][b][c][d]");
	splits_as("\n\n", "[][]");
	splits_as("\r\n", "[]");
	splits_as("\r\r\n\n", "[][][]");
	splits_as("x\r", "[x]");
	splits_as("a\n\nb\n", "[a][][b]");
}
END_TEST

START_TEST(test_text_position)
{
	const char *s = "ab\nc\xC3\xA9x\n";
	size_t len = strlen(s), line, col;

	text_position(s, len, 0, &line, &col);
	ck_assert_uint_eq(line, 0);
	ck_assert_uint_eq(col, 0);
	text_position(s, len, 2, &line, &col);
	ck_assert_uint_eq(line, 0);
	ck_assert_uint_eq(col, 2);
	text_position(s, len, 3, &line, &col);
	ck_assert_uint_eq(line, 1);
	ck_assert_uint_eq(col, 0);
	text_position(s, len, 6, &line, &col); /* at x: é is one column */
	ck_assert_uint_eq(line, 1);
	ck_assert_uint_eq(col, 2);
	text_position(s, len, 5, &line, &col); /* inside é: its lead counted */
	ck_assert_uint_eq(col, 2);
	text_position(s, len, 1000, &line, &col); /* clamped to the end */
	ck_assert_uint_eq(line, 2);
	ck_assert_uint_eq(col, 0);
}
END_TEST

/* ---- the fence rule ---- */

/* The roles text_fence_step gives each line of s, one letter a line: '.'
 * none, 'O' open, 'b' body, 'C' close; then '!' when a fence is left open. */
static char *roles_of(const char *s)
{
	size_t len = strlen(s), next;
	struct text_fence f = { 0 };
	struct buf b;

	buf_init(&b);
	for (size_t i = 0; i < len; i = next) {
		size_t n = text_line(s, len, i, &next);

		buf_putc(&b, ".ObC"[text_fence_step(&f, s + i, n)]);
	}
	if (f.ch)
		buf_putc(&b, '!');
	buf_putc(&b, '\0');
	return buf_detach(&b, NULL);
}

static void fences_as(const char *s, const char *want)
{
	char *got = roles_of(s);

	ck_assert_msg(strcmp(got, want) == 0, "%s: got %s, want %s", s, got, want);
	free(got);
}

START_TEST(test_fence_opening)
{
	fences_as("```\nx\n```\n", "ObC");
	fences_as("~~~\nx\n~~~\n", "ObC");
	fences_as("``\nx\n``\n", "...");                /* two are not enough */
	fences_as(" ```\nx\n```\n", "ObC");
	fences_as("   ```\nx\n```\n", "ObC");            /* 3 spaces: a fence */
	fences_as("    ```\nx\n```\n", "..O!");          /* 4 spaces: indented code */
	fences_as("\t```\nx\n```\n", "..O!");            /* a tab is 4 columns */
	fences_as("```js\nx\n```\n", "ObC");
	fences_as("```  js title=\"a b\"\nx\n```\n", "ObC");
	fences_as("``` a`b\nx\n```\n", "..O!");          /* backtick in the info string */
	fences_as("```a``\nx\n", "..");
	fences_as("~~~ a`b\nx\n~~~\n", "ObC");           /* tildes may have one */
	fences_as("````\n```\n````\n", "ObC");
	fences_as("x ```\n", ".");
	fences_as("```", "O!");
	fences_as("", "");
}
END_TEST

START_TEST(test_fence_closing)
{
	fences_as("```\nx\n~~~\ny\n```\n", "ObbbC");      /* ``` is not closed by ~~~ */
	fences_as("~~~\n```\n~~~\n", "ObC");
	fences_as("```\nx\n`````\n", "ObC");             /* a longer fence closes */
	fences_as("````\nx\n```\n````\n", "ObbC");       /* a shorter one does not */
	fences_as("```\nx\n``` y\n```\n", "ObbC");        /* no info string on a close */
	fences_as("```\nx\n```  \t\n", "ObC");           /* blanks after it are fine */
	fences_as("```\nx\n   ```\n", "ObC");
	fences_as("```\nx\n    ```\n```\n", "ObbC");      /* 4 spaces do not close */
	fences_as("```\nx\n\t```\n```\n", "ObbC");
	fences_as("```\n```\n```\n", "OCO!");             /* a fence opens again after */
	fences_as("```\nx\n", "Ob!");
	fences_as("```\r\nx\r\n```\r\n# h\r\n", "ObC.");   /* CRLF */
	fences_as("```\rx\r```\r", "ObC");                /* lone CR */
}
END_TEST

/* ---- ATX headings ---- */

/* text_atx_heading(line) is level with text want (when level > 0). */
static void heading_is(const char *line, int level, const char *want)
{
	const char *t = NULL;
	size_t n = 0;
	int got = text_atx_heading(line, strlen(line), &t, &n);

	ck_assert_msg(got == level, "'%s': level %d, want %d", line, got, level);
	if (level) {
		ck_assert_msg(n == strlen(want) && memcmp(t, want, n) == 0, "'%s': text '%.*s'",
			      line, (int)n, t);
	}
}

START_TEST(test_atx_heading)
{
	heading_is("# a", 1, "a");
	heading_is("###### f", 6, "f");
	heading_is("####### g", 0, NULL);
	heading_is("#5 bolt", 0, NULL);
	heading_is("#hashtag", 0, NULL);
	heading_is("#", 1, "");
	heading_is("###", 3, "");
	heading_is("# #", 1, "");
	heading_is("## b ##", 2, "b");
	heading_is("## b ##   ", 2, "b");
	heading_is("# a#", 1, "a#");
	heading_is("# a \t#\t", 1, "a");
	heading_is("### b ### c", 3, "b ### c");
	heading_is("#   spaced   out   ", 1, "spaced   out");
	heading_is("#\ttab", 1, "tab");
	heading_is("   # three", 1, "three");
	heading_is("    # four", 0, NULL);
	heading_is("\t# tab", 0, NULL);
	heading_is("", 0, NULL);
	heading_is("a # b", 0, NULL);
	heading_is("# Über \xE2\x80\x94 x", 1, "Über \xE2\x80\x94 x");
}
END_TEST

/* ---- unique ids ---- */

/* text_ids_unique(ids, base) is want. */
static void unique_is(struct text_ids *ids, const char *base, const char *want)
{
	char *got = text_ids_unique(ids, base);

	ck_assert_str_eq(got, want);
	free(got);
}

START_TEST(test_ids_unique)
{
	struct text_ids ids;
	char want[32];

	text_ids_init(&ids, 1); /* GitHub's heading ids */
	unique_is(&ids, "a", "a");
	unique_is(&ids, "a", "a-1");
	unique_is(&ids, "a", "a-2");
	unique_is(&ids, "a-1", "a-1-1");
	unique_is(&ids, "b-1", "b-1");
	unique_is(&ids, "b", "b");
	unique_is(&ids, "b", "b-2");   /* b-1 is taken */
	unique_is(&ids, "", "");
	unique_is(&ids, "", "-1");
	text_ids_fini(&ids);
	unique_is(&ids, "a", "a");     /* empty again after fini */
	text_ids_fini(&ids);

	text_ids_init(&ids, 2); /* checklist items */
	unique_is(&ids, "a", "a");
	unique_is(&ids, "a", "a-2");
	unique_is(&ids, "a", "a-3");
	unique_is(&ids, "a-2", "a-2-2");
	/* thousands of equal ids, through several growths of the table */
	for (int i = 4; i < 3000; i++) {
		snprintf(want, sizeof(want), "a-%d", i);
		unique_is(&ids, "a", want);
	}
	ck_assert_uint_eq(ids.len, 3000);
	text_ids_fini(&ids);
}
END_TEST

/* ---- query terms ---- */

#define TERMS_MAX 8

/* text_query_terms on q[0..len) (at most TERMS_MAX kept) is want and there
 * are want_count terms. want shows each kept term as "<text>", with "*"
 * after a prefix and "-" before an exclusion, separated by spaces. */
static void terms_are_len(const char *q, size_t len, const char *want, size_t want_count)
{
	struct text_query_term t[TERMS_MAX];
	size_t n = text_query_terms(q, len, t, TERMS_MAX);
	struct buf b;

	buf_init(&b);
	for (size_t i = 0; i < n && i < TERMS_MAX; i++) {
		ck_assert(t[i].s >= q && t[i].s + t[i].n <= q + len); /* points into q */
		buf_printf(&b, "%s%s<%.*s>%s", i ? " " : "", t[i].exclude ? "-" : "", (int)t[i].n,
			   t[i].s, t[i].prefix ? "*" : "");
	}
	buf_putc(&b, '\0');
	ck_assert_msg(strcmp(b.data, want) == 0, "'%s': got '%s', want '%s'", q, b.data, want);
	ck_assert_msg(n == want_count, "'%s': %zu terms, want %zu", q, n, want_count);
	buf_fini(&b);
}

static void terms_are(const char *q, const char *want, size_t want_count)
{
	terms_are_len(q, strlen(q), want, want_count);
}

/* The token text_whole_term finds at s[at] and the bytes it spans
 * ("-" when none). */
static void whole_is(const char *s, size_t at, const char *want_token, size_t want_len)
{
	size_t len = 0;
	const char *tok = text_whole_term(s, strlen(s), at, &len);

	ck_assert_msg(strcmp(tok ? tok : "-", want_token) == 0, "'%s' at %zu: %s", s, at,
		      tok ? tok : "-");
	if (tok)
		ck_assert_uint_eq(len, want_len);
}

START_TEST(test_whole_terms)
{
	whole_is("C++", 0, "cplusplus", 3);
	whole_is("modern c++17 code", 7, "cplusplus", 3);
	whole_is("(C#)", 1, "csharp", 2);
	whole_is("F# and", 0, "fsharp", 2);
	whole_is("on .NET 8", 3, "dotnet", 4);
	whole_is("ASP.NET", 3, "dotnet", 4);
	whole_is("asp.net", 3, "dotnet", 4);
	whole_is("vb.net", 2, "dotnet", 4);
	whole_is("Node.js,", 0, "nodejs", 7);
	/* not these */
	whole_is("abc++", 2, "-", 0);
	whole_is("c+++", 0, "cplusplus", 3);
	whole_is("example.net", 7, "-", 0);
	whole_is(".network", 0, "-", 0);
	whole_is("node.json", 0, "-", 0);
	whole_is("c", 0, "-", 0);
	whole_is("c-string", 0, "-", 0);
	whole_is("C#", 1, "-", 0);
	whole_is("C#", 2, "-", 0);
}
END_TEST

START_TEST(test_stop_words)
{
	static const char *const stop[] = { "a", "the", "My", "FOR", "i'm", "your", "with", "is" };
	static const char *const not_stop[] = { "java", "c", "review", "", "fort", "th", "mys" };

	for (size_t i = 0; i < sizeof(stop) / sizeof(stop[0]); i++)
		ck_assert_msg(text_is_stop_word(stop[i], strlen(stop[i])), "%s", stop[i]);
	for (size_t i = 0; i < sizeof(not_stop) / sizeof(not_stop[0]); i++)
		ck_assert_msg(!text_is_stop_word(not_stop[i], strlen(not_stop[i])), "%s", not_stop[i]);
	/* a prefix of the query's bytes only */
	ck_assert(text_is_stop_word("theory", 3));
}
END_TEST

START_TEST(test_query_terms)
{
	terms_are("use after free", "<use> <after> <free>", 3);
	terms_are("  \"use after\"  free ", "<use after> <free>", 2);
	terms_are("idempot*", "<idempot>*", 1);
	terms_are("idempot**", "<idempot>*", 1);
	terms_are("\"keys for\"* post", "<keys for>* <post>", 2);
	terms_are("memory -leak", "<memory> -<leak>", 2);
	terms_are("a b -c -\"d e\"", "<a> <b> -<c> -<d e>", 4);
	terms_are("-\"x\"*", "-<x>*", 1);
	terms_are("--x", "-<-x>", 1);
	/* an unbalanced quote: the rest is one phrase */
	terms_are("free \"use after", "<free> <use after>", 2);
	terms_are("\"a\"b", "<a> <b>", 2);
	/* quotes inside a word, FTS5 operators and stars inside are text */
	terms_are("say\"hi\"", "<say\"hi>", 1); /* a closing quote is a sentence mark */
	terms_are("NEAR(a b)", "<NEAR(a> <b>", 2);
	/* sentence marks off, the marks of a name kept */
	terms_are("review (java, C++. .NET? Node.js!", "<review> <java> <C++> <.NET> <Node.js>", 5);
	terms_are("a*b zebra*-", "<a*b> <zebra*->", 2);
	/* terms without a letter or digit are dropped */
	terms_are("x * - \"\" ( )", "<x>", 1);
	terms_are("\"", "", 0);
	terms_are("-", "", 0);
	terms_are("", "", 0);
	terms_are(" \t\r\n", "", 0);
	/* whitespace and control bytes separate; any non-ASCII byte is a letter */
	terms_are("a\tb\nc\x01" "d\x7f" "e", "<a> <b> <c> <d> <e>", 5);
	terms_are("café \xe2\x80\x94", "<café> <\xe2\x80\x94>", 2);
	/* only len bytes are read */
	terms_are_len("a b", 1, "<a>", 1);
	terms_are_len("\"a b\"", 3, "<a >", 1);  /* the closing quote is past len */
	/* more terms than kept: the count says how many there are */
	terms_are("a b c d e f g h i j", "<a> <b> <c> <d> <e> <f> <g> <h>", 10);
}
END_TEST

/* ---- one document, three readers ---- */

/*
 * A 4-space "fence" (indented code, not a fence: the lines between are
 * markdown), a 3-space fence with a line that looks like a closing fence
 * but has text after it, and a heading after both. No fence is inside a
 * list item, where CommonMark counts indentation from the item's content
 * (text_fence_step does not know containers), so cmark-gfm reads the
 * document the same way.
 */
static const char agree_md[] =
	"# Doc\n"
	"\n"
	"## Before\n"
	"\n"
	"- [ ] before item\n"
	"\n"
	"Text.\n"
	"\n"
	"    ```\n"
	"## Four spaces\n"
	"\n"
	"- [ ] four-space item\n"
	"\n"
	"Text.\n"
	"\n"
	"    ```\n"
	"\n"
	"   ```\n"
	"## Not a heading: three-space fence\n"
	"\n"
	"- [ ] not an item: three-space fence\n"
	"   ``` not a closing fence\n"
	"## Not a heading: still in the fence\n"
	"\n"
	"- [ ] not an item: still in the fence\n"
	"   ```\n"
	"\n"
	"## After\n"
	"\n"
	"- [ ] after item\n";

static const char *no_env(const char *name)
{
	(void)name;
	return NULL;
}

/* The search index's reference rows of path, one per line: the title, then
 * the first line of the body that is not blank. */
static char *search_sections(const char *path)
{
	char err[512];
	char *tmp = tu_mkdtemp(), *root = xasprintf("%s/skills", tmp);
	char *dbp = xasprintf("%s/skilld.db", tmp);
	char *argv[] = { "skilld", "--skills", root, "--db", dbp, "--port", "0", NULL };
	FILE *devnull = fopen("/dev/null", "w");
	struct config cfg;
	struct app app;
	sqlite3_stmt *st;
	struct buf b;

	tu_write_str(root, "agree/SKILL.md",
		     "---\nname: agree\ndescription: One document read three ways.\n---\n# Agree\n");
	tu_write_str(root, "agree/references/doc.md", agree_md);
	ck_assert_int_eq(config_parse(&cfg, 7, argv, no_env, err, sizeof(err)), 0);
	ck_assert_msg(app_init(&app, &cfg, devnull, err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(sqlite3_prepare_v2(store_reader_db(store_reader(app.store)),
					    "SELECT coalesce(title, '(none)'), ltrim(body, ' ' || char(10)) "
					    "FROM search WHERE kind = 'reference' AND path = ?1 ORDER BY rowid",
					    -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_text(st, 1, path, -1, SQLITE_STATIC);
	buf_init(&b);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *body = (const char *)sqlite3_column_text(st, 1);

		buf_printf(&b, "%s: %.*s\n", (const char *)sqlite3_column_text(st, 0),
			   (int)strcspn(body, "\n"), body);
	}
	sqlite3_finalize(st);
	app_fini(&app);
	fclose(devnull);
	config_fini(&cfg);
	tu_rmtree(tmp);
	free(tmp);
	free(root);
	free(dbp);
	buf_putc(&b, '\0');
	return buf_detach(&b, NULL);
}

/* The checklist's section titles, one per line, then its item count. */
static char *checklist_sections(void)
{
	cJSON *cl = checklist_parse(agree_md, strlen(agree_md));
	const cJSON *s;
	struct buf b;

	buf_init(&b);
	cJSON_ArrayForEach(s, cJSON_GetObjectItem(cl, "sections"))
		buf_printf(&b, "%s\n", jstr(s, "title"));
	buf_printf(&b, "items: %d\n", checklist_item_count(cl));
	cJSON_Delete(cl);
	buf_putc(&b, '\0');
	return buf_detach(&b, NULL);
}

/* The texts of render's table of contents, one per line. */
static char *render_toc(void)
{
	struct render_result rr;
	const cJSON *e;
	struct buf b;

	ck_assert_int_eq(render_markdown(agree_md, strlen(agree_md), NULL, &rr), 0);
	buf_init(&b);
	cJSON_ArrayForEach(e, rr.toc)
		buf_printf(&b, "%s\n", jstr(e, "text"));
	render_result_fini(&rr);
	buf_putc(&b, '\0');
	return buf_detach(&b, NULL);
}

/* The headings the token cutter cuts before, one per line, over every
 * budget that does not fit the document whole. */
static char *tokens_sections(void)
{
	size_t len = strlen(agree_md), last = 0;
	struct buf b;

	buf_init(&b);
	for (size_t max = 1; max < tokens_estimate(len); max++) {
		struct tokens_part p;
		const char *t;
		size_t tl;

		ck_assert_int_eq(tokens_part(agree_md, len, 0, max, 0, &p), TOKENS_OK);
		if (p.cut != TOKENS_CUT_HEADING || p.end == last)
			continue;
		last = p.end;
		ck_assert_int_gt(text_atx_heading(agree_md + p.end, strcspn(agree_md + p.end, "\n"),
						  &t, &tl), 0);
		buf_printf(&b, "%.*s\n", (int)tl, t);
	}
	buf_putc(&b, '\0');
	return buf_detach(&b, NULL);
}

START_TEST(test_three_readers_agree)
{
	char *search = search_sections("references/doc.md");
	char *checklist = checklist_sections();
	char *toc = render_toc();
	char *tokens = tokens_sections();

	/* cmark-gfm's headings, for reference: the document is read as it renders. */
	ck_assert_str_eq(toc, "Doc\nBefore\nFour spaces\nAfter\n");

	/* The search index: a row per ATX heading outside fences, from the
	 * heading to the next (titles come from render's TOC). */
	ck_assert_str_eq(search, "Doc: \nBefore: - [ ] before item\n"
			 "Four spaces: - [ ] four-space item\nAfter: - [ ] after item\n");
	/* The checklist: the same ## headings as sections, and the items
	 * outside the one real fence. */
	ck_assert_str_eq(checklist, "Before\nFour spaces\nAfter\nitems: 3\n");
	/* The token cutter: parts end before the same headings (never
	 * before the first line, so not before Doc). */
	ck_assert_str_eq(tokens, "Before\nFour spaces\nAfter\n");
	free(search);
	free(checklist);
	free(toc);
	free(tokens);
}
END_TEST

Suite *text_suite(void)
{
	Suite *s = suite_create("text");
	TCase *tc = tcase_create("core");
	TCase *agree = tcase_create("agree");

	tcase_add_test(tc, test_utf8_seq_len);
	tcase_add_test(tc, test_utf8_decode);
	tcase_add_test(tc, test_utf8_put);
	tcase_add_test(tc, test_utf8_validation);
	tcase_add_test(tc, test_utf8_repair);
	tcase_add_test(tc, test_utf8_decode_against_reference);
	tcase_add_test(tc, test_utf8_against_reference);
	tcase_add_test(tc, test_utf8_floor);
	tcase_add_test(tc, test_line_counting);
	tcase_add_test(tc, test_text_line);
	tcase_add_test(tc, test_text_position);
	tcase_add_test(tc, test_fence_opening);
	tcase_add_test(tc, test_fence_closing);
	tcase_add_test(tc, test_atx_heading);
	tcase_add_test(tc, test_ids_unique);
	tcase_add_test(tc, test_query_terms);
	tcase_add_test(tc, test_whole_terms);
	tcase_add_test(tc, test_stop_words);
	suite_add_tcase(s, tc);
	tcase_set_timeout(agree, 30);
	tcase_add_test(agree, test_three_readers_agree);
	suite_add_tcase(s, agree);
	return s;
}
