/* SPDX-License-Identifier: MIT */
/*
 * Tests for skill: skill_analyze on the fixture tree of fixture_skills.h
 * and on folders written for one rule each (the file inventory and its
 * counts, frontmatter, body repair, checklists, evals, validity, tier and
 * digest), the slug a skill asks for (skill_slug_base), the name rule, the
 * four JSON forms byte for byte, skill_render's links and HTML, and the
 * record of a folder that cannot be read.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>

#include "fixture_skills.h"
#include "skilld/indexing/checklist.h"
#include "skilld/indexing/scan.h"
#include "skilld/indexing/skill.h"
#include "skilld/base/util.h"
#include "testutil.h"

Suite *skill_suite(void);

#define MAX_FILE (16u << 20)

/* A scanned root whose skills a test analyzes. */
struct tree {
	char *tmp;
	char *root;
	struct scan_result sr;
	struct diag_list scan_diags;
};

static void tree_scan(struct tree *t)
{
	scan_result_fini(&t->sr);
	diag_list_fini(&t->scan_diags);
	scan_result_init(&t->sr);
	diag_list_init(&t->scan_diags);
	ck_assert_int_eq(scan_root(t->root, &t->sr, &t->scan_diags), 0);
}

/* The fixture tree of fixture_skills.h, scanned. */
static void tree_fixture(struct tree *t)
{
	t->tmp = tu_mkdtemp();
	t->root = fx_write_skills(t->tmp);
	scan_result_init(&t->sr);
	diag_list_init(&t->scan_diags);
	tree_scan(t);
}

/* An empty root for a test's own folders (scan with tree_scan). */
static void tree_empty(struct tree *t)
{
	t->tmp = tu_mkdtemp();
	t->root = xasprintf("%s/skills", t->tmp);
	ck_assert_int_eq(mkdir(t->root, 0755), 0);
	scan_result_init(&t->sr);
	diag_list_init(&t->scan_diags);
}

static void tree_fini(struct tree *t)
{
	scan_result_fini(&t->sr);
	diag_list_fini(&t->scan_diags);
	tu_rmtree(t->tmp);
	free(t->tmp);
	free(t->root);
}

/* Analyzes the scanned skill whose folder is rel; asserts skill_analyze's
 * return value. */
static void analyze(struct tree *t, const char *rel, size_t max_file, int want_rc,
		    struct skill_record *r)
{
	for (size_t i = 0; i < t->sr.len; i++) {
		if (strcmp(t->sr.skills[i].rel, rel) != 0)
			continue;
		ck_assert_int_eq(skill_analyze(t->root, t->sr.root, &t->sr.skills[i], max_file, r),
				 want_rc);
		return;
	}
	ck_abort_msg("no skill folder '%s' was scanned", rel);
}

/* "severity code path\n" per diagnostic (free()). */
static char *diags_text(const struct diag_list *l)
{
	struct buf b;

	buf_init(&b);
	for (size_t i = 0; i < l->len; i++)
		buf_printf(&b, "%s %s %s\n", diag_severity_name(l->items[i].severity),
			   l->items[i].code, l->items[i].path ? l->items[i].path : "(none)");
	return buf_detach(&b, NULL);
}

#define ASSERT_DIAGS(list, expected) do { \
	char *got_ = diags_text(list); \
	ck_assert_str_eq(got_, expected); \
	free(got_); \
} while (0)

/* Compact JSON of v (free()); v is deleted. */
static char *print_free(cJSON *v)
{
	char *text;

	ck_assert_ptr_nonnull(v);
	text = cJSON_PrintUnformatted(v);
	cJSON_Delete(v);
	return text;
}

/* SHA-256 hex of the file root/rel. */
static void file_sha(const char *root, const char *rel, char hex[SHA256_HEX_LEN + 1])
{
	char *path = xasprintf("%s/%s", root, rel);
	size_t len;
	char *data = tu_read(path, &len);

	sha256_hex(data, len, hex);
	free(data);
	free(path);
}

static long file_size(const char *root, const char *rel)
{
	char *path = xasprintf("%s/%s", root, rel);
	struct stat st;

	ck_assert_int_eq(stat(path, &st), 0);
	free(path);
	return (long)st.st_size;
}

/* The modification time stat(2) gives root/rel, in seconds. */
static int64_t file_mtime(const char *root, const char *rel)
{
	char *path = xasprintf("%s/%s", root, rel);
	struct stat st;

	ck_assert_int_eq(stat(path, &st), 0);
	free(path);
	return (int64_t)st.st_mtim.tv_sec;
}

/* The files of alpha in the fixture, in the bytewise order of the record. */
static const struct {
	const char *path, *kind, *mime;
	bool text;
} alpha_files[] = {
	{ "SKILL.md", "skill", "text/markdown; charset=utf-8", true },
	{ "assets/blob.bin", "asset", "application/octet-stream", false },
	{ "evals/evals.json", "eval", "application/json", true },
	{ "examples/after.md", "example", "text/markdown; charset=utf-8", true },
	{ "examples/before.md", "example", "text/markdown; charset=utf-8", true },
	{ "references/extra/review-checklist.md", "checklist", "text/markdown; charset=utf-8", true },
	{ "references/guide.md", "reference", "text/markdown; charset=utf-8", true },
	{ "references/review-checklist.md", "checklist", "text/markdown; charset=utf-8", true },
	{ "scripts/run.sh", "script", "text/x-shellscript; charset=utf-8", true },
};
#define N_ALPHA (sizeof(alpha_files) / sizeof(alpha_files[0]))

/* The digest as skill.h defines it, computed here from the files:
 * SHA-256 over "path\0<sha256 hex>\n" for each file in path order. */
static void alpha_digest(const char *alpha_dir, char hex[SHA256_HEX_LEN + 1])
{
	struct sha256_ctx *c = sha256_begin();

	for (size_t i = 0; i < N_ALPHA; i++) {
		char fh[SHA256_HEX_LEN + 1];

		file_sha(alpha_dir, alpha_files[i].path, fh);
		sha256_update(c, alpha_files[i].path, strlen(alpha_files[i].path) + 1);
		sha256_update(c, fh, SHA256_HEX_LEN);
		sha256_update(c, "\n", 1);
	}
	sha256_end(c, hex);
}

