/* SPDX-License-Identifier: MIT */
/*
 * reviewdb: the review runs' database (reviews.db), apart from the index so
 * that the index can be deleted and rebuilt with no review lost. A review
 * names a checklist (skill slug, file path), keeps its digest and items at
 * start, and holds the state of each item written since; every change is
 * appended to review_events (who, when, each field's old and new value) in
 * the same transaction that changes the state, so the history and the
 * state never disagree. WAL with synchronous=NORMAL: a write that returned
 * is on disk for any crash of the process (not of the machine).
 *
 * One connection, one mutex: writes are a few rows each, and serialising
 * them in the process costs less than SQLite's busy waits between
 * connections. Thread safe.
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

/* Codes of the writes besides 0. */
enum {
	REVIEWDB_ERROR = -1,       /* the database failed: err says why */
	REVIEWDB_NOT_FOUND = -2,   /* no review has that id */
	REVIEWDB_CLOSED = -3,      /* the review is closed: reopen it first */
	REVIEWDB_STALE = -4,       /* an if_version did not match */
};

struct reviewdb;

/* Opens (creating) the reviews database at path and applies its
 * migrations. NULL with a message in err. */
struct reviewdb *reviewdb_open(const char *path, char *err, size_t errlen);
void reviewdb_close(struct reviewdb *rv);

/* Copies the database to dest with SQLite's online backup (the server
 * keeps writing meanwhile; the copy is one consistent state). dest must
 * not exist. 0, or -1 with err. */
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
/* 0 with the new id in id, or REVIEWDB_ERROR. */
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
