/* SPDX-License-Identifier: MIT */
/*
 * searchrows: the writer of the search index. Fills the FTS5 table `search`
 * (migration 0004) with the rows search.h describes, on the writer
 * connection inside the index transaction; search.h's search_run and
 * search_resolve read them. The statements are the writer's own: use
 * these from the thread that holds the writer connection only.
 */
#ifndef SKILLD_SEARCHROWS_H
#define SKILLD_SEARCHROWS_H

#include <stddef.h>

#include <sqlite3.h>

#include "skilld/indexing/skill.h"

/* Empties the search tables (`search`, `search_head`) inside the caller's
 * write transaction: each is dropped and created again from its own
 * definition in the schema
 * (deleting rows one by one makes FTS5 tokenize each again). 0, or -1 with
 * a message in err. */
int searchrows_clear(sqlite3 *db, char *err, size_t errlen);

/*
 * Adds the rows of one inserted skill (row id skill_id, r->slug set,
 * rendered) to the search table, and its row (rowid skill_id) to
 * search_head, on the writer connection inside the index
 * transaction. *insert is the insert statement, prepared on the first call
 * (start with NULL) and reused; the caller finalizes it when the index is
 * built. 0, or -1 with a message in err.
 */
int searchrows_add_skill(sqlite3 *db, sqlite3_stmt **insert, sqlite3_int64 skill_id,
			 const struct skill_record *r, char *err, size_t errlen);

/* Removes the rows of skill skill_id from search and search_head (an
 * incremental re-index replacing or dropping it), on the writer connection inside the index transaction;
 * *remove as *insert above. 0, or -1 with a message in err. */
int searchrows_remove_skill(sqlite3 *db, sqlite3_stmt **remove, sqlite3_int64 skill_id,
			    char *err, size_t errlen);

#endif
