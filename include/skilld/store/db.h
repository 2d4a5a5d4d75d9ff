/* SPDX-License-Identifier: MIT */
/*
 * db: the SQLite database's writer side. One writer connection (startup and
 * indexing, one thread); the request threads read through the store
 * (store.h). Schema changes come only from migrations/NNNN_*.sql
 * files, applied in order, one transaction each, tracked by
 * PRAGMA user_version.
 */
#ifndef SKILLD_DB_H
#define SKILLD_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

struct migration {
	int version;   /* NNNN of the file name */
	char *name;    /* file name, e.g. "0001_initial.sql" */
	char *sql;
};

struct migration_set {
	struct migration *items;  /* sorted by version */
	size_t len;
};

/* Loads every NNNN_*.sql of dir. 0, or -1 with a message in err (a gap or
 * duplicate version, an unreadable file). Release with migration_set_fini. */
int migration_set_load(const char *dir, struct migration_set *out, char *err, size_t errlen);
void migration_set_fini(struct migration_set *s);

/* The migrations built into the binary from migrations/ (see tools/embed),
 * checked like migration_set_load checks a folder. */
int migration_set_builtin(struct migration_set *out, char *err, size_t errlen);
/* The reviews database's migrations (migrations/reviews/), likewise. */
int migration_set_builtin_reviews(struct migration_set *out, char *err, size_t errlen);
/* A PostgreSQL review store's (migrations/reviews-pg/), likewise. */
int migration_set_builtin_reviews_pg(struct migration_set *out, char *err, size_t errlen);

/* Process-wide SQLite settings; call before the first connection opens
 * (later calls change nothing). SQLite then keeps no memory statistics:
 * they take one global mutex on every allocation, on which the request
 * threads queue. */
void db_configure_library(void);

/* Opens (creating, with 16 KiB pages) the database for writing, with WAL
 * and foreign keys. 0, or -1 with a message in err. */
int db_open_writer(const char *path, sqlite3 **out, char *err, size_t errlen);

/* Binds s to parameter i of st, or NULL when s is NULL. s is not copied:
 * it must outlive the statement's next step. */
void db_bind_text_or_null(sqlite3_stmt *st, int i, const char *s);

/* Closes a connection db_open_writer opened (NULL: nothing). */
void db_close(sqlite3 *db);

/* Leaves checkpointing to db_checkpoint: the writer db neither checkpoints
 * after a commit nor when it closes, so a large transaction's commit ends
 * once its pages are in the WAL (readers read them from there). */
void db_defer_checkpoint(sqlite3 *db);

/* Copies the WAL of path's database into the database file, and empties
 * the WAL file when no reader uses it (without waiting). 0 with *pages
 * (the WAL's frames now in the database file) and *all (false: a reader on
 * an older snapshot kept some frames from being copied), or -1 with a
 * message in err. */
int db_checkpoint(const char *path, int *pages, bool *all, char *err, size_t errlen);

/* Applies the migrations above PRAGMA user_version, each in its own
 * transaction that also sets user_version. On failure rolls that one back
 * (the database stays at the previous version) and returns -1 with
 * "<file>: <sqlite message>" in err. A database newer than every migration
 * is an error too. */
int db_migrate(sqlite3 *db, const struct migration_set *set, char *err, size_t errlen);

/* PRAGMA user_version, or -1 on error. */
int db_user_version(sqlite3 *db);

#endif
