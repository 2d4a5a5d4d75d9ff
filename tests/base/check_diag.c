/* SPDX-License-Identifier: MIT */
/*
 * Tests for diag: the append-only list of diagnostics. Items keep the
 * order they were added in, the strings are copies, the list grows past
 * any size, diag_list_move appends in order and empties its source,
 * diag_count counts one severity, and diag_to_json gives the exact JSON
 * object the API serves.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "skilld/base/diag.h"
#include "skilld/base/util.h"

Suite *diag_suite(void);

/* "severity code path line:column message" per item, one a line (free()). */
static char *dump(const struct diag_list *l)
{
	struct buf b;

	buf_init(&b);
	for (size_t i = 0; i < l->len; i++) {
		const struct diag *d = &l->items[i];

		buf_printf(&b, "%s %s %s %d:%d %s\n", diag_severity_name(d->severity), d->code,
			   d->path ? d->path : "(none)", d->line, d->column, d->message);
	}
	return buf_detach(&b, NULL);
}

#define ASSERT_DUMP(list, expected) do { \
	char *got_ = dump(list); \
	ck_assert_str_eq(got_, expected); \
	free(got_); \
} while (0)

START_TEST(test_init_is_empty_and_fini_is_repeatable)
{
	struct diag_list l;

	memset(&l, 0xa5, sizeof(l));
	diag_list_init(&l);
	ck_assert_ptr_null(l.items);
	ck_assert_uint_eq(l.len, 0);
	ck_assert_uint_eq(l.cap, 0);
	ck_assert_uint_eq(diag_count(&l, DIAG_ERROR), 0);
	diag_list_fini(&l);
	ck_assert_ptr_null(l.items);
	diag_add(&l, DIAG_INFO, "x", NULL, 0, 0, "y");
	diag_list_fini(&l);
	/* fini leaves an empty list behind: a second fini and reuse are fine */
	ck_assert_ptr_null(l.items);
	ck_assert_uint_eq(l.len, 0);
	ck_assert_uint_eq(l.cap, 0);
	diag_list_fini(&l);
	diag_add(&l, DIAG_ERROR, "again", "p", 1, 2, "after fini");
	ASSERT_DUMP(&l, "error again p 1:2 after fini\n");
	diag_list_fini(&l);
}
END_TEST

START_TEST(test_add_keeps_order_and_formats)
{
	struct diag_list l;

	diag_list_init(&l);
	diag_add(&l, DIAG_WARNING, "name-mismatch", "a/SKILL.md", 3, 7, "name '%s' is not '%s'",
		 "x", "a");
	diag_add(&l, DIAG_ERROR, "yaml-invalid", NULL, 0, 0, "%d%% of %s", 50, "it");
	diag_add(&l, DIAG_INFO, "note", "", -1, 2147483647, "plain");
	diag_add(&l, DIAG_WARNING, "empty-message", "b", 0, 0, "%s", "");
	ck_assert_uint_eq(l.len, 4);
	ASSERT_DUMP(&l, "warning name-mismatch a/SKILL.md 3:7 name 'x' is not 'a'\n"
			"error yaml-invalid (none) 0:0 50% of it\n"
			"info note  -1:2147483647 plain\n"
			"warning empty-message b 0:0 \n");
	/* "" is a path, not an absent one */
	ck_assert_ptr_nonnull(l.items[2].path);
	ck_assert_str_eq(l.items[2].path, "");
	ck_assert_ptr_null(l.items[1].path);
	ck_assert_str_eq(l.items[3].message, "");
	diag_list_fini(&l);
}
END_TEST

/* The list owns copies: the caller's buffers may change or go away. */
START_TEST(test_strings_are_copied)
{
	struct diag_list l;
	char code[] = "code-1", path[] = "dir/file.md", arg[] = "argument";

	diag_list_init(&l);
	diag_add(&l, DIAG_ERROR, code, path, 1, 1, "%s", arg);
	code[0] = 'X';
	path[0] = 'X';
	arg[0] = 'X';
	ck_assert_str_eq(l.items[0].code, "code-1");
	ck_assert_str_eq(l.items[0].path, "dir/file.md");
	ck_assert_str_eq(l.items[0].message, "argument");
	ck_assert_ptr_ne(l.items[0].code, code);
	ck_assert_ptr_ne(l.items[0].path, path);
	diag_list_fini(&l);
}
END_TEST

/* Long messages are kept whole; the list grows by doubling from 8. */
START_TEST(test_grows_and_keeps_long_messages)
{
	enum { N = 1000, LONG = 100000 };
	struct diag_list l;
	char *big = xmalloc(LONG + 1);

	memset(big, 'm', LONG);
	big[LONG] = '\0';
	diag_list_init(&l);
	for (int i = 0; i < N; i++) {
		char code[16];

		snprintf(code, sizeof(code), "c%d", i);
		diag_add(&l, (enum diag_severity)(i % 3), code, NULL, i, 0, "%s#%d",
			 i == 500 ? big : "m", i);
		if (i == 0)
			ck_assert_uint_eq(l.cap, 8);
		if (i == 8)
			ck_assert_uint_eq(l.cap, 16);
	}
	ck_assert_uint_eq(l.len, N);
	ck_assert_uint_eq(l.cap, 1024);
	for (int i = 0; i < N; i++) {
		char code[16];

		snprintf(code, sizeof(code), "c%d", i);
		ck_assert_str_eq(l.items[i].code, code);
		ck_assert_int_eq(l.items[i].line, i);
		ck_assert_int_eq((int)l.items[i].severity, i % 3);
	}
	ck_assert_uint_eq(strlen(l.items[500].message), LONG + 4);
	ck_assert_int_eq(memcmp(l.items[500].message, big, LONG), 0);
	ck_assert_str_eq(l.items[500].message + LONG, "#500");
	ck_assert_str_eq(l.items[999].message, "m#999");
	/* 1000 = 334 errors (0, 3, ... 999) + 333 warnings + 333 infos */
	ck_assert_uint_eq(diag_count(&l, DIAG_ERROR), 334);
	ck_assert_uint_eq(diag_count(&l, DIAG_WARNING), 333);
	ck_assert_uint_eq(diag_count(&l, DIAG_INFO), 333);
	diag_list_fini(&l);
	free(big);
}
END_TEST

