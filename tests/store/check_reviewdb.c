/* SPDX-License-Identifier: MIT */
/*
 * Tests for reviewdb: a review's life in the store. Creating and reading,
 * item writes with versions (a no-op write changes nothing, a stale
 * version writes nothing of its batch), the history each change appends,
 * closing, editing, listing and paging, deleting (history and items go
 * too), 32 threads writing at once, and a store that cannot be opened:
 * one suite, two stores. The TCase "sqlite" runs them on a reviews.db,
 * with the online backup (in process and from the file); "postgresql" on a
 * new database of a throwaway PostgreSQL server each (tests/pgtest.h),
 * with two handles on one database (two replicas) and what one hears of
 * the other's writes, a server stopped and started under a handle, the
 * schema's versions, and passwords kept out of every message. Without
 * PostgreSQL installed the postgresql case says it is skipped; as root
 * (CI) it fails instead.
 */
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <libpq-fe.h>

#include "skilld/store/reviewdb.h"
#include "skilld/base/util.h"
#include "pgtest.h"
#include "testutil.h"

Suite *reviewdb_suite(void);

static char *dir, *path;    /* path: the store's location (a file or a URI) */
static char *bad;           /* a location that cannot be opened */
static struct reviewdb *rv;

static const struct review_start START = {
	.skill = "alpha",
	.checklist_path = "references/review-checklist.md",
	.checklist_digest = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
	.start_items = "[{\"id\":\"1-w1\",\"ref\":\"W1\",\"text\":\"Bounds\",\"section\":\"Safety\"},"
		       "{\"id\":\"1-w2\",\"ref\":\"W2\",\"text\":\"Lifetimes\",\"section\":\"Safety\"}]",
	.title = "PR 412",
	.target = "https://example.com/pr/412",
	.author = "ana",
};

static void open_store(void)
{
	char err[256];

	rv = reviewdb_open(path, err, sizeof(err));
	ck_assert_msg(rv != NULL, "%s", err);
}

static void setup(void)
{
	dir = tu_mkdtemp();
	path = xasprintf("%s/reviews.db", dir);
	bad = xasprintf("%s/no/such/dir/reviews.db", dir);
	open_store();
	ck_assert_str_eq(reviewdb_backend(rv), "sqlite");
}

static void teardown(void)
{
	reviewdb_close(rv);
	tu_rmtree(dir);
	free(path);
	free(bad);
	free(dir);
}

static void setup_pg(void)
{
	path = pgtest_case_database();
	dir = tu_mkdtemp();
	/* the server refuses this password, which must stay out of the
	 * message (it holds the right one) */
	bad = xasprintf("postgresql://skilld:wrong%s@127.0.0.1:%u/postgres",
			pgtest_case_server()->password, pgtest_case_server()->port);
	open_store();
	ck_assert_str_eq(reviewdb_backend(rv), "postgresql");
}

static void start(char id[REVIEW_ID_LEN + 1], int64_t now)
{
	char err[256];

	ck_assert_msg(reviewdb_create(rv, &START, now, id, err, sizeof(err)) == 0, "%s", err);
	ck_assert_uint_eq(strlen(id), REVIEW_ID_LEN);
}

static struct item_write verdict(const char *item, const char *v)
{
	return (struct item_write){ .item_id = item, .ref = "W1", .text = "Bounds",
				    .section = "Safety", .if_version = -1,
				    .set = ITEM_SET_VERDICT, .verdict = v, .author = "bot" };
}

static double num(const cJSON *o, const char *key)
{
	return cJSON_GetNumberValue(cJSON_GetObjectItem(o, key));
}

START_TEST(test_create_and_get)
{
	char id[REVIEW_ID_LEN + 1], id2[REVIEW_ID_LEN + 1];
	cJSON *o;

	start(id, 1000);
	start(id2, 1000);
	ck_assert_str_ne(id, id2);
	ck_assert_int_eq(reviewdb_get(rv, id, &o), 1);
	ck_assert_str_eq(jstr(o, "id"), id);
	ck_assert_str_eq(jstr(o, "skill"), "alpha");
	ck_assert_str_eq(jstr(o, "checklist_path"), "references/review-checklist.md");
	ck_assert_str_eq(jstr(o, "title"), "PR 412");
	ck_assert_str_eq(jstr(o, "target"), "https://example.com/pr/412");
	ck_assert_str_eq(jstr(o, "status"), "open");
	ck_assert_int_eq(num(o, "created_at"), 1000);
	ck_assert_int_eq(num(o, "seq"), 1);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(o, "start_items")), 2);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(o, "items")), 0);
	cJSON_Delete(o);
	ck_assert_int_eq(reviewdb_get(rv, "0000000000000000", &o), 0);
	ck_assert_ptr_null(o);
	/* the head only: what a write needs */
	ck_assert_int_eq(reviewdb_head(rv, id, &o), 1);
	ck_assert_str_eq(jstr(o, "skill"), "alpha");
	ck_assert_str_eq(jstr(o, "checklist_path"), "references/review-checklist.md");
	ck_assert_str_eq(jstr(o, "status"), "open");
	ck_assert_ptr_null(cJSON_GetObjectItem(o, "items"));
	cJSON_Delete(o);
	ck_assert_int_eq(reviewdb_head(rv, "0000000000000000", &o), 0);
	ck_assert_ptr_null(o);
}
END_TEST

