/* SPDX-License-Identifier: MIT */
/*
 * index: the rebuild of the whole index in one write transaction. Slugs are
 * assigned here, because they depend on every skill before this one: the
 * skill table itself answers "is this slug taken, and by which root".
 * The writer connection is used by the calling thread only; with
 * index_options.threads > 0, that many workers read, analyse and render the
 * skills ahead of it (see "the pipeline" below), so that SQLite's single
 * writer is the only serial part.
 */
#include "skilld/indexing/index.h"

#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "skilld/indexing/checklist.h"
#include "skilld/base/diag.h"
#include "skilld/indexing/scan.h"
#include "skilld/indexing/searchrows.h"
#include "skilld/indexing/skill.h"
#include "skilld/base/text.h"
#include "skilld/base/util.h"
#include "skilld/store/db.h"

enum ins {
	INS_SKILL,
	INS_FILE,
	INS_CHECKLIST,
	INS_DIAG,
	SEL_SLUG,
	INS_COUNT_
};

static const char *const ins_sql[INS_COUNT_] = {
	[INS_SKILL] =
		"INSERT INTO skills (slug, name, description, root, path, folder, valid, tier, digest, "
		"summary_json, detail_json, files_json, checklist_json, evals_json, check_json, "
		"root_index, body_html, toc_json) "
		"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)",
	[INS_FILE] =
		"INSERT INTO files (skill_id, path, kind, size, digest, mime, is_text, content, html, toc_json) "
		"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
	[INS_CHECKLIST] =
		"INSERT INTO checklists (skill_id, path, title, item_count, digest, is_primary) "
		"VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	[INS_DIAG] =
		"INSERT INTO diagnostics (skill_id, root, path, severity, code, message, line, col) "
		"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
	[SEL_SLUG] = "SELECT root, root_index FROM skills WHERE slug = ?1",
};

struct indexer {
	sqlite3 *db;
	sqlite3_stmt *st[INS_COUNT_];
	sqlite3_stmt *search_insert;    /* searchrows_add_skill's, made on first use */
	const struct index_options *opt;
	struct index_stats *stats;
	int root_index;         /* position of the root being indexed */
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

/* Steps a bound insert statement to completion and resets it. */
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

static int insert_diag(struct indexer *ix, sqlite3_int64 skill_id, const char *root,
		       const struct diag *d)
{
	sqlite3_stmt *st = ix->st[INS_DIAG];

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
	ix->stats->diagnostics++;
	if (d->severity == DIAG_ERROR)
		ix->stats->errors++;
	else if (d->severity == DIAG_WARNING)
		ix->stats->warnings++;
	return step_done(ix, st, "inserting a diagnostic");
}

static int insert_diags(struct indexer *ix, sqlite3_int64 skill_id, const char *root,
			const struct diag_list *l)
{
	for (size_t i = 0; i < l->len; i++)
		if (insert_diag(ix, skill_id, root, &l->items[i]) != 0)
			return -1;
	return 0;
}

/* The root (as the user named it) that already serves slug, or NULL
 * (free()); *index gets that root's position. */
static char *slug_owner(struct indexer *ix, const char *slug, int *index)
{
	sqlite3_stmt *st = ix->st[SEL_SLUG];
	char *owner = NULL;

	sqlite3_bind_text(st, 1, slug, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		owner = xstrdup((const char *)sqlite3_column_text(st, 0));
		*index = sqlite3_column_int(st, 1);
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return owner;
}

/*
 * Gives r its slug. Returns 1 when the skill is shadowed by an earlier root
 * (r->slug stays NULL, a diagnostic is added), 0 otherwise.
 */
static int assign_slug(struct indexer *ix, struct skill_record *r, const char *md_path)
{
	char *base = skill_slug_base(r);
	int owner_index = 0;
	char *owner = slug_owner(ix, base, &owner_index);
	char *slug;

	if (!owner) {
		r->slug = base;
		return 0;
	}
	if (owner_index != ix->root_index) {
		diag_add(&r->diags, DIAG_WARNING, "skill-shadowed", md_path, 0, 0,
			 "the slug '%s' is already served from the earlier root '%s', which wins; "
			 "this skill is not served", base, owner);
		free(owner);
		free(base);
		return 1;
	}
	free(owner);
	for (int n = 2;; n++) {
		slug = xasprintf("%s-%d", base, n);
		owner = slug_owner(ix, slug, &owner_index);
		if (!owner)
			break;
		free(owner);
		free(slug);
	}
	diag_add(&r->diags, DIAG_WARNING, "slug-duplicate", md_path, 0, 0,
		 "another skill of this root already uses the slug '%s'; this one is served as '%s'",
		 base, slug);
	free(base);
	r->slug = slug;
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
	ANS_BODY_TOC,
	ANS_COUNT_
};

/* A skill read, analysed and rendered, with its stored JSON answers
 * printed: everything but the SQLite rows. Built by a worker or by the
 * indexing thread itself. */
struct prepared {
	struct skill_record r;
	char *answer[ANS_COUNT_];  /* JSON text or NULL */
	char **file_toc;           /* JSON text per file (parallel to r.files), or NULL */
	size_t bytes;              /* bytes of files read */
	double t_analyze, t_render, t_json;
};

static void prepared_fini(struct prepared *p)
{
	for (int i = 0; i < ANS_COUNT_; i++)
		free(p->answer[i]);
	for (size_t i = 0; p->file_toc && i < p->r.files.len; i++)
		free(p->file_toc[i]);
	free(p->file_toc);
	skill_record_fini(&p->r);
	memset(p, 0, sizeof(*p));
}

/* Reads and analyses the skill sk of root; the record has no slug yet. */
static void prepare_analyze(struct prepared *p, const char *root, const char *root_abs,
			    const struct scan_skill *sk, size_t max_file_size)
{
	double t0 = now();

	memset(p, 0, sizeof(*p));
	skill_analyze(root, root_abs, sk, max_file_size, &p->r);
	for (size_t i = 0; i < p->r.files.len; i++)
		p->bytes += p->r.files.items[i].content_len;
	p->t_analyze = now() - t0;
}

/* Renders the record (its slug set) and prints its JSON answers. */
static void prepare_render(struct prepared *p)
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
		if (i != ANS_EVALS && i != ANS_CHECK && i != ANS_BODY_TOC) {
			p->answer[i] = json_text(json[i]);
			cJSON_Delete(json[i]);
		}
	p->answer[ANS_EVALS] = json_text(r->evals);
	p->answer[ANS_CHECK] = json_text(r->check);
	p->answer[ANS_BODY_TOC] = json_text(r->body_toc);
	p->file_toc = xcalloc(r->files.len ? r->files.len : 1, sizeof(*p->file_toc));
	for (size_t i = 0; r->file_html && i < r->files.len; i++)
		p->file_toc[i] = json_text(r->file_html[i].toc);
	p->t_json = now() - t1;
}

/* ---- storing ---- */

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
		if (f->content && f->content_len <= INT_MAX)
			sqlite3_bind_blob(st, 8, f->content, (int)f->content_len, SQLITE_STATIC);
		else
			sqlite3_bind_null(st, 8);
		db_bind_text_or_null(st, 9, r->file_html ? r->file_html[i].html : NULL);
		db_bind_text_or_null(st, 10, p->file_toc ? p->file_toc[i] : NULL);
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
		ix->stats->checklist_items += (size_t)checklist_item_count(cl->parsed);
	}
	return 0;
}

