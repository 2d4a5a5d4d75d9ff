/* SPDX-License-Identifier: MIT */
/*
 * index: brings the index up to date with the folders in one write
 * transaction: every skill read (a full run), or only those whose stamp
 * (scan_skill_stamp) differs from the one their rows were built from (an
 * incremental run, see "the index being updated"). Slugs are assigned here,
 * in scan order, because they depend on every skill before this one (see
 * "the slugs of this run"). The writer connection is used by the calling
 * thread only; with index_options.threads > 0, that many workers stamp,
 * read, analyse and render the skills ahead of it (see "the pipeline"
 * below), so that SQLite's single writer is the only serial part.
 */
#include "skilld/indexing/index.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <dirent.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>

#include "skilld/indexing/checklist.h"
#include "skilld/base/diag.h"
#include "skilld/indexing/scan.h"
#include "skilld/indexing/searchrows.h"
#include "skilld/indexing/skill.h"
#include "skilld/base/text.h"
#include "skilld/base/util.h"
#include "skilld/store/db.h"
#include "skilld/store/pack.h"
#include "skilld/store/store.h"

enum ins {
	INS_SKILL,
	INS_FILE,
	INS_CHECKLIST,
	INS_DIAG,
	UPD_STAMP,
	DEL_FILES,
	DEL_CHECKLISTS,
	DEL_DIAGS,
	DEL_SKILL,
	INS_COUNT_
};

static const char *const ins_sql[INS_COUNT_] = {
	[INS_SKILL] =
		"INSERT INTO skills (slug, name, description, root, path, folder, valid, tier, digest, "
		"summary_json, detail_json, files_json, checklist_json, evals_json, check_json, "
		"root_index, stamp, slug_base, source, id, has_checklist, has_evals, updated) "
		"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, "
		"?19, ?20, ?13 IS NOT NULL, ?14 IS NOT NULL, ?21)",
	[INS_FILE] =
		"INSERT INTO files (skill_id, path, kind, size, digest, mime, is_text, content) "
		"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
	[INS_CHECKLIST] =
		"INSERT INTO checklists (skill_id, path, title, item_count, digest, is_primary) "
		"VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	[INS_DIAG] =
		"INSERT INTO diagnostics (skill_id, root, path, severity, code, message, line, col, "
		"root_index, skill_path, seq) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
	[UPD_STAMP] = "UPDATE skills SET stamp = ?2 WHERE id = ?1",
	[DEL_FILES] = "DELETE FROM files WHERE skill_id = ?1",
	[DEL_CHECKLISTS] = "DELETE FROM checklists WHERE skill_id = ?1",
	[DEL_DIAGS] = "DELETE FROM diagnostics WHERE skill_id = ?1",
	[DEL_SKILL] = "DELETE FROM skills WHERE id = ?1",
};

/* ---- the index being updated ----
 *
 * An incremental run reads what it needs of every served skill first. A
 * skill found again at the same place with the same stamp is left as it
 * is, when it still gets the same slug; any other is read, and its old
 * rows (if any) replaced. The rows of skills not found again go at the
 * end. A full run starts from empty tables and an empty list.
 */

struct old_skill {
	sqlite3_int64 id;
	int root_index;
	char *path;             /* as stored: "." for the root itself */
	char *stamp, *slug_base, *slug, *source;  /* NULL: never matches */
	bool kept;              /* found again, its rows stay (indexing thread) */
	bool replaced;          /* found again, read, its rows replaced (likewise) */
	bool gone;              /* its rows were deleted (indexing thread) */
};

struct old_index {
	struct old_skill *v;    /* by (root_index, path), bytewise */
	struct old_skill **by_slug;
	size_t n;
};

static int cmp_old(const void *a, const void *b)
{
	const struct old_skill *x = a, *y = b;

	if (x->root_index != y->root_index)
		return x->root_index < y->root_index ? -1 : 1;
	return strcmp(x->path, y->path);
}

static int cmp_old_slug(const void *a, const void *b)
{
	return strcmp((*(struct old_skill *const *)a)->slug, (*(struct old_skill *const *)b)->slug);
}

static char *column_dup(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	return t ? xstrdup((const char *)t) : NULL;
}

static int old_load(sqlite3 *db, struct old_index *o)
{
	sqlite3_stmt *st = NULL;
	size_t cap = 0;
	int rc;

	memset(o, 0, sizeof(*o));
	if (sqlite3_prepare_v2(db, "SELECT id, root_index, path, stamp, slug_base, slug, source "
			       "FROM skills", -1, &st, NULL) != SQLITE_OK)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct old_skill *e;

		if (o->n == cap) {
			cap = cap ? cap * 2 : 256;
			o->v = xrealloc(o->v, cap * sizeof(*o->v));
		}
		e = &o->v[o->n++];
		memset(e, 0, sizeof(*e));
		e->id = sqlite3_column_int64(st, 0);
		e->root_index = sqlite3_column_int(st, 1);
		e->path = column_dup(st, 2);
		e->stamp = column_dup(st, 3);
		e->slug_base = column_dup(st, 4);
		e->slug = column_dup(st, 5);
		e->source = column_dup(st, 6);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return -1;
	if (o->n > 1)
		qsort(o->v, o->n, sizeof(*o->v), cmp_old);
	o->by_slug = xcalloc(o->n ? o->n : 1, sizeof(*o->by_slug));
	for (size_t i = 0; i < o->n; i++)
		o->by_slug[i] = &o->v[i];
	if (o->n > 1)
		qsort(o->by_slug, o->n, sizeof(*o->by_slug), cmp_old_slug);
	return 0;
}

static void old_fini(struct old_index *o)
{
	for (size_t i = 0; i < o->n; i++) {
		free(o->v[i].path);
		free(o->v[i].stamp);
		free(o->v[i].slug_base);
		free(o->v[i].slug);
		free(o->v[i].source);
	}
	free(o->v);
	free(o->by_slug);
	memset(o, 0, sizeof(*o));
}

/* The served skill at rel ("" for the root itself) of root root_index, or NULL. */
static struct old_skill *old_at(const struct old_index *o, int root_index, const char *rel)
{
	struct old_skill key = { .root_index = root_index, .path = (char *)(rel[0] ? rel : ".") };

	return o->n ? bsearch(&key, o->v, o->n, sizeof(*o->v), cmp_old) : NULL;
}

/* The served skill whose slug is slug, or NULL. */
static struct old_skill *old_with_slug(const struct old_index *o, const char *slug)
{
	struct old_skill key = { .slug = (char *)slug }, *kp = &key, **hit;

	hit = o->n ? bsearch(&kp, o->by_slug, o->n, sizeof(*o->by_slug), cmp_old_slug) : NULL;
	return hit ? *hit : NULL;
}

/* ---- the slugs of this run ----
 *
 * Which root serves each slug given out so far, in scan order: a skill's
 * slug depends on every skill before it, never on the rows of the index
 * being replaced. (The map, from text to a number, also counts the
 * diagnostics of each path: insert_diags.)
 */

struct slug_map {
	char **keys;
	int *root;
	size_t cap, len;        /* cap: a power of two */
};

static size_t slug_hash(const char *s)
{
	size_t h = 14695981039346656037u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211u;
	return h;
}

/* The slot of slug: where it is, or the free one where it would go. */
static size_t slug_slot(const struct slug_map *m, const char *slug)
{
	size_t i = slug_hash(slug) & (m->cap - 1);

	while (m->keys[i] && strcmp(m->keys[i], slug) != 0)
		i = (i + 1) & (m->cap - 1);
	return i;
}

/* The root that serves slug in this run, or -1. */
static int slug_owner(const struct slug_map *m, const char *slug)
{
	size_t i;

	if (!m->cap)
		return -1;
	i = slug_slot(m, slug);
	return m->keys[i] ? m->root[i] : -1;
}

static void slug_set(struct slug_map *m, const char *slug, int value);

/* Gives slug to root root_index, unless some root has it already. */
static void slug_take(struct slug_map *m, const char *slug, int root_index)
{
	if (slug_owner(m, slug) < 0)
		slug_set(m, slug, root_index);
}

/* Maps key to value (added, or replaced). */
static void slug_set(struct slug_map *m, const char *slug, int value)
{
	size_t i;

	if ((m->len + 1) * 2 > m->cap) {
		struct slug_map grown = { 0 };

		grown.cap = m->cap ? m->cap * 2 : 1024;
		grown.keys = xcalloc(grown.cap, sizeof(*grown.keys));
		grown.root = xcalloc(grown.cap, sizeof(*grown.root));
		for (size_t k = 0; k < m->cap; k++) {
			if (m->keys[k]) {
				i = slug_slot(&grown, m->keys[k]);
				grown.keys[i] = m->keys[k];
				grown.root[i] = m->root[k];
			}
		}
		grown.len = m->len;
		free(m->keys);
		free(m->root);
		*m = grown;
	}
	i = slug_slot(m, slug);
	if (!m->keys[i]) {
		m->keys[i] = xstrdup(slug);
		m->len++;
	}
	m->root[i] = value;
}

