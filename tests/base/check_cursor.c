/* SPDX-License-Identifier: MIT */
/* Tests for cursor: round trips, and every shape a listing must refuse. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "skilld/base/cursor.h"

Suite *cursor_suite(void);

START_TEST(test_round_trips)
{
	char *c, *a, *b;

	c = cursor_make('c', "alpha", NULL);
	ck_assert_str_eq(c, "c616c706861");
	ck_assert_int_eq(cursor_read(c, 'c', &a, NULL), 0);
	ck_assert_str_eq(a, "alpha");
	free(a);
	free(c);

	/* two parts, non-ASCII and the separator itself inside a part */
	c = cursor_make('r', "été", "references/a.b.md");
	ck_assert_int_eq(cursor_read(c, 'r', &a, &b), 0);
	ck_assert_str_eq(a, "été");
	ck_assert_str_eq(b, "references/a.b.md");
	free(a);
	free(b);
	free(c);
}
END_TEST

START_TEST(test_refused)
{
	static const char *const one_part[] = {
		"",                   /* empty */
		"c6",                 /* shorter than a tag and one byte */
		"s616c706861",        /* another listing's tag */
		"c616c70686",         /* odd number of digits */
		"c616C706861",        /* uppercase: never made */
		"c61xx",              /* not hex */
		"c610062",            /* a NUL inside */
		"cff",                /* not UTF-8 */
		"c61.62",             /* two parts where one is wanted */
		".6162",
	};
	static const char *const two_parts[] = {
		"r6162",              /* one part where two are wanted */
		"r.6162",             /* empty first part */
		"r6162.",             /* empty second part */
		"r61.62.63",          /* three parts */
		"r6162.ff",           /* second part not UTF-8 */
	};
	char *a = (char *)1, *b = (char *)1;
	char *long_one = malloc(CURSOR_MAX + 2);

	for (size_t i = 0; i < sizeof(one_part) / sizeof(one_part[0]); i++) {
		ck_assert_msg(cursor_read(one_part[i], 'c', &a, NULL) == -1, "%s", one_part[i]);
		ck_assert_ptr_eq(a, (char *)1);
	}
	for (size_t i = 0; i < sizeof(two_parts) / sizeof(two_parts[0]); i++) {
		ck_assert_msg(cursor_read(two_parts[i], 'r', &a, &b) == -1, "%s", two_parts[i]);
		ck_assert_ptr_eq(a, (char *)1);
		ck_assert_ptr_eq(b, (char *)1);
	}
	/* longer than any this server makes */
	long_one[0] = 'c';
	memset(long_one + 1, '6', CURSOR_MAX);
	long_one[CURSOR_MAX + 1] = '\0';
	ck_assert_int_eq(cursor_read(long_one, 'c', &a, NULL), -1);
	free(long_one);
}
END_TEST

Suite *cursor_suite(void)
{
	Suite *s = suite_create("cursor");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_round_trips);
	tcase_add_test(tc, test_refused);
	suite_add_tcase(s, tc);
	return s;
}
