/* SPDX-License-Identifier: MIT */
/* Tests for util: buffer, SHA-256, UTF-8 helpers, line counting. */
#include <check.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <stdlib.h>

#include "skilld/text.h"
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

/* NULL with length 0, what sqlite3_column_blob gives for an empty blob,
 * appends and copies nothing (memcpy never sees the NULL: make check). */
START_TEST(test_null_with_length_zero)
{
	struct buf b;
	char *s;

	buf_init(&b);
	buf_puts(&b, "ab");
	buf_append(&b, NULL, 0);
	ck_assert_uint_eq(b.len, 2);
	ck_assert_str_eq(b.data, "ab");
	buf_fini(&b);
	s = xstrndup(NULL, 0);
	ck_assert_str_eq(s, "");
	free(s);
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

/* A slow, obviously right decoder: the length of the valid UTF-8
 * sequence at s[0..n) (NUL counts as valid here), else 0. */
static size_t ref_seq(const unsigned char *s, size_t n)
{
	uint32_t cp;
	size_t len;

	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0)
		len = 2, cp = s[0] & 0x1fu;
	else if ((s[0] & 0xf0) == 0xe0)
		len = 3, cp = s[0] & 0x0fu;
	else if ((s[0] & 0xf8) == 0xf0)
		len = 4, cp = s[0] & 0x07u;
	else
		return 0;
	if (len > n)
		return 0;
	for (size_t k = 1; k < len; k++) {
		if ((s[k] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[k] & 0x3fu);
	}
	if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

/* utf8_valid and utf8_repair (which copy runs of ASCII eight bytes at a
 * time) agree with the byte-by-byte reference on random text of every
 * length and alignment: mostly ASCII, some multi-byte sequences, bad bytes,
 * NULs. */
START_TEST(test_utf8_against_reference)
{
	static const char *const pieces[] = { "\xc3\xa9", "\xe2\x80\x94", "\xf0\x9f\x98\x80",
					      "\xff", "\xc3", "\xed\xa0\x80", "\xe2\x82", "\x80",
					      "\xf4\x90\x80\x80", "\xc0\xaf" };
	uint32_t seed = 12345;

	for (int round = 0; round < 4000; round++) {
		unsigned char text[400];
		size_t n = 0, i = 0, out_len;
		struct buf want;
		bool valid = true;
		char *got;
		int count;

		seed = seed * 1103515245u + 12345u;
		count = (int)((seed >> 16) % 40);
		for (int k = 0; k < count; k++) {
			seed = seed * 1103515245u + 12345u;
			switch ((seed >> 16) % 8) {
			case 0: {
				const char *p = pieces[(seed >> 20) % 10];

				memcpy(text + n, p, strlen(p));
				n += strlen(p);
				break;
			}
			case 1:
				text[n++] = '\0';
				break;
			default:  /* 1 to 9 ASCII letters */
				for (uint32_t j = 0; j <= (seed >> 20) % 9; j++)
					text[n++] = (unsigned char)('a' + j);
			}
		}
		buf_init(&want);
		while (i < n) {
			size_t len = text[i] ? ref_seq(text + i, n - i) : 0;

			if (ref_seq(text + i, n - i) == 0)
				valid = false;
			if (len == 0) {
				buf_append(&want, "\xef\xbf\xbd", 3);
				i++;
			} else {
				buf_append(&want, text + i, len);
				i += len;
			}
		}
		ck_assert_msg(utf8_valid((const char *)text, n) == valid, "round %d", round);
		got = utf8_repair((const char *)text, n, &out_len);
		ck_assert_uint_eq(out_len, want.len);
		ck_assert_msg(memcmp(got, want.data ? want.data : "", want.len) == 0, "round %d", round);
		free(got);
		buf_fini(&want);
	}
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
	tcase_add_test(tc, test_null_with_length_zero);
	tcase_add_test(tc, test_sha256_known_vectors);
	tcase_add_test(tc, test_utf8_validation);
	tcase_add_test(tc, test_line_counting);
	tcase_add_test(tc, test_utf8_repair);
	tcase_add_test(tc, test_utf8_against_reference);
	tcase_add_test(tc, test_read_file_limits);
	suite_add_tcase(s, tc);
	return s;
}
