/* SPDX-License-Identifier: MIT */
/*
 * db: the SQLite database. One writer connection (startup and indexing, one
 * thread) and one read-only connection per HTTP worker thread, each with its
 * own prepared statements. Schema changes come only from migrations/NNNN_*.sql
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

/* Process-wide SQLite settings; call before the first connection opens
 * (later calls change nothing). SQLite then keeps no memory statistics:
 * they take one global mutex on every allocation, on which the request
 * threads queue. */
void db_configure_library(void);

/* Opens (creating, with 16 KiB pages) the database for writing, with WAL
 * and foreign keys. 0, or -1 with a message in err. */
int db_open_writer(const char *path, sqlite3 **out, char *err, size_t errlen);

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

/* Statements a reader prepares once; see db_reader_open. */
enum db_stmt {
	STMT_SKILL_LIST,        /* summary_json, slug WHERE slug > ?1 ORDER BY slug LIMIT ?2 */
	STMT_SKILL_COLUMNS,     /* detail, files, checklist, evals, check, digest by slug ?1 */
	STMT_FILE_GET,          /* mime, content, digest, size, is_text by slug ?1, path ?2 */
	STMT_FILE_META,         /* mime, stored, size, is_text of slug ?1's file ?2, from
				 * skills.files_json: seeking in the files table (WITHOUT
				 * ROWID) reads each compared row's whole content */
	STMT_CHECKLIST_LIST,    /* every checklist with its skill */
	STMT_DIAGNOSTICS,       /* every diagnostic */
	STMT_SKILL_COUNT,       /* count(*) of skills */
	STMT_SKILL_PAGE,        /* detail, body_html, toc, checklist, evals by slug ?1 */
	STMT_FILE_PAGE,         /* html, toc, content, mime, digest of slug ?1, path ?2 */
	STMT_SKILL_FILE_OF_KIND,/* path, content, digest of slug ?1's first file of kind ?2 */
	STMT_SKILL_FILES_ALL,   /* path, content of every file of slug ?1, by path */
	STMT_FILE_LIST_ALL,     /* slug, path, mime, size of every file after (slug ?1, path ?2), LIMIT ?3 */
	STMT_GENERATION,        /* the index generation (meta) */
	STMT_COUNT_
};

/* A read-only connection with its prepared statements; one per thread. */
struct db_reader {
	sqlite3 *db;
	sqlite3_stmt *stmt[STMT_COUNT_];
};

/* Opens a read-only reader on path. NULL on failure (message in err).
 * Free with db_reader_close. */
struct db_reader *db_reader_open(const char *path, char *err, size_t errlen);
void db_reader_close(struct db_reader *r);

/* Starts a read transaction: every statement until db_reader_end sees one
 * snapshot of the index, so a request never mixes two generations while a
 * reload commits. Sets *generation (0 when the index has none yet). 0, or -1
 * (no transaction is open then). */
int db_reader_begin(struct db_reader *r, int64_t *generation);
/* Resets every statement and ends the read transaction. */
void db_reader_end(struct db_reader *r);

/* The reader's statement, reset and with bindings cleared, ready to bind. */
sqlite3_stmt *db_reader_stmt(struct db_reader *r, enum db_stmt which);

#endif
