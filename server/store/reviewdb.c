/* SPDX-License-Identifier: MIT */
/*
 * reviewdb: the review runs' database (see reviewdb.h). Every function takes
 * the one mutex for its whole run; a write is one BEGIN IMMEDIATE ...
 * COMMIT holding the state change and its event rows.
 */
#include "skilld/store/reviewdb.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "skilld/store/db.h"
#include "skilld/base/util.h"

struct reviewdb {
	pthread_mutex_t lock;
	sqlite3 *db;
};

#define REVIEW_COLUMNS \
	"id, skill, checklist_path, checklist_digest, start_items, title, target, author, " \
	"status, created_at, updated_at, seq"
#define ITEM_COLUMNS \
	"item_id, ref, text, section, verdict, severity, note, evidence, author, updated_at, version"

static void sql_err(char *err, size_t errlen, sqlite3 *db, const char *what)
{
	if (err && errlen)
		snprintf(err, errlen, "reviews: %s: %s", what, sqlite3_errmsg(db));
}

struct reviewdb *reviewdb_open(const char *path, char *err, size_t errlen)
{
	struct migration_set set = { 0 };
	struct reviewdb *rv = xcalloc(1, sizeof(*rv));

	if (db_open_writer(path, &rv->db, err, errlen) != 0)
		goto fail;
	/* WAL is on (db_open_writer); NORMAL syncs at checkpoints, which
	 * loses nothing when the process dies, only when the machine does. */
	if (sqlite3_exec(rv->db, "PRAGMA synchronous = NORMAL", NULL, NULL, NULL) != SQLITE_OK) {
		sql_err(err, errlen, rv->db, "synchronous");
		goto fail;
	}
	if (migration_set_builtin_reviews(&set, err, errlen) != 0 ||
	    db_migrate(rv->db, &set, err, errlen) != 0)
		goto fail;
	migration_set_fini(&set);
	pthread_mutex_init(&rv->lock, NULL);
	return rv;
fail:
	migration_set_fini(&set);
	db_close(rv->db);
	free(rv);
	return NULL;
}

void reviewdb_close(struct reviewdb *rv)
{
	if (!rv)
		return;
	db_close(rv->db);
	pthread_mutex_destroy(&rv->lock);
	free(rv);
}

/* Copies from's main database into the new file dest in one backup step
 * (the pages of one read transaction: a consistent state). Retries while
 * another connection holds a lock, for up to 10 s. 0, or -1 with err (and
 * no dest left behind). */
