/* SPDX-License-Identifier: MIT */
/*
 * Tests for the JSON API through http_serve: the whole stack (config, db,
 * migrations, index, router, handlers) without a socket, with exact values.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <archive.h>
#include <archive_entry.h>
#include <cjson/cJSON.h>

#include "fixture_skills.h"
#include "skilld/app.h"
#include "skilld/http.h"
#include "skilld/util.h"
#include "testapp.h"
#include "testutil.h"

Suite *api_suite(void);

static char *tmp;
static struct config cfg;
static struct app app;

static const char *no_env(const char *name)
{
	(void)name;
	return NULL;
}

static void setup(void)
{
	char err[512];
	char *root, *db;

	tmp = tu_mkdtemp();
	root = fx_write_skills(tmp);
	db = xasprintf("%s/skilld.db", tmp);
	char *argv[] = { "skilld", "--skills", root, "--db", db, "--port", "0", NULL };
	ck_assert_int_eq(config_parse(&cfg, 7, argv, no_env, err, sizeof(err)), 0);
	FILE *devnull = fopen("/dev/null", "w");
	ck_assert_msg(app_init(&app, &cfg, devnull, err, sizeof(err)) == 0, "%s", err);
	free(root);
	free(db);
}

static void teardown(void)
{
	FILE *log = app.log.out;

	app_fini(&app);
	if (log)
		fclose(log);
	config_fini(&cfg);
	tu_rmtree(tmp);
	free(tmp);
}

/* Serves GET path; returns the status and the parsed JSON body in *json
 * (NULL when the body is not JSON). */
static int get(const char *path, const char *if_none_match, struct response *res, cJSON **json)
{
	struct ta_headers h = { .if_none_match = if_none_match };

	ta_get(&app, path, &h, res);
	if (json)
		*json = res->body ? cJSON_ParseWithLength(res->body, res->body_len) : NULL;
	return res->status;
}

static const char *jstr(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static double jnum(const cJSON *o, const char *key)
{
	return cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(o, key));
}

START_TEST(test_healthz)
{
	struct response res;
	cJSON *j;

	ck_assert_int_eq(get("/healthz", NULL, &res, &j), 200);
	ck_assert_str_eq(res.body, "{\"status\":\"ok\",\"skills\":4,\"generation\":1}");
	cJSON_Delete(j);
	response_fini(&res);
}
END_TEST

START_TEST(test_list_pagination)
{
	struct response res;
	cJSON *j, *data;
	char path[256];

	ck_assert_int_eq(get("/api/v1/skills?limit=3", NULL, &res, &j), 200);
	data = cJSON_GetObjectItem(j, "data");
	ck_assert_int_eq(cJSON_GetArraySize(data), 3);
	ck_assert_str_eq(jstr(cJSON_GetArrayItem(data, 0), "slug"), "alpha");
	ck_assert_str_eq(jstr(cJSON_GetArrayItem(data, 1), "slug"), "alpha-2");
	ck_assert_str_eq(jstr(cJSON_GetArrayItem(data, 2), "slug"), "bad-yaml");
	ck_assert_ptr_nonnull(jstr(j, "next_cursor"));
	snprintf(path, sizeof(path), "/api/v1/skills?limit=3&cursor=%s", jstr(j, "next_cursor"));
	cJSON_Delete(j);
	response_fini(&res);

	ck_assert_int_eq(get(path, NULL, &res, &j), 200);
	data = cJSON_GetObjectItem(j, "data");
	ck_assert_int_eq(cJSON_GetArraySize(data), 1);
	ck_assert_str_eq(jstr(cJSON_GetArrayItem(data, 0), "slug"), "beta");
	ck_assert(cJSON_IsNull(cJSON_GetObjectItem(j, "next_cursor")));
	cJSON_Delete(j);
	response_fini(&res);

	ck_assert_int_eq(get("/api/v1/skills", NULL, &res, &j), 200);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(j, "data")), 4);
	cJSON_Delete(j);
	response_fini(&res);
}
END_TEST

