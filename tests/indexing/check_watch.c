/* SPDX-License-Identifier: MIT */
/*
 * Tests for watch: inotify below temporary roots. Each test records every
 * callback (path by path) and counts them exactly once a barrier has come
 * through: a file the test creates last, whose two events (create, close)
 * can only arrive after everything written before it, since one inotify
 * descriptor reports in order. Counted: a new file (create, modify,
 * close), a new folder and a file in it, a folder moved in with folders
 * inside, a removal, renames of files and folders (then a file in the
 * renamed folder under its new path), skipped names (.git, node_modules),
 * the folders watched at start (depth limit, symlinks), the callbacks of a
 * burst and the one re-index the reloader's debounce makes of them, and
 * watch_stop, and a folder moved out of the root giving its watches back.
 * Every wait polls with a deadline.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "skilld/app/app.h"
#include "skilld/base/log.h"
#include "skilld/indexing/reload.h"
#include "skilld/base/util.h"
#include "skilld/indexing/watch.h"
#include "testapp.h"
#include "testutil.h"

Suite *watch_suite(void);

#define WAIT_S 10.0  /* the longest any event may take to arrive */

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void sleep_ms(long ms)
{
	struct timespec t = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&t, NULL);
}

/* Every callback, in order. */
struct record {
	pthread_mutex_t lock;
	char **paths;
	bool *files;     /* per path: the callback's exact flag */
	size_t n;
	size_t cap;
	void (*also)(void *ctx, const char *path, bool file); /* called too, when set */
	void *also_ctx;
};

static void on_change(void *ctx, const char *path, bool file)
{
	struct record *r = ctx;
	void (*also)(void *ctx, const char *path, bool file);
	void *also_ctx;

	pthread_mutex_lock(&r->lock);
	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 64;
		r->paths = xrealloc(r->paths, r->cap * sizeof(*r->paths));
		r->files = xrealloc(r->files, r->cap * sizeof(*r->files));
	}
	r->files[r->n] = file;
	r->paths[r->n++] = xstrdup(path);
	also = r->also;
	also_ctx = r->also_ctx;
	pthread_mutex_unlock(&r->lock);
	if (also)
		also(also_ctx, path, file);
}

static size_t total(struct record *r)
{
	size_t n;

	pthread_mutex_lock(&r->lock);
	n = r->n;
	pthread_mutex_unlock(&r->lock);
	return n;
}

/* Callbacks for root/rel so far. */
static size_t count(struct record *r, const char *root, const char *rel)
{
	char *path = xasprintf("%s/%s", root, rel);
	size_t n = 0;

	pthread_mutex_lock(&r->lock);
	for (size_t i = 0; i < r->n; i++)
		n += strcmp(r->paths[i], path) == 0;
	pthread_mutex_unlock(&r->lock);
	free(path);
	return n;
}

/* Did every callback for root/rel (one at least) give file == want? */
static bool all_file(struct record *r, const char *root, const char *rel, bool want)
{
	char *path = xasprintf("%s/%s", root, rel);
	size_t seen = 0, right = 0;

	pthread_mutex_lock(&r->lock);
	for (size_t i = 0; i < r->n; i++) {
		if (strcmp(r->paths[i], path) == 0) {
			seen++;
			right += r->files[i] == want;
		}
	}
	pthread_mutex_unlock(&r->lock);
	free(path);
	return seen > 0 && right == seen;
}

/* Waits until root/rel was reported want times (at most WAIT_S). */
static void wait_count(struct record *r, const char *root, const char *rel, size_t want)
{
	double deadline = now_s() + WAIT_S;

	while (count(r, root, rel) < want && now_s() < deadline)
		sleep_ms(2);
	ck_assert_msg(count(r, root, rel) >= want, "%s/%s: %zu callbacks after %.0f s, want %zu",
		      root, rel, count(r, root, rel), WAIT_S, want);
}

/* Creates root/.barrier-N empty and waits for its create and close: every
 * event caused before it has been handled then. */
