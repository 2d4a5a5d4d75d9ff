/* SPDX-License-Identifier: MIT */
/*
 * text: the helpers every module that reads text shares, so that one
 * document is read one way: UTF-8 (sequence lengths, decoding, validation,
 * repair, cut points), markdown lines (line ends, the one code fence rule,
 * ATX headings), unique ids made from slugs, and the terms of a search
 * query (read by search and snippet alike). Base layer: it uses util only.
 * Pure functions and caller-owned state; safe from any thread.
 */
#ifndef SKILLD_TEXT_H
#define SKILLD_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct buf;

/* ---- UTF-8 ---- */

/* The length a lead byte announces: 1 for ASCII (NUL included), 2 to 4 for
 * 0xC2-0xF4, 0 for a byte that cannot start a well-formed sequence
 * (continuation bytes, 0xC0, 0xC1, 0xF5-0xFF). Says nothing of the bytes
 * that follow: utf8_decode checks them. */
size_t utf8_seq_len(unsigned char lead);

/*
 * Decodes the sequence at p[0..n): returns its length (1-4) and the code
 * point in OUT: *cp, or 0 when p[0..n) does not start with a well-formed
 * sequence (n is 0, a bad lead or continuation byte, cut short by n, an
 * overlong form, a surrogate, above U+10FFFF; *cp is then U+FFFD). NUL is
 * well formed: U+0000, length 1.
 */
size_t utf8_decode(const char *p, size_t n, uint32_t *cp);

/* Appends code point cp (at most U+10FFFF, not a surrogate) as UTF-8. */
void utf8_put(struct buf *b, uint32_t cp);

/* True when p[0..n) is well-formed UTF-8 (no overlongs, no surrogates). */
bool utf8_valid(const char *p, size_t n);

/* A copy of p[0..n) with every invalid UTF-8 sequence and NUL byte replaced
 * by U+FFFD, NUL terminated; *out_len (may be NULL) gets its length. free()
 * the result. Used on every JSON text before it is stored or sent, since
 * cJSON passes bytes through unchecked. */
char *utf8_repair(const char *p, size_t n, size_t *out_len);

/* Number of code points in a valid UTF-8 string (bytes counted otherwise). */
size_t utf8_length(const char *s);

/* The largest cut point at or before n that does not split a character of
 * s: n moved back over continuation bytes. s[n] must be readable (n is less
 * than the length of s, or s is NUL terminated at n). */
size_t utf8_floor(const char *s, size_t n);

/* ---- lines and positions ---- */

/* Counts lines the way `wc -l` plus one for an unterminated last line. */
size_t text_count_lines(const char *p, size_t n);

/*
 * The line of s[0..len) that starts at start: returns its length without
 * its line end (\n, \r\n or a lone \r, as CommonMark reads them) and sets
 * OUT: *next to where the following line starts (len after the last).
 * Loop with `for (i = 0; i < len; i = next)`: "a\n" is one line, "" none.
 */
size_t text_line(const char *s, size_t len, size_t start, size_t *next);

/* The 0-based line (counted at \n) and 0-based column, in code points, of
 * byte offset off of s (off is clamped to len) in OUT: *line and *column. */
void text_position(const char *s, size_t len, size_t off, size_t *line, size_t *column);

/* ---- markdown lines ---- */

/* What a line is with respect to code fences. */
enum text_fence_role {
	TEXT_FENCE_NONE,  /* outside any fence, and not a fence line */
	TEXT_FENCE_OPEN,  /* the opening fence line */
	TEXT_FENCE_BODY,  /* a line inside a fence */
	TEXT_FENCE_CLOSE, /* the closing fence line */
};

/* The fence a document is in, carried from line to line; zero it before
 * the first line ({ 0 }: outside any fence). */
struct text_fence {
	char ch;    /* '`' or '~' inside a fence, 0 outside */
	size_t len; /* length of the opening run */
};