START_TEST(test_item_writes_and_versions)
{
	char id[REVIEW_ID_LEN + 1], err[256];
	struct item_write w = verdict("1-w1", "fail");
	cJSON *res = NULL, *o, *ev;
	size_t failed = 99;

	start(id, 1000);
	w.set |= ITEM_SET_SEVERITY | ITEM_SET_NOTE | ITEM_SET_EVIDENCE;
	w.severity = "High";
	w.note = "off by one";
	w.evidence = "src/a.c:42";
	ck_assert_int_eq(reviewdb_write_items(rv, id, &w, 1, 2000, &res, &failed, err, sizeof(err)), 0);
	o = cJSON_GetArrayItem(res, 0);
	ck_assert_str_eq(jstr(o, "verdict"), "fail");
	ck_assert_str_eq(jstr(o, "severity"), "High");
	ck_assert_str_eq(jstr(o, "evidence"), "src/a.c:42");
	ck_assert_str_eq(jstr(o, "author"), "bot");
	ck_assert_int_eq(num(o, "version"), 1);
	cJSON_Delete(res);

	/* the same again: nothing changes, no event */
	ck_assert_int_eq(reviewdb_write_items(rv, id, &w, 1, 3000, &res, &failed, err, sizeof(err)), 0);
	ck_assert_int_eq(num(cJSON_GetArrayItem(res, 0), "version"), 1);
	cJSON_Delete(res);

	/* pass clears the severity; the note stays when not written */
	w = verdict("1-w1", "pass");
	w.if_version = 1;
	ck_assert_int_eq(reviewdb_write_items(rv, id, &w, 1, 4000, &res, &failed, err, sizeof(err)), 0);
	o = cJSON_GetArrayItem(res, 0);
	ck_assert_ptr_null(jstr(o, "severity"));
	ck_assert_str_eq(jstr(o, "note"), "off by one");
	ck_assert_int_eq(num(o, "version"), 2);
	cJSON_Delete(res);

	/* the history: created, the fail, the pass (with the severity's end) */
	ck_assert_int_eq(reviewdb_events(rv, id, 0, 100, &ev), 1);
	ck_assert_int_eq(cJSON_GetArraySize(ev), 3);
	o = cJSON_GetArrayItem(ev, 2);
	ck_assert_int_eq(num(o, "seq"), 3);
	ck_assert_int_eq(num(o, "at"), 4000);
	ck_assert_str_eq(jstr(o, "item"), "1-w1");
	ck_assert_str_eq(cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetObjectItem(o, "change"),
								"verdict"), 0)->valuestring, "fail");
	ck_assert_str_eq(cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetObjectItem(o, "change"),
								"verdict"), 1)->valuestring, "pass");
	ck_assert(cJSON_IsNull(cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetObjectItem(o, "change"),
								      "severity"), 1)));
	ck_assert_ptr_null(cJSON_GetObjectItem(cJSON_GetObjectItem(o, "change"), "note"));
	cJSON_Delete(ev);
	ck_assert_int_eq(reviewdb_events(rv, id, 2, 100, &ev), 1);
	ck_assert_int_eq(cJSON_GetArraySize(ev), 1);
	cJSON_Delete(ev);
	ck_assert_int_eq(reviewdb_events(rv, "ffffffffffffffff", 0, 100, &ev), 0);
}
END_TEST

START_TEST(test_stale_version_writes_nothing)
{
	char id[REVIEW_ID_LEN + 1], err[256];
	struct item_write w[2] = { verdict("1-w2", "pass"), verdict("1-w1", "fail") };
	cJSON *res = NULL, *o;
	size_t failed = 99;

	start(id, 1000);
	/* 1-w1 has never been written: version 0; asking for 3 is stale */
	w[1].if_version = 3;
	ck_assert_int_eq(reviewdb_write_items(rv, id, w, 2, 2000, &res, &failed, err, sizeof(err)),
			 REVIEWDB_STALE);
	ck_assert_uint_eq(failed, 1);
	ck_assert_int_eq(cJSON_GetArraySize(res), 1);
	ck_assert_str_eq(jstr(cJSON_GetArrayItem(res, 0), "id"), "1-w1");
	ck_assert_int_eq(num(cJSON_GetArrayItem(res, 0), "version"), 0);
	cJSON_Delete(res);
	/* all or none: 1-w2 was not written either */
	ck_assert_int_eq(reviewdb_get(rv, id, &o), 1);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(o, "items")), 0);
	ck_assert_int_eq(num(o, "seq"), 1);
	cJSON_Delete(o);
	w[1].if_version = 0;
	ck_assert_int_eq(reviewdb_write_items(rv, id, w, 2, 2000, &res, &failed, err, sizeof(err)), 0);
	ck_assert_int_eq(cJSON_GetArraySize(res), 2);
	cJSON_Delete(res);
	ck_assert_int_eq(reviewdb_write_items(rv, "ffffffffffffffff", w, 1, 2000, &res, &failed, err,
					      sizeof(err)), REVIEWDB_NOT_FOUND);
	ck_assert_ptr_null(res);
}
END_TEST

START_TEST(test_close_edit_reopen)
{
	char id[REVIEW_ID_LEN + 1], err[256];
	struct item_write w = verdict("1-w1", "pass");
	struct review_edit e = { .status = "closed", .author = "ana" };
	cJSON *res = NULL, *o, *ev;
	size_t failed;

	start(id, 1000);
	ck_assert_int_eq(reviewdb_edit(rv, id, &e, 2000, err, sizeof(err)), 0);
	ck_assert_int_eq(reviewdb_write_items(rv, id, &w, 1, 3000, &res, &failed, err, sizeof(err)),
			 REVIEWDB_CLOSED);
	ck_assert_ptr_null(res);
	e = (struct review_edit){ .status = "open", .title = "PR 412, second look",
				  .clear_target = true };
	ck_assert_int_eq(reviewdb_edit(rv, id, &e, 4000, err, sizeof(err)), 0);
	ck_assert_int_eq(reviewdb_get(rv, id, &o), 1);
	ck_assert_str_eq(jstr(o, "status"), "open");
	ck_assert_str_eq(jstr(o, "title"), "PR 412, second look");
	ck_assert_ptr_null(jstr(o, "target"));
	ck_assert_int_eq(num(o, "updated_at"), 4000);
	ck_assert_int_eq(num(o, "seq"), 3);
	cJSON_Delete(o);
	/* an edit that changes nothing adds no event */
	ck_assert_int_eq(reviewdb_edit(rv, id, &e, 5000, err, sizeof(err)), 0);
	ck_assert_int_eq(reviewdb_events(rv, id, 0, 100, &ev), 1);
	ck_assert_int_eq(cJSON_GetArraySize(ev), 3);
	ck_assert_ptr_nonnull(cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetArrayItem(ev, 2),
								      "change"), "target"));
	cJSON_Delete(ev);
	ck_assert_int_eq(reviewdb_edit(rv, "ffffffffffffffff", &e, 5000, err, sizeof(err)),
			 REVIEWDB_NOT_FOUND);
}
END_TEST

