/* SPDX-License-Identifier: MIT */
/*
 * fuzz_snippet: libFuzzer target for snippet_query_new, snippet_cut,
 * snippet_plain, snippet_make and snippet_markdown, the extracts shown
 * under search hits. The input is a query, a 0x00 byte, then
 * up to four texts separated by 0x00 (a text that is the single byte 0x01
 * stands for a NULL column; what follows a fourth 0x00 is ignored); an input
 * without 0x00 is both the query and the only text. Only queries that
 * search_compile_len accepts are used, as search_run compiles first, and
 * U+E000/U+E001 become spaces in the texts, as indexing stores them.
 *
 * The harness checks what snippet.h promises: a result exactly when some
 * text is not NULL; markers that open and close in turn, each around
 * something; snippet_make is snippet_plain of snippet_cut, one line without
 * doubled blanks, and its snippet_markdown has its bold
 * runs balanced. Without markers, snippet_cut's result is a cut of one text: its words
 * [ws, we) with "…" before exactly when text was cut before and after
 * exactly when text was cut after; valid UTF-8 texts give valid UTF-8. For
 * an ASCII text, where snippet's words are FTS5's tokens, it checks more: a
 * text of at most SNIPPET_WORDS words comes whole, a longer one as exactly
 * SNIPPET_WORDS words cut at word boundaries (a word is a run of letters
 * and digits, or one of the names text_whole_term keeps whole: C++,
 * .NET...). And it checks the marks
 * against FTS5 itself (a table with the search table's tokenizer) wherever
 * FTS5 splits words as snippet does, that is in ASCII: every marked ASCII
 * extract, alone, matches one of the query's positive terms, and in a text
 * shown whole no ASCII stretch between marks matches any (both where no
 * '.', '+' or '#' at an end can make a name whole alone that was not in
 * the text, or the other way round).
 *
 * Single threaded; one in-memory SQLite connection, opened on the first
 * input and kept (with its statements) for the whole run.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "skilld/store/fts.h"
#include "skilld/store/search.h"
#include "skilld/store/snippet.h"
#include "skilld/base/text.h"
#include "skilld/base/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_TEXTS 4
#define MARK_LEN 3
#define ELL "\xe2\x80\xa6"
#define ELL_LEN 3

/* The connection and its statements, for the whole run. */
static sqlite3 *fuzz_db;
static sqlite3_stmt *fuzz_put;          /* the one document of table d */
static sqlite3_stmt *fuzz_match;        /* does it match ?1 */

/* Aborts with msg when a documented contract of the target does not hold;
 * libFuzzer and the replay driver both report the abort as a crash. */
static void fuzz_require(int cond, const char *msg, const char *s)
{
	if (!cond) {
		fprintf(stderr, "contract violated: %s\n%s\n", msg, s ? s : "(null)");
		abort();
	}
}

