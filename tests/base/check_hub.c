/* SPDX-License-Identifier: MIT */
/* Tests for hub: counts, parking, waking by topic and all, and the refusal
 * to park when the topic changed after the waiter looked. */
#include <check.h>
#include <stdio.h>

#include "skilld/base/hub.h"

Suite *hub_suite(void);

static int parks, wakes;

static void on_park(void *arg)
{
	(void)arg;
	parks++;
}

static void on_wake(void *arg)
{
	(*(int *)arg)++;
	wakes++;
}

START_TEST(test_park_and_wake)
{
	struct hub *h = hub_new();
	int a_woke = 0, b_woke = 0;
	struct hub_waiter a = { "review-a", on_wake, &a_woke, false, NULL, NULL };
	struct hub_waiter b = { "review-b", on_wake, &b_woke, false, NULL, NULL };

	parks = wakes = 0;
	ck_assert_uint_eq(hub_count(h, "review-a"), 0);
	ck_assert(hub_park(h, &a, 0, on_park, NULL));
	ck_assert(hub_park(h, &b, hub_count(h, "review-b"), on_park, NULL));
	ck_assert_int_eq(parks, 2);
	ck_assert_uint_eq(hub_parked(h), 2);
	/* parked twice is once */
	ck_assert(!hub_park(h, &a, 0, on_park, NULL));
	/* a's topic changes: a wakes, b sleeps on */
	hub_notify(h, "review-a");
	ck_assert_int_eq(a_woke, 1);
	ck_assert_int_eq(b_woke, 0);
	ck_assert(!a.parked);
	ck_assert_uint_eq(hub_count(h, "review-a"), 1);
	ck_assert_uint_eq(hub_parked(h), 1);
	/* a looked before that change: it may not sleep through it */
	ck_assert(!hub_park(h, &a, 0, on_park, NULL));
	ck_assert(hub_park(h, &a, 1, on_park, NULL));
	/* a heartbeat wakes everyone, the counts stay */
	hub_wake_all(h);
	ck_assert_int_eq(a_woke, 2);
	ck_assert_int_eq(b_woke, 1);
	ck_assert_uint_eq(hub_parked(h), 0);
	ck_assert_uint_eq(hub_count(h, "review-a"), 1);
	ck_assert_uint_eq(hub_count(h, "review-b"), 0);
	/* a notify with nobody parked only counts */
	hub_notify(h, "review-b");
	ck_assert_int_eq(wakes, 3);
	/* closed: whoever is parked wakes, and nobody parks again */
	ck_assert(hub_park(h, &a, hub_count(h, "review-a"), on_park, NULL));
	hub_close(h);
	ck_assert_int_eq(a_woke, 3);
	ck_assert(!hub_park(h, &a, hub_count(h, "review-a"), on_park, NULL));
	ck_assert_uint_eq(hub_parked(h), 0);
	hub_free(h);
}
END_TEST

START_TEST(test_many_waiters_one_topic)
{
	struct hub *h = hub_new();
	struct hub_waiter w[50];
	int woke[50] = { 0 };

	for (int i = 0; i < 50; i++) {
		w[i] = (struct hub_waiter){ .wake = on_wake, .arg = &woke[i] };
		snprintf(w[i].topic, sizeof(w[i].topic), "%s", i % 2 ? "odd" : "even");
		ck_assert(hub_park(h, &w[i], hub_count(h, w[i].topic), on_park, NULL));
	}
	hub_notify(h, "odd");
	for (int i = 0; i < 50; i++)
		ck_assert_int_eq(woke[i], i % 2);
	ck_assert_uint_eq(hub_parked(h), 25);
	hub_wake_all(h);
	ck_assert_uint_eq(hub_parked(h), 0);
	hub_free(h);
}
END_TEST

Suite *hub_suite(void)
{
	Suite *s = suite_create("hub");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_park_and_wake);
	tcase_add_test(tc, test_many_waiters_one_topic);
	suite_add_tcase(s, tc);
	return s;
}
