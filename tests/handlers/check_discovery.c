/* SPDX-License-Identifier: MIT */
/*
 * Tests for discovery: the well-known indexes through pipeline_serve on the
 * fixture tree plus a skill with an invalid name, one with a file over
 * --max-file-size and one that is only SKILL.md. Checks which skills are
 * listed, the 0.2.0 entries (type, url, digest = SHA-256 of the artifact's
 * bytes), the artifact (a root-level tar.gz with the source bytes), the
 * older index with its files served under both prefixes, the cache, the
 * 404s, and /api/search in the skills CLI's shape.
 */
#include <archive.h>
#include <archive_entry.h>
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "skilld/app/app.h"
#include "skilld/handlers/discovery.h"
#include "skilld/transport/http.h"
#include "skilld/base/util.h"
#include "testapp.h"
#include "testutil.h"

Suite *discovery_suite(void);

static struct ta_app ta;

static void setup(void)
{
	static const char *const args[] = { "--max-file-size", "64K", NULL };
	char *big;

	ta_prepare(&ta);
	tu_write_str(ta.root, "Bad_Name/SKILL.md", "---\nname: Bad_Name\ndescription: Invalid name.\n---\nB\n");
	tu_write_str(ta.root, "big/SKILL.md", "---\nname: big\ndescription: Has a big file.\n---\nB\n");
	big = xmalloc(70000);
	memset(big, 'x', 70000);
	tu_write(ta.root, "big/references/huge.txt", big, 70000);
	free(big);
	tu_write_str(ta.root, "solo/SKILL.md", "---\nname: solo\ndescription: Only SKILL.md.\n---\n# Solo\n");
	ta_open(&ta, args);
}

static void teardown(void)
{
	ta_close(&ta);
}

static int get(const char *path, struct response *res)
{
	struct ta_headers h = { .accept = "application/json", .host = "127.0.0.1:9" };

	return ta_get(&ta.app, path, &h, res);
}

/* GETs path expecting 200 JSON; returns it parsed (cJSON_Delete). */
static cJSON *get_json(const char *path)
{
	struct response res;
	cJSON *j;

	ck_assert_int_eq(get(path, &res), 200);
	ck_assert_str_eq(res.content_type, "application/json; charset=utf-8");
	j = cJSON_ParseWithLength(res.body, res.body_len);
	ck_assert_ptr_nonnull(j);
	response_fini(&res);
	return j;
}

/* The file's bytes on disk (free()). */
static char *source(const char *rel, size_t *len)
{
	char *p = xasprintf("%s/%s", ta.root, rel);
	char *data = tu_read(p, len);

	free(p);
	return data;
}

START_TEST(test_v2_lists_only_valid_unique_stored_skills)
{
	cJSON *j = get_json("/.well-known/agent-skills/index.json"), *s;
	const char *want[] = { "alpha", "beta", "solo" };
	int i = 0;

	ck_assert_str_eq(jstr(j, "$schema"), DISCOVERY_SCHEMA_V2);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(j, "skills")), 3);
	cJSON_ArrayForEach(s, cJSON_GetObjectItem(j, "skills")) {
		const char *digest = jstr(s, "digest");

		ck_assert_str_eq(jstr(s, "name"), want[i++]);
		ck_assert_ptr_nonnull(jstr(s, "description"));
		ck_assert_ptr_nonnull(digest);
		ck_assert_uint_eq(strlen(digest), 7 + 64);
		ck_assert_int_eq(strncmp(digest, "sha256:", 7), 0);
		ck_assert_uint_eq(strspn(digest + 7, "0123456789abcdef"), 64);
		ck_assert_int_eq(cJSON_GetArraySize(s), 5);
	}
	s = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "skills"), 0);
	ck_assert_str_eq(jstr(s, "type"), "archive");
	ck_assert_str_eq(jstr(s, "url"), "/.well-known/agent-skills/alpha.tar.gz");
	s = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "skills"), 1);
	ck_assert_str_eq(jstr(s, "type"), "skill-md");
	ck_assert_str_eq(jstr(s, "url"), "/.well-known/agent-skills/beta/SKILL.md");
	cJSON_Delete(j);
}
END_TEST

/* The digest is the SHA-256 of the bytes the url serves, for both types. */
START_TEST(test_digests_match_the_artifacts)
{
	cJSON *j = get_json("/.well-known/agent-skills/index.json"), *s;

	cJSON_ArrayForEach(s, cJSON_GetObjectItem(j, "skills")) {
		struct response a, b;
		char hex[SHA256_HEX_LEN + 1];

		ck_assert_int_eq(get(jstr(s, "url"), &a), 200);
		ck_assert_int_eq(get(jstr(s, "url"), &b), 200);
		ck_assert_uint_eq(a.body_len, b.body_len);
		ck_assert_int_eq(memcmp(a.body, b.body, a.body_len), 0);
		sha256_hex(a.body, a.body_len, hex);
		ck_assert_str_eq(jstr(s, "digest") + 7, hex);
		if (strcmp(jstr(s, "type"), "archive") == 0)
			ck_assert_str_eq(a.content_type, "application/gzip");
		response_fini(&a);
		response_fini(&b);
	}
	cJSON_Delete(j);
}
END_TEST