static void barrier(struct record *r, const char *root)
{
	static int n;
	char *rel = xasprintf(".barrier-%d", n++);
	char *path = xasprintf("%s/%s", root, rel);
	int fd = open(path, O_CREAT | O_EXCL | O_WRONLY, 0644);

	ck_assert_int_ge(fd, 0);
	close(fd);
	wait_count(r, root, rel, 2);
	free(rel);
	free(path);
}

/* Callbacks other than the barriers'. */
static size_t non_barrier(struct record *r)
{
	size_t n = 0;

	pthread_mutex_lock(&r->lock);
	for (size_t i = 0; i < r->n; i++)
		n += strstr(r->paths[i], "/.barrier-") == NULL;
	pthread_mutex_unlock(&r->lock);
	return n;
}

/* Waits for the watches to be set: the watcher's thread says so once,
 * first, inexact (what changed before was not seen). The record then
 * starts empty. */
static void wait_set(struct record *r)
{
	double deadline = now_s() + WAIT_S;

	while (total(r) == 0 && now_s() < deadline)
		sleep_ms(2);
	pthread_mutex_lock(&r->lock);
	ck_assert_uint_eq(r->n, 1);
	ck_assert_str_eq(r->paths[0], WATCH_SET);
	ck_assert(!r->files[0]);
	free(r->paths[0]);
	r->n = 0;
	pthread_mutex_unlock(&r->lock);
}

static void record_init(struct record *r)
{
	memset(r, 0, sizeof(*r));
	pthread_mutex_init(&r->lock, NULL);
}

static void record_fini(struct record *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->paths[i]);
	free(r->paths);
	free(r->files);
	pthread_mutex_destroy(&r->lock);
}

/* A watcher on one fresh root, its log in memory. */
struct fx {
	char *tmp;
	char *root;
	struct record rec;
	struct logger log;
	FILE *log_f;
	char *log_text;
	size_t log_len;
	struct watcher *w;
};

static void fx_start_on(struct fx *f, char *const *roots, size_t n)
{
	char err[256];

	f->log_f = open_memstream(&f->log_text, &f->log_len);
	ck_assert_ptr_nonnull(f->log_f);
	log_init(&f->log, f->log_f, LOG_FORMAT_TEXT, LOG_DEBUG);
	ck_assert_msg(watch_start(roots, n, &f->log, on_change, &f->rec, &f->w, err, sizeof(err)) == 0,
		      "%s", err);
	ck_assert_ptr_nonnull(f->w);
	wait_set(&f->rec);
}

static void fx_prepare(struct fx *f)
{
	memset(f, 0, sizeof(*f));
	record_init(&f->rec);
	f->tmp = tu_mkdtemp();
	f->root = xasprintf("%s/root", f->tmp);
	ck_assert_int_eq(mkdir(f->root, 0755), 0);
}

static void fx_start(struct fx *f)
{
	fx_start_on(f, &f->root, 1);
}

/* Stops the watcher and returns the log (owned by f). */
static const char *fx_stop(struct fx *f)
{
	watch_stop(f->w);
	f->w = NULL;
	log_fini(&f->log);
	fclose(f->log_f);
	f->log_f = NULL;
	return f->log_text;
}

static void fx_fini(struct fx *f)
{
	if (f->w || f->log_f)
		fx_stop(f);
	free(f->log_text);
	record_fini(&f->rec);
	tu_rmtree(f->tmp);
	free(f->tmp);
	free(f->root);
}

/* The startup line of the log: how many folders are watched. */
static long watched_folders(const char *log)
{
	const char *p = strstr(log, " INFO watching ");
	long n = -1;

	ck_assert_msg(p != NULL, "no 'watching' line in: %s", log);
	ck_assert_int_eq(sscanf(p, " INFO watching %ld folders for changes", &n), 1);
	return n;
}

static void mkdir_at(const char *root, const char *rel)
{
	char *p = xasprintf("%s/%s", root, rel);

	ck_assert_msg(mkdir(p, 0755) == 0, "mkdir %s: %s", p, strerror(errno));
	free(p);
}

