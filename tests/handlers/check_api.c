/* SPDX-License-Identifier: MIT */
/*
 * Tests for the JSON API through pipeline_serve: the whole stack (config, db,
 * migrations, index, router, handlers) without a socket, with exact values.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <archive.h>
#include <archive_entry.h>
#include <cjson/cJSON.h>

#include "fixture_skills.h"
#include "skilld/handlers/api.h"
#include "skilld/app/app.h"
#include "skilld/base/assets.h"
#include "skilld/transport/pipeline.h"
#include "skilld/transport/routes.h"
#include "skilld/base/text.h"
#include "skilld/base/util.h"
#include "testapp.h"
#include "testutil.h"

Suite *api_suite(void);

static struct ta_app ta;

static void setup(void)
{
	static const char *const args[] = { "--port", "0", NULL };

	ta_prepare(&ta);
	ta_open(&ta, args);
}

static void teardown(void)
{
	ta_close(&ta);
}

/* Serves GET path; returns the status and the parsed JSON body in *json
 * (NULL when the body is not JSON). */
static int get(const char *path, const char *if_none_match, struct response *res, cJSON **json)
{
	struct ta_headers h = { .if_none_match = if_none_match };

	ta_get(&ta.app, path, &h, res);
	if (json)
		*json = res->body ? cJSON_ParseWithLength(res->body, res->body_len) : NULL;
	return res->status;
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
	ck_assert_int_eq(strncmp(res.body, "{\"status\":\"ok\",\"skills\":4,\"generation\":1,"
				 "\"indexed_at\":\"", 55), 0);
	ck_assert_uint_eq(strlen(jstr(j, "indexed_at")), 20);
	ck_assert(jnum(j, "index_seconds") > 0);
	ck_assert_int_eq((int)jnum(j, "reloads"), 0);
	ck_assert_int_eq((int)jnum(j, "reload_failures"), 0);
	ck_assert(cJSON_IsNull(cJSON_GetObjectItem(j, "last_reload_error")));
	ck_assert_str_eq(jstr(cJSON_GetObjectItem(j, "store"), "backend"), "sqlite");
	ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "store"), "up")));
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
	/* the quoted scalar opened on line 3 runs into the end of the
	 * frontmatter, the closing "---" on line 4 */
	ck_assert_int_eq((int)jnum(d, "line"), 4);
	ck_assert_int_eq((int)jnum(d, "column"), 1);
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
	/* validate.h's checks: bronze 6, silver 2, gold 5, platinum 1 */
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(j, "checks")), 14);
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
	/* the fixture's two errors: bad-yaml's YAML, zz-dup's name */
	ck_assert_int_eq(cJSON_GetArraySize(data), 2);
	ck_assert_str_eq(jstr(cJSON_GetArrayItem(data, 0), "skill"), "bad-yaml");
	ck_assert_str_eq(jstr(cJSON_GetArrayItem(data, 0), "code"), "frontmatter-invalid-yaml");
	ck_assert_str_eq(jstr(cJSON_GetArrayItem(data, 1), "skill"), "alpha-2");
	ck_assert_str_eq(jstr(cJSON_GetArrayItem(data, 1), "code"), "name-mismatch");
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
	/* k=2 asks for two at most; only alpha's text holds these words */
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(j, "data")), 1);
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
	pipeline_serve(a, &req, &res);
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
	struct ta_app t;
	char *tok;

	ta_prepare(&t);
	tu_write_str(t.tmp, "token", "  s3cret-token-0123456789  \nsecond line ignored\n");
	tok = xasprintf("%s/token", t.tmp);
	const char *const args[] = { "--token-file", tok, NULL };
	ta_open(&t, args);
	ck_assert_int_eq(serve_auth(&t.app, NULL), 401);
	ck_assert_int_eq(serve_auth(&t.app, "Bearer wrong"), 401);
	ck_assert_int_eq(serve_auth(&t.app, "Bearer s3cret-token-012345678"), 401);
	ck_assert_int_eq(serve_auth(&t.app, "Bearer s3cret-token-01234567890"), 401);
	ck_assert_int_eq(serve_auth(&t.app, "Basic s3cret-token-0123456789"), 401);
	ck_assert_int_eq(serve_auth(&t.app, "Bearer s3cret-token-0123456789"), 200);
	ck_assert_int_eq(serve_auth(&t.app, "bearer s3cret-token-0123456789"), 200);
	app_fini(&t.app);

	/* a short token is refused at startup */
	tu_write_str(t.tmp, "token", "short\n");
	ck_assert_int_eq(app_init(&t.app, &t.cfg, t.log, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "16 to 512 characters") != NULL, "%s", err);
	ta_close(&t); /* app_fini after the failed app_init, as main.c does */
	free(tok);
}
END_TEST