static int insert_skill(struct indexer *ix, const struct prepared *p)
{
	const struct skill_record *r = &p->r;
	sqlite3_stmt *st = ix->st[INS_SKILL];
	sqlite3_int64 id;
	double t0 = now(), t1;
	int rc;

	sqlite3_bind_text(st, 1, r->slug, -1, SQLITE_STATIC);
	db_bind_text_or_null(st, 2, frontmatter_string(&r->fm, "name"));
	db_bind_text_or_null(st, 3, frontmatter_string(&r->fm, "description"));
	sqlite3_bind_text(st, 4, r->root, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, r->rel[0] ? r->rel : ".", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, r->folder, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 7, r->valid);
	db_bind_text_or_null(st, 8, r->tier);
	sqlite3_bind_text(st, 9, r->digest, -1, SQLITE_STATIC);
	db_bind_text_or_null(st, 10, p->answer[ANS_SUMMARY]);
	db_bind_text_or_null(st, 11, p->answer[ANS_DETAIL]);
	db_bind_text_or_null(st, 12, p->answer[ANS_FILES]);
	db_bind_text_or_null(st, 13, p->answer[ANS_CHECKLIST]);
	db_bind_text_or_null(st, 14, p->answer[ANS_EVALS]);
	db_bind_text_or_null(st, 15, p->answer[ANS_CHECK]);
	sqlite3_bind_int(st, 16, ix->root_index);
	db_bind_text_or_null(st, 17, r->body_html);
	db_bind_text_or_null(st, 18, p->answer[ANS_BODY_TOC]);
	rc = step_done(ix, st, "inserting a skill");
	if (rc != 0)
		return -1;
	id = sqlite3_last_insert_rowid(ix->db);
	if (insert_files(ix, id, p) != 0 || insert_checklists(ix, id, r) != 0 ||
	    insert_diags(ix, id, r->root, &r->diags) != 0)
		return -1;
	t1 = now();
	ix->stats->t.store += t1 - t0;
	if (searchrows_add_skill(ix->db, &ix->search_insert, id, r, ix->err, ix->errlen) != 0)
		return -1;
	ix->stats->t.search += now() - t1;
	ix->stats->skills++;
	return 0;
}

