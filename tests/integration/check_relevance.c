/* SPDX-License-Identifier: MIT */
/*
 * Retrieval relevance over the four small skill collections of
 * tests/fixtures/relevance/ (languages, practices, architecture, meta: a
 * router skill that names every other skill, near-duplicates, C++, C#, .NET,
 * Node.js and the like): the plain-language tasks of tasks.json go through
 * search_resolve (k = 3) and search_run (the skills of the hits, in order),
 * the top-1 and top-3 rates are printed, and each is guarded by a threshold
 * set from what was measured. A task counts when one of its expected skills
 * is first (top-1) or among the first three (top-3).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "skilld/app/app.h"
#include "skilld/store/db.h"
#include "skilld/store/search.h"
#include "skilld/base/util.h"
#include "testutil.h"

Suite *relevance_suite(void);

#define FIXTURES "tests/fixtures/relevance"

/* The guarded rates, in percent, a little under what was measured on the
 * 55 tasks: resolve top-1 96%, top-3 98%; search top-1 94%, top-3 96%
 * (before the field-weighted ranking and any-word matching: resolve 94%
 * and 100% on these collections, whose router is milder than booklib's;
 * search 10% and 10%, as a task's every word had to be in one row). */
#define RESOLVE_TOP1_MIN 90
#define RESOLVE_TOP3_MIN 95
#define SEARCH_TOP1_MIN 90
#define SEARCH_TOP3_MIN 93

static char *tmp;
static struct config cfg;
static struct app app;
static struct store_reader *rd;
static cJSON *tasks;

static const char *no_env(const char *name)
{
	(void)name;
	return NULL;
}

static void setup(void)
{
	static const char *const colls[] = { "languages", "practices", "architecture", "meta" };
	char *argv[16] = { "skilld" };
	char err[512], *text, *dbp;
	int argc = 1;
	size_t len;
	FILE *devnull;

	tmp = tu_mkdtemp();
	for (size_t i = 0; i < sizeof(colls) / sizeof(colls[0]); i++) {
		argv[argc++] = "--skills";
		argv[argc++] = xasprintf("%s/%s", FIXTURES, colls[i]);
	}
	dbp = xasprintf("%s/skilld.db", tmp);
	argv[argc++] = "--db";
	argv[argc++] = dbp;
	argv[argc++] = "--port";
	argv[argc++] = "0";
	ck_assert_int_eq(config_parse(&cfg, argc, argv, no_env, err, sizeof(err)), 0);
	devnull = fopen("/dev/null", "w");
	ck_assert_msg(app_init(&app, &cfg, devnull, err, sizeof(err)) == 0, "%s", err);
	rd = store_reader(app.store);
	for (int i = 2; i < 2 + 2 * 4; i += 2)
		free(argv[i]);
	free(dbp);
	text = tu_read(FIXTURES "/tasks.json", &len);
	tasks = cJSON_ParseWithLength(text, len);
	ck_assert_ptr_nonnull(tasks);
	free(text);
}

static void teardown(void)
{
	FILE *log = app.log.out;

	cJSON_Delete(tasks);
	app_fini(&app);
	if (log)
		fclose(log);
	config_fini(&cfg);
	tu_rmtree(tmp);
	free(tmp);
}

static bool expected(const cJSON *task, const char *slug)
{
	const cJSON *e;

	cJSON_ArrayForEach(e, cJSON_GetObjectItem(task, "expect"))
		if (slug && cJSON_IsString(e) && strcmp(e->valuestring, slug) == 0)
			return true;
	return false;
}

/* The rank (1-based) of the first expected skill among slugs[0..n), or 0. */
static int first_expected(const cJSON *task, const char *const *slugs, int n)
{
	for (int i = 0; i < n; i++)
		if (expected(task, slugs[i]))
			return i + 1;
	return 0;
}

