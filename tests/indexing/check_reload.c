/* SPDX-License-Identifier: MIT */
/*
 * Tests for reload and admin (and app_reindex): re-indexing while serving
 * in process. A change to the folders shows after reload_now with a new
 * generation; a burst of reload_request calls costs one re-indexing; a
 * failed re-indexing keeps the old index and is reported by /healthz and
 * /api/v1/diagnostics; POST /api/v1/admin/reload answers from loopback
 * only (403 otherwise); the watcher notices files and folders created
 * after it started; the WAL an index leaves is checkpointed afterwards.
 */
#include <check.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "skilld/app/app.h"
#include "skilld/transport/http.h"
#include "skilld/indexing/reload.h"
#include "skilld/base/util.h"
#include "skilld/indexing/watch.h"
#include "testapp.h"
#include "testutil.h"

Suite *reload_suite(void);

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
	watch_stop(ta.app.watcher);
	ta.app.watcher = NULL;
	app_reload_stop(&ta.app);
	ta_close(&ta);
}

/* GET path → parsed JSON (cJSON_Delete); asserts 200. */
static cJSON *get_json(const char *path)
{
	struct response res;
	cJSON *j;

	ck_assert_int_eq(ta_get(&ta.app, path, NULL, &res), 200);
	j = cJSON_ParseWithLength(res.body, res.body_len);
	ck_assert_ptr_nonnull(j);
	response_fini(&res);
	return j;
}

static long health_num(const char *key)
{
	cJSON *j = get_json("/healthz");
	long v = (long)cJSON_GetNumberValue(cJSON_GetObjectItem(j, key));

	cJSON_Delete(j);
	return v;
}

static void sleep_ms(long ms)
{
	struct timespec t = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&t, NULL);
}

/* Edits a skill (a new text each call): the next run has something to
 * serve, so it takes a new generation; a run that finds nothing changed
 * keeps the one served. */
static void change_skills(void)
{
	static int n;
	char text[64];

	snprintf(text, sizeof(text), "# Edit %d\n", ++n);
	tu_write_str(ta.root, "alpha/references/edit.md", text);
}

