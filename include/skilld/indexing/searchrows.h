/* SPDX-License-Identifier: MIT */
/*
 * searchrows: the writer of the search index. Fills search_docs and
 * search_rows, the FTS5 table `search` that indexes them as external
 * content (migrations 0004, 0009), and search_head with the rows search.h describes, on the
 * writer connection inside the index transaction; search.h's search_run
 * and search_resolve read them. The statements are the writer's own: use
 * these from the thread that holds the writer connection only.
 */
#ifndef SKILLD_SEARCHROWS_H
#define SKILLD_SEARCHROWS_H

#include <stddef.h>

#include <sqlite3.h>

#include "skilld/indexing/skill.h"
#include "skilld/store/pack.h"

/* The writer's statements and packer, made on first use: one per index
 * run, on the writer connection db. */
struct searchrows;
struct searchrows *searchrows_new(sqlite3 *db);
void searchrows_free(struct searchrows *w);
/* Packs the documents with d from now on (pack.h; NULL: without). */
void searchrows_use(struct searchrows *w, const struct pack_dict *d);

/* Empties the search tables (`search`, its content, `search_head`)
 * inside the caller's write transaction: the FTS5 tables are dropped and
 * created again from their own definitions in the schema (deleting rows
 * one by one makes FTS5 tokenize each again). 0, or -1 with a message in
 * err. */
int searchrows_clear(struct searchrows *w, char *err, size_t errlen);

/*
 * Adds the rows of one inserted skill (row id skill_id, r->slug set,
 * rendered): their text as the skill's packed search document, their
 * rowids to search_rows, their words to the index of `search`, and the
 * skill's row (rowid skill_id) to search_head, inside
 * the index transaction. 0, or -1 with a message in err.
 */
int searchrows_add_skill(struct searchrows *w, sqlite3_int64 skill_id,
			 const struct skill_record *r, char *err, size_t errlen);

/* Merges each FTS5 table's segments (`search`, `search_head`) into one,
 * inside the index transaction: FTS5 writes a segment each time its
 * pending terms fill its hash (about every 1 MB of text), and a search
 * seeks every term in every segment (12 segments of `search` on 10,000
 * skills: a quarter of a common word's search). A full run calls it; an
 * incremental one leaves FTS5's automerge to it. 0, or -1 with a message
 * in err. */
int searchrows_optimize(struct searchrows *w, char *err, size_t errlen);

/* Removes the rows of skill skill_id from search, its content and
 * search_head (an incremental re-index replacing or dropping it), inside
 * the index transaction. 0, or -1 with a message in err. */
int searchrows_remove_skill(struct searchrows *w, sqlite3_int64 skill_id, char *err,
			    size_t errlen);

#endif