/* The archive artifact holds every file at its root with the source bytes. */
START_TEST(test_archive_artifact_is_the_skill_at_the_root)
{
	static const char *const files[] = {
		"SKILL.md", "assets/blob.bin", "evals/evals.json", "examples/after.md",
		"examples/before.md", "references/extra/review-checklist.md", "references/guide.md",
		"references/review-checklist.md", "scripts/run.sh",
	};
	struct response res;
	struct archive *a;
	struct archive_entry *e;
	size_t n = 0;

	ck_assert_int_eq(get("/.well-known/agent-skills/alpha.tar.gz", &res), 200);
	a = archive_read_new();
	archive_read_support_filter_gzip(a);
	archive_read_support_format_tar(a);
	ck_assert_int_eq(archive_read_open_memory(a, res.body, res.body_len), ARCHIVE_OK);
	while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
		size_t len;
		char *want, *got, *rel;

		ck_assert_uint_lt(n, sizeof(files) / sizeof(files[0]));
		ck_assert_str_eq(archive_entry_pathname(e), files[n]);
		rel = xasprintf("alpha/%s", files[n]);
		want = source(rel, &len);
		free(rel);
		ck_assert_int_eq(archive_entry_size(e), (la_int64_t)len);
		got = xmalloc(len + 1);
		ck_assert_int_eq(archive_read_data(a, got, len + 1), (la_ssize_t)len);
		ck_assert_int_eq(memcmp(got, want, len), 0);
		free(got);
		free(want);
		n++;
	}
	ck_assert_uint_eq(n, sizeof(files) / sizeof(files[0]));
	archive_read_free(a);
	response_fini(&res);
}
END_TEST

/* The index is built once per generation: the same bytes again. */
START_TEST(test_v2_is_cached)
{
	struct response a, b;

	ck_assert_int_eq(get("/.well-known/agent-skills/index.json", &a), 200);
	ck_assert_int_eq(get("/.well-known/agent-skills/index.json", &b), 200);
	ck_assert_uint_eq(a.body_len, b.body_len);
	ck_assert_int_eq(memcmp(a.body, b.body, a.body_len), 0);
	ck_assert_str_eq(a.etag, b.etag);
	response_fini(&a);
	response_fini(&b);
}
END_TEST

START_TEST(test_v1_lists_files_served_under_both_prefixes)
{
	cJSON *j = get_json("/.well-known/skills/index.json"), *s, *f;

	ck_assert_ptr_null(cJSON_GetObjectItem(j, "$schema"));
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(j, "skills")), 3);
	cJSON_ArrayForEach(s, cJSON_GetObjectItem(j, "skills")) {
		ck_assert_ptr_nonnull(jstr(s, "description"));
		ck_assert_str_eq(cJSON_GetArrayItem(cJSON_GetObjectItem(s, "files"), 0)->valuestring,
				 "SKILL.md");
		cJSON_ArrayForEach(f, cJSON_GetObjectItem(s, "files")) {
			const char *prefixes[] = { "/.well-known/skills/", "/.well-known/agent-skills/" };

			for (int k = 0; k < 2; k++) {
				char *url = xasprintf("%s%s/%s", prefixes[k], jstr(s, "name"), f->valuestring);
				char *rel = xasprintf("%s/%s", jstr(s, "name"), f->valuestring);
				struct response res;
				size_t len;
				char *want = source(rel, &len);

				ck_assert_int_eq(get(url, &res), 200);
				ck_assert_uint_eq(res.body_len, len);
				ck_assert_int_eq(memcmp(res.body, want, len), 0);
				response_fini(&res);
				free(want);
				free(rel);
				free(url);
			}
		}
	}
	s = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "skills"), 0);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(s, "files")), 9);
	cJSON_Delete(j);
}
END_TEST

/* Unlisted skills, unknown artifacts and files: 404 in JSON. */
START_TEST(test_unlisted_and_unknown_are_404)
{
	static const char *const paths[] = {
		"/.well-known/agent-skills/bad-yaml.tar.gz", "/.well-known/agent-skills/big.tar.gz",
		"/.well-known/agent-skills/alpha-2.tar.gz", "/.well-known/agent-skills/nope.tar.gz",
		"/.well-known/agent-skills/alpha.zip", "/.well-known/agent-skills/alpha",
		"/.well-known/agent-skills/.tar.gz", "/.well-known/skills/big/SKILL.md",
		"/.well-known/skills/Bad_Name/SKILL.md", "/.well-known/skills/alpha/nope.md",
		"/.well-known/skills/alpha-2/SKILL.md", "/.well-known/agent-skills/bad-yaml/SKILL.md",
		"/.well-known/skills/nope/SKILL.md",
	};

	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		struct response res;

		ck_assert_msg(get(paths[i], &res) == 404, "%s: %d", paths[i], res.status);
		ck_assert_str_eq(res.content_type, "application/json; charset=utf-8");
		response_fini(&res);
	}
}
END_TEST

