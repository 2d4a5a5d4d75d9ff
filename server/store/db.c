/* SPDX-License-Identifier: MIT */
/*
 * db: opening SQLite for writing, migrations and checkpoints. The request
 * threads' read connections and their statements are the store's
 * (store.c).
 */
#include "skilld/store/db.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "skilld/store/fts.h"
#include "skilld/base/assets.h"
#include "skilld/base/util.h"

static void set_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static int migration_cmp(const void *a, const void *b)
{
	const struct migration *x = a, *y = b;

	return (x->version > y->version) - (x->version < y->version);
}

/* Version from a name of the form NNNN_something.sql, or -1. */
static int migration_version(const char *name)
{
	int v = 0, digits = 0;

	for (; name[digits] >= '0' && name[digits] <= '9'; digits++) {
		if (digits >= 6)
			return -1;
		v = v * 10 + (name[digits] - '0');
	}
	if (digits != 4 || name[4] != '_' || !str_has_suffix(name, ".sql"))
		return -1;
	return v;
}

/* Sorts the set and checks that versions run 1, 2, ... without gaps. */
static int migration_set_check(struct migration_set *out, const char *where, char *err,
			       size_t errlen)
{
	if (out->len == 0) {
		set_err(err, errlen, "no migrations (NNNN_name.sql) found in %s", where);
		return -1;
	}
	qsort(out->items, out->len, sizeof(*out->items), migration_cmp);
	for (size_t i = 0; i < out->len; i++) {
		if (out->items[i].version != (int)i + 1) {
			set_err(err, errlen, "migration %s: expected version %04zu (versions must run 0001, 0002, ... without gaps or repeats)",
				out->items[i].name, i + 1);
			return -1;
		}
	}
	return 0;
}

extern const struct asset migrations_table[];
extern const size_t migrations_table_len;
extern const struct asset review_migrations_table[];
extern const size_t review_migrations_table_len;
extern const struct asset review_pg_migrations_table[];
extern const size_t review_pg_migrations_table_len;

/* A set from a table tools/embed made, checked like a folder's. */
static int set_from_table(const struct asset *table, size_t n, const char *where,
			  struct migration_set *out, char *err, size_t errlen)
{
	out->items = xcalloc(n ? n : 1, sizeof(*out->items));
	out->len = 0;
	for (size_t i = 0; i < n; i++) {
		const struct asset *a = &table[i];
		int v = migration_version(a->name);

		if (v < 0)
			continue;
		out->items[out->len++] = (struct migration){ v, xstrdup(a->name),
							     xstrndup((const char *)a->data, a->len) };
	}
	if (migration_set_check(out, where, err, errlen) != 0) {
		migration_set_fini(out);
		return -1;
	}
	return 0;
}

int migration_set_builtin(struct migration_set *out, char *err, size_t errlen)
{
	return set_from_table(migrations_table, migrations_table_len, "the built-in migrations",
			      out, err, errlen);
}

int migration_set_builtin_reviews(struct migration_set *out, char *err, size_t errlen)
{
	return set_from_table(review_migrations_table, review_migrations_table_len,
			      "the built-in review migrations", out, err, errlen);
}

int migration_set_builtin_reviews_pg(struct migration_set *out, char *err, size_t errlen)
{
	return set_from_table(review_pg_migrations_table, review_pg_migrations_table_len,
			      "the built-in PostgreSQL review migrations", out, err, errlen);
}

int migration_set_load(const char *dir, struct migration_set *out, char *err, size_t errlen)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t cap = 0;

	out->items = NULL;
	out->len = 0;
	if (!d) {
		set_err(err, errlen, "cannot open migrations folder %s: %s", dir, strerror(errno));
		return -1;
	}
	while ((e = readdir(d)) != NULL) {
		int v = migration_version(e->d_name);
		char *path, *sql;
		size_t len;

		if (v < 0)
			continue;
		path = xasprintf("%s/%s", dir, e->d_name);
		if (read_file_all(path, 16u << 20, &sql, &len) != 0) {
			set_err(err, errlen, "cannot read migration %s: %s", path, strerror(errno));
			free(path);
			goto fail;
		}
		free(path);
		if (out->len == cap) {
			cap = cap ? cap * 2 : 8;
			out->items = xrealloc(out->items, cap * sizeof(*out->items));
		}
		out->items[out->len++] = (struct migration){ v, xstrdup(e->d_name), sql };
	}
	closedir(d);
	d = NULL;
	if (migration_set_check(out, dir, err, errlen) != 0)
		goto fail;
	return 0;
fail:
	if (d)
		closedir(d);
	migration_set_fini(out);
	return -1;
}

