/* SPDX-License-Identifier: MIT */
/*
 * reviewcore: what the review stores share behind reviewdb.h. The table of
 * a backend's functions that the public reviewdb_* calls dispatch through;
 * the column lists both schemas have and the JSON of their rows, built from
 * each column's text so that SQLite and PostgreSQL give the same bytes; and
 * the rules of a write (what an item or review write changes, what its
 * event records, when a version is stale), run over a backend's open
 * transaction through struct reviewtx. No database and no state here: thread
 * safe.
 */
#ifndef SKILLD_REVIEWCORE_H
#define SKILLD_REVIEWCORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "skilld/store/reviewdb.h"

/* A backend that keeps sign-in sessions (reviewdb.h's contracts). */
struct reviewdb_session_ops {
	int (*put)(struct reviewdb *rv, const char *digest, unsigned ttl);
	int (*live)(struct reviewdb *rv, const char *digest);
	int (*end)(struct reviewdb *rv, const char *digest);
	long (*count)(struct reviewdb *rv);
};

/* A backend: every member set but sessions (NULL: it keeps none). The
 * contracts are reviewdb.h's. */
struct reviewdb_ops {
	const char *name;   /* "sqlite", "postgresql" */
	void (*close)(struct reviewdb *rv);
	bool (*up)(struct reviewdb *rv);
	int (*watch)(struct reviewdb *rv, void (*changed)(void *arg, const char *id), void *arg,
		     char *err, size_t errlen);
	int (*backup)(struct reviewdb *rv, const char *dest, char *err, size_t errlen);
	int (*create)(struct reviewdb *rv, const struct review_start *s, int64_t now,
		      char id[REVIEW_ID_LEN + 1], char *err, size_t errlen);
	int (*get)(struct reviewdb *rv, const char *id, cJSON **out);
	int (*head)(struct reviewdb *rv, const char *id, cJSON **out);
	int (*list)(struct reviewdb *rv, const struct review_filter *f, cJSON **out);
	int (*write_items)(struct reviewdb *rv, const char *id, const struct item_write *w, size_t n,
			   int64_t now, cJSON **results, size_t *failed, char *err, size_t errlen);
	int (*edit)(struct reviewdb *rv, const char *id, const struct review_edit *e, int64_t now,
		    char *err, size_t errlen);
	int (*remove)(struct reviewdb *rv, const char *id, char *err, size_t errlen);
	int (*events)(struct reviewdb *rv, const char *id, int64_t after_seq, long limit,
		      cJSON **out);
	const struct reviewdb_session_ops *sessions;
};

/* Each backend's handle begins with this. */
struct reviewdb {
	const struct reviewdb_ops *ops;
};

/* The backends' openers (reviewdb_open picks one by the location). */
struct reviewdb *reviewdb_sqlite_open(const char *path, char *err, size_t errlen);
struct reviewdb *reviewdb_pg_open(const char *uri, char *err, size_t errlen);

/* The columns of each row shape, in the order the builders below read them
 * (both schemas name them alike). */
#define REVIEW_COLUMNS \
	"id, skill, checklist_path, checklist_digest, start_items, title, target, author, " \
	"status, created_at, updated_at, seq"
#define REVIEW_NCOLS 12
#define ITEM_COLUMNS \
	"item_id, ref, text, section, verdict, severity, note, evidence, author, updated_at, version"
#define ITEM_NCOLS 11
#define HEAD_COLUMNS "id, skill, checklist_path, status, seq"
#define HEAD_NCOLS 5
#define EVENT_COLUMNS "seq, at, author, item_id, change"
#define EVENT_NCOLS 5

/* A row as JSON from its columns' text (NULL: SQL NULL), in the shapes
 * reviewdb.h describes; the caller frees with cJSON_Delete. */
cJSON *reviewcore_review_json(const char *const c[REVIEW_NCOLS]);   /* without "items" */
cJSON *reviewcore_item_json(const char *const c[ITEM_NCOLS]);
cJSON *reviewcore_head_json(const char *const c[HEAD_NCOLS]);
cJSON *reviewcore_event_json(const char *const c[EVENT_NCOLS]);

/* A new review id (REVIEW_ID_LEN random hex digits): 0, or -1 with err. */
int reviewcore_new_id(char id[REVIEW_ID_LEN + 1], char *err, size_t errlen);

/* The change a new review's first event records (cJSON_Delete). */
cJSON *reviewcore_start_change(const struct review_start *s);

/* An item's fields after a write (pointing into the write or the item). */
struct item_state {
	const char *verdict, *severity, *note, *evidence;
};

/* A review's own fields after an edit. */
struct review_state {
	const char *title, *target, *status;
};

/*
 * What a backend does inside its open write transaction. Each returns 0,
 * or -1 when the database failed (the backend knows why).
 */
struct reviewtx {
	void *ctx;
	/* The review's status ("open"/"closed" into out), the review held
	 * against other writers until the transaction ends: 1, 0 (none), -1. */
	int (*status)(void *ctx, const char *id, char out[8]);
	/* The review's row (reviewcore_review_json; *out NULL: none), held
	 * likewise. */
	int (*review)(void *ctx, const char *id, cJSON **out);
	/* The item's row as JSON into *out (NULL: no row). */
	int (*item)(void *ctx, const char *id, const char *item_id, cJSON **out);
	/* Writes the item's row (insert or replace) at version. */
	int (*put_item)(void *ctx, const char *id, const struct item_write *w,
			const struct item_state *s, int64_t now, int64_t version);
	/* Writes the review's title, target and status. */
	int (*put_review)(void *ctx, const char *id, const struct review_state *s);
	/* Appends an event: the review's seq and updated_at move on. */
	int (*event)(void *ctx, const char *id, int64_t now, const char *author,
		     const char *item_id, const cJSON *change);
};

/* reviewdb_write_items's work inside the backend's transaction, with the
 * same results; the backend commits on 0 and rolls back otherwise. */
int reviewcore_write_items(const struct reviewtx *tx, const char *id, const struct item_write *w,
			   size_t n, int64_t now, cJSON **results, size_t *failed);

/* reviewdb_edit's work inside the backend's transaction: 0,
 * REVIEWDB_NOT_FOUND or REVIEWDB_ERROR. */
int reviewcore_edit(const struct reviewtx *tx, const char *id, const struct review_edit *e,
		    int64_t now);

#endif