/* Stores a prepared skill (its slug assigned); p is released. */
static int store_prepared(struct indexer *ix, struct prepared *p)
{
	int rc;

	ix->stats->skill_mds++;
	ix->stats->bytes += p->bytes;
	ix->stats->t.analyze += p->t_analyze;
	ix->stats->t.render += p->t_render;
	ix->stats->t.json += p->t_json;
	rc = insert_skill(ix, p);
	prepared_fini(p);
	return rc;
}

/*
 * Indexes skill sk on the indexing thread alone, from the files: used when
 * no worker prepared it, or when the slug its worker assumed turned out to
 * be taken (then the skill is shadowed, or served under "name-N", and both
 * the diagnostics and the links rendered depend on that).
 */
static int index_serially(struct indexer *ix, const char *root, const char *root_abs,
			  const struct scan_skill *sk)
{
	struct prepared p;
	char *md_path = sk->rel[0] ? xasprintf("%s/%s", sk->rel, sk->skill_md) : xstrdup(sk->skill_md);
	int rc;

	prepare_analyze(&p, root, root_abs, sk, ix->opt->max_file_size);
	if (assign_slug(ix, &p.r, md_path) == 1) {
		ix->stats->skill_mds++;
		ix->stats->bytes += p.bytes;
		ix->stats->t.analyze += p.t_analyze;
		ix->stats->shadowed++;
		rc = insert_diags(ix, 0, root, &p.r.diags);
		prepared_fini(&p);
	} else {
		prepare_render(&p);
		rc = store_prepared(ix, &p);
	}
	free(md_path);
	return rc;
}

/* Stores a skill a worker prepared under the slug its name asks for, or
 * indexes it again serially when that slug is taken. */
static int index_prepared(struct indexer *ix, const char *root, const char *root_abs,
			  const struct scan_skill *sk, struct prepared *p)
{
	int owner_index = 0;
	char *owner = slug_owner(ix, p->r.slug, &owner_index);

	if (!owner)
		return store_prepared(ix, p);
	free(owner);
	prepared_fini(p);
	return index_serially(ix, root, root_abs, sk);
}

/* ---- the pipeline ----
 *
 * Workers take the skills of one root in order and prepare them (read,
 * analyse, render under the slug the skill's name asks for, print the
 * JSON) into a ring of slots; the indexing thread stores slot after slot in
 * scan order, so the index comes out exactly as a serial run makes it. The
 * ring bounds the memory: a worker waits while its slot still holds a
 * skill that is not stored.
 */

#define SLOTS_PER_WORKER 4

struct slot {
	struct prepared p;
	bool ready;
};

struct pipeline {
	pthread_mutex_t lock;
	pthread_cond_t changed;        /* a slot got ready, or one was taken */
	const char *root;
	const char *root_abs;
	const struct scan_skill *skills;
	size_t n;
	size_t max_file_size;
	struct slot *slots;
	size_t n_slots;
	size_t next;                   /* next skill a worker takes */
	size_t stored;                 /* skills the indexing thread took */
	bool stop;
};

static void *worker_main(void *arg)
{
	struct pipeline *pl = arg;

	for (;;) {
		size_t i;
		struct slot *sl;

		pthread_mutex_lock(&pl->lock);
		while (!pl->stop && pl->next < pl->n && pl->next >= pl->stored + pl->n_slots)
			pthread_cond_wait(&pl->changed, &pl->lock);
		if (pl->stop || pl->next >= pl->n) {
			pthread_mutex_unlock(&pl->lock);
			return NULL;
		}
		i = pl->next++;
		pthread_mutex_unlock(&pl->lock);

		sl = &pl->slots[i % pl->n_slots];
		prepare_analyze(&sl->p, pl->root, pl->root_abs, &pl->skills[i], pl->max_file_size);
		sl->p.r.slug = skill_slug_base(&sl->p.r);
		prepare_render(&sl->p);

		pthread_mutex_lock(&pl->lock);
		sl->ready = true;
		pthread_cond_broadcast(&pl->changed);
		pthread_mutex_unlock(&pl->lock);
	}
}

/* Indexes the skills of one scanned root with up to ix->opt->threads
 * workers (none: all on this thread). */