START_TEST(test_list_and_pages)
{
	char ids[5][REVIEW_ID_LEN + 1], err[256];
	struct review_filter f = { .limit = 2 };
	struct review_edit close = { .status = "closed" };
	cJSON *list;
	int more;

	for (int i = 0; i < 5; i++)
		start(ids[i], 1000 + i);
	ck_assert_int_eq(reviewdb_edit(rv, ids[1], &close, 9000, err, sizeof(err)), 0);
	/* newest first, two at a time */
	more = reviewdb_list(rv, &f, &list);
	ck_assert_int_eq(more, 1);
	ck_assert_int_eq(cJSON_GetArraySize(list), 2);
	ck_assert_str_eq(jstr(cJSON_GetArrayItem(list, 0), "id"), ids[4]);
	ck_assert_str_eq(jstr(cJSON_GetArrayItem(list, 1), "id"), ids[3]);
	cJSON_Delete(list);
	f.after_created = 1003;
	f.after_id = ids[3];
	ck_assert_int_eq(reviewdb_list(rv, &f, &list), 1);
	ck_assert_str_eq(jstr(cJSON_GetArrayItem(list, 0), "id"), ids[2]);
	cJSON_Delete(list);
	f.after_created = 1001;
	f.after_id = ids[1];
	ck_assert_int_eq(reviewdb_list(rv, &f, &list), 0);
	ck_assert_int_eq(cJSON_GetArraySize(list), 1);
	ck_assert_str_eq(jstr(cJSON_GetArrayItem(list, 0), "id"), ids[0]);
	cJSON_Delete(list);
	/* filters */
	f = (struct review_filter){ .limit = 10, .status = "closed" };
	ck_assert_int_eq(reviewdb_list(rv, &f, &list), 0);
	ck_assert_int_eq(cJSON_GetArraySize(list), 1);
	ck_assert_str_eq(jstr(cJSON_GetArrayItem(list, 0), "id"), ids[1]);
	cJSON_Delete(list);
	f = (struct review_filter){ .limit = 10, .skill = "beta" };
	ck_assert_int_eq(reviewdb_list(rv, &f, &list), 0);
	ck_assert_int_eq(cJSON_GetArraySize(list), 0);
	cJSON_Delete(list);
}
END_TEST

START_TEST(test_delete_takes_everything)
{
	char id[REVIEW_ID_LEN + 1], err[256];
	struct item_write w = verdict("1-w1", "pass");
	cJSON *res = NULL, *o;
	size_t failed;

	start(id, 1000);
	ck_assert_int_eq(reviewdb_write_items(rv, id, &w, 1, 2000, &res, &failed, err, sizeof(err)), 0);
	cJSON_Delete(res);
	ck_assert_int_eq(reviewdb_delete(rv, id, err, sizeof(err)), 0);
	ck_assert_int_eq(reviewdb_get(rv, id, &o), 0);
	ck_assert_int_eq(reviewdb_events(rv, id, 0, 10, &o), 0);
	ck_assert_int_eq(reviewdb_delete(rv, id, err, sizeof(err)), REVIEWDB_NOT_FOUND);
	/* the rows are gone, not hidden: a new review with the old writes' item
	 * starts open */
	start(id, 3000);
	ck_assert_int_eq(reviewdb_get(rv, id, &o), 1);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(o, "items")), 0);
	cJSON_Delete(o);
}
END_TEST