START_TEST(test_list_bad_arguments)
{
	static const char *const bad[] = {
		"/api/v1/skills?limit=0", "/api/v1/skills?limit=101", "/api/v1/skills?limit=abc",
		"/api/v1/skills?limit=-1", "/api/v1/skills?limit=5x", "/api/v1/skills?cursor=zz",
		"/api/v1/skills?cursor=c2f2e", "/api/v1/skills?limit=%00",
	};
	struct response res;
	cJSON *j;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(get(bad[i], NULL, &res, &j) == 400, "%s gave %d", bad[i], res.status);
		ck_assert_ptr_nonnull(cJSON_GetObjectItem(j, "error"));
		cJSON_Delete(j);
		response_fini(&res);
	}
}
END_TEST

START_TEST(test_skill_detail)
{
	struct response res;
	cJSON *j, *counts, *quality;

	ck_assert_int_eq(get("/api/v1/skills/alpha", NULL, &res, &j), 200);
	ck_assert_str_eq(res.content_type, CT_JSON);
	ck_assert_str_eq(jstr(j, "name"), "alpha");
	ck_assert_str_eq(jstr(j, "description"), ALPHA_DESCRIPTION "\n");
	ck_assert_str_eq(jstr(j, "path"), "alpha");
	ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(j, "valid")));
	ck_assert_str_eq(jstr(j, "tier"), "platinum");
	ck_assert_uint_eq(strlen(jstr(j, "digest")), 64);
	counts = cJSON_GetObjectItem(j, "counts");
	ck_assert_int_eq((int)jnum(counts, "files"), 9);
	ck_assert_int_eq((int)jnum(counts, "references"), 3);
	ck_assert_int_eq((int)jnum(counts, "checklist_items"), 4);
	ck_assert_int_eq((int)jnum(counts, "evals"), 3);
	ck_assert_int_eq((int)jnum(counts, "scripts"), 1);
	ck_assert_int_eq((int)jnum(counts, "assets"), 1);
	ck_assert_int_eq((int)jnum(counts, "examples"), 2);
	ck_assert_str_eq(jstr(j, "url"), "/api/v1/skills/alpha");
	quality = cJSON_GetObjectItem(j, "quality");
	ck_assert_str_eq(jstr(quality, "tier"), "platinum");
	ck_assert_str_eq(jstr(cJSON_GetObjectItem(j, "frontmatter"), "license"), "MIT");
	ck_assert(strncmp(jstr(j, "body"), "# Alpha\n\nBody line 1\n", 21) == 0);
	cJSON_Delete(j);
	response_fini(&res);

	ck_assert_int_eq(get("/api/v1/skills/nope", NULL, &res, &j), 404);
	ck_assert_str_eq(jstr(cJSON_GetObjectItem(j, "error"), "code"), "skill_not_found");
	cJSON_Delete(j);
	response_fini(&res);
}
END_TEST

START_TEST(test_duplicate_and_invalid_skills)
{
	struct response res;
	cJSON *j;

	ck_assert_int_eq(get("/api/v1/skills/alpha-2", NULL, &res, &j), 200);
	ck_assert_str_eq(jstr(j, "path"), "zz-dup");
	ck_assert_str_eq(jstr(j, "name"), "alpha");
	cJSON_Delete(j);
	response_fini(&res);

	ck_assert_int_eq(get("/api/v1/skills/bad-yaml", NULL, &res, &j), 200);
	ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(j, "valid")));
	cJSON *d = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "diagnostics"), 0);
	ck_assert_str_eq(jstr(d, "severity"), "error");
	ck_assert_str_eq(jstr(d, "path"), "bad-yaml/SKILL.md");
	ck_assert_int_gt((int)jnum(d, "line"), 0);
	cJSON_Delete(j);
	response_fini(&res);
}
END_TEST

