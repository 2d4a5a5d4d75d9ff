/* SPDX-License-Identifier: MIT */
/*
 * Tests for app: the names roots get in answers. A client sees a label
 * (the root folder's own name, or the LABEL of --skills LABEL=DIR), made
 * unique, and never the server's absolute folder paths, in summaries,
 * details, diagnostics and shadowing messages.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "skilld/app/app.h"
#include "skilld/base/util.h"
#include "testapp.h"
#include "testutil.h"

Suite *app_suite(void);

static struct ta_app ta;

/* GETs path as JSON; the status. */
static int get(const char *path, struct response *res)
{
	struct ta_headers h = { .accept = "application/json", .host = "127.0.0.1:8080" };

	return ta_get(&ta.app, path, &h, res);
}

/* The root of each skill in the listing, "slug=root" joined by spaces. */
static char *roots_listed(void)
{
	struct response res;
	struct buf b;
	cJSON *j, *s;

	ck_assert_int_eq(get("/api/v1/skills?limit=100", &res), 200);
	j = cJSON_ParseWithLength(res.body, res.body_len);
	buf_init(&b);
	cJSON_ArrayForEach(s, cJSON_GetObjectItem(j, "data"))
		buf_printf(&b, "%s%s=%s", b.len ? " " : "",
			   cJSON_GetStringValue(cJSON_GetObjectItem(s, "slug")),
			   cJSON_GetStringValue(cJSON_GetObjectItem(s, "root")));
	cJSON_Delete(j);
	response_fini(&res);
	return buf_detach(&b, NULL);
}

/* No answer of these URLs holds the test's temporary folder. */
static void no_paths_in(const char *const *paths)
{
	for (; *paths; paths++) {
		struct response res;
		char *body;

		get(*paths, &res);
		body = xstrndup(res.body ? res.body : "", res.body_len);
		ck_assert_msg(strstr(body, ta.tmp) == NULL, "%s shows %s", *paths, ta.tmp);
		free(body);
		response_fini(&res);
	}
}

START_TEST(test_root_named_after_its_folder)
{
	static const char *const urls[] = { "/api/v1/skills", "/api/v1/skills/alpha",
		"/api/v1/skills/beta", "/api/v1/diagnostics", "/api/v1/skills/alpha/check",
		"/api/v1/checklists", "/llms.txt", NULL };
	char *listed;

	ta_prepare(&ta);
	ta_open(&ta, NULL);
	listed = roots_listed();
	ck_assert_ptr_nonnull(strstr(listed, "alpha=skills"));
	ck_assert_ptr_null(strstr(listed, "/"));
	no_paths_in(urls);
	free(listed);
	ta_close(&ta);
}
END_TEST

START_TEST(test_labels_and_duplicates)
{
	static const char *const urls[] = { "/api/v1/skills", "/api/v1/diagnostics",
		"/api/v1/skills/gamma", "/api/v1/skills/delta", NULL };
	char *team, *other, *listed;

	ta_prepare(&ta);
	/* a root labelled "team", and a second folder also named "skills"
	 * whose alpha is shadowed by the first root's */
	team = xasprintf("team=%s/teamroot", ta.tmp);
	tu_write_str(ta.tmp, "teamroot/gamma/SKILL.md", "---\nname: gamma\ndescription: G.\n---\n# G\n");
	tu_write_str(ta.tmp, "b/skills/delta/SKILL.md", "---\nname: delta\ndescription: D.\n---\n# D\n");
	tu_write_str(ta.tmp, "b/skills/alpha/SKILL.md", "---\nname: alpha\ndescription: A.\n---\n# A\n");
	other = xasprintf("%s/b/skills/", ta.tmp);
	ta_open(&ta, (const char *const[]){ "--skills", team, "--skills", other, NULL });
	ck_assert_str_eq(ta.app.root_labels[0], "skills");
	ck_assert_str_eq(ta.app.root_labels[1], "team");
	ck_assert_str_eq(ta.app.root_labels[2], "skills-2");
	listed = roots_listed();
	ck_assert_ptr_nonnull(strstr(listed, "alpha=skills "));
	ck_assert_ptr_nonnull(strstr(listed, "gamma=team"));
	ck_assert_ptr_nonnull(strstr(listed, "delta=skills-2"));
	no_paths_in(urls);
	{
		struct response res;

		ck_assert_int_eq(get("/api/v1/diagnostics", &res), 200);
		ck_assert_ptr_nonnull(strstr(res.body, "the earlier root 'skills'"));
		response_fini(&res);
	}
	free(listed);
	free(team);
	free(other);
	ta_close(&ta);
}
END_TEST

Suite *app_suite(void)
{
	Suite *s = suite_create("app");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_root_named_after_its_folder);
	tcase_add_test(tc, test_labels_and_duplicates);
	suite_add_tcase(s, tc);
	return s;
}
