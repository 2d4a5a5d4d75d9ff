/* SPDX-License-Identifier: MIT */
/*
 * Tests for index (and the whole pipeline under it) on the hostile fixture
 * corpus tests/fixtures/messy, plus what cannot be committed (a .git folder,
 * multi-MB binaries, symlinks of every kind) created at run time. Every
 * SKILL.md of tests/fixtures/messy.expected.json must come out as described:
 * served with the exact slug, name, validity and description, only named in
 * the diagnostics, or ignored.
 */
#include <check.h>
#include <regex.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "skilld/app/app.h"
#include "skilld/store/db.h"
#include "skilld/store/store.h"
#include "skilld/indexing/index.h"
#include "skilld/transport/http.h"
#include "skilld/base/util.h"
#include "testapp.h"
#include "testutil.h"

Suite *index_suite(void);

#define SECRET "TOP-SECRET-BYTES-OUTSIDE-THE-ROOT"

static char *tmp;
static struct config cfg;
static struct app app;
static FILE *log_out;

static const char *no_env(const char *name)
{
	(void)name;
	return NULL;
}

static void write_filler(const char *dir, const char *rel, size_t size, const char *header)
{
	char *data = xmalloc(size);
	size_t h = strlen(header);

	for (size_t i = 0; i < size; i++)
		data[i] = (char)((i * 31) % 251);
	memcpy(data, header, h);
	tu_write(dir, rel, data, size);
	free(data);
}

static void link_at(const char *target, const char *dir, const char *rel)
{
	char *path = xasprintf("%s/%s", dir, rel);

	ck_assert_msg(symlink(target, path) == 0, "symlink %s", path);
	free(path);
}

/* Copies the fixture and adds the run-time cases of messy.expected.json. */
static char *make_corpus(void)
{
	char *root = xasprintf("%s/messy", tmp);
	char *outside = xasprintf("%s/outside", tmp);
	char *cmd = xasprintf("cp -a tests/fixtures/messy '%s'", root);
	char *target;

	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
	tu_write_str(root, "ignored/.git/SKILL.md", "---\nname: in-git\ndescription: Inside .git.\n---\n");
	write_filler(root, "files/assets-and-scripts/assets/big-font.ttf", 5u << 20, "\x00\x01\x00\x00");
	write_filler(root, "files/assets-and-scripts/assets/manual.pdf", 3u << 20, "%PDF-1.4\n");
	tu_write_str(root, "links/symlinks/SKILL.md",
		     "---\nname: symlinks\ndescription: Holds symlinks of every kind.\n---\n# Symlinks\n");
	tu_write_str(outside, "secret.md", SECRET "\n");
	target = xasprintf("%s/links/symlinks/references", root);
	ck_assert_int_eq(mkdir(target, 0755), 0);
	free(target);
	tu_write_str(outside, "outside-skill/SKILL.md",
		     "---\nname: outside-skill\ndescription: " SECRET "\n---\nBody\n");
	link_at("../../../outer/references/outer-notes.md", root, "links/symlinks/references/inside.md");
	target = xasprintf("%s/secret.md", outside);
	link_at(target, root, "links/symlinks/references/outside.md");
	free(target);
	link_at("does-not-exist.md", root, "links/symlinks/references/dangling.md");
	link_at(".", root, "links/symlinks/loop");
	target = xasprintf("%s/outside-skill", outside);
	link_at(target, root, "links/outside-skill");
	free(target);
	free(outside);
	return root;
}

static void setup(void)
{
	char err[512];
	char *root, *db;

	tmp = tu_mkdtemp();
	root = make_corpus();
	db = xasprintf("%s/skilld.db", tmp);
	char *argv[] = { "skilld", "--skills", root, "--db", db, "--max-file-size", "1M", NULL };
	ck_assert_int_eq(config_parse(&cfg, 7, argv, no_env, err, sizeof(err)), 0);
	log_out = fopen("/dev/null", "w");
	ck_assert_msg(app_init(&app, &cfg, log_out, err, sizeof(err)) == 0, "%s", err);
	free(root);
	free(db);
}

static void teardown(void)
{
	app_fini(&app);
	fclose(log_out);
	config_fini(&cfg);
	tu_rmtree(tmp);
	free(tmp);
}

/* GET path through pipeline_serve; returns the parsed body (cJSON_Delete) and
 * the raw body in *raw when asked (free()). */
static cJSON *get(const char *path, int want_status, char **raw)
{
	struct response res;
	cJSON *j;

	ta_get(&app, path, NULL, &res);
	ck_assert_msg(res.status == want_status, "%s: status %d, want %d", path, res.status, want_status);
	j = cJSON_ParseWithLength(res.body ? res.body : "", res.body_len);
	if (raw)
		*raw = xstrndup(res.body ? res.body : "", res.body_len);
	response_fini(&res);
	return j;
}

/* Every served skill, following next_cursor (caller deletes the array). */
static cJSON *all_skills(void)
{
	cJSON *all = cJSON_CreateArray();
	char *path = xstrdup("/api/v1/skills?limit=7");

	for (;;) {
		cJSON *page = get(path, 200, NULL);
		cJSON *item, *next = cJSON_GetObjectItem(page, "next_cursor");

		cJSON_ArrayForEach(item, cJSON_GetObjectItem(page, "data"))
			cJSON_AddItemToArray(all, cJSON_Duplicate(item, 1));
		free(path);
		path = cJSON_IsString(next) ? xasprintf("/api/v1/skills?limit=7&cursor=%s", next->valuestring) : NULL;
		cJSON_Delete(page);
		if (!path)
			break;
	}
	return all;
}

static const cJSON *find_by(const cJSON *arr, const char *key, const char *value)
{
	const cJSON *item;

	cJSON_ArrayForEach(item, arr) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(item, key);
		if (cJSON_IsString(v) && strcmp(v->valuestring, value) == 0)
			return item;
	}
	return NULL;
}