static void slug_map_fini(struct slug_map *m)
{
	for (size_t i = 0; i < m->cap; i++)
		free(m->keys[i]);
	free(m->keys);
	free(m->root);
	memset(m, 0, sizeof(*m));
}

struct indexer {
	sqlite3 *db;
	sqlite3_stmt *st[INS_COUNT_];
	struct searchrows *search;      /* the search rows' writer */
	struct pack_ctx *pack;          /* the indexing thread's packer */
	struct pack_dict *dict;         /* what values are packed with, or NULL */
	bool dict_tried;                /* a full run tried to train one */
	const struct index_options *opt;
	struct index_stats *stats;
	int root_index;         /* position of the root being indexed */
	struct old_index old;   /* the served skills (incremental runs) */
	struct slug_map slugs;
	bool changed;           /* a row a reader sees was written or deleted */
	bool linked;            /* a skill's files include a symlink (see index_scoped) */
	char *err;
	size_t errlen;
};

/* Seconds on the monotonic clock. */
static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int fail(struct indexer *ix, const char *what)
{
	snprintf(ix->err, ix->errlen, "index: %s: %s", what, sqlite3_errmsg(ix->db));
	return -1;
}

/* Steps a bound statement to completion and resets it. */
static int step_done(struct indexer *ix, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc == SQLITE_DONE ? 0 : fail(ix, what);
}

/* A cJSON value printed compactly (NULL for NULL), invalid UTF-8 that a
 * skill's bytes brought in repaired, so that every stored answer is JSON. */
static char *json_text(const cJSON *json)
{
	char *text = json ? cJSON_PrintUnformatted(json) : NULL;
	char *fixed;

	if (!text)
		return NULL;
	fixed = utf8_repair(text, strlen(text), NULL);
	cJSON_free(text);
	return fixed;
}

/* Feeds a NUL-terminated field (NULL as empty) into a digest. */
static void sha_field(struct sha256_ctx *c, const char *s)
{
	sha256_update(c, s ? s : "", strlen(s ? s : "") + 1);
}

static void sha_diag(struct sha256_ctx *c, const struct diag *d)
{
	char nums[64];

	snprintf(nums, sizeof(nums), "%d:%d:%d", (int)d->severity, d->line, d->column);
	sha_field(c, nums);
	sha_field(c, d->code);
	sha_field(c, d->path);
	sha_field(c, d->message);
}

/*
 * Inserts the diagnostics of one skill (skill_id, or 0 for none: a
 * shadowed skill), numbered in list order; or, skill_path NULL, the root's
 * own (a scan's), numbered per path in list order: they are listed by
 * path, so that a run that scans one folder of a root writes them as a
 * scan of the whole root does.
 */
static int insert_diags(struct indexer *ix, sqlite3_int64 skill_id, const char *root,
			const char *skill_path, const struct diag_list *l)
{
	sqlite3_stmt *st = ix->st[INS_DIAG];
	struct slug_map seen = { 0 };  /* path -> diagnostics of it so far */
	int rc = 0;

	for (size_t i = 0; i < l->len && rc == 0; i++) {
		const struct diag *d = &l->items[i];
		sqlite3_int64 seq = (sqlite3_int64)i;

		if (!skill_path) {
			const char *key = d->path ? d->path : "";
			int had = slug_owner(&seen, key);

			seq = had < 0 ? 0 : had;
			slug_set(&seen, key, (int)seq + 1);
		}

		if (skill_id)
			sqlite3_bind_int64(st, 1, skill_id);
		else
			sqlite3_bind_null(st, 1);
		sqlite3_bind_text(st, 2, root, -1, SQLITE_STATIC);
		db_bind_text_or_null(st, 3, d->path);
		sqlite3_bind_text(st, 4, diag_severity_name(d->severity), -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, d->code, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 6, d->message, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 7, d->line);
		sqlite3_bind_int(st, 8, d->column);
		sqlite3_bind_int(st, 9, ix->root_index);
		db_bind_text_or_null(st, 10, skill_path);
		sqlite3_bind_int64(st, 11, seq);
		rc = step_done(ix, st, "inserting a diagnostic");
	}
	slug_map_fini(&seen);
	return rc;
}

/* Runs one of the DEL_ statements for id. */
static int delete_rows(struct indexer *ix, enum ins which, sqlite3_int64 id)
{
	sqlite3_bind_int64(ix->st[which], 1, id);
	return step_done(ix, ix->st[which], "removing a skill's rows");
}

/* Deletes every row of a served skill. */
static int remove_old(struct indexer *ix, struct old_skill *o)
{
	if (delete_rows(ix, DEL_FILES, o->id) != 0 || delete_rows(ix, DEL_CHECKLISTS, o->id) != 0 ||
	    delete_rows(ix, DEL_DIAGS, o->id) != 0 || delete_rows(ix, DEL_SKILL, o->id) != 0 ||
	    searchrows_remove_skill(ix->search, o->id, ix->err, ix->errlen) != 0)
		return -1;
	o->gone = true;
	ix->changed = true;
	return 0;
}

/* The name of root i in rows and messages. */
static const char *root_label(const struct index_options *opt, size_t i)
{
	return opt->labels ? opt->labels[i] : opt->roots[i];
}

/*
 * The slug that base gets in this run: 0 with *slug (free()), de-duplicated
 * with "-2", "-3"... against earlier skills of the same root; 1 when an
 * earlier root serves base (*slug NULL, *owner that root's position).
 */
static int slug_pick(struct indexer *ix, const char *base, char **slug, int *owner)
{
	int who = slug_owner(&ix->slugs, base);

	*slug = NULL;
	*owner = who;
	if (who < 0) {
		*slug = xstrdup(base);
		return 0;
	}
	if (who != ix->root_index)
		return 1;
	for (int n = 2;; n++) {
		*slug = xasprintf("%s-%d", base, n);
		if (slug_owner(&ix->slugs, *slug) < 0)
			return 0;
		free(*slug);
	}
}

/* The warning that says why r's slug is not the one its name asks for. */
static void note_slug(struct skill_record *r, const char *base, const char *md_path)
{
	if (strcmp(r->slug, base) != 0)
		diag_add(&r->diags, DIAG_WARNING, "slug-duplicate", md_path, 0, 0,
			 "another skill of this root already uses the slug '%s'; this one is served "
			 "as '%s'", base, r->slug);
}

/*
 * Gives r its slug, with the warning that says why it is not the one its
 * name asks for. Returns 1 when the skill is shadowed by an earlier root
 * (r->slug stays NULL, a diagnostic is added), 0 otherwise.
 */
static int assign_slug(struct indexer *ix, struct skill_record *r, const char *base,
		       const char *md_path)
{
	int owner;

	free(r->slug);
	if (slug_pick(ix, base, &r->slug, &owner) == 1) {
		diag_add(&r->diags, DIAG_WARNING, "skill-shadowed", md_path, 0, 0,
			 "the slug '%s' is already served from the earlier root '%s', which wins; "
			 "this skill is not served", base, root_label(ix->opt, (size_t)owner));
		return 1;
	}
	note_slug(r, base, md_path);
	return 0;
}

/* ---- one skill, made ready for storing ---- */

enum answer {
	ANS_SUMMARY,
	ANS_DETAIL,
	ANS_FILES,
	ANS_CHECKLIST,
	ANS_EVALS,
	ANS_CHECK,
	ANS_COUNT_
};

/* The columns stored packed (pack.h), besides each file's. */
enum packed {
	PK_DETAIL,
	PK_CHECKLIST,
	PK_EVALS,
	PK_CHECK,
	PK_COUNT_
};

/* A skill read, analysed and rendered, with its stored JSON answers
 * printed and its large columns packed: everything but the SQLite rows. Built by a worker or by the
 * indexing thread itself. When the skill's stamp is the one its rows were
 * built from, nothing is read: same points at them. */
struct prepared {
	char stamp[SHA256_HEX_LEN + 1];  /* "" when the folder cannot be read */
	bool linked;               /* the stamp met a symlink */
	struct old_skill *same;    /* unchanged: the served skill, nothing read */
	char *base;                /* the slug its name asks for */
	struct skill_record r;
	char *answer[ANS_COUNT_];  /* JSON text or NULL (those packed: freed once packed) */
	struct buf pk[PK_COUNT_];  /* packed; len 0 for NULL */
	struct buf *file_pk;       /* each file's bytes (parallel to r.files), likewise */
	size_t bytes;              /* bytes of files read */
	double t_analyze, t_render, t_json;
};

