/* SPDX-License-Identifier: MIT */
/*
 * snippet: the extract of a search hit shown under its title. The hit's
 * text (markdown) with every match of the query between U+E000 and U+E001
 * (SEARCH_MARK_OPEN/CLOSE) and "…" where the text was cut; a text of at
 * most SNIPPET_WORDS words comes whole.
 *
 * The snippet is plain text on one line: the source's own inline markdown
 * (emphasis and code delimiters, link syntax, HTML tags, heading, quote
 * and list markers) is taken out, so the markers are the only markup and
 * both renderings are valid: HTML by escaping (page.c), markdown by
 * snippet_markdown.
 *
 * SQLite's snippet() tokenizes every column of every hit, twice, at about
 * 35 ns a byte here: a millisecond for ten hits whose text is a SKILL.md
 * body. This module splits the text into words with a cheap scan and runs
 * the search table's own tokenizer (FTS5's porter over unicode61, diacritics
 * removed) only on the words whose first letter can start a term's token,
 * so a word is marked exactly when FTS5 would match it. Word boundaries are
 * FTS5's for ASCII text and close to them beyond (punctuation blocks split
 * words, other non-ASCII characters join them).
 *
 * Thread safe: a snippet_query belongs to the connection's thread.
 */
#ifndef SKILLD_SNIPPET_H
#define SKILLD_SNIPPET_H

#include <stddef.h>

#include <sqlite3.h>

#include "skilld/base/text.h"

#define SNIPPET_WORDS 24

struct snippet_query;

/* The positive terms of the user query q[0..len) (search_compile's
 * syntax), tokenized as the search table tokenizes. NULL when db has no
 * FTS5 porter tokenizer. */
struct snippet_query *snippet_query_new(sqlite3 *db, const char *q, size_t len);
/* The same for terms[0..n) (excluded ones are skipped). */
struct snippet_query *snippet_query_new_terms(sqlite3 *db, const struct text_query_term *terms,
					      size_t n);
void snippet_query_free(struct snippet_query *sq);

/*
 * The snippet of the text among texts[0..n) (NULL entries skipped) that
 * matches the most distinct terms, the earliest on a tie (with no match at
 * all: the first text's beginning). The window of SNIPPET_WORDS words
 * holding the most distinct terms, starting two words before its first
 * match. A text is read only up to the first window that holds every term
 * (for one word: its first match), and the texts after one that holds
 * every term are not read. It is snippet_plain of snippet_cut. free() it;
 * NULL when every text is NULL.
 */
char *snippet_make(const struct snippet_query *sq, const char *const *texts, size_t n);

/* The same window as a cut of the source text itself, markers added and
 * "…" where it was cut, nothing else changed (snippet_make before
 * snippet_plain; the fuzz harness checks it against the text). */
char *snippet_cut(const struct snippet_query *sq, const char *const *texts, size_t n);

/*
 * A marked cut as plain text on one line: blanks made one space; line
 * markers (headings, quotes, list items, task boxes, table pipes) out;
 * runs of '*', '_' and '`' and "~~" out unless they stand between blanks
 * (and a '_' inside a word stays); links and images keep their text, HTML
 * tags go, a backslash escape gives its character; two matches that meet
 * join, and a mark with nothing left inside goes. free() it.
 */
char *snippet_plain(const char *s);

/*
 * A snippet of snippet_make as one line of markdown: the matches in
 * **bold**, each bold run widened to the whole space-separated words that
 * hold a match (so it opens after a space and closes before one, which
 * CommonMark's emphasis rules need when a match starts or ends with
 * punctuation: "**C++**17"), and every byte that would be markup
 * (\ ` * _ [ ] < > ~ | &, and a block marker at the start) escaped with a
 * backslash. free() it; "" for NULL.
 */
char *snippet_markdown(const char *s);

#endif
