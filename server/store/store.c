/* SPDX-License-Identifier: MIT */
/*
 * store: the request threads' reads of the index. Each thread's reader is
 * a read-only connection with the statements below prepared once; a read
 * binds, steps and points the caller's struct at the row's columns, which
 * stay valid until that statement is reset (the next read that uses it,
 * or store_reader_end). Nothing here is shared between threads but the
 * struct store, which after store_new only hands out thread-local readers
 * and an atomic generation.
 */
#include "skilld/store/store.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "skilld/store/fts.h"
#include "skilld/store/pack.h"
#include "skilld/base/util.h"

/* A skill holds every word of the JSON array ?1 (NULL: no words) in its
 * name, description or slug, ASCII case folded (browse_words). */
#define BROWSE_WORDS_MATCH \
	"(?1 IS NULL OR NOT EXISTS (SELECT 1 FROM json_each(?1) w WHERE instr(lower(coalesce(name, " \
	"'') || ' ' || coalesce(description, '') || ' ' || slug), w.value) = 0))"

enum stmt {
	STMT_SKILL_LIST,
	STMT_SKILL_GET,
	STMT_SKILL_PAGE,
	STMT_FILE_GET,
	STMT_FILE_META,
	STMT_FILE_PAGE,
	STMT_FILE_OF_KIND,
	STMT_SKILL_FILES,
	STMT_FILE_LIST,
	STMT_CHECKLIST_LIST,
	STMT_CHECKLIST_GET,
	STMT_DIAGNOSTICS,
	STMT_SKILL_COUNT,
	STMT_RECENT,
	STMT_BROWSE_CELLS,
	STMT_BROWSE_CELLS_ALL,
	STMT_BROWSE_PAGE,
	STMT_CHECKLIST_ITEMS,
	STMT_GENERATION,
	STMT_PACK_DICT,
	STMT_COUNT_
};