START_TEST(test_reload_now_sees_changes)
{
	char err[512];
	int64_t gen = 0;
	struct response res;

	ck_assert_int_eq(health_num("generation"), 1);
	tu_write_str(ta.root, "gamma/SKILL.md", "---\nname: gamma\ndescription: New.\n---\n# Gamma\n");
	ck_assert_int_eq(ta_get(&ta.app, "/api/v1/skills/gamma", NULL, &res), 404);
	response_fini(&res);
	ck_assert_msg(reload_now(ta.app.reloader, "test", 30000, &gen, err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(gen, 2);
	ck_assert_int_eq(ta_get(&ta.app, "/api/v1/skills/gamma", NULL, &res), 200);
	response_fini(&res);
	ck_assert_int_eq(health_num("generation"), 2);
	ck_assert_int_eq(health_num("reloads"), 1);
}
END_TEST

/* The generation an answer read is in X-Skilld-Generation. */
START_TEST(test_generation_header)
{
	char err[512];
	int64_t gen;
	struct response res;
	const char *h = NULL;

	change_skills();
	ck_assert_int_eq(reload_now(ta.app.reloader, "test", 30000, &gen, err, sizeof(err)), 0);
	ck_assert_int_eq(ta_get(&ta.app, "/skills/alpha", NULL, &res), 200);
	for (size_t i = 0; i < res.n_headers; i++)
		if (strcmp(res.headers[i].key, "X-Skilld-Generation") == 0)
			h = res.headers[i].value;
	ck_assert_ptr_nonnull(h);
	ck_assert_int_eq(atoi(h), (int)gen);
	response_fini(&res);
}
END_TEST

/* A burst of requests within the debounce time is one re-indexing. */
START_TEST(test_burst_is_debounced)
{
	change_skills();
	for (int i = 0; i < 50; i++)
		reload_request(ta.app.reloader, "burst");
	sleep_ms(RELOAD_DEBOUNCE_MS + 600);
	ck_assert_int_eq(health_num("reloads"), 1);
	ck_assert_int_eq(health_num("generation"), 2);
}
END_TEST

/* A failed re-indexing keeps the old index and says why. */
START_TEST(test_failure_keeps_the_old_index)
{
	char err[512], *moved = xasprintf("%s/moved", ta.tmp);
	int64_t gen;
	cJSON *j, *e;

	ck_assert_int_eq(rename(ta.root, moved), 0); /* the root is gone */
	ck_assert_int_eq(reload_now(ta.app.reloader, "test", 30000, &gen, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, ta.root));
	j = get_json("/healthz");
	ck_assert_int_eq((int)cJSON_GetNumberValue(cJSON_GetObjectItem(j, "generation")), 1);
	ck_assert_int_eq((int)cJSON_GetNumberValue(cJSON_GetObjectItem(j, "reload_failures")), 1);
	e = cJSON_GetObjectItem(j, "last_reload_error");
	ck_assert(cJSON_IsObject(e));
	ck_assert_ptr_nonnull(strstr(cJSON_GetStringValue(cJSON_GetObjectItem(e, "message")), ta.root));
	cJSON_Delete(j);
	j = get_json("/api/v1/skills/alpha"); /* still served */
	cJSON_Delete(j);
	j = get_json("/api/v1/diagnostics");
	e = cJSON_GetObjectItem(cJSON_GetObjectItem(j, "index"), "last_reload_error");
	ck_assert(cJSON_IsObject(e));
	cJSON_Delete(j);
	/* and the next good one clears it */
	ck_assert_int_eq(rename(moved, ta.root), 0);
	change_skills();
	ck_assert_int_eq(reload_now(ta.app.reloader, "test", 30000, &gen, err, sizeof(err)), 0);
	ck_assert_int_eq(gen, 2);
	j = get_json("/healthz");
	ck_assert(cJSON_IsNull(cJSON_GetObjectItem(j, "last_reload_error")));
	cJSON_Delete(j);
	free(moved);
}
END_TEST

/* A file changed while a serving app starts (after the watcher, before
 * the reloader) is indexed once the reloader runs: the startup index may
 * have read that skill before the change. */
START_TEST(test_change_during_startup_is_not_missed)
{
	struct ta_app t = { 0 };
	char err[512];
	int64_t gen = 0;
	struct response res;

	ta_prepare(&t);
	ta_open_serving(&t, NULL);
	ck_assert_ptr_nonnull(t.app.watcher);
	tu_write_str(t.root, "alpha/references/late.md", "# Late\n");
	for (int i = 0; i < 500 && !atomic_load(&t.app.changed_early); i++)
		sleep_ms(10);
	ck_assert(atomic_load(&t.app.changed_early));
	ck_assert_int_eq(app_reload_start(&t.app, err, sizeof(err)), 0);
	for (int i = 0; i < 500 && gen < 2; i++) {
		cJSON *j;

		sleep_ms(10);
		ck_assert_int_eq(ta_get(&t.app, "/healthz", NULL, &res), 200);
		j = cJSON_ParseWithLength(res.body, res.body_len);
		gen = (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItem(j, "generation"));
		cJSON_Delete(j);
		response_fini(&res);
	}
	ck_assert_int_eq(gen, 2);
	ck_assert_int_eq(ta_get(&t.app, "/skills/alpha/references/late.md?format=md", NULL, &res), 200);
	response_fini(&res);
	watch_stop(t.app.watcher);
	t.app.watcher = NULL;
	app_reload_stop(&t.app);
	ta_close(&t);
}
END_TEST

/* POSTs the admin reload with the headers given; returns the status and
 * the error code (or status) of the answer in OUT: code. */
static int admin_post(const char *ct, const char *origin, const char *site, bool remote,
		      char code[64])
{
	struct ta_request r = { .method = "POST", .path = "/api/v1/admin/reload",
				.content_type = ct, .origin = origin, .sec_fetch_site = site,
				.remote = remote };
	struct response res;
	cJSON *j;
	int status = ta_send(&ta.app, &r, &res);
	const char *c;

	j = cJSON_ParseWithLength(res.body, res.body_len);
	c = cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "error"), "code"));
	if (!c)
		c = cJSON_GetStringValue(cJSON_GetObjectItem(j, "status"));
	snprintf(code, 64, "%s", c ? c : "");
	cJSON_Delete(j);
	response_fini(&res);
	return status;
}

