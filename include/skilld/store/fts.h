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
 * - The rank function skilld_rank(search, w0, w1, ...): BM25F. FTS5's
 *   bm25() normalises a match by the length of the whole row, so a name
 *   match in a skill with a long body lost to any short row that mentions
 *   the word; here each column is normalised by its own length against
 *   that column's average, the weighted term frequencies are summed before
 *   saturation (k1 6, as the weighted frequencies are large; b 0.75), each term counts by its idf, and the sum
 *   is multiplied by the share of the query's phrases that occur in the
 *   row (so rows holding more of the words come first when any word may
 *   match). Higher is better; a weight per column in table order, 1 for
 *   those not given.
 *
 * Thread safety: registration is per connection; what it registers keeps
 * no state between statements.
 */
#ifndef SKILLD_FTS_H
#define SKILLD_FTS_H

#include <stddef.h>

#include <sqlite3.h>

/* The tokenizer's name, as migrations write it in `tokenize = '...'`. */
#define FTS_TOKENIZER "skilld"

/* Registers the tokenizer and skilld_rank on db. 0, or -1 with a message
 * in err (the SQLite in use has no FTS5). */
int fts_register(sqlite3 *db, char *err, size_t errlen);

#endif