static const char *const reader_sql[STMT_COUNT_] = {
	[STMT_SKILL_LIST] =
		"SELECT slug, summary_json FROM skills WHERE slug > ?1 ORDER BY slug LIMIT ?2",
	[STMT_SKILL_GET] =
		"SELECT detail_json, files_json, checklist_json, evals_json, check_json, digest "
		"FROM skills WHERE slug = ?1",
	[STMT_SKILL_PAGE] =
		"SELECT detail_json, checklist_json, evals_json FROM skills WHERE slug = ?1",
	[STMT_FILE_GET] =
		"SELECT f.path, f.mime, f.content, f.digest, f.size, f.is_text FROM files f "
		"JOIN skills s ON s.id = f.skill_id WHERE s.slug = ?1 AND f.path = ?2",
	/* From skills.files_json, one row read: no file's bytes. */
	[STMT_FILE_META] =
		"SELECT j.value ->> 'path', j.value ->> 'mime', j.value ->> 'stored', "
		"j.value ->> 'size', j.value ->> 'text' FROM skills s, json_each(s.files_json) j "
		"WHERE s.slug = ?1 AND j.value ->> 'path' = ?2",
	[STMT_FILE_PAGE] =
		"SELECT f.path, f.is_text, f.content, f.mime, f.digest FROM files f "
		"JOIN skills s ON s.id = f.skill_id WHERE s.slug = ?1 AND f.path = ?2",
	[STMT_FILE_OF_KIND] =
		"SELECT f.path, f.content, f.digest FROM files f JOIN skills s ON s.id = f.skill_id "
		"WHERE s.slug = ?1 AND f.kind = ?2 ORDER BY f.path LIMIT 1",
	[STMT_SKILL_FILES] =
		"SELECT f.path, f.content FROM files f JOIN skills s ON s.id = f.skill_id "
		"WHERE s.slug = ?1 ORDER BY f.path",
	[STMT_FILE_LIST] =
		"SELECT s.slug, f.path, f.mime, f.size FROM files f JOIN skills s ON s.id = f.skill_id "
		"WHERE (s.slug, f.path) > (?1, ?2) ORDER BY s.slug, f.path LIMIT ?3",
	[STMT_CHECKLIST_LIST] =
		"SELECT s.slug, s.name, c.path, c.title, c.item_count, c.digest, c.is_primary "
		"FROM checklists c JOIN skills s ON s.id = c.skill_id ORDER BY s.slug, c.path",
	[STMT_CHECKLIST_GET] =
		"SELECT s.slug, s.name, c.path, c.title, c.item_count, c.digest, c.is_primary "
		"FROM checklists c JOIN skills s ON s.id = c.skill_id "
		"WHERE s.slug = ?1 AND (c.path = ?2 OR (?2 IS NULL AND c.is_primary))",
	[STMT_DIAGNOSTICS] =
		"SELECT d.severity, d.code, d.message, d.root, d.path, d.line, d.col, s.slug "
		"FROM diagnostics d LEFT JOIN skills s ON s.id = d.skill_id "
		"ORDER BY " STORE_DIAGNOSTICS_ORDER("d."),
	[STMT_SKILL_COUNT] = "SELECT count(*) FROM skills",
	[STMT_RECENT] = "SELECT slug, summary_json FROM skills ORDER BY updated DESC, slug LIMIT ?1",
	/* ?1 the words (browse_words), ?2 root, ?3 tier, ?4 checklist, ?5
	 * evals, ?6 offset, ?7 limit: every column read but summary_json is
	 * in skills_browse (migration 0010), so only the rows of the page
	 * reach the table */
	[STMT_BROWSE_CELLS] =
		"SELECT root_index, root, tier, has_checklist, has_evals, count(*) "
		"FROM skills INDEXED BY skills_browse WHERE " BROWSE_WORDS_MATCH " "
		"GROUP BY root_index, root, tier, has_checklist, has_evals "
		"ORDER BY root_index, root, tier, has_checklist, has_evals",
	/* without words: the small index of these columns alone */
	[STMT_BROWSE_CELLS_ALL] =
		"SELECT root_index, root, tier, has_checklist, has_evals, count(*) "
		"FROM skills INDEXED BY skills_facets "
		"GROUP BY root_index, root, tier, has_checklist, has_evals "
		"ORDER BY root_index, root, tier, has_checklist, has_evals",
	[STMT_BROWSE_PAGE] =
		"SELECT slug, summary_json FROM skills INDEXED BY skills_browse WHERE "
		BROWSE_WORDS_MATCH " AND (?2 IS NULL OR root = ?2) "
		"AND (?3 IS NULL OR coalesce(tier, 'none') = ?3) "
		"AND (?4 < 0 OR has_checklist = ?4) AND (?5 < 0 OR has_evals = ?5) "
		"ORDER BY root_index, root, slug LIMIT ?7 OFFSET ?6",
	[STMT_CHECKLIST_ITEMS] = "SELECT coalesce(sum(item_count), 0) FROM checklists WHERE is_primary",
	[STMT_GENERATION] = "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'generation'",
	[STMT_PACK_DICT] = FTS_DICT_SQL,
};

/* Most packed columns one read gives out at once (store_skill_get). */
#define UNPACKED_SLOTS 4
/* An unpacked buffer larger than this is let go when its statement is
 * used again, so that a thread does not keep its largest file forever. */
#define UNPACKED_KEEP ((size_t)1 << 20)

struct store_reader {
	sqlite3 *db;
	sqlite3_stmt *stmt[STMT_COUNT_];
	/* The packed columns (pack.h) each statement's last read gave out,
	 * unpacked: they live as long as the row's other values, until the
	 * statement is used again (the borrowing contract of store.h). */
	struct pack_ctx *pack;
	struct buf unpacked[STMT_COUNT_][UNPACKED_SLOTS];
	bool corrupt;           /* the last read met a value it cannot unpack */
	/* store_reader_stmt's, keyed by the address of their SQL */
	const char *own_sql[STORE_READER_STMTS];
	sqlite3_stmt *own[STORE_READER_STMTS];
	/* store_reader_data's, keyed by address */
	struct {
		const void *key;
		void *data;
		void (*free_fn)(void *);
	} data[STORE_READER_DATA];
};

struct store {
	char *path;
	struct logger *log;
	pthread_key_t key;
	atomic_llong generation;
};