/* The first three distinct skills resolve gives for the task. */
static int resolve_top(const char *task, const char *slugs[3])
{
	char err[256];
	cJSON *out = NULL;
	const cJSON *h;
	int n = 0;

	ck_assert_msg(search_resolve(rd, task, 3, &out, err, sizeof(err)) == 0, "%s: %s", task, err);
	cJSON_ArrayForEach(h, cJSON_GetObjectItem(out, "data"))
		if (n < 3)
			slugs[n++] = xstrdup(cJSON_GetObjectItem(h, "slug")->valuestring);
	cJSON_Delete(out);
	return n;
}

/* The first three distinct skills among the search hits for the task; the
 * answer's match mode into mode (empty when the search was refused). */
static int search_top(const char *task, const char *slugs[3], char mode[8])
{
	struct search_query sq = { .q = task, .limit = SEARCH_MAX_LIMIT };
	char err[256];
	cJSON *out = NULL;
	const cJSON *h;
	int n = 0;

	mode[0] = '\0';
	if (search_run(rd, &sq, &out, err, sizeof(err)) != 0)
		return 0;
	snprintf(mode, 8, "%s", cJSON_IsString(cJSON_GetObjectItem(out, "match")) ?
		 cJSON_GetObjectItem(out, "match")->valuestring : "?");
	cJSON_ArrayForEach(h, cJSON_GetObjectItem(out, "data")) {
		const char *s = cJSON_GetObjectItem(h, "skill")->valuestring;
		bool seen = false;

		for (int i = 0; i < n; i++)
			seen = seen || strcmp(slugs[i], s) == 0;
		if (!seen && n < 3)
			slugs[n++] = xstrdup(s);
	}
	cJSON_Delete(out);
	return n;
}

static void free_top(const char *slugs[3], int n)
{
	for (int i = 0; i < n; i++)
		free((char *)slugs[i]);
}

START_TEST(test_rates)
{
	const cJSON *t;
	int n_tasks = 0, r1 = 0, r3 = 0, s1 = 0, s3 = 0;

	cJSON_ArrayForEach(t, cJSON_GetObjectItem(tasks, "tasks")) {
		const char *task = cJSON_GetObjectItem(t, "task")->valuestring;
		const char *top[3];
		char mode[8];
		int n, rank;

		n_tasks++;
		n = resolve_top(task, top);
		rank = first_expected(t, top, n);
		r1 += rank == 1;
		r3 += rank >= 1;
		if (rank != 1)
			printf("relevance: resolve \"%s\": %s, %s, %s\n", task, n > 0 ? top[0] : "-",
			       n > 1 ? top[1] : "-", n > 2 ? top[2] : "-");
		free_top(top, n);
		n = search_top(task, top, mode);
		rank = first_expected(t, top, n);
		s1 += rank == 1;
		s3 += rank >= 1;
		if (rank != 1)
			printf("relevance: search (%s) \"%s\": %s, %s, %s\n", mode, task,
			       n > 0 ? top[0] : "-", n > 1 ? top[1] : "-", n > 2 ? top[2] : "-");
		free_top(top, n);
	}
	ck_assert_int_ge(n_tasks, 40);
	printf("relevance: %d tasks; resolve top-1 %d (%d%%), top-3 %d (%d%%); "
	       "search top-1 %d (%d%%), top-3 %d (%d%%)\n", n_tasks, r1, 100 * r1 / n_tasks, r3,
	       100 * r3 / n_tasks, s1, 100 * s1 / n_tasks, s3, 100 * s3 / n_tasks);
	ck_assert_int_ge(100 * r1, RESOLVE_TOP1_MIN * n_tasks);
	ck_assert_int_ge(100 * r3, RESOLVE_TOP3_MIN * n_tasks);
	ck_assert_int_ge(100 * s1, SEARCH_TOP1_MIN * n_tasks);
	ck_assert_int_ge(100 * s3, SEARCH_TOP3_MIN * n_tasks);
}
END_TEST

Suite *relevance_suite(void)
{
	Suite *s = suite_create("relevance");
	TCase *tc = tcase_create("rates");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_rates);
	suite_add_tcase(s, tc);
	return s;
}