/* ---- skill_name_valid ---------------------------------------------------- */

START_TEST(test_name_rule)
{
	static const struct {
		const char *name;
		bool ok;
	} cases[] = {
		{ "a", true },
		{ "alpha", true },
		{ "pdf-2-text", true },
		{ "0", true },
		{ "9-lives", true },
		{ "", false },
		{ "-a", false },
		{ "a-", false },
		{ "-", false },
		{ "a--b", false },
		{ "Alpha", false },
		{ "a_b", false },
		{ "a b", false },
		{ "a.b", false },
		{ "caf\xc3\xa9", false },
		{ "a/b", false },
	};
	char n64[65], n65[66];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		ck_assert_msg(skill_name_valid(cases[i].name) == cases[i].ok, "'%s'", cases[i].name);
	memset(n64, 'a', 64);
	n64[64] = '\0';
	memset(n65, 'a', 65);
	n65[65] = '\0';
	ck_assert(skill_name_valid(n64));
	ck_assert(!skill_name_valid(n65));
}
END_TEST

/* ---- skill_analyze --------------------------------------------------------- */

/* alpha: every file kind, two checklists, three evals, every tier. */
START_TEST(test_analyze_alpha)
{
	struct tree t;
	struct skill_record r;
	char *dir, hex[SHA256_HEX_LEN + 1];

	tree_fixture(&t);
	analyze(&t, "alpha", MAX_FILE, 0, &r);
	dir = xasprintf("%s/alpha", t.root);

	ck_assert_str_eq(r.root, t.root);
	ck_assert_str_eq(r.rel, "alpha");
	ck_assert_str_eq(r.folder, "alpha");
	ck_assert_ptr_null(r.slug);
	ck_assert_uint_eq(r.files.len, N_ALPHA);
	for (size_t i = 0; i < N_ALPHA; i++) {
		const struct skill_file *f = &r.files.items[i];

		ck_assert_str_eq(f->path, alpha_files[i].path);
		ck_assert_str_eq(file_kind_name(f->kind), alpha_files[i].kind);
		ck_assert_str_eq(f->mime, alpha_files[i].mime);
		ck_assert_int_eq(f->text, alpha_files[i].text);
		ck_assert_uint_eq(f->size, (uint64_t)file_size(dir, f->path));
		ck_assert_uint_eq(f->content_len, f->size);
		file_sha(dir, f->path, hex);
		ck_assert_str_eq(f->digest, hex);
	}
	ck_assert_ptr_eq(r.skill_md, &r.files.items[0]);

	/* counts: references/ holds three files (one in extra/), the two
	 * checklists hold 3 + 1 items */
	ck_assert_int_eq(r.counts.files, 9);
	ck_assert_int_eq(r.counts.references, 3);
	ck_assert_int_eq(r.counts.checklist_items, 4);
	ck_assert_int_eq(r.counts.evals, 3);
	ck_assert_int_eq(r.counts.scripts, 1);
	ck_assert_int_eq(r.counts.assets, 1);
	ck_assert_int_eq(r.counts.examples, 2);

	ck_assert_str_eq(frontmatter_string(&r.fm, "name"), "alpha");
	ck_assert_str_eq(frontmatter_string(&r.fm, "description"), ALPHA_DESCRIPTION "\n");
	ck_assert_str_eq(frontmatter_string(&r.fm, "license"), "MIT");
	{
		char *body = fx_lines(40, "Body"), *want = xasprintf("# Alpha\n\n%s", body);

		ck_assert_str_eq(r.body, want);
		free(body);
		free(want);
	}

	/* the checklists in path order; the primary is the canonical path */
	ck_assert_uint_eq(r.n_checklists, 2);
	ck_assert_str_eq(r.checklists[0].file->path, "references/extra/review-checklist.md");
	ck_assert_str_eq(r.checklists[1].file->path, "references/review-checklist.md");
	ck_assert_ptr_eq(skill_primary_checklist(&r), &r.checklists[1]);
	ck_assert_int_eq(checklist_item_count(r.checklists[0].parsed), 1);
	ck_assert_int_eq(checklist_item_count(r.checklists[1].parsed), 3);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(r.evals, "evals")), 3);

	ck_assert(r.valid);
	ck_assert_str_eq(r.tier, "platinum");
	ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(r.check, "valid")));
	ck_assert_int_eq((int)cJSON_GetNumberValue(cJSON_GetObjectItem(r.check, "errors")), 0);
	ck_assert_int_eq((int)cJSON_GetNumberValue(cJSON_GetObjectItem(r.check, "warnings")), 0);
	ck_assert_uint_eq(r.diags.len, 0);

	alpha_digest(dir, hex);
	ck_assert_str_eq(r.digest, hex);
	ck_assert_ptr_null(r.body_html);
	ck_assert_ptr_null(r.file_html);

	skill_record_fini(&r);
	ck_assert_ptr_null(r.root);
	ck_assert_uint_eq(r.files.len, 0);
	free(dir);
	tree_fini(&t);
}
END_TEST

/* The digest covers every file's path and bytes: it changes with a byte,
 * a rename or a new file, and comes back when the bytes do. */
