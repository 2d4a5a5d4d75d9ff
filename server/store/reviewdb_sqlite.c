/* SPDX-License-Identifier: MIT */
/*
 * reviewdb_sqlite: the review store in a SQLite file (reviews.db), the
 * default backend of reviewdb.h. One connection; every function takes the
 * one mutex for its whole run; a write is one BEGIN IMMEDIATE ... COMMIT
 * holding the state change and its event rows (the rules are
 * reviewcore's).
 */
#include "skilld/store/reviewcore.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "skilld/store/db.h"
#include "skilld/base/util.h"

struct sq {
	struct reviewdb base;   /* first: a struct reviewdb * is a struct sq * */
	pthread_mutex_t lock;
	sqlite3 *db;
};

static const struct reviewdb_ops sq_ops;

static struct sq *sq_of(struct reviewdb *rv)
{
	return (struct sq *)(void *)rv;
}

static void sql_err(char *err, size_t errlen, sqlite3 *db, const char *what)
{
	if (err && errlen)
		snprintf(err, errlen, "reviews: %s: %s", what, sqlite3_errmsg(db));
}

struct reviewdb *reviewdb_sqlite_open(const char *path, char *err, size_t errlen)
{
	struct migration_set set = { 0 };
	struct sq *rv = xcalloc(1, sizeof(*rv));

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
	rv->base.ops = &sq_ops;
	return &rv->base;
fail:
	migration_set_fini(&set);
	db_close(rv->db);
	free(rv);
	return NULL;
}