static void rename_at(const char *root, const char *from, const char *to)
{
	char *a = xasprintf("%s/%s", root, from), *b = xasprintf("%s/%s", root, to);

	ck_assert_msg(rename(a, b) == 0, "rename %s: %s", a, strerror(errno));
	free(a);
	free(b);
}

/* ---- what is watched at start ---------------------------------------- */

/* Every folder down to depth 32, dot folders too, but not .git,
 * node_modules or symlinked folders; a root that is itself a symlink is
 * followed; a missing root is left out. */
START_TEST(test_folders_watched_at_start)
{
	struct fx f;
	struct buf deep;
	char *roots[3], *link_root, *missing;

	fx_prepare(&f);
	mkdir_at(f.root, "a");
	mkdir_at(f.root, "a/b");
	mkdir_at(f.root, ".hidden");
	mkdir_at(f.root, ".git");
	mkdir_at(f.root, ".git/objects");
	mkdir_at(f.root, "node_modules");
	mkdir_at(f.root, "a/node_modules");
	tu_write_str(f.root, "a/b/file.md", "x");
	{
		char *target = xasprintf("%s/a", f.root), *link = xasprintf("%s/link", f.root);

		ck_assert_int_eq(symlink(target, link), 0);
		free(target);
		free(link);
	}
	/* a chain 40 folders deep: depths 1..32 are watched, 33..40 not */
	buf_init(&deep);
	buf_puts(&deep, "deep");
	mkdir_at(f.root, deep.data);
	for (int i = 2; i <= 40; i++) {
		buf_puts(&deep, "/d");
		mkdir_at(f.root, deep.data);
	}
	buf_fini(&deep);
	/* the second root is a symlink to a folder with one subfolder */
	mkdir_at(f.tmp, "real");
	mkdir_at(f.tmp, "real/sub");
	link_root = xasprintf("%s/linked", f.tmp);
	{
		char *target = xasprintf("%s/real", f.tmp);

		ck_assert_int_eq(symlink(target, link_root), 0);
		free(target);
	}
	missing = xasprintf("%s/missing", f.tmp);
	roots[0] = f.root;
	roots[1] = link_root;
	roots[2] = missing;
	fx_start_on(&f, roots, 3);
	/* root, a, a/b, .hidden, deep..32 levels (32 folders); linked, sub */
	ck_assert_int_eq(watched_folders(fx_stop(&f)), 1 + 3 + 32 + 2);
	free(link_root);
	free(missing);
	fx_fini(&f);
}
END_TEST

/* ---- events ---------------------------------------------------------- */

/* A new file written once: its create, modify and close (inotify(7)). */
START_TEST(test_new_file)
{
	struct fx f;

	fx_prepare(&f);
	fx_start(&f);
	tu_write_str(f.root, "new.md", "text");
	wait_count(&f.rec, f.root, "new.md", 3);
	barrier(&f.rec, f.root);
	ck_assert_uint_eq(count(&f.rec, f.root, "new.md"), 3);
	ck_assert_uint_eq(non_barrier(&f.rec), 3);
	fx_fini(&f);
}
END_TEST

/* A new folder is reported and watched at once (the callback comes after
 * its watch is added), so a file written in it after that callback is seen. */