START_TEST(test_move_appends_in_order_and_empties_the_source)
{
	struct diag_list dst, src, empty;

	diag_list_init(&dst);
	diag_list_init(&src);
	diag_list_init(&empty);
	diag_add(&dst, DIAG_ERROR, "d1", "x", 1, 0, "first");
	diag_add(&dst, DIAG_WARNING, "d2", NULL, 2, 0, "second");
	for (int i = 0; i < 10; i++)
		diag_add(&src, DIAG_INFO, "s", "y", i, i, "src %d", i);

	diag_list_move(&dst, &src);
	ck_assert_ptr_null(src.items);
	ck_assert_uint_eq(src.len, 0);
	ck_assert_uint_eq(src.cap, 0);
	ck_assert_uint_eq(dst.len, 12);
	ck_assert_str_eq(dst.items[0].code, "d1");
	ck_assert_str_eq(dst.items[1].code, "d2");
	for (int i = 0; i < 10; i++) {
		char want[16];

		snprintf(want, sizeof(want), "src %d", i);
		ck_assert_str_eq(dst.items[2 + i].message, want);
		ck_assert_int_eq(dst.items[2 + i].column, i);
	}
	ck_assert_uint_eq(diag_count(&dst, DIAG_INFO), 10);

	/* an empty source changes nothing; the emptied source can be reused */
	diag_list_move(&dst, &empty);
	ck_assert_uint_eq(dst.len, 12);
	diag_add(&src, DIAG_ERROR, "reused", NULL, 0, 0, "r");
	ck_assert_uint_eq(src.len, 1);
	/* into an empty destination */
	diag_list_move(&empty, &src);
	ASSERT_DUMP(&empty, "error reused (none) 0:0 r\n");
	ck_assert_uint_eq(src.len, 0);

	diag_list_fini(&dst);
	diag_list_fini(&src);
	diag_list_fini(&empty);
}
END_TEST

START_TEST(test_severity_names)
{
	ck_assert_str_eq(diag_severity_name(DIAG_ERROR), "error");
	ck_assert_str_eq(diag_severity_name(DIAG_WARNING), "warning");
	ck_assert_str_eq(diag_severity_name(DIAG_INFO), "info");
	/* a value outside the enum reads as the mildest, never NULL */
	ck_assert_str_eq(diag_severity_name((enum diag_severity)7), "info");
}
END_TEST

/* Prints d as the API does (cJSON_PrintUnformatted) and compares bytes. */
static void assert_json(const struct diag *d, const char *want)
{
	cJSON *o = diag_to_json(d);
	char *text = cJSON_PrintUnformatted(o);

	ck_assert_str_eq(text, want);
	cJSON_free(text);
	cJSON_Delete(o);
}

START_TEST(test_json_form)
{
	struct diag_list l;

	diag_list_init(&l);
	diag_add(&l, DIAG_WARNING, "unknown-key", "alpha/SKILL.md", 4, 1, "key 'x' is not known");
	diag_add(&l, DIAG_ERROR, "root-unreadable", NULL, 0, 0, "cannot open \"%s\"\n", "r\\t");
	diag_add(&l, DIAG_INFO, "note", "caf\xc3\xa9.md", 0, 0, "ok");
	assert_json(&l.items[0], "{\"severity\":\"warning\",\"code\":\"unknown-key\","
			      "\"message\":\"key 'x' is not known\",\"path\":\"alpha/SKILL.md\","
			      "\"line\":4,\"column\":1}");
	/* no path is null; quotes, backslashes and newlines are escaped */
	assert_json(&l.items[1], "{\"severity\":\"error\",\"code\":\"root-unreadable\","
			      "\"message\":\"cannot open \\\"r\\\\t\\\"\\n\",\"path\":null,"
			      "\"line\":0,\"column\":0}");
	assert_json(&l.items[2], "{\"severity\":\"info\",\"code\":\"note\",\"message\":\"ok\","
			      "\"path\":\"caf\xc3\xa9.md\",\"line\":0,\"column\":0}");
	diag_list_fini(&l);
}
END_TEST

Suite *diag_suite(void)
{
	Suite *s = suite_create("diag");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_init_is_empty_and_fini_is_repeatable);
	tcase_add_test(tc, test_add_keeps_order_and_formats);
	tcase_add_test(tc, test_strings_are_copied);
	tcase_add_test(tc, test_grows_and_keeps_long_messages);
	tcase_add_test(tc, test_move_appends_in_order_and_empties_the_source);
	tcase_add_test(tc, test_severity_names);
	tcase_add_test(tc, test_json_form);
	suite_add_tcase(s, tc);
	return s;
}