static void prepared_fini(struct prepared *p)
{
	for (int i = 0; i < ANS_COUNT_; i++)
		free(p->answer[i]);
	for (int i = 0; i < PK_COUNT_; i++)
		buf_fini(&p->pk[i]);
	for (size_t i = 0; p->file_pk && i < p->r.files.len; i++)
		buf_fini(&p->file_pk[i]);
	free(p->file_pk);
	free(p->base);
	skill_record_fini(&p->r);
	memset(p, 0, sizeof(*p));
}

/* What preparing a skill needs; workers share it, read only. */
struct job {
	const char *root;          /* its label */
	const char *root_abs;
	int root_index;
	size_t max_file_size;
	const struct old_index *old;
	const struct pack_dict *dict;   /* what the workers pack with */
};

/*
 * Stamps the skill sk, then reads and analyses it unless its stamp is the
 * one its served rows were built from (p->same then, and nothing else is
 * set); the record has no slug yet. With reread, it is read whatever the
 * stamp. The stamp comes first: a change made while the skill is read
 * gives the next run another stamp.
 */
static void prepare_analyze(struct prepared *p, const struct job *j, const struct scan_skill *sk,
			    bool reread)
{
	struct old_skill *o = j->old ? old_at(j->old, j->root_index, sk->rel) : NULL;
	double t0 = now();

	memset(p, 0, sizeof(*p));
	scan_skill_stamp(j->root_abs, sk->dir, p->stamp, &p->linked);
	if (!reread && o && o->stamp && p->stamp[0] && strcmp(o->stamp, p->stamp) == 0) {
		p->same = o;
		return;
	}
	skill_analyze(j->root, j->root_abs, sk, j->max_file_size, &p->r);
	p->base = skill_slug_base(&p->r);
	for (size_t i = 0; i < p->r.files.len; i++)
		p->bytes += p->r.files.items[i].content_len;
	p->t_analyze = now() - t0;
}

/* out gets s (n bytes) packed, or stays empty (NULL) when s is NULL. */
static void pack_or_null(struct pack_ctx *pc, const char *s, size_t n, struct buf *out)
{
	buf_init(out);
	if (s)
		pack_bytes(pc, s, n, out);
}

/* out gets the text s packed (NULL: empty); s is freed. */
static void pack_text(struct pack_ctx *pc, char *s, struct buf *out)
{
	pack_or_null(pc, s, s ? strlen(s) : 0, out);
	free(s);
}

/* Renders the record (its slug set), prints its JSON answers and packs
 * what is stored packed, with pc. */
static void prepare_render(struct prepared *p, struct pack_ctx *pc)
{
	struct skill_record *r = &p->r;
	double t0 = now(), t1;
	cJSON *json[ANS_COUNT_] = { 0 };

	skill_note_extension(r);
	skill_render(r);
	t1 = now();
	p->t_render = t1 - t0;
	json[ANS_SUMMARY] = skill_summary_json(r);
	json[ANS_DETAIL] = skill_detail_json(r);
	json[ANS_FILES] = skill_files_json(r);
	json[ANS_CHECKLIST] = skill_checklist_json(r);
	for (int i = 0; i < ANS_COUNT_; i++)
		if (i != ANS_EVALS && i != ANS_CHECK) {
			p->answer[i] = json_text(json[i]);
			cJSON_Delete(json[i]);
		}
	p->answer[ANS_EVALS] = json_text(r->evals);
	p->answer[ANS_CHECK] = json_text(r->check);
	pack_text(pc, p->answer[ANS_DETAIL], &p->pk[PK_DETAIL]);
	pack_text(pc, p->answer[ANS_CHECKLIST], &p->pk[PK_CHECKLIST]);
	pack_text(pc, p->answer[ANS_EVALS], &p->pk[PK_EVALS]);
	pack_text(pc, p->answer[ANS_CHECK], &p->pk[PK_CHECK]);
	p->answer[ANS_DETAIL] = p->answer[ANS_CHECKLIST] = p->answer[ANS_EVALS] = NULL;
	p->answer[ANS_CHECK] = NULL;
	/* The rendered HTML is not kept: pages render when asked
	 * (skill_render_doc), the same way. */
	p->file_pk = xcalloc(r->files.len ? r->files.len : 1, sizeof(*p->file_pk));
	for (size_t i = 0; i < r->files.len; i++) {
		const struct skill_file *f = &r->files.items[i];

		pack_or_null(pc, f->content, f->content_len, &p->file_pk[i]);
	}
	p->t_json = now() - t1;
}

/* What a reader can see of a skill besides its files: its content digest,
 * every file's modification time (the answers' "updated") and every
 * diagnostic, once rendered. Equal sources under the same slug give the
 * same rows; a file touched but unchanged gives new ones. */
static void record_source(const struct skill_record *r, char hex[SHA256_HEX_LEN + 1])
{
	struct sha256_ctx *c = sha256_begin();
	char t[24];

	sha_field(c, r->digest);
	for (size_t i = 0; i < r->files.len; i++) {
		snprintf(t, sizeof(t), "%lld", (long long)r->files.items[i].mtime);
		sha_field(c, t);
	}
	for (size_t i = 0; i < r->diags.len; i++)
		sha_diag(c, &r->diags.items[i]);
	sha256_end(c, hex);
}

/* ---- storing ---- */

/* Binds a packed value (its length 0: NULL); it stays the caller's until
 * the statement is stepped. */