static bool str_or_null_eq(const cJSON *v, const cJSON *want)
{
	if (cJSON_IsNull(want))
		return cJSON_IsNull(v);
	return cJSON_IsString(v) && cJSON_IsString(want) && strcmp(v->valuestring, want->valuestring) == 0;
}

START_TEST(test_every_skill_md_accounted_for)
{
	char *text = tu_read("tests/fixtures/messy.expected.json", NULL);
	cJSON *expected = cJSON_Parse(text);
	cJSON *skills = all_skills();
	cJSON *diags = get("/api/v1/diagnostics", 200, NULL);
	const cJSON *e, *data = cJSON_GetObjectItem(diags, "data");
	int n_skill = 0;

	ck_assert_ptr_nonnull(expected);
	cJSON_ArrayForEach(e, cJSON_GetObjectItem(expected, "entries")) {
		const char *folder = cJSON_GetObjectItem(e, "folder")->valuestring;
		const char *path = cJSON_GetObjectItem(e, "path")->valuestring;
		const char *outcome = cJSON_GetObjectItem(e, "outcome")->valuestring;
		const cJSON *got = find_by(skills, "path", folder);

		if (strcmp(outcome, "skill") == 0) {
			const cJSON *slug = cJSON_GetObjectItem(e, "slug");
			const cJSON *pattern = cJSON_GetObjectItem(e, "slug_pattern");
			const char *got_slug;
			char *url;
			cJSON *detail;

			n_skill++;
			ck_assert_msg(got != NULL, "%s: not served", path);
			got_slug = cJSON_GetObjectItem(got, "slug")->valuestring;
			if (cJSON_IsString(slug)) {
				ck_assert_msg(strcmp(got_slug, slug->valuestring) == 0, "%s: slug %s, want %s",
					      path, got_slug, slug->valuestring);
			} else {
				regex_t re;
				ck_assert_int_eq(regcomp(&re, pattern->valuestring, REG_EXTENDED | REG_NOSUB), 0);
				ck_assert_msg(regexec(&re, got_slug, 0, NULL, 0) == 0, "%s: slug %s", path, got_slug);
				regfree(&re);
			}
			ck_assert_msg(str_or_null_eq(cJSON_GetObjectItem(got, "name"), cJSON_GetObjectItem(e, "name")),
				      "%s: name differs", path);
			ck_assert_msg(cJSON_IsTrue(cJSON_GetObjectItem(got, "valid")) ==
				      cJSON_IsTrue(cJSON_GetObjectItem(e, "valid")), "%s: valid differs", path);
			ck_assert_msg(str_or_null_eq(cJSON_GetObjectItem(got, "description"),
						     cJSON_GetObjectItem(e, "description")),
				      "%s: description differs", path);
			url = xasprintf("/api/v1/skills/%s", got_slug);
			detail = get(url, 200, NULL);
			ck_assert_ptr_nonnull(detail);
			free(url);
			cJSON_Delete(detail);
		} else if (strcmp(outcome, "diagnostic") == 0) {
			const cJSON *d;
			bool named = false;

			cJSON_ArrayForEach(d, data) {
				const cJSON *p = cJSON_GetObjectItem(d, "path");
				if (cJSON_IsString(p) && strncmp(p->valuestring, folder, strlen(folder)) == 0 &&
				    cJSON_IsNull(cJSON_GetObjectItem(d, "skill")))
					named = true;
			}
			ck_assert_msg(named, "%s: not in the diagnostics", path);
		} else {
			ck_assert_msg(got == NULL, "%s: ignored, but served", path);
		}
	}
	/* 71 committed skills plus links/symlinks created at run time. */
	ck_assert_int_eq(n_skill, 71);
	ck_assert_int_eq(cJSON_GetArraySize(skills), 72);
	ck_assert_ptr_nonnull(find_by(skills, "path", "links/symlinks"));
	ck_assert_ptr_null(find_by(skills, "slug", "in-git"));
	ck_assert_ptr_null(find_by(skills, "slug", "outside-skill"));
	cJSON_Delete(skills);
	cJSON_Delete(diags);
	cJSON_Delete(expected);
	free(text);
}
END_TEST

static bool has_diag(const cJSON *data, const char *code, const char *path_prefix)
{
	const cJSON *d;

	cJSON_ArrayForEach(d, data) {
		const cJSON *p = cJSON_GetObjectItem(d, "path");
		if (strcmp(cJSON_GetObjectItem(d, "code")->valuestring, code) == 0 && cJSON_IsString(p) &&
		    strncmp(p->valuestring, path_prefix, strlen(path_prefix)) == 0)
			return true;
	}
	return false;
}

START_TEST(test_symlinks_never_leave_the_root)
{
	cJSON *files = get("/api/v1/skills/symlinks/files", 200, NULL);
	cJSON *diags = get("/api/v1/diagnostics", 200, NULL);
	const cJSON *data = cJSON_GetObjectItem(diags, "data");
	char *raw;
	cJSON *j;

	ck_assert_ptr_nonnull(find_by(files, "path", "references/inside.md"));
	ck_assert_ptr_null(find_by(files, "path", "references/outside.md"));
	ck_assert_ptr_null(find_by(files, "path", "references/dangling.md"));
	ck_assert_int_eq(cJSON_GetArraySize(files), 2);
	ck_assert(has_diag(data, "symlink-outside-root", "links/symlinks/references/outside.md"));
	ck_assert(has_diag(data, "symlink-dangling", "links/symlinks/references/dangling.md"));
	ck_assert(has_diag(data, "symlink-outside-root", "links/outside-skill"));

	j = get("/api/v1/skills/symlinks/files/references/inside.md", 200, &raw);
	ck_assert(strstr(raw, SECRET) == NULL);
	/* the bytes of the file the link points to, inside the root */
	ck_assert_str_eq(raw, "# Outer notes\n\nBelongs to outer only.\n");
	cJSON_Delete(j);
	free(raw);
	cJSON_Delete(get("/api/v1/skills/symlinks/files/references/outside.md", 404, NULL));

	/* No byte of anything outside the root appears in any answer. */
	j = get("/api/v1/skills/symlinks", 200, &raw);
	ck_assert(strstr(raw, SECRET) == NULL);
	cJSON_Delete(j);
	free(raw);
	j = get("/api/v1/diagnostics", 200, &raw);
	ck_assert(strstr(raw, SECRET) == NULL);
	cJSON_Delete(j);
	free(raw);
	cJSON_Delete(files);
	cJSON_Delete(diags);
}
END_TEST