static int backup_from(sqlite3 *from, const char *dest, char *err, size_t errlen)
{
	sqlite3 *to = NULL;
	sqlite3_backup *b;
	struct stat st;
	int rc = -1;

	if (lstat(dest, &st) == 0) {
		snprintf(err, errlen, "%s already exists: give a new file's path", dest);
		return -1;
	}
	if (sqlite3_open_v2(dest, &to, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
		sql_err(err, errlen, to, dest);
		sqlite3_close(to);
		return -1;
	}
	b = sqlite3_backup_init(to, "main", from, "main");
	if (!b) {
		sql_err(err, errlen, to, "backup");
	} else {
		int s, tries = 0;

		while ((s = sqlite3_backup_step(b, -1)) == SQLITE_BUSY || s == SQLITE_LOCKED) {
			if (++tries > 1000)
				break;
			sqlite3_sleep(10);
		}
		if (sqlite3_backup_finish(b) == SQLITE_OK && s == SQLITE_DONE)
			rc = 0;
		else
			snprintf(err, errlen, "reviews: backup to %s failed: %s", dest,
				 sqlite3_errstr(s));
	}
	if (sqlite3_close(to) != SQLITE_OK && rc == 0) {
		snprintf(err, errlen, "reviews: closing %s failed", dest);
		rc = -1;
	}
	if (rc != 0)
		unlink(dest);
	return rc;
}

int reviewdb_backup(struct reviewdb *rv, const char *dest, char *err, size_t errlen)
{
	int rc;

	/* Our own writes wait meanwhile: they share the connection. */
	pthread_mutex_lock(&rv->lock);
	rc = backup_from(rv->db, dest, err, errlen);
	pthread_mutex_unlock(&rv->lock);
	return rc;
}

int reviewdb_backup_file(const char *src, const char *dest, char *err, size_t errlen)
{
	sqlite3 *from = NULL;
	struct stat st;
	int rc;

	if (stat(src, &st) != 0) {
		snprintf(err, errlen, "no reviews database at %s: %s (see --reviews-db)", src,
			 strerror(errno));
		return -1;
	}
	if (sqlite3_open_v2(src, &from, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		sql_err(err, errlen, from, src);
		sqlite3_close(from);
		return -1;
	}
	sqlite3_busy_timeout(from, 10000);
	rc = backup_from(from, dest, err, errlen);
	sqlite3_close(from);
	return rc;
}

/* ---- small helpers ---- */

static void add_col_text(cJSON *o, const char *key, sqlite3_stmt *st, int col)
{
	jadd_str_or_null(o, key, (const char *)sqlite3_column_text(st, col));
}

/* One item row (ITEM_COLUMNS from col) as JSON. */
static cJSON *item_json(sqlite3_stmt *st, int col)
{
	cJSON *o = cJSON_CreateObject();

	add_col_text(o, "id", st, col);
	add_col_text(o, "ref", st, col + 1);
	add_col_text(o, "text", st, col + 2);
	add_col_text(o, "section", st, col + 3);
	add_col_text(o, "verdict", st, col + 4);
	add_col_text(o, "severity", st, col + 5);
	add_col_text(o, "note", st, col + 6);
	add_col_text(o, "evidence", st, col + 7);
	add_col_text(o, "author", st, col + 8);
	cJSON_AddNumberToObject(o, "updated_at", (double)sqlite3_column_int64(st, col + 9));
	cJSON_AddNumberToObject(o, "version", (double)sqlite3_column_int64(st, col + 10));
	return o;
}

/* One review row (REVIEW_COLUMNS) as JSON, without its items. */
static cJSON *review_json(sqlite3_stmt *st)
{
	cJSON *o = cJSON_CreateObject();
	const char *items = (const char *)sqlite3_column_text(st, 4);
	cJSON *start = items ? cJSON_Parse(items) : NULL;

	add_col_text(o, "id", st, 0);
	add_col_text(o, "skill", st, 1);
	add_col_text(o, "checklist_path", st, 2);
	add_col_text(o, "checklist_digest", st, 3);
	cJSON_AddItemToObject(o, "start_items", start ? start : cJSON_CreateArray());
	add_col_text(o, "title", st, 5);
	add_col_text(o, "target", st, 6);
	add_col_text(o, "author", st, 7);
	add_col_text(o, "status", st, 8);
	cJSON_AddNumberToObject(o, "created_at", (double)sqlite3_column_int64(st, 9));
	cJSON_AddNumberToObject(o, "updated_at", (double)sqlite3_column_int64(st, 10));
	cJSON_AddNumberToObject(o, "seq", (double)sqlite3_column_int64(st, 11));
	return o;
}

/* Adds "items": {id: item} of review id to o. 0, or -1. */
static int add_items(sqlite3 *db, const char *id, cJSON *o)
{
	sqlite3_stmt *st;
	cJSON *items = cJSON_AddObjectToObject(o, "items");
	int rc;

	if (sqlite3_prepare_v2(db, "SELECT " ITEM_COLUMNS " FROM review_items WHERE review_id = ?1 "
			       "ORDER BY item_id", -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		cJSON_AddItemToObject(items, (const char *)sqlite3_column_text(st, 0), item_json(st, 0));
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* Appends an event: the review's seq goes up by one. 0, or -1. */
static int add_event(sqlite3 *db, const char *id, int64_t now, const char *author,
		     const char *item_id, const cJSON *change)
{
	sqlite3_stmt *st;
	char *text = cJSON_PrintUnformatted(change);
	int rc = -1;

	if (sqlite3_prepare_v2(db, "UPDATE reviews SET seq = seq + 1, updated_at = ?2 WHERE id = ?1",
			       -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(st, 2, now);
		rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
	}
	sqlite3_finalize(st);
	if (rc == 0 &&
	    sqlite3_prepare_v2(db, "INSERT INTO review_events (review_id, seq, at, author, item_id, "
			       "change) SELECT id, seq, ?2, ?3, ?4, ?5 FROM reviews WHERE id = ?1",
			       -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(st, 2, now);
		db_bind_text_or_null(st, 3, author);
		db_bind_text_or_null(st, 4, item_id);
		sqlite3_bind_text(st, 5, text, -1, SQLITE_TRANSIENT);
		rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
		sqlite3_finalize(st);
	} else {
		rc = -1;
	}
	free(text);
	return rc;
}

/* Records field: [old, new] in change when they differ; true when they did. */
static bool note_change(cJSON *change, const char *field, const char *old, const char *new)
{
	cJSON *pair;

	if ((!old && !new) || (old && new && strcmp(old, new) == 0))
		return false;
	pair = cJSON_AddArrayToObject(change, field);
	cJSON_AddItemToArray(pair, old ? cJSON_CreateString(old) : cJSON_CreateNull());
	cJSON_AddItemToArray(pair, new ? cJSON_CreateString(new) : cJSON_CreateNull());
	return true;
}

static int begin(sqlite3 *db)
{
	return sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

static int commit(sqlite3 *db)
{
	return sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

static void rollback(sqlite3 *db)
{
	if (!sqlite3_get_autocommit(db))
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
}

/* Ends a read transaction: it wrote nothing, so a failed COMMIT rolls
 * back; no transaction is ever left open for the next caller. */
static void end_read(sqlite3 *db)
{
	if (commit(db) != 0)
		rollback(db);
}

/* The status of review id ("open"/"closed" copied into out): 1, 0 (none)
 * or -1. */
static int review_status(sqlite3 *db, const char *id, char out[8])
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db, "SELECT status FROM reviews WHERE id = ?1", -1, &st, NULL) !=
	    SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		snprintf(out, 8, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

/* ---- create, read, list ---- */

int reviewdb_create(struct reviewdb *rv, const struct review_start *s, int64_t now,
		   char id[REVIEW_ID_LEN + 1], char *err, size_t errlen)
{
	unsigned char raw[REVIEW_ID_LEN / 2];
	sqlite3_stmt *st = NULL;
	cJSON *change;
	int rc = REVIEWDB_ERROR;

	if (getrandom(raw, sizeof(raw), 0) != (ssize_t)sizeof(raw)) {
		snprintf(err, errlen, "reviews: no random bytes for an id: %s", strerror(errno));
		return REVIEWDB_ERROR;
	}
	hex_encode(raw, sizeof(raw), id);
	change = cJSON_CreateObject();
	note_change(change, "status", NULL, "open");
	note_change(change, "title", NULL, s->title);
	if (s->target)
		note_change(change, "target", NULL, s->target);
	pthread_mutex_lock(&rv->lock);
	if (begin(rv->db) != 0 ||
	    sqlite3_prepare_v2(rv->db, "INSERT INTO reviews (id, skill, checklist_path, "
			       "checklist_digest, start_items, title, target, author, created_at, "
			       "updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)",
			       -1, &st, NULL) != SQLITE_OK) {
		sql_err(err, errlen, rv->db, "starting a review");
		goto out;
	}
	sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, s->skill, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, s->checklist_path, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, s->checklist_digest, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 5, s->start_items, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 6, s->title, -1, SQLITE_TRANSIENT);
	db_bind_text_or_null(st, 7, s->target);
	db_bind_text_or_null(st, 8, s->author);
	sqlite3_bind_int64(st, 9, now);
	if (sqlite3_step(st) != SQLITE_DONE ||
	    add_event(rv->db, id, now, s->author, NULL, change) != 0 || commit(rv->db) != 0) {
		sql_err(err, errlen, rv->db, "starting a review");
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(st);
	if (rc != 0)
		rollback(rv->db);
	pthread_mutex_unlock(&rv->lock);
	cJSON_Delete(change);
	return rc;
}

/* reviewdb_get without the lock. */
static int get_locked(sqlite3 *db, const char *id, cJSON **out)
{
	sqlite3_stmt *st;
	int rc;

	*out = NULL;
	if (sqlite3_prepare_v2(db, "SELECT " REVIEW_COLUMNS " FROM reviews WHERE id = ?1", -1, &st,
			       NULL) != SQLITE_OK)
		return REVIEWDB_ERROR;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*out = review_json(st);
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE)
		return 0;
	if (rc != SQLITE_ROW || add_items(db, id, *out) != 0) {
		cJSON_Delete(*out);
		*out = NULL;
		return REVIEWDB_ERROR;
	}
	return 1;
}

int reviewdb_get(struct reviewdb *rv, const char *id, cJSON **out)
{
	int rc;

	pthread_mutex_lock(&rv->lock);
	/* One read transaction: the review and its items are one state. */
	sqlite3_exec(rv->db, "BEGIN", NULL, NULL, NULL);
	rc = get_locked(rv->db, id, out);
	end_read(rv->db);
	pthread_mutex_unlock(&rv->lock);
	return rc;
}

int reviewdb_head(struct reviewdb *rv, const char *id, cJSON **out)
{
	sqlite3_stmt *st;
	int rc = REVIEWDB_ERROR;

	*out = NULL;
	pthread_mutex_lock(&rv->lock);
	if (sqlite3_prepare_v2(rv->db, "SELECT id, skill, checklist_path, status, seq FROM reviews "
			       "WHERE id = ?1", -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW) {
			*out = cJSON_CreateObject();
			add_col_text(*out, "id", st, 0);
			add_col_text(*out, "skill", st, 1);
			add_col_text(*out, "checklist_path", st, 2);
			add_col_text(*out, "status", st, 3);
			cJSON_AddNumberToObject(*out, "seq", (double)sqlite3_column_int64(st, 4));
		}
		rc = rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : REVIEWDB_ERROR;
		sqlite3_finalize(st);
	}
	pthread_mutex_unlock(&rv->lock);
	return rc;
}

int reviewdb_list(struct reviewdb *rv, const struct review_filter *f, cJSON **out)
{
	sqlite3_stmt *st = NULL;
	long rows = 0;
	int rc;

	*out = cJSON_CreateArray();
	pthread_mutex_lock(&rv->lock);
	sqlite3_exec(rv->db, "BEGIN", NULL, NULL, NULL);
	if (sqlite3_prepare_v2(rv->db, "SELECT " REVIEW_COLUMNS " FROM reviews "
			       "WHERE (?1 IS NULL OR skill = ?1) AND (?2 IS NULL OR status = ?2) "
			       "AND (?4 IS NULL OR created_at < ?3 OR (created_at = ?3 AND id > ?4)) "
			       "ORDER BY created_at DESC, id LIMIT ?5", -1, &st, NULL) != SQLITE_OK) {
		rc = SQLITE_ERROR;
		goto out;
	}
	db_bind_text_or_null(st, 1, f->skill);
	db_bind_text_or_null(st, 2, f->status);
	sqlite3_bind_int64(st, 3, f->after_created);
	db_bind_text_or_null(st, 4, f->after_id);
	sqlite3_bind_int64(st, 5, f->limit + 1);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && rows < f->limit) {
		cJSON *o = review_json(st);

		cJSON_AddItemToArray(*out, o);
		if (add_items(rv->db, jstr(o, "id"), o) != 0) {
			rc = SQLITE_ERROR;
			break;
		}
		rows++;
	}
out:
	sqlite3_finalize(st);
	end_read(rv->db);
	pthread_mutex_unlock(&rv->lock);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		cJSON_Delete(*out);
		*out = NULL;
		return REVIEWDB_ERROR;
	}
	return rc == SQLITE_ROW;
}

/* ---- writes ---- */

/* The item's row as JSON (NULL: no row) into *out. 0, or -1. */
static int item_get(sqlite3 *db, const char *id, const char *item_id, cJSON **out)
{
	sqlite3_stmt *st;
	int rc;

	*out = NULL;
	if (sqlite3_prepare_v2(db, "SELECT " ITEM_COLUMNS " FROM review_items "
			       "WHERE review_id = ?1 AND item_id = ?2", -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, item_id, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*out = item_json(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

/* An item that has no row yet: open, version 0. */
static cJSON *item_blank(const struct item_write *w)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "id", w->item_id);
	jadd_str_or_null(o, "ref", w->ref);
	cJSON_AddStringToObject(o, "text", w->text ? w->text : "");
	jadd_str_or_null(o, "section", w->section);
	cJSON_AddNullToObject(o, "verdict");
	cJSON_AddNullToObject(o, "severity");
	cJSON_AddNullToObject(o, "note");
	cJSON_AddNullToObject(o, "evidence");
	cJSON_AddNullToObject(o, "author");
	cJSON_AddNumberToObject(o, "updated_at", 0);
	cJSON_AddNumberToObject(o, "version", 0);
	return o;
}

/* Applies one write inside the transaction. 0 with *after the item, 1
 * when its version is not w->if_version (*after the item as it is), -1. */
static int write_one(sqlite3 *db, const char *id, const struct item_write *w, int64_t now,
		     cJSON **after)
{
	cJSON *cur, *change;
	const char *verdict, *severity, *note, *evidence;
	int64_t version;
	sqlite3_stmt *st;
	int rc;

	if (item_get(db, id, w->item_id, &cur) != 0)
		return -1;
	if (!cur)
		cur = item_blank(w);
	version = (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItem(cur, "version"));
	if (w->if_version >= 0 && w->if_version != version) {
		*after = cur;
		return 1;
	}
	verdict = w->set & ITEM_SET_VERDICT ? w->verdict : jstr(cur, "verdict");
	severity = w->set & ITEM_SET_SEVERITY ? w->severity : jstr(cur, "severity");
	if (!verdict || strcmp(verdict, "fail") != 0)
		severity = NULL;
	note = w->set & ITEM_SET_NOTE ? w->note : jstr(cur, "note");
	evidence = w->set & ITEM_SET_EVIDENCE ? w->evidence : jstr(cur, "evidence");
	change = cJSON_CreateObject();
	note_change(change, "verdict", jstr(cur, "verdict"), verdict);
	note_change(change, "severity", jstr(cur, "severity"), severity);
	note_change(change, "note", jstr(cur, "note"), note);
	note_change(change, "evidence", jstr(cur, "evidence"), evidence);
	if (!change->child) {
		cJSON_Delete(change);
		*after = cur;
		return 0;
	}
	rc = -1;
	if (sqlite3_prepare_v2(db, "INSERT INTO review_items (review_id, item_id, ref, text, section, "
			       "verdict, severity, note, evidence, author, updated_at, version) "
			       "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) "
			       "ON CONFLICT (review_id, item_id) DO UPDATE SET ref = ?3, text = ?4, "
			       "section = ?5, verdict = ?6, severity = ?7, note = ?8, evidence = ?9, "
			       "author = ?10, updated_at = ?11, version = ?12", -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 2, w->item_id, -1, SQLITE_TRANSIENT);
		db_bind_text_or_null(st, 3, w->ref);
		sqlite3_bind_text(st, 4, w->text ? w->text : "", -1, SQLITE_TRANSIENT);
		db_bind_text_or_null(st, 5, w->section);
		db_bind_text_or_null(st, 6, verdict);
		db_bind_text_or_null(st, 7, severity);
		db_bind_text_or_null(st, 8, note);
		db_bind_text_or_null(st, 9, evidence);
		db_bind_text_or_null(st, 10, w->author);
		sqlite3_bind_int64(st, 11, now);
		sqlite3_bind_int64(st, 12, version + 1);
		if (sqlite3_step(st) == SQLITE_DONE)
			rc = 0;
		sqlite3_finalize(st);
	}
	if (rc == 0)
		rc = add_event(db, id, now, w->author, w->item_id, change);
	cJSON_Delete(change);
	cJSON_Delete(cur);
	if (rc == 0)
		rc = item_get(db, id, w->item_id, after);
	return rc;
}

int reviewdb_write_items(struct reviewdb *rv, const char *id, const struct item_write *w, size_t n,
			int64_t now, cJSON **results, size_t *failed, char *err, size_t errlen)
{
	char status[8];
	int rc;

	*results = NULL;
	pthread_mutex_lock(&rv->lock);
	if (begin(rv->db) != 0) {
		sql_err(err, errlen, rv->db, "writing verdicts");
		pthread_mutex_unlock(&rv->lock);
		return REVIEWDB_ERROR;
	}
	rc = review_status(rv->db, id, status);
	if (rc <= 0) {
		rc = rc == 0 ? REVIEWDB_NOT_FOUND : REVIEWDB_ERROR;
		goto out;
	}
	if (strcmp(status, "open") != 0) {
		rc = REVIEWDB_CLOSED;
		goto out;
	}
	*results = cJSON_CreateArray();
	rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++) {
		cJSON *after = NULL;
		int r = write_one(rv->db, id, &w[i], now, &after);

		if (r < 0) {
			rc = REVIEWDB_ERROR;
		} else if (r > 0) {
			cJSON_Delete(*results);
			*results = cJSON_CreateArray();
			cJSON_AddItemToArray(*results, after);
			*failed = i;
			rc = REVIEWDB_STALE;
		} else {
			cJSON_AddItemToArray(*results, after);
		}
	}
	if (rc == 0 && commit(rv->db) != 0)
		rc = REVIEWDB_ERROR;
out:
	if (rc == REVIEWDB_ERROR) {
		sql_err(err, errlen, rv->db, "writing verdicts");
		cJSON_Delete(*results);
		*results = NULL;
	} else if (rc != 0 && rc != REVIEWDB_STALE) {
		cJSON_Delete(*results);
		*results = NULL;
	}
	if (rc != 0)
		rollback(rv->db);
	pthread_mutex_unlock(&rv->lock);
	return rc;
}

int reviewdb_edit(struct reviewdb *rv, const char *id, const struct review_edit *e, int64_t now,
		 char *err, size_t errlen)
{
	cJSON *cur = NULL, *change = cJSON_CreateObject();
	const char *title, *target, *status;
	sqlite3_stmt *st = NULL;
	int rc;

	pthread_mutex_lock(&rv->lock);
	if (begin(rv->db) != 0) {
		rc = REVIEWDB_ERROR;
		goto out;
	}
	rc = get_locked(rv->db, id, &cur);
	if (rc <= 0) {
		rc = rc == 0 ? REVIEWDB_NOT_FOUND : REVIEWDB_ERROR;
		goto out;
	}
	title = e->title ? e->title : jstr(cur, "title");
	target = e->clear_target ? NULL : e->target ? e->target : jstr(cur, "target");
	status = e->status ? e->status : jstr(cur, "status");
	note_change(change, "title", jstr(cur, "title"), title);
	note_change(change, "target", jstr(cur, "target"), target);
	note_change(change, "status", jstr(cur, "status"), status);
	rc = 0;
	if (!change->child) {
		if (commit(rv->db) != 0)
			rc = REVIEWDB_ERROR;
		goto out;
	}
	rc = REVIEWDB_ERROR;
	if (sqlite3_prepare_v2(rv->db, "UPDATE reviews SET title = ?2, target = ?3, status = ?4 "
			       "WHERE id = ?1", -1, &st, NULL) != SQLITE_OK)
		goto out;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, title, -1, SQLITE_TRANSIENT);
	db_bind_text_or_null(st, 3, target);
	sqlite3_bind_text(st, 4, status, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) == SQLITE_DONE && add_event(rv->db, id, now, e->author, NULL, change) == 0 &&
	    commit(rv->db) == 0)
		rc = 0;
out:
	if (rc == REVIEWDB_ERROR)
		sql_err(err, errlen, rv->db, "changing a review");
	if (rc != 0)
		rollback(rv->db);
	sqlite3_finalize(st);
	pthread_mutex_unlock(&rv->lock);
	cJSON_Delete(cur);
	cJSON_Delete(change);
	return rc;
}

int reviewdb_delete(struct reviewdb *rv, const char *id, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	int rc = REVIEWDB_ERROR;

	pthread_mutex_lock(&rv->lock);
	/* review_items and review_events go with it (ON DELETE CASCADE). */
	if (sqlite3_prepare_v2(rv->db, "DELETE FROM reviews WHERE id = ?1", -1, &st, NULL) ==
	    SQLITE_OK) {
		sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
		if (sqlite3_step(st) == SQLITE_DONE)
			rc = sqlite3_changes(rv->db) > 0 ? 0 : REVIEWDB_NOT_FOUND;
		sqlite3_finalize(st);
	}
	if (rc == REVIEWDB_ERROR)
		sql_err(err, errlen, rv->db, "deleting a review");
	pthread_mutex_unlock(&rv->lock);
	return rc;
}

int reviewdb_events(struct reviewdb *rv, const char *id, int64_t after_seq, long limit,
		   cJSON **out)
{
	sqlite3_stmt *st = NULL;
	char status[8];
	int rc;

	*out = NULL;
	pthread_mutex_lock(&rv->lock);
	sqlite3_exec(rv->db, "BEGIN", NULL, NULL, NULL);
	rc = review_status(rv->db, id, status);
	if (rc <= 0)
		goto out;
	if (sqlite3_prepare_v2(rv->db, "SELECT seq, at, author, item_id, change FROM review_events "
			       "WHERE review_id = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3", -1, &st,
			       NULL) != SQLITE_OK) {
		rc = REVIEWDB_ERROR;
		goto out;
	}
	sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, after_seq);
	sqlite3_bind_int64(st, 3, limit);
	*out = cJSON_CreateArray();
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		cJSON *o = cJSON_CreateObject();
		const char *change = (const char *)sqlite3_column_text(st, 4);
		cJSON *c = change ? cJSON_Parse(change) : NULL;

		cJSON_AddNumberToObject(o, "seq", (double)sqlite3_column_int64(st, 0));
		cJSON_AddNumberToObject(o, "at", (double)sqlite3_column_int64(st, 1));
		add_col_text(o, "author", st, 2);
		add_col_text(o, "item", st, 3);
		cJSON_AddItemToObject(o, "change", c ? c : cJSON_CreateObject());
		cJSON_AddItemToArray(*out, o);
	}
	rc = rc == SQLITE_DONE ? 1 : REVIEWDB_ERROR;
out:
	sqlite3_finalize(st);
	end_read(rv->db);
	pthread_mutex_unlock(&rv->lock);
	if (rc != 1) {
		cJSON_Delete(*out);
		*out = NULL;
	}
	return rc;
}