START_TEST(test_digest_follows_the_files)
{
	struct tree t;
	struct skill_record r;
	char first[SHA256_HEX_LEN + 1], *from, *to;

	tree_fixture(&t);
	analyze(&t, "beta", MAX_FILE, 0, &r);
	snprintf(first, sizeof(first), "%s", r.digest);
	skill_record_fini(&r);
	analyze(&t, "beta", MAX_FILE, 0, &r);
	ck_assert_str_eq(r.digest, first);
	skill_record_fini(&r);

	tu_write_str(t.root, "beta/notes.txt", "n");
	analyze(&t, "beta", MAX_FILE, 0, &r);
	ck_assert_str_ne(r.digest, first);
	snprintf(first, sizeof(first), "%s", r.digest);
	skill_record_fini(&r);

	tu_write_str(t.root, "beta/notes.txt", "N");
	analyze(&t, "beta", MAX_FILE, 0, &r);
	ck_assert_str_ne(r.digest, first);
	skill_record_fini(&r);

	from = xasprintf("%s/beta/notes.txt", t.root);
	to = xasprintf("%s/beta/notes.md", t.root);
	tu_write_str(t.root, "beta/notes.txt", "n");
	ck_assert_int_eq(rename(from, to), 0);
	analyze(&t, "beta", MAX_FILE, 0, &r);
	ck_assert_str_ne(r.digest, first);
	skill_record_fini(&r);
	ck_assert_int_eq(rename(to, from), 0);
	analyze(&t, "beta", MAX_FILE, 0, &r);
	ck_assert_str_eq(r.digest, first);
	skill_record_fini(&r);
	free(from);
	free(to);
	tree_fini(&t);
}
END_TEST

/* beta's SKILL.md holds invalid UTF-8 and a NUL: the body is repaired
 * (one U+FFFD per bad byte), the file itself is not text, and a warning
 * says so; it stays valid with no tier. */
START_TEST(test_analyze_repairs_the_body)
{
	struct tree t;
	struct skill_record r;

	tree_fixture(&t);
	analyze(&t, "beta", MAX_FILE, 0, &r);
	ck_assert_str_eq(r.body, "Body \xef\xbf\xbd\xef\xbf\xbd bytes.\xef\xbf\xbd" "after NUL\n");
	ck_assert_uint_eq(r.files.len, 1);
	ck_assert(!r.skill_md->text);
	ck_assert_str_eq(r.skill_md->mime, "application/octet-stream");
	ck_assert_str_eq(frontmatter_string(&r.fm, "description"), "Minimal.");
	ASSERT_DIAGS(&r.diags, "warning skill-md-not-utf8 beta/SKILL.md\n");
	ck_assert(r.valid);
	ck_assert_ptr_null(r.tier);
	ck_assert_int_eq(r.counts.files, 1);
	ck_assert_int_eq(r.counts.checklist_items, 0);
	ck_assert_ptr_null(skill_primary_checklist(&r));
	ck_assert_ptr_null(skill_checklist_json(&r));
	ck_assert_ptr_null(r.evals);
	skill_record_fini(&r);
	tree_fini(&t);
}
END_TEST

/* A frontmatter that does not parse: no fields at all are served, the
 * skill is not valid, the error names the file. */
START_TEST(test_analyze_bad_yaml_serves_no_fields)
{
	struct tree t;
	struct skill_record r;
	char *fields;

	tree_fixture(&t);
	analyze(&t, "bad-yaml", MAX_FILE, 0, &r);
	fields = cJSON_PrintUnformatted(r.fm.fields);
	ck_assert_str_eq(fields, "{}");
	cJSON_free(fields);
	ck_assert_ptr_null(frontmatter_string(&r.fm, "name"));
	ck_assert(!r.valid);
	ck_assert_ptr_null(r.tier);
	/* the YAML error alone: the specification checks do not run on a
	 * broken frontmatter, and the tier checks never add diagnostics */
	ASSERT_DIAGS(&r.diags, "error frontmatter-invalid-yaml bad-yaml/SKILL.md\n");
	ck_assert_int_eq((int)cJSON_GetNumberValue(cJSON_GetObjectItem(r.check, "errors")),
			 (int)diag_count(&r.diags, DIAG_ERROR));
	ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(r.check, "valid")));
	skill_record_fini(&r);
	tree_fini(&t);
}
END_TEST

/* Files over max_file_size are listed without contents: SKILL.md cannot
 * give a frontmatter (an error), evals.json is not served (a warning),
 * and the canonical checklist is not parsed, so the other one is primary. */
START_TEST(test_analyze_files_over_the_limit)
{
	struct tree t;
	struct skill_record r;
	char *fields;

	tree_fixture(&t);
	analyze(&t, "alpha", 100, 0, &r);
	ck_assert_uint_eq(r.files.len, N_ALPHA);
	ck_assert_ptr_eq(r.skill_md, &r.files.items[0]);
	ck_assert_ptr_null(r.skill_md->content);
	ck_assert_str_eq(r.skill_md->digest, "");
	ck_assert_str_eq(r.body, "");
	fields = cJSON_PrintUnformatted(r.fm.fields);
	ck_assert_str_eq(fields, "{}");
	cJSON_free(fields);
	ck_assert_ptr_null(r.evals);
	ck_assert_int_eq(r.counts.evals, 0);
	ck_assert_uint_eq(r.n_checklists, 1);
	ck_assert_str_eq(skill_primary_checklist(&r)->file->path,
			 "references/extra/review-checklist.md");
	ck_assert_int_eq(r.counts.checklist_items, 1);
	ck_assert(!r.valid);
	ck_assert_ptr_null(r.tier);
	/* the scan's warnings in path order, then the record's own: over
	 * 100 bytes are SKILL.md, evals.json, both examples and the canonical
	 * checklist; guide.md, the extra checklist, run.sh and blob.bin are
	 * smaller */
	ASSERT_DIAGS(&r.diags, "warning file-too-large alpha/SKILL.md\n"
			       "warning file-too-large alpha/evals/evals.json\n"
			       "warning file-too-large alpha/examples/after.md\n"
			       "warning file-too-large alpha/examples/before.md\n"
			       "warning file-too-large alpha/references/review-checklist.md\n"
			       "error skill-md-unreadable alpha/SKILL.md\n"
			       "warning evals-not-read alpha/evals/evals.json\n");
	skill_record_fini(&r);
	tree_fini(&t);
}
END_TEST

/* A folder that was scanned but is gone when analyzed: -1, and a record
 * that is still whole (empty body, no files, the digest of nothing). */