START_TEST(test_new_folder_and_a_file_in_it)
{
	struct fx f;

	fx_prepare(&f);
	fx_start(&f);
	mkdir_at(f.root, "d");
	wait_count(&f.rec, f.root, "d", 1);
	tu_write_str(f.root, "d/inside.md", "x");
	wait_count(&f.rec, f.root, "d/inside.md", 3);
	/* and a folder made in the new folder, then a file there */
	mkdir_at(f.root, "d/e");
	wait_count(&f.rec, f.root, "d/e", 1);
	tu_write_str(f.root, "d/e/deeper.md", "x");
	wait_count(&f.rec, f.root, "d/e/deeper.md", 3);
	barrier(&f.rec, f.root);
	ck_assert_uint_eq(count(&f.rec, f.root, "d"), 1);
	ck_assert_uint_eq(count(&f.rec, f.root, "d/inside.md"), 3);
	ck_assert_uint_eq(count(&f.rec, f.root, "d/e"), 1);
	ck_assert_uint_eq(count(&f.rec, f.root, "d/e/deeper.md"), 3);
	ck_assert_uint_eq(non_barrier(&f.rec), 8);
	/* each names what changed: a run can look at those paths alone */
	ck_assert(all_file(&f.rec, f.root, "d", true));
	ck_assert(all_file(&f.rec, f.root, "d/e", true));
	ck_assert(all_file(&f.rec, f.root, "d/inside.md", true));
	ck_assert(all_file(&f.rec, f.root, "d/e/deeper.md", true));
	fx_fini(&f);
}
END_TEST

/* A tree moved in from outside the root is watched to its bottom. */
START_TEST(test_folder_moved_in)
{
	struct fx f;
	char *from, *to;

	fx_prepare(&f);
	mkdir_at(f.tmp, "outside");
	mkdir_at(f.tmp, "outside/a");
	mkdir_at(f.tmp, "outside/a/b");
	fx_start(&f);
	from = xasprintf("%s/outside", f.tmp);
	to = xasprintf("%s/in", f.root);
	ck_assert_int_eq(rename(from, to), 0);
	wait_count(&f.rec, f.root, "in", 1);
	tu_write_str(f.root, "in/a/b/x.md", "x");
	wait_count(&f.rec, f.root, "in/a/b/x.md", 3);
	barrier(&f.rec, f.root);
	ck_assert_uint_eq(count(&f.rec, f.root, "in"), 1);
	ck_assert_uint_eq(non_barrier(&f.rec), 4);
	free(from);
	free(to);
	fx_fini(&f);
}
END_TEST

/* A file removed: one delete. A folder removed: its own delete-self and
 * ignored, and its parent's delete, all under the folder's path. */
START_TEST(test_removal)
{
	struct fx f;
	char *p;

	fx_prepare(&f);
	tu_write_str(f.root, "gone/file.md", "x");
	fx_start(&f);
	p = xasprintf("%s/gone/file.md", f.root);
	ck_assert_int_eq(unlink(p), 0);
	free(p);
	wait_count(&f.rec, f.root, "gone/file.md", 1);
	p = xasprintf("%s/gone", f.root);
	ck_assert_int_eq(rmdir(p), 0);
	free(p);
	wait_count(&f.rec, f.root, "gone", 3);
	barrier(&f.rec, f.root);
	ck_assert_uint_eq(count(&f.rec, f.root, "gone/file.md"), 1);
	ck_assert_uint_eq(count(&f.rec, f.root, "gone"), 3);
	ck_assert_uint_eq(non_barrier(&f.rec), 4);
	/* a folder of the same name made again is watched again */
	mkdir_at(f.root, "gone");
	wait_count(&f.rec, f.root, "gone", 4);
	tu_write_str(f.root, "gone/again.md", "x");
	wait_count(&f.rec, f.root, "gone/again.md", 3);
	fx_fini(&f);
}
END_TEST

/* A file renamed: its old and its new name once each. A folder renamed:
 * both names, and its own move-self under the new one; what is written in
 * it afterwards (also in a subfolder) is reported under the new path. */