static void bind_packed(sqlite3_stmt *st, int i, const struct buf *b)
{
	if (b->len && b->len <= INT_MAX)
		sqlite3_bind_blob(st, i, b->data, (int)b->len, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

static int insert_files(struct indexer *ix, sqlite3_int64 id, const struct prepared *p)
{
	const struct skill_record *r = &p->r;
	sqlite3_stmt *st = ix->st[INS_FILE];

	for (size_t i = 0; i < r->files.len; i++) {
		const struct skill_file *f = &r->files.items[i];

		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_text(st, 2, f->path, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, file_kind_name(f->kind), -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 4, (sqlite3_int64)f->size);
		db_bind_text_or_null(st, 5, f->digest[0] ? f->digest : NULL);  /* over the limit */
		sqlite3_bind_text(st, 6, f->mime, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 7, f->text);
		bind_packed(st, 8, &p->file_pk[i]);
		if (step_done(ix, st, "inserting a file") != 0)
			return -1;
	}
	return 0;
}

static int insert_checklists(struct indexer *ix, sqlite3_int64 id, const struct skill_record *r)
{
	sqlite3_stmt *st = ix->st[INS_CHECKLIST];

	for (size_t i = 0; i < r->n_checklists; i++) {
		const struct skill_checklist *cl = &r->checklists[i];
		const cJSON *title = cJSON_GetObjectItemCaseSensitive(cl->parsed, "title");

		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_text(st, 2, cl->file->path, -1, SQLITE_STATIC);
		db_bind_text_or_null(st, 3, cJSON_IsString(title) ? title->valuestring : NULL);
		sqlite3_bind_int(st, 4, checklist_item_count(cl->parsed));
		sqlite3_bind_text(st, 5, cl->file->digest, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 6, cl == skill_primary_checklist(r));
		if (step_done(ix, st, "inserting a checklist") != 0)
			return -1;
	}
	return 0;
}

/* Inserts a skill's rows; id 0 gives it a new row id, else (a skill read
 * again at its place) its old one, so search hits that tie keep their
 * order. */
static int insert_skill(struct indexer *ix, const struct prepared *p, const char *source,
			sqlite3_int64 reuse)
{
	const struct skill_record *r = &p->r;
	sqlite3_stmt *st = ix->st[INS_SKILL];
	const char *path = r->rel[0] ? r->rel : ".";
	sqlite3_int64 id;
	double t0 = now(), t1;

	sqlite3_bind_text(st, 1, r->slug, -1, SQLITE_STATIC);
	db_bind_text_or_null(st, 2, frontmatter_string(&r->fm, "name"));
	db_bind_text_or_null(st, 3, frontmatter_string(&r->fm, "description"));
	sqlite3_bind_text(st, 4, r->root, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, path, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, r->folder, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 7, r->valid);
	db_bind_text_or_null(st, 8, r->tier);
	sqlite3_bind_text(st, 9, r->digest, -1, SQLITE_STATIC);
	db_bind_text_or_null(st, 10, p->answer[ANS_SUMMARY]);
	bind_packed(st, 11, &p->pk[PK_DETAIL]);
	db_bind_text_or_null(st, 12, p->answer[ANS_FILES]);
	bind_packed(st, 13, &p->pk[PK_CHECKLIST]);
	bind_packed(st, 14, &p->pk[PK_EVALS]);
	bind_packed(st, 15, &p->pk[PK_CHECK]);
	sqlite3_bind_int(st, 16, ix->root_index);
	db_bind_text_or_null(st, 17, p->stamp[0] ? p->stamp : NULL);
	sqlite3_bind_text(st, 18, p->base, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 19, source, -1, SQLITE_STATIC);
	if (reuse)
		sqlite3_bind_int64(st, 20, reuse);
	else
		sqlite3_bind_null(st, 20);
	sqlite3_bind_int64(st, 21, skill_updated(r));
	if (step_done(ix, st, "inserting a skill") != 0)
		return -1;
	id = sqlite3_last_insert_rowid(ix->db);
	if (insert_files(ix, id, p) != 0 || insert_checklists(ix, id, r) != 0 ||
	    insert_diags(ix, id, r->root, path, &r->diags) != 0)
		return -1;
	t1 = now();
	ix->stats->t.store += t1 - t0;
	if (searchrows_add_skill(ix->search, id, r, ix->err, ix->errlen) != 0)
		return -1;
	ix->stats->t.search += now() - t1;
	ix->stats->read++;
	ix->changed = true;
	return 0;
}

/* Adds a prepared skill's timings to the run's. */
static void count_prepared(struct indexer *ix, const struct prepared *p)
{
	ix->stats->bytes += p->bytes;
	ix->stats->t.analyze += p->t_analyze;
	ix->stats->t.render += p->t_render;
	ix->stats->t.json += p->t_json;
}

/*
 * Stores a prepared skill (its slug assigned, rendered); p is released.
 * When the served skill at its place came from the same source under the
 * same slug, only its stamp is brought up to date. Otherwise its rows, and
 * those of a served skill that held this slug, are replaced.
 */
static int store_prepared(struct indexer *ix, struct prepared *p)
{
	struct old_skill *o = old_at(&ix->old, ix->root_index, p->r.rel), *holder;
	char source[SHA256_HEX_LEN + 1];
	int rc = 0;

	count_prepared(ix, p);
	record_source(&p->r, source);
	if (o && !o->gone && o->source && o->slug && strcmp(o->source, source) == 0 &&
	    strcmp(o->slug, p->r.slug) == 0) {
		sqlite3_bind_int64(ix->st[UPD_STAMP], 1, o->id);
		db_bind_text_or_null(ix->st[UPD_STAMP], 2, p->stamp[0] ? p->stamp : NULL);
		rc = step_done(ix, ix->st[UPD_STAMP], "updating a stamp");
		o->kept = true;
		ix->stats->touched++;
	} else {
		sqlite3_int64 reuse = 0;

		if (o)
			o->replaced = true;
		if (o && !o->gone) {
			rc = remove_old(ix, o);
			reuse = o->id;
		}
		holder = old_with_slug(&ix->old, p->r.slug);
		if (rc == 0 && holder && !holder->gone)
			rc = remove_old(ix, holder);
		if (rc == 0)
			rc = insert_skill(ix, p, source, reuse);
	}
	if (rc == 0)
		slug_take(&ix->slugs, p->r.slug, ix->root_index);
	prepared_fini(p);
	return rc;
}

/* Gives an analysed skill its slug, then renders and stores it, or
 * records it as shadowed by an earlier root; p is released. */
static int index_analysed(struct indexer *ix, const struct job *j, const struct scan_skill *sk,
			  struct prepared *p)
{
	char *md_path = sk->rel[0] ? xasprintf("%s/%s", sk->rel, sk->skill_md) : xstrdup(sk->skill_md);
	int rc;

	if (assign_slug(ix, &p->r, p->base, md_path) == 1) {
		count_prepared(ix, p);
		ix->stats->shadowed++;
		rc = insert_diags(ix, 0, j->root, sk->rel[0] ? sk->rel : ".", &p->r.diags);
		prepared_fini(p);
	} else {
		prepare_render(p, ix->pack);
		rc = store_prepared(ix, p);
	}
	free(md_path);
	return rc;
}

/*
 * Indexes skill sk again on the indexing thread alone, from its files:
 * when the slug a worker rendered it under (or its served rows have)
 * turned out not to be the one it gets now (it is shadowed, or served
 * under "name-N", and both the diagnostics and the links rendered depend
 * on that).
 */
static int index_serially(struct indexer *ix, const struct job *j, const struct scan_skill *sk)
{
	struct prepared p;

	prepare_analyze(&p, j, sk, true);
	ix->linked |= p.linked;
	return index_analysed(ix, j, sk, &p);
}

/* A skill whose stamp is its served rows': they stay when it still gets
 * their slug; otherwise it is read again. */
static int index_unchanged(struct indexer *ix, const struct job *j, const struct scan_skill *sk,
			   struct old_skill *o)
{
	char *slug = NULL;
	int owner;
	bool fits = !o->gone && o->slug_base && o->slug &&
		    slug_pick(ix, o->slug_base, &slug, &owner) == 0 && strcmp(slug, o->slug) == 0;

	free(slug);
	if (!fits)
		return index_serially(ix, j, sk);
	o->kept = true;
	slug_take(&ix->slugs, o->slug, ix->root_index);
	ix->stats->kept++;
	return 0;
}

/* Stores what a worker prepared for sk, in scan order: under the slug it
 * was rendered with when that is still the one its name gets, else it is
 * indexed again serially. */
static int index_prepared(struct indexer *ix, const struct job *j, const struct scan_skill *sk,
			  struct prepared *p)
{
	struct old_skill *same = p->same;
	char *slug = NULL;
	int owner;
	bool fits;

	ix->stats->skill_mds++;
	ix->linked |= p->linked;
	if (same) {
		prepared_fini(p);
		return index_unchanged(ix, j, sk, same);
	}
	fits = slug_pick(ix, p->base, &slug, &owner) == 0 && strcmp(slug, p->r.slug) == 0;
	free(slug);
	if (fits)
		return store_prepared(ix, p);
	prepared_fini(p);
	return index_serially(ix, j, sk);
}

/* ---- the pipeline ----
 *
 * Workers take the skills of one root in order and prepare them (stamp,
 * then read, analyse, render under the slug the skill's name asks for,
 * print the JSON, unless the stamp says the served rows are current) into
 * a ring of slots; the indexing thread stores slot after slot in scan
 * order, so the index comes out exactly as a serial run makes it. The ring
 * bounds the memory: a worker waits while its slot still holds a skill
 * that is not stored.
 */

#define SLOTS_PER_WORKER 4

struct slot {
	struct prepared p;
	bool ready;
};

struct pipeline {
	pthread_mutex_t lock;
	pthread_cond_t changed;        /* a slot got ready, or one was taken */
	const struct job *job;
	const struct scan_skill *skills;
	size_t n;
	struct slot *slots;
	size_t n_slots;
	size_t next;                   /* next skill a worker takes */
	size_t stored;                 /* skills the indexing thread took */
	bool stop;
};

static void *worker_main(void *arg)
{
	struct pipeline *pl = arg;
	struct pack_ctx *pc = pack_ctx_new();

	pack_ctx_use(pc, pl->job->dict);
	for (;;) {
		size_t i;
		struct slot *sl;

		pthread_mutex_lock(&pl->lock);
		while (!pl->stop && pl->next < pl->n && pl->next >= pl->stored + pl->n_slots)
			pthread_cond_wait(&pl->changed, &pl->lock);
		if (pl->stop || pl->next >= pl->n) {
			pthread_mutex_unlock(&pl->lock);
			pack_ctx_free(pc);
			return NULL;
		}
		i = pl->next++;
		pthread_mutex_unlock(&pl->lock);

		sl = &pl->slots[i % pl->n_slots];
		prepare_analyze(&sl->p, pl->job, &pl->skills[i], false);
		if (!sl->p.same) {
			sl->p.r.slug = xstrdup(sl->p.base);
			prepare_render(&sl->p, pc);
		}

		pthread_mutex_lock(&pl->lock);
		sl->ready = true;
		pthread_cond_broadcast(&pl->changed);
		pthread_mutex_unlock(&pl->lock);
	}
}

/* Prepares and stores skill sk on this thread: no worker runs. */
static int index_one(struct indexer *ix, const struct job *j, const struct scan_skill *sk)
{
	struct prepared p;
	struct old_skill *same;

	prepare_analyze(&p, j, sk, false);
	ix->stats->skill_mds++;
	ix->linked |= p.linked;
	same = p.same;
	if (same) {
		prepared_fini(&p);
		return index_unchanged(ix, j, sk, same);
	}
	return index_analysed(ix, j, sk, &p);
}

/* Indexes the skills of one scanned root with up to ix->opt->threads
 * workers (none: all on this thread). */
static int index_skills(struct indexer *ix, const struct job *j, const struct scan_result *sr)
{
	struct pipeline pl = { .job = j, .skills = sr->skills, .n = sr->len };
	unsigned want = ix->opt->threads;
	pthread_t *tids;
	unsigned started = 0;
	int rc = 0;

	if (want > sr->len)
		want = (unsigned)sr->len;
	if (want == 0) {
		for (size_t i = 0; i < sr->len && rc == 0; i++)
			rc = index_one(ix, j, &sr->skills[i]);
		return rc;
	}
	pthread_mutex_init(&pl.lock, NULL);
	pthread_cond_init(&pl.changed, NULL);
	pl.n_slots = (size_t)want * SLOTS_PER_WORKER;
	pl.slots = xcalloc(pl.n_slots, sizeof(*pl.slots));
	tids = xcalloc(want, sizeof(*tids));
	for (; started < want; started++)
		if (pthread_create(&tids[started], NULL, worker_main, &pl) != 0)
			break;
	for (size_t i = 0; i < sr->len && rc == 0; i++) {
		struct slot *sl = &pl.slots[i % pl.n_slots];
		struct prepared p;
		double t0 = now();

		pthread_mutex_lock(&pl.lock);
		if (started == 0 && !sl->ready) {
			/* No worker could be started: prepare it here. */
			pl.next = i + 1;
			pthread_mutex_unlock(&pl.lock);
			rc = index_one(ix, j, &sr->skills[i]);
			continue;
		}
		while (!sl->ready)
			pthread_cond_wait(&pl.changed, &pl.lock);
		p = sl->p;
		memset(&sl->p, 0, sizeof(sl->p));
		sl->ready = false;
		pl.stored = i + 1;
		pthread_cond_broadcast(&pl.changed);
		pthread_mutex_unlock(&pl.lock);
		ix->stats->t.wait += now() - t0;
		rc = index_prepared(ix, j, &sr->skills[i], &p);
	}
	pthread_mutex_lock(&pl.lock);
	pl.stop = true;
	pthread_cond_broadcast(&pl.changed);
	pthread_mutex_unlock(&pl.lock);
	for (unsigned t = 0; t < started; t++)
		pthread_join(tids[t], NULL);
	/* After a failure, skills prepared but never stored. */
	for (size_t k = 0; k < pl.n_slots; k++)
		if (pl.slots[k].ready)
			prepared_fini(&pl.slots[k].p);
	free(tids);
	free(pl.slots);
	pthread_cond_destroy(&pl.changed);
	pthread_mutex_destroy(&pl.lock);
	return rc;
}

/* Indexes the folder root, named label in every row it writes. */
/* ---- the packing dictionary ----
 *
 * A full run trains a dictionary (pack.h) on the markdown and JSON files
 * of up to DICT_SKILLS skills spread over the first root that has enough
 * of them, read from the disk before that root's skills are read: every
 * value written after is packed with it (those of earlier roots without).
 * The dictionaries before it go: the run rewrites every value. Other runs
 * pack with the newest one the database has.
 */

#define DICT_SKILLS 128
#define DICT_FILE_MAX ((size_t)32 << 10)
#define DICT_SAMPLES_MAX ((size_t)2 << 20)

struct samples {
	struct buf bytes;
	size_t *sizes;
	size_t n, cap;
};

/* Adds the .md and .json files of dir (and of its folders, depth 1) to
 * the samples, each cut at DICT_FILE_MAX, until DICT_SAMPLES_MAX. */
static void sample_folder(struct samples *sm, const char *dir, int depth)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d)) && sm->bytes.len < DICT_SAMPLES_MAX) {
		char *path;

		if (e->d_name[0] == '.')
			continue;
		path = xasprintf("%s/%s", dir, e->d_name);
		if (e->d_type == DT_DIR && depth == 0) {
			sample_folder(sm, path, 1);
		} else if (e->d_type == DT_REG && (str_has_suffix(e->d_name, ".md") ||
						   str_has_suffix(e->d_name, ".json"))) {
			FILE *f = fopen(path, "rb");
			size_t got;

			if (f) {
				buf_grow(&sm->bytes, DICT_FILE_MAX);
				got = fread(sm->bytes.data + sm->bytes.len, 1, DICT_FILE_MAX, f);
				fclose(f);
				if (got) {
					if (sm->n == sm->cap) {
						sm->cap = sm->cap ? sm->cap * 2 : 256;
						sm->sizes = xrealloc(sm->sizes, sm->cap * sizeof(*sm->sizes));
					}
					sm->sizes[sm->n++] = got;
					sm->bytes.len += got;
				}
			}
		}
		free(path);
	}
	closedir(d);
}

