/* SPDX-License-Identifier: MIT */
/*
 * search: full-text search (SQLite FTS5, table `search` of migration 0004)
 * over skills, reference sections, checklist items and evals, and the
 * "resolve" of a free-text task to the skills that fit it best. Rows are
 * written by searchrows (indexing layer, searchrows.h) on the writer
 * connection inside the index transaction; search_run and search_resolve
 * only read, on any connection. No state of its own: thread safe as long
 * as each connection stays on one thread.
 *
 * Rows (kind, skill slug, path, anchor, url; searched: name, description,
 * headings, title, body, with the weights SEARCH_W_* below):
 *   skill      name, description, headings = the ATX headings of the
 *              SKILL.md body (one a line), body = SKILL.md body; path
 *              "SKILL.md"
 *   reference  one per section of each markdown file under references/
 *              that is not a checklist, split at ATX headings outside code
 *              fences (text.h's rules); title = heading text, anchor =
 *              the heading's id from the rendered table of contents (the
 *              next entry of the same level, in document order); the text
 *              before the first heading is a section without anchor
 *   checklist  one per checklist item; title "ref — title" (or whichever is
 *              present, else the text's first words), body = item text,
 *              anchor = item id
 *   eval       one per eval; title = eval id, body = prompt + expectations
 * Rowids: a skill's rows are numbered from skill_id << SEARCH_ROW_BITS,
 * its own row ("skill") first, so a hit's skill and whether it is the
 * skill's own row are read off its rowid (SEARCH_SKILL_OF, SEARCH_IS_OWN)
 * without loading the row's text.
 * URLs: /skills/{slug}; /skills/{slug}/{path}#{anchor}; the primary
 * checklist's items /skills/{slug}/checklist#{id} (other checklists
 * /skills/{slug}/{path}#{id}); /skills/{slug}/evals#{id}. Path and anchor are
 * percent-encoded (bytes other than A-Z a-z 0-9 - . _ ~ and '/' in paths).
 *
 * Ranking: fts.h's skilld_rank, a BM25F whose name, description and
 * headings are not normalised by the length of a long SKILL.md body, so a
 * word in a skill's name or description counts for more than the same
 * word in a reference that lists other skills; see search_run for how a
 * hit's skill lifts it.
 *
 * Query syntax (search_compile; text.h's text_query_terms splits a query
 * into its terms): whitespace-separated words, all must match (when no row
 * has them all, any may: see search_run); "a phrase";
 * word* or "a phrase"* for a prefix; -word or -"a phrase" to exclude. Every
 * term is emitted as a double-quoted FTS5 string, so FTS5 operators typed
 * by the user (AND, OR, NOT, NEAR(, col:, ^, +) are plain words. An
 * unbalanced quote makes the rest of the query one phrase. Terms without
 * any letter or digit (ASCII alnum or any non-ASCII byte) are dropped, as
 * FTS5 would make them empty phrases that match nothing. Plain words that
 * are stop words (text_is_stop_word: "my", "for", "the"...) are left out
 * unless the query has nothing else; quoted, prefix and excluded terms are
 * always kept. C++, C#, F#, .NET and Node.js are words of their own
 * (text_whole_term), in the text and in queries.
 *
 * Snippets are the row's text on one line, without the source's inline
 * markdown (emphasis, code spans, links, line markers: snippet.h), with
 * each match between U+E000 and U+E001 (private-use characters removed
 * from all text at indexing time, so they only ever mark matches) and "…"
 * where text was cut. A page HTML-escapes the snippet and may turn the
 * markers into <mark>; snippet_markdown makes it markdown.
 */
#ifndef SKILLD_SEARCH_H
#define SKILLD_SEARCH_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>
#include <sqlite3.h>

#include "skilld/store/store.h"

#define SEARCH_MAX_QUERY 1000   /* bytes */
#define SEARCH_MAX_TERMS 32
#define SEARCH_DEFAULT_LIMIT 10
#define SEARCH_MAX_LIMIT 50
#define RESOLVE_DEFAULT_K 5
#define RESOLVE_MAX_K 20

/* The match markers of snippets, UTF-8 of U+E000 and U+E001. */
#define SEARCH_MARK_OPEN "\xee\x80\x80"
#define SEARCH_MARK_CLOSE "\xee\x80\x81"

/* The weights of the searched columns (SQL literals); in resolve, of a row
 * that is not the skill's own (OTHER_ROWS); in search, of a skill's own row
 * (SKILL_ROW) and of the rank of a hit's skill's own row added to the
 * hit's (LIFT). Chosen on tests/integration/check_relevance.c, the bundled
 * skills' search-relevance.json and booklib-head (make test-corpus). */
/* A skill's search rows are rowid skill_id << SEARCH_ROW_BITS, then + 1,
 * + 2...: at most 2^24 - 1 rows after its own. As SQL over `rowid`. */
#define SEARCH_ROW_BITS 24
#define SEARCH_ROW_MASK "16777215"
#define SEARCH_SKILL_OF "(rowid >> 24)"
#define SEARCH_IS_OWN "((rowid & " SEARCH_ROW_MASK ") = 0)"

#define SEARCH_W_NAME "10.0"
#define SEARCH_W_DESCRIPTION "3.0"
#define SEARCH_W_HEADINGS "2.0"
#define SEARCH_W_TITLE "4.0"
#define SEARCH_W_BODY "1.0"
#define SEARCH_W_OTHER_ROWS "0.5"
#define SEARCH_SKILL_ROW 0.7     /* SEARCH_W_SKILL_ROW as a number */
#define SEARCH_LIFT 0.4          /* SEARCH_W_LIFT as a number */
#define SEARCH_STR_(x) #x
#define SEARCH_STR(x) SEARCH_STR_(x)
#define SEARCH_W_SKILL_ROW SEARCH_STR(SEARCH_SKILL_ROW)
#define SEARCH_W_LIFT SEARCH_STR(SEARCH_LIFT)