START_TEST(test_admin_endpoint)
{
	struct ta_request r = { .method = "GET", .path = "/api/v1/admin/reload" };
	struct response res;
	char code[64];

	/* a program (no Origin, no Sec-Fetch-Site) sending JSON */
	change_skills();
	ck_assert_int_eq(admin_post("application/json", NULL, NULL, false, code), 200);
	ck_assert_str_eq(code, "reloaded");
	ck_assert_int_eq(health_num("generation"), 2);
	/* this server's own page */
	change_skills();
	ck_assert_int_eq(admin_post("application/json; charset=utf-8", "http://127.0.0.1:8080",
				    "same-origin", false, code), 200);
	ck_assert_int_eq(health_num("generation"), 3);
	/* what another site's page can send: a form, a no-cors fetch, a
	 * JSON fetch that names its origin */
	ck_assert_int_eq(admin_post(NULL, NULL, NULL, false, code), 403);
	ck_assert_str_eq(code, "cross_site_write");
	ck_assert_int_eq(admin_post("application/x-www-form-urlencoded", "http://evil.example",
				    "cross-site", false, code), 403);
	ck_assert_str_eq(code, "cross_site_write");
	ck_assert_int_eq(admin_post("text/plain", "http://evil.example", NULL, false, code), 403);
	ck_assert_int_eq(admin_post("application/json", "http://evil.example", NULL, false, code),
			 403);
	ck_assert_str_eq(code, "cross_site_write");
	ck_assert_int_eq(admin_post("application/json", NULL, "cross-site", false, code), 403);
	ck_assert_int_eq(admin_post("application/json", NULL, "same-site", false, code), 403);
	ck_assert_int_eq(admin_post("application/json", "null", NULL, false, code), 403);
	/* without a token, only loopback */
	ck_assert_int_eq(admin_post("application/json", NULL, NULL, true, code), 403);
	ck_assert_str_eq(code, "forbidden");
	ck_assert_int_eq(ta_send(&ta.app, &r, &res), 405);
	response_fini(&res);
	ck_assert_int_eq(health_num("generation"), 3);
}
END_TEST

struct waiter {
	struct app *app;
	int rc;
	int64_t gen;
};

static void *reload_waiter(void *v)
{
	struct waiter *w = v;
	char err[512];

	w->rc = reload_now(w->app->reloader, "waiter", 30000, &w->gen, err, sizeof(err));
	return NULL;
}

/* Concurrent reload requests hold one thread between them: while one
 * waits (its re-index held up by a write lock the test takes), the next
 * returns at once with 1, and one re-index covers both. */