/*
 * Reads one line (without its line end) and updates f. The one fence rule,
 * CommonMark's, without container blocks: an opening fence is 0-3 spaces,
 * then 3 or more backticks or tildes, then an info string, which for
 * backticks must not hold a backtick; a closing fence is 0-3 spaces, then
 * a run of the opening character at least as long as the opening one, then
 * only spaces or tabs. A tab before the run, or 4 spaces, makes indented
 * text, not a fence. A fence left open runs to the end of the document
 * (f->ch is still set after the last line).
 */
enum text_fence_role text_fence_step(struct text_fence *f, const char *line, size_t n);

/*
 * CommonMark's ATX heading: 0-3 spaces, 1-6 '#', then a space, a tab or the
 * line's end. Returns the level (1-6) and the heading's text in OUT: *text
 * (a pointer into line) and *text_len: without the blanks around it and
 * without a closing run of '#' that follows a blank ("# a #" is "a", "# a#"
 * is "a#", "# #" is ""). Returns 0 when line[0..n) is not one. Fences are
 * the caller's business (text_fence_step).
 */
int text_atx_heading(const char *line, size_t n, const char **text, size_t *text_len);

/* ---- unique ids ---- */

/* A set of the ids used in one document, each with the next suffix to try,
 * so that making thousands of equal ids unique stays linear. */
struct text_ids {
	struct text_id *slots;
	size_t cap; /* a power of two, 0 before the first id */
	size_t len;
	unsigned first; /* the first suffix a repeated base gets */
};

/* An empty set whose repeated bases get "-first", "-first+1"...: 1 for
 * GitHub's heading ids ("a", "a-1", "a-2"), 2 for checklist items ("a",
 * "a-2", "a-3"). */
void text_ids_init(struct text_ids *ids, unsigned first);

/* Frees every id and the table; ids is then empty and may be reused. */
void text_ids_fini(struct text_ids *ids);

/* Returns a copy (free()) of base, or of "base-N" for the first N from the
 * set's first suffix that is not used yet, and marks it used. */
char *text_ids_unique(struct text_ids *ids, const char *base);

/* ---- query terms ---- */

/* One term of a user query: a word or a phrase, pointing into the query. */
struct text_query_term {
	const char *s;
	size_t n;
	bool prefix;            /* word* or "a phrase"* */
	bool exclude;           /* -word */
	bool quoted;            /* "a phrase" (or "one word") */
};

/*
 * Splits the user query q[0..len) into its terms, the syntax of search.h:
 * words separated by whitespace or control bytes; "a phrase" (an
 * unbalanced quote makes the rest of the query one phrase); word* or
 * "a phrase"* for a prefix; -word or -"a phrase" to exclude. A word loses
 * the marks of a sentence at its ends ("code." "(java," are "code" and
 * "java"; ".NET" and "C++" keep theirs). Terms without a letter or digit
 * (ASCII alnum or any non-ASCII byte) are dropped. Fills
 * up to max of OUT: out and returns how many terms there are (more than
 * max when there are more). Nothing is allocated; the terms point into q.
 */
size_t text_query_terms(const char *q, size_t len, struct text_query_term *out, size_t max);

/*
 * The names a word tokenizer would cut into letters, kept whole as one
 * token each: C++ (cplusplus), C# (csharp), F# (fsharp), .NET (dotnet),
 * Node.js (nodejs), in any case. When s[at..n) starts with one at a word
 * boundary (not after a letter or digit, but "ASP.NET", "vb.net" hold
 * .NET: after ASP, ADO or VB, or written "NET"; not before one, but digits may follow a symbol, as
 * in "C++17"), returns its token (static) and sets OUT: *len to the bytes
 * it spans; else NULL. The search table's tokenizer and the snippets'
 * word scanner both read text through it, so a query for "C++" finds C++
 * and not every "c".
 */
const char *text_whole_term(const char *s, size_t n, size_t at, size_t *len);

/* Is s[0..n) an English stop word ("a", "for", "my", "the", ...; ASCII
 * case ignored)? Natural-language queries and tasks drop them. */
bool text_is_stop_word(const char *s, size_t n);

#endif
