/* SPDX-License-Identifier: MIT */
/*
 * reviewdb: the review runs' store, apart from the index so that the index
 * can be deleted and rebuilt with no review lost. Two backends behind these
 * functions: a SQLite file (reviews.db, the default) and a PostgreSQL
 * database that replicas share (a postgresql:// URI); callers never know
 * which. A review
 * names a checklist (skill slug, file path), keeps its digest and items at
 * start, and holds the state of each item written since; every change is
 * appended to review_events (who, when, each field's old and new value) in
 * the same transaction that changes the state, so the history and the
 * state never disagree. SQLite: WAL with synchronous=NORMAL, a write that
 * returned is on disk for any crash of the process (not of the machine).
 * PostgreSQL: a write that returned is committed.
 *
 * One connection, one mutex, in either backend: writes are a few rows each,
 * and serialising them in the process costs less than busy waits between
 * connections. PostgreSQL serialises the writes of several processes on a
 * review by locking its row. Thread safe.
 *
 * What the store does not know is the checklist of the day: the caller
 * (the reviews handlers) matches items to it, checks verdicts against its
 * severity levels and passes each item's current ref, text and section
 * with a write.
 */
#ifndef SKILLD_REVIEWDB_H
#define SKILLD_REVIEWDB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#define REVIEW_ID_LEN 16
/* The longest review id reviewdb_watch passes on. */
#define REVIEWDB_NOTIFY_ID_MAX 64

/* Codes of the writes besides 0. */
enum {
	REVIEWDB_ERROR = -1,       /* the database failed: err says why */
	REVIEWDB_NOT_FOUND = -2,   /* no review has that id */
	REVIEWDB_CLOSED = -3,      /* the review is closed: reopen it first */
	REVIEWDB_STALE = -4,       /* an if_version did not match */
	REVIEWDB_UNAVAILABLE = -5, /* the store cannot be reached now: nothing was
				    * written, try again in a moment */
	REVIEWDB_IN_DOUBT = -6,    /* the connection was lost at the write's
				    * COMMIT and the store could not say in time
				    * whether it was applied: it may have been */
};

/* The connections a PostgreSQL store keeps at most (made as calls need
 * them), besides its listener's. */
#define REVIEWDB_PG_CONNECTIONS 4

/* Seconds a client should wait after REVIEWDB_UNAVAILABLE (Retry-After). */
#define REVIEWDB_RETRY_AFTER 2

struct reviewdb;

/* Is location a PostgreSQL URI (postgresql:// or postgres://)? */
bool reviewdb_is_uri(const char *location);

/* Opens the store at location: a PostgreSQL URI, or else a SQLite file's
 * path (created when missing), and applies its migrations. A PostgreSQL
 * server may be away (nothing answers, or it is starting or stopping),
 * now or later: calls answer REVIEWDB_UNAVAILABLE meanwhile and a new
 * connection is tried at most every few seconds, which applies the
 * migrations when it is made. One that answers and refuses (a password,
 * a database name, a schema newer than this skilld's) is an error. NULL
 * with a message in err (never a password). */
struct reviewdb *reviewdb_open(const char *location, char *err, size_t errlen);
void reviewdb_close(struct reviewdb *rv);

/* The backend's name: "sqlite" or "postgresql" (static storage). */
const char *reviewdb_backend(const struct reviewdb *rv);
/* Was the store reachable at its last use (PostgreSQL: is the connection
 * up; a broken one is tried again, at most every few seconds)? */
bool reviewdb_up(struct reviewdb *rv);

/*
 * Calls changed(arg, id) whenever another handle on the same store (another
 * replica) changes review id (its items, itself, its deletion), and
 * changed(arg, NULL) when such changes may have been missed (the store was
 * away and is back). From a thread of the store's own, started here and
 * stopped by reviewdb_close; changed must be thread safe. Writes through
 * rv itself are not passed on: their caller knows. Call once. SQLite:
 * nothing to watch (only this process writes the file). 0, or -1 with err.
 */
int reviewdb_watch(struct reviewdb *rv, void (*changed)(void *arg, const char *id), void *arg,
		   char *err, size_t errlen);

/*
 * Browser sign-in sessions kept in the store, so that every replica knows
 * them (session.h keeps them in memory otherwise). PostgreSQL only:
 * reviewdb_keeps_sessions says whether rv can; the other calls are for a
 * store that can. A session is named by the SHA-256 of its id (64 hex
 * digits); its expiry is counted by the database's clock.
 */
bool reviewdb_keeps_sessions(const struct reviewdb *rv);
/* Starts session digest for ttl seconds (and drops the expired ones): 0 or
 * a failure's code. */
int reviewdb_session_put(struct reviewdb *rv, const char *digest, unsigned ttl);
/* 1 when digest is a session that has not expired, 0 when not, or a
 * failure's code. */
int reviewdb_session_live(struct reviewdb *rv, const char *digest);
/* Ends session digest (none: nothing to do): 0 or a failure's code. */
int reviewdb_session_end(struct reviewdb *rv, const char *digest);
/* How many sessions have not expired, or a failure's code. */
long reviewdb_session_count(struct reviewdb *rv);