START_TEST(test_analyze_unreadable_folder)
{
	struct tree t;
	struct skill_record r;
	char *from, *to;

	tree_fixture(&t);
	from = xasprintf("%s/beta", t.root);
	to = xasprintf("%s/gone", t.tmp);
	ck_assert_int_eq(rename(from, to), 0);
	analyze(&t, "beta", MAX_FILE, -1, &r);
	ck_assert_str_eq(r.rel, "beta");
	ck_assert_str_eq(r.folder, "beta");
	ck_assert_uint_eq(r.files.len, 0);
	ck_assert_ptr_null(r.skill_md);
	ck_assert_str_eq(r.body, "");
	ck_assert_str_eq(r.digest, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	ck_assert(!r.valid);
	ASSERT_DIAGS(&r.diags, "error skill-dir-unreadable (none)\n"
			       "error skill-md-unreadable beta/SKILL.md\n");
	skill_record_fini(&r);
	free(from);
	free(to);
	tree_fini(&t);
}
END_TEST

/* ---- skill_slug_base ---------------------------------------------------- */

START_TEST(test_slug_base)
{
	static const struct {
		const char *folder, *skill_md, *slug;
	} cases[] = {
		/* a valid frontmatter name wins, even over the folder's */
		{ "folder-a", "---\nname: named\ndescription: D.\n---\n", "named" },
		/* an invalid name: the folder, when valid */
		{ "valid-folder", "---\nname: Not Valid\ndescription: D.\n---\n", "valid-folder" },
		/* a name that is not a string counts as none; a plain 42 is
		 * the string "42", a valid name */
		{ "list-name", "---\nname: [a]\ndescription: D.\n---\n", "list-name" },
		{ "num-name", "---\nname: 42\ndescription: D.\n---\n", "42" },
		/* no frontmatter at all */
		{ "plain", "Just text.\n", "plain" },
		/* else the folder lowercased, runs of other bytes one '-',
		 * none at either end */
		{ "My Skill_v2", "---\nname: x_y\n---\n", "my-skill-v2" },
		{ "--A__B--", "x\n", "a-b" },
		{ "bad\xff\xfe", "x\n", "bad" },
		{ "caf\xc3\xa9 au lait", "x\n", "caf-au-lait" },
	};
	struct tree t;
	char long_folder[80], want[80];

	tree_empty(&t);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *rel = xasprintf("%s/SKILL.md", cases[i].folder);

		tu_write_str(t.root, rel, cases[i].skill_md);
		free(rel);
	}
	/* 70 capitals: cut to 64; 63 capitals then "_x": the '-' at the cut
	 * is dropped too */
	memset(long_folder, 'X', 70);
	long_folder[70] = '\0';
	{
		char *rel = xasprintf("%s/SKILL.md", long_folder);

		tu_write_str(t.root, rel, "x\n");
		free(rel);
	}
	tu_write_str(t.root, "\xe6\x97\xa5\xe6\x9c\xac/SKILL.md", "x\n");
	tree_scan(&t);

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct skill_record r;
		char *slug;

		analyze(&t, cases[i].folder, MAX_FILE, 0, &r);
		slug = skill_slug_base(&r);
		ck_assert_msg(strcmp(slug, cases[i].slug) == 0, "%s: %s", cases[i].folder, slug);
		free(slug);
		skill_record_fini(&r);
	}
	{
		struct skill_record r;
		char *slug;

		analyze(&t, long_folder, MAX_FILE, 0, &r);
		slug = skill_slug_base(&r);
		memset(want, 'x', 64);
		want[64] = '\0';
		ck_assert_str_eq(slug, want);
		ck_assert(skill_name_valid(slug));
		free(slug);
		skill_record_fini(&r);

		/* nothing usable left: skill- and the digest's first 8 hex */
		analyze(&t, "\xe6\x97\xa5\xe6\x9c\xac", MAX_FILE, 0, &r);
		slug = skill_slug_base(&r);
		snprintf(want, sizeof(want), "skill-%.8s", r.digest);
		ck_assert_str_eq(slug, want);
		ck_assert_uint_eq(strlen(slug), 14);
		free(slug);
		skill_record_fini(&r);
	}
	tree_fini(&t);
}
END_TEST

START_TEST(test_slug_base_cut_before_a_dash)
{
	struct tree t;
	struct skill_record r;
	char folder[80], want[80], *rel, *slug;

	tree_empty(&t);
	memset(folder, 'Q', 63);
	strcpy(folder + 63, "_x");
	rel = xasprintf("%s/SKILL.md", folder);
	tu_write_str(t.root, rel, "x\n");
	free(rel);
	tree_scan(&t);
	analyze(&t, folder, MAX_FILE, 0, &r);
	slug = skill_slug_base(&r);
	memset(want, 'q', 63);
	want[63] = '\0';
	ck_assert_str_eq(slug, want);
	free(slug);
	skill_record_fini(&r);
	tree_fini(&t);
}
END_TEST

/* ---- the JSON forms ---------------------------------------------------------- */

START_TEST(test_summary_json_bytes)
{
	struct tree t;
	struct skill_record r;
	char *got, *want;

	tree_fixture(&t);
	analyze(&t, "alpha", MAX_FILE, 0, &r);
	r.slug = xstrdup("alpha-2");
	/* updated: the newest file's time, wherever it is in the list */
	for (size_t i = 0; i < r.files.len; i++)
		r.files.items[i].mtime = i == 2 ? 1733356800 : 1700000000 + (int64_t)i;
	got = print_free(skill_summary_json(&r));
	want = xasprintf("{\"slug\":\"alpha-2\",\"name\":\"alpha\",\"description\":\"%s\\n\","
			 "\"path\":\"alpha\",\"root\":\"%s\",\"valid\":true,\"tier\":\"platinum\","
			 "\"digest\":\"%s\",\"updated\":\"2024-12-05T00:00:00Z\","
			 "\"counts\":{\"files\":9,\"references\":3,"
			 "\"checklist_items\":4,\"evals\":3,\"scripts\":1,\"assets\":1,"
			 "\"examples\":2},\"url\":\"/api/v1/skills/alpha-2\","
			 "\"html_url\":\"/skills/alpha-2\"}",
			 ALPHA_DESCRIPTION, t.root, r.digest);
	ck_assert_str_eq(got, want);
	free(got);
	free(want);
	skill_record_fini(&r);
	tree_fini(&t);
}
END_TEST