START_TEST(test_backup)
{
	char id[REVIEW_ID_LEN + 1], err[256];
	char *copy = xasprintf("%s/copy.db", dir), *copy2 = xasprintf("%s/copy2.db", dir);
	char *missing = xasprintf("%s/none.db", dir), *nodir = xasprintf("%s/no/such/x.db", dir);
	struct item_write w = verdict("1-w1", "fail");
	struct reviewdb *b;
	cJSON *res = NULL, *o;
	size_t failed;

	start(id, 1000);
	ck_assert_int_eq(reviewdb_write_items(rv, id, &w, 1, 2000, &res, &failed, err, sizeof(err)), 0);
	cJSON_Delete(res);
	ck_assert_msg(reviewdb_backup(rv, copy, err, sizeof(err)) == 0, "%s", err);
	/* never over a file that exists */
	ck_assert_int_eq(reviewdb_backup(rv, copy, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "already exists"));
	/* from the file, as `skilld backup` does while the server has it open */
	ck_assert_msg(reviewdb_backup_file(path, copy2, err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(reviewdb_backup_file(missing, nodir, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "no reviews database"));
	ck_assert_int_eq(reviewdb_backup_file(path, nodir, err, sizeof(err)), -1);
	for (int i = 0; i < 2; i++) {
		b = reviewdb_open(i ? copy2 : copy, err, sizeof(err));
		ck_assert_msg(b != NULL, "%s", err);
		ck_assert_int_eq(reviewdb_get(b, id, &o), 1);
		ck_assert_str_eq(jstr(cJSON_GetObjectItem(cJSON_GetObjectItem(o, "items"), "1-w1"),
				      "verdict"), "fail");
		cJSON_Delete(o);
		reviewdb_close(b);
	}
	free(copy);
	free(copy2);
	free(missing);
	free(nodir);
}
END_TEST

struct writer {
	struct reviewdb *rv;
	const char *id;
	char item[32];
	int rc;
};

static void *write_one_item(void *p)
{
	struct writer *wr = p;
	struct item_write w = verdict(wr->item, "pass");
	char err[256];
	cJSON *res = NULL;
	size_t failed;

	wr->rc = reviewdb_write_items(wr->rv, wr->id, &w, 1, 2000, &res, &failed, err, sizeof(err));
	cJSON_Delete(res);
	return NULL;
}

/* 32 threads at once, half of them through a, half through b, each
 * writing its own item of review id; every write must succeed. */
static void write_at_once(struct reviewdb *a, struct reviewdb *b, const char *id)
{
	struct writer wr[32];
	pthread_t t[32];

	int started = 0;

	for (; started < 32; started++) {
		wr[started] = (struct writer){ .rv = started % 2 ? b : a, .id = id, .rc = -9 };
		snprintf(wr[started].item, sizeof(wr[started].item), "item-%d", started);
		if (pthread_create(&t[started], NULL, write_one_item, &wr[started]) != 0)
			break;
	}
	/* every thread joined before a check can end the test */
	for (int i = 0; i < started; i++)
		pthread_join(t[i], NULL);
	ck_assert_int_eq(started, 32);
	for (int i = 0; i < 32; i++)
		ck_assert_int_eq(wr[i].rc, 0);
}

/* 32 writers on 32 items at once: every write is there, each once. */
START_TEST(test_concurrent_writers)
{
	char id[REVIEW_ID_LEN + 1];
	cJSON *o;

	start(id, 1000);
	write_at_once(rv, rv, id);
	ck_assert_int_eq(reviewdb_get(rv, id, &o), 1);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(o, "items")), 32);
	ck_assert_int_eq(num(o, "seq"), 33);
	cJSON_Delete(o);
}
END_TEST

START_TEST(test_cannot_open)
{
	char err[256] = "";
	char id[REVIEW_ID_LEN + 1];
	cJSON *o;

	ck_assert_ptr_null(reviewdb_open(bad, err, sizeof(err)));
	ck_assert_str_ne(err, "");
	if (strcmp(reviewdb_backend(rv), "postgresql") == 0)
		ck_assert_ptr_null(strstr(err, pgtest_case_server()->password));
	/* reopening a store made before is fine (migrations are done), and
	 * what was written is there */
	start(id, 1000);
	reviewdb_close(rv);
	open_store();
	ck_assert(reviewdb_up(rv));
	ck_assert_int_eq(reviewdb_get(rv, id, &o), 1);
	cJSON_Delete(o);
}
END_TEST

/* ---- the PostgreSQL store's own ---- */

START_TEST(test_pg_no_backup)
{
	char err[256] = "";

	ck_assert_int_eq(reviewdb_backup(rv, "/nonexistent/x.db", err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "pg_dump"));
	ck_assert_ptr_nonnull(strstr(err, "skilld:***@127.0.0.1"));
	ck_assert_ptr_null(strstr(err, pgtest_case_server()->password));
}
END_TEST

/* Messages mask the password wherever it would stand, whatever it is: one
 * of asterisks (once a message looped for ever over its own mask) and one
 * in a password= parameter; the server refuses each. */
START_TEST(test_pg_password_never_shown)
{
	static const char *const uris[][2] = {
		{ "skilld:**", "" },
		{ "skilld", "?password=Zz9-secret" },
		{ "skilld:Zz9-secret", "" },
	};
	char err[512], uri[256];

	for (size_t i = 0; i < sizeof(uris) / sizeof(uris[0]); i++) {
		err[0] = '\0';
		snprintf(uri, sizeof(uri), "postgresql://%s@127.0.0.1:%u/postgres%s", uris[i][0],
			 pgtest_case_server()->port, uris[i][1]);
		ck_assert_ptr_null(reviewdb_open(uri, err, sizeof(err)));
		ck_assert_ptr_nonnull(strstr(err, "127.0.0.1"));
		ck_assert_ptr_nonnull(strstr(err, "password authentication failed"));
		ck_assert_ptr_null(strstr(err, "Zz9-secret"));
		ck_assert_ptr_null(strstr(err, ":**@"));
	}
}
END_TEST

struct held_write {
	struct reviewdb *rv;
	const char *id;
	const char *verdict;    /* NULL: "pass" */
	int rc;
	char err[512];
};

static void *held_write_main(void *arg)
{
	struct held_write *h = arg;
	struct item_write w = verdict("1-w1", h->verdict ? h->verdict : "pass");
	cJSON *res = NULL;
	size_t failed;

	h->rc = reviewdb_write_items(h->rv, h->id, &w, 1, 2000, &res, &failed, h->err,
				     sizeof(h->err));
	cJSON_Delete(res);
	return NULL;
}

/* A review locked by another transaction (an administrator's, say): a
 * write waits for the lock no longer than lock_timeout (3 s here, through
 * the URI) and answers REVIEWDB_UNAVAILABLE with nothing written; a read
 * meanwhile takes another of the handle's connections and passes at once;
 * once every connection is held by a write waiting that long, a call gives
 * up after 2 s with REVIEWDB_UNAVAILABLE instead of piling up; once the
 * lock is gone writes pass again. */