/* /api/search as the skills CLI's find reads it. */
START_TEST(test_search_in_the_cli_shape)
{
	cJSON *j = get_json("/api/search?q=alpha&limit=20"), *s;
	struct response res;
	char *text;

	/* of the two skills named alpha, only the one the well-known index
	 * lists (zz-dup, served as alpha-2, cannot be installed from here) */
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(j, "skills")), 1);
	cJSON_ArrayForEach(s, cJSON_GetObjectItem(j, "skills")) {
		ck_assert_ptr_nonnull(jstr(s, "id"));
		ck_assert_ptr_nonnull(jstr(s, "name"));
		/* find prints source@name: http://127.0.0.1:9/@alpha, the skill's scope */
		ck_assert_str_eq(jstr(s, "source"), "http://127.0.0.1:9/");
		ck_assert(cJSON_IsNumber(cJSON_GetObjectItem(s, "installs")));
	}
	text = cJSON_PrintUnformatted(j);
	ck_assert_ptr_nonnull(strstr(text, "\"id\":\"alpha\""));
	ck_assert_ptr_null(strstr(text, "\"id\":\"alpha-2\""));
	free(text);
	cJSON_Delete(j);
	/* limit counts skills that install: one, whichever alpha ranks first */
	for (int k = 0; k < 2; k++) {
		j = get_json(k ? "/api/search?q=same+name+as+alpha&limit=1" : "/api/search?q=alpha&limit=1");
		ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(j, "skills")), 1);
		ck_assert_str_eq(jstr(cJSON_GetArrayItem(cJSON_GetObjectItem(j, "skills"), 0), "id"), "alpha");
		cJSON_Delete(j);
	}
	j = get_json("/api/search?q=zzzzqqqq");
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(j, "skills")), 0);
	cJSON_Delete(j);
	j = get_json("/api/search?q=alpha&limit=500"); /* lowered, not refused */
	cJSON_Delete(j);
	ck_assert_int_eq(get("/api/search", &res), 400);
	response_fini(&res);
	ck_assert_int_eq(get("/api/search?q=alpha&limit=0", &res), 400);
	response_fini(&res);
	ck_assert_int_eq(get("/api/search?q=alpha&limit=x", &res), 400);
	response_fini(&res);
}
END_TEST

/* A skill's own scope, /@name/.well-known/: the indexes list it alone
 * (same entry as the root's), its files are there, anything else is 404. */
START_TEST(test_scoped_indexes)
{
	cJSON *root = get_json("/.well-known/agent-skills/index.json");
	cJSON *j = get_json("/@alpha/.well-known/agent-skills/index.json"), *want = NULL, *e;
	struct response res, file;
	static const char *const missing[] = {
		"/@nope/.well-known/agent-skills/index.json", "/@alpha-2/.well-known/skills/index.json",
		"/@bad-yaml/.well-known/skills/index.json", "/alpha/.well-known/skills/index.json",
		"/@alpha/.well-known/skills/beta/SKILL.md", "/@alpha/.well-known/skills/alpha/nope.md",
	};

	cJSON_ArrayForEach(e, cJSON_GetObjectItem(root, "skills"))
		if (strcmp(jstr(e, "name"), "alpha") == 0)
			want = e;
	ck_assert_ptr_nonnull(want);
	ck_assert_str_eq(jstr(j, "$schema"), DISCOVERY_SCHEMA_V2);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(j, "skills")), 1);
	ck_assert(cJSON_Compare(cJSON_GetArrayItem(cJSON_GetObjectItem(j, "skills"), 0), want, true));
	cJSON_Delete(j);
	cJSON_Delete(root);
	j = get_json("/@alpha/.well-known/skills/index.json");
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(j, "skills")), 1);
	ck_assert_str_eq(jstr(cJSON_GetArrayItem(cJSON_GetObjectItem(j, "skills"), 0), "name"), "alpha");
	cJSON_Delete(j);
	ck_assert_int_eq(get("/@alpha/.well-known/skills/alpha/references/guide.md", &res), 200);
	ck_assert_int_eq(get("/.well-known/skills/alpha/references/guide.md", &file), 200);
	ck_assert_uint_eq(res.body_len, file.body_len);
	ck_assert(memcmp(res.body, file.body, res.body_len) == 0);
	response_fini(&res);
	response_fini(&file);
	for (size_t i = 0; i < sizeof(missing) / sizeof(missing[0]); i++) {
		ck_assert_msg(get(missing[i], &res) == 404, "%s: %d", missing[i], res.status);
		response_fini(&res);
	}
}
END_TEST

Suite *discovery_suite(void)
{
	Suite *s = suite_create("discovery");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_v2_lists_only_valid_unique_stored_skills);
	tcase_add_test(tc, test_digests_match_the_artifacts);
	tcase_add_test(tc, test_archive_artifact_is_the_skill_at_the_root);
	tcase_add_test(tc, test_v2_is_cached);
	tcase_add_test(tc, test_v1_lists_files_served_under_both_prefixes);
	tcase_add_test(tc, test_unlisted_and_unknown_are_404);
	tcase_add_test(tc, test_search_in_the_cli_shape);
	tcase_add_test(tc, test_scoped_indexes);
	suite_add_tcase(s, tc);
	return s;
}