void migration_set_fini(struct migration_set *s)
{
	for (size_t i = 0; i < s->len; i++) {
		free(s->items[i].name);
		free(s->items[i].sql);
	}
	free(s->items);
	s->items = NULL;
	s->len = 0;
}

void db_configure_library(void)
{
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

#define DB_PAGE_SIZE "16384"

int db_open_writer(const char *path, sqlite3 **out, char *err, size_t errlen)
{
	sqlite3 *db = NULL;
	char *msg = NULL;
	int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
				 SQLITE_OPEN_NOMUTEX, NULL);

	if (rc != SQLITE_OK) {
		set_err(err, errlen, "cannot open database %s: %s", path,
			db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
		sqlite3_close(db);
		return -1;
	}
	sqlite3_busy_timeout(db, 5000);
	if (fts_register(db, err, errlen) != 0) {
		sqlite3_close(db);
		return -1;
	}
	/* 16 KiB pages for a database this creates (an existing one keeps its
	 * own): the index is mostly large blobs, and with 4 KiB pages writing
	 * it was four times the page writes (1,000 skills: 8.5-9.0 s -> 7.2 s;
	 * 64 KiB was faster still but made searches slower). */
	sqlite3_exec(db, "PRAGMA page_size=" DB_PAGE_SIZE, NULL, NULL, NULL);
	rc = sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; "
			  "PRAGMA synchronous=NORMAL;", NULL, NULL, &msg);
	if (rc != SQLITE_OK) {
		set_err(err, errlen, "cannot configure database %s: %s", path, msg ? msg : "");
		sqlite3_free(msg);
		sqlite3_close(db);
		return -1;
	}
	*out = db;
	return 0;
}

void db_defer_checkpoint(sqlite3 *db)
{
	sqlite3_wal_autocheckpoint(db, 0);
	sqlite3_db_config(db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
}

int db_checkpoint(const char *path, int *pages, bool *all, char *err, size_t errlen)
{
	sqlite3 *db = NULL;
	int rc, log = 0, done = 0;

	*pages = 0;
	*all = false;
	if (db_open_writer(path, &db, err, errlen) != 0)
		return -1;
	/* PASSIVE copies (and counts) the frames without waiting for anyone
	 * and without the writer lock. TRUNCATE then empties the file, but
	 * only when no reader uses the WAL right now: waiting, it would hold
	 * the writer lock, and a re-index would wait behind it. Otherwise the
	 * WAL keeps its size and the next index writes it over from its
	 * start. */
	rc = sqlite3_wal_checkpoint_v2(db, NULL, SQLITE_CHECKPOINT_PASSIVE, &log, &done);
	if (rc == SQLITE_OK) {
		*pages = done;
		*all = done >= log;
		sqlite3_busy_timeout(db, 0);
		rc = sqlite3_wal_checkpoint_v2(db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
		if (rc == SQLITE_OK)
			*all = true; /* the readers left in between */
		else if (rc == SQLITE_BUSY)
			rc = SQLITE_OK;
	}
	if (rc != SQLITE_OK)
		set_err(err, errlen, "cannot checkpoint %s: %s", path, sqlite3_errmsg(db));
	sqlite3_close(db);
	return rc == SQLITE_OK ? 0 : -1;
}

int db_user_version(sqlite3 *db)
{
	sqlite3_stmt *st = NULL;
	int v = -1;

	if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

int db_migrate(sqlite3 *db, const struct migration_set *set, char *err, size_t errlen)
{
	int current = db_user_version(db);
	int latest = set->len ? set->items[set->len - 1].version : 0;

	if (current < 0) {
		set_err(err, errlen, "cannot read the schema version: %s", sqlite3_errmsg(db));
		return -1;
	}
	if (current > latest) {
		set_err(err, errlen, "database schema version %d is newer than this skilld (%d); "
			"use a newer skilld or a fresh --db", current, latest);
		return -1;
	}
	for (size_t i = 0; i < set->len; i++) {
		const struct migration *m = &set->items[i];
		char *msg = NULL;
		char *sql;
		int rc;

		if (m->version <= current)
			continue;
		sql = sqlite3_mprintf("BEGIN IMMEDIATE;\n%s\n;PRAGMA user_version=%d;COMMIT;",
				      m->sql, m->version);
		rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
		sqlite3_free(sql);
		if (rc != SQLITE_OK) {
			set_err(err, errlen, "migration %s failed: %s", m->name,
				msg ? msg : sqlite3_errmsg(db));
			sqlite3_free(msg);
			if (!sqlite3_get_autocommit(db))
				sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
			return -1;
		}
	}
	return 0;
}

void db_close(sqlite3 *db)
{
	sqlite3_close(db);
}

void db_bind_text_or_null(sqlite3_stmt *st, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}