START_TEST(test_pg_review_held_elsewhere)
{
	char id[REVIEW_ID_LEN + 1], *uri = xasprintf("%s?options=-c%%20lock_timeout%%3D3000", path);
	char err[512];
	struct held_write h[REVIEWDB_PG_CONNECTIONS];
	struct timespec t0, t1;
	PGconn *admin = PQconnectdb(path);
	pthread_t t[REVIEWDB_PG_CONNECTIONS];
	PGresult *r;
	cJSON *o;
	int got;

	reviewdb_close(rv);
	rv = reviewdb_open(uri, err, sizeof(err));
	ck_assert_msg(rv != NULL, "%s", err);
	start(id, 1000);
	ck_assert_msg(PQstatus(admin) == CONNECTION_OK, "%s", PQerrorMessage(admin));
	PQclear(PQexec(admin, "BEGIN"));
	r = PQexecParams(admin, "SELECT 1 FROM reviews WHERE id = $1 FOR UPDATE", 1, NULL,
			 (const char *const[]){ id }, NULL, NULL, 0);
	ck_assert_int_eq(PQntuples(r), 1);
	PQclear(r);
	for (size_t i = 0; i < REVIEWDB_PG_CONNECTIONS; i++)
		h[i] = (struct held_write){ .rv = rv, .id = id, .rc = -99 };

	/* one write waits for the lock; a read passes beside it */
	ck_assert_int_eq(pthread_create(&t[0], NULL, held_write_main, &h[0]), 0);
	usleep(300 * 1000);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	got = reviewdb_get(rv, id, &o);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ck_assert_int_eq(got, 1);
	cJSON_Delete(o);
	ck_assert_int_lt(t1.tv_sec - t0.tv_sec, 2);
	pthread_join(t[0], NULL);
	ck_assert_int_eq(h[0].rc, REVIEWDB_UNAVAILABLE);
	ck_assert_ptr_nonnull(strstr(h[0].err, "lock"));

	/* every connection holds a waiting write: a call gives up */
	for (size_t i = 0; i < REVIEWDB_PG_CONNECTIONS; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, held_write_main, &h[i]), 0);
	usleep(300 * 1000);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	got = reviewdb_get(rv, id, &o);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	for (size_t i = 0; i < REVIEWDB_PG_CONNECTIONS; i++)
		pthread_join(t[i], NULL);
	ck_assert_int_eq(got, REVIEWDB_UNAVAILABLE);
	ck_assert_int_lt(t1.tv_sec - t0.tv_sec, 4);
	for (size_t i = 0; i < REVIEWDB_PG_CONNECTIONS; i++) {
		ck_assert_int_eq(h[i].rc, REVIEWDB_UNAVAILABLE);
		ck_assert_ptr_nonnull(strstr(h[i].err, "lock"));
	}

	PQclear(PQexec(admin, "COMMIT"));
	PQfinish(admin);
	ck_assert_int_eq(reviewdb_get(rv, id, &o), 1);
	ck_assert_int_eq(num(o, "seq"), 1);
	cJSON_Delete(o);
	held_write_main(&h[0]);
	ck_assert_msg(h[0].rc == 0, "%s", h[0].err);
	free(uri);
}
END_TEST

/* The migrations: each version applied once and counted; a database of a
 * newer skilld is refused, saying so. */
START_TEST(test_pg_schema_versions)
{
	PGconn *c = PQconnectdb(path);
	PGresult *r;
	char err[512];

	ck_assert_msg(PQstatus(c) == CONNECTION_OK, "%s", PQerrorMessage(c));
	r = PQexec(c, "SELECT string_agg(version::text || ' ' || name, ', ' ORDER BY version) "
		   "FROM skilld_reviews_schema");
	ck_assert_int_eq(PQresultStatus(r), PGRES_TUPLES_OK);
	ck_assert_str_eq(PQgetvalue(r, 0, 0), "1 0001_reviews.sql, 2 0002_sessions.sql");
	PQclear(r);
	/* a second handle finds nothing to do */
	reviewdb_close(rv);
	open_store();
	r = PQexec(c, "SELECT count(*) FROM skilld_reviews_schema");
	ck_assert_str_eq(PQgetvalue(r, 0, 0), "2");
	PQclear(r);
	r = PQexec(c, "INSERT INTO skilld_reviews_schema VALUES (99, '0099_future.sql', 0)");
	ck_assert_int_eq(PQresultStatus(r), PGRES_COMMAND_OK);
	PQclear(r);
	PQfinish(c);
	ck_assert_ptr_null(reviewdb_open(path, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "version 99, newer than this skilld's 2"));
}
END_TEST

/* Two handles on one database, as two replicas have: each sees the
 * other's writes, a version written by one is stale for the other, and
 * writers through both at once leave every write once. */
START_TEST(test_pg_two_handles)
{
	char id[REVIEW_ID_LEN + 1], err[256];
	struct item_write w = verdict("1-w1", "fail");
	struct reviewdb *mine = rv, *other;
	cJSON *res = NULL, *o;
	size_t failed = 99;

	other = reviewdb_open(path, err, sizeof(err));
	ck_assert_msg(other != NULL, "%s", err);
	start(id, 1000);
	ck_assert_int_eq(reviewdb_get(other, id, &o), 1);
	cJSON_Delete(o);
	w.if_version = 0;
	ck_assert_int_eq(reviewdb_write_items(mine, id, &w, 1, 2000, &res, &failed, err, sizeof(err)),
			 0);
	cJSON_Delete(res);
	ck_assert_int_eq(reviewdb_write_items(other, id, &w, 1, 2000, &res, &failed, err,
					      sizeof(err)), REVIEWDB_STALE);
	ck_assert_int_eq(num(cJSON_GetArrayItem(res, 0), "version"), 1);
	cJSON_Delete(res);
	/* 16 writers through each handle */
	write_at_once(mine, other, id);
	ck_assert_int_eq(reviewdb_get(other, id, &o), 1);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(o, "items")), 33);
	ck_assert_int_eq(num(o, "seq"), 34);
	cJSON_Delete(o);
	ck_assert_int_eq(reviewdb_events(mine, id, 0, 100, &o), 1);
	ck_assert_int_eq(cJSON_GetArraySize(o), 34);
	for (int i = 0; i < 34; i++)
		ck_assert_int_eq(num(cJSON_GetArrayItem(o, i), "seq"), i + 1);
	cJSON_Delete(o);
	reviewdb_close(other);
}
END_TEST