/* A skill at the root itself ("." as its path) with no frontmatter:
 * name, description and tier are null. */
START_TEST(test_summary_json_root_skill_without_frontmatter)
{
	struct tree t;
	struct skill_record r;
	char *got, *want;

	tree_empty(&t);
	tu_write_str(t.root, "SKILL.md", "No frontmatter.\n");
	tree_scan(&t);
	analyze(&t, "", MAX_FILE, 0, &r);
	ck_assert_str_eq(r.rel, "");
	ck_assert_str_eq(r.folder, "skills");
	ck_assert_str_eq(r.body, "No frontmatter.\n");
	r.slug = skill_slug_base(&r);
	ck_assert_str_eq(r.slug, "skills");
	r.files.items[0].mtime = 86400;
	got = print_free(skill_summary_json(&r));
	want = xasprintf("{\"slug\":\"skills\",\"name\":null,\"description\":null,\"path\":\".\","
			 "\"root\":\"%s\",\"valid\":false,\"tier\":null,\"digest\":\"%s\","
			 "\"updated\":\"1970-01-02T00:00:00Z\",\"counts\":{\"files\":1,\"references\":0,\"checklist_items\":0,"
			 "\"evals\":0,\"scripts\":0,\"assets\":0,\"examples\":0},"
			 "\"url\":\"/api/v1/skills/skills\",\"html_url\":\"/skills/skills\"}",
			 t.root, r.digest);
	ck_assert_str_eq(got, want);
	free(got);
	free(want);
	skill_record_fini(&r);
	tree_fini(&t);
}
END_TEST

/* One entry of skill_files_json, byte for byte; its file's time is
 * 2024-12-05T00:00:0<second>Z. */
static char *file_entry(const char *path, const char *kind, long size, const char *digest,
			const char *mime, bool text, bool stored, int second)
{
	char *tok = text ? xasprintf(",\"tokens\":%ld", (size + 3) / 4) : xstrdup("");
	char *dig = digest ? xasprintf("\"%s\"", digest) : xstrdup("null");
	char *e = xasprintf("{\"path\":\"%s\",\"kind\":\"%s\",\"size\":%ld,\"digest\":%s,"
			    "\"updated\":\"2024-12-05T00:00:0%dZ\",\"mime\":\"%s\",\"text\":%s,"
			    "\"stored\":%s%s}", path, kind, size, dig, second, mime,
			    text ? "true" : "false", stored ? "true" : "false", tok);

	free(tok);
	free(dig);
	return e;
}

START_TEST(test_files_json_bytes)
{
	struct tree t;
	struct skill_record r;
	char *dir, *got, hex[SHA256_HEX_LEN + 1];
	struct buf want;

	tree_fixture(&t);
	dir = xasprintf("%s/alpha", t.root);
	for (int limit = 0; limit < 2; limit++) {
		/* every file stored, then only those of at most 100 bytes */
		size_t max = limit ? 100 : MAX_FILE;

		analyze(&t, "alpha", max, 0, &r);
		buf_init(&want);
		buf_putc(&want, '[');
		for (size_t i = 0; i < N_ALPHA; i++) {
			long size = file_size(dir, alpha_files[i].path);
			bool stored = (size_t)size <= max;
			char *e;

			file_sha(dir, alpha_files[i].path, hex);
			/* the scan's time is the file's, then a known one */
			ck_assert_int_eq(r.files.items[i].mtime, file_mtime(dir, alpha_files[i].path));
			r.files.items[i].mtime = 1733356800 + (int64_t)i;
			e = file_entry(alpha_files[i].path, alpha_files[i].kind, size,
				       stored ? hex : NULL, alpha_files[i].mime, alpha_files[i].text,
				       stored, (int)i);
			buf_printf(&want, "%s%s", i ? "," : "", e);
			free(e);
		}
		buf_putc(&want, ']');
		got = print_free(skill_files_json(&r));
		ck_assert_str_eq(got, want.data);
		free(got);
		buf_fini(&want);
		skill_record_fini(&r);
	}
	free(dir);
	tree_fini(&t);
}
END_TEST

START_TEST(test_checklist_json)
{
	struct tree t;
	struct skill_record r;
	cJSON *c, *other;
	char hex[SHA256_HEX_LEN + 1], *dir;

	tree_fixture(&t);
	dir = xasprintf("%s/alpha", t.root);
	analyze(&t, "alpha", MAX_FILE, 0, &r);
	r.slug = xstrdup("alpha");
	c = skill_checklist_json(&r);
	ck_assert_ptr_nonnull(c);
	/* the parsed primary checklist, and where it came from */
	ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(c, "title")),
			 "Widget — Code Review Checklist");
	ck_assert_int_eq(checklist_item_count(c), 3);
	ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(c, "skill")), "alpha");
	ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(c, "path")),
			 "references/review-checklist.md");
	file_sha(dir, "references/review-checklist.md", hex);
	ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(c, "digest")), hex);
	other = cJSON_GetObjectItem(c, "other_checklists");
	ck_assert_int_eq(cJSON_GetArraySize(other), 1);
	ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetArrayItem(other, 0)),
			 "references/extra/review-checklist.md");
	/* a copy: the record's parsed checklist is unchanged */
	ck_assert_ptr_null(cJSON_GetObjectItem(r.checklists[1].parsed, "skill"));
	cJSON_Delete(c);
	skill_record_fini(&r);
	free(dir);
	tree_fini(&t);
}
END_TEST

