/* SPDX-License-Identifier: MIT */
/*
 * Tests for session: ids are random and of one shape, a session is valid
 * until its expiry and not after, deleting ends it, malformed ids are
 * never valid, and a full store makes room by dropping what expired and
 * then the session closest to expiry.
 */
#include <check.h>
#include <string.h>

#include "skilld/store/session.h"

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

Suite *session_suite(void)
{
	Suite *s = suite_create("session");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_lifecycle);
	tcase_add_test(tc, test_full_store_makes_room);
	suite_add_tcase(s, tc);
	return s;
}
