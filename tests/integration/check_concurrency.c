/* SPDX-License-Identifier: MIT */
/*
 * Concurrency: eight threads serve requests through pipeline_serve (each with
 * its own reader connection, as the worker pool does) over every kind of
 * URL, while the reloader re-indexes again and again and the skill folders
 * change under it. Every answer must be a 200 (or the 404 of a skill that
 * comes and goes) carrying a generation; nothing may crash. Run under
 * `make tsan` to find data races, under `make check` for memory errors.
 */
#include <check.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "skilld/app/app.h"
#include "skilld/transport/http.h"
#include "skilld/indexing/reload.h"
#include "skilld/base/util.h"
#include "testapp.h"
#include "testutil.h"

Suite *concurrency_suite(void);

#define THREADS 8
#define ROUNDS 150

static struct ta_app ta;
static atomic_int failures;
static atomic_bool stop;

static void setup(void)
{
	char err[512];

	ta_prepare(&ta);
	ta_open(&ta, NULL);
	ck_assert_int_eq(app_reload_start(&ta.app, err, sizeof(err)), 0);
	atomic_store(&failures, 0);
	atomic_store(&stop, false);
}

static void teardown(void)
{
	app_reload_stop(&ta.app);
	ta_close(&ta);
}

static const char *const urls[] = {
	"/healthz", "/api/v1/skills", "/api/v1/skills/alpha", "/api/v1/skills/alpha/files",
	"/api/v1/skills/alpha/checklist", "/api/v1/search?q=alpha", "/api/v1/resolve?task=review",
	"/skills/alpha", "/skills/alpha/checklist", "/skills/alpha/references/guide.md",
	"/llms.txt", "/llms-full.txt", "/.well-known/agent-skills/index.json",
	"/.well-known/skills/index.json", "/api/v1/skills/alpha/archive.tar.gz", "/",
	"/skills/alpha/SKILL.md?max_tokens=20", "/api/v1/skills/moving", "/api/v1/diagnostics",
};

static void *client(void *arg)
{
	long id = (long)arg;
	struct ta_headers h = { .accept = "text/html", .host = "127.0.0.1:1" };

	for (int i = 0; i < ROUNDS && !atomic_load(&stop); i++) {
		const char *u = urls[(size_t)(i + id) % (sizeof(urls) / sizeof(urls[0]))];
		struct response res;
		int status = ta_get(&ta.app, u, &h, &res);
		bool moving = strstr(u, "moving") != NULL;
		bool gen = false;

		for (size_t k = 0; k < res.n_headers; k++)
			gen |= strcmp(res.headers[k].key, "X-Skilld-Generation") == 0;
		if (!(status == 200 || (moving && status == 404)) || !gen)
			atomic_fetch_add(&failures, 1);
		response_fini(&res);
	}
	/* The thread's reader, as an MHD worker's would be, closes with the
	 * thread (pthread key destructor). */
	return NULL;
}

START_TEST(test_requests_while_reloading)
{
	pthread_t t[THREADS];
	struct timespec pause = { 0, 3 * 1000000L };
	char err[512];
	int64_t gen = 0;

	for (long i = 0; i < THREADS; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, client, (void *)i), 0);
	for (int i = 0; i < 40; i++) {
		if (i % 2 == 0)
			tu_write_str(ta.root, "moving/SKILL.md",
				     "---\nname: moving\ndescription: Comes and goes.\n---\n# M\n");
		else {
			char *m = xasprintf("%s/moving", ta.root);

			tu_rmtree(m);
			free(m);
		}
		reload_request(ta.app.reloader, "test");
		nanosleep(&pause, NULL);
	}
	/* The folders end unlike they began, whatever runs saw meanwhile. */
	tu_write_str(ta.root, "moved/SKILL.md", "---\nname: moved\ndescription: Stays.\n---\n# M\n");
	ck_assert_int_eq(reload_now(ta.app.reloader, "test", 60000, &gen, err, sizeof(err)), 0);
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	ck_assert_int_eq(atomic_load(&failures), 0);
	/* How many runs the 40 debounced requests cost depends on the
	 * machine's timing (3 ms apart: one run, or a few when a run ends in
	 * the middle); reload_now's own run comes after them. So a range: at
	 * least that one run, at most one per request and one more. */
	ck_assert_int_ge(gen, 2);
	ck_assert_int_le(gen, 1 + 40 + 1);
}
END_TEST

Suite *concurrency_suite(void)
{
	Suite *s = suite_create("concurrency");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_requests_while_reloading);
	suite_add_tcase(s, tc);
	return s;
}
