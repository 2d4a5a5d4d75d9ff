/* SPDX-License-Identifier: MIT */
/*
 * fts: the search table's own FTS5 extensions, registered on every
 * connection that opens the index (the writer in db.c, the readers in
 * store.c); a connection without them cannot read or write `search`.
 *
 * - The tokenizer "skilld": FTS5's porter stemmer over unicode61 with
 *   diacritics removed (the table's tokenizer before migration 0006), but
 *   the names text_whole_term knows (C++, C#, F#, .NET, Node.js) are one
 *   token each, stemmed like a word ("C++" is the token of "cplusplus").
 *   The same tokenizer reads documents, queries and snippets, so a query
 *   for "C++" finds C++ and nothing else, and "c" does not find C++. A
 *   tokenizer was chosen over rewriting the text before it is stored: the
 *   stored text stays the source's (snippets show it), and one function
 *   decides for indexing, queries and highlighting.
 * - The rank function skilld_rank(search, w0, w1, ...): a BM25F. FTS5's
 *   bm25() normalises every match by the length of the whole row, so a
 *   name match in a skill with a long SKILL.md body lost to any short row
 *   that mentions the word (booklib-head's router, whose references name
 *   every skill). Here the columns that most rows leave empty (fewer than
 *   one token a row on average: name, description and headings, which only
 *   a skill's own row has) are not length-normalised; the others (title
 *   and body) share one length, the row's, against its average, as bm25
 *   does. Per query word the weighted frequencies are summed, saturated
 *   (k1 2, b 0.75) and multiplied by the word's idf; the sum over the words
 *   is multiplied by the share of the query's phrases that occur in the
 *   row, so when any word may match, rows holding more of them come
 *   first. Higher is better; a weight per column in table order, 1 for
 *   those not given.
 *
 * - skilld_row(doc, row, field): field (searchdoc.h's SD_*, or -1 for the
 *   slug) of row `row` of the skill's search document whose id in
 *   search_docs is doc, NULL past its rows; an error when there is no such
 *   document. The view search_text makes the rows of `search` with it:
 *   `search` reads its content from that view (external content), so the
 *   rows' text is stored once, packed a skill at a time. The function
 *   reads the document itself (the view never loads the blob) and keeps
 *   the last ones it read unpacked, by id (FTS_DOC_MEMO_DOCS and
 *   _BYTES below). Not deterministic: it reads the database.
 * - skilld_unpack(packed): any packed value (pack.h) as a blob, its
 *   dictionary read from the database; for tests and tools.
 *
 * Thread safety: registration is per connection; what it registers keeps
 * no state between statements but skilld_row's last documents, the
 * connection's own, known by ids search_docs never gives twice.
 */
#ifndef SKILLD_FTS_H
#define SKILLD_FTS_H

#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "skilld/base/util.h"

/* The search documents skilld_row keeps unpacked per connection: at most
 * so many, and so many bytes (the last one is kept whatever its size). */
#define FTS_DOC_MEMO_DOCS 64
#define FTS_DOC_MEMO_BYTES ((size_t)4 << 20)

/* The tokenizer's name, as migrations write it in `tokenize = '...'`. */
#define FTS_TOKENIZER "skilld"

/* The idf of each phrase of a query, for skilld_idf / skilld_rank_idf. */
#define FTS_IDF_MAX 64
#define FTS_IDF_TYPE "skilld_idf"
struct fts_sizes;
struct fts_idf {
	int n_phrase;           /* -1: the query had more than FTS_IDF_MAX */
	double idf[FTS_IDF_MAX];
	const struct fts_sizes *sizes; /* NULL, or the ranked table's column sizes
				(skilld_rank_idf reads them instead of FTS5's) */
};

/*
 * The column sizes (tokens) of every row of an FTS5 table, read from its
 * %_docsize: the numbers FTS5's xColumnSize gives, which it looks up with
 * a statement a row. skilld_rank_idf reads a row's here when fts_idf.sizes
 * is set and holds the row: ranking every row of search_head for a word
 * in every description spent a third of its time in those lookups.
 */
struct fts_sizes {
	size_t n;               /* rows */
	int n_col;
	sqlite3_int64 *rowid;   /* [n], ascending */
	int *size;              /* [n * n_col], a row's columns in table order */
};

/* Reads the sizes of table's n_col columns (table: an FTS5 table with
 * columnsize on; the name is the caller's literal, not user text) in db's
 * snapshot into s. 0, or -1 (s empty). The caller frees with
 * fts_sizes_fini, which accepts an empty s. */
int fts_sizes_load(sqlite3 *db, const char *table, int n_col, struct fts_sizes *s);
void fts_sizes_fini(struct fts_sizes *s);
/* The sizes of rowid's columns in s, or NULL when s does not hold it. */
const int *fts_sizes_row(const struct fts_sizes *s, sqlite3_int64 rowid);

/* The connection's FTS5 API (for its tokenizers), or NULL when the SQLite
 * in use has no FTS5. */
fts5_api *fts_api(sqlite3 *db);

/* Registers the tokenizer, skilld_rank, skilld_idf and skilld_rank_idf on db. 0, or -1 with a message
 * in err (the SQLite in use has no FTS5). */
int fts_register(sqlite3 *db, char *err, size_t errlen);

/* The packing dictionary (pack.h) of id, read with st, a statement of
 * FTS_DICT_SQL on the connection whose values need it: out gets its
 * bytes. 0, or -1 when the database has none of that id. */
#define FTS_DICT_SQL "SELECT dict FROM pack_dicts WHERE id = ?1"
int fts_read_dict(sqlite3_stmt *st, uint32_t id, struct buf *out);

#endif