/* Only a checklist outside references/: it is the primary one. */
START_TEST(test_checklist_json_first_when_no_canonical)
{
	struct tree t;
	struct skill_record r;
	cJSON *c;

	tree_empty(&t);
	tu_write_str(t.root, "s/SKILL.md", "---\nname: s\ndescription: S.\n---\n");
	tu_write_str(t.root, "s/docs/review-checklist.md", "# D\n\n- [ ] One?\n- [ ] Two?\n");
	tu_write_str(t.root, "s/more/review-checklist.md", "# M\n\n- [ ] Three?\n");
	tree_scan(&t);
	analyze(&t, "s", MAX_FILE, 0, &r);
	r.slug = xstrdup("s");
	ck_assert_uint_eq(r.n_checklists, 2);
	ck_assert_ptr_eq(skill_primary_checklist(&r), &r.checklists[0]);
	ck_assert_int_eq(r.counts.checklist_items, 3);
	ck_assert_int_eq(r.counts.references, 0);
	c = skill_checklist_json(&r);
	ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(c, "path")),
			 "docs/review-checklist.md");
	ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetArrayItem(
				 cJSON_GetObjectItem(c, "other_checklists"), 0)),
			 "more/review-checklist.md");
	cJSON_Delete(c);
	skill_record_fini(&r);
	tree_fini(&t);
}
END_TEST

START_TEST(test_detail_json)
{
	struct tree t;
	struct skill_record r;
	cJSON *d, *c, *q, *diags;
	char *text, *want, *files, *check, hex[SHA256_HEX_LEN + 1], *dir;

	tree_fixture(&t);
	dir = xasprintf("%s/alpha", t.root);
	analyze(&t, "alpha", MAX_FILE, 0, &r);
	r.slug = xstrdup("alpha");
	d = skill_detail_json(&r);

	/* the summary's members first, in order, then the detail's */
	{
		static const char *const keys[] = {
			"slug", "name", "description", "path", "root", "valid", "tier", "digest",
			"updated", "counts", "url", "html_url", "frontmatter", "body", "files", "checklist",
			"quality", "diagnostics",
		};
		const cJSON *item = d->child;

		for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++, item = item->next) {
			ck_assert_ptr_nonnull(item);
			ck_assert_str_eq(item->string, keys[i]);
		}
		ck_assert_ptr_null(item);
	}
	text = cJSON_PrintUnformatted(cJSON_GetObjectItem(d, "frontmatter"));
	want = xasprintf("{\"name\":\"alpha\",\"description\":\"%s\\n\",\"license\":\"MIT\"}",
			 ALPHA_DESCRIPTION);
	ck_assert_str_eq(text, want);
	cJSON_free(text);
	free(want);
	ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(d, "body")), r.body);
	text = cJSON_PrintUnformatted(cJSON_GetObjectItem(d, "files"));
	files = print_free(skill_files_json(&r));
	ck_assert_str_eq(text, files);
	cJSON_free(text);
	free(files);

	c = cJSON_GetObjectItem(d, "checklist");
	file_sha(dir, "references/review-checklist.md", hex);
	text = cJSON_PrintUnformatted(c);
	want = xasprintf("{\"path\":\"references/review-checklist.md\","
			 /* one section: "Quick Review Workflow" is the workflow */
			 "\"title\":\"Widget — Code Review Checklist\",\"sections\":1,\"items\":3,"
			 "\"digest\":\"%s\",\"url\":\"/api/v1/skills/alpha/checklist\"}", hex);
	ck_assert_str_eq(text, want);
	cJSON_free(text);
	free(want);

	q = cJSON_GetObjectItem(d, "quality");
	text = cJSON_PrintUnformatted(q);
	check = cJSON_PrintUnformatted(r.check);
	ck_assert_str_eq(text, check);
	cJSON_free(text);
	cJSON_free(check);
	diags = cJSON_GetObjectItem(d, "diagnostics");
	ck_assert(cJSON_IsArray(diags));
	ck_assert_int_eq(cJSON_GetArraySize(diags), 0);
	cJSON_Delete(d);
	skill_record_fini(&r);

	/* without a checklist: null; the diagnostics in the record's order */
	analyze(&t, "zz-dup", MAX_FILE, 0, &r);
	r.slug = xstrdup("alpha-2");
	d = skill_detail_json(&r);
	ck_assert(cJSON_IsNull(cJSON_GetObjectItem(d, "checklist")));
	diags = cJSON_GetObjectItem(d, "diagnostics");
	ck_assert_int_eq(cJSON_GetArraySize(diags), (int)r.diags.len);
	ASSERT_DIAGS(&r.diags, "error name-mismatch zz-dup/SKILL.md\n");
	for (size_t i = 0; i < r.diags.len; i++) {
		cJSON *one = diag_to_json(&r.diags.items[i]);
		char *a = cJSON_PrintUnformatted(one), *b = cJSON_PrintUnformatted(
			cJSON_GetArrayItem(diags, (int)i));

		ck_assert_str_eq(a, b);
		cJSON_free(a);
		cJSON_free(b);
		cJSON_Delete(one);
	}
	ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(d, "valid")));
	cJSON_Delete(d);
	skill_record_fini(&r);
	free(dir);
	tree_fini(&t);
}
END_TEST

/* ---- skill_render ---------------------------------------------------------- */

