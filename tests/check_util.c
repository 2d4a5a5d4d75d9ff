/* SPDX-License-Identifier: MIT */
/* Tests for util: buffer, SHA-256, UTF-8 helpers, line counting. */
#include <check.h>
#include <string.h>
#include <stdlib.h>

#include "skilld/util.h"
#include "testutil.h"

Suite *util_suite(void);

START_TEST(test_buf_grows_and_detaches)
{
	struct buf b;
	char *s;
	size_t n;

	buf_init(&b);
	for (int i = 0; i < 1000; i++)
		buf_printf(&b, "%d,", i % 10);
	ck_assert_uint_eq(b.len, 2000);
	s = buf_detach(&b, &n);
	ck_assert_uint_eq(n, 2000);
	ck_assert_int_eq(strncmp(s, "0,1,2,", 6), 0);
	ck_assert_uint_eq(b.len, 0);
	free(s);
	buf_fini(&b);
}
END_TEST

START_TEST(test_sha256_known_vectors)
{
	char hex[SHA256_HEX_LEN + 1];

	sha256_hex("", 0, hex);
	ck_assert_str_eq(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	sha256_hex("abc", 3, hex);
	ck_assert_str_eq(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}
END_TEST

START_TEST(test_utf8_validation)
{
	ck_assert(utf8_valid("plain", 5));
	ck_assert(utf8_valid("caf\xc3\xa9", 5));
	ck_assert(!utf8_valid("\xc0\xaf", 2));          /* overlong '/' */
	ck_assert(!utf8_valid("\xed\xa0\x80", 3));      /* surrogate */
	ck_assert(!utf8_valid("\xe2\x82", 2));          /* truncated */
	ck_assert(!utf8_valid("\xff", 1));
	ck_assert_uint_eq(utf8_length("caf\xc3\xa9"), 4);
	ck_assert_uint_eq(utf8_length("\xe2\x80\x94"), 1);
}
END_TEST

START_TEST(test_utf8_repair)
{
	size_t n;
	char *s = utf8_repair("ok\xff\xc3\xa9\xe2\x82x\0y", 10, &n);

	ck_assert_str_eq(s, "ok\xef\xbf\xbd\xc3\xa9\xef\xbf\xbd\xef\xbf\xbdx\xef\xbf\xbdy");
	ck_assert_uint_eq(n, strlen(s));
	ck_assert(utf8_valid(s, n));
	free(s);
	s = utf8_repair("", 0, &n);
	ck_assert_str_eq(s, "");
	free(s);
}
END_TEST

START_TEST(test_line_counting)
{
	ck_assert_uint_eq(text_count_lines("", 0), 0);
	ck_assert_uint_eq(text_count_lines("a", 1), 1);
	ck_assert_uint_eq(text_count_lines("a\n", 2), 1);
	ck_assert_uint_eq(text_count_lines("a\nb", 3), 2);
	ck_assert_uint_eq(text_count_lines("a\r\nb\r\n", 6), 2);
}
END_TEST

START_TEST(test_read_file_limits)
{
	char *dir = tu_mkdtemp();
	char *path = xasprintf("%s/f.txt", dir);
	char *data;
	size_t len;

	tu_write_str(dir, "f.txt", "hello");
	ck_assert_int_eq(read_file_all(path, 100, &data, &len), 0);
	ck_assert_uint_eq(len, 5);
	ck_assert_str_eq(data, "hello");
	free(data);
	ck_assert_int_eq(read_file_all(path, 4, &data, &len), -1);
	free(path);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

Suite *util_suite(void)
{
	Suite *s = suite_create("util");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_buf_grows_and_detaches);
	tcase_add_test(tc, test_sha256_known_vectors);
	tcase_add_test(tc, test_utf8_validation);
	tcase_add_test(tc, test_line_counting);
	tcase_add_test(tc, test_utf8_repair);
	tcase_add_test(tc, test_read_file_limits);
	suite_add_tcase(s, tc);
	return s;
}
