/* SPDX-License-Identifier: MIT */
/*
 * Tests for admin: POST /api/v1/admin/reload through the whole pipeline in
 * process (ta_send). 200 with the new generation once the re-index ran;
 * 202 "queued" at once while another request already waits for a
 * re-index (held up by a SQLite write lock the test takes); 503 when the
 * re-indexing fails (a root removed) or no reloader runs, the previous
 * index still served; 405 with Allow for every other method. Which
 * clients may write (token, same-origin signals, loopback) is tested in
 * check_hosts (hosts_write_intent) and check_reload (test_admin_endpoint),
 * not again here.
 */
#include <check.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "skilld/handlers/admin.h"
#include "skilld/app/app.h"
#include "skilld/indexing/reload.h"
#include "skilld/base/util.h"
#include "testapp.h"
#include "testutil.h"

Suite *admin_suite(void);

static struct ta_app ta;

static void setup(void)
{
	char err[512];

	ta_prepare(&ta);
	ta_open(&ta, NULL);
	ck_assert_int_eq(app_reload_start(&ta.app, err, sizeof(err)), 0);
}

static void teardown(void)
{
	app_reload_stop(&ta.app);
	ta_close(&ta);
}

/* The value of a response header, or NULL. */
static const char *header(const struct response *res, const char *name)
{
	for (size_t i = 0; i < res->n_headers; i++)
		if (strcmp(res->headers[i].key, name) == 0)
			return res->headers[i].value;
	return NULL;
}

/* The admin reload as a program sends it (JSON, no Origin) on app;
 * method NULL is POST. Returns the status; res is the caller's. */
static int reload_req(struct app *app, const char *method, struct response *res)
{
	struct ta_request r = { .method = method ? method : "POST", .path = "/api/v1/admin/reload",
				.content_type = "application/json" };

	return ta_send(app, &r, res);
}

static long health_generation(void)
{
	struct response res;
	cJSON *j;
	long g;

	ck_assert_int_eq(ta_get(&ta.app, "/healthz", NULL, &res), 200);
	j = cJSON_ParseWithLength(res.body, res.body_len);
	g = (long)cJSON_GetNumberValue(cJSON_GetObjectItem(j, "generation"));
	cJSON_Delete(j);
	response_fini(&res);
	return g;
}

static void sleep_ms(long ms)
{
	struct timespec t = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&t, NULL);
}

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* 200: {"status":"reloaded","generation":N,"seconds":S}, never cached,
 * and what it says is what /healthz then serves; a file written before
 * the request is in that generation, and a run that finds nothing
 * changed keeps the generation served. */
START_TEST(test_reloaded_with_generation)
{
	struct response res;
	cJSON *j, *item;

	ck_assert_int_eq(health_generation(), 1);
	for (long want = 1; want <= 2; want++) {
		if (want == 2)
			tu_write_str(ta.root, "gamma/SKILL.md",
				     "---\nname: gamma\ndescription: New.\n---\n# Gamma\n");
		ck_assert_int_eq(reload_req(&ta.app, NULL, &res), 200);
		ck_assert_str_eq(res.content_type, CT_JSON);
		ck_assert_str_eq(header(&res, "Cache-Control"), "no-store");
		ck_assert(res.dynamic);
		j = cJSON_ParseWithLength(res.body, res.body_len);
		ck_assert_ptr_nonnull(j);
		/* exactly these members, in this order */
		item = j->child;
		ck_assert_str_eq(item->string, "status");
		ck_assert_str_eq(item->valuestring, "reloaded");
		item = item->next;
		ck_assert_str_eq(item->string, "generation");
		ck_assert_int_eq((long)item->valuedouble, want);
		item = item->next;
		ck_assert_str_eq(item->string, "seconds");
		/* how long a re-index takes depends on the machine: only a
		 * sane range (the request waits at most 120 s) */
		ck_assert(cJSON_IsNumber(item) && item->valuedouble >= 0 && item->valuedouble < 120);
		ck_assert_ptr_null(item->next);
		cJSON_Delete(j);
		response_fini(&res);
		ck_assert_int_eq(health_generation(), want);
	}
	ck_assert_int_eq(ta_get(&ta.app, "/api/v1/skills/gamma", NULL, &res), 200);
	response_fini(&res);
}
END_TEST

struct poster {
	int status;
	long generation;
};

static void *post_reload(void *arg)
{
	struct poster *p = arg;
	struct response res;
	cJSON *j;

	p->status = reload_req(&ta.app, NULL, &res);
	j = cJSON_ParseWithLength(res.body, res.body_len);
	p->generation = (long)cJSON_GetNumberValue(cJSON_GetObjectItem(j, "generation"));
	cJSON_Delete(j);
	response_fini(&res);
	return NULL;
}

/* While one request waits for a re-index (held up by the write lock the
 * test holds on the database), the next ones are answered 202 at once:
 * the waiting one's run covers them. */