/* ---- connections ---- */

static void reader_destroy(void *p)
{
	store_reader_close(p);
}

struct store *store_new(const char *path, struct logger *log)
{
	struct store *s = xcalloc(1, sizeof(*s));

	if (pthread_key_create(&s->key, reader_destroy) != 0) {
		free(s);
		return NULL;
	}
	s->path = xstrdup(path);
	s->log = log;
	atomic_init(&s->generation, 0);
	return s;
}

void store_free(struct store *s)
{
	if (!s)
		return;
	store_reader_close(pthread_getspecific(s->key));
	pthread_setspecific(s->key, NULL);
	pthread_key_delete(s->key);
	free(s->path);
	free(s);
}

struct store_reader *store_reader(struct store *s)
{
	struct store_reader *r = pthread_getspecific(s->key);
	char err[256];

	if (r)
		return r;
	r = store_reader_open(s->path, err, sizeof(err));
	if (!r) {
		log_msg(s->log, LOG_ERROR, "%s", err);
		return NULL;
	}
	pthread_setspecific(s->key, r);
	return r;
}

int64_t store_generation(const struct store *s)
{
	return atomic_load(&((struct store *)s)->generation);
}

void store_set_generation(struct store *s, int64_t generation)
{
	atomic_store(&s->generation, generation);
}

/* The packing dictionary of id, from the reader's snapshot (pack.h's
 * pack_dict_fn). */
static int reader_dict(void *arg, uint32_t id, struct buf *out)
{
	return fts_read_dict(((struct store_reader *)arg)->stmt[STMT_PACK_DICT], id, out);
}

struct store_reader *store_reader_open(const char *path, char *err, size_t errlen)
{
	struct store_reader *r = xcalloc(1, sizeof(*r));
	int rc = sqlite3_open_v2(path, &r->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL);

	r->pack = pack_ctx_new();
	pack_ctx_dicts(r->pack, reader_dict, r);
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "cannot open database %s read-only: %s", path,
			 r->db ? sqlite3_errmsg(r->db) : sqlite3_errstr(rc));
		goto fail;
	}
	sqlite3_busy_timeout(r->db, 5000);
	if (fts_register(r->db, err, errlen) != 0)
		goto fail;
	for (int i = 0; i < STMT_COUNT_; i++) {
		if (sqlite3_prepare_v3(r->db, reader_sql[i], -1, SQLITE_PREPARE_PERSISTENT,
				       &r->stmt[i], NULL) != SQLITE_OK) {
			snprintf(err, errlen, "cannot prepare statement %d: %s", i,
				 sqlite3_errmsg(r->db));
			goto fail;
		}
	}
	return r;
fail:
	store_reader_close(r);
	return NULL;
}

void store_reader_close(struct store_reader *r)
{
	if (!r)
		return;
	for (int i = 0; i < STMT_COUNT_; i++)
		sqlite3_finalize(r->stmt[i]);
	for (int i = 0; i < STORE_READER_STMTS; i++)
		sqlite3_finalize(r->own[i]);
	for (int i = 0; i < STORE_READER_DATA && r->data[i].key; i++)
		r->data[i].free_fn(r->data[i].data);
	sqlite3_close(r->db);
	pack_ctx_free(r->pack);
	for (int i = 0; i < STMT_COUNT_; i++)
		for (int k = 0; k < UNPACKED_SLOTS; k++)
			buf_fini(&r->unpacked[i][k]);
	free(r);
}

/* The statement, reset and with its bindings cleared, ready to bind: the
 * values the previous read of it gave out die here. */
static sqlite3_stmt *stmt(struct store_reader *r, enum stmt which)
{
	sqlite3_stmt *st = r->stmt[which];

	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	r->corrupt = false;
	for (int k = 0; k < UNPACKED_SLOTS; k++)
		if (r->unpacked[which][k].cap > UNPACKED_KEEP)
			buf_fini(&r->unpacked[which][k]);
	return st;
}