static void sq_close(struct reviewdb *base)
{
	struct sq *rv = sq_of(base);

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

/* One file, always there while the process runs. */
static bool sq_up(struct reviewdb *rv)
{
	(void)rv;
	return true;
}

/* Nothing to watch: only this process writes the file (reviewdb.h). */
static int sq_watch(struct reviewdb *rv, void (*changed)(void *arg, const char *id), void *arg,
		    char *err, size_t errlen)
{
	(void)rv;
	(void)changed;
	(void)arg;
	(void)err;
	(void)errlen;
	return 0;
}

static int sq_backup(struct reviewdb *base, const char *dest, char *err, size_t errlen)
{
	struct sq *rv = sq_of(base);
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


/* ---- rows ---- */

/* The text of n columns of st's row from col into c (valid until the
 * statement's next step). */
static void row_text(sqlite3_stmt *st, int col, int n, const char **c)
{
	for (int i = 0; i < n; i++)
		c[i] = (const char *)sqlite3_column_text(st, col + i);
}

static cJSON *item_row(sqlite3_stmt *st)
{
	const char *c[ITEM_NCOLS];

	row_text(st, 0, ITEM_NCOLS, c);
	return reviewcore_item_json(c);
}

static cJSON *review_row(sqlite3_stmt *st)
{
	const char *c[REVIEW_NCOLS];

	row_text(st, 0, REVIEW_NCOLS, c);
	return reviewcore_review_json(c);
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
		cJSON_AddItemToObject(items, (const char *)sqlite3_column_text(st, 0), item_row(st));
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* Runs st (its parameters bound) to its end and finalizes it: 0, or -1. */
static int run(sqlite3_stmt *st)
{
	int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;

	sqlite3_finalize(st);
	return rc;
}

/* Prepares sql on db into *st: 0, or -1. */
static int prep(sqlite3 *db, const char *sql, sqlite3_stmt **st)
{
	return sqlite3_prepare_v2(db, sql, -1, st, NULL) == SQLITE_OK ? 0 : -1;
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

/* ---- the write transaction's steps (struct reviewtx; ctx is the db) ---- */

/* BEGIN IMMEDIATE already holds the database against other writers. */
static int tx_status(void *ctx, const char *id, char out[8])
{
	sqlite3_stmt *st;
	int rc;

	if (prep(ctx, "SELECT status FROM reviews WHERE id = ?1", &st) != 0)
		return -1;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		snprintf(out, 8, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

static int tx_review(void *ctx, const char *id, cJSON **out)
{
	sqlite3_stmt *st;
	int rc;

	*out = NULL;
	if (prep(ctx, "SELECT " REVIEW_COLUMNS " FROM reviews WHERE id = ?1", &st) != 0)
		return -1;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*out = review_row(st);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

static int tx_item(void *ctx, const char *id, const char *item_id, cJSON **out)
{
	sqlite3_stmt *st;
	int rc;

	*out = NULL;
	if (prep(ctx, "SELECT " ITEM_COLUMNS " FROM review_items WHERE review_id = ?1 AND "
		 "item_id = ?2", &st) != 0)
		return -1;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, item_id, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*out = item_row(st);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

static int tx_put_item(void *ctx, const char *id, const struct item_write *w,
		       const struct item_state *s, int64_t now, int64_t version)
{
	sqlite3_stmt *st;

	if (prep(ctx, "INSERT INTO review_items (review_id, item_id, ref, text, section, verdict, "
		 "severity, note, evidence, author, updated_at, version) "
		 "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) "
		 "ON CONFLICT (review_id, item_id) DO UPDATE SET ref = ?3, text = ?4, "
		 "section = ?5, verdict = ?6, severity = ?7, note = ?8, evidence = ?9, "
		 "author = ?10, updated_at = ?11, version = ?12", &st) != 0)
		return -1;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, w->item_id, -1, SQLITE_TRANSIENT);
	db_bind_text_or_null(st, 3, w->ref);
	sqlite3_bind_text(st, 4, w->text ? w->text : "", -1, SQLITE_TRANSIENT);
	db_bind_text_or_null(st, 5, w->section);
	db_bind_text_or_null(st, 6, s->verdict);
	db_bind_text_or_null(st, 7, s->severity);
	db_bind_text_or_null(st, 8, s->note);
	db_bind_text_or_null(st, 9, s->evidence);
	db_bind_text_or_null(st, 10, w->author);
	sqlite3_bind_int64(st, 11, now);
	sqlite3_bind_int64(st, 12, version);
	return run(st);
}

static int tx_put_review(void *ctx, const char *id, const struct review_state *s)
{
	sqlite3_stmt *st;

	if (prep(ctx, "UPDATE reviews SET title = ?2, target = ?3, status = ?4 WHERE id = ?1",
		 &st) != 0)
		return -1;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, s->title, -1, SQLITE_TRANSIENT);
	db_bind_text_or_null(st, 3, s->target);
	sqlite3_bind_text(st, 4, s->status, -1, SQLITE_TRANSIENT);
	return run(st);
}

static int tx_event(void *ctx, const char *id, int64_t now, const char *author,
		    const char *item_id, const cJSON *change)
{
	sqlite3_stmt *st;
	char *text;
	int rc;

	if (prep(ctx, "UPDATE reviews SET seq = seq + 1, updated_at = ?2 WHERE id = ?1", &st) != 0)
		return -1;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, now);
	if (run(st) != 0 ||
	    prep(ctx, "INSERT INTO review_events (review_id, seq, at, author, item_id, change) "
		 "SELECT id, seq, ?2, ?3, ?4, ?5 FROM reviews WHERE id = ?1", &st) != 0)
		return -1;
	text = cJSON_PrintUnformatted(change);
	sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, now);
	db_bind_text_or_null(st, 3, author);
	db_bind_text_or_null(st, 4, item_id);
	sqlite3_bind_text(st, 5, text, -1, SQLITE_TRANSIENT);
	rc = run(st);
	free(text);
	return rc;
}

static struct reviewtx tx_of(struct sq *rv)
{
	return (struct reviewtx){ rv->db, tx_status, tx_review, tx_item, tx_put_item,
				  tx_put_review, tx_event };
}

/* ---- the backend ---- */

static int sq_create(struct reviewdb *base, const struct review_start *s, int64_t now,
		     char id[REVIEW_ID_LEN + 1], char *err, size_t errlen)
{
	struct sq *rv = sq_of(base);
	sqlite3_stmt *st = NULL;
	cJSON *change;
	int rc = REVIEWDB_ERROR;

	if (reviewcore_new_id(id, err, errlen) != 0)
		return REVIEWDB_ERROR;
	change = reviewcore_start_change(s);
	pthread_mutex_lock(&rv->lock);
	if (begin(rv->db) != 0 ||
	    prep(rv->db, "INSERT INTO reviews (id, skill, checklist_path, checklist_digest, "
		 "start_items, title, target, author, created_at, updated_at) "
		 "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)", &st) != 0)
		goto out;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, s->skill, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, s->checklist_path, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, s->checklist_digest, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 5, s->start_items, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 6, s->title, -1, SQLITE_TRANSIENT);
	db_bind_text_or_null(st, 7, s->target);
	db_bind_text_or_null(st, 8, s->author);
	sqlite3_bind_int64(st, 9, now);
	if (run(st) == 0 && tx_event(rv->db, id, now, s->author, NULL, change) == 0 &&
	    commit(rv->db) == 0)
		rc = 0;
out:
	if (rc != 0) {
		sql_err(err, errlen, rv->db, "starting a review");
		rollback(rv->db);
	}
	pthread_mutex_unlock(&rv->lock);
	cJSON_Delete(change);
	return rc;
}

static int sq_get(struct reviewdb *base, const char *id, cJSON **out)
{
	struct sq *rv = sq_of(base);
	int rc;

	pthread_mutex_lock(&rv->lock);
	/* One read transaction: the review and its items are one state. */
	sqlite3_exec(rv->db, "BEGIN", NULL, NULL, NULL);
	rc = tx_review(rv->db, id, out) != 0 ? REVIEWDB_ERROR : *out != NULL;
	if (rc == 1 && add_items(rv->db, id, *out) != 0)
		rc = REVIEWDB_ERROR;
	end_read(rv->db);
	pthread_mutex_unlock(&rv->lock);
	if (rc < 0) {
		cJSON_Delete(*out);
		*out = NULL;
	}
	return rc;
}

static int sq_head(struct reviewdb *base, const char *id, cJSON **out)
{
	struct sq *rv = sq_of(base);
	const char *c[HEAD_NCOLS];
	sqlite3_stmt *st;
	int rc = REVIEWDB_ERROR;

	*out = NULL;
	pthread_mutex_lock(&rv->lock);
	if (prep(rv->db, "SELECT " HEAD_COLUMNS " FROM reviews WHERE id = ?1", &st) == 0) {
		sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW) {
			row_text(st, 0, HEAD_NCOLS, c);
			*out = reviewcore_head_json(c);
		}
		rc = rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : REVIEWDB_ERROR;
		sqlite3_finalize(st);
	}
	pthread_mutex_unlock(&rv->lock);
	return rc;
}

static int sq_list(struct reviewdb *base, const struct review_filter *f, cJSON **out)
{
	struct sq *rv = sq_of(base);
	sqlite3_stmt *st = NULL;
	long rows = 0;
	int rc = SQLITE_ERROR;

	*out = cJSON_CreateArray();
	pthread_mutex_lock(&rv->lock);
	sqlite3_exec(rv->db, "BEGIN", NULL, NULL, NULL);
	if (prep(rv->db, "SELECT " REVIEW_COLUMNS " FROM reviews "
		 "WHERE (?1 IS NULL OR skill = ?1) AND (?2 IS NULL OR status = ?2) "
		 "AND (?4 IS NULL OR created_at < ?3 OR (created_at = ?3 AND id > ?4)) "
		 "ORDER BY created_at DESC, id LIMIT ?5", &st) != 0)
		goto out;
	db_bind_text_or_null(st, 1, f->skill);
	db_bind_text_or_null(st, 2, f->status);
	sqlite3_bind_int64(st, 3, f->after_created);
	db_bind_text_or_null(st, 4, f->after_id);
	sqlite3_bind_int64(st, 5, f->limit + 1);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && rows < f->limit) {
		cJSON *o = review_row(st);

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

static int sq_write_items(struct reviewdb *base, const char *id, const struct item_write *w,
			  size_t n, int64_t now, cJSON **results, size_t *failed, char *err,
			  size_t errlen)
{
	struct sq *rv = sq_of(base);
	struct reviewtx tx = tx_of(rv);
	int rc = REVIEWDB_ERROR;

	*results = NULL;
	pthread_mutex_lock(&rv->lock);
	if (begin(rv->db) == 0) {
		rc = reviewcore_write_items(&tx, id, w, n, now, results, failed);
		if (rc == 0 && commit(rv->db) != 0) {
			rc = REVIEWDB_ERROR;
			cJSON_Delete(*results);
			*results = NULL;
		}
	}
	if (rc == REVIEWDB_ERROR)
		sql_err(err, errlen, rv->db, "writing verdicts");
	if (rc != 0)
		rollback(rv->db);
	pthread_mutex_unlock(&rv->lock);
	return rc;
}

static int sq_edit(struct reviewdb *base, const char *id, const struct review_edit *e,
		   int64_t now, char *err, size_t errlen)
{
	struct sq *rv = sq_of(base);
	struct reviewtx tx = tx_of(rv);
	int rc = REVIEWDB_ERROR;

	pthread_mutex_lock(&rv->lock);
	if (begin(rv->db) == 0) {
		rc = reviewcore_edit(&tx, id, e, now);
		if (rc == 0 && commit(rv->db) != 0)
			rc = REVIEWDB_ERROR;
	}
	if (rc == REVIEWDB_ERROR)
		sql_err(err, errlen, rv->db, "changing a review");
	if (rc != 0)
		rollback(rv->db);
	pthread_mutex_unlock(&rv->lock);
	return rc;
}

static int sq_remove(struct reviewdb *base, const char *id, char *err, size_t errlen)
{
	struct sq *rv = sq_of(base);
	sqlite3_stmt *st;
	int rc = REVIEWDB_ERROR;

	pthread_mutex_lock(&rv->lock);
	/* review_items and review_events go with it (ON DELETE CASCADE). */
	if (prep(rv->db, "DELETE FROM reviews WHERE id = ?1", &st) == 0) {
		sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
		if (run(st) == 0)
			rc = sqlite3_changes(rv->db) > 0 ? 0 : REVIEWDB_NOT_FOUND;
	}
	if (rc == REVIEWDB_ERROR)
		sql_err(err, errlen, rv->db, "deleting a review");
	pthread_mutex_unlock(&rv->lock);
	return rc;
}

static int sq_events(struct reviewdb *base, const char *id, int64_t after_seq, long limit,
		     cJSON **out)
{
	struct sq *rv = sq_of(base);
	const char *c[EVENT_NCOLS];
	sqlite3_stmt *st = NULL;
	char status[8];
	int rc;

	*out = NULL;
	pthread_mutex_lock(&rv->lock);
	sqlite3_exec(rv->db, "BEGIN", NULL, NULL, NULL);
	rc = tx_status(rv->db, id, status);
	if (rc <= 0)
		goto out;
	if (prep(rv->db, "SELECT " EVENT_COLUMNS " FROM review_events WHERE review_id = ?1 "
		 "AND seq > ?2 ORDER BY seq LIMIT ?3", &st) != 0) {
		rc = REVIEWDB_ERROR;
		goto out;
	}
	sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, after_seq);
	sqlite3_bind_int64(st, 3, limit);
	*out = cJSON_CreateArray();
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		row_text(st, 0, EVENT_NCOLS, c);
		cJSON_AddItemToArray(*out, reviewcore_event_json(c));
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
	return rc < 0 ? REVIEWDB_ERROR : rc;
}

/* In the order of struct reviewdb_ops. */
static const struct reviewdb_ops sq_ops = {
	"sqlite", sq_close, sq_up, sq_watch, sq_backup, sq_create, sq_get, sq_head, sq_list, sq_write_items,
	sq_edit, sq_remove, sq_events, NULL,
};
