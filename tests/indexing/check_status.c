/* SPDX-License-Identifier: MIT */
/* Tests for status: what a run that committed and a run that failed leave. */
#include <check.h>
#include <string.h>
#include <time.h>

#include "skilld/indexing/status.h"

Suite *status_suite(void);

START_TEST(test_runs_recorded)
{
	struct status_board b;
	struct index_stats stats = { 0 };
	struct index_status st;
	time_t t0 = time(NULL);

	status_init(&b);
	status_get(&b, &st);
	ck_assert_int_eq(st.stats.generation, 0);
	ck_assert_uint_eq(st.reloads, 0);
	ck_assert_int_eq(st.failed_at, 0);

	/* the first run is no reload */
	stats.generation = 1;
	stats.skills = 3;
	status_indexed(&b, &stats, 0.25, false);
	status_get(&b, &st);
	ck_assert_int_eq(st.stats.generation, 1);
	ck_assert_uint_eq(st.stats.skills, 3);
	ck_assert_double_eq(st.index_seconds, 0.25);
	ck_assert_uint_eq(st.reloads, 0);
	ck_assert_int_ge(st.indexed_at, t0);

	/* a failure keeps what is served and says why */
	status_failed(&b, "skills folder 'x': No such file or directory");
	status_get(&b, &st);
	ck_assert_int_eq(st.stats.generation, 1);
	ck_assert_uint_eq(st.failures, 1);
	ck_assert_int_ge(st.failed_at, t0);
	ck_assert_str_eq(st.error, "skills folder 'x': No such file or directory");

	/* the next good reload clears the failure, not its count */
	stats.generation = 2;
	status_indexed(&b, &stats, 0.5, true);
	status_get(&b, &st);
	ck_assert_int_eq(st.stats.generation, 2);
	ck_assert_uint_eq(st.reloads, 1);
	ck_assert_uint_eq(st.failures, 1);
	ck_assert_int_eq(st.failed_at, 0);
	ck_assert_str_eq(st.error, "");
	status_fini(&b);
}
END_TEST

START_TEST(test_long_error_cut)
{
	struct status_board b;
	struct index_status st;
	char err[2000];

	memset(err, 'e', sizeof(err) - 1);
	err[sizeof(err) - 1] = '\0';
	status_init(&b);
	status_failed(&b, err);
	status_get(&b, &st);
	ck_assert_uint_eq(strlen(st.error), sizeof(st.error) - 1);
	status_fini(&b);
}
END_TEST

Suite *status_suite(void)
{
	Suite *s = suite_create("status");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_runs_recorded);
	tcase_add_test(tc, test_long_error_cut);
	suite_add_tcase(s, tc);
	return s;
}