/* The next dictionary id of the database: never one it gave before. */
static uint32_t dict_next_id(sqlite3 *db)
{
	sqlite3_stmt *st = NULL;
	sqlite3_int64 seq = 0;

	if (sqlite3_prepare_v2(db, "SELECT seq FROM sqlite_sequence WHERE name = 'pack_dicts'", -1,
			       &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		seq = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return PACK_DICT_ID_BASE + (uint32_t)seq + 1;
}

/* Trains the run's dictionary on skills of sr, when it has enough; the
 * older ones are deleted. 0, or -1 on a database error. */
static int dict_train(struct indexer *ix, const struct scan_result *sr)
{
	struct samples sm = { .n = 0 };
	size_t step = sr->len > DICT_SKILLS ? sr->len / DICT_SKILLS : 1;
	sqlite3_stmt *st = NULL;
	double t0 = now();
	const void *bytes;
	size_t len;
	uint32_t id;
	int rc = 0;

	if (!ix->dict_tried) {
		ix->dict_tried = true;
		if (sqlite3_exec(ix->db, "DELETE FROM pack_dicts", NULL, NULL, NULL) != SQLITE_OK)
			return fail(ix, "deleting the old dictionaries");
	}
	buf_init(&sm.bytes);
	for (size_t i = 0; i < sr->len && sm.bytes.len < DICT_SAMPLES_MAX; i += step)
		sample_folder(&sm, sr->skills[i].dir, 0);
	id = dict_next_id(ix->db);
	ix->dict = pack_dict_train(sm.bytes.data, sm.sizes, sm.n, id);
	buf_fini(&sm.bytes);
	free(sm.sizes);
	if (ix->dict) {
		bytes = pack_dict_bytes(ix->dict, &len);
		if (sqlite3_prepare_v2(ix->db, "INSERT INTO pack_dicts (id, dict) VALUES (?1, ?2)", -1,
				       &st, NULL) != SQLITE_OK)
			return fail(ix, "storing the dictionary");
		sqlite3_bind_int64(st, 1, (sqlite3_int64)(id - PACK_DICT_ID_BASE));
		sqlite3_bind_blob(st, 2, bytes, (int)len, SQLITE_STATIC);
		rc = sqlite3_step(st) == SQLITE_DONE ? 0 : fail(ix, "storing the dictionary");
		sqlite3_finalize(st);
		pack_ctx_use(ix->pack, ix->dict);
		searchrows_use(ix->search, ix->dict);
	}
	ix->stats->t.dict += now() - t0;
	return rc;
}

/* The newest dictionary of the database, for a run that is not full. 0,
 * or -1 on a database error (a dictionary that cannot be made is a
 * database that needs a full run: the identity decides that). */
static int dict_load(struct indexer *ix)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (sqlite3_prepare_v2(ix->db, "SELECT dict FROM pack_dicts ORDER BY id DESC LIMIT 1", -1,
			       &st, NULL) != SQLITE_OK)
		return fail(ix, "reading the dictionary");
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		ix->dict = pack_dict_load(sqlite3_column_blob(st, 0),
					  (size_t)sqlite3_column_bytes(st, 0));
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return fail(ix, "reading the dictionary");
	pack_ctx_use(ix->pack, ix->dict);
	searchrows_use(ix->search, ix->dict);
	return 0;
}

static int index_root(struct indexer *ix, const char *root, const char *label)
{
	struct scan_result sr;
	struct diag_list diags;
	double t0 = now();
	int rc;

	scan_result_init(&sr);
	diag_list_init(&diags);
	scan_root(root, &sr, &diags);
	ix->linked |= sr.linked;
	ix->stats->t.scan += now() - t0;
	if (ix->stats->full && !ix->dict && dict_train(ix, &sr) != 0) {
		rc = -1;
		goto out;
	}
	{
		const struct job j = { .root = label, .root_abs = sr.root, .root_index = ix->root_index,
				       .max_file_size = ix->opt->max_file_size, .old = &ix->old,
				       .dict = ix->dict };

		rc = sr.root ? index_skills(ix, &j, &sr) : 0;
	}
	if (rc == 0)
		rc = insert_diags(ix, 0, label, NULL, &diags);
out:
	diag_list_fini(&diags);
	scan_result_fini(&sr);
	return rc;
}

/* Is roots[i] the same folder as an earlier root (by real path)? Reports
 * it once: the same folder twice would serve every skill twice. */
static bool root_seen_before(struct indexer *ix, size_t i)
{
	char *me = realpath(ix->opt->roots[i], NULL);
	bool seen = false;

	for (size_t k = 0; me && k < i && !seen; k++) {
		char *other = realpath(ix->opt->roots[k], NULL);

		if (other && strcmp(me, other) == 0) {
			struct diag d = { DIAG_WARNING, "root-duplicate", NULL, NULL, 0, 0 };
			struct diag_list one = { &d, 1, 1 };

			d.message = xasprintf("'%s' is the same folder as the earlier root '%s'; "
					      "it is indexed once", root_label(ix->opt, i),
					      root_label(ix->opt, k));
			insert_diags(ix, 0, root_label(ix->opt, i), NULL, &one);
			free(d.message);
			seen = true;
		}
		free(other);
	}
	free(me);
	return seen;
}

/* The value of meta key (free()), or NULL. */
static char *meta_get(sqlite3 *db, const char *key)
{
	sqlite3_stmt *st = NULL;
	char *v = NULL;

	if (sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key = ?1", -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW)
			v = column_dup(st, 0);
	}
	sqlite3_finalize(st);
	return v;
}

static int meta_put(struct indexer *ix, const char *key, const char *value)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (sqlite3_prepare_v2(ix->db, "INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)",
			       -1, &st, NULL) != SQLITE_OK)
		return fail(ix, "preparing meta");
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : fail(ix, "writing meta");
	sqlite3_finalize(st);
	return rc;
}