START_TEST(test_files)
{
	struct response res;
	cJSON *j, *f;

	ck_assert_int_eq(get("/api/v1/skills/alpha/files", NULL, &res, &j), 200);
	ck_assert_int_eq(cJSON_GetArraySize(j), 9);
	f = cJSON_GetArrayItem(j, 0);
	ck_assert_str_eq(jstr(f, "path"), "SKILL.md");
	ck_assert_str_eq(jstr(f, "kind"), "skill");
	ck_assert_str_eq(jstr(f, "mime"), "text/markdown; charset=utf-8");
	ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(f, "text")));
	/* the token estimate of a text file: ceil(size / 4) */
	ck_assert_int_eq((int)jnum(f, "tokens"), ((int)jnum(f, "size") + 3) / 4);
	f = cJSON_GetArrayItem(j, 1);
	ck_assert_str_eq(jstr(f, "path"), "assets/blob.bin");
	ck_assert_str_eq(jstr(f, "kind"), "asset");
	ck_assert_int_eq((int)jnum(f, "size"), 4);
	ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(f, "text")));
	ck_assert_ptr_null(cJSON_GetObjectItem(f, "tokens")); /* not for binary files */
	ck_assert_str_eq(jstr(cJSON_GetArrayItem(j, 5), "kind"), "checklist");
	ck_assert_str_eq(jstr(cJSON_GetArrayItem(j, 6), "kind"), "reference");
	ck_assert_str_eq(jstr(cJSON_GetArrayItem(j, 7), "kind"), "checklist");
	cJSON_Delete(j);
	response_fini(&res);

	ck_assert_int_eq(get("/api/v1/skills/alpha/files/assets/blob.bin", NULL, &res, NULL), 200);
	ck_assert_uint_eq(res.body_len, 4);
	ck_assert_int_eq(memcmp(res.body, "\x00\x01\x02\xff", 4), 0);
	ck_assert_str_eq(res.content_type, "application/octet-stream");
	response_fini(&res);

	ck_assert_int_eq(get("/api/v1/skills/alpha/files/scripts/run.sh", NULL, &res, NULL), 200);
	ck_assert_str_eq(res.body, "#!/bin/sh\necho ok\n");
	response_fini(&res);

	ck_assert_int_eq(get("/api/v1/skills/alpha/files/nope.md", NULL, &res, &j), 404);
	ck_assert_str_eq(jstr(cJSON_GetObjectItem(j, "error"), "code"), "file_not_found");
	cJSON_Delete(j);
	response_fini(&res);
	ck_assert_int_eq(get("/api/v1/skills/nope/files/SKILL.md", NULL, &res, &j), 404);
	ck_assert_str_eq(jstr(cJSON_GetObjectItem(j, "error"), "code"), "skill_not_found");
	cJSON_Delete(j);
	response_fini(&res);
	ck_assert_int_eq(get("/api/v1/skills/alpha/files/../beta/SKILL.md", NULL, &res, NULL), 400);
	response_fini(&res);
	ck_assert_int_eq(get("/api/v1/skills/alpha/files/%2e%2e%2f%2e%2e%2fetc%2fpasswd", NULL, &res, NULL), 400);
	response_fini(&res);
}
END_TEST

START_TEST(test_checklist_evals_check)
{
	struct response res;
	cJSON *j;

	ck_assert_int_eq(get("/api/v1/skills/alpha/checklist", NULL, &res, &j), 200);
	ck_assert_int_eq((int)jnum(j, "item_count"), 3);
	ck_assert_str_eq(jstr(j, "path"), "references/review-checklist.md");
	ck_assert_str_eq(jstr(j, "skill"), "alpha");
	cJSON_Delete(j);
	response_fini(&res);

	ck_assert_int_eq(get("/api/v1/skills/beta/checklist", NULL, &res, &j), 404);
	cJSON_Delete(j);
	response_fini(&res);

	ck_assert_int_eq(get("/api/v1/skills/alpha/evals", NULL, &res, &j), 200);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(j, "evals")), 3);
	ck_assert_str_eq(jstr(cJSON_GetArrayItem(cJSON_GetObjectItem(j, "evals"), 0), "id"), "e1");
	cJSON_Delete(j);
	response_fini(&res);

	ck_assert_int_eq(get("/api/v1/skills/beta/check", NULL, &res, &j), 200);
	ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(j, "valid")));
	ck_assert(cJSON_IsNull(cJSON_GetObjectItem(j, "tier")));
	ck_assert_int_gt(cJSON_GetArraySize(cJSON_GetObjectItem(j, "checks")), 10);
	cJSON_Delete(j);
	response_fini(&res);
}
END_TEST