/* The served /api/v1/openapi.json, parsed (cJSON_Delete); fails the test
 * when it is not a 200 JSON document. */
static cJSON *openapi_doc(void)
{
	struct response res;
	cJSON *doc;

	ck_assert_int_eq(get("/api/v1/openapi.json", NULL, &res, &doc), 200);
	ck_assert_ptr_nonnull(doc);
	response_fini(&res);
	return doc;
}

START_TEST(test_openapi_served)
{
	const struct asset *a = assets_doc("openapi.json");
	struct response res;
	size_t len;
	char *disk = tu_read("docs/openapi.json", &len);
	char etag[80];
	cJSON *doc;

	ck_assert_ptr_nonnull(a);
	ck_assert_int_eq(get("/api/v1/openapi.json", NULL, &res, &doc), 200);
	ck_assert_str_eq(res.content_type, "application/json; charset=utf-8");
	/* the source file, byte for byte, with the ETag of its bytes */
	ck_assert_uint_eq(res.body_len, len);
	ck_assert_int_eq(memcmp(res.body, disk, len), 0);
	ck_assert_str_eq(res.etag, a->etag);
	ck_assert_ptr_nonnull(doc);
	ck_assert_str_eq(jstr(doc, "openapi"), "3.1.0");
	ck_assert(cJSON_IsObject(cJSON_GetObjectItem(doc, "paths")));
	ck_assert(cJSON_IsObject(cJSON_GetObjectItem(doc, "components")));
	snprintf(etag, sizeof(etag), "%s", res.etag);
	cJSON_Delete(doc);
	response_fini(&res);
	ck_assert_int_eq(get("/api/v1/openapi.json", etag, &res, NULL), 304);
	ck_assert_uint_eq(res.body_len, 0);
	response_fini(&res);
	ck_assert_ptr_null(assets_doc(NULL));
	ck_assert_ptr_null(assets_doc(""));
	ck_assert_ptr_null(assets_doc("style.css"));
	free(disk);
}
END_TEST

/* A route pattern as an OpenAPI path: "{*path}" is written "{path}". */
static char *openapi_path(const char *pattern)
{
	char *out = xstrdup(pattern), *w = out;

	for (const char *r = pattern; *r; r++)
		if (!(r[0] == '*' && r > pattern && r[-1] == '{'))
			*w++ = *r;
	*w = '\0';
	return out;
}

static const struct {
	unsigned method;
	const char *op;
} openapi_ops[] = {
	{ METHOD_GET, "get" }, { METHOD_HEAD, "head" }, { METHOD_POST, "post" },
	{ METHOD_PUT, "put" }, { METHOD_DELETE, "delete" }, { METHOD_PATCH, "patch" },
	{ METHOD_OPTIONS, "options" },
};

/* Methods (METHOD_* mask) of every API route whose OpenAPI path is path;
 * 0 when no route has it. */
static unsigned route_methods(const char *path)
{
	size_t n;
	const struct route *routes = routes_table(&n);
	unsigned mask = 0;

	for (size_t i = 0; i < n; i++) {
		char *p = openapi_path(routes[i].pattern);

		if (strcmp(p, path) == 0)
			mask |= routes[i].methods;
		free(p);
	}
	return mask;
}