/* The index's generation in meta, or 0. */
static int64_t meta_generation(sqlite3 *db)
{
	char *v = meta_get(db, "generation");
	int64_t g = v ? strtoll(v, NULL, 10) : 0;

	free(v);
	return g;
}

/* What the index was built by and from (opt->identity and the schema's
 * version): a database built otherwise is rebuilt whole. */
static char *identity_of(sqlite3 *db, const struct index_options *opt)
{
	return xasprintf("schema %d; %s", db_user_version(db), opt->identity ? opt->identity : "");
}

/* The totals a reader sees, counted on the index as written. */
static int count_totals(struct indexer *ix)
{
	sqlite3_stmt *st = NULL;
	struct index_stats *s = ix->stats;
	int rc;

	if (sqlite3_prepare_v2(ix->db, "SELECT (SELECT count(*) FROM skills), "
			       "(SELECT total(item_count) FROM checklists), "
			       "(SELECT count(*) FROM diagnostics), "
			       "(SELECT count(*) FROM diagnostics WHERE severity = 'error'), "
			       "(SELECT count(*) FROM diagnostics WHERE severity = 'warning')",
			       -1, &st, NULL) != SQLITE_OK)
		return fail(ix, "counting the index");
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		s->skills = (size_t)sqlite3_column_int64(st, 0);
		s->checklist_items = (size_t)sqlite3_column_double(st, 1);
		s->diagnostics = (size_t)sqlite3_column_int64(st, 2);
		s->errors = (size_t)sqlite3_column_int64(st, 3);
		s->warnings = (size_t)sqlite3_column_int64(st, 4);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : fail(ix, "counting the index");
}

/* ---- a run scoped by hints ----
 *
 * The file watcher says which paths changed. When each is a file inside a
 * served skill (or in no skill: then it changes nothing), or a folder
 * outside every skill made or gone, the skills they touch are the only ones
 * to look at: the skill holding a file is stamped and read again if its
 * stamp changed; the skills below a folder gone are removed; a new folder
 * is scanned (scan_subtree) and its skills added; the diagnostics of no
 * skill below those folders are replaced. Every other row stays as it is,
 * and no other folder is scanned.
 *
 * What makes the run look at every folder instead: a SKILL.md (it makes or
 * unmakes a skill), a symlink anywhere in the collection (a file elsewhere
 * may then be a skill's too: meta 'symlinks'), a folder made inside a
 * skill, a folder made where served skills are, a shadowed skill (a
 * change may unshadow it), and any slug that could move: a skill whose
 * name changed, a new skill whose name another asks for or serves under,
 * a skill gone whose name another asks for.
 */

/* A skill the run reads: served skill o read again, or (o NULL) a new one
 * a folder's scan found. */
struct scoped {
	struct old_skill *o;
	int root_index;
	struct scan_skill sk;
	struct prepared p;
};

/* A folder made or gone: the diagnostics of no skill below it are
 * replaced by diags (those of its scan; none when it is gone). */
struct scoped_tree {
	int root_index;
	char *rel;
	bool scanned;           /* a folder made: its skills were found */
	struct diag_list diags;
};

struct scope {
	struct scoped *read;
	size_t n_read;
	struct old_skill **gone;
	size_t n_gone;
	struct scoped_tree *trees;
	size_t n_trees;
	size_t n_new;           /* skills added */
};

/* The root (as given) that path lies in, its index, and the path below it
 * in *rel (pointing into path); -1 when none. */
static int hint_root(const struct index_options *opt, const char *path, const char **rel)
{
	for (size_t i = 0; i < opt->n_roots; i++) {
		size_t n = strlen(opt->roots[i]);

		while (n > 1 && opt->roots[i][n - 1] == '/')
			n--;
		if (strncmp(path, opt->roots[i], n) == 0 && path[n] == '/' && path[n + 1]) {
			*rel = path + n + 1;
			return (int)i;
		}
	}
	return -1;
}

/* Is rel dir, or below it? */
static bool rel_under(const char *rel, const char *dir)
{
	size_t n = strlen(dir);

	return strncmp(rel, dir, n) == 0 && (rel[n] == '\0' || rel[n] == '/');
}

/* Are there skills an earlier run found shadowed (their diagnostics name
 * them)? */