START_TEST(test_render_links_and_files)
{
	struct tree t;
	struct skill_record r;
	const cJSON *item;

	tree_empty(&t);
	tu_write_str(t.root, "r/SKILL.md", "---\nname: r\ndescription: R.\n---\n"
		     "See [the guide](references/guide.md).\n");
	tu_write_str(t.root, "r/references/guide.md", "Back to [the skill](../SKILL.md#use), "
		     "`scripts/x.sh` and `../SKILL.md`; not `scripts/nope.sh`.\n");
	tu_write_str(t.root, "r/references/review-checklist.md",
		     "# C\n\n## One\n\n- [ ] **R1 — Links** — see [the guide](guide.md)?\n");
	tu_write_str(t.root, "r/scripts/x.sh", "echo\n");
	tree_scan(&t);
	analyze(&t, "r", MAX_FILE, 0, &r);
	r.slug = xstrdup("r-slug");
	skill_render(&r);

	ck_assert_str_eq(r.body_html,
			 "<p>See <a href=\"/skills/r-slug/references/guide.md\">the guide</a>.</p>\n");
	ck_assert_uint_eq(r.files.len, 4);
	/* SKILL.md is the body; markdown files get HTML; others none. Links and
	 * mentions of the skill's files go to them, of SKILL.md to the skill */
	ck_assert_str_eq(r.files.items[0].path, "SKILL.md");
	ck_assert_ptr_null(r.file_html[0].html);
	ck_assert_str_eq(r.files.items[1].path, "references/guide.md");
	ck_assert_str_eq(r.file_html[1].html,
			 "<p>Back to <a href=\"/skills/r-slug#use\">the skill</a>, "
			 "<a href=\"/skills/r-slug/scripts/x.sh\"><code>scripts/x.sh</code></a> and "
			 "<a href=\"/skills/r-slug\"><code>../SKILL.md</code></a>; not "
			 "<code>scripts/nope.sh</code>.</p>\n");
	ck_assert_str_eq(r.files.items[2].path, "references/review-checklist.md");
	ck_assert_ptr_nonnull(r.file_html[2].html);
	ck_assert_str_eq(r.files.items[3].path, "scripts/x.sh");
	ck_assert_ptr_null(r.file_html[3].html);
	/* a checklist item's text, inline, with its link resolved in references/ */
	item = cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetArrayItem(
		cJSON_GetObjectItem(r.checklists[0].parsed, "sections"), 0), "items"), 0);
	ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(item, "text")),
			 "see [the guide](guide.md)?");
	ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(item, "html")),
			 "see <a href=\"/skills/r-slug/references/guide.md\">the guide</a>?");
	ck_assert_uint_eq(r.diags.len, 0);
	skill_record_fini(&r);
	tree_fini(&t);

	/* placeholders: an empty reference, a one-byte script, a blank
	 * example; a short real file and a tiny asset are not */
	tree_empty(&t);
	tu_write_str(t.root, "p/SKILL.md", "---\nname: p\ndescription: P.\n---\nBody\n");
	tu_write_str(t.root, "p/references/api.md", "");
	tu_write_str(t.root, "p/scripts/example.py", "\n");
	tu_write_str(t.root, "p/examples/before.md", " x \n\n");
	tu_write_str(t.root, "p/scripts/ok.sh", "ls\n");
	tu_write_str(t.root, "p/assets/dot.txt", ".");
	tree_scan(&t);
	analyze(&t, "p", MAX_FILE, 0, &r);
	ASSERT_DIAGS(&r.diags, "warning placeholder-file p/examples/before.md\n"
			       "warning placeholder-file p/references/api.md\n"
			       "warning placeholder-file p/scripts/example.py\n");
	skill_record_fini(&r);
	tree_fini(&t);
}
END_TEST

/* Pages render when asked (skill_render_doc), from the skill's detail
 * JSON: byte for byte what skill_render makes at index time, for the body
 * and every markdown file, with links to files that exist and do not, a
 * nested folder, a heading table of contents and highlighted code; and
 * nothing for the documents skill_render leaves alone. */
START_TEST(test_render_doc_is_index_time_render)
{
	struct tree t;
	struct skill_record r;
	cJSON *detail;
	const cJSON *files;
	char *html, *toc_a, *toc_b;
	cJSON *toc;
	size_t rendered = 0;

	tree_empty(&t);
	tu_write_str(t.root, "d/SKILL.md", "---\nname: d\ndescription: D.\n---\n"
		     "# Use\n\nSee [the guide](references/guide.md), `references/deep/x.md`, "
		     "[gone](references/gone.md).\n\n```c\nint main(void) { return 0; }\n```\n");
	tu_write_str(t.root, "d/references/guide.md", "# Guide\n\n## Part\n\nBack to "
		     "[the skill](../SKILL.md#use) and `deep/x.md`.\n\n> [!NOTE]\n> A note.\n");
	tu_write_str(t.root, "d/references/deep/x.md", "See [up](../guide.md#part).\n");
	tu_write_str(t.root, "d/examples/before.md", "Before: `scripts/nope.sh`.\n");
	tu_write_str(t.root, "d/notes.txt", "not markdown\n");
	tree_scan(&t);
	analyze(&t, "d", MAX_FILE, 0, &r);
	r.slug = xstrdup("d-1");
	skill_render(&r);
	detail = skill_detail_json(&r);
	files = cJSON_GetObjectItem(detail, "files");

	ck_assert_int_eq(skill_render_doc("d-1", files, NULL, r.body, strlen(r.body), &html, &toc), 0);
	ck_assert_str_eq(html, r.body_html);
	toc_a = cJSON_PrintUnformatted(toc);
	toc_b = cJSON_PrintUnformatted(r.body_toc);
	ck_assert_str_eq(toc_a, toc_b);
	free(html);
	free(toc_a);
	free(toc_b);
	cJSON_Delete(toc);
	for (size_t i = 0; i < r.files.len; i++) {
		const struct skill_file *f = &r.files.items[i];
		int rc = skill_render_doc("d-1", files, f->path, f->content, f->content_len, &html,
					  &toc);

		if (!r.file_html[i].html) {
			ck_assert_msg(rc == -1, "%s: rendered when asked, not at index time", f->path);
			continue;
		}
		ck_assert_msg(rc == 0, "%s: not rendered when asked", f->path);
		ck_assert_str_eq(html, r.file_html[i].html);
		toc_a = cJSON_PrintUnformatted(toc);
		toc_b = cJSON_PrintUnformatted(r.file_html[i].toc);
		ck_assert_str_eq(toc_a, toc_b);
		free(html);
		free(toc_a);
		free(toc_b);
		cJSON_Delete(toc);
		rendered++;
	}
	ck_assert_uint_eq(rendered, 3);   /* guide.md, deep/x.md, before.md */
	ck_assert_ptr_nonnull(strstr(r.file_html[3].html, "/skills/d-1/references/guide.md#part"));
	cJSON_Delete(detail);
	skill_record_fini(&r);
	tree_fini(&t);
}
END_TEST