/* Documented in OpenAPI: /healthz and everything under /api/ (the
 * installer's /api/search too). */
static bool documented_route(const char *pattern)
{
	return strncmp(pattern, "/api/", 5) == 0 || strcmp(pattern, "/healthz") == 0;
}

START_TEST(test_openapi_covers_routes)
{
	cJSON *doc = openapi_doc();
	const cJSON *paths = cJSON_GetObjectItem(doc, "paths");
	const cJSON *item;
	size_t n, documented = 0;
	const struct route *routes = routes_table(&n);
	char *star = openapi_path("/api/v1/skills/{slug}/files/{*path}");

	ck_assert_str_eq(star, "/api/v1/skills/{slug}/files/{path}");
	free(star);
	/* every route has a path item with an operation for each method */
	for (size_t i = 0; i < n; i++) {
		char *p;

		if (!documented_route(routes[i].pattern))
			continue;
		/* one path item per pattern, however many methods route to it */
		documented++;
		for (size_t k = 0; k < i; k++)
			if (strcmp(routes[k].pattern, routes[i].pattern) == 0) {
				documented--;
				break;
			}
		p = openapi_path(routes[i].pattern);
		item = cJSON_GetObjectItemCaseSensitive(paths, p);
		ck_assert_msg(cJSON_IsObject(item), "route %s is not in docs/openapi.json", p);
		for (size_t k = 0; k < sizeof(openapi_ops) / sizeof(openapi_ops[0]); k++) {
			const cJSON *op = cJSON_GetObjectItemCaseSensitive(item, openapi_ops[k].op);

			if (!(routes[i].methods & openapi_ops[k].method))
				continue;
			ck_assert_msg(cJSON_IsObject(op), "%s %s is not in docs/openapi.json",
				      openapi_ops[k].op, p);
			ck_assert_msg(cJSON_IsObject(cJSON_GetObjectItem(op, "responses")),
				      "%s %s has no responses", openapi_ops[k].op, p);
			ck_assert_msg(cJSON_GetObjectItem(cJSON_GetObjectItem(op, "responses"), "200") ||
				      cJSON_GetObjectItem(cJSON_GetObjectItem(op, "responses"), "201") ||
				      cJSON_GetObjectItem(cJSON_GetObjectItem(op, "responses"), "204"),
				      "%s %s has no 200, 201 or 204", openapi_ops[k].op, p);
		}
		free(p);
	}
	/* one documented route per path of the document, none twice */
	ck_assert_uint_eq(documented, (size_t)cJSON_GetArraySize(paths));
	/* and nothing in the document that the server does not answer */
	cJSON_ArrayForEach(item, paths) {
		unsigned mask = route_methods(item->string);
		const cJSON *op;

		ck_assert_msg(mask != 0, "docs/openapi.json has %s, no route does", item->string);
		cJSON_ArrayForEach(op, item) {
			bool method_key = false, routed = false;

			for (size_t k = 0; k < sizeof(openapi_ops) / sizeof(openapi_ops[0]); k++) {
				if (strcmp(op->string, openapi_ops[k].op) != 0)
					continue;
				method_key = true;
				routed = (mask & openapi_ops[k].method) ||
					 (openapi_ops[k].method == METHOD_HEAD && (mask & METHOD_GET));
			}
			if (!strcmp(op->string, "trace"))
				method_key = true;
			ck_assert_msg(!method_key || routed, "docs/openapi.json has %s %s, no route does",
				      op->string, item->string);
		}
	}
	cJSON_Delete(doc);
}
END_TEST