int store_reader_begin(struct store_reader *r, int64_t *generation)
{
	sqlite3_stmt *st;
	int rc;

	*generation = 0;
	if (sqlite3_exec(r->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		return -1;
	/* The first read takes the snapshot. */
	st = stmt(r, STMT_GENERATION);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*generation = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		sqlite3_exec(r->db, "ROLLBACK", NULL, NULL, NULL);
		return -1;
	}
	return 0;
}

void store_reader_end(struct store_reader *r)
{
	for (int i = 0; i < STMT_COUNT_; i++)
		sqlite3_reset(r->stmt[i]);
	for (int i = 0; i < STORE_READER_STMTS && r->own[i]; i++)
		sqlite3_reset(r->own[i]);
	if (!sqlite3_get_autocommit(r->db))
		sqlite3_exec(r->db, "COMMIT", NULL, NULL, NULL);
}

const char *store_errmsg(struct store_reader *r)
{
	if (r->corrupt)
		return "a value in the index cannot be unpacked (a corrupt index? rebuild it)";
	return sqlite3_errmsg(r->db);
}

sqlite3_stmt *store_reader_stmt(struct store_reader *r, const char *sql)
{
	int i = 0;

	for (; i < STORE_READER_STMTS && r->own[i]; i++) {
		if (r->own_sql[i] == sql) {
			sqlite3_reset(r->own[i]);
			sqlite3_clear_bindings(r->own[i]);
			return r->own[i];
		}
	}
	if (i == STORE_READER_STMTS ||
	    sqlite3_prepare_v3(r->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &r->own[i], NULL) != SQLITE_OK)
		return NULL;
	r->own_sql[i] = sql;
	return r->own[i];
}

void *store_reader_data(struct store_reader *r, const void *key, void *(*make)(void),
			void (*free_fn)(void *))
{
	int i = 0;

	for (; i < STORE_READER_DATA && r->data[i].key; i++)
		if (r->data[i].key == key)
			return r->data[i].data;
	if (i == STORE_READER_DATA)
		return NULL;
	r->data[i].key = key;
	r->data[i].data = make();
	r->data[i].free_fn = free_fn;
	return r->data[i].data;
}

int64_t store_reader_generation(struct store_reader *r)
{
	sqlite3_stmt *st = stmt(r, STMT_GENERATION);
	int64_t g = 0;
	int rc = sqlite3_step(st);

	if (rc == SQLITE_ROW)
		g = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? g : -1;
}

sqlite3 *store_reader_db(struct store_reader *r)
{
	return r->db;
}

/* ---- columns ---- */

/* Column col as bytes: text for text columns, the blob's bytes for blobs
 * (a zero-length blob is a present, empty value, never NULL). */
static struct store_bytes col_bytes(sqlite3_stmt *st, int col)
{
	struct store_bytes b = { NULL, 0 };

	switch (sqlite3_column_type(st, col)) {
	case SQLITE_NULL:
		break;
	case SQLITE_BLOB:
		b.p = sqlite3_column_blob(st, col);
		b.len = (size_t)sqlite3_column_bytes(st, col);
		if (!b.p)
			b.p = "";
		break;
	default:
		b.p = (const char *)sqlite3_column_text(st, col);
		b.len = (size_t)sqlite3_column_bytes(st, col);
		break;
	}
	return b;
}

/* Packed column col (pack.h) of statement which, unpacked into slot
 * (each value a read gives out has its own): NULL stays NULL. 0, or -1
 * when it cannot be unpacked (r->corrupt set: store_errmsg says so). */
static int col_packed(struct store_reader *r, enum stmt which, int col, int slot,
		      struct store_bytes *out)
{
	sqlite3_stmt *st = r->stmt[which];
	struct buf *b = &r->unpacked[which][slot];

	*out = (struct store_bytes){ NULL, 0 };
	if (sqlite3_column_type(st, col) == SQLITE_NULL)
		return 0;
	if (unpack_bytes(r->pack, sqlite3_column_blob(st, col), (size_t)sqlite3_column_bytes(st, col),
		   b) != 0) {
		r->corrupt = true;
		return -1;
	}
	*out = (struct store_bytes){ b->data, b->len };
	return 0;
}

static const char *col_text(sqlite3_stmt *st, int col)
{
	return (const char *)sqlite3_column_text(st, col);
}

/* Binds slug (and path, when not NULL) and steps: 1, 0 or -1. Bindings
 * are copies (SQLITE_TRANSIENT): the statement outlives the call, and the
 * caller's strings may not. */
static int step_one(sqlite3_stmt *st, const char *a, const char *b)
{
	int rc;

	sqlite3_bind_text(st, 1, a, -1, SQLITE_TRANSIENT);
	if (b)
		sqlite3_bind_text(st, 2, b, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

/* After a loop of steps: 0 when it ended well, -1 when not. */
static int loop_end(int rc)
{
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : -1;
}

/* ---- skills ---- */

int store_skill_get(struct store_reader *r, const char *slug, struct store_skill *out)
{
	sqlite3_stmt *st = stmt(r, STMT_SKILL_GET);
	int rc = step_one(st, slug, NULL);

	if (rc == 1) {
		out->files = col_bytes(st, 1);
		out->digest = col_bytes(st, 5);
		if (col_packed(r, STMT_SKILL_GET, 0, 0, &out->detail) != 0 ||
		    col_packed(r, STMT_SKILL_GET, 2, 1, &out->checklist) != 0 ||
		    col_packed(r, STMT_SKILL_GET, 3, 2, &out->evals) != 0 ||
		    col_packed(r, STMT_SKILL_GET, 4, 3, &out->check) != 0)
			return -1;
	}
	return rc;
}

int store_skill_page_get(struct store_reader *r, const char *slug, struct store_skill_page *out)
{
	sqlite3_stmt *st = stmt(r, STMT_SKILL_PAGE);
	int rc = step_one(st, slug, NULL);

	if (rc == 1 && (col_packed(r, STMT_SKILL_PAGE, 0, 0, &out->detail) != 0 ||
			col_packed(r, STMT_SKILL_PAGE, 1, 1, &out->checklist) != 0 ||
			col_packed(r, STMT_SKILL_PAGE, 2, 2, &out->evals) != 0))
		return -1;
	return rc;
}

int store_skills_page(struct store_reader *r, const char *after, long limit, store_skill_fn fn,
		      void *ctx)
{
	sqlite3_stmt *st = stmt(r, STMT_SKILL_LIST);
	long rows = 0;
	int rc;

	sqlite3_bind_text(st, 1, after ? after : "", -1, SQLITE_TRANSIENT);
	/* One more than asked: whether another page follows. */
	sqlite3_bind_int64(st, 2, limit < 0 ? -1 : (sqlite3_int64)limit + 1);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (limit >= 0 && rows == limit)
			break;
		rows++;
		if (fn(ctx, col_text(st, 0), col_bytes(st, 1)) != 0) {
			rc = SQLITE_DONE;
			break;
		}
	}
	if (loop_end(rc) != 0)
		return -1;
	return rc == SQLITE_ROW;
}

int store_recent(struct store_reader *r, long limit, store_skill_fn fn, void *ctx)
{
	sqlite3_stmt *st = stmt(r, STMT_RECENT);
	int rc;

	sqlite3_bind_int64(st, 1, limit);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (fn(ctx, col_text(st, 0), col_bytes(st, 1)) != 0)
			return 0;
	return loop_end(rc);
}

long store_skill_count(struct store_reader *r)
{
	sqlite3_stmt *st = stmt(r, STMT_SKILL_COUNT);

	return sqlite3_step(st) == SQLITE_ROW ? (long)sqlite3_column_int64(st, 0) : -1;
}

/* ---- files ---- */

int store_file_get(struct store_reader *r, const char *slug, const char *path,
		   struct store_file *out)
{
	sqlite3_stmt *st = stmt(r, STMT_FILE_GET);
	int rc = step_one(st, slug, path);

	if (rc == 1) {
		*out = (struct store_file){
			.path = col_bytes(st, 0),
			.mime = col_bytes(st, 1),
			.digest = col_bytes(st, 3),
			.size = sqlite3_column_int64(st, 4),
			.is_text = sqlite3_column_int(st, 5) != 0,
		};
		if (col_packed(r, STMT_FILE_GET, 2, 0, &out->content) != 0)
			return -1;
	}
	return rc;
}

int store_file_meta(struct store_reader *r, const char *slug, const char *path,
		    struct store_file *out)
{
	sqlite3_stmt *st = stmt(r, STMT_FILE_META);
	int rc = step_one(st, slug, path);

	if (rc == 1) {
		*out = (struct store_file){
			.path = col_bytes(st, 0),
			.mime = col_bytes(st, 1),
			.content = { sqlite3_column_int(st, 2) ? "" : NULL, 0 },
			.size = sqlite3_column_int64(st, 3),
			.is_text = sqlite3_column_int(st, 4) != 0,
		};
	}
	return rc;
}

int store_file_page_get(struct store_reader *r, const char *slug, const char *path,
			struct store_file *out)
{
	sqlite3_stmt *st = stmt(r, STMT_FILE_PAGE);
	int rc = step_one(st, slug, path);

	if (rc == 1) {
		*out = (struct store_file){
			.path = col_bytes(st, 0),
			.is_text = sqlite3_column_int(st, 1) != 0,
			.mime = col_bytes(st, 3),
			.digest = col_bytes(st, 4),
		};
		if (col_packed(r, STMT_FILE_PAGE, 2, 0, &out->content) != 0)
			return -1;
	}
	return rc;
}

int store_file_of_kind(struct store_reader *r, const char *slug, const char *kind,
		       struct store_file *out)
{
	sqlite3_stmt *st = stmt(r, STMT_FILE_OF_KIND);
	int rc = step_one(st, slug, kind);

	if (rc == 1) {
		*out = (struct store_file){
			.path = col_bytes(st, 0),
			.digest = col_bytes(st, 2),
		};
		if (col_packed(r, STMT_FILE_OF_KIND, 1, 0, &out->content) != 0)
			return -1;
	}
	return rc;
}

int store_skill_files(struct store_reader *r, const char *slug, store_file_fn fn, void *ctx)
{
	sqlite3_stmt *st = stmt(r, STMT_SKILL_FILES);
	int rc;

	sqlite3_bind_text(st, 1, slug, -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_file f = { .path = col_bytes(st, 0) };

		if (col_packed(r, STMT_SKILL_FILES, 1, 0, &f.content) != 0)
			return -1;
		if (fn(ctx, slug, &f) != 0)
			break;
	}
	return loop_end(rc);
}

int store_files_page(struct store_reader *r, const char *after_slug, const char *after_path,
		     long limit, store_file_fn fn, void *ctx)
{
	sqlite3_stmt *st = stmt(r, STMT_FILE_LIST);
	long rows = 0;
	int rc;

	sqlite3_bind_text(st, 1, after_slug ? after_slug : "", -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, after_path ? after_path : "", -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 3, limit < 0 ? -1 : (sqlite3_int64)limit + 1);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_file f;

		if (limit >= 0 && rows == limit)
			break;
		rows++;
		f = (struct store_file){
			.path = col_bytes(st, 1),
			.mime = col_bytes(st, 2),
			.size = sqlite3_column_int64(st, 3),
		};
		if (fn(ctx, col_text(st, 0), &f) != 0) {
			rc = SQLITE_DONE;
			break;
		}
	}
	if (loop_end(rc) != 0)
		return -1;
	return rc == SQLITE_ROW;
}

/* ---- checklists and diagnostics ---- */

/* The checklist of the row at st. */
static struct store_checklist checklist_row(sqlite3_stmt *st)
{
	return (struct store_checklist){
		.slug = col_text(st, 0),
		.name = col_text(st, 1),
		.path = col_text(st, 2),
		.title = col_text(st, 3),
		.items = sqlite3_column_int(st, 4),
		.digest = col_text(st, 5),
		.primary = sqlite3_column_int(st, 6) != 0,
	};
}

int store_checklists(struct store_reader *r, store_checklist_fn fn, void *ctx)
{
	sqlite3_stmt *st = stmt(r, STMT_CHECKLIST_LIST);
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_checklist c = checklist_row(st);

		if (fn(ctx, &c) != 0)
			break;
	}
	return loop_end(rc);
}