START_TEST(test_large_binaries_listed_not_stored)
{
	cJSON *skills = all_skills();
	const cJSON *s = find_by(skills, "path", "files/assets-and-scripts");
	char *url;
	cJSON *files, *j;
	const cJSON *font, *pdf;

	ck_assert_ptr_nonnull(s);
	url = xasprintf("/api/v1/skills/%s/files", cJSON_GetObjectItem(s, "slug")->valuestring);
	files = get(url, 200, NULL);
	font = find_by(files, "path", "assets/big-font.ttf");
	pdf = find_by(files, "path", "assets/manual.pdf");
	ck_assert_ptr_nonnull(font);
	ck_assert_ptr_nonnull(pdf);
	ck_assert_int_eq((int)cJSON_GetNumberValue(cJSON_GetObjectItem(font, "size")), 5 << 20);
	ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(font, "stored")));
	ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(font, "text")));
	ck_assert_str_eq(cJSON_GetObjectItem(pdf, "mime")->valuestring, "application/pdf");
	/* over --max-file-size: never read whole, so no digest */
	ck_assert(cJSON_IsNull(cJSON_GetObjectItem(font, "digest")));
	ck_assert(cJSON_IsNull(cJSON_GetObjectItem(pdf, "digest")));
	ck_assert_uint_eq(strlen(cJSON_GetObjectItem(find_by(files, "path", "SKILL.md"),
						     "digest")->valuestring), 64);
	{
		char *path = xasprintf("%s/skilld.db", tmp);
		sqlite3 *db = NULL;
		sqlite3_stmt *st = NULL;

		ck_assert_int_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
		ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT path, typeof(digest) FROM files "
						    "WHERE path IN ('SKILL.md', 'assets/big-font.ttf') "
						    "AND skill_id = (SELECT skill_id FROM files WHERE "
						    "path = 'assets/big-font.ttf') ORDER BY path",
						    -1, &st, NULL), SQLITE_OK);
		ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
		ck_assert_str_eq((const char *)sqlite3_column_text(st, 0), "SKILL.md");
		ck_assert_str_eq((const char *)sqlite3_column_text(st, 1), "text");
		ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
		ck_assert_str_eq((const char *)sqlite3_column_text(st, 1), "null");
		ck_assert_int_eq(sqlite3_step(st), SQLITE_DONE);
		sqlite3_finalize(st);
		sqlite3_close(db);
		free(path);
	}
	free(url);
	url = xasprintf("/api/v1/skills/%s/files/assets/big-font.ttf", cJSON_GetObjectItem(s, "slug")->valuestring);
	j = get(url, 404, NULL);
	ck_assert_str_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "error"), "code")->valuestring, "not_stored");
	cJSON_Delete(j);
	free(url);
	cJSON_Delete(files);
	cJSON_Delete(skills);
}
END_TEST