/* What a handle's reviewdb_watch heard. */
struct heard {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	char ids[64][REVIEW_ID_LEN + 1];
	int n, missed;
};

static void on_heard(void *arg, const char *id)
{
	struct heard *h = arg;

	pthread_mutex_lock(&h->lock);
	if (!id)
		h->missed++;
	else if (h->n < 64)
		snprintf(h->ids[h->n++], REVIEW_ID_LEN + 1, "%s", id);
	pthread_cond_broadcast(&h->cond);
	pthread_mutex_unlock(&h->lock);
}

/* Is id among what h heard (NULL: was a miss heard), waiting up to 10 s
 * for it? */
static bool wait_heard(struct heard *h, const char *id)
{
	struct timespec until;
	bool found = false;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 10;
	pthread_mutex_lock(&h->lock);
	for (;;) {
		found = !id && h->missed > 0;
		for (int i = 0; id && i < h->n; i++)
			found |= strcmp(h->ids[i], id) == 0;
		if (found || pthread_cond_timedwait(&h->cond, &h->lock, &until) != 0)
			break;
	}
	pthread_mutex_unlock(&h->lock);
	return found;
}

/* A handle on the store that watches it into h. */
static struct reviewdb *watching(struct heard *h)
{
	struct reviewdb *w;
	char err[256];

	memset(h, 0, sizeof(*h));
	pthread_mutex_init(&h->lock, NULL);
	pthread_cond_init(&h->cond, NULL);
	w = reviewdb_open(path, err, sizeof(err));
	ck_assert_msg(w != NULL, "%s", err);
	ck_assert_msg(reviewdb_watch(w, on_heard, h, err, sizeof(err)) == 0, "%s", err);
	return w;
}

/* Another handle (a replica) hears of every change made through this one
 * (a start, an item, an edit, a delete), and not of its own. */
START_TEST(test_pg_watch_hears_other_handles)
{
	char mine_id[REVIEW_ID_LEN + 1], its_id[REVIEW_ID_LEN + 1], err[256];
	struct review_edit e = { .title = "renamed" };
	struct item_write w = verdict("1-w1", "fail");
	struct heard h;
	struct reviewdb *other = watching(&h);
	cJSON *res = NULL;
	size_t failed;
	int n;

	/* its own start first: heard before the next one, if at all */
	ck_assert_int_eq(reviewdb_create(other, &START, 1000, its_id, err, sizeof(err)), 0);
	start(mine_id, 1000);
	ck_assert_msg(wait_heard(&h, mine_id), "the start was not heard");
	pthread_mutex_lock(&h.lock);
	ck_assert_int_eq(h.missed, 0);
	for (int i = 0; i < h.n; i++)
		ck_assert_str_ne(h.ids[i], its_id);
	n = h.n;
	pthread_mutex_unlock(&h.lock);
	ck_assert_int_eq(n, 1);
	/* an item, an edit, a delete: one notification each */
	ck_assert_int_eq(reviewdb_write_items(rv, mine_id, &w, 1, 2000, &res, &failed, err,
					      sizeof(err)), 0);
	cJSON_Delete(res);
	ck_assert_int_eq(reviewdb_edit(rv, mine_id, &e, 3000, err, sizeof(err)), 0);
	ck_assert_int_eq(reviewdb_delete(rv, mine_id, err, sizeof(err)), 0);
	for (int tries = 0; tries < 100 && n < 4; tries++) {
		usleep(50 * 1000);
		pthread_mutex_lock(&h.lock);
		n = h.n;
		pthread_mutex_unlock(&h.lock);
	}
	ck_assert_int_eq(n, 4);
	for (int i = 0; i < 4; i++)
		ck_assert_str_eq(h.ids[i], mine_id);
	reviewdb_close(other);
}
END_TEST

/* A store whose server is away when it is opened (nothing listens, as
 * while PostgreSQL restarts) opens: its calls answer REVIEWDB_UNAVAILABLE
 * until the server is there, then the first connection applies the
 * migrations to the empty database and calls pass; its listener comes up
 * by itself and hears other handles' writes. */
START_TEST(test_pg_open_while_away)
{
	char id[REVIEW_ID_LEN + 1], err[512];
	struct pgtest own;
	struct reviewdb *other;
	struct timespec t0, t1;
	struct heard h;
	cJSON *o;
	int rc;

	reviewdb_close(rv);
	rv = NULL;
	free(path);
	ck_assert_msg(pgtest_init(&own, err, sizeof(err)) == 0, "%s", err);
	path = pgtest_new_database(&own);
	pgtest_stop(&own);

	other = watching(&h);
	ck_assert(!reviewdb_up(other));
	ck_assert_int_eq(reviewdb_create(other, &START, 1000, id, err, sizeof(err)),
			 REVIEWDB_UNAVAILABLE);
	ck_assert_ptr_null(strstr(err, own.password));
	ck_assert_int_eq(reviewdb_get(other, "0123456789abcdef", &o), REVIEWDB_UNAVAILABLE);

	ck_assert_msg(pgtest_start(&own, err, sizeof(err)) == 0, "%s", err);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		rc = reviewdb_create(other, &START, 1000, id, err, sizeof(err));
		if (rc == REVIEWDB_UNAVAILABLE)
			usleep(100 * 1000);
		clock_gettime(CLOCK_MONOTONIC, &t1);
	} while (rc == REVIEWDB_UNAVAILABLE && t1.tv_sec - t0.tv_sec < 15);
	ck_assert_msg(rc == 0, "rc %d: %s", rc, err);
	ck_assert(reviewdb_up(other));
	/* the listener says it may have missed changes once it is up; then a
	 * write through another handle reaches it */
	ck_assert_msg(wait_heard(&h, NULL), "the listener did not come up");
	open_store();
	start(id, 2000);
	ck_assert_msg(wait_heard(&h, id), "the listener did not hear another handle's write");
	reviewdb_close(other);
	reviewdb_close(rv);
	rv = NULL;
	pgtest_fini(&own);
}
END_TEST