START_TEST(test_queued_while_another_waits)
{
	struct poster first = { -1, 0 };
	struct response res;
	sqlite3 *lock;
	pthread_t th;
	double t0, deadline;
	cJSON *j;

	tu_write_str(ta.root, "gamma/SKILL.md", "---\nname: gamma\ndescription: New.\n---\n# Gamma\n");
	ck_assert_int_eq(sqlite3_open(ta.cfg.db_path, &lock), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(lock, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
	ck_assert_int_eq(pthread_create(&th, NULL, post_reload, &first), 0);
	deadline = now_s() + 3; /* the writer gives up on the lock after 5 s */
	while (reload_waiting(ta.app.reloader) == 0 && now_s() < deadline)
		sleep_ms(5);
	ck_assert_uint_eq(reload_waiting(ta.app.reloader), 1);

	for (int i = 0; i < 3; i++) {
		t0 = now_s();
		ck_assert_int_eq(reload_req(&ta.app, NULL, &res), 202);
		ck_assert_msg(now_s() - t0 < 1.0, "202 took %.2f s", now_s() - t0);
		ck_assert_str_eq(header(&res, "Cache-Control"), "no-store");
		j = cJSON_ParseWithLength(res.body, res.body_len);
		ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(j, "status")), "queued");
		ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(j, "message")),
				 "a re-index that covers this request is about to run or running; "
				 "/healthz shows its generation");
		ck_assert_int_eq(cJSON_GetArraySize(j), 2);
		cJSON_Delete(j);
		response_fini(&res);
		/* nothing was re-indexed meanwhile */
		ck_assert_int_eq(health_generation(), 1);
	}
	ck_assert_int_eq(sqlite3_exec(lock, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(lock);
	pthread_join(th, NULL);
	ck_assert_int_eq(first.status, 200);
	ck_assert_int_eq(first.generation, 2);
	ck_assert_uint_eq(reload_waiting(ta.app.reloader), 0);
	/* nobody waits now: the next request waits for its own run again */
	ck_assert_int_eq(reload_req(&ta.app, NULL, &res), 200);
	response_fini(&res);
}
END_TEST

/* A root that is gone: 503 with the reason, and the old index is still
 * what every request reads. */
START_TEST(test_503_when_reindexing_fails)
{
	char *moved = xasprintf("%s/moved", ta.tmp);
	char *msg;
	struct response res;
	cJSON *j, *e;

	ck_assert_int_eq(rename(ta.root, moved), 0);
	ck_assert_int_eq(reload_req(&ta.app, NULL, &res), 503);
	ck_assert_str_eq(res.content_type, CT_JSON);
	j = cJSON_ParseWithLength(res.body, res.body_len);
	e = cJSON_GetObjectItem(j, "error");
	ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(e, "code")), "reload_failed");
	msg = xasprintf("re-indexing failed, the previous index is still served: skills folder "
			"'%s': No such file or directory", ta.root);
	ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(e, "message")), msg);
	free(msg);
	cJSON_Delete(j);
	response_fini(&res);
	ck_assert_int_eq(health_generation(), 1);
	ck_assert_int_eq(ta_get(&ta.app, "/api/v1/skills/alpha", NULL, &res), 200);
	response_fini(&res);

	/* the root back, with a change: reloaded, the failed run took no
	 * generation */
	ck_assert_int_eq(rename(moved, ta.root), 0);
	tu_write_str(ta.root, "gamma/SKILL.md", "---\nname: gamma\ndescription: New.\n---\n# Gamma\n");
	ck_assert_int_eq(reload_req(&ta.app, NULL, &res), 200);
	j = cJSON_ParseWithLength(res.body, res.body_len);
	ck_assert_int_eq((int)cJSON_GetNumberValue(cJSON_GetObjectItem(j, "generation")), 2);
	cJSON_Delete(j);
	response_fini(&res);
	free(moved);
}
END_TEST

/* Without a reloader thread (it was never started, or has stopped) the
 * endpoint says so instead of waiting. */
START_TEST(test_503_without_a_reloader)
{
	struct response res;
	cJSON *j;
	double t0 = now_s();

	app_reload_stop(&ta.app);
	ck_assert_int_eq(reload_req(&ta.app, NULL, &res), 503);
	ck_assert(now_s() - t0 < 1.0);
	j = cJSON_ParseWithLength(res.body, res.body_len);
	ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "error"),
								  "message")),
			 "re-indexing failed, the previous index is still served: "
			 "reloading is not running");
	cJSON_Delete(j);
	response_fini(&res);
	ck_assert_int_eq(health_generation(), 1);
}
END_TEST

/* Every method but POST: 405, Allow: POST, and no re-index. */
START_TEST(test_405_for_other_methods)
{
	static const char *const methods[] = { "GET", "HEAD", "PUT", "DELETE", "PATCH" };
	struct response res;

	for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
		cJSON *j;

		ck_assert_msg(reload_req(&ta.app, methods[i], &res) == 405, "%s: %d", methods[i],
			      res.status);
		ck_assert_str_eq(header(&res, "Allow"), "POST");
		j = cJSON_ParseWithLength(res.body, res.body_len);
		ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "error"),
									  "code")),
				 "method_not_allowed");
		cJSON_Delete(j);
		response_fini(&res);
	}
	ck_assert_int_eq(health_generation(), 1);
}
END_TEST

Suite *admin_suite(void)
{
	Suite *s = suite_create("admin");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_reloaded_with_generation);
	tcase_add_test(tc, test_queued_while_another_waits);
	tcase_add_test(tc, test_503_when_reindexing_fails);
	tcase_add_test(tc, test_503_without_a_reloader);
	tcase_add_test(tc, test_405_for_other_methods);
	suite_add_tcase(s, tc);
	return s;
}