/* Copies the database to dest with SQLite's online backup (the server
 * keeps writing meanwhile; the copy is one consistent state). dest must
 * not exist. 0, or -1 with err (always for PostgreSQL: pg_dump's job). */
int reviewdb_backup(struct reviewdb *rv, const char *dest, char *err, size_t errlen);
/* The same from the database file src, which another process (the
 * server) may be writing: `skilld backup`. */
int reviewdb_backup_file(const char *src, const char *dest, char *err, size_t errlen);

/* A new review. start_items is the JSON text of the checklist's items at
 * start: [{"id", "ref", "text", "section"}]. */
struct review_start {
	const char *skill;
	const char *checklist_path;
	const char *checklist_digest;
	const char *start_items;
	const char *title;
	const char *target;     /* or NULL */
	const char *author;     /* or NULL */
};
/* 0 with the new id in id, REVIEWDB_UNAVAILABLE or REVIEWDB_ERROR. Every
 * function below may also answer REVIEWDB_UNAVAILABLE where it answers
 * REVIEWDB_ERROR, and a write (PostgreSQL) REVIEWDB_IN_DOUBT too. */
int reviewdb_create(struct reviewdb *rv, const struct review_start *s, int64_t now,
		   char id[REVIEW_ID_LEN + 1], char *err, size_t errlen);

/* The review as stored (cJSON_Delete): {"id", "skill", "checklist_path",
 * "checklist_digest", "start_items": [...], "title", "target", "author",
 * "status", "created_at", "updated_at", "seq", "items": {item id: item}}
 * where an item is {"id", "ref", "text", "section", "verdict", "severity",
 * "note", "evidence", "author", "updated_at", "version"} (absent members of
 * the row are null). 1, 0 (no such review) or REVIEWDB_ERROR. */
int reviewdb_get(struct reviewdb *rv, const char *id, cJSON **out);

/* Only {"id", "skill", "checklist_path", "status", "seq"} of the review
 * (what a write needs to find its checklist, where a stream starts): 1, 0
 * or REVIEWDB_ERROR. */
int reviewdb_head(struct reviewdb *rv, const char *id, cJSON **out);

/* Reviews newest first, in the shape of reviewdb_get. */
struct review_filter {
	const char *skill;          /* or NULL: all */
	const char *status;         /* "open", "closed" or NULL: both */
	int64_t after_created;      /* the page after (after_created, after_id) */
	const char *after_id;       /* NULL: the first page */
	long limit;
};
/* *out gets an array (cJSON_Delete). 1 when more follow, 0 when not,
 * REVIEWDB_ERROR. */
int reviewdb_list(struct reviewdb *rv, const struct review_filter *f, cJSON **out);

/* What an item write sets. */
enum {
	ITEM_SET_VERDICT = 1 << 0,
	ITEM_SET_SEVERITY = 1 << 1,
	ITEM_SET_NOTE = 1 << 2,
	ITEM_SET_EVIDENCE = 1 << 3,
};

struct item_write {
	const char *item_id;
	const char *ref, *text, *section;   /* the item as the checklist has it now */
	int64_t if_version;                 /* the version it must be at, or -1 */
	unsigned set;                       /* ITEM_SET_* */
	const char *verdict;                /* "pass", "fail", "na", or NULL: open */
	const char *severity;               /* NULL clears; only kept with "fail" */
	const char *note;                   /* NULL clears */
	const char *evidence;               /* NULL clears */
	const char *author;                 /* or NULL */
};

/* Applies the n writes to review id in one transaction, all or none.
 * 0 with *results an array of the n items after (cJSON_Delete). A write
 * that changes nothing leaves its item as it is (no version, no event).
 * A verdict other than "fail" clears the severity. REVIEWDB_STALE: write
 * *failed found its item at another version; *results is then that item
 * as it is, alone in the array. REVIEWDB_NOT_FOUND, REVIEWDB_CLOSED,
 * REVIEWDB_ERROR (*results NULL). */
int reviewdb_write_items(struct reviewdb *rv, const char *id, const struct item_write *w, size_t n,
			int64_t now, cJSON **results, size_t *failed, char *err, size_t errlen);

/* Changes the review itself: title, target, status ("open"/"closed");
 * NULL members are left as they are (clear_target sets target NULL). */
struct review_edit {
	const char *title;
	const char *target;
	bool clear_target;
	const char *status;
	const char *author;
};
/* 0, REVIEWDB_NOT_FOUND or REVIEWDB_ERROR. */
int reviewdb_edit(struct reviewdb *rv, const char *id, const struct review_edit *e, int64_t now,
		 char *err, size_t errlen);

/* Deletes the review, its items and its history. 0, REVIEWDB_NOT_FOUND or
 * REVIEWDB_ERROR. */
int reviewdb_delete(struct reviewdb *rv, const char *id, char *err, size_t errlen);

/* The review's events after seq, oldest first, at most limit:
 * [{"seq", "at", "author", "item", "change": {field: [old, new]}}].
 * 1, 0 (no such review) or REVIEWDB_ERROR. */
int reviewdb_events(struct reviewdb *rv, const char *id, int64_t after_seq, long limit,
		   cJSON **out);

#endif