/* The server stops under an open handle: writes and reads answer
 * REVIEWDB_UNAVAILABLE (the message without the password), nothing is
 * written; once it is back, a write goes through, once. */
START_TEST(test_pg_server_restart)
{
	char id[REVIEW_ID_LEN + 1], other[REVIEW_ID_LEN + 1], err[512];
	struct item_write w = verdict("1-w1", "pass");
	struct pgtest own;
	struct timespec t0, t1;
	struct reviewdb *watcher;
	struct heard h;
	cJSON *res = NULL, *o;
	size_t failed;
	int rc, tries = 0;

	reviewdb_close(rv);
	free(path);
	ck_assert_msg(pgtest_init(&own, err, sizeof(err)) == 0, "%s", err);
	path = pgtest_new_database(&own);
	open_store();
	watcher = watching(&h);
	start(id, 1000);
	ck_assert(wait_heard(&h, id));
	pgtest_stop(&own);

	rc = reviewdb_write_items(rv, id, &w, 1, 2000, &res, &failed, err, sizeof(err));
	ck_assert_int_eq(rc, REVIEWDB_UNAVAILABLE);
	ck_assert_ptr_null(res);
	ck_assert_ptr_null(strstr(err, own.password));
	ck_assert_ptr_nonnull(strstr(err, "skilld:***@127.0.0.1"));
	ck_assert_int_eq(reviewdb_get(rv, id, &o), REVIEWDB_UNAVAILABLE);
	ck_assert_ptr_null(o);
	ck_assert_int_eq(reviewdb_create(rv, &START, 3000, other, err, sizeof(err)),
			 REVIEWDB_UNAVAILABLE);
	ck_assert(!reviewdb_up(rv));

	ck_assert_msg(pgtest_start(&own, err, sizeof(err)) == 0, "%s", err);
	/* the next try comes within the backoff (5 s at most) */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		rc = reviewdb_write_items(rv, id, &w, 1, 4000, &res, &failed, err, sizeof(err));
		if (rc == REVIEWDB_UNAVAILABLE)
			usleep(100 * 1000);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		tries++;
	} while (rc == REVIEWDB_UNAVAILABLE && t1.tv_sec - t0.tv_sec < 15);
	ck_assert_msg(rc == 0, "rc %d after %d tries: %s", rc, tries, err);
	cJSON_Delete(res);
	ck_assert(reviewdb_up(rv));
	ck_assert_int_eq(reviewdb_get(rv, id, &o), 1);
	ck_assert_int_eq(num(o, "seq"), 2);
	ck_assert_int_eq(num(cJSON_GetObjectItem(cJSON_GetObjectItem(o, "items"), "1-w1"),
			     "version"), 1);
	cJSON_Delete(o);
	/* the watcher's listener connected again: it says it may have missed
	 * changes, and hears a write made since */
	ck_assert_msg(wait_heard(&h, NULL), "the listener did not come back");
	pthread_mutex_lock(&h.lock);
	tries = h.n;
	pthread_mutex_unlock(&h.lock);
	w.if_version = 1;
	w.verdict = "na";
	ck_assert_int_eq(reviewdb_write_items(rv, id, &w, 1, 5000, &res, &failed, err, sizeof(err)),
			 0);
	cJSON_Delete(res);
	/* heard: this review's id, and nothing else; maybe twice, when the
	 * listener was back in time for the first write after the restart
	 * too and heard that after tries was taken (a loaded machine) */
	for (int i = 0; i < 200; i++) {
		pthread_mutex_lock(&h.lock);
		rc = h.n;
		pthread_mutex_unlock(&h.lock);
		if (rc > tries)
			break;
		usleep(50 * 1000);
	}
	ck_assert_int_gt(rc, tries);
	ck_assert_int_le(rc, tries + 2);
	pthread_mutex_lock(&h.lock);
	for (int k = tries; k < h.n; k++)
		ck_assert_str_eq(h.ids[k], id);
	pthread_mutex_unlock(&h.lock);
	reviewdb_close(watcher);
	reviewdb_close(rv);
	rv = NULL;
	pgtest_fini(&own);
}
END_TEST

/* Runs sql on c, which must pass. */
static void admin_sql(PGconn *c, const char *sql)
{
	PGresult *r = PQexec(c, sql);

	ck_assert_msg(PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK,
		      "%s: %s", sql, PQerrorMessage(c));
	PQclear(r);
}

/* Makes every COMMIT on s wait for a standby that never comes (synchronous
 * replication to "nobody"), or not (on false). */
static void commits_wait(const char *uri, bool on)
{
	PGconn *c = PQconnectdb(uri);

	ck_assert_msg(PQstatus(c) == CONNECTION_OK, "%s", PQerrorMessage(c));
	admin_sql(c, on ? "ALTER SYSTEM SET synchronous_standby_names = 'nobody'"
			: "ALTER SYSTEM RESET synchronous_standby_names");
	admin_sql(c, "SELECT pg_reload_conf()");
	PQfinish(c);
	/* the checkpointer takes the setting up when it hears of the reload */
	usleep(500 * 1000);
}