static int index_skills(struct indexer *ix, const char *root, const struct scan_result *sr)
{
	struct pipeline pl = { .root = root, .root_abs = sr->root, .skills = sr->skills,
			       .n = sr->len, .max_file_size = ix->opt->max_file_size };
	unsigned want = ix->opt->threads;
	pthread_t *tids;
	unsigned started = 0;
	int rc = 0;

	if (want > sr->len)
		want = (unsigned)sr->len;
	if (want == 0) {
		for (size_t i = 0; i < sr->len && rc == 0; i++)
			rc = index_serially(ix, root, sr->root, &sr->skills[i]);
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
			rc = index_serially(ix, root, sr->root, &sr->skills[i]);
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
		rc = index_prepared(ix, root, sr->root, &sr->skills[i], &p);
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
static int index_root(struct indexer *ix, const char *root, const char *label)
{
	struct scan_result sr;
	struct diag_list diags;
	double t0 = now();
	int rc;

	scan_result_init(&sr);
	diag_list_init(&diags);
	scan_root(root, &sr, &diags);
	ix->stats->t.scan += now() - t0;
	rc = index_skills(ix, label, &sr);
	if (rc == 0)
		rc = insert_diags(ix, 0, label, &diags);
	diag_list_fini(&diags);
	scan_result_fini(&sr);
	return rc;
}

/* The name of root i in rows and messages. */
static const char *root_label(const struct index_options *opt, size_t i)
{
	return opt->labels ? opt->labels[i] : opt->roots[i];
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

			d.message = xasprintf("'%s' is the same folder as the earlier root '%s'; "
					      "it is indexed once", root_label(ix->opt, i),
					      root_label(ix->opt, k));
			insert_diag(ix, 0, root_label(ix->opt, i), &d);
			free(d.message);
			seen = true;
		}
		free(other);
	}
	free(me);
	return seen;
}

static int64_t next_generation(sqlite3 *db)
{
	sqlite3_stmt *st = NULL;
	int64_t g = 1;

	if (sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key = 'generation'", -1, &st,
			       NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		g = sqlite3_column_int64(st, 0) + 1;
	sqlite3_finalize(st);
	return g;
}

static int write_meta(struct indexer *ix)
{
	sqlite3_stmt *st = NULL;
	char gen[32];
	int rc;

	snprintf(gen, sizeof(gen), "%lld", (long long)ix->stats->generation);
	if (sqlite3_prepare_v2(ix->db, "INSERT OR REPLACE INTO meta (key, value) VALUES "
			       "('generation', ?1), ('indexed_at', strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))",
			       -1, &st, NULL) != SQLITE_OK)
		return fail(ix, "preparing meta");
	sqlite3_bind_text(st, 1, gen, -1, SQLITE_STATIC);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : fail(ix, "writing meta");
	sqlite3_finalize(st);
	return rc;
}

int index_build(sqlite3 *db, const struct index_options *opt, struct index_stats *stats,
		char *err, size_t errlen)
{
	struct indexer ix = { .db = db, .opt = opt, .stats = stats, .err = err, .errlen = errlen };
	double t0;
	int rc = -1;

	memset(stats, 0, sizeof(*stats));
	/* The rebuild writes parents before children and clears every table
	 * itself: foreign keys would only cost a lookup per row, and turn the
	 * clearing DELETEs into row-by-row ones. */
	sqlite3_exec(db, "PRAGMA foreign_keys=OFF", NULL, NULL, NULL);
	t0 = now();
	if (sqlite3_exec(db, "BEGIN IMMEDIATE; DELETE FROM diagnostics; DELETE FROM checklists; "
			 "DELETE FROM files; DELETE FROM skills;", NULL, NULL, NULL) != SQLITE_OK) {
		fail(&ix, "clearing the previous index");
		goto out;
	}
	if (searchrows_clear(db, err, errlen) != 0)
		goto out;
	stats->t.clear = now() - t0;
	for (int i = 0; i < INS_COUNT_; i++) {
		if (sqlite3_prepare_v2(db, ins_sql[i], -1, &ix.st[i], NULL) != SQLITE_OK) {
			fail(&ix, "preparing statements");
			goto out;
		}
	}
	stats->generation = next_generation(db);
	for (size_t i = 0; i < opt->n_roots; i++) {
		ix.root_index = (int)i;
		if (root_seen_before(&ix, i))
			continue;
		if (index_root(&ix, opt->roots[i], root_label(opt, i)) != 0)
			goto out;
	}
	if (write_meta(&ix) != 0)
		goto out;
	t0 = now();
	if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		fail(&ix, "committing the index");
		goto out;
	}
	stats->t.commit = now() - t0;
	rc = 0;
out:
	for (int i = 0; i < INS_COUNT_; i++)
		sqlite3_finalize(ix.st[i]);
	sqlite3_finalize(ix.search_insert);
	if (rc != 0 && !sqlite3_get_autocommit(db))
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_exec(db, "PRAGMA foreign_keys=ON", NULL, NULL, NULL);
	return rc;
}