/* Opens the connection and the FTS5 table d on the first call. */
static void db_open(void)
{
	if (fuzz_db)
		return;
	char err[256];

	if (sqlite3_open(":memory:", &fuzz_db) != SQLITE_OK ||
	    fts_register(fuzz_db, err, sizeof(err)) != 0 ||
	    sqlite3_exec(fuzz_db, "CREATE VIRTUAL TABLE d USING fts5(t, tokenize = '" FTS_TOKENIZER "')",
			 NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(fuzz_db, "REPLACE INTO d(rowid, t) VALUES (1, ?1)", -1, &fuzz_put,
			       NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(fuzz_db, "SELECT count(*) FROM d WHERE d MATCH ?1", -1, &fuzz_match,
			       NULL) != SQLITE_OK) {
		fprintf(stderr, "fuzz_snippet: sqlite: %s\n", sqlite3_errmsg(fuzz_db));
		abort();
	}
}

/* Does FTS5 find the FTS5 expression expr in the document s[0..n)? */
static bool fts_matches(const char *s, size_t n, const char *expr)
{
	int rc;
	bool found;

	sqlite3_bind_text(fuzz_put, 1, s, (int)n, SQLITE_STATIC);
	rc = sqlite3_step(fuzz_put);
	sqlite3_reset(fuzz_put);
	fuzz_require(rc == SQLITE_DONE, "fuzz_snippet: cannot write the document", sqlite3_errmsg(fuzz_db));
	sqlite3_bind_text(fuzz_match, 1, expr, -1, SQLITE_STATIC);
	rc = sqlite3_step(fuzz_match);
	found = rc == SQLITE_ROW && sqlite3_column_int(fuzz_match, 0) > 0;
	sqlite3_reset(fuzz_match);
	fuzz_require(rc == SQLITE_ROW, "FTS5 rejected the terms", expr);
	return found;
}

/* The query's positive terms ORed as FTS5 strings, as search_compile quotes
 * them; free() it. */
static char *positive_terms(const char *q, size_t len)
{
	struct text_query_term terms[SEARCH_MAX_TERMS];
	size_t n = text_query_terms(q, len, terms, SEARCH_MAX_TERMS);
	struct buf b;
	int k = 0;

	buf_init(&b);
	for (size_t i = 0; i < n && i < SEARCH_MAX_TERMS; i++) {
		if (terms[i].exclude)
			continue;
		if (k++)
			buf_puts(&b, " OR ");
		buf_putc(&b, '"');
		for (size_t j = 0; j < terms[i].n; j++) {
			if (terms[i].s[j] == '"')
				buf_putc(&b, '"');
			buf_putc(&b, terms[i].s[j]);
		}
		buf_putc(&b, '"');
		if (terms[i].prefix)
			buf_putc(&b, '*');
	}
	buf_putc(&b, '\0');
	return buf_detach(&b, NULL);
}

static bool is_mark(const char *s, size_t n, size_t i)
{
	return n - i >= MARK_LEN && (unsigned char)s[i] == 0xee && (unsigned char)s[i + 1] == 0x80 &&
	       ((unsigned char)s[i + 2] == 0x80 || (unsigned char)s[i + 2] == 0x81);
}

/* A NUL-terminated copy of s[0..n) with U+E000 and U+E001 made spaces, as
 * searchrows.c's strip_markers stores text. */
static char *stored_text(const uint8_t *s, size_t n)
{
	struct buf b;

	buf_init(&b);
	for (size_t i = 0; i < n; i++) {
		if (is_mark((const char *)s, n, i)) {
			buf_putc(&b, ' ');
			i += MARK_LEN - 1;
			continue;
		}
		buf_putc(&b, (char)s[i]);
	}
	buf_putc(&b, '\0');
	return buf_detach(&b, NULL);
}

static bool alnum(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool all_ascii(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] >= 0x80)
			return false;
	return true;
}

/* Where the words of ASCII text s[0..n) begin and end, as snippet (and the
 * search table's tokenizer) split them: runs of letters and digits, and
 * the names text_whole_term keeps whole. Marks starts[i] and ends[i] (each
 * n + 1 long, or NULL) when a word starts at i or ends before i; returns
 * the count. */
static size_t ascii_spans(const char *s, size_t n, bool *starts, bool *ends)
{
	size_t count = 0;

	for (size_t i = 0; i < n;) {
		size_t len = 0, other;

		if (!text_whole_term(s, n, i, &len) && alnum((unsigned char)s[i]))
			for (len = 1; i + len < n && alnum((unsigned char)s[i + len]) &&
				      !text_whole_term(s, n, i + len, &other); len++)
				;
		if (len == 0) {
			i++;
			continue;
		}
		if (starts)
			starts[i] = true;
		if (ends)
			ends[i + len] = true;
		count++;
		i += len;
	}
	return count;
}

static size_t ascii_words(const char *s, size_t n)
{
	return ascii_spans(s, n, NULL, NULL);
}

/* A text of the input: its bytes and what is known of its words. */
struct text {
	char *s;                /* NULL for a NULL column */
	size_t len;
	bool ascii;
	size_t words;           /* when ascii */
	bool *starts, *ends;    /* when ascii: ascii_spans' */
};

/* Is core = t[a..a+cn), with a leading "…" iff lead and a trailing one iff
 * trail, a cut snippet_make can make of t? */
static bool cut_at(const struct text *t, size_t a, size_t cn, size_t core_words, bool lead, bool trail)
{
	size_t b = a + cn;

	if ((a > 0) != lead || (b < t->len) != trail)
		return false;
	if (!t->ascii)
		return true;
	if (t->words <= SNIPPET_WORDS)
		return a == 0 && b == t->len;
	return core_words == SNIPPET_WORDS && (a == 0 || t->starts[a]) && (b == t->len || t->ends[b]);
}

/* The index of a text that plain[0..n) (the result without its markers) is
 * a cut of; -1 when none. */
static int cut_of(const struct text *texts, size_t n_texts, const char *plain, size_t n)
{
	for (size_t i = 0; i < n_texts; i++) {
		const struct text *t = &texts[i];

		if (!t->s)
			continue;
		for (int lead = 0; lead < 2; lead++) {
			for (int trail = 0; trail < 2; trail++) {
				size_t skip = (size_t)(lead + trail) * ELL_LEN;
				const char *core = plain + (lead ? ELL_LEN : 0);
				size_t cn, core_words;

				if (n < skip || (lead && memcmp(plain, ELL, ELL_LEN) != 0) ||
				    (trail && memcmp(plain + n - ELL_LEN, ELL, ELL_LEN) != 0))
					continue;
				cn = n - skip;
				core_words = ascii_words(core, cn);
				for (size_t a = 0; a + cn <= t->len; a++) {
					const char *p = memmem(t->s + a, t->len - a, core, cn);

					if (!p)
						break;
					a = (size_t)(p - t->s);
					if (cut_at(t, a, cn, core_words, lead, trail))
						return (int)i;
				}
			}
		}
	}
	return -1;
}

/* A marked extract of the result: bytes [start, end) of its plain text. */
struct region {
	size_t start, end;
};

/* Checks the markers of res and copies it without them to *plain (free());
 * the marked extracts go to *regions (free()). Returns their number. */
static size_t unmark(const char *res, char **plain, struct region **regions)
{
	size_t n = strlen(res), n_regions = 0;
	struct region *r = NULL;
	bool open = false;
	struct buf b;

	buf_init(&b);
	for (size_t i = 0; i < n; i++) {
		if (!is_mark(res, n, i)) {
			buf_putc(&b, res[i]);
			continue;
		}
		if ((unsigned char)res[i + 2] == 0x80) {
			fuzz_require(!open, "a mark opens inside a mark", res);
			fuzz_require(!is_mark(res, n, i + MARK_LEN), "an empty mark", res);
			open = true;
			r = xrealloc(r, (n_regions + 1) * sizeof(*r));
			r[n_regions].start = b.len;
		} else {
			fuzz_require(open, "a mark closes outside a mark", res);
			open = false;
			r[n_regions++].end = b.len;
		}
		i += MARK_LEN - 1;
	}
	fuzz_require(!open, "a mark left open", res);
	buf_putc(&b, '\0');
	*plain = buf_detach(&b, NULL);
	*regions = r;
	return n_regions;
}

/* Does plain[start..end), read alone, give FTS5 the tokens it has in the
 * text? Not when a '.', '+' or '#' is at or next to its ends: whether
 * ".net" or "c++" is a name kept whole (text_whole_term) depends on the
 * byte before, and the tokenizer sees none. */
static bool same_alone(const char *plain, size_t n, size_t start, size_t end)
{
	static const char near[] = ".+#";

	return !((start > 0 && strchr(near, plain[start - 1])) ||
		 (start < n && plain[start] && strchr(near, plain[start])) ||
		 (end > start && strchr(near, plain[end - 1])) ||
		 (end < n && plain[end] && strchr(near, plain[end])));
}

/* Checks one snippet res of texts for the query whose positive terms are
 * terms (an FTS5 expression). */
static void check_snippet(const char *res, const struct text *texts, size_t n_texts, const char *terms)
{
	struct region *regions;
	char *plain;
	size_t n_regions = unmark(res, &plain, &regions), n = strlen(plain), at = 0;
	bool valid = true;

	for (size_t i = 0; i < n_texts; i++)
		if (texts[i].s && !utf8_valid(texts[i].s, texts[i].len))
			valid = false;
	if (valid)
		fuzz_require(utf8_valid(res, strlen(res)), "valid UTF-8 texts, invalid snippet", res);
	fuzz_require(cut_of(texts, n_texts, plain, n) >= 0, "the snippet is not a cut of any text", res);
	/* Marked extracts and the stretches between them begin and end at word
	 * boundaries, so in ASCII FTS5 sees the same words alone as in the text. */
	for (size_t k = 0; k < n_regions; k++) {
		const char *s = plain + regions[k].start;
		size_t len = regions[k].end - regions[k].start;

		if (all_ascii(s, len) && same_alone(plain, n, regions[k].start, regions[k].end))
			fuzz_require(fts_matches(s, len, terms), "FTS5 does not match a marked extract", res);
	}
	/* A text shown whole has every match marked (one overlapping a marked
	 * one may be inside it): no stretch between marks matches. */
	for (size_t k = 0; k <= n_regions && !memmem(plain, n, ELL, ELL_LEN); k++) {
		size_t end = k < n_regions ? regions[k].start : n;

		if (all_ascii(plain + at, end - at) && same_alone(plain, n, at, end))
			fuzz_require(!fts_matches(plain + at, end - at, terms),
				     "FTS5 matches text left unmarked", res);
		if (k < n_regions)
			at = regions[k].end;
	}
	free(regions);
	free(plain);
}

/* Checks snippet_make against snippet_plain of the cut, the plain text's
 * form and markers, and the bold runs of its markdown. */
static void check_plain(const struct snippet_query *sq, const char *const *ptrs, size_t n_texts,
			const char *cut)
{
	char *made = snippet_make(sq, ptrs, n_texts), *plain = snippet_plain(cut), *md, *bare;
	struct region *regions;
	size_t runs = 0;

	fuzz_require(made && !strcmp(made, plain), "snippet_make is not snippet_plain of the cut", made);
	unmark(made, &bare, &regions);      /* markers in turn, none empty */
	free(regions);
	fuzz_require(!strpbrk(bare, "\n\r\t") && !strstr(bare, "  "),
		     "plain text with a line break or a doubled blank", made);
	free(bare);
	md = snippet_markdown(made);
	for (const char *p = md; (p = strstr(p, "**"));) {
		size_t slashes = 0;

		for (const char *q = p; q > md && q[-1] == '\\'; q--)
			slashes++;
		if (slashes % 2 == 0) {
			runs++;
			p += 2;
		} else {
			p++;    /* an escaped '*': the next one may open */
		}
	}
	fuzz_require(runs % 2 == 0 && !strstr(md, "****"), "unbalanced bold in the markdown", md);
	free(md);
	free(plain);
	free(made);
}

/* Splits data[0..size) into the query and the texts (see the top). */
static size_t split_input(const uint8_t *data, size_t size, size_t *qlen, struct text *texts)
{
	const uint8_t *nul = memchr(data, 0, size);
	const uint8_t *p, *end = data + size;
	size_t n = 0;

	if (!nul) {
		*qlen = size;
		p = data;
	} else {
		*qlen = (size_t)(nul - data);
		p = nul + 1;
	}
	while (n < MAX_TEXTS) {
		const uint8_t *stop = memchr(p, 0, (size_t)(end - p));
		size_t len = stop ? (size_t)(stop - p) : (size_t)(end - p);
		struct text *t = &texts[n++];

		memset(t, 0, sizeof(*t));
		if (!(len == 1 && p[0] == 0x01)) {
			t->s = stored_text(p, len);
			t->len = strlen(t->s);
			t->ascii = all_ascii(t->s, t->len);
			if (t->ascii) {
				t->starts = xcalloc(t->len + 1, sizeof(bool));
				t->ends = xcalloc(t->len + 1, sizeof(bool));
				t->words = ascii_spans(t->s, t->len, t->starts, t->ends);
			}
		}
		if (!stop)
			break;
		p = stop + 1;
	}
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct text texts[MAX_TEXTS];
	const char *ptrs[MAX_TEXTS];
	struct snippet_query *sq;
	char err[256];
	char *expr, *terms, *res;
	size_t qlen, n_texts;
	bool any = false;

	db_open();
	n_texts = split_input(data, size, &qlen, texts);
	expr = search_compile_len((const char *)data, qlen, SEARCH_MATCH_ALL, err, sizeof(err));
	if (expr) {
		sq = snippet_query_new(fuzz_db, (const char *)data, qlen);
		fuzz_require(sq != NULL, "no snippet query on a connection with FTS5", NULL);
		terms = positive_terms((const char *)data, qlen);
		for (size_t i = 0; i < n_texts; i++) {
			ptrs[i] = texts[i].s;
			any |= texts[i].s != NULL;
		}
		res = snippet_cut(sq, ptrs, n_texts);
		fuzz_require((res != NULL) == any, "a snippet iff some text is not NULL", res);
		if (res) {
			check_snippet(res, texts, n_texts, terms);
			check_plain(sq, ptrs, n_texts, res);
		}
		free(res);
		free(terms);
		snippet_query_free(sq);
		free(expr);
	}
	for (size_t i = 0; i < n_texts; i++) {
		free(texts[i].s);
		free(texts[i].starts);
		free(texts[i].ends);
	}
	return 0;
}
