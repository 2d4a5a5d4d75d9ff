/* SPDX-License-Identifier: MIT */
/*
 * index: the rebuild of the whole index in one write transaction. Slugs are
 * assigned here, because they depend on every skill before this one: the
 * skill table itself answers "is this slug taken, and by which root".
 * Single threaded; uses the writer connection only.
 */
#include "skilld/index.h"

#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "skilld/checklist.h"
#include "skilld/diag.h"
#include "skilld/scan.h"
#include "skilld/search.h"
#include "skilld/skill.h"
#include "skilld/util.h"

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
	const struct index_options *opt;
	struct index_stats *stats;
	int root_index;         /* position of the root being indexed */
	char *err;
	size_t errlen;
};

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

static void bind_text_or_null(sqlite3_stmt *st, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

/* Binds a cJSON value printed compactly (or NULL), invalid UTF-8 that a
 * skill's bytes brought in repaired, so that every stored answer is JSON. */
static void bind_json(sqlite3_stmt *st, int i, const cJSON *json)
{
	char *text = json ? cJSON_PrintUnformatted(json) : NULL;
	char *fixed;
	size_t len;

	if (!text) {
		sqlite3_bind_null(st, i);
		return;
	}
	fixed = utf8_repair(text, strlen(text), &len);
	cJSON_free(text);
	sqlite3_bind_text(st, i, fixed, (int)len, free);
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
	bind_text_or_null(st, 3, d->path);
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

static int insert_files(struct indexer *ix, sqlite3_int64 id, const struct skill_record *r)
{
	sqlite3_stmt *st = ix->st[INS_FILE];

	for (size_t i = 0; i < r->files.len; i++) {
		const struct skill_file *f = &r->files.items[i];

		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_text(st, 2, f->path, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, file_kind_name(f->kind), -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 4, (sqlite3_int64)f->size);
		sqlite3_bind_text(st, 5, f->digest, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 6, f->mime, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 7, f->text);
		if (f->content && f->content_len <= INT_MAX)
			sqlite3_bind_blob(st, 8, f->content, (int)f->content_len, SQLITE_STATIC);
		else
			sqlite3_bind_null(st, 8);
		bind_text_or_null(st, 9, r->file_html ? r->file_html[i].html : NULL);
		bind_json(st, 10, r->file_html ? r->file_html[i].toc : NULL);
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
		bind_text_or_null(st, 3, cJSON_IsString(title) ? title->valuestring : NULL);
		sqlite3_bind_int(st, 4, checklist_item_count(cl->parsed));
		sqlite3_bind_text(st, 5, cl->file->digest, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 6, cl == skill_primary_checklist(r));
		if (step_done(ix, st, "inserting a checklist") != 0)
			return -1;
		ix->stats->checklist_items += (size_t)checklist_item_count(cl->parsed);
	}
	return 0;
}

static int insert_skill(struct indexer *ix, struct skill_record *r)
{
	sqlite3_stmt *st = ix->st[INS_SKILL];
	cJSON *files = skill_files_json(r);
	cJSON *summary = skill_summary_json(r);
	cJSON *detail = skill_detail_json(r);
	cJSON *checklist = skill_checklist_json(r);
	sqlite3_int64 id;
	int rc;

	sqlite3_bind_text(st, 1, r->slug, -1, SQLITE_STATIC);
	bind_text_or_null(st, 2, frontmatter_string(&r->fm, "name"));
	bind_text_or_null(st, 3, frontmatter_string(&r->fm, "description"));
	sqlite3_bind_text(st, 4, r->root, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, r->rel[0] ? r->rel : ".", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, r->folder, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 7, r->valid);
	bind_text_or_null(st, 8, r->tier);
	sqlite3_bind_text(st, 9, r->digest, -1, SQLITE_STATIC);
	bind_json(st, 10, summary);
	bind_json(st, 11, detail);
	bind_json(st, 12, files);
	bind_json(st, 13, checklist);
	bind_json(st, 14, r->evals);
	bind_json(st, 15, r->check);
	sqlite3_bind_int(st, 16, ix->root_index);
	bind_text_or_null(st, 17, r->body_html);
	bind_json(st, 18, r->body_toc);
	rc = step_done(ix, st, "inserting a skill");
	cJSON_Delete(files);
	cJSON_Delete(summary);
	cJSON_Delete(detail);
	cJSON_Delete(checklist);
	if (rc != 0)
		return -1;
	id = sqlite3_last_insert_rowid(ix->db);
	if (insert_files(ix, id, r) != 0 || insert_checklists(ix, id, r) != 0 ||
	    insert_diags(ix, id, r->root, &r->diags) != 0 ||
	    search_index_skill(ix->db, id, r, ix->err, ix->errlen) != 0)
		return -1;
	ix->stats->skills++;
	return 0;
}

static int index_one(struct indexer *ix, const char *root, const char *root_abs,
		     const struct scan_skill *sk)
{
	struct skill_record r;
	char *md_path = sk->rel[0] ? xasprintf("%s/%s", sk->rel, sk->skill_md) : xstrdup(sk->skill_md);
	int rc = 0;

	skill_analyze(root, root_abs, sk, ix->opt->max_file_size, &r);
	ix->stats->skill_mds++;
	if (assign_slug(ix, &r, md_path) == 1) {
		ix->stats->shadowed++;
		rc = insert_diags(ix, 0, root, &r.diags);
	} else {
		skill_render(&r);
		rc = insert_skill(ix, &r);
	}
	skill_record_fini(&r);
	free(md_path);
	return rc;
}

static int index_root(struct indexer *ix, const char *root)
{
	struct scan_result sr;
	struct diag_list diags;
	int rc = 0;

	scan_result_init(&sr);
	diag_list_init(&diags);
	scan_root(root, &sr, &diags);
	for (size_t i = 0; i < sr.len && rc == 0; i++)
		rc = index_one(ix, root, sr.root, &sr.skills[i]);
	if (rc == 0)
		rc = insert_diags(ix, 0, root, &diags);
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

			d.message = xasprintf("'%s' is the same folder as the earlier root '%s'; "
					      "it is indexed once", ix->opt->roots[i], ix->opt->roots[k]);
			insert_diag(ix, 0, ix->opt->roots[i], &d);
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
	int rc = -1;

	memset(stats, 0, sizeof(*stats));
	if (sqlite3_exec(db, "BEGIN IMMEDIATE; DELETE FROM diagnostics; DELETE FROM checklists; "
			 "DELETE FROM files; DELETE FROM skills; DELETE FROM search;", NULL, NULL, NULL) != SQLITE_OK) {
		fail(&ix, "clearing the previous index");
		goto out;
	}
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
		if (index_root(&ix, opt->roots[i]) != 0)
			goto out;
	}
	if (write_meta(&ix) != 0)
		goto out;
	if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		fail(&ix, "committing the index");
		goto out;
	}
	rc = 0;
out:
	for (int i = 0; i < INS_COUNT_; i++)
		sqlite3_finalize(ix.st[i]);
	if (rc != 0 && !sqlite3_get_autocommit(db))
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}