/* The pid of skilld's session waiting for its COMMIT to replicate: its
 * commit is on disk, the answer not sent. Waits up to 10 s for it. */
static char *commit_waiting(const char *uri)
{
	PGconn *c = PQconnectdb(uri);
	char *pid = NULL;

	ck_assert_msg(PQstatus(c) == CONNECTION_OK, "%s", PQerrorMessage(c));
	for (int i = 0; i < 200 && !pid; i++) {
		PGresult *r = PQexec(c, "SELECT pid FROM pg_stat_activity WHERE "
				     "application_name = 'skilld' AND wait_event = 'SyncRep'");

		if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
			pid = xstrdup(PQgetvalue(r, 0, 0));
		PQclear(r);
		if (!pid)
			usleep(50 * 1000);
	}
	PQfinish(c);
	ck_assert_msg(pid != NULL, "no skilld COMMIT waits for replication");
	return pid;
}

/* A write whose COMMIT reached the disk but whose answer was lost (the
 * session killed at that moment, as a stopping server kills its sessions)
 * answers 0 once the server says it committed; when the server stays away
 * past the 10 s the call asks for, it answers REVIEWDB_IN_DOUBT, never
 * REVIEWDB_UNAVAILABLE ("nothing written"): the write is there afterwards. */
START_TEST(test_pg_commit_in_doubt)
{
	char id[REVIEW_ID_LEN + 1], err[512], *pid, *sql, *uri;
	struct held_write h = { .id = id, .rc = -99 };
	struct pgtest own;
	struct timespec t0, t1;
	PGconn *admin;
	pthread_t t;
	cJSON *o;

	reviewdb_close(rv);
	free(path);
	ck_assert_msg(pgtest_init(&own, err, sizeof(err)) == 0, "%s", err);
	path = pgtest_new_database(&own);
	/* pgtest's server commits asynchronously: skilld's session does not */
	uri = xasprintf("%s?options=-c%%20synchronous_commit%%3Don", path);
	rv = reviewdb_open(uri, err, sizeof(err));
	ck_assert_msg(rv != NULL, "%s", err);
	free(uri);
	start(id, 1000);
	h.rv = rv;

	/* the session is killed while its COMMIT waits: the write was applied */
	commits_wait(path, true);
	ck_assert_int_eq(pthread_create(&t, NULL, held_write_main, &h), 0);
	pid = commit_waiting(path);
	commits_wait(path, false);
	admin = PQconnectdb(path);
	ck_assert_msg(PQstatus(admin) == CONNECTION_OK, "%s", PQerrorMessage(admin));
	sql = xasprintf("SELECT pg_terminate_backend(%s)", pid);
	admin_sql(admin, sql);
	free(sql);
	free(pid);
	PQfinish(admin);
	pthread_join(t, NULL);
	ck_assert_msg(h.rc == 0, "rc %d: %s", h.rc, h.err);
	ck_assert_int_eq(reviewdb_get(rv, id, &o), 1);
	ck_assert_int_eq(num(o, "seq"), 2);
	cJSON_Delete(o);

	/* the server stops while the COMMIT waits and stays down: in doubt */
	commits_wait(path, true);
	h.rc = -99;
	h.verdict = "fail";
	ck_assert_int_eq(pthread_create(&t, NULL, held_write_main, &h), 0);
	free(commit_waiting(path));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pgtest_stop(&own);
	pthread_join(t, NULL);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ck_assert_msg(h.rc == REVIEWDB_IN_DOUBT, "rc %d: %s", h.rc, h.err);
	ck_assert_msg(strstr(h.err, "could not say") != NULL, "%s", h.err);
	ck_assert_ptr_null(strstr(h.err, own.password));
	ck_assert_int_ge(t1.tv_sec - t0.tv_sec, 9);
	ck_assert_msg(pgtest_start(&own, err, sizeof(err)) == 0, "%s", err);
	commits_wait(path, false);
	ck_assert_int_eq(reviewdb_get(rv, id, &o), 1);
	ck_assert_int_eq(num(o, "seq"), 3);
	cJSON_Delete(o);
	reviewdb_close(rv);
	rv = NULL;
	pgtest_fini(&own);
}
END_TEST

/* The tests that run on every store. */
static void add_common(TCase *tc)
{
	tcase_add_test(tc, test_create_and_get);
	tcase_add_test(tc, test_item_writes_and_versions);
	tcase_add_test(tc, test_stale_version_writes_nothing);
	tcase_add_test(tc, test_close_edit_reopen);
	tcase_add_test(tc, test_list_and_pages);
	tcase_add_test(tc, test_delete_takes_everything);
	tcase_add_test(tc, test_concurrent_writers);
	tcase_add_test(tc, test_cannot_open);
}

Suite *reviewdb_suite(void)
{
	TCase *sqlite, *pg;
	Suite *s = pgtest_two_stores("reviewdb", add_common, setup, teardown, setup_pg, teardown,
				     &sqlite, &pg);

	tcase_add_test(sqlite, test_backup);
	if (pg) {
		tcase_add_test(pg, test_pg_no_backup);
		tcase_add_test(pg, test_pg_password_never_shown);
		tcase_add_test(pg, test_pg_open_while_away);
		tcase_add_test(pg, test_pg_schema_versions);
		tcase_add_test(pg, test_pg_review_held_elsewhere);
		tcase_add_test(pg, test_pg_two_handles);
		tcase_add_test(pg, test_pg_watch_hears_other_handles);
		tcase_add_test(pg, test_pg_server_restart);
		tcase_add_test(pg, test_pg_commit_in_doubt);
	}
	return s;
}