START_TEST(test_rename)
{
	struct fx f;

	fx_prepare(&f);
	tu_write_str(f.root, "old.md", "x");
	tu_write_str(f.root, "dir/sub/keep.md", "x");
	fx_start(&f);
	rename_at(f.root, "old.md", "new.md");
	wait_count(&f.rec, f.root, "new.md", 1);
	barrier(&f.rec, f.root);
	ck_assert_uint_eq(count(&f.rec, f.root, "old.md"), 1);
	ck_assert_uint_eq(count(&f.rec, f.root, "new.md"), 1);
	ck_assert_uint_eq(non_barrier(&f.rec), 2);

	/* the folder's old watches go at IN_MOVED_FROM (so its own
	 * IN_MOVE_SELF, queued after, is not reported) and come back under
	 * the new path at IN_MOVED_TO */
	rename_at(f.root, "dir", "moved");
	wait_count(&f.rec, f.root, "moved", 1);
	barrier(&f.rec, f.root);
	ck_assert_uint_eq(count(&f.rec, f.root, "dir"), 1);
	ck_assert_uint_eq(count(&f.rec, f.root, "moved"), 1);
	tu_write_str(f.root, "moved/sub/later.md", "x");
	wait_count(&f.rec, f.root, "moved/sub/later.md", 3);
	barrier(&f.rec, f.root);
	ck_assert_uint_eq(count(&f.rec, f.root, "dir/sub/later.md"), 0);
	ck_assert_uint_eq(non_barrier(&f.rec), 2 + 2 + 3);
	fx_fini(&f);
}
END_TEST

/* Nothing is reported for .git and node_modules, neither for the entry
 * itself nor for what is written below it. */
START_TEST(test_skipped_names)
{
	struct fx f;

	fx_prepare(&f);
	mkdir_at(f.root, ".git");
	mkdir_at(f.root, "sub");
	fx_start(&f);
	tu_write_str(f.root, ".git/HEAD", "ref\n");
	mkdir_at(f.root, "node_modules");
	tu_write_str(f.root, "node_modules/pkg/index.js", "x");
	tu_write_str(f.root, "sub/node_modules", "a file of that name is skipped too");
	tu_write_str(f.root, "sub/.git", "and one named .git");
	barrier(&f.rec, f.root);
	ck_assert_uint_eq(non_barrier(&f.rec), 0);
	/* while sub itself is watched */
	tu_write_str(f.root, "sub/seen.md", "x");
	wait_count(&f.rec, f.root, "sub/seen.md", 3);
	barrier(&f.rec, f.root);
	ck_assert_uint_eq(non_barrier(&f.rec), 3);
	fx_fini(&f);
}
END_TEST

/* After watch_stop no callback comes; stopping is prompt; NULL is fine. */
START_TEST(test_stop)
{
	struct fx f;
	double t0;
	size_t before;

	fx_prepare(&f);
	fx_start(&f);
	tu_write_str(f.root, "one.md", "x");
	wait_count(&f.rec, f.root, "one.md", 3);
	t0 = now_s();
	fx_stop(&f);
	ck_assert_msg(now_s() - t0 < 1.0, "watch_stop took %.2f s", now_s() - t0);
	before = total(&f.rec);
	for (int i = 0; i < 20; i++) {
		char *rel = xasprintf("after-%d.md", i);

		tu_write_str(f.root, rel, "x");
		free(rel);
	}
	mkdir_at(f.root, "after-dir");
	/* the watcher had 200 ms to report them, were it still running */
	sleep_ms(200);
	ck_assert_uint_eq(total(&f.rec), before);
	watch_stop(NULL);
	fx_fini(&f);
}
END_TEST

/* ---- the debounce: a burst is many callbacks and one re-index ---------- */

static void reload_on_change(void *ctx, const char *path, bool file)
{
	if (file)
		reload_request_file(((struct app *)ctx)->reloader, path);
	else
		reload_request(((struct app *)ctx)->reloader, "files changed");
}

static long health(struct ta_app *ta, const char *key)
{
	struct response res;
	cJSON *j;
	long v;

	ck_assert_int_eq(ta_get(&ta->app, "/healthz", NULL, &res), 200);
	j = cJSON_ParseWithLength(res.body, res.body_len);
	v = (long)cJSON_GetNumberValue(cJSON_GetObjectItem(j, key));
	cJSON_Delete(j);
	response_fini(&res);
	return v;
}

/* 20 skills written at once into folders that were already there: the
 * watcher calls back for every event (create, modify, close of each
 * SKILL.md: 60; it does not debounce), and the reloader's debounce turns
 * the 60 calls into one re-index that sees all 20. */