START_TEST(test_roots_in_order_and_shadowing)
{
	char err[512];
	char *dir = tu_mkdtemp();
	char *db = xasprintf("%s/r.db", dir), *extra = xasprintf("%s/extra", dir);
	struct config c2;
	struct app a2;
	FILE *lo = fopen("/dev/null", "w");

	tu_write_str(extra, "plain/SKILL.md", "---\nname: plain\ndescription: Shadowed copy.\n---\nBody\n");
	tu_write_str(extra, "fresh/SKILL.md", "---\nname: fresh\ndescription: Only here.\n---\nBody\n");
	char *argv[] = { "skilld", "--skills", "tests/fixtures/rootskill", "--skills", "tests/fixtures/messy",
			 "--skills", extra, "--db", db, NULL };
	ck_assert_int_eq(config_parse(&c2, 9, argv, no_env, err, sizeof(err)), 0);
	ck_assert_msg(app_init(&a2, &c2, lo, err, sizeof(err)) == 0, "%s", err);
	ck_assert_uint_eq(a2.status.st.stats.shadowed, 1);
	ck_assert_uint_eq(a2.status.st.stats.skills, 2 + 71 + 1);
	app_fini(&a2);
	config_fini(&c2);

	/* The same folder named twice is indexed once. */
	char *twice[] = { "skilld", "--skills", extra, "--skills", "--skills", "--db", db, NULL };
	char *again = xasprintf("%s/../extra", extra);
	twice[4] = again;
	twice[3] = "--skills";
	ck_assert_int_eq(config_parse(&c2, 7, twice, no_env, err, sizeof(err)), 0);
	ck_assert_msg(app_init(&a2, &c2, lo, err, sizeof(err)) == 0, "%s", err);
	ck_assert_uint_eq(a2.status.st.stats.skills, 2);
	ck_assert_uint_eq(a2.status.st.stats.shadowed, 0);
	ck_assert_uint_eq(a2.status.st.stats.warnings, 1);
	app_fini(&a2);
	config_fini(&c2);
	free(again);
	fclose(lo);
	free(db);
	free(extra);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

/* Every row of the index except the generation's meta, as text. */
/* Column c of st into a dump: its type, then its text, or a blob (the
 * packed columns) in hex, so that a dump is a C string. */
static void put_value(struct buf *b, sqlite3_stmt *st, int c)
{
	int type = sqlite3_column_type(st, c);
	const unsigned char *v = sqlite3_column_blob(st, c);
	int n = sqlite3_column_bytes(st, c);

	buf_printf(b, "%d:", type);
	for (int i = 0; v && i < n; i++) {
		if (type == SQLITE_BLOB)
			buf_printf(b, "%02x", v[i]);
		else
			buf_putc(b, (char)v[i]);
	}
	buf_putc(b, '\x1f');
}

static char *dump_index(sqlite3 *db)
{
	static const char *const queries[] = {
		"SELECT * FROM skills ORDER BY id",
		"SELECT * FROM files ORDER BY skill_id, path",
		"SELECT * FROM checklists ORDER BY skill_id, path",
		"SELECT * FROM diagnostics ORDER BY id",
		"SELECT rowid, * FROM search ORDER BY rowid",
	};
	struct buf b;

	buf_init(&b);
	for (size_t q = 0; q < sizeof(queries) / sizeof(queries[0]); q++) {
		sqlite3_stmt *st = NULL;

		ck_assert_int_eq(sqlite3_prepare_v2(db, queries[q], -1, &st, NULL), SQLITE_OK);
		buf_printf(&b, "== %s\n", queries[q]);
		while (sqlite3_step(st) == SQLITE_ROW) {
			for (int c = 0; c < sqlite3_column_count(st); c++) {
				put_value(&b, st, c);
			}
			buf_putc(&b, '\n');
		}
		sqlite3_finalize(st);
	}
	buf_putc(&b, '\0');
	return buf_detach(&b, NULL);
}

/* Indexes roots into a fresh database at path with that many workers. */
static char *index_with(const char *path, char *const *roots, size_t n_roots, unsigned threads,
			struct index_stats *stats)
{
	struct migration_set set = { 0 };
	struct index_options opt = { roots, NULL, n_roots, 1u << 20, threads, false, NULL, NULL, 0 };
	char err[512];
	sqlite3 *db = NULL;
	char *dump;

	ck_assert_msg(db_open_writer(path, &db, err, sizeof(err)) == 0, "%s", err);
	ck_assert_msg(migration_set_builtin(&set, err, sizeof(err)) == 0, "%s", err);
	ck_assert_msg(db_migrate(db, &set, err, sizeof(err)) == 0, "%s", err);
	ck_assert_msg(index_build(db, &opt, stats, err, sizeof(err)) == 0, "%s", err);
	dump = dump_index(db);
	migration_set_fini(&set);
	sqlite3_close(db);
	return dump;
}

/* Workers prepare skills ahead of the indexing thread, each under the slug
 * its name asks for; a taken slug sends the skill back through the serial
 * path. Whatever the number of workers, the index is the same, byte for
 * byte: duplicate names in one root, shadowing across roots, the hostile
 * corpus, and more workers than skills in a root. */
START_TEST(test_workers_make_the_same_index)
{
	char *extra = xasprintf("%s/extra", tmp), *messy = xasprintf("%s/messy", tmp);
	char *roots[] = { "tests/fixtures/rootskill", messy, extra };
	static const unsigned threads[] = { 1, 2, 5 };
	struct index_stats st0, st;
	char *path, *serial;

	tu_write_str(extra, "plain/SKILL.md", "---\nname: plain\ndescription: Shadowed copy.\n---\nBody\n");
	for (int i = 0; i < 12; i++) {
		char *rel = xasprintf("dup-%02d/SKILL.md", i);

		tu_write_str(extra, rel, "---\nname: twin\ndescription: Same name.\n---\n"
			     "# Twin\n\nSee [the notes](references/notes.md).\n");
		free(rel);
	}
	path = xasprintf("%s/serial.db", tmp);
	serial = index_with(path, roots, 3, 0, &st0);
	free(path);
	/* extra's plain: messy's plain came first; the twins' name is
	 * taken in no earlier root */
	ck_assert_uint_eq(st0.shadowed, 1);
	ck_assert_ptr_nonnull(strstr(serial, "twin-12"));
	for (size_t k = 0; k < sizeof(threads) / sizeof(threads[0]); k++) {
		char *dump;

		path = xasprintf("%s/workers-%u.db", tmp, threads[k]);
		dump = index_with(path, roots, 3, threads[k], &st);
		ck_assert_msg(strcmp(dump, serial) == 0, "%u workers: the index differs", threads[k]);
		ck_assert_uint_eq(st.skills, st0.skills);
		ck_assert_uint_eq(st.skill_mds, st0.skill_mds);
		ck_assert_uint_eq(st.shadowed, st0.shadowed);
		ck_assert_uint_eq(st.diagnostics, st0.diagnostics);
		ck_assert_uint_eq(st.bytes, st0.bytes);
		free(dump);
		free(path);
	}
	free(serial);
	free(extra);
	free(messy);
}
END_TEST

/* ---- incremental runs ----
 *
 * Every kind of change to the folders, applied one after another: after
 * each, the index updated in place must equal, row by row, a full
 * rebuild of the same folders in a new database (row ids aside: a skill
 * read again gets a new one), and only the skills that changed are read.
 */

static char *inc_tmp;

static void inc_setup(void)
{
	inc_tmp = tu_mkdtemp();
}

static void inc_teardown(void)
{
	tu_rmtree(inc_tmp);
	free(inc_tmp);
}

/* Every row a reader can reach, without row ids: skills by place, their
 * children by slug, the diagnostics in the order served, the search rows
 * by slug and position; and meta without the generation and the time. */
static char *canonical_dump(sqlite3 *db)
{
	static const char *const queries[] = {
		/* packed values unpacked: a full run packs with a dictionary of
		 * its own, an incremental one with the one it found */
		"SELECT slug, name, description, root, path, folder, valid, tier, digest, summary_json, "
		"skilld_unpack(detail_json), files_json, skilld_unpack(checklist_json), "
		"skilld_unpack(evals_json), skilld_unpack(check_json), root_index, stamp, slug_base, "
		"source FROM skills ORDER BY root_index, path",
		"SELECT s.slug, f.path, f.kind, f.size, f.digest, f.mime, f.is_text, "
		"skilld_unpack(f.content) FROM files f JOIN skills s ON s.id = f.skill_id "
		"ORDER BY s.slug, f.path",
		"SELECT s.slug, c.path, c.title, c.item_count, c.digest, c.is_primary FROM checklists c "
		"JOIN skills s ON s.id = c.skill_id ORDER BY s.slug, c.path",
		"SELECT s.slug, d.root, d.path, d.severity, d.code, d.message, d.line, d.col, "
		"d.root_index, d.skill_path, d.seq FROM diagnostics d LEFT JOIN skills s ON "
		"s.id = d.skill_id ORDER BY " STORE_DIAGNOSTICS_ORDER("d."),
		"SELECT skill, rowid & 16777215, kind, path, anchor, url, name, description, headings, "
		"title, body, (SELECT slug FROM skills WHERE id = search.skill_id) FROM search "
		"ORDER BY skill, 2",
		"SELECT (SELECT slug FROM skills WHERE id = search_head.rowid), name, description, "
		"headings FROM search_head ORDER BY 1",
		"SELECT count(*) FROM search_head WHERE rowid NOT IN (SELECT id FROM skills)",
		"SELECT key, value FROM meta WHERE key NOT IN ('generation', 'indexed_at') ORDER BY key",
		"SELECT count(*) FROM search WHERE (SELECT slug FROM skills WHERE id = rowid >> 24) "
		"IS NOT skill",
		"SELECT count(*) FROM pack_dicts",
	};
	struct buf b;

	buf_init(&b);
	for (size_t q = 0; q < sizeof(queries) / sizeof(queries[0]); q++) {
		sqlite3_stmt *st = NULL;

		ck_assert_msg(sqlite3_prepare_v2(db, queries[q], -1, &st, NULL) == SQLITE_OK, "%s",
			      sqlite3_errmsg(db));
		buf_printf(&b, "== %s\n", queries[q]);
		while (sqlite3_step(st) == SQLITE_ROW) {
			for (int c = 0; c < sqlite3_column_count(st); c++) {
				put_value(&b, st, c);
			}
			buf_putc(&b, '\n');
		}
		sqlite3_finalize(st);
	}
	buf_putc(&b, '\0');
	return buf_detach(&b, NULL);
}

/* Where two dumps part: the line of each around the first byte that
 * differs (a whole dump is more than a failure message may hold). free(). */
static char *first_diff(const char *a, const char *b)
{
	size_t i = 0, from;

	while (a[i] && a[i] == b[i])
		i++;
	from = i > 150 ? i - 150 : 0;
	return xasprintf("at byte %zu:\n  ...%.300s\nvs\n  ...%.300s", i, a + from, b + from);
}

/* Runs index_build on the database at path (created and migrated when
 * new) and returns its canonical dump. */
static char *run_hinted(const char *path, char *const *roots, size_t n_roots, unsigned threads,
			bool incremental, char *const *hints, size_t n_hints, struct index_stats *stats)
{
	struct migration_set set = { 0 };
	struct index_options opt = { roots, NULL, n_roots, 1u << 20, threads, incremental, "test",
				     hints, n_hints };
	char err[512];
	sqlite3 *db = NULL;
	char *dump;

	ck_assert_msg(db_open_writer(path, &db, err, sizeof(err)) == 0, "%s", err);
	ck_assert_msg(migration_set_builtin(&set, err, sizeof(err)) == 0, "%s", err);
	ck_assert_msg(db_migrate(db, &set, err, sizeof(err)) == 0, "%s", err);
	ck_assert_msg(index_build(db, &opt, stats, err, sizeof(err)) == 0, "%s", err);
	dump = canonical_dump(db);
	migration_set_fini(&set);
	sqlite3_close(db);
	return dump;
}

static char *run_index(const char *path, char *const *roots, size_t n_roots, unsigned threads,
		       bool incremental, struct index_stats *stats)
{
	return run_hinted(path, roots, n_roots, threads, incremental, NULL, 0, stats);
}

/* A skill file with that name and description, and a body long enough
 * to be split into search rows. */
static void put_skill(const char *root, const char *folder, const char *name, const char *extra)
{
	char *rel = xasprintf("%s/SKILL.md", folder);
	char *text = xasprintf("---\nname: %s\ndescription: Use when testing %s.\n---\n# %s\n\n"
			       "See [the notes](references/notes.md).\n\n## Steps\n\nRead the notes. %s\n",
			       name, name, name, extra ? extra : "");

	tu_write_str(root, rel, text);
	free(rel);
	free(text);
	rel = xasprintf("%s/references/notes.md", folder);
	tu_write_str(root, rel, "# Notes\n\n## First\n\nText.\n\n## Second\n\nMore text.\n");
	free(rel);
	rel = xasprintf("%s/references/review-checklist.md", folder);
	tu_write_str(root, rel, "# Review\n\n## Safety\n\n- [ ] **S1** Check inputs.\n"
		     "- [ ] **S2** Check outputs.\n");
	free(rel);
}

/* Runs the command cmd (freed). */
static void shell(char *cmd)
{
	ck_assert_msg(system(cmd) == 0, "%s", cmd);
	free(cmd);
}

struct change {
	const char *what;
	void (*apply)(const char *r1, const char *r2);
	long read;          /* skills read again; -1: any */
	long removed;       /* served skills gone */
	bool changed;       /* a new generation */
};

static void ch_nothing(const char *r1, const char *r2)
{
	(void)r1, (void)r2;
}

static void ch_edit(const char *r1, const char *r2)
{
	(void)r2;
	put_skill(r1, "alpha", "alpha", "Edited.");
	tu_write_str(r1, "alpha/examples/inner/notes.md", "# Alpha's notes, for now\n");
}

static void ch_touch(const char *r1, const char *r2)
{
	(void)r2;
	shell(xasprintf("touch -d '2030-01-01' %s/beta/SKILL.md", r1));
}

static void ch_add(const char *r1, const char *r2)
{
	(void)r2;
	put_skill(r1, "gamma", "gamma", NULL);
}

static void ch_delete(const char *r1, const char *r2)
{
	(void)r2;
	shell(xasprintf("rm -r %s/gamma", r1));
}

static void ch_rename(const char *r1, const char *r2)
{
	(void)r2;
	shell(xasprintf("mv %s/beta %s/zeta-folder", r1, r1));
}

static void ch_move_roots(const char *r1, const char *r2)
{
	shell(xasprintf("mv %s/zeta-folder %s/beta", r1, r2));
}

/* alpha/examples/inner becomes a skill of its own: alpha loses the
 * files below it. */
static void ch_nested(const char *r1, const char *r2)
{
	(void)r2;
	tu_write_str(r1, "alpha/examples/inner/SKILL.md",
		     "---\nname: inner\ndescription: Use when nested.\n---\n# Inner\n");
}

static void ch_file_to_folder(const char *r1, const char *r2)
{
	(void)r2;
	shell(xasprintf("rm %s/alpha/references/notes.md && mkdir %s/alpha/references/notes.md", r1, r1));
	tu_write_str(r1, "alpha/references/notes.md/inside.md", "# Inside\n");
	shell(xasprintf("ln -s ../references/review-checklist.md %s/alpha/examples/link.md", r1));
}

/* Takes the slug of a later skill of the same root: that one becomes
 * twin-2, its rows rendered again under it. */
static void ch_slug_taken(const char *r1, const char *r2)
{
	(void)r2;
	put_skill(r1, "delta", "twin", NULL);
	put_skill(r1, "epsilon", "twin", NULL);
}

static void ch_slug_freed(const char *r1, const char *r2)
{
	(void)r2;
	shell(xasprintf("rm -r %s/delta", r1));
}

/* A skill in the first root with the name of one in the second: the
 * second's is shadowed. */
static void ch_shadow(const char *r1, const char *r2)
{
	(void)r2;
	put_skill(r1, "beta-copy", "beta", NULL);
}

static void ch_unshadow(const char *r1, const char *r2)
{
	(void)r2;
	shell(xasprintf("rm -r %s/beta-copy", r1));
}

static void ch_loose_diag(const char *r1, const char *r2)
{
	(void)r2;
	tu_write_str(r1, "broken/skill.md", "---\nname: broken\ndescription: Lower case.\n---\n");
	tu_write_str(r1, "broken/SKILL.md", "---\nname: broken\ndescription: Upper.\n---\n");
}

/* Only a diagnostic of no skill: a SKILL.md below the search depth. */
static void ch_too_deep(const char *r1, const char *r2)
{
	(void)r2;
	tu_write_str(r1, "d1/d2/d3/d4/d5/d6/d7/d8/d9/SKILL.md",
		     "---\nname: deep\ndescription: Too deep.\n---\n");
}

static const struct change changes[] = {
	{ "nothing", ch_nothing, 0, 0, false },
	{ "an edit", ch_edit, 1, 0, true },
	{ "a touch", ch_touch, 1, 0, true },   /* its time is the skill's "updated" */
	{ "a new skill", ch_add, 1, 0, true },
	{ "a deleted skill", ch_delete, 0, 1, true },
	{ "a renamed folder", ch_rename, 1, 1, true },
	{ "a move to another root", ch_move_roots, 1, 1, true },
	{ "a skill inside a skill", ch_nested, 2, 0, true },
	{ "a file turned folder, a new symlink", ch_file_to_folder, 1, 0, true },
	{ "a slug taken by a later skill", ch_slug_taken, 2, 0, true },
	{ "that slug freed again", ch_slug_freed, 1, 1, true },
	{ "a skill shadowing one of a later root", ch_shadow, 1, 1, true },
	{ "the shadow gone", ch_unshadow, 1, 1, true },
	{ "a skill.md beside a SKILL.md", ch_loose_diag, 1, 0, true },
	{ "a skill too deep to serve", ch_too_deep, 0, 0, true },
	{ "nothing again", ch_nothing, 0, 0, false },
};

/* A skill with enough markdown (40 references of 8 KB of words) for a
 * full run to train a packing dictionary on its root. */
static void put_library(const char *root)
{
	static const char *const words[] = { "review", "the", "checklist", "item", "for",
					     "thread", "safety", "and", "naming", "of", "every",
					     "public", "method", "before", "merge", "`code`" };
	uint32_t x = 12345;

	put_skill(root, "library", "library", NULL);
	for (int f = 0; f < 40; f++) {
		char *rel = xasprintf("library/references/part-%02d.md", f);
		struct buf b;

		buf_init(&b);
		buf_printf(&b, "# Part %d\n\n", f);
		while (b.len < 8192) {
			x = x * 1103515245u + 12345u;
			buf_puts(&b, words[(x >> 16) % 16]);
			buf_putc(&b, (x >> 8) % 11 ? ' ' : '\n');
		}
		tu_write_str(root, rel, b.data);
		buf_fini(&b);
		free(rel);
	}
}

static void incremental_equals_full(unsigned threads)
{
	char *r1 = xasprintf("%s/one", inc_tmp), *r2 = xasprintf("%s/two", inc_tmp);
	char *roots[] = { r1, r2 };
	char *live = xasprintf("%s/live-%u.db", inc_tmp, threads);
	struct index_stats st;
	int64_t gen;
	char *dump;

	put_skill(r1, "alpha", "alpha", NULL);
	put_skill(r1, "beta", "beta", NULL);
	put_library(r1);
	put_skill(r2, "omega", "omega", NULL);
	dump = run_index(live, roots, 2, threads, true, &st);
	ck_assert(st.full);
	ck_assert_uint_eq(st.read, 4);
	/* values packed with a dictionary (which every dump below compares
	 * unpacked: a full run trains its own) */
	ck_assert_ptr_nonnull(strstr(dump, "== SELECT count(*) FROM pack_dicts\n1:1\x1f\n"));
	gen = st.generation;
	free(dump);
	for (size_t i = 0; i < sizeof(changes) / sizeof(changes[0]); i++) {
		const struct change *c = &changes[i];
		char *fresh = xasprintf("%s/full-%u-%zu.db", inc_tmp, threads, i);
		struct index_stats fst;
		char *want;

		c->apply(r1, r2);
		dump = run_index(live, roots, 2, threads, true, &st);
		want = run_index(fresh, roots, 2, threads, true, &fst);
		ck_assert(fst.full);
		ck_assert_msg(!st.full, "%s: a full run", c->what);
		if (strcmp(dump, want) != 0)
			ck_abort_msg("%s (%u workers): the index differs from a full rebuild %s",
				     c->what, threads, first_diff(dump, want));
		if (c->read >= 0)
			ck_assert_msg(st.read + st.touched == (size_t)c->read, "%s: %zu read, want %ld",
				      c->what, st.read + st.touched, c->read);
		ck_assert_msg(st.removed == (size_t)c->removed, "%s: %zu removed, want %ld", c->what,
			      st.removed, c->removed);
		ck_assert_msg(st.changed == c->changed, "%s: changed %d", c->what, st.changed);
		ck_assert_int_eq(st.generation, c->changed ? gen + 1 : gen);
		gen = st.generation;
		ck_assert_uint_eq(st.skills, fst.skills);
		ck_assert_uint_eq(st.diagnostics, fst.diagnostics);
		ck_assert_uint_eq(st.checklist_items, fst.checklist_items);
		free(dump);
		free(want);
		free(fresh);
	}
	free(live);
	free(r1);
	free(r2);
}

START_TEST(test_incremental_equals_full_serial)
{
	incremental_equals_full(0);
}
END_TEST

START_TEST(test_incremental_equals_full_workers)
{
	incremental_equals_full(2);
}
END_TEST

/* Folder changes the watcher names, made in a temporary folder first and
 * moved in whole, as a copy or a checkout does. */
static void fo_add_skill(const char *r1)
{
	char *spare = xasprintf("%s/spare", inc_tmp);

	put_skill(spare, "gamma", "gamma", NULL);
	shell(xasprintf("mv %s/gamma %s/gamma", spare, r1));
	free(spare);
}

static void fo_remove_skill(const char *r1)
{
	shell(xasprintf("rm -r %s/gamma", r1));
}

static void fo_rename_skill(const char *r1)
{
	shell(xasprintf("mv %s/beta %s/beta-moved", r1, r1));
}

static void fo_add_deep(const char *r1)
{
	char *spare = xasprintf("%s/spare", inc_tmp);

	tu_write_str(spare, "deep/d2/d3/d4/d5/d6/d7/d8/d9/SKILL.md",
		     "---\nname: deep\ndescription: Too deep.\n---\n");
	put_skill(spare, "deep/inner", "inner", NULL);
	shell(xasprintf("mv %s/deep %s/deep", spare, r1));
	free(spare);
}

static void fo_remove_deep(const char *r1)
{
	shell(xasprintf("rm -r %s/deep", r1));
}

static void fo_copy_alpha(const char *r1)
{
	shell(xasprintf("cp -r %s/alpha %s/alpha-copy", r1, r1));
}

static void fo_remove_twin(const char *r1)
{
	shell(xasprintf("rm -r %s/twin-a", r1));
}

/* A run told which paths changed looks at the skills they touch alone
 * when it can, else at every folder; either way the index is a full
 * rebuild's. */
struct hinted {
	const char *what;
	const char *root;   /* "one" or "two" */
	const char *rel;    /* what the watcher names */
	const char *text;   /* written there first; NULL: deleted; "" : left */
	bool scoped;
	long read;
	bool changed;
	void (*apply)(const char *r1);  /* instead of text: a change in root one */
	const char *rel2;   /* a second path named, or NULL */
	long removed;
};

static const struct hinted hinted[] = {
	{ "a reference edited", "one", "alpha/references/notes.md", "# Notes\n\nNew.\n", true, 1, true, NULL, NULL, 0 },
	{ "a new file", "one", "alpha/references/added.md", "# Added\n", true, 1, true, NULL, NULL, 0 },
	{ "that file deleted", "one", "alpha/references/added.md", NULL, true, 1, true, NULL, NULL, 0 },
	{ "a file in no skill", "one", "README.md", "# Readme\n", true, 0, false, NULL, NULL, 0 },
	{ "a file of the second root", "two", "omega/references/notes.md", "# O\n", true, 1, true, NULL, NULL, 0 },
	{ "a file of a de-duplicated slug", "one", "twin-b/references/notes.md", "# T\n", true, 1, true, NULL, NULL, 0 },
	{ "a file named but not changed", "one", "beta/references/notes.md", "", true, 0, false, NULL, NULL, 0 },
	{ "a skill folder moved in", "one", "gamma", "", true, 1, true, fo_add_skill, NULL, 0 },
	/* rm -r: the watcher names its SKILL.md, then the folder */
	{ "that skill folder deleted", "one", "gamma/SKILL.md", "", true, 0, true, fo_remove_skill, "gamma", 1 },
	{ "a skill folder renamed", "one", "beta", "", true, 1, true, fo_rename_skill, "beta-moved", 1 },
	{ "a folder with a skill and one too deep", "one", "deep", "", true, 1, true, fo_add_deep, NULL, 0 },
	{ "that folder deleted", "one", "deep", "", true, 0, true, fo_remove_deep, NULL, 1 },
	{ "a SKILL.md", "one", "alpha/SKILL.md", "---\nname: alpha\ndescription: Use when a.\n---\n# A\n", false, 1, true, NULL, NULL, 0 },
	{ "a folder made in a skill", "one", "alpha/examples", "", false, 0, false, NULL, NULL, 0 },
	{ "a copy under a name in use", "one", "alpha-copy", "", false, 1, true, fo_copy_alpha, NULL, 0 },
	{ "a skill whose name another asks for, gone", "one", "twin-a", "", false, 1, true, fo_remove_twin, NULL, 1 },
	/* beta's alias.md is alpha's notes.md: a change there is beta's too */
	{ "a symlink", "one", "beta-moved/references/alias.md", "", false, 1, true, NULL, NULL, 0 },
	{ "a file another skill links to", "one", "alpha/references/notes.md", "# N\n", false, 2, true, NULL, NULL, 0 },
};

START_TEST(test_scoped_runs)
{
	char *r1 = xasprintf("%s/one", inc_tmp), *r2 = xasprintf("%s/two", inc_tmp);
	char *roots[] = { r1, r2 };
	char *live = xasprintf("%s/live.db", inc_tmp);
	struct index_stats st, fst;
	char *dump;

	put_skill(r1, "alpha", "alpha", NULL);
	put_skill(r1, "beta", "beta", NULL);
	put_skill(r1, "twin-a", "twin", NULL);
	put_skill(r1, "twin-b", "twin", NULL);
	put_skill(r2, "omega", "omega", NULL);
	free(run_index(live, roots, 2, 0, true, &st));
	for (size_t i = 0; i < sizeof(hinted) / sizeof(hinted[0]); i++) {
		const struct hinted *h = &hinted[i];
		const char *root = strcmp(h->root, "one") == 0 ? r1 : r2;
		char *path = xasprintf("%s/%s", root, h->rel);
		char *fresh = xasprintf("%s/full-%zu.db", inc_tmp, i);
		char *want;

		char *paths[2] = { path, h->rel2 ? xasprintf("%s/%s", root, h->rel2) : NULL };

		if (h->apply)
			h->apply(r1);
		else if (strcmp(h->what, "a folder made in a skill") == 0)
			ck_assert_int_eq(mkdir(path, 0755), 0);
		else if (strcmp(h->what, "a symlink") == 0)
			ck_assert_int_eq(symlink("../../alpha/references/notes.md", path), 0);
		else if (!h->text)
			ck_assert_int_eq(unlink(path), 0);
		else if (h->text[0])
			tu_write_str(root, h->rel, h->text);
		dump = run_hinted(live, roots, 2, 0, true, paths, h->rel2 ? 2 : 1, &st);
		want = run_index(fresh, roots, 2, 0, true, &fst);
		if (strcmp(dump, want) != 0)
			ck_abort_msg("%s: the index differs from a full rebuild %s", h->what,
				     first_diff(dump, want));
		ck_assert_msg(st.scoped == h->scoped, "%s: scoped %d", h->what, st.scoped);
		ck_assert(!st.full);
		ck_assert_msg(st.read + st.touched == (size_t)h->read, "%s: %zu read", h->what,
			      st.read + st.touched);
		ck_assert_msg(st.changed == h->changed, "%s: changed %d", h->what, st.changed);
		ck_assert_msg(st.removed == (size_t)h->removed, "%s: %zu removed", h->what, st.removed);
		ck_assert_uint_eq(st.skills, fst.skills);
		ck_assert_uint_eq(st.skill_mds, fst.skill_mds);
		ck_assert_uint_eq(st.diagnostics, fst.diagnostics);
		free(dump);
		free(want);
		free(fresh);
		free(path);
		free(paths[1]);
	}
	free(live);
	free(r1);
	free(r2);
}
END_TEST

/* Another identity (another program, other roots or limits) rebuilds the
 * index whole; so does a caller asking for it. */
START_TEST(test_identity_change_rebuilds)
{
	char *r1 = xasprintf("%s/one", inc_tmp);
	char *roots[] = { r1 };
	char *path = xasprintf("%s/id.db", inc_tmp), err[512];
	struct index_options opt = { roots, NULL, 1, 1u << 20, 0, true, "first", NULL, 0 };
	struct migration_set set = { 0 };
	struct index_stats st;
	sqlite3 *db = NULL;

	put_skill(r1, "alpha", "alpha", NULL);
	ck_assert_msg(db_open_writer(path, &db, err, sizeof(err)) == 0, "%s", err);
	ck_assert_msg(migration_set_builtin(&set, err, sizeof(err)) == 0, "%s", err);
	ck_assert_msg(db_migrate(db, &set, err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(index_build(db, &opt, &st, err, sizeof(err)), 0);
	ck_assert(st.full);
	ck_assert_int_eq(index_build(db, &opt, &st, err, sizeof(err)), 0);
	ck_assert(!st.full && !st.changed && !st.wrote);
	ck_assert_uint_eq(st.kept, 1);
	ck_assert_int_eq(st.generation, 1);
	opt.identity = "second";
	ck_assert_int_eq(index_build(db, &opt, &st, err, sizeof(err)), 0);
	ck_assert(st.full && st.changed);
	ck_assert_uint_eq(st.read, 1);
	ck_assert_int_eq(st.generation, 2);
	opt.incremental = false;
	ck_assert_int_eq(index_build(db, &opt, &st, err, sizeof(err)), 0);
	ck_assert(st.full);
	ck_assert_int_eq(st.generation, 3);
	migration_set_fini(&set);
	sqlite3_close(db);
	free(path);
	free(r1);
}
END_TEST

Suite *index_suite(void)
{
	Suite *s = suite_create("index");
	TCase *tc = tcase_create("messy");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_every_skill_md_accounted_for);
	tcase_add_test(tc, test_symlinks_never_leave_the_root);
	tcase_add_test(tc, test_large_binaries_listed_not_stored);
	tcase_add_test(tc, test_roots_in_order_and_shadowing);
	tcase_add_test(tc, test_workers_make_the_same_index);
	suite_add_tcase(s, tc);
	tc = tcase_create("incremental");
	tcase_add_checked_fixture(tc, inc_setup, inc_teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_incremental_equals_full_serial);
	tcase_add_test(tc, test_incremental_equals_full_workers);
	tcase_add_test(tc, test_identity_change_rebuilds);
	tcase_add_test(tc, test_scoped_runs);
	suite_add_tcase(s, tc);
	return s;
}