int store_checklist_get(struct store_reader *r, const char *slug, const char *path,
			struct store_checklist *out)
{
	sqlite3_stmt *st = stmt(r, STMT_CHECKLIST_GET);
	int rc;

	sqlite3_bind_text(st, 1, slug, -1, SQLITE_TRANSIENT);
	if (path)
		sqlite3_bind_text(st, 2, path, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*out = checklist_row(st);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

int store_diagnostics(struct store_reader *r, store_diagnostic_fn fn, void *ctx)
{
	sqlite3_stmt *st = stmt(r, STMT_DIAGNOSTICS);
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_diagnostic d = {
			.severity = col_text(st, 0),
			.code = col_text(st, 1),
			.message = col_text(st, 2),
			.root = col_text(st, 3),
			.path = col_text(st, 4),
			.line = sqlite3_column_int(st, 5),
			.column = sqlite3_column_int(st, 6),
			.skill = col_text(st, 7),
		};

		if (fn(ctx, &d) != 0)
			break;
	}
	return loop_end(rc);
}

/* ---- browsing ---- */

#define BLANKS " \t\r\n\f\v"

/* True when q holds a word. */
static bool browse_has_words(const char *q)
{
	return q && q[strspn(q, BLANKS)];
}

/* Binds the words of q to ?1 as a JSON array of ASCII-lowercased words
 * (NULL when q has none), as BROWSE_WORDS_MATCH reads them. */
static void browse_words(sqlite3_stmt *st, const char *q)
{
	cJSON *words = cJSON_CreateArray();
	const char *p = q;
	char *json;

	while (p && *p) {
		size_t n;
		char *w;

		p += strspn(p, BLANKS);
		n = strcspn(p, BLANKS);
		if (n == 0)
			break;
		w = xstrndup(p, n);
		for (char *c = w; *c; c++)
			if (*c >= 'A' && *c <= 'Z')
				*c = (char)(*c - 'A' + 'a');
		cJSON_AddItemToArray(words, cJSON_CreateString(w));
		free(w);
		p += n;
	}
	if (cJSON_GetArraySize(words) > 0) {
		json = cJSON_PrintUnformatted(words);
		sqlite3_bind_text(st, 1, json, -1, SQLITE_TRANSIENT);
		cJSON_free(json);
	}
	cJSON_Delete(words);
}

int store_browse_cells(struct store_reader *r, const char *q, store_browse_cell_fn fn, void *ctx)
{
	bool words = browse_has_words(q);
	sqlite3_stmt *st = stmt(r, words ? STMT_BROWSE_CELLS : STMT_BROWSE_CELLS_ALL);
	int rc;

	if (words)
		browse_words(st, q);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_browse_cell c = {
			.root_index = sqlite3_column_int(st, 0),
			.root = col_text(st, 1),
			.tier = col_text(st, 2),
			.checklist = sqlite3_column_int(st, 3) != 0,
			.evals = sqlite3_column_int(st, 4) != 0,
			.count = (long)sqlite3_column_int64(st, 5),
		};

		if (fn(ctx, &c) != 0)
			break;
	}
	return loop_end(rc);
}

int store_browse_page(struct store_reader *r, const struct store_browse *f, long offset,
		      long limit, store_skill_fn fn, void *ctx)
{
	sqlite3_stmt *st = stmt(r, STMT_BROWSE_PAGE);
	int rc;

	browse_words(st, f->q);
	if (f->root)
		sqlite3_bind_text(st, 2, f->root, -1, SQLITE_TRANSIENT);
	if (f->tier)
		sqlite3_bind_text(st, 3, f->tier, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 4, f->checklist);
	sqlite3_bind_int(st, 5, f->evals);
	sqlite3_bind_int64(st, 6, offset);
	sqlite3_bind_int64(st, 7, limit);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (fn(ctx, col_text(st, 0), col_bytes(st, 1)) != 0)
			break;
	return loop_end(rc);
}

long store_checklist_items_total(struct store_reader *r)
{
	sqlite3_stmt *st = stmt(r, STMT_CHECKLIST_ITEMS);

	return sqlite3_step(st) == SQLITE_ROW ? (long)sqlite3_column_int64(st, 0) : -1;
}