/* What keeps a skill out of the MCP Skills extension's listing, in order. */
START_TEST(test_extension_problem)
{
	static const char md[] = "---\nname: ok\ndescription: Fine.\nn: 1\n---\nBody\n";
	struct skill_listing l = { .valid = true, .name = "ok", .slug = "ok", .files = 1,
				   .bytes = sizeof(md) - 1, .complete = true, .skill_md = md,
				   .skill_md_len = sizeof(md) - 1, .skill_md_path = "SKILL.md" };
	struct skill_listing b;
	cJSON *fm;

	ck_assert_ptr_null(skill_extension_problem(&l, &fm));
	{
		char *json = cJSON_PrintUnformatted(fm);

		ck_assert_str_eq(json, "{\"name\":\"ok\",\"description\":\"Fine.\",\"n\":1}");
		cJSON_free(json);
	}
	cJSON_Delete(fm);
	/* at the limits: fine; one over: not */
	b = l;
	b.files = SKILL_EXT_MAX_FILES;
	b.bytes = SKILL_EXT_MAX_BYTES;
	ck_assert_ptr_null(skill_extension_problem(&b, NULL));
	b.files++;
	ck_assert_ptr_nonnull(strstr(skill_extension_problem(&b, NULL), "512 files"));
	b = l;
	b.bytes = SKILL_EXT_MAX_BYTES + 1;
	ck_assert_ptr_nonnull(strstr(skill_extension_problem(&b, NULL), "16 MiB"));
	b = l;
	b.name = "Not_Valid";
	b.slug = "not-valid";
	ck_assert_ptr_nonnull(strstr(skill_extension_problem(&b, &fm), "naming rules"));
	ck_assert_ptr_null(fm);
	b = l;
	b.name = NULL;
	ck_assert_ptr_nonnull(strstr(skill_extension_problem(&b, NULL), "naming rules"));
	b = l;
	b.valid = false;
	ck_assert_ptr_nonnull(strstr(skill_extension_problem(&b, NULL), "not valid"));
	b = l;
	b.slug = "ok-2";
	ck_assert_ptr_nonnull(strstr(skill_extension_problem(&b, NULL), "another slug"));
	b = l;
	b.complete = false;
	ck_assert_ptr_nonnull(strstr(skill_extension_problem(&b, NULL), "--max-file-size"));
	b = l;
	b.skill_md = "---\nname: ok\n\xff\n---\n";
	b.skill_md_len = strlen(b.skill_md);
	ck_assert_ptr_nonnull(strstr(skill_extension_problem(&b, NULL), "not UTF-8"));
	b.skill_md = "--- \nname: ok\ndescription: x\n---\n";
	b.skill_md_len = strlen(b.skill_md);
	ck_assert_ptr_nonnull(strstr(skill_extension_problem(&b, NULL), "bare `---`"));
	/* a YAML warning (a key that is no scalar) means parsers may disagree */
	b.skill_md = "---\nname: ok\ndescription: x\n[a]: 1\n---\n";
	b.skill_md_len = strlen(b.skill_md);
	ck_assert_ptr_nonnull(strstr(skill_extension_problem(&b, NULL), "every YAML parser"));
	/* the closing line must be bare too */
	b.skill_md = "---\nname: ok\ndescription: x\n---  \nBody\n";
	b.skill_md_len = strlen(b.skill_md);
	ck_assert_ptr_nonnull(strstr(skill_extension_problem(&b, NULL), "closes its frontmatter"));
	/* name and description must read as text */
	b = l;
	b.name = b.slug = "123";
	b.skill_md = "---\nname: 123\ndescription: x\n---\n";
	b.skill_md_len = strlen(b.skill_md);
	ck_assert_ptr_nonnull(strstr(skill_extension_problem(&b, NULL), "name reads as a number"));
	b.skill_md = "---\nname: \"123\"\ndescription: x\n---\n";
	b.skill_md_len = strlen(b.skill_md);
	ck_assert_ptr_null(skill_extension_problem(&b, NULL));
	b = l;
	b.skill_md = "---\nname: ok\ndescription: 42\n---\n";
	b.skill_md_len = strlen(b.skill_md);
	ck_assert_ptr_nonnull(strstr(skill_extension_problem(&b, NULL), "description reads as"));
	/* skill.md, lowercase */
	b = l;
	b.skill_md_path = "skill.md";
	ck_assert_ptr_nonnull(strstr(skill_extension_problem(&b, NULL), "/SKILL.md"));
	/* CRLF is fine */
	b = l;
	b.skill_md = "---\r\nname: ok\r\ndescription: x\r\n---\r\n";
	b.skill_md_len = strlen(b.skill_md);
	ck_assert_ptr_null(skill_extension_problem(&b, NULL));
}
END_TEST

Suite *skill_suite(void)
{
	Suite *s = suite_create("skill");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_name_rule);
	tcase_add_test(tc, test_analyze_alpha);
	tcase_add_test(tc, test_digest_follows_the_files);
	tcase_add_test(tc, test_analyze_repairs_the_body);
	tcase_add_test(tc, test_analyze_bad_yaml_serves_no_fields);
	tcase_add_test(tc, test_analyze_files_over_the_limit);
	tcase_add_test(tc, test_analyze_unreadable_folder);
	tcase_add_test(tc, test_slug_base);
	tcase_add_test(tc, test_slug_base_cut_before_a_dash);
	tcase_add_test(tc, test_summary_json_bytes);
	tcase_add_test(tc, test_summary_json_root_skill_without_frontmatter);
	tcase_add_test(tc, test_files_json_bytes);
	tcase_add_test(tc, test_checklist_json);
	tcase_add_test(tc, test_checklist_json_first_when_no_canonical);
	tcase_add_test(tc, test_detail_json);
	tcase_add_test(tc, test_render_links_and_files);
	tcase_add_test(tc, test_render_doc_is_index_time_render);
	tcase_add_test(tc, test_extension_problem);
	suite_add_tcase(s, tc);
	return s;
}