START_TEST(test_reload_requests_coalesce)
{
	struct waiter w = { &ta.app, -2, 0 };
	struct timespec t0, t1;
	char *db = xasprintf("%s/skilld.db", ta.tmp), err[512];
	sqlite3 *lock;
	pthread_t th;
	int64_t gen = 0, before = health_num("generation");

	change_skills();
	ck_assert_int_eq(sqlite3_open(db, &lock), SQLITE_OK);
	/* a re-index the change already started may still hold the lock */
	sqlite3_busy_timeout(lock, 20000);
	ck_assert_int_eq(sqlite3_exec(lock, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
	ck_assert_int_eq(pthread_create(&th, NULL, reload_waiter, &w), 0);
	for (int i = 0; i < 200 && reload_waiting(ta.app.reloader) == 0; i++)
		sleep_ms(10);
	ck_assert_uint_eq(reload_waiting(ta.app.reloader), 1);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ck_assert_int_eq(reload_now(ta.app.reloader, "second", 30000, &gen, err, sizeof(err)), 1);
	ck_assert_int_eq(reload_now(ta.app.reloader, "third", 30000, &gen, err, sizeof(err)), 1);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ck_assert_int_eq(gen, 0);
	ck_assert(t1.tv_sec - t0.tv_sec < 2);
	ck_assert_int_eq(sqlite3_exec(lock, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(lock);
	pthread_join(th, NULL);
	ck_assert_int_eq(w.rc, 0);
	ck_assert_int_eq(w.gen, before + 1);
	ck_assert_uint_eq(reload_waiting(ta.app.reloader), 0);
	/* the joined requests were covered by that run (when it had not
	 * begun scanning yet) or by one more right after it: never one each */
	sleep_ms(RELOAD_MAX_DELAY_MS + 500);
	ck_assert_int_ge(health_num("generation"), before + 1);
	ck_assert_int_le(health_num("generation"), before + 2);
	free(db);
}
END_TEST

static void on_change(void *ctx, const char *path, bool file)
{
	if (file)
		reload_request_file(((struct app *)ctx)->reloader, path);
	else
		reload_request(((struct app *)ctx)->reloader, "files changed");
}

/* Polls /healthz until skills reaches want (at most 5 s). */
static void wait_skills(long want)
{
	for (int i = 0; i < 100 && health_num("skills") != want; i++)
		sleep_ms(50);
	ck_assert_int_eq(health_num("skills"), want);
}

START_TEST(test_watcher_sees_new_files_and_folders)
{
	char err[512];
	long n = health_num("skills");

	ck_assert_int_eq(watch_start(ta.cfg.skills, ta.cfg.n_skills, &ta.app.log, on_change,
				     &ta.app, &ta.app.watcher, err, sizeof(err)), 0);
	/* a skill in a new folder */
	tu_write_str(ta.root, "w1/SKILL.md", "---\nname: w1\ndescription: W.\n---\n");
	wait_skills(n + 1);
	/* a folder made after the watcher started, then a skill below it */
	tu_write_str(ta.root, "deep/er/keep.txt", "x");
	sleep_ms(RELOAD_DEBOUNCE_MS + 300);
	tu_write_str(ta.root, "deep/er/w2/SKILL.md", "---\nname: w2\ndescription: W.\n---\n");
	wait_skills(n + 2);
	/* a removal */
	{
		char *w1 = xasprintf("%s/w1", ta.root);

		tu_rmtree(w1);
		free(w1);
	}
	wait_skills(n + 1);
}
END_TEST

/* The snapshot: a reader inside store_reader_begin keeps seeing the
 * generation it started with while a re-indexing commits; the next
 * transaction sees the new one. This is what keeps one answer from mixing
 * two generations. */
START_TEST(test_reader_snapshot_holds_across_a_commit)
{
	char err[512];
	int64_t gen = 0, gen2 = 0;
	struct store_reader *r = store_reader_open(ta.cfg.db_path, err, sizeof(err));
	struct store_skill sk;
	long before;

	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(store_reader_begin(r, &gen), 0);
	ck_assert_int_eq(gen, 1);
	before = store_skill_count(r);
	ck_assert_int_gt(before, 0);
	tu_write_str(ta.root, "gamma/SKILL.md", "---\nname: gamma\ndescription: New.\n---\n# Gamma\n");
	ck_assert_int_eq(app_reindex(&ta.app, "test", false, err, sizeof(err)), 0);
	/* still generation 1 inside the transaction: no gamma, as many skills */
	ck_assert_int_eq(store_skill_get(r, "gamma", &sk), 0);
	ck_assert_int_eq(store_skill_count(r), before);
	store_reader_end(r);
	/* a new transaction sees generation 2 and gamma */
	ck_assert_int_eq(store_reader_begin(r, &gen2), 0);
	ck_assert_int_eq(gen2, 2);
	ck_assert_int_eq(store_skill_get(r, "gamma", &sk), 1);
	ck_assert_int_eq(store_skill_count(r), before + 1);
	store_reader_end(r);
	store_reader_close(r);
}
END_TEST

/* Bytes in the database's WAL file (0 when there is none). */
static long wal_bytes(void)
{
	char *wal = xasprintf("%s-wal", ta.cfg.db_path);
	FILE *f = fopen(wal, "rb");
	long n = 0;

	if (f) {
		fseek(f, 0, SEEK_END);
		n = ftell(f);
		fclose(f);
	}
	free(wal);
	return n;
}

/* The generation the database file holds by itself, the WAL left out
 * (immutable=1 reads the file alone); -1 when it holds none. */
static long file_generation(void)
{
	char *uri = xasprintf("file:%s?immutable=1", ta.cfg.db_path);
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	long gen = -1;

	ck_assert_int_eq(sqlite3_open_v2(uri, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL),
			 SQLITE_OK);
	if (sqlite3_prepare_v2(db, "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'generation'",
			       -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		gen = (long)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	free(uri);
	return gen;
}

/* Waits (up to 10 s) for the reloader's checkpoint number n. */
static void wait_checkpoints(unsigned long n)
{
	for (int i = 0; i < 1000 && atomic_load(&ta.app.checkpoints) < n; i++)
		sleep_ms(10);
	ck_assert_uint_eq(atomic_load(&ta.app.checkpoints), n);
	ck_assert(!atomic_load(&ta.app.checkpoint_due));
}

/* An index commits into the WAL and is served from there at once; the
 * reloader's thread then copies the WAL into the database file when idle
 * (app_checkpoint), and what is served does not change. */
START_TEST(test_wal_checkpointed_after_each_index)
{
	char err[512];
	int64_t gen = 0;
	struct response res;

	wait_checkpoints(1); /* the startup index */
	ck_assert_int_eq(wal_bytes(), 0);
	ck_assert_int_eq(file_generation(), 1);
	/* without the reloader, an index stays in the WAL until asked */
	app_reload_stop(&ta.app);
	tu_write_str(ta.root, "gamma/SKILL.md", "---\nname: gamma\ndescription: New.\n---\n# Gamma\n");
	ck_assert_msg(app_reindex(&ta.app, "test", false, err, sizeof(err)) == 0, "%s", err);
	ck_assert(atomic_load(&ta.app.checkpoint_due));
	ck_assert_int_gt(wal_bytes(), 0);
	ck_assert_int_eq(file_generation(), 1);
	ck_assert_int_eq(ta_get(&ta.app, "/api/v1/skills/gamma", NULL, &res), 200);
	response_fini(&res);
	ck_assert_int_eq(app_checkpoint(&ta.app), 0);
	ck_assert_uint_eq(atomic_load(&ta.app.checkpoints), 2);
	ck_assert(!atomic_load(&ta.app.checkpoint_due));
	ck_assert_int_eq(wal_bytes(), 0);
	ck_assert_int_eq(file_generation(), 2);
	ck_assert_int_eq(ta_get(&ta.app, "/api/v1/skills/gamma", NULL, &res), 200);
	response_fini(&res);
	ck_assert_int_eq(health_num("generation"), 2);
	/* a reloader started again checkpoints after its own run */
	ck_assert_int_eq(app_reload_start(&ta.app, err, sizeof(err)), 0);
	change_skills();
	ck_assert_msg(reload_now(ta.app.reloader, "test", 30000, &gen, err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(gen, 3);
	wait_checkpoints(3);
	ck_assert_int_eq(wal_bytes(), 0);
}
END_TEST

/* A request still reading the previous index when a checkpoint runs: the
 * checkpoint neither waits for it nor blocks a re-index; it copies what it
 * can and stays due, and the rest is copied once the request has ended. */
START_TEST(test_checkpoint_around_an_old_reader)
{
	char err[512];
	int64_t gen = 0;
	struct store_reader *r;
	struct timespec t0, t1;

	wait_checkpoints(1);
	app_reload_stop(&ta.app);
	r = store_reader_open(ta.cfg.db_path, err, sizeof(err));
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(store_reader_begin(r, &gen), 0);
	ck_assert_int_eq(gen, 1);
	tu_write_str(ta.root, "gamma/SKILL.md", "---\nname: gamma\ndescription: New.\n---\n# Gamma\n");
	ck_assert_msg(app_reindex(&ta.app, "test", false, err, sizeof(err)) == 0, "%s", err);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ck_assert_int_eq(app_checkpoint(&ta.app), 1);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	/* it did not wait for the reader (a busy wait would be 5 s) */
	ck_assert_int_lt((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000, 1000);
	ck_assert(atomic_load(&ta.app.checkpoint_due));
	ck_assert_int_eq(file_generation(), 1);
	/* a re-index is not held up by that checkpoint */
	change_skills();
	ck_assert_msg(app_reindex(&ta.app, "test", false, err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(app_checkpoint(&ta.app), 1);
	store_reader_end(r);
	store_reader_close(r);
	ck_assert_int_eq(app_checkpoint(&ta.app), 0);
	ck_assert(!atomic_load(&ta.app.checkpoint_due));
	ck_assert_int_eq(file_generation(), 3);
	ck_assert_int_eq(wal_bytes(), 0);
}
END_TEST

Suite *reload_suite(void)
{
	Suite *s = suite_create("reload");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_reload_now_sees_changes);
	tcase_add_test(tc, test_change_during_startup_is_not_missed);
	tcase_add_test(tc, test_reader_snapshot_holds_across_a_commit);
	tcase_add_test(tc, test_generation_header);
	tcase_add_test(tc, test_burst_is_debounced);
	tcase_add_test(tc, test_failure_keeps_the_old_index);
	tcase_add_test(tc, test_admin_endpoint);
	tcase_add_test(tc, test_reload_requests_coalesce);
	tcase_add_test(tc, test_watcher_sees_new_files_and_folders);
	tcase_add_test(tc, test_wal_checkpointed_after_each_index);
	tcase_add_test(tc, test_checkpoint_around_an_old_reader);
	suite_add_tcase(s, tc);
	return s;
}