START_TEST(test_checklists_and_diagnostics)
{
	struct response res;
	cJSON *j;

	ck_assert_int_eq(get("/api/v1/checklists", NULL, &res, &j), 200);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(j, "data")), 2);
	ck_assert_int_eq((int)jnum(j, "total_items"), 4);
	{
		cJSON *extra = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "data"), 0);
		cJSON *primary = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "data"), 1);

		ck_assert_str_eq(jstr(extra, "path"), "references/extra/review-checklist.md");
		ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(extra, "primary")));
		ck_assert_str_eq(jstr(extra, "url"),
				 "/api/v1/skills/alpha/files/references/extra/review-checklist.md");
		ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(primary, "primary")));
		ck_assert_str_eq(jstr(primary, "url"), "/api/v1/skills/alpha/checklist");
	}
	cJSON_Delete(j);
	response_fini(&res);

	ck_assert_int_eq(get("/api/v1/diagnostics?severity=error", NULL, &res, &j), 200);
	cJSON *data = cJSON_GetObjectItem(j, "data");
	ck_assert_int_ge(cJSON_GetArraySize(data), 1);
	ck_assert_str_eq(jstr(cJSON_GetArrayItem(data, 0), "skill"), "bad-yaml");
	cJSON_Delete(j);
	response_fini(&res);

	ck_assert_int_eq(get("/api/v1/diagnostics?severity=fatal", NULL, &res, &j), 400);
	cJSON_Delete(j);
	response_fini(&res);
}
END_TEST

START_TEST(test_invalid_utf8_still_json)
{
	struct response res;
	cJSON *j;

	ck_assert_int_eq(get("/api/v1/skills/beta", NULL, &res, &j), 200);
	ck_assert_ptr_nonnull(j);
	ck_assert(utf8_valid(res.body, res.body_len));
	ck_assert_str_eq(jstr(j, "body"), "Body \xef\xbf\xbd\xef\xbf\xbd bytes.\xef\xbf\xbd" "after NUL\n");
	cJSON_Delete(j);
	response_fini(&res);
	/* the file itself is served as its bytes */
	ck_assert_int_eq(get("/api/v1/skills/beta/files/SKILL.md", NULL, &res, NULL), 200);
	ck_assert(memmem(res.body, res.body_len, "\xff\xfe", 2) != NULL);
	response_fini(&res);
}
END_TEST