static size_t count_shadowed(sqlite3 *db)
{
	sqlite3_stmt *st = NULL;
	size_t n = 0;

	if (sqlite3_prepare_v2(db, "SELECT count(DISTINCT root_index || '/' || skill_path) FROM "
			       "diagnostics WHERE skill_id IS NULL AND skill_path IS NOT NULL", -1, &st,
			       NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		n = (size_t)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

/* The served skill whose folder holds rel (the deepest above it), or NULL. */
static struct old_skill *hint_owner(struct indexer *ix, int root_index, const char *rel)
{
	char *dir = xstrdup(rel);
	struct old_skill *o = NULL;

	while (!o && dir[0]) {
		char *slash = strrchr(dir, '/');

		if (slash)
			*slash = '\0';
		else
			dir[0] = '\0';
		o = old_at(&ix->old, root_index, dir);
	}
	free(dir);
	return o;
}

/* What a path that changed is now. */
enum hint_kind { HINT_FILE, HINT_FOLDER, HINT_GONE };

/* Is the folder that holds path gone too? */
static bool parent_gone(const char *path)
{
	char *dir = xstrdup(path), *slash = strrchr(dir, '/');
	struct stat st;
	bool gone;

	if (slash)
		*slash = '\0';
	gone = lstat(dir, &st) != 0 && errno == ENOENT;
	free(dir);
	return gone;
}

/* 1 with *kind, or 0 when a scoped run cannot follow a change there: a
 * skill marker (unless its folder went with it: that folder's own change
 * says what went), a symlink, something in a skipped folder, not a file
 * or a folder. */
static int hint_kind(const char *path, const char *rel, enum hint_kind *kind)
{
	const char *base = strrchr(rel, '/');
	struct stat st;

	base = base ? base + 1 : rel;
	if (strcmp(base, "SKILL.md") == 0 || strcmp(base, "skill.md") == 0) {
		*kind = HINT_GONE;
		return lstat(path, &st) != 0 && errno == ENOENT && parent_gone(path);
	}
	for (const char *p = rel; *p;) {
		size_t n = strcspn(p, "/");
		char *part = xstrndup(p, n);
		bool skipped = scan_skipped_name(part) || n == 0 || strcmp(part, "..") == 0 ||
			       strcmp(part, ".") == 0;

		free(part);
		if (skipped)
			return 0;
		p += n;
		if (*p)
			p++;
	}
	if (lstat(path, &st) != 0) {
		*kind = HINT_GONE;
		return errno == ENOENT;
	}
	*kind = S_ISREG(st.st_mode) ? HINT_FILE : HINT_FOLDER;
	return S_ISREG(st.st_mode) || S_ISDIR(st.st_mode);
}

/* The marker file a served skill was read from ("SKILL.md" or "skill.md"). */
static char *skill_marker(sqlite3 *db, sqlite3_int64 id)
{
	sqlite3_stmt *st = NULL;
	char *md = NULL;

	if (sqlite3_prepare_v2(db, "SELECT path FROM files WHERE skill_id = ?1 AND kind = 'skill' "
			       "AND path NOT LIKE '%/%'", -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, id);
		if (sqlite3_step(st) == SQLITE_ROW)
			md = column_dup(st, 0);
	}
	sqlite3_finalize(st);
	return md ? md : xstrdup("SKILL.md");
}

static void scope_fini(struct scope *sc)
{
	for (size_t i = 0; i < sc->n_read; i++) {
		prepared_fini(&sc->read[i].p);
		free(sc->read[i].sk.dir);
		free(sc->read[i].sk.rel);
		free(sc->read[i].sk.folder);
		free(sc->read[i].sk.skill_md);
	}
	free(sc->read);
	free(sc->gone);
	for (size_t i = 0; i < sc->n_trees; i++) {
		free(sc->trees[i].rel);
		diag_list_fini(&sc->trees[i].diags);
	}
	free(sc->trees);
	memset(sc, 0, sizeof(*sc));
}

/* Adds served skill o to the skills read again, once. */
static void scope_read_old(struct indexer *ix, struct scope *sc, struct old_skill *o,
			   int root_index)
{
	struct scoped *e;

	for (size_t k = 0; k < sc->n_read; k++)
		if (sc->read[k].o == o)
			return;
	sc->read = xrealloc(sc->read, (sc->n_read + 1) * sizeof(*sc->read));
	e = &sc->read[sc->n_read++];
	memset(e, 0, sizeof(*e));
	e->o = o;
	e->root_index = root_index;
	e->sk.rel = xstrdup(strcmp(o->path, ".") == 0 ? "" : o->path);
	e->sk.skill_md = skill_marker(ix->db, o->id);
}

static bool scope_is_gone(const struct scope *sc, const struct old_skill *o)
{
	for (size_t k = 0; k < sc->n_gone; k++)
		if (sc->gone[k] == o)
			return true;
	return false;
}

static struct scoped_tree *scope_tree(struct scope *sc, int root_index, const char *rel)
{
	struct scoped_tree *t;

	sc->trees = xrealloc(sc->trees, (sc->n_trees + 1) * sizeof(*sc->trees));
	t = &sc->trees[sc->n_trees++];
	t->root_index = root_index;
	t->rel = xstrdup(rel);
	t->scanned = false;
	diag_list_init(&t->diags);
	return t;
}

/*
 * Adds what the change at hint asks for to sc: 1, or 0 when the run must
 * look at every folder.
 */
static int scope_hint(struct indexer *ix, struct scope *sc, const char *hint)
{
	const struct index_options *opt = ix->opt;
	const char *rel = NULL;
	int root = hint_root(opt, hint, &rel);
	enum hint_kind kind;
	struct old_skill *o;
	struct scan_result sr;
	struct scoped_tree *t;
	int rc = 1;

	if (root < 0 || !hint_kind(hint, rel, &kind))
		return 0;
	o = hint_owner(ix, root, rel);
	if (kind == HINT_FILE) {
		if (o)
			scope_read_old(ix, sc, o, root);
		return 1;
	}
	if (kind == HINT_GONE) {
		/* a file or a folder, inside a skill or not: the skill
		 * holding it is stamped, those below it are gone */
		if (o)
			scope_read_old(ix, sc, o, root);
		for (size_t i = 0; i < ix->old.n; i++) {
			struct old_skill *g = &ix->old.v[i];

			if (g->root_index == root && strcmp(g->path, ".") != 0 &&
			    rel_under(g->path, rel) && !scope_is_gone(sc, g)) {
				sc->gone = xrealloc(sc->gone, (sc->n_gone + 1) * sizeof(*sc->gone));
				sc->gone[sc->n_gone++] = g;
			}
		}
		scope_tree(sc, root, rel);
		return 1;
	}
	/* A folder made (or moved in) outside every skill, where no skill
	 * was: its skills are new. One below a folder already scanned is in
	 * that scan. */
	if (o)
		return 0;
	for (size_t k = 0; k < sc->n_trees; k++) {
		if (sc->trees[k].root_index != root || !sc->trees[k].scanned)
			continue;
		if (rel_under(rel, sc->trees[k].rel))
			return 1;
		if (rel_under(sc->trees[k].rel, rel))
			return 0;
	}
	for (size_t i = 0; i < ix->old.n; i++)
		if (ix->old.v[i].root_index == root && rel_under(ix->old.v[i].path, rel))
			return 0;
	t = scope_tree(sc, root, rel);
	t->scanned = true;
	scan_result_init(&sr);
	if (scan_subtree(opt->roots[root], rel, &sr, &t->diags) != 0 || sr.linked) {
		rc = 0;
	} else {
		for (size_t i = 0; i < sr.len; i++) {
			struct scoped *e;

			sc->read = xrealloc(sc->read, (sc->n_read + 1) * sizeof(*sc->read));
			e = &sc->read[sc->n_read++];
			memset(e, 0, sizeof(*e));
			e->root_index = root;
			e->sk = sr.skills[i];
			memset(&sr.skills[i], 0, sizeof(sr.skills[i]));
		}
	}
	scan_result_fini(&sr);
	return rc;
}

/* Does a served skill other than those gone ask for, or serve under,
 * slug (as its name's slug when base, else as either)? */
static bool slug_in_use(const struct indexer *ix, const struct scope *sc, const char *slug,
			bool base_only)
{
	for (size_t i = 0; i < ix->old.n; i++) {
		const struct old_skill *o = &ix->old.v[i];

		if (scope_is_gone(sc, o))
			continue;
		if ((o->slug_base && strcmp(o->slug_base, slug) == 0) ||
		    (!base_only && o->slug && strcmp(o->slug, slug) == 0))
			return true;
	}
	return false;
}

/* Reads every skill of the scope (stamp first; nothing when it did not
 * change): 1, or 0 when a slug could move. */
static int scope_prepare(struct indexer *ix, struct scope *sc)
{
	const struct index_options *opt = ix->opt;

	for (size_t k = 0; k < sc->n_read; k++) {
		struct scoped *e = &sc->read[k];
		char *real = realpath(opt->roots[e->root_index], NULL);
		const struct job j = { .root = root_label(opt, (size_t)e->root_index),
				       .root_abs = real, .root_index = e->root_index,
				       .max_file_size = opt->max_file_size, .old = &ix->old };

		if (!real)
			return 0;
		if (!e->sk.dir) {
			e->sk.dir = e->sk.rel[0] ? xasprintf("%s/%s", real, e->sk.rel) : xstrdup(real);
			e->sk.folder = xstrdup(strrchr(e->sk.dir, '/') ? strrchr(e->sk.dir, '/') + 1
					       : e->sk.dir);
		}
		if (!e->o || !scope_is_gone(sc, e->o))
			prepare_analyze(&e->p, &j, &e->sk, !e->o);
		free(real);
		if (e->p.linked)
			return 0;
		if (e->o && !e->p.same && e->p.base &&
		    (!e->o->slug_base || strcmp(e->p.base, e->o->slug_base) != 0))
			return 0;
		if (!e->o) {
			if (slug_in_use(ix, sc, e->p.base, false))
				return 0;
			for (size_t m = 0; m < k; m++)
				if (!sc->read[m].o && strcmp(sc->read[m].p.base, e->p.base) == 0)
					return 0;
		}
	}
	for (size_t k = 0; k < sc->n_gone; k++)
		if (slug_in_use(ix, sc, sc->gone[k]->slug_base ? sc->gone[k]->slug_base : "", true))
			return 0;
	return 1;
}

/* Writes what the scope read: the skills gone removed, the diagnostics of
 * no skill below each folder replaced, the skills read stored. */
static int scope_store(struct indexer *ix, struct scope *sc)
{
	sqlite3_stmt *st = NULL;

	for (size_t k = 0; k < sc->n_gone; k++)
		if (remove_old(ix, sc->gone[k]) != 0)
			return -1;
	if (sc->n_trees &&
	    sqlite3_prepare_v2(ix->db, "DELETE FROM diagnostics WHERE skill_id IS NULL AND "
			       "skill_path IS NULL AND root_index = ?1 AND (path = ?2 OR "
			       "substr(path, 1, length(?2) + 1) = ?2 || '/')", -1, &st, NULL) != SQLITE_OK)
		return fail(ix, "preparing a removal of diagnostics");
	for (size_t k = 0; k < sc->n_trees; k++) {
		struct scoped_tree *t = &sc->trees[k];

		sqlite3_bind_int(st, 1, t->root_index);
		sqlite3_bind_text(st, 2, t->rel, -1, SQLITE_STATIC);
		ix->root_index = t->root_index;
		if (step_done(ix, st, "removing diagnostics") != 0 ||
		    insert_diags(ix, 0, root_label(ix->opt, (size_t)t->root_index), NULL,
				 &t->diags) != 0) {
			sqlite3_finalize(st);
			return -1;
		}
		if (t->diags.len)
			ix->changed = true;
	}
	sqlite3_finalize(st);
	for (size_t k = 0; k < sc->n_read; k++) {
		struct scoped *e = &sc->read[k];
		struct prepared *p = &e->p;
		char *md_path;

		if (!p->base) /* unchanged, or gone */
			continue;
		ix->root_index = e->root_index;
		sc->n_new += !e->o;
		p->r.slug = xstrdup(e->o ? e->o->slug : p->base);
		md_path = e->sk.rel[0] ? xasprintf("%s/%s", e->sk.rel, e->sk.skill_md)
			  : xstrdup(e->sk.skill_md);
		note_slug(&p->r, p->base, md_path);
		free(md_path);
		prepare_render(p, ix->pack);
		if (store_prepared(ix, p) != 0)
			return -1;
	}
	return 0;
}

/*
 * Tries the run the hints allow: 1 when it ran (every other served skill
 * kept), 0 when the hints do not allow it (nothing was written: the caller
 * runs over every folder), -1 on a database failure.
 */
static int index_scoped(struct indexer *ix)
{
	const struct index_options *opt = ix->opt;
	char *links = meta_get(ix->db, "symlinks");
	struct scope sc = { 0 };
	int rc = 0;

	if (!links || strcmp(links, "none") != 0)
		goto out;
	for (size_t h = 0; h < opt->n_hints; h++)
		if (!scope_hint(ix, &sc, opt->hints[h]))
			goto out;
	if ((sc.n_gone || sc.n_trees) && count_shadowed(ix->db) > 0)
		goto out;
	if (!scope_prepare(ix, &sc))
		goto out;
	rc = scope_store(ix, &sc) == 0 ? 1 : -1;
	if (rc == 1) {
		for (size_t i = 0; i < ix->old.n; i++)
			if (!ix->old.v[i].replaced && !ix->old.v[i].gone)
				ix->old.v[i].kept = true;
		/* not read: neither gone, nor read again (replaced or touched) */
		ix->stats->kept = ix->old.n - sc.n_gone - (ix->stats->read - sc.n_new) -
				  ix->stats->touched;
		ix->stats->scoped = true;
	}
out:
	free(links);
	scope_fini(&sc);
	return rc;
}

/*
 * Opens the run's transaction and makes the tables ready: emptied for a
 * full run; for an incremental one, the served skills read.
 */
static int begin_run(struct indexer *ix, const char *identity)
{
	char *had = NULL;
	double t0 = now();
	int rc = -1;

	if (sqlite3_exec(ix->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return fail(ix, "starting the index transaction");
	ix->stats->generation = meta_generation(ix->db);
	had = meta_get(ix->db, "identity");
	ix->stats->full = !ix->opt->incremental || ix->stats->generation == 0 || !had ||
			  strcmp(had, identity) != 0;
	free(had);
	if (ix->stats->full) {
		if (sqlite3_exec(ix->db, "DELETE FROM diagnostics; DELETE FROM checklists; "
				 "DELETE FROM files; DELETE FROM skills;", NULL, NULL, NULL) != SQLITE_OK) {
			fail(ix, "clearing the previous index");
			goto out;
		}
		if (searchrows_clear(ix->search, ix->err, ix->errlen) != 0)
			goto out;
		ix->changed = true;
	} else {
		if (old_load(ix->db, &ix->old) != 0) {
			fail(ix, "reading the served skills");
			goto out;
		}
		if (dict_load(ix) != 0)
			goto out;
	}
	rc = 0;
out:
	ix->stats->t.clear = now() - t0;
	return rc;
}

/* Deletes the served skills this run did not find again, and says in
 * meta what the index now is: a new generation when a reader would see a
 * difference. */
static int end_run(struct indexer *ix, const char *identity)
{
	char loose[SHA256_HEX_LEN + 1], gen[32];
	sqlite3_stmt *st = NULL;
	struct sha256_ctx *c;
	char *had;

	for (size_t i = 0; i < ix->old.n; i++) {
		struct old_skill *o = &ix->old.v[i];

		if (!o->kept && !o->replaced)
			ix->stats->removed++;
		if (!o->kept && !o->gone && remove_old(ix, o) != 0)
			return -1;
	}
	/* Whether the diagnostics of no skill changed: a digest of them all,
	 * in the order served. */
	if (sqlite3_prepare_v2(ix->db, "SELECT root_index, skill_path, path, severity, code, message, "
			       "line, col, seq FROM diagnostics WHERE skill_id IS NULL ORDER BY "
			       STORE_DIAGNOSTICS_ORDER(""), -1, &st, NULL) != SQLITE_OK)
		return fail(ix, "reading the diagnostics of no skill");
	c = sha256_begin();
	while (sqlite3_step(st) == SQLITE_ROW)
		for (int k = 0; k < 9; k++)
			sha_field(c, (const char *)sqlite3_column_text(st, k));
	sqlite3_finalize(st);
	sha256_end(c, loose);
	had = meta_get(ix->db, "loose_diagnostics");
	if (!had || strcmp(had, loose) != 0)
		ix->changed = true;
	free(had);
	if (count_totals(ix) != 0)
		return -1;
	if (ix->stats->scoped) {
		ix->stats->shadowed = count_shadowed(ix->db);
		ix->stats->skill_mds = ix->stats->skills + ix->stats->shadowed;
	}
	if (!ix->stats->scoped) {
		const char *links = ix->linked ? "some" : "none";

		had = meta_get(ix->db, "symlinks");
		if (!had || strcmp(had, links) != 0) {
			if (meta_put(ix, "symlinks", links) != 0) {
				free(had);
				return -1;
			}
			ix->stats->wrote = true;
		}
		free(had);
	}
	if (ix->stats->touched > 0)
		ix->stats->wrote = true;
	if (!ix->changed)
		return 0;
	ix->stats->wrote = true;
	if (meta_put(ix, "identity", identity) != 0 || meta_put(ix, "loose_diagnostics", loose) != 0)
		return -1;
	ix->stats->generation++;
	snprintf(gen, sizeof(gen), "%lld", (long long)ix->stats->generation);
	if (meta_put(ix, "generation", gen) != 0)
		return -1;
	if (sqlite3_exec(ix->db, "INSERT OR REPLACE INTO meta (key, value) VALUES ('indexed_at', "
			 "strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))", NULL, NULL, NULL) != SQLITE_OK)
		return fail(ix, "writing meta");
	return 0;
}

int index_build(sqlite3 *db, const struct index_options *opt, struct index_stats *stats,
		char *err, size_t errlen)
{
	struct indexer ix = { .db = db, .opt = opt, .stats = stats, .err = err, .errlen = errlen,
			      .search = searchrows_new(db), .pack = pack_ctx_new() };
	char *identity = identity_of(db, opt);
	double t0;
	int rc = -1;

	memset(stats, 0, sizeof(*stats));
	/* The run deletes children before parents and writes parents before
	 * children itself: foreign keys would only cost a lookup per row, and
	 * turn the clearing DELETEs into row-by-row ones. */
	sqlite3_exec(db, "PRAGMA foreign_keys=OFF", NULL, NULL, NULL);
	for (int i = 0; i < INS_COUNT_; i++) {
		if (sqlite3_prepare_v2(db, ins_sql[i], -1, &ix.st[i], NULL) != SQLITE_OK) {
			fail(&ix, "preparing statements");
			goto out;
		}
	}
	if (begin_run(&ix, identity) != 0)
		goto out;
	if (!stats->full && opt->hints) {
		int scoped = index_scoped(&ix);

		if (scoped < 0)
			goto out;
		if (scoped == 1)
			goto end;
	}
	/* Each run over every folder writes the diagnostics of no skill
	 * again. */
	if (!stats->full &&
	    sqlite3_exec(db, "DELETE FROM diagnostics WHERE skill_id IS NULL", NULL, NULL, NULL) !=
	    SQLITE_OK) {
		fail(&ix, "clearing the diagnostics of no skill");
		goto out;
	}
	for (size_t i = 0; i < opt->n_roots; i++) {
		ix.root_index = (int)i;
		if (root_seen_before(&ix, i))
			continue;
		if (index_root(&ix, opt->roots[i], root_label(opt, i)) != 0)
			goto out;
	}
end:
	if (end_run(&ix, identity) != 0)
		goto out;
	/* A full run's FTS5 segments (one per MB of text) merged into one:
	 * every search seeks each of its terms in each segment. */
	t0 = now();
	if (stats->full && searchrows_optimize(ix.search, ix.err, ix.errlen) != 0)
		goto out;
	stats->t.search += now() - t0;
	t0 = now();
	/* A run that changed nothing leaves no page in the WAL. */
	if (sqlite3_exec(db, stats->wrote ? "COMMIT" : "ROLLBACK", NULL, NULL, NULL) != SQLITE_OK) {
		fail(&ix, "committing the index");
		goto out;
	}
	stats->t.commit = now() - t0;
	stats->changed = ix.changed;
	rc = 0;
out:
	for (int i = 0; i < INS_COUNT_; i++)
		sqlite3_finalize(ix.st[i]);
	searchrows_free(ix.search);
	pack_ctx_free(ix.pack);
	pack_dict_free(ix.dict);
	if (rc != 0 && !sqlite3_get_autocommit(db))
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_exec(db, "PRAGMA foreign_keys=ON", NULL, NULL, NULL);
	old_fini(&ix.old);
	slug_map_fini(&ix.slugs);
	free(identity);
	return rc;
}