/* Top-k (search_run): a query matching more than SEARCH_EXACT_MAX rows is
 * not ranked match by match. The first SEARCH_TOPK_SKILLS skills by their
 * name, description and headings (table search_head; when it holds fewer,
 * the first skills with a match in rowid order make up the number) have
 * their matching rows ranked, each scored as the exhaustive ranking would,
 * and the page comes from those; pages past SEARCH_TOPK_DEPTH hits, and
 * queries whose skills hold too few matches, rank every match. */
#define SEARCH_EXACT_MAX 1000
#define SEARCH_TOPK_SKILLS 40
#define SEARCH_TOPK_DEPTH 200

/* Which rows a query matched: those with all its terms, or any. */
enum search_match { SEARCH_MATCH_ALL, SEARCH_MATCH_ANY };

/* Status codes of search_run / search_resolve besides 0. */
#define SEARCH_BAD_REQUEST 400
#define SEARCH_UNAVAILABLE 503

/* The URL of a row, "/skills/{slug}[/{tail}][#{anchor}]" with slug and
 * anchor percent-encoded and tail too but for its '/' (see the URLs
 * above); tail and anchor may be NULL, an empty anchor adds no '#'. free()
 * it. The rows' URLs and resolve's are made here, so they agree. */
char *search_url(const char *slug, const char *tail, const char *anchor);

/*
 * Compiles the user query q[0..len) to an FTS5 MATCH expression; free() it.
 * Its positive terms (stop words left out) are joined by AND for
 * SEARCH_MATCH_ALL and by OR for SEARCH_MATCH_ANY, then each exclusion is
 * added with NOT. NULL with a message in err for: no terms (empty, blank or
 * only punctuation), more than SEARCH_MAX_QUERY bytes or SEARCH_MAX_TERMS
 * terms, invalid UTF-8, a NUL byte, or only exclusions.
 */
char *search_compile_len(const char *q, size_t len, enum search_match match, char *err,
			 size_t errlen);
/* search_compile_len on a NUL-terminated q, SEARCH_MATCH_ALL. */
char *search_compile(const char *q, char *err, size_t errlen);

struct search_query {
	const char *q;       /* the user's query, required */
	size_t q_len;        /* its length; 0 means strlen(q) */
	const char *kind;    /* NULL or skill|reference|checklist|eval */
	const char *skill;   /* NULL or a slug */
	int limit;           /* 1..SEARCH_MAX_LIMIT; 0 means SEARCH_DEFAULT_LIMIT */
	const char *cursor;  /* NULL or a next_cursor of the same query */
	bool exhaustive;     /* rank every match even past SEARCH_EXACT_MAX
				(tests and tools: the top-k answer's yardstick) */
	const struct store_browse *only; /* NULL, or the collection, tier, checklist and
				evals a hit's skill must have (store.h; its q is not read) */
	store_browse_cell_fn cells; /* NULL, or called once per cell (store.h) of the
				skills that hold a match, whatever only says: what the
				search page's facets count */
	void *cells_ctx;     /* cells' ctx */
};

/*
 * Runs a search: the rows with all of the query's terms; when there is none
 * and the query has two terms or more, the rows with any of them, those
 * with more of the terms first. Never an empty answer for that reason alone.
 * A hit scores its rank (times SEARCH_W_SKILL_ROW for a skill's own row)
 * plus SEARCH_W_LIFT times the rank of its skill's own row. Up to
 * SEARCH_EXACT_MAX matches every one is ranked; past it, the top-k above.
 * 0 with *out (caller deletes) =
 *   {"query", "match": "all"|"any", "ignored": [stop words left out],
 *    "total", "total_exact", "data": [{"kind", "skill", "root", "path", "title",
 *    "anchor", "snippet", "score", "url"}], "next_cursor": string|null}
 * (root: the skill's collection).
 * total is the number of matches when total_exact is true; false (a top-k
 * answer) means more than total (SEARCH_EXACT_MAX) rows match.
 * best first (score: skilld_rank, higher is better; ties by row order).
 * title and anchor may be null. SEARCH_BAD_REQUEST (bad query, kind, limit or cursor)
 * or SEARCH_UNAVAILABLE (database error) with a message in err.
 */
int search_run(struct store_reader *r, const struct search_query *sq, cJSON **out, char *err, size_t errlen);

/*
 * Cursors are opaque: the offset of the next page and a digest of the query,
 * kind and skill, so a cursor only works for the search that made it.
 * search_cursor_encode returns a new string (free()); search_cursor_decode
 * returns 0 and sets *offset, or -1 for anything it did not make.
 */
char *search_cursor_encode(const struct search_query *sq, long offset);
int search_cursor_decode(const struct search_query *sq, const char *cursor, long *offset);

/*
 * The k (1..RESOLVE_MAX_K, 0 means RESOLVE_DEFAULT_K) skills that best fit a
 * free-text task: its terms (the query syntax of search; stop words left
 * out, at most SEARCH_MAX_TERMS; ASCII lowercased in "terms") are ORed; a
 * skill scores the best of its rows, a row its skilld_rank, times
 * SEARCH_W_OTHER_ROWS when it is not the skill's own row. 0 with *out = {"task", "terms": [...], "data": [{"slug",
 * "name", "description", "score", "matched": [terms with a hit in that
 * skill], "url", "checklist_url": string|null}]}, or SEARCH_BAD_REQUEST /
 * SEARCH_UNAVAILABLE with a message in err.
 */
int search_resolve(struct store_reader *r, const char *task, int k, cJSON **out, char *err, size_t errlen);

#endif