START_TEST(test_search_and_resolve)
{
	static const char *const hostile[] = {
		"/api/v1/search?q=%22", "/api/v1/search?q=NEAR(", "/api/v1/search?q=-", "/api/v1/search?q=*",
		"/api/v1/search?q=name:alpha", "/api/v1/search?q=%22unbalanced", "/api/v1/search?q=-only",
		"/api/v1/search?q=a+OR+b+AND+NOT", "/api/v1/search?q=%5E",
	};
	struct response res;
	cJSON *j, *first;

	ck_assert_int_eq(get("/api/v1/search?q=bounds+checked", NULL, &res, &j), 200);
	first = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "data"), 0);
	ck_assert_str_eq(jstr(first, "kind"), "checklist");
	ck_assert_str_eq(jstr(first, "skill"), "alpha");
	ck_assert(strstr(jstr(first, "url"), "/skills/alpha/checklist#") == jstr(first, "url"));
	cJSON_Delete(j);
	response_fini(&res);

	ck_assert_int_eq(get("/api/v1/search?q=", NULL, &res, &j), 400);
	cJSON_Delete(j);
	response_fini(&res);
	ck_assert_int_eq(get("/api/v1/search?q=widget&kind=bogus", NULL, &res, &j), 400);
	cJSON_Delete(j);
	response_fini(&res);
	ck_assert_int_eq(get("/api/v1/search?q=widget&limit=0", NULL, &res, &j), 400);
	cJSON_Delete(j);
	response_fini(&res);
	for (size_t i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
		int status = get(hostile[i], NULL, &res, &j);

		ck_assert_msg(status == 200 || status == 400, "%s gave %d", hostile[i], status);
		ck_assert_ptr_nonnull(j);
		cJSON_Delete(j);
		response_fini(&res);
	}

	ck_assert_int_eq(get("/api/v1/resolve?task=review+widget+code+for+safety&k=2", NULL, &res, &j), 200);
	first = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "data"), 0);
	ck_assert_str_eq(jstr(first, "slug"), "alpha");
	ck_assert_str_eq(jstr(first, "checklist_url"), "/skills/alpha/checklist");
	ck_assert_int_le(cJSON_GetArraySize(cJSON_GetObjectItem(j, "data")), 2);
	cJSON_Delete(j);
	response_fini(&res);
	ck_assert_int_eq(get("/api/v1/resolve?task=", NULL, &res, &j), 400);
	cJSON_Delete(j);
	response_fini(&res);
}
END_TEST

START_TEST(test_archives)
{
	static const char *const urls[] = { "/api/v1/skills/alpha/archive.tar.gz",
					    "/api/v1/skills/alpha/archive.zip" };

	for (size_t u = 0; u < 2; u++) {
		struct response a, b;
		struct archive *ar;
		struct archive_entry *e;
		int entries = 0, has_skill_md = 0;

		ck_assert_int_eq(get(urls[u], NULL, &a, NULL), 200);
		ck_assert_str_eq(a.content_type, u == 0 ? "application/gzip" : "application/zip");
		ck_assert_str_eq(a.headers[0].key, "Content-Disposition");
		ck_assert_str_eq(a.headers[0].value, u == 0 ? "attachment; filename=\"alpha.tar.gz\""
							    : "attachment; filename=\"alpha.zip\"");
		/* deterministic: the same bytes, so the same ETag, every time */
		ck_assert_int_eq(get(urls[u], NULL, &b, NULL), 200);
		ck_assert_uint_eq(a.body_len, b.body_len);
		ck_assert_int_eq(memcmp(a.body, b.body, a.body_len), 0);
		ck_assert_str_eq(a.etag, b.etag);

		ar = archive_read_new();
		archive_read_support_filter_all(ar);
		archive_read_support_format_all(ar);
		ck_assert_int_eq(archive_read_open_memory(ar, a.body, a.body_len), ARCHIVE_OK);
		while (archive_read_next_header(ar, &e) == ARCHIVE_OK) {
			const char *name = archive_entry_pathname(e);

			ck_assert_msg(strncmp(name, "alpha/", 6) == 0, "%s", name);
			ck_assert_int_eq(archive_entry_filetype(e), AE_IFREG);
			if (strcmp(name, "alpha/SKILL.md") == 0)
				has_skill_md = 1;
			entries++;
		}
		archive_read_free(ar);
		ck_assert_int_eq(entries, 9);
		ck_assert(has_skill_md);
		response_fini(&a);
		response_fini(&b);
	}
	{
		struct response res;
		cJSON *j;

		ck_assert_int_eq(get("/api/v1/skills/nope/archive.zip", NULL, &res, &j), 404);
		cJSON_Delete(j);
		response_fini(&res);
	}
}
END_TEST