/* The node a local reference ("#/a/b~1c") names in doc, or NULL. */
static const cJSON *openapi_deref(const cJSON *doc, const char *ref)
{
	const cJSON *node = doc;
	const char *p;

	if (strncmp(ref, "#/", 2) != 0)
		return NULL;
	for (p = ref + 1; node && *p == '/';) {
		const char *end = strchr(p + 1, '/');
		size_t len = end ? (size_t)(end - p - 1) : strlen(p + 1);
		char *key = xmalloc(len + 1), *w = key;

		for (size_t i = 0; i < len; i++) {
			if (p[1 + i] == '~' && i + 1 < len && (p[2 + i] == '0' || p[2 + i] == '1')) {
				*w++ = p[2 + i] == '0' ? '~' : '/';
				i++;
			} else {
				*w++ = p[1 + i];
			}
		}
		*w = '\0';
		node = cJSON_GetObjectItemCaseSensitive(node, key);
		free(key);
		p += 1 + len;
	}
	return node;
}

/* Asserts that every "$ref" under node resolves in doc; counts them. */
static void openapi_check_refs(const cJSON *doc, const cJSON *node, size_t *refs)
{
	const cJSON *child;

	cJSON_ArrayForEach(child, node) {
		if (child->string && strcmp(child->string, "$ref") == 0) {
			ck_assert(cJSON_IsString(child));
			ck_assert_msg(openapi_deref(doc, child->valuestring) != NULL,
				      "$ref %s does not resolve", child->valuestring);
			(*refs)++;
		}
		openapi_check_refs(doc, child, refs);
	}
}

START_TEST(test_openapi_refs_resolve)
{
	cJSON *doc = openapi_doc();
	size_t refs = 0;

	ck_assert_ptr_nonnull(openapi_deref(doc, "#/components/schemas/SkillSummary"));
	ck_assert_ptr_null(openapi_deref(doc, "#/components/schemas/Nope"));
	ck_assert_ptr_null(openapi_deref(doc, "other.json#/components"));
	ck_assert_ptr_nonnull(openapi_deref(doc, "#/paths/~1api~1v1~1skills/get"));
	openapi_check_refs(doc, doc, &refs);
	/* the walk met every "$ref" the document's text holds */
	{
		const struct asset *a = assets_doc("openapi.json");
		size_t in_text = 0;

		for (const char *p = (const char *)a->data; (p = strstr(p, "\"$ref\"")) != NULL; p++)
			in_text++;
		ck_assert_uint_gt(in_text, 0);
		ck_assert_uint_eq(refs, in_text);
	}
	cJSON_Delete(doc);
}
END_TEST

/* --max-results lowers the largest page a listing takes. */
START_TEST(test_max_results)
{
	struct response res;
	unsigned saved = ta.cfg.max_results;

	ta.cfg.max_results = 2;
	ck_assert_int_eq(get("/api/v1/skills?limit=3", NULL, &res, NULL), 400);
	ck_assert_ptr_nonnull(strstr(res.body, "from 1 to 2"));
	response_fini(&res);
	ck_assert_int_eq(get("/api/v1/skills", NULL, &res, NULL), 200);
	ck_assert_ptr_nonnull(strstr(res.body, "\"next_cursor\":\"c"));
	response_fini(&res);
	ck_assert_int_eq(get("/api/v1/search?q=alpha&limit=3", NULL, &res, NULL), 400);
	response_fini(&res);
	ck_assert_int_eq(get("/api/v1/search?q=alpha&limit=2", NULL, &res, NULL), 200);
	response_fini(&res);
	ta.cfg.max_results = saved;
	ck_assert_int_eq(get("/api/v1/skills?limit=3", NULL, &res, NULL), 200);
	response_fini(&res);
}
END_TEST

Suite *api_suite(void)
{
	Suite *s = suite_create("api");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_healthz);
	tcase_add_test(tc, test_max_results);
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
	tcase_add_test(tc, test_openapi_served);
	tcase_add_test(tc, test_openapi_covers_routes);
	tcase_add_test(tc, test_openapi_refs_resolve);
	suite_add_tcase(s, tc);
	tc = tcase_create("token");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_token_required);
	suite_add_tcase(s, tc);
	return s;
}