START_TEST(test_burst_is_one_reindex)
{
	enum { N = 20 };
	struct ta_app ta;
	struct record rec;
	struct watcher *w = NULL;
	char err[512];
	double deadline;
	long skills;

	ta_prepare(&ta);
	ta_open(&ta, NULL);
	record_init(&rec);
	ck_assert_int_eq(app_reload_start(&ta.app, err, sizeof(err)), 0);
	skills = health(&ta, "skills");
	ck_assert_int_eq(health(&ta, "generation"), 1);
	for (int i = 0; i < N; i++) {
		char *rel = xasprintf("burst-%02d", i);

		mkdir_at(ta.root, rel);
		free(rel);
	}
	ck_assert_int_eq(watch_start(ta.cfg.skills, 1, &ta.app.log, on_change, &rec, &w, err,
				     sizeof(err)), 0);
	/* the burst after the watches are set, and only its changes reload */
	wait_set(&rec);
	pthread_mutex_lock(&rec.lock);
	rec.also = reload_on_change;
	rec.also_ctx = &ta.app;
	pthread_mutex_unlock(&rec.lock);
	for (int i = 0; i < N; i++) {
		char *rel = xasprintf("burst-%02d/SKILL.md", i);
		char *md = xasprintf("---\nname: burst-%02d\ndescription: B.\n---\n", i);

		tu_write_str(ta.root, rel, md);
		free(rel);
		free(md);
	}
	for (int i = 0; i < N; i++) {
		char *rel = xasprintf("burst-%02d/SKILL.md", i);

		wait_count(&rec, ta.root, rel, 3);
		free(rel);
	}
	deadline = now_s() + WAIT_S;
	while (health(&ta, "generation") < 2 && now_s() < deadline)
		sleep_ms(10);
	ck_assert_int_eq(health(&ta, "generation"), 2);
	ck_assert_int_eq(health(&ta, "skills"), skills + N);
	/* two more debounce periods: no second run, no late callback */
	sleep_ms(2 * RELOAD_DEBOUNCE_MS);
	ck_assert_int_eq(health(&ta, "generation"), 2);
	ck_assert_int_eq(health(&ta, "reloads"), 1);
	ck_assert_uint_eq(total(&rec), 3 * N);
	watch_stop(w);
	app_reload_stop(&ta.app);
	ta_close(&ta);
	record_fini(&rec);
}
END_TEST

/* A folder moved out of the root gives its watches back: what is written
 * in it afterwards, outside every root, is not reported under its old path
 * inside the root (each write was a spurious re-index). */
START_TEST(test_folder_moved_out_is_not_watched)
{
	struct fx f;
	char *from, *to;

	fx_prepare(&f);
	tu_write_str(f.root, "leaving/keep.md", "x");
	fx_start(&f);
	from = xasprintf("%s/leaving", f.root);
	to = xasprintf("%s/outside", f.tmp);
	ck_assert_int_eq(rename(from, to), 0);
	wait_count(&f.rec, f.root, "leaving", 1);
	barrier(&f.rec, f.root);
	tu_write_str(f.tmp, "outside/later.md", "written outside every root");
	barrier(&f.rec, f.root);
	ck_assert_uint_eq(count(&f.rec, f.root, "leaving/later.md"), 0);
	free(from);
	free(to);
	fx_fini(&f);
}
END_TEST

Suite *watch_suite(void)
{
	Suite *s = suite_create("watch");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_folders_watched_at_start);
	tcase_add_test(tc, test_new_file);
	tcase_add_test(tc, test_new_folder_and_a_file_in_it);
	tcase_add_test(tc, test_folder_moved_in);
	tcase_add_test(tc, test_removal);
	tcase_add_test(tc, test_rename);
	tcase_add_test(tc, test_skipped_names);
	tcase_add_test(tc, test_stop);
	tcase_add_test(tc, test_burst_is_one_reindex);
	tcase_add_test(tc, test_folder_moved_out_is_not_watched);
	suite_add_tcase(s, tc);
	return s;
}
