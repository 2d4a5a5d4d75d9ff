/* SPDX-License-Identifier: MIT */
/*
 * Corpus suite (run by `make test-corpus`): indexes the two published
 * collections in $SKILLD_CORPORA and checks the numbers a user relies on:
 * skill counts, checklist item totals, tiers, and folded `>` descriptions
 * joined exactly as YAML folds them (computed here independently from the
 * raw files).
 */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "skilld/app/app.h"
#include "skilld/transport/http.h"
#include "skilld/base/util.h"
#include "testapp.h"
#include "testutil.h"

Suite *corpus_suite(void);

static const char *no_env(const char *name)
{
	(void)name;
	return NULL;
}

struct corpus {
	char *tmp;
	char *root;
	struct config cfg;
	struct app app;
	FILE *log;
};

static void corpus_open(struct corpus *c, const char *name)
{
	const char *base = getenv("SKILLD_CORPORA");
	char err[512];
	char *db;

	ck_assert_msg(base && *base, "SKILLD_CORPORA is not set (run make test-corpus)");
	c->tmp = tu_mkdtemp();
	c->root = xasprintf("%s/%s", base, name);
	db = xasprintf("%s/c.db", c->tmp);
	char *argv[] = { "skilld", "--skills", c->root, "--db", db, NULL };
	ck_assert_int_eq(config_parse(&c->cfg, 5, argv, no_env, err, sizeof(err)), 0);
	c->log = fopen("/dev/null", "w");
	ck_assert_msg(app_init(&c->app, &c->cfg, c->log, err, sizeof(err)) == 0, "%s", err);
	free(db);
}

static void corpus_close(struct corpus *c)
{
	app_fini(&c->app);
	fclose(c->log);
	config_fini(&c->cfg);
	tu_rmtree(c->tmp);
	free(c->tmp);
	free(c->root);
}

static cJSON *get(struct corpus *c, const char *path)
{
	struct response res;
	cJSON *j;

	ta_get(&c->app, path, NULL, &res);
	ck_assert_msg(res.status == 200, "%s: %d", path, res.status);
	j = cJSON_ParseWithLength(res.body, res.body_len);
	response_fini(&res);
	return j;
}

/* The value of a `description: >` block as YAML folds it, computed from the
 * raw lines (no blank or more-indented lines occur in these files); NULL
 * when the description is not a folded block. free() the result. */
static char *folded_description(const char *skill_md)
{
	const char *p = strstr(skill_md, "\ndescription: >\n");
	struct buf b;

	if (!p)
		return NULL;
	p += strlen("\ndescription: >\n");
	buf_init(&b);
	while (*p == ' ') {
		const char *eol = strchr(p, '\n');

		while (*p == ' ')
			p++;
		if (b.len)
			buf_putc(&b, ' ');
		buf_append(&b, p, (size_t)(eol - p));
		p = eol + 1;
	}
	buf_putc(&b, '\n');
	return buf_detach(&b, NULL);
}

static void check_corpus(const char *name, int skills, int items, bool all_platinum)
{
	struct corpus c;
	cJSON *list, *cl, *diags;
	const cJSON *s;
	int folded = 0;

	corpus_open(&c, name);
	ck_assert_uint_eq(c.app.status.st.stats.skills, (size_t)skills);
	ck_assert_uint_eq(c.app.status.st.stats.skill_mds, (size_t)skills);
	ck_assert_uint_eq(c.app.status.st.stats.checklist_items, (size_t)items);
	list = get(&c, "/api/v1/skills?limit=100");
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(list, "data")), skills);
	cl = get(&c, "/api/v1/checklists");
	ck_assert_int_eq((int)cJSON_GetNumberValue(cJSON_GetObjectItem(cl, "total_items")), items);
	diags = get(&c, "/api/v1/diagnostics?severity=error");
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(diags, "data")), 0);

	cJSON_ArrayForEach(s, cJSON_GetObjectItem(list, "data")) {
		const char *slug = cJSON_GetObjectItem(s, "slug")->valuestring;
		const cJSON *tier = cJSON_GetObjectItem(s, "tier");
		char *path = xasprintf("%s/%s/SKILL.md", c.root, slug);
		char *raw = tu_read(path, NULL);
		char *want = folded_description(raw);

		ck_assert_msg(cJSON_IsTrue(cJSON_GetObjectItem(s, "valid")), "%s is not valid", slug);
		if (all_platinum)
			ck_assert_msg(cJSON_IsString(tier) && strcmp(tier->valuestring, "platinum") == 0,
				      "%s is not platinum", slug);
		if (want) {
			ck_assert_str_eq(cJSON_GetObjectItem(s, "description")->valuestring, want);
			folded++;
		}
		free(want);
		free(raw);
		free(path);
	}
	ck_assert_int_gt(folded, 10);
	cJSON_Delete(list);
	cJSON_Delete(cl);
	cJSON_Delete(diags);
	corpus_close(&c);
}

START_TEST(test_booklib_1_0_0)
{
	check_corpus("booklib-1.0.0", 16, 1038, false);
}
END_TEST

START_TEST(test_booklib_head)
{
	check_corpus("booklib-head", 18, 1261, true);
}
END_TEST

START_TEST(test_booklib_head_details)
{
	struct corpus c;
	cJSON *j;

	corpus_open(&c, "booklib-head");
	j = get(&c, "/api/v1/skills/clean-code-reviewer/checklist");
	ck_assert_int_eq((int)cJSON_GetNumberValue(cJSON_GetObjectItem(j, "item_count")), 145);
	ck_assert_str_eq(cJSON_GetObjectItem(j, "path")->valuestring, "references/review-checklist.md");
	cJSON_Delete(j);
	j = get(&c, "/api/v1/skills/effective-java/check");
	ck_assert_str_eq(cJSON_GetObjectItem(j, "tier")->valuestring, "platinum");
	ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(j, "valid")));
	cJSON_Delete(j);
	j = get(&c, "/api/v1/skills/clean-code-reviewer/evals");
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(j, "evals")), 15);
	cJSON_Delete(j);
	corpus_close(&c);
}
END_TEST

Suite *corpus_suite(void)
{
	Suite *s = suite_create("corpus");
	TCase *tc = tcase_create("booklib");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_booklib_1_0_0);
	tcase_add_test(tc, test_booklib_head);
	tcase_add_test(tc, test_booklib_head_details);
	suite_add_tcase(s, tc);
	return s;
}