START_TEST(test_etag_304)
{
	struct response res;
	char etag[80];

	ck_assert_int_eq(get("/api/v1/skills/alpha", NULL, &res, NULL), 200);
	ck_assert_uint_eq(strlen(res.etag), 34);
	ck_assert_int_eq(res.etag[0], '"');
	snprintf(etag, sizeof(etag), "%s", res.etag);
	response_fini(&res);
	ck_assert_int_eq(get("/api/v1/skills/alpha", etag, &res, NULL), 304);
	ck_assert_uint_eq(res.body_len, 0);
	response_fini(&res);
	ck_assert_int_eq(get("/api/v1/skills/alpha", "\"other\"", &res, NULL), 200);
	response_fini(&res);
}
END_TEST

static int serve_auth(struct app *a, const char *authorization)
{
	struct request req;
	struct response res;
	int status;

	request_init(&req);
	req.method = METHOD_GET;
	req.method_name = "GET";
	req.path = xstrdup("/api/v1/skills");
	req.authorization = authorization;
	response_init(&res);
	http_serve(a, &req, &res);
	status = res.status;
	if (status == 401) {
		ck_assert_str_eq(res.headers[0].key, "WWW-Authenticate");
		ck_assert(strstr(res.body, "\"unauthorized\"") != NULL);
	}
	response_fini(&res);
	request_fini(&req);
	return status;
}

START_TEST(test_token_required)
{
	char err[512];
	char *dir = tu_mkdtemp();
	char *root = fx_write_skills(dir);
	char *db = xasprintf("%s/t.db", dir), *tok = xasprintf("%s/token", dir);
	struct config c;
	struct app a;
	FILE *lo = fopen("/dev/null", "w");

	tu_write_str(dir, "token", "  s3cret-token-0123456789  \nsecond line ignored\n");
	char *argv[] = { "skilld", "--skills", root, "--db", db, "--token-file", tok, NULL };
	ck_assert_int_eq(config_parse(&c, 7, argv, no_env, err, sizeof(err)), 0);
	ck_assert_msg(app_init(&a, &c, lo, err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(serve_auth(&a, NULL), 401);
	ck_assert_int_eq(serve_auth(&a, "Bearer wrong"), 401);
	ck_assert_int_eq(serve_auth(&a, "Bearer s3cret-token-012345678"), 401);
	ck_assert_int_eq(serve_auth(&a, "Bearer s3cret-token-01234567890"), 401);
	ck_assert_int_eq(serve_auth(&a, "Basic s3cret-token-0123456789"), 401);
	ck_assert_int_eq(serve_auth(&a, "Bearer s3cret-token-0123456789"), 200);
	ck_assert_int_eq(serve_auth(&a, "bearer s3cret-token-0123456789"), 200);
	app_fini(&a);

	/* a short token is refused at startup */
	tu_write_str(dir, "token", "short\n");
	ck_assert_int_eq(app_init(&a, &c, lo, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "16 to 512 characters") != NULL, "%s", err);
	app_fini(&a);
	config_fini(&c);
	fclose(lo);
	free(root);
	free(db);
	free(tok);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

Suite *api_suite(void)
{
	Suite *s = suite_create("api");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_healthz);
	tcase_add_test(tc, test_list_pagination);
	tcase_add_test(tc, test_list_bad_arguments);
	tcase_add_test(tc, test_skill_detail);
	tcase_add_test(tc, test_duplicate_and_invalid_skills);
	tcase_add_test(tc, test_files);
	tcase_add_test(tc, test_checklist_evals_check);
	tcase_add_test(tc, test_checklists_and_diagnostics);
	tcase_add_test(tc, test_etag_304);
	tcase_add_test(tc, test_search_and_resolve);
	tcase_add_test(tc, test_archives);
	tcase_add_test(tc, test_invalid_utf8_still_json);
	suite_add_tcase(s, tc);
	tc = tcase_create("token");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_token_required);
	suite_add_tcase(s, tc);
	return s;
}
