/* SPDX-License-Identifier: MIT */
/*
 * Tests for session: ids are random and of one shape, a session is valid
 * until its expiry and not after, deleting ends it, malformed ids are
 * never valid, and a full store makes room by dropping what expired and
 * then the session closest to expiry. Sessions kept in a PostgreSQL store
 * (the TCase "postgresql"): two stores on two handles of one database see
 * the same sessions, and they expire by the database's clock.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "skilld/store/reviewdb.h"
#include "skilld/store/session.h"
#include "pgtest.h"

Suite *session_suite(void);

START_TEST(test_lifecycle)
{
	struct session_store *s = session_store_new(60);
	char a[SESSION_ID_LEN + 1], b[SESSION_ID_LEN + 1], upper[SESSION_ID_LEN + 1];

	ck_assert_int_eq(session_create(s, 1000, a), 0);
	ck_assert_int_eq(session_create(s, 1000, b), 0);
	ck_assert_uint_eq(strlen(a), SESSION_ID_LEN);
	ck_assert_uint_eq(strspn(a, "0123456789abcdef"), SESSION_ID_LEN);
	ck_assert_str_ne(a, b);
	ck_assert_uint_eq(session_count(s), 2);
	ck_assert(session_valid(s, a, 1000));
	ck_assert(session_valid(s, a, 1059));
	ck_assert(!session_valid(s, a, 1060));      /* expired at 1000 + 60 */
	ck_assert(!session_valid(s, a, 5000));
	/* the same id in capitals, cut, or with more is no session */
	for (size_t i = 0; i <= SESSION_ID_LEN; i++)
		upper[i] = (char)(a[i] >= 'a' && a[i] <= 'f' ? a[i] - 32 : a[i]);
	if (strcmp(upper, a) != 0)
		ck_assert(!session_valid(s, upper, 1000));
	ck_assert(!session_valid(s, "", 1000));
	ck_assert(!session_valid(s, NULL, 1000));
	a[SESSION_ID_LEN - 1] = '\0';
	ck_assert(!session_valid(s, a, 1000));
	/* delete ends one session, twice is harmless */
	session_delete(s, b);
	ck_assert(!session_valid(s, b, 1000));
	session_delete(s, b);
	session_delete(s, "not-an-id");
	ck_assert_uint_eq(session_count(s), 1);
	session_store_free(s);
	session_store_free(NULL);
}
END_TEST

/* Filling the store: expired sessions go first, then the oldest. */
START_TEST(test_full_store_makes_room)
{
	struct session_store *s = session_store_new(100);
	char first[SESSION_ID_LEN + 1], second[SESSION_ID_LEN + 1], id[SESSION_ID_LEN + 1];

	ck_assert_int_eq(session_create(s, 0, first), 0);
	ck_assert_int_eq(session_create(s, 1, second), 0);
	for (size_t i = 2; i < SESSION_MAX; i++)
		ck_assert_int_eq(session_create(s, 50, id), 0);
	ck_assert_uint_eq(session_count(s), SESSION_MAX);
	/* at 100 the first has expired: it alone makes room */
	ck_assert_int_eq(session_create(s, 100, id), 0);
	ck_assert_uint_eq(session_count(s), SESSION_MAX);
	ck_assert(!session_valid(s, first, 99));
	ck_assert(session_valid(s, second, 99));
	ck_assert(session_valid(s, id, 100));
	/* nothing expired at 100: the one closest to expiry goes */
	ck_assert_int_eq(session_create(s, 100, id), 0);
	ck_assert_uint_eq(session_count(s), SESSION_MAX);
	ck_assert(!session_valid(s, second, 99));
	ck_assert(session_valid(s, id, 100));
	session_store_free(s);
}
END_TEST

static char *pg_uri;
static struct reviewdb *rv_a, *rv_b;   /* two replicas' handles */

static struct reviewdb *open_pg(void)
{
	char err[256];
	struct reviewdb *rv = reviewdb_open(pg_uri, err, sizeof(err));

	ck_assert_msg(rv != NULL, "%s", err);
	ck_assert(reviewdb_keeps_sessions(rv));
	return rv;
}

static void setup_pg(void)
{
	pg_uri = pgtest_case_database();
	rv_a = open_pg();
	rv_b = open_pg();
}

static void teardown_pg(void)
{
	reviewdb_close(rv_a);
	reviewdb_close(rv_b);
	free(pg_uri);
}

/* A session started through one replica is valid through the other, ended
 * through the other it is gone from both; malformed ids are none. */
START_TEST(test_shared_between_replicas)
{
	struct session_store *a = session_store_new_shared(60, rv_a);
	struct session_store *b = session_store_new_shared(60, rv_b);
	char one[SESSION_ID_LEN + 1], two[SESSION_ID_LEN + 1];

	ck_assert_int_eq(session_create(a, 0, one), 0);
	ck_assert_int_eq(session_create(b, 0, two), 0);
	ck_assert_uint_eq(strspn(one, "0123456789abcdef"), SESSION_ID_LEN);
	ck_assert(session_valid(b, one, 0));
	ck_assert(session_valid(a, two, 0));
	ck_assert_uint_eq(session_count(a), 2);
	session_delete(b, one);
	ck_assert(!session_valid(a, one, 0));
	ck_assert(!session_valid(b, one, 0));
	ck_assert(session_valid(a, two, 0));
	ck_assert_uint_eq(session_count(b), 1);
	ck_assert(!session_valid(a, "", 0));
	ck_assert(!session_valid(a, NULL, 0));
	two[SESSION_ID_LEN - 1] = '\0';
	ck_assert(!session_valid(a, two, 0));
	session_store_free(a);
	session_store_free(b);
}
END_TEST

/* Expiry by the database's clock: a 1 s session is valid, then not. */
START_TEST(test_shared_expiry)
{
	struct session_store *a = session_store_new_shared(1, rv_a);
	char id[SESSION_ID_LEN + 1];

	ck_assert_int_eq(session_create(a, 0, id), 0);
	ck_assert(session_valid(a, id, 0));
	usleep(1200 * 1000);
	ck_assert(!session_valid(a, id, 0));
	ck_assert_uint_eq(session_count(a), 0);
	session_store_free(a);
}
END_TEST

Suite *session_suite(void)
{
	Suite *s = suite_create("session");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_lifecycle);
	tcase_add_test(tc, test_full_store_makes_room);
	suite_add_tcase(s, tc);
	tc = pgtest_tcase(s, "session", setup_pg, teardown_pg);
	if (tc) {
		tcase_add_test(tc, test_shared_between_replicas);
		tcase_add_test(tc, test_shared_expiry);
	}
	return s;
}
